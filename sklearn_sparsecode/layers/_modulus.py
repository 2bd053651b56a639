"""The modulus layer: the first non-linearity of a scattering network.

A layer's output is a coefficient matrix ``(n_samples, n_columns)`` and its
:class:`~sklearn_sparsecode.Band` records. :func:`band_modulus` takes that pair
and returns a new pair without knowing which transform made the bands: the
modulus of every band-pass band (``hypot`` of the re/im halves of a complex
band, ``|c|`` of a real one), the low-pass kept signed. Pooling
(:mod:`._pooling`) is ``pool ∘ modulus``; the scattering cascade fuses its own
modulus into its kernels for speed.
"""

from typing import NamedTuple

import numpy as np

from .._core.bands import Band, complex_pairs, stack_bands



class ModulusBlock(NamedTuple):
    """One output block of a modulus layer and the input columns it reads.

    Attributes
    ----------
    band : Band
        The output block: the source band with ``part="real"`` and its name
        without the ``_re``/``_im`` suffix.
    kind : {"signed", "abs", "modulus"}
        The low-pass keeps its sign, a real band-pass band takes ``|c|``, a
        complex band ``hypot(re, im)``.
    sources : tuple of (start, stop)
        Input columns: one block, or the re and im blocks of a complex band.
    """

    band: Band
    kind: str
    sources: tuple


def modulus_layout(bands):
    """The :class:`ModulusBlock` list of a layout: one block per (complex) band."""
    entries, kinds, sources = [], [], []
    for group in complex_pairs(bands):
        first = group[0]
        kinds.append("signed" if first.lowpass else ("modulus" if len(group) == 2 else "abs"))
        sources.append(tuple((b.start, b.stop) for b in group))
        fields = first._asdict()
        del fields["start"], fields["stop"]
        stem = first.stem
        prefix = first.prefix[: -len(first.name)] + stem if first.prefix.endswith(
            first.name) else first.prefix
        fields.update(name=stem, part="real", prefix=prefix)
        entries.append(fields)
    return [ModulusBlock(band, kind, source)
            for band, kind, source in zip(stack_bands(entries), kinds, sources)]


def modulus_values(coefs, kind, sources, power=1.0):
    """The values of one modulus block for a batch, ``(n, size)``.

    ``kind`` and ``sources`` are those of a :class:`ModulusBlock` (or of a
    pooled block, which pools the same values).
    """
    parts = [coefs[:, a:b] for a, b in sources]
    if kind == "modulus":
        values = np.hypot(parts[0], parts[1])
    elif kind == "abs":
        values = np.abs(parts[0])
    else:
        return parts[0]
    if power != 1:
        values **= power
    return values


def band_modulus(coefs, bands, *, power=1.0):
    """Modulus of every band-pass band, low-pass kept signed.

    Parameters
    ----------
    coefs : ndarray of shape (n_samples, bands[-1].stop)
    bands : list of Band
    power : float, default=1.0
        Exponent applied to the moduli (0.5 compresses large responses).

    Returns
    -------
    maps : ndarray of shape (n_samples, n_out)
    out_bands : list of Band
        One real block per band, in the order of the bands' first halves.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sparsecode.curvelets import curvelet_transform, plan_curvelets
    >>> from sklearn_sparsecode.layers._modulus import band_modulus
    >>> plan = plan_curvelets((16, 16), n_scales=2, n_orientations=4, decimated=False)
    >>> C = curvelet_transform(np.ones((1, 16, 16)), plan=plan)
    >>> maps, bands = band_modulus(C, plan.bands)
    >>> [b.name for b in bands][:3]
    ['lowpass', 'a0', 'a1']
    """
    layout = modulus_layout(bands)
    out = np.empty((len(coefs), layout[-1].band.stop), dtype=coefs.dtype)
    for block in layout:
        out[:, block.band.start:block.band.stop] = modulus_values(coefs, block.kind, block.sources, power)
    return out, [block.band for block in layout]

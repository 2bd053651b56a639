"""One record for every block of a multiscale output: :class:`Band`.

Every transform of this package (wavelets, curvelets, contourlets, the Morlet
bank), every layer built on one (modulus, pooling) and every scattering path
describes its output columns with the same record. Code that consumes a layout
(pooling, feature names, ``feature_layout``, plotting, denoising) reads fields,
never the type of the transform that made it:

* ``start:stop`` are the block's columns; reshaped to ``shape`` they are the
  block's spatial grid (1-D for signals);
* ``lowpass`` marks the blocks that are the input blurred (kept signed by a
  modulus layer); every other block is a band-pass response;
* ``part`` is ``"real"`` for a real block, or ``"re"``/``"im"`` for the two
  halves of a complex band stored as (√2·Re, √2·Im). The halves of one complex
  band share ``key`` (everything but ``part``, ``name`` and the columns), so a
  modulus layer pairs them by ``key``, wherever they sit in the layout;
* ``scale`` is the transform's own scale index (``scale_label`` says which
  numbering: wavelet levels count 1 = finest like PyWavelets, curvelet and
  contourlet scales 1 = coarsest), ``angle`` the orientation index within the
  scale and ``orientation`` its frequency direction in degrees (see below);
* ``path`` is the scattering path that leads to the block: ``()`` for a first
  layer, ``((scale1, angle1),)`` for the order-1 coefficients of a cascade,
  ``((scale1, angle1), (scale2, angle2))`` for order 2;
* ``prefix`` starts the name of each of the block's columns (the position
  follows: ``db2_L1_dd_3_4``, ``curvelet_s3_a5_re_4_7``);
* ``channel`` is the image channel the block comes from (``c1_db2_L1_dd_3_4``)
  for colour or multi-channel input, None for grey images.

Orientation convention: degrees counter-clockwise from the horizontal frequency
axis, in [0, 180). An atom of orientation θ oscillates along θ, so it responds
to edges whose normal points along θ (an edge *running* at θ + 90°).
"""

from typing import NamedTuple

import numpy as np

# Fields of ``feature_layout()`` on every multiscale transformer and layer.
LAYOUT_DTYPE = [("scale", np.int64), ("band", "U32"), ("orientation", np.float64),
                ("row", np.int64), ("col", np.int64), ("channel", np.int64)]


class Band(NamedTuple):
    """Where one block of a multiscale output sits, and what it is.

    Attributes
    ----------
    scale : int
        Scale index in the transform's own numbering (``scale_label``).
    name : str
        Block name, unique within its scale and path: ``"aa"``, ``"da"``,
        ``"ad"``, ``"dd"`` (wavelets; ``"a"``, ``"d"`` for signals),
        ``"lowpass"``, ``"fine"`` (an isotropic finest scale), ``"a5_re"``
        (orientation index 5, real half), ...
    shape : tuple of int
        Spatial grid of the block for one sample.
    start, stop : int
        Output columns ``start:stop``, reshaped to ``shape``.
    orientation : float or None
        Frequency direction in degrees in [0, 180), None where undefined.
    part : {"real", "re", "im"}
        A real block, or a half of a complex band.
    lowpass : bool
        The block is a low-pass (signed) image rather than a band-pass response.
    angle : int or None
        Orientation index within the scale; None for isotropic blocks.
    path : tuple
        Scattering path ``((scale, angle), ...)`` that leads to this block.
    prefix : str
        Start of the block's column names.
    scale_label : str
        How to read ``scale`` (``"level"``: 1 = finest; ``"scale"``: 1 = coarsest).
    channel : int or None
        Input channel of the block (colour images), None for grey input.
    """

    scale: int
    name: str
    shape: tuple
    start: int
    stop: int
    orientation: object = None
    part: str = "real"
    lowpass: bool = False
    angle: object = None
    path: tuple = ()
    prefix: str = ""
    scale_label: str = "scale"
    channel: object = None

    @property
    def level(self):
        """Alias of ``scale`` (PyWavelets' name for it)."""
        return self.scale

    @property
    def size(self):
        return self.stop - self.start

    @property
    def key(self):
        """What identifies a complex band: its two halves share it."""
        return (self.channel, self.scale, self.angle, self.orientation, self.path, self.shape,
                self.lowpass)

    @property
    def stem(self):
        """The name without its ``_re``/``_im`` suffix."""
        return self.name[: -len(self.part) - 1] if self.part in ("re", "im") else self.name


def stack_bands(entries):
    """Lay blocks out one after another: ``entries`` are Band fields without columns.

    Parameters
    ----------
    entries : iterable of dict
        Keyword arguments of :class:`Band` except ``start`` and ``stop``.

    Returns
    -------
    bands : list of Band
        Consecutive columns, in the order given.
    """
    bands, start = [], 0
    for fields in entries:
        stop = start + int(np.prod(fields["shape"]))
        bands.append(Band(start=start, stop=stop, **fields))
        start = stop
    return bands


def channel_bands(bands, n_channels):
    """The layout of ``bands`` repeated for each of ``n_channels`` channels.

    Channel k's blocks follow channel k − 1's, each named ``c{k}_`` + its
    prefix; ``n_channels=None`` (grey input) returns ``bands`` unchanged.
    """
    if n_channels is None:
        return list(bands)
    entries = []
    for k in range(n_channels):
        for band in bands:
            fields = band._asdict()
            del fields["start"], fields["stop"]
            fields.update(channel=k, prefix=f"c{k}_{band.prefix}")
            entries.append(fields)
    return stack_bands(entries)


def feature_layout_of(bands):
    """``feature_layout()`` of a band list: one record per column, read by field."""
    n_columns = bands[-1].stop if bands else 0
    layout = np.empty(n_columns, dtype=LAYOUT_DTYPE)
    for band in bands:
        columns = layout[band.start:band.stop]
        columns["channel"] = -1 if band.channel is None else band.channel
        columns["scale"], columns["band"] = band.scale, band.name
        columns["orientation"] = np.nan if band.orientation is None else band.orientation
        index = np.indices(band.shape).reshape(len(band.shape), -1)
        columns["row"] = index[0]
        columns["col"] = index[1] if len(band.shape) == 2 else -1
    return layout


def feature_names_of(bands):
    """Column names ``{prefix}_{row}_{col}`` (``{prefix}_{index}`` for 1-D blocks)."""
    names = []
    for band in bands:
        names.extend(f"{band.prefix}_" + "_".join(map(str, idx))
                     for idx in np.ndindex(*band.shape))
    return np.asarray(names, dtype=object)


def complex_pairs(bands):
    """Group the blocks of a layout into bands: ``[(re, im)]`` pairs or ``[real]``.

    The halves of a complex band are found by ``key``, not by position. The
    groups come in the order of their first block.
    """
    halves = {}  # key -> (position in groups, the half seen first)
    groups = []
    for band in bands:
        if band.part == "real":
            groups.append((band,))
        elif band.key in halves:
            position, other = halves.pop(band.key)
            groups[position] = (other, band) if other.part == "re" else (band, other)
        else:
            halves[band.key] = (len(groups), band)
            groups.append((band,))
    if halves:
        _, missing = next(iter(halves.values()))
        raise ValueError(f"Band {missing.prefix or missing.name!r} has no matching "
                         f"{'im' if missing.part == 're' else 're'} half in the layout.")
    return groups

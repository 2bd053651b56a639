"""Generate ``kymatio_scattering2d.npz``, the checked-in outputs of Kymatio 0.3.

Run once, with Kymatio's own interpreter (Kymatio 0.3 needs SciPy < 1.17)::

    kyvenv/bin/python tests/data/generate_kymatio_reference.py

For every setting (small images: the file stays a few KB) it stores the
float32 input ``x{i}``, ``kymatio.numpy.Scattering2D``'s float32 output ``y{i}``
(for ``out_type="list"``: the coefficients stacked along the channel axis,
and ``meta{i}``, the ``(j, n, theta)`` of every entry) and the settings as
JSON. The inputs are multiples of 1/255 (exact in float32, stored as uint8);
the first setting has two images (a batch), the others one.
``tests/test_scattering_kymatio.py`` compares the drop-in with them.
"""

import json
from pathlib import Path

import numpy as np

SETTINGS = [
    # J, shape, L, max_order, pre_pad, out_type
    dict(J=2, shape=[16, 16], L=4, max_order=2, pre_pad=False, out_type="array"),
    dict(J=1, shape=[7, 9], L=3, max_order=2, pre_pad=False, out_type="array"),
    dict(J=3, shape=[17, 24], L=4, max_order=2, pre_pad=False, out_type="array"),
    dict(J=2, shape=[12, 10], L=5, max_order=1, pre_pad=True, out_type="array"),
    dict(J=2, shape=[8, 12], L=2, max_order=2, pre_pad=False, out_type="list"),
    dict(J=3, shape=[8, 11], L=6, max_order=2, pre_pad=True, out_type="list"),
]


def padded(shape, J):
    return [(s // 2**J + 2) * 2**J for s in shape]


def main():
    import kymatio  # Kymatio's own venv only (not a dependency of this package)
    from kymatio.numpy import Scattering2D

    rng = np.random.default_rng(20240611)
    arrays = {}
    for i, s in enumerate(SETTINGS):
        size = padded(s["shape"], s["J"]) if s["pre_pad"] else s["shape"]
        pixels = rng.integers(0, 256, (2 if i == 0 else 1, *size), dtype=np.uint8)
        x = pixels.astype(np.float32) / 255
        S = Scattering2D(J=s["J"], shape=tuple(s["shape"]), L=s["L"], max_order=s["max_order"],
                         pre_pad=s["pre_pad"], out_type=s["out_type"])
        out = S(x)
        arrays[f"x{i}"] = pixels
        if s["out_type"] == "list":
            arrays[f"y{i}"] = np.stack([entry["coef"] for entry in out], axis=-3)
            arrays[f"meta{i}"] = json.dumps([[list(e["j"]), list(e["n"]), list(e["theta"])]
                                             for e in out])
        else:
            arrays[f"y{i}"] = out
    arrays["settings"] = json.dumps(SETTINGS)
    arrays["kymatio_version"] = kymatio.__version__
    path = Path(__file__).with_name("kymatio_scattering2d.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

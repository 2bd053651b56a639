"""Fashion-MNIST from local IDX files (Debian's ``dataset-fashion-mnist``); never downloads."""

import gzip
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

DEFAULT_FOLDER = "/usr/share/datasets/fashion-mnist"
ENV_VAR = "SKLEARN_SPARSECODE_FASHION_MNIST"
CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
}
# IDX magic numbers: two zero bytes, the type code 0x08 (unsigned byte), the
# number of dimensions.
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801


def _open(folder, stem):
    for name, opener in ((stem + ".gz", gzip.open), (stem, open)):
        path = folder / name
        if path.is_file():
            return path, opener(path, "rb")
    raise FileNotFoundError(
        f"Fashion-MNIST file {stem}[.gz] not found in {folder}. Install the data "
        f"with `apt-get install dataset-fashion-mnist` (files under "
        f"{DEFAULT_FOLDER}), or point data_home or ${ENV_VAR} at a folder holding "
        f"the four IDX files. This package never downloads data."
    )


def read_idx(folder, stem, magic, n_expected):
    """Read one IDX file of unsigned bytes, checking its header and size."""
    path, handle = _open(Path(folder), stem)
    with handle:
        raw = handle.read()
    if len(raw) < 8 or int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{path} is not an IDX file of the expected kind (magic {magic:#010x}).")
    ndim = magic & 0xFF
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if shape[0] != n_expected or len(raw) - offset != int(np.prod(shape)):
        raise ValueError(
            f"{path} holds {len(raw) - offset} bytes for a header shape {shape}; "
            f"expected {n_expected} samples. The file is truncated or not Fashion-MNIST."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


@validate_params({"subset": [StrOptions({"train", "test"})],
                  "data_home": [str, os.PathLike, None],
                  "return_X_y": ["boolean"]},
                 prefer_skip_nested_validation=True)
def load_fashion_mnist(*, subset: str = "train", data_home: str | os.PathLike | None = None,
                       return_X_y: bool = False):
    """Load Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from local IDX files.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        The published split: 60,000 training or 10,000 test images.
    data_home : str or path-like, default=None
        Folder with the IDX files (``.gz`` or not). Defaults to
        ``$SKLEARN_SPARSECODE_FASHION_MNIST``, then
        ``/usr/share/datasets/fashion-mnist`` (Debian's package).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch with ``images`` (uint8, shape (n, 28, 28)), ``target`` (uint8,
        shape (n,)), ``target_names``; or ``(images, target)``.

    Raises
    ------
    FileNotFoundError
        When the files are missing; the message says how to install them.
    """
    if subset not in _FILES:
        raise ValueError(f"subset must be 'train' or 'test'; got {subset!r}.")
    folder = data_home or os.environ.get(ENV_VAR) or DEFAULT_FOLDER
    images_stem, labels_stem, n = _FILES[subset]
    images = read_idx(folder, images_stem, _IMAGES_MAGIC, n)
    target = read_idx(folder, labels_stem, _LABELS_MAGIC, n)
    if return_X_y:
        return images, target
    return Bunch(images=images, target=target, target_names=list(CLASS_NAMES),
                 DESCR=f"Fashion-MNIST {subset} set, {n} grey-level 28x28 images, 10 classes.")

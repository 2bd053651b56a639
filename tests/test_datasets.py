"""load_fashion_mnist: IDX parsing and validation, on files made here and on the real data."""

import gzip

import numpy as np
import pytest

from sklearn_sparsecode.datasets import load_fashion_mnist
from sklearn_sparsecode.datasets._fashion_mnist import DEFAULT_FOLDER


def _write_idx(path, array, magic, compress):
    header = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)


def _fake_folder(folder, n_train=60000, n_test=10000, compress=True):
    rng = np.random.default_rng(0)
    for stem, n in [("train", n_train), ("t10k", n_test)]:
        _write_idx(folder / f"{stem}-images-idx3-ubyte",
                   rng.integers(0, 256, size=(n, 28, 28)), 0x803, compress)
        _write_idx(folder / f"{stem}-labels-idx1-ubyte", rng.integers(0, 10, size=n), 0x801,
                   compress)


@pytest.mark.parametrize("compress", [True, False])
def test_reads_idx_files(tmp_path, compress):
    _fake_folder(tmp_path, compress=compress)
    data = load_fashion_mnist(subset="test", data_home=tmp_path)
    assert data.images.shape == (10000, 28, 28) and data.images.dtype == np.uint8
    assert data.target.shape == (10000,) and data.target.max() <= 9
    assert data.target_names[9] == "Ankle boot"
    X, y = load_fashion_mnist(data_home=tmp_path, return_X_y=True)
    assert X.shape == (60000, 28, 28)


def test_environment_variable(tmp_path, monkeypatch):
    _fake_folder(tmp_path)
    monkeypatch.setenv("SKLEARN_SPARSECODE_FASHION_MNIST", str(tmp_path))
    assert load_fashion_mnist(subset="test").images.shape[0] == 10000


def test_truncated_or_wrong_files(tmp_path):
    _fake_folder(tmp_path, n_test=100)
    with pytest.raises(ValueError, match="expected 10000 samples"):
        load_fashion_mnist(subset="test", data_home=tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x03junk"))
    with pytest.raises(ValueError, match="not an IDX file"):
        load_fashion_mnist(subset="train", data_home=tmp_path)


def test_missing_files_say_how_to_install(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(data_home=tmp_path)
    with pytest.raises(ValueError, match="subset"):
        load_fashion_mnist(subset="validation", data_home=tmp_path)


def test_real_fashion_mnist_if_installed():
    import os

    if not os.path.isdir(DEFAULT_FOLDER):
        pytest.skip("dataset-fashion-mnist is not installed")
    X, y = load_fashion_mnist(subset="test", data_home=DEFAULT_FOLDER, return_X_y=True)
    assert X.shape == (10000, 28, 28) and np.bincount(y).tolist() == [1000] * 10
    X, y = load_fashion_mnist(subset="train", data_home=DEFAULT_FOLDER, return_X_y=True)
    assert np.bincount(y).tolist() == [6000] * 10


@pytest.mark.parametrize("bad", [-5, 0, True, 2.5, "10"])
def test_load_train_test_refuses_bad_counts(bad):
    # Before: n_train=-5 sliced to "all but the last 5" and n_train=True read as 1.
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_sparsecode.datasets import load_train_test
    for key in ("n_train", "n_test"):
        with pytest.raises(InvalidParameterError, match=key):
            load_train_test("digits", **{key: bad})


def test_load_train_test_counts_keep_the_first_images():
    from sklearn.datasets import load_digits

    from sklearn_sparsecode.datasets import load_train_test
    X_train, y_train, X_test, y_test = load_train_test("digits", n_train=5, n_test=10_000)
    digits = load_digits()
    np.testing.assert_array_equal(X_train, digits.images[:5] / 16.0)
    np.testing.assert_array_equal(y_test, digits.target[898:])

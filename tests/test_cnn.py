"""CNNFeatureExtractor against a plain-loop numpy reference and PyTorch."""

import pickle

import numpy as np
import pytest

from sklearn_sparsecode import CNNFeatureExtractor
from sklearn_sparsecode.cnn._weights import oriented_filters

RNG = np.random.default_rng(0)


# --- an independent, deliberately naive reference: loops over every output value.
def loop_conv(x, weight, bias, stride, padding):
    """x (C, H, W) -> (O, Ho, Wo), cross-correlation with zero padding."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    out_c, in_c, kh, kw = weight.shape
    ho, wo = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.empty((out_c, ho, wo))
    for o in range(out_c):
        for i in range(ho):
            for j in range(wo):
                patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = np.sum(patch * weight[o]) + bias[o]
    return out


def loop_pool(x, size, stride, kind):
    c, h, w = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((c, ho, wo))
    for ch in range(c):
        for i in range(ho):
            for j in range(wo):
                window = x[ch, i * stride:i * stride + size, j * stride:j * stride + size]
                out[ch, i, j] = window.mean() if kind == "avg" else window.max()
    return out


def loop_forward(image, layers, stop):
    functions = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
                 "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "identity": lambda v: v}
    x = image[None].astype(np.float64)
    for layer in layers[:stop + 1]:
        if layer["type"] == "conv":
            x = loop_conv(x, layer["weight"], layer["bias"], layer["stride"], layer["padding"])
        elif layer["type"] == "pool":
            x = loop_pool(x, layer["size"], layer["stride"], layer["kind"])
        elif layer["type"] == "activation":
            x = functions[layer["function"]](x)
        elif layer["type"] == "flatten":
            x = x.ravel()
        else:
            x = layer["weight"] @ x + layer["bias"]
    return np.ravel(x)


CUSTOM = [
    {"type": "conv", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
    {"type": "activation", "function": "relu"},
    {"type": "pool", "kind": "max", "size": 3, "stride": 2},
    {"type": "conv", "out_channels": 5, "kernel_size": 2, "padding": 0},
    {"type": "activation", "function": "sigmoid"},
    {"type": "flatten"},
    {"type": "dense", "out_features": 7},
]


@pytest.mark.parametrize("weights", ["random", "wavelet", "gabor"])
@pytest.mark.parametrize("output_layer", [None, "conv1", "pool1", "act2", "pool2", "act3"])
def test_lenet5_matches_loop_reference(weights, output_layer):
    X = RNG.random((3, 28, 28))
    cnn = CNNFeatureExtractor(weights=weights, output_layer=output_layer, random_state=1).fit(X)
    got = cnn.transform(X)
    for image, row in zip(X, got):
        np.testing.assert_allclose(row, loop_forward(image, cnn.layers_, cnn.output_index_),
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(17, 23), (20, 20)])
def test_custom_stack_with_stride_padding_and_odd_sizes(shape):
    X = RNG.normal(size=(2, *shape))
    cnn = CNNFeatureExtractor(architecture=CUSTOM, random_state=0).fit(X)
    got = cnn.transform(X)
    assert got.shape == (2, 7)
    for stop in range(len(CUSTOM)):
        cnn.set_params(output_layer=stop).fit(X)
        np.testing.assert_allclose(cnn.transform(X)[1], loop_forward(X[1], cnn.layers_, stop),
                                   rtol=1e-10, atol=1e-12)


def test_lenet5_shapes_and_names():
    cnn = CNNFeatureExtractor().fit(np.zeros((1, 28, 28)))
    shapes = {layer["name"]: layer["output_shape"] for layer in cnn.layers_}
    assert shapes["conv1"] == (6, 28, 28) and shapes["pool1"] == (6, 14, 14)
    assert shapes["conv2"] == (16, 10, 10) and shapes["pool2"] == (16, 5, 5)
    assert shapes["conv3"] == (120, 1, 1) and shapes["act4"] == (84,)
    assert cnn.layers_[0]["weight"].shape == (6, 1, 5, 5)
    assert cnn.layers_[9]["weight"].shape == (84, 120)
    names = cnn.set_params(output_layer="pool2").fit(np.zeros((1, 28, 28))).get_feature_names_out()
    assert len(names) == 400 and names[0] == "pool2_0_0_0" and names[-1] == "pool2_15_4_4"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_determinism(dtype):
    X = RNG.random((5, 28, 28)).astype(dtype)
    a = CNNFeatureExtractor(random_state=3).fit_transform(X)
    b = CNNFeatureExtractor(random_state=3).fit_transform(X)
    c = CNNFeatureExtractor(random_state=4).fit_transform(X)
    assert a.dtype == dtype
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_oriented_filters_are_unit_norm_and_distinct():
    for kind in ["gabor", "wavelet"]:
        atoms = oriented_filters(kind, 6, 5)
        np.testing.assert_allclose(np.linalg.norm(atoms.reshape(6, -1), axis=1), 1.0)
        gram = atoms.reshape(6, -1) @ atoms.reshape(6, -1).T
        assert np.max(np.abs(gram - np.eye(6))) < 0.99  # no two atoms identical
    gabor = oriented_filters("gabor", 6, 7)
    np.testing.assert_allclose(gabor.sum(axis=(1, 2)), 0, atol=1e-12)  # zero mean


def test_state_dict_round_trip(tmp_path):
    X = RNG.random((3, 28, 28))
    cnn = CNNFeatureExtractor(random_state=0).fit(X)
    state = {f"{layer['name']}.{part}": layer[part] for layer in cnn.layers_
             if "weight" in layer for part in ("weight", "bias")}
    state["fc2.weight"] = np.zeros((10, 84))  # a classifier head is ignored
    np.savez(tmp_path / "w.npz", **state)
    for source in [state, str(tmp_path / "w.npz"), tmp_path / "w.npz"]:
        loaded = CNNFeatureExtractor(weights=source).fit(X)
        np.testing.assert_array_equal(loaded.transform(X), cnn.transform(X))


def test_batching_parallel_pickle_set_params():
    X = RNG.random((37, 28, 28)).astype(np.float32)
    ref = CNNFeatureExtractor(random_state=0, output_layer="pool2").fit_transform(X)
    for batch_size in [1, 8, None]:
        single = CNNFeatureExtractor(random_state=0, output_layer="pool2",
                                     batch_size=batch_size).fit_transform(X)
        threads = CNNFeatureExtractor(random_state=0, output_layer="pool2",
                                      batch_size=batch_size, n_jobs=2).fit_transform(X)
        np.testing.assert_array_equal(threads, single)  # n_jobs never changes a bit
        np.testing.assert_allclose(single, ref, rtol=1e-6, atol=1e-6)
    cnn = CNNFeatureExtractor(random_state=5, activation="relu").fit(X)
    cnn.set_params(random_state=0, output_layer="pool2", activation="tanh").fit(X)
    np.testing.assert_array_equal(cnn.transform(X), ref)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(cnn)).transform(X), ref)


@pytest.mark.parametrize("kwargs, X, match", [
    ({}, np.zeros((2, 8, 8)), r"too small .* layer 'conv2'"),
    ({}, np.zeros((2, 784)), "transforms images"),
    ({"output_layer": "conv9"}, np.zeros((1, 28, 28)), "is not a layer"),
    ({"output_layer": 40}, np.zeros((1, 28, 28)), "out of range"),
    ({"weights": "imagenet"}, np.zeros((1, 28, 28)), "no such file"),
    ({"weights": {"conv1.weight": np.zeros((6, 1, 3, 3))}}, np.zeros((1, 28, 28)),
     r"'conv1.weight' has shape \(6, 1, 3, 3\).*needs \(6, 1, 5, 5\)"),
    ({"weights": {}}, np.zeros((1, 28, 28)), "no 'conv1.weight'"),
    ({"architecture": [{"type": "conv", "kernel_size": 3}]}, np.zeros((1, 28, 28)),
     "out_channels must be a positive integer"),
    ({"architecture": [{"type": "softmax"}]}, np.zeros((1, 28, 28)), "must be a dict with 'type'"),
    ({"architecture": [{"type": "dense", "out_features": 3}]}, np.zeros((1, 28, 28)),
     "must follow a flatten"),
    ({"activation": "gelu"}, np.zeros((1, 28, 28)), "'activation' parameter"),
])
def test_bad_input(kwargs, X, match):
    with pytest.raises(ValueError, match=match):
        CNNFeatureExtractor(**kwargs).fit(X)


def test_nan_and_wrong_size_at_transform():
    cnn = CNNFeatureExtractor().fit(np.zeros((1, 28, 28)))
    X = np.zeros((1, 28, 28))
    X[0, 1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cnn.transform(X)
    with pytest.raises(ValueError, match="expecting 784 features"):
        cnn.transform(np.zeros((1, 32, 32)))


def test_input_not_modified():
    X = RNG.normal(size=(2, 28, 28))
    X_copy = X.copy()
    spec = [{"type": "activation", "function": "relu"}, {"type": "flatten"}]
    CNNFeatureExtractor(architecture=spec).fit_transform(X)
    CNNFeatureExtractor().fit_transform(X)
    np.testing.assert_array_equal(X, X_copy)




@pytest.fixture(scope="module")
def torch_module():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("weights", ["random", "gabor"])
@pytest.mark.parametrize("pooling", ["avg", "max"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_lenet5_matches_pytorch(torch_module, weights, pooling, activation):
    torch = torch_module
    F = torch.nn.functional
    X = RNG.random((16, 28, 28)).astype(np.float32)
    cnn = CNNFeatureExtractor(weights=weights, pooling=pooling, activation=activation,
                              random_state=0).fit(X)
    layer = {entry["name"]: entry for entry in cnn.layers_}

    def t(array):
        return torch.from_numpy(np.asarray(array, dtype=np.float32))

    act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
    pool = {"avg": F.avg_pool2d, "max": F.max_pool2d}[pooling]
    with torch.no_grad():
        x = t(X)[:, None]
        c1 = act(F.conv2d(x, t(layer["conv1"]["weight"]), t(layer["conv1"]["bias"]), padding=2))
        s2 = pool(c1, 2)
        c3 = act(F.conv2d(s2, t(layer["conv2"]["weight"]), t(layer["conv2"]["bias"])))
        s4 = pool(c3, 2)
        c5 = act(F.conv2d(s4, t(layer["conv3"]["weight"]), t(layer["conv3"]["bias"])))
        f6 = act(F.linear(c5.flatten(1), t(layer["fc1"]["weight"]), t(layer["fc1"]["bias"])))
    for name, expected in [("act1", c1), ("pool1", s2), ("pool2", s4), ("act3", c5),
                           ("act4", f6)]:
        got = cnn.set_params(output_layer=name).fit(X).transform(X)
        want = expected.reshape(len(X), -1).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_custom_stack_matches_pytorch(torch_module):
    torch = torch_module
    F = torch.nn.functional
    X = RNG.normal(size=(4, 19, 22)).astype(np.float32)
    cnn = CNNFeatureExtractor(architecture=CUSTOM, random_state=0).fit(X)
    c1, _, _, c2, _, _, d = cnn.layers_
    with torch.no_grad():
        x = torch.from_numpy(X)[:, None]
        x = torch.relu(F.conv2d(x, torch.from_numpy(c1["weight"].astype(np.float32)),
                                torch.from_numpy(c1["bias"].astype(np.float32)),
                                stride=2, padding=1))
        x = F.max_pool2d(x, 3, stride=2)
        x = torch.sigmoid(F.conv2d(x, torch.from_numpy(c2["weight"].astype(np.float32)),
                                   torch.from_numpy(c2["bias"].astype(np.float32))))
        x = F.linear(x.flatten(1), torch.from_numpy(d["weight"].astype(np.float32)),
                     torch.from_numpy(d["bias"].astype(np.float32)))
    np.testing.assert_allclose(cnn.transform(X), x.numpy(), rtol=1e-5, atol=1e-5)


def test_shipped_trained_lenet5_reproduces_its_test_accuracy():
    # The numpy forward pass of the shipped weights, with the shipped softmax
    # head (fc2) on top, must classify the Fashion-MNIST test set as PyTorch did
    # when the weights were trained (benchmarks/train_lenet5.py).
    from sklearn_sparsecode.cnn._weights import trained_path
    from sklearn_sparsecode.datasets import load_fashion_mnist

    with np.load(trained_path("lenet5-fashion-mnist")) as data:
        head_w, head_b = data["fc2.weight"], data["fc2.bias"]
        recorded = float(data["meta.test_accuracy"])
    cnn = CNNFeatureExtractor(weights="lenet5-fashion-mnist").fit(np.zeros((1, 28, 28)))
    assert cnn.layers_[0]["weight"].shape == (6, 1, 5, 5)
    try:
        X, y = load_fashion_mnist(subset="test", return_X_y=True)
    except FileNotFoundError:
        pytest.skip("dataset-fashion-mnist is not installed")
    features = cnn.transform(X.astype(np.float32) / 255)
    accuracy = np.mean((features @ head_w.T + head_b).argmax(axis=1) == y)
    assert accuracy == pytest.approx(recorded, abs=2e-3)
    assert accuracy > 0.85

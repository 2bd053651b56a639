"""Backward passes of the numpy CNN: weight gradients and transform_vjp.

References: central finite differences in float64 (on random directions) and
PyTorch's autograd (skipped when torch is not installed).
"""

import numpy as np
import pytest

from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor
from sklearn_sparsecode.cnn._backward import backward, forward_cached
from sklearn_sparsecode.cnn._layers import forward, normalize_spec, output_shapes
from sklearn_sparsecode.cnn._weights import random_weights

EPS = 1e-6

# Every layer kind and option: stride, padding, overlapping and non-tiling pools,
# every activation, colour input.
STACKS = {
    "conv-stride-pad-maxpool-overlap": (
        [{"type": "conv", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
         {"type": "activation", "function": "tanh"},
         {"type": "pool", "kind": "max", "size": 3, "stride": 2},
         {"type": "conv", "out_channels": 5, "kernel_size": 2},
         {"type": "activation", "function": "sigmoid"},
         {"type": "pool", "kind": "avg", "size": 2, "stride": 1},
         {"type": "flatten"},
         {"type": "dense", "out_features": 7},
         {"type": "activation", "function": "relu"},
         {"type": "dense", "out_features": 3}], (17, 15), 1),
    "colour-avgpool-odd-size-hardtanh": (
        [{"type": "conv", "out_channels": 3, "kernel_size": 3, "padding": 2},
         {"type": "activation", "function": "hardtanh"},
         {"type": "pool", "kind": "avg", "size": 2},
         {"type": "conv", "out_channels": 4, "kernel_size": 3, "stride": 2},
         {"type": "activation", "function": "identity"},
         {"type": "flatten"},
         {"type": "dense", "out_features": 5}], (13, 11), 3),
    "dense-network": (
        [{"type": "flatten"}, {"type": "dense", "out_features": 6},
         {"type": "activation", "function": "hardtanh"}, {"type": "dense", "out_features": 4},
         {"type": "activation", "function": "tanh"}, {"type": "dense", "out_features": 3}],
        (5, 4), 1),
}


def network(name, seed=0):
    spec, shape, channels = STACKS[name]
    layers = normalize_spec(spec)
    shapes = output_shapes(layers, shape, channels)
    # Weights twice PyTorch's default scale so that the activations leave their linear range.
    params = {key: (2 * w, b) for key, (w, b) in
              random_weights(layers, shapes, np.random.RandomState(seed), channels).items()}
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((4, *shape) if channels == 1 else (4, channels, *shape))
    return layers, params, images


def objective(layers, params, images, cotangent):
    return float(np.sum(cotangent * forward(images, layers, params)))


def relative_error(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


@pytest.mark.parametrize("name", list(STACKS))
def test_weight_and_input_gradients_match_finite_differences(name):
    layers, params, images = network(name)
    rng = np.random.default_rng(1)
    output, caches = forward_cached(images, layers, params)
    np.testing.assert_array_equal(output, forward(images, layers, params))
    cotangent = rng.standard_normal(output.shape)
    grads, d_images = backward(cotangent, layers, params, caches, weights=list(params),
                               inputs=True)
    assert set(grads) == set(params)
    for layer, (weight, bias) in params.items():
        for part, value in enumerate((weight, bias)):
            direction = rng.standard_normal(value.shape)
            shifted = []
            for sign in (1, -1):
                moved = dict(params)
                pair = [weight, bias]
                pair[part] = value + sign * EPS * direction
                moved[layer] = tuple(pair)
                shifted.append(objective(layers, moved, images, cotangent))
            numeric = (shifted[0] - shifted[1]) / (2 * EPS)
            exact = float(np.sum(grads[layer][part] * direction))
            assert relative_error(numeric, exact) < 1e-6, (layer, part, numeric, exact)
    assert d_images.reshape(images.shape).shape == images.shape
    for _ in range(3):
        direction = rng.standard_normal(images.shape)
        numeric = (objective(layers, params, images + EPS * direction, cotangent)
                   - objective(layers, params, images - EPS * direction, cotangent)) / (2 * EPS)
        exact = float(np.sum(d_images.reshape(images.shape) * direction))
        assert relative_error(numeric, exact) < 1e-6


def test_backward_visits_only_what_it_is_asked_for():
    layers, params, images = network("conv-stride-pad-maxpool-overlap")
    output, caches = forward_cached(images, layers, params)
    cotangent = np.random.default_rng(2).standard_normal(output.shape)
    full, _ = backward(cotangent, layers, params, caches, weights=list(params), inputs=True)
    only, none = backward(cotangent, layers, params, caches, weights=["conv2"])
    assert list(only) == ["conv2"] and none is None
    np.testing.assert_array_equal(only["conv2"][0], full["conv2"][0])
    assert backward(cotangent, layers, params, caches) == ({}, None)


@pytest.fixture(scope="module")
def torch_module():
    return pytest.importorskip("torch")


def torch_forward(torch, x, layers, tparams):
    F = torch.nn.functional
    activations = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
                   "hardtanh": F.hardtanh, "identity": lambda v: v}
    for layer in layers:
        kind = layer["type"]
        if kind == "conv":
            weight, bias = tparams[layer["name"]]
            x = F.conv2d(x, weight, bias, stride=layer["stride"], padding=layer["padding"])
        elif kind == "pool":
            pool = F.avg_pool2d if layer["kind"] == "avg" else F.max_pool2d
            x = pool(x, layer["size"], layer["stride"])
        elif kind == "activation":
            x = activations[layer["function"]](x)
        elif kind == "flatten":
            x = x.flatten(1)
        else:
            weight, bias = tparams[layer["name"]]
            x = x @ weight.T + bias
    return x


@pytest.mark.parametrize("name", list(STACKS))
def test_gradients_match_torch_autograd(torch_module, name):
    torch = torch_module
    layers, params, images = network(name)
    output, caches = forward_cached(images, layers, params)
    cotangent = np.random.default_rng(3).standard_normal(output.shape)
    grads, d_images = backward(cotangent, layers, params, caches, weights=list(params),
                               inputs=True)
    x = torch.tensor(images if images.ndim == 4 else images[:, None], requires_grad=True)
    tparams = {key: tuple(torch.tensor(a, requires_grad=True) for a in pair)
               for key, pair in params.items()}
    result = torch_forward(torch, x, layers, tparams)
    np.testing.assert_allclose(result.detach().numpy(), output, rtol=1e-12, atol=1e-12)
    (result * torch.from_numpy(cotangent)).sum().backward()
    np.testing.assert_allclose(d_images.reshape(images.shape),
                               x.grad.numpy().reshape(images.shape), rtol=1e-10, atol=1e-12)
    for key, pair in tparams.items():
        for ours, theirs in zip(grads[key], pair):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


# --- CNNFeatureExtractor.transform_vjp ------------------------------------------------

@pytest.mark.parametrize("kwargs, shape", [
    ({"output_layer": "act4"}, (3, 28, 28)),
    ({"output_layer": "pool2", "pooling": "max", "activation": "relu"}, (3, 28, 28)),
    ({"output_layer": "conv2", "image_shape": (28, 28), "weights": "morlet"}, (3, 784)),
    ({"output_layer": "act3", "channel_axis": -1, "activation": "sigmoid"}, (3, 28, 28, 3)),
    ({"output_layer": 2, "channel_axis": 1, "weights": "gabor"}, (3, 2, 32, 30)),
])
def test_transform_vjp_matches_finite_differences(kwargs, shape):
    rng = np.random.default_rng(4)
    X = rng.random(shape)
    cnn = CNNFeatureExtractor(random_state=0, **kwargs).fit(X)
    cotangent = rng.standard_normal(cnn.transform(X).shape)
    gradient = cnn.transform_vjp(X, cotangent)
    assert gradient.shape == X.shape and gradient.dtype == np.float64
    for _ in range(3):
        direction = rng.standard_normal(X.shape)
        numeric = (np.sum(cotangent * cnn.transform(X + EPS * direction))
                   - np.sum(cotangent * cnn.transform(X - EPS * direction))) / (2 * EPS)
        assert relative_error(numeric, float(np.sum(gradient * direction))) < 1e-6


def test_transform_vjp_matches_torch(torch_module):
    torch = torch_module
    rng = np.random.default_rng(5)
    X = rng.random((4, 28, 28, 3))
    cnn = CNNFeatureExtractor(random_state=0, channel_axis=-1, pooling="max").fit(X)
    cotangent = rng.standard_normal((4, 84))
    params = {e["name"]: tuple(torch.tensor(e[k], requires_grad=False) for k in ("weight", "bias"))
              for e in cnn.layers_ if "weight" in e}
    x = torch.tensor(np.moveaxis(X, -1, 1), requires_grad=True)
    (torch_forward(torch, x, cnn.layers_, params) * torch.from_numpy(cotangent)).sum().backward()
    np.testing.assert_allclose(cnn.transform_vjp(X, cotangent),
                               np.moveaxis(x.grad.numpy(), 1, -1), rtol=1e-10, atol=1e-14)


def test_transform_vjp_chunks_dtypes_and_errors():
    rng = np.random.default_rng(6)
    X = rng.random((7, 28, 28)).astype(np.float32)
    cnn = CNNFeatureExtractor(random_state=0).fit(X)
    cotangent = rng.standard_normal((7, 84))
    whole = cnn.transform_vjp(X, cotangent)
    assert whole.dtype == np.float32
    for params in ({"batch_size": 2}, {"batch_size": 3, "n_jobs": 2}):
        chunked = cnn.set_params(**params).transform_vjp(X, cotangent)
        np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(cnn.set_params(batch_size=3, n_jobs=1).transform_vjp(
        X, cotangent), cnn.set_params(n_jobs=2).transform_vjp(X, cotangent))
    # Linear in the cotangent: the gradients of single features add up.
    X64, one_hot = X.astype(np.float64), np.eye(84)[[5, 9, 5, 0, 1, 2, 3]]
    grad64 = cnn.transform_vjp(X64, 2 * one_hot - cotangent)
    assert grad64.dtype == np.float64
    np.testing.assert_allclose(grad64, 2 * cnn.transform_vjp(X64, one_hot)
                               - cnn.transform_vjp(X64, cotangent), rtol=1e-10, atol=1e-13)
    uint8 = (X * 255).astype(np.uint8)
    assert cnn.transform_vjp(uint8, cotangent).shape == X.shape
    with pytest.raises(ValueError, match=r"cotangent must have shape .*\(7, 84\).*\(7, 83\)"):
        cnn.transform_vjp(X, cotangent[:, :83])
    with pytest.raises(ValueError, match="cotangent must have shape"):
        cnn.transform_vjp(X, cotangent[:6])
    with pytest.raises(ValueError, match="NaN"):
        cnn.transform_vjp(X, np.full((7, 84), np.nan))
    with pytest.raises(ValueError, match="784 features|images of shape"):
        cnn.transform_vjp(X[:, :27], cotangent)


# --- CNNClassifier.loss_gradient ------------------------------------------------------

def test_loss_gradient_matches_finite_differences_of_the_log_loss():
    rng = np.random.default_rng(7)
    X, y = rng.random((5, 12, 12)), np.array(["a", "b", "c", "a", "b"])
    spec = [{"type": "conv", "out_channels": 3, "kernel_size": 3},
            {"type": "activation", "function": "tanh"}, {"type": "pool", "kind": "max"}]
    state = CNNClassifier(architecture=spec, trainable=[], random_state=0).fit(X, y).state_dict()

    def log_loss(weights):
        clf = CNNClassifier(architecture=spec, weights=weights, trainable=[]).fit(X, y)
        return -np.mean(clf.predict_log_proba(X)[np.arange(5), np.searchsorted(clf.classes_, y)])

    clf = CNNClassifier(architecture=spec, weights=state, trainable=[]).fit(X, y)
    loss, grads = clf.loss_gradient(X, y)
    assert loss == pytest.approx(log_loss(state), rel=1e-12)
    assert set(grads) == set(state)
    for key, value in state.items():
        direction = rng.standard_normal(value.shape)
        numeric = (log_loss({**state, key: value + EPS * direction})
                   - log_loss({**state, key: value - EPS * direction})) / (2 * EPS)
        assert relative_error(numeric, float(np.sum(grads[key] * direction))) < 1e-6

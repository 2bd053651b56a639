"""CNNClassifier: the training loop, its optimizers against PyTorch, frames, reproducibility."""

import numpy as np
import pytest

from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor
from sklearn_sparsecode.cnn._weights import oriented_filters

SMALL = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1},
         {"type": "activation", "function": "tanh"}, {"type": "pool", "kind": "avg"}]


def bars(n=40, size=8, seed=0):
    """A separable toy problem: a bright row (class 0) or column (class 1) on noise."""
    rng = np.random.default_rng(seed)
    X = 0.1 * rng.random((n, size, size))
    y = np.arange(n) % 2
    where = rng.integers(1, size - 1, n)
    X[y == 0, where[y == 0]] += 1.0
    X[y == 1, :, where[y == 1]] += 1.0
    return X, y


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_loss_decreases_on_a_separable_problem(solver):
    X, y = bars()
    clf = CNNClassifier(architecture=SMALL, solver=solver, learning_rate=0.05 if solver == "sgd"
                        else 0.01, max_iter=60, batch_size=8, random_state=0).fit(X, y)
    assert len(clf.loss_curve_) == clf.n_iter_ == 60 and clf.t_ == 60 * 5
    assert clf.loss_curve_[-1] < 0.2 * clf.loss_curve_[0]
    assert clf.score(X, y) == 1.0
    X_new, y_new = bars(seed=1)
    assert clf.score(X_new, y_new) >= 0.95


def test_training_is_reproducible_with_a_seed():
    X, y = bars()
    kwargs = {"architecture": SMALL, "max_iter": 4, "batch_size": 8}
    first = CNNClassifier(random_state=3, **kwargs).fit(X, y).state_dict()
    again = CNNClassifier(random_state=3, **kwargs).fit(X, y).state_dict()
    other = CNNClassifier(random_state=4, **kwargs).fit(X, y).state_dict()
    stepwise = CNNClassifier(random_state=3, **kwargs)
    for _ in range(4):
        stepwise.partial_fit(X, y)
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
        np.testing.assert_array_equal(first[key], stepwise.state_dict()[key])
    assert not np.array_equal(first["conv1.weight"], other["conv1.weight"])
    # Refitting starts again from the initial weights.
    refit = CNNClassifier(random_state=3, **kwargs).fit(X, y).fit(X, y).state_dict()
    np.testing.assert_array_equal(first["output.weight"], refit["output.weight"])


def test_only_trainable_layers_move():
    X, y = bars()
    initial = CNNClassifier(architecture=SMALL, trainable=[], random_state=0).fit(X, y)
    start = initial.state_dict()
    assert len(initial.loss_curve_) == 10  # the loss is recorded, nothing moves
    for key, value in initial.state_dict().items():
        np.testing.assert_array_equal(value, start[key])
    frozen = CNNClassifier(architecture=SMALL, trainable=["output"], weights=start,
                           random_state=0).fit(X, y).state_dict()
    np.testing.assert_array_equal(frozen["conv1.weight"], start["conv1.weight"])
    np.testing.assert_array_equal(frozen["conv1.bias"], start["conv1.bias"])
    assert not np.allclose(frozen["output.weight"], start["output.weight"])


@pytest.fixture(scope="module")
def torch_module():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_steps_equal_torch_optim(torch_module, solver):
    """Same init, batches and hyper-parameters: PyTorch's weights after 12 steps."""
    torch = torch_module
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    X, y = rng.random((48, 28, 28)), rng.integers(0, 10, 48)
    trainable = ["conv2", "conv3", "fc1", "output"]
    kwargs = {"solver": solver, "learning_rate": 0.01 if solver == "adam" else 0.1,
              "momentum": 0.9, "batch_size": 16, "shuffle": False, "trainable": trainable}
    start = CNNClassifier(trainable=[], random_state=0).fit(X, y).state_dict()
    ours = CNNClassifier(weights=start, max_iter=4, **kwargs).fit(X, y).state_dict()
    tensors = {key: torch.tensor(value, requires_grad=key.split(".")[0] in trainable)
               for key, value in start.items()}

    def net(x):
        t = tensors
        x = F.avg_pool2d(torch.tanh(F.conv2d(x, t["conv1.weight"], t["conv1.bias"], padding=2)), 2)
        x = F.avg_pool2d(torch.tanh(F.conv2d(x, t["conv2.weight"], t["conv2.bias"])), 2)
        x = torch.tanh(F.conv2d(x, t["conv3.weight"], t["conv3.bias"])).flatten(1)
        x = torch.tanh(F.linear(x, t["fc1.weight"], t["fc1.bias"]))
        return F.linear(x, t["output.weight"], t["output.bias"])

    moving = [value for value in tensors.values() if value.requires_grad]
    optimizer = (torch.optim.Adam(moving, lr=0.01) if solver == "adam"
                 else torch.optim.SGD(moving, lr=0.1, momentum=0.9))
    for _ in range(4):
        for start_row in range(0, 48, 16):
            optimizer.zero_grad()
            batch = slice(start_row, start_row + 16)
            F.cross_entropy(net(torch.from_numpy(X[batch, None])),
                            torch.from_numpy(y[batch])).backward()
            optimizer.step()
    for key, value in tensors.items():
        np.testing.assert_allclose(ours[key], value.detach().numpy(), rtol=1e-9, atol=1e-11)
    assert not np.allclose(ours["conv2.weight"], start["conv2.weight"])


def test_classifier_api_labels_dtypes_and_state_dict():
    X, y = bars(n=30)
    labels = np.array(["row", "column"])[y]
    clf = CNNClassifier(architecture=SMALL, max_iter=3, random_state=0).fit(
        X.astype(np.float32), labels)
    assert list(clf.classes_) == ["column", "row"]
    assert clf.layers_[0]["weight"].dtype == np.float32
    assert clf.decision_function(X).shape == (30,)  # binary: scikit-learn's convention
    proba = clf.predict_proba(X)
    assert proba.shape == (30, 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert set(clf.predict(X)) <= {"row", "column"}
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), rtol=1e-4, atol=1e-5)
    # The weights drive a CNNFeatureExtractor of the same stack plus its output layer.
    stack = SMALL + [{"type": "flatten", "name": "output_flatten"},
                     {"type": "dense", "name": "output", "out_features": 2}]
    net = CNNFeatureExtractor(architecture=stack, weights=clf.state_dict()).fit(X)
    logits = net.transform(X.astype(np.float32))
    np.testing.assert_allclose(logits[:, 1] - logits[:, 0], clf.decision_function(X),
                               rtol=1e-4, atol=1e-5)
    three = CNNClassifier(architecture=SMALL, max_iter=1, random_state=0).fit(
        X, np.arange(30) % 3)
    assert three.decision_function(X).shape == (30, 3)


def test_colour_images_are_the_first_layers_input_channels():
    X, y = bars(n=20)
    colour = np.stack([X, 1 - X, X**2], axis=-1)
    clf = CNNClassifier(architecture=SMALL, channel_axis=-1, max_iter=2, random_state=0)
    clf.fit(colour, y)
    assert clf.n_channels_ == 3 and clf.layers_[0]["weight"].shape == (4, 3, 3, 3)
    first = CNNClassifier(architecture=SMALL, channel_axis=1, max_iter=2, random_state=0)
    np.testing.assert_array_equal(first.fit(np.moveaxis(colour, -1, 1), y).predict_proba(
        np.moveaxis(colour, -1, 1)), clf.predict_proba(colour))
    with pytest.raises(ValueError, match="3 channels"):
        clf.predict(colour[..., :2])
    with pytest.raises(ValueError, match="image\\[None\\]"):
        clf.predict(colour[0])


@pytest.mark.parametrize("kwargs, fit_args, match", [
    ({"trainable": ["conv9"]}, None, "trainable must name conv or dense layers"),
    ({}, "one_class", "at least 2 classes"),
    ({"channel_axis": 0}, "colour", "is the sample axis"),
    ({"weights": "unknown"}, None, "no such file"),
])
def test_bad_parameters(kwargs, fit_args, match):
    X, y = bars(n=10)
    if fit_args == "one_class":
        y = np.zeros(10, dtype=int)
    if fit_args == "colour":
        X = np.stack([X] * 3, axis=-1)
    with pytest.raises(ValueError, match=match):
        CNNClassifier(architecture=SMALL, **kwargs).fit(X, y)


def test_partial_fit_classes_and_unseen_labels():
    X, y = bars(n=10)
    clf = CNNClassifier(architecture=SMALL, random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2] and clf.n_iter_ == 1
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y + 5)


def test_frame_weights_are_our_atoms_at_the_kernel_size():
    X, y = bars(n=10)
    for frame, size in (("morlet", 3), ("wavelet", 3), ("gabor", 5)):
        spec = [{**SMALL[0], "kernel_size": size}] + SMALL[1:]
        clf = CNNClassifier(architecture=spec, weights=frame, trainable=[]).fit(X, y)
        np.testing.assert_allclose(clf.layers_[0]["weight"][:, 0],
                                   oriented_filters(frame, 4, size))
        np.testing.assert_array_equal(clf.layers_[0]["bias"], 0)


def test_morlet_atoms_match_the_closed_form():
    """ψ(u) = g(u) (exp(i ξ·u) − κ) sampled on the kernel, zero mean, unit norm.

    g: Gaussian of width σ = 0.8 along θ and σ/slant across (slant 0.5), ξ = 3π/4
    along θ = kπ/3 measured from the column axis towards the top of the image.
    """
    atoms = oriented_filters("morlet", 6, 5)
    rows, cols = np.mgrid[-2:3, -2:3]
    x, y = cols, -rows
    sigma, xi, slant = 0.8, 3 * np.pi / 4, 0.5
    for k in range(3):
        theta = np.pi * k / 3
        along = np.cos(theta) * x + np.sin(theta) * y
        across = -np.sin(theta) * x + np.cos(theta) * y
        envelope = np.exp(-(along**2 + (slant * across) ** 2) / (2 * sigma**2))
        psi = envelope * (np.exp(1j * xi * along) - np.exp(-(sigma * xi) ** 2 / 2))
        for part, atom in zip((psi.real, psi.imag), atoms[2 * k:2 * k + 2]):
            expected = part - part.mean()
            expected /= np.linalg.norm(expected)
            np.testing.assert_allclose(atom, expected, atol=2e-3)
    np.testing.assert_allclose(atoms.sum(axis=(1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(atoms.reshape(6, -1), axis=1), 1)


def test_dense_network_on_a_table():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    mlp = [{"type": "flatten"}, {"type": "dense", "out_features": 8},
           {"type": "activation", "function": "hardtanh"}]
    clf = CNNClassifier(architecture=mlp, max_iter=60, learning_rate=0.02, batch_size=10,
                        random_state=0).fit(X, y)
    assert clf.input_shape_ == (1, 5) and clf.score(X, y) >= 0.95

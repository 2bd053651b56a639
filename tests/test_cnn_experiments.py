"""Second-layer filters as combinations of first-layer atoms, and the experiment scripts.

The benchmark scripts of the training experiments run here in their ``--quick``
form (seconds), so that they cannot rot.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_sparsecode import CNNClassifier, CNNFeatureExtractor
from sklearn_sparsecode.plotting import linearised_filters, plot_filter_combinations

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_linearised_lenet5_filters_match_plain_loops():
    cnn = CNNFeatureExtractor(weights="lenet5-fashion-mnist").fit(np.zeros((1, 28, 28)))
    first, second = cnn.layers_[0]["weight"], cnn.layers_[3]["weight"]
    # e_o[r, s] = Σ_c Σ_(u,v) W2[o,c,u,v] · ¼ Σ_(a,b)∈{0,1}² W1[c, r−2u−a, s−2v−b]
    expected = np.zeros((16, 14, 14))
    for o in range(16):
        for c in range(6):
            for u in range(5):
                for v in range(5):
                    for a in range(2):
                        for b in range(2):
                            expected[o, 2 * u + a:2 * u + a + 5, 2 * v + b:2 * v + b + 5] += (
                                second[o, c, u, v] * first[c, 0] / 4)
    filters = linearised_filters(cnn, "conv2")
    assert filters.shape == (16, 1, 14, 14)
    np.testing.assert_allclose(filters[:, 0], expected, rtol=1e-12, atol=1e-12)


def test_linearised_filters_of_a_strided_colour_stack_are_impulse_responses():
    spec = [{"type": "conv", "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1},
            {"type": "activation", "function": "relu"},
            {"type": "pool", "kind": "max", "size": 3, "stride": 1},
            {"type": "conv", "out_channels": 2, "kernel_size": 2}]
    X = np.random.default_rng(0).random((2, 20, 20, 2))
    cnn = CNNFeatureExtractor(architecture=spec, channel_axis=-1, random_state=0).fit(X)
    filters = linearised_filters(cnn, "conv2")
    size = filters.shape[-1]
    assert size == 9  # receptive field: (((1 - 1) + 2 - 1) + 3 - 1) · 2 + 3
    # The same stack made linear by hand (identity, average pooling, no bias or padding),
    # run forward on every unit impulse.
    linear = CNNFeatureExtractor(architecture=[
        {**spec[0], "padding": 0}, {"type": "activation", "function": "identity"},
        {**spec[2], "kind": "avg"}, spec[3]], channel_axis=1,
        weights={"conv1.weight": cnn.layers_[0]["weight"], "conv1.bias": np.zeros(3),
                 "conv2.weight": cnn.layers_[3]["weight"], "conv2.bias": np.zeros(2)})
    impulses = np.eye(2 * size * size).reshape(-1, 2, size, size)
    responses = linear.fit(impulses).transform(impulses)  # (2·R², 2 channels · 1 · 1)
    np.testing.assert_allclose(filters, responses.T.reshape(2, 2, size, size), atol=1e-12)


def test_plot_filter_combinations_draws_and_refuses_the_first_layer():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = np.random.default_rng(0).random((20, 28, 28))
    y = np.arange(20) % 2
    clf = CNNClassifier(weights="morlet", max_iter=1, random_state=0).fit(X, y)
    fig = plot_filter_combinations(clf, max_filters=3)
    # atoms row + 3 filters, each: label, 6 weight maps, the combined filter
    assert len([ax for ax in fig.axes if ax.images]) == 6 + 3 * 7
    plt.close(fig)
    with pytest.raises(ValueError, match="first convolution"):
        plot_filter_combinations(clf, "conv1")
    with pytest.raises(ValueError, match="not a convolution"):
        plot_filter_combinations(clf, "fc1")
    with pytest.raises(ValueError, match="max_filters"):
        plot_filter_combinations(clf, max_filters=True)
    with pytest.raises(TypeError, match="linearised_filters draws a CNNFeatureExtractor"):
        linearised_filters("conv2")


def _run(script, tmp_path, *args):
    pytest.importorskip("matplotlib")
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick", "--out-dir",
                             str(tmp_path), *args], capture_output=True, text=True,
                            timeout=600, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_one_layer_training_script_runs(tmp_path):
    out = _run("bench_one_layer_training.py", tmp_path)
    payload = json.loads((tmp_path / "one_layer_training_quick.json").read_text())
    assert (tmp_path / "one_layer_training_quick.png").stat().st_size > 0
    trained = {row["trained"] for row in payload["runs"]}
    assert trained == {"none", "all", "W0", "W1", "W2", "output"}
    assert len({row["seed"] for row in payload["runs"]}) == 2
    by_layer = {row["trained"]: row["train_mean"] for row in payload["summary"]}
    # Training the whole network beats leaving it random, even in the quick run.
    assert by_layer["all"] > by_layer["none"] + 0.2
    assert "W1" in out


def _has_fashion_mnist():
    from sklearn_sparsecode.datasets import load_fashion_mnist

    try:
        load_fashion_mnist(subset="test", return_X_y=True)
    except FileNotFoundError:
        return False
    return True


def test_frame_init_script_runs(tmp_path):
    if not _has_fashion_mnist():
        pytest.skip("needs dataset-fashion-mnist")
    _run("bench_frame_init.py", tmp_path)
    payload = json.loads((tmp_path / "frame_init_quick.json").read_text())
    assert (tmp_path / "frame_init_quick.png").stat().st_size > 0
    conditions = {row["condition"] for row in payload["summary"]}
    assert any(c.startswith("(a) morlet") for c in conditions)
    assert any(c.startswith("(d)") for c in conditions)
    assert all(len(run["test_accuracy"]) == 2 for run in payload["runs"])


def test_training_speed_script_runs(tmp_path):
    out = _run("bench_training.py", tmp_path)
    payload = json.loads((tmp_path / "bench_training_quick.json").read_text())
    assert {row["parameter"] for row in payload["gradient_checks"]} >= {"conv1.weight",
                                                                       "output.bias"}
    assert max(row["finite_differences_rel_err"] for row in payload["gradient_checks"]) < 1e-5
    assert "images_per_cpu_s" in out

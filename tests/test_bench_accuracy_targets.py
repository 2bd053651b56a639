"""The issue-25 accuracy benchmark runs end to end in a reduced form (so that it cannot rot).

The full run (benchmarks/bench_accuracy_targets.py without --quick) produces
the committed figures; here only the plumbing and loose sanity bounds are
checked: one random digit split, 3-fold CV, and a few hundred Fashion-MNIST
images when the data set is installed. Kymatio (its own venv) is skipped.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_accuracy_targets.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_accuracy_targets", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_fashion_mnist():
    from sklearn_sparsecode.datasets import load_fashion_mnist

    try:
        load_fashion_mnist(subset="test", return_X_y=True)
    except FileNotFoundError:
        return False
    return True


def test_digits_part_runs_reduced_and_writes_json(tmp_path, capsys):
    bench = _load_bench()
    output = tmp_path / "targets.json"
    payload = bench.main(["--quick", "--parts", "digits", "--n-splits", "1",
                          "--kymatio-python", "", "--output", str(output)])
    printed = capsys.readouterr().out
    assert "digits, standard split" in printed and "random half splits" in printed
    written = json.loads(output.read_text())
    assert written["digits"] == json.loads(json.dumps(payload["digits"]))
    names = [row["front_end"] for row in written["digits"]]
    assert names == ["pooled curvelets", "pooled curvelets + scattering (J=1)"]
    for row in written["digits"]:
        assert row["n_test"] == 899 and row["n_splits"] == 1
        assert len(row["random_scores"]) == 1 and row["random_C"][0] in bench.DIGITS_C
        assert row["standard_C"] in bench.DIGITS_C
        # errors and accuracy agree; loose bounds only (the target needs the full run)
        assert row["standard_accuracy"] == pytest.approx(1 - row["standard_errors"] / 899)
        assert row["standard_accuracy"] > 0.97 and row["random_mean"] > 0.97
    assert [row["n_features"] for row in written["digits"]] == [144, 288]
    assert written["fashion-validation"] is None and written["fashion-test"] is None


@pytest.mark.skipif(not _has_fashion_mnist(), reason="needs dataset-fashion-mnist")
def test_fashion_stages_validate_then_fit_once_and_merge_their_json(tmp_path):
    bench = _load_bench()
    output = tmp_path / "targets.json"
    common = ["--n-train", "300", "--n-test", "200", "--kymatio-python", "",
              "--cache-dir", str(tmp_path / "cache"), "--output", str(output)]
    grid = (("scat", 50, 10.0, 1.0), ("scat+J1", 50, 10.0, 1.0), ("scat+J1", 50, 3.0, 1.0))
    bench.FASHION_GRID, saved = grid, bench.FASHION_GRID
    try:
        bench.main(["--parts", "fashion-validation", *common])
    finally:
        bench.FASHION_GRID = saved
    choice = {"front_end": "scat", "n_components": 40, "C": 10.0, "gamma_scale": 1.0}
    bench.FASHION_CHOICE, saved = choice, bench.FASHION_CHOICE
    try:
        payload = bench.main(["--parts", "fashion-test", *common])
    finally:
        bench.FASHION_CHOICE = saved
    validation = payload["fashion-validation"]  # kept from the first run
    assert [(r["front_end"], r["pca"], r["C"]) for r in validation["entries"]] == [
        ("scat", 50, 10.0), ("scat+J1", 50, 10.0), ("scat+J1", 50, 3.0)]
    for row in validation["entries"]:
        assert row["n_fit"] == 250 and row["n_val"] == 50  # the last sixth validates
        assert 0.3 < row["accuracy"] <= 1.0
    best = max(validation["entries"], key=lambda r: r["accuracy"])
    assert validation["best"]["front_end"] == best["front_end"]
    assert validation["agrees_with_choice"] == (
        (best["front_end"], best["C"], best["gamma_scale"]) == ("scat+J1", 10.0, 1.0))
    (row,) = payload["fashion-test"]["rows"]  # Kymatio skipped
    assert payload["fashion-test"]["choice"] == choice
    assert row["n_train"] == 300 and row["n_test"] == 200 and row["n_features"] == 3969
    assert row["pca"] == 40 and 0.5 < row["test_accuracy"] <= 1.0  # far from the target
    assert row["n_support"] <= 300
    written = json.loads(output.read_text())
    assert set(written["commands"]) == {"fashion-validation", "fashion-test"}
    assert written["digits"] is None
    assert len(list((tmp_path / "cache").glob("scat_*.npy"))) == 3  # J=2 train/test, J=1 train


def test_head_settings_share_one_projection():
    # evaluate_heads with two settings equals two separate evaluate_head calls
    from sklearn.datasets import load_digits

    bench = _load_bench()
    X, y = load_digits(return_X_y=True)
    blocks = [X[:500, :32], X[:500, 32:]]
    evals = [X[500:800, :32], X[500:800, 32:]]
    shared = bench.evaluate_heads(blocks, y[:500], evals, y[500:800], n_components=12,
                                  settings=[(3.0, 1.0), (10.0, 0.5)])
    for result, (C, g) in zip(shared, [(3.0, 1.0), (10.0, 0.5)]):
        alone = bench.evaluate_head(blocks, y[:500], evals, y[500:800], n_components=12,
                                    C=C, gamma_scale=g)
        assert result["accuracy"] == alone["accuracy"]
        assert result["gamma"] == pytest.approx(alone["gamma"])
        assert result["n_support"] == alone["n_support"]


def test_feature_cache_is_reused_and_refreshed_when_stale(tmp_path):
    from sklearn_sparsecode import ScatteringTransformer

    bench = _load_bench()
    X = np.random.default_rng(0).random((40, 16, 16)).astype(np.float32)
    params = {"n_scales": 1}
    expected = ScatteringTransformer(**params).fit(X).transform(X)
    first = bench.scattering_block(params, X, tmp_path)
    np.testing.assert_allclose(first, expected, rtol=1e-5)
    (path,) = tmp_path.glob("scat_*.npy")
    np.save(path, first * 2)  # stale: the transform "changed" since it was written
    np.testing.assert_allclose(bench.scattering_block(params, X, tmp_path), expected, rtol=1e-5)
    np.testing.assert_allclose(np.load(path), expected, rtol=1e-5)  # rewritten


def test_head_on_one_block_is_scaler_pca_and_svc_with_gamma_scale():
    # Independent reference: scikit-learn's own pipeline with gamma="scale"
    # (the block weight and gamma_scale=1 cancel out).
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    bench = _load_bench()
    X, y = load_digits(return_X_y=True)
    X_fit, y_fit, X_eval = X[:600], y[:600], X[600:900]
    head = bench.fit_head([X_fit], y_fit, n_components=20, C=3.0, gamma_scale=1.0)
    reference = make_pipeline(StandardScaler(), PCA(20, svd_solver="randomized", random_state=0),
                              SVC(C=3.0, gamma="scale")).fit(X_fit, y_fit)
    agree = np.mean(bench.head_predict(head, [X_eval]) == reference.predict(X_eval))
    assert agree >= 0.99  # equal up to the randomized PCA's rounding
    # two blocks: each standardised block weighs 1/sqrt(width)
    _, weights, _, _ = bench.fit_head([X_fit[:, :16], X_fit[:, 16:]], y_fit,
                                            n_components=10, C=3.0, gamma_scale=1.0)
    assert weights == pytest.approx([1 / 4, 1 / np.sqrt(48)])

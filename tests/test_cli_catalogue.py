"""The main job's catalogue: the issue-25 digits front end, head restrictions, the atoms panel."""

import importlib.util
import json

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.pipeline import FeatureUnion

from sklearn_sparsecode import CurveletTransformer, LocalPooling, ScatteringTransformer
from sklearn_sparsecode._cli.catalogue import front_ends
from sklearn_sparsecode._cli.figure import _with_atoms
from sklearn_sparsecode._cli.main import main

needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason="the figure needs matplotlib")


def _digits(n=40):
    return load_digits().images[:n] / 16.0


def test_curvelets_and_scattering_is_in_the_digits_catalogue_only():
    found = {f.name: f for f in front_ends((8, 8))}
    joint = found["curvelets + scattering"]
    assert joint.key == "curvelets-scattering" and joint.heads == ("svc",)
    assert not joint.thresholded  # run as validated: τ = 0
    X = _digits()
    parts = dict(joint.transformer.transformer_list)
    # the concatenation is exactly the two front ends side by side
    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=2, n_orientations=8,
                                                          decimated=False), grid=4, power=0.5)
    expected = np.hstack([pooled.fit_transform(X), ScatteringTransformer(n_scales=1)
                          .fit_transform(X)])
    np.testing.assert_allclose(joint.transformer.fit_transform(X), expected, rtol=1e-6)
    assert isinstance(parts["scattering"], ScatteringTransformer)
    assert "curvelets + scattering" not in [f.name for f in front_ends((28, 28))]


def test_front_end_keys_match_exactly_or_by_name():
    assert [f.name for f in front_ends((8, 8), include=["scattering"])] == ["scattering"]
    assert [f.name for f in front_ends((8, 8), include=["curvelets-scattering"])] == [
        "curvelets + scattering"]
    assert [f.name for f in front_ends((8, 8), include=["pooled-curvelets"])] == [
        "pooled curvelets"]


def test_large_images_keep_the_study_curvelets():
    # 28 x 28: 3 scales and 4 orientations (the old n_angles=8), pooled on 7 x 7 cells
    (pooled,) = front_ends((28, 28), include=["pooled-curvelets"])
    assert pooled.transformer.transformer.n_orientations == 4
    assert pooled.transformer.transformer.n_scales == 3


def test_a_front_end_without_the_chosen_head_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--front-ends", "curvelets-scattering", "--heads", "logistic",
              "--output-dir", "", "--quiet"])
    assert exit_.value.code == 2
    assert "runs with svc" in capsys.readouterr().err


def test_restricted_front_end_runs_only_its_heads(tmp_path):
    assert main(["--front-ends", "pixels,curvelets-scattering", "--heads", "svc,logistic",
                 "--cv", "2", "--tau-quantiles", "0", "--output-dir", str(tmp_path),
                 "--quiet"]) == 0
    rows = {r["front_end"]: r for r in json.loads(
        (tmp_path / "demo_results.json").read_text())["rows"]}
    assert [h["head"] for h in rows["curvelets + scattering"]["all_heads"]] == ["svc"]
    assert len(rows["pixels"]["all_heads"]) == 2
    assert rows["curvelets + scattering"]["n_features"] == 288


def test_atoms_come_from_a_part_that_has_them():
    X = _digits(4)
    scattering = ScatteringTransformer(n_scales=1).fit(X)
    assert not hasattr(scattering, "atom")
    assert _with_atoms(scattering) is None and _with_atoms("passthrough") is None
    pooled = LocalPooling(transformer=CurveletTransformer(n_scales=2), grid=4).fit(X)
    assert _with_atoms(pooled) is pooled.transformer_
    union = FeatureUnion([("s", ScatteringTransformer(n_scales=1)), ("p", pooled)]).fit(X)
    assert _with_atoms(union) is union.transformer_list[1][1].transformer_
    only_scattering = FeatureUnion([("s", ScatteringTransformer(n_scales=1))]).fit(X)
    assert _with_atoms(only_scattering) is None


@needs_matplotlib
@pytest.mark.parametrize("front_end, winner", [
    ("scattering", "scattering"), ("curvelets-scattering", "curvelets + scattering")])
def test_figure_is_drawn_when_a_front_end_without_atoms_wins(tmp_path, front_end, winner):
    assert main(["--front-ends", front_end, "--heads", "svc", "--cv", "2",
                 "--tau-quantiles", "0", "--output-dir", str(tmp_path), "--quiet"]) == 0
    result = json.loads((tmp_path / "demo_results.json").read_text())
    assert result["winner"] == winner
    assert (tmp_path / "demo_front_ends.png").stat().st_size > 10_000

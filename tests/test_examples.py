"""Every example runs in its quick mode and writes its figure, so they never rot."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    pytest.importorskip("matplotlib")
    result = subprocess.run([sys.executable, str(script), "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    if result.stdout.startswith("skipped:"):
        pytest.skip("needs dataset-fashion-mnist")
    pngs = list(tmp_path.glob("*.png"))
    assert pngs and all(p.stat().st_size > 2000 for p in pngs)


def test_there_are_examples():
    assert len(EXAMPLES) >= 4

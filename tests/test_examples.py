"""Every gallery example runs in its quick mode and draws at least one figure, so none rots.

The examples are sphinx-gallery scripts (``examples/plot_*.py``); the docs build runs them in
full. Here each runs in a subprocess with ``SKLEARN_SPARSECODE_QUICK=1``, matplotlib's Agg
backend and ``plt.show`` replaced by a counter of open figures.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))

RUNNER = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
shown = []
plt.show = lambda *a, **k: (shown.extend(plt.get_fignums()), plt.close("all"))
runpy.run_path(sys.argv[1], run_name="__main__")
shown.extend(plt.get_fignums())
print(f"FIGURES {len(shown)}")
"""


def _needs(script):
    text = script.read_text()
    if "load_fashion_mnist" in text and "except FileNotFoundError" not in text:
        from sklearn_sparsecode.datasets import load_fashion_mnist

        try:
            load_fashion_mnist(subset="test", return_X_y=True)
        except FileNotFoundError:
            pytest.skip("needs dataset-fashion-mnist")
    if "distributed" in text:
        pytest.importorskip("distributed")
    if "from skimage" in text or "import skimage" in text:
        pytest.importorskip("skimage")


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    pytest.importorskip("matplotlib")
    _needs(script)
    env = {**os.environ, "SKLEARN_SPARSECODE_QUICK": "1", "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", RUNNER, str(script)], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    n_figures = int(result.stdout.rsplit("FIGURES", 1)[1])
    assert n_figures >= 1
    assert list(tmp_path.iterdir()) == []  # nothing written to the working directory


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_a_gallery_script(script):
    text = script.read_text()
    tree = ast.parse(text)
    docstring = ast.get_docstring(tree, clean=False)
    assert docstring, "an RST title docstring"
    lines = docstring.strip().splitlines()
    assert set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), "an RST title"
    assert text.count("# %%") >= 2, "narrated cells"
    assert "argparse" not in text
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not any(part.startswith("_") for part in node.module.split(".")), \
                f"private import {node.module}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id[:1].isupper() and node.func.id.endswith(
                    ("Transformer", "Pooling", "Extractor")):
            assert not node.args, f"{node.func.id} built with positional arguments"


def test_there_are_examples():
    assert len(EXAMPLES) >= 6
    assert (EXAMPLES[0].parent / "README.rst").exists()

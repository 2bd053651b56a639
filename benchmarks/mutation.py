"""Mutation testing: plant one small bug at a time and check that the tests catch it.

    python benchmarks/mutation.py [--modules threshold,cnn_layers,...] [--max-mutants 60]
        [--baseline]

For each core module, the script lists mutation points by walking its AST:
arithmetic operator swaps (+ -, * /, // /, ** *), comparison swaps (< <=, > >=,
== !=, is / is not), boolean operator swaps (and / or), integer constants
changed by one, float constants scaled (x 1.5; 0.0 -> 1.0), True/False
swapped and unary minus dropped. Docstrings and other strings are left alone.
Each mutant is written into a scratch copy of the package (the working tree is
never touched) and the module's own test files run on it with ``pytest -x``:
a failing run kills the mutant; a passing run (or one over the time limit is
counted as killed, as mutmut does) lets it survive. The score is killed / run.

``--baseline`` runs only the test files that existed before the reliability
work (``BEFORE``), to compare. Results go to ``benchmarks/results/mutation.json``
with every survivor (line and change), so a reviewer can read what is not pinned.
More than ``--max-mutants`` points are sampled with a fixed seed.
"""

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sklearn_sparsecode"

# module -> (test files now, test files before the reliability work)
MODULES = {
    "threshold": ("_threshold.py", ["test_threshold.py", "test_threshold_numerics.py"],
                  ["test_threshold.py"]),
    "cnn_layers": ("_cnn_layers.py", ["test_cnn.py", "test_cnn_reliability.py"], ["test_cnn.py"]),
    "cnn_filters": ("_cnn_filters.py", ["test_cnn.py", "test_cnn_reliability.py"],
                    ["test_cnn.py"]),
    "curvelet_windows": ("_curvelet_windows.py", ["test_curvelet.py", "test_maths_pinned.py"],
                         ["test_curvelet.py"]),
    "pooling": ("_pooling.py", ["test_pooling.py", "test_maths_pinned.py"], ["test_pooling.py"]),
    "batching": ("_batching.py", ["test_scale.py", "test_cnn_reliability.py"], ["test_scale.py"]),
}
# pytest -k expressions per module: the Dask cluster test alone takes 20 s.
SELECT = {"batching": "not dask"}

BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv}
CMP_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
             ast.In: ast.NotIn, ast.NotIn: ast.In}


def _docstring_nodes(tree):
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
    return skip


def mutation_points(source):
    """[(index, line, description)] in a stable order."""
    tree = ast.parse(source)
    skip = _docstring_nodes(tree)
    points = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
            points.append((line, f"{type(node.op).__name__} -> "
                                 f"{BINOP_SWAPS[type(node.op)].__name__}"))
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) in CMP_SWAPS:
                    points.append((line, f"{type(op).__name__} -> "
                                         f"{CMP_SWAPS[type(op)].__name__}"))
        elif isinstance(node, ast.BoolOp):
            points.append((line, f"{type(node.op).__name__} swapped"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            points.append((line, "unary minus dropped"))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                points.append((line, f"{node.value} -> {not node.value}"))
            elif isinstance(node.value, int):
                points.append((line, f"{node.value} -> {node.value + 1}"))
            elif isinstance(node.value, float):
                points.append((line, f"{node.value!r} -> {_float_mutant(node.value)!r}"))
    return [(i, line, what) for i, (line, what) in enumerate(points)]


def _float_mutant(value):
    return 1.0 if value == 0 else value * 1.5


class _Mutator(ast.NodeTransformer):
    """Applies mutation number ``target`` (same walk order as mutation_points)."""

    def __init__(self, tree, target):
        self.target, self.count = target, 0
        self.skip = _docstring_nodes(tree)
        self.plan = {}
        for node in ast.walk(tree):  # assign numbers in ast.walk order
            if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
                self._number(node, None)
            elif isinstance(node, ast.Compare):
                for k, op in enumerate(node.ops):
                    if type(op) in CMP_SWAPS:
                        self._number(node, k)
            elif isinstance(node, (ast.BoolOp,)):
                self._number(node, None)
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                self._number(node, None)
            elif (isinstance(node, ast.Constant) and id(node) not in self.skip
                  and isinstance(node.value, (bool, int, float))):
                self._number(node, None)

    def _number(self, node, sub):
        if self.count == self.target:
            self.plan = {"node": node, "sub": sub}
        self.count += 1

    def apply(self):
        node, sub = self.plan["node"], self.plan["sub"]
        if isinstance(node, ast.BinOp):
            node.op = BINOP_SWAPS[type(node.op)]()
        elif isinstance(node, ast.Compare):
            node.ops[sub] = CMP_SWAPS[type(node.ops[sub])]()
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.UnaryOp):
            node.op = ast.UAdd()
        elif isinstance(node.value, bool):
            node.value = not node.value
        elif isinstance(node.value, int):
            node.value = node.value + 1
        else:
            node.value = _float_mutant(node.value)


def mutate(source, index):
    tree = ast.parse(source)
    mutator = _Mutator(tree, index)
    mutator.apply()
    return ast.unparse(ast.fix_missing_locations(tree))


def run_tests(workdir, test_files, timeout, select=None):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(workdir)}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
           "-o", "addopts=", *[f"tests/{t}" for t in test_files]]
    if select:
        cmd += ["-k", select]
    try:
        result = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    run_tests.last_output = result.stdout[-3000:] + result.stderr[-3000:]
    return "survived" if result.returncode == 0 else "killed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default=",".join(MODULES))
    parser.add_argument("--max-mutants", type=int, default=60)
    parser.add_argument("--baseline", action="store_true",
                        help="run the test files from before the reliability work only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = {}
    results_path = ROOT / "benchmarks" / "results" / "mutation.json"
    if results_path.exists():
        results = json.loads(results_path.read_text())
    key = "before" if args.baseline else "after"
    for name in args.modules.split(","):
        filename, tests_now, tests_before = MODULES[name]
        tests = tests_before if args.baseline else tests_now
        source = (PACKAGE / filename).read_text()
        points = mutation_points(source)
        chosen = points if len(points) <= args.max_mutants else sorted(
            random.Random(args.seed).sample(points, args.max_mutants))
        with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
            work = Path(tmp)
            shutil.copytree(PACKAGE, work / "sklearn_sparsecode",
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(ROOT / "tests", work / "tests",
                            ignore=shutil.ignore_patterns("__pycache__"))
            for extra in ("pyproject.toml", "examples"):
                path = ROOT / extra
                if path.is_dir():
                    shutil.copytree(path, work / extra)
                elif path.exists():
                    shutil.copy(path, work / extra)
            tic = time.perf_counter()
            select = SELECT.get(name)
            if run_tests(work, tests, 900, select) != "survived":
                sys.exit(f"{tests} fail on the unmutated code:\n{run_tests.last_output}")
            timeout = max(60.0, 3 * (time.perf_counter() - tic))
            target = work / "sklearn_sparsecode" / filename
            outcomes, survivors = {"killed": 0, "survived": 0, "timeout": 0}, []
            for index, line, what in chosen:
                target.write_text(mutate(source, index))
                outcome = run_tests(work, tests, timeout, select)
                outcomes[outcome] += 1
                if outcome == "survived":
                    survivors.append({"line": line, "change": what})
                print(f"  {name}:{line} {what}: {outcome}", flush=True)
            target.write_text(source)
        run = len(chosen)
        score = (outcomes["killed"] + outcomes["timeout"]) / run if run else 1.0
        results.setdefault(name, {})[key] = {
            "module": filename, "tests": tests, "points": len(points), "run": run,
            **outcomes, "score": round(score, 3), "survivors": survivors}
        print(f"{name} ({key}): {score:.0%} of {run} mutants killed "
              f"({len(points)} points)", flush=True)
        results_path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Mutation audit: plant one curated maths bug at a time and check that the tests catch it.

    python benchmarks/mutation.py [--only MODULE] [--id ID ...] [--jobs N] [--timeout S]
        [--baseline] [--check] [--allow-dirty]

The mutants are a curated list, ``benchmarks/mutants.json``: each names a module,
a file, an exact source line (``original``, matched as text after stripping the
indentation; it must occur exactly once in the file), its replacement
(``mutated``, the same indentation is kept; several lines may be given separated
by newlines), a one-line ``description`` of what the bug breaks for a user and
optionally the ``property`` it pins (issue 20 item 4) and the ``tests`` to run
(``"tests/test_x.py -k 'expr'"``; default: the module's entry in ``TESTS``).
A mutant whose code moved to another file keeps its id and says where it came
from in ``moved_from``.

``--check`` runs no test: it lists the mutants that no longer apply to the
current code (original line missing or ambiguous, mutated file does not
compile, no test selection, a selected test file missing), e.g. after a refactor.

The audit runs on the current commit (``git rev-parse HEAD``, recorded; a dirty
tree is refused unless ``--allow-dirty``). The package and tests are copied once
per worker into a temporary directory; the worktree is never edited. For each
mutant the file is rewritten in the copy, the tests run with
``pytest -x -q -p no:cacheprovider`` (OMP_NUM_THREADS=1) under a timeout, and the
copy's file is restored. Outcomes:

* ``killed``: the tests failed (pytest exit code 1);
* ``survived``: the tests passed;
* ``timeout``: the tests did not finish within the time limit (NOT a kill);
* ``error``: the mutant does not apply (original line missing or ambiguous, the
  mutated file does not compile) or pytest could not run the tests (exit code
  2-5: collection/import error, no tests selected), or the test selection fails
  on the unmutated code (see ``--baseline``).

Score = killed / (killed + survived). ``--baseline`` only runs every test
selection on the unmutated copy and reports which pass and how long they take;
a full run does the same first and skips the mutants of a failing selection
(they are errors). The time limit of a mutant is ``--timeout`` if given, else
``max(60, 4 x`` its selection's baseline time ``)``.

Results: a table per module on stdout, the survivors with their descriptions,
and ``benchmarks/results/mutation.json``. With ``--only``/``--id`` the records of the
mutants run replace their earlier records; the other records are kept when they were
made on the same package tree (``git rev-parse HEAD:sklearn_sparsecode``), each with
the commit it ran on: tests added since can only kill more mutants, so a survivor
rerun after a new test updates the table without rerunning the killed mutants.
"""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "benchmarks" / "mutants.json"
RESULTS = ROOT / "benchmarks" / "results" / "mutation.json"
BASELINES = ROOT / "benchmarks" / "results" / "mutation_baseline.json"
COPIED = ("sklearn_sparsecode", "tests", "pyproject.toml", "conftest.py", "examples")

# Default test selection of each module (a mutant's own ``tests`` wins). Chosen so that
# every selection runs in well under a minute on the unmutated code.
T = "tests/"
TESTS = {
    "_core.shrinkage": f"{T}test_shrinkage.py {T}test_threshold_numerics.py {T}test_threshold.py",
    "_core.bands": f"{T}test_architecture.py {T}test_pooling.py {T}test_validation.py",
    "_core.base": f"{T}test_architecture.py {T}test_validation.py {T}test_wavelet.py {T}test_channels.py",
    "_core.gradients": f"{T}test_gradients.py {T}test_channels.py",
    "_core.batching": f"{T}test_scale.py -k 'not dask'",
    "_core.validation": f"{T}test_validation.py {T}test_architecture.py {T}test_public_validation.py "
                        f"{T}test_channels.py",
    "wavelets._transform": f"{T}test_wavelet.py {T}test_architecture.py",
    "wavelets._estimator": f"{T}test_wavelet.py {T}test_architecture.py",
    "curvelets._windows": f"{T}test_curvelet.py {T}test_maths_pinned.py {T}test_pinned_maths.py",
    "curvelets._transform": f"{T}test_curvelet.py {T}test_maths_pinned.py {T}test_pinned_maths.py",
    "curvelets._estimator": f"{T}test_curvelet.py {T}test_architecture.py",
    "contourlets._filters": f"{T}test_contourlet.py {T}test_pinned_maths.py",
    "contourlets._plan": f"{T}test_contourlet.py {T}test_pinned_maths.py",
    "contourlets._transform": f"{T}test_contourlet.py {T}test_pinned_maths.py",
    "contourlets._estimator": f"{T}test_contourlet.py {T}test_architecture.py",
    "morlet._filters": f"{T}test_scattering.py {T}test_pinned_maths.py",
    "morlet._transform": f"{T}test_scattering.py {T}test_pinned_maths.py {T}test_sigma.py",
    "morlet._estimator": f"{T}test_scattering.py {T}test_architecture.py",
    "scattering._invariants": f"{T}test_scattering.py {T}test_pinned_maths.py {T}test_scattering_roto.py",
    "scattering._plan": f"{T}test_scattering.py {T}test_pinned_maths.py {T}test_scattering_roto.py",
    "scattering._cascade": f"{T}test_scattering.py {T}test_pinned_maths.py",
    "scattering._estimator": f"{T}test_scattering.py {T}test_architecture.py",
    # the cascade kernels and Kymatio's filters, shared by ScatteringTransformer and Scattering2D
    "scattering._kernels": f"{T}test_scattering.py {T}test_pinned_maths.py {T}test_scattering_kymatio.py",
    "scattering._filter_bank": f"{T}test_scattering_kymatio.py {T}test_pinned_maths.py {T}test_scattering.py",
    "scattering._kymatio": f"{T}test_scattering_kymatio.py",
    "layers._modulus": f"{T}test_pooling.py {T}test_maths_pinned.py",
    "layers._pooling": f"{T}test_pooling.py {T}test_maths_pinned.py",
    "layers._threshold": f"{T}test_threshold.py {T}test_threshold_numerics.py",
    "cnn._layers": f"{T}test_cnn.py {T}test_cnn_reliability.py",
    "cnn._weights": f"{T}test_cnn.py {T}test_cnn_reliability.py",
    "cnn._extractor": f"{T}test_cnn.py {T}test_cnn_reliability.py",
    "restoration._engine": f"{T}test_denoise.py {T}test_shrinkage.py",
    "restoration._approximation": f"{T}test_approximation.py {T}test_nterm.py",
    "restoration._plans": f"{T}test_sigma.py {T}test_denoise.py {T}test_approximation.py",
    "restoration._sigma": f"{T}test_sigma.py {T}test_denoise.py",
    "restoration._images": f"{T}test_denoise.py {T}test_sigma.py",
    "restoration._denoise": f"{T}test_denoise.py {T}test_channels.py",
    "layers._gradient": f"{T}test_gradients.py",
    "wavelets._adjoint": f"{T}test_gradients.py",
    "contourlets._adjoint": f"{T}test_gradients.py",
    "morlet._adjoint": f"{T}test_gradients.py",
    "scattering._gradient": f"{T}test_gradients.py",
    "cnn._backward": f"{T}test_cnn_gradients.py {T}test_cnn_training.py",
    "cnn._training": f"{T}test_cnn_training.py {T}test_cnn_gradients.py",
    "cnn._classifier": f"{T}test_cnn_training.py {T}test_cnn_gradients.py",
    "inspection._chain": f"{T}test_inspection.py",
    "inspection._bands": f"{T}test_band_importance.py {T}test_inspection.py",
    "inspection._synthesis": f"{T}test_inspection.py",
    "inspection._gradient": f"{T}test_inspection.py {T}test_cnn_gradients.py",
    "_model": f"{T}test_pipeline.py {T}test_validation.py",
    "dask": f"{T}test_dask.py",
    "datasets._splits": f"{T}test_datasets.py",
    "datasets._cartoon": f"{T}test_datasets.py {T}test_sigma.py",
    "datasets._fashion_mnist": f"{T}test_datasets.py",
    # plotting.py became the subpackage plotting/ (_bands, _cnn, _inspection, _common)
    "plotting._bands": f"{T}test_plotting.py {T}test_band_importance.py",
    "plotting._cnn": f"{T}test_plotting.py",
    "plotting._inspection": f"{T}test_plotting.py",
    "plotting._common": f"{T}test_plotting.py",
    "_cli.main": f"{T}test_demo.py",
    "_cli.search": f"{T}test_demo.py",
    "_cli.catalogue": f"{T}test_cli_catalogue.py {T}test_demo.py",
}
EXTRA = f" {T}test_mutation_survivors.py"  # added to every selection when the file exists


def git(*args):
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def load_mutants():
    mutants = json.loads(MUTANTS.read_text())
    ids = [m["id"] for m in mutants]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        sys.exit(f"duplicate mutant ids in {MUTANTS}: {duplicated}")
    return mutants


def selection_of(mutant):
    tests = mutant.get("tests") or TESTS.get(mutant["module"])
    if tests is None:
        return None
    if (ROOT / "tests" / "test_mutation_survivors.py").exists() and not mutant.get("tests"):
        tests += EXTRA
    return tests


def apply_mutant(source, original, mutated):
    """The mutated source, or raise ValueError when the original line is not unique."""
    lines = source.splitlines(keepends=True)
    target = original.strip()
    hits = [i for i, line in enumerate(lines) if line.strip() == target]
    if len(hits) != 1:
        raise ValueError(f"original line found {len(hits)} times (must be exactly once)")
    line = lines[hits[0]]
    indent = line[: len(line) - len(line.lstrip())]
    ending = "\n" if line.endswith("\n") else ""
    new = "\n".join(indent + part.strip() if k == 0 else indent + part
                    for k, part in enumerate(mutated.split("\n")))
    lines[hits[0]] = new + ending
    return "".join(lines)


class Workspace:
    """A private copy of the package and tests in a temporary directory."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mutation-")
        self.path = Path(self.tmp.name)
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.path / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif src.exists():
                shutil.copy2(src, self.path / name)

    def run(self, selection, timeout):
        env = {**os.environ, "PYTHONPATH": str(self.path), "PYTHONDONTWRITEBYTECODE": "1",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg"}
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-o", "addopts=--import-mode=importlib", *shlex.split(selection)]
        tic = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=self.path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "timeout", time.perf_counter() - tic, ""
        elapsed = time.perf_counter() - tic
        outcome = {0: "survived", 1: "killed"}.get(proc.returncode, "error")
        return outcome, elapsed, out

    def close(self):
        self.tmp.cleanup()


def summary_line(out):
    lines = [ln for ln in out.splitlines() if ln.startswith(("FAILED", "ERROR", "E  "))]
    tail = [ln for ln in out.splitlines() if " passed" in ln or " failed" in ln
            or " error" in ln or "no tests ran" in ln]
    return (lines[0] if lines else (tail[-1] if tail else out.strip()[-200:]))[:240]


def check(mutants):
    """Print the mutants that do not apply to the worktree; return 1 if any."""
    problems = 0
    for m in mutants:
        path = ROOT / m["file"]
        issue = None
        if not path.exists():
            issue = "file missing"
        else:
            try:
                compile(apply_mutant(path.read_text(), m["original"], m["mutated"]),
                        str(path), "exec")
            except (ValueError, SyntaxError) as exc:
                issue = f"not applicable: {exc}"
        selection = selection_of(m)
        if issue is None and selection is None:
            issue = "no test selection for this module"
        if issue is None:
            missing = [t for t in shlex.split(selection)
                       if t.startswith("tests/") and not (ROOT / t.split("::")[0]).exists()]
            if missing:
                issue = f"test files missing: {missing}"
        if issue:
            problems += 1
            print(f"  {m['id']} ({m['file']}): {issue}\n    original: {m['original']}")
    print(f"{len(mutants)} mutants checked, {problems} do not apply")
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[],
                        help="module (or prefix, e.g. 'restoration'); may repeat")
    parser.add_argument("--id", action="append", default=[], help="mutant id; may repeat")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--baseline", action="store_true",
                        help="only check that the mapped tests pass on the unmutated code")
    parser.add_argument("--check", action="store_true",
                        help="run no test: list the mutants that no longer apply to the code")
    parser.add_argument("--allow-dirty", action="store_true")
    parser.add_argument("--rebaseline", action="store_true",
                        help="rerun the baselines even if recorded for these package and test trees")
    args = parser.parse_args()

    commit = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)benchmarks/results")
    if dirty and not args.allow_dirty:
        sys.exit(f"the worktree has uncommitted changes; commit them or pass --allow-dirty:\n"
                 f"{dirty}")
    mutants = load_mutants()
    if args.only:
        mutants = [m for m in mutants if any(
            m["module"] == o or m["module"].startswith(o + ".") or m["module"].startswith(o)
            for o in args.only)]
    if args.id:
        mutants = [m for m in mutants if m["id"] in args.id]
    if not mutants:
        sys.exit("no mutant selected")
    if args.check:
        sys.exit(check(mutants))

    workspaces = [Workspace() for _ in range(max(1, args.jobs))]
    free = list(workspaces)
    lock = threading.Lock()

    def borrow():
        with lock:
            return free.pop()

    def give_back(ws):
        with lock:
            free.append(ws)

    # Baseline: every selection must pass on the unmutated copy.
    selections = OrderedDict((selection_of(m), None) for m in mutants)
    print(f"commit {commit}{' (dirty)' if dirty else ''}: {len(mutants)} mutants, "
          f"{len(selections)} test selections", flush=True)

    def baseline(selection):
        if selection is None:
            return selection, ("error", 0.0, "no test selection for this module")
        ws = borrow()
        try:
            return selection, ws.run(selection, args.timeout or 1800)
        finally:
            give_back(ws)

    # Baselines recorded for the same package and test trees (clean tree only) are reused.
    trees = None if dirty else git("rev-parse", "HEAD:sklearn_sparsecode") + ":" + git(
        "rev-parse", "HEAD:tests")
    cached = {}
    if trees and BASELINES.exists() and not args.rebaseline and not args.baseline:
        stored = json.loads(BASELINES.read_text())
        if stored.get("trees") == trees:
            cached = stored["selections"]
    todo = [s for s in selections if s not in cached]
    for selection in selections:
        if selection in cached:
            selections[selection] = tuple(cached[selection])
            print(f"  baseline (recorded for these trees) {cached[selection][0]} in "
                  f"{cached[selection][1]:5.1f} s: {selection}", flush=True)
    with ThreadPoolExecutor(len(workspaces)) as pool:
        for selection, (outcome, elapsed, out) in pool.map(baseline, todo):
            selections[selection] = (outcome, elapsed)
            status = "passes" if outcome == "survived" else f"FAILS ({outcome})"
            print(f"  baseline {status} in {elapsed:5.1f} s: {selection}"
                  + ("" if outcome == "survived" else f"\n    {summary_line(out)}"), flush=True)
    if trees:
        stored = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
        if stored.get("trees") != trees:
            stored = {"trees": trees, "selections": {}}
        stored["selections"].update({k: list(v) for k, v in selections.items()
                                     if v is not None and k is not None})
        BASELINES.parent.mkdir(parents=True, exist_ok=True)
        BASELINES.write_text(json.dumps(stored, indent=1) + "\n")
    if args.baseline:
        for ws in workspaces:
            ws.close()
        return

    def run_one(mutant):
        selection = selection_of(mutant)
        base = selections[selection]
        record = {k: mutant.get(k) for k in ("id", "module", "file", "description",
                                              "property")}
        record.update(tests=selection, commit=commit)
        if base[0] != "survived":
            return {**record, "outcome": "error", "detail": "test selection fails unmutated",
                    "seconds": 0.0}
        timeout = args.timeout or max(60.0, 4 * base[1])
        ws = borrow()
        path = ws.path / mutant["file"]
        try:
            source = path.read_text()
            try:
                path.write_text(apply_mutant(source, mutant["original"], mutant["mutated"]))
                compile(path.read_text(), str(path), "exec")
            except (ValueError, SyntaxError) as exc:
                return {**record, "outcome": "error", "detail": f"not applicable: {exc}",
                        "seconds": 0.0}
            outcome, elapsed, out = ws.run(selection, timeout)
            detail = summary_line(out) if outcome != "timeout" else f"over {timeout:.0f} s"
            return {**record, "outcome": outcome, "detail": detail,
                    "seconds": round(elapsed, 1)}
        finally:
            path.write_text(source)
            give_back(ws)

    records = []
    with ThreadPoolExecutor(len(workspaces)) as pool:
        for record in pool.map(run_one, mutants):
            records.append(record)
            print(f"  {record['outcome']:8s} {record['seconds']:6.1f} s  {record['id']}: "
                  f"{record['detail'][:110]}", flush=True)
    for ws in workspaces:
        ws.close()

    # Merge with earlier records made on the same package tree (runs of --only / --id).
    package_tree = git("rev-parse", "HEAD:sklearn_sparsecode")
    previous = {}
    if RESULTS.exists():
        try:
            old = json.loads(RESULTS.read_text())
            if old.get("package_tree") == package_tree and not dirty:
                previous = {r["id"]: r for r in old.get("mutants", [])}
        except (ValueError, KeyError):
            previous = {}
    previous.update({r["id"]: r for r in records})
    order = {m["id"]: i for i, m in enumerate(load_mutants())}
    merged = sorted(previous.values(), key=lambda r: order.get(r["id"], len(order)))

    table = OrderedDict()
    for r in merged:
        row = table.setdefault(r["module"], dict(mutants=0, killed=0, survived=0, timeout=0,
                                                 error=0))
        row["mutants"] += 1
        row[r["outcome"]] += 1
    total = dict(mutants=0, killed=0, survived=0, timeout=0, error=0)
    for row in table.values():
        for key in total:
            total[key] += row[key]
        decided = row["killed"] + row["survived"]
        row["score"] = round(row["killed"] / decided, 3) if decided else None
    decided = total["killed"] + total["survived"]
    total["score"] = round(total["killed"] / decided, 3) if decided else None

    header = f"{'module':28s} {'mutants':>7s} {'killed':>6s} {'survived':>8s} " \
             f"{'timeout':>7s} {'error':>5s} {'score':>6s}"
    print("\n" + header)
    for name, row in list(table.items()) + [("total", total)]:
        score = "-" if row["score"] is None else f"{100 * row['score']:.0f}%"
        print(f"{name:28s} {row['mutants']:7d} {row['killed']:6d} {row['survived']:8d} "
              f"{row['timeout']:7d} {row['error']:5d} {score:>6s}")
    for kind in ("survived", "timeout", "error"):
        listed = [r for r in merged if r["outcome"] == kind]
        if listed:
            print(f"\n{kind}:")
            for r in listed:
                print(f"  {r['id']} ({r['file']}): {r['description']}"
                      + ("" if kind == "survived" else f" [{r['detail']}]"))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "commit": commit, "package_tree": package_tree, "dirty": bool(dirty),
        "command": " ".join(sys.argv),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "table": table, "total": total, "mutants": merged}, indent=1) + "\n")
    print(f"\nresults: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Mutation testing of the core with mutmut 3, and the kill rate per module.

    python scripts/mutation.py                      # run (resumes: cached verdicts are kept), then report
    python scripts/mutation.py --rerun-survivors    # also re-test every survivor (of the patterns given) against the current tests
    python scripts/mutation.py --report             # report the last run only
    python scripts/mutation.py --fail-under 95      # exit 1 when a module kills less than 95%
    python scripts/mutation.py --decorated          # the decorated functions mutmut skips (see below)

What is mutated and which tests run is configured in pyproject.toml, [tool.mutmut]; every pytest
run loads scripts/mutation_fresh_caches.py, which empties the core's caches before each test (run
mutmut through this script, not directly, or cached results hide mutants). Survivors that are
equivalent mutants (no test can tell them apart) are listed in docs/mutation.md, one per line as
"- `<mutant id>`: why"; the report shows the kill rate with and without them.

mutmut does not mutate decorated functions (``@cache``, ``@property``, pydantic validators...).
``--decorated`` copies the project to mutants/_decorated/, rewrites each decorated function of the
core as ``def f`` followed by ``f = decorator(f)`` (the same objects at import time), runs mutmut
there on those functions only and reports them apart.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECORATED = ROOT / "mutants" / "_decorated"
EQUIVALENT_DOC = ROOT / "docs" / "mutation.md"
KILLED = frozenset({"killed", "timeout", "caught by type check"})
NOT_TESTED = frozenset({"not checked", "skipped"})


@dataclass
class Module:
    path: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant id -> status

    @property
    def name(self) -> str:
        return self.path.removeprefix("src/").removesuffix(".py").replace("/", ".")

    def count(self, *statuses: str) -> int:
        return sum(1 for s in self.statuses.values() if s in statuses)


def mutated_paths() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def mutmut_command() -> list[str]:
    beside = Path(sys.executable).with_name("mutmut")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("mutmut")
    if found is None:
        sys.exit("mutmut is not installed: python -m pip install 'mutmut>=3.8'")
    return [found]


def run_mutmut(args: Sequence[str], cwd: Path = ROOT) -> int:
    """Run mutmut with scripts/mutation_fresh_caches.py loaded into every pytest run (see its docstring)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "scripts"), env.get("PYTHONPATH", "")) if p)
    env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} -p mutation_fresh_caches".strip()
    # mutmut runs the tests from mutants/, one folder deeper than tests/reference_data.py expects: point it at the
    # reference data beside the repository, or its tests (the RxNorm names read back) would skip and kill nothing.
    env.setdefault("MME_REFERENCE", str(ROOT.parent / "shared" / "reference"))
    env["MME_MUTATION_USAGE_ERRORS"] = str(usage_errors_file(cwd))
    shown = [a if len(a) < 60 else a[:57] + "..." for a in args[:6]] + (["..."] if len(args) > 6 else [])
    print("$ mutmut", " ".join(shown), flush=True)
    return subprocess.run([*mutmut_command(), *args], cwd=cwd, env=env, check=False).returncode


def usage_errors_file(root: Path) -> Path:
    return root / "mutants" / "pytest-usage-errors.txt"


def load(paths: Sequence[str], root: Path = ROOT, only: frozenset[str] | None = None) -> list[Module]:
    """Each module's mutants and their status, from mutmut's meta files under ``root``/mutants.

    ``only``: keep the mutants of these functions (mutmut's mangled names, e.g. ``mme._engine.x__match``).
    A mutant whose last pytest run was a usage error (see scripts/mutation_fresh_caches.py) is
    "not checked": mutmut counts that run as a kill, but no test ran."""
    from mutmut.stats import status_by_exit_code

    errors_file = usage_errors_file(root)
    usage_errors = set(errors_file.read_text(encoding="utf-8").split()) if errors_file.exists() else set()

    modules = []
    for path in paths:
        module = Module(path)
        meta = root / "mutants" / f"{path}.meta"
        if meta.exists():
            codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            module.statuses = {
                key: "not checked" if key in usage_errors else status_by_exit_code[code]
                for key, code in codes.items()
                if only is None or key.partition("__mutmut_")[0] in only
            }
        modules.append(module)
    return modules


def documented_equivalents() -> set[str]:
    if not EQUIVALENT_DOC.exists():
        return set()
    return set(re.findall(r"^\s*[-*]\s*`([^`]+__mutmut_\d+)`", EQUIVALENT_DOC.read_text(encoding="utf-8"), re.M))


def survivors(modules: Sequence[Module]) -> list[str]:
    return sorted(k for m in modules for k, s in m.statuses.items() if s not in KILLED | NOT_TESTED)


def untested(patterns: Sequence[str], paths: Sequence[str]) -> list[str]:
    """The mutants matching `patterns` that have no result yet: mutmut re-tests every mutant it is given by name,
    so a run restricted to some mutants resumes only when given those left. No patterns: none (mutmut resumes)."""
    if not patterns:
        return []
    known = {k: s for m in load(paths) for k, s in m.statuses.items()}
    if not known:  # no mutants generated yet: mutmut matches the patterns itself
        return list(patterns)
    return matching([k for k, s in known.items() if s in NOT_TESTED], patterns)


def matching(names: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """The mutant names that match one of `patterns` (all of them, when there is none), sorted."""
    return sorted(k for k in names if not patterns or any(fnmatch(k, p) for p in patterns))


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def report(modules: Sequence[Module], fail_under: float | None, title: str = "") -> int:
    """Per module: mutants tested, killed, not killed, and the kill rate (with and without the
    survivors docs/mutation.md documents as equivalent). Untested mutants (not run yet, skipped) are
    counted apart and left out of the rates."""
    equivalent = documented_equivalents()
    columns = ("module", "mutants", "tested", "killed", "survived", "kill rate", "w/o documented")
    rows: list[tuple[str, ...]] = []
    totals: Counter[str] = Counter()
    failed = []
    for m in [*modules, None]:
        if m is None:
            name, t = "overall", totals
        else:
            name = m.name
            t = Counter(
                total=len(m.statuses),
                tested=len(m.statuses) - m.count(*NOT_TESTED),
                killed=m.count(*KILLED),
                equivalent=sum(1 for k, s in m.statuses.items() if k in equivalent and s not in KILLED | NOT_TESTED),
            )
            totals.update(t)
            if fail_under is not None and t["tested"] and 100 * t["killed"] / t["tested"] < fail_under:
                failed.append(name)
        survived = t["tested"] - t["killed"]
        rows.append(
            (name, str(t["total"]), str(t["tested"]), str(t["killed"]), str(survived),
             percent(t["killed"], t["tested"]), percent(t["killed"], t["tested"] - t["equivalent"]))
        )  # fmt: skip
    widths = [max(len(r[i]) for r in [columns, *rows]) for i in range(len(columns))]
    print(f"\n{title}" if title else "")
    for r in [columns, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    pending = totals["total"] - totals["tested"]
    if pending:
        print(f"\n{pending} mutants not tested yet (or skipped, or their pytest run was a usage error)")
    left = survivors(modules)
    undocumented = [k for k in left if k not in equivalent]
    print(f"\n{len(left)} not killed; {len(left) - len(undocumented)} documented in docs/mutation.md")
    for key in undocumented:
        print(f"  not killed, not documented: {key}")
    if undocumented:
        print("  (see one with: mutmut show <id>)")
    if totals["tested"] == 0:
        print("no mutation results yet: run without --report first")
        return 1
    if failed:
        print(f"kill rate under {fail_under}% in: {', '.join(failed)}")
        return 1
    return 0


def undecorate(source: str, module: str) -> tuple[str, set[str]]:
    """``@d1 @d2 def f`` becomes ``def f`` then ``f = d1(d2(f))``, in modules and class bodies alike.

    Returns the new source and the mangled names (as mutmut names them) of the functions rewritten.
    ``@staticmethod`` and ``@classmethod``, which mutmut handles, are left alone."""
    import libcst as cst

    rewritten: set[str] = set()

    class Undecorate(cst.CSTTransformer):
        def __init__(self) -> None:
            self.classes: list[str] = []

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            self.classes.append(node.name.value)

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.classes.pop()
            return updated

        def split(self, body: Sequence[cst.BaseStatement], in_class: str | None) -> list[cst.BaseStatement]:
            out: list[cst.BaseStatement] = []
            for statement in body:
                names = [
                    d.decorator.value for d in getattr(statement, "decorators", ()) if isinstance(d.decorator, cst.Name)
                ]
                if (
                    not isinstance(statement, cst.FunctionDef)
                    or not statement.decorators
                    or set(names) & {"staticmethod", "classmethod"}
                ):
                    out.append(statement)
                    continue
                name = statement.name.value
                wrapped: cst.BaseExpression = cst.Name(name)
                for decorator in reversed(statement.decorators):
                    wrapped = cst.Call(func=decorator.decorator, args=[cst.Arg(wrapped)])
                out.append(statement.with_changes(decorators=[]))
                out.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], wrapped)]))
                rewritten.add(f"{module}.x{'ǁ' + in_class + 'ǁ' if in_class else '_'}{name}")
            return out

        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            return updated.with_changes(body=self.split(updated.body, None))

        def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
            parent_class = self.classes[-1] if self.classes else None
            return updated.with_changes(body=self.split(updated.body, parent_class))

    return cst.parse_module(source).visit(Undecorate()).code, rewritten


def prepare_decorated(paths: Sequence[str]) -> frozenset[str]:
    """Copy the project to mutants/_decorated/ with the core's decorated functions rewritten."""
    if DECORATED.exists():
        shutil.rmtree(DECORATED)
    DECORATED.mkdir(parents=True)
    for name in ("src", "tests", "conversion_tables", "pyproject.toml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, DECORATED / name)
    functions: set[str] = set()
    for path in paths:
        module = Module(path).name
        text, rewritten = undecorate((ROOT / path).read_text(encoding="utf-8"), module)
        (DECORATED / path).write_text(text, encoding="utf-8")
        functions |= rewritten
    return frozenset(functions)


def decorated_functions(paths: Sequence[str]) -> frozenset[str]:
    return frozenset(
        f for path in paths for f in undecorate((ROOT / path).read_text(encoding="utf-8"), Module(path).name)[1]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="store_true", help="only report the last run")
    parser.add_argument("--rerun-survivors", action="store_true", help="re-test survivors against the current tests")
    parser.add_argument("--decorated", action="store_true", help="mutate the decorated functions mutmut skips")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2, help="parallel workers")
    parser.add_argument("--fail-under", type=float, help="exit 1 if a module's kill rate is under this percentage")
    parser.add_argument(
        "mutants", nargs="*", help="only the untested mutants matching these patterns (e.g. 'mme._engine.*')"
    )
    args = parser.parse_args(argv)
    paths = mutated_paths()
    children = ["--max-children", str(args.max_children)]
    if args.decorated:
        only = decorated_functions(paths)
        if not args.report:
            prepare_decorated(paths)
            code = run_mutmut(["run", *children, *sorted(f"{f}__mutmut_*" for f in only)], cwd=DECORATED)
            if code != 0:
                print(f"mutmut run failed (exit {code})", file=sys.stderr)
                return code
        title = f"decorated functions ({len(only)}), mutated in a rewritten copy:"
        return report([m for m in load(paths, DECORATED, only) if m.statuses], args.fail_under, title)
    if not args.report:
        retry = usage_errors_file(ROOT)
        again = sorted(set(retry.read_text(encoding="utf-8").split())) if retry.exists() else []
        retry.unlink(missing_ok=True)
        names = untested(args.mutants, paths)
        code = run_mutmut(["run", *children, *names]) if names or not args.mutants else 0
        if code == 0 and again:
            code = run_mutmut(["run", *children, *again])
        if code != 0:
            print(f"mutmut run failed (exit {code})", file=sys.stderr)
            return code
        left = matching(survivors(load(paths)), args.mutants)
        if args.rerun_survivors and left:
            code = run_mutmut(["run", *children, *left])
            if code != 0:
                print(f"mutmut run (survivors) failed (exit {code})", file=sys.stderr)
                return code
    return report(load(paths), args.fail_under)


if __name__ == "__main__":
    sys.exit(main())

"""A one-off `mme` command's start-up, next to `python -c "import pydantic"`, and where the time goes.

Run: ``python benchmarks/bench_cli.py`` (``--runs``, default 10; ``--quick``: 3). Each command is run cold, as a
user runs it, in a fresh process (the ``mme`` script beside this interpreter, else ``python -m mme``); the best
of the runs is kept, the usual way to see past a busy machine. The package's bytecode is compiled first, as
pip does when it installs a wheel: otherwise every run would compile mme's sources again (with
``PYTHONDONTWRITEBYTECODE`` set, or a read-only checkout) while pydantic's bytecode is already there.
Target: ``mme convert "oxycodone 10 mg q6h"`` at most 3x ``python -c "import pydantic"``.

Then one fresh process times the steps of that conversion (importing the command line, which imports the
package; reading the default table; the conversion itself, with whatever it imports on first use) and
``python -X importtime`` names the heaviest imports.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXPRESSION = "oxycodone 10 mg q6h"
TARGET = 3.0
SCRIPT = Path(sys.executable).with_name("mme")
MME = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "mme"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import pydantic"': [sys.executable, "-c", "import pydantic"],
    "mme --version": [*MME, "--version"],
    f'mme convert "{EXPRESSION}"': [*MME, "convert", EXPRESSION],
}
STEPS = f"""
import io, json, sys, time
t = [time.perf_counter()]
import mme._cli
t.append(time.perf_counter())
import mme
mme.get_table(mme.DEFAULT_TABLE)
t.append(time.perf_counter())
assert mme._cli.main(["convert", {EXPRESSION!r}], out=io.StringIO()) == 0
t.append(time.perf_counter())
print(json.dumps({{"steps": [b - a for a, b in zip(t, t[1:])], "pint": "pint" in sys.modules,
                  "frames": sorted(m for m in ("narwhals", "polars", "pandas", "numpy", "dask") if m in sys.modules)}}))
"""


def best_of(command: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def heaviest_imports(top: int) -> list[tuple[float, str]]:
    """The `top` imports of `mme convert` with the largest cumulative time (ms), from `python -X importtime`, down
    to three levels of nesting (what imports what)."""
    command = [sys.executable, "-X", "importtime", "-m", "mme", "convert", EXPRESSION]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            if len(name) - len(name.lstrip()) <= 5:  # importtime indents by two spaces a level, after one
                rows.append((int(cumulative) / 1000, name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (best kept)")
    parser.add_argument("--top", type=int, default=12, help="imports listed")
    parser.add_argument("--quick", action="store_true", help="3 runs")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    spec = importlib.util.find_spec("mme")
    if spec is None or spec.origin is None:
        raise SystemExit("install mme first: python -m pip install -e .")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)
    print(f"cold start, best of {runs} runs; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    times = {name: best_of(command, runs) for name, command in COMMANDS.items()}
    baseline = times['python -c "import pydantic"']
    for name, seconds in times.items():
        print(f"  {name:<34} {seconds * 1000:6.0f} ms  {seconds / baseline:5.1f}x import pydantic")
    ratio = times[f'mme convert "{EXPRESSION}"'] / baseline
    print(
        f"mme convert / import pydantic: {ratio:.1f}x (target <= {TARGET}x: {'met' if ratio <= TARGET else 'MISSED'})"
    )

    done = subprocess.run([sys.executable, "-c", STEPS], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    imported, table, convert = (s * 1000 for s in found["steps"])
    print("\nsteps of one cold conversion, in one process:")
    print(f"  import mme._cli (the package, its models and tables index) {imported:6.0f} ms")
    print(f"  read and check the default table                          {table:6.0f} ms")
    print(f"  the first conversion (parse, units, first-use imports)     {convert:6.0f} ms")
    print(f"  pint imported: {found['pint']}; frame libraries imported: {', '.join(found['frames']) or 'none'}")
    print(f"\nheaviest imports of `mme convert` (cumulative ms, python -X importtime, 3 levels; top {args.top}):")
    for ms, name in heaviest_imports(args.top):
        print(f"  {ms:7.1f}  {name}")


if __name__ == "__main__":
    main()

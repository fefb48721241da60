"""`mme batch` on files next to the same work written by hand in Polars: wall time, CPU time and peak memory.

Run: ``python benchmarks/bench_batch.py`` (needs the ``cli`` extra and numpy); ``--quick`` for a small run.

The baseline is what one writes without `mme`: ``pl.read_csv`` (or ``read_parquet``), a join to a hand-typed
factor table and ``write_csv`` (``write_parquet``), the hand-written Polars case of ``bench_frames.py``.
``mme batch`` streams (reads, converts and writes a chunk at a time), so its memory should not grow with
the file: on ``--rows`` dispensings (default 3,000,000) the targets are time <= 1.25x and peak memory
<= 1.0x the baseline's, and ``--big`` rows (default 20,000,000; ``mme batch`` only, the baseline would need
the whole file in memory) convert in under 1 GiB.

Each case runs as a command of its own, as a user runs it; its wall time, CPU time (user + system, steadier
than wall time on a busy machine) and peak resident memory (``ru_maxrss`` of that process alone, from
``wait4``) are measured. Cases alternate over ``--repeat`` rounds so that load on the machine hits all alike;
the best time and the highest peak are kept. The data are generated once with a fixed seed into
``benchmarks/.data/`` (git-ignored) and the outputs are checked against each other. The package's bytecode is
compiled first, as pip does when it installs a wheel (as in ``bench_cli.py``): otherwise every ``mme batch`` run
would compile mme's sources again (with ``PYTHONDONTWRITEBYTECODE`` set, or a read-only checkout), 0.05 s that
an installed package does not spend, while Polars' bytecode is already there.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_frames import TABLE, generate_dispensings, hand_polars_mme

DATA = Path(__file__).resolve().parent / ".data"
BLOCK = 1_000_000  # rows generated at a time, so that making a big file does not need it in memory
TARGETS = {"seconds": 1.25, "peak_mib": 1.0}  # mme batch / hand-written, CSV -> CSV on --rows
BIG_TARGET_MIB = 1024


def dispensings(rows: int, suffix: str) -> Path:
    """The benchmark's file of `rows` dispensings (made once: same seed, same file)."""
    import polars as pl

    path = DATA / f"dispensings-{rows}{suffix}"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    if suffix == ".parquet":
        pl.scan_csv(dispensings(rows, ".csv")).sink_parquet(path)
        return path
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        for start in range(0, rows, BLOCK):
            block = generate_dispensings(min(BLOCK, rows - start), seed=start // BLOCK)
            block.with_columns(pl.col("id") + start).write_csv(file, include_header=start == 0)
    partial.rename(path)
    return path


def hand(source: str, target: str) -> None:
    """The baseline, in a process of its own: read the whole file, join, compute, write."""
    import polars as pl

    parquet = source.endswith(".parquet")
    frame = pl.read_parquet(source) if parquet else pl.read_csv(source)
    result = hand_polars_mme(frame)
    result.write_parquet(target) if parquet else result.write_csv(target)


def measure(command: list[str]) -> dict[str, float]:
    """Run `command`; its wall and CPU seconds and its own peak resident memory (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def commands(source: Path, suffix: str, chunk_size: int | None) -> dict[str, list[str]]:
    chunks = ["--chunk-size", str(chunk_size)] if chunk_size else []
    mme = [sys.executable, "-m", "mme", "batch", str(source), "-o", str(DATA / f"out-mme{suffix}")]
    return {
        "mme batch": [*mme, "--table", TABLE, "--quiet", *chunks],
        "hand-written": [sys.executable, __file__, "--hand", str(source), str(DATA / f"out-hand{suffix}")],
    }


def run_rounds(cases: dict[str, list[str]], repeat: int) -> dict[str, dict[str, float]]:
    """Each case once per round, alternating; the best times and the highest peak."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for name, command in cases.items():
            r = measure(command)
            b = best.setdefault(name, r)
            best[name] = {"seconds": min(b["seconds"], r["seconds"]), "cpu": min(b["cpu"], r["cpu"]),
                          "peak_mib": max(b["peak_mib"], r["peak_mib"])}  # fmt: skip
    return best


def check(suffix: str) -> None:
    """`mme batch` and the baseline give the same MME/day on every row, in the same order."""
    import polars as pl

    def read(name: str) -> Any:
        path = DATA / f"out-{name}{suffix}"
        frame = pl.scan_parquet(path) if suffix == ".parquet" else pl.scan_csv(path)
        return frame.select("id", "mme_per_day").collect()

    ours, theirs = read("mme"), read("hand")
    assert ours["id"].equals(theirs["id"]), "rows are not in the input's order"
    same = (ours["mme_per_day"] - theirs["mme_per_day"]).abs() <= 1e-9 * theirs["mme_per_day"].abs()
    assert ours["mme_per_day"].is_null().equals(theirs["mme_per_day"].is_null()), "not the same rows without MME"
    assert same.fill_null(value=True).all(), "MME/day differs"


def remove_outputs() -> None:
    """The outputs are as big as the inputs: only the inputs are kept for the next run."""
    for path in DATA.glob("out-*"):
        path.unlink()


def report(title: str, results: dict[str, dict[str, float]], targets: dict[str, float]) -> list[str]:
    print(f"\n{title}")
    for name, r in results.items():
        print(f"  {name:<14} {r['seconds']:7.2f} s wall  {r['cpu']:7.2f} s CPU  {r['peak_mib']:7.0f} MiB peak")
    ours, theirs = results["mme batch"], results["hand-written"]
    missed = []
    for key, label in (("seconds", "wall time"), ("cpu", "CPU time"), ("peak_mib", "peak memory")):
        ratio = ours[key] / theirs[key]
        target = targets.get(key)
        verdict = "" if target is None else f"  (target <= {target}x: {'met' if ratio <= target else 'MISSED'})"
        if target is not None and ratio > target:
            missed.append(f"{title}: {label}")
        print(f"  mme / hand-written {label}: {ratio:.2f}x{verdict}")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000, help="rows of the compared runs")
    parser.add_argument("--big", type=int, default=20_000_000, help="rows of the memory run (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (best time, highest peak kept)")
    parser.add_argument("--chunk-size", type=int, help="mme batch --chunk-size (default: its own)")
    parser.add_argument("--quick", action="store_true", help="300,000 rows, 2 rounds, no big file")
    parser.add_argument("--hand", nargs=2, metavar=("SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hand:
        hand(*args.hand)
        return
    if args.quick:
        args.rows, args.big, args.repeat = 300_000, 0, 2
    spec = importlib.util.find_spec("mme")
    if spec is None or spec.origin is None:
        raise SystemExit("install mme first: python -m pip install -e .")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)
    started = time.perf_counter()
    print(f"mme batch vs hand-written Polars; {args.repeat} rounds, best time and highest peak; {os.cpu_count()} CPUs,"
          f" load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    missed = []
    for suffix, what in ((".csv", "CSV -> CSV"), (".parquet", "Parquet -> Parquet")):
        source = dispensings(args.rows, suffix)
        results = run_rounds(commands(source, suffix, args.chunk_size), args.repeat)
        check(suffix)
        remove_outputs()
        judged = suffix == ".csv" and not args.quick  # on a small file the start-up (imports) is most of the time
        missed += report(f"{what}, {args.rows:,} rows", results, TARGETS if judged else {})
    if args.big:
        source = dispensings(args.big, ".csv")
        big = measure(commands(source, ".csv", args.chunk_size)["mme batch"])
        remove_outputs()
        ok = big["peak_mib"] < BIG_TARGET_MIB
        print(f"\nCSV -> CSV, {args.big:,} rows, mme batch only: {big['seconds']:.1f} s wall, {big['cpu']:.1f} s CPU, "
              f"{big['peak_mib']:.0f} MiB peak (target < {BIG_TARGET_MIB} MiB: {'met' if ok else 'MISSED'})")  # fmt: skip
        missed += [] if ok else [f"{args.big:,} rows: peak memory"]
    print(f"\nrun time {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}")
    if args.quick:
        print("targets: judged by the full run (3,000,000 rows; a small file's time is mostly start-up)")
    else:
        print("targets missed: " + (", ".join(missed) if missed else "none"))


if __name__ == "__main__":
    main()

"""`mme.frames` on Polars next to hand-written baselines: throughput and peak memory.

Run: ``python benchmarks/bench_frames.py`` (needs polars, pandas, duckdb and narwhals); ``--quick``
runs small sizes once, the batch cases in one process (within a minute), and prints every ratio. Sizes are flags:
``--rows`` dispensings for the batch case (default 5,000,000), ``--fills`` and ``--patients`` for
the per-patient case (default 1,000,000 and 100,000), ``--repeat`` timed runs (best kept). ``--cpu`` times
the CPU seconds of each process, every engine on one thread (DuckDB, Polars), instead of the seconds on the clock:
steadier where other work shares the machine.

1. MME/day of every dispensing, two ways, each against the same work written by hand in Polars:
   MME/day only (``outputs=["mme_per_day"]``) vs a hand-written join + expression on a hand-typed
   factor table; and the library's five columns (MME/day, factor, days supply, the reasons for
   excluded and failed rows; by default also ``mme_warning``, which the hand-written code does not
   compute) vs the five by hand. Target: library throughput >= 0.8 x the
   hand-written Polars one. Then on a DuckDB relation, the five columns and MME/day only, vs a
   hand-written DuckDB SQL join to the factor table (MME/day), all computed in full into an Arrow
   table; and on pandas, the same two vs a hand-written ``merge`` (all from the same Polars frame
   converted to pandas, the conversion timed on every side). Target: >= 0.6 x, both outputs.
2. The four daily-MME definitions per patient: `mme.frames.summarize` vs a hand-written Polars
   "explode every fill to one row per day" baseline. Target: the library at least 5x as fast, and its
   cost per fill at 10M fills at most 1.3x that at 1M (``--fills 10000000 --patients 1000000``; the
   baseline, which holds about 2 KiB a fill, is left out above 2M fills). The peak memory is printed.

Each case runs in a subprocess of its own so that its peak memory (``ru_maxrss``, which sees
Polars' and DuckDB's native allocations, unlike tracemalloc) is its own; the data are generated
once with a fixed seed and shared as Parquet. Results are checked against each other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TABLE = "cdc-2022"
#: Set by ``--cpu``: every engine on one thread, timed in CPU seconds.
ONE_THREAD = False
#: Above this many fills the explode-to-days baseline is not run: it holds about 2 KiB a fill (20 GiB at 10M).
EXPLODE_MAX_FILLS = 2_000_000
START, END = date(2024, 1, 1), date(2024, 12, 31)

# drug, unit, strengths, quantities, days supplies, weight: what claims look like, roughly.
PRODUCTS: list[tuple[str, str, list[float], list[float], list[float], float]] = [
    ("oxycodone", "mg", [5, 10, 15, 20, 30], [20, 30, 60, 90, 120], [5, 7, 15, 30], 30),
    ("hydrocodone", "mg", [5, 7.5, 10], [12, 20, 30, 60, 120], [3, 5, 7, 30], 30),
    ("tramadol", "mg", [50, 100], [20, 30, 60, 120], [5, 10, 30], 12),
    ("morphine", "mg", [15, 30, 60, 100], [30, 60, 90], [15, 30], 6),
    ("morphine", "mg/mL", [2, 4, 20], [100, 240, 480], [10, 30], 1),
    ("codeine", "mg", [30, 60], [12, 20, 30], [3, 5, 10], 5),
    ("hydromorphone", "mg", [2, 4, 8], [12, 30, 60, 120], [5, 15, 30], 4),
    ("methadone", "mg", [5, 10, 40], [30, 60, 90, 180], [30], 3),
    ("tapentadol", "mg", [50, 75, 100], [30, 60], [15, 30], 2),
    ("oxymorphone", "mg", [5, 10, 20], [30, 60], [15, 30], 1),
    ("fentanyl", "mcg/h", [12, 25, 50, 75, 100], [5, 10, 15], [15, 30], 3),
    ("buprenorphine", "mg", [2, 8], [14, 30, 60], [7, 30], 2),
    ("unobtainium", "mg", [5], [10], [10], 0.5),
]
# The hand-written factor table for the baselines: CDC 2022, per unit of the claim's strength.
HAND_FACTORS = {
    ("oxycodone", "mg"): 1.5, ("hydrocodone", "mg"): 1.0, ("tramadol", "mg"): 0.2, ("morphine", "mg"): 1.0,
    ("morphine", "mg/mL"): 1.0, ("codeine", "mg"): 0.15, ("hydromorphone", "mg"): 5.0, ("methadone", "mg"): 4.7,
    ("tapentadol", "mg"): 0.4, ("oxymorphone", "mg"): 3.0, ("fentanyl", "mcg/h"): 2.4,
}  # fmt: skip


def generate_dispensings(n: int, *, seed: int, patients: int = 0) -> Any:
    """`n` synthetic dispensings (fixed seed); with `patients`, patient ids and fill dates too."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    weights = np.array([p[-1] for p in PRODUCTS], dtype=float)
    which = rng.choice(len(PRODUCTS), size=n, p=weights / weights.sum())
    columns: dict[str, Any] = {"drug": [], "strength_unit": [], "strength": [], "quantity": [], "days_supply": []}
    order = np.argsort(which, kind="stable")
    counts = np.bincount(which, minlength=len(PRODUCTS))
    for k, (drug, unit, strengths, quantities, days, _) in enumerate(PRODUCTS):
        m = int(counts[k])
        columns["drug"].append(np.full(m, drug, dtype=object))
        columns["strength_unit"].append(np.full(m, unit, dtype=object))
        columns["strength"].append(rng.choice(np.array(strengths, dtype=float), size=m))
        columns["quantity"].append(rng.choice(np.array(quantities, dtype=float), size=m))
        columns["days_supply"].append(rng.choice(np.array(days, dtype=float), size=m))
    stacked = {c: np.concatenate(v) for c, v in columns.items()}
    restore = np.empty(n, dtype=np.int64)
    restore[order] = np.arange(n)
    data = {c: v[restore] for c, v in stacked.items()}
    bad = rng.random(n) < 0.005  # a few broken rows: no quantity
    data["quantity"][bad] = 0.0
    frame = pl.DataFrame({"id": np.arange(n, dtype=np.int64), **data})
    if patients:
        span = (END - START).days + 60
        frame = frame.with_columns(
            pl.Series("patient_id", rng.integers(0, patients, size=n)).cast(pl.String).alias("patient_id"),
            (pl.lit(START - timedelta(days=30)) + pl.duration(days=pl.Series(rng.integers(0, span, size=n)))).alias(
                "fill_date"
            ),
        )
    return frame


# -- the cases ------------------------------------------------------------------------------------------------


def hand_lookup() -> Any:
    import polars as pl

    return pl.DataFrame({
        "drug": [d for d, _ in HAND_FACTORS], "strength_unit": [u for _, u in HAND_FACTORS],
        "factor": list(HAND_FACTORS.values()), "patch": [u == "mcg/h" for _, u in HAND_FACTORS],
    })  # fmt: skip


def hand_polars_mme(df: Any) -> Any:
    """The baseline: join a factor table, then strength x quantity / days x factor (patches: rate x factor)."""
    import polars as pl

    s, q, d = pl.col("strength"), pl.col("quantity"), pl.col("days_supply")
    valid = (s > 0) & (q > 0) & (d > 0)
    mme = pl.when(pl.col("patch")).then(s * pl.col("factor")).otherwise(s * q / d * pl.col("factor"))
    return (
        df.join(hand_lookup(), on=["drug", "strength_unit"], how="left", maintain_order="left")
        .with_columns(pl.when(valid).then(mme).alias("mme_per_day"))
        .drop("factor", "patch")
    )


def hand_polars_same_columns(df: Any) -> Any:
    """The baseline doing the library's work by hand: the same five columns, with reasons for every null."""
    import polars as pl

    excluded = "CDC 2022 excludes buprenorphine products for pain from the MME table"
    lookup = pl.concat(
        [
            hand_lookup().with_columns(pl.lit(None, pl.String).alias("excluded")),
            pl.DataFrame(
                {
                    "drug": ["buprenorphine"],
                    "strength_unit": ["mg"],
                    "factor": [None],
                    "patch": [False],
                    "excluded": [excluded],
                },
                schema_overrides={"factor": pl.Float64},
            ),
        ]
    )
    s, q, d = pl.col("strength"), pl.col("quantity"), pl.col("days_supply")

    def positive(c: pl.Expr) -> pl.Expr:
        return (c > 0) & c.is_finite()

    error = (
        pl.when(pl.col("factor").is_null() & pl.col("excluded").is_null())
        .then(pl.format("no factor for {} in {}", pl.col("drug"), pl.col("strength_unit")))
        .when(~positive(s)).then(pl.lit("strength must be a positive finite number"))
        .when(~positive(q)).then(pl.lit("quantity must be a positive finite number"))
        .when(~positive(d)).then(pl.lit("days_supply must be a positive finite number"))
    )  # fmt: skip
    counted = pl.col("mme_error").is_null() & pl.col("excluded").is_null()
    return (
        df.join(lookup, on=["drug", "strength_unit"], how="left", maintain_order="left")
        .with_columns(error.alias("mme_error"))
        .with_columns(
            pl.when(counted)
            .then(pl.when(pl.col("patch")).then(s * pl.col("factor")).otherwise(s * q / d * pl.col("factor")))
            .alias("mme_per_day"),
            pl.when(counted).then(pl.col("factor")).alias("mme_factor"),
            pl.when(pl.col("mme_error").is_null())
            .then(pl.when(pl.col("patch")).then(q * 3).otherwise(d))
            .alias("mme_days_supply"),
            pl.when(pl.col("mme_error").is_null()).then(pl.col("excluded")).alias("mme_excluded"),
        )
        .select(*df.columns, "mme_per_day", "mme_factor", "mme_days_supply", "mme_excluded", "mme_error")
    )


def case_library(df: Any) -> Any:
    from mme import frames

    return frames.dispensing_mme(df, table=TABLE)


def case_library_mme_only(df: Any) -> Any:
    from mme import frames

    return frames.dispensing_mme(df, table=TABLE, outputs=["mme_per_day"])


def duckdb_relation(df: Any, name: str = "claims") -> Any:
    """`df` as a relation of a fresh DuckDB connection (Arrow, zero copy), and the connection."""
    import duckdb

    con = duckdb.connect()
    if ONE_THREAD:
        con.execute("SET threads = 1")
    con.register(name, df.to_arrow())
    return con.sql(f"SELECT * FROM {name}"), con


def materialize(relation: Any) -> Any:
    """A DuckDB result computed in full, as an Arrow table (DuckDB >= 2 hands out a lazy reader from ``.arrow()``)."""
    import pyarrow as pa

    return pa.table(relation)


def case_duckdb(df: Any) -> Any:
    _, con = duckdb_relation(df)
    con.register("factors", hand_lookup().to_arrow())
    return materialize(con.sql("""
        SELECT c.*, CASE WHEN c.strength > 0 AND c.quantity > 0 AND c.days_supply > 0 THEN
                    CASE WHEN f.patch THEN c.strength * f.factor
                         ELSE c.strength * c.quantity / c.days_supply * f.factor END END AS mme_per_day
        FROM claims c LEFT JOIN factors f USING (drug, strength_unit)
    """))  # fmt: skip


def case_library_duckdb(df: Any) -> Any:
    from mme import frames

    relation, _ = duckdb_relation(df)
    return materialize(frames.dispensing_mme(relation, table=TABLE))


def case_library_duckdb_mme_only(df: Any) -> Any:
    from mme import frames

    relation, _ = duckdb_relation(df)
    return materialize(frames.dispensing_mme(relation, table=TABLE, outputs=["mme_per_day"]))


def case_pandas(df: Any) -> Any:
    """The pandas baseline: ``merge`` on the factor table, then the arithmetic."""
    claims = df.to_pandas()
    out = claims.merge(hand_lookup().to_pandas(), on=["drug", "strength_unit"], how="left")
    s, q, d, f = out["strength"], out["quantity"], out["days_supply"], out["factor"]
    mme = (s * f).where(out["patch"].fillna(value=False).astype(bool), s * q / d * f)
    out["mme_per_day"] = mme.where((s > 0) & (q > 0) & (d > 0))
    return out.drop(columns=["factor", "patch"])


def case_library_pandas(df: Any) -> Any:
    from mme import frames

    return frames.dispensing_mme(df.to_pandas(), table=TABLE)


def case_library_pandas_mme_only(df: Any) -> Any:
    from mme import frames

    return frames.dispensing_mme(df.to_pandas(), table=TABLE, outputs=["mme_per_day"])


def case_summary_library(df: Any) -> Any:
    from mme import frames

    return frames.summarize(df, start=START, end=END, table=TABLE)


def case_summary_explode(df: Any) -> Any:
    """The baseline: MME/day per fill (hand-written join), every fill exploded to one row per covered day."""
    import polars as pl

    fills = hand_polars_mme(df).filter(pl.col("mme_per_day").is_not_null())
    patch = pl.col("strength_unit") == "mcg/h"  # CDC: a patch's days supply is patches x 3 days of wear
    fills = fills.with_columns(
        pl.when(patch).then(pl.col("quantity") * 3).otherwise(pl.col("days_supply")).cast(pl.Int64).alias("days")
    )
    by_day = (
        fills.select(
            "patient_id", "mme_per_day",
            pl.date_ranges("fill_date", pl.col("fill_date") + pl.duration(days=pl.col("days") - 1)).alias("day"),
        )
        .explode("day")
        .filter(pl.col("day").is_between(START, END))
    )  # fmt: skip
    totals = by_day.group_by("patient_id").agg(
        pl.col("mme_per_day").sum().alias("total_mme"), pl.len().alias("total_days_supply")
    )
    daily = by_day.group_by("patient_id", "day").agg(pl.col("mme_per_day").sum())
    per_patient = daily.group_by("patient_id").agg(
        pl.len().alias("on_therapy_days"), pl.col("mme_per_day").max().alias("max_daily_mme")
    )
    window = (END - START).days + 1
    everyone = df.select("patient_id").unique()
    return (
        everyone.join(totals, on="patient_id", how="left")
        .join(per_patient, on="patient_id", how="left")
        .with_columns(
            pl.col("total_mme").fill_null(0.0), pl.col("total_days_supply").fill_null(0),
            pl.col("on_therapy_days").fill_null(0), pl.col("max_daily_mme").fill_null(0.0),
        )
        .with_columns(
            (pl.col("total_mme") / pl.col("total_days_supply")).alias("mme_per_days_supply"),
            (pl.col("total_mme") / pl.col("on_therapy_days")).alias("mme_per_therapy_day"),
            (pl.col("total_mme") / window).alias("mme_per_window_day"),
        )
        .sort("patient_id")
    )  # fmt: skip


CASES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "library-mme-only": ("batch", case_library_mme_only),
    "polars": ("batch", hand_polars_mme),
    "library": ("batch", case_library),
    "polars-same-columns": ("batch", hand_polars_same_columns),
    "library-duckdb": ("batch", case_library_duckdb),
    "library-duckdb-mme-only": ("batch", case_library_duckdb_mme_only),
    "duckdb": ("batch", case_duckdb),
    "library-pandas": ("batch", case_library_pandas),
    "library-pandas-mme-only": ("batch", case_library_pandas_mme_only),
    "pandas": ("batch", case_pandas),
    "summary-library": ("summary", case_summary_library),
    "summary-explode": ("summary", case_summary_explode),
}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_cases(names: list[str], data: Path, repeat: int, check: Path | None) -> dict[str, dict[str, float]]:
    """In the child process: load the data, time each case `repeat` times, report seconds and memory (a case
    run after others in the same process reports the process's peak so far)."""
    import polars as pl

    df = pl.read_parquet(data)
    clock = time.process_time if ONE_THREAD else time.perf_counter
    out = {}
    for name in names:
        _, fn = CASES[name]
        fn(df.head(1000))  # warm-up: imports, table loading, unit parsing
        loaded = peak_mib()
        best = float("inf")
        result = None
        for _ in range(repeat):
            result = None
            started = clock()
            result = fn(df)
            best = min(best, clock() - started)
        if check is not None:
            if isinstance(result, pl.DataFrame):
                frame = result
            elif hasattr(result, "iloc"):  # pandas
                frame = pl.from_pandas(result)
            else:
                frame = pl.from_arrow(result)
            assert isinstance(frame, pl.DataFrame)
            frame.write_parquet(check / f"{name}.parquet")
        out[name] = {"seconds": best, "peak_mib": peak_mib(), "loaded_mib": loaded, "rows": df.height}
    return out


def child(*args: str) -> dict[str, Any]:
    """Run this script in a fresh process (the parent stays small, so each child's peak RSS is its own)."""
    env = os.environ | ({"POLARS_MAX_THREADS": "1"} if ONE_THREAD else {})
    cpu = ["--cpu"] if ONE_THREAD else []
    done = subprocess.run([sys.executable, __file__, *args, *cpu], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_interleaved(
    names: list[str], data: Path, repeat: int, folder: Path, *, together: bool = False
) -> dict[str, dict[str, Any]]:
    """Each case in `repeat` rounds (A B C A B C...), so that a busy machine penalises all alike; each round is
    a fresh process timing the case twice after a warm-up on a small slice (caches, imports: a long-running
    caller's steady state). The best time is kept, every round's best too, and the highest peak. `together`
    runs a round's cases in one process (quicker; the peaks are then the process's, not each case's)."""
    best: dict[str, dict[str, Any]] = {}
    per_child = 2
    for round_ in range(repeat):
        for group in [names] if together else [[name] for name in names]:
            check = ["--check", str(folder)] if round_ == 0 else []
            for name, r in child("--case", *group, "--data", str(data), "--repeat", str(per_child), *check).items():
                if name not in best:
                    best[name] = r | {"rounds": [r["seconds"]]}
                else:
                    best[name]["seconds"] = min(best[name]["seconds"], r["seconds"])
                    best[name]["peak_mib"] = max(best[name]["peak_mib"], r["peak_mib"])
                    best[name]["rounds"].append(r["seconds"])
    return best


def report(title: str, results: dict[str, dict[str, float]], unit: str) -> None:
    print(f"\n{title}")
    print(f"  {'case':<24} {'seconds':>9} {unit + '/s':>16} {'peak RSS MiB':>13} {'(+ over data)':>14}")
    for name, r in results.items():
        rate = r["rows"] / r["seconds"]
        print(f"  {name:<24} {r['seconds']:>9.3f} {rate:>16,.0f} {r['peak_mib']:>13,.0f} "
              f"{r['peak_mib'] - r['loaded_mib']:>+14,.0f}")  # fmt: skip


def compare(which: str, folder: Path) -> dict[str, bool]:
    """Whether the cases computed the same numbers (run in a child: the parent must stay small)."""
    import polars as pl

    out: dict[str, bool] = {}
    if which == "batch":
        lib = pl.read_parquet(folder / "library.parquet").sort("id")
        for name in ("library-mme-only", "polars", "polars-same-columns", "library-duckdb", "library-duckdb-mme-only",
                     "duckdb", "pandas", "library-pandas", "library-pandas-mme-only"):  # fmt: skip
            a, b = lib["mme_per_day"], pl.read_parquet(folder / f"{name}.parquet").sort("id")["mme_per_day"]
            same_nulls = bool((a.is_null() == b.is_null()).all())
            out[name] = same_nulls and bool(((a - b).abs() <= 1e-9 * b.abs()).fill_null(value=True).all())
        return out
    lib = pl.read_parquet(folder / "summary-library.parquet").sort("patient_id")
    ref = pl.read_parquet(folder / "summary-explode.parquet").sort("patient_id")
    ok = lib.height == ref.height
    for c in ("total_mme", "total_days_supply", "on_therapy_days", "max_daily_mme", "mme_per_therapy_day"):
        x, y = lib[c].cast(pl.Float64), ref[c].cast(pl.Float64)
        ok = ok and bool(((x - y).abs() <= 1e-9 * y.abs() + 1e-9).fill_null(value=True).all())
    out["explode"] = ok
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000, help="dispensings in the batch case")
    parser.add_argument("--fills", type=int, default=1_000_000, help="dispensings in the per-patient case")
    parser.add_argument("--patients", type=int, default=100_000, help="patients in the per-patient case")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (the best is kept)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--only", choices=["batch", "summary"], help="run one of the two benchmarks")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one round: a check that runs within a minute"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="CPU seconds, every engine on one thread (steadier on a busy machine)"
    )
    parser.add_argument("--case", nargs="+", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate", choices=["batch", "summary"], help=argparse.SUPPRESS)
    parser.add_argument("--compare", choices=["batch", "summary"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    global ONE_THREAD  # noqa: PLW0603 - read by the cases, in this process and its children
    ONE_THREAD = args.cpu
    if args.case:
        print(json.dumps(run_cases(args.case, args.data, args.repeat, args.check)))
        return
    if args.compare:
        print(json.dumps(compare(args.compare, args.data)))
        return
    if args.generate:
        n, patients = (args.rows, 0) if args.generate == "batch" else (args.fills, args.patients)
        seed = args.seed if args.generate == "batch" else args.seed + 1
        generate_dispensings(n, seed=seed, patients=patients).write_parquet(args.data)
        print(json.dumps({"rows": n}))
        return
    if args.quick:
        args.rows, args.fills, args.patients, args.repeat = 500_000, 200_000, 20_000, 1
    sizes = ["--rows", str(args.rows), "--fills", str(args.fills), "--patients", str(args.patients)]
    with tempfile.TemporaryDirectory(prefix="mme-bench-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "batch"):
            data = folder / "batch.parquet"
            child("--generate", "batch", "--data", str(data), "--seed", str(args.seed), *sizes)
            batch = [name for name, (kind, _) in CASES.items() if kind == "batch"]
            results = run_interleaved(batch, data, args.repeat, folder, together=args.quick)
            shared = " (one process: each peak is the process's so far)" if args.quick else ""
            shared += ", CPU seconds, one thread" if args.cpu else ""
            report(f"1. MME/day of {args.rows:,} dispensings ({TABLE}), best of {args.repeat}{shared}", results, "rows")

            def ratio(library: str, hand: str) -> str:
                """Best time over best time, and the range of the rounds' ratios (cases of a round run back to
                back, so that a slow spell of the machine weighs on both)."""
                lib, by_hand = results[library], results[hand]
                rounds = sorted(h / x for h, x in zip(by_hand["rounds"], lib["rounds"], strict=True))
                return f"{by_hand['seconds'] / lib['seconds']:.2f}  (rounds {rounds[0]:.2f} .. {rounds[-1]:.2f})"

            print("  throughput, library / the same work written by hand (target >= 0.8):")
            print(f"    MME/day only:                 {ratio('library-mme-only', 'polars')}")
            print(f"    default outputs (six):        {ratio('library', 'polars-same-columns')}")
            print(f"    default / hand MME/day only:  {ratio('library', 'polars')}")
            print("  on DuckDB and pandas, library / a hand-written join for MME/day (target >= 0.6):")
            print(f"    DuckDB, default outputs:      {ratio('library-duckdb', 'duckdb')}")
            print(f"    DuckDB, MME/day only:         {ratio('library-duckdb-mme-only', 'duckdb')}")
            print(f"    pandas, default outputs:      {ratio('library-pandas', 'pandas')}")
            print(f"    pandas, MME/day only:         {ratio('library-pandas-mme-only', 'pandas')}")
            for name, same in child("--compare", "batch", "--data", str(folder)).items():
                print(f"  check: library == {name} on every row: {same}")
        if args.only in (None, "summary"):
            data = folder / "summary.parquet"
            child("--generate", "summary", "--data", str(data), "--seed", str(args.seed), *sizes)
            baseline = args.fills <= EXPLODE_MAX_FILLS
            cases = ["summary-library", "summary-explode"] if baseline else ["summary-library"]
            results = run_interleaved(cases, data, args.repeat, folder)
            report(
                f"2. The four definitions, {args.fills:,} dispensings of {args.patients:,} patients, "
                f"{START} .. {END}, best of {args.repeat}",
                results,
                "fills",
            )
            lib = results["summary-library"]
            per_fill = lib["seconds"] / args.fills * 1e6
            if baseline:
                speedup = results["summary-explode"]["seconds"] / lib["seconds"]
                print(f"  library is {speedup:.1f}x as fast as the explode-to-days baseline (target >= 5)")
            else:
                print(
                    f"  the explode-to-days baseline is left out above {EXPLODE_MAX_FILLS:,} fills (about 2 KiB a fill)"
                )
            print(f"  library: {per_fill:.2f} us per fill (compare across --fills: at most 1.3x from 1M to 10M)")
            print(f"  library: peak RSS {lib['peak_mib']:,.0f} MiB, {lib['peak_mib'] - lib['loaded_mib']:+,.0f} MiB over "
                  f"the data ({(lib['peak_mib'] - lib['loaded_mib']) * 2**20 / args.fills:,.0f} bytes per fill)")  # fmt: skip
            if baseline:
                same = child("--compare", "summary", "--data", str(folder))["explode"]
                print(f"  check: library == explode baseline for every patient: {same}")


if __name__ == "__main__":
    main()

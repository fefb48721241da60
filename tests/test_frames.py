"""`mme.frames` on every backend it supports, against the scalar engine row by row and patient by patient.

Backends: pandas, Polars (eager and lazy), PyArrow, DuckDB, Dask and PySpark (local mode, one session
for the whole run). Random frames are drawn from pools of valid and broken inputs (unknown drugs,
units of the wrong kind, zero, negative and NaN amounts, excluded drugs, patches, tiers), under
every shipped table. The fast backends run under hypothesis; Dask and Spark, where a query costs
seconds, get one larger seeded frame each. Spark tests are marked ``slow`` (deselect with
``-m "not slow"``) but run by default.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("narwhals")

import narwhals as nw
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import mme
from mme import frames
from mme._engine import DAYS_ROUND_TO_ZERO, ROUNDS_TO_ZERO, _per_day
from mme._history import (
    DAYS_SUPPLY_NOT_WHOLE,
    DAYS_SUPPLY_TOO_LONG,
    MAX_DAYS_SUPPLY,
    NO_DATE,
    NO_PATIENT,
    RATIOS,
    TOO_MANY_DAYS,
    TOTAL_OVERFLOWS,
    Dispensing,
    _is_buprenorphine,
    summarize_by_patient,
)
from mme._tables import FactorRow, _tables_folder, resolve_table
from mme._units import not_positive, read_unit
from mme.frames import _convert, _keys, _rows, _schema, _summary

from exact_reference import exact, exact_mme

pytestmark = [
    pytest.mark.filterwarnings("ignore:Dask support is moving:FutureWarning"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore::mme.MMEWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
]

TABLES = [t.slug for t in mme.list_tables()]
FAST = ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"]
RANGED = ["polars", "duckdb"]  # whose numbers' ranges are read first (`_rows._ranges`)
NAN = math.nan

# -- backends -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # a UDF's worker: this interpreter, with its packages
    session = (
        SparkSession.builder.master("local[1]")
        .appName("mme-frames-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.codegen.wholeStage", "false")  # tiny frames: compiling code costs more than it saves
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def make(backend: str, table: pa.Table, spark: Any = None) -> Any:
    """`table` as a frame of `backend`."""
    if backend == "pyarrow":
        return table
    if backend in ("polars", "polars-lazy"):
        import polars as pl

        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame.lazy() if backend == "polars-lazy" else frame
    if backend == "pandas":
        return table.to_pandas(date_as_object=False)
    if backend == "duckdb":
        import duckdb

        return duckdb.connect().from_arrow(table)  # a connection of its own, not the default one
    if backend == "dask":
        import dask.dataframe as dd

        return dd.from_pandas(table.to_pandas(date_as_object=False), npartitions=2)
    if backend == "pyspark":
        return spark.createDataFrame(table)
    raise AssertionError(backend)


def by_id(native: Any) -> list[dict[str, Any]]:
    """A result's rows in the order of their id: DuckDB and Spark give rows in no set order."""
    return sorted(rows_of(native), key=lambda r: r["id"])


def rows_of(native: Any) -> list[dict[str, Any]]:
    """A result's rows as dicts, NaN read as null (pandas has no other null for floats)."""
    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect(backend="pyarrow")
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in frame.rows(named=True)
    ]


# -- dispensings: pools, frames, expectations -----------------------------------------------------------------

DRUGS = [
    "oxycodone", "Oxycodone HCl", "OxyContin", "hydrocodone/acetaminophen", "morphine", "MS Contin", "fentanyl",
    "Duragesic", "buprenorphine", "Butrans", "methadone", "codeine", "tramadol", "tapentadol", "hydromorphone",
    "oxymorphone", "meperidine", "levorphanol", "pentazocine", "butorphanol", "sufentanil", "dihydrocodeine",
    "opium", "aspirin", "unobtainium", None,
]  # fmt: skip
UNITS = ["mg", "mg", "mg", "mcg", "mcg/h", "mcg/h", "mg/mL", "mg/5 mL", "mcg/spray", "mL", "g", "mg/day", "parsec", "",
         "mg/15 mL", "mg/3 mL", "mg/7 mL", "mg/473 mL", "mcg/3 mL", "mg/0.3 mL"]  # fmt: skip
STRENGTHS = [0.5, 1.0, 2.5, 5.0, 7.5, 10.0, 12.0, 25.0, 30.0, 50.0, 75.0, 100.0, 400.0, 0.0, -5.0, NAN, 1e308]
QUANTITIES = [1.0, 4.0, 10.0, 14.0, 30.0, 60.0, 90.0, 120.0, 0.5, 0.0, -1.0, NAN, None, 1e308]
DAYS = [1.0, 3.0, 7.0, 10.0, 14.0, 28.0, 30.0, 90.0, 2.5, 10 / 3, 0.0, -3.0, NAN, None, 1e-320]
FORMS = [None, None, "tablet", "ER tablet", "capsule", "patch", "solution", "spray", "nasal spray", "film", "gizmo"]
ROUTES = [None, None, "oral", "transdermal", "sublingual", "buccal", "nasal", "IV", "rectal", "teleport"]
RELEASES = [None, None, "ER", "IR", "SR", "sometimes"]
PACKAGES = [None, None, 5.0, 8.0, 0.0]
OPTIONAL = ("form", "route", "release", "package_ml")

COLUMN_TYPES = {
    "id": pa.int64(), "drug": pa.string(), "strength": pa.float64(), "strength_unit": pa.string(),
    "quantity": pa.float64(), "days_supply": pa.float64(), "form": pa.string(), "route": pa.string(),
    "release": pa.string(), "package_ml": pa.float64(), "patient_id": pa.string(), "fill_date": pa.date32(),
}  # fmt: skip


def arrow_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pa.Table:
    return pa.table({c: pa.array([r.get(c) for r in rows], COLUMN_TYPES[c]) for c in columns})


def row_strategy(with_optional: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "drug": st.sampled_from(DRUGS),
        "strength": st.sampled_from(STRENGTHS),
        "strength_unit": st.sampled_from(UNITS),
        "quantity": st.sampled_from(QUANTITIES),
        "days_supply": st.sampled_from(DAYS),
    }
    pools: dict[str, Sequence[object]] = {"form": FORMS, "route": ROUTES, "release": RELEASES, "package_ml": PACKAGES}
    fields |= {c: st.sampled_from(pools[c]) for c in with_optional}
    return st.fixed_dictionaries(fields)


@st.composite
def dispensing_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str], str]:
    optional = [c for c in OPTIONAL if draw(st.booleans())]
    rows = draw(st.lists(row_strategy(optional), min_size=1, max_size=30))
    for i, row in enumerate(rows):
        row["id"] = i
    return rows, optional, draw(st.sampled_from(TABLES))


def random_rows(rng: random.Random, n: int, optional: Sequence[str]) -> list[dict[str, Any]]:
    pools: dict[str, Sequence[object]] = {
        "drug": DRUGS, "strength": STRENGTHS, "strength_unit": UNITS, "quantity": QUANTITIES, "days_supply": DAYS,
        "form": FORMS, "route": ROUTES, "release": RELEASES, "package_ml": PACKAGES,
    }  # fmt: skip
    wanted = ["drug", "strength", "strength_unit", "quantity", "days_supply", *optional]
    return [{"id": i} | {c: rng.choice(pools[c]) for c in wanted} for i in range(n)]


def cell(value: float | None) -> float:
    """A frame's cell as the scalar engine reads it: a null number is no number (NaN), which fails its check."""
    return math.nan if value is None else value


def exact_dispensing(row: dict[str, Any], result: mme.DailyMME) -> float:
    """`exact_mme` of a dispensing row: strength x quantity (x package) / days supply, a rate as it is."""
    kind, num, den, _ = read_unit(row["strength_unit"])  # the exact ratio (1/15 for mg/15 mL), not a float of it
    strength = exact(row["strength"]) * Fraction(num) / Fraction(den)
    if kind == "rate":
        return exact_mme(result, strength)
    quantity = exact(row["quantity"]) * (exact(row["package_ml"]) if row.get("package_ml") else 1)
    return exact_mme(result, strength * quantity / exact(row["days_supply"]))


def expected(row: dict[str, Any], table: str, variant: str | None = None) -> dict[str, Any]:
    """What `mme.dispensing_mme` says about one row, in the frame's columns."""
    none = {"mme_per_day": None, "mme_factor": None, "mme_days_supply": None, "mme_excluded": None, "mme_error": None,
            "mme_warning": None}  # fmt: skip
    if row["drug"] is None:
        return none | {"mme_error": "drug is missing"}
    strength = (cell(row["strength"]), row["strength_unit"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            r = mme.dispensing_mme(
                row["drug"], strength, quantity=cell(row["quantity"]), days_supply=cell(row["days_supply"]),
                package_ml=row.get("package_ml"), form=row.get("form"), route=row.get("route"),
                release=row.get("release"), variant=variant, table=table,
            )  # fmt: skip
    except mme.MMEError as exc:
        return none | {"mme_error": str(exc)}
    if r.days_supply is not None and not math.isfinite(r.days_supply):  # patches x wear days
        return none | {"mme_error": OVERFLOW}
    return none | {
        "mme_per_day": None if r.mme_per_day is None else exact_dispensing(row, r),
        "mme_factor": None if r.factor is None else float(r.factor),
        "mme_days_supply": r.days_supply,
        "mme_excluded": r.excluded,
        "mme_warning": joined(r.warnings),
    }


def joined(notes: Sequence[str]) -> str | None:
    """A result's warnings as `mme.frames` writes them in one cell (none: null)."""
    return " | ".join(notes) or None


OVERFLOW = "the daily amount overflows: check the dose and the frequency"


def same(have: float | None, want: float | None) -> bool:
    """The same float up to 10,000 MME/day, but at an exact tie in the 10th decimal, which the engine rounds to
    even and float64 may hold on either side of (9.375e-07: 9.38e-07, or 9.37e-07 in float64): there the 9th
    decimal is one off and the engine's is even. Above (implausible, and warned), float64 keeps too few digits
    past the 9th decimal for a rounding boundary: the 9th decimal may be one off (428571.428571428 for ...429,
    the exact 428571.4285714285714...); above 2**52 / 1e9 the value is not rounded and its last bits may differ."""
    if have is None or want is None:
        return have == want
    if want <= mme.IMPLAUSIBLE_MME_PER_DAY:
        units, exact = round(have * 1e9), round(want * 1e9)
        return have == want or (abs(units - exact) == 1 and exact % 2 == 0)
    if want < _rows._ROUNDED_BELOW:
        return abs(have - want) <= 1.5e-9
    return math.isclose(have, want, rel_tol=1e-14)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12)


def check_dispensings(result: Any, rows: Sequence[dict[str, Any]], table: str, variant: str | None = None) -> None:
    got = {r["id"]: r for r in rows_of(result)}
    assert sorted(got) == [r["id"] for r in rows], "rows were dropped or duplicated"
    for row in rows:
        want, have = expected(row, table, variant), got[row["id"]]
        where = f"{table}: {row}"
        assert have["mme_error"] == want["mme_error"], where
        assert have["mme_excluded"] == want["mme_excluded"], where
        assert have["mme_warning"] == want["mme_warning"], where
        assert same(have["mme_per_day"], want["mme_per_day"]), where  # the same float, not a close one
        assert same(have["mme_days_supply"], want["mme_days_supply"]), where  # rounded as the engine rounds it
        assert close(have["mme_factor"], want["mme_factor"]), where


def run_dispensings(backend: str, rows: list[dict[str, Any]], optional: Sequence[str], table: str, spark: Any = None,
                    variant: str | None = None) -> Any:  # fmt: skip
    columns = ["id", "drug", "strength", "strength_unit", "quantity", "days_supply", *optional]
    native = make(backend, arrow_table(rows, columns), spark)
    mapping: dict[str, Any] = {c: c for c in optional}
    return frames.dispensing_mme(native, table=table, variant=variant, **mapping)


# -- dispensings: tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", FAST)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dispensing_frames())
def test_dispensing_mme_equals_the_scalar_engine(
    backend: str, case: tuple[list[dict[str, Any]], list[str], str]
) -> None:
    rows, optional, table = case
    check_dispensings(run_dispensings(backend, rows, optional, table), rows, table)


#: Strengths per N mL whose 1/N has no decimal: (drug, strength, unit, quantity, days, the exact MME/day, cdc-2022).
PER_N_ML = [
    ("hydrocodone", 7.5, "mg/15 mL", 3000.0, 1.0, 1500.0),  # was 1500.000000001 (x 0.0666666666667)
    ("hydrocodone", 7.5, "mg/15 mL", 14190.0, 1.0, 7095.0),  # was 7095.000000004
    ("hydrocodone", 5.0, "mg/15 mL", 14190.0, 1.0, 4730.0),
    ("oxycodone", 20.0, "mg/473 mL", 240.0, 10.0, 1.522198732),  # 1.52219873150...: was 1.522198731
    ("hydrocodone", 12.0, "mg/473 mL", 1800.0, 30.0, 1.522198732),
    ("morphine", 1.3, "mg/7 mL", 7000.0, 13.0, 100.0),
    ("hydromorphone", 1.0, "mg/3 mL", 90.0, 1.0, 150.0),
    ("morphine", 30.0, "mcg/3 mL", 9000.0, 1.0, 90.0),
]


@pytest.mark.parametrize("backend", FAST)
def test_a_strength_per_n_ml_is_exact(backend: str) -> None:
    rows = [dict(zip(("drug", "strength", "strength_unit", "quantity", "days_supply"), c[:5], strict=True)) | {"id": i}
            for i, c in enumerate(PER_N_ML)]  # fmt: skip
    got = [r["mme_per_day"] for r in by_id(run_dispensings(backend, rows, [], "cdc-2022"))]
    scalar = [mme.dispensing_mme(d, f"{s} {u}", quantity=q, days_supply=n).mme_per_day for d, s, u, q, n, _ in PER_N_ML]
    assert got == scalar == [c[5] for c in PER_N_ML]


def _tiered_rows() -> list[tuple[str, str | None, list[Decimal]]]:
    """Every shipped table's tiered rows: the table, its variant and the daily doses where its factor changes (and
    where a warning starts)."""
    tiered = []
    for info in mme.list_tables():
        for row in resolve_table(info.slug).rows:
            if isinstance(row, FactorRow) and row.tiers:
                edges = [t.upto for t in row.tiers if t.upto is not None]
                tiered.append((info.slug, row.variant, [*edges, *([row.warn_above] if row.warn_above else [])]))
    return tiered


TIERED = _tiered_rows()
#: Strength units and the mL they are per: mg per 5, 10 or 15 mL is not a binary fraction per mL (12/5 = 2.4).
LIQUIDS = {"mg/5 mL": 5, "mg/10 mL": 10, "mg/15 mL": 15, "mg/mL": 1, "mg": 1}


@st.composite
def tier_edge_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str, str | None]:
    """Methadone dispensings whose daily dose is a tier edge of a shipped table, or a step of the last decimal
    given away from it."""
    table, variant, edges = draw(st.sampled_from(TIERED))
    rows = []
    for i in range(draw(st.integers(1, 20))):
        unit = draw(st.sampled_from(sorted(LIQUIDS)))
        strength = Decimal(draw(st.integers(1, 300))) / draw(st.sampled_from([1, 2, 10]))
        days = draw(st.integers(1, 90))
        places = draw(st.integers(0, 3))
        quantity = (draw(st.sampled_from(edges)) * days * LIQUIDS[unit] / strength).quantize(Decimal(1).scaleb(-places))
        quantity += draw(st.sampled_from([0, 0, 1, -1])) * Decimal(1).scaleb(-places)
        row = {
            "strength": float(strength),
            "strength_unit": unit,
            "quantity": float(quantity),
            "days_supply": float(days),
        }
        rows.append({"id": i, "drug": "methadone"} | row)
    assert TIERED, "the shipped tables tier methadone"
    return rows, table, variant


@pytest.mark.parametrize("backend", FAST)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tier_edge_frames())
def test_the_tier_at_its_edge_is_the_scalar_engines(
    backend: str, case: tuple[list[dict[str, Any]], str, str | None]
) -> None:
    """The tier is chosen by the daily dose the engine reports: 12 mg/5 mL x 25 mL / 3 days is 20 mg/day (tier
    1-20), though in binary 12 / 5 x 25 / 3 is 20.000000000000004."""
    rows, table, variant = case
    check_dispensings(run_dispensings(backend, rows, [], table, variant=variant), rows, table, variant)


@pytest.mark.parametrize("backend", FAST)
def test_the_tier_is_chosen_by_the_reported_daily_dose_on_every_path(backend: str) -> None:
    """methadone.md's rule: 20.0000000004 mg/day is reported as 20 and tiered (0, 20] -> 4 under cdc-2016, as every
    path reports it; 20.000000001 is in (20, 40] -> 8."""
    doses = [("20.0000000004", 4, 80.000000002), ("20.0000000005", 4, 80.000000002), ("20.000000001", 8, 160.000000008)]
    rows = [{"id": i, "drug": "methadone", "strength": float(d), "strength_unit": "mg", "quantity": 1.0,
             "days_supply": 1.0} for i, (d, _, _) in enumerate(doses)]  # fmt: skip
    got = [(r["mme_factor"], r["mme_per_day"]) for r in by_id(run_dispensings(backend, rows, [], "cdc-2016"))]
    scalar = [
        mme.dispensing_mme("methadone", f"{d} mg", quantity=1, days_supply=1, table="cdc-2016") for d, _, _ in doses
    ]
    assert got == [(float(r.factor or 0), r.mme_per_day) for r in scalar] == [(f, m) for _, f, m in doses]


#: float32 values whose widened float is not the number written (3.3 is 3.2999999523), and one whose exact value is
#: short enough that a backend may print it rather than the shortest text (52.867188 is 52.8671875 exactly).
FLOAT32 = [3.3, 0.3, 2.2, 0.1, 52.867188, 12.5, 1e-45]


@st.composite
def float32_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str]:
    """Dispensings whose numbers are float32 columns (a Parquet float, DuckDB's REAL)."""

    def number(low: float) -> st.SearchStrategy[float]:
        return st.one_of(st.sampled_from(FLOAT32), st.floats(low, 1000, width=32), st.integers(1, 500).map(float))

    row = st.fixed_dictionaries({
        "drug": st.sampled_from(["oxycodone", "hydromorphone", "tramadol", "codeine", "methadone", "fentanyl"]),
        "strength": number(0.0625), "strength_unit": st.sampled_from(["mg", "mg/5 mL", "mcg/h"]),
        "quantity": number(0.5), "days_supply": st.one_of(st.sampled_from([1.0, 3.0, 11.0, 30.0]), number(1)),
    })  # fmt: skip
    rows = draw(st.lists(row, min_size=1, max_size=20))
    return [{"id": i} | r for i, r in enumerate(rows)], draw(st.sampled_from(TABLES))


@pytest.mark.parametrize("backend", FAST)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=float32_frames())
def test_a_float32_column_is_read_as_its_shortest_text(backend: str, case: tuple[list[dict[str, Any]], str]) -> None:
    """A float32 cell is the number its text shows (np.float32(3.3) is 3.3), as a text cell would be: oxycodone 3.3 mg x
    200 / 11 days is 90 MME/day, not 89.9999987 (the float32 widened), under the threshold."""
    import numpy as np

    rows, table = case
    numbers = ("strength", "quantity", "days_supply")
    arrays = {c: pa.array([r[c] for r in rows], pa.float32() if c in numbers else COLUMN_TYPES[c]) for c in rows[0]}
    result = frames.dispensing_mme(make(backend, pa.table(arrays)), table=table)
    written = [r | {c: float(str(np.float32(r[c]))) for c in numbers} for r in rows]
    check_dispensings(result, written, table)


#: The backends that hold float16 columns (DuckDB and Spark have none).
HALF = ["pandas", "polars", "polars-lazy", "pyarrow"]
NUMBERS = ("strength", "quantity", "days_supply")


@pytest.mark.parametrize("backend", HALF)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=float32_frames(), widths=st.fixed_dictionaries({c: st.sampled_from([16, 32]) for c in NUMBERS}))
def test_a_float16_column_is_read_as_its_shortest_text(
    backend: str, case: tuple[list[dict[str, Any]], str], widths: dict[str, int]
) -> None:
    """A float16 cell is the number its text shows, as a float32 cell is and as `mme.dispensing_mme` reads a NumPy
    float16: morphine 0.1 mg x 900 / 1 day is 90 MME/day, not the 89.978 of the 0.0999755859375 stored."""
    import numpy as np

    rows, table = case
    kinds = {16: (pa.float16(), np.float16), 32: (pa.float32(), np.float32)}
    arrays = {
        c: pa.array([kinds[widths[c]][1](r[c]) for r in rows], kinds[widths[c]][0]) if c in NUMBERS
        else pa.array([r[c] for r in rows], COLUMN_TYPES[c])
        for c in rows[0]
    }  # fmt: skip
    result = frames.dispensing_mme(make(backend, pa.table(arrays)), table=table)
    written = [r | {c: float(str(kinds[widths[c]][1](r[c]))) for c in NUMBERS} for r in rows]
    check_dispensings(result, written, table)


@pytest.mark.parametrize("backend", [*HALF, "dask"])
def test_a_float16_strength_is_read_as_written_by_summarize(backend: str) -> None:
    """The patient's highest MME/day is 90.0, at the threshold, as the scalar engine gives it for "0.1 mg"."""
    import numpy as np

    table = pa.table({"patient_id": ["p"], "fill_date": [START], "drug": ["morphine"],
                      "strength": pa.array(np.array([0.1], np.float16)), "strength_unit": ["mg"],
                      "quantity": [900], "days_supply": [1]})  # fmt: skip
    got = rows_of(frames.summarize(make(backend, table), start=START, end=START, table="cdc-2022"))
    scalar = mme.summarize([Dispensing(patient_id="p", fill_date=START, drug="morphine", strength="0.1 mg",
                                       quantity=900, days_supply=1)], start=START, end=START, table="cdc-2022")  # fmt: skip
    assert [r["max_daily_mme"] for r in got] == [scalar.max_daily_mme] == [90.0]


def test_every_float16_reads_as_numpy_writes_it() -> None:
    """The frames' table of float16 texts is NumPy's shortest text, which the scalar engine reads, for each of them."""
    import numpy as np

    binary, written = _rows._halves_as_written()
    halves = np.array(binary, np.float16)
    assert len(set(binary)) == len(binary) == 2 * 31743
    assert halves.astype(np.float64).tolist() == binary
    assert written == [float(str(h)) for h in halves]


@pytest.mark.parametrize("backend", ["polars", "polars-lazy", "pandas"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dispensing_frames())
def test_key_codes_equal_the_generic_join(backend: str, case: tuple[list[dict[str, Any]], list[str], str]) -> None:
    """Polars' and pandas' own paths (key codes, gathered attributes) and the join every other backend uses agree,
    cell by cell."""
    rows, optional, table = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rows, "_on_polars", lambda *_: None)  # pandas' own path, not its rows handed to Polars
        fast = rows_of(run_dispensings(backend, rows, optional, table))
        patch.setattr(_rows, "_fast_attributes", lambda *_: None)
        generic = rows_of(run_dispensings(backend, rows, optional, table))
    assert fast == generic


@st.composite
def scaled_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str], str]:
    """Dispensings whose strengths, quantities and days supplies are each one scale (1e-330 .. 1e307) of everyday
    values, now and then an invalid one: near and past the ranges where a frame's checks can be left out."""
    edges = st.sampled_from([-323, -320, -308, -300, -220, -150, -90, -12, -9, 0, 90, 150, 220, 300, 307])
    scales = {
        c: 10.0 ** draw(st.one_of(edges, st.integers(-330, 307))) for c in ("strength", "quantity", "days_supply")
    }
    invalid = st.sampled_from([0.0, -1.0, NAN, None, math.inf, 1e308, 1e-320])
    numbers: dict[str, st.SearchStrategy[Any]] = {}
    for c, scale in scales.items():
        everyday = st.sampled_from([v * scale for v in (0.5, 1.0, 2.5, 7.0, 30.0, 90.0)])
        numbers[c] = st.one_of(everyday, invalid) if draw(st.booleans()) else everyday
    fields = {"drug": st.sampled_from(DRUGS), "strength_unit": st.sampled_from(UNITS), **numbers}
    rows = draw(st.lists(st.fixed_dictionaries(fields), min_size=1, max_size=8))
    for i, row in enumerate(rows):
        row["id"] = i
    return rows, [], draw(st.sampled_from(TABLES))


@pytest.mark.parametrize("backend", RANGED)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scaled_frames())
def test_checks_left_out_by_a_frames_ranges_change_no_row(
    backend: str, case: tuple[list[dict[str, Any]], list[str], str]
) -> None:
    """An eager Polars frame's and a DuckDB relation's numbers are read once for their ranges, and the checks no row
    can fail are left out (`_rows._ranges`): the rows equal those with every check."""
    rows, optional, table = case
    bounded = by_id(run_dispensings(backend, rows, optional, table))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rows, "_ranges", lambda *_: None)
        assert bounded == by_id(run_dispensings(backend, rows, optional, table))


@pytest.mark.parametrize(
    "row",
    [
        ("oxycodone", 10.0, "mg", 30.0, 7e-308),  # the daily amount overflows
        ("oxycodone", 10.0, "mg", 30.0, math.inf),  # an invalid days supply, every other number positive
        ("oxycodone", 1e200, "mg", 1e200, 1e300),  # strength x quantity overflows, the daily amount not
        ("oxycodone", 1e-321, "mcg", 30.0, 10.0),  # the strength leaves the floats once in mg
        ("oxycodone", 1e-12, "mg", 1.0, 30.0),  # the daily amount rounds to 0
        ("oxycodone", 10.0, "mg", 30.0, 1e-12),  # the days supply rounds to 0, the daily amount not
        ("tramadol", 2e-9, "mg", 1.0, 1.0),  # the MME/day rounds to 0 (a factor of 0.2), the daily amount not
        ("hydromorphone", 4e-10, "mg", 1.0, 1.0),  # the daily amount rounds to 0, the MME/day not (a factor of 5)
        (
            "oxycodone",
            4141656.805,
            "mg",
            1.0,
            1.0,
        ),  # an MME/day too large to round (6,212,485.2075000005), not the amount
    ],
)
@pytest.mark.parametrize("backend", RANGED)
def test_a_frame_near_the_ends_of_the_float_range_keeps_its_checks(backend: str, row: tuple[Any, ...]) -> None:
    """The checks a frame's ranges leave out (`_rows._ranges`) are kept where its row can fail them, alone and
    beside an everyday row; each as the scalar engine says, and bit for bit as with every check."""
    names = ("drug", "strength", "strength_unit", "quantity", "days_supply")
    everyday = ("oxycodone", 10.0, "mg", 30.0, 10.0)
    for frame in ([row], [row, everyday]):
        rows = [dict(zip(names, r, strict=True)) | {"id": i} for i, r in enumerate(frame)]
        bounded = run_dispensings(backend, rows, [], "cdc-2022")
        check_dispensings(bounded, rows, "cdc-2022")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_rows, "_ranges", lambda *_: None)
            assert by_id(bounded) == by_id(run_dispensings(backend, rows, [], "cdc-2022"))


@pytest.mark.parametrize(("backend", "fallback"), [("polars", "_MAX_TEXT_KEYS"), ("pandas", "_arrow_strings")])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dispensing_frames())
def test_texts_by_key_and_mask_equal_the_texts_per_row(
    backend: str, fallback: str, case: tuple[list[dict[str, Any]], list[str], str]
) -> None:
    """The texts built once per key and owed parts (Polars up to `_MAX_TEXT_KEYS` keys; pandas with Arrow strings)
    equal the texts joined on every row, which the fast paths fall back to."""
    from mme.frames import _lookup

    rows, optional, table = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rows, "_on_polars", lambda *_: None)  # pandas' own path
        by_key = rows_of(run_dispensings(backend, rows, optional, table))
        patch.setattr(_lookup, fallback, 0 if fallback == "_MAX_TEXT_KEYS" else lambda: False)
        per_row = rows_of(run_dispensings(backend, rows, optional, table))
    assert by_key == per_row


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dispensing_frames(), outputs=st.sets(st.sampled_from(frames.DISPENSING_COLUMNS), min_size=1))
def test_pandas_rows_on_polars_equal_pandas_on_its_own(
    case: tuple[list[dict[str, Any]], list[str], str], outputs: set[str]
) -> None:
    """pandas' rows handed to Polars come back as pandas computes them, value by value and type by type, in the
    frame's order and with its index."""
    import pandas as pd

    rows, optional, table = case
    native = make("pandas", arrow_table(rows, ["id", "drug", "strength", "strength_unit", "quantity", "days_supply",
                                               *optional]))  # fmt: skip
    native.index = pd.Index([f"r{i}" for i in reversed(range(len(native)))])
    mapping: dict[str, Any] = {c: c for c in optional}
    assert _rows._on_polars(nw.from_native(native), _keys._Columns("drug", "strength", "strength_unit", "quantity",
                            "days_supply", **mapping), dict(nw.from_native(native).collect_schema())) is not None  # fmt: skip
    on_polars = frames.dispensing_mme(native, table=table, outputs=sorted(outputs), **mapping)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rows, "_on_polars", lambda *_: None)
        on_pandas = frames.dispensing_mme(native, table=table, outputs=sorted(outputs), **mapping)
    pd.testing.assert_frame_equal(on_polars, on_pandas)


def test_pandas_columns_polars_would_read_otherwise_stay_on_pandas() -> None:
    """Numbers in pandas' nullable types (NaN and null apart) and values of other types are not handed to Polars."""
    import pandas as pd

    columns = _keys._Columns("drug", "strength", "strength_unit", "quantity", "days_supply")
    base = {"drug": ["oxycodone"], "strength": [10.0], "strength_unit": ["mg"], "quantity": [60], "days_supply": [30.0]}

    def on_polars(**changed: Any) -> bool:
        frame = nw.from_native(pd.DataFrame(base | changed))
        return _rows._on_polars(frame, columns, dict(frame.collect_schema())) is not None

    assert on_polars()
    assert not on_polars(quantity=pd.array([60.0], dtype="Float64"))
    assert not on_polars(strength=pd.Series([10.0], dtype=object))
    assert not on_polars(drug=pd.Series(["oxycodone"], dtype="category"))
    assert not on_polars(days_supply=[True])


def test_dispensing_mme_on_dask() -> None:
    pytest.importorskip("dask.dataframe")
    rng = random.Random(20240501)
    for table in ("cdc-2016", "cdc-ndc-2018"):  # methadone tiers; dispensed-patch factors
        rows = random_rows(rng, 300, ["form", "route", "package_ml"])
        check_dispensings(run_dispensings("dask", rows, ["form", "route", "package_ml"], table), rows, table)


@pytest.mark.slow
def test_dispensing_mme_on_pyspark(spark: Any) -> None:
    rows = random_rows(random.Random(20240502), 600, ["form", "route", "package_ml"])
    check_dispensings(run_dispensings("pyspark", rows, ["form", "route", "package_ml"], "cdc-2016", spark), rows,
                      "cdc-2016")  # fmt: skip


@pytest.mark.slow
def test_a_float32_column_on_pyspark_is_refused(spark: Any) -> None:
    """Spark's text of a float32 is not always its shortest (3.0298216e13 came back as 30298215500000, 2,177 of
    39,930 float32 values, one of 20,000 with at most 3 decimals): it cannot be read as written."""
    table = pa.table({"drug": ["oxycodone"], "strength": pa.array([3.3], pa.float32()), "strength_unit": ["mg"],
                      "quantity": [200.0], "days_supply": pa.array([11.0], pa.float32())})  # fmt: skip
    with pytest.raises(mme.ColumnError, match=r"^column\(s\) 'strength', 'days_supply' hold float32 numbers"):
        frames.dispensing_mme(make("pyspark", table, spark))


@pytest.mark.parametrize("backend", ["pandas", "polars", "polars-lazy", "pyarrow"])
def test_frames_come_back_in_their_type_and_order(backend: str) -> None:
    # many rows for few keys, shuffled: a hash join would hand them back grouped by key
    rows = random_rows(random.Random(7), 20_000, [])
    random.Random(8).shuffle(rows)
    native = make(backend, arrow_table(rows, ["id", "drug", "strength", "strength_unit", "quantity", "days_supply"]))
    out = frames.dispensing_mme(native)
    assert type(out) is type(native)
    assert [r["id"] for r in rows_of(out)] == [r["id"] for r in rows]
    names = list(nw.from_native(out).collect_schema())
    assert names[: len(names) - 6] == list(nw.from_native(native).collect_schema())
    assert names[-6:] == ["mme_per_day", "mme_factor", "mme_days_supply", "mme_excluded", "mme_error", "mme_warning"]


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("pyspark", marks=pytest.mark.slow)])
def test_unordered_backends_keep_the_column_that_restores_the_order(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """DuckDB and Spark have no row order: the frame's own columns (here an id) come back, to sort by."""
    rows = random_rows(random.Random(7), 5_000, [])
    random.Random(8).shuffle(rows)
    spark = request.getfixturevalue("spark") if backend == "pyspark" else None
    native = make(backend, arrow_table(rows, ["id", "drug", "strength", "strength_unit", "quantity", "days_supply"]),
                  spark)  # fmt: skip
    got = by_id(frames.dispensing_mme(native))
    assert [r["id"] for r in got] == sorted(r["id"] for r in rows)
    given = {r["id"]: r for r in rows}
    assert all(r["drug"] == given[r["id"]]["drug"] for r in got)


@pytest.mark.parametrize("backend", FAST)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dispensing_frames(), outputs=st.lists(st.sampled_from(frames.DISPENSING_COLUMNS), min_size=1, unique=True))
def test_fewer_outputs_give_the_same_values(
    backend: str, case: tuple[list[dict[str, Any]], list[str], str], outputs: list[str]
) -> None:
    rows, optional, table = case
    columns = ["id", "drug", "strength", "strength_unit", "quantity", "days_supply", *optional]
    native = make(backend, arrow_table(rows, columns))
    mapping: dict[str, Any] = {c: c for c in optional}
    out = frames.dispensing_mme(native, table=table, outputs=outputs, **mapping)
    assert list(nw.from_native(out).collect_schema()) == [*columns, *outputs]
    got = {r["id"]: r for r in rows_of(out)}
    for row in rows:
        want, have = expected(row, table), got[row["id"]]
        for c in outputs:
            same = close(have[c], want[c]) if c in frames.DISPENSING_COLUMNS[:3] else have[c] == want[c]
            assert same, f"{c}: {have[c]} != {want[c]} ({table}: {row})"


def test_outputs_must_be_result_columns() -> None:
    import polars as pl

    claims = pl.DataFrame({"drug": ["oxycodone"], "strength": [10.0], "strength_unit": ["mg"], "quantity": [60],
                           "days_supply": [30], "mme_error": ["from an earlier run"]})  # fmt: skip
    out = frames.dispensing_mme(claims, outputs="mme_per_day")
    assert out.columns == [*claims.columns, "mme_per_day"]  # the other result columns are left alone
    assert out["mme_per_day"].to_list() == [30.0]
    regimens = pl.DataFrame({"drug": ["oxycodone"], "dose": [5.0], "dose_unit": ["mg"], "per_day": [4.0]})
    assert frames.daily_mme(regimens, outputs=["mme_factor", "mme_per_day"]).row(0) == ("oxycodone", 5.0, "mg", 4.0,
                                                                                         1.5, 30.0)  # fmt: skip
    for bad in ([], ["mme_days_supply"], ["mme_per_day", "dose"]):
        with pytest.raises(mme.ColumnError, match=r"^outputs must name one or more of mme_per_day, mme_factor"):
            frames.daily_mme(regimens, outputs=bad)


# One row per warning the engine gives, and one with two: each warning's rule, word for word.
SLIP_PER_DAY = "fentanyl patches are labelled per hour; this rate was written per day (mcg/day) and read as delivered"
NASAL_ONLY = "no route given: read as nasal, the only route cdc-ndc-2018 has for butorphanol: give the route"
WARNED_ROWS = [
    ("fentanyl", 25.0, "mcg/day", 10.0, 30.0, None, "cdc-2022", f"{SLIP_PER_DAY} per day: did you mean per hour?"),
    ("fentanyl", 2.0, "mg/h", 10.0, 30.0, None, "cdc-2022",
     "fentanyl is dosed in mcg here; mg/h was given: did you mean mcg?"),
    ("oxycodone", 10.0, "mcg", 120.0, 30.0, None, "cdc-2022",
     "oxycodone is dosed in mg here; mcg was given, under 0.1 mg: did you mean mg?"),
    ("butorphanol", 10.0, "mg/mL", 1.0, 30.0, None, "cdc-ndc-2018",
     f"{NASAL_ONLY} | the quantity, read as mL, is a whole number under 1 mL a day: if it counts bottles, as claims for "
     "sprays and liquids sometimes do, give package_ml (mL per bottle)"),
    ("butorphanol", 10.0, "mg/mL", 1.0, 30.0, 2.5, "cdc-ndc-2018", NASAL_ONLY),  # the bottle's mL given: no bottles
    ("fentanyl", 25.0, "mcg/h", 10.0, 28.0, None, "cms-2018",
     "days supply replaced by patches x 3 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)"),
    ("buprenorphine", 10.0, "mcg/h", 4.0, 30.0, None, "cdc-2022",  # excluded, and still replaced
     "days supply replaced by patches x 7 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)"),
    ("methadone", 30.0, "mg", 90.0, 30.0, None, "cdc-2016",
     "the daily amount is above 80 mg/day, where the source defines no factor; its last tier (12) was applied"),
    ("morphine", 10.0, "g", 100.0, 1.0, None, "anzca-2021",
     "no route given: read as oral; anzca-2021 also has morphine by intramuscular, intravenous, subcutaneous: "
     "give the route to choose | morphine is dosed in mg here; g was given, 1,000 mg a day or more: did you mean "
     "mg? | the result is above 10,000 MME/day, which is implausible: check the unit (mcg typed as mg?) and the "
     "amounts"),
    ("oxycodone", 10.0, "mg", 120.0, 30.0, None, "cdc-2022", None),
    ("oxycodone", 10.0, "mcg", 0.0, 30.0, None, "cdc-2022", None),  # a failed row has no warnings
]  # fmt: skip


def _scalar_per_day(cell: object) -> tuple[float | None, str | None]:
    """MME/day and error of oxycodone 10 mg at ``per_day=cell`` under CDC 2022, as `mme.daily_mme` gives them."""
    try:
        return mme.daily_mme("oxycodone", (10.0, "mg"), per_day=cell, table="cdc-2022").mme_per_day, None  # type: ignore[arg-type]
    except mme.MMEError as exc:
        return None, str(exc)


@pytest.mark.parametrize("backend", FAST)
def test_a_per_day_column_of_numbers_as_text_or_of_true_false_reads_as_the_engine(backend: str) -> None:
    """A text per_day column (a CSV read as text) said "unknown frequency '4': use a number" for 4; a true/false
    column "how often is the dose taken?", where `mme.daily_mme(per_day=True)` says it must be a number."""
    for cells, kind in ((["4", " 5 ", "1e0", "bid", "-1", "x", None], pa.string()), ([True, False], pa.bool_())):
        n = len(cells)
        regimens = pa.table({"id": list(range(n)), "drug": ["oxycodone"] * n, "dose": [10.0] * n,
                             "dose_unit": ["mg"] * n, "per_day": pa.array(cells, kind)})  # fmt: skip
        out = by_id(frames.daily_mme(make(backend, regimens), table="cdc-2022"))
        assert [(r["mme_per_day"], r["mme_error"]) for r in out] == [_scalar_per_day(c) for c in cells]
    assert _scalar_per_day("4") == (60.0, None)
    assert _scalar_per_day(True) == (None, "per_day must be a number, not True")


@pytest.mark.parametrize("backend", FAST)
def test_every_warning_of_the_engine_is_in_mme_warning(backend: str) -> None:
    """Each warning the engine owes a row, as `mme.dispensing_mme` words it, in its order, joined by " | "."""
    for drug, strength, unit, quantity, days, package, table, want in WARNED_ROWS:
        row = {"id": 0, "drug": drug, "strength": strength, "strength_unit": unit, "quantity": quantity,
               "days_supply": days, "package_ml": package}  # fmt: skip
        native = make(backend, arrow_table([row], [*row]))
        (have,) = rows_of(frames.dispensing_mme(native, table=table, package_ml="package_ml"))
        assert have["mme_warning"] == want, (drug, unit, table)
        assert want == expected(row, table)["mme_warning"]  # the scalar engine's, word for word
    regimens = pa.table({"id": [0, 1], "drug": ["fentanyl", "oxycodone"], "dose": [25.0, 10.0],
                         "dose_unit": ["mcg/day", "mg"], "per_day": pa.array([None, 4.0], pa.float64())})  # fmt: skip
    out = by_id(frames.daily_mme(make(backend, regimens), table="cdc-2022"))
    assert [r["mme_warning"] for r in out] == [WARNED_ROWS[0][-1], None]


@pytest.mark.parametrize("backend", FAST)
def test_a_patch_changed_out_of_step_with_its_wear_is_warned_as_the_engine_does(backend: str) -> None:
    """`mme._engine.patch_changed` on the rows whose frequency is not one change per wear period, by number or code."""
    doses = [("fentanyl", 25.0, "mcg/h"), ("fentanyl", 25.0, "mcg/h"), ("fentanyl", 25.0, "mcg/h"),
             ("fentanyl", 25.0, "mcg/h"), ("oxycodone", 10.0, "mg")]  # fmt: skip
    for per_day in ([3.0, 1 / 3, 1 / 7, None, 4.0], ["tid", "qd", "qd", None, "qid"]):
        regimens = pa.table({"id": range(len(doses)), "drug": [d for d, _, _ in doses], "dose": [x for _, x, _ in doses],
                             "dose_unit": [u for _, _, u in doses], "per_day": per_day})  # fmt: skip
        have = [r["mme_warning"] for r in by_id(frames.daily_mme(make(backend, regimens), table="cdc-2022"))]
        want = [
            " | ".join(mme.daily_mme(d, f"{x} {u}", per_day=n, table="cdc-2022").warnings) or None
            for (d, x, u), n in zip(doses, per_day, strict=True)
        ]
        assert have == want
        assert sum(w is not None and w.startswith("patch changed") for w in want) == 2 + isinstance(per_day[0], str)


# Text that SQL quoting could break (the DuckDB lookup is a VALUES list), and two keys that were one when the
# lookup joined a key's parts with a separator ("oxycodone\u241f" + "mg", "oxycodone" + "\u241fmg").
AWKWARD = ["Oxycodone's", "it''s", "back\\slash", "new\nline", "tab\t", "'; DROP TABLE claims; --", "\u00e9\u4e2d",
           "oxycodone\u241f", "\u241fmg"]  # fmt: skip


@pytest.mark.parametrize("backend", FAST)
def test_any_text_in_a_key_is_read_as_written(backend: str) -> None:
    drugs, units = ["oxycodone", "buprenorphine", *AWKWARD], ["mg", "mcg/h", *AWKWARD]
    rows = [
        {"id": i, "drug": d, "strength": 10.0, "strength_unit": u, "quantity": 30.0, "days_supply": 10.0}
        for i, (d, u) in enumerate((d, u) for d in drugs for u in units)
    ]
    check_dispensings(run_dispensings(backend, rows, [], "cdc-2022"), rows, "cdc-2022")


@pytest.mark.parametrize("backend", FAST)
def test_an_empty_frame_gets_the_result_columns(backend: str) -> None:
    columns = ["id", "drug", "strength", "strength_unit", "quantity", "days_supply"]
    out = frames.dispensing_mme(make(backend, arrow_table([], columns)))
    assert rows_of(out) == []
    assert list(nw.from_native(out).collect_schema()) == [*columns, *frames.DISPENSING_COLUMNS]


@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_key_codes_that_would_not_fit_in_int64_take_the_join(backend: str) -> None:
    """The key columns' code sizes multiply; past int64 the codes would wrap and name the wrong key."""
    from mme.frames import _lookup

    rows = random_rows(random.Random(11), 200, ["form", "route", "release"])
    optional = ["form", "route", "release"]
    native = make(backend, arrow_table(rows, ["id", "drug", "strength", "strength_unit", "quantity", "days_supply",
                                              *optional]))  # fmt: skip
    keys = _keys._dispensing_keys(_keys._Columns("drug", "strength", "strength_unit", "quantity", "days_supply",
                                                 "form", "route", "release"),
                                  dict(nw.from_native(native).collect_schema()), mme.get_table("cdc-2022"), None, None)  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_lookup, "_MAX_COMBINED", 100)  # fewer than this frame's combinations
        assert _lookup._fast_attributes(nw.from_native(native), keys, _lookup._Need()) is None
        check_dispensings(run_dispensings(backend, rows, optional, "cdc-2022"), rows, "cdc-2022")
    assert _lookup._fast_attributes(nw.from_native(native), keys, _lookup._Need()) is not None


def test_pandas_keys_of_other_values_and_any_index() -> None:
    """pandas' own path takes text keys; other values in an object column are read as text, as by the join;
    the frame's index is kept."""
    import pandas as pd

    rows = {"drug": ["oxycodone", "5", None, "fentanyl", "morphine"], "strength": [10.0, 10.0, 10.0, 25.0, 30.0],
            "strength_unit": ["mg", "mg", "mg", "mcg/h", "mg"], "quantity": [30.0, 30.0, 30.0, 10.0, 60.0],
            "days_supply": [10.0, 10.0, 10.0, 30.0, 30.0]}  # fmt: skip
    index = pd.Index([7, 3, 3, -1, 0])
    text = frames.dispensing_mme(pd.DataFrame(rows, index=index))
    mixed = frames.dispensing_mme(pd.DataFrame(rows | {"drug": ["oxycodone", 5, None, "fentanyl", "morphine"]}))
    assert list(text.index) == list(index)
    assert [{c: r[c] for c in frames.DISPENSING_COLUMNS} for r in rows_of(text)] == [
        {c: r[c] for c in frames.DISPENSING_COLUMNS} for r in rows_of(mixed)
    ]
    assert [r["mme_per_day"] for r in rows_of(text)] == [45.0, None, None, 60.0, 60.0]


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb"])
def test_lazy_frames_stay_lazy(backend: str) -> None:
    rows = random_rows(random.Random(9), 20, [])
    native = make(backend, arrow_table(rows, ["id", "drug", "strength", "strength_unit", "quantity", "days_supply"]))
    out = frames.dispensing_mme(native)
    assert type(out) is type(native)


def test_a_duckdb_relation_that_gains_a_key_after_the_call_stops_rather_than_borrow_another_keys() -> None:
    """A relation is a query, run again when read: a row whose key was not in the data when its keys were read
    would get the attributes that were then the same for every key (here oxycodone's factor, for morphine)."""
    import duckdb

    from mme.frames import _lookup

    con = duckdb.connect()
    con.sql(
        "CREATE TABLE claims (drug VARCHAR, strength DOUBLE, strength_unit VARCHAR, quantity DOUBLE, days_supply DOUBLE)"
    )
    con.sql("INSERT INTO claims VALUES ('oxycodone', 10, 'mg', 30, 10)")
    out = frames.dispensing_mme(con.sql("SELECT * FROM claims"), outputs=["mme_per_day"])
    assert out.fetchall() == [("oxycodone", 10.0, "mg", 30.0, 10.0, 45.0)]  # 10 mg x 30 / 10 days x 1.5
    con.sql("INSERT INTO claims VALUES ('morphine', 10, 'mg', 30, 10)")
    with pytest.raises(duckdb.Error, match=re.escape(_lookup.UNREAD_KEY)):
        out.fetchall()


def test_a_duckdb_relations_null_keys_match_as_values_and_one_gained_stops_the_read() -> None:
    """DuckDB joins its text keys as they are, a null to a null (no marker written on every row): a null drug or unit,
    and a cell that holds the marker itself, give what Polars gives; a null key the data gains after the call stops
    the read with `UNREAD_KEY`, as any key it did not have."""
    import duckdb
    import polars as pl

    from mme.frames import _lookup

    con = duckdb.connect()
    con.sql(
        "CREATE TABLE claims (drug VARCHAR, strength DOUBLE, strength_unit VARCHAR, quantity DOUBLE, days_supply DOUBLE)"
    )
    rows = [("oxycodone", "mg"), (None, "mg"), ("oxycodone", None), (_schema._NULL, "mg"), (None, None)]
    con.sql(
        "INSERT INTO claims VALUES " + ", ".join("(?, 10, ?, 30, 10)" for _ in rows),
        params=[v for r in rows for v in r],
    )
    out = frames.dispensing_mme(con.sql("SELECT * FROM claims"))
    names = ["drug", "strength", "strength_unit", "quantity", "days_supply"]
    polars = frames.dispensing_mme(
        pl.DataFrame([(d, 10.0, u, 30.0, 10.0) for d, u in rows], schema=names, orient="row")
    )
    assert sorted(out.fetchall(), key=repr) == sorted(polars.rows(), key=repr)
    assert sum(row[5] == 45.0 for row in polars.rows()) == 1  # 10 mg x 30 / 10 days x 1.5; the others fail
    con.sql("DELETE FROM claims WHERE drug IS NULL")
    read = frames.dispensing_mme(con.sql("SELECT * FROM claims"), outputs=["mme_per_day"])
    con.sql("INSERT INTO claims VALUES (NULL, 10, 'mg', 30, 10)")
    with pytest.raises(duckdb.Error, match=re.escape(_lookup.UNREAD_KEY)):
        read.fetchall()


@pytest.mark.parametrize(
    ("gained", "outputs"),
    [
        ("('oxycodone', 10, 'mg', 3000, 10)", ["mme_per_day"]),  # beyond the quantities read: the overflow check
        ("('oxycodone', 10, 'mg', 30, 1e-307)", ["mme_per_day"]),  # below the days supplies: the overflow check
        ("('oxycodone', 1e-12, 'mg', 30, 10)", ["mme_per_day"]),  # below the strengths: the check of a 0 result
        ("('oxycodone', -10, 'mg', 30, 10)", list(frames.DISPENSING_COLUMNS)),  # invalid, where none was
        ("('oxycodone', NULL, 'mg', 30, 10)", list(frames.DISPENSING_COLUMNS)),
        ("('oxycodone', 10, 'mg', 30, 'NaN')", list(frames.DISPENSING_COLUMNS)),
    ],
)
def test_a_duckdb_relation_that_gains_a_number_beyond_its_ranges_stops_rather_than_skip_its_checks(
    gained: str, outputs: list[str]
) -> None:
    """A relation is a query, run again when read: a row whose numbers were not within those read for its ranges
    (`_rows._ranges`) would skip the checks no row could then fail (an invalid number: a negative MME/day)."""
    import duckdb

    from mme.frames import _lookup

    con = duckdb.connect()
    con.sql(
        "CREATE TABLE claims (drug VARCHAR, strength DOUBLE, strength_unit VARCHAR, quantity DOUBLE, days_supply DOUBLE)"
    )
    con.sql("INSERT INTO claims VALUES ('oxycodone', 10, 'mg', 30, 10), ('oxycodone', 5, 'mg', 20, 20)")
    out = frames.dispensing_mme(con.sql("SELECT * FROM claims"), outputs=outputs)
    assert [row[5] for row in out.fetchall()] == [45.0, 7.5]  # 10 mg x 30 / 10 days x 1.5; 5 x 20 / 20 x 1.5
    con.sql(f"INSERT INTO claims VALUES {gained}")
    with pytest.raises(duckdb.Error, match=re.escape(_lookup.UNREAD_NUMBER)):
        out.fetchall()


_NUMBERS = st.sampled_from([None, NAN, math.inf, -math.inf, 0.0, -2.0, 1e-300, 0.5, 3.0, 1e300])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), _NUMBERS, _NUMBERS), max_size=10))
def test_a_duckdb_relations_keys_read_with_its_ranges_give_the_ranges_of_every_row(
    rows: list[tuple[str | None, float | None, float | None]],
) -> None:
    """DuckDB reads the distinct keys in the pass that reads the numbers' ranges, grouped by the keys (`_rows._bounds`):
    the ranges merged from the groups are those read over every row (NaN, which DuckDB orders above every number,
    included), and the keys are the distinct ones. Whether every value is valid is what Polars reads, which looks
    for NaN where DuckDB sees it in the greatest value."""
    import duckdb
    import polars as pl

    table = pa.table(
        {"k": [r[0] for r in rows], "x": [r[1] for r in rows], "y": [r[2] for r in rows]},
        pa.schema([("k", pa.string()), ("x", pa.float64()), ("y", pa.float64())]),
    )
    frame = nw.from_native(duckdb.connect().from_arrow(table))
    read = {"x": nw.col("x"), "y": nw.col("y")}
    grouped, keys = _rows._bounds(frame.with_columns(_keys._as_text("k", nw.String()).alias("key")), read, ["key"])
    whole, none = _rows._bounds(frame, read)

    def plain(bounds: Any) -> Any:  # NaN as text: it equals nothing, itself included
        return {w: tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in b) for w, b in bounds.items()}

    assert plain(grouped) == plain(whole)
    assert none == []
    by_polars, _ = _rows._bounds(nw.from_native(pl.from_arrow(table), eager_only=True), read)
    assert grouped is not None
    assert by_polars is not None
    assert {w: b[2] for w, b in grouped.items()} == {w: b[2] for w, b in by_polars.items()}
    assert sorted(keys, key=repr) == sorted({(_keys._unmark(k) or _schema._NULL,) for k, _, _ in rows}, key=repr)


def test_a_duckdb_relation_whose_invalid_numbers_were_read_checks_those_it_gains() -> None:
    """Where the data read had an invalid quantity, the quantity is checked on every row: one gained since is
    reported, as the scalar engine reports it; a valid one beyond those read still stops the read."""
    import duckdb

    from mme.frames import _lookup

    con = duckdb.connect()
    con.sql(
        "CREATE TABLE claims (drug VARCHAR, strength DOUBLE, strength_unit VARCHAR, quantity DOUBLE, days_supply DOUBLE)"
    )
    con.sql("INSERT INTO claims VALUES ('oxycodone', 10, 'mg', 30, 10), ('oxycodone', 10, 'mg', 0, 10)")
    out = frames.dispensing_mme(con.sql("SELECT * FROM claims"), outputs=["mme_per_day", "mme_error"])
    con.sql("INSERT INTO claims VALUES ('oxycodone', 10, 'mg', -1, 10)")
    invalid = not_positive("quantity")  # the engine's text, without the row's number
    assert [row[5:] for row in out.fetchall()] == [(45.0, None), (None, invalid), (None, invalid)]
    con.sql("INSERT INTO claims VALUES ('oxycodone', 10, 'mg', 31, 10)")
    with pytest.raises(duckdb.Error, match=re.escape(_lookup.UNREAD_NUMBER)):
        out.fetchall()


@pytest.mark.parametrize("backend", ["dask", "polars-categorical", "polars"])
def test_a_lazy_frame_read_from_a_file_that_gains_a_key_stops_rather_than_borrow_another_keys(
    backend: str, tmp_path: Path
) -> None:
    """Dask, a Polars LazyFrame on the join (its drug column is not text) and one on Polars' own path (text keys,
    coded by the keys read): a file that gains a morphine row after the call stops the read with `UNREAD_KEY`, where
    the row took oxycodone's factor (45 for 30)."""
    from mme.frames import _lookup

    path = tmp_path / "claims.csv"
    header = "drug,strength,strength_unit,quantity,days_supply\n"
    path.write_text(header + "oxycodone,10,mg,30,10\n", encoding="utf-8")
    if backend == "dask":
        dd = pytest.importorskip("dask.dataframe")
        with warnings.catch_warnings():  # narwhals: Dask support moving to a package of its own
            warnings.simplefilter("ignore", FutureWarning)
            out = frames.dispensing_mme(dd.read_csv(path, blocksize=None), outputs=["mme_per_day"])
            first = out.compute()["mme_per_day"].tolist()
    else:
        import polars as pl

        lazy = pl.scan_csv(path, schema_overrides={"drug": pl.Categorical} if backend == "polars-categorical" else None)
        out = frames.dispensing_mme(lazy, outputs=["mme_per_day"])
        first = out.collect()["mme_per_day"].to_list()
    assert first == [45.0]  # 10 mg x 30 / 10 days x 1.5
    path.write_text(header + "oxycodone,10,mg,30,10\nmorphine,10,mg,30,10\n", encoding="utf-8")
    read = out.compute if backend == "dask" else out.collect
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(mme.ColumnError if backend == "polars" else Exception, match=re.escape(_lookup.UNREAD_KEY)):
            read()


def test_a_polars_lazy_frame_whose_keys_vary_stops_with_ours_when_it_gains_a_key(tmp_path: Path) -> None:
    """Keys whose attributes differ are gathered by their codes: a key gained since has none, and the read stops
    with `UNREAD_KEY` (a `ColumnError`), not with Polars' own error about a cast."""
    import polars as pl

    from mme.frames import _lookup

    path = tmp_path / "claims.csv"
    rows = "drug,strength,strength_unit,quantity,days_supply\noxycodone,10,mg,30,10\nfentanyl,25,mcg/h,10,30\n"
    path.write_text(rows, encoding="utf-8")
    out = frames.dispensing_mme(pl.scan_csv(path), outputs=["mme_per_day"])
    assert out.collect()["mme_per_day"].to_list() == [45.0, 60.0]  # 10 x 30 / 10 x 1.5; 25 mcg/h x 2.4
    path.write_text(rows + "morphine,10,mg,30,10\n", encoding="utf-8")
    with pytest.raises(mme.ColumnError, match=re.escape(_lookup.UNREAD_KEY)):
        out.collect()


@pytest.mark.slow
def test_a_spark_frame_that_gains_a_key_after_the_call_stops_rather_than_borrow_another_keys(
    spark: Any, tmp_path: Path
) -> None:
    """The same on Spark: here the drug column reads "morphine" once a file exists, made after the call."""
    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from mme.frames import _lookup

    later = tmp_path / "later"
    drug = F.udf(lambda _: "morphine" if later.exists() else "oxycodone", T.StringType())  # no hints: a plain UDF
    claims = spark.range(1).select(drug("id").alias("drug"), F.lit(10.0).alias("strength"),
                                   F.lit("mg").alias("strength_unit"), F.lit(30.0).alias("quantity"),
                                   F.lit(10.0).alias("days_supply"))  # fmt: skip
    assert [r["mme_per_day"] for r in frames.dispensing_mme(claims, outputs=["mme_per_day"]).collect()] == [45.0]
    out = frames.dispensing_mme(claims, outputs=["mme_per_day"])  # a frame read once keeps what it read (AQE)
    later.touch()
    with pytest.raises(PySparkException, match=re.escape(_lookup.UNREAD_KEY)):
        out.collect()


def test_column_names_are_mapped_and_other_columns_kept() -> None:
    import polars as pl

    claims = pl.DataFrame({
        "rx": [1, 2, 3], "ingredient": ["oxycodone", "fentanyl", "methadone"], "str": [10.0, 25.0, 10.0],
        "uom": ["mg", "mcg/h", "mg"], "qty": [120, 10, 90], "days": [30, 30, 30], "dosage_form": [None, "patch", None],
    })  # fmt: skip
    out = frames.dispensing_mme(
        claims, table="cdc-2016", drug="ingredient", strength="str", strength_unit="uom", quantity="qty",
        days_supply="days", form="dosage_form",
    )  # fmt: skip
    assert out["rx"].to_list() == [1, 2, 3]
    assert out["mme_per_day"].to_list() == [60.0, 60.0, 240.0]  # methadone 30 mg/day: tier 21-40 mg -> 8
    assert out["mme_factor"].to_list() == [1.5, 2.4, 8.0]


def test_text_strengths_integer_columns_and_missing_values() -> None:
    import pandas as pd

    df = pd.DataFrame({
        "drug": ["oxycodone", "Norco", "fentanyl", None, "oxycodone", "morphine"],
        "strength": ["10 mg", "5 mg", "25 mcg/h", "5 mg", "ten mg", None],
        "quantity": [120, 20, 10, 10, 10, 10],
        "days_supply": [30, 5, 30, 10, 10, 10],
    })  # fmt: skip
    out = frames.dispensing_mme(df, strength_unit=None)
    assert out["mme_per_day"].tolist()[:3] == [60.0, 20.0, 60.0]
    assert out["mme_error"].tolist()[3] == "drug is missing"
    with pytest.raises(mme.UnitError) as scalar:
        mme.dispensing_mme("oxycodone", "ten mg", quantity=10, days_supply=10)
    assert out["mme_error"].tolist()[4] == str(scalar.value)
    assert out["mme_error"].tolist()[5] == "strength is missing"


def test_missing_columns_and_reserved_names_are_refused() -> None:
    import polars as pl

    with pytest.raises(mme.ColumnError, match=r"^column\(s\) 'quantity' not in the frame") as missing:
        frames.dispensing_mme(
            pl.DataFrame({"drug": ["x"], "strength": [1.0], "strength_unit": ["mg"], "days_supply": [1]})
        )
    bad = pl.DataFrame({"drug": ["x"], "strength": [1.0], "strength_unit": ["mg"], "quantity": [1], "days_supply": [1],
                        "__mme_daily": [1]})  # fmt: skip
    assert isinstance(missing.value, KeyError)  # as before: `except KeyError` still catches it
    with pytest.raises(mme.ColumnError, match=r"^column names starting with '__mme_' are reserved: \['__mme_daily'\]"):
        frames.dispensing_mme(bad)
    with pytest.raises(mme.UnknownTableError, match=r"^unknown table 'no-such-table'; available: anzca-2014"):
        frames.dispensing_mme(bad.drop("__mme_daily"), table="no-such-table")


@pytest.mark.parametrize("backend", ["pandas", "pyarrow"])
def test_a_frame_that_names_a_column_twice_is_refused(backend: str) -> None:
    """pandas and PyArrow let a frame name a column twice (a concat, a join); narwhals' DuplicateError, which is no
    `mme.MMEError`, went through to the caller. It is a `ColumnError` naming the column, as a file's header is."""
    import pandas as pd

    names = ["patient_id", "fill_date", "drug", "note", "note", "strength", "strength_unit", "quantity", "days_supply"]
    cells = ["p1", "2024-01-01", "oxycodone", "a", "b", 10.0, "mg", 120, 30]
    table = pa.table([pa.array([cell]) for cell in cells], names=names)
    frame = table if backend == "pyarrow" else pd.DataFrame([cells], columns=names)
    said = "^the column 'note' appears 2 times in the frame: rename or remove all but one$"
    with pytest.raises(mme.ColumnError, match=said):
        frames.dispensing_mme(frame)
    with pytest.raises(mme.ColumnError, match=said):
        frames.summarize(frame, start=date(2024, 1, 1), end=date(2024, 1, 31))
    with pytest.raises(mme.ColumnError, match=said):
        frames.daily_mme(frame, dose="strength", dose_unit="strength_unit", per_day="quantity")


@pytest.mark.parametrize("column", ["drug", "strength", "quantity"])
def test_a_polars_column_of_python_objects_is_refused(column: str) -> None:
    """A Polars column of dtype Object (Python objects) stopped the run with Polars' ComputeError ("cannot cast
    'Object' type"), which is no `mme.MMEError`; it is a `ColumnError` naming the column, as lists or bytes are."""
    import polars as pl

    data: dict[str, Any] = {"drug": ["oxycodone"], "strength": [10.0], "strength_unit": ["mg"], "quantity": [120],
                            "days_supply": [30]}  # fmt: skip
    data[column] = pl.Series(column, [data[column][0]], dtype=pl.Object)
    with pytest.raises(mme.ColumnError, match=f"^column '{column}' holds Object: mme reads a value from numbers or"):
        frames.dispensing_mme(pl.DataFrame(data))


def test_a_table_named_as_a_shipped_one_with_other_numbers_is_refused(tmp_path: Path) -> None:
    """A frame's rows cannot name a shipped table while using other numbers (then be added to its results): a
    `mme.Table` or file with a shipped slug and other content is refused, as the scalar engine refuses it."""
    import polars as pl

    shipped = mme.get_table("cdc-2022")
    changed = shipped.model_copy(
        update={"rows": tuple(r.model_copy(update={"factor": Decimal(2)}) for r in shipped.rows)}
    )
    fills = pl.DataFrame({"drug": ["oxycodone"], "strength": [10.0], "strength_unit": ["mg"], "quantity": [60],
                          "days_supply": [30]})  # fmt: skip
    regimens = pl.DataFrame({"drug": ["oxycodone"], "dose": ["10 mg"], "per_day": [2]})
    file = tmp_path / "cdc-2022.toml"
    file.write_bytes((_tables_folder() / "cdc-2022.toml").read_bytes().replace(b'"1.5"', b'"2"'))
    for table in (changed, file):
        with pytest.raises(mme.TableError, match="'cdc-2022' is the slug of a shipped table"):
            frames.dispensing_mme(fills, table=table)
        with pytest.raises(mme.TableError, match="'cdc-2022' is the slug of a shipped table"):
            frames.daily_mme(regimens, dose_unit=None, table=table)
    assert frames.dispensing_mme(fills, table=shipped.model_copy())["mme_per_day"].to_list() == [30.0]


def test_a_missing_column_is_said_in_the_keywords_of_the_function_called() -> None:
    """daily_mme's said "(drug=..., strength=..., quantity=...)": it has neither; a text dose needs dose_unit=None."""
    import polars as pl

    regimens = pl.DataFrame({"drug": ["oxycodone"], "dose": ["10 mg"], "per_day": [4]})
    with pytest.raises(mme.ColumnError, match=r"^column\(s\) 'dose_unit' not in the frame") as missing:
        frames.daily_mme(regimens)
    assert str(missing.value).endswith("(drug=..., dose=..., dose_unit=..., per_day=...; dose_unit=None for a dose "
                                       "column of text such as '10 mg')")  # fmt: skip
    assert frames.daily_mme(regimens, dose_unit=None)["mme_per_day"].to_list() == [60.0]
    with pytest.raises(mme.ColumnError, match=r"\(drug=\.\.\., strength=\.\.\., quantity=\.\.\.\)$"):
        frames.dispensing_mme(regimens)


def test_variant_applies_to_every_row() -> None:
    cms = mme.get_table("cms-2018")
    variants = sorted({r.variant for r in cms.rows if r.variant})
    assert variants, "cms-2018 prints methadone variants"
    rows = random_rows(random.Random(11), 120, [])
    rows += [{"id": 1000 + i, "drug": "methadone", "strength": s, "strength_unit": "mg", "quantity": 90.0,
              "days_supply": 30.0} for i, s in enumerate([2.5, 5.0, 10.0, 30.0])]  # fmt: skip
    for variant in [None, *variants]:
        out = run_dispensings("polars", rows, [], "cms-2018", variant=variant)
        check_dispensings(out, rows, "cms-2018", variant)


# -- NDC ------------------------------------------------------------------------------------------------------

NDC_CSV = """\
NDC,NDC_Numeric,PRODNME,GENNME,Master_Form,Class,Drug,LongShortActing,DEAClassCode,Strength_Per_Unit,UOM,MME_Conversion_Factor
00093690045,93690045,FENTANYL TRANSDERMAL SYSTEM,Fentanyl,"Patch, Extended Release",Opioid,Fentanyl LA,LA,2,25,MCG/HR,7.2
00093002401,93002401,OXYCODONE HCL,Oxycodone Hydrochloride,"Tablet, Extended Release",Opioid,Oxycodone LA,LA,2,10,MG,1.5
00054017613,54017613,BUPRENORPHINE HYDROCHLORIDE,Buprenorphine Hydrochloride,Tablet,Opioid,Buprenorphine,LA,3,2,MG,
00406052362,406052362,METHADONE HCL,Methadone Hydrochloride,Tablet,Opioid,Methadone,LA,2,10,MG,3
12496019001,12496019001,PROBUPHINE,Buprenorphine Hydrochloride,Implant,Opioid,Buprenorphine,LA,3,,MG,
35356060504,35356060504,BUTRANS,Buprenorphine,"Patch, Extended Release",Opioid,Buprenorphine,LA,3,10,MCG/HR,42
"""


# -- exact results, bad cells, overflow: on every backend ------------------------------------------------------

ALL = [*FAST, "dask", pytest.param("pyspark", marks=pytest.mark.slow)]


def run_on(backend: str, data: pa.Table, request: pytest.FixtureRequest, **options: Any) -> list[dict[str, Any]]:
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    spark = request.getfixturevalue("spark") if backend == "pyspark" else None
    return by_id(frames.dispensing_mme(make(backend, data, spark), **options))


@pytest.mark.parametrize("backend", ALL)
def test_results_are_exact_decimals_rounded_half_to_even(backend: str, request: pytest.FixtureRequest) -> None:
    """0.0375 mg/h x 2.4 was 89.99999999999999 (below the 90 MME/day threshold); 0.1 mg x 3 x 1.5 was
    0.45000000000000007. 1 mg / 1024 days is 0.0009765625 exactly, a tie at the 9th place: half to even
    gives 0.000976562 (PyArrow's, DuckDB's and Spark's own round give ...563)."""
    cases = [  # drug, strength, unit, quantity, days supply, the exact decimal result rounded half to even
        ("fentanyl", 0.0375, "mg/h", 10.0, 30.0, "90"),
        ("oxycodone", 0.1, "mg", 3.0, 1.0, "0.45"),
        ("morphine", 1.0, "mg", 1.0, 1024.0, "0.000976562"),
        ("morphine", 3.0, "mg", 1.0, 1024.0, "0.002929688"),  # 0.0029296875: to even is up
        ("oxycodone", 0.5, "mg", 1.0, 7.0, "0.107142857"),  # 0.10714285714...: a division the float gets close to
    ]
    table = pa.table({
        "id": list(range(len(cases))), "drug": [c[0] for c in cases], "strength": [c[1] for c in cases],
        "strength_unit": [c[2] for c in cases], "quantity": [c[3] for c in cases], "days_supply": [c[4] for c in cases],
    })  # fmt: skip
    got = [r["mme_per_day"] for r in run_on(backend, table, request, table="cdc-2022")]
    assert got == [float(c[5]) for c in cases]


@pytest.mark.parametrize("backend", ALL)
def test_an_integer_beyond_2_to_the_53_is_its_nearest_float(backend: str, request: pytest.FixtureRequest) -> None:
    """A quantity of 2**53 + 1 (or 2**62) tablets is read as the nearest float, as the scalar engine reads it, and
    warned implausible: PyArrow's cast refused it and stopped the run with its own error."""
    quantities = [2**53 + 1, 2**62, -(2**63), 60]
    table = pa.table({"id": list(range(4)), "drug": ["oxycodone"] * 4, "strength": [10] * 4,
                      "strength_unit": ["mg"] * 4, "quantity": pa.array(quantities, pa.int64()),
                      "days_supply": pa.array([30, 30, 30, 2**53 + 1], pa.int64())})  # fmt: skip
    got = [(r["mme_per_day"], r["mme_error"]) for r in run_on(backend, table, request, table="cdc-2022")]
    want: list[tuple[float | None, str | None]] = []
    for quantity, days in ((2**53 + 1, 30), (2**62, 30), (-(2**63), 30), (60, 2**53 + 1)):
        try:
            result = mme.dispensing_mme("oxycodone", "10 mg", quantity=quantity, days_supply=days)
            want.append((result.mme_per_day, None))
        except mme.MMEError as error:
            want.append((None, str(error)))
    assert got == want
    assert want[0][0] == 2**53 * 10 * 1.5 / 30


# amounts to round: any float, ties at the 9th place (k + 0.5) / 1e9, near and far from the cut-off, and amounts
# with 9 places (k / 1e9, which a multiplication by 1e-9 can miss by a bit)
ROUNDED = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.integers(-(10**16), 10**16).map(lambda k: (k + 0.5) / 1e9),
    st.integers(-(10**12), 10**12).map(lambda k: k / 1e9),
    st.floats(min_value=-2 * _rows._ROUNDED_BELOW, max_value=2 * _rows._ROUNDED_BELOW),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ROUNDED, min_size=1, max_size=50))
@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_a_backend_that_rounds_to_even_rounds_as_the_generic_expression(backend: str, xs: list[float]) -> None:
    """Polars and pandas round by their own ``round`` (one pass); the generic arithmetic is the reference."""
    native = nw.from_native(make(backend, pa.table({"x": pa.array(xs, pa.float64())})), eager_only=True)
    x = nw.col("x")
    got = native.select(_rows._round(x, native.implementation).alias("own"), _rows._round(x).alias("generic"))
    for own, generic in got.iter_rows():
        assert own == generic or (math.isnan(own) and math.isnan(generic)), (own, generic)


@settings(max_examples=200, deadline=None)
@given(st.lists(ROUNDED, min_size=1, max_size=50))
@pytest.mark.parametrize("backend", ["duckdb", "pyarrow"])
def test_the_generic_rounding_rounds_as_polars_on_the_backends_that_use_it(backend: str, xs: list[float]) -> None:
    """The generic arithmetic, evaluated by DuckDB (in its own form: a division by a literal) and PyArrow, rounds as
    Polars' own ``round``; so does its form for numbers known never to be negative (no condition per row), on those
    numbers."""
    import polars as pl

    x = nw.col("x")
    reference = pl.DataFrame({"x": xs}, schema={"x": pl.Float64})
    expected = nw.from_native(reference).select(_rows._round(x, nw.Implementation.POLARS))["x"].to_list()
    native = nw.from_native(make(backend, pa.table({"x": pa.array(xs, pa.float64())})))
    own = native.implementation
    got = native.lazy().select(
        _rows._round(x, own).alias("any"), _rows._round(x, own, nonnegative=True).alias("nonnegative")
    )
    for value, want, (any_sign, nonnegative) in zip(xs, expected, got.collect().iter_rows(), strict=True):
        same = [want == r or (math.isnan(want) and math.isnan(r)) for r in (any_sign, nonnegative)]
        assert same[0], (value, want, any_sign)
        assert same[1] or value < 0, (value, want, nonnegative)


BAD_CELLS = ["ten", "", "   ", "-1", "0", "nan", "NaN", "inf", "-inf", "1e400", "1,000", "1_0", "\u0661\u0660", None]
GOOD_CELLS = {"10": 10.0, " 10 ": 10.0, "1e1": 10.0, "10.": 10.0, "+10.0": 10.0}


@pytest.mark.parametrize("backend", ALL)
def test_a_bad_cell_never_stops_the_batch(backend: str, request: pytest.FixtureRequest) -> None:
    """Text in a numeric column: each bad cell fails its row with a reason (was: a cast error for the whole run)."""
    cells = [*BAD_CELLS, *GOOD_CELLS]
    n = len(cells)
    for column in ("strength", "quantity", "days_supply"):
        values = {"strength": ["10"] * n, "quantity": ["3"] * n, "days_supply": ["1"] * n} | {column: cells}
        table = pa.table({"id": list(range(n)), "drug": ["oxycodone"] * n, "strength_unit": ["mg"] * n, **values})
        rows = run_on(backend, table, request)
        expect = dict.fromkeys(BAD_CELLS, None) | {
            text: mme.dispensing_mme("oxycodone", (v if column == "strength" else 10.0, "mg"),
                                     quantity=v if column == "quantity" else 3.0,
                                     days_supply=v if column == "days_supply" else 1.0).mme_per_day
            for text, v in GOOD_CELLS.items()
        }  # fmt: skip
        assert [r["mme_per_day"] for r in rows] == [expect[c] for c in cells], column
        errors = [r["mme_error"] for r in rows]
        assert errors == [f"{column} must be a positive finite number"] * len(BAD_CELLS) + [None] * len(GOOD_CELLS)


@pytest.mark.parametrize("backend", ALL)
def test_a_package_size_that_is_no_number_fails_its_row(backend: str, request: pytest.FixtureRequest) -> None:
    """Text in the package_ml column that is no number ("2,5" with a decimal comma, "abc", "nan") was read as no
    package size given: one 2.5 mL bottle of butorphanol 10 mg/mL over 30 days gave 2.333333333 MME/day (the quantity
    read as 1 mL: 10 x 1 / 30 x 7) where the bottle is 5.833333333 (10 x 2.5 / 30 x 7, CDC's example). It fails its
    row, as such text does in the strength, quantity or days supply; a blank cell or a null is no package size."""
    given = ["2,5", "abc", "nan", "1,000", "-2.5", "0"]
    blank = ["", "   ", None]
    cells = [*given, *blank, "2.5", " 2.5 ", "25e-1"]
    n = len(cells)
    table = pa.table({
        "id": list(range(n)), "drug": ["butorphanol"] * n, "strength": [10.0] * n, "strength_unit": ["mg/mL"] * n,
        "route": ["nasal"] * n, "quantity": [1.0] * n, "days_supply": [30.0] * n, "package_ml": cells,
    })  # fmt: skip
    rows = run_on(backend, table, request, table="cdc-ndc-2018", route="route", package_ml="package_ml")
    # butorphanol, cdc-ndc-2018: 7 per mg; 10 mg/mL x 1 mL / 30 days x 7 = 2.333333333, x 2.5 mL = 5.833333333
    assert [r["mme_per_day"] for r in rows] == [None] * len(given) + [2.333333333] * len(blank) + [5.833333333] * 3
    errors = [r["mme_error"] for r in rows]
    assert errors == ["package_ml must be a positive finite number"] * len(given) + [None] * (n - len(given))


OVERFLOWS = [  # drug, strength, unit, quantity, days supply: each finite, the result not
    ("morphine", 1e308, "mg", 1e308, 30.0),
    ("morphine", 10.0, "mg", 30.0, 1e-320),
    ("oxycodone", 1.5e308, "mg", 1.0, 1.0),  # x 1.5
    ("fentanyl", 25.0, "mcg/h", 1e308, 30.0),  # days supply: 1e308 patches x 3 days
    ("methadone", 1e308, "mg", 10.0, 30.0),  # the last tier
]


@pytest.mark.parametrize("backend", ALL)
@pytest.mark.filterwarnings("ignore::mme.ImplausibleDoseWarning")
def test_a_result_that_overflows_fails_its_row(backend: str, request: pytest.FixtureRequest) -> None:
    """Was inf (strength 1e308 x quantity 1e308; days supply 1e-320), where the scalar engine raises."""
    table = pa.table({
        "id": list(range(len(OVERFLOWS) + 1)), "drug": [c[0] for c in OVERFLOWS] + ["oxycodone"],
        "strength": [c[1] for c in OVERFLOWS] + [10.0], "strength_unit": [c[2] for c in OVERFLOWS] + ["mg"],
        "quantity": [c[3] for c in OVERFLOWS] + [30.0], "days_supply": [c[4] for c in OVERFLOWS] + [10.0],
    })  # fmt: skip
    rows = run_on(backend, table, request, table="cdc-2016")
    assert [r["mme_error"] for r in rows] == [OVERFLOW] * len(OVERFLOWS) + [None]
    assert [r["mme_per_day"] for r in rows] == [None] * len(OVERFLOWS) + [45.0]
    assert all(r["mme_days_supply"] is None and r["mme_factor"] is None for r in rows[:-1])
    lean = run_on(backend, table, request, table="cdc-2016", outputs=["mme_per_day"])  # the same check without
    assert [r["mme_per_day"] for r in lean] == [r["mme_per_day"] for r in rows]  # the days supply column
    for drug, strength, unit, quantity, days in OVERFLOWS[:3]:  # the scalar engine refuses them alike
        with pytest.raises(mme.DoseError, match="overflows"):
            mme.dispensing_mme(drug, (strength, unit), quantity=quantity, days_supply=days, table="cdc-2016")


@pytest.mark.parametrize("backend", ALL)
def test_a_finite_result_whose_product_overflows_is_not_an_overflow(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Was "overflows": 2.5 mg x 1e308 overflows, but / 3 days x 1.5 is 1.25e308 MME/day, as the exact engine says.
    10 mcg x 1e-320 loses digits below the normal float range before / 1e-320 days (it was 0.014822134 MME/day,
    not 0.015), and so did 1e-320 mcg read as 1e-323 mg: their daily amounts, read exactly, neither overflow nor
    round to 0, so each row fails only where the engine does, on its days supply, which rounds to 0."""
    cases = [(2.5, "mg", 1e308, 3.0), (10.0, "mcg", 1e-320, 1e-320), (1e-320, "mcg", 10.0, 1e-320)]
    table = pa.table({"id": [0, 1, 2], "drug": ["oxycodone"] * 3, "strength": [c[0] for c in cases],
                      "strength_unit": [c[1] for c in cases], "quantity": [c[2] for c in cases],
                      "days_supply": [c[3] for c in cases]})  # fmt: skip
    rows = run_on(backend, table, request, table="anzca-2014")
    for row, (strength, unit, quantity, days) in zip(rows, cases, strict=True):
        if days < 1e-9:
            with pytest.raises(mme.DoseError, match=re.escape(DAYS_ROUND_TO_ZERO)):
                mme.dispensing_mme("oxycodone", (strength, unit), quantity=quantity, days_supply=days)
            assert row["mme_error"] == DAYS_ROUND_TO_ZERO
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)  # implausible, and said so by the scalar engine
            want = mme.dispensing_mme("oxycodone", (strength, unit), quantity=quantity, days_supply=days,
                                      table="anzca-2014")  # fmt: skip
        assert row["mme_error"] is None
        assert same(row["mme_per_day"], exact_dispensing(row, want))


@pytest.mark.parametrize("backend", ALL)
def test_an_excluded_drug_whose_daily_amount_overflows_fails_its_row(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Was excluded with no error: the scalar engine reads the daily amount (inf) before the exclusion."""
    table = pa.table({"id": [0, 1], "drug": ["buprenorphine", "Butrans"], "strength": [1e308, 5.0],
                      "strength_unit": ["mg", "mcg/h"], "quantity": [1e308, 1e308], "days_supply": [1.0, 7.0]})  # fmt: skip
    rows = run_on(backend, table, request, table="cdc-ndc-2018")
    assert [r["mme_error"] for r in rows] == [OVERFLOW, OVERFLOW]
    assert [r["mme_excluded"] for r in rows] == [None, None]
    for r in rows:
        assert expected(r, "cdc-ndc-2018")["mme_error"] == OVERFLOW


@pytest.mark.parametrize("backend", ALL)
def test_a_result_that_rounds_to_0_fails_its_row(backend: str, request: pytest.FixtureRequest) -> None:
    """Was 0.0 MME/day (10 mg x 1e-320 / 10 days): the scalar engine refuses a result that rounds to 0."""
    table = pa.table({"id": [0, 1], "drug": ["oxycodone", "buprenorphine"], "strength": [10.0, 1e-300],
                      "strength_unit": ["mg", "mg"], "quantity": [1e-320, 1.0], "days_supply": [10.0, 1.0]})  # fmt: skip
    rows = run_on(backend, table, request, table="cdc-ndc-2018")
    zero = "the result rounds to 0 at 9 decimals: no dose is that small, check the unit"
    assert [(r["mme_per_day"], r["mme_error"], r["mme_excluded"]) for r in rows] == [(None, zero, None)] * 2
    assert all(expected(r, "cdc-ndc-2018")["mme_error"] == zero for r in rows)


@pytest.mark.parametrize("backend", ALL)
def test_a_days_supply_that_rounds_to_0_fails_its_row(backend: str, request: pytest.FixtureRequest) -> None:
    """Was a result of 0.0 days: a days supply given, or of patches (count x wear days), that rounds to 0 at 9 places
    fails its row after the amounts' own checks, as in the scalar engine (a daily amount that rounds to 0 first)."""
    table = pa.table({"id": [0, 1, 2, 3], "drug": ["oxycodone", "fentanyl", "oxycodone", "oxycodone"],
                      "strength": [10.0, 25.0, 1e-300, 10.0], "strength_unit": ["mg", "mcg/h", "mg", "mg"],
                      "quantity": [1.0, 1e-12, 1.0, 1.0], "days_supply": [1e-12, 30.0, 1e-12, 6e-10]})  # fmt: skip
    rows = run_on(backend, table, request, table="cdc-ndc-2018")
    assert [r["mme_error"] for r in rows] == [DAYS_ROUND_TO_ZERO, DAYS_ROUND_TO_ZERO, ROUNDS_TO_ZERO, None]
    assert rows[3]["mme_days_supply"] == 1e-9  # 6e-10 days: the least that does not round to 0
    assert [expected(r, "cdc-ndc-2018")["mme_error"] for r in rows] == [r["mme_error"] for r in rows]
    with pytest.raises(mme.DoseError, match="the days supply rounds to 0 at 9 decimals"):
        mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=1e-12, days_supply=30, table="cdc-ndc-2018")


def test_a_summary_adds_each_fills_exact_mme_per_day_as_the_engine_does() -> None:
    """Found by hypothesis: 50 mg x 1 / 7 days of oxycodone is 75/7 MME/day (10.714285714 rounded), 75 MME over its
    7 days, and over a 44-day window 75/44 = 1.7045454545... MME a day: 1.704545455 on both paths. Summing the
    rounded MME/day gave 74.999999998 MME, and a tie (1.7045454545) that float64 holds on either side of it."""
    rows = [{"patient_id": "p", "fill_date": date(2024, 1, 1), "drug": "oxycodone", "strength": 50.0,
             "strength_unit": "mg", "form": None, "quantity": 1.0, "days_supply": 7.0}]  # fmt: skip
    end = date(2024, 2, 13)
    want = expected_summaries(rows, end, "cdc-2022", False, False, "propagate")["p"]
    have = rows_of(run_summary("polars", rows, end, "cdc-2022", False, False))[0]
    assert (want["total_mme"], want["mme_per_window_day"]) == (75.0, 1.704545455)
    assert (have["total_mme"], have["mme_per_window_day"]) == (75.0, 1.704545455)


TEXT_CELLS = [
    "10",
    "2.5",
    "0.0375",
    " 5 ",
    "1e308",
    "1e-320",
    "ten",
    "",
    "-1",
    "0",
    "nan",
    "inf",
    None,
    "+5",
    ".5",
    "5.",
    "1e400",
    "Infinity",
    "-inf",
    "NaN",
    "1,000",
    "7 ",
]


@pytest.mark.parametrize("backend", FAST)
def test_an_exact_tie_in_the_10th_decimal_is_within_one_unit_of_the_engines_even_rounding(backend: str) -> None:
    """0.0375 mcg x 2.5 / 10 days of tramadol (cdc-ndc-2010) is exactly 9.375e-07 MME/day: the engine rounds the
    tie to even; float64 may hold 0.0375 just below it, so frames may give 9.37e-07 (`same`, researchers' page)."""
    row = {"id": 0, "drug": "tramadol", "strength": 0.0375, "strength_unit": "mcg", "quantity": 2.5,
           "days_supply": 10.0}  # fmt: skip
    want = expected(row, "cdc-ndc-2010")["mme_per_day"]
    assert want == 9.38e-07
    (have,) = rows_of(frames.dispensing_mme(make(backend, arrow_table([row], [*row])), table="cdc-ndc-2010"))
    assert have["mme_per_day"] in (9.37e-07, 9.38e-07)
    assert same(have["mme_per_day"], want)


def read_cell(cell: str | None) -> float | None:
    """A text cell as `mme.frames` reads it: a plain ASCII number, or nothing."""
    ok = cell is not None and re.fullmatch(_rows._NUMBER_TEXT, cell.strip())
    return float(cell) if ok and cell is not None else None


@pytest.mark.parametrize("backend", FAST)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.fixed_dictionaries({
    "drug": st.sampled_from(DRUGS), "strength": st.sampled_from(TEXT_CELLS), "strength_unit": st.sampled_from(UNITS),
    "quantity": st.sampled_from(TEXT_CELLS), "days_supply": st.sampled_from(TEXT_CELLS),
}), min_size=1, max_size=20), table=st.sampled_from(TABLES))  # fmt: skip
def test_text_cells_and_overflow_equal_the_scalar_engine(backend: str, rows: list[dict[str, Any]], table: str) -> None:
    """Random text cells, overflowing ones included: the frame gives what the scalar engine gives for the number
    each cell reads as (a failed row is null with the reason in both, never 0 or inf)."""
    native = make(backend, pa.table({"id": list(range(len(rows))), **{c: [r[c] for r in rows] for c in rows[0]}}))
    got = {r["id"]: r for r in rows_of(frames.dispensing_mme(native, table=table))}
    for i, row in enumerate(rows):
        numbers = row | {c: read_cell(row[c]) for c in ("quantity", "days_supply")}
        strength = read_cell(row["strength"])
        want = expected(numbers | {"strength": NAN if strength is None else strength}, table)  # NaN: as a null
        have = got[i]
        assert same(have["mme_per_day"], want["mme_per_day"]), (table, row)
        if have["mme_per_day"] is None:
            assert have["mme_error"] is not None or have["mme_excluded"] is not None, (table, row)
        else:
            assert math.isfinite(have["mme_per_day"]), (table, row)
            assert have["mme_per_day"] >= 0, (table, row)  # 0.0: below 5e-10 MME/day (1e-320 tablets), rounded
        assert have["mme_error"] == want["mme_error"], (table, row)


@pytest.fixture
def ndc_file(tmp_path: Path) -> Any:
    from mme._ndc import read_ndc_file

    path = tmp_path / "cdc_ndc.csv"
    path.write_text(NDC_CSV)
    return read_ndc_file(path)


def expected_ndc(ndc: str | None, quantity: float, days: float, ndc_file: Any, table: str | None) -> dict[str, Any]:
    none = {"mme_per_day": None, "mme_factor": None, "mme_days_supply": None, "mme_excluded": None, "mme_error": None,
            "mme_warning": None}  # fmt: skip
    if ndc is None:
        return none | {"mme_error": "NDC is missing"}
    try:
        ndc_file.lookup(ndc)
    except mme.MMEError as exc:
        return none | {"mme_error": str(exc)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            r = mme.ndc_mme(ndc, quantity=quantity, days_supply=days, ndc_file=ndc_file, table=table)
    except mme.MMEError as exc:
        return none | {"mme_error": str(exc)}
    factor = None if r.factor is None else float(r.factor)
    return none | {"mme_per_day": r.mme_per_day, "mme_factor": factor, "mme_days_supply": r.days_supply,
                   "mme_excluded": r.excluded, "mme_warning": joined(r.warnings)}  # fmt: skip


NDC_CLAIMS = [
    ("00093690045", 10.0, 30.0), ("00093-0024-01", 60.0, 30.0), ("00054017613", 30.0, 30.0),
    ("0406-0523-62", 90.0, 30.0), ("12496019001", 1.0, 180.0), ("00093690045", 0.0, 30.0),
    ("99999999999", 1.0, 1.0), ("12", 1.0, 1.0), (None, 1.0, 1.0), ("35356060504", 4.0, 28.0),
]  # fmt: skip


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
@pytest.mark.parametrize("table", [None, "cdc-2022", "cdc-ndc-2018"])
def test_ndc_claims_equal_ndc_mme(backend: str, table: str | None, ndc_file: Any) -> None:
    """Claims by NDC, as `mme.ndc_mme` reads them: the file's own factors, or a table's."""
    arrow = pa.table({
        "id": list(range(len(NDC_CLAIMS))), "ndc": pa.array([c[0] for c in NDC_CLAIMS], pa.string()),
        "quantity": [c[1] for c in NDC_CLAIMS], "days_supply": [c[2] for c in NDC_CLAIMS],
    })  # fmt: skip
    result = frames.dispensing_mme(make(backend, arrow), table=table, ndc="ndc", ndc_file=ndc_file)
    got = {r["id"]: r for r in rows_of(result)}
    for i, (ndc, quantity, days) in enumerate(NDC_CLAIMS):
        want = expected_ndc(ndc, quantity, days, ndc_file, table)
        have = got[i]
        assert have["mme_error"] == want["mme_error"], (ndc, table)
        assert have["mme_excluded"] == want["mme_excluded"], (ndc, table)
        assert have["mme_warning"] == want["mme_warning"], (ndc, table)
        for c in ("mme_per_day", "mme_days_supply", "mme_factor"):
            assert close(have[c], want[c]), (ndc, table, c)
    assert got[0]["mme_per_day"] == 60.0  # fentanyl 25 mcg/h: 25 x 7.2 / 3 (file), or 25 x 2.4 (CDC 2022)


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_an_ndc_as_a_whole_float_is_one_rule(
    backend: str, ndc_file: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A float column of NDCs (pandas' integers with nulls) was read by frames, while mme.ndc_mme(93002401.0) and
    the text 93002401.0 in mme batch were "not an NDC"; a Fraction quantity was read by frames and refused by the
    scalar functions."""
    arrow = pa.table({"id": [0, 1, 2], "ndc": pa.array([93002401.0, 93002401.5, None], pa.float64()),
                      "quantity": [60.0, 60.0, 60.0], "days_supply": [30.0, 30.0, 30.0]})  # fmt: skip
    got = by_id(frames.dispensing_mme(make(backend, arrow), ndc="ndc", ndc_file=ndc_file))
    scalar = mme.ndc_mme(93002401.0, quantity=Fraction(60), days_supply=30, ndc_file=ndc_file).mme_per_day  # type: ignore[arg-type]
    assert [r["mme_per_day"] for r in got] == [scalar, None, None] == [30.0, None, None]
    assert "not an NDC" in got[1]["mme_error"]
    src, ndc_path, dst = tmp_path / "claims.csv", tmp_path / "ndc.csv", tmp_path / "out.csv"
    src.write_text("ndc,quantity,days_supply\n93002401.0,60,30\n93002401.5,60,30\n")
    ndc_path.write_text(NDC_CSV)
    code, _, _ = cli(["batch", str(src), "-o", str(dst), "--ndc-col", "ndc", "--ndc-file", str(ndc_path)], capsys)
    import polars as pl

    assert code == 0
    assert pl.read_csv(dst)["mme_per_day"].to_list() == [30.0, None]


def test_dask_gets_narwhals_notice_once_a_call_where_it_was_made() -> None:
    """narwhals' notice that its Dask support is moving came three times a call, from mme's own lines."""
    dd = pytest.importorskip("dask.dataframe")
    table = pa.table({"patient_id": ["p"], "fill_date": [START], "drug": ["morphine"], "strength": [10.0],
                      "strength_unit": ["mg"], "quantity": [30.0], "days_supply": [10.0]})  # fmt: skip
    claims = dd.from_pandas(table.to_pandas(), npartitions=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = frames.dispensing_mme(claims).compute()
        summary = frames.summarize(frame=claims, start=START, end=date(2024, 1, 31)).compute()
    notices = [w for w in caught if issubclass(w.category, FutureWarning) and "Dask support" in str(w.message)]
    notice = _convert._dask_notice()  # None with narwhals-dask installed: then no notice at all
    assert [(w.filename, str(w.message)) for w in notices] == ([(__file__, notice)] * 2 if notice else [])
    assert (out["mme_per_day"].tolist(), summary["total_mme"].tolist()) == ([30.0], [300.0])


@pytest.mark.parametrize("backend", FAST)
def test_summarize_sorts_patients_on_every_fast_backend(backend: str) -> None:
    """A Polars LazyFrame gave its patients in another order each run (p50, p46, p45...; then p50, p49, p48...)."""
    n = 60
    ids = [f"p{(i * 37) % n:02d}" for i in range(n)]
    table = pa.table({"patient_id": ids, "fill_date": [START] * n, "drug": ["morphine"] * n, "strength": [10.0] * n,
                      "strength_unit": ["mg"] * n, "quantity": [30.0] * n, "days_supply": [10.0] * n})  # fmt: skip
    for _ in range(3):
        got = rows_of(frames.summarize(make(backend, table), start=START, end=date(2024, 1, 31)))
        assert [r["patient_id"] for r in got] == sorted(ids)


PADDED = ["p1", "p1 ", "\tp1\u3000", "\x1cp1"]  # a CHAR export pads; str.strip() trims all of these
"""One patient's four fills of oxycodone 10 mg x 60 for 30 days (30 MME/day each): 120 MME/day in all, over 90."""


def test_a_padded_patient_id_is_one_patient_on_every_path(tmp_path: Path) -> None:
    """ "p1" and "p1 " were two patients below 90 MME/day (60 each in the report) where the one patient has 120:
    an id of text is trimmed as the drug and strength cells are, by `mme.Dispensing`, `mme.frames.summarize` on
    every fast backend and `mme summarize`."""
    from mme._cli import main

    n, start, end = len(PADDED), date(2024, 1, 1), date(2024, 1, 30)
    columns = {"patient_id": PADDED, "fill_date": [start] * n, "drug": [" oxycodone "] * n, "strength": [10.0] * n,
               "strength_unit": ["mg"] * n, "quantity": [60.0] * n, "days_supply": [30.0] * n}  # fmt: skip
    fills = [mme.Dispensing(patient_id=p, fill_date=start, drug=" oxycodone ", strength="10 mg", quantity=60,
                            days_supply=30) for p in PADDED]  # fmt: skip
    assert {d.patient_id for d in fills} == {"p1"}
    scalar = mme.summarize_by_patient(fills, start=start, end=end)
    assert [(s.patient_id, s.max_daily_mme, s.reached("max_daily_mme")) for s in scalar.values()] == [
        ("p1", 120, (50, 90))
    ]
    for backend in FAST:
        got = rows_of(frames.summarize(make(backend, pa.table(columns)), start=start, end=end))
        assert [(r["patient_id"], r["max_daily_mme"]) for r in got] == [("p1", 120.0)], backend
    categorical = pa.table({**columns, "patient_id": pa.array(PADDED).dictionary_encode()})
    assert [r["patient_id"] for r in rows_of(frames.summarize(make("polars", categorical), start=start, end=end))] == [
        "p1"
    ]
    path = tmp_path / "fills.csv"
    path.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n" + "".join(
        f'"{p}",2024-01-01, oxycodone ,10,mg,60,30\n' for p in PADDED))  # fmt: skip
    out = tmp_path / "out.csv"
    assert main(["summarize", str(path), "--start", "2024-01-01", "--end", "2024-01-30", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["p1"]
    assert dict(zip(lines[0].split(","), lines[1].split(","), strict=True))["max_daily_mme"] == "120.0"
    with pytest.raises(ValidationError, match="patient_id"):  # a blank id is no id, as an empty one
        mme.Dispensing(patient_id=" ", fill_date=start, drug="oxycodone", strength="10 mg", quantity=60, days_supply=30)


def test_ndc_column_needs_the_file() -> None:
    import polars as pl

    claims = pl.DataFrame({"ndc": ["1"], "quantity": [1], "days_supply": [1], "route": ["oral"]})
    with pytest.raises(mme.ColumnError, match=r"^an ndc column needs the NDC file"):
        frames.dispensing_mme(claims, ndc="ndc")
    with pytest.raises(mme.ColumnError, match=r"^with ndc=\.\.\., drug, strength, form, route and release come from"):
        frames.dispensing_mme(claims, ndc="ndc", ndc_file=mock.Mock(), route="route")


# -- regimens -------------------------------------------------------------------------------------------------

FREQUENCIES: list[Any] = [1.0, 2.0, 3.0, 4.0, 6.0, 0.0, -2.0, None]  # NaN: pandas reads it as null
CODES = ["bid", "tid", "qid", "qd", "qhs", "BID", "twice", None]


@st.composite
def regimen_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], bool, bool, str]:
    text_codes = draw(st.booleans())
    with_count = draw(st.booleans())
    row = st.fixed_dictionaries({
        "drug": st.sampled_from(DRUGS), "dose": st.sampled_from(STRENGTHS), "dose_unit": st.sampled_from(UNITS),
        "per_day": st.sampled_from(CODES if text_codes else FREQUENCIES), "count": st.sampled_from([1.0, 2.0, 0.5, 0.0]),
        "form": st.sampled_from(FORMS),
    })  # fmt: skip
    rows = draw(st.lists(row, min_size=1, max_size=25))
    for i, r in enumerate(rows):
        r["id"] = i
    return rows, text_codes, with_count, draw(st.sampled_from(TABLES))


def expected_regimen(row: dict[str, Any], table: str, with_count: bool) -> dict[str, Any]:
    none = {"mme_per_day": None, "mme_factor": None, "mme_excluded": None, "mme_error": None, "mme_warning": None}
    if row["drug"] is None:
        return none | {"mme_error": "drug is missing"}
    dose = (cell(row["dose"]), row["dose_unit"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            r = mme.daily_mme(row["drug"], dose, per_day=row["per_day"], count=cell(row["count"]) if with_count else 1,
                              form=row["form"], table=table)  # fmt: skip
    except mme.MMEError as exc:
        return none | {"mme_error": str(exc)}
    if r.mme_per_day is not None:
        kind, num, den, _ = read_unit(row["dose_unit"])
        daily = exact(row["dose"]) * Fraction(num) / Fraction(den) * exact(row["count"] if with_count else 1.0)
        if kind != "rate":
            per_day = row["per_day"]
            daily *= exact(per_day if isinstance(per_day, float) else _per_day(per_day, None) or 1.0)
    return none | {"mme_per_day": None if r.mme_per_day is None else exact_mme(r, daily),
                   "mme_factor": None if r.factor is None else float(r.factor), "mme_excluded": r.excluded,
                   "mme_warning": joined(r.warnings)}  # fmt: skip


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=regimen_frames())
def test_daily_mme_equals_the_scalar_engine(backend: str, case: tuple[list[dict[str, Any]], bool, bool, str]) -> None:
    rows, text_codes, with_count, table = case
    native = make(backend, pa.table({
        "id": pa.array([r["id"] for r in rows], pa.int64()),
        "drug": pa.array([r["drug"] for r in rows], pa.string()),
        "dose": pa.array([r["dose"] for r in rows], pa.float64()),
        "dose_unit": pa.array([r["dose_unit"] for r in rows], pa.string()),
        "per_day": pa.array([r["per_day"] for r in rows], pa.string() if text_codes else pa.float64()),
        "count": pa.array([r["count"] for r in rows], pa.float64()),
        "form": pa.array([r["form"] for r in rows], pa.string()),
    }))  # fmt: skip
    out = {r["id"]: r for r in rows_of(frames.daily_mme(native, table=table, form="form",
                                                        count="count" if with_count else None))}  # fmt: skip
    for row in rows:
        want, have = expected_regimen(row, table, with_count), out[row["id"]]
        assert have["mme_error"] == want["mme_error"], (table, row)
        assert have["mme_excluded"] == want["mme_excluded"], (table, row)
        assert have["mme_warning"] == want["mme_warning"], (table, row)
        assert same(have["mme_per_day"], want["mme_per_day"]), (table, row, have, want)
        assert close(have["mme_factor"], want["mme_factor"]), (table, row)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=regimen_frames())
def test_pandas_regimens_on_polars_equal_pandas_on_its_own(case: tuple[list[dict[str, Any]], bool, bool, str]) -> None:
    import pandas as pd

    rows, text_codes, with_count, table = case
    native = make("pandas", pa.table({
        "drug": pa.array([r["drug"] for r in rows], pa.string()),
        "dose": pa.array([r["dose"] for r in rows], pa.float64()),
        "dose_unit": pa.array([r["dose_unit"] for r in rows], pa.string()),
        "per_day": pa.array([r["per_day"] for r in rows], pa.string() if text_codes else pa.float64()),
        "count": pa.array([r["count"] for r in rows], pa.float64()),
    }))  # fmt: skip
    count = "count" if with_count else None
    on_polars = frames.daily_mme(native, table=table, count=count)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rows, "_on_polars", lambda *_: None)
        on_pandas = frames.daily_mme(native, table=table, count=count)
    pd.testing.assert_frame_equal(on_polars, on_pandas)


@pytest.mark.parametrize("backend", ALL)
def test_a_strength_is_checked_in_the_engines_unit(backend: str, request: pytest.FixtureRequest) -> None:
    """1e308 g is no finite number of mg: the strength is refused, as the engine refuses it, even though the
    arithmetic runs in the unit given."""
    table = pa.table({"id": [0], "drug": ["oxycodone"], "strength": [1e308], "strength_unit": ["g"],
                      "quantity": [10.0], "days_supply": [10.0]})  # fmt: skip
    with pytest.raises(mme.DoseError) as refused:
        mme.dispensing_mme("oxycodone", (1e308, "g"), quantity=10.0, days_supply=10.0, table="anzca-2014")
    rows = run_on(backend, table, request, table="anzca-2014")
    assert (rows[0]["mme_error"], rows[0]["mme_per_day"]) == (str(refused.value), None)
    assert rows[0]["mme_error"] == "strength must be a positive finite number"


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_a_regimen_overflows_in_the_unit_it_was_given_as_the_engine_reads_it(backend: str) -> None:
    """Was 6.4e307 MME/day: 1e308 mcg a spray x 4 sprays overflows in mcg, where the scalar engine reads it, but
    not once read as 1e305 mg."""
    rows = [{"id": 0, "drug": "fentanyl", "dose": 1e308, "dose_unit": "mcg/spray", "per_day": 1.0, "count": 4.0,
             "form": "nasal spray"}]  # fmt: skip
    with pytest.raises(mme.DoseError, match="overflows"):
        mme.daily_mme("fentanyl", (1e308, "mcg/spray"), per_day=1.0, count=4.0, form="nasal spray",
                      table="cdc-ndc-2010")  # fmt: skip
    native = make(backend, pa.table({k: [r[k] for r in rows] for k in rows[0]}))
    out = rows_of(frames.daily_mme(native, table="cdc-ndc-2010", form="form", count="count"))
    assert out[0]["mme_per_day"] is None
    assert out[0]["mme_error"] == expected_regimen(rows[0], "cdc-ndc-2010", with_count=True)["mme_error"]


# -- summaries: pools, histories, expectations ------------------------------------------------------------------

START = date(2024, 1, 1)
HISTORY_DRUGS = ["oxycodone", "Percocet", "morphine", "methadone", "fentanyl", "buprenorphine", "Butrans", "tramadol",
                 "unobtainium", None]  # fmt: skip
HISTORY_PRODUCTS = [("mg", None), ("mg", None), ("mg", None), ("mcg/h", "patch"), ("mg", "film"), ("furlong", None),
                    ("mg/15 mL", "solution"), ("mg/473 mL", "solution"), ("mg/7 mL", None)]  # fmt: skip
HISTORY_STRENGTHS = [5.0, 10.0, 20.0, 25.0, 50.0, 0.0, NAN]
HISTORY_QUANTITIES = [1.0, 4.0, 10.0, 30.0, 60.0, 90.0, 2.5, 0.0]
HISTORY_DAYS = [1.0, 3.0, 7.0, 10.0, 14.0, 28.0, 30.0, 45.0, 2.5, 0.0]
PATIENTS = ["p1", "p2", "p3", "p4", None]


def history_row(rng: random.Random | None = None, draw: st.DrawFn | None = None) -> dict[str, Any]:
    def pick(pool: Sequence[Any]) -> Any:
        return draw(st.sampled_from(pool)) if draw else rng.choice(pool)  # type: ignore[union-attr]

    unit, form = pick(HISTORY_PRODUCTS)
    offset = pick(range(-70, 130)) if pick([True] * 9 + [False]) else None
    return {
        "patient_id": pick(PATIENTS if pick([True] * 5 + [False]) else PATIENTS[:-1]),
        "fill_date": None if offset is None else START + timedelta(days=offset),
        "drug": pick(HISTORY_DRUGS),
        "strength": pick(HISTORY_STRENGTHS),
        "strength_unit": unit,
        "form": form,
        "quantity": pick(HISTORY_QUANTITIES),
        "days_supply": pick(HISTORY_DAYS),
    }


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], date, str, bool, bool]:
    rows = [history_row(draw=draw) for _ in range(draw(st.integers(1, 30)))]
    end = START + timedelta(days=draw(st.integers(0, 100)))
    table = draw(st.sampled_from(["cdc-2022", "cdc-2016", "cdc-ndc-2018"]))
    return rows, end, table, draw(st.booleans()), draw(st.booleans())


def random_history(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = [history_row(rng) for _ in range(n)]
    for i, row in enumerate(rows):
        row["patient_id"] = row["patient_id"] and f"{row['patient_id']}-{i % 25}"
    return rows


SUMMARY_FIELDS = list(frames.SUMMARY_COLUMNS)


def frame_reason(row: dict[str, Any], table: str) -> str | None:
    """Why `mme.frames.summarize` fails a row the scalar model refuses (its checks, in its order)."""
    if row["patient_id"] is None:
        return NO_PATIENT
    if row["fill_date"] is None:
        return NO_DATE
    days = row["days_supply"]
    if not math.isnan(days) and days > 0 and not days.is_integer():
        return DAYS_SUPPLY_NOT_WHOLE
    error: str | None = expected(row, table)["mme_error"]
    return error


def in_window(row: dict[str, Any], end: date, clip: bool) -> bool:
    """Whether a failed row counts in the window: as an excluded fill, unknown date or days counting as in."""
    if row["fill_date"] is None:
        return True
    first: date = row["fill_date"]
    days: float = row["days_supply"]
    if not clip:
        return START <= first <= end
    known = days > 0 and days.is_integer()  # NaN is not
    return first <= end and (not known or first + timedelta(days=int(days)) > START)


def expected_summaries(
    rows: Sequence[dict[str, Any]], end: date, table: str, include_buprenorphine: bool, clip: bool,
    on_failed: str = "propagate",
) -> dict[str | None, dict[str, Any]]:  # fmt: skip
    """`mme.summarize` per patient over the rows its model accepts; the others fail as `frame_reason` says."""
    options = {"start": START, "end": end, "table": table, "include_buprenorphine": include_buprenorphine,
               "clip_to_window": clip, "on_failed": on_failed}  # fmt: skip
    accepted: list[Dispensing] = []
    refused: dict[str | None, list[str]] = {}
    for row in rows:
        try:
            d = Dispensing(
                patient_id=row["patient_id"], drug=row["drug"], strength=f"{row['strength']!r} {row['strength_unit']}",
                quantity=row["quantity"], days_supply=row["days_supply"], fill_date=row["fill_date"], form=row["form"],
            )  # fmt: skip
        except (ValidationError, TypeError):
            if in_window(row, end, clip):
                refused.setdefault(row["patient_id"], []).append(str(frame_reason(row, table)))
            continue
        left_out = not include_buprenorphine and _is_buprenorphine(row["drug"])  # before the strength is read
        if math.isnan(row["strength"]) and not left_out:  # the model reads the strength as text: "nan mg"
            if in_window(row, end, clip):
                refused.setdefault(row["patient_id"], []).append(str(frame_reason(row, table)))
            continue
        accepted.append(d)
    window = (end - START).days + 1
    out: dict[str | None, dict[str, Any]] = {}
    for pid in {r["patient_id"] for r in rows}:
        out[pid] = {"total_mme": 0.0, "total_days_supply": 0, "on_therapy_days": 0, "window_days": window,
                    "mme_per_days_supply": None, "mme_per_therapy_day": None, "mme_per_window_day": 0.0,
                    "max_daily_mme": 0.0, "n_dispensings": 0, "n_excluded": 0, "n_failed": 0, "failed_reason": None,
                    "excluded_reason": None}  # fmt: skip
    summaries = summarize_by_patient(accepted, **options)  # type: ignore[arg-type]
    for pid, s in summaries.items():
        out[pid] |= {c: getattr(s, c) for c in SUMMARY_FIELDS if hasattr(s, c)}
        reasons = [f.reason for f in s.failed]
        out[pid] |= {"n_excluded": len(s.excluded), "failed_reason": min(reasons, default=None),
                     "excluded_reason": min((f.reason for f in s.excluded), default=None)}  # fmt: skip
    for pid, reasons in refused.items():
        expect = out[pid]
        expect["n_failed"] += len(reasons)
        expect["failed_reason"] = min([*reasons, *([expect["failed_reason"]] if expect["failed_reason"] else [])])
        if on_failed == "propagate" or not expect["n_dispensings"]:  # dropped, with nothing else: unknown, not 0
            nulls = ("total_mme", "total_days_supply", "on_therapy_days", "mme_per_days_supply",
                     "mme_per_therapy_day", "mme_per_window_day", "max_daily_mme")  # fmt: skip
            expect |= dict.fromkeys(nulls)
    return out


def check_summaries(result: Any, rows: Sequence[dict[str, Any]], end: date, table: str, bup: bool, clip: bool,
                    on_failed: str = "propagate") -> None:  # fmt: skip
    want = expected_summaries(rows, end, table, bup, clip, on_failed)
    got = {r["patient_id"]: r for r in rows_of(result)}
    assert set(got) == set(want)
    for pid, expect in want.items():
        have = got[pid]
        for c in SUMMARY_FIELDS:
            if isinstance(expect[c], float) or expect[c] is None:  # one off in the 9th decimal at an exact tie
                assert close(have[c], expect[c]) or same(have[c], expect[c]) or (expect[c] == 0 == have[c]), (
                    pid, c, have[c], expect[c],
                )  # fmt: skip
            else:
                assert have[c] == expect[c], (pid, c, have, expect)


def history_frame(backend: str, rows: Sequence[dict[str, Any]], spark: Any = None) -> Any:
    columns = ["patient_id", "fill_date", "drug", "strength", "strength_unit", "form", "quantity", "days_supply"]
    return make(backend, arrow_table(rows, columns), spark)


def run_summary(backend: str, rows: Sequence[dict[str, Any]], end: date, table: str, bup: bool, clip: bool,
                spark: Any = None, method: str = "auto", on_failed: str = "propagate") -> Any:  # fmt: skip
    native = history_frame(backend, rows, spark)
    if method == "auto":
        return frames.summarize(
            native,
            start=START,
            end=end,
            table=table,
            include_buprenorphine=bup,
            clip_to_window=clip,
            form="form",
            on_failed=on_failed,  # type: ignore[arg-type]
        )
    columns = _keys._Columns(drug="drug", strength="strength", strength_unit="strength_unit", quantity="quantity",
                              days_supply="days_supply", form="form", extra=("patient_id", "fill_date"))  # fmt: skip
    return _summary._summarize(
        native, start=START, end=end, table=table, include_buprenorphine=bup, clip_to_window=clip,
        patient_id="patient_id", fill_date="fill_date", columns=columns, variant=None, ndc_file=None,
        method=method, on_failed=on_failed,  # type: ignore[arg-type]
    )  # fmt: skip


# -- summaries: tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["auto", "riding", "pairwise"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=histories(), on_failed=st.sampled_from(["propagate", "drop"]))
def test_summarize_equals_the_scalar_summaries(
    method: str, case: tuple[list[dict[str, Any]], date, str, bool, bool], on_failed: str
) -> None:
    """Polars, under hypothesis, with every sweep: window functions over the counted spans (Polars, pandas), the
    same with the totals riding on the starts (DuckDB, Spark), pairwise (PyArrow, Dask)."""
    rows, end, table, bup, clip = case
    result = run_summary("polars", rows, end, table, bup, clip, method=method, on_failed=on_failed)
    check_summaries(result, rows, end, table, bup, clip, on_failed)


@pytest.mark.parametrize(
    ("backend", "clip", "bup"),
    [("polars-lazy", True, True), ("pandas", False, True), ("pyarrow", True, False), ("duckdb", False, False),
     ("dask", True, False)],
)  # fmt: skip
def test_summarize_on_every_backend(backend: str, clip: bool, bup: bool) -> None:
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    rows = random_history(random.Random(f"history-{backend}"), 300)
    end = START + timedelta(days=89)
    for table in ("cdc-2016", "cdc-ndc-2018") if backend != "dask" else ("cdc-ndc-2018",):
        check_summaries(run_summary(backend, rows, end, table, bup, clip), rows, end, table, bup, clip)


@pytest.mark.parametrize("backend", ["polars", "polars-lazy", "pandas", "pyarrow", "duckdb"])
def test_a_day_of_fills_at_a_threshold_reaches_it_on_every_backend(backend: str) -> None:
    """10/3 + 10/3 + 250/3 MME/day is a day of 90 (tramadol 50 mg twice, morphine 250 mg, each over 3 days): the
    rounded MME/day (3.333333333 twice, 83.333333333) summed to 89.999999999, under the threshold, and 269.999999997."""
    rows = [{"patient_id": "p", "fill_date": START, "drug": drug, "strength": strength, "strength_unit": "mg",
             "form": None, "quantity": quantity, "days_supply": 3.0}
            for drug, strength, quantity in [("tramadol", 50.0, 1.0), ("tramadol", 50.0, 1.0), ("morphine", 10.0, 25.0)]]  # fmt: skip
    for clip in (True, False):
        [have] = rows_of(run_summary(backend, rows, START + timedelta(days=2), "cdc-2022", True, clip))
        assert (have["total_mme"], have["max_daily_mme"], have["mme_per_window_day"]) == (270.0, 90.0, 90.0)


@pytest.mark.slow
def test_summarize_on_pyspark(spark: Any) -> None:
    """Spark's optimiser ran out of memory on the summary's plan, even for three rows: a filter pushed down
    through every step inlined each column it read (and `//` repeats its operand on Spark)."""
    rows = random_history(random.Random(20240504), 60)
    end = START + timedelta(days=89)
    for clip, bup in ((True, True), (False, False)):
        check_summaries(
            run_summary("pyspark", rows, end, "cdc-2016", bup, clip, spark), rows, end, "cdc-2016", bup, clip
        )


@pytest.mark.parametrize("backend", ALL)
@pytest.mark.parametrize(("table", "bup"), [("cdc-2022", True), ("heal-2025", False)])
def test_an_excluded_patch_lies_in_time_by_patches_times_wear_days(
    backend: str, table: str, bup: bool, request: pytest.FixtureRequest
) -> None:
    """Buprenorphine patches filled 22 days before the window: 4 of 7 days cover it (an excluded fill: no MME, not 0.0),
    though 7 days were recorded; 2 do not (14 days), though 30 were; 2.5 (no whole number of days) lie by the 30."""
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    spark = request.getfixturevalue("spark") if backend == "pyspark" else None
    patch = {"fill_date": START - timedelta(days=22), "drug": "buprenorphine", "strength": 10.0,
             "strength_unit": "mcg/h", "form": None}  # fmt: skip
    rows = [patch | {"patient_id": "covers", "quantity": 4.0, "days_supply": 7.0},
            patch | {"patient_id": "ended", "quantity": 2.0, "days_supply": 30.0},
            patch | {"patient_id": "recorded", "quantity": 2.5, "days_supply": 30.0}]  # fmt: skip
    end = START + timedelta(days=4)
    result = run_summary(backend, rows, end, table, bup, clip=True, spark=spark)
    got = {r["patient_id"]: (r["total_mme"], r["n_excluded"]) for r in rows_of(result)}
    assert got == {"covers": (None, 1), "ended": (0.0, 0), "recorded": (None, 1)}
    check_summaries(result, rows, end, table, bup, clip=True)


@pytest.mark.parametrize("backend", [*FAST, "dask"])
def test_a_patient_id_column_with_no_value_fails_its_rows(backend: str) -> None:
    """Every id missing (a CSV's empty column, typed null by PyArrow and Polars): the rows fail as any row with no
    id does, on every backend; PyArrow stopped the run ("Data type null is not supported in join key field")."""
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    table = pa.table({"patient_id": pa.nulls(2), "fill_date": [START] * 2, "drug": ["morphine"] * 2,
                      "strength": [10.0] * 2, "strength_unit": ["mg"] * 2, "quantity": [30] * 2,
                      "days_supply": [30] * 2})  # fmt: skip
    got = rows_of(frames.summarize(make(backend, table), start=START, end=START, table="cdc-2022"))
    assert [(r["patient_id"], r["total_mme"], r["n_failed"], r["failed_reason"]) for r in got] == [
        (None, None, 2, NO_PATIENT)
    ]


def test_the_paper_example() -> None:
    """Dasgupta et al. 2021: oxycodone ER 30 mg bid x 30 days + IR 5 mg bid x 7 days, 90-day window."""
    import polars as pl

    fills = pl.DataFrame({
        "patient_id": ["a", "a"], "fill_date": [date(2018, 7, 1)] * 2, "drug": ["oxycodone"] * 2,
        "strength": [30.0, 5.0], "strength_unit": ["mg", "mg"], "quantity": [60, 14], "days_supply": [30, 7],
    })  # fmt: skip
    out = frames.summarize(fills, start=date(2018, 7, 1), end=date(2018, 9, 28), table="cdc-2022").row(0, named=True)
    assert round(out["mme_per_days_supply"], 1) == 75.8
    assert round(out["mme_per_therapy_day"], 1) == 93.5
    assert round(out["mme_per_window_day"], 1) == 31.2
    assert out["max_daily_mme"] == 105.0
    assert (out["on_therapy_days"], out["window_days"], out["n_dispensings"]) == (30, 90, 2)


@pytest.mark.parametrize("backend", ["polars", "polars-lazy", "pandas", "pyarrow", "duckdb"])
def test_summaries_are_the_scalar_decimals_on_every_backend(backend: str) -> None:
    """Each number rounded once, as `mme.summarize` rounds its exact sums: 43.333333333 (not ...000006) for one fill
    of 43.333333333 MME/day, 0.3 (not 0.30000000000000004) where fills of 0.1 and 0.2 MME/day overlap."""
    fill = {"fill_date": START, "form": None, "strength_unit": "mg", "quantity": 1}
    rows = [
        {**fill, "patient_id": "a", "drug": "hydromorphone", "strength": 2.0, "quantity": 13, "days_supply": 3},
        {**fill, "patient_id": "b", "drug": "tramadol", "strength": 1.0, "days_supply": 2},
        {**fill, "patient_id": "b", "drug": "tramadol", "strength": 1.0, "days_supply": 1},
    ]
    end = START + timedelta(days=2)
    got = {r["patient_id"]: r for r in rows_of(run_summary(backend, rows, end, "cdc-2022", bup=True, clip=True))}
    scalar = [{k: v for k, v in r.items() if k not in ("strength_unit", "form")} for r in rows]
    fills = [mme.Dispensing(**r | {"strength": f"{r['strength']:g} mg"}) for r in scalar]
    want = summarize_by_patient(fills, start=START, end=end)
    assert (got["a"]["mme_per_days_supply"], got["b"]["max_daily_mme"]) == (43.333333333, 0.3)
    numbers = ("total_mme", "total_days_supply", "on_therapy_days", "window_days", *RATIOS, "max_daily_mme")
    for pid, summary in want.items():
        assert {c: got[pid][c] for c in numbers} == {c: getattr(summary, c) for c in numbers}, pid


def test_summarize_reads_dates_as_text_and_objects() -> None:
    import pandas as pd

    fills = pd.DataFrame({
        "patient_id": ["a", "a", "b"], "fill_date": ["2024-01-01", "2024-01-05", None], "drug": ["morphine"] * 3,
        "strength": [10.0] * 3, "strength_unit": ["mg"] * 3, "quantity": [30] * 3, "days_supply": [10] * 3,
    })  # fmt: skip
    text = frames.summarize(fills, start=date(2024, 1, 1), end=date(2024, 1, 31))
    fills["fill_date"] = [date(2024, 1, 1), date(2024, 1, 5), None]
    objects = frames.summarize(fills, start=date(2024, 1, 1), end=date(2024, 1, 31))
    for out in (text, objects):
        assert out["patient_id"].tolist() == ["a", "b"]
        assert out["on_therapy_days"].tolist()[0] == 14
        assert out["max_daily_mme"].tolist()[0] == 60.0
        assert out[["on_therapy_days", "max_daily_mme"]].iloc[1].isna().all()  # b's only fill has no date: failed
        assert out["n_failed"].tolist() == [0, 1]
        assert out["failed_reason"].isna().tolist() == [True, False]
        assert out["failed_reason"].tolist()[1] == NO_DATE


@pytest.mark.parametrize("backend", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb", "dask"])
def test_a_bad_date_cell_fails_its_row_not_the_run(backend: str) -> None:
    """A text date that is not a YYYY-MM-DD calendar date was a cast error for the whole run (Polars)."""
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    dates = ["2024-01-01", " 2024-01-05 ", "garbage", "2023-02-29", "2024-13-01", "", "2024-02-29", "2024-04-31",
             "2024-01-01 00:00:00", "2024-01-02T23:30-05:00", "2024-01-03T10:00:00.123Z", "2024-01-01 25",
             "2024-01-01x", "01/02/2024", "2024-01-0100:00", "2024-01-01T25:00", "2024-01-01 23:60",
             "2024-01-01T10:00+24:00", "20240101", "2024-W01-1", "0000-01-01", "0000-03-01"]  # fmt: skip
    # year 0, a database's zero date (the last two), was a fill 2,024 years ago, not a failed row
    n = len(dates)
    table = pa.table({"patient_id": [f"p{i}" for i in range(n)], "fill_date": dates, "drug": ["morphine"] * n,
                      "strength": [10.0] * n, "strength_unit": ["mg"] * n, "quantity": [30.0] * n,
                      "days_supply": [10.0] * n})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START,
                                                                end=date(2024, 3, 31)))}  # fmt: skip
    good = {"p0", "p1", "p6", "p8", "p9", "p10"}  # 2024 is a leap year; 2023 is not; a time of day as exported
    assert {p for p, r in out.items() if r["n_failed"] == 0} == good
    assert all(out[p]["total_mme"] == 300.0 for p in good)
    assert all(r["failed_reason"] == NO_DATE and r["total_mme"] is None for p, r in out.items() if p not in good)
    read_by_a_dispensing = set()  # one rule: a `Dispensing` reads the same texts (hour 25 was 1 January in a frame)
    for i, text in enumerate(dates):
        with contextlib.suppress(ValidationError):
            Dispensing(patient_id=f"p{i}", drug="morphine", strength="10 mg", quantity=30, days_supply=10,
                       fill_date=text)  # fmt: skip
            read_by_a_dispensing.add(f"p{i}")
    assert read_by_a_dispensing == good


@pytest.mark.parametrize("backend", FAST)
@pytest.mark.parametrize("dates", [pa.array([20240101], pa.int64()), pa.array([19723], pa.int32()),
                                   pa.array([19723.0], pa.float64()), pa.array([True], pa.bool_())])  # fmt: skip
def test_a_fill_date_column_of_numbers_is_refused(backend: str, dates: pa.Array) -> None:
    """A number is a date only by a convention the data does not carry: 20240101 (YYYYMMDD, as claims often
    write it) was read as days since 1970, a fill in the year 57,000, outside the window: the patient's total
    was 0.0 MME with no failed fill."""
    table = pa.table({"patient_id": ["p"], "fill_date": dates, "drug": ["morphine"], "strength": [10.0],
                      "strength_unit": ["mg"], "quantity": [30.0], "days_supply": [10.0]})  # fmt: skip
    with pytest.raises(mme.ColumnError, match=r"fill_date 'fill_date' holds .*not dates.*YYYY-MM-DD"):
        frames.summarize(make(backend, table), start=START, end=date(2024, 3, 31))


@pytest.mark.parametrize("backend", FAST)
def test_a_window_of_datetimes_is_read_by_their_calendar_days_as_in_summarize(backend: str) -> None:
    """Two datetimes were read as dates here, and failed (TypeError, ValidationError) in mme.summarize; a datetime
    beside a date raised TypeError in both."""
    table = pa.table({"patient_id": ["p"], "fill_date": [START], "drug": ["morphine"], "strength": [10.0],
                      "strength_unit": ["mg"], "quantity": [30.0], "days_supply": [10.0]})  # fmt: skip
    want = rows_of(frames.summarize(make(backend, table), start=START, end=date(2024, 1, 31)))
    for start, end in [(datetime(2024, 1, 1, 23, 59), date(2024, 1, 31)),
                       (datetime(2024, 1, 1, 12, tzinfo=ZoneInfo("America/New_York")), datetime(2024, 1, 31, 8))]:  # fmt: skip
        assert rows_of(frames.summarize(make(backend, table), start=start, end=end)) == want
    assert want[0]["mme_per_window_day"] == 9.677419355  # 300 MME over the 31 days of January


@pytest.mark.parametrize("backend", FAST)
def test_a_datetime_in_a_time_zone_is_a_fill_on_its_own_calendar_day(backend: str) -> None:
    """23:30 in New York on 31 December is 04:30 UTC on 1 January: pandas read the UTC day (30 days in a window
    from 1 January) where the other backends read the day the fill was dispensed. Filled 31 December for 30
    days, the fill covers 31 December to 29 January: 29 days in the window."""
    if backend == "duckdb":
        pytest.skip("DuckDB keeps an instant, not its time zone: its days are those of the session's zone")
    moment = datetime(2023, 12, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    table = pa.table({"patient_id": ["p"], "fill_date": pa.array([moment], pa.timestamp("us", "America/New_York")),
                      "drug": ["oxycodone"], "strength": [10.0], "strength_unit": ["mg"], "quantity": [120.0],
                      "days_supply": [30.0]})  # fmt: skip
    (out,) = rows_of(frames.summarize(make(backend, table), start=START, end=date(2024, 1, 31)))
    assert (out["total_days_supply"], out["n_failed"]) == (29, 0)


@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_a_categorical_fill_date_is_read_as_its_text(backend: str) -> None:
    dates = pa.array(["2024-01-01", "2024-02-30"]).dictionary_encode()
    table = pa.table({"patient_id": ["a", "b"], "fill_date": dates, "drug": ["morphine"] * 2, "strength": [10.0] * 2,
                      "strength_unit": ["mg"] * 2, "quantity": [30.0] * 2, "days_supply": [10.0] * 2})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START, end=START))}
    assert out["a"]["total_mme"] == 30.0  # 10 mg x 30 / 10 days = 30 MME/day, one day in the window
    assert out["b"]["failed_reason"] == NO_DATE


def test_a_pandas_column_of_mixed_date_objects_is_read_cell_by_cell() -> None:
    """A spreadsheet's date column (dates, text, datetimes mixed: pandas' object) failed the run with pyarrow's
    ArrowTypeError where one cell was text, and read a number as days since 1970: an Excel serial 45292 (its
    2024-01-01) was 2094-01-03, and 5 was 1970-01-06, a fill outside the window counted as 0, not a failed row."""
    import pandas as pd

    cells = [date(2024, 1, 1), "2024-01-05", datetime(2024, 1, 3, 23, 30),
             pd.Timestamp("2024-01-04 23:30", tz="America/New_York"), 45292, 5, "garbage", None, pd.NaT, "0000-01-01"]  # fmt: skip
    n = len(cells)
    frame = pd.DataFrame({"patient_id": [f"p{i}" for i in range(n)], "fill_date": pd.Series(cells, dtype=object),
                          "drug": ["morphine"] * n, "strength": [10.0] * n, "strength_unit": ["mg"] * n,
                          "quantity": [30.0] * n, "days_supply": [10.0] * n})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(frame, start=START, end=date(2024, 3, 31)))}
    good = {"p0", "p1", "p2", "p3"}  # each 10 mg x 30 / 10 days x 1 = 30 MME/day over 10 days in the window: 300
    assert all((out[p]["total_mme"], out[p]["n_failed"]) == (300.0, 0) for p in good)
    assert all((r["total_mme"], r["failed_reason"]) == (None, NO_DATE) for p, r in out.items() if p not in good)


def test_a_pandas_column_of_mixed_ids_is_read_as_a_dispensing_reads_them() -> None:
    """Ids 101 (a number) and "101" (text) in one pandas object column raised a bare TypeError ('<' not supported
    between instances of 'str' and 'int'); mme.Dispensing reads both as the patient "101"."""
    import pandas as pd

    ids = pd.Series([101, "101", " 101", 101.0, None, True], dtype=object)
    n = len(ids)
    frame = pd.DataFrame({"patient_id": ids, "fill_date": [START] * n, "drug": ["oxycodone"] * n,
                          "strength": [10.0] * n, "strength_unit": ["mg"] * n, "quantity": [30.0] * n,
                          "days_supply": [10.0] * n})  # fmt: skip
    out = rows_of(frames.summarize(frame, start=START, end=date(2024, 1, 31)))
    # four fills of 10 mg x 30 / 10 days x 1.5 = 45 MME/day over 10 days: 450 each, 1,800 in all
    assert [(r["patient_id"], r["total_mme"], r["n_dispensings"]) for r in out if r["patient_id"] is not None] == [
        ("101", 1800.0, 4)
    ]
    missing = [r for r in out if r["patient_id"] is None]
    assert [(r["n_failed"], r["failed_reason"], r["total_mme"]) for r in missing] == [(2, NO_PATIENT, None)]


@pytest.mark.parametrize("name", ["include_buprenorphine", "clip_to_window"])
def test_summarize_refuses_a_flag_that_is_no_bool(name: str) -> None:
    """Text ("no" is true) and 1 (True): each an `ArgumentTypeError`, as in `mme.summarize`, before the frame is read."""
    table = pa.table({"patient_id": ["a"], "fill_date": [START], "drug": ["oxycodone"], "strength": [5.0],
                      "strength_unit": ["mg"], "quantity": [30.0], "days_supply": [30.0]})  # fmt: skip
    for wrong in ("no", 1):
        with pytest.raises(mme.ArgumentTypeError, match=rf"^{name} must be True or False, not "):
            frames.summarize(make("polars", table), start=START, end=date(2024, 1, 30), **{name: wrong})  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", [*FAST, "dask"])
@pytest.mark.parametrize("bup", [True, False])
def test_a_patient_whose_fills_are_all_excluded_has_no_mme_and_says_why(backend: str, bup: bool) -> None:
    """Buprenorphine alone under cdc-2022 (or left out with include_buprenorphine=False) gives no MME, with the reason,
    never a total or a maximum of 0; beside a counted fill it adds nothing; no fill in the window at all is 0."""
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    n = 4
    table = pa.table({"patient_id": ["a", "b", "b", "c"], "fill_date": [START, START, START, START + timedelta(400)],
                      "drug": ["buprenorphine", "buprenorphine", "oxycodone", "oxycodone"], "strength": [8.0, 8.0, 5.0, 5.0],
                      "strength_unit": ["mg"] * n, "quantity": [30.0] * n, "days_supply": [30.0] * n})  # fmt: skip
    result = frames.summarize(make(backend, table), start=START, end=date(2024, 1, 30), include_buprenorphine=bup)
    out = {r["patient_id"]: r for r in rows_of(result)}
    mme_values = ("total_mme", "mme_per_days_supply", "mme_per_therapy_day", "mme_per_window_day", "max_daily_mme")
    assert [out["a"][c] for c in mme_values] == [None] * 5
    assert (out["a"]["total_days_supply"], out["a"]["n_excluded"], out["a"]["failed_reason"]) == (0, 1, None)
    reason = "CDC 2022 excludes buprenorphine" if bup else "include_buprenorphine=False"
    assert reason in out["a"]["excluded_reason"]
    assert (out["b"]["total_mme"], out["b"]["max_daily_mme"], out["b"]["n_excluded"]) == (225.0, 7.5, 1)
    assert reason in out["b"]["excluded_reason"]
    assert (out["c"]["total_mme"], out["c"]["max_daily_mme"], out["c"]["excluded_reason"]) == (0.0, 0.0, None)


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_a_row_the_dispensing_model_refuses_fails_with_its_reason(backend: str) -> None:
    """What `mme.Dispensing` refuses (no patient id, no date, a fraction of a day) fails the row with the history's
    own words; the patient's totals are null, another patient's are not."""
    n = 5
    table = pa.table({"patient_id": ["a", "", "c", "d", "e"], "fill_date": [START, START, None, START, START],
                      "drug": ["morphine"] * n, "strength": [10.0] * n, "strength_unit": ["mg"] * n,
                      "quantity": [30.0] * n, "days_supply": [2.5, 10.0, 10.0, 10.0, MAX_DAYS_SUPPLY + 1.0]})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START,
                                                                end=date(2024, 1, 31)))}  # fmt: skip
    assert {p: r["failed_reason"] for p, r in out.items()} == {
        "a": DAYS_SUPPLY_NOT_WHOLE, "": NO_PATIENT, "c": NO_DATE, "d": None, "e": DAYS_SUPPLY_TOO_LONG,
    }  # fmt: skip
    assert [out[p]["total_mme"] for p in "acde"] == [None, None, 300.0, None]
    with pytest.raises(ValidationError, match="less than or equal to 10000000"):
        Dispensing(patient_id="e", drug="morphine", strength="10 mg", quantity=30, days_supply=MAX_DAYS_SUPPLY + 1,
                   fill_date=START)  # fmt: skip
    with pytest.raises(ValidationError, match="patient_id"):
        Dispensing(patient_id="", drug="morphine", strength="10 mg", quantity=30, days_supply=10, fill_date=START)
    with pytest.raises(ValidationError, match="fractional part"):
        Dispensing(patient_id="a", drug="morphine", strength="10 mg", quantity=30, days_supply=2.5, fill_date=START)


@pytest.mark.parametrize("backend", [*FAST, "dask"])
def test_a_missing_patient_id_fails_its_rows_on_every_backend_as_in_the_scalar_api(backend: str) -> None:
    """Two fills with a NaN id made one patient "NaN" of 120 MME/day on polars, pyarrow and DuckDB (pandas failed
    them); 101.0 from a float column (an int column that gained a NaN) was "101.0", another patient than 101. NaN
    fails its rows with `NO_PATIENT`, a whole float is its integer, on every backend and in `mme.Dispensing`."""
    if backend == "dask":
        pytest.importorskip("dask.dataframe")
    ids = [101.0, math.nan, math.nan, 101.0, 7.5]
    n = len(ids)
    table = pa.table({"patient_id": ids, "fill_date": [START] * n, "drug": ["oxycodone"] * n, "strength": [10.0] * n,
                      "strength_unit": ["mg"] * n, "quantity": [120.0] * n, "days_supply": [30.0] * n})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START, end=START))}
    assert sorted(out, key=str) == ["101", "7.5", None]
    assert (out[None]["failed_reason"], out[None]["n_failed"], out[None]["max_daily_mme"]) == (NO_PATIENT, 2, None)
    assert (out["101"]["max_daily_mme"], out["101"]["n_dispensings"], out["7.5"]["max_daily_mme"]) == (120, 2, 60)
    fields = {"drug": "oxycodone", "strength": "10 mg", "quantity": 120, "days_supply": 30, "fill_date": START}
    scalar = mme.summarize_by_patient(
        [Dispensing(patient_id=i, **fields) for i in ids if not math.isnan(i)], start=START, end=START
    )
    assert {p: s.max_daily_mme for p, s in scalar.items()} == {"101": 120, "7.5": 60}
    with pytest.raises(ValidationError, match=NO_PATIENT):
        Dispensing(patient_id=math.nan, **fields)


@pytest.mark.parametrize("backend", ["pandas", "polars", "duckdb"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.one_of(st.integers(-(10**6), 10**6).map(float), st.just(math.nan)), min_size=1, max_size=6))
def test_float_ids_are_read_as_the_scalar_reads_them(backend: str, ids: list[float]) -> None:
    """Any float id column (whole numbers and NaN) gives the patients and failures `mme.Dispensing` gives."""
    n = len(ids)
    table = pa.table({"patient_id": ids, "fill_date": [START] * n, "drug": ["morphine"] * n, "strength": [10.0] * n,
                      "strength_unit": ["mg"] * n, "quantity": [30.0] * n, "days_supply": [30.0] * n})  # fmt: skip
    out = {r["patient_id"]: r["n_failed"] for r in rows_of(frames.summarize(make(backend, table), start=START,
                                                                            end=START))}  # fmt: skip
    read: dict[str | None, int] = {}
    for i in ids:
        try:
            key: str | None = Dispensing(patient_id=i, drug="morphine", strength="10 mg", quantity=30, days_supply=30,
                                         fill_date=START).patient_id  # fmt: skip
        except ValidationError as exc:
            assert NO_PATIENT in str(exc)  # noqa: PT017
            key = None
        read[key] = read.get(key, 0) + (key is None)
    assert out == read


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_a_fill_whose_days_exceed_any_claim_fails_as_mme_summarize_says(backend: str) -> None:
    """4,000,000 patches x 3 days of wear are over `MAX_DAYS_SUPPLY` days: the fill fails with the history's reason
    in both paths (frames called it "not a whole number of days"); a fill at the cap itself counts."""
    fills = [("a", 4_000_000.0, 30.0), ("b", 3_000_000.0, 30.0)]  # patches x 3 days: 12M (over), 9M (under)
    table = pa.table({"patient_id": [f[0] for f in fills], "fill_date": [START] * 2, "drug": ["fentanyl"] * 2,
                      "strength": [12.0] * 2, "strength_unit": ["mcg/h"] * 2, "quantity": [f[1] for f in fills],
                      "days_supply": [f[2] for f in fills]})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START,
                                                                end=date(2024, 1, 31)))}  # fmt: skip
    for patient, quantity, days in fills:
        one = Dispensing(patient_id=patient, drug="fentanyl", strength="12 mcg/h", quantity=quantity,
                         days_supply=int(days), fill_date=START)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)  # days supply replaced by patches x wear days
            scalar = mme.summarize([one], start=START, end=date(2024, 1, 31))
        reasons = [f.reason for f in scalar.failed]
        assert reasons == ([TOO_MANY_DAYS] if patient == "a" else [])
        assert out[patient]["failed_reason"] == (reasons[0] if reasons else None)
        assert out[patient]["total_mme"] == scalar.total_mme


@pytest.mark.parametrize("backend", ["polars", "pandas", "pyarrow"])
@pytest.mark.parametrize("second_day", [0, 1], ids=["a day's sum", "the total"])
def test_a_sum_of_finite_fills_that_overflows_gives_no_numbers(backend: str, second_day: int) -> None:
    """Each fill's MME is 1e306 mg x 100 / 1 day = 1e308 (finite), two sum past the float range: no numbers and
    the reason, as `mme.summarize` raises (it was inf here; pairwise on PyArrow, window functions elsewhere)."""
    table = pa.table({"patient_id": ["a", "a", "b"], "fill_date": [START, START + timedelta(second_day), START],
                      "drug": ["morphine"] * 3, "strength": [1e306, 1e306, 10.0], "strength_unit": ["mg"] * 3,
                      "quantity": [100.0, 100.0, 30.0], "days_supply": [1.0, 1.0, 10.0]})  # fmt: skip
    out = {r["patient_id"]: r for r in rows_of(frames.summarize(make(backend, table), start=START, end=date(2024, 1, 31),
                                                                on_failed="drop"))}  # fmt: skip
    assert out["a"]["failed_reason"] == TOTAL_OVERFLOWS
    assert all(out["a"][c] is None for c in ("total_mme", "mme_per_window_day", "max_daily_mme")), out["a"]
    assert (out["b"]["total_mme"], out["b"]["failed_reason"]) == (300.0, None)


def test_summarize_refuses_a_window_that_ends_before_it_starts() -> None:
    import polars as pl

    with pytest.raises(mme.DoseError, match=r"^the window ends \(2024-01-01\) before it starts \(2024-02-01\)$"):
        frames.summarize(pl.DataFrame(), start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_importing_mme_does_not_import_narwhals() -> None:
    import subprocess
    import sys

    code = "import sys, mme; mme.dispensing_mme('oxycodone', '5 mg', quantity=1, days_supply=1); print('narwhals' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


def test_frames_import_the_rxnorm_module_only_to_read_rxcuis() -> None:
    """Its product models take a noticeable part of a file conversion's start-up (`mme batch`)."""
    import subprocess
    import sys

    code = (
        "import sys, polars as pl, mme.frames as f; "
        "f.dispensing_mme(pl.DataFrame({'drug': ['oxycodone'], 'strength': [5.0], 'strength_unit': ['mg'], "
        "'quantity': [1.0], 'days_supply': [1.0]})); print('mme.rxnorm' in sys.modules); "
        "f.dispensing_mme(pl.DataFrame({'rxcui': ['1049621'], 'quantity': [1.0], 'days_supply': [1.0]}), "
        "rxcui='rxcui'); print('mme.rxnorm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


# -- the command line ------------------------------------------------------------------------------------------


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from mme._cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BATCH_CSV = """\
rx,ingredient,str,uom,qty,days
1,oxycodone,10,mg,120,30
2,fentanyl,25,mcg/h,10,30
3,fentanyl,25,mcg/day,10,30
4,buprenorphine,2,mg,30,30
5,unobtainium,5,mg,10,10
6,morphine,-1,mg,10,10
"""


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    import polars as pl

    src = tmp_path / "claims.csv"
    src.write_text(BATCH_CSV)
    if suffix == ".parquet":
        pl.read_csv(src).write_parquet(src := tmp_path / "claims.parquet")
    dst = tmp_path / f"out{suffix}"
    code, _, err = cli([
        "batch", str(src), "-o", str(dst), "--drug-col", "ingredient", "--strength-col", "str", "--unit-col", "uom",
        "--quantity-col", "qty", "--days-supply-col", "days", "--table", "cdc-2022", "--chunk-size", "2",
    ], capsys)  # fmt: skip
    assert code == 0, err
    out = pl.read_csv(dst) if suffix == ".csv" else pl.read_parquet(dst)
    assert out["rx"].to_list() == [1, 2, 3, 4, 5, 6]
    assert out["mme_per_day"].to_list() == [60.0, 60.0, 2.5, None, None, None]  # 25 mcg/day: 25 / 24 mcg/h x 2.4
    assert "6 rows: 3 converted, 1 excluded, 2 failed, 1 with warnings" in err
    assert "unknown drug 'unobtainium'" in err
    assert out["mme_warning"].to_list() == [None, None, WARNED_ROWS[0][-1], None, None, None]
    assert f"1 warning: {WARNED_ROWS[0][-1]}" in err


def test_cli_batch_reports_a_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "claims.csv"
    src.write_text(BATCH_CSV)
    code, _, err = cli(["batch", str(src), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 2
    assert "'drug'" in err


def test_cli_summarize(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "fills.csv"
    src.write_text(
        "patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n"
        "a,2018-07-01,oxycodone,30,mg,60,30\n"
        "a,2018-07-01,oxycodone,5,mg,14,7\n"
        "b,2018-08-01,bogus,5,mg,14,7\n"
    )
    dst = tmp_path / "summary.csv"
    code, _, err = cli(["summarize", str(src), "--start", "2018-07-01", "--end", "2018-09-28", "--table", "cdc-2022",
                        "-o", str(dst)], capsys)  # fmt: skip
    assert code == 0, err
    import polars as pl

    out = pl.read_csv(dst)
    assert out["patient_id"].to_list() == ["a", "b"]
    assert out["max_daily_mme"].to_list() == [105.0, None]  # b's only fill failed: no value, not 0
    assert out["n_failed"].to_list() == [0, 1]
    code, text, err = cli(["summarize", str(src), "--start", "2018-07-01", "--end", "2018-09-28"], capsys)
    assert code == 0
    assert "patient_id" in text
    assert "1 failed" in err
    assert f"1 patient(s) with a failed fill (no totals): {out['failed_reason'][1]}" in err
    assert "bogus" in out["failed_reason"][1]


def test_cli_summarize_refuses_a_bad_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "fills.csv"
    src.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n")
    for bad in ("July", "20240101", "2024-W01-1", "2018-07-01T25:00"):  # read as a cell is: were 1 January 2024
        code, _, err = cli(["summarize", str(src), "--start", bad, "--end", "2018-09-28"], capsys)
        assert code == 2
        assert f"not a date: {bad!r} (write YYYY-MM-DD)" in err


def test_a_result_that_rounds_to_0_fails_its_row_as_in_the_engine() -> None:
    """Was: 0.0 MME/day in mme.frames where the scalar engine raises: a result is never 0."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(
        {"drug": ["oxycodone", "oxycodone"], "strength": [1e-300, 10.0], "strength_unit": ["mg", "mg"],
         "quantity": [1.0, 120.0], "days_supply": [30.0, 30.0]}
    )  # fmt: skip
    out = frames.dispensing_mme(df)
    assert out["mme_per_day"].to_list() == [None, 60.0]
    with pytest.raises(mme.DoseError) as scalar:
        mme.dispensing_mme("oxycodone", "1e-300 mg", quantity=1, days_supply=30)
    assert out["mme_error"].to_list() == [str(scalar.value), None]


@pytest.mark.parametrize("backend", FAST)
def test_a_tiny_strength_over_a_tiny_days_supply_is_read_as_the_engine_reads_it(backend: str) -> None:
    """1e-320 mg x 10 / 1e-320 days is 10 mg/day: neither strength x quantity (subnormal) nor quantity / days
    (overflows) may be taken first; the strength a day is. The amount passes its checks (no overflow, not 0), so
    the row fails only where the engine's does: its days supply rounds to 0."""
    rows = [
        {"drug": "oxycodone", "strength": "1e-320", "strength_unit": "mg", "quantity": "10", "days_supply": "1e-320"}
    ]
    with pytest.raises(mme.DoseError) as engine:
        mme.dispensing_mme("oxycodone", (1e-320, "mg"), quantity=10, days_supply=1e-320, table="anzca-2014")
    out = rows_of(frames.dispensing_mme(make(backend, pa.Table.from_pylist(rows)), table="anzca-2014"))
    assert str(engine.value) == DAYS_ROUND_TO_ZERO
    assert out[0]["mme_error"] == DAYS_ROUND_TO_ZERO
    assert out[0]["mme_per_day"] is None


@pytest.mark.parametrize("backend", FAST)
def test_packages_whose_millilitres_overflow_are_read_as_the_engine_reads_them(backend: str) -> None:
    """Was "overflows" where the engine gives 7.5e307: 1e308 packages of 5 mL are 5e308 mL (past the floats), but
    0.1 mg/mL x 1e308 x 5 / 1 day is 5e307 mg/day, which is finite; the packages are counted after the strength."""
    rows = [{"drug": "oxycodone", "strength": 0.5, "strength_unit": "mg/5 mL", "quantity": 1e308, "package_ml": 5.0,
             "days_supply": 1.0}]  # fmt: skip
    engine = mme.dispensing_mme("oxycodone", "0.5 mg/5 mL", quantity=1e308, package_ml=5, days_supply=1,
                                table="anzca-2014")  # fmt: skip
    out = rows_of(frames.dispensing_mme(make(backend, pa.Table.from_pylist(rows)), table="anzca-2014",
                                        package_ml="package_ml"))  # fmt: skip
    assert engine.mme_per_day == 7.5e307  # exactly: 0.5 / 5 x 1e308 x 5 x 1.5, rounded once
    assert (out[0]["mme_error"], out[0]["mme_per_day"]) == (None, engine.mme_per_day)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_an_hourly_rate_of_no_patch_and_no_infusion_fails_its_row_as_in_the_engine(backend: str) -> None:
    """Was 120 MME/day (5 mg/h x 24 read as oral morphine x 1) with no warning; a daily total, a patch's rate and an
    infusion's (under a table that covers it) still read."""
    rows = pa.table({"drug": ["morphine", "morphine", "fentanyl", "morphine"], "dose": [5.0, 120.0, 25.0, 2.0],
                     "dose_unit": ["mg/h", "mg/day", "mcg/h", "mg/h"], "route": [None, None, "transdermal", "intravenous"],
                     "per_day": pa.array([None] * 4, pa.float64())})  # fmt: skip
    out = rows_of(frames.daily_mme(make(backend, rows), table="anzca-2021", route="route"))
    with pytest.raises(mme.UnitError) as scalar:
        mme.daily_mme("morphine", "5 mg/h", table="anzca-2021")
    assert [r["mme_error"] for r in out] == [str(scalar.value), None, None, None]
    assert [r["mme_per_day"] for r in out] == [None, 120.0, 75.0, 144.0]  # x 1; 25 x 3 (the patch); 2 x 24 = 48 x 3


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_a_form_taken_by_mouth_never_takes_an_injections_factor_as_in_the_engine(backend: str) -> None:
    """Was 20 MME/day (a fentanyl tablet read as IV fentanyl, 25 x 4 mcg x 0.2): ANZCA's parenteral rows name no
    form; the injection and the oral tablet still read."""
    rows = pa.table({"drug": ["fentanyl", "fentanyl", "morphine"], "dose": [25.0, 25.0, 10.0],
                     "dose_unit": ["mcg", "mcg", "mg"], "form": ["tablet", "injection", "tablet"],
                     "per_day": [4.0, 4.0, 6.0]})  # fmt: skip
    out = rows_of(frames.daily_mme(make(backend, rows), table="anzca-2021", form="form"))
    with pytest.raises(mme.NotCoveredError) as scalar:
        mme.daily_mme("fentanyl", "25 mcg", per_day=4, form="tablet", table="anzca-2021")
    assert [r["mme_error"] for r in out] == [str(scalar.value), None, None]
    assert [r["mme_per_day"] for r in out] == [None, 20.0, 60.0]  # 25 x 4 x 0.2 by injection; 10 x 6 x 1 by mouth

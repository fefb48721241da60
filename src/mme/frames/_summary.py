"""`summarize`: each patient's MME/day over a window under the four definitions, without laying fills out day by day."""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Literal

import narwhals as nw
from narwhals.typing import IntoFrameT

from mme._engine import TableLike
from mme._errors import ArgumentTypeError, DoseError
from mme._history import FILL_OVERFLOWS, NOT_WHOLE_DAYS, OnFailed
from mme._ndc import NdcFile
from mme.rxnorm import RxnormLike

from ._convert import _start, _table
from ._keys import _Columns
from ._rows import _annotate, _number, _ok
from ._schema import _MAX_DAYS, _T, MME_DAYS_SUPPLY, MME_ERROR, MME_EXCLUDED, MME_PER_DAY, Frame, _col

# -- public: the four definitions per patient -------------------------------------------------------------------

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def _days_since_epoch(y: nw.Expr, m: nw.Expr, d: nw.Expr) -> nw.Expr:
    """Days since 1970-01-01 of a date given as year, month and day (Float64; works on every backend)."""
    y = y - nw.when(m <= 2).then(1.0).otherwise(0.0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * nw.when(m > 2).then(m - 3).otherwise(m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146097 + doe - 719468).fill_null(0).cast(nw.Int64)


#: Why summarize refuses a PySpark frame: Spark's optimiser runs out of memory on the summary's plan, even for a
#: few rows (a known limit of this version); a refusal that says so beats a JVM out of memory.
SPARK_SUMMARY: Final = (
    "summarize does not take a PySpark frame in this version (Spark's optimiser runs out of memory on its plan): "
    "convert the rows with dispensing_mme on Spark, then summarize them on pandas, Polars or DuckDB "
    "(e.g. frame.toPandas())"
)
_DATE_TEXT: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NO_DATE: Final = "fill_date is missing or not a date (YYYY-MM-DD)"


def _date_parts(name: str, dtype: nw.dtypes.DType) -> tuple[nw.Expr, nw.Expr, nw.Expr, nw.Expr]:
    """Year, month and day of a date column (Float64), and whether it holds a date.

    Text is read as YYYY-MM-DD and checked (month 1-12, the day within its month): a bad cell
    ("garbage", "2024-02-30") is a missing date that fails its row, where a cast would fail the run.
    """
    expr = nw.col(name)
    if dtype not in (nw.Date, nw.Datetime) and dtype != nw.String:
        expr = expr.cast(nw.Date)  # pandas object columns of datetime.date
    if dtype != nw.String:
        y, m, d = (part.cast(nw.Float64) for part in (expr.dt.year(), expr.dt.month(), expr.dt.day()))
        return y, m, d, ~expr.is_null()
    text = expr.str.strip_chars()
    shaped = text.str.contains(_DATE_TEXT).fill_null(value=False)
    y, m, d = (
        nw.when(shaped).then(text.str.slice(start, length)).cast(nw.Float64)
        for start, length in ((0, 4), (5, 2), (8, 2))
    )
    leap = ((y - y // 4 * 4 == 0) & (y - y // 100 * 100 != 0)) | (y - y // 400 * 400 == 0)
    month_days = (
        nw.when(m == 2).then(nw.when(leap).then(29.0).otherwise(28.0))
        .when(m.is_in([4.0, 6.0, 9.0, 11.0])).then(30.0)
        .otherwise(31.0)
    )  # fmt: skip
    valid = (shaped & (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)).fill_null(value=False)
    return y, m, d, valid


def summarize(
    frame: IntoFrameT,
    *,
    start: date,
    end: date,
    table: TableLike | None = None,
    include_buprenorphine: bool = True,
    clip_to_window: bool = True,
    on_failed: OnFailed = "propagate",
    patient_id: str = "patient_id",
    fill_date: str = "fill_date",
    drug: str = "drug",
    strength: str = "strength",
    strength_unit: str | None = "strength_unit",
    quantity: str = "quantity",
    days_supply: str = "days_supply",
    form: str | None = None,
    route: str | None = None,
    release: str | None = None,
    package_ml: str | None = None,
    variant: str | None = None,
    ndc: str | None = None,
    ndc_file: NdcFile | None = None,
    rxcui: str | None = None,
    rxnorm: RxnormLike = None,
) -> IntoFrameT:
    """Each patient's MME/day over the window ``start .. end``, under the four definitions (`mme.summarize`).

    One row per patient id in the frame (same frame type; eager frames sorted by patient id) with
    ``total_mme``, ``total_days_supply``, ``on_therapy_days``, ``window_days``,
    ``mme_per_days_supply`` (definition 1), ``mme_per_therapy_day`` (2), ``mme_per_window_day``
    (3), ``max_daily_mme`` (4), ``n_dispensings`` (fills counted), ``n_excluded`` (fills the
    table or ``include_buprenorphine=False`` leaves out, that would have counted), ``n_failed``
    and ``failed_reason``. The definitions, clipping and exclusion rules are exactly
    `mme.summarize`'s. Computed without laying fills out day by day: on-therapy days and the
    highest day come from a sweep over fill starts and ends.

    A failed row is one `dispensing_mme` reports an error for, or with no patient id, no fill
    date, or a days supply that is not a whole number of days; it never stops the run.
    ``n_failed`` counts those in the window (judged as excluded fills are; a row whose date or
    days supply is unknown counts as in it), and ``failed_reason`` gives one of their reasons
    (the first in text order). As in `mme.summarize`, with ``on_failed="propagate"`` (default)
    such a patient's totals and four definitions are null, never a number that leaves the failed
    fill out; ``on_failed="drop"`` computes them from the other fills.

    Fills by NDC (``ndc``, ``ndc_file``) or by RxCUI (``rxcui``, ``rxnorm``) are read as in `dispensing_mme`.
    """
    return _summarize(
        frame, start=start, end=end, table=table, include_buprenorphine=include_buprenorphine,
        clip_to_window=clip_to_window, on_failed=on_failed, patient_id=patient_id, fill_date=fill_date,
        columns=_Columns(
            drug=drug, strength=strength, strength_unit=strength_unit, quantity=quantity, days_supply=days_supply,
            form=form, route=route, release=release, package_ml=package_ml, ndc=ndc, rxcui=rxcui,
            extra=(patient_id, fill_date),
        ),
        variant=variant, ndc_file=ndc_file, method="auto", rxnorm=rxnorm,
    )  # fmt: skip


def _summarize(
    frame: IntoFrameT,
    *,
    start: date,
    end: date,
    table: TableLike | None,
    include_buprenorphine: bool,
    clip_to_window: bool,
    patient_id: str,
    fill_date: str,
    columns: _Columns,
    on_failed: OnFailed = "propagate",
    variant: str | None,
    ndc_file: NdcFile | None,
    method: Literal["auto", "window", "pairwise"],
    rxnorm: RxnormLike = None,
) -> IntoFrameT:
    if end < start:
        raise DoseError(f"the window ends ({end}) before it starts ({start})")
    if on_failed not in ("propagate", "drop"):
        raise DoseError(f"on_failed must be 'propagate' or 'drop', not {on_failed!r}")
    tab = _table(table, columns.ndc)
    native, _ = _start(frame)
    if native.implementation.is_pyspark():
        raise ArgumentTypeError(SPARK_SUMMARY)
    rows = _annotate(native, columns, tab, variant, ndc_file, bup=not include_buprenorphine, rxnorm=rxnorm)
    schema = rows.collect_schema()
    lo, hi = start.toordinal() - _EPOCH_ORDINAL, end.toordinal() - _EPOCH_ORDINAL + 1
    p = patient_id
    raw_days = _col("v_days_supply")
    days = nw.col(MME_DAYS_SUPPLY)

    def whole(x: nw.Expr) -> nw.Expr:
        return ((x.round(0) == x) & (x <= _MAX_DAYS)).fill_null(value=False)

    # what `mme.Dispensing` itself accepts (its strength is text: the engine reads it later)
    valid = _col("ok_quantity") & _col("ok_days_supply") & whole(raw_days)
    if columns.package_ml is not None:
        package = _number(columns.package_ml, schema[columns.package_ml])
        valid = valid & (package.is_null() | _ok(package))
    has_patient = (~nw.col(p).is_null() & (nw.col(p).cast(nw.String) != "")).fill_null(value=False)
    # the date's parts as columns first: inlined, each part would repeat in every expression that reads it
    # (Spark's optimiser ran out of memory on the nested copies, even for three rows)
    parts = _date_parts(fill_date, schema[fill_date])
    rows = rows.with_columns(x.alias(f"{_T}{n}") for n, x in zip(("y", "m", "d", "dated"), parts, strict=True))
    year, month, day, has_date = _col("y"), _col("m"), _col("d"), _col("dated")
    valid = valid & has_patient & has_date
    left_out = _col("bup") & valid if not include_buprenorphine else nw.lit(value=False)
    error = (
        nw.when(left_out).then(nw.lit(None, nw.String))
        .when(~has_patient).then(nw.lit("patient_id is missing"))
        .when(~has_date).then(nw.lit(NO_DATE))
        .when(~whole(raw_days)).then(nw.lit("days_supply must be a whole number of days"))
        .when(~nw.col(MME_ERROR).is_null()).then(nw.col(MME_ERROR))
        .when(~nw.col(MME_PER_DAY).is_null() & ~whole(days)).then(nw.lit(NOT_WHOLE_DAYS))
        .when(~nw.col(MME_PER_DAY).is_null() & ~(nw.col(MME_PER_DAY) * days).is_finite()).then(nw.lit(FILL_OVERFLOWS))
        .otherwise(nw.lit(None, nw.String))
    )  # fmt: skip
    rows = rows.with_columns(
        error.alias(f"{_T}err"),
        left_out.alias(f"{_T}out"),
        _days_since_epoch(year, month, day).alias(f"{_T}first"),
        nw.when(whole(days)).then(days).otherwise(0.0).cast(nw.Int64).alias(f"{_T}days"),
        nw.when(_col("ok_days_supply") & whole(raw_days))
        .then(raw_days)
        .otherwise(0)
        .cast(nw.Int64)
        .alias(f"{_T}known"),
    )
    failed = ~_col("err").is_null()
    excluded = ~failed & (_col("out") | ~nw.col(MME_EXCLUDED).is_null())
    counted = ~failed & ~excluded
    first, stop = _col("first"), _col("first") + _col("days")
    if clip_to_window:
        first_in = nw.when(first < lo).then(nw.lit(lo)).otherwise(first)
        stop_in = nw.when(stop > hi).then(nw.lit(hi)).otherwise(stop)
        counted_in = counted & (first_in < stop_in)
        excluded_in = excluded & (first < hi) & (first + _col("known") > lo)
        # unknown days (0 here) cannot place the fill outside the window
        failed_in = failed & (first < hi) & ((_col("known") == 0) | (first + _col("known") > lo))
    else:
        first_in, stop_in = first, stop
        counted_in = counted & (first >= lo) & (first < hi)
        excluded_in = excluded & (first >= lo) & (first < hi)
        failed_in = failed & (first >= lo) & (first < hi)
    failed_in = failed_in | (failed & ~_col("dated"))  # no date: cannot be placed outside the window either
    rows = rows.with_columns(
        first_in.alias(f"{_T}f"),
        stop_in.alias(f"{_T}s"),
        counted_in.alias(f"{_T}in"),
        excluded_in.cast(nw.Int64).alias(f"{_T}n_ex"),
        failed_in.cast(nw.Int64).alias(f"{_T}n_fail"),
        nw.when(failed_in).then(_col("err")).otherwise(nw.lit(None, nw.String)).alias(f"{_T}why"),
    )
    rows = rows.with_columns(
        nw.when(_col("in")).then(nw.col(MME_PER_DAY) * (_col("s") - _col("f"))).otherwise(0.0).alias(f"{_T}mme"),
        nw.when(_col("in")).then(_col("s") - _col("f")).otherwise(0).cast(nw.Int64).alias(f"{_T}d"),
        _col("in").cast(nw.Int64).alias(f"{_T}n_in"),
    )
    totals = rows.group_by(p).agg(
        _col("mme").sum().alias("total_mme"),
        _col("d").sum().alias("total_days_supply"),
        _col("n_in").sum().alias("n_dispensings"),
        _col("n_ex").sum().alias("n_excluded"),
        _col("n_fail").sum().alias("n_failed"),
        _col("why").min().alias("failed_reason"),
    )
    spans = rows.filter(_col("in")).select(
        nw.col(p), _col("f").alias("f"), _col("s").alias("s"), nw.col(MME_PER_DAY).alias("r")
    )
    if method == "auto":
        method = (
            "pairwise" if native.implementation in (nw.Implementation.PYARROW, nw.Implementation.DASK) else "window"
        )
    sweep = _sweep_window(spans, p) if method == "window" else _sweep_pairwise(spans, p)
    out = totals.join(sweep, on=p, how="left")
    total_mme, total_days, on_days = nw.col("total_mme"), nw.col("total_days_supply"), nw.col("on_therapy_days")
    known = nw.col("n_failed") == 0 if on_failed == "propagate" else nw.lit(value=True)

    def ratio(denominator: nw.Expr) -> nw.Expr:
        safe = nw.when(denominator > 0).then(denominator).otherwise(1)
        return nw.when(denominator > 0).then(total_mme / safe).otherwise(nw.lit(None, nw.Float64))

    def unless_failed(name: str, value: nw.Expr, dtype: Any) -> nw.Expr:
        return nw.when(known).then(value.cast(dtype)).alias(name)  # null otherwise (pandas: NaN, as a float)

    out = out.with_columns(
        on_days.fill_null(0).cast(nw.Int64), nw.col("max_daily_mme").fill_null(0.0).cast(nw.Float64)
    ).select(
        nw.col(p),
        unless_failed("total_mme", total_mme, nw.Float64),
        unless_failed("total_days_supply", total_days, nw.Int64),
        unless_failed("on_therapy_days", on_days, nw.Int64),
        nw.lit(hi - lo).cast(nw.Int64).alias("window_days"),
        unless_failed("mme_per_days_supply", ratio(total_days), nw.Float64),
        unless_failed("mme_per_therapy_day", ratio(on_days), nw.Float64),
        unless_failed("mme_per_window_day", total_mme / (hi - lo), nw.Float64),
        unless_failed("max_daily_mme", nw.col("max_daily_mme"), nw.Float64),
        *[nw.col(c).cast(nw.Int64) for c in ("n_dispensings", "n_excluded", "n_failed")],
        nw.col("failed_reason").cast(nw.String),
    )
    if isinstance(native, nw.DataFrame):
        return out.sort(p).collect(backend=native.implementation).to_native()  # type: ignore[no-any-return]
    return out.to_native()  # type: ignore[no-any-return]


def _sweep_window(spans: Frame, p: str) -> Frame:
    """On-therapy days and the highest daily sum, by window functions over each patient's fill starts and ends.

    Every fill adds its MME/day at its first day and removes it after its last; the running sum
    over a patient's dates is the daily MME, the running count of active fills tells covered days.
    """
    events = nw.concat(
        [
            spans.select(nw.col(p), nw.col("f").alias("t"), nw.col("r").alias("dr"), nw.lit(1).cast(nw.Int64).alias("dc")),
            spans.select(nw.col(p), nw.col("s").alias("t"), (-nw.col("r")).alias("dr"), nw.lit(-1).cast(nw.Int64).alias("dc")),
        ],
        how="vertical",
    )  # fmt: skip
    events = events.group_by(p, "t").agg(nw.col("dr").sum(), nw.col("dc").sum())
    events = events.with_columns(
        nw.col("dr").cum_sum().over(p, order_by="t").alias("level"),
        nw.col("dc").cum_sum().over(p, order_by="t").alias("active"),
        nw.col("t").shift(-1).over(p, order_by="t").alias("next"),
    )
    events = events.with_columns(
        nw.when(nw.col("active") > 0).then(nw.col("next") - nw.col("t")).otherwise(0).alias("covered")
    )
    return events.group_by(p).agg(
        nw.col("covered").sum().alias("on_therapy_days"), nw.col("level").max().alias("max_daily_mme")
    )


def _sweep_pairwise(spans: Frame, p: str) -> Frame:
    """The same without ordered window functions (PyArrow, Dask): fills of a patient compared pairwise.

    The daily MME peaks on some fill's first day: sum the fills active then. A fill adds to the
    covered days what its span reaches past every fill ordered before it. Quadratic in the
    number of fills per patient and window, which is small.
    """
    starts = spans.select(nw.col(p), nw.col("f").alias("t")).unique()
    levels = (
        starts.join(spans, on=p, how="inner")
        .filter((nw.col("f") <= nw.col("t")) & (nw.col("t") < nw.col("s")))
        .group_by(p, "t")
        .agg(nw.col("r").sum().alias("level"))
        .group_by(p)
        .agg(nw.col("level").max().alias("max_daily_mme"))
    )
    unique = spans.select(nw.col(p), nw.col("f"), nw.col("s")).unique()
    before = unique.select(nw.col(p), nw.col("f").alias("f2"), nw.col("s").alias("s2"))
    reach = (
        unique.join(before, on=p, how="inner")
        .filter((nw.col("f2") < nw.col("f")) | ((nw.col("f2") == nw.col("f")) & (nw.col("s2") < nw.col("s"))))
        .group_by(p, "f", "s")
        .agg(nw.col("s2").max().alias("reach"))
    )
    covered = unique.join(reach, on=[p, "f", "s"], how="left").with_columns(
        nw.when(nw.col("reach") > nw.col("f")).then(nw.col("reach")).otherwise(nw.col("f")).alias("from")
    )
    covered = covered.with_columns(
        nw.when(nw.col("s") > nw.col("from")).then(nw.col("s") - nw.col("from")).otherwise(0).alias("covered")
    )
    days = covered.group_by(p).agg(nw.col("covered").sum().alias("on_therapy_days"))
    return days.join(levels, on=p, how="left")

"""`summarize`: each patient's MME/day over a window under the four definitions, without laying fills out day by day."""

from __future__ import annotations

import warnings
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Literal

import narwhals as nw
from narwhals.typing import IntoFrameT

from mme._engine import TableLike
from mme._errors import ColumnError
from mme._history import (
    _BUP_LEFT_OUT,
    DATE_TEXT,
    DAYS_SUPPLY_NOT_WHOLE,
    DAYS_SUPPLY_TOO_LONG,
    FILL_OVERFLOWS,
    KEY_SPACE,
    MAX_DAYS_SUPPLY,
    NO_DATE,
    NO_PATIENT,
    NOT_WHOLE_DAYS,
    RATIOS,
    TOO_MANY_DAYS,
    TOTAL_OVERFLOWS,
    OnFailed,
    _clip,
    _in_window,
    _window,
    cell_day,
    cell_key,
)
from mme._ndc import NdcFile

from ._convert import _dask_notice_once, _start, _table
from ._keys import _Columns, code_text
from ._rows import _annotate, _number, _ok, _round
from ._schema import _T, MME_DAYS_SUPPLY, MME_ERROR, MME_EXCLUDED, MME_PER_DAY, Frame, _col

if TYPE_CHECKING:  # imported where RxCUIs are read: a run without them does not load the RxNorm module
    from mme.rxnorm import RxnormLike

# -- public: the four definitions per patient -------------------------------------------------------------------

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def _floor(x: nw.Expr, k: float) -> nw.Expr:
    """``x // k``, as ``floor(x / k)``: narwhals' ``//`` repeats ``x`` several times on DuckDB and Spark, and
    nested, the copies multiply (the summary's plan grew without bound)."""
    return (x / k).floor()


def _larger(x: nw.Expr, bound: int) -> nw.Expr:
    return nw.when(x < bound).then(nw.lit(bound)).otherwise(x)


def _smaller(x: nw.Expr, bound: int) -> nw.Expr:
    return nw.when(x > bound).then(nw.lit(bound)).otherwise(x)


def _days_since_epoch(y: nw.Expr, m: nw.Expr, d: nw.Expr) -> nw.Expr:
    """Days since 1970-01-01 of the date year-month-day (Float64 columns), on every backend.

    Years counted from March, so that the leap day is the last of its year (H. Hinnant's days_from_civil).
    """
    y = y - nw.when(m <= 2).then(1.0).otherwise(0.0)
    march = nw.when(m > 2).then(m - 3).otherwise(m + 9)
    days = 365 * y + _floor(y, 4) - _floor(y, 100) + _floor(y, 400) + _floor(153 * march + 2, 5) + d - 719469
    return days.fill_null(0).cast(nw.Int64)


def _date_parts(name: str, dtype: nw.dtypes.DType, *, pandas_like: bool) -> tuple[nw.Expr, nw.Expr, nw.Expr]:
    """Year, month and day of a date column (Float64), null where it holds no date (see `_is_date`)."""
    expr = nw.col(name)
    if dtype.is_numeric() or dtype == nw.Boolean:  # a cast would read days since 1970: 20240101 is year 57,000
        raise ColumnError(
            f"fill_date {name!r} holds {dtype}, not dates: a number is a date only by a convention the data does "
            "not carry (YYYYMMDD? days since 1970?); give dates or YYYY-MM-DD text"
        )
    if dtype in (nw.Categorical, nw.Enum):
        expr, dtype = expr.cast(nw.String), nw.String()
    if dtype == nw.Object or (dtype == nw.Unknown and not pandas_like):
        expr = expr.cast(nw.Date)  # pandas object columns of datetime.date; Polars' all-null columns
    if dtype != nw.String:  # a datetime's own calendar day (pandas' in some time zones are Unknown: cast, UTC's)
        return tuple(part.cast(nw.Float64) for part in (expr.dt.year(), expr.dt.month(), expr.dt.day()))  # type: ignore[return-value]
    text = expr.str.strip_chars()
    shaped = text.str.contains(DATE_TEXT).fill_null(value=False)
    y, m, d = (
        nw.when(shaped).then(text.str.slice(start, length)).cast(nw.Float64)
        for start, length in ((0, 4), (5, 2), (8, 2))
    )
    return y, m, d


def _is_date(y: nw.Expr, m: nw.Expr, d: nw.Expr) -> nw.Expr:
    """Whether year, month and day (`_date_parts`) make a calendar date: year 1 or later, month 1-12, the day within
    its month.

    Text is read as YYYY-MM-DD: a bad cell ("garbage", "2024-02-30", a database's zero date "0000-01-01", which
    `datetime.date` and so `mme.Dispensing` refuse) is a missing date that fails its row, where a cast would fail
    the run.
    """
    leap = ((_floor(y, 4) * 4 == y) & (_floor(y, 100) * 100 != y)) | (_floor(y, 400) * 400 == y)
    month_days = (
        nw.when(m == 2).then(nw.when(leap).then(29.0).otherwise(28.0))
        .when(m.is_in([4.0, 6.0, 9.0, 11.0])).then(30.0)
        .otherwise(31.0)
    )  # fmt: skip
    return ((y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)).fill_null(value=False)


@_dask_notice_once
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

    One row per patient id in the frame (same frame type; eager frames sorted by patient id; an id of text trimmed
    of surrounding spaces, as `mme.Dispensing` trims it: "p1 " is "p1") with
    ``total_mme``, ``total_days_supply``, ``on_therapy_days``, ``window_days``,
    ``mme_per_days_supply`` (definition 1), ``mme_per_therapy_day`` (2), ``mme_per_window_day``
    (3), ``max_daily_mme`` (4), ``n_dispensings`` (fills counted), ``n_excluded`` (fills the
    table or ``include_buprenorphine=False`` leaves out, that would have counted), ``n_failed``,
    ``failed_reason`` and ``excluded_reason`` (one of the excluded fills' reasons, the first in text order).
    A patient whose fills in the window are all excluded has no MME: ``total_mme`` and the four definitions
    are null (an excluded drug has no MME, never 0), as in `mme.summarize`. The definitions, clipping and exclusion rules are exactly
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


def _object_cells(native: Any, patient_id: str, fill_date: str) -> Any:
    """An eager pandas frame whose patient ids or fill dates are Python objects (numbers, text, dates and datetimes
    mixed, as a spreadsheet gives them), with each cell read by the rule of `mme.Dispensing` (`cell_key`, `cell_day`):
    a cast reads a number as days since 1970 and fails the run on text, and ids 101 and "101" are one patient, not a
    failed sort. Other frames are returned as they are."""
    if not (isinstance(native, nw.DataFrame) and native.implementation.is_pandas_like()):
        return native
    readers = {patient_id: (cell_key, "str"), fill_date: (cell_day, object)}
    schema = native.schema
    objects = {name: reader for name, reader in readers.items() if schema.get(name) == nw.Object}
    if not objects:
        return native
    pandas_frame = native.to_native()
    read = {name: pandas_frame[name].map(cell).astype(kind) for name, (cell, kind) in objects.items()}
    return nw.from_native(pandas_frame.assign(**read), eager_only=True)


def _arrow_nulls(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], name: str) -> bool:
    """Whether `frame` is a PyArrow table whose column `name` has Arrow's null type (no value, no other type)."""
    if not frame.implementation.is_pyarrow():
        return False
    import pyarrow as pa

    return bool(pa.types.is_null(frame.to_native().schema.field(name).type))


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
    method: Literal["auto", "window", "riding", "pairwise"],
    rxnorm: RxnormLike = None,
) -> IntoFrameT:
    flags = {"include_buprenorphine": include_buprenorphine, "clip_to_window": clip_to_window}
    lo, hi = (day - _EPOCH_ORDINAL for day in _window(start, end, on_failed, **flags))
    tab = _table(table, columns.ndc, variant)
    native, _ = _start(frame)
    native = _object_cells(native, patient_id, fill_date)
    rows = _annotate(native, columns, tab, variant, ndc_file, bup=not include_buprenorphine, rxnorm=rxnorm)
    if _arrow_nulls(native, patient_id):  # every id missing (a CSV's empty column): PyArrow joins no such key
        rows = rows.with_columns(nw.col(patient_id).cast(nw.String))
    schema = rows.collect_schema()
    p = patient_id
    if schema[p] in (nw.String, nw.Categorical):  # "p1 " is "p1", as `mme.Dispensing` reads it (an id of text)
        rows = rows.with_columns(nw.col(p).cast(nw.String).str.strip_chars(KEY_SPACE))
    elif schema[p].is_float():  # 101.0 is "101", NaN missing, as `mme.Dispensing` reads them
        rows = rows.with_columns(code_text(p, schema[p]).alias(p))
    raw_days = _col("v_days_supply")
    days = nw.col(MME_DAYS_SUPPLY)

    def whole(x: nw.Expr) -> nw.Expr:  # and no more than a fill may cover, so that days stay integers
        return ((x.round(0) == x) & (x <= MAX_DAYS_SUPPLY)).fill_null(value=False)

    # Step by step, each step's columns before the next reads them: inlined, a column read n times would be
    # computed n times, and the copies multiply along the chain (Spark's optimiser ran out of memory on them).
    has_patient = (~nw.col(p).is_null() & (nw.col(p).cast(nw.String) != "")).fill_null(value=False)
    parts = _date_parts(fill_date, schema[fill_date], pandas_like=native.implementation.is_pandas_like())
    rows = rows.with_columns(
        *(x.alias(f"{_T}{n}") for n, x in zip(("year", "month", "day"), parts, strict=True)),
        whole(raw_days).alias(f"{_T}whole_raw"),
        whole(days).alias(f"{_T}whole"),
        has_patient.alias(f"{_T}has_id"),
    )
    year, month, day = _col("year"), _col("month"), _col("day")
    rows = rows.with_columns(
        _is_date(year, month, day).alias(f"{_T}dated"), _days_since_epoch(year, month, day).alias(f"{_T}first")
    )
    has_patient, has_date, whole_raw, whole_days = _col("has_id"), _col("dated"), _col("whole_raw"), _col("whole")
    # what `mme.Dispensing` itself accepts (its strength is text: the engine reads it later)
    valid = _col("ok_quantity") & _col("ok_days_supply") & whole_raw & has_patient & has_date
    if columns.package_ml is not None:
        package = _number(columns.package_ml, schema[columns.package_ml])
        valid = valid & (package.is_null() | _ok(package))
    left_out = _col("bup") & valid if not include_buprenorphine else nw.lit(value=False)
    counted_mme = ~nw.col(MME_PER_DAY).is_null()
    error = (
        nw.when(left_out).then(nw.lit(None, nw.String))
        .when(~has_patient).then(nw.lit(NO_PATIENT))
        .when(~has_date).then(nw.lit(NO_DATE))
        .when(~whole_raw & (raw_days > MAX_DAYS_SUPPLY)).then(nw.lit(DAYS_SUPPLY_TOO_LONG))
        .when(~whole_raw).then(nw.lit(DAYS_SUPPLY_NOT_WHOLE))
        .when(~nw.col(MME_ERROR).is_null()).then(nw.col(MME_ERROR))
        .when(counted_mme & ~whole_days & (days > MAX_DAYS_SUPPLY)).then(nw.lit(TOO_MANY_DAYS))
        .when(counted_mme & ~whole_days).then(nw.lit(NOT_WHOLE_DAYS))
        .when(counted_mme & ~(nw.col(MME_PER_DAY) * days).is_finite()).then(nw.lit(FILL_OVERFLOWS))
        .otherwise(nw.lit(None, nw.String))
    )  # fmt: skip
    rows = rows.with_columns(
        error.alias(f"{_T}err"),
        left_out.alias(f"{_T}out"),
        nw.when(whole_days).then(days).otherwise(0.0).cast(nw.Int64).alias(f"{_T}days"),
        nw.when(_col("ok_days_supply") & whole_raw).then(raw_days).otherwise(0).cast(nw.Int64).alias(f"{_T}known"),
    )
    failed = ~_col("err").is_null()
    excluded = ~failed & (_col("out") | ~nw.col(MME_EXCLUDED).is_null())
    counted = ~failed & ~excluded
    first, stop = _col("first"), _col("first") + _col("days")
    known = _col("known")
    counted_in = counted & _in_window(first, stop, lo, hi, clip=clip_to_window)
    # an excluded fill lies in time as a counted one would (patches x wear days), else by the days recorded
    lies = nw.when(_col("whole")).then(_col("days")).otherwise(known)
    excluded_in = excluded & _in_window(first, first + lies, lo, hi, clip=clip_to_window)
    # unknown days (0 here) cannot place the fill outside the window: as if they reached it
    reach = nw.when(known == 0).then(nw.lit(hi)).otherwise(first + known)
    failed_in = failed & _in_window(first, reach, lo, hi, clip=clip_to_window)
    first_in, stop_in = (
        _clip(first, stop, lo, hi, larger=_larger, smaller=_smaller) if clip_to_window else (first, stop)
    )
    failed_in = failed_in | (failed & ~_col("dated"))  # no date: cannot be placed outside the window either
    rows = rows.with_columns(
        first_in.alias(f"{_T}f"),
        stop_in.alias(f"{_T}s"),
        counted_in.alias(f"{_T}in"),
        failed_in.alias(f"{_T}failed_in"),
        excluded_in.alias(f"{_T}excluded_in"),
    )
    counted_in, n_days = _col("in"), _col("s") - _col("f")
    if method == "auto":
        method = _SWEEPS.get(native.implementation, "riding")
    # Each fill as a span ``f .. s - 1`` at ``r`` MME/day, with what it adds to its patient's totals. No filter
    # for the riding sweep: Spark pushes a filter down through every step above, inlining each column it reads
    # until its optimiser runs out of memory; a fill that does not count is an empty span at the window's start.
    fills = rows.select(
        nw.col(p),
        nw.when(counted_in).then(_col("f")).otherwise(nw.lit(lo)).alias("f"),
        nw.when(counted_in).then(_col("s")).otherwise(nw.lit(lo)).alias("s"),
        # MME/day before it was rounded (10/3, not 3.333333333), as `mme.summarize` sums it: rounded once, at the end
        nw.when(counted_in).then(_col("rate")).otherwise(nw.lit(0.0)).alias("r"),
        nw.when(counted_in).then(_col("rate") * n_days).otherwise(0.0).alias("total_mme"),
        nw.when(counted_in).then(n_days).otherwise(0).cast(nw.Int64).alias("total_days_supply"),
        counted_in.cast(nw.Int64).alias("n_dispensings"),
        _col("excluded_in").cast(nw.Int64).alias("n_excluded"),
        _col("failed_in").cast(nw.Int64).alias("n_failed"),
        nw.when(_col("failed_in")).then(_col("err")).otherwise(nw.lit(None, nw.String)).alias("failed_reason"),
        nw.when(_col("excluded_in"))
        .then(nw.when(_col("out")).then(nw.lit(_BUP_LEFT_OUT)).otherwise(nw.col(MME_EXCLUDED)))
        .otherwise(nw.lit(None, nw.String))
        .alias("excluded_reason"),
    )
    with warnings.catch_warnings():  # pandas warns where a sum overflows: handled below (TOTAL_OVERFLOWS)
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        if method == "riding":
            out = _sweep_window(fills, p, riding=_TOTALS)
        else:
            spans = fills.filter(nw.col("n_dispensings") == 1).select(nw.col(p), "f", "s", "r")
            sweep = _sweep_window(spans, p) if method == "window" else _sweep_pairwise(spans, p)
            out = fills.group_by(p).agg(*_TOTALS).join(sweep, on=p, how="left")
        total_mme, total_days, on_days = nw.col("total_mme"), nw.col("total_days_supply"), nw.col("on_therapy_days")
        # each fill's MME is finite, their sum (a total, a day) may not be: no numbers then, as `mme.summarize` raises
        overflows = ~(total_mme.is_finite() & nw.col("max_daily_mme").is_finite()).fill_null(value=False)
        fine = nw.col("n_failed") == 0
        if on_failed == "drop":  # failed fills left out where another fill counts (none: unknown, as in `summarize`)
            fine = fine | (nw.col("n_dispensings") > 0)
        known = ~overflows & fine
        # every fill in the window excluded: no MME (an excluded drug has none), never 0
        has_mme = known & ((nw.col("n_dispensings") > 0) | (nw.col("n_excluded") == 0))

        def reported(x: nw.Expr) -> nw.Expr:  # rounded once, as `mme.summarize` rounds its exact sums
            return _round(x, native.implementation)

        def ratio(denominator: nw.Expr) -> nw.Expr:
            safe = nw.when(denominator > 0).then(denominator).otherwise(1)
            return nw.when(denominator > 0).then(reported(total_mme / safe)).otherwise(nw.lit(None, nw.Float64))

        def unless_failed(name: str, value: nw.Expr, dtype: Any, *, mme: bool = True) -> nw.Expr:
            # null otherwise (pandas: NaN, as a float); `mme`: an MME value, null too where nothing has one
            return nw.when(has_mme if mme else known).then(value.cast(dtype)).alias(name)

        out = out.with_columns(
            on_days.fill_null(0).cast(nw.Int64),
            nw.col("max_daily_mme").fill_null(0.0).cast(nw.Float64),
            nw.lit(hi - lo).cast(nw.Int64).alias("window_days"),
        ).select(
            nw.col(p),
            unless_failed("total_mme", reported(total_mme), nw.Float64),
            unless_failed("total_days_supply", total_days, nw.Int64, mme=False),
            unless_failed("on_therapy_days", on_days, nw.Int64, mme=False),
            nw.col("window_days"),
            *(unless_failed(name, ratio(nw.col(d)), nw.Float64) for name, d in RATIOS.items()),
            unless_failed("max_daily_mme", reported(nw.col("max_daily_mme")), nw.Float64),
            *[nw.col(c).cast(nw.Int64) for c in ("n_dispensings", "n_excluded", "n_failed")],
            nw.when(overflows).then(nw.lit(TOTAL_OVERFLOWS)).otherwise(nw.col("failed_reason").cast(nw.String))
            .alias("failed_reason"),
            nw.col("excluded_reason").cast(nw.String),
        )  # fmt: skip
        if isinstance(native, nw.DataFrame):
            return out.sort(p).collect(backend=native.implementation).to_native()  # type: ignore[no-any-return]
        if (
            native.implementation in _SORTED_LAZY
        ):  # a query, sorted when run (a Polars plan gave another order each run)
            out = out.sort(p)
        return out.to_native()  # type: ignore[no-any-return]


#: A patient's totals from its fills' (a sum of sums, a minimum of minimums: any grouping first gives the same).
_TOTALS: Final = (
    *(nw.col(c).sum() for c in ("total_mme", "total_days_supply", "n_dispensings", "n_excluded", "n_failed")),
    nw.col("failed_reason").min(),
    nw.col("excluded_reason").min(),
)
#: The lazy backends whose result is sorted by patient, as an eager frame's is; Dask and Spark sort only by a shuffle
#: of every partition, which the caller may not need: their patients come in no set order.
_SORTED_LAZY: Final = frozenset({nw.Implementation.POLARS, nw.Implementation.DUCKDB})
#: How each backend sweeps (`_summarize`'s ``method``); any other rides the totals on the window sweep.
_SWEEPS: Final[dict[nw.Implementation, Literal["window", "pairwise"]]] = {
    nw.Implementation.POLARS: "window",
    nw.Implementation.PANDAS: "window",
    nw.Implementation.PYARROW: "pairwise",
    nw.Implementation.DASK: "pairwise",
}


def _sweep_window(fills: Frame, p: str, riding: tuple[nw.Expr, ...] = ()) -> Frame:
    """Each patient's on-therapy days and highest daily sum, by window functions over fill starts and ends.

    Every fill adds its MME/day at its first day and removes it after its last; the running sum
    over a patient's dates is the daily MME, the running count of active fills tells covered days:
    a stretch of them starts where the count leaves 0 and ends where it returns to it. On a day
    where fills end and others start, the ends come first (ordered by ``dc``): the running sum
    falls, then rises, never above the day's level or the one before, so no grouping by day is needed.

    With ``riding`` (`_TOTALS`, on DuckDB and Spark) the totals ride on the starts, so that the fills
    are read once and no aggregate sits on the join with the lookup, which DuckDB's optimiser pushes
    down at a cost that grows with the plan. Elsewhere a group-by of the fills is cheaper, and the
    sweep reads only the counted spans' four columns (on Polars a third less CPU, and a third less memory).
    """
    names = (
        "total_mme", "total_days_supply", "n_dispensings", "n_excluded", "n_failed", "failed_reason", "excluded_reason"
    )  # fmt: skip
    totals, nothing = (names, _NO_TOTALS) if riding else ((), ())
    events = nw.concat(
        [
            fills.select(nw.col(p), nw.col("f").alias("t"), nw.col("r").alias("dr"), nw.lit(1).cast(nw.Int64).alias("dc"), *totals),
            fills.select(nw.col(p), nw.col("s").alias("t"), (-nw.col("r")).alias("dr"), nw.lit(-1).cast(nw.Int64).alias("dc"), *nothing),
        ],
        how="vertical",
    )  # fmt: skip
    events = events.with_columns(
        nw.col("dr").cum_sum().over(p, order_by=["t", "dc"]).alias("level"),
        nw.col("dc").cum_sum().over(p, order_by=["t", "dc"]).alias("active"),
    )
    active, before, t = nw.col("active"), nw.col("active") - nw.col("dc"), nw.col("t")
    edge = nw.when((active > 0) & (before == 0)).then(-t).when((active == 0) & (before > 0)).then(t).otherwise(0)
    # a column first: narwhals' pandas group-by reads an aggregated `when` as its last branch's column
    return (
        events.with_columns(edge.alias("edge"))
        .group_by(p)
        .agg(nw.col("edge").sum().alias("on_therapy_days"), nw.col("level").max().alias("max_daily_mme"), *riding)
    )


#: What an end event adds to the riding totals: nothing (the fill's totals ride on its start).
_NO_TOTALS: Final = (
    *(nw.lit(0.0).alias("total_mme"), nw.lit(0).cast(nw.Int64).alias("total_days_supply")),
    *(nw.lit(0).cast(nw.Int64).alias(c) for c in ("n_dispensings", "n_excluded", "n_failed")),
    nw.lit(None, nw.String).alias("failed_reason"),
    nw.lit(None, nw.String).alias("excluded_reason"),
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

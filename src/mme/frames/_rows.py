"""MME/day and the reasons, per row, as column expressions: the engine's checks and arithmetic, in its order."""

from __future__ import annotations

import functools
import math
import operator
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import narwhals as nw

from mme._engine import (
    BOTTLES,
    CHANGES_TOLERANCE,
    DAILY_TOTAL,
    DAYS_ROUND_TO_ZERO,
    HOW_OFTEN,
    IMPLAUSIBLE,
    IMPLAUSIBLE_MME_PER_DAY,
    OVERFLOW,
    PACKAGE_NOT_CONC,
    ROUNDS_TO_ZERO,
    SPRAYS,
    Stage,
)
from mme._errors import ColumnError
from mme._ndc import NdcFile
from mme._tables import Table
from mme._units import NUMBER_TEXT, not_a_number, not_positive

from ._keys import _check_columns, _Columns, _dispensing_keys
from ._lookup import (
    AS_READ,
    WHEN_CODES,
    _duckdb_keys,
    _fast_attributes,
    _joined,
    _Known,
    _Need,
    _pandas_texts,
    _polars_texts,
    _quoted,
    _TextParts,
)
from ._schema import (
    _ROW,
    _T,
    MME_DAYS_SUPPLY,
    MME_ERROR,
    MME_EXCLUDED,
    MME_FACTOR,
    MME_PER_DAY,
    MME_WARNING,
    WARNING_SEPARATOR,
    Frame,
    _AnyFrame,
    _col,
)

if TYPE_CHECKING:  # imported where RxCUIs are read: a run without them does not load the RxNorm module
    from mme.rxnorm import RxnormLike

# -- the row expressions --------------------------------------------------------------------------------------

# What stops a row: nothing, its key (the key's message), or one of its numbers (ids below -1).
_NO_MESSAGE: Final = 0
_KEY_MESSAGE: Final = -1  # (negated, the ids are the masks of `mme_error`: 0 none)
_ROW_MESSAGES: Final = {  # the engine's texts (`mme._engine`), by id
    -2: not_positive("strength"),
    -3: not_positive("quantity"),
    -4: not_positive("days_supply"),
    -5: PACKAGE_NOT_CONC,
    -6: not_positive("package_ml"),
    -7: not_positive("dose"),
    -8: not_positive("count"),
    -9: not_positive("per_day"),
    -10: DAILY_TOTAL,
    -11: HOW_OFTEN,
    -12: OVERFLOW,
    -13: ROUNDS_TO_ZERO,
    -14: DAYS_ROUND_TO_ZERO,
    -15: not_a_number("per_day", True),  # a true/false column: as the engine refuses per_day=True
    -16: not_a_number("per_day", False),
}
# The engine's stages (`mme._engine.Stage`), by the same names, as the plain numbers of the lookup's "st" column
# (DuckDB's lookup relation is SQL text, where an enum member would print as its repr).
_OK, _NAMES, _DOSE_KIND, _MATCH, _STRENGTH_KIND, _EXCLUDED = (int(s) for s in Stage)
_OVERFLOW: Final = -12
_ZERO: Final = -13
_DAYS_ZERO: Final = -14
_STAGES: Final = (_NAMES, _DOSE_KIND, _MATCH, _STRENGTH_KIND)  # the statuses that stop a row with its key's message
_NUMBER_MESSAGE: Final = {"strength": -2, "quantity": -3, "days_supply": -4, "dose": -7, "count": -8}


def _ok(expr: nw.Expr) -> nw.Expr:
    """A positive finite number (nulls, NaN, inf, zero and negatives are not)."""
    return ((expr > 0) & expr.is_finite()).fill_null(value=False)


# A number as text, as the core reads one (what every backend's cast reads alike).
_NUMBER_TEXT: Final = f"^{NUMBER_TEXT}$"


def _number(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A numeric input column as Float64. Text is read only where it is a plain number, null elsewhere
    ("ten", "", "1,000"), so that one bad cell fails its row instead of the cast failing the whole run."""
    expr = nw.col(name)
    if dtype == nw.Float32:  # read as written, as its text would be: 3.3, not the 3.2999999523 it widens to
        return expr.cast(nw.String).cast(nw.Float64)
    if dtype == nw.Float16:  # the same rule; no backend but pandas writes a float16 as its shortest text
        widened = expr.cast(nw.Float64)  # exact
        binary, written = _halves_as_written()
        return widened.replace_strict(binary, written, default=widened, return_dtype=nw.Float64)
    if dtype.is_numeric():
        return expr.cast(nw.Float64)
    text = expr.cast(nw.String).str.strip_chars()
    return nw.when(text.str.contains(_NUMBER_TEXT).fill_null(value=False)).then(text).cast(nw.Float64)


def _given(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """Whether a cell of an optional numeric column (package_ml) gives a value: not null, and, in text, not blank.
    Text that is no number ("2,5", "abc", "nan") is given, and fails its row as `_number` reads it (null), rather
    than be taken for a value not given."""
    if dtype.is_numeric():
        return ~nw.col(name).is_null()
    return (nw.col(name).cast(nw.String).str.strip_chars() != "").fill_null(value=False)


@functools.cache
def _halves_as_written() -> tuple[list[float], list[float]]:
    """Every finite nonzero float16, and the number its shortest text gives (as NumPy writes it, which the scalar engine
    reads): 0.1 for the 0.0999755859375 stored, 6.55e+04 for 65504. Computed once, in 0.5 s."""
    binary = [h for (h,) in struct.iter_unpack("<e", struct.pack("<31743H", *range(1, 31744)))]
    written = [_half_as_written(h) for h in binary]
    return [*binary, *(-h for h in binary)], [*written, *(-w for w in written)]


def _half_as_written(half: float) -> float:
    """The positive float16 `half` as its shortest text: the fewest digits that read back as it, the nearest of them
    (ties to an even last digit); where the nearest text of so many digits reads back as another float16 (beside a
    power of 2, where the float16 below is nearer), the text on the other side of `half`."""
    stored = _half_bits(half)
    for digits in range(1, 6):
        nearest = format(half, f".{digits - 1}e")
        if _half_bits(float(nearest)) == stored:
            return float(nearest)
        text = Decimal(nearest)
        step = Decimal(1).scaleb(text.adjusted() - digits + 1)
        other = float(text - step if float(nearest) > half else text + step)
        if _half_bits(other) == stored:
            return other
    raise AssertionError(half)  # pragma: no cover - five digits read back as every float16


def _half_bits(x: float) -> bytes | None:
    """`x` rounded to a float16, as bytes (None: beyond the largest)."""
    try:
        return struct.pack("<e", x)
    except OverflowError:
        return None


_SMALLEST_NORMAL: Final = sys.float_info.min
_LIFT: Final = 2.0**64  # lifts every positive subnormal into the normal floats, exactly
_WHOLE_FROM: Final = 2.0**52  # every float from here on is a whole number
_SCALE: Final = 1e9  # results are rounded to 9 decimal places, as the scalar engine rounds them
_ROUNDED_BELOW: Final = 2.0**52 / _SCALE  # from here on x * 1e9 has no fraction left: x is kept as it is


def _round(
    x: nw.Expr, backend: nw.Implementation | None = None, *, below: float = math.inf, nonnegative: bool = False
) -> nw.Expr:
    """`x` rounded half to even to 9 decimal places, the same on every backend.

    ``Expr.round`` where the `backend` rounds ties to even (Polars, pandas: ``x * 1e9`` to even, then / 1e9, as
    below); not elsewhere: PyArrow, DuckDB and Spark round ties away from zero, and PyArrow raises where
    ``x * 1e9`` overflows. ``below``: a bound of ``abs(x)`` known beforehand; ``nonnegative``: `x` is known never
    to be negative (NaN aside), which spares a condition on every row.
    """
    small = x.abs() < _ROUNDED_BELOW
    if backend in _ROUNDS_TO_EVEN:
        if below < _ROUNDED_BELOW:
            return x.round(9)
        return nw.when(small).then(x).round(9).fill_null(x)  # nothing large is multiplied (pandas would warn)
    y = x * _SCALE
    # y to a whole number half to even by the float addition itself: y + 2**52 (- 2**52 where y is negative) keeps
    # no bit below 1, so it rounds y half to even, and taking 2**52 off again is exact (|y| <= 2**52 where used)
    shift = nw.lit(_WHOLE_FROM) if nonnegative else nw.when(y < 0).then(-_WHOLE_FROM).otherwise(_WHOLE_FROM)
    whole = (y + shift) - shift
    # k / 1e9 divided by a column where a backend may divide by a literal as a multiplication by its reciprocal,
    # which is one bit off (107142857 * 1e-9 != 107142857 / 1e9), as Polars does; DuckDB divides (two steps less)
    rounded = whole / _SCALE if backend in _DIVIDES_BY_LITERALS else whole / (whole * 0.0 + _SCALE)
    return rounded if below < _ROUNDED_BELOW else nw.when(small).then(rounded).otherwise(x)


_ROUNDS_TO_EVEN: Final = frozenset({nw.Implementation.POLARS, nw.Implementation.PANDAS})
_DIVIDES_BY_LITERALS: Final = frozenset({nw.Implementation.DUCKDB})


def _tiered(known: _Known, n_tiers: int, daily: nw.Expr, what: str) -> nw.Expr:
    """The tier's value (cf: factor per unit of daily amount, pf: printed factor) for the daily amount."""
    if n_tiers == 1:
        return known.attr(f"{what}0")
    chain = nw.when(daily <= known.attr("up0")).then(known.attr(f"{what}0"))
    for i in range(1, n_tiers - 1):
        chain = chain.when(daily <= known.attr(f"up{i}")).then(known.attr(f"{what}{i}"))
    return chain.otherwise(known.attr(f"{what}{n_tiers - 1}"))


def _text(ids: nw.Expr, possible: Sequence[int], key: nw.Expr | None, *, chained: bool = False) -> nw.Expr:
    """Message ids as their text: the `key`'s message (if it can have one), or the row's (null for `_NO_MESSAGE`), among the
    `possible` ones. `chained`: by a chain of conditions, on the backends that evaluate each only on the rows that reach
    it (`_CHAINED`), where the look-up (a map, on DuckDB) costs more."""
    row_ids = [i for i in possible if i != _KEY_MESSAGE]
    if chained:
        by_row = nw.lit(None, nw.String)
        for i in reversed(row_ids):
            by_row = nw.when(ids == i).then(nw.lit(_ROW_MESSAGES[i])).otherwise(by_row)
    else:  # one look-up, not a chain of conditions over every row
        by_row = ids.replace_strict(
            row_ids, [_ROW_MESSAGES[i] for i in row_ids], default=nw.lit(None, nw.String), return_dtype=nw.String
        )
    by_row = nw.when(ids != _NO_MESSAGE).then(by_row)  # most rows have none: the look-up only where one has
    return by_row if key is None else nw.when(ids == _KEY_MESSAGE).then(key).otherwise(by_row)


def _first(checks: Sequence[tuple[nw.Expr, int]], otherwise: int | nw.Expr) -> nw.Expr:
    """The id of the first check that holds, `otherwise` where none does."""
    otherwise = otherwise if isinstance(otherwise, nw.Expr) else nw.lit(otherwise)
    if not checks:
        return otherwise
    chain: Any = nw.when(checks[0][0]).then(nw.lit(checks[0][1]))
    for condition, id_ in checks[1:]:
        chain = chain.when(condition).then(nw.lit(id_))
    return chain.otherwise(otherwise)  # type: ignore[no-any-return]


#: The backends whose conditions (SQL's CASE) compute a branch only on the rows that take it, for `_text`.
_CHAINED: Final = frozenset({nw.Implementation.DUCKDB})


#: What `summarize` reads of each row: these outputs, and the temporary columns after them.
_SUMMARIZED: Final = (MME_PER_DAY, MME_DAYS_SUPPLY, MME_EXCLUDED, MME_ERROR)
_SUMMARY_READS: Final = tuple(
    f"{_T}{name}" for name in ("ok_quantity", "ok_days_supply", "v_days_supply", "bup", "rate")
)


def _on_polars(frame: _AnyFrame, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> nw.DataFrame[Any] | None:
    """pandas' fast path: the columns the rows read, as a Polars frame, where Polars (and PyArrow, through which
    it converts) is installed and reads them alike (text, and NumPy numbers whose NaN pandas takes for null);
    there, the rows run at Polars' speed. None otherwise: the rows are computed on pandas."""
    try:
        import polars as pl
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - the tests install both
        return None
    import numpy as np

    native = frame.to_native()  # with unique column names (narwhals refuses others)
    read = list(dict.fromkeys(replace(columns, extra=()).required()))
    numpy = {c for c in read if isinstance(native[c].dtype, np.dtype) and native[c].dtype.kind in "iuf"}
    if any(c not in numpy and schema[c] != nw.String for c in read):
        return None
    # column by column: `native[read]` would copy them first
    polars = nw.from_native(pl.DataFrame([pl.from_pandas(native[c], nan_to_null=True) for c in read]), eager_only=True)
    same = all(dtype == schema[c] for c, dtype in polars.collect_schema().items())
    return polars if same else None


def _to_pandas(frame: _AnyFrame, rows: Frame, names: Sequence[str]) -> Frame:
    """The pandas `frame` with the columns `names` of `rows` (computed on Polars, in the frame's row order), in the
    types the rows computed on pandas have: null numbers as NaN, text in pandas' own string type."""
    native = frame.to_native()
    schema = rows.collect_schema()
    computed = rows.select(*(n for n in names if n in schema)).collect().to_native().to_pandas()
    computed.index = native.index
    string = nw.new_series("s", [], nw.String, backend=nw.Implementation.PANDAS).to_native().dtype
    for name in computed.columns:
        if schema[name] == nw.String:
            computed[name] = computed[name].astype(string)
    out: Frame = nw.from_native(native.assign(**dict(computed.items())), eager_only=True).lazy()
    return out


def _annotate(
    frame: _AnyFrame,
    columns: _Columns,
    table: Table | None,
    variant: str | None,
    ndc_file: NdcFile | None,
    *,
    regimen: bool = False,
    bup: bool = False,
    outputs: Sequence[str] = _SUMMARIZED,
    rxnorm: RxnormLike = None,
) -> Frame:
    """`frame` with the `outputs` result columns, and the temporary ones (``__mme_*``) that `summarize` uses."""
    schema = _check_columns(frame, columns)
    if frame.implementation.is_duckdb():
        frame, columns, schema = _duckdb_as_written(frame, columns, schema)
    elif frame.implementation not in _SHORTEST_TEXT and (real := _float32_columns(columns, schema)):
        raise ColumnError(
            f"column(s) {', '.join(map(repr, real.values()))} hold float32 numbers, which {frame.implementation} does "
            "not always write as their shortest text, so they cannot be read as written (3.3, not the 3.2999999523 a "
            "float32 widens to): give them as double (read as its binary value), decimal or text"
        )
    if frame.implementation.is_pyarrow():
        frame, columns, schema = _arrow_integers_as_floats(frame, columns, schema)
    if frame.implementation.is_pandas() and (read := _on_polars(frame, columns, schema)) is not None:
        rows = _annotate(
            read,
            replace(columns, extra=()),
            table,
            variant,
            ndc_file,
            regimen=regimen,
            bup=bup,
            outputs=outputs,
            rxnorm=rxnorm,
        )
        return _to_pandas(frame, rows, [*outputs, *(_SUMMARY_READS if tuple(outputs) == _SUMMARIZED else ())])
    keys = _dispensing_keys(columns, schema, table, variant, ndc_file, regimen=regimen, rxnorm=rxnorm)
    if frame.implementation.is_duckdb():
        keys = replace(keys, exprs=_duckdb_keys(keys, schema))
    # DuckDB reads the distinct keys in the pass that reads the ranges (grouped by them): a statement less
    by: list[str] = keys.names if frame.implementation in _KEYS_WITH_RANGES else []
    if not regimen and frame.implementation is nw.Implementation.POLARS and isinstance(frame, nw.DataFrame):
        frame, columns, schema = _read_once(frame, columns, schema, keys.strength_in_key)
    need = _Need(regimen=regimen, conc=columns.package_ml is not None, bup=bup, outputs=tuple(outputs))
    lf: Frame
    # the numbers whose ranges are read first, where they are (`_bounds`), before the keys' attributes are joined
    as_given = {} if regimen or columns.package_ml is not None else _numbers_read(columns, schema, keys.strength_in_key)
    bounds, distinct = _bounds(frame.with_columns(*keys.exprs) if by else frame, as_given, by)
    fast = _fast_attributes(frame, keys, need)
    if fast is not None:
        lf, n_tiers, known = fast
    elif isinstance(frame, nw.DataFrame):
        # Eager: join only the keys (the frame's other columns are not copied), check that the backend's
        # join kept the row order (restore it if not), and put the attributes next to the frame's columns.
        narrow = frame.select(*keys.exprs).with_row_index(_ROW)
        attributes, n_tiers, known = _joined(narrow, keys, need)
        if not attributes[_ROW].is_sorted():
            attributes = attributes.sort(_ROW)
        lf = nw.concat([frame, attributes.drop(_ROW, *keys.names)], how="horizontal").lazy()
    else:  # a query, run again when read: a row must then be as read (`_as_read`)
        as_read = [] if bounds is None else [_as_read(bounds, as_given).alias(AS_READ)]
        lf, n_tiers, known = _joined(frame.with_columns(*keys.exprs, *as_read), keys, need, distinct if by else None)

    strength = (
        known.attr("ks") if keys.strength_in_key else _number(columns.strength or "", schema[columns.strength or ""])
    )

    def canonical(value: nw.Expr) -> nw.Expr:  # in the engine's unit: x 1 / 15 for mg/15 mL, one rounding
        return value * known.attr("um") if known.only("ud", 1.0) else value * known.attr("um") / known.attr("ud")

    numbers: dict[str, nw.Expr] = {"dose" if regimen else "strength": canonical(strength)}
    if regimen and columns.count is not None:
        numbers["count"] = _number(columns.count, schema[columns.count])
    if not regimen:
        assert columns.quantity is not None
        assert columns.days_supply is not None
        numbers["quantity"] = _number(columns.quantity, schema[columns.quantity])
        numbers["days_supply"] = _number(columns.days_supply, schema[columns.days_supply])
    ranges = None if bounds is None else _ranges(bounds, known)

    def valid(what: str) -> bool:  # every row's is
        return ranges is not None and ranges[what][2]

    lf = lf.with_columns(
        (nw.lit(value=True) if valid(what) else _ok(expr)).alias(f"{_T}ok_{what}") for what, expr in numbers.items()
    )
    lf = lf.with_columns(  # the value where it is valid (1 elsewhere: no division by zero on any backend)
        (expr if valid(what) else nw.when(_col(f"ok_{what}")).then(expr).otherwise(1.0)).alias(f"{_T}v_{what}")
        for what, expr in numbers.items()
    )

    # the first check that fails, in the engine's order: a message id (or _NO_MESSAGE). That order is the engine's
    # code (`_engine.dispensed`, `_regimen`): `Stage` numbers the key's stops, not the row checks between them,
    # so the order is written here again, and the property tests hold the two to each other
    checks: list[tuple[nw.Expr, int]] = []

    def stage(status: int) -> None:
        if known.can("st", status):
            checks.append((known.attr("st") == status, _KEY_MESSAGE))

    def number(what: str) -> None:
        if what in numbers and not valid(what):
            checks.append((~_col(f"ok_{what}"), _NUMBER_MESSAGE[what]))

    stage(_NAMES)
    package_factor: nw.Expr | None = None
    if regimen:
        number("dose")
        number("count")
        stage(_DOSE_KIND)
        checks += _regimen_errors(known, columns, schema)
    else:
        number("strength")
        stage(_MATCH)
        number("quantity")
        number("days_supply")
        if columns.package_ml is not None:
            package = _number(columns.package_ml, schema[columns.package_ml])
            given = _given(columns.package_ml, schema[columns.package_ml])
            checks += [(given & ~known.attr("conc"), -5), (given & ~_ok(package), -6)]
            package_factor = nw.when(given & _ok(package)).then(package).otherwise(1.0)
        stage(_STRENGTH_KIND)
    first_check = _first(checks, _NO_MESSAGE).alias(f"{_T}err")  # a column beside the daily amount, in one step

    # The daily amount in the unit of the strength (x the unit multiplier: mg/day) and its MME/day.
    s = _col("v_dose" if regimen else "v_strength")
    days: nw.Expr | None = None
    if regimen:
        amount = _regimen_daily(known, s, columns, schema)
    else:
        q, d = _col("v_quantity"), _col("v_days_supply")
        dispensed = q if package_factor is None else q * package_factor
        # strength x quantity / days; the engine is exact, so where the product leaves the normal float range
        # (2.5 x 1e308 overflows, 10 x 1e-320 loses digits) the daily amount is read another way: the quantity
        # a day first, or, where that overflows too (10 / 1e-320), the strength a day first
        s_, d_ = s, d
        plain = ranges is not None and _plain(ranges)
        if not plain and (
            "um" not in known.values or any(u < 1 for u in known.values["um"]) or not known.only("ud", 1.0)
        ):
            # a strength that falls below the normal floats once in mg (1e-320 mcg: 1e-323 mg, one digit left) is
            # read from the number given, with the strength and the days supply scaled alike (exactly: by 2**64)
            small = s < _SMALLEST_NORMAL
            s_ = nw.when(small).then(canonical(strength * _LIFT)).otherwise(s)
            d_ = nw.when(small).then(d * _LIFT).otherwise(d)
        product = s_ * dispensed
        normal = product.is_finite() & (product >= _SMALLEST_NORMAL)
        per_day = q / d_ if package_factor is None else q / d_ * package_factor  # q x mL per package may overflow
        by_quantity = s_ * per_day
        by_strength = s_ / d_ * dispensed
        if package_factor is not None:  # and where the mL dispensed overflow (1e308 packages of 5 mL), packages first
            by_strength = nw.when(by_strength.is_finite()).then(by_strength).otherwise(s_ / d_ * q * package_factor)
        amount = product / d_ if plain else (
            nw.when(normal).then(product / d_)
            .when(by_quantity.is_finite()).then(by_quantity)
            .otherwise(by_strength)
        )  # fmt: skip
        if known.some("rate"):
            amount = nw.when(known.attr("rate")).then(s).otherwise(amount)
        days = nw.when(known.attr("wear") > 0).then(q * known.attr("wear")).otherwise(d) if known.some("wear") else d
    lf = lf.with_columns(first_check, amount.alias(f"{_T}daily"))
    daily = _col("daily")
    if n_tiers > 1:  # the engine chooses the tier by the daily amount it reports, rounded: 20.000000000000004 is 20
        lf = lf.with_columns(_round(daily, frame.implementation, nonnegative=True).alias(f"{_T}tier_daily"))
    tier_by = _col("tier_daily") if n_tiers > 1 else daily
    mme, factor = daily * _tiered(known, n_tiers, tier_by, "cf"), _tiered(known, n_tiers, tier_by, "pf")
    # the engine's last check: a result that overflows fails its row; an excluded drug's daily amount too
    ok, excluded = known.attr("st") == _OK, known.attr("st") == _EXCLUDED
    counted_finite = (
        mme.is_finite() if known.only("ru", 1.0) else mme.is_finite() & (daily * known.attr("ru")).is_finite()
    )
    finite = (
        nw.when(excluded).then(daily.is_finite()).otherwise(counted_finite)
        if known.can("st", _EXCLUDED)
        else counted_finite
    )
    finite = finite if days is None or not known.some("wear") else finite & days.is_finite()
    judged = _col("err") == _NO_MESSAGE
    if not known.only("st", _OK, _EXCLUDED):
        judged = judged & (ok | excluded)
    overflow = judged & ~finite.fill_null(value=False)
    # and one that rounds to 0 (the daily amount, and the MME/day of a counted row): never a 0 in a total
    # (x rounds to 0 at 9 places, half to even, where x * 1e9 <= 0.5, as in `_round`)
    counted_zero = mme * _SCALE <= 0.5
    counted_zero = counted_zero if known.only("st", _OK) else ok & counted_zero
    zero = judged & ((daily * _SCALE <= 0.5) | counted_zero).fill_null(value=False)
    last = [(overflow, _OVERFLOW), (zero, _ZERO)]
    if days is not None:  # and a dispensing's days supply that rounds to 0, after the amounts' (as in the engine)
        last.append((judged & (days * _SCALE <= 0.5).fill_null(value=False), _DAYS_ZERO))
    never = _never(ranges, known) if ranges is not None and _plain(ranges) else set()
    late = [(check, i) for check, i in last if i not in never]
    # the last check, as a column beside the rounded amounts (one step: none reads another)
    step = [_first(late, _col("err")).alias(f"{_T}err")] if late else []
    fine = _col("err") == _NO_MESSAGE
    counted = fine if known.only("st", _OK) else fine & ok

    # the rounded amounts that MME/day and the warnings read, as columns: inlined, each would be computed again.
    # None is negative: the numbers they are computed from are positive (1 in place of invalid ones), factors too
    rounded: dict[str, nw.Expr] = {}
    amounts = {"r_daily": daily, "r_mme": mme, "r_supply": _col("v_days_supply"), "r_days": days}

    highest = _highest(ranges, known) if ranges is not None and _plain(ranges) else {}

    def rounded_column(name: str) -> nw.Expr:
        below = highest.get(name, math.inf)
        rounded[name] = _round(amounts[name], frame.implementation, below=below, nonnegative=True)  # type: ignore[arg-type]
        return _col(name)

    possible = [i for _, i in checks] + [i for _, i in last]
    results = {
        MME_PER_DAY: nw.when(counted).then(
            rounded_column("r_mme")
            if MME_WARNING in need.outputs
            else _round(mme, frame.implementation, below=highest.get("r_mme", math.inf), nonnegative=True)
        ),
        MME_FACTOR: nw.when(counted).then(factor),
        MME_EXCLUDED: (
            nw.when(fine & excluded).then(known.attr("msg")) if known.can("st", _EXCLUDED) else nw.lit(None, nw.String)
        ),
        MME_ERROR: _text(
            _col("err"),
            possible,
            known.attr("msg") if known.can("st", *_STAGES) else None,
            chained=frame.implementation in _CHAINED,
        ),
    }
    if days is not None:
        results[MME_DAYS_SUPPLY] = nw.when(fine).then(rounded_column("r_days"))  # as the engine rounds every result
    texts: dict[str, list[_Part]] = {
        MME_EXCLUDED: [(fine & excluded, "msg", True)] if known.can("st", _EXCLUDED) else [],
        MME_ERROR: [(_col("err") == i, "msg", True) if i == _KEY_MESSAGE else (_col("err") == i, _ROW_MESSAGES[i], False)
                    for i in dict.fromkeys(possible)],
    }  # fmt: skip
    if MME_WARNING in need.outputs:
        texts[MME_WARNING] = _warning_parts(known, fine, counted, rounded_column, s, not regimen, columns, schema)
        results[MME_WARNING] = _owed(known, texts[MME_WARNING])
    step += [x.alias(f"{_T}{name}") for name, x in rounded.items()]
    if bup:  # `summarize` reads it
        step.append(known.attr("bup").alias(f"{_T}bup"))
    if tuple(need.outputs) == _SUMMARIZED:  # and MME/day before it is rounded: sums of fills round once
        step.append(nw.when(counted).then(mme).alias(f"{_T}rate"))
    if step:
        lf = lf.with_columns(*step)
    if known.arrays is None:
        return lf.with_columns(results[name].alias(name) for name in need.outputs)
    # Polars, pandas: the texts from masks of the parts each row owes, built once per key and parts owed
    native = {name: parts for name, parts in texts.items() if name in need.outputs}
    masks = [
        _mask([c for c, _, _ in parts]).alias(f"{_T}mask_{name}") for name, parts in native.items() if name != MME_ERROR
    ]
    specs = {name: _TextParts([(t, of_key) for _, t, of_key in parts]) for name, parts in native.items()}
    if MME_ERROR in native:  # a row has one message: its id, negated, is the mask (0: none)
        masks.append((-_col("err")).alias(f"{_T}mask_{MME_ERROR}"))
        by_id = {i: (t, of_key) for (_, t, of_key), i in zip(native[MME_ERROR], dict.fromkeys(possible), strict=True)}
        specs[MME_ERROR] = _TextParts([by_id.get(-mask) for mask in range(-min(_ROW_MESSAGES) + 1)], one=True)
    lf = lf.with_columns(*(results[name].alias(name) for name in need.outputs if name not in native), *masks)
    if frame.implementation is nw.Implementation.POLARS:
        return _polars_texts(lf, known, specs)
    return _pandas_texts(lf.collect(), known, specs).lazy()


def _mask(conditions: Sequence[nw.Expr]) -> nw.Expr:
    """The bits of the `conditions` that hold (a null one does not), the first the lowest: one step each."""
    bits = [nw.when(c).then(nw.lit(1 << i, nw.Int64)).otherwise(nw.lit(0, nw.Int64)) for i, c in enumerate(conditions)]
    return functools.reduce(operator.add, bits) if bits else nw.lit(0, nw.Int64)


#: Bounds a frame's numbers keep far inside of for `_plain` and `_never`: products and quotients of three of them
#: stay normal floats, and far from rounding to 0.
_FAR: Final = 1e90


def _read_once(
    frame: nw.DataFrame[Any], columns: _Columns, schema: dict[str, nw.dtypes.DType], strength_in_key: bool
) -> tuple[nw.DataFrame[Any], _Columns, dict[str, nw.dtypes.DType]]:
    """An eager Polars frame whose numbers are text (a CSV read as text), each read once into a temporary column
    that the rows read instead: an eager query computes an expression each time it is read, and `_ranges` and the
    checks read each number several times (3 million rows of text: 5.9 s of CPU before, about 1 s after).

    Polars' cast reads the numbers `_number` reads, alike and at a fraction of its cost; it also reads "inf" and
    "nan", which `_number` does not. A column where it finds a value that is not finite, or text it cannot read
    (spaces around a number, a word), is read by `_number`."""
    import polars as pl

    numbers = _number_columns(columns, strength_in_key)
    text = {what: name for what, name in numbers.items() if not schema[name].is_numeric()}
    if not text:
        return frame, columns, schema
    native = frame.to_native()
    read: list[Any] = []
    for what, name in text.items():
        cells = native.get_column(name).cast(pl.String)
        value = cells.cast(pl.Float64, strict=False).alias(f"{_T}read_{what}")
        if value.null_count() == cells.null_count() and value.is_finite().all():
            read.append(nw.from_native(value, series_only=True))
        else:
            read.append(_number(name, schema[name]).alias(f"{_T}read_{what}"))
    frame = frame.with_columns(*read)
    renamed: dict[str, Any] = {what: f"{_T}read_{what}" for what in text}
    return frame, replace(columns, **renamed), dict(frame.collect_schema())


_NUMBER_FIELDS: Final = ("strength", "quantity", "days_supply", "package_ml", "per_day", "count")
#: A REAL as its shortest text (the fewest digits that read back as it), as a DOUBLE: the first of 1 to 9 digits.
_SHORTEST: Final = "CASE WHEN NOT isfinite({x}) THEN CAST({x} AS DOUBLE) {whens} END"
_DIGITS: Final = "WHEN CAST(printf('%.{p}g', {x}) AS REAL) = {x} THEN CAST(printf('%.{p}g', {x}) AS DOUBLE)"


#: The backends whose text of a float32 is its shortest (measured on 200,000 random float32 values each, `_number`
#: reads a float32 through it); DuckDB's is not, and is rebuilt (`_duckdb_as_written`); others refuse float32.
_SHORTEST_TEXT: Final = frozenset(
    {nw.Implementation.POLARS, nw.Implementation.PANDAS, nw.Implementation.PYARROW, nw.Implementation.DASK}
)


def _float32_columns(columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> dict[str, str]:
    """The float32 columns among the numbers the rows read, by what each gives."""
    used = set(columns.required())  # a claim by NDC or RxCUI reads no strength column
    return {
        what: name for what in _NUMBER_FIELDS if (name := getattr(columns, what)) in used and schema[name] == nw.Float32
    }


def _duckdb_as_written(
    frame: _AnyFrame, columns: _Columns, schema: dict[str, nw.dtypes.DType]
) -> tuple[_AnyFrame, _Columns, dict[str, nw.dtypes.DType]]:
    """A DuckDB relation whose REAL (float32) number columns are each read into a temporary column as written (`_number`
    reads other backends' float32 through their text): DuckDB's own text of a REAL is at times its exact value, not
    the shortest (52.8671875 for the 52.867188 given); 1.4 s for 600,000 values, where a plain cast takes 0.06 s."""
    real = _float32_columns(columns, schema)
    if not real:
        return frame, columns, schema
    read: dict[str, Any] = {what: f"{_T}real_{what}" for what in real}
    sql = []
    for what, name in real.items():
        x = _quoted(name)
        whens = " ".join(_DIGITS.format(p=p, x=x) for p in range(1, 10))
        sql.append(f"{_SHORTEST.format(x=x, whens=whens)} AS {_quoted(read[what])}")
    frame = nw.from_native(frame.to_native().project(", ".join(["*", *sql])))
    return frame, replace(columns, **read), dict(frame.collect_schema())


def _arrow_integers_as_floats(
    frame: _AnyFrame, columns: _Columns, schema: dict[str, nw.dtypes.DType]
) -> tuple[_AnyFrame, _Columns, dict[str, nw.dtypes.DType]]:
    """A PyArrow table whose integer number columns are each read into a temporary column as the nearest float, as
    every other backend (and the scalar engine) reads an integer: PyArrow's own cast refuses one beyond 2**53
    (9007199254740993) and would stop the run, where the value is to fail or warn its row only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    used = set(columns.required())
    ints = {w: name for w in _NUMBER_FIELDS if (name := getattr(columns, w)) in used and schema[name].is_integer()}
    if not ints:
        return frame, columns, schema
    table = frame.to_native()
    read: dict[str, Any] = {what: f"{_T}int_{what}" for what in ints}
    for what, name in ints.items():
        table = table.append_column(read[what], pc.cast(table[name], pa.float64(), safe=False))
    frame = nw.from_native(table, eager_only=True)
    return frame, replace(columns, **read), dict(frame.collect_schema())


#: Per number: the least and the greatest value rows compute with, and whether every row's is valid.
_Ranges = dict[str, tuple[float, float, bool]]


def _number_columns(columns: _Columns, strength_in_key: bool) -> dict[str, str]:
    """A dispensing's number columns, by what each gives (the strength's only where the key does not carry it)."""
    strength = None if strength_in_key else columns.strength
    given = {"strength": strength, "quantity": columns.quantity, "days_supply": columns.days_supply}
    return {what: name for what, name in given.items() if name is not None}


def _numbers_read(columns: _Columns, schema: dict[str, nw.dtypes.DType], strength_in_key: bool) -> dict[str, nw.Expr]:
    """A dispensing's numbers as given (the strength before its unit; none where the key carries it)."""
    return {what: _number(name, schema[name]) for what, name in _number_columns(columns, strength_in_key).items()}


#: Per number as given: the least positive and the greatest finite value (None where there is none), and whether
#: every row's is valid (positive, finite).
_Bounds = dict[str, tuple[float | None, float | None, bool]]


def _bounds(
    frame: _AnyFrame, read: dict[str, nw.Expr], by: Sequence[str] = ()
) -> tuple[_Bounds | None, list[tuple[Any, ...]]]:
    """Where the numbers `read` of an eager Polars frame or a DuckDB relation lie, read in a quick pass (and a second
    for the columns where some value is not positive, or not finite); None elsewhere, or when there is none to read.
    And the distinct values of the columns `by`, read in the first pass (grouped by them): a statement less."""
    ranged = bool(read) and frame.implementation in _RANGED
    if frame.implementation is nw.Implementation.POLARS and isinstance(frame, nw.LazyFrame):
        ranged = False
    if not ranged and not by:
        return None, []
    inf = math.inf

    def values(*exprs: nw.Expr, grouped: bool = False) -> list[dict[str, Any]]:
        lazy = frame.lazy()
        query = lazy.group_by(*by).agg(*exprs) if grouped else lazy.select(*exprs)
        got: list[dict[str, Any]] = query.collect().rows(named=True)
        return got

    # the least and greatest values, how many are not null and whether some is NaN, first (in one quick aggregation,
    # per group of `by`, merged here); the least positive or greatest finite value only of a column where some value
    # is not. Where the greatest value is NaN when some is (DuckDB orders NaN above every number), a NaN is seen there
    # (the column is then not finite), and not looked for again
    merge: dict[str, Callable[[list[Any]], Any]] = {"rows": sum}
    exprs = [nw.len().alias(f"{_T}rows")]
    nan_above = frame.implementation in _NAN_ABOVE
    for w, x in read.items() if ranged else ():
        merge |= {f"{w}_lo": min, f"{w}_hi": max, f"{w}_count": sum}
        merge |= {} if nan_above else {f"{w}_nan": any}
        exprs += [x.min().alias(f"{_T}{w}_lo"), x.max().alias(f"{_T}{w}_hi"), x.count().alias(f"{_T}{w}_count")]
        exprs += [] if nan_above else [x.is_nan().any().alias(f"{_T}{w}_nan")]
    groups = values(*exprs, grouped=bool(by))
    distinct = [tuple(g[c] for c in by) for g in groups] if by else []
    if not ranged:
        return None, distinct
    got: dict[str, Any] = {}
    for name, how in merge.items():
        seen = [v for g in groups if (v := g[f"{_T}{name}"]) is not None]
        # a group's NaN hides its other values (DuckDB orders NaN above every number): it leads to the second pass
        got[name] = (
            None if not seen else math.nan if any(isinstance(v, float) and math.isnan(v) for v in seen) else how(seen)
        )
    if not got["rows"]:
        return dict.fromkeys(read, (None, None, True)), distinct
    positive = {w for w in read if got[f"{w}_lo"] is not None and got[f"{w}_lo"] > 0}
    finite = {w for w in read if got[f"{w}_hi"] is not None and got[f"{w}_hi"] < inf}
    again = [nw.when(x > 0).then(x).min().alias(f"{w}_lo") for w, x in read.items() if w not in positive]
    again += [nw.when(x < inf).then(x).max().alias(f"{w}_hi") for w, x in read.items() if w not in finite]
    got |= values(*again)[0] if again else {}
    valid = {w for w in read if got[f"{w}_count"] == got["rows"] and not got.get(f"{w}_nan")}  # no null, no NaN
    every = {w: w in positive and w in finite and w in valid for w in read}
    return {w: (got[f"{w}_lo"], got[f"{w}_hi"], every[w]) for w in read}, distinct


def _as_read(bounds: _Bounds, read: dict[str, nw.Expr]) -> nw.Expr:
    """Whether a row's numbers are among those `bounds` were read from: each valid and within them, or invalid where
    one was. A query read again stops where they are not (`UNREAD_NUMBER`): checks were left out for them."""
    terms = []
    for w, (lo, hi, every) in bounds.items():
        within = (read[w] >= lo) & (read[w] <= hi) if lo is not None else nw.lit(value=False)  # null where no number
        terms.append(within if every else ~_ok(read[w]) | within)  # never null: an invalid number is not within
    return functools.reduce(operator.and_, terms).fill_null(value=False)  # one fill for all: a null stops the row


def _ranges(bounds: _Bounds, known: _Known) -> _Ranges | None:
    """The values the rows compute with, from the `bounds` of the numbers given (the valid ones, and 1 in place of the
    others; the strength in the engine's unit), and whether every row's is valid: there the checks no row can fail
    are left out, as `_Known` leaves out those no key can."""
    um, ud = ([float(u) for u in known.values.get(name, ())] for name in ("um", "ud"))
    if not um or not ud or not all(0 < u < math.inf for u in (*um, *ud)):
        return None
    bounds = dict(bounds)
    if "ks" in known.values:  # the strength comes with the key
        ks = [float(k) for k in known.values["ks"] if k is not None]
        valid = [k for k in ks if 0 < k < math.inf]
        bounds["strength"] = (min(valid, default=None), max(valid, default=None), len(valid) == len(known.values["ks"]))
    lo, hi, every = bounds["strength"]
    if lo is not None and hi is not None:  # in the engine's unit: valid where the product is
        lo, hi = lo * min(um) / max(ud), hi * max(um) / min(ud)
        every = every and lo > 0 and hi < math.inf
    bounds["strength"] = (lo, hi, every)
    out: _Ranges = {}
    for w, (lo, hi, every) in bounds.items():  # 1 in place of invalid values (and where there is no row)
        least, greatest = 1.0 if lo is None else float(lo), 1.0 if hi is None else float(hi)
        out[w] = (least, greatest, every) if every else (min(least, 1.0), max(greatest, 1.0), every)
    return out


_RANGED: Final = frozenset({nw.Implementation.POLARS, nw.Implementation.DUCKDB})
#: The backends whose greatest value is NaN where some value is (Polars' is the greatest other value).
_NAN_ABOVE: Final = frozenset({nw.Implementation.DUCKDB})
#: The backends whose distinct keys `_bounds` reads (`_lookup._duckdb_joined` takes them).
_KEYS_WITH_RANGES: Final = frozenset({nw.Implementation.DUCKDB})


def _plain(ranges: _Ranges) -> bool:
    """Whether every row's strength x quantity / days supply is a normal float, computed as written."""
    (s_lo, s_hi, _), (q_lo, q_hi, _) = ranges["strength"], ranges["quantity"]
    return s_lo > 1 / _FAR and s_lo * q_lo > 1 / _FAR and s_hi * q_hi < _FAR


def _daily(ranges: _Ranges) -> tuple[float, float]:
    """The least and the greatest daily amount of `_plain` rows (a rate's is its strength)."""
    (s_lo, s_hi, _), (q_lo, q_hi, _), (d_lo, d_hi, _) = (ranges[w] for w in ("strength", "quantity", "days_supply"))
    return min(s_lo * q_lo / d_hi, s_lo), max(s_hi * q_hi / d_lo, s_hi)


def _highest(ranges: _Ranges, known: _Known) -> dict[str, float]:
    """The greatest of each amount rounded (`rounded_column`: r_daily, r_mme, r_supply, r_days), given `_plain` rows."""
    daily = _daily(ranges)[1]
    (q_hi, d_hi), wear = (ranges[w][1] for w in ("quantity", "days_supply")), known.values.get("wear", [math.inf])
    factors = known.counted_factors(every=True)
    return {"r_daily": daily, "r_mme": daily * max(factors, default=0.0), "r_supply": d_hi,
            "r_days": max(q_hi * max(wear), d_hi)}  # fmt: skip


def _never(ranges: _Ranges, known: _Known) -> set[int]:
    """The engine's last checks (`_OVERFLOW`, `_ZERO`, `_DAYS_ZERO`) that no row can fail, given `_plain` amounts."""
    (q_lo, q_hi, _), (d_lo, d_hi, _) = ranges["quantity"], ranges["days_supply"]
    daily_lo, daily_hi = _daily(ranges)
    factors = known.counted_factors()
    largest = [*factors, *known.values.get("ru", [math.inf]), 1.0]
    if not all(math.isfinite(f) for f in largest):
        return set()
    never = set()
    if daily_hi * max(largest) < _FAR and q_hi * max(known.values.get("wear", [math.inf])) < _FAR and d_hi < _FAR:
        never.add(_OVERFLOW)
    if daily_lo * min(factors, default=1.0) * _SCALE > 1 and daily_lo * _SCALE > 1:
        never.add(_ZERO)
    wear = [w for w in known.values.get("wear", ()) if w > 0]  # a patch's days supply is its count x its wear
    if d_lo * _SCALE > 1 and q_lo * min(wear, default=math.inf) * _SCALE > 1:
        never.add(_DAYS_ZERO)
    return never


def _warning_parts(
    known: _Known,
    fine: nw.Expr,
    counted: nw.Expr,
    rounded: Callable[[str], nw.Expr],
    unit_mg: nw.Expr,
    dispensed: bool,
    columns: _Columns,
    schema: dict[str, nw.dtypes.DType],
) -> list[_Part]:
    """The warnings the engine puts on each row's result, in its order (`_owed` joins them).

    Their texts come with the key (`mme._engine`); the row's numbers only decide which are owed, as in the engine.
    Those that no key of the frame can owe are left out. `rounded` gives a rounded amount by name: r_daily, r_mme,
    and for dispensings r_supply (the days supply given) and r_days (the one the result states).
    """

    def owed(name: str) -> nw.Expr:
        when, limit = known.attr(f"{name}_when"), known.attr(f"{name}_limit")
        terms = []
        if known.can(f"{name}_when", WHEN_CODES["always"]):
            terms.append(when == WHEN_CODES["always"])
        if known.can(f"{name}_when", WHEN_CODES["daily>="]):
            terms.append((when == WHEN_CODES["daily>="]) & (rounded("r_daily") >= limit))
        if known.can(f"{name}_when", WHEN_CODES["daily>"]):
            terms.append((when == WHEN_CODES["daily>"]) & (rounded("r_daily") > limit))
        if known.can(f"{name}_when", WHEN_CODES["unit<"]):
            terms.append((when == WHEN_CODES["unit<"]) & (unit_mg < limit))
        return nw.any_horizontal(*terms, ignore_nulls=False)

    def given(name: str) -> nw.Expr:  # a text that comes with the key (null where the key owes none)
        if not known.can(name, None) or known.arrays is not None:  # none is null, or nulls are left out by code
            return nw.lit(value=True)
        return ~known.attr(name).is_null()

    parts: list[_Part] = []
    if known.some("w_route"):
        parts.append((counted & given("w_route"), "w_route", True))
    if dispensed:  # `mme._engine.dispensed`: a bottle count, sprays in mL or bottles, CDC's days supply of patches
        q = _col("v_quantity")
        whole = nw.when(q < _WHOLE_FROM).then(q == q.floor()).otherwise(nw.lit(value=True))  # Spark's floor overflows
        if known.some("conc"):
            bottles = known.attr("conc") & whole & (q < rounded("r_supply"))
            if columns.package_ml is not None:  # only where the row gives none
                bottles = bottles & ~_given(columns.package_ml, schema[columns.package_ml])
            parts.append((fine & bottles, BOTTLES, False))
        if known.some("sprays"):
            parts.append((fine & known.attr("sprays") & (~whole | (q < rounded("r_supply"))), SPRAYS, False))
        if known.some("wear") and known.some("w_days"):
            supply, patches = rounded("r_supply"), rounded("r_days")
            larger = (
                nw.when(patches > supply).then(patches).otherwise(supply)
            )  # both positive (max_horizontal fails on Dask)
            replaced = (patches - supply).abs() > 1e-9 * larger  # not math.isclose, as in the engine
            parts.append((fine & (known.attr("wear") > 0) & replaced & given("w_days"), "w_days", True))
    elif known.some("wear"):  # `mme._engine.patch_changed`: a patch changed more or less often than its wear
        has_frequency, times = _times(known, columns, schema)
        changes = times * known.attr("wear")  # patches put on per wear period
        off = has_frequency & ((changes - 1.0).abs() > CHANGES_TOLERANCE)
        parts.append((counted & off & (changes > 1.0) & given("w_sooner"), "w_sooner", True))
        parts.append((counted & off & (changes < 1.0) & given("w_later"), "w_later", True))
    for name in ("above", "slip"):
        if known.some(f"w_{name}") and known.some(f"{name}_when"):
            parts.append((counted & owed(name) & given(f"w_{name}"), f"w_{name}", True))
    parts.append((counted & (rounded("r_mme") > IMPLAUSIBLE_MME_PER_DAY), IMPLAUSIBLE, False))
    return parts


#: A text a row may owe: where the condition holds, the text, or (True) its key's attribute of that name.
_Part = tuple[nw.Expr, str, bool]


def _owed(known: _Known, parts: Sequence[_Part]) -> nw.Expr:
    """The texts of the `parts` a row owes, joined by `WARNING_SEPARATOR` (null: none)."""
    if not parts:
        return nw.lit(None, nw.String)
    owed_parts = [(c.fill_null(value=False), known.attr(t) if of_key else nw.lit(t)) for c, t, of_key in parts]
    if len(owed_parts) == 1:
        return nw.when(owed_parts[0][0]).then(owed_parts[0][1])
    joined = nw.concat_str(
        [nw.when(condition).then(text) for condition, text in owed_parts],
        separator=WARNING_SEPARATOR,
        ignore_nulls=True,
    )
    return nw.when(nw.any_horizontal(*(condition for condition, _ in owed_parts), ignore_nulls=False)).then(joined)


def _regimen_errors(known: _Known, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> list[tuple[nw.Expr, int]]:
    """The regimen path's checks from the frequency on (`mme.daily_mme`), in its order."""
    checks: list[tuple[nw.Expr, int]] = []
    has_frequency = _times(known, columns, schema)[0]
    if columns.per_day is not None and schema[columns.per_day] == nw.Boolean:  # true/false is no frequency
        flag = nw.col(columns.per_day)
        checks += [(flag.fill_null(value=False), -15), ((~flag).fill_null(value=False), -16)]
    elif columns.per_day is not None and not _has_codes(columns, schema):
        per_day = _number(columns.per_day, schema[columns.per_day])
        checks.append((~per_day.is_null() & ~_ok(per_day), -9))
    if known.can("st", _MATCH):
        checks.append((known.attr("st") == _MATCH, _KEY_MESSAGE))
    if known.some("rate") and known.some("flat"):
        checks.append((known.attr("rate") & known.attr("flat") & has_frequency, -10))
    checks.append((~known.attr("rate") & ~has_frequency, -11))
    return checks


def _has_codes(columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> bool:
    """Whether the per_day column holds frequency codes ("bid") rather than numbers."""
    return columns.per_day is not None and schema[columns.per_day] == nw.String


def _times(known: _Known, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> tuple[nw.Expr, nw.Expr]:
    """Whether a regimen gives its frequency, and its administrations a day (1 where none or not positive)."""
    if _has_codes(columns, schema):
        return known.attr("ppd") > 0, known.attr("ppd")
    if columns.per_day is not None:
        per_day = _number(columns.per_day, schema[columns.per_day])
        return ~per_day.is_null(), nw.when(_ok(per_day)).then(per_day).otherwise(1.0)
    return nw.lit(value=False), nw.lit(1.0)


def _regimen_daily(known: _Known, s: nw.Expr, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> nw.Expr:
    """Daily amount of a regimen: dose x count (a rate), or dose x count x administrations a day."""
    count = _col("v_count") if columns.count is not None else nw.lit(1.0)
    times = _times(known, columns, schema)[1]
    return (
        nw.when(known.attr("rate")).then(s * count).otherwise(s * count * times)
        if known.some("rate")
        else s * count * times
    )

"""MME/day and the reasons, per row, as column expressions: the engine's checks and arithmetic, in its order."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Final

import narwhals as nw

from mme._engine import (
    BOTTLES,
    DAILY_TOTAL,
    HOW_OFTEN,
    IMPLAUSIBLE,
    IMPLAUSIBLE_MME_PER_DAY,
    OVERFLOW,
    PACKAGE_NOT_CONC,
    ROUNDS_TO_ZERO,
    Stage,
)
from mme._ndc import NdcFile
from mme._tables import Table
from mme._units import not_positive
from mme.rxnorm import RxnormLike

from ._keys import _check_columns, _Columns, _dispensing_keys
from ._lookup import WHEN_CODES, _fast_attributes, _joined, _Need
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

# -- the row expressions --------------------------------------------------------------------------------------

# What stops a row: nothing, its key (the key's message), or one of its numbers (ids below -1).
_NO_MESSAGE: Final = -1
_KEY_MESSAGE: Final = 0
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
}
# The engine's stages (`mme._engine.Stage`) as the plain numbers of the lookup's "st" column.
_OK, _EARLY, _LATE, _EXCLUDED, _MID, _MATCH = map(
    int, (Stage.OK, Stage.NAMES, Stage.STRENGTH_KIND, Stage.EXCLUDED, Stage.DOSE_KIND, Stage.MATCH)
)
_OVERFLOW: Final = -12
_ZERO: Final = -13
_DISPENSING_MESSAGES: Final = (-2, -3, -4, -5, -6, _OVERFLOW, _ZERO)
_REGIMEN_MESSAGES: Final = (-7, -8, -9, -10, -11, _OVERFLOW, _ZERO)
_NUMBER_MESSAGE: Final = {"strength": -2, "quantity": -3, "days_supply": -4, "dose": -7, "count": -8}


def _ok(expr: nw.Expr) -> nw.Expr:
    """A positive finite number (nulls, NaN, inf, zero and negatives are not)."""
    return ((expr > 0) & expr.is_finite()).fill_null(value=False)


# A number as text: ASCII digits, an optional fraction and exponent (what every backend's cast reads alike).
_NUMBER_TEXT: Final = r"^[+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _number(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A numeric input column as Float64. Text is read only where it is a plain number, null elsewhere
    ("ten", "", "1,000"), so that one bad cell fails its row instead of the cast failing the whole run."""
    expr = nw.col(name)
    if dtype.is_numeric():
        return expr.cast(nw.Float64)
    text = expr.cast(nw.String).str.strip_chars()
    return nw.when(text.str.contains(_NUMBER_TEXT).fill_null(value=False)).then(text).cast(nw.Float64)


_SMALLEST_NORMAL: Final = sys.float_info.min
_WHOLE_FROM: Final = 2.0**52  # every float from here on is a whole number
_SCALE: Final = 1e9  # results are rounded to 9 decimal places, as the scalar engine rounds them
_ROUNDED_BELOW: Final = 2.0**52 / _SCALE  # from here on x * 1e9 has no fraction left: x is kept as it is


def _round(x: nw.Expr) -> nw.Expr:
    """`x` rounded half to even to 9 decimal places, the same on every backend.

    Not ``Expr.round``: PyArrow, DuckDB and Spark round ties away from zero, Polars, pandas and Dask
    to even; and PyArrow raises where ``x * 1e9`` overflows.
    """
    y = x * _SCALE
    low = y.floor()  # not `// 1`, which repeats `y` several times on DuckDB and Spark
    frac = y - low  # exact below 2**52
    odd = (low / 2).floor() * 2 != low
    up = (frac > 0.5) | ((frac == 0.5) & odd)
    # k / 1e9 divided by a column: Polars divides by a literal as a multiplication by its reciprocal,
    # which is one bit off (107142857 * 1e-9 != 107142857 / 1e9)
    rounded = nw.when(up).then(low + 1).otherwise(low) / (low * 0.0 + _SCALE)
    return nw.when(x.abs() < _ROUNDED_BELOW).then(rounded).otherwise(x)


def _tiered(n_tiers: int, daily: nw.Expr, what: str) -> nw.Expr:
    """The tier's value (cf: factor per unit of daily amount, pf: printed factor) for the daily amount."""
    if n_tiers == 1:
        return _col(f"{what}0")
    chain = nw.when(daily <= _col("up0")).then(_col(f"{what}0"))
    for i in range(1, n_tiers - 1):
        chain = chain.when(daily <= _col(f"up{i}")).then(_col(f"{what}{i}"))
    return chain.otherwise(_col(f"{what}{n_tiers - 1}"))


def _text(ids: nw.Expr, *, regimen: bool) -> nw.Expr:
    """Message ids as their text: the key's message, or the row's (null for `_NO_MESSAGE`)."""
    row_ids = _REGIMEN_MESSAGES if regimen else _DISPENSING_MESSAGES
    by_row = ids.replace_strict(  # one look-up, not a chain of conditions over every row
        list(row_ids), [_ROW_MESSAGES[i] for i in row_ids], default=nw.lit(None, nw.String), return_dtype=nw.String
    )
    return nw.when(ids == _KEY_MESSAGE).then(_col("msg")).otherwise(by_row)


#: What `summarize` reads of each row.
_SUMMARIZED: Final = (MME_PER_DAY, MME_DAYS_SUPPLY, MME_EXCLUDED, MME_ERROR)


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
    keys = _dispensing_keys(columns, schema, table, variant, ndc_file, regimen=regimen, rxnorm=rxnorm)
    need = _Need(regimen=regimen, conc=columns.package_ml is not None, bup=bup, outputs=tuple(outputs))
    lf: Frame
    fast = _fast_attributes(frame, keys, need)
    if fast is not None:
        lf, n_tiers = fast
    elif isinstance(frame, nw.DataFrame):
        # Eager: join only the keys (the frame's other columns are not copied), check that the backend's
        # join kept the row order (restore it if not), and put the attributes next to the frame's columns.
        narrow = frame.select(*keys.exprs).with_row_index(_ROW)
        attributes, n_tiers = _joined(narrow, keys, need)
        if not attributes[_ROW].is_sorted():
            attributes = attributes.sort(_ROW)
        lf = nw.concat([frame, attributes.drop(_ROW, *keys.names)], how="horizontal").lazy()
    else:
        lf, n_tiers = _joined(frame.with_columns(keys.exprs), keys, need)

    strength = _col("ks") if keys.strength_in_key else _number(columns.strength or "", schema[columns.strength or ""])
    numbers: dict[str, nw.Expr] = {"dose" if regimen else "strength": strength * _col("um")}
    if regimen and columns.count is not None:
        numbers["count"] = _number(columns.count, schema[columns.count])
    if not regimen:
        assert columns.quantity is not None
        assert columns.days_supply is not None
        numbers["quantity"] = _number(columns.quantity, schema[columns.quantity])
        numbers["days_supply"] = _number(columns.days_supply, schema[columns.days_supply])
    lf = lf.with_columns(_ok(expr).alias(f"{_T}ok_{what}") for what, expr in numbers.items())
    lf = lf.with_columns(  # the value where it is valid (1 elsewhere: no division by zero on any backend)
        nw.when(_col(f"ok_{what}")).then(expr).otherwise(1.0).alias(f"{_T}v_{what}") for what, expr in numbers.items()
    )

    # the first check that fails, in the engine's order: a message id (or _NO_MESSAGE)
    error: Any = nw.when(_col("st") == _EARLY).then(nw.lit(_KEY_MESSAGE))

    def number(error: Any, what: str) -> Any:
        return error.when(~_col(f"ok_{what}")).then(nw.lit(_NUMBER_MESSAGE[what])) if what in numbers else error

    def stage(error: Any, status: int) -> Any:
        return error.when(_col("st") == status).then(nw.lit(_KEY_MESSAGE))

    package_factor: nw.Expr | None = None
    if regimen:
        error = _regimen_errors(stage(number(number(error, "dose"), "count"), _MID), columns, schema)
    else:
        error = number(number(stage(number(error, "strength"), _MATCH), "quantity"), "days_supply")
        if columns.package_ml is not None:
            package = _number(columns.package_ml, schema[columns.package_ml])
            given = ~package.is_null()
            error = error.when(given & ~_col("conc")).then(nw.lit(-5)).when(given & ~_ok(package)).then(nw.lit(-6))
            package_factor = nw.when(given & _ok(package)).then(package).otherwise(1.0)
        error = stage(error, _LATE)
    lf = lf.with_columns(error.otherwise(nw.lit(_NO_MESSAGE)).alias(f"{_T}err"))

    # The daily amount in the unit of the strength (x the unit multiplier: mg/day) and its MME/day.
    s = _col("v_dose" if regimen else "v_strength")
    days: nw.Expr | None = None
    if regimen:
        amount = _regimen_daily(s, columns, schema)
    else:
        q, d = _col("v_quantity"), _col("v_days_supply")
        dispensed = q if package_factor is None else q * package_factor
        # strength x quantity / days; the engine is exact, so where the product leaves the normal float range
        # (2.5 x 1e308 overflows, 10 x 1e-320 loses digits) the daily amount is read another way: the quantity
        # a day first, or, where that overflows too (10 / 1e-320), the strength a day first
        product = s * dispensed
        normal = product.is_finite() & (product >= _SMALLEST_NORMAL)
        per_day = q / d if package_factor is None else q / d * package_factor  # q x mL per package may overflow
        by_quantity = s * per_day
        by_strength = s / d * dispensed
        amount = (
            nw.when(_col("rate")).then(s)
            .when(normal).then(product / d)
            .when(by_quantity.is_finite()).then(by_quantity)
            .otherwise(by_strength)
        )  # fmt: skip
        days = nw.when(_col("wear") > 0).then(q * _col("wear")).otherwise(d)
    lf = lf.with_columns(amount.alias(f"{_T}daily"))
    daily = _col("daily")
    mme, factor = daily * _tiered(n_tiers, daily, "cf"), _tiered(n_tiers, daily, "pf")
    # the engine's last check: a result that overflows fails its row; an excluded drug's daily amount too
    excluded = _col("st") == _EXCLUDED
    finite = nw.when(excluded).then(daily.is_finite()).otherwise(mme.is_finite())
    finite = finite if days is None else finite & days.is_finite()
    judged = (_col("err") == _NO_MESSAGE) & ((_col("st") == _OK) | excluded)
    overflow = judged & ~finite.fill_null(value=False)
    # and one that rounds to 0 (the daily amount, and the MME/day of a counted row): never a 0 in a total
    # (x rounds to 0 at 9 places, half to even, where x * 1e9 <= 0.5, as in `_round`)
    zero = judged & ((daily * _SCALE <= 0.5) | ((_col("st") == _OK) & (mme * _SCALE <= 0.5))).fill_null(value=False)
    lf = lf.with_columns(
        nw.when(overflow)
        .then(nw.lit(_OVERFLOW))
        .when(zero)
        .then(nw.lit(_ZERO))
        .otherwise(_col("err"))
        .alias(f"{_T}err")
    )
    fine = _col("err") == _NO_MESSAGE
    counted = fine & (_col("st") == _OK)
    rounded_mme = _round(mme)
    if MME_WARNING in need.outputs:
        # the rounded amounts the warnings compare, as columns first: inlined, each would be computed several times
        rounded = {"r_daily": daily, "r_mme": mme} | ({} if days is None else {"r_supply": _col("v_days_supply"),
                                                                                "r_days": days})  # fmt: skip
        lf = lf.with_columns(_round(x).alias(f"{_T}{name}") for name, x in rounded.items())
        rounded_mme = _col("r_mme")  # MME/day reads the same column
    results = {
        MME_PER_DAY: nw.when(counted).then(rounded_mme),
        MME_FACTOR: nw.when(counted).then(factor),
        MME_EXCLUDED: nw.when(fine & (_col("st") == _EXCLUDED)).then(_col("msg")),
        MME_ERROR: _text(_col("err"), regimen=regimen),
    }
    if days is not None:
        results[MME_DAYS_SUPPLY] = nw.when(fine).then(days)
    if MME_WARNING in need.outputs:
        claim = None if days is None else (_col("v_quantity"), _col("r_supply"), _col("r_days"))
        results[MME_WARNING] = _warnings(fine, counted, _col("r_daily"), rounded_mme, s, claim, columns, schema)
    return lf.with_columns(results[name].alias(name) for name in need.outputs)


def _warnings(
    fine: nw.Expr,
    counted: nw.Expr,
    daily: nw.Expr,
    mme: nw.Expr,
    unit_mg: nw.Expr,
    dispensed: tuple[nw.Expr, nw.Expr, nw.Expr] | None,
    columns: _Columns,
    schema: dict[str, nw.dtypes.DType],
) -> nw.Expr:
    """The warnings the engine puts on each row's result, in its order, joined by `WARNING_SEPARATOR` (null: none).

    Their texts come with the key (`mme._engine`); the row's numbers only decide which are owed, as in the engine.
    """
    daily_mg = daily  # rounded, as the engine compares it

    def owed(name: str) -> nw.Expr:
        when, limit = _col(f"{name}_when"), _col(f"{name}_limit")
        return (
            (when == WHEN_CODES["always"])
            | ((when == WHEN_CODES["daily>="]) & (daily_mg >= limit))
            | ((when == WHEN_CODES["daily>"]) & (daily_mg > limit))
            | ((when == WHEN_CODES["unit<"]) & (unit_mg < limit))
        )

    parts: list[tuple[nw.Expr, nw.Expr]] = [(counted, _col("w_route"))]
    if dispensed is not None:  # `mme._engine.dispensed`: a bottle count, CDC's days supply of patches
        q, d, days = dispensed
        whole = (
            nw.when(q < _WHOLE_FROM).then(q == q.floor()).otherwise(nw.lit(value=True))
        )  # Spark's floor overflows above
        bottles = _col("conc") & whole & (q < d)
        if columns.package_ml is not None:  # only where the row gives none
            bottles = bottles & _number(columns.package_ml, schema[columns.package_ml]).is_null()
        supply, patches = d, days
        larger = (
            nw.when(patches > supply).then(patches).otherwise(supply)
        )  # both positive (max_horizontal fails on Dask)
        replaced = (patches - supply).abs() > 1e-9 * larger  # not math.isclose, as in the engine
        parts += [(fine & bottles, nw.lit(BOTTLES)), (fine & (_col("wear") > 0) & replaced, _col("w_days"))]
    parts += [(counted & owed("above"), _col("w_above")), (counted & owed("slip"), _col("w_slip"))]
    parts.append((counted & (mme > IMPLAUSIBLE_MME_PER_DAY), nw.lit(IMPLAUSIBLE)))
    owed_parts = [(condition.fill_null(value=False) & ~text.is_null(), text) for condition, text in parts]
    joined = nw.concat_str(
        [nw.when(condition).then(text) for condition, text in owed_parts],
        separator=WARNING_SEPARATOR,
        ignore_nulls=True,
    )
    return nw.when(nw.any_horizontal(*(condition for condition, _ in owed_parts), ignore_nulls=False)).then(joined)


def _regimen_errors(error: Any, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> Any:
    """The regimen path's checks from the frequency on (`mme.daily_mme`), in its order."""
    has_frequency: nw.Expr = _col("ppd") > 0 if _has_codes(columns, schema) else nw.lit(value=False)
    if columns.per_day is not None and not _has_codes(columns, schema):
        per_day = _number(columns.per_day, schema[columns.per_day])
        error = error.when(~per_day.is_null() & ~_ok(per_day)).then(nw.lit(-9))
        has_frequency = ~per_day.is_null()
    error = error.when(_col("st") == _MATCH).then(nw.lit(_KEY_MESSAGE))
    return (
        error.when(_col("rate") & _col("flat") & has_frequency)
        .then(nw.lit(-10))
        .when(~_col("rate") & ~has_frequency)
        .then(nw.lit(-11))
    )


def _has_codes(columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> bool:
    """Whether the per_day column holds frequency codes ("bid") rather than numbers."""
    return columns.per_day is not None and schema[columns.per_day] == nw.String


def _regimen_daily(s: nw.Expr, columns: _Columns, schema: dict[str, nw.dtypes.DType]) -> nw.Expr:
    """Daily amount of a regimen: dose x count (a rate), or dose x count x administrations a day."""
    count = _col("v_count") if columns.count is not None else nw.lit(1.0)
    times: nw.Expr = nw.lit(1.0)
    if _has_codes(columns, schema):
        times = _col("ppd")
    elif columns.per_day is not None:
        per_day = _number(columns.per_day, schema[columns.per_day])
        times = nw.when(_ok(per_day)).then(per_day).otherwise(1.0)
    return nw.when(_col("rate")).then(s * count).otherwise(s * count * times)

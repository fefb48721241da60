"""MME/day for whole tables of dispensings and regimens, on the dataframe library you already use.

One code path, through narwhals (``pip install "mme[frames]"``), for pandas, Polars (eager and
lazy), PyArrow, DuckDB relations, Dask and PySpark; the frame comes back in its own type::

    import polars as pl
    import mme.frames

    claims = pl.read_parquet("claims.parquet")  # drug, strength, strength_unit, quantity, days_supply
    out = mme.frames.dispensing_mme(claims, table="cdc-ndc-2018")
    out.filter(pl.col("mme_error").is_not_null())  # rows that failed, with the reason
    mme.frames.summarize(fills, start=date(2024, 1, 1), end=date(2024, 3, 31))  # per patient, 4 definitions

Nothing loops over rows. The distinct (drug, unit, form, route, release) combinations of the frame
(a few hundred at most) are resolved once each through the scalar engine's own steps (name
resolution, unit parsing, row matching, exclusions, patch wear days, dose tiers), into a small
lookup frame in the frame's own backend (and connection or session); it is joined to the data,
and MME/day is computed with column expressions, tiers included. Every row gets the result
`mme.dispensing_mme` gives for it, or the reason it has none:

``mme_per_day``
    MME/day, rounded once to 9 decimal places, half to even, as the scalar engine rounds it (by
    the library, not the backend's ``round``, whose ties differ); null when the row is excluded
    or failed.
``mme_factor``
    the factor as the table prints it (the tier's factor for tiered rows).
``mme_days_supply``
    the days supply the result stands for: for patches, patches x wear days, as CDC instructs.
``mme_excluded``
    why the table gives the drug no MME (null otherwise).
``mme_error``
    why the row could not be converted: unknown drug or unit, not covered by the table,
    a non-positive or non-numeric amount ("ten" in a text column), a result that overflows...
    (null otherwise). A bad row never stops the batch, and no row is ever dropped.

``outputs=["mme_per_day"]`` (any of the five) adds only those, and skips the work behind the others.

Messages are the scalar engine's, except that errors about one row's numbers do not repeat
the number ("quantity must be a positive finite number": the value is in the row). pandas
cannot tell NaN from a missing value: there, a NaN ``package_ml`` or ``per_day`` means "not given".

Rows come back in the input's order on every backend that has one (pandas, Polars eager and
lazy, PyArrow). Lazy frames stay lazy (only the distinct keys are collected, a small query).
DuckDB relations and Spark frames have no row order: every input column comes back, so keep
an id column (or add one, e.g. ``row_number() OVER ()``) and sort by it when order matters.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

import narwhals as nw
from narwhals.typing import IntoFrameT

from ._engine import TableLike, _match, _per_day, _resolve_names
from ._errors import ArgumentTypeError, DoseError, MMEError, NotCoveredError
from ._history import FILL_OVERFLOWS, NOT_WHOLE_DAYS, OnFailed
from ._ndc import NdcFile, _file_row
from ._tables import DEFAULT_TABLE, Exclusion, FactorRow, Table, resolve_table
from ._units import MG_PER_DAY_PER_MCG_PER_H, RESULT_DECIMALS, _parse_text, _unit
from ._vocab import PATCH_WEAR_DAYS, resolve_drug

__all__ = [
    "DISPENSING_COLUMNS",
    "MME_DAYS_SUPPLY",
    "MME_ERROR",
    "MME_EXCLUDED",
    "MME_FACTOR",
    "MME_PER_DAY",
    "REGIMEN_COLUMNS",
    "SUMMARY_COLUMNS",
    "daily_mme",
    "dispensing_mme",
    "summarize",
]

MME_PER_DAY: Final = "mme_per_day"
MME_FACTOR: Final = "mme_factor"
MME_DAYS_SUPPLY: Final = "mme_days_supply"
MME_EXCLUDED: Final = "mme_excluded"
MME_ERROR: Final = "mme_error"

#: The columns `dispensing_mme` adds, in order (`daily_mme` adds the same but the days supply).
DISPENSING_COLUMNS: Final = (MME_PER_DAY, MME_FACTOR, MME_DAYS_SUPPLY, MME_EXCLUDED, MME_ERROR)
REGIMEN_COLUMNS: Final = (MME_PER_DAY, MME_FACTOR, MME_EXCLUDED, MME_ERROR)

#: The columns `summarize` returns after the patient id, as in `mme.Summary`.
SUMMARY_COLUMNS: Final = (
    "total_mme",
    "total_days_supply",
    "on_therapy_days",
    "window_days",
    "mme_per_days_supply",
    "mme_per_therapy_day",
    "mme_per_window_day",
    "max_daily_mme",
    "n_dispensings",
    "n_excluded",
    "n_failed",
    "failed_reason",
)

Frame = nw.LazyFrame[Any]
_AnyFrame = nw.DataFrame[Any] | nw.LazyFrame[Any]

_T: Final = "__mme_"  # prefix of the temporary columns
_ROW: Final = f"{_T}row"
_NULL: Final = "\u2400"  # stands for a null key part (joins never match nulls)
_SEP: Final = "\u241f"
_MAX_DAYS: Final = 10_000_000  # a days supply above this cannot be laid on calendar days (int64 ordinals)

# Key status: where the scalar engine stops with a key, if it does. A row's own numbers are checked in
# between, in the engine's order: dispensings EARLY (names, unit), strength, MATCH (the table row), quantity,
# days supply, package, LATE (volume, rate without a patch); regimens EARLY, dose, count, MID (concentration,
# volume, frequency code), per_day, MATCH, then the frequency rules.
_OK, _EARLY, _LATE, _EXCLUDED, _MID, _MATCH = 0, 1, 2, 3, 4, 5
_PACKAGE_NOT_CONC = "package_ml only goes with a concentration strength such as '10 mg/mL'"


def _positive_message(what: str) -> str:
    return f"{what} must be a positive finite number"


# -- resolving the distinct keys through the scalar engine ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resolved:
    """What one distinct key means under a table: the attributes the lookup frame carries."""

    status: int
    message: str = ""
    drug: str = ""
    """Canonical ingredient ("" if the name is unknown)."""
    strength: float = 1.0
    """The strength when the key carries it (an NDC, or a text strength such as "10 mg")."""
    conc: bool = False
    rate: bool = False
    """The unit is a rate (a patch's mcg/h, or a daily total)."""
    flat: bool = False
    """Matched a factor row that is not a patch (a rate is then a daily total: no frequency allowed)."""
    unit_mult: float = 1.0
    """Strength unit -> the engine's canonical unit (mg, mg/day, mg/mL)."""
    mul: float = 1.0
    div: float = 1.0
    """Daily amount (mg/day basis) -> the unit the factor multiplies: x 1000 for mcg, / 0.024 for mcg/h."""
    wear: float = 0.0
    """Wear days of a patch (0: none)."""
    tiers: tuple[tuple[float, float, float], ...] = ((math.inf, 0.0, 0.0),)
    """(upper bound of the daily amount, factor per unit of daily amount, printed factor), last bound inf."""
    per_day: float = 0.0
    """Regimens: administrations a day from a text frequency ("bid"); 0 when given as a number or not at all."""


def _canonical_drug(drug: str) -> str:
    try:
        return resolve_drug(drug).drug
    except MMEError:
        return ""


def _resolve(
    table: Table,
    variant: str | None,
    drug: str | None,
    unit: str | None,
    form: str | None,
    route: str | None,
    release: str | None,
    *,
    strength: float = 1.0,
    regimen: bool = False,
    frequency: str | None = None,
) -> _Resolved:
    """One key through the scalar engine's steps (`mme.dispensing_mme`, `mme.daily_mme`), in its order."""
    if drug is None:
        return _Resolved(_EARLY, "drug is missing")
    canonical = _canonical_drug(drug)
    try:
        name, route_, form_, release_ = _resolve_names(drug, route, form, release)
    except MMEError as exc:
        return _Resolved(_EARLY, str(exc), drug=canonical)
    if unit is None:
        return _Resolved(_EARLY, f"the {'dose' if regimen else 'strength'} unit is missing", drug=canonical)
    try:
        kind, mult = _unit(unit)
    except MMEError as exc:
        return _Resolved(_EARLY, str(exc), drug=canonical)
    base: dict[str, Any] = {
        "drug": canonical, "strength": strength, "conc": kind == "conc", "rate": kind == "rate", "unit_mult": mult,
    }  # fmt: skip
    if regimen:
        if kind == "conc":
            message = "the dose is a concentration: give the volume per administration (volume='5 mL')"
            return _Resolved(_MID, message, **base)
        if kind == "volume":
            message = "the dose is a volume: give the concentration as the dose ('2 mg/mL') and the volume apart"
            return _Resolved(_MID, message, **base)
        if frequency is not None:
            try:
                base["per_day"] = _per_day(frequency, None) or 0.0
            except MMEError as exc:
                return _Resolved(_MID, str(exc), **base)
    try:
        row = _match(table, name.drug, route_, form_, release_, variant, "rate" if kind == "rate" else "mass")
    except MMEError as exc:
        return _Resolved(_MATCH, str(exc), **base)
    return _attributes(row, name.drug, kind, unit, base, regimen=regimen)


def _attributes(
    row: FactorRow | Exclusion, drug: str, kind: str, unit: str, base: dict[str, Any], *, regimen: bool = False
) -> _Resolved:
    """The engine's arithmetic once the row is known (`mme._engine.dispensed` and `_result`), as attributes."""
    if not regimen and kind == "volume":
        return _Resolved(_LATE, "the strength is a volume: give the concentration ('10 mg/mL')", **base)
    if not regimen and kind == "rate" and isinstance(row, FactorRow) and not row.is_patch:
        return _Resolved(_LATE, f"a rate ({unit}) was given, but {drug} here is not a patch: give mg per unit", **base)
    wear = (row.wear_days if isinstance(row, FactorRow) else None) or PATCH_WEAR_DAYS.get(drug)
    base = base | {"wear": float(wear or 0), "flat": isinstance(row, FactorRow) and not row.is_patch}
    if isinstance(row, Exclusion):
        return _Resolved(_EXCLUDED, row.reason, **base)
    if row.is_patch:
        mul, div = 1.0, MG_PER_DAY_PER_MCG_PER_H
    elif row.unit == "mcg":
        mul, div = 1000.0, 1.0
    else:
        mul, div = 1.0, 1.0
    if row.tiers:
        tiers = tuple(
            (math.inf if t.upto is None else float(t.upto), row.rate_factor(t.factor), float(t.factor))
            for t in row.tiers
        )
    else:
        assert row.factor is not None  # validated: a factor or tiers
        tiers = ((math.inf, row.rate_factor(row.factor), float(row.factor)),)
    return _Resolved(_OK, mul=mul, div=div, tiers=tiers, **base)


def _by_ndc(ndc: str | None, file: NdcFile, table: Table | None, variant: str | None) -> _Resolved:
    """An NDC as `mme.ndc_mme` reads it: the file's product, with the file's own factor or `table`'s."""
    if ndc is None:
        return _Resolved(_EARLY, "NDC is missing")
    try:
        product = file.lookup(ndc)
    except MMEError as exc:
        return _Resolved(_EARLY, f"unknown NDC {ndc!r}: {exc}")
    if product.drug is None or product.strength is None or product.unit is None:
        missing = NotCoveredError(f"NDC {product.ndc} ({product.generic_name}) has no opioid strength in {file.name}")
        return _Resolved(_EARLY, str(missing))  # as `mme.ndc_mme` says it
    if table is not None:
        return _resolve(table, variant, product.drug, product.unit, product.form, product.route, None,
                        strength=product.strength)  # fmt: skip
    try:
        row = _file_row(product, file.name)
    except MMEError as exc:
        return _Resolved(_EARLY, str(exc), drug=product.drug)
    kind, mult = _unit(product.unit)
    base = {"drug": product.drug, "strength": product.strength, "conc": kind == "conc", "rate": kind == "rate",
            "unit_mult": mult}  # fmt: skip
    return _attributes(row, product.drug, kind, product.unit, base)


# -- the column mapping ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Where the inputs are: the user's column names (None: not given)."""

    drug: str | None
    strength: str | None
    strength_unit: str | None
    quantity: str | None
    days_supply: str | None
    form: str | None = None
    route: str | None = None
    release: str | None = None
    package_ml: str | None = None
    ndc: str | None = None
    per_day: str | None = None
    count: str | None = None
    extra: tuple[str, ...] = field(default=())

    def required(self) -> list[str]:
        names = [self.quantity, self.days_supply, self.form, self.route, self.release, self.package_ml]
        names += [self.per_day, self.count, *self.extra]
        if self.ndc is not None:
            names.append(self.ndc)
        else:
            names += [self.drug, self.strength, self.strength_unit]
        return [n for n in names if n is not None]


def _check_columns(lf: _AnyFrame, columns: _Columns) -> dict[str, nw.dtypes.DType]:
    schema = dict(lf.collect_schema())
    missing = [c for c in dict.fromkeys(columns.required()) if c not in schema]
    if missing:
        raise KeyError(
            f"column(s) {', '.join(map(repr, missing))} not in the frame (columns: {', '.join(map(str, schema))}); "
            "map yours with the keyword arguments (drug=..., strength=..., quantity=...)"
        )
    if clash := [c for c in schema if str(c).startswith(_T)]:
        raise ValueError(f"column names starting with {_T!r} are reserved: {clash}")
    return schema


def _as_text(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A key column as text, nulls as a marker (so that null keys match in joins)."""
    expr = nw.col(name)
    if dtype.is_float():  # an NDC read as a float (pandas, a column with nulls): 2035102.0 -> "2035102"
        expr = expr.cast(nw.Int64)
    return expr.cast(nw.String).fill_null(_NULL)


def _unmark(value: object) -> str | None:
    return None if value is None or value == _NULL else str(value)


@dataclass(frozen=True)
class _Keys:
    """The key columns and how one distinct key is resolved."""

    names: list[str]
    """Temporary key columns in the data."""
    exprs: list[nw.Expr]
    resolve: Callable[[tuple[str | None, ...]], _Resolved]
    strength_in_key: bool
    sources: list[str]
    """The frame's column each key is read from."""


def _dispensing_keys(
    columns: _Columns,
    schema: dict[str, nw.dtypes.DType],
    table: Table | None,
    variant: str | None,
    ndc_file: NdcFile | None,
    *,
    regimen: bool = False,
) -> _Keys:
    optional = [("form", columns.form), ("route", columns.route), ("release", columns.release)]
    present = [(what, c) for what, c in optional if c is not None]
    names = [f"{_T}k_{what}" for what, _ in present]
    exprs = [_as_text(c, schema[c]).alias(n) for (_, c), n in zip(present, names, strict=True)]

    def options(parts: Sequence[str | None]) -> dict[str, str | None]:
        return {what: value for (what, _), value in zip(present, parts, strict=True)}

    if columns.ndc is not None:
        if ndc_file is None:
            raise TypeError("an ndc column needs the NDC file to look it up in: pass ndc_file=mme.read_ndc_file(...)")
        if present:
            raise TypeError("with ndc=..., drug, strength, form, route and release come from the NDC file")
        file = ndc_file
        ndc_key = f"{_T}k_ndc"

        def by_ndc(key: tuple[str | None, ...]) -> _Resolved:
            return _by_ndc(key[0], file, table, variant)

        return _Keys(
            [ndc_key], [_as_text(columns.ndc, schema[columns.ndc]).alias(ndc_key)], by_ndc, True, [columns.ndc]
        )

    assert columns.drug is not None
    assert columns.strength is not None
    drug_key = f"{_T}k_drug"
    head = [_as_text(columns.drug, schema[columns.drug]).alias(drug_key)]
    if columns.strength_unit is None:  # the strength column is text: "10 mg"
        unit_key = f"{_T}k_strength"
        head.append(_as_text(columns.strength, schema[columns.strength]).alias(unit_key))
    else:
        unit_key = f"{_T}k_unit"
        head.append(_as_text(columns.strength_unit, schema[columns.strength_unit]).alias(unit_key))
    text_strength = columns.strength_unit is None
    per_day_key: list[str] = []
    if regimen and columns.per_day is not None and schema[columns.per_day] == nw.String:
        per_day_key = [f"{_T}k_per_day"]  # "bid", "q6h"...: a frequency code per key
        exprs.append(nw.col(columns.per_day).fill_null(_NULL).alias(per_day_key[0]))

    def by_name(key: tuple[str | None, ...]) -> _Resolved:
        drug, unit_or_text, *rest = key
        frequency = rest.pop() if per_day_key else None
        given = options(rest)
        strength, unit = 1.0, unit_or_text
        if text_strength and drug is not None:
            try:  # the engine reads the names, then the amount
                _resolve_names(drug, given.get("route"), given.get("form"), given.get("release"))
                if unit_or_text is None:
                    return _Resolved(
                        _EARLY, f"{'dose' if regimen else 'strength'} is missing", drug=_canonical_drug(drug)
                    )
                strength, unit = _parse_text(unit_or_text)
            except MMEError as exc:
                return _Resolved(_EARLY, str(exc), drug=_canonical_drug(drug))
        assert table is not None
        return _resolve(
            table, variant, drug, unit, given.get("form"), given.get("route"), given.get("release"),
            strength=strength, regimen=regimen, frequency=frequency,
        )  # fmt: skip

    sources = [columns.drug, columns.strength_unit or columns.strength, *(c for _, c in present)]
    if per_day_key:
        sources.append(columns.per_day or "")
    return _Keys([drug_key, unit_key, *names, *per_day_key], [*head, *exprs], by_name, text_strength, sources)


@dataclass(frozen=True)
class _Need:
    """Which optional attributes a run needs."""

    regimen: bool = False
    conc: bool = False
    bup: bool = False
    outputs: tuple[str, ...] = DISPENSING_COLUMNS


@dataclass(frozen=True)
class _Attribute:
    """One resolved attribute that travels with the rows (``__mme_<name>``)."""

    name: str
    get: Callable[[_Resolved], Any]
    dtype: Any
    default: float | bool | None


def _attributes_needed(values: Sequence[_Resolved], keys: _Keys, need: _Need) -> tuple[list[_Attribute], int]:
    """The attributes this run's outputs need (only those travel with every row), and the number of tiers."""
    n_tiers = max((len(r.tiers) for r in values), default=1)

    def tier(r: _Resolved, i: int) -> tuple[float, float, float]:
        upto, factor, printed = r.tiers[min(i, len(r.tiers) - 1)]
        return min(upto, 1e308), factor * r.mul / r.div, printed  # x 1000 for mcg, / 0.024 for mcg/h, as the engine

    A = _Attribute
    attrs = [A("st", lambda r: r.status, nw.Int8, _EARLY), A("rate", lambda r: r.rate, nw.Boolean, False)]
    if MME_EXCLUDED in need.outputs or MME_ERROR in need.outputs:  # why excluded, or why not converted
        attrs.append(A("msg", lambda r: r.message or None, nw.String, None))
    if need.bup:
        attrs.append(A("bup", lambda r: r.drug == "buprenorphine", nw.Boolean, False))
    if need.conc:
        attrs.append(A("conc", lambda r: r.conc, nw.Boolean, False))
    if need.regimen:
        attrs.append(A("flat", lambda r: r.flat, nw.Boolean, False))
    else:  # the days supply (patches x wear days), checked for overflow even when it is not an output
        attrs.append(A("wear", lambda r: r.wear if r.rate else 0.0, nw.Float64, 0.0))
    if f"{_T}k_per_day" in keys.names:
        attrs.append(A("ppd", lambda r: r.per_day, nw.Float64, 0.0))
    if keys.strength_in_key:
        attrs.append(A("ks", lambda r: r.strength, nw.Float64, 1.0))
    # the strength in the engine's unit first (mg, mg/day, mg/mL), as the engine reads it: 1e308 mcg is 1e305 mg
    attrs.append(A("um", lambda r: r.unit_mult, nw.Float64, 1.0))
    if n_tiers == 1:
        attrs.append(A("cf0", lambda r: tier(r, 0)[1], nw.Float64, 0.0))
    else:
        for i in range(n_tiers):
            if i < n_tiers - 1:
                attrs.append(A(f"up{i}", lambda r, i=i: tier(r, i)[0], nw.Float64, 1e308))  # type: ignore[misc]
            attrs.append(A(f"cf{i}", lambda r, i=i: tier(r, i)[1], nw.Float64, 0.0))  # type: ignore[misc]
    if MME_FACTOR in need.outputs:
        for i in range(n_tiers):
            attrs.append(A(f"pf{i}", lambda r, i=i: tier(r, i)[2], nw.Float64, 0.0))  # type: ignore[misc]
    return attrs, n_tiers


def _lookup(data: _AnyFrame, keys: _Keys, need: _Need) -> tuple[_AnyFrame, int]:
    """The distinct keys of `data` with their resolved attributes, as a frame of `data`'s own backend.

    Returns the frame and the number of tier columns.
    """
    # a group-by rather than .unique(), which SQL backends (DuckDB, Spark) run as a window over every row
    distinct = data.lazy().group_by(*keys.names).agg(nw.len().alias(f"{_T}n")).drop(f"{_T}n")
    collected = distinct.collect()
    base: _AnyFrame
    if isinstance(data, nw.DataFrame):
        base = collected  # an eager frame: the distinct keys, computed, in its own type
    elif collected.implementation is data.implementation:
        base = collected.lazy()  # Polars lazy: reuse them
    else:
        base = distinct  # DuckDB (the relation's own connection), Dask, Spark (its session): stays in the backend
    resolved = {_SEP.join(map(str, row)): keys.resolve(tuple(_unmark(v) for v in row)) for row in collected.rows()}
    old = list(resolved)
    values = list(resolved.values())
    needed, n_tiers = _attributes_needed(values, keys, need)
    attrs = [
        nw.col(f"{_T}key")
        .replace_strict(old, [a.get(r) for r in values], default=nw.lit(a.default, a.dtype), return_dtype=a.dtype)
        .alias(f"{_T}{a.name}")
        for a in needed
    ]
    key = nw.concat_str([nw.col(k) for k in keys.names], separator=_SEP).alias(f"{_T}key")
    return base.with_columns(key).with_columns(attrs).drop(f"{_T}key"), n_tiers


_MAX_CODES: Final = 1 << 16  # key combinations addressed directly by their code; more go through a map


def _polars_attributes(frame: _AnyFrame, keys: _Keys, need: _Need) -> tuple[Frame, int] | None:
    """Polars' fast path: the attributes gathered by key codes instead of a join (same values as `_lookup`).

    Each key column's distinct values get small integer codes (an Enum; 0 for null), the codes
    combine arithmetically into one per row, and each attribute is an array indexed by it; an
    attribute that is the same for every key of the frame is a literal. Row order is kept by
    construction. None when a key column is not text (the generic path reads it as text first).
    """
    import polars as pl

    native = frame.to_native()
    schema = native.collect_schema()
    if any(schema[c] != pl.String for c in keys.sources):
        return None
    sources = list(dict.fromkeys(keys.sources))
    # the distinct key combinations (a group-by: one pass), and each column's values among them, coded from 1
    combinations = native.lazy().group_by(sources).agg(pl.len()).collect().select(sources).rows()
    categories = {c: sorted({row[i] for row in combinations if row[i] is not None}) for i, c in enumerate(sources)}
    numbers = {c: {v: i + 1 for i, v in enumerate(values)} for c, values in categories.items()}
    sizes = [len(categories[c]) + 1 for c in keys.sources]
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    code = pl.lit(0, pl.Int64)
    for c, stride in zip(keys.sources, strides, strict=True):
        part = (pl.col(c).cast(pl.Enum(categories[c])).to_physical().cast(pl.Int64) + 1).fill_null(0)
        code = code + part * stride
    code_name = f"{_T}code"
    data = native.with_columns(code.alias(code_name))
    keyed = [dict(zip(sources, row, strict=True)) for row in combinations]
    parts = [tuple(row[c] for c in keys.sources) for row in keyed]
    codes = [
        sum(
            (0 if v is None else numbers[c][v]) * stride
            for c, v, stride in zip(keys.sources, key, strides, strict=True)
        )
        for key in parts
    ]
    values = [keys.resolve(key) for key in parts]
    needed, n_tiers = _attributes_needed(values, keys, need)
    direct = math.prod(sizes) <= _MAX_CODES
    index = pl.col(code_name) if direct else pl.col(code_name).replace_strict(codes, range(len(codes)))
    dtypes = {nw.Int8: pl.Int8, nw.Boolean: pl.Boolean, nw.Float64: pl.Float64, nw.String: pl.String}
    exprs = []
    for a in needed:
        got = [a.get(r) for r in values]
        dtype = dtypes[a.dtype]
        if len(set(got)) <= 1:  # the same for every row (or no rows)
            expr = pl.lit(got[0] if got else a.default, dtype)
        else:
            array: list[Any] = [a.default] * math.prod(sizes) if direct else got
            if direct:
                for at, v in zip(codes, got, strict=True):
                    array[at] = v
            expr = pl.lit(pl.Series(array, dtype=dtype)).gather(index)
        exprs.append(expr.alias(f"{_T}{a.name}"))
    return nw.from_native(data.lazy().with_columns(exprs)), n_tiers


def _left_join(data: Any, lookup: Any, on: list[str]) -> Any:
    """`data` left-joined to `lookup`, in `data`'s row order where the backend can keep it.

    Polars' join (eager and lazy) only keeps the order when asked; other eager backends are checked by the caller.
    """
    if data.implementation is nw.Implementation.POLARS:
        joined = data.to_native().join(lookup.to_native(), on=on, how="left", maintain_order="left")
        return nw.from_native(joined)
    return data.join(lookup, on=on, how="left")


# -- the row expressions --------------------------------------------------------------------------------------

# What stops a row: nothing, its key (the key's message), or one of its numbers (ids below -1).
_NO_MESSAGE: Final = -1
_KEY_MESSAGE: Final = 0
_ROW_MESSAGES: Final = {
    -2: _positive_message("strength"),
    -3: _positive_message("quantity"),
    -4: _positive_message("days_supply"),
    -5: _PACKAGE_NOT_CONC,
    -6: _positive_message("package_ml"),
    -7: _positive_message("dose"),
    -8: _positive_message("count"),
    -9: _positive_message("per_day"),
    -10: "the dose is already a daily total: drop per_day/every",
    -11: "how often is the dose taken? Give per_day (2, 'bid') or every ('6 h'), or a daily total ('40 mg/day')",
    -12: "the daily amount overflows: check the dose and the frequency",
    -13: f"the result rounds to 0 at {RESULT_DECIMALS} decimals: no dose is that small, check the unit",
}
_OVERFLOW: Final = -12
_ZERO: Final = -13
_DISPENSING_MESSAGES: Final = (-2, -3, -4, -5, -6, _OVERFLOW, _ZERO)
_REGIMEN_MESSAGES: Final = (-7, -8, -9, -10, -11, _OVERFLOW, _ZERO)
_NUMBER_MESSAGE: Final = {"strength": -2, "quantity": -3, "days_supply": -4, "dose": -7, "count": -8}


def _ok(expr: nw.Expr) -> nw.Expr:
    """A positive finite number (nulls, NaN, inf, zero and negatives are not)."""
    return ((expr > 0) & expr.is_finite()).fill_null(value=False)


def _col(name: str) -> nw.Expr:
    return nw.col(f"{_T}{name}")


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
_SCALE: Final = 1e9  # results are rounded to 9 decimal places, as the scalar engine rounds them
_ROUNDED_BELOW: Final = 2.0**52 / _SCALE  # from here on x * 1e9 has no fraction left: x is kept as it is


def _round(x: nw.Expr) -> nw.Expr:
    """`x` rounded half to even to 9 decimal places, the same on every backend.

    Not ``Expr.round``: PyArrow, DuckDB and Spark round ties away from zero, Polars, pandas and Dask
    to even; and PyArrow raises where ``x * 1e9`` overflows.
    """
    y = x * _SCALE
    low = y // 1
    frac = y - low  # exact below 2**52
    odd = (low / 2) // 1 * 2 != low
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


def _annotate(
    frame: _AnyFrame,
    columns: _Columns,
    table: Table | None,
    variant: str | None,
    ndc_file: NdcFile | None,
    *,
    regimen: bool = False,
    bup: bool = False,
    outputs: Sequence[str] = DISPENSING_COLUMNS,
) -> Frame:
    """`frame` with the `outputs` result columns, and the temporary ones (``__mme_*``) that `summarize` uses."""
    schema = _check_columns(frame, columns)
    keys = _dispensing_keys(columns, schema, table, variant, ndc_file, regimen=regimen)
    need = _Need(regimen=regimen, conc=columns.package_ml is not None, bup=bup, outputs=tuple(outputs))
    lf: Frame
    fast = _polars_attributes(frame, keys, need) if frame.implementation is nw.Implementation.POLARS else None
    if fast is not None:
        lf, n_tiers = fast
    elif isinstance(frame, nw.DataFrame):
        # Eager: join only the keys (the frame's other columns are not copied), check that the backend's
        # join kept the row order (restore it if not), and put the attributes next to the frame's columns.
        narrow = frame.select(*keys.exprs).with_row_index(_ROW)
        lookup, n_tiers = _lookup(narrow, keys, need)
        attributes = _left_join(narrow, lookup, keys.names)
        if not attributes[_ROW].is_sorted():
            attributes = attributes.sort(_ROW)
        lf = nw.concat([frame, attributes.drop(_ROW, *keys.names)], how="horizontal").lazy()
    else:
        data = frame.with_columns(keys.exprs)
        lookup, n_tiers = _lookup(data, keys, need)
        lf = _left_join(data, lookup, keys.names)

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
        # (2.5 x 1e308 overflows, 10 x 1e-320 loses digits) the daily amount is read the other way
        product = s * dispensed
        normal = product.is_finite() & (product >= _SMALLEST_NORMAL)
        per_day = q / d if package_factor is None else q / d * package_factor  # q x mL per package may overflow
        amount = nw.when(_col("rate")).then(s).when(normal).then(product / d).otherwise(s * per_day)
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
    results = {
        MME_PER_DAY: nw.when(counted).then(_round(mme)),
        MME_FACTOR: nw.when(counted).then(factor),
        MME_EXCLUDED: nw.when(fine & (_col("st") == _EXCLUDED)).then(_col("msg")),
        MME_ERROR: _text(_col("err"), regimen=regimen),
    }
    if days is not None:
        results[MME_DAYS_SUPPLY] = nw.when(fine).then(days)
    return lf.with_columns(results[name].alias(name) for name in need.outputs)


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


# -- public: dispensings ----------------------------------------------------------------------------------


def _table(table: TableLike | None, ndc: str | None) -> Table | None:
    """The table to use: None means the default one, or with NDCs the NDC file's own factors (`mme.ndc_mme`)."""
    if table is None:
        return None if ndc is not None else resolve_table(DEFAULT_TABLE)
    return resolve_table(table)


def _outputs(requested: Sequence[str], offered: Sequence[str]) -> tuple[str, ...]:
    """The result columns asked for, checked, in the order asked."""
    names = tuple(dict.fromkeys([requested] if isinstance(requested, str) else requested))
    unknown = [n for n in names if n not in offered]
    if unknown or not names:
        raise ValueError(f"outputs must name one or more of {', '.join(offered)}; got {list(names)}")
    return names


def _start(frame: Any) -> tuple[_AnyFrame, nw.DataFrame[Any] | None]:
    """The input as a narwhals frame, and the same again if it is eager."""
    native = nw.from_native(frame)
    if isinstance(native, nw.DataFrame):
        return native, native
    if isinstance(native, nw.LazyFrame):
        return native, None
    raise TypeError(f"expected a dataframe, got {type(frame).__name__}")  # pragma: no cover


def _finish(before: _AnyFrame, after: Frame, added: Sequence[str], eager: nw.DataFrame[Any] | None) -> Any:
    """The input's columns (result columns of an earlier run replaced), then the results, in the input's type."""
    after = after.select(*[c for c in before.collect_schema() if c not in added], *added)
    if eager is None:
        return after.to_native()
    return after.collect(backend=eager.implementation).to_native()


def dispensing_mme(
    frame: IntoFrameT,
    *,
    table: TableLike | None = None,
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
    outputs: Sequence[str] = DISPENSING_COLUMNS,
) -> IntoFrameT:
    """MME/day of every dispensing in a frame: strength x quantity / days supply x factor, per row.

    The keywords name your columns: ``drug`` (any name `mme.dispensing_mme` reads: generic,
    salt, brand, combination), ``strength`` per unit with its unit in ``strength_unit``
    ("mg", "mcg/h", "mg/mL"; or ``strength_unit=None`` when the strength column holds text
    such as "10 mg"), ``quantity``, ``days_supply``; optionally ``form``, ``route``,
    ``release`` and ``package_ml`` columns. ``table`` is a slug, a table file or a `mme.Table`
    (default: the default table); ``variant`` chooses among values a table prints (e.g. CMS 2018
    methadone), for every row.

    With ``ndc="ndc"`` and ``ndc_file`` (from `mme.read_ndc_file`) each row is a claim by NDC,
    read as `mme.ndc_mme` reads it: drug, strength, unit, form and route from the CDC file, and
    the file's own factor unless a ``table`` is given. Unknown NDCs are reported in ``mme_error``.

    Returns the frame, same type, with ``mme_per_day``, ``mme_factor``, ``mme_days_supply``,
    ``mme_excluded`` and ``mme_error`` added (see the module documentation); a result column
    already in the frame is replaced. ``outputs`` names the ones to add, when you need fewer:
    ``outputs=["mme_per_day"]`` skips the work behind the others (rows with no MME are still null).
    """
    tab = _table(table, ndc)
    columns = _Columns(
        drug=drug, strength=strength, strength_unit=strength_unit, quantity=quantity, days_supply=days_supply,
        form=form, route=route, release=release, package_ml=package_ml, ndc=ndc,
    )  # fmt: skip
    added = _outputs(outputs, DISPENSING_COLUMNS)
    data, eager = _start(frame)
    out = _annotate(data, columns, tab, variant, ndc_file, outputs=added)
    return _finish(data, out, added, eager)  # type: ignore[no-any-return]


def daily_mme(
    frame: IntoFrameT,
    *,
    table: TableLike = DEFAULT_TABLE,
    drug: str = "drug",
    dose: str = "dose",
    dose_unit: str | None = "dose_unit",
    per_day: str | None = "per_day",
    count: str | None = None,
    form: str | None = None,
    route: str | None = None,
    release: str | None = None,
    variant: str | None = None,
    outputs: Sequence[str] = REGIMEN_COLUMNS,
) -> IntoFrameT:
    """MME/day of every regimen in a frame (the clinical path of `mme.daily_mme`), per row.

    ``dose`` per administration with ``dose_unit`` (or ``dose_unit=None`` for text doses such as
    "10 mg"), ``per_day`` administrations a day (a number, or a text column of codes: "bid",
    "tid"...; null for daily totals such as "40 mg/day" and patch rates), ``count`` units per
    administration (default 1). Adds ``mme_per_day``, ``mme_factor``, ``mme_excluded`` and
    ``mme_error`` (or the ``outputs`` named). Concentrations (which need a volume per
    administration) are reported as errors.
    """
    tab = resolve_table(table)
    columns = _Columns(
        drug=drug, strength=dose, strength_unit=dose_unit, quantity=None, days_supply=None,
        form=form, route=route, release=release, per_day=per_day, count=count,
    )  # fmt: skip
    added = _outputs(outputs, REGIMEN_COLUMNS)
    data, eager = _start(frame)
    out = _annotate(data, columns, tab, variant, None, regimen=True, outputs=added)
    return _finish(data, out, added, eager)  # type: ignore[no-any-return]


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
    """
    return _summarize(
        frame, start=start, end=end, table=table, include_buprenorphine=include_buprenorphine,
        clip_to_window=clip_to_window, on_failed=on_failed, patient_id=patient_id, fill_date=fill_date,
        columns=_Columns(
            drug=drug, strength=strength, strength_unit=strength_unit, quantity=quantity, days_supply=days_supply,
            form=form, route=route, release=release, package_ml=package_ml, ndc=ndc, extra=(patient_id, fill_date),
        ),
        variant=variant, ndc_file=ndc_file, method="auto",
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
) -> IntoFrameT:
    if end < start:
        raise DoseError(f"the window ends ({end}) before it starts ({start})")
    if on_failed not in ("propagate", "drop"):
        raise DoseError(f"on_failed must be 'propagate' or 'drop', not {on_failed!r}")
    tab = _table(table, columns.ndc)
    native, _ = _start(frame)
    if native.implementation.is_pyspark():
        raise ArgumentTypeError(SPARK_SUMMARY)
    rows = _annotate(native, columns, tab, variant, ndc_file, bup=not include_buprenorphine)
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

"""Each distinct key of a frame (drug, unit, form, route, release; an NDC or an RxCUI) resolved once by the engine's `Plan`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

import narwhals as nw

from mme._engine import Plan, Stage, _canonical_drug, _resolve_names, plan, planned, stated_by
from mme._errors import COLUMN_KEYWORDS, ColumnError, MMEError, NotCoveredError
from mme._history import EXACT_FLOAT
from mme._ndc import NdcFile, _file_row, ndc_file_of
from mme._tables import Table
from mme._units import _parse_text

from ._schema import _NULL, _T, _AnyFrame

if TYPE_CHECKING:  # imported where RxCUIs are read: a run without them does not load the RxNorm module
    from mme.rxnorm import RxnormLike

# -- the distinct keys, each resolved once by the engine (`mme._engine.plan`) ------------------------------------


@dataclass(frozen=True, slots=True)
class _Keyed(Plan):
    """The engine's plan of a key, with the strength the key carries (an NDC's, an RxNorm product's, a text
    strength such as "10 mg"; 1 where the strength is a column of its own)."""

    strength: float = 1.0


def _keyed(resolved: Plan, strength: float = 1.0) -> _Keyed:
    return _Keyed(**{f.name: getattr(resolved, f.name) for f in fields(Plan)}, strength=strength)


def _missing(message: str, drug: str | None = None) -> _Keyed:
    """A key that stops before the engine sees it: a null cell, an NDC or RxCUI that gives no drug and strength."""
    return _Keyed(Stage.NAMES, message, drug=_canonical_drug(drug) if drug else "")


def _by_ndc(ndc: str | None, file: NdcFile, table: Table | None, variant: str | None) -> _Keyed:
    """An NDC as `mme.ndc_mme` reads it: the file's product, with the file's own factor or `table`'s."""
    if ndc is None:
        return _missing("NDC is missing")
    try:
        found = file.lookup(ndc)
    except MMEError as exc:
        return _missing(str(exc))  # as `mme.ndc_mme` says it: "not an NDC: 'abc'; ...", "NDC ... is not listed in ..."
    if found.drug is None or found.strength is None or found.unit is None:
        missing = NotCoveredError(f"NDC {found.ndc} ({found.generic_name}) has no opioid strength in {file.name}")
        return _missing(str(missing))  # as `mme.ndc_mme` says it
    if table is not None:
        resolved = plan(table, variant, found.drug, found.unit, found.form, found.route, None)
        return _keyed(resolved, found.strength)
    try:
        row = _file_row(found, file.name)
    except MMEError as exc:
        return _missing(str(exc), found.drug)
    return _keyed(planned(row, found.drug, found.unit), found.strength)


def _by_rxcui(
    rxcui: str | None,
    route: str | None,
    rxnorm: RxnormLike,
    table: Table,
    variant: str | None,
    *,
    regimen: bool = False,
    frequency: str | None = None,
) -> _Keyed:
    """An RxCUI as `mme.rxnorm.dispensing_mme` (a regimen: `mme.rxnorm.daily_mme` by count) reads it: its
    opioid's strength, with the product's form, route (unless ``route`` names an injection's) and release."""
    from mme.rxnorm import _no_volume, _one_dose_ml, _one_opioid, _strength, _unit_strength, product

    if rxcui is None:
        return _missing("RxCUI is missing")
    try:  # two opioids give one result each in the scalar functions, added (a Total); a row has one factor
        prod = product(rxcui, rxnorm=rxnorm)
        ing = _one_opioid(prod, "a frame's row", "convert it with mme.rxnorm.dispensing_mme or mme.rxnorm.daily_mme")
    except MMEError as exc:
        return _missing(str(exc))
    strength, unit = _strength(prod, ing, table, route or prod.route)
    if regimen and ing.unit == "MG/ML":  # a count of units is their volume only for one that holds one dose
        if (each := _one_dose_ml(prod)) is None:
            return _missing(_no_volume(prod, ing))
        per_ml, unit = _unit_strength(prod, ing, table, route or prod.route)
        strength, unit = float(per_ml * each), unit.removesuffix("/mL")
    resolved = plan(table, variant, ing.drug or "", unit, prod.form, route or prod.route, prod.release,
                    regimen=regimen, frequency=frequency)  # fmt: skip
    if isinstance(resolved.error, NotCoveredError):  # the product's route and form are RxNorm's: as the scalar says
        error = stated_by(resolved.error, f"RxCUI {prod.rxcui}")
        resolved = replace(resolved, message=str(error), error=error)
    return _keyed(resolved, strength)


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
    rxcui: str | None = None
    per_day: str | None = None
    count: str | None = None
    extra: tuple[str, ...] = field(default=())
    keywords: str = COLUMN_KEYWORDS
    """How a missing column's message says to name the columns: the keywords of the function called."""

    def required(self) -> list[str]:
        names = [self.quantity, self.days_supply, self.form, self.route, self.release, self.package_ml]
        names += [self.per_day, self.count, *self.extra]
        if self.ndc is not None or self.rxcui is not None:
            names += [self.ndc, self.rxcui]
        else:
            names += [self.drug, self.strength, self.strength_unit]
        return [n for n in names if n is not None]


def _check_columns(lf: _AnyFrame, columns: _Columns) -> dict[str, nw.dtypes.DType]:
    schema = dict(lf.collect_schema())
    missing = [c for c in dict.fromkeys(columns.required()) if c not in schema]
    if missing:
        raise ColumnError(
            f"column(s) {', '.join(map(repr, missing))} not in the frame (columns: {', '.join(map(str, schema))}); "
            f"{columns.keywords}"
        )
    if clash := [c for c in schema if str(c).startswith(_T)]:
        raise ColumnError(f"column names starting with {_T!r} are reserved: {clash}; rename them")
    objects = lf.implementation.is_polars()  # pandas' object columns are read cell by cell
    for name in dict.fromkeys(columns.required()):
        if _unread(schema[name], objects=objects):
            raise ColumnError(
                f"column {name!r} holds {schema[name]}: mme reads a value from numbers or text, not from lists, "
                "structs, bytes, durations or Python objects; convert the column first"
            )
    return schema


def _unread(dtype: nw.dtypes.DType, *, objects: bool) -> bool:
    """A type no input is read from: a cast to text fails (the whole run: Polars' Object, when ``objects``) or reads
    bytes as text (a guess)."""
    return dtype.is_nested() or dtype in (nw.Binary, nw.Duration) or (objects and dtype == nw.Object)


def code_text(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A code column (a key, a patient id) as text, as `mme._history.key_text` reads one: a float column's whole
    numbers as integers (a code read as a float, by pandas in a column with nulls: 2035102.0 is "2035102"), its NaN
    missing (null) on every backend, as pandas reads it."""
    expr = nw.col(name)
    if dtype.is_float():
        whole = (expr.is_finite() & (expr.abs() < EXACT_FLOAT) & (expr.round(0) == expr)).fill_null(value=False)
        digits = nw.when(whole).then(expr).otherwise(0.0).cast(nw.Int64).cast(nw.String)  # no cast of NaN or inf
        expr = nw.when(whole).then(digits).when(~expr.is_nan()).then(expr.cast(nw.String))  # 1.5 stays "1.5"
    return expr.cast(nw.String)


def _as_text(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A key column as text, nulls as a marker (so that null keys match in joins)."""
    return code_text(name, dtype).fill_null(_NULL)


def _unmark(value: object) -> str | None:
    return None if value is None or value == _NULL else str(value)


@dataclass(frozen=True)
class _Keys:
    """The key columns and how one distinct key is resolved."""

    names: list[str]
    """Temporary key columns in the data."""
    exprs: list[nw.Expr]
    resolve: Callable[[tuple[str | None, ...]], _Keyed]
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
    rxnorm: RxnormLike = None,
) -> _Keys:
    if columns.rxcui is not None:
        return _rxcui_keys(columns, schema, table, variant, rxnorm, regimen=regimen)
    optional = [("form", columns.form), ("route", columns.route), ("release", columns.release)]
    present = [(what, c) for what, c in optional if c is not None]
    names = [f"{_T}k_{what}" for what, _ in present]
    exprs = [_as_text(c, schema[c]).alias(n) for (_, c), n in zip(present, names, strict=True)]

    def options(parts: Sequence[str | None]) -> dict[str, str | None]:
        return {what: value for (what, _), value in zip(present, parts, strict=True)}

    if columns.ndc is not None:
        if ndc_file is None:
            raise ColumnError("an ndc column needs the NDC file to look it up in: pass ndc_file=mme.read_ndc_file(...)")
        if present:
            raise ColumnError("with ndc=..., drug, strength, form, route and release come from the NDC file")
        file = ndc_file_of(ndc_file)
        ndc_key = f"{_T}k_ndc"

        def by_ndc(key: tuple[str | None, ...]) -> _Keyed:
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

    def by_name(key: tuple[str | None, ...]) -> _Keyed:
        drug, unit_or_text, *rest = key
        frequency = rest.pop() if per_day_key else None
        given = options(rest)
        if drug is None:
            return _missing("drug is missing")
        strength, unit = 1.0, unit_or_text
        try:  # the engine reads the names, then the amount
            _resolve_names(drug, given.get("route"), given.get("form"), given.get("release"))
            if unit_or_text is not None and text_strength:
                strength, unit = _parse_text(unit_or_text)
        except MMEError as exc:
            return _missing(str(exc), drug)
        if unit is None:
            what = "dose" if regimen else "strength"
            return _missing(f"{what} is missing" if text_strength else f"the {what} unit is missing", drug)
        assert table is not None
        resolved = plan(table, variant, drug, unit, given.get("form"), given.get("route"), given.get("release"),
                        regimen=regimen, frequency=frequency)  # fmt: skip
        return _keyed(resolved, strength)

    sources = [columns.drug, columns.strength_unit or columns.strength, *(c for _, c in present)]
    if per_day_key:
        sources.append(columns.per_day or "")
    return _Keys([drug_key, unit_key, *names, *per_day_key], [*head, *exprs], by_name, text_strength, sources)


def _rxcui_keys(
    columns: _Columns,
    schema: dict[str, nw.dtypes.DType],
    table: Table | None,
    variant: str | None,
    rxnorm: RxnormLike,
    *,
    regimen: bool,
) -> _Keys:
    """Keys of rows by RxCUI: the code, and the route and a frequency code when columns give them."""
    if columns.ndc is not None or columns.form is not None or columns.release is not None:
        raise ColumnError(
            "with rxcui=..., the drug, strength, form and release come from the RxNorm product, and no ndc column "
            "is read (route=... may name an injection's route)"
        )
    from mme.rxnorm import rxnorm_date

    assert table is not None  # without an NDC column, the default table
    rxnorm_date(rxnorm=rxnorm)  # a product file that cannot be read stops the run here, not every row
    parts = [("rxcui", columns.rxcui), ("route", columns.route)]
    if regimen and columns.per_day is not None and schema[columns.per_day] == nw.String:
        parts.append(("per_day", columns.per_day))  # "bid", "q6h"...: a frequency code per key
    present = [(what, c) for what, c in parts if c is not None]
    names = [f"{_T}k_{what}" for what, _ in present]
    exprs = [_as_text(c, schema[c]).alias(n) for (_, c), n in zip(present, names, strict=True)]

    def by_rxcui(key: tuple[str | None, ...]) -> _Keyed:
        given = {what: value for (what, _), value in zip(present, key, strict=True)}
        return _by_rxcui(given["rxcui"], given.get("route"), rxnorm, table, variant, regimen=regimen,
                         frequency=given.get("per_day"))  # fmt: skip

    return _Keys(names, exprs, by_rxcui, True, [c for _, c in present])

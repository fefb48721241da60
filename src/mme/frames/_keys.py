"""Each distinct key of a frame (drug, unit, form, route, release; or an NDC) resolved once through the scalar engine's steps."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw

from mme._engine import Owed, _match, _per_day, _resolve_names, beyond_tiers, route_default, unit_slip
from mme._errors import ColumnError, MMEError, NotCoveredError
from mme._ndc import NdcFile, _file_row
from mme._tables import Exclusion, FactorRow, Table
from mme._units import MG_PER_DAY_PER_MCG_PER_H, _parse_text, _unit
from mme._vocab import PATCH_WEAR_DAYS, resolve_drug
from mme.rxnorm import RxnormLike, _counted, _no_volume, _strength, product, rxnorm_date

from ._schema import _NULL, _T, _AnyFrame

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
    route_note: str | None = None
    """The warning on a route taken by default (`mme._engine.route_default`)."""
    slip: Owed | None = None
    """The unit slip this key's rows may show (`mme._engine.unit_slip`)."""
    above: Owed | None = None
    """The warning above the last dose tier (`mme._engine.beyond_tiers`)."""


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
    if isinstance(row, FactorRow):
        base["route_note"] = route_default(table, name.drug, route_, form_, release_, kind, row)
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
    slip, above = unit_slip(drug, row, unit), beyond_tiers(row)
    return _Resolved(_OK, mul=mul, div=div, tiers=tiers, slip=slip, above=above, **base)


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


def _by_rxcui(
    rxcui: str | None,
    route: str | None,
    rxnorm: RxnormLike,
    table: Table,
    variant: str | None,
    *,
    regimen: bool = False,
    frequency: str | None = None,
) -> _Resolved:
    """An RxCUI as `mme.rxnorm.dispensing_mme` (a regimen: `mme.rxnorm.daily_mme` by count) reads it: its
    opioid's strength, with the product's form, route (unless ``route`` names an injection's) and release."""
    if rxcui is None:
        return _Resolved(_EARLY, "RxCUI is missing")
    try:
        prod = product(rxcui, rxnorm=rxnorm)
        opioids = _counted(prod)
    except MMEError as exc:
        return _Resolved(_EARLY, str(exc))
    if len(opioids) > 1:  # the scalar functions give one result per opioid, added (a Total); a row has one factor
        return _Resolved(_EARLY, f"{prod.label} has {len(opioids)} opioid ingredients, which a frame's row does not "
                         "add up: convert it with mme.rxnorm.dispensing_mme or mme.rxnorm.daily_mme")  # fmt: skip
    ing = opioids[0]
    if regimen and ing.unit == "MG/ML":
        return _Resolved(_EARLY, _no_volume(prod, ing))
    strength, unit = _strength(ing)
    return _resolve(table, variant, ing.drug, unit, prod.form, route or prod.route, prod.release,
                    strength=strength, regimen=regimen, frequency=frequency)  # fmt: skip


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
            "map yours with the keyword arguments (drug=..., strength=..., quantity=...)"
        )
    if clash := [c for c in schema if str(c).startswith(_T)]:
        raise ColumnError(f"column names starting with {_T!r} are reserved: {clash}; rename them")
    return schema


_EXACT = 2.0**53  # a float code below it is a whole number exactly


def _as_text(name: str, dtype: nw.dtypes.DType) -> nw.Expr:
    """A key column as text, nulls as a marker (so that null keys match in joins)."""
    expr = nw.col(name)
    if dtype.is_float():  # a code read as a float (pandas, a column with nulls): 2035102.0 -> "2035102"
        whole = (expr.is_finite() & (expr.abs() < _EXACT) & (expr.round(0) == expr)).fill_null(value=False)
        digits = nw.when(whole).then(expr).otherwise(0.0).cast(nw.Int64).cast(nw.String)  # no cast of NaN or inf
        expr = nw.when(whole).then(digits).when(~expr.is_null()).then(expr.cast(nw.String))  # 1.5 stays "1.5"
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
        raise TypeError(
            "with rxcui=..., the drug, strength, form and release come from the RxNorm product, and no ndc column "
            "is read (route=... may name an injection's route)"
        )
    assert table is not None  # without an NDC column, the default table
    rxnorm_date(rxnorm=rxnorm)  # a product file that cannot be read stops the run here, not every row
    parts = [("rxcui", columns.rxcui), ("route", columns.route)]
    if regimen and columns.per_day is not None and schema[columns.per_day] == nw.String:
        parts.append(("per_day", columns.per_day))  # "bid", "q6h"...: a frequency code per key
    present = [(what, c) for what, c in parts if c is not None]
    names = [f"{_T}k_{what}" for what, _ in present]
    exprs = [_as_text(c, schema[c]).alias(n) for (_, c), n in zip(present, names, strict=True)]

    def by_rxcui(key: tuple[str | None, ...]) -> _Resolved:
        given = {what: value for (what, _), value in zip(present, key, strict=True)}
        return _by_rxcui(given["rxcui"], given.get("route"), rxnorm, table, variant, regimen=regimen,
                         frequency=given.get("per_day"))  # fmt: skip

    return _Keys(names, exprs, by_rxcui, True, [c for _, c in present])

"""The conversion engine: pure functions from a dose to MME/day under one table.

Two paths, one arithmetic. The *regimen* (clinical) path takes a dose per
administration and how often; the *dispensing* (claims) path takes strength x
quantity / days supply. Both end in ``daily amount x factor``, where a patch's
daily amount is its rate in mcg/h and a dispensed-patch factor (7.2 = 2.4 x 3 days)
is divided by its wear period, so both patch conventions mean the same thing.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, computed_field

from ._errors import (
    AmbiguousDoseError,
    DoseError,
    ImplausibleDoseWarning,
    MixedTablesError,
    NotCoveredError,
    UnitError,
)
from ._parse import Expression, RangeChoice, parse_expression
from ._tables import DEFAULT_TABLE, Exclusion, FactorRow, Table, Tier, list_tables, resolve_table
from ._units import MG_PER_DAY_PER_MCG_PER_H, Amount, _unit, amount, positive
from ._vocab import (
    PATCH_WEAR_DAYS,
    DrugName,
    Release,
    form_release,
    form_route,
    resolve_drug,
    resolve_form,
    resolve_release,
    resolve_route,
)

__all__ = [
    "CDC_THRESHOLDS",
    "IMPLAUSIBLE_MME_PER_DAY",
    "DailyMME",
    "Total",
    "convert",
    "daily_mme",
    "dispensing_mme",
    "thresholds_reached",
    "total",
]

#: CDC 2016 and 2022 dose thresholds, MME/day (reached when ``>=``, unless told otherwise).
CDC_THRESHOLDS: tuple[float, ...] = (50.0, 90.0)
#: Above this many MME/day an input is flagged as implausible (probably a unit slip).
IMPLAUSIBLE_MME_PER_DAY = 10_000.0

TableLike = str | Path | Table
DoseLike = str | Amount | tuple[float, str] | object


class DailyMME(BaseModel):
    """One item in MME/day, with everything needed to check it: factor, tier, table, warnings."""

    model_config = ConfigDict(frozen=True)

    drug: str
    route: str
    form: str | None
    release: Literal["IR", "ER"] | None
    daily_dose: float
    """The normalised daily amount the factor multiplies, in `daily_dose_unit`."""
    daily_dose_unit: Literal["mg/day", "mcg/day", "mcg/h"]
    mme_per_day: float | None
    """None when the table excludes the drug: see `excluded`."""
    factor: Decimal | None
    """The factor as the table prints it (the tier's factor for tiered rows)."""
    factor_basis: str
    tier: Tier | None = None
    variant: str | None = None
    excluded: str | None = None
    """Why the table gives this drug no MME (None when it has a factor)."""
    days_supply: float | None = None
    """Dispensing path: the days supply used (for patches, patches x wear days, as CDC instructs)."""
    table: str
    table_version: str
    caution: str | None = None
    warnings: tuple[str, ...] = ()
    expression: Expression | None = None
    """`convert`: the dose expression as read (drug, strength, count, frequency, ranges, cap, ignored text)."""

    def __str__(self) -> str:
        what = " ".join(x for x in (self.drug, self.release, self.route, self.form) if x)
        if self.mme_per_day is None:
            return f"{what}: no MME under {self.table} ({self.excluded})"
        tier = f", tier {self.tier.printed or self.tier}" if self.tier else ""
        variant = f", {self.variant}" if self.variant else ""
        return (
            f"{what}: {_fmt(self.daily_dose)} {self.daily_dose_unit} x {self.factor} ({self.factor_basis}{tier}{variant})"
            f" = {_fmt(self.mme_per_day)} MME/day [{self.table}]"
        )


class Total(BaseModel):
    """Several items added up under one table, excluded items kept visible."""

    model_config = ConfigDict(frozen=True)

    items: tuple[DailyMME, ...]
    mme_per_day: float | None
    """Sum over items with a factor; None when every item is excluded."""
    table: str
    table_version: str
    thresholds: tuple[float, ...] = CDC_THRESHOLDS
    inclusive: bool = True
    """Thresholds are reached at ``>=`` when True, at ``>`` when False."""

    @property
    def excluded(self) -> tuple[DailyMME, ...]:
        return tuple(item for item in self.items if item.mme_per_day is None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reached(self) -> tuple[float, ...]:
        """The thresholds this total reaches."""
        return thresholds_reached(self.mme_per_day, self.thresholds, inclusive=self.inclusive)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for item in self.items for w in item.warnings)

    def __str__(self) -> str:
        lines = [str(item) for item in self.items]
        value = "no MME" if self.mme_per_day is None else f"{_fmt(self.mme_per_day)} MME/day"
        sign = ">=" if self.inclusive else ">"
        reached = ", ".join(f"{sign} {_fmt(t)}" for t in self.reached) or "none"
        lines.append(f"total: {value} [{self.table}]; thresholds reached: {reached}")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def thresholds_reached(
    value: float | None, thresholds: Iterable[float] = CDC_THRESHOLDS, *, inclusive: bool = True
) -> tuple[float, ...]:
    """The thresholds a daily MME reaches: ``>=`` by default (CDC), ``>`` with ``inclusive=False``."""
    if value is None:
        return ()
    return tuple(t for t in thresholds if (value >= t if inclusive else value > t))


# -- frequency -----------------------------------------------------------------------------------

_PER_DAY_CODES = {
    "qd": 1.0,
    "od": 1.0,
    "daily": 1.0,
    "qhs": 1.0,
    "qam": 1.0,
    "qpm": 1.0,
    "bid": 2.0,
    "tid": 3.0,
    "qid": 4.0,
}
_EVERY = re.compile(r"^\s*(?:q|every)?\s*(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours|d|day|days)?\s*$", re.I)


def _per_day(per_day: float | str | None, every: float | str | timedelta | object | None) -> float | None:
    """Administrations per day from ``per_day`` (a number or BID/TID/QID/QD/QHS) or ``every`` (hours)."""
    if per_day is not None and every is not None:
        raise DoseError("give per_day or every, not both")
    if isinstance(per_day, str):
        code = per_day.strip().lower().replace(".", "").replace(" ", "")
        if code not in _PER_DAY_CODES:
            raise DoseError(f"unknown frequency {per_day!r}: use a number or one of {', '.join(_PER_DAY_CODES)}")
        return _PER_DAY_CODES[code]
    if per_day is not None:
        return positive(per_day, "per_day")
    if every is None:
        return None
    if isinstance(every, timedelta):
        hours = every.total_seconds() / 3600
    elif isinstance(every, str):
        match = _EVERY.match(every)
        if not match:
            raise DoseError(f"cannot read the interval {every!r}: write e.g. '6 h', 'q6h' or a number of hours")
        hours = float(match[1]) * (24 if (match[2] or "h").lower().startswith("d") else 1)
    elif hasattr(every, "to") and hasattr(every, "magnitude"):
        hours = float(every.to("hour").magnitude)
    else:
        hours = positive(every, "every (hours)")
    return positive(24 / positive(hours, "every (hours)"), "doses per day")


# -- matching a table row -------------------------------------------------------------------------


def _describe(drug: str, route: str | None, form: str | None, release: str | None) -> str:
    return " ".join(x for x in (drug, release, route, form) if x)


def _excluded_by(table: Table, drug: str, route: str | None, form: str | None, *, exact: bool) -> Exclusion | None:
    """The exclusion that applies. With ``exact``, an exclusion limited to some routes/forms
    needs them named (buprenorphine implants excluded must not swallow an unnamed patch)."""

    def meets(limits: tuple[str, ...], value: str | None) -> bool:
        return not limits or (value in limits if value is not None else not exact)

    return next(
        (ex for ex in table.excluded if ex.drug == drug and meets(ex.routes, route) and meets(ex.forms, form)), None
    )


def _candidates(
    table: Table, drug: str, route: str | None, form: str | None, release: str | None, patch: bool | None
) -> list[FactorRow]:
    rows = [
        r
        for r in table.rows_for(drug)
        if (route is None or route in r.routes)
        and (form is None or not r.forms or form in r.forms)
        and (release is None or r.release is None or r.release == release)
    ]
    if patch is None:
        return rows
    return [r for r in rows if r.is_patch == patch]


@lru_cache(maxsize=4096)
def _match(
    table: Table, drug: str, route: str | None, form: str | None, release: str | None, variant: str | None, kind: str
) -> FactorRow | Exclusion:
    """The one row (or exclusion) of `table` for this input, or a typed error saying what to add."""
    if ex := _excluded_by(table, drug, route, form, exact=True):
        return ex
    rows = _candidates(table, drug, route, form, release, None)
    patches = [r for r in rows if r.is_patch]
    # a rate is a patch's delivery rate, or else a daily total; a mass is never a patch
    rows = (patches or rows) if kind == "rate" else [r for r in rows if not r.is_patch]
    if not rows:
        if ex := _excluded_by(table, drug, route, form, exact=False):
            return ex
        hint = f" A {drug} patch is dosed by its rate: give mcg/h (e.g. '25 mcg/h')." if patches else ""
        raise _not_covered(table, drug, route, form, release, hint)
    if len({r.variant for r in rows}) > 1 or variant is not None:
        rows = _choose_variant(table, rows, variant)
    if len(rows) > 1 and route is None:
        oral = [r for r in rows if "oral" in r.routes]
        rows = oral if len(oral) == 1 else rows
    if len(rows) > 1:
        options = "; ".join(r.describe() for r in rows)
        raise AmbiguousDoseError(
            f"{table.slug} has several factors for {_describe(drug, route, form, release)}: {options}. "
            "Say the route and form (e.g. route='nasal', form='spray')."
        )
    return rows[0]


def _choose_variant(table: Table, rows: list[FactorRow], variant: str | None) -> list[FactorRow]:
    names = sorted({r.variant for r in rows if r.variant})
    if variant is not None:
        chosen = [r for r in rows if r.variant == variant]
        if not chosen:
            raise AmbiguousDoseError(f"{table.slug} has no variant {variant!r} here; it prints: {', '.join(names)}")
        return chosen
    defaults = [r for r in rows if r.default]
    if defaults:
        return defaults
    explained = "; ".join(f"variant={r.variant!r}: {r.source}" for r in rows)
    raise AmbiguousDoseError(
        f"{table.slug} prints several values for {rows[0].drug} and names no default, so you must choose: {explained}."
    )


def _not_covered(
    table: Table, drug: str, route: str | None, form: str | None, release: str | None, hint: str = ""
) -> NotCoveredError:
    wanted = _describe(drug, route, form, release)
    own = sorted({r.describe() for r in table.rows_for(drug)})
    has = f" It covers: {'; '.join(own)}.{hint}" if own else f" It has no factor for {drug} at all."
    patch = None if hint == "" else False  # a mass dose that this table has only as a patch
    others = [
        t.slug
        for t in list_tables()
        if t.slug != table.slug
        and _excluded_by(t, drug, route, form, exact=True) is None
        and _candidates(t, drug, route, form, release, patch)
    ]
    return NotCoveredError(f"{table.slug} has no factor for {wanted}.{has}", others)


def _resolve_names(
    drug: str, route: str | None, form: str | None, release: str | None
) -> tuple[DrugName, str | None, str | None, Release | None]:
    name = resolve_drug(drug)
    canonical_form = resolve_form(form) if form else name.form
    canonical_route = resolve_route(route) if route else (form_route(form) if form else None) or name.route
    canonical_release = resolve_release(release) if release else (form_release(form) if form else None) or name.release
    return name, canonical_route, canonical_form, canonical_release


# -- the two paths --------------------------------------------------------------------------------


def daily_mme(
    drug: str,
    dose: DoseLike,
    *,
    per_day: float | str | None = None,
    every: float | str | timedelta | None = None,
    count: float = 1,
    volume: DoseLike | None = None,
    route: str | None = None,
    form: str | None = None,
    release: str | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
) -> DailyMME:
    """MME/day of a regimen: a dose per administration and how often, a daily total, or a patch rate.

    ``dose`` is "10 mg", ``(10, "mg")`` or a pint Quantity: a mass per administration (with
    ``per_day`` or ``every``), a daily total ("40 mg/day"), a patch rate ("25 mcg/h") or a
    concentration ("2 mg/mL", with ``volume`` per administration). ``count`` is how many
    units make one administration (2 tablets, 2 sprays, 2 patches worn together).
    """
    tab = resolve_table(table)
    name, route_, form_, release_ = _resolve_names(drug, route, form, release)
    amt = amount(dose)
    count = positive(count, "count")
    if amt.kind == "conc":
        if volume is None:
            raise UnitError(f"{dose!r} is a concentration: give the volume per administration (volume='5 mL')")
        vol = amount(volume, what="volume")
        if vol.kind != "volume":
            raise UnitError(f"volume must be a volume such as '5 mL', not {volume!r}")
        mass_unit = re.split(r"/|\bper\b", amt.unit, maxsplit=1)[0].strip()  # "mcg/mL" x mL is mcg
        amt = Amount(amt.value * vol.value, "mass", mass_unit)
    elif volume is not None:
        raise UnitError("volume only goes with a concentration dose such as '2 mg/mL'")
    elif amt.kind == "volume":
        raise UnitError(f"{dose!r} is a volume: give the concentration as the dose ('2 mg/mL') and the volume apart")
    times = _per_day(per_day, every)
    row = _match(tab, name.drug, route_, form_, release_, variant, amt.kind)
    if amt.kind == "rate":
        # Patches worn together add up; a change interval does not alter the rate. An excluded
        # drug gets no number, so its change interval is not checked either.
        if times is not None and isinstance(row, FactorRow) and not row.is_patch:
            raise DoseError(f"{dose!r} is already a daily total: drop per_day/every")
        daily = amt.value * count
    else:
        if times is None:
            raise DoseError(
                f"how often is {dose!r} taken? Give per_day (2, 'bid') or every ('6 h'), or a daily total ('40 mg/day')"
            )
        daily = amt.value * count * times
    return _result(tab, row, name.drug, route_, form_, release_, daily, amt, days_supply=None)


def dispensing_mme(
    drug: str,
    strength: DoseLike,
    *,
    quantity: float,
    days_supply: float,
    package_ml: float | None = None,
    route: str | None = None,
    form: str | None = None,
    release: str | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
) -> DailyMME:
    """MME/day of a dispensing: strength per unit x quantity / days supply x factor (CDC, CMS).

    ``strength`` is per unit ("10 mg" per tablet, "25 mcg/h" per patch, "10 mg/mL" for
    liquids and sprays, where ``quantity`` is in mL, or in bottles of ``package_ml`` mL).
    Patches follow CDC's rule: days supply = patches x wear days (3 fentanyl, 7 buprenorphine),
    so MME/day is the patch rate x the per-day factor whatever days supply was recorded.
    """
    tab = resolve_table(table)
    name, route_, form_, release_ = _resolve_names(drug, route, form, release)
    amt = amount(strength, what="strength")
    row = _match(tab, name.drug, route_, form_, release_, variant, "rate" if amt.kind == "rate" else "mass")
    return dispensed(
        tab, row, name.drug, route_, form_, release_, amt, quantity, days_supply, package_ml, typed=strength
    )


class Source(Protocol):
    """Where a factor comes from: a shipped or custom `Table`, or an NDC file bringing its own."""

    @property
    def slug(self) -> str: ...
    @property
    def version(self) -> str: ...


def dispensed(
    table: Source,
    row: FactorRow | Exclusion,
    drug: str,
    route: str | None,
    form: str | None,
    release: Release | None,
    strength: Amount,
    quantity: float,
    days_supply: float,
    package_ml: float | None,
    *,
    typed: DoseLike,
) -> DailyMME:
    """The claims arithmetic once the row is known (shared with NDC look-ups that bring their own row).

    ``typed`` is the strength as the caller wrote it, for messages: `Amount` keeps only the unit.
    """
    quantity = positive(quantity, "quantity")
    days = positive(days_supply, "days_supply")
    if package_ml is not None:
        if strength.kind != "conc":
            raise UnitError("package_ml only goes with a concentration strength such as '10 mg/mL'")
        quantity *= positive(package_ml, "package_ml")
    if strength.kind == "volume":
        raise UnitError(f"strength {typed!r} is a volume: give the concentration ('10 mg/mL')")
    notes: list[str] = []
    if strength.kind == "rate":
        if isinstance(row, FactorRow) and not row.is_patch:
            raise UnitError(f"a rate ({strength.unit}) was given, but {drug} here is not a patch: give mg per unit")
        daily = strength.value
        wear = (row.wear_days if isinstance(row, FactorRow) else None) or PATCH_WEAR_DAYS.get(drug)
        if wear is not None:
            normalised = quantity * wear
            if not math.isclose(normalised, days):
                notes.append(
                    f"days supply {days:g} replaced by {quantity:g} patches x {wear} days = {normalised:g}, as CDC instructs"
                )
            days = normalised
    else:
        daily = strength.value * quantity / days  # mg per unit, or mg/mL with quantity in mL
    return _result(table, row, drug, route, form, release, daily, strength, days_supply=days, notes=notes)


def _result(
    table: Source,
    row: FactorRow | Exclusion,
    drug: str,
    route: str | None,
    form: str | None,
    release: Release | None,
    daily_mg: float,
    given: Amount,
    *,
    days_supply: float | None,
    notes: list[str] | None = None,
) -> DailyMME:
    """Apply the row's factor to the daily amount (mg/day, or mg/day delivered by a patch)."""
    notes = list(notes or ())
    if isinstance(row, Exclusion):
        return DailyMME.model_construct(
            drug=drug, route=route or (row.routes[0] if len(row.routes) == 1 else "unspecified"), form=form,
            release=release, daily_dose=daily_mg, daily_dose_unit="mg/day", mme_per_day=None, factor=None,
            factor_basis="excluded", tier=None, variant=None, excluded=row.reason, days_supply=days_supply,
            table=table.slug, table_version=table.version, caution=None, warnings=tuple(notes),
        )  # fmt: skip
    tier: Tier | None = None
    if row.tiers:
        tier = row.tier_for(daily_mg)
        factor = tier.factor
        if row.warn_above is not None and daily_mg > float(row.warn_above):
            notes.append(
                f"{daily_mg:g} mg/day is above {row.warn_above} mg/day, where the source defines no factor; "
                f"its last tier ({factor}) was applied"
            )
    else:
        factor = row.factor  # type: ignore[assignment]  # validated: factor or tiers
    unit: Literal["mg/day", "mcg/day", "mcg/h"]
    if row.is_patch:
        dose, unit = daily_mg / MG_PER_DAY_PER_MCG_PER_H, "mcg/h"
        basis = (
            f"per mcg/h per dispensed patch worn {row.wear_days} days" if row.wear_days else "per mcg/h of patch rate"
        )
    elif row.unit == "mcg":
        dose, unit, basis = daily_mg * 1000, "mcg/day", "per mcg"
    else:
        dose, unit, basis = daily_mg, "mg/day", "per mg"
    mme = dose * row.rate_factor(factor)
    if not math.isfinite(mme):
        raise DoseError(f"the daily amount overflows ({daily_mg!r} mg/day): check the dose and the frequency")
    if row.unit == "mcg" and _is_mg(given.unit) and daily_mg >= 5:
        _implausible(notes, f"{drug} is dosed in mcg here; {given.unit} was given: did you mean mcg?")
    if mme > IMPLAUSIBLE_MME_PER_DAY:
        _implausible(notes, f"{mme:,.0f} MME/day is implausible: check the unit (mcg typed as mg?) and the amounts")
    return DailyMME.model_construct(
        drug=drug, route=route or row.routes[0], form=form, release=release, daily_dose=dose, daily_dose_unit=unit,
        mme_per_day=mme, factor=factor, factor_basis=basis, tier=tier, variant=row.variant, excluded=None,
        days_supply=days_supply, table=table.slug, table_version=table.version, caution=row.caution,
        warnings=tuple(notes),
    )  # fmt: skip


def _is_mg(unit: str) -> bool:
    """Whether a unit is mg however it is spelt ("MG", "milligrams", "mg/tab"): mcg typed as mg."""
    try:
        return _unit(unit) == ("mass", 1.0)
    except UnitError:  # the numerator of an unusual concentration spelling ("1/mL*mg") is no unit
        return False


def _implausible(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, ImplausibleDoseWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The stack level of the first frame outside this package: the warning points at the caller's line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


_PACKAGE = str(Path(__file__).parent)


def total(items: Iterable[DailyMME], *, thresholds: Iterable[float] = CDC_THRESHOLDS, inclusive: bool = True) -> Total:
    """Add items computed under one table; excluded items stay listed and add nothing."""
    items = tuple(items)
    if not items:
        raise DoseError("nothing to add: total() needs at least one item")
    tables = {(i.table, i.table_version) for i in items}
    if len(tables) > 1:
        raise MixedTablesError(f"items come from different tables ({', '.join(sorted(t for t, _ in tables))})")
    counted = [i.mme_per_day for i in items if i.mme_per_day is not None]
    return Total(
        items=items,
        mme_per_day=math.fsum(counted) if counted else None,
        table=items[0].table,
        table_version=items[0].table_version,
        thresholds=tuple(float(t) for t in thresholds),
        inclusive=inclusive,
    )


def convert(
    expression: str,
    *,
    quantity: float | None = None,
    days_supply: float | None = None,
    package_ml: float | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
    range: RangeChoice = "max",
) -> DailyMME:
    """MME/day of a dose expression such as "oxycodone 10 mg q6h" (grammar: docs/expressions.md).

    With ``quantity`` and ``days_supply`` the expression's amount is read as a dispensed
    strength per unit (the claims formula); otherwise as a regimen, whose ranges ("1-2 tabs",
    "q4-6h") are read at their maximum unless ``range="min"``; the other end is given in a warning.
    """
    expr = parse_expression(expression, range=range)
    if (quantity is None) != (days_supply is None):
        raise DoseError("give both quantity and days_supply (a dispensing), or neither (a regimen)")
    if quantity is not None and days_supply is not None:
        result = dispensing_mme(
            expr.drug, expr.dose, quantity=quantity, days_supply=days_supply, package_ml=package_ml,
            route=expr.route, form=expr.form, release=expr.release, variant=variant, table=table,
        )  # fmt: skip
        return result.model_copy(update={"expression": expr, "warnings": (*expr.notes, *result.warnings)})
    if package_ml is not None:
        raise DoseError("package_ml only applies to a dispensing (with quantity and days_supply)")
    result = _regimen(expr, variant, table)
    notes = list(expr.notes)
    if expr.ranges and result.mme_per_day is not None:
        other = _regimen(parse_expression(expression, range="min" if range == "max" else "max"), variant, table)
        notes.append(f"at the {'minimum' if range == 'max' else 'maximum'} of the range: {other.mme_per_day:g} MME/day")
    return result.model_copy(update={"expression": expr, "warnings": (*notes, *result.warnings)})


def _regimen(expr: Expression, variant: str | None, table: TableLike) -> DailyMME:
    return daily_mme(
        expr.drug, expr.dose, per_day=expr.per_day, every=expr.every_hours, count=expr.count, volume=expr.volume,
        route=expr.route, form=expr.form, release=expr.release, variant=variant, table=table,
    )  # fmt: skip

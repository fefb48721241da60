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
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import IntEnum
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from ._errors import (
    AmbiguousDoseError,
    ArgumentTypeError,
    DoseError,
    ExpressionError,
    ImplausibleDoseWarning,
    MixedTablesError,
    MMEError,
    NotCoveredError,
    UnitError,
    UnknownTableError,
    bounded,
    excerpt,
    flag,
    listed,
)
from ._parse import Expression, RangeChoice, _component, _reading, parse_expression
from ._tables import DEFAULT_TABLE, Exclusion, FactorRow, Table, Tier, list_tables, resolve_table, table_slugs
from ._units import (
    MG_PER_DAY_PER_MCG_PER_H,
    NUMBER_TEXT,
    RESULT_DECIMALS,
    Amount,
    Kind,
    QuantityLike,
    _unit,
    amount,
    decimal_text,
    exact,
    exact_number,
    exact_positive,
    format_number,
    fraction,
    positive,
    product,
    read_unit,
    reported,
    rounded,
)
from ._vocab import (
    FORM_ROUTES,
    NAMED_ONLY_FORMS,
    PARENTERAL,
    PATCH_WEAR_DAYS,
    PER_DAY_CODES,
    RELEASE_WORDS,
    TRANSMUCOSAL,
    DrugName,
    Release,
    form_release,
    form_route,
    releases_of,
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
#: Above this many MME/day an input is flagged as implausible (probably a unit slip): see `IMPLAUSIBLE`.
IMPLAUSIBLE_MME_PER_DAY = 10_000.0
#: A mcg-dosed drug given as this many mg a day or more gets "did you mean mcg?".
MCG_AS_MG_WARNING_MG = 5.0
#: The same for a patch rate given in mg/h (RxNorm and FHIR write MG/HR): 1 mg/h is 1,000 mcg/h, ten 100 mcg/h patches.
MCG_AS_MG_WARNING_MG_PER_H = 1.0
#: A mg-dosed drug given in grams, this many mg a day or more, gets "did you mean mg?" ("oxycodone 0.5 g q6h").
G_AS_MG_WARNING_MG = 1000.0

#: A result prints its MME/day to this many decimals, more where fewer would cross a threshold (`shown`); its
#: fields keep every digit.
_SHOWN_DECIMALS = 2

TableLike = str | Path | Table
DoseLike = str | Amount | tuple[float | Decimal, str] | QuantityLike
"""What a dose, strength or volume may be: "10 mg", ``(10, "mg")``, an `Amount` or a pint Quantity."""


class DailyMME(BaseModel):
    """One item in MME/day, with everything needed to check it: factor, tier, table, warnings."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built by the engine, validated only when loaded

    drug: str
    route: str
    form: str | None
    release: Literal["IR", "ER"] | None
    daily_dose: float
    """The normalised daily amount the factor multiplies, in `daily_dose_unit`."""
    daily_dose_unit: Literal["mg/day", "mcg/day", "mcg/h"]
    mme_per_day: float | None
    """None when the table excludes the drug: see `excluded`."""
    mme_per_day_exact: Fraction | None = None
    """`mme_per_day` before it was rounded to 9 places (10/3 for 3.333333333): what sums of results add, to round
    once (`total`, `mme.summarize`), so that 10/3 + 10/3 + 250/3 reaches 90. None where `mme_per_day` is."""
    factor: Decimal | None
    """The factor as the table prints it (the tier's factor for tiered rows)."""
    factor_basis: str
    tier: Tier | None = None
    variant: str | None = None
    excluded: str | None = None
    """Why the table gives this drug no MME (None when it has a factor)."""
    days_supply: float | None = None
    """Dispensing path: the days supply used (for patches, patches x wear days, as CDC's NDC files instruct)."""
    table: str
    table_version: str
    caution: str | None = None
    warnings: tuple[str, ...] = ()
    expression: Expression | None = None
    """`convert`: the dose expression as read (drug, strength, count, frequency, ranges, cap, ignored text)."""

    def __str__(self) -> str:
        return self._line(CDC_THRESHOLDS, inclusive=True)

    def _line(self, thresholds: tuple[float, ...], *, inclusive: bool) -> str:
        """The result in a line, its MME/day on the side of each threshold (a total's, CDC's alone) it is on."""
        what = " ".join(x for x in (self.drug, self.release, self.route, self.form) if x)
        if self.mme_per_day is None:
            return f"{what}: no MME under {self.table} ({self.excluded})"
        tier = f", tier {self.tier.printed or self.tier}" if self.tier else ""
        variant = f", {self.variant}" if self.variant else ""
        mme_per_day = shown(self.mme_per_day, thresholds, inclusive=inclusive, places=_SHOWN_DECIMALS)
        worn = f" / {days[1]} days" if (days := _WORN.search(self.factor_basis)) else ""  # so that it multiplies out
        return (
            f"{what}: {shown(self.daily_dose)} {self.daily_dose_unit} x {self.factor}{worn} ({self.factor_basis}{tier}"
            f"{variant}) = {mme_per_day} MME/day [{self.table}]"
        )

    @model_validator(mode="after")
    def _consistent(self) -> DailyMME:
        """A saved result is loaded only if its parts agree (the engine builds results without this check)."""
        if problem := _contradiction(self):
            raise DoseError(f"this result contradicts itself: {problem}")
        return self


class Total(BaseModel):
    """Several items added up under one table, excluded items kept visible."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    items: tuple[DailyMME, ...]
    mme_per_day: float | None
    """Sum over items with a factor; None when every item is excluded."""
    table: str
    table_version: str
    thresholds: tuple[float, ...] = CDC_THRESHOLDS
    inclusive: bool = True
    """Thresholds are reached at ``>=`` when True, at ``>`` when False."""

    @field_validator("inclusive", "thresholds", mode="before")
    @classmethod
    def _as_total_reads_them(cls, value: object, info: ValidationInfo) -> object:
        """A saved total's ``inclusive`` and ``thresholds`` are read as `total` reads its arguments ("yes", 1 and
        ["50", "90"] are refused), in pydantic's `ValidationError` as any contradiction in a saved result."""
        try:
            return _inclusive(value) if info.field_name == "inclusive" else _thresholds(value)
        except ArgumentTypeError as exc:
            raise DoseError(str(exc)) from None

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
        lines = [item._line(self.thresholds, inclusive=self.inclusive) for item in self.items]
        value = "no MME"
        if self.mme_per_day is not None:
            figure = shown(self.mme_per_day, self.thresholds, inclusive=self.inclusive, places=_SHOWN_DECIMALS)
            value = f"{figure} MME/day"
        sign = ">=" if self.inclusive else ">"
        reached = ", ".join(f"{sign} {format_number(t)}" for t in self.reached) or "none"  # as given, every digit
        lines.append(f"total: {value} [{self.table}]; thresholds reached: {reached}")
        return "\n".join(lines)

    @model_validator(mode="wrap")
    @classmethod
    def _consistent(cls, data: Any, handler: ModelWrapValidatorHandler[Total]) -> Total:
        """A saved total is loaded only if its figures are its items' as `total` computes them, and the thresholds it
        says it reached (``reached``, computed, not read) are the ones its total reaches."""
        result = handler(data)
        if not isinstance(data, Total):  # one already built was checked then
            _check_total(result, data.get("reached") if isinstance(data, Mapping) else None)
        return result


def _contradiction(item: DailyMME) -> str | None:
    """What in a result contradicts the rest of it, if anything: each number a result can have, and its rounded
    MME/day its exact one rounded (one saved before `mme_per_day_exact` existed has none, and is taken as it says)."""
    numbers = {"daily_dose": item.daily_dose, "days_supply": item.days_supply, "mme_per_day": item.mme_per_day}
    for name, value in {**numbers, "factor": item.factor}.items():
        if value is not None and not (math.isfinite(value) and value > 0):
            return f"{name} {value} is not a positive finite number"
    if not (item.mme_per_day is None) == (item.factor is None) == (item.excluded is not None):
        return (
            f"mme_per_day {item.mme_per_day!r}, factor {item.factor} and excluded {excerpt(item.excluded)} disagree: a "
            "result has an MME/day and its factor, or is excluded (both None) and says why"
        )
    if item.tier is not None and item.tier.factor != item.factor:
        return f"factor {item.factor} is not its tier's, {item.tier.factor}"
    exact = item.mme_per_day_exact
    if exact is not None and (item.mme_per_day is None or rounded(exact) != item.mme_per_day):
        return f"mme_per_day {item.mme_per_day!r} is not mme_per_day_exact {exact} rounded ({rounded(exact)!r})"
    if exact is not None and item.factor is not None:
        return _off_its_dose(item, exact, item.factor)
    return None


#: How `_applied` says a factor applies per patch dispensed, whose MME/day is the rate x factor / the days worn; read
#: again by `_WORN`, built from the same words.
_PER_DISPENSED_PATCH = "per mcg/h per dispensed patch worn {} days"
_WORN = re.compile(re.escape(_PER_DISPENSED_PATCH).replace(r"\{\}", r"(\d+)"))


def _off_its_dose(item: DailyMME, exact: Fraction, factor: Decimal) -> str | None:
    """An exact MME/day whose daily dose (over the factor, times the days a dispensed patch is worn) does not round
    to the daily dose the result says, as the engine rounds it: 44.99999 MME/day (and ``mme_per_day`` edited to
    match) is not 30 mg/day x 1.5. Any exact value within the daily dose's rounding is one the engine can give."""
    worn = _WORN.search(item.factor_basis)
    dose = exact * (int(worn[1]) if worn else 1) / Fraction(factor)
    if rounded(dose) == item.daily_dose:
        return None
    return (
        f"mme_per_day_exact {exact} is {excerpt(float(dose))} {item.daily_dose_unit} x {factor}"
        f"{f' / {worn[1]} days' if worn else ''}, not its daily dose, {item.daily_dose!r}"
    )


def _check_total(saved: Total, reached: object) -> None:
    """A total whose figures are not those `total` computes from its items (a number edited, an item tiered by its own
    dose where the items' total dose chooses the band, items of two tables: `MixedTablesError`), or whose ``reached``
    (None: not said) is not what its total reaches, is refused. Figures are compared, not the warnings' words."""
    wrong = []
    if saved.items:
        again = total(saved.items, thresholds=saved.thresholds, inclusive=saved.inclusive)
        if (again.table, again.table_version) != (saved.table, saved.table_version):
            raise MixedTablesError(f"the items' table ({again.table}) is not the total's ({saved.table})")
        mme_per_day = again.mme_per_day
        loose = [_slack(i) for i in saved.items if i.mme_per_day is not None and i.mme_per_day_exact is None]
        slack = sum(loose, _HALF_UNIT + _ulp(mme_per_day)) if loose else 0.0  # the total's own rounding, and theirs
        for n, (was, now) in enumerate(zip(saved.items, again.items, strict=True), 1):
            if not _same_figures(was, now):
                wrong.append(
                    f"item {n} ({was.drug}) has factor {was.factor} and {was.mme_per_day!r} MME/day, where the items' "
                    f"total {was.drug} dose gives {now.factor} and {now.mme_per_day!r}"
                )
    else:  # a Bundle with no opioid: no MME
        mme_per_day, slack = None, 0.0
        _thresholds(saved.thresholds)  # checked as `total` checks them
    if saved.mme_per_day != mme_per_day and not _close(saved.mme_per_day, mme_per_day, slack):
        wrong.append(f"mme_per_day {saved.mme_per_day!r} is not its items' total, {mme_per_day!r}")
    reaches = () if reached is None else thresholds_reached(mme_per_day, saved.thresholds, inclusive=saved.inclusive)
    if reached is not None and (not isinstance(reached, list | tuple) or tuple(reached) != reaches):
        wrong.append(f"reached {excerpt(reached)} is not the thresholds its total reaches, {list(reaches)}")
    if wrong:
        raise DoseError(f"this total contradicts itself: {'; '.join(wrong)}")


#: Half a unit in the last place a result keeps (`RESULT_DECIMALS`): the most its rounding moves it.
_HALF: Fraction = Fraction(1, 2 * 10**RESULT_DECIMALS)
_HALF_UNIT: float = float(_HALF)


def _ulp(value: float | None) -> float:
    return 0.0 if value is None else math.ulp(value)


def _slack(item: DailyMME) -> float:
    """How far a total may be from its items' as `total` adds them when this item says no exact value (saved before
    `mme_per_day_exact` existed, or by 0.1.0 as an unrounded float summed by `math.fsum`): half a unit of the last
    place for its rounding, as much again per unit of factor for a tiered item (its MME computed again from its
    rounded daily dose), and a float step. Items with their exact values have none: their total is equal or refused."""
    spread = 1 + float(item.tier.factor) if item.tier is not None else 1.0
    return spread * _HALF_UNIT + _ulp(item.mme_per_day)


def _close(saved: float | None, computed: float | None, slack: float) -> bool:
    return saved is not None and computed is not None and abs(saved - computed) <= slack


def _same_figures(saved: DailyMME, again: DailyMME) -> bool:
    """An item as saved has the figures `total` gives it (tier, factor, MME/day, exact where saved: an item saved
    without it gains one when re-tiered), its MME/day within `_slack` where it says no exact value."""
    if (saved.tier, saved.factor) != (again.tier, again.factor):
        return False
    if saved.mme_per_day_exact is not None or saved.mme_per_day is None:
        return (saved.mme_per_day, saved.mme_per_day_exact) == (again.mme_per_day, again.mme_per_day_exact)
    return _close(saved.mme_per_day, again.mme_per_day, _slack(saved))


def _inclusive(value: object) -> bool:
    """``inclusive`` is a bool: "no" is text, and any text is true, so it would read as ``>=``."""
    flag(value, "inclusive", "True (>=) or False (>)")
    return value  # type: ignore[return-value]  # a bool: checked


def thresholds_reached(
    value: float | None, thresholds: Iterable[float] = CDC_THRESHOLDS, *, inclusive: bool = True
) -> tuple[float, ...]:
    """The thresholds a daily MME reaches: ``>=`` by default (CDC), ``>`` with ``inclusive=False``.

    ``value`` is a daily MME (a finite number, 0 or more) or None (no MME: nothing reached); each threshold a
    finite number above 0, none twice, as ``mme convert --threshold`` reads them (`DoseError` otherwise).
    """
    checked = _thresholds(thresholds)
    _inclusive(inclusive)
    if value is None:
        return ()
    number = float(exact_number(value, "the daily MME"))
    if not (math.isfinite(number) and number >= 0):
        raise DoseError(f"the daily MME must be a finite number, 0 or more (or None), not {excerpt(value)}")
    return tuple(t for t in checked if (number >= t if inclusive else number > t))


def shown(value: float, thresholds: Iterable[float] = (), *, inclusive: bool = True, places: int | None = None) -> str:
    """A figure as printed, the one rule of every figure a result, a total or a warning prints: `places` decimals
    (None keeps every digit it has: a daily dose, a warning's figure), more where fewer would put it on the other
    side of a threshold (89.9985 MME/day is not "90" beside "not >= 90"), more where a positive figure would print
    as 0 (its first two significant digits). Read from its shortest repr: never a float's binary digits, no exponent."""
    exact = Decimal(repr(value))
    reached = thresholds_reached(value, thresholds, inclusive=inclusive)
    every = -_exponent(exact)  # every decimal it has: that figure is the value itself
    first = max(every if places is None else places, 1 - exact.adjusted())  # 0.000004 is "0.000004", not "0"
    for digits in range(first, every):
        text = _fixed(exact, digits)
        if thresholds_reached(float(text), thresholds, inclusive=inclusive) == reached:
            return text
    return _fixed(exact, max(first, every))


def _exponent(number: Decimal) -> int:
    """The exponent of a finite Decimal's last digit (-3 for 1.125)."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number's
    return exponent


def _fixed(number: Decimal, places: int) -> str:
    """`number` to at most `places` decimals, half up, in plain digits (4E+300 has 301), trailing zeros dropped."""
    if _exponent(number) < -places:
        with localcontext(Context(prec=_DIGITS, Emax=_DIGITS, Emin=-_DIGITS)):
            number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = decimal_text(number)
    return "0" if text == "-0" else text


#: Enough digits for a float's repr in plain digits (up to 309 before the point, 341 after it).
_DIGITS = 1500


def _thresholds(thresholds: object) -> tuple[float, ...]:
    """Thresholds (MME/day) as numbers: each finite and above 0, none twice (a typo, or a list built wrong)."""
    wrong = "thresholds must be numbers (MME/day), e.g. [50, 90], not"
    if isinstance(thresholds, str | bytes) or not isinstance(thresholds, Iterable):
        raise ArgumentTypeError(f"{wrong} {excerpt(thresholds)}")
    out: list[float] = []
    for t in listed(thresholds, wrong):
        number = float(exact_number(t, "a threshold"))
        if not (math.isfinite(number) and number > 0):
            raise DoseError(f"a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not {excerpt(t)}")
        if number in out:
            raise DoseError(f"threshold {excerpt(t)} is given twice: give each threshold once")
        out.append(number)
    return tuple(out)


# -- frequency -----------------------------------------------------------------------------------

# a number as text is read by one rule (`NUMBER_TEXT`, as a cell or an option is): per_day "4" as every "6"
_EVERY = re.compile(rf"(?:q|every)? ?({NUMBER_TEXT}) ?(h|hr|hrs|hour|hours|d|day|days)?", re.I | re.ASCII)
_PER_DAY_NUMBER = re.compile(NUMBER_TEXT)
_ONE = Decimal(1)
Ratio = tuple[Decimal, Decimal]


def _frequency(per_day: object, every: object) -> Ratio | None:
    """Administrations per day, exactly, from ``per_day`` (a number, as text too, or BID/TID/QID/QD/QHS) or ``every``
    (hours)."""
    if type(per_day) in _PLAIN and type(every) in _PLAIN:  # a parsed expression's: kept, as sigs repeat theirs
        return _kept_frequency(per_day, every)
    return _read_frequency(per_day, every)


def _read_frequency(per_day: object, every: object) -> Ratio | None:
    if per_day is not None and every is not None:
        raise DoseError("give per_day or every, not both")
    if isinstance(per_day, str):
        code = bounded(per_day, "per_day", DoseError).strip().lower().replace(".", "").replace(" ", "")
        if code in PER_DAY_CODES:
            return Decimal(PER_DAY_CODES[code]), _ONE
        if _PER_DAY_NUMBER.fullmatch(per_day.strip()):  # "4", as a CSV or a form gives a number
            return exact_positive(Decimal(per_day.strip()), "per_day"), _ONE
        raise DoseError(f"unknown frequency {excerpt(per_day)}: use a number or one of {', '.join(PER_DAY_CODES)}")
    if per_day is not None:
        return exact_positive(per_day, "per_day"), _ONE
    if every is None:
        return None
    hours: Ratio
    if isinstance(every, timedelta):
        hours = exact(every.total_seconds()), Decimal(3600)
    elif isinstance(every, str):
        return _every_text(every)
    elif hasattr(every, "to") and hasattr(every, "magnitude"):
        interval: Any = every
        if isinstance(interval.magnitude, Decimal) and interval.magnitude.is_snan():  # pint raises on it: a NaN
            interval = interval.__class__(Decimal("NaN"), interval.units)
        try:  # an int is read as written (beyond float range: a DoseError below), any other magnitude as a float
            magnitude = interval.to("hour").magnitude
            magnitude = magnitude if isinstance(magnitude, int) else float(magnitude)
        except (TypeError, ValueError, AttributeError) as exc:  # pint: not a time
            raise UnitError(f"every must be a time such as '6 h', not {excerpt(every)}") from exc
        hours = exact_number(magnitude, "every"), _ONE
    else:
        hours = exact_number(every, "every (hours)"), _ONE
    return _per_hours(hours)


_kept_frequency = lru_cache(maxsize=1024, typed=True)(_read_frequency)


@lru_cache(maxsize=1024)
def _every_text(every: str) -> Ratio:
    match = _EVERY.fullmatch(" ".join(bounded(every, "every", DoseError).split()))
    if not match:
        raise DoseError(f"cannot read the interval {excerpt(every)}: write e.g. '6 h', 'q6h' or a number of hours")
    return _per_hours((Decimal(match[1]) * (24 if (match[2] or "h").lower().startswith("d") else 1), _ONE))


@lru_cache(maxsize=1024)
def _per_hours(hours: Ratio) -> Ratio:
    """Administrations per day, one every ``hours`` (kept for recent intervals: sigs repeat theirs)."""
    every = positive(float(hours[0]) / float(hours[1]), "every (hours)")
    if not math.isfinite(24 * float(hours[1]) / float(hours[0])):  # 1e-320 h: positive, but so short
        raise DoseError(f"every (hours) {every!r} is too short: more doses a day than a number holds")
    return 24 * hours[1], hours[0]


def _per_day(per_day: float | str | None, every: float | str | timedelta | object | None) -> float | None:
    """Administrations per day, as a float (see `_frequency`)."""
    times = _frequency(per_day, every)
    return None if times is None else float(times[0] / times[1])


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
        and (form is None or form in r.forms or (not r.forms and form not in NAMED_ONLY_FORMS))
        and (form is None or not FORM_ROUTES[form].isdisjoint(r.routes))
        and (release is None or r.release is None or r.release == release)
    ]
    if patch is None:
        return rows
    return [r for r in rows if r.is_patch == patch]


def _takes_hourly(row: FactorRow) -> bool:
    """A patch's rate or an infusion's is per hour; any other row's rate is a daily total ("120 mg/day")."""
    return row.is_patch or not PARENTERAL.isdisjoint(row.routes)


def _hourly(unit: str) -> bool:
    given = read_unit(unit)
    return given.num != given.mass  # a rate per hour: mass x 24 a day


@lru_cache(maxsize=4096)
def _match(
    table: Table, drug: str, route: str | None, form: str | None, release: str | None, variant: str | None, kind: str
) -> FactorRow | Exclusion:
    """The one row (or exclusion) of `table` for this input, or a typed error saying what to add. `kind` is "mass",
    "rate" (a product's strength) or, for a regimen's, "hourly" (a rate per hour: a patch's or an infusion's, never
    another row's) or "daily" (a daily total: "120 mg/day", or a patch's or an infusion's rate said per day)."""
    if ex := _excluded_by(table, drug, route, form, exact=True):
        return ex
    rows = _candidates(table, drug, route, form, release, None)
    patches = [r for r in rows if r.is_patch]
    if patches and kind in ("hourly", "daily") and route is None and form is None:
        infused = sorted({r.describe() for r in rows if not r.is_patch and _takes_hourly(r)})
        if infused:  # "fentanyl 50 mcg/h", "600 mcg/24 h" under ANZCA: a patch (x 3) or an infusion (x 4.8)?
            raise AmbiguousDoseError(
                f"a rate with no route or form is a patch's or an infusion's, and {table.slug} has {drug} as a patch "
                f"and as {', '.join(infused)}: say which (e.g. 'patch' or the route)"
            )
    # a rate is a patch's delivery rate, or else a daily total; a mass is never a patch
    rows = (patches or rows) if kind != "mass" else [r for r in rows if not r.is_patch]
    if not rows:
        if ex := _excluded_by(table, drug, route, form, exact=False):
            return ex
        hint = f" A {drug} patch is dosed by its rate: give mcg/h (e.g. '25 mcg/h')." if patches else ""
        raise _not_covered(table, drug, route, form, release, hint, hourly=kind == "hourly")
    if len({r.variant for r in rows}) > 1 or variant is not None:
        rows = _choose_variant(table, rows, variant)
    if len(rows) > 1 and route is None and not any(TRANSMUCOSAL.intersection(r.routes) for r in rows):
        oral = [r for r in rows if "oral" in r.routes]  # the default, named in `route_default`
        rows = oral if len(oral) == 1 else rows
    if len(rows) > 1:
        options = "; ".join(r.describe() for r in rows)
        raise AmbiguousDoseError(
            f"{table.slug} has several factors for {_describe(drug, route, form, release)}: {options}. "
            "Say the route and form (e.g. route='nasal', form='spray')."
        )
    if kind == "hourly" and not _takes_hourly(rows[0]):
        raise UnitError(
            f"an hourly rate is a patch's or an infusion's, and {table.slug}'s factor here is for {rows[0].describe()}: "
            "give an infusion's route (e.g. 'intravenous', under a table that covers it), or the dose and how often"
        )
    if route is None and form is None and PARENTERAL.issuperset(rows[0].routes):
        raise AmbiguousDoseError(  # "pethidine 50 mg" under ANZCA, which has it only by injection: a tablet?
            f"no route given, and {table.slug} has only {rows[0].describe()}: say the route (or the form) if the dose "
            "is given so; by mouth it has another factor, or none in this table"
        )
    return rows[0]


def route_default(
    table: Table, drug: str, route: str | None, form: str | None, release: str | None, kind: str, row: FactorRow
) -> str | None:
    """The warning owed when no route was given and `row` was taken among rows for other routes too, or is the
    table's only row for the drug and not oral ("buprenorphine 8 mg": sublingual; `_match` refuses a parenteral one).

    A rate read as a patch is no default (the unit says so); `_match` takes oral among other
    routes, and the only row left for the unit given among several routes (buprenorphine mg:
    sublingual, not the patch) is a default as well.
    """
    if route is not None or (kind == "rate" and row.is_patch):
        return None
    return _other_routes(table, drug, form, release, row.routes)


@lru_cache(maxsize=4096)
def _other_routes(
    table: Table, drug: str, form: str | None, release: str | None, routes: tuple[str, ...]
) -> str | None:
    others = sorted({r for c in _candidates(table, drug, None, form, release, None) for r in c.routes} - set(routes))
    if not others:  # a form given by other routes too is no route ("buprenorphine 300 mcg film": Belbuca's buccal?)
        if "oral" in routes or (form is not None and FORM_ROUTES[form] <= set(routes)):
            return None
        what = f"{drug} {form}" if form else drug
        return f"no route given: read as {'/'.join(routes)}, the only route {table.slug} has for {what}: give the route"
    return (
        f"no route given: read as {'/'.join(routes)}; {table.slug} also has {drug} by {', '.join(others)}: "
        "give the route to choose"
    )


def _choose_variant(table: Table, rows: list[FactorRow], variant: str | None) -> list[FactorRow]:
    names = sorted({r.variant for r in rows if r.variant})
    if variant is not None:
        chosen = [r for r in rows if r.variant == variant]
        if not chosen and not names:  # cms-2018 "tiers" is methadone's: a cohort's other drugs print one factor
            printed = sorted({r.variant for r in table.rows if r.variant})
            if variant in printed:
                return rows
            raise AmbiguousDoseError(
                f"{table.slug} prints no variant {excerpt(variant)} (its variants: {', '.join(printed)})"
                if printed
                else f"{table.slug} prints no variants: drop variant={excerpt(variant)}"
            )
        if not chosen:
            raise AmbiguousDoseError(
                f"{table.slug} has no variant {excerpt(variant)} here; it prints: {', '.join(names)}"
            )
        return chosen
    defaults = [r for r in rows if r.default]
    if defaults:
        return defaults
    explained = "; ".join(f"{r.variant!r}: {r.source}" for r in rows)
    raise AmbiguousDoseError(  # said for Python and the command line alike
        f"{table.slug} prints several values for {rows[0].drug} and names no default, so you must choose a variant "
        f"(variant= in Python, --variant on the command line): {explained}."
    )


#: What `_not_covered` asks of a caller who named a form the table has by another route.
SAY_ROUTE_AND_FORM = "say the product's route and form."


def stated_by(error: NotCoveredError, source: str) -> NotCoveredError:
    """``error`` (raised, or a plan's) for a product whose route and form ``source`` states ("RxCUI 261106"): a fresh
    one that says so, and does not ask the caller to say them."""
    if SAY_ROUTE_AND_FORM not in str(error):
        return error
    fresh = type(error).__new__(type(error))
    fresh.__dict__.update(error.__dict__)
    fresh.args = (
        str(error).replace(SAY_ROUTE_AND_FORM, f"{source} states its route and form, which the table does not cover."),
    )
    return fresh


def _not_covered(
    table: Table,
    drug: str,
    route: str | None,
    form: str | None,
    release: str | None,
    hint: str = "",
    *,
    hourly: bool = False,
) -> NotCoveredError:
    """`hourly`: a regimen's rate per hour, which only a patch's or an infusion's factor covers."""
    wanted = _describe(drug, route, form, release) + (" dosed by an amount" if hint else "")  # a patch's is a rate
    own = sorted({r.describe() for r in table.rows_for(drug)})
    has = f" It covers: {'; '.join(own)}.{hint}" if own else f" It has no factor for {drug} at all."
    if form is not None and any(FORM_ROUTES[form].isdisjoint(r.routes) for r in table.rows_for(drug)):
        has += f" A form {form!r} is given by {'/'.join(sorted(FORM_ROUTES[form]))} only: {SAY_ROUTE_AND_FORM}"
    patch = None if hint == "" else False  # a mass dose that this table has only as a patch
    others = [
        t.slug
        for t in list_tables()
        if t.slug != table.slug
        and _excluded_by(t, drug, route, form, exact=True) is None
        and any(_takes_hourly(r) or not hourly for r in _candidates(t, drug, route, form, release, patch))
    ]
    # a mass dose of what the table has only as a patch: the unit is wrong, not the table, so no other table is offered
    return NotCoveredError(f"{table.slug} has no factor for {wanted}.{has}", None if hint and not others else others)


def _resolve_names(
    drug: str, route: str | None, form: str | None, release: str | None, variant: str | None = None
) -> tuple[DrugName, str | None, str | None, Release | None]:
    words = (("drug", drug), ("route", route), ("form", form), ("release", release), ("variant", variant))
    for what, value in words:
        if not isinstance(value, str) and (value is not None or what == "drug"):
            raise ArgumentTypeError(f"{what} must be text, not {excerpt(value)}")
    return _names(drug, route, form, release)


def _own_route_and_form(drug: str, name: DrugName, route: str | None, form: str | None, typed: str) -> None:
    """A brand that its route (and form) make (a patch, a buccal film, a nasal or sublingual spray, an injection),
    said with another, is refused ("Subsys 200 mcg 1 tab", "Butrans 10 mcg SL", "Belbuca 150 mcg SL"): the other
    words would choose another product's factor. A brand taken by mouth is not checked (its line may also be a liquid
    or an injection: OxyNorm, Opana). "Transmucosal" is the mouth's lining, buccal or sublingual alike ("Actiq ...
    buccal", the lozenge held against the cheek). ``typed`` is the route or form as given."""
    if name.route == "oral" or (name.route is None and name.form is None):
        return
    mouth = TRANSMUCOSAL - {"nasal"}
    other_form = form is not None and name.form is not None and form != name.form
    other_route = (
        route is not None
        and name.route is not None
        and route != name.route
        and not ("transmucosal" in (route, name.route) and {route, name.route} <= mouth)
    )
    if other_form or other_route:
        own = " ".join(x for x in (name.route, name.form) if x)
        own = f"{'an' if own[0] in 'aeiou' else 'a'} {own}" if name.form else f"taken by the {own} route"
        raise DoseError(
            f"{drug!r} is {own}, but {typed!r} was given: leave the route and form out (the brand says them), or "
            f"name the opioid ({name.drug!r}) with the route and form taken"
        )


@lru_cache(maxsize=4096)
def _names(
    drug: str, route: str | None, form: str | None, release: str | None
) -> tuple[DrugName, str | None, str | None, Release | None]:
    name = resolve_drug(drug)
    said_form = resolve_form(form) if form else None
    said_route = resolve_route(route) if route else (form_route(form) if form else None)
    _own_route_and_form(drug, name, said_route, said_form, " ".join(x for x in (route, form) if x))
    canonical_form = said_form or name.form
    canonical_route = said_route or name.route
    given = resolve_release(release) if release else None
    own = name.release or ("ER" if name.form == "patch" else None)  # a patch brand releases over the hours it is worn
    if given is not None and own and given not in releases_of(drug, own):  # "OxyContin IR", "Duragesic IR"
        raise DoseError(  # but "Nucynta ER" is a line of its own
            f"{drug!r} is {RELEASE_WORDS[own]}, but {release!r} was given: name the {RELEASE_WORDS[given]} product"
        )
    canonical_release = given or (form_release(form) if form else None) or name.release
    if canonical_release == "ER" and canonical_route in PARENTERAL and canonical_form is None:
        raise DoseError(  # "morphine SR 10 mg s/c": a tablet or capsule is not injected; an injection is not ER
            f"{drug!r} extended-release by the {canonical_route} route: an extended-release tablet or capsule is "
            "not injected: name the product's form, or leave the release out if an injection was meant"
        )
    return name, canonical_route, canonical_form, canonical_release


# -- the plan: what one key means ---------------------------------------------------------------------------


class Stage(IntEnum):
    """Where the engine stops with a key (`Plan`), numbered in the order of its checks (OK: it converts).

    A row's own numbers are checked in between: a dispensing's NAMES (drug, route, form, release, unit),
    strength, MATCH (the table row), quantity, days supply, package_ml, STRENGTH_KIND; a regimen's NAMES,
    dose, count, DOSE_KIND (and the frequency code), per_day or every, MATCH, then the frequency rules
    (`DAILY_TOTAL`, `HOW_OFTEN`). Last, for a key that converts or is EXCLUDED (no MME, with the reason), the
    result's own checks (`OVERFLOW`, `ROUNDS_TO_ZERO`, then a dispensing's `DAYS_ROUND_TO_ZERO`).
    """

    OK = 0
    NAMES = 1
    DOSE_KIND = 2
    MATCH = 3
    STRENGTH_KIND = 4
    EXCLUDED = 5


# The messages of the checks on a row's own numbers: they depend on the key alone (never on the row's values,
# which the row shows), so that `daily_mme` and `mme.frames` say the same; `not_positive` words the others.
#: A regimen's rate that the table reads as a daily total, given with a frequency.
DAILY_TOTAL = "the dose is already a daily total: drop per_day/every"
#: A regimen's dose per administration given without a frequency.
HOW_OFTEN = "how often is the dose taken? Give per_day (2, 'bid') or every ('6 h'), or a daily total ('40 mg/day')"
#: A daily amount, MME/day or days supply (patches x wear days) beyond the float range.
OVERFLOW = "the daily amount overflows: check the dose and the frequency"
#: A daily amount or MME/day that rounds to 0 (`mme._units.rounded`): a result is never 0.
ROUNDS_TO_ZERO = f"the result rounds to 0 at {RESULT_DECIMALS} decimals: no dose is that small, check the unit"
#: A dispensing's days supply (patches x wear days) that rounds to 0: a result never states 0 days.
DAYS_ROUND_TO_ZERO = (
    f"the days supply rounds to 0 at {RESULT_DECIMALS} decimals: give the number of days the dispensing lasts"
)
#: A package size given with a strength that is not per mL.
PACKAGE_NOT_CONC = "package_ml only goes with a concentration strength such as '10 mg/mL'"
# What a key's unit may not be (`Stage.DOSE_KIND`, `Stage.STRENGTH_KIND`).
CONC_DOSE = "the dose is a concentration: give the volume per administration (volume='5 mL')"
VOLUME_DOSE = "the dose is a volume: give the concentration as the dose ('2 mg/mL') and the volume apart"
VOLUME_STRENGTH = "the strength is a volume: give the concentration ('10 mg/mL')"
#: The same advice for a dose expression (`convert`), which has no per_day, every or volume argument to give.
IN_A_TEXT = {
    HOW_OFTEN: (
        "how often is the dose taken? Add a frequency ('q6h', 'twice a day') or write a daily total ('40 mg/day'); "
        "for a dispensing, give its quantity and days supply"
    ),
    DAILY_TOTAL: "the dose is a rate ('1 mg/h'), which says the daily amount: drop the frequency",
    CONC_DOSE: "the dose is a concentration: add the volume taken each time ('5 mL'), or give the amount per unit ('1 mg/spray')",
}


@dataclass(frozen=True, slots=True)
class Plan:
    """What one key (table, variant, drug, unit, form, route, release; a regimen's frequency code) means: where the
    engine stops with it and why (`stage`, `message`), or its table row and the arithmetic from a daily amount to
    MME/day. `daily_mme` and `dispensing_mme` apply it to one row, `mme.frames` to columns."""

    stage: Stage
    message: str = ""
    """Why the key stops, or why the table excludes the drug ("" when it converts)."""
    error: MMEError | None = field(default=None, compare=False)
    """The error the scalar functions raise where the key stops (its text is `message`)."""
    drug: str = ""
    """Canonical ingredient ("" if the name is unknown)."""
    kind: Kind | None = None
    """The unit's kind (None: unread)."""
    unit_mult: float = 1.0
    """The unit -> the engine's canonical unit (mg, mg/day, mg/mL): x this / `unit_div`; 1 when the caller gave the
    kind."""
    unit_div: float = 1.0
    """The divisor of a unit whose ratio is no decimal (15 for mg/15 mL: `mme._units._unit`); 1 for the others."""
    row: FactorRow | Exclusion | None = None
    wear: float = 0.0
    """Wear days of a patch (0: none)."""
    tiers: tuple[tuple[float, float, float], ...] = ((math.inf, 0.0, 0.0),)
    """(upper bound of the daily amount, factor per unit of daily amount, printed factor), last bound inf."""
    mul: float = 1.0
    div: float = 1.0
    """Daily amount (mg/day basis) -> the unit the factor multiplies: x 1000 for mcg, / 0.024 for mcg/h."""
    per_day: float = 0.0
    """Administrations a day from a regimen's frequency code ("bid"); 0 when none was given with the key."""
    route_note: str | None = None
    """The warning on a route taken by default (`route_default`)."""
    slip: Owed | None = None
    """The unit slip this key's rows may show (`unit_slip`)."""
    above: Owed | None = None
    """The warning above the last dose tier (`beyond_tiers`)."""
    sprays: bool = False
    """A strength per spray of a spray that is not a single-dose sublingual one: a claim's quantity counts sprays,
    but may be in mL or bottles (`SPRAYS`)."""

    @property
    def conc(self) -> bool:
        return self.kind == "conc"

    @property
    def rate(self) -> bool:
        """The unit is a rate (a patch's mcg/h, or a daily total)."""
        return self.kind == "rate"

    @property
    def patch(self) -> bool:
        """Matched a patch's factor row."""
        return isinstance(self.row, FactorRow) and self.row.is_patch

    @property
    def flat(self) -> bool:
        """Matched a factor row that is not a patch (a rate is then a daily total: no frequency allowed)."""
        return isinstance(self.row, FactorRow) and not self.row.is_patch

    def stop(self, *stages: Stage) -> None:
        """Raise the key's error if it stops at one of `stages` (a fresh one: a cached error raised twice would
        grow its traceback)."""
        if self.stage in stages:
            error = self.error
            assert error is not None  # a stopped plan has its error
            fresh = type(error).__new__(type(error), *error.args)
            fresh.__dict__.update(error.__dict__)
            raise fresh


def _stopped(stage: Stage, error: MMEError, **fields: Any) -> Plan:
    return Plan(stage, str(error), error.with_traceback(None), **fields)


def _canonical_drug(drug: str) -> str:
    try:
        return resolve_drug(drug).drug
    except MMEError:
        return ""


@lru_cache(maxsize=4096)
def plan(
    table: Table,
    variant: str | None,
    drug: str,
    unit: str,
    form: str | None,
    route: str | None,
    release: str | None,
    *,
    regimen: bool = False,
    frequency: str | None = None,
    kind: Kind | None = None,
) -> Plan:
    """What a key means under `table`, through the engine's checks in its order (`Stage`).

    ``kind`` is the unit's when the caller has read the amount (an `Amount` may spell its unit its own way);
    ``frequency`` a regimen's frequency code ("bid"), when it comes with the key.
    """
    canonical = _canonical_drug(drug)
    try:
        name, route_, form_, release_ = _resolve_names(drug, route, form, release)
        if kind is None:
            kind, mult, div = _unit(unit)
        else:
            mult = div = 1.0
    except MMEError as exc:
        return _stopped(Stage.NAMES, exc, drug=canonical)
    base: dict[str, Any] = {"drug": canonical, "kind": kind, "unit_mult": mult, "unit_div": div}
    if kind == "mass" and form_ == "spray" and route_ != "sublingual":
        base["sprays"] = True
    if regimen:
        if kind in ("conc", "volume"):
            return _stopped(Stage.DOSE_KIND, UnitError(CONC_DOSE if kind == "conc" else VOLUME_DOSE), **base)
        if frequency is not None:
            try:
                base["per_day"] = _per_day(frequency, None) or 0.0
            except MMEError as exc:
                return _stopped(Stage.DOSE_KIND, exc, **base)
    try:
        matched = "mass" if kind != "rate" else ("hourly" if _hourly(unit) else "daily") if regimen else "rate"
        row = _match(table, name.drug, route_, form_, release_, variant, matched)
    except MMEError as exc:
        return _stopped(Stage.MATCH, exc, **base)
    if isinstance(row, FactorRow):
        base["route_note"] = route_default(table, name.drug, route_, form_, release_, kind, row)
    return planned(row, name.drug, unit, base, regimen=regimen)


def planned(
    row: FactorRow | Exclusion, drug: str, unit: str, base: dict[str, Any] | None = None, *, regimen: bool = False
) -> Plan:
    """The plan once the row is known (also for an NDC file's own row): the checks on the unit's kind, the
    wear period, the factor tiers and the unit conversions of `_result`, and the warnings a row may owe."""
    if base is None:
        kind, mult, div = _unit(unit)
        base = {"drug": drug, "kind": kind, "unit_mult": mult, "unit_div": div}
    kind = base["kind"]
    wear = (row.wear_days if isinstance(row, FactorRow) else None) or PATCH_WEAR_DAYS.get(drug)
    base = base | {"row": row, "wear": float(wear or 0)}
    if not regimen and kind == "volume":
        return _stopped(Stage.STRENGTH_KIND, UnitError(VOLUME_STRENGTH), **base)
    if not regimen and kind == "rate" and isinstance(row, FactorRow) and not row.is_patch:
        message = f"a rate ({unit}) was given, but {drug} here is not a patch: give mg per unit"
        return _stopped(Stage.STRENGTH_KIND, UnitError(message), **base)
    if isinstance(row, Exclusion):
        return Plan(Stage.EXCLUDED, row.reason, **base)
    mul, div = (1.0, MG_PER_DAY_PER_MCG_PER_H) if row.is_patch else (1000.0, 1.0) if row.unit == "mcg" else (1.0, 1.0)
    printed = [(t.upto, t.factor) for t in row.tiers] if row.tiers else [(None, row.factor)]
    tiers = tuple(
        (math.inf if upto is None else float(upto), row.rate_factor(factor), float(factor))
        for upto, factor in printed
        if factor is not None  # validated: a factor or tiers
    )
    return Plan(
        Stage.OK, mul=mul, div=div, tiers=tiers, slip=unit_slip(drug, row, unit), above=beyond_tiers(row), **base
    )


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
    units make one administration (2 tablets, 2 sprays, 2 patches worn together). ``per_day`` is a number or a
    code ("bid"), and a number as text ("4", as a CSV gives it) is that number; ``every`` is hours ("6", "q6h").
    """
    tab = resolve_table(table)
    (name, route_, form_, release_), key, amt, _, times, applied = _regimen(
        tab, drug, dose, per_day, every, count, volume, route, form, release, variant
    )
    notes = _key_notes(key, times)
    return _result(tab, key, name.drug, route_, form_, release_, applied, amt, days_supply=None, notes=notes)


def _key_notes(key: Plan, times: Ratio | None) -> list[str]:
    """The notes a regimen owes its key, after those of its reading: the route taken by default, and a patch
    changed out of step with its wear (`daily_mme` and `convert` alike)."""
    return ([key.route_note] if key.route_note else []) + _patch_note(key, times)


def _regimen(
    tab: Table, drug: str, dose: DoseLike, per_day: float | str | None, every: float | str | timedelta | None,
    count: float, volume: DoseLike | None, route: str | None, form: str | None, release: str | None,
    variant: str | None,
) -> _Regimen:  # fmt: skip
    """A regimen's checks in the plan's order, then its plan applied (`_Regimen`). Kept for recent regimens of
    plain values, as an administration and a frequency are: sigs worded apart often say one regimen, and a
    regimen's reading raises no warning (its result's own come after, in `_result`)."""
    args = (drug, dose, per_day, every, count, volume, route, form, release, variant)
    if _PLAIN.issuperset(map(type, args)):
        return _kept_regimen(tab, *args)  # type: ignore[arg-type]  # plain: hashable
    return _read_regimen(tab, *args)


def _read_regimen(
    tab: Table, drug: str, dose: DoseLike, per_day: float | str | None, every: float | str | timedelta | None,
    count: float, volume: DoseLike | None, route: str | None, form: str | None, release: str | None,
    variant: str | None,
) -> _Regimen:  # fmt: skip
    names = _resolve_names(drug, route, form, release, variant)  # the plan's first checks, first
    amt, units = _administration(dose, count, volume)
    key = plan(tab, variant, drug, amt.unit, form, route, release, regimen=True, kind=amt.kind)
    key.stop(Stage.NAMES, Stage.DOSE_KIND)
    times = _frequency(per_day, every)
    key.stop(Stage.MATCH)
    daily = _daily(key, amt, units, times)
    return names, key, amt, daily, times, _applied(key, daily)


_kept_regimen = lru_cache(maxsize=4096, typed=True)(_read_regimen)


def _administration(dose: DoseLike, count: float, volume: DoseLike | None) -> tuple[Amount, Decimal]:
    """The amount of one unit taken (a concentration times its volume) and how many units are taken at once."""
    if type(dose) in _PLAIN and type(count) in _PLAIN and type(volume) in _PLAIN:  # as `_frequency`
        return _kept_administration(dose, count, volume)  # type: ignore[arg-type]  # plain: hashable
    return _read_administration(dose, count, volume)


def _read_administration(dose: DoseLike, count: float, volume: DoseLike | None) -> tuple[Amount, Decimal]:
    amt = amount(dose)
    units = exact_positive(count, "count")
    if volume is not None:
        if amt.kind != "conc":
            raise UnitError("volume only goes with a concentration dose such as '2 mg/mL'")
        vol = amount(volume, what="volume")
        if vol.kind != "volume":
            raise UnitError(f"volume must be a volume such as '5 mL', not {excerpt(volume)}")
        mass_unit = amt.unit.replace(" per ", "/").partition("/")[0].strip()  # "mcg/mL" x mL is mcg
        (num, den), (vnum, vden) = amt.ratio(), vol.ratio()
        amt = Amount(amt.value * vol.value, "mass", mass_unit, (product(num, vnum), product(den, vden)))
    return amt, units


_kept_administration = lru_cache(maxsize=1024, typed=True)(_read_administration)


def _daily(key: Plan, amt: Amount, units: Decimal, times: Ratio | None) -> Ratio:
    """A regimen's exact daily amount, once its key has matched a row (or an exclusion)."""
    num, den = amt.ratio()
    if key.rate:
        # Patches worn together add up; a change interval does not alter the rate. An excluded
        # drug gets no number, so its change interval is not checked either.
        if times is not None and key.flat:
            raise DoseError(DAILY_TOTAL)
        return product(num, units), den
    if times is None:
        raise DoseError(HOW_OFTEN)
    return product(num, units, times[0]), product(den, times[1])


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
    return _dispensing(
        resolve_table(table), drug, strength, quantity, days_supply, package_ml, route, form, release, variant
    )


def _dispensing(
    tab: Table, drug: str, strength: DoseLike, quantity: float, days_supply: float, package_ml: float | None,
    route: str | None, form: str | None, release: str | None, variant: str | None, *,
    lead: tuple[str, ...] = (), expression: Expression | None = None,
) -> DailyMME:  # fmt: skip
    """`dispensing_mme` under a resolved table; `convert` adds what it read (`lead`: its notes, first)."""
    name, route_, form_, release_ = _resolve_names(drug, route, form, release, variant)  # the plan's first checks
    amt = amount(strength, what="strength")
    key = plan(tab, variant, drug, amt.unit, form, route, release, kind=amt.kind)
    key.stop(Stage.NAMES, Stage.MATCH)
    return dispensed(
        tab, key, name.drug, route_, form_, release_, amt, quantity, days_supply, package_ml,
        lead=lead, expression=expression,
    )  # fmt: skip


class Source(Protocol):
    """Where a factor comes from: a shipped or custom `Table`, or an NDC file bringing its own."""

    @property
    def slug(self) -> str: ...
    @property
    def version(self) -> str: ...


def dispensed(
    table: Source,
    key: Plan,
    drug: str,
    route: str | None,
    form: str | None,
    release: Release | None,
    strength: Amount,
    quantity: float,
    days_supply: float,
    package_ml: float | None,
    *,
    lead: tuple[str, ...] = (),
    expression: Expression | None = None,
) -> DailyMME:
    """The claims arithmetic once the key's plan is known (shared with NDC look-ups that bring their own row)."""
    units = exact_positive(quantity, "quantity")
    supply = exact_positive(days_supply, "days_supply")
    if package_ml is not None:
        if not key.conc:
            raise UnitError(PACKAGE_NOT_CONC)
        units = product(units, exact_positive(package_ml, "package_ml"))
    key.stop(Stage.STRENGTH_KIND)
    notes = [*lead, key.route_note] if key.route_note else list(lead)
    num, den = strength.ratio()
    days = rounded(supply)
    if key.conc and package_ml is None and float(quantity).is_integer() and quantity < days:
        _implausible(notes, BOTTLES)
    elif key.sprays and (not float(quantity).is_integer() or quantity < days):
        _implausible(notes, SPRAYS)
    if key.rate:
        daily = num, den
        if key.wear:
            normalised = rounded(product(units, Decimal(key.wear)))
            if not math.isfinite(normalised):
                raise DoseError(OVERFLOW)
            if not math.isclose(normalised, days):
                notes.append(days_replaced(key.wear))
            days = normalised
    else:
        daily = product(num, units), product(den, supply)  # mg per unit, or mg/mL with quantity in mL
    applied = _applied(key, daily)
    if days == 0:  # after the amounts' own checks, which `mme.frames` makes first too
        raise DoseError(DAYS_ROUND_TO_ZERO)
    return _result(
        table, key, drug, route, form, release, applied, strength, days_supply=days, notes=notes, expression=expression
    )


# CDC's NDC file Documentation (2016-2018): "prescription data for some sprays sometimes list the quantity as the
# number of bottles of spray. The quantity from the prescription data should use the same units as the UOM".
# A whole number of mL under 1 mL a day is how a count of bottles looks; a quantity in mL rarely is.
BOTTLES = (
    "the quantity, read as mL, is a whole number under 1 mL a day: if it counts bottles, as claims for sprays "
    "and liquids sometimes do, give package_ml (mL per bottle)"
)


# The same for a strength per spray (butorphanol 1 mg/spray, Lazanda): a claim for a nasal spray in mL (2.5 mL) or in
# bottles (1) reads as that many sprays, about ten times too few. A number of sprays is whole, and a bottle holds
# several days' sprays; how many sprays a bottle holds is not known here, so the number is never changed.
SPRAYS = (
    "the quantity, read as sprays, is not a whole number or under one spray a day: if it is in mL or counts bottles, "
    "as claims for nasal sprays sometimes do, give the number of sprays, or the strength per mL with the quantity in "
    "mL (and package_ml, mL per bottle, for bottles)"
)


def less_than_daily(dosing_day: float) -> str:
    """The note on a regimen read as taken less than once a day ("every other day", "twice a week"): its MME/day is
    the average over the days between doses, as CDC's CQL library computes it; the MME of a day with a dose is given."""
    return (
        f"taken less than once a day: MME/day is the average over the days between doses; a day with a dose has "
        f"{shown(dosing_day)} MME"
    )


def patch_changed(wear: float, *, sooner: bool) -> str:
    """The note on a patch regimen changed more (or less) often than its wear period: its MME/day is the rate of the
    patches worn at once all the same (CDC), which assumes how the patches are worn."""
    if sooner:
        return (
            f"patch changed more often than its {wear:g}-day wear: MME/day counts the patches worn at once, each "
            "removed when the next goes on (patches left on together add up)"
        )
    return (
        f"patch changed less often than its {wear:g}-day wear: MME/day is its rate while worn, not an average over "
        "the days after its wear"
    )


#: Changes per wear period within this of 1 are the wear period itself ("every 72 hours" as 1/3 a day, in floats).
CHANGES_TOLERANCE = 1e-9


def _patch_note(key: Plan, times: Ratio | None) -> list[str]:
    """`patch_changed`, where a patch regimen's frequency is not one change per wear period."""
    if times is None or not key.patch or not key.wear:
        return []
    changes, once = product(times[0], Decimal(key.wear)), times[1]  # patches put on per wear period, x once
    if abs(changes - once) <= Decimal(CHANGES_TOLERANCE) * once:
        return []
    return [patch_changed(key.wear, sooner=changes > once)]


def days_replaced(wear: float) -> str:
    """The note on a dispensed patch whose recorded days supply CDC's rule replaced (the one used is the result's)."""
    return (
        f"days supply replaced by patches x {wear:g} days of wear, as CDC's NDC files instruct (if two patches are worn at a "
        "time, the MME/day is twice this)"
    )


class _Applied(NamedTuple):
    """A plan applied to an exact daily amount: the numbers of a result, each rounded once."""

    daily_mg: float
    dose: float
    """The daily amount in the unit the factor multiplies (`unit`)."""
    unit: Literal["mg/day", "mcg/day", "mcg/h"]
    basis: str
    factor: Decimal | None
    tier: Tier | None
    mme: float | None
    """None when the table excludes the drug."""
    exact: Fraction | None
    """`mme` before it was rounded: what a sum of results adds (a summary's total, a day's), to round once. One
    fraction, made here: a recent regimen's `_Applied` is kept (`_regimen`), so each result does not make it again."""


#: A regimen read (`_regimen`): its names, plan, amount per administration, exact daily amount, administrations a day
#: (None: not given), and the plan applied to its daily amount.
_Regimen = tuple[tuple[DrugName, str | None, str | None, Release | None], Plan, Amount, Ratio, Ratio | None, _Applied]


def _applied(key: Plan, daily: Ratio) -> _Applied:
    """Apply the row's factor to the exact daily amount (mg/day, or mg/day delivered by a patch): the one place
    a number is made, for a result and for the other end of a range.

    Every number is computed exactly and rounded once (`mme._units.rounded`), so thresholds never
    flip from a binary representation error.
    """
    daily_mg = _finite(daily)
    row = key.row
    if isinstance(row, Exclusion):
        return _Applied(daily_mg, daily_mg, "mg/day", "excluded", None, None, None, None)
    assert row is not None  # a plan that converts has its row
    tier = row.tier_for(daily_mg) if row.tiers else None
    factor: Decimal = tier.factor if tier else row.factor  # type: ignore[assignment]  # validated: factor or tiers
    num, den = daily
    unit: Literal["mg/day", "mcg/day", "mcg/h"]
    if row.is_patch:
        den, unit = product(den, _MG_PER_DAY_PER_MCG_PER_H), "mcg/h"
        basis = _PER_DISPENSED_PATCH.format(row.wear_days) if row.wear_days else "per mcg/h of patch rate"
    elif row.unit == "mcg":
        num, unit, basis = product(num, _THOUSAND), "mcg/day", "per mcg"
    else:
        unit, basis = "mg/day", "per mg"
    dose = daily_mg if (num, den) == daily else _finite((num, den))
    exact = product(num, factor), product(den, Decimal(row.wear_days or 1))
    return _Applied(daily_mg, dose, unit, basis, factor, tier, _finite(exact), fraction(*exact))


def _result(
    table: Source,
    key: Plan,
    drug: str,
    route: str | None,
    form: str | None,
    release: Release | None,
    applied: _Applied,
    given: Amount,
    *,
    days_supply: float | None,
    notes: list[str],
    expression: Expression | None = None,
) -> DailyMME:
    """The result of `applied`, with the warnings its numbers owe after `notes`."""
    row = key.row
    assert row is not None  # a plan that converts or excludes has its row
    if isinstance(row, Exclusion):
        return _built(
            drug=drug, route=route or (row.routes[0] if len(row.routes) == 1 else "unspecified"), form=form,
            release=release, daily_dose=applied.dose, daily_dose_unit="mg/day", mme_per_day=None,
            mme_per_day_exact=None, factor=None,
            factor_basis="excluded", tier=None, variant=None, excluded=row.reason, days_supply=days_supply,
            table=table.slug, table_version=table.version, caution=None, warnings=tuple(notes), expression=expression,
        )  # fmt: skip
    assert applied.mme is not None  # applied to a factor row
    assert applied.exact is not None
    if key.above and key.above.owed(applied.daily_mg, given.value):
        notes.append(key.above.text)
    if key.slip and key.slip.owed(applied.daily_mg, given.value):
        _implausible(notes, key.slip.text)
    if applied.mme > IMPLAUSIBLE_MME_PER_DAY:
        _implausible(notes, IMPLAUSIBLE)
    return _built(
        drug=drug, route=route or row.routes[0], form=form, release=release, daily_dose=applied.dose,
        daily_dose_unit=applied.unit, mme_per_day=applied.mme, mme_per_day_exact=applied.exact,
        factor=applied.factor, factor_basis=applied.basis,
        tier=applied.tier, variant=row.variant, excluded=None, days_supply=days_supply, table=table.slug,
        table_version=table.version, caution=row.caution, warnings=tuple(notes), expression=expression,
    )  # fmt: skip


def _built(**fields: object) -> DailyMME:
    """A `DailyMME` of values the engine has checked, every field given: what `DailyMME.model_construct` does for
    a model without aliases, extras or private attributes, at a fraction of its cost (it runs on every result)."""
    result = DailyMME.__new__(DailyMME)
    _set(result, "__dict__", fields)
    _set(result, "__pydantic_fields_set__", set(fields))
    _set(result, "__pydantic_extra__", None)
    _set(result, "__pydantic_private__", None)
    return result


_set = object.__setattr__


_THOUSAND = Decimal(1000)
_MG_PER_DAY_PER_MCG_PER_H = exact(MG_PER_DAY_PER_MCG_PER_H)


def _finite(value: Ratio) -> float:
    """A result, rounded once: a positive finite number, or a `DoseError` (never inf, never 0)."""
    result = reported(*value, overflow=OVERFLOW)
    if result == 0:
        raise DoseError(ROUNDS_TO_ZERO)
    return result


class Owed(NamedTuple):
    """A warning a key (drug, unit, table row) may owe, and the row condition under which it is owed.

    The text depends on the key alone, so a row's warning reads the same in `daily_mme` and in
    `mme.frames`; the row's numbers are in its result. ``when`` compares the daily amount in mg/day
    (``"daily>="``, ``"daily>"``) or the amount per unit in mg (``"unit<"``) with `limit`, or holds always.
    """

    text: str
    when: Literal["always", "daily>=", "daily>", "unit<"]
    limit: float = 0.0

    def owed(self, daily_mg: float, unit_mg: float) -> bool:
        if self.when == "daily>=":
            return daily_mg >= self.limit
        if self.when == "daily>":
            return daily_mg > self.limit
        if self.when == "unit<":
            return unit_mg < self.limit
        return True


#: The warning on a result above `IMPLAUSIBLE_MME_PER_DAY`.
IMPLAUSIBLE = (
    f"the result is above {IMPLAUSIBLE_MME_PER_DAY:,.0f} MME/day, which is implausible: check the unit "
    "(mcg typed as mg?) and the amounts"
)


def beyond_tiers(row: FactorRow) -> Owed | None:
    """The warning owed above the daily dose where the source defines no factor (its last tier is applied)."""
    if not row.tiers or row.warn_above is None:
        return None
    return Owed(
        f"the daily amount is above {row.warn_above} mg/day, where the source defines no factor; "
        f"its last tier ({row.tiers[-1].factor}) was applied",
        "daily>",
        float(row.warn_above),
    )


@lru_cache(maxsize=4096)
def unit_slip(drug: str, row: FactorRow, unit: str) -> Owed | None:
    """The unit slip a dose in `unit` may be, or None; the rules come from the units alone, side by side.

    A patch is labelled per hour, so a patch rate written per day is probably 24 times too low. A
    drug the table doses in mcg, given in mg from 5 mg a day (a patch from 1 mg/h), is probably mcg typed as mg; its
    mirror, a drug dosed in mg given in mcg with less than 0.1 mg (100 mcg) per unit, is probably
    mg typed as mcg (the number typed reads as a usual amount in mg).
    """
    try:
        given = read_unit(unit)
    except UnitError:  # an `Amount` built by hand with a unit the table does not know
        return None
    if row.is_patch and given.kind == "rate" and given.num == given.mass:
        return Owed(
            f"{drug} patches are labelled per hour; this rate was written per day ({unit}) and read as delivered "
            "per day: did you mean per hour?",
            "always",
        )
    if row.unit in ("mcg", "mcg/h") and given.mass == 1:
        limit = MCG_AS_MG_WARNING_MG_PER_H * 24 if row.is_patch else MCG_AS_MG_WARNING_MG
        return Owed(f"{drug} is dosed in mcg here; {unit} was given: did you mean mcg?", "daily>=", limit)
    if row.unit not in ("mcg", "mcg/h") and given.mass == _MCG:
        return Owed(f"{drug} is dosed in mg here; {unit} was given, under 0.1 mg: did you mean mg?", "unit<", 0.1)
    if row.unit not in ("mcg", "mcg/h") and given.mass == _G:
        return Owed(
            f"{drug} is dosed in mg here; {unit} was given, {G_AS_MG_WARNING_MG:,.0f} mg a day or more: did you mean mg?",
            "daily>=",
            G_AS_MG_WARNING_MG,
        )
    return None


_MCG = Decimal("0.001")
_G = Decimal(1000)


def _implausible(notes: list[str], message: str) -> None:
    notes.append(message)
    held = _HELD.get()
    if held is None:
        _warn(message)
    else:
        held.append(message)


def _warn(message: str) -> None:
    warnings.warn(message, ImplausibleDoseWarning, stacklevel=_caller_level(sys._getframe()))


#: While `convert` computes a result it memoises, the warnings it owes, emitted on every call (not only the first).
_HELD: ContextVar[list[str] | None] = ContextVar("_HELD", default=None)


def _caller_level(frame: FrameType | None) -> int:
    """The stack level, counted from `frame` (the one that warns) as 1, of the first frame outside this package:
    the warning points at the caller's line. Counting from the frame given, not from this function's caller,
    keeps the count right whatever wraps this function."""
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_OWN_CODE):
        frame, level = frame.f_back, level + 1
    return level


#: Where the package's code lives; frames there are not the caller's.
_OWN_CODE: tuple[str, ...] = (str(Path(__file__).parent),)


def total(items: Iterable[DailyMME], *, thresholds: Iterable[float] = CDC_THRESHOLDS, inclusive: bool = True) -> Total:
    """Add items computed under one table; excluded items stay listed and add nothing."""
    wrong = "total() adds results (of convert, daily_mme, dispensing_mme) under thresholds (numbers), not"
    if not isinstance(items, Iterable) or isinstance(thresholds, str | bytes) or not isinstance(thresholds, Iterable):
        raise ArgumentTypeError(f"{wrong} {excerpt(items)}, {excerpt(thresholds)}")
    items = listed(items, wrong)
    if not all(isinstance(i, DailyMME) or (hasattr(i, "mme_per_day") and hasattr(i, "table")) for i in items):
        raise ArgumentTypeError(f"{wrong} {excerpt(items)}")
    if not items:
        raise DoseError("nothing to add: total() needs at least one item")
    _inclusive(inclusive)
    tables = {(i.table, i.table_version) for i in items}
    if len(tables) > 1:
        raise MixedTablesError(f"items come from different tables ({', '.join(sorted(t for t, _ in tables))})")
    _one_variant(items)
    items = _tiered_together(items)
    counted = [_exact_mme(i) for i in items if i.mme_per_day is not None]
    fields: dict[str, Any] = {
        "items": items, "table": items[0].table,
        "mme_per_day": reported(sum(counted, Fraction(0)), overflow=TOTAL_OVERFLOWS) if counted else None,
        "table_version": items[0].table_version, "thresholds": _thresholds(thresholds), "inclusive": inclusive,
    }  # fmt: skip
    if all(isinstance(i, DailyMME) for i in items):
        return Total.model_construct(**fields)  # what validation would make of them, without building a validator
    return Total.model_validate(fields)


def _one_variant(items: tuple[DailyMME, ...]) -> None:
    """Items of one drug read under two variants of the table (cms-2018 methadone 'flat' and 'tiers') are refused as
    mixed tables are: the variant changes the factor, and a sum of both answers neither."""
    variants: dict[str, set[str]] = {}
    for i in items:
        if (variant := getattr(i, "variant", None)) is not None:  # a look-alike is refused by validation
            variants.setdefault(i.drug, set()).add(variant)
    for drug, names in variants.items():
        if len(names) > 1:
            raise MixedTablesError(
                f"{drug} items use different variants of {items[0].table} ({', '.join(sorted(names))}): each gives "
                "another factor; convert them all with one variant"
            )


def _tiered_together(items: tuple[DailyMME, ...]) -> tuple[DailyMME, ...]:
    """Items of one drug on tiered rows, re-tiered by their summed daily dose: CDC and CMS choose methadone's
    factor by the total daily methadone dose ("10 mg bid" and "5 mg bid" are 30 mg/day, one band), each item says
    so. A custom table that is not at hand by its slug cannot be read again: its items say they were tiered alone."""
    groups: dict[str, list[DailyMME]] = {}
    for item in items:
        if isinstance(item, DailyMME) and item.tier is not None:  # a look-alike is refused by validation
            groups.setdefault(item.drug, []).append(item)
    changed: dict[int, DailyMME] = {}
    for drug, group in groups.items():
        chosen = f"{drug}'s tier is chosen by the total daily {drug} dose of the items"
        # an item of a total added again: its earlier sum's word is replaced, not repeated beside the new one
        kept = {id(i): tuple(w for w in i.warnings if not w.startswith(chosen)) for i in group}
        if len(group) < 2 and kept[id(group[0])] == group[0].warnings:
            continue  # alone, as converted
        doses = [_exact_daily(i) for i in group]
        daily = rounded(sum(doses, Fraction(0)))  # as a band is chosen: by the daily dose as reported
        said = f"{chosen}, {shown(daily)} mg/day" if len(group) > 1 else ""  # alone again: its own tier
        try:
            table = resolve_table(group[0].table)
        except UnknownTableError:
            alone = (f"{said}: tiered alone (its table is not at hand by its slug)",) if said else ()
            for i in group:
                changed[id(i)] = i.model_copy(update={"warnings": (*kept[id(i)], *alone)})
            continue
        for i, dose in zip(group, doses, strict=True):
            row = _match(table, i.drug, i.route, i.form, i.release, i.variant, "mass")
            assert isinstance(row, FactorRow)  # it gave the item its tier
            tier = row.tier_for(daily)
            mme = dose * Fraction(tier.factor)
            # the total may pass the last band the source defines, as one item may: that warning is the sum's
            # (owed by it whenever by the item alone), so it is taken off and given again after the sum's word,
            # in one place whether the item or an earlier total gave it (total() of a total's items is that total)
            above = beyond_tiers(row)
            beyond = (above.text,) if above is not None and above.owed(daily, 0.0) else ()
            others = tuple(w for w in kept[id(i)] if above is None or w != above.text)
            own = row.tier_for(rounded(dose)).factor  # its tier alone, at which its other warnings were computed
            moved = f"; its other warnings' figures are the item's alone, tiered by its own dose, not at {tier.factor}"
            told = (said + moved * (own != tier.factor and bool(others)),) if said else ()
            figure = _finite((Decimal(mme.numerator), Decimal(mme.denominator)))
            update = {
                "tier": tier, "factor": tier.factor, "mme_per_day": figure, "mme_per_day_exact": mme,
                "warnings": (*others, *told, *beyond),
            }  # fmt: skip
            changed[id(i)] = i.model_copy(update=update)
    return tuple(changed.get(id(i), i) for i in items)


def _exact_mme(item: DailyMME) -> Fraction:
    """An item's MME/day before it was rounded; for a result saved without it, the value its rounded figure most
    likely came from (`_unrounded`)."""
    value = getattr(item, "mme_per_day_exact", None)
    return value if isinstance(value, Fraction) else _unrounded(item.mme_per_day)  # type: ignore[arg-type]


def _exact_daily(item: DailyMME) -> Fraction:
    """A tiered item's daily dose (mg/day) before it was rounded: its exact MME/day over its factor (a tiered row's
    factor applies per mg, never per patch), or, where it does not say, the value its daily dose most likely came
    from (`_unrounded`)."""
    value = getattr(item, "mme_per_day_exact", None)
    if isinstance(value, Fraction) and item.factor:
        return value / Fraction(item.factor)
    return _unrounded(item.daily_dose)


def _unrounded(figure: float) -> Fraction:
    """The value a figure rounded to `RESULT_DECIMALS` most likely came from, for a result saved without its exact
    values: the fraction of least denominator that rounds to it (3.333333333 is 10/3, so that 10/3 + 10/3 + 250/3
    MME/day reach 90, where the rounded figures add up to 89.999999999; three methadone items of 6.666666667 mg/day
    are 20 mg/day, the first band, not 20.000000001, the next)."""
    saved = Fraction(exact(figure))
    if saved <= _HALF:
        return saved
    simplest = _simplest_between(saved - _HALF, saved + _HALF)
    # an end of the interval may round away from the figure (ties go to even): then the figure as saved
    return simplest if rounded(simplest) == rounded(saved) else saved


def _simplest_between(low: Fraction, high: Fraction) -> Fraction:
    """The fraction of least denominator in [``low``, ``high``] (0 < low <= high), by continued fractions."""
    whole = math.floor(low)
    if whole == low or whole + 1 <= high:
        return Fraction(whole if whole == low else whole + 1)
    return whole + 1 / _simplest_between(1 / (high - whole), 1 / (low - whole))


#: Results that are each finite but whose sum is not (`total` adds them as the decimals they are: 0.1 + 0.2 is 0.3).
TOTAL_OVERFLOWS = "the items' MME/day add up past the largest float: check their amounts"


def convert(
    expression: str,
    *,
    quantity: float | None = None,
    days_supply: float | None = None,
    package_ml: float | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
    range: RangeChoice = "max",
    rxcui: str | int | None = None,
    rxnorm: str | Path | None = None,
) -> DailyMME:
    """MME/day of a dose expression such as "oxycodone 10 mg q6h" (grammar: docs/expressions.md).

    With ``quantity`` and ``days_supply`` the expression's amount is read as a dispensed
    strength per unit (the claims formula); otherwise as a regimen, whose ranges ("1-2 tabs",
    "q4-6h") are read at their maximum unless ``range="min"``; the other end is given in a warning.
    With ``rxcui`` the RxNorm product (from the ``rxnorm`` product file, the shipped one by default)
    gives the drug, strength, route and form, and the expression is only the sig ("1 tab q6h", or ""
    for a dispensing).
    """
    if not isinstance(expression, str):
        raise ArgumentTypeError(f"expression must be text such as 'oxycodone 10 mg q6h', not {excerpt(expression)}")
    if rxcui is not None:
        return _by_rxcui(
            expression, rxcui, rxnorm, quantity=quantity, days_supply=days_supply, package_ml=package_ml,
            variant=variant, table=table, range=range,
        )  # fmt: skip
    args = (
        bounded(expression, "expression", ExpressionError),
        quantity,
        days_supply,
        package_ml,
        variant,
        table,
        range,
    )
    if not _PLAIN.issuperset(map(type, args)) or not (type(table) is Table or table in table_slugs()):
        return _convert(*args)  # a table file may change between calls: only a shipped table or a `Table` is a key
    result, owed = _recent(*args)  # checked: hashable
    for message in owed:
        _warn(message)
    return result


def _by_rxcui(sig: str, rxcui: str | int, rxnorm: str | Path | None, **args: Any) -> DailyMME:
    """`convert` of an RxCUI's product and a sig: what does not read is said in the words the caller gave."""
    from .rxnorm import expression as product_and_sig  # deferred: mme.rxnorm is built on this module

    text = product_and_sig(rxcui, sig, rxnorm=rxnorm, table=args["table"])
    try:
        return convert(text, **args)
    except NotCoveredError as exc:
        raise stated_by(exc, f"RxCUI {rxcui}") from None
    except ExpressionError as exc:
        product = text.removesuffix(f" {sig}") if sig else text
        if any(_component(word) != "unknown" for word in _WORD.findall(sig)):
            raise type(exc)(
                f"RxCUI {rxcui} is {product!r}, and the sig {excerpt(sig)} names a drug of its own: with an RxCUI, "
                "say only how much and how often ('1 tab q6h'); without one, the text names the product"
            ) from None
        said = f" in the sig {excerpt(sig)} (after RxCUI {rxcui}'s product, {product!r})."
        raise type(exc)(str(exc).replace(f" in {text!r}.", said, 1)) from None


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


#: The argument types whose values are memo keys (exactly these types: an int subclass such as bool, a NumPy number
#: or a pint Quantity is read afresh each time, as it may read differently).
_PLAIN = frozenset({str, int, float, type(None), Table})


@lru_cache(maxsize=1024, typed=True)
def _recent(
    expression: str, quantity: float | None, days_supply: float | None, package_ml: float | None,
    variant: str | None, table: str | Table, range: RangeChoice,
) -> tuple[DailyMME, tuple[str, ...]]:  # fmt: skip
    """Recent conversions are computed once (a result is immutable, and an EHR repeats its sigs); the warnings
    they owe are kept beside them, so that each call warns."""
    held: list[str] = []
    token = _HELD.set(held)
    try:
        return _convert(expression, quantity, days_supply, package_ml, variant, table, range), tuple(held)
    finally:
        _HELD.reset(token)


def _convert(
    expression: str, quantity: float | None, days_supply: float | None, package_ml: float | None,
    variant: str | None, table: TableLike, range: RangeChoice,
) -> DailyMME:  # fmt: skip
    expr = parse_expression(expression, range=range)
    if (quantity is None) != (days_supply is None):
        raise DoseError("give both quantity and days_supply (a dispensing), or neither (a regimen)")
    if quantity is not None and days_supply is not None:
        if expr.per_day or expr.every_hours or expr.count != 1 or expr.volume or expr.cap:  # they may disagree
            raise DoseError(
                f"{expression!r} gives a regimen (how much is taken, how often), and quantity and days_supply a "
                "dispensing: give one, not both (they may disagree)"
            )
        return _dispensing(
            resolve_table(table), expr.drug, expr.dose, quantity, days_supply, package_ml, expr.route, expr.form,
            expr.release, variant, lead=expr.notes, expression=expr,
        )  # fmt: skip
    if package_ml is not None:
        raise DoseError("package_ml only applies to a dispensing (with quantity and days_supply)")
    tab = resolve_table(table)
    try:
        (name, route_, form_, release_), key, amt, daily, times, applied = _regimen(
            tab, expr.drug, expr.dose, expr.per_day, expr.every_hours, expr.count, expr.volume, expr.route, expr.form,
            expr.release, variant,
        )  # fmt: skip
    except (DoseError, UnitError) as exc:
        if (said := IN_A_TEXT.get(str(exc))) is None:
            raise
        raise type(exc)(said) from None
    notes = list(expr.notes)
    if expr.ranges and applied.mme is not None:
        other: RangeChoice = "min" if range == "max" else "max"
        mme = _other_end(tab, expr, _reading(expression).finished(other), variant)  # only its MME is kept
        notes.append(f"at the {'minimum' if other == 'min' else 'maximum'} of the range: {shown(mme)} MME/day")
    if applied.mme is not None and not key.rate:
        assert times is not None  # a regimen that converts, not a rate: `_daily` had its frequency
        if times[0] < times[1]:  # less than once a day: a day with a dose has one administration, daily / times
            dosing_day = _applied(key, (product(daily[0], times[1]), product(daily[1], times[0]))).mme
            assert dosing_day is not None  # the key converts: it converted the average
            notes.append(less_than_daily(dosing_day))
    notes += _key_notes(key, times)
    return _result(
        tab, key, name.drug, route_, form_, release_, applied, amt, days_supply=None, notes=notes, expression=expr
    )


def _other_end(tab: Table, expr: Expression, other: Expression, variant: str | None) -> float:
    """MME/day at the other end of the ranges of `expr`: its regimen read as the first end's is (`_regimen`, which
    keeps recent ones: sigs worded apart share their ends). The ends differ only in their counts, volumes and
    frequencies, on which the plan does not depend, so it is the first end's."""
    assert (other.drug, other.dose, other.route, other.form, other.release) == (
        expr.drug, expr.dose, expr.route, expr.form, expr.release,
    )  # fmt: skip
    *_, applied = _regimen(
        tab, other.drug, other.dose, other.per_day, other.every_hours, other.count, other.volume, other.route,
        other.form, other.release, variant,
    )  # fmt: skip
    assert applied.mme is not None  # the plan converts: it converted the first end
    return applied.mme

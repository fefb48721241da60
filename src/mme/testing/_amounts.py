"""Amounts as people write them ("10 mg", "10000 mcg", "25 mcg/h", "10 mg/5 mL") and their strategies.

Values come from short lists of sensible amounts, smallest first (hypothesis shrinks towards the
first), kept below `_MAX_MME_PER_DAY` for the drug they dose.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from functools import cache

from hypothesis import strategies as st

from mme._engine import G_AS_MG_WARNING_MG, MCG_AS_MG_WARNING_MG
from mme._parse import _MOST_UNSAID_MG
from mme._units import MG_PER_DAY_PER_MCG_PER_H, amount

from ._coverage import RegimenKind, TableArg, _choices, _Covered, _pick, _Pool, _Target

#: Generated inputs stay below this many MME/day (the engine warns above 10,000).
_MAX_MME_PER_DAY = 2000.0


# Sensible values, smallest first: hypothesis shrinks a sampled_from towards its first element.
_MG = ("1", "2", "2.5", "5", "7.5", "10", "15", "20", "25", "30", "40", "50", "60", "80", "100", "150", "200", "300")


_MCG = ("5", "10", "12.5", "25", "50", "75", "100", "200", "300", "400", "600", "800", "1200", "1600")


_RATE = ("5", "10", "12", "12.5", "20", "25", "37.5", "50", "62.5", "75", "87.5", "100")


_DAILY_MG = ("5", "10", "15", "20", "30", "40", "60", "80", "90", "100", "120", "160", "200", "240", "300", "400")


_DAILY_MCG = ("50", "100", "200", "400", "600", "800", "1200", "1600", "2400", "3200")


_CONC_MG = ("1", "2", "5", "10", "20")  # mg/mL


_CONC_MCG = ("10", "25", "50", "100")  # mcg/mL


_VOLUME_ML = ("0.5", "1", "2", "2.5", "5", "10", "15")


_DAYS = ("1", "2", "3", "5", "7", "10", "14", "15", "20", "28", "30", "60", "90")


_UNITS_PER_DAY = ("1", "2", "3", "4", "6", "0.5")


_ML_PER_DAY = ("1", "2", "5", "10", "15", "20", "30")


_PACKAGE_ML = ("5", "10", "30", "100", "118", "473")


_PER_UNIT_SUFFIX = {"tablet": "tab", "capsule": "capsule", "spray": "spray", "film": "film", "lozenge": "lozenge"}


def _dec(text: str | float) -> Decimal:
    return Decimal(text) if isinstance(text, str) else Decimal(repr(float(text)))


def _num(value: Decimal) -> str:
    """A decimal as people write it: 10, 2.5, 0.01 (never 1E+1)."""
    return format(value.normalize(), "f")


def _fits(daily: Decimal, target: _Target) -> bool:
    return float(daily) * max(target.mme_per_unit, 1e-9) <= _MAX_MME_PER_DAY


def _mass_texts(value: Decimal, target: _Target, daily: Decimal) -> list[str]:
    """One amount per administration in the units people write (target unit mg or mcg)."""
    if target.unit == "mcg":
        texts = [f"{_num(value)} mcg", f"{_num(value)}mcg", f"{_num(value)} µg", f"{_num(value)} micrograms"]
        if float(daily) / 1000 < MCG_AS_MG_WARNING_MG:
            texts.append(f"{_num(value / 1000)} mg")
    else:
        texts = [
            f"{_num(value)} mg",
            f"{_num(value)}mg",
            f"{_num(value * 1000)} mcg",
            f"{_num(value)} milligrams",
            f"{_num(value * 1000)} µg",
        ]
        if float(daily) < G_AS_MG_WARNING_MG:  # grams from 1,000 mg a day owe "did you mean mg?"
            texts.append(f"{_num(value / 1000)} g")
        if value != value.to_integral_value():
            texts.append(f"{_num(value).replace('.', ',')} mg")
    suffix = _PER_UNIT_SUFFIX.get(target.form or "")
    if suffix:
        texts.append(f"{texts[0]}/{suffix}")
    return texts


def _daily_texts(value: Decimal, target: _Target) -> list[str]:
    if target.unit == "mcg":
        return [f"{_num(value)} mcg/day", f"{_num(value)} µg/day", f"{_num(value)} mcg/d"]
    return [f"{_num(value)} mg/day", f"{_num(value)} mg/d", f"{_num(value * 1000)} mcg/day", f"{_num(value)}mg/day"]


def _rate_texts(value: Decimal) -> list[str]:
    return [
        f"{_num(value)} mcg/h",
        f"{_num(value)} mcg/hr",
        f"{_num(value)} µg/h",
        f"{_num(value)} mcg/hour",
        f"{_num(value / 1000)} mg/h",
    ]


def _conc_texts(value: Decimal, target: _Target) -> list[str]:
    if target.unit == "mcg":
        return [f"{_num(value)} mcg/mL", f"{_num(value)} mcg/ml", f"{_num(value * 5)} mcg/5 mL"]
    return [
        f"{_num(value)} mg/mL",
        f"{_num(value * 5)} mg/5 mL",
        f"{_num(value)} mg/ml",
        f"{_num(value * 1000)} mcg/mL",
        f"{_num(value * 5)} mg/5mL",
    ]


def _volume_texts(value: Decimal) -> list[str]:
    return [f"{_num(value)} mL", f"{_num(value)} ml", f"{_num(value)}mL"]


def same_amount(dose: str) -> tuple[str, ...]:
    """The same amount written in every unit `mme` reads for its kind.

    >>> same_amount("10 mg")
    ('10 mg', '10000 mcg', '0.01 g')
    >>> same_amount("25 mcg/h")
    ('25 mcg/h', '0.025 mg/h', '0.6 mg/day', '600 mcg/day')
    >>> same_amount("10 mg/5 mL")
    ('2 mg/mL', '2000 mcg/mL', '10 mg/5 mL')
    """
    parsed = amount(dose)
    value = _dec(parsed.value)
    if parsed.kind == "mass":
        return (f"{_num(value)} mg", f"{_num(value * 1000)} mcg", f"{_num(value / 1000)} g")
    if parsed.kind == "volume":
        return (f"{_num(value)} mL", f"{_num(value / 1000)} L")
    if parsed.kind == "conc":
        return (f"{_num(value)} mg/mL", f"{_num(value * 1000)} mcg/mL", f"{_num(value * 5)} mg/5 mL")
    texts = []
    try:
        per_hour = value / _dec(MG_PER_DAY_PER_MCG_PER_H)
        if per_hour * _dec(MG_PER_DAY_PER_MCG_PER_H) == value and len(_num(per_hour)) < 12:
            texts += [f"{_num(per_hour)} mcg/h", f"{_num(per_hour / 1000)} mg/h"]
    except InvalidOperation:  # pragma: no cover - a finite positive amount always divides
        pass
    return (*texts, f"{_num(value)} mg/day", f"{_num(value * 1000)} mcg/day")


@cache
@st.composite
def _dose_text(draw: st.DrawFn, covered: _Covered, times: float, count: float) -> str:
    target = covered.target
    values = [v for v in map(Decimal, _MCG if target.unit == "mcg" else _MG) if _fits(v * _dec(times * count), target)]
    value = draw(_pick(values or [Decimal(_MCG[0] if target.unit == "mcg" else _MG[0])]))
    daily = value * _dec(times * count)
    return draw(_pick(_mass_texts(value, target, daily)))


@cache
@st.composite
def _daily_text(draw: st.DrawFn, covered: _Covered) -> str:
    target = covered.target
    pool = _DAILY_MCG if target.unit == "mcg" else _DAILY_MG
    values = [v for v in map(Decimal, pool) if _fits(v, target)] or [Decimal(pool[0])]
    return draw(_pick(_daily_texts(draw(_pick(values)), target)))


@cache
@st.composite
def _rate_text(draw: st.DrawFn, covered: _Covered, count: float) -> str:
    values = [v for v in map(Decimal, _RATE) if _fits(v * _dec(count), covered.target)] or [Decimal(_RATE[0])]
    return draw(_pick(_rate_texts(draw(_pick(values)))))


@cache
@st.composite
def _liquid_texts(draw: st.DrawFn, covered: _Covered, times: float) -> tuple[str, str]:
    target = covered.target
    mcg = target.unit == "mcg"
    pairs = [
        (c, v)
        for c in map(Decimal, _CONC_MCG if mcg else _CONC_MG)
        for v in map(Decimal, _VOLUME_ML)
        if _fits(c * v * _dec(times), target)
        and (not mcg or float(c * v * _dec(times)) / 1000 < MCG_AS_MG_WARNING_MG)  # see MCG_AS_MG_WARNING_MG
        and float(c * v) / (1000 if mcg else 1) <= _MOST_UNSAID_MG  # more at once may be a bottle (`mme.convert`)
    ]
    conc, volume = draw(_pick(pairs or [(Decimal(1), Decimal(1))]))
    return draw(_pick(_conc_texts(conc, target))), draw(_pick(_volume_texts(volume)))


def _amount_choices(table: TableArg, drug: str | None, family: RegimenKind) -> _Pool[_Covered]:
    return _choices(table, drug=drug, include_excluded=False, families=(family,), what=f"{family} amounts")


def doses(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Amounts per administration: "10 mg", "10mg", "10000 mcg", "0.01 g", "2,5 mg", "100 mcg/spray".

    The amounts suit a drug ``table`` covers (mcg-sized for mcg-dosed rows) and stay plausible at
    up to 6 administrations a day. Shrinks towards "1 mg".
    """
    choices = _amount_choices(table, drug, "dose")
    return st.sampled_from(choices).flatmap(lambda c: _dose_text(c, 6.0, 2.0))


def daily_doses(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Daily totals, which take no frequency: "40 mg/day", "40 mg/d", "40000 mcg/day", "400 mcg/day"."""
    return st.sampled_from(_amount_choices(table, drug, "daily")).flatmap(_daily_text)


def patch_rates(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Patch delivery rates: "25 mcg/h", "25 mcg/hr", "25 µg/h", "0.025 mg/h" (a table with a patch row)."""
    return st.sampled_from(_amount_choices(table, drug, "patch")).flatmap(lambda c: _rate_text(c, 2.0))


def concentrations(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """A concentration and the volume taken: ("2 mg/mL", "5 mL"), ("10 mg/5 mL", "5 ml"), ("50 mcg/mL", "2 mL")."""
    return st.sampled_from(_amount_choices(table, drug, "liquid")).flatmap(lambda c: _liquid_texts(c, 6.0))


def invalid_doses() -> st.SearchStrategy[str | float | tuple[float, str]]:
    """Doses no call accepts (`mme.MMEError`: `mme.DoseError` or `mme.UnitError`), whatever the drug.

    A volume where an amount of drug is needed ("5 mL"; for a patch, a `mme.NotCoveredError`
    that asks for its rate), units of another dimension ("10 m", "10 h", "10 mg/kg"), unknown
    units, negative, zero, NaN and infinite amounts, and numbers without a unit (text or float).
    """
    values = st.sampled_from(_MG)
    texts = st.one_of(
        values.map(lambda v: f"-{v} mg"),
        values.map(lambda v: f"{v} mL"),
        values.map(lambda v: f"{v}"),
        st.tuples(
            values, st.sampled_from(("m", "h", "mg/kg", "mmol", "cm", "kg*m", "mL/h", "xyz", "furlong", "%", "mg/0 mL"))
        ).map(lambda p: f"{p[0]} {p[1]}"),
        st.sampled_from(
            (
                "0 mg",
                "0 mcg/h",
                "-0.5 mg",
                "nan mg",
                "inf mg",
                "-inf mg",
                "1e400 mg",
                "NaN mcg/h",
                "mg",
                "",
                "   ",
                "ten mg",
                "10 mg mg",
                "0 mg/mL",
            )
        ),
    )
    numbers = st.sampled_from((10.0, 0.0, -5.0, math.nan, math.inf))
    tuples = st.sampled_from(((-10.0, "mg"), (0.0, "mg"), (math.nan, "mg"), (math.inf, "mcg/h"), (10.0, "mL")))
    return st.one_of(texts, numbers, tuples)

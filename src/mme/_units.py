"""Amounts with units: the one place pint is used.

pint parses each distinct unit spelling once (cached); after that an amount is a float
in a canonical unit of its kind, so the hot paths never touch pint:

========== ================================ =========
kind       dimension                        canonical
========== ================================ =========
mass       an amount per administration     mg
rate       amount per time (daily, patch)   mg/day
conc       amount per volume (liquids)      mg/mL
volume     a volume (liquids)               mL
========== ================================ =========
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal

from ._errors import DoseError, UnitError

if TYPE_CHECKING:
    import pint

__all__ = ["Amount", "Kind", "amount", "registry"]

Kind = Literal["mass", "rate", "conc", "volume"]

_CANONICAL: dict[Kind, str] = {"mass": "mg", "rate": "mg/day", "conc": "mg/mL", "volume": "mL"}
_DIMENSIONS: dict[str, Kind] = {
    "[mass]": "mass",
    "[mass] / [time]": "rate",
    "[mass] / [length] ** 3": "conc",
    "[length] ** 3": "volume",
}
# "100 mcg/spray", "5 mg/tab": an amount per counted unit is a mass per administration unit.
_PER_UNIT = re.compile(r"\s*/\s*(?:spray|actuation|puff|dose|unit|tab|tablet|capsule|cap|patch|film|lozenge)s?$", re.I)
_PER_VOLUME = re.compile(r"^(.+?)\s*/\s*(\d+(?:\.\d+)?)\s*ml$", re.I)
_NUMBER_UNIT = re.compile(
    r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf|infinity))\s*(.*?)\s*$", re.I
)


@cache
def registry() -> pint.UnitRegistry[float]:
    """The library's own pint registry, built on first use (never pint's application registry)."""
    import pint

    return pint.UnitRegistry(cache_folder=None)


@dataclass(frozen=True, slots=True)
class Amount:
    """A positive finite amount in the canonical unit of its kind, with the unit as given."""

    value: float
    kind: Kind
    unit: str

    def __str__(self) -> str:
        return f"{self.value:g} {_CANONICAL[self.kind]}"


@lru_cache(maxsize=512)
def _unit(unit: str) -> tuple[Kind, float]:
    """The kind of a unit spelling and its multiplier to the canonical unit (pint, once per spelling)."""
    import pint

    text = (
        _PER_UNIT.sub("", unit.strip()).replace("μ", "µ").lower()
    )  # no drug unit is upper case: "Mg" is never megagrams
    scale = 1.0
    if per_volume := _PER_VOLUME.match(text):  # "mg/5 mL": pint units cannot carry a number
        text, scale = f"{per_volume[1]}/mL", float(per_volume[2])
        if scale <= 0:
            raise UnitError(f"{unit!r}: the volume in a concentration must be positive")
    if not text:
        raise UnitError("a unit is required, e.g. '10 mg', '25 mcg/h', '2 mg/mL'")
    try:
        quantity = registry().Quantity(1.0, registry().parse_units(text))
        kind = _DIMENSIONS.get(str(quantity.dimensionality))
        if kind is None:
            raise UnitError(
                f"{unit!r} is not an amount of drug: use a mass (mg, mcg, g), a rate (mcg/h, mg/day), "
                "a concentration (mg/mL) or a volume (mL)"
            )
        factor = float(quantity.to(_CANONICAL[kind]).magnitude) / scale
    except UnitError:
        raise
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError, KeyError) as exc:
        raise UnitError(f"unknown unit {unit!r}: use mg, mcg, g, mcg/h, mg/day, mg/mL or mL") from exc
    return kind, float(f"{factor:.12g}")  # drop float noise such as 0.9999999999999999


def _checked(value: float, what: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise DoseError(f"{what} must be a positive finite number, not {value!r}")
    return value


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> tuple[float, str]:
    match = _NUMBER_UNIT.match(text)
    if not match:
        raise UnitError(f"cannot read an amount in {text!r}: write a number and a unit, e.g. '10 mg'")
    number, unit = match.groups()
    if re.fullmatch(r"[-+]?\d{1,3},\d{3}", number):
        raise DoseError(f"{number!r} is ambiguous (a thousands separator or a decimal comma?): write 1000 or 1.000")
    return float(number.replace(",", ".")), unit


def amount(value: object, *, what: str = "dose") -> Amount:
    """Read "10 mg", ``(10, "mg")``, a pint Quantity or an `Amount` into a canonical `Amount`."""
    if isinstance(value, Amount):
        return value
    if isinstance(value, str):
        number, unit = _parse_text(value)
    elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        number, unit = _number(value[0], what), value[1]
    elif hasattr(value, "magnitude") and hasattr(value, "units"):
        number, unit = _number(value.magnitude, what), f"{value.units:~}" if str(value.units) else ""
    elif isinstance(value, int | float):
        raise UnitError(f"{what} {value!r} has no unit: write e.g. '{value} mg' or pass (value, 'mg')")
    else:
        raise UnitError(f"{what} must be text such as '10 mg', a (number, unit) pair or a pint Quantity")
    kind, factor = _unit(unit)
    _checked(number, what)
    return Amount(_checked(number * factor, what), kind, unit)  # checked again: scaling can overflow


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DoseError(f"{what} must be a number, not {value!r}")
    return float(value)


def positive(value: object, what: str) -> float:
    """A count, frequency or number of days: a positive finite number."""
    return _checked(_number(value, what), what)


MG_PER_DAY_PER_MCG_PER_H = 0.024
"""A patch rate of 1 mcg/h delivers 24 mcg = 0.024 mg a day."""

"""Amounts with units, read from a small closed table of the units clinicians write.

Reading a unit is a dictionary look-up (no pint import on the common path). After that an
amount is a number in the canonical unit of its kind, so the hot paths never parse again:

========== ======================================================== =========
kind       units accepted (any case; "per" may stand for "/")        canonical
========== ======================================================== =========
mass       mg, mcg (µg, ug), g; milligram(s), microgram(s), gram(s)  mg
rate       a mass per h (hr, hrs, hour) or per day (d, days)          mg/day
conc       a mass per mL (ml, cc) or per L, or per "5 mL"             mg/mL
volume     mL (ml, cc, millilitre(s), milliliter(s)), L (litre(s))    mL
========== ======================================================== =========

A mass per counted unit ("100 mcg/spray", "5 mg/tab") is a mass per administration. Every
other unit (kg, lb, grain, g/s, mg*mg/mg...) is a `UnitError`: no dose is written that way,
and reading it would only hide a slip. A pint Quantity is read by its unit's name through
the same table (``Quantity(25, "microgram / hour")`` is "µg / h").

Results are exact: every number is read as written (a float by its shortest repr, so 0.1
is 0.1), the arithmetic is exact (`product` of decimals, one division in `rounded`), and
the result is rounded once, half to even, to `RESULT_DECIMALS` places. A threshold is
never missed by a binary representation error (0.0375 mg/h of fentanyl is 90 MME/day).
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction
from functools import cache, lru_cache, reduce
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from ._errors import ArgumentTypeError, DoseError, UnitError, bounded, excerpt
from ._vocab import DAY_WORDS, HOUR_WORDS, MASS_UNITS, VOLUME_UNITS

if TYPE_CHECKING:
    import pint

__all__ = [
    "RESULT_DECIMALS",
    "Amount",
    "Kind",
    "QuantityLike",
    "amount",
    "exact",
    "format_number",
    "product",
    "registry",
    "rounded",
]

Kind = Literal["mass", "rate", "conc", "volume"]

_CANONICAL: dict[Kind, str] = {"mass": "mg", "rate": "mg/day", "conc": "mg/mL", "volume": "mL"}

_ONE = Decimal(1)
_ZERO = Decimal(0)
# The spellings come from the lexicon (`mme._vocab`), the multipliers to mg, mL and per day from here.
_MASS: dict[str, Decimal] = {
    k: {"mg": _ONE, "mcg": Decimal("0.001"), "g": Decimal(1000)}[v] for k, v in MASS_UNITS.items()
}
_VOLUME: dict[str, Decimal] = {k: {"mL": _ONE, "L": Decimal(1000)}[v] for k, v in VOLUME_UNITS.items()}
_PER_DAY: dict[str, Decimal] = {**dict.fromkeys(HOUR_WORDS, Decimal(24)), **dict.fromkeys(DAY_WORDS, _ONE)}
# "100 mcg/spray", "5 mg/tab": an amount per counted unit is a mass per administration.
_COUNTED = frozenset(
    word + plural
    for word in [
        "spray",
        "actuation",
        "puff",
        "dose",
        "unit",
        "tab",
        "tablet",
        "capsule",
        "cap",
        "patch",
        "film",
        "lozenge",
    ]
    for plural in ("", "s")
)
_VOLUME_PART = re.compile(r"(\d+(?:\.\d+)?)? ?([a-z]+)", re.ASCII)
#: The units accepted, as messages list them.
ACCEPTED = "mg, mcg (µg, ug), g; mcg/h, mg/h, mg/day; mg/mL, mg/5 mL; mL, L"

# \d is 0-9 only (re.ASCII): "٣ mg" is refused, as a cell or an expression with it is (`NUMBER_TEXT`)
_NUMBER_UNIT = re.compile(
    r"([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf|infinity)) ?(.*)", re.I | re.ASCII
)
#: A number written as text, as every path reads one: the digits 0-9, an optional point and exponent. Python's
#: float() reads more ("1_0" as 10, "٣" as 3), which one path read and the next refused: none reads them now.
NUMBER_TEXT = r"[+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_TEXT = re.compile(NUMBER_TEXT)

#: Results (MME/day and the daily dose) are rounded once, half to even, to this many decimal places.
RESULT_DECIMALS = 9
_SCALE = 10**RESULT_DECIMALS
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)  # products of decimals are never rounded


def exact(x: float | int | str | Decimal) -> Decimal:
    """A number as written: a float by its shortest repr (0.1 is 0.1, not 0.1000000000000000055...)."""
    if isinstance(x, Decimal):
        return x
    return Decimal(repr(float(x)) if isinstance(x, float) else x)


def product(*factors: Decimal) -> Decimal:
    """The exact product of decimals (never rounded: they have few digits)."""
    return reduce(_EXACT.multiply, factors, _ONE)


def fraction(numerator: Decimal, denominator: Decimal) -> Fraction:
    """An exact ratio of decimals as one fraction (10/3): a result's value before it is rounded, which sums add."""
    n, d = numerator.as_integer_ratio()
    dn, dd = denominator.as_integer_ratio()
    return Fraction(n * dd, d * dn)


def reported(numerator: Decimal | Fraction, denominator: Decimal = _ONE, *, overflow: str) -> float:
    """`rounded`, for a number a result reports: past the float range, a `DoseError` saying ``overflow``."""
    value = rounded(numerator, denominator)
    if value == math.inf:
        raise DoseError(overflow)
    return value


def rounded(numerator: Decimal | Fraction, denominator: Decimal = _ONE) -> float:
    """``numerator / denominator`` exactly, rounded once half to even to `RESULT_DECIMALS` places,
    as the nearest float (inf beyond the float range). The one rounding rule of every result."""
    n, d = numerator.as_integer_ratio()
    dn, dd = denominator.as_integer_ratio()
    top, bottom = n * dd * _SCALE, d * dn
    whole, rest = divmod(top, bottom)
    if 2 * rest > bottom or (2 * rest == bottom and whole & 1):
        whole += 1
    try:
        return float(whole / _SCALE)  # int / int is correctly rounded
    except OverflowError:
        return math.inf


@cache
def registry() -> pint.UnitRegistry[float]:
    """The library's own pint registry, for callers building Quantities (never pint's application registry)."""
    import pint

    return pint.UnitRegistry(cache_folder=None)


class Unit(NamedTuple):
    """A unit read from the table: its kind and exact multiplier ``num / den`` to the canonical unit."""

    kind: Kind
    num: Decimal
    den: Decimal
    mass: Decimal | None
    """mg per unit of the mass written (1 for mg, 0.001 for mcg); None for a volume."""


@dataclass(frozen=True, slots=True)
class Amount:
    """A positive finite amount in the canonical unit of its kind, with the unit as given."""

    value: float
    kind: Kind
    unit: str
    exact: tuple[Decimal, Decimal] | None = field(default=None, compare=False, repr=False)
    """The value as an exact ratio (numerator, denominator); None: read `value` as written."""

    def ratio(self) -> tuple[Decimal, Decimal]:
        return self.exact or (exact(self.value), _ONE)

    def __str__(self) -> str:
        return f"{self.value:g} {_CANONICAL[self.kind]}"


class QuantityLike(Protocol):
    """A pint Quantity, or any object read the same way: a magnitude and units (pint is never imported for it)."""

    @property
    def magnitude(self) -> object: ...

    @property
    def units(self) -> object: ...


def format_number(value: float, places: int | None = None) -> str:
    """A number as a person writes it, for messages and results: a whole number below 1e15 without ".0" (-0.0 is "0");
    any other with every digit (``repr``, read back exactly), or at most `places` decimals, trailing zeros dropped."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if places is None:
        return repr(value)
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def decimal_text(number: Decimal) -> str:
    """A finite Decimal in plain digits (4E+300 has 301, no exponent), trailing zeros after the point dropped."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unknown(unit: str) -> UnitError:
    return UnitError(f"unknown unit {excerpt(unit)}: use {ACCEPTED}")


@lru_cache(maxsize=512)
def read_unit(unit: str) -> Unit:
    """A unit spelling looked up in the closed table (any case, spaces and "per" allowed)."""
    text = " ".join(bounded(unit, "unit", UnitError).replace("μ", "µ").lower().split())  # "Mg" is never megagrams
    parts = [p.strip() for p in text.replace(" per ", "/").split("/")]
    if len(parts) > 1 and parts[-1] in _COUNTED:
        parts.pop()
    if parts == [""]:
        raise UnitError("a unit is required, e.g. '10 mg', '25 mcg/h', '2 mg/mL'")
    mass = _MASS.get(parts[0])
    if len(parts) == 1:
        if mass is not None:
            return Unit("mass", mass, _ONE, mass)
        if parts[0] in _VOLUME:
            return Unit("volume", _VOLUME[parts[0]], _ONE, None)
    elif len(parts) == 2 and mass is not None:
        if parts[1] in _PER_DAY:
            return Unit("rate", mass * _PER_DAY[parts[1]], _ONE, mass)
        per = _VOLUME_PART.fullmatch(parts[1])
        if per and per[2] in _VOLUME:  # "mg/5 mL": an amount in a stated volume
            volume = Decimal(per[1] or 1)
            if volume == 0:
                raise UnitError(f"{excerpt(unit)}: the volume in a concentration must be positive")
            return Unit("conc", mass, volume * _VOLUME[per[2]], mass)
    raise _unknown(unit)


@lru_cache(maxsize=512)
def _unit(unit: str) -> tuple[Kind, float, float]:
    """The kind of a unit spelling, and its multiplier and divisor to the canonical unit, as floats.

    The divisor is 1 where the ratio is a decimal a float is read from (mcg: x 0.001); elsewhere the ratio is
    carried as two whole numbers (mg/15 mL: x 1 / 15), so that a strength in mg/mL is one division, correctly
    rounded, as near the engine's exact value as a float can be (x 0.0666666666667 was 5e-12 off).
    """
    kind, num, den, _ = read_unit(unit)
    ratio = Fraction(num) / Fraction(den)
    rest = ratio.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest == 1 or max(ratio.numerator, ratio.denominator) > 2**53:  # a decimal, or too long for whole floats
        return kind, float(ratio), 1.0
    return kind, float(ratio.numerator), float(ratio.denominator)


def not_positive(what: str) -> str:
    """The message on an amount, count or number of days that is not a positive finite number. It names the
    argument (or column), not the value, which the caller has: a row reads the same in `mme.frames`."""
    return f"{what} must be a positive finite number"


def not_a_number(what: str, value: object) -> str:
    """The message on a number argument of another type (True, a list): `mme.frames` says it of a true/false
    column's cells too."""
    return f"{what} must be a number, not {excerpt(value)}"


def _checked(value: float, what: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise DoseError(not_positive(what))
    return value


@lru_cache(maxsize=4096)
def read_text(text: str) -> tuple[Decimal, str]:
    """The number (as written) and the unit of "10 mg"; the number is not checked yet."""
    match = _NUMBER_UNIT.fullmatch(" ".join(bounded(text, "dose", UnitError).split()))
    if not match:
        raise UnitError(f"cannot read an amount in {excerpt(text)}: write a number and a unit, e.g. '10 mg'")
    number, unit = match.groups()
    if re.fullmatch(r"[-+]?\d{1,3},\d{3}", number):
        raise DoseError(f"{number!r} is ambiguous (a thousands separator or a decimal comma?): write 1000 or 1.000")
    return Decimal(number.replace(",", ".")), unit


def number_text(text: str, what: str) -> Decimal:
    """A number written as text (a command-line option, a cell), as written: `NUMBER_TEXT`, spaces around it
    aside; anything else ("ten", "1,000", "1_0", "٣", "nan") is a `DoseError`."""
    stripped = bounded(text, what, DoseError).strip()
    if not _NUMBER_TEXT.fullmatch(stripped):
        raise DoseError(f"{what} must be a number in the digits 0-9 (e.g. 10 or 2.5), not {excerpt(text)}")
    return Decimal(stripped)


def _parse_text(text: str) -> tuple[float, str]:
    number, unit = read_text(text)
    return float(number), unit


def amount(value: object, *, what: str = "dose") -> Amount:
    """Read "10 mg", ``(10, "mg")``, a pint Quantity or an `Amount` into a canonical `Amount`."""
    if isinstance(value, Amount):
        return value
    if isinstance(value, str):
        return _text_amount(value, what)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        number, unit = exact_number(value[0], what), value[1]
    elif hasattr(value, "magnitude") and hasattr(value, "units"):
        number, unit = exact_number(value.magnitude, what), f"{value.units:~}" if str(value.units) else ""
    elif isinstance(value, int | float) and not isinstance(value, bool):  # True is no dose: not "write 'True mg'"
        _checked(_float(value, what), what)  # nan, inf or -1: that first, not "write 'nan mg'"
        raise UnitError(f"{what} {value!r} has no unit: write e.g. '{value} mg' or pass (value, 'mg')")
    else:
        raise ArgumentTypeError(
            f"{what} must be text such as '10 mg', a (number, unit) pair or a pint Quantity, not {excerpt(value)}"
        )
    return _read(number, unit, what)


@lru_cache(maxsize=4096)
def _text_amount(text: str, what: str) -> Amount:
    """`amount` of a text, kept for recent texts (an `Amount` is immutable; the same doses recur in sigs)."""
    return _read(*read_text(text), what)


def _read(number: Decimal, unit: str, what: str) -> Amount:
    kind, num, den, _ = read_unit(unit)
    given = float(number)  # a Decimal: inf beyond float range, 0 below it
    if number.is_finite() and number > 0 and not 0 < given < math.inf:  # positive as written ("1e400", "0.0...1")
        size = "large: no float holds it" if given else "small: it rounds to 0"
        raise DoseError(f"{what} {excerpt(str(number))} is too {size}; give a plausible amount, e.g. '10 mg'")
    _checked(given, what)
    _, mult, div = _unit(unit)
    return Amount(_checked(given * mult / div, what), kind, unit, (product(number, num), den))


def _plain(value: object, what: str) -> int | float | Decimal:
    """A number argument as one of Python's own (NumPy's integers and floats, a frame's cells, as the int or float
    they hold; a Fraction as the float nearest it); any other type is an `ArgumentTypeError`."""
    if _is_short_float(value):  # NumPy's float32 (or float16) as written: 3.3, not the 3.2999999523 it widens to
        return float(str(value))
    if isinstance(value, numbers.Rational) and not isinstance(value, numbers.Integral):  # a Fraction
        return _float(Fraction(value), what)  # the float nearest it, as a frame reads a column of them: 61/2 is 30.5
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | numbers.Integral):
        raise ArgumentTypeError(not_a_number(what, value))
    if isinstance(value, float):
        return float(value)  # NumPy's float64 is a float whose repr is not the number ('np.float64(4.0)')
    if isinstance(value, Decimal) and value.is_snan():  # a signaling NaN raises where it is read: a NaN, refused so
        return Decimal("NaN")
    return value if isinstance(value, int | Decimal) else int(value)


def _is_short_float(value: object) -> bool:
    """A NumPy float narrower than a float: its shortest text (at most 9 digits) is what was written, and a float
    holds it exactly as written (`exact` reads it back as the same decimal)."""
    dtype = getattr(value, "dtype", None)
    return isinstance(value, numbers.Real) and getattr(dtype, "kind", None) == "f" and getattr(dtype, "itemsize", 8) < 8


def number_argument(value: object, what: str) -> float:
    """A number argument; a wrong type is an `ArgumentTypeError`, a huge int a `DoseError`."""
    return _float(_plain(value, what), what)


def _float(plain: int | float | Decimal | Fraction, what: str) -> float:
    """``plain`` as a float; beyond float range, a positive number is a `DoseError` (too large) and a negative one
    -inf, which each caller refuses as it refuses -1 ("must be positive"), not as too large."""
    try:
        number = float(plain)
    except OverflowError:  # an int or a Fraction
        number = math.inf if plain > 0 else -math.inf
    else:  # a Decimal beyond float range reads as inf
        if not (math.isinf(number) and isinstance(plain, Decimal) and plain.is_finite()):
            return number
    if number < 0:
        return -math.inf
    shown = excerpt(str(plain) if isinstance(plain, Decimal) else plain)  # the digits written, not Decimal('1E+400')
    raise DoseError(f"{what} {shown} is too large: it is no finite number")


def exact_number(value: object, what: str) -> Decimal:
    """A number argument as written (see `exact`)."""
    plain = _plain(value, what)
    _float(plain, what)
    return exact(plain)


def positive(value: object, what: str) -> float:
    """A count, frequency or number of days: a positive finite number."""
    return _checked(number_argument(value, what), what)


def exact_positive(value: object, what: str) -> Decimal:
    """`positive`, as the exact number written."""
    plain = _plain(value, what)
    _checked(_float(plain, what), what)
    return exact(plain)


MG_PER_DAY_PER_MCG_PER_H = 0.024
"""A patch rate of 1 mcg/h delivers 24 mcg = 0.024 mg a day."""

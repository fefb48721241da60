"""The tests' one reference for a result: exact rational arithmetic of the inputs as written, rounded once.

The library promises that a result is the exact arithmetic of its inputs (a float read by its shortest repr,
so 0.1 is 1/10), rounded once, half to even, to 9 decimal places, then converted to the nearest float. This
module states that rule with fractions, apart from the engine's decimals, and every test of exactness reads it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import mme

PLACES = 9  # stated here, not read from the engine: a change there must fail the tests

MG_PER_DAY_PER_MCG_PER_H = Fraction(24, 1000)  # 1 mcg/h for 24 h is 0.024 mg/day


def exact(x: float | Decimal | str) -> Fraction:
    """A number as written: a float by its shortest repr (0.1 is 1/10, not the binary double nearest it)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def once(value: Fraction) -> float:
    """The rounding rule: once, half to even, to `PLACES` decimals (Python's `round`), then the nearest float."""
    return float(round(value, PLACES))


def exact_mme(result: mme.DailyMME, daily: Fraction) -> float:
    """MME/day of an exact daily amount under the factor `result` was computed with, rounded once."""
    return once(exact_rate(result, daily))


def exact_rate(result: mme.DailyMME, daily: Fraction) -> Fraction:
    """MME/day of an exact daily amount under the factor `result` was computed with, exactly (what sums add).

    ``daily`` is in mg/day (for a patch rate, the mg/day it delivers); the factor applies per the result's
    unit (mcg/h, mcg/day or mg/day), and a factor per patch worn N days applies per day of wear.
    """
    assert result.factor is not None
    if result.daily_dose_unit == "mcg/h":
        daily /= MG_PER_DAY_PER_MCG_PER_H
    elif result.daily_dose_unit == "mcg/day":
        daily *= 1000
    wear = re.search(r"worn (\d+) days", result.factor_basis)
    factor = Fraction(result.factor) / (int(wear[1]) if wear else 1)
    return daily * factor

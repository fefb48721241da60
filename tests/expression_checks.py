"""What every `Expression` the parser returns promises: checked on readings, properties and fuzzed text alike."""

from __future__ import annotations

import math

from mme._parse import UNITS, Expression
from mme._vocab import FORMS, ROUTES


def check_expression(expr: Expression, text: str) -> None:
    """A drug, a positive finite dose in a known unit, sane counts and frequencies, canonical words."""
    assert expr.text == text
    assert expr.drug
    assert expr.drug == expr.drug.strip()
    number, unit = expr.dose.split(" ")
    assert unit in UNITS
    assert math.isfinite(float(number))
    assert float(number) > 0
    assert math.isfinite(expr.count)
    assert expr.count > 0
    if expr.volume is not None:
        volume, ml = expr.volume.split(" ")
        assert ml == "mL"
        assert unit.endswith("/mL")
        assert math.isfinite(float(volume))
        assert float(volume) > 0
    assert expr.per_day is None or expr.every_hours is None
    for value in (expr.per_day, expr.every_hours):
        assert value is None or (math.isfinite(value) and value > 0)
    if unit.endswith("/day"):
        assert expr.per_day is None
        assert expr.every_hours is None
        assert expr.count == 1
    assert expr.route is None or expr.route in ROUTES
    assert expr.form is None or expr.form in FORMS
    assert expr.release in (None, "IR", "ER")

"""Hostile input: every text input is read in linear time, refused past a length cap, and quoted short.

Each input must give a typed `MMEError` within 0.5 s (generous: the machine may be loaded; the
quadratic readers took 11 to 19 s on some of these). Messages quote at most a short excerpt.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import mme
from mme._errors import MAX_TEXT

SECONDS = 0.5
BIG = "x" * 10_000_000

_SPACES = " " * 40_000
_HOSTILE: dict[str, str] = {
    "spaces": _SPACES,
    "spaces_inside": "10" + _SPACES + "mg",
    "spaces_after_unit": "10 mg" + _SPACES + "x",
    "salt_words": "oxycodone " + "hcl " * 50_000,
    "slashes": "10 mg" + "/" * 10_000,
    "parentheses": "10 " + "(" * 10_000 + "mg",
    "ten_megabytes": BIG,
    # under the length cap: the readers themselves must stay linear and typed
    "short_slashes": "10 mg" + "/" * (MAX_TEXT - 10),
    "short_parentheses": "10 " + "(" * (MAX_TEXT - 10) + "mg",
    "short_spaces": "10" + " " * (MAX_TEXT - 10) + "m",
    "short_salts": "oxycodone " + "hcl " * ((MAX_TEXT - 20) // 4) + "x",
}

_PATHS: dict[str, Callable[[str], object]] = {
    "dose": lambda text: mme.daily_mme("oxycodone", text, per_day=1),
    "unit": lambda text: mme.daily_mme("oxycodone", (10, text), per_day=1),
    "every": lambda text: mme.daily_mme("oxycodone", "10 mg", every=text),
    "per_day": lambda text: mme.daily_mme("oxycodone", "10 mg", per_day=text),
    "drug": lambda text: mme.daily_mme(text, "10 mg", per_day=1),
    "route": lambda text: mme.daily_mme("oxycodone", "10 mg", per_day=1, route=text),
    "form": lambda text: mme.daily_mme("oxycodone", "10 mg", per_day=1, form=text),
    "release": lambda text: mme.daily_mme("oxycodone", "10 mg", per_day=1, release=text),
    "strength": lambda text: mme.dispensing_mme("oxycodone", text, quantity=10, days_supply=5),
    "table": lambda text: mme.daily_mme("oxycodone", "10 mg", per_day=1, table=text),
    "expression": mme.convert,
    "expression_tail": lambda text: mme.convert("oxycodone 10 mg " + text),
}


@pytest.mark.parametrize("text", _HOSTILE.values(), ids=_HOSTILE.keys())
@pytest.mark.parametrize("path", _PATHS.values(), ids=_PATHS.keys())
def test_hostile_text_is_refused_quickly_with_a_short_message(path: Callable[[str], object], text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(mme.MMEError) as info:
        path(text)
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"{elapsed:.2f} s"
    assert len(str(info.value)) < 2_000  # a short excerpt, never the input


def test_the_length_cap_says_what_to_do() -> None:
    with pytest.raises(mme.UnitError) as info:
        mme.daily_mme("oxycodone", "10 " + "m" * MAX_TEXT + "g", per_day=1)
    message = str(info.value)
    assert message.startswith("dose '10 mmmm")
    assert message.endswith(f"... ({MAX_TEXT + 4:,} characters) is too long: at most {MAX_TEXT:,} characters are read")


def test_a_long_drug_name_is_quoted_short() -> None:
    with pytest.raises(mme.UnknownDrugError) as info:
        mme.daily_mme("oxy" * 100_000, "10 mg", per_day=1)
    assert "... (300,000 characters)" in str(info.value)
    assert len(str(info.value)) < 300

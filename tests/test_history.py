"""Dispensing histories: exposure by day and the four definitions of Dasgupta et al. 2021."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypedDict

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import mme
from mme._history import (
    FILL_OVERFLOWS,
    NO_DATE,
    NO_PATIENT,
    NOT_WHOLE_DAYS,
    TOTAL_OVERFLOWS,
    Dispensing,
    Exposure,
    Metric,
    Summary,
    exposure,
    summarize,
    summarize_by_patient,
)

from exact_reference import exact, exact_rate, once

DAY0 = date(2023, 1, 1)


def fill(
    drug: str = "oxycodone", strength: str = "5 mg", quantity: object = 14, days: object = 7, on: int = 0, **kw: object
) -> Dispensing:
    """A dispensing ``on`` days after DAY0."""
    fields: dict[str, object] = {"patient_id": "p1", "drug": drug, "strength": strength, "quantity": quantity}
    return Dispensing.model_validate({**fields, "days_supply": days, "fill_date": DAY0 + timedelta(on), **kw})


class Window(TypedDict):
    start: date
    end: date


def window(days: int, first: int = 0) -> Window:
    return {"start": DAY0 + timedelta(first), "end": DAY0 + timedelta(first + days - 1)}


DEFINITIONS: tuple[Metric, ...] = ("mme_per_days_supply", "mme_per_therapy_day", "mme_per_window_day", "max_daily_mme")


def four(s: Summary) -> tuple[float | None, ...]:
    return tuple(
        None if v is None else round(v, 1)
        for v in (s.mme_per_days_supply, s.mme_per_therapy_day, s.mme_per_window_day, s.max_daily_mme)
    )


# -- Dasgupta et al. 2021: worked example and the notebook's experiments (methods.md §1.3) ----------


@pytest.mark.parametrize("clip", [True, False])
def test_dasgupta_worked_example(clip: bool) -> None:
    er = fill(strength="30 mg", quantity=60, days=30, release="ER")
    ir = fill(strength="5 mg", quantity=14, days=7, release="IR")
    s = summarize([er, ir], **window(90), table="cdc-2022", clip_to_window=clip)
    assert s.total_mme == pytest.approx(2805)
    assert (s.total_days_supply, s.on_therapy_days, s.window_days) == (37, 30, 90)
    assert four(s) == (75.8, 93.5, 31.2, 105.0)
    assert s.n_dispensings == 2
    assert s.excluded == ()


@pytest.mark.parametrize(
    ("second_day", "on_days", "expected"),
    [(9, 14, (15.0, 15.0, 7.0, 15.0)), (2, 9, (15.0, 23.3, 7.0, 30.0))],
    ids=["gap", "overlap"],
)
def test_dasgupta_experiments(second_day: int, on_days: int, expected: tuple[float, ...]) -> None:
    s = summarize([fill(on=0), fill(on=second_day)], **window(30), table="cdc-2022")
    assert s.total_mme == pytest.approx(210)
    assert s.on_therapy_days == on_days
    assert four(s) == expected


# -- window edges, by hand: oxycodone 10 mg x 30 / 30 days = 15 MME/day; window 2023-01-01..03-31 (90 days)


def test_fill_crossing_the_window_start() -> None:
    early = fill(strength="10 mg", quantity=30, days=30, on=-12)  # covers 2022-12-20 .. 2023-01-18: 18 days inside
    s = summarize([early], **window(90))
    assert (s.total_mme, s.total_days_supply, s.on_therapy_days, s.window_days) == pytest.approx((270, 18, 18, 90))
    assert four(s) == (15.0, 15.0, 3.0, 15.0)
    whole = summarize([early], **window(90), clip_to_window=False)  # started before the window: not counted
    assert (whole.total_mme, whole.total_days_supply, whole.on_therapy_days, whole.n_dispensings) == (0, 0, 0, 0)
    assert four(whole) == (None, None, 0.0, 0.0)


def test_fill_crossing_the_window_end() -> None:
    late = fill(strength="10 mg", quantity=30, days=30, on=78)  # 2023-03-20 .. 04-18: 12 days inside
    s = summarize([late], **window(90))
    assert (s.total_mme, s.total_days_supply, s.on_therapy_days) == pytest.approx((180, 12, 12))
    assert four(s) == (15.0, 15.0, 2.0, 15.0)
    whole = summarize([late], **window(90), clip_to_window=False)  # started inside: counts whole
    assert (whole.total_mme, whole.total_days_supply, whole.on_therapy_days) == pytest.approx((450, 30, 30))
    assert four(whole) == (15.0, 15.0, 5.0, 15.0)


@pytest.mark.parametrize("clip", [True, False])
def test_window_bounds_are_inclusive(clip: bool) -> None:
    on_last_day, day_after = fill(on=89), fill(on=90)  # window 2023-01-01 .. 03-31
    s = summarize([on_last_day, day_after], **window(90), clip_to_window=clip)
    assert s.n_dispensings == 1
    assert s.total_days_supply == (1 if clip else 7)
    ended_day_before = fill(on=-7)  # covers Dec 25-31
    assert summarize([ended_day_before], **window(90), clip_to_window=clip).n_dispensings == 0


def test_overlap_only_outside_the_window_does_not_raise_the_maximum() -> None:
    inside = fill(strength="10 mg", quantity=30, days=30, on=0)  # 15/day, Jan 1-30
    after = fill(strength="10 mg", quantity=30, days=30, on=25)  # 15/day, Jan 26 - Feb 24; overlap Jan 26-30
    s = summarize([inside, after], **window(20))  # Jan 1-20: the overlap is outside
    assert (s.on_therapy_days, s.max_daily_mme, s.total_mme) == pytest.approx((20, 15, 300))
    both = summarize([inside, after], **window(30))
    assert (both.on_therapy_days, both.max_daily_mme, both.total_mme) == pytest.approx((30, 30, 525))


def test_one_day_window() -> None:
    s = summarize([fill(on=0), fill(on=2)], **window(1, first=3))
    assert (s.window_days, s.on_therapy_days, s.total_days_supply) == (1, 1, 2)
    assert four(s) == (15.0, 30.0, 30.0, 30.0)


# -- excluded drugs, buprenorphine, 0/0 --------------------------------------------------------------


def test_only_excluded_fills_give_no_mme_never_0() -> None:
    """An excluded drug has no MME: a patient on it alone is not one with no opioid (total 0, maximum 0)."""
    bup = fill("buprenorphine", "8 mg", quantity=30, days=30, route="sublingual")
    s = summarize([bup], **window(90), table="cdc-2022")
    assert (s.total_mme, s.total_days_supply, s.on_therapy_days, s.n_dispensings) == (None, 0, 0, 0)
    assert four(s) == (None, None, None, None)
    assert len(s.excluded) == 1
    assert s.excluded[0].dispensing == bup
    assert "CDC 2022 excludes buprenorphine" in s.excluded[0].reason
    assert s.reached("mme_per_therapy_day") == ()


def test_buprenorphine_with_and_without() -> None:
    oxy = fill(strength="10 mg", quantity=60, days=30)  # 20 mg/day x 1.5 = 30 MME/day under heal-2025
    film = fill(
        "buprenorphine", "150 mcg", quantity=60, days=30, on=10, route="buccal", form="film"
    )  # 300 mcg/day x 0.039
    with_bup = summarize([oxy, film], **window(90), table="heal-2025")
    assert with_bup.total_mme == pytest.approx(30 * 30 + 11.7 * 30)
    assert (with_bup.total_days_supply, with_bup.on_therapy_days) == (60, 40)
    assert with_bup.max_daily_mme == pytest.approx(41.7)
    assert with_bup.mme_per_therapy_day == pytest.approx((900 + 351) / 40)
    without = summarize([oxy, film], **window(90), table="heal-2025", include_buprenorphine=False)
    assert (without.total_mme, without.total_days_supply, without.on_therapy_days) == pytest.approx((900, 30, 30))
    assert four(without) == (30.0, 30.0, 10.0, 30.0)
    assert [e.dispensing for e in without.excluded] == [film]
    assert "include_buprenorphine=False" in without.excluded[0].reason
    assert without.table == "heal-2025"


def test_excluded_fills_beside_counted_ones_add_nothing_and_left_out_ones_alone_give_no_mme() -> None:
    bup = fill("buprenorphine", "8 mg", quantity=30, days=30, route="sublingual")
    both = summarize([bup, fill()], **window(30), table="cdc-2022")
    assert (both.total_mme, both.max_daily_mme, len(both.excluded)) == (
        summarize([fill()], **window(30)).total_mme,
        15.0,
        1,
    )
    left_out = summarize([bup], **window(30), table="heal-2025", include_buprenorphine=False)
    assert (left_out.total_mme, left_out.max_daily_mme, left_out.mme_per_window_day) == (None, None, None)
    assert "include_buprenorphine=False" in left_out.excluded[0].reason
    nothing_in_window = summarize([fill(on=100)], **window(30))  # no fill at all in the window: no opioid, 0
    assert (nothing_in_window.total_mme, nothing_in_window.max_daily_mme) == (0.0, 0.0)


def test_buprenorphine_left_out_even_when_the_table_cannot_match_it() -> None:
    odd = fill("buprenorphine", "2 mg", quantity=10, days=10, route="rectal")
    s = summarize([odd, fill()], **window(30), table="heal-2025", include_buprenorphine=False)
    assert s.n_dispensings == 1
    assert len(s.excluded) == 1
    alone = summarize([odd], **window(30), table="heal-2025")
    assert alone.n_failed == 1
    assert alone.failed[0].reason == str(_error_of(lambda: mme.dispensing_mme("buprenorphine", "2 mg", quantity=10,
                                                  days_supply=10, route="rectal", table="heal-2025")))  # fmt: skip


def test_excluded_fills_outside_the_window_are_not_listed() -> None:
    bup = fill("buprenorphine", "8 mg", quantity=30, days=30, on=200, route="sublingual")
    assert summarize([bup, fill()], **window(90)).excluded == ()


# -- patches: the engine's days supply (patches x wear days) lays out the coverage --------------------


def test_patch_covers_patches_times_wear_days() -> None:
    patch = fill("fentanyl", "25 mcg/h", quantity=10, days=28)  # CDC: 10 patches x 3 days = 30 days
    series = exposure([patch])
    assert len(series.daily) == 30
    assert list(series.daily.values()) == pytest.approx([60] * 30)
    s = summarize([patch], **window(90))
    assert (s.total_days_supply, s.on_therapy_days, s.total_mme) == pytest.approx((30, 30, 1800))


@pytest.mark.parametrize(
    ("table", "include_buprenorphine", "reason"),
    [("cdc-2022", True, "CDC 2022 excludes buprenorphine"), ("heal-2025", False, "include_buprenorphine=False")],
)
def test_an_excluded_patch_lies_in_time_by_patches_times_wear_days(
    table: str, include_buprenorphine: bool, reason: str
) -> None:
    """4 buprenorphine patches of 7 days cover 28 days, though 7 were recorded: a window on day 15 sees an excluded
    fill (no MME), not a patient on no opioid (0.0), as it would see the patch if it counted."""
    patch = fill("buprenorphine", "10 mcg/h", quantity=4, days=7)
    s = summarize([patch], **window(6, 14), table=table, include_buprenorphine=include_buprenorphine)
    assert (s.total_mme, s.max_daily_mme, s.mme_per_window_day) == (None, None, None)
    assert [e.dispensing for e in s.excluded] == [patch]
    assert reason in s.excluded[0].reason
    after = summarize([patch], **window(3, 28), table=table, include_buprenorphine=include_buprenorphine)
    assert (after.total_mme, after.excluded) == (0.0, ())  # past its 28 days


def test_an_excluded_patch_with_no_whole_number_of_days_lies_by_the_days_recorded() -> None:
    """2.5 patches of 7 days are no whole number of days (a counted patch fails): the 30 days recorded place it."""
    patch = fill("buprenorphine", "10 mcg/h", quantity=2.5, days=30)
    s = summarize([patch], **window(6, 20), table="cdc-2022")
    assert (s.total_mme, len(s.excluded)) == (None, 1)
    assert summarize([patch], **window(6, 30), table="cdc-2022").excluded == ()


def test_patch_fraction_of_a_day_is_refused() -> None:
    half = fill("fentanyl", "25 mcg/h", quantity=2.5, days=7)
    with pytest.raises(mme.DoseError, match="whole number of days"):
        exposure([half])
    assert [f.reason for f in summarize([half], **window(30)).failed] == [NOT_WHOLE_DAYS]
    # it says what is not whole: not the 7 days given, but 2.5 patches x 3 days of wear
    assert NOT_WHOLE_DAYS.startswith("the patches dispensed x their days of wear is not a whole number of days")


# -- failed fills: never 0 ------------------------------------------------------------------------

TOTALS = ("total_mme", "total_days_supply", "on_therapy_days", *DEFINITIONS)


def _error_of(call: Callable[[], object]) -> mme.MMEError:
    with pytest.raises(mme.MMEError) as caught:
        call()
    return caught.value


def test_a_patient_whose_only_fill_failed_has_no_totals() -> None:
    """Was total_mme 0.0, mme_per_window_day 0.0, max_daily_mme 0.0 (and the API raised for the whole summary)."""
    bad = fill("unobtainium")
    s = summarize([bad], **window(30))
    assert [getattr(s, name) for name in TOTALS] == [None] * len(TOTALS)
    assert (s.n_failed, s.n_dispensings, s.failed[0].dispensing) == (1, 0, bad)
    assert s.failed[0].reason == str(_error_of(lambda: mme.dispensing_mme("unobtainium", "5 mg", quantity=14,
                                                                          days_supply=7)))  # fmt: skip
    with pytest.raises(mme.DoseError, match=r"max_daily_mme is unknown, so no threshold can be judged: 1 fill"):
        s.reached("max_daily_mme")  # was (): counted as below 50
    assert Summary.model_validate_json(s.model_dump_json()) == s
    # dropped, it leaves nothing to count: still no totals (was 0.0 total, 0.0 a day at most)
    dropped = summarize([bad, fill("buprenorphine", "8 mg", route="sublingual")], **window(30), on_failed="drop")
    assert [getattr(dropped, name) for name in TOTALS] == [None] * len(TOTALS)
    assert (dropped.n_failed, len(dropped.excluded), dropped.n_dispensings) == (1, 1, 0)  # buprenorphine: no MME


@pytest.mark.parametrize("clip", [True, False])
def test_one_good_and_one_failed_fill(clip: bool) -> None:
    good, bad = fill(), fill("oxycodone", "5 furlong", on=3)
    s = summarize([good, bad], **window(30), clip_to_window=clip)
    assert [getattr(s, name) for name in TOTALS] == [None] * len(TOTALS)  # not the good fill's totals
    assert (s.n_failed, s.n_dispensings, s.on_failed) == (1, 1, "propagate")
    dropped = summarize([good, bad], **window(30), clip_to_window=clip, on_failed="drop")
    alone = summarize([good], **window(30), clip_to_window=clip)
    assert [getattr(dropped, name) for name in TOTALS] == [getattr(alone, name) for name in TOTALS]
    assert (dropped.n_failed, dropped.failed, dropped.on_failed) == (1, s.failed, "drop")
    assert dropped.reached("max_daily_mme") == alone.reached("max_daily_mme") == ()  # 15: known, below 50


def test_reached_is_unknown_not_nothing_with_a_failed_fill() -> None:
    """100 MME/day plus a failed fill: the MME is unknown (maybe over 90), not under 50; excluded-only reaches ()."""
    big = fill("morphine", "50 mg", quantity=60, days=30)  # 100 MME/day
    s = summarize([big, fill("oxycodone", "5 furlong", on=3)], **window(30))
    for metric in DEFINITIONS:
        with pytest.raises(mme.DoseError, match=rf"^{metric} is unknown.*1 fill\(s\) in the window failed \(first: "
                                                r"oxycodone 5 furlong filled 2023-01-04: .*on_failed='drop'"):  # fmt: skip
            s.reached(metric)
    assert summarize([big], **window(30)).reached("max_daily_mme") == (50.0, 90.0)
    excluded_only = summarize([fill("buprenorphine", "8 mg", route="sublingual")], **window(30), table="cdc-2022")
    assert excluded_only.reached("max_daily_mme") == ()


@pytest.mark.parametrize("metric", ["total_mme", "window_days", "n_dispensings", "mme_per_windwo_day", "", "reached"])
def test_reached_judges_only_the_four_definitions(metric: str) -> None:
    """``reached("total_mme")`` judged 1,800 MME over the window against 50/90 MME/day (and a 91-day window
    "reached 90"); a typo was a bare AttributeError. Anything but the four definitions is refused, naming them."""
    s = summarize([fill("morphine", "50 mg", quantity=60, days=30)], **window(91))
    assert (s.total_mme, s.window_days) == (3000, 91)
    with pytest.raises(mme.DoseError, match=r"^unknown metric .*: thresholds are judged on mme_per_days_supply, "
                                            r"mme_per_therapy_day, mme_per_window_day, max_daily_mme$"):  # fmt: skip
        s.reached(metric)  # type: ignore[arg-type]
    for wrong in (5, None, ["max_daily_mme"]):
        with pytest.raises(mme.ArgumentTypeError, match=r"^metric is one of mme_per_days_supply, .*max_daily_mme, not"):
            s.reached(wrong)  # type: ignore[arg-type]


@pytest.mark.parametrize("wrong", [1, 0, "no", None, Fraction(1), "yes"])
@pytest.mark.parametrize("name", ["include_buprenorphine", "clip_to_window"])
def test_a_flag_that_is_no_bool_is_refused_up_front(name: str, wrong: object) -> None:
    """A summary was computed whole and then refused by pydantic's ValidationError ("yes", None, a Decimal), or 1 and 0
    passed as True and False; "no" is true. An `ArgumentTypeError`, before anything is computed (no fill at all)."""
    import numpy as np

    for value in (wrong, np.bool_(True), np.int64(1)):
        message = rf"^{name} must be True or False, not "
        with pytest.raises(mme.ArgumentTypeError, match=message):
            summarize([fill()], **window(30), **{name: value})  # type: ignore[arg-type]
        with pytest.raises(mme.ArgumentTypeError, match=message):
            summarize_by_patient([], **window(30), **{name: value})  # type: ignore[arg-type]
        if name == "include_buprenorphine":
            with pytest.raises(mme.ArgumentTypeError, match=message):
                exposure([fill()], include_buprenorphine=value)  # type: ignore[arg-type]


def _missing_ids() -> list[object]:
    import numpy as np
    import pandas as pd

    return [None, math.nan, np.nan, np.float32("nan"), Decimal("NaN"), Decimal("sNaN"), pd.NA, pd.NaT]


def test_a_missing_patient_id_is_refused_not_a_patient_nan() -> None:
    """`Dispensing(patient_id=float("nan"))` was the patient "nan" (two such fills one patient of 120 MME/day), and
    Decimal("NaN") "NaN"; `taper.Record` the same. Any missing value is refused, in the frames' words."""
    from mme import taper

    for value in _missing_ids():
        with pytest.raises(ValidationError, match=rf"patient_id\n  Value error, {NO_PATIENT} "):
            fill(patient_id=value)
        with pytest.raises(ValidationError, match=rf"patient_id\n  Value error, {NO_PATIENT} "):
            taper.Record(patient_id=value, timepoint="t0", mme_per_day=10)


def test_a_whole_float_id_is_its_integer() -> None:
    """An id column that gained a missing value is floats: 101.0 was "101.0", another patient than 101."""
    import numpy as np

    from mme import taper

    ids = [101, 101.0, np.float64(101.0), np.float32(101.0), np.int64(101), "101", " 101 "]
    assert {fill(patient_id=i).patient_id for i in ids} == {"101"}
    assert {taper.Record(patient_id=i, timepoint="t", mme_per_day=1).patient_id for i in ids} == {"101"}
    assert [fill(patient_id=i).patient_id for i in (1.5, np.float32(1.1), 2.0**53, Decimal("101.0"))] == [
        "1.5", "1.1", "9007199254740992.0", "101.0"
    ]  # fmt: skip
    both = summarize_by_patient([fill(patient_id=101), fill(patient_id=101.0, on=3)], **window(30))
    assert list(both) == ["101"]


@pytest.mark.parametrize("clip", [True, False])
def test_a_failed_fill_outside_the_window_changes_nothing(clip: bool) -> None:
    before, after = fill("unobtainium", on=-30), fill("unobtainium", on=40)  # the window is days 0-29
    s = summarize([fill(), before, after], **window(30), clip_to_window=clip)
    assert s.failed == ()
    assert _values(s) == _values(summarize([fill()], **window(30), clip_to_window=clip))


@pytest.mark.filterwarnings("ignore::mme.ImplausibleDoseWarning")
def test_overflowing_fills_fail() -> None:
    huge = fill("morphine", "1e308 mg", quantity=1e308, days=1)  # MME/day overflows: the engine refuses it
    long = fill("oxycodone", "1e308 mg", quantity=1.5, days=2)  # 1.125e308 MME/day is finite, x 2 days is not
    s = summarize([huge, long], **window(30), on_failed="drop")
    engine = _error_of(lambda: mme.dispensing_mme("morphine", "1e308 mg", quantity=1e308, days_supply=1))
    assert [f.reason for f in s.failed] == [str(engine), FILL_OVERFLOWS]
    assert (s.total_mme, s.max_daily_mme, s.n_dispensings) == (None, None, 0)  # nothing counts: unknown, not 0


@pytest.mark.filterwarnings("ignore::mme.ImplausibleDoseWarning")
@pytest.mark.parametrize("second_day", [0, 1], ids=["a day's sum", "the total"])
def test_a_sum_of_finite_fills_that_overflows_is_a_dose_error(second_day: int) -> None:
    """Each fill's MME is 1e306 mg x 100 / 1 day = 1e308 (finite); two of them sum past the float range.

    Same day: the day's level (and the total) overflows; a day apart, only the total. `math.fsum` raised
    a bare OverflowError."""
    fills = [fill("morphine", "1e306 mg", quantity=100, days=1, on=on) for on in (0, second_day)]
    with pytest.raises(mme.DoseError, match=f"^{re.escape(TOTAL_OVERFLOWS)}$"):
        summarize(fills, **window(30))
    if second_day == 0:
        with pytest.raises(mme.DoseError, match=f"^{re.escape(TOTAL_OVERFLOWS)}$"):
            exposure(fills)
    assert summarize(fills[:1], **window(30)).total_mme == 1e308  # one of them alone is a number


def test_on_failed_is_checked() -> None:
    with pytest.raises(mme.DoseError, match="on_failed"):
        summarize([fill()], **window(30), on_failed="ignore")  # type: ignore[arg-type]


def test_exposure_refuses_a_failed_fill() -> None:
    with pytest.raises(mme.UnknownDrugError, match="unknown drug 'unobtainium'"):
        exposure([fill(), fill("unobtainium")])


# -- exposure -------------------------------------------------------------------------------------


def test_exposure_sums_overlaps_by_day() -> None:
    series = exposure([fill(on=2), fill(on=0), fill("morphine", "5 mg", quantity=3, days=3, on=20)])
    assert list(series.daily) == sorted(series.daily)
    assert series.daily[DAY0] == pytest.approx(15)
    assert series.daily[DAY0 + timedelta(2)] == pytest.approx(30)
    assert series.daily[DAY0 + timedelta(8)] == pytest.approx(15)
    assert DAY0 + timedelta(9) not in series.daily
    assert series.daily[DAY0 + timedelta(22)] == pytest.approx(5)
    assert len(series.daily) == 9 + 3
    assert Exposure.model_validate_json(series.model_dump_json()) == series


def test_exposure_reports_excluded() -> None:
    series = exposure([fill("buprenorphine", "8 mg", quantity=30, days=30, route="sublingual")])
    assert series.daily == {}
    assert len(series.excluded) == 1
    assert series.table == "cdc-2022"


# -- inputs ---------------------------------------------------------------------------------------


def test_dispensing_json_round_trip_and_coercions() -> None:
    d = fill(days=30.0, patient_id=12345, ndc="00406052362", package_ml=None)
    assert d.days_supply == 30
    assert d.patient_id == "12345"
    assert Dispensing.model_validate_json(d.model_dump_json()) == d
    assert hash(d) == hash(Dispensing.model_validate(d.model_dump()))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"days_supply": 30.5}, "days_supply\n  Input should be a valid integer, got a number with a fractional part"),
        ({"days_supply": 0}, "days_supply\n  Input should be greater than 0"),
        ({"quantity": 0}, "quantity\n  Input should be greater than 0"),
        ({"quantity": float("nan")}, "quantity\n  Input should be a finite number"),
        ({"package_ml": -1}, "package_ml\n  Input should be greater than 0"),
        ({"colour": "x"}, "colour\n  Extra inputs are not permitted"),
        # pydantic read a number as seconds since 1970: 1704067200 was 2024-01-01, 259200 1970-01-04
        ({"fill_date": 1704067200}, "fill_date\n  Value error, 1704067200 is a number, not a date"),
        ({"fill_date": 259200.0}, "fill_date\n  Value error, 259200.0 is a number, not a date"),
        # text as a frame's cell is read: "1704067200" was 2024-01-01, hour 25 and ISO week dates are no dates
        ({"fill_date": "1704067200"}, "fill_date\n  Value error, '1704067200' is not a date: write YYYY-MM-DD"),
        ({"fill_date": "2024-01-01T25:00"}, "fill_date\n  Value error, '2024-01-01T25:00' is not a date"),
        ({"fill_date": "2024-W01-1"}, "fill_date\n  Value error, '2024-W01-1' is not a date"),
        ({"fill_date": "20240101"}, "fill_date\n  Value error, '20240101' is not a date"),
    ],
)
def test_dispensing_rejects(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        fill(**bad)


def test_a_float32_quantity_is_the_number_written_as_in_a_frame() -> None:
    """np.float32(3.3) widened to 3.2999999523: morphine 300 mg x 3.3 over 11 days (300 x 3.3 / 11 x 1 = 90 MME/day
    under cdc-2022) was 89.999998569 and reached only 50, where mme.frames and mme.dispensing_mme read 3.3 and 90."""
    import numpy as np

    d = fill(drug="morphine", strength="300 mg", quantity=np.float32(3.3), days=11)
    assert d.quantity == 3.3
    got = summarize([d], start=DAY0, end=DAY0 + timedelta(10))
    assert got.max_daily_mme == 90.0
    assert got.reached("max_daily_mme") == (50.0, 90.0)
    assert fill(package_ml=np.float32(2.5)).package_ml == 2.5
    assert fill(days=np.float32(30.0)).days_supply == 30


@pytest.mark.parametrize(
    ("bad", "message"),
    [  # each was read (10, 10, 30, 1, 1, 10) where a frame's cell, an option and mme.dispensing_mme refuse it
        ({"quantity": "1_0"}, "quantity must be a number in the digits 0-9 (e.g. 10 or 2.5), not '1_0'"),
        ({"days_supply": "1_0"}, "days_supply must be a number in the digits 0-9 (e.g. 10 or 2.5), not '1_0'"),
        ({"days_supply": "\u0663\u0660"}, "days_supply must be a number in the digits 0-9"),
        ({"quantity": True}, "quantity must be a number, not True"),
        ({"days_supply": True}, "days_supply must be a number, not True"),
        ({"package_ml": "1_0"}, "package_ml must be a number in the digits 0-9"),
    ],
)
def test_a_number_field_reads_text_and_types_as_every_path_does(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        fill(**bad)
    assert fill(quantity=" 10 ", days="30", package_ml="2.5").quantity == 10  # plain numbers as text are read


@pytest.mark.parametrize(
    "when",
    [datetime(2024, 12, 31, 23, 30), datetime(2024, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
     "2024-12-31T23:30:00-05:00", "2024-12-31 00:00:00", " 2024-12-31 "],
)  # fmt: skip
def test_a_fill_date_with_a_time_is_its_calendar_day_as_in_a_frame(when: object) -> None:
    """Was refused ("Datetimes provided to dates should have zero time") where mme.frames reads 31 December."""
    assert fill(fill_date=when).fill_date == date(2024, 12, 31)


def test_a_missing_fill_date_says_so() -> None:
    """pandas' NaT (a datetime) raised a bare TypeError ('float' object cannot be interpreted as an integer)."""
    import pandas as pd

    for missing in (pd.NaT, None, math.nan):
        with pytest.raises(ValidationError, match=re.escape(NO_DATE)):
            fill(fill_date=missing)


def test_a_window_of_datetimes_is_read_by_their_calendar_days() -> None:
    """A datetime start raised TypeError (datetime vs date) or, for two, pydantic's ValidationError on the result."""
    fills = [fill(on=0), fill(on=40)]
    want = summarize(fills, start=DAY0, end=DAY0 + timedelta(29))
    for start, end in [
        (datetime(2023, 1, 1, 23, 59), DAY0 + timedelta(29)),
        (datetime(2023, 1, 1, 12), datetime(2023, 1, 30, 8)),
        (datetime(2023, 1, 1, 12, tzinfo=UTC), datetime(2023, 1, 30, 23, tzinfo=timezone(timedelta(hours=9)))),
    ]:
        got = summarize(fills, start=start, end=end)
        assert got == want
        assert (got.start, got.end) == (DAY0, DAY0 + timedelta(29))


def test_exposure_past_the_last_date_is_a_dose_error() -> None:
    """Was a bare ValueError (year 10000 is out of range); summarize counts the same fill by days."""
    late = fill(fill_date=date(9999, 12, 1), days=60)
    with pytest.raises(mme.DoseError, match="runs past 9999-12-31"):
        exposure([late])
    assert summarize([late], start=date(9999, 12, 1), end=date(9999, 12, 31)).total_days_supply == 31


def test_summarize_rejects_mixed_patients_empty_input_and_reversed_window() -> None:
    with pytest.raises(mme.DoseError, match="2 patients"):
        summarize([fill(), fill(patient_id="p2")], **window(30))
    with pytest.raises(mme.DoseError, match="2 patients"):
        exposure([fill(), fill(patient_id="p2")])
    with pytest.raises(mme.DoseError, match="nothing to summarize"):
        summarize([], **window(30))
    with pytest.raises(ValueError, match="before it starts"):
        summarize([fill()], start=DAY0, end=DAY0 - timedelta(1))


def test_summarize_by_patient() -> None:
    out = summarize_by_patient([fill(patient_id="b"), fill(patient_id="a"), fill(patient_id="b", on=2)], **window(30))
    assert list(out) == ["a", "b"]
    assert out["a"].max_daily_mme == pytest.approx(15)
    assert out["b"].max_daily_mme == pytest.approx(30)
    assert out["b"].patient_id == "b"


def test_summary_round_trip_and_thresholds() -> None:
    s = summarize([fill(strength="30 mg", quantity=60, days=30), fill(on=3)], **window(90), include_buprenorphine=False)
    assert Summary.model_validate_json(s.model_dump_json()) == s
    assert s.reached("max_daily_mme") == (50.0, 90.0)  # 105
    assert s.reached("mme_per_therapy_day") == (50.0, 90.0)  # 2805 / 30 = 93.5
    assert s.reached("mme_per_window_day") == ()
    assert s.reached("max_daily_mme", [105], inclusive=False) == ()


# -- properties -----------------------------------------------------------------------------------

DRUGS = [("oxycodone", None), ("morphine", None), ("hydromorphone", None), ("buprenorphine", "sublingual")]


@st.composite
def dispensings(draw: st.DrawFn, min_size: int = 0) -> list[Dispensing]:
    n = draw(st.integers(min_size, 6))
    out = []
    for _ in range(n):
        drug, route = draw(st.sampled_from(DRUGS))
        strength = draw(st.sampled_from(["2 mg", "5 mg", "10 mg", "30 mg"]))
        days = draw(st.integers(1, 40))
        quantity = draw(st.integers(1, 6 * days))  # at most 6 units a day: no implausible-dose warning
        out.append(fill(drug, strength, quantity=quantity, days=days, on=draw(st.integers(-40, 120)), route=route))
    return out


windows = st.builds(window, st.integers(1, 120), st.integers(-10, 60))
SETTINGS = settings(max_examples=150, deadline=None)


def _values(s: Summary) -> dict[str, object]:
    return s.model_dump(exclude={"excluded"}) | {"excluded": sorted(repr(e) for e in s.excluded)}


@SETTINGS
@given(dispensings(min_size=1), windows, st.booleans())
def test_inequalities(fills: list[Dispensing], win: Window, clip: bool) -> None:
    s = summarize(fills, **win, clip_to_window=clip)
    values = [
        v
        for v in (s.mme_per_days_supply, s.mme_per_therapy_day, s.mme_per_window_day, s.max_daily_mme)
        if v is not None
    ]
    assert all(v >= 0 for v in values)
    assert not s.failed  # every drawn fill converts: the counts and the maximum are known
    assert s.on_therapy_days is not None
    assert s.total_days_supply is not None
    has_mme = s.n_dispensings > 0 or not s.excluded  # only excluded fills in the window: no MME, never 0
    assert (s.max_daily_mme is not None) == (s.mme_per_window_day is not None) == (s.total_mme is not None) == has_mme
    assert s.on_therapy_days <= s.total_days_supply
    assert (s.mme_per_days_supply is None) == (s.mme_per_therapy_day is None) == (s.total_days_supply == 0)
    if s.mme_per_therapy_day is not None:
        assert s.mme_per_days_supply is not None
        assert s.max_daily_mme is not None
        assert s.mme_per_window_day is not None
        assert s.mme_per_days_supply <= s.mme_per_therapy_day * (1 + 1e-12)  # overlap only shrinks the denominator
        assert s.mme_per_therapy_day <= s.max_daily_mme * (1 + 1e-12)  # a mean over covered days <= their max
        if clip or s.on_therapy_days <= s.window_days:  # always when clipped; else when the window holds the fills
            assert s.mme_per_window_day <= s.mme_per_therapy_day * (1 + 1e-12)
    if clip:
        assert s.on_therapy_days <= s.window_days


@SETTINGS
@given(dispensings(min_size=1), windows, st.booleans())
def test_summary_agrees_with_the_daily_series(fills: list[Dispensing], win: Window, clip: bool) -> None:
    s = summarize(fills, **win, clip_to_window=clip)
    if clip:
        series = {d: v for d, v in exposure(fills).daily.items() if win["start"] <= d <= win["end"]}
    else:
        series = exposure([f for f in fills if win["start"] <= f.fill_date <= win["end"]]).daily
    assert s.on_therapy_days == len(series)
    if not series and s.excluded:  # only excluded fills in the window: no MME, never 0
        assert (s.total_mme, s.max_daily_mme) == (None, None)
        return
    days = exact_days(fills, win, clip=clip)
    assert s.total_mme == once(sum(days.values(), Fraction(0)))  # exact MME/day summed exactly, rounded once
    assert s.max_daily_mme == once(max(days.values(), default=Fraction(0)))
    assert series == {day: once(level) for day, level in days.items()}


def exact_days(fills: list[Dispensing], win: Window, *, clip: bool) -> dict[date, Fraction]:
    """The exact MME on each day the counted fills cover, from their strength x quantity / days x factor."""
    days: dict[date, Fraction] = {}
    for f in fills:
        if not clip and not win["start"] <= f.fill_date <= win["end"]:
            continue
        r = mme.dispensing_mme(f.drug, f.strength, quantity=f.quantity, days_supply=f.days_supply, route=f.route)
        if r.mme_per_day is None:
            continue
        rate = exact_rate(r, Fraction(f.strength.removesuffix(" mg")) * exact(f.quantity) / f.days_supply)
        for day in (f.fill_date + timedelta(i) for i in range(f.days_supply)):
            if not clip or win["start"] <= day <= win["end"]:
                days[day] = days.get(day, Fraction(0)) + rate
    return days


@SETTINGS
@given(st.data(), dispensings(min_size=1), windows, st.booleans())
def test_input_order_does_not_matter(data: st.DataObject, fills: list[Dispensing], win: Window, clip: bool) -> None:
    shuffled = data.draw(st.permutations(fills))
    assert _values(summarize(shuffled, **win, clip_to_window=clip)) == _values(
        summarize(fills, **win, clip_to_window=clip)
    )
    assert exposure(shuffled).daily == exposure(fills).daily


@SETTINGS
@given(
    dispensings(),
    windows,
    st.sampled_from(["oxycodone", "morphine"]),
    st.integers(1, 4),
    st.integers(2, 40),
    st.data(),
    st.booleans(),
)
def test_splitting_a_fill_keeps_definitions_2_3_4(
    others: list[Dispensing], win: Window, drug: str, per_day: int, days: int, data: st.DataObject, clip: bool
) -> None:
    on = data.draw(st.integers(-20, 60))
    cut = data.draw(st.integers(1, days - 1))
    whole = fill(drug, "10 mg", quantity=per_day * days, days=days, on=on)
    head = fill(drug, "10 mg", quantity=per_day * cut, days=cut, on=on)
    tail = fill(drug, "10 mg", quantity=per_day * (days - cut), days=days - cut, on=on + cut)
    # without clipping, a split can move the tail's start out of the window: a different question
    assume(clip or (win["start"] <= whole.fill_date and tail.fill_date <= win["end"]))
    a = summarize([*others, whole], **win, clip_to_window=clip)
    b = summarize([*others, head, tail], **win, clip_to_window=clip)
    for name in ("mme_per_days_supply", "mme_per_therapy_day", "mme_per_window_day", "max_daily_mme", "total_mme"):
        before, after = getattr(a, name), getattr(b, name)
        if before is None:  # 0/0: nothing of the split fill (nor of the others) counted in the window
            assert after is None, name
        else:
            assert after == before, name  # exact sums of the same decimals
    assert (b.on_therapy_days, b.total_days_supply) == (a.on_therapy_days, a.total_days_supply)


@SETTINGS
@given(dispensings(min_size=1), windows, st.booleans(), st.integers(0, 10**6))
def test_a_failed_fill_in_the_window_is_never_counted_as_zero(
    fills: list[Dispensing], win: Window, clip: bool, where: int
) -> None:
    """Propagated: no totals at all. Dropped: exactly the summary without the fill, which is still listed, where
    another fill counts; where none does, no totals either (the patient's MME is unknown, not 0)."""
    span = (win["end"] - win["start"]).days + 1
    bad = fill("unobtainium", on=(win["start"] - DAY0).days + where % span)  # filled inside the window
    with_bad = [*fills[: where % len(fills)], bad, *fills[where % len(fills) :]]
    s = summarize(with_bad, **win, clip_to_window=clip)
    assert [getattr(s, name) for name in TOTALS] == [None] * len(TOTALS)
    assert [f.dispensing for f in s.failed] == [bad]
    dropped = summarize(with_bad, **win, clip_to_window=clip, on_failed="drop")
    without = summarize(fills, **win, clip_to_window=clip, on_failed="drop")
    if without.n_dispensings:
        assert _values(dropped) == _values(without) | {"failed": dropped.model_dump()["failed"]}
    else:
        assert [getattr(dropped, name) for name in TOTALS] == [None] * len(TOTALS)


# -- every number a summary reports is exact, rounded once as the engine rounds a result ------------------------


def test_one_fill_gives_its_own_mme_per_day_to_every_definition() -> None:
    """13 x 2 mg hydromorphone over 3 days is 43.333333333 MME/day (cdc-2022, 5 per mg): so is each definition
    over those 3 days, where floats gave 43.333333333000006. The fill's MME is 13 x 2 x 5 = 130 exactly, not
    43.333333333 x 3 = 129.999999999: sums add the exact MME/day and round once."""
    one = fill("hydromorphone", "2 mg", quantity=13, days=3)
    per_day = mme.dispensing_mme("hydromorphone", "2 mg", quantity=13, days_supply=3).mme_per_day
    assert per_day == 43.333333333
    s = summarize([one], **window(3))
    assert (s.mme_per_days_supply, s.mme_per_therapy_day, s.mme_per_window_day, s.max_daily_mme) == (per_day,) * 4
    assert s.total_mme == 130.0


def test_a_day_of_fills_at_a_threshold_reaches_it() -> None:
    """Tramadol 50 mg twice and morphine 250 mg, each over 3 days (cdc-2022): 10/3 + 10/3 + 250/3 = 90 MME on each
    day, which is 90 MME/day reached; summing the rounded results (3.333333333 twice and 83.333333333) gave
    89.999999999, under the threshold, and a total of 269.999999997."""
    fills = [fill("tramadol", "50 mg", quantity=1, days=3), fill("tramadol", "50 mg", quantity=1, days=3),
             fill("morphine", "10 mg", quantity=25, days=3)]  # fmt: skip
    s = summarize(fills, **window(3))
    assert (s.total_mme, s.max_daily_mme, s.mme_per_window_day) == (270.0, 90.0, 90.0)
    assert s.reached("max_daily_mme") == (50.0, 90.0)
    assert set(exposure(fills).daily.values()) == {90.0}


def test_overlapping_fills_add_up_as_decimals() -> None:
    """Tramadol 1 mg over 2 days and over 1 day (cdc-2022, 0.2 per mg): 0.1 and 0.2 MME/day, 0.3 on the day they
    overlap, where a float sum gives 0.30000000000000004."""
    a, b = fill("tramadol", "1 mg", quantity=1, days=2), fill("tramadol", "1 mg", quantity=1, days=1)
    s = summarize([a, b], **window(2))
    assert s.max_daily_mme == 0.3
    assert exposure([a, b]).daily == {DAY0: 0.3, DAY0 + timedelta(1): 0.1}
    assert (s.total_mme, s.mme_per_days_supply, s.mme_per_therapy_day) == (0.4, 0.133333333, 0.2)


@SETTINGS
@given(dispensings(min_size=1), windows, st.booleans())
def test_every_number_a_summary_reports_has_at_most_nine_decimals(
    fills: list[Dispensing], win: Window, clip: bool
) -> None:
    s = summarize(fills, **win, clip_to_window=clip)
    for name in ("total_mme", *DEFINITIONS):
        value = getattr(s, name)
        assert value is None or round(value, 9) == value, (name, value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: summarize(None, **window(3)),  # type: ignore[arg-type]
        lambda: summarize([{"patient_id": "p1"}], **window(3)),  # type: ignore[list-item]
        lambda: summarize_by_patient("p1", **window(3)),  # type: ignore[arg-type]
        lambda: exposure([None]),  # type: ignore[list-item]
        lambda: summarize([fill()], start="2023-01-01", end=DAY0),  # type: ignore[arg-type]
    ],
    ids=["no fills", "a mapping", "text", "exposure of None", "a start as text"],
)
def test_arguments_of_the_wrong_type_are_argument_type_errors(call: Any) -> None:
    """They raised TypeError ('NoneType' is not iterable, '<' between date and str) or AttributeError."""
    with pytest.raises(mme.ArgumentTypeError, match=r"^(dispensings are mme.Dispensing|start and end are dates)"):
        call()

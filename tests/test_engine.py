"""The conversion engine: published worked examples, patch conventions, methadone, errors, totals."""

from __future__ import annotations

import functools
import itertools
import json
import math
import pickle
import re
import subprocess
import sys
import types
import typing
import warnings
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import mme
import mme.rxnorm
from mme._engine import CHANGES_TOLERANCE, _match, shown
from mme._units import format_number, registry
from mme._vocab import FORM_ROUTES, FORMS, PARENTERAL, ROUTES


def mme_of(*args: object, **kwargs: object) -> float:
    value = mme.daily_mme(*args, **kwargs).mme_per_day  # type: ignore[arg-type]
    assert value is not None
    return value


# -- worked examples from TABLES.md (each also lives in its table file) ----------------------------


@pytest.mark.parametrize("table", ["cdc-2022", "cdc-2016"])
def test_cdc_footnote_examples(table: str) -> None:
    assert mme_of("hydrocodone/acetaminophen", "5 mg", per_day=4, table=table) == pytest.approx(20)
    assert mme_of("oxycodone", "10 mg", per_day="bid", release="ER", table=table) == pytest.approx(30)


def test_anzca_header_example() -> None:
    assert mme_of("oxycodone", "40 mg/day", table="anzca-2021") == pytest.approx(60)


def test_patch_75_mcg_is_180_not_504() -> None:
    """A public CDS tool once reported 504 MME/day for a 75 mcg/h patch. The right answer is 180."""
    assert mme_of("fentanyl", "75 mcg/h", table="cdc-2022") == pytest.approx(180)
    result = mme.dispensing_mme("fentanyl", "75 mcg/h", quantity=10, days_supply=30, table="cms-2018")
    assert result.mme_per_day == pytest.approx(180)
    assert mme_of("fentanyl", "75 mcg/h", table="cms-2018") == pytest.approx(180)


@pytest.mark.parametrize(
    ("rate", "expected"), [("12 mcg/h", 28.8), ("25 mcg/h", 60), ("50 mcg/h", 120), ("100 mcg/h", 240)]
)
def test_fentanyl_patch_rate_convention(rate: str, expected: float) -> None:
    assert mme_of("fentanyl", rate, form="patch") == pytest.approx(expected)


def test_dispensed_patch_days_supply_rule() -> None:
    """CDC: set days supply = patches x 3 first; a recorded 10-day supply does not triple the MME."""
    result = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=10, table="cms-2018")
    assert result.mme_per_day == pytest.approx(60)
    assert result.days_supply == 30
    assert any("replaced" in w for w in result.warnings)


def test_both_patch_conventions_mean_the_same() -> None:
    rate = mme.daily_mme("fentanyl", "25 mcg/h", table="cdc-2022")
    dispensed = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30, table="cms-2018")
    assert rate.mme_per_day == pytest.approx(dispensed.mme_per_day)
    assert dispensed.factor == Decimal("7.2")
    assert "dispensed patch worn 3 days" in dispensed.factor_basis


def test_patch_given_per_day_or_in_mg_per_hour() -> None:
    with pytest.warns(
        mme.ImplausibleDoseWarning, match=r"labelled per hour; .* \(mcg/day\) and read as delivered per day"
    ):
        assert mme_of("fentanyl", "600 mcg/day") == pytest.approx(60)
    assert mme_of("fentanyl", "0.025 mg/h") == pytest.approx(60)
    assert mme_of("fentanyl", "25 mcg/h", count=2) == pytest.approx(120)


# -- methadone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("daily_mg", "factor"),
    [(0.5, 4), (10, 4), (20, 4), (20.5, 8), (21, 8), (40, 8), (40.01, 10), (60, 10), (60.5, 12), (80, 12), (200, 12)],
)
def test_cdc_2016_methadone_tiers_have_no_gap(daily_mg: float, factor: int) -> None:
    result = mme.daily_mme("methadone", f"{daily_mg} mg/day", table="cdc-2016")
    assert result.factor == factor
    assert result.mme_per_day == pytest.approx(daily_mg * factor)
    assert result.tier is not None


def test_methadone_tier_uses_methadone_daily_dose() -> None:
    assert mme_of("methadone", "10 mg", per_day="tid", table="cdc-2016") == pytest.approx(240)
    assert mme_of("methadone", "10 mg", per_day="tid", table="cdc-2022") == pytest.approx(141)


def test_methadone_above_80_warns_in_result() -> None:
    result = mme.daily_mme("methadone", "100 mg/day", table="cdc-2016")
    assert result.mme_per_day == pytest.approx(1200)
    assert any("80" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("daily", "mme_per_day", "warns"),
    [
        ("80", Fraction(960), False),  # the last printed band's top ("61-80"): defined, no warning
        ("80.0000000004", Fraction("960.0000000048"), False),  # reported as 80 mg/day: the band's edge
        ("80.000000001", Fraction("960.000000012"), True),  # reported above 80
        ("80.5", Fraction(966), True),
    ],
)
def test_methadone_warns_only_above_the_last_printed_band(daily: str, mme_per_day: Fraction, warns: bool) -> None:
    """CDC 2016 prints methadone up to 80 mg/day (its file's warn_above): 80 itself gets 12 with no warning, any
    daily dose reported above it gets 12 and says the source defines nothing there (docs/methadone.md)."""
    result = mme.daily_mme("methadone", f"{daily} mg/day", table="cdc-2016")
    assert (result.factor, result.tier and result.tier.printed) == (Decimal(12), ">=61-80")
    assert result.mme_per_day_exact == mme_per_day
    above = "the daily amount is above 80 mg/day, where the source defines no factor; its last tier (12) was applied"
    assert result.warnings == ((above,) if warns else ())


def test_cms_methadone_requires_a_choice() -> None:
    with pytest.raises(mme.AmbiguousDoseError, match=r"flat.*tiers|tiers.*flat"):
        mme.daily_mme("methadone", "30 mg/day", table="cms-2018")
    assert mme_of("methadone", "30 mg/day", table="cms-2018", variant="flat") == pytest.approx(90)
    tiered = mme.daily_mme("methadone", "30 mg/day", table="cms-2018", variant="tiers")
    assert tiered.mme_per_day == pytest.approx(240)
    assert tiered.variant == "tiers"
    with pytest.raises(mme.AmbiguousDoseError, match="no variant"):
        mme.daily_mme("methadone", "30 mg/day", table="cms-2018", variant="sliding")


# -- units, liquids, frequencies -------------------------------------------------------------------


def test_results_that_are_no_collection_are_a_typed_error() -> None:
    """A pint Quantity and a 0-d array say they are iterable, then raise a bare TypeError when iterated: `total`,
    `exposure` and thresholds were pint's "'int' object is not iterable" and NumPy's "iteration over a 0-d array"."""
    import numpy as np

    for wrong in (registry().Quantity(10, "mg"), np.array(10)):
        with pytest.raises(mme.ArgumentTypeError, match=r"^total\(\) adds results .*, not "):
            mme.total(wrong)
        with pytest.raises(mme.ArgumentTypeError, match=r"^dispensings are mme.Dispensing\(...\) records, not "):
            mme.exposure(wrong)
        with pytest.raises(mme.ArgumentTypeError, match=r"^thresholds must be numbers \(MME/day\), e.g. \[50, 90\]"):
            mme.thresholds_reached(60, wrong)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("inclusive", "yes", r"inclusive must be True \(>=\) or False \(>\), not 'yes'"),
        ("inclusive", 1, r"inclusive must be True \(>=\) or False \(>\), not 1"),
        ("thresholds", ["50", "90"], r"a threshold must be a number, not '50'"),
        ("thresholds", "50", r"thresholds must be numbers \(MME/day\), e.g. \[50, 90\], not '50'"),
        ("thresholds", [50, 50], r"threshold 50 is given twice"),
    ],
)
def test_a_saved_total_reads_inclusive_and_thresholds_as_total_does(key: str, value: object, message: str) -> None:
    """A saved total read "yes" and 1 as True and ["50", "90"] as (50.0, 90.0), where `total` refuses them."""
    saved = json.loads(mme.total([mme.convert("oxycodone 10 mg q6h")], thresholds=[50, 120]).model_dump_json())
    assert mme.Total.model_validate_json(json.dumps(saved)).thresholds == (50, 120)
    _refused(mme.DoseError, message, lambda: mme.Total.model_validate_json(json.dumps({**saved, key: value})))
    _refused(mme.DoseError, message, lambda: mme.Total.model_validate({**saved, key: value}))


@pytest.mark.parametrize("dose", ["10 mg", "10000 mcg", "10000 µg", "10000 ug", "0.01 g", (10, "mg")])
def test_units_agree(dose: object) -> None:
    assert mme_of("oxycodone", dose, per_day=4) == pytest.approx(60)


def test_pint_quantity_is_accepted() -> None:
    q = registry().Quantity(10, "mg")
    assert mme_of("oxycodone", q, every=timedelta(hours=6)) == pytest.approx(60)


@pytest.mark.parametrize("every", ["6 h", "q6h", 6, 6.0, "every 6 hours", timedelta(hours=6), "0.25 d"])
def test_every_forms(every: object) -> None:
    assert mme_of("oxycodone", "10 mg", every=every) == pytest.approx(60)


@pytest.mark.parametrize(("code", "n"), [("qd", 1), ("QHS", 1), ("bid", 2), ("b.i.d.", 2), ("TID", 3), ("qid", 4)])
def test_per_day_codes(code: str, n: int) -> None:
    assert mme_of("morphine", "10 mg", per_day=code) == pytest.approx(10 * n)


def test_liquid_by_volume_times_concentration() -> None:
    assert mme_of("morphine", "2 mg/mL", volume="5 mL", every="4 h") == pytest.approx(60)
    assert mme_of("morphine", "10 mg/5 mL", volume="5 mL", every="4 h") == pytest.approx(60)


def test_combination_counts_the_opioid_only() -> None:
    assert mme_of("Norco", "10 mg", per_day=4) == pytest.approx(40)
    assert mme_of("oxycodone/acetaminophen", "5 mg", count=2, every="6 h") == pytest.approx(60)


def test_brand_implies_route_and_form() -> None:
    result = mme.daily_mme("Duragesic", "25 mcg/h")
    assert (result.route, result.form) == ("transdermal", "patch")
    assert mme.daily_mme("OxyContin", "20 mg", per_day=2).release == "ER"


def test_butorphanol_bottle_example() -> None:
    result = mme.dispensing_mme("butorphanol", "10 mg/mL", quantity=1, package_ml=2.5, days_supply=30, table="cms-2018")
    assert result.mme_per_day == pytest.approx(35 / 6)


def test_dispensing_oxycodone_example() -> None:
    result = mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30)
    assert result.mme_per_day == pytest.approx(60)
    assert result.days_supply == 30


# -- no silent guesses ------------------------------------------------------------------------------


def test_excluded_drug_gives_no_mme_with_reason() -> None:
    result = mme.daily_mme("buprenorphine", "10 mcg/h", form="patch")
    assert result.mme_per_day is None
    assert result.excluded
    assert "buprenorphine" in result.excluded.lower()
    assert "no MME" in str(result)


def test_drug_not_in_table_names_tables_that_cover_it() -> None:
    with pytest.raises(
        mme.NotCoveredError, match=r"^cdc-2016 has no factor for tramadol\..* cover it: .*cdc-2022"
    ) as info:
        mme.daily_mme("tramadol", "50 mg", per_day=2, table="cdc-2016")
    assert "cdc-2022" in info.value.covered_by
    assert isinstance(info.value, LookupError)


def test_route_not_in_table() -> None:
    with pytest.raises(mme.NotCoveredError, match="anzca-2021"):
        mme.daily_mme("morphine", "5 mg", every="4 h", route="IV", table="cdc-2022")
    assert mme_of("morphine", "5 mg", every="4 h", route="IV", table="anzca-2021") == pytest.approx(90)


def test_unknown_drug_suggests() -> None:
    with pytest.raises(mme.UnknownDrugError, match=r"^unknown drug 'oxycodon'\. Did you mean: oxycodone") as info:
        mme.daily_mme("oxycodon", "5 mg", per_day=1)
    assert "oxycodone" in info.value.suggestions


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"route": "nasel"}, r"unknown route 'nasel'\. Did you mean: nasal"),
        ({"form": "gummy"}, r"unknown form 'gummy'\..* Known forms: .*tablet"),
        ({"release": "slow"}, r"unknown release type 'slow'; use IR or ER"),
    ],
)
def test_an_unknown_route_form_or_release_is_an_unknown_term(option: dict[str, str], message: str) -> None:
    """Was a plain UnitError: no unit is wrong. Handlers of UnitError (and LookupError) still catch it."""
    with pytest.raises(mme.UnknownTermError, match=message) as info:
        mme.daily_mme("oxycodone", "10 mg", per_day=4, **option)  # type: ignore[arg-type]
    assert isinstance(info.value, mme.UnitError)
    assert isinstance(info.value, LookupError)


def test_unknown_table() -> None:
    with pytest.raises(mme.UnknownTableError, match="cdc-2022"):
        mme.daily_mme("oxycodone", "5 mg", per_day=1, table="cdc-2099")


@pytest.mark.parametrize(
    ("dose", "error", "message"),
    [
        ("-5 mg", mme.DoseError, "dose must be a positive finite number"),
        ("0 mg", mme.DoseError, "dose must be a positive finite number"),
        ("nan mg", mme.DoseError, "dose must be a positive finite number"),
        ("inf mg", mme.DoseError, "dose must be a positive finite number"),
        ("5", mme.UnitError, "a unit is required"),
        (5, mme.UnitError, "dose 5 has no unit"),
        ("5 kg/m", mme.UnitError, "unknown unit 'kg/m'"),
        ("5 mL", mme.UnitError, "the dose is a volume"),
        ("5 furlongs", mme.UnitError, "unknown unit 'furlongs'"),
        ("five mg", mme.UnitError, "cannot read an amount in 'five mg'"),
        ((float("nan"), "mg"), mme.DoseError, "dose must be a positive finite number"),
        ((True, "mg"), mme.ArgumentTypeError, "dose must be a number, not True"),
        (None, mme.ArgumentTypeError, "dose must be text such as '10 mg'.* not None"),
    ],
)
def test_bad_doses_raise_typed_errors(dose: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=f"^{message}"):
        mme.daily_mme("oxycodone", dose, per_day=2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"how often is the dose taken\?"),
        ({"per_day": 0}, "per_day must be a positive finite number"),
        ({"per_day": -1}, "per_day must be a positive finite number"),
        ({"per_day": float("inf")}, "per_day must be a positive finite number"),
        ({"per_day": "sometimes"}, "unknown frequency 'sometimes'"),
        ({"every": "whenever"}, "cannot read the interval 'whenever'"),
        ({"every": 0}, r"every \(hours\) must be a positive finite number"),
        ({"per_day": 2, "every": "6 h"}, "give per_day or every, not both"),
        ({"per_day": 2, "count": 0}, "count must be a positive finite number"),
    ],
)
def test_bad_frequencies(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(mme.DoseError, match=f"^{message}"):
        mme.daily_mme("oxycodone", "10 mg", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": 0, "days_supply": 30}, "quantity must be a positive finite number"),
        ({"quantity": 10, "days_supply": 0}, "days_supply must be a positive finite number"),
        ({"quantity": -1, "days_supply": 30}, "quantity must be a positive finite number"),
        ({"quantity": 10, "days_supply": float("nan")}, "days_supply must be a positive finite number"),
    ],
)
def test_bad_dispensings(kwargs: dict[str, typing.Any], message: str) -> None:
    with pytest.raises(mme.DoseError, match=f"^{message}$"):
        mme.dispensing_mme("oxycodone", "10 mg", **kwargs)


def test_wrong_dimension_for_the_row() -> None:
    with pytest.raises(mme.NotCoveredError, match="mcg/h"):
        mme.daily_mme("fentanyl", "100 mcg", per_day=1, table="cdc-2022")
    with pytest.raises(mme.UnitError, match="concentration"):
        mme.daily_mme("morphine", "2 mg/mL", per_day=4)
    with pytest.raises(mme.UnitError, match="volume only goes with a concentration dose"):
        mme.daily_mme("morphine", "10 mg", volume="5 mL", per_day=4)
    with pytest.raises(mme.DoseError, match="daily total"):
        mme.daily_mme("morphine", "40 mg/day", per_day=2)


def test_ambiguous_fentanyl_transmucosal_needs_route() -> None:
    with pytest.raises(mme.AmbiguousDoseError, match="route"):
        mme.daily_mme("fentanyl", "100 mcg", per_day=4, table="cms-2018")
    nasal = mme.daily_mme("fentanyl", "100 mcg", per_day=4, route="nasal", form="spray", table="cms-2018")
    assert nasal.mme_per_day == pytest.approx(400 * 0.16)
    assert nasal.daily_dose_unit == "mcg/day"


def test_implausible_dose_warns() -> None:
    with pytest.warns(mme.ImplausibleDoseWarning, match="implausible"):
        result = mme.daily_mme("hydromorphone", "1000 mg", per_day=4)
    # 1,000 mg x 4 = 4,000 mg/day, x 5 (cdc-2022's hydromorphone factor) = 20,000 MME/day
    assert result.warnings == (
        "the result is above 10,000 MME/day, which is implausible: check the unit (mcg typed as mg?) and the amounts",
    )


def test_mcg_typed_as_mg_warns() -> None:
    with pytest.warns(mme.ImplausibleDoseWarning, match="mcg"):
        mme.daily_mme("fentanyl", "100 mg", per_day=1, route="nasal", form="spray", table="cms-2018")


# -- results ----------------------------------------------------------------------------------------


def test_result_names_table_factor_and_reads_as_text_and_json() -> None:
    result = mme.daily_mme("oxycodone", "10 mg", every="6 h")
    assert (result.table, result.factor, result.daily_dose, result.daily_dose_unit) == (
        "cdc-2022",
        Decimal("1.5"),
        40,
        "mg/day",
    )
    assert result.table_version == mme.get_table("cdc-2022").version
    assert "60 MME/day" in str(result)
    payload = json.loads(result.model_dump_json())
    assert payload["mme_per_day"] == 60
    assert mme.DailyMME.model_validate_json(result.model_dump_json()) == result


def test_results_print_two_decimals() -> None:
    """10 mg x 10 tablets over 3 days is 33.333... mg/day (factor 1): its MME/day printed 33.33, its daily dose with
    every digit the result keeps (a dose shortened could cross a methadone tier edge), its fields keep the digits."""
    result = mme.dispensing_mme("morphine", "10 mg", quantity=10, days_supply=3)
    assert result.mme_per_day == pytest.approx(100 / 3)
    assert str(result) == "morphine oral: 33.333333333 mg/day x 1 (per mg) = 33.33 MME/day [cdc-2022]"
    total = mme.total([result], thresholds=(33.34, 50))  # 33.33 is on the side 33.333... is: below 33.34
    assert str(total).splitlines()[-1] == "total: 33.33 MME/day [cdc-2022]; thresholds reached: none"


@pytest.mark.parametrize(
    ("text", "thresholds", "inclusive", "dose", "shown", "reached"),
    [
        ("oxycodone 59.999 mg daily", (50, 90), True, "59.999", "89.999", ">= 50"),  # "90" reads as reaching 90
        ("codeine 599.97 mg daily", (50, 90), True, "599.97", "89.996", ">= 50"),  # 89.9955: "90" at 2 decimals
        ("oxycodone 33.3334 mg daily", (50, 90), False, "33.3334", "50.0001", "> 50"),  # "50" is not > 50
        ("morphine 50.004 mg daily", (50.004,), True, "50.004", "50.004", ">= 50.004"),  # "50" is below it
        ("oxycodone 59.99999999 mg daily", (50, 90), True, "59.99999999", "89.99999999", ">= 50"),  # dose: every digit
        ("morphine 44.444 mg daily", (44.4,), True, "44.444", "44.44", ">= 44.4"),  # 2 decimals keep its side
    ],
)
def test_a_shown_figure_stays_on_its_side_of_each_threshold(
    text: str, thresholds: tuple[float, ...], inclusive: bool, dose: str, shown: str, reached: str
) -> None:
    """A printed MME/day is 2 decimals unless they would put it past a threshold the result does not reach (or short
    of one it reaches): then as many more as keep it on its side. The daily dose shows the digits it has."""
    item = mme.convert(text)
    result = mme.total([item], thresholds=thresholds, inclusive=inclusive)
    assert str(result).splitlines() == [
        f"{item.drug} oral: {dose} mg/day x {item.factor} (per mg) = {shown} MME/day [cdc-2022]",
        f"total: {shown} MME/day [cdc-2022]; thresholds reached: {reached}",
    ]
    figure = float(shown)
    assert tuple(t for t in result.thresholds if (figure >= t if inclusive else figure > t)) == result.reached


def test_a_result_alone_prints_on_the_side_of_cdc_thresholds() -> None:
    assert str(mme.convert("oxycodone 59.999 mg daily")).endswith("= 89.999 MME/day [cdc-2022]")
    assert str(mme.convert("oxycodone 60.001 mg daily")).endswith("= 90 MME/day [cdc-2022]")  # 90.0015 reaches 90


@pytest.mark.parametrize(
    ("text", "table", "dose", "tier"),
    [
        ("methadone 20.00001 mg/day", "cdc-2016", "20.00001", "21-40"),  # "20 mg/day" reads as tier 1-20
        ("methadone 40.00004 mg/day", "cdc-2016", "40.00004", "41-60"),
        ("methadone 10.000005 mg bid", "cdc-2016", "20.00001", "21-40"),
    ],
)
def test_a_daily_dose_is_never_printed_across_a_tier_edge(text: str, table: str, dose: str, tier: str) -> None:
    item = mme.convert(text, table=table)
    assert f": {dose} mg/day x {item.factor} (per mg, tier {tier}) = " in str(item)
    assert item.tier is not None
    assert item.tier.contains(float(dose))  # the dose shown is in the tier shown


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("oxycodone 59.99999 mg/day", "cdc-2022"),
        ("morphine 49.999999 mg/day", "cdc-2022"),
        ("fentanyl patch 37.49999999 mcg/h", "cdc-2022"),
        ("tapentadol ER 112.49999 mg bid", "cdc-2022"),
        ("morphine 10 mg 7 times a day", "cdc-2022"),
        ("fentanyl 25 mcg/h patch", "cdc-ndc-2018"),  # the factor is per patch worn 3 days: "/ 3 days" on the line
        ("fentanyl 37.5 mcg/h patch", "cms-2018"),
    ],
)
def test_a_printed_equation_multiplies_out(text: str, table: str) -> None:
    """The daily dose printed, times the factor printed (over the wear days printed), is the result's MME/day."""
    item = mme.convert(text, table=table)
    line = re.fullmatch(r".*?: (\S+) \S+ x (\S+)(?: / (\d+) days)? \(.*\) = (\S+) MME/day \[.*\]", str(item))
    assert line is not None, str(item)
    dose, factor, days, figure = line.groups()
    value = Fraction(dose) * Fraction(factor) / int(days or 1)
    assert round(float(value), 9) == item.mme_per_day
    assert abs(float(figure) - item.mme_per_day) <= 0.005  # and the MME/day printed is that, to 2 decimals


@pytest.mark.parametrize(
    ("text", "options", "figure"),
    [
        ("morphine 89.99999 mg every other day", {}, "a day with a dose has 89.99999 MME"),  # not 90
        ("morphine 2469134 mg every other day", {}, "a day with a dose has 2469134 MME"),  # not 2.46913e+06
        ("morphine 0.00001 mg every other day", {}, "a day with a dose has 0.00001 MME"),  # not 1e-05
        ("morphine 44.99999 mg 1-2 tabs q24h", {"range": "min"}, "the maximum of the range: 89.99998 MME/day"),
        ("morphine 0.000024691 mg 1-2 tabs q24h", {"range": "max"}, "the minimum of the range: 0.000024691 MME/day"),
    ],
)
def test_a_warning_prints_its_figure_with_every_digit(text: str, options: dict[str, str], figure: str) -> None:
    """A figure in a warning is read beside any threshold: every digit it has, never an exponent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)  # 1234567 MME/day: the figure is the point
        said = mme.convert(text, **options).warnings  # type: ignore[arg-type]
    assert any(w.endswith(figure) for w in said), said


def test_a_positive_figure_never_prints_as_0() -> None:
    """A dose too small to be real is still not "no opioid": its first significant digits are shown."""
    item = mme.convert("oxycodone 0.000000001 mg q6h")
    assert str(item).startswith("oxycodone oral: 0.000000004 mg/day x 1.5 (per mg) = 0.000000006 MME/day")
    assert [shown(0.0002, (50, 90), places=2), shown(0.00012345, places=2), shown(0.0, places=2)] == [
        "0.0002", "0.00012", "0",
    ]  # fmt: skip


def test_a_figure_never_prints_in_exponent_form_nor_binary_digits() -> None:
    assert shown(4e300) == "4" + "0" * 300  # f"{4e300:.2f}" has the float's binary digits
    assert [shown(1e-05), shown(2.5e16, places=2), shown(-0.0)] == ["0.00001", "25000000000000000", "0"]


def test_items_print_on_their_side_of_the_total_s_thresholds_and_the_total_is_rounded_once() -> None:
    """Items shown at 2 decimals may not add up to the total shown (docs/clinicians.md): none crosses a threshold."""
    doses = ("29.99999", "30", "30")
    result = mme.total([mme.convert(f"morphine {dose} mg/day") for dose in doses], thresholds=(30, 90))
    assert [line.split(" = ")[-1] for line in str(result).splitlines()[:3]] == [
        "29.99999 MME/day [cdc-2022]", "30 MME/day [cdc-2022]", "30 MME/day [cdc-2022]",
    ]  # fmt: skip
    assert str(result).splitlines()[-1] == "total: 89.99999 MME/day [cdc-2022]; thresholds reached: >= 30"
    beside_cdc = str(mme.total([mme.convert(f"morphine {dose} mg/day") for dose in doses]))
    assert [line.split(" = ")[-1] for line in beside_cdc.splitlines()[:3]] == ["30 MME/day [cdc-2022]"] * 3
    assert beside_cdc.splitlines()[-1] == "total: 89.99999 MME/day [cdc-2022]; thresholds reached: >= 50"


def test_a_figure_with_more_digits_than_a_result_keeps_prints_every_digit() -> None:
    """A result saved by 0.1.0 (unrounded, no exact value) may be within 1e-9 of a threshold: shown in full."""
    saved = mme.convert("oxycodone 60 mg daily").model_dump()
    saved.update(mme_per_day=89.9999999999, mme_per_day_exact=None, daily_dose=59.9999999999333)
    loaded = mme.DailyMME.model_validate(saved)
    assert str(loaded) == "oxycodone oral: 59.9999999999333 mg/day x 1.5 (per mg) = 89.9999999999 MME/day [cdc-2022]"


@pytest.mark.parametrize("threshold", [50.0000000001, 89.9999999995, 33.333])
def test_a_threshold_prints_as_given(threshold: float) -> None:
    """A threshold printed at 2 decimals said ">= 50" for 50.0000000001 and ">= 90" for 89.9999999995: a total of 90
    "reached >= 90" though below the threshold it reached."""
    total = mme.total([mme.convert("morphine 100 mg daily")], thresholds=[threshold])
    assert str(total).endswith(f"thresholds reached: >= {threshold!r}")


def test_total_keeps_excluded_items_visible() -> None:
    items = [
        mme.daily_mme("oxycodone", "10 mg", every="6 h"),
        mme.daily_mme("fentanyl", "25 mcg/h"),
        mme.daily_mme("Butrans", "10 mcg/h"),
    ]
    result = mme.total(items)
    assert result.mme_per_day == pytest.approx(120)
    assert [i.drug for i in result.excluded] == ["buprenorphine"]
    assert result.reached == (50, 90)
    assert "total: 120 MME/day" in str(result)
    assert mme.Total.model_validate_json(result.model_dump_json()) == result


def test_a_dose_type_names_what_is_accepted() -> None:
    """`DoseLike` was ``... | object``, which let any argument through the type checker; each kind it names reads."""
    from mme._engine import DoseLike
    from mme._units import Amount, QuantityLike, amount

    assert set(typing.get_args(DoseLike)) == {str, Amount, tuple[float | Decimal, str], QuantityLike}
    readings = [
        mme.daily_mme("oxycodone", dose, per_day=4).mme_per_day
        for dose in (
            "10 mg",
            (10, "mg"),
            (Decimal("10"), "mg"),
            amount("10 mg"),
            registry().Quantity(10, "mg"),
        )
    ]
    assert readings == [60.0] * 5  # 10 mg x 4 x 1.5


@pytest.mark.parametrize(
    ("thresholds", "error", "message"),
    [
        ([math.nan], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not nan"),
        ([50, -1], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not -1"),
        ([0], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not 0"),
        ([-0.0], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not -0.0"),
        ([math.inf], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not inf"),
        ([Decimal("sNaN")], mme.DoseError, "a threshold must be a finite number above 0 (MME/day, e.g. 50 or 90), not "
         "Decimal('sNaN')"),
        ([True], mme.ArgumentTypeError, "a threshold must be a number, not True"),
        (["50"], mme.ArgumentTypeError, "a threshold must be a number, not '50'"),
        ([50, 50.0], mme.DoseError, "threshold 50.0 is given twice: give each threshold once"),
    ],
)  # fmt: skip
def test_thresholds_are_finite_numbers_above_0_each_given_once(
    thresholds: list[object], error: type[mme.MMEError], message: str
) -> None:
    """As `mme convert --threshold` reads them: a NaN, 0, negative or infinite threshold (reached by everything, or by
    nothing) was taken as given ((-1.0, 0.0) reached), True as 1, and a threshold given twice was reached twice."""
    item = mme.daily_mme("oxycodone", "10 mg", every="6 h")
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        mme.total([item], thresholds=thresholds)  # type: ignore[arg-type]
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        mme.thresholds_reached(60.0, thresholds)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.inf, -1.0, math.nan, Decimal("sNaN"), True])
def test_the_daily_mme_a_threshold_is_compared_with_is_a_finite_number_0_or_more(value: object) -> None:
    error = mme.ArgumentTypeError if value is True else mme.DoseError
    with pytest.raises(error, match=r"^the daily MME must be a"):
        mme.thresholds_reached(value)  # type: ignore[arg-type]
    assert (mme.thresholds_reached(None), mme.thresholds_reached(0.0), mme.thresholds_reached(90)) == ((), (), (50, 90))


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (60.0, 2, "60"),
        (-0.0, None, "0"),
        (2.5, 2, "2.5"),
        (13.333333333, 2, "13.33"),  # shown to 0.01; the field keeps every digit
        (59.999, 2, "60"),
        (0.001, 2, "0"),
        (0.025, None, "0.025"),
        (999_999_999_999_999.0, None, "999999999999999"),  # the largest whole number written out in full
        (1e15, None, "1000000000000000.0"),  # from 1e15 on, repr: exact, and never a wall of digits
        (1e20, 2, "100000000000000000000"),
    ],
)
def test_numbers_are_written_as_a_person_writes_them(value: float, places: int | None, text: str) -> None:
    assert format_number(value, places) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_written_in_full_reads_back_exactly(value: float) -> None:
    assert float(format_number(value)) == value
    shown = format_number(value, 2)
    assert abs(float(shown) - value) <= 0.005 * (1 + 1e-9) + abs(value) * 1e-15
    assert not shown.endswith(".")
    assert "." not in shown or not shown.endswith("0")


def test_total_of_only_excluded_items_is_none_not_zero() -> None:
    result = mme.total([mme.daily_mme("Butrans", "10 mcg/h")])
    assert result.mme_per_day is None
    assert result.reached == ()


def test_a_total_adds_results_as_the_decimals_they_are() -> None:
    """Tramadol 0.5 and 1 mg/day (cdc-2022, 0.2 per mg): 0.1 + 0.2 MME/day is 0.3, not 0.30000000000000004;
    results each finite whose sum is not raise, never a bare OverflowError nor inf."""
    a, b = mme.daily_mme("tramadol", "0.5 mg", per_day=1), mme.daily_mme("tramadol", "1 mg", per_day=1)
    assert (a.mme_per_day, b.mme_per_day, mme.total([a, b]).mme_per_day) == (0.1, 0.2, 0.3)
    with pytest.warns(mme.ImplausibleDoseWarning):
        huge = mme.dispensing_mme("oxycodone", "1e300 mg", quantity=1e8, days_supply=1)
    with pytest.raises(mme.DoseError, match=r"^the items' MME/day add up past the largest float"):
        mme.total([huge, huge])


@pytest.mark.parametrize(("morphine", "total", "reached"), [(250, 90.0, (50.0, 90.0)), (130, 50.0, (50.0,))])
def test_a_total_adds_the_items_exact_mme_and_reaches_a_threshold_it_meets(
    morphine: int, total: float, reached: tuple[float, ...]
) -> None:
    """Tramadol 50 mg q72h twice (10/3 MME/day each, cdc-2022) and morphine 250 mg q72h (250/3): 90 MME/day, which
    reaches 90; the rounded items (3.333333333 twice, 83.333333333) summed to 89.999999999 and reached 50 only. With
    morphine 130 mg: 50, which the rounded items (49.999999999) did not reach."""
    tramadol, other = mme.convert("tramadol 50 mg q72h"), mme.convert(f"morphine {morphine} mg q72h")
    assert (tramadol.mme_per_day, tramadol.mme_per_day_exact) == (3.333333333, Fraction(10, 3))
    summed = mme.total([tramadol, tramadol, other])
    assert (summed.mme_per_day, summed.reached) == (total, reached)
    assert f"total: {total:g} MME/day" in str(summed)


@given(st.sampled_from(["oxycodone", "morphine", "hydromorphone", "tramadol", "methadone", "tapentadol"]),
       st.integers(1, 400), st.integers(1, 96))  # fmt: skip
def test_a_result_is_its_exact_mme_rounded_once(drug: str, milligrams: int, hours: int) -> None:
    """`mme_per_day_exact` is the dose x times a day x factor as a fraction, and `mme_per_day` is it rounded once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # implausible doses are results too
        table = "cdc-2016" if drug == "methadone" else "cdc-2022"  # methadone's bands
        result = mme.daily_mme(drug, f"{milligrams} mg", every=f"{hours} h", table=table)
    assert result.factor is not None
    assert result.mme_per_day_exact == Fraction(milligrams * 24, hours) * Fraction(result.factor)
    assert result.mme_per_day == float(round(result.mme_per_day_exact, 9))
    loaded = mme.DailyMME.model_validate_json(result.model_dump_json())
    assert loaded == result
    assert loaded.mme_per_day_exact == result.mme_per_day_exact


def test_a_result_saved_without_its_exact_mme_adds_as_the_value_its_figure_came_from() -> None:
    """A result saved before `mme_per_day_exact` existed (or without it) adds as the simplest value its rounded figure
    could come from: 10/3 + 10/3 + 250/3 MME/day are 90 (the rounded figures added to 89.999999999, short of 90), and
    three cdc-2016 methadone items of 20/3 mg/day are 20 mg/day, the first band (rounded, 20.000000001: the next)."""
    items = [mme.convert(t) for t in ("tramadol 50 mg q72h", "tramadol 50 mg q72h", "morphine 250 mg q72h")]
    saved = [mme.DailyMME.model_validate(i.model_dump(exclude={"mme_per_day_exact"})) for i in items]
    assert all(i.mme_per_day_exact is None for i in saved)
    assert mme.total(saved).mme_per_day == 90.0
    assert mme.total(saved).reached == (50.0, 90.0)
    methadone = mme.convert("methadone 20 mg q72h", table="cdc-2016")
    old = mme.DailyMME.model_validate(methadone.model_dump(exclude={"mme_per_day_exact"}))
    assert old.daily_dose == 6.666666667
    assert mme.total([old] * 3).mme_per_day == 80.0


def test_a_saved_figure_under_half_a_unit_adds_as_it_is() -> None:
    """A figure saved unrounded (0.1.0) under half the 9th decimal place is not taken as 0, the simplest value near it:
    four of 0.0000000004 MME/day are 0.0000000016, 0.000000002 rounded; its line shows its digits, not 0."""
    saved = mme.convert("morphine 0.000000001 mg q6h").model_dump(exclude={"mme_per_day_exact"})
    saved.update(mme_per_day=4e-10, daily_dose=4e-10)
    item = mme.DailyMME.model_validate(saved)
    assert mme.total([item] * 4).mme_per_day == 2e-9
    assert str(item).startswith("morphine oral: 0.0000000004 mg/day x 1 (per mg) = 0.0000000004 MME/day")


def _refused(error: type[mme.MMEError], message: str, load: Callable[[], object]) -> None:
    """Loading is refused by pydantic's `ValidationError` (the models keep its contract), raised from `error`."""
    with pytest.raises(ValidationError, match=message) as caught:
        load()
    assert type(caught.value.errors()[0]["ctx"]["error"]) is error


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("mme_per_day", 999, r"mme_per_day 999.0 is not mme_per_day_exact 60 rounded \(60.0\)"),
        ("mme_per_day_exact", "1/3", r"mme_per_day 60.0 is not mme_per_day_exact 1/3 rounded \(0.333333333\)"),
        ("daily_dose", -5, "daily_dose -5.0 is not a positive finite number"),
        ("factor", "-1", "factor -1 is not a positive finite number"),
        ("days_supply", 0, "days_supply 0.0 is not a positive finite number"),
        ("mme_per_day", None, "mme_per_day None, factor 1.5 and excluded None disagree"),
        ("excluded", "why", "mme_per_day 60.0, factor 1.5 and excluded 'why' disagree"),
    ],
)
def test_a_saved_result_that_contradicts_itself_is_refused(key: str, value: object, message: str) -> None:
    """A result edited or corrupted after it was saved loaded, and `total` added its hidden exact value: 999 MME/day
    beside an exact 60 made a total of 60. Its parts must agree to load; the engine's own results skip the check."""
    saved = json.loads(mme.convert("oxycodone 10 mg q6h").model_dump_json())
    assert mme.total([mme.DailyMME.model_validate(saved)]).mme_per_day == 60
    message = "this result contradicts itself: " + message
    _refused(mme.DoseError, message, lambda: mme.DailyMME.model_validate({**saved, key: value}))
    _refused(mme.DoseError, message, lambda: mme.DailyMME.model_validate_json(json.dumps({**saved, key: value})))


def test_a_saved_exact_value_must_be_its_daily_dose_times_its_factor() -> None:
    """`mme_per_day` and `mme_per_day_exact` edited together (44.99999 for 30 mg/day x 1.5) agreed with each other and
    loaded. The exact value over the factor must round to the daily dose, as the engine rounds it."""
    saved = json.loads(mme.daily_mme("oxycodone", "10 mg", per_day=3).model_dump_json())
    edited = {**saved, "mme_per_day": 44.99999, "mme_per_day_exact": "4499999/100000"}
    message = r"mme_per_day_exact 4499999/100000 is 29.99999333\d* mg/day x 1.5, not its daily dose, 30.0"
    _refused(mme.DoseError, message, lambda: mme.DailyMME.model_validate(edited))
    # a dose of 29.99999999973 mg/day is reported as 30: its exact 44.999999999595 is the engine's own, and loads
    typed = mme.daily_mme("oxycodone", "29.99999999973 mg", per_day=1)
    assert (typed.daily_dose, typed.mme_per_day, typed.mme_per_day_exact) == (30, 45, Fraction("44.999999999595"))
    assert mme.DailyMME.model_validate_json(typed.model_dump_json()) == typed


@pytest.mark.parametrize(
    ("call", "basis"),
    [
        (
            lambda: mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30, table="cdc-ndc-2010"),
            " / 3 days",
        ),
        (lambda: mme.daily_mme("fentanyl", "12.5 mcg/h"), ""),
        (
            lambda: mme.daily_mme("buprenorphine", "75 mcg", per_day=2, route="buccal", form="film", table="heal-2025"),
            "",
        ),
        (lambda: mme.daily_mme("oxycodone", "10 mg", every=7), ""),
        (lambda: mme.total([mme.convert("methadone 10 mg bid", table="cdc-2016")] * 2).items[0], ""),
    ],
)
def test_every_kind_of_result_is_its_daily_dose_times_its_factor(call: Callable[[], mme.DailyMME], basis: str) -> None:
    """Patches (a dispensed patch's factor over its days of wear), mcg drugs, repeating doses, items re-tiered in a
    total: each loads back as it is, and a unit more in the 9th decimal of its daily dose does not."""
    result = call()
    assert mme.DailyMME.model_validate_json(result.model_dump_json()) == result
    assert result.mme_per_day_exact is not None
    off = {**result.model_dump(), "daily_dose": result.daily_dose + 1e-9}
    message = rf"x {re.escape(str(result.factor))}{basis}, not its daily dose, {re.escape(repr(off['daily_dose']))}"
    _refused(mme.DoseError, message, lambda: mme.DailyMME.model_validate(off))


def test_a_saved_excluded_or_tiered_result_loads_as_it_was() -> None:
    """An excluded item has no MME and no factor, a tiered one its tier's factor: each loads as saved."""
    excluded = mme.convert("buprenorphine 8 mg SL tablet daily")
    assert mme.DailyMME.model_validate_json(excluded.model_dump_json()) == excluded
    tiered = mme.convert("methadone 10 mg tid", table="cdc-2016")
    assert mme.DailyMME.model_validate_json(tiered.model_dump_json()) == tiered
    saved = json.loads(tiered.model_dump_json())
    _refused(
        mme.DoseError, "factor 3 is not its tier's, 8", lambda: mme.DailyMME.model_validate({**saved, "factor": 3})
    )
    _refused(
        mme.DoseError,
        "mme_per_day None, factor None and excluded None disagree",
        lambda: mme.DailyMME.model_validate({**saved, "mme_per_day": None, "factor": None, "tier": None}),
    )


def test_a_saved_total_is_its_items_total() -> None:
    """A total loaded whatever its figures said: 1 MME/day with thresholds reached at 50 and 90, items of two tables
    (which `total` refuses), no items and 90 MME/day. Its figures are recomputed by `total` itself and must agree."""
    items = [mme.convert("methadone 10 mg bid", table="cdc-2016"), mme.convert("methadone 5 mg bid", table="cdc-2016")]
    result = mme.total([*items, mme.convert("oxycodone 10 mg q6h", table="cdc-2016")], thresholds=[50, 120])
    assert result.mme_per_day == 300  # methadone tiered by 30 mg/day (8), not each alone (4): 240 + 60
    saved = json.loads(result.model_dump_json())
    assert saved["reached"] == [50, 120]
    assert mme.Total.model_validate_json(json.dumps(saved)) == result == mme.Total.model_validate(saved)
    assert mme.Total.model_validate(result) is result  # one already built is not checked again
    said = "this total contradicts itself: "
    edits: list[tuple[dict[str, object], str]] = [
        ({"mme_per_day": 1}, r"mme_per_day 1.0 is not its items' total, 300.0 \["),
        ({"reached": [50]}, r"reached \[50\] is not the thresholds its total reaches, \[50.0, 120.0\] \["),
        ({"reached": "50"}, r"reached '50' is not the thresholds"),
        ({"items": [], "mme_per_day": 300}, "mme_per_day 300.0 is not its items' total, None; reached"),
        ({"thresholds": [90], "inclusive": False}, r"reached \[50.0, 120.0\] is not the thresholds its total reaches, \[90.0\]"),
    ]  # fmt: skip
    for edit, message in edits:
        _refused(mme.DoseError, said + message, functools.partial(mme.Total.model_validate, {**saved, **edit}))
    _refused(
        mme.DoseError, "a threshold must be a finite number above 0",
        lambda: mme.Total.model_validate({**saved, "items": [], "mme_per_day": None, "thresholds": [-1]}),
    )  # fmt: skip
    other = json.loads(mme.convert("oxycodone 10 mg q6h").model_dump_json())  # cdc-2022
    _refused(
        mme.MixedTablesError,
        r"items come from different tables \(cdc-2016, cdc-2022\)",
        lambda: mme.Total.model_validate_json(json.dumps({**saved, "items": [*saved["items"], other]})),
    )
    _refused(
        mme.MixedTablesError,
        r"the items' table \(cdc-2016\) is not the total's \(cdc-2022\)",
        lambda: mme.Total.model_validate({**saved, "table": "cdc-2022"}),
    )
    empty = mme.Total.model_validate({**saved, "items": [], "mme_per_day": None, "reached": []})
    assert (empty.mme_per_day, empty.reached) == (None, ())
    alone = [json.loads(i.model_dump_json()) for i in items]  # each tiered by its own dose: 80 and 40 (4 per mg)
    _refused(
        mme.DoseError,
        said + r"item 1 \(methadone\) has factor 4 and 80.0 MME/day, where the items' total methadone dose gives 8 and "
        r"160.0; item 2 \(methadone\) has factor 4 and 40.0 MME/day, where .* gives 8 and 80.0 \[",
        lambda: mme.Total.model_validate({**saved, "items": [*alone, saved["items"][2]]}),
    )  # the total is the items' as re-tiered (300): only the items say otherwise
    by_name = types.SimpleNamespace(**{name: getattr(result, name) for name in mme.Total.model_fields})
    read = mme.Total.model_validate(by_name, from_attributes=True)
    assert read == result  # no ``reached`` given: none to contradict


def _without_exact(result: mme.Total) -> dict[str, typing.Any]:
    """A total as saved before items kept their exact MME/day."""
    saved = json.loads(result.model_dump_json())
    return {**saved, "items": [{k: v for k, v in i.items() if k != "mme_per_day_exact"} for i in saved["items"]]}


@pytest.mark.parametrize(
    ("doses", "mme_per_day"),
    [
        (("10 mg bid", "10 mg daily"), 240.0),
        (("1 mg q7h", "1 mg q7h"), 27.428571429),
        (("20 mg tid", "30 mg tid"), 1800.0),
    ],
)
def test_a_total_saved_without_exact_values_loads_with_methadone_items_tiered_together(
    doses: tuple[str, str], mme_per_day: float
) -> None:
    """Re-tiered items gain an exact MME/day, which the saved items lacked: compared whole, the items differed. 1 mg
    q7h is 3.428571429 mg/day as saved: twice, 6.857142857 mg/day at 4, 13.714285716 each, where the exact value
    rounded, as saved, is 13.714285714 (the rounded daily dose times the factor: within the tolerance)."""
    result = mme.total([mme.convert(f"methadone {d}", table="cdc-2016") for d in doses])
    saved = _without_exact(result)
    loaded = mme.Total.model_validate(saved)
    assert mme.Total.model_validate_json(json.dumps(saved)) == loaded
    assert (loaded.mme_per_day, result.mme_per_day) == (mme_per_day, mme_per_day)
    assert [i.mme_per_day_exact for i in loaded.items] == [None, None]


#: A total as `mme.total` saved it in 0.1.0: items' MME/day unrounded floats, no exact value, the total their
#: `math.fsum` (5.199999999999999 + 3.4285714285714284), not the decimals' sum rounded (8.628571429).
_SAVED_BY_0_1_0 = {
    "items": [
        {"drug": drug, "route": "oral", "form": None, "release": None, "daily_dose": dose, "daily_dose_unit": "mg/day",
         "mme_per_day": mme_per_day, "factor": factor, "factor_basis": "per mg", "tier": None, "variant": None,
         "excluded": None, "days_supply": None, "table": "cdc-2022",
         "table_version": "MMWR Recomm Rep 2022;71(No. RR-3), Table", "caution": None, "warnings": []}
        for drug, dose, mme_per_day, factor in (("codeine", 34.666666666666664, 5.199999999999999, "0.15"),
                                                ("morphine", 3.4285714285714284, 3.4285714285714284, "1"))
    ],
    "mme_per_day": 8.628571428571428, "table": "cdc-2022", "table_version": "MMWR Recomm Rep 2022;71(No. RR-3), Table",
    "thresholds": [50.0, 90.0], "inclusive": True, "reached": [],
}  # fmt: skip


def test_a_total_saved_by_0_1_0_loads_within_its_items_rounding() -> None:
    """Its total is within half a unit of the 9th decimal place (and a float step) of each item and of itself of the
    items' sum, so it loads as it was; a total edited by more, or items with exact values, are still held to it."""
    loaded = mme.Total.model_validate_json(json.dumps(_SAVED_BY_0_1_0))
    assert (loaded.mme_per_day, mme.total(loaded.items).mme_per_day) == (8.628571428571428, 8.628571429)
    said = "this total contradicts itself: mme_per_day "
    for value in (1, 8.6285714, 8.628571431):
        edit = {**_SAVED_BY_0_1_0, "mme_per_day": value}
        load = functools.partial(mme.Total.model_validate, edit)
        _refused(mme.DoseError, said + f"{float(value)!r} is not its items' total, 8.628571429", load)
    fresh = json.loads(mme.total(mme.convert(t) for t in ("codeine 13 mg q9h", "morphine 1 mg q7h")).model_dump_json())
    assert fresh["mme_per_day"] == 8.628571429
    _refused(
        mme.DoseError, said + "8.628571428 is not its items' total, 8.628571429",
        lambda: mme.Total.model_validate({**fresh, "mme_per_day": 8.628571428}),
    )  # fmt: skip


def test_a_sig_read_with_an_rxcui_is_quoted_as_it_was_given() -> None:
    """The text was read joined to the product's words, and a refusal quoted that joined text ("cannot read 'morphine'
    in 'oxycodone IR 5 mg oral tablet morphine 10 mg q6h'"), which the caller never wrote."""
    for sig in ("morphine 10 mg q6h", "oxycodone 10 mg q6h", "1 tab Percocet q6h"):
        with pytest.raises(
            mme.ExpressionError,
            match=rf"^RxCUI 1049621 is 'oxycodone IR 5 mg oral tablet', and the sig '{sig}' names a drug of its own: "
            r"with an RxCUI, say only how much and how often \('1 tab q6h'\); without one, the text names the product$",
        ):
            mme.convert(sig, rxcui="1049621")
    with pytest.raises(
        mme.ExpressionError,
        match=r"^cannot read 'blah' in the sig '1 tab q6h blah' \(after RxCUI 1049621's product, 'oxycodone IR 5 mg "
        r"oral tablet'\)\. Expected: ",
    ):
        mme.convert("1 tab q6h blah", rxcui="1049621")
    with pytest.raises(mme.ExpressionError, match=r"^expression 'oxycodone IR 5 mg oral tablet 1 tab.*is too long"):
        mme.convert("1 tab q6h" + " prn" * 300, rxcui="1049621")
    with pytest.raises(
        mme.NotCoveredError,
        match=r"lozenge' is given by transmucosal only: RxCUI 261106 states its route and form, which the table does "
        r"not cover\. Tables that cover it: ",
    ):
        mme.convert("1 lozenge q6h", rxcui="261106")
    with pytest.raises(
        mme.NotCoveredError, match=r"^cdc-2022 has no factor for meperidine injection\. It has no factor for meperidine"
    ):
        mme.convert("1 mL q4h", rxcui="861447")  # no form refused by its route: the message is the engine's


def test_total_refuses_mixed_tables_and_nothing() -> None:
    a = mme.daily_mme("oxycodone", "10 mg", per_day=1)
    b = mme.daily_mme("oxycodone", "10 mg", per_day=1, table="cdc-2016")
    with pytest.raises(mme.MixedTablesError, match=r"^items come from different tables \(cdc-2016, cdc-2022\)$"):
        mme.total([a, b])
    with pytest.raises(mme.DoseError, match="nothing to add"):
        mme.total([])


def test_total_refuses_two_variants_of_one_drug() -> None:
    """cms-2018 methadone 10 mg tid is 90 flat and 240 tiered: their sum, 330, was given, answering neither."""
    flat = mme.convert("methadone 10 mg tid", table="cms-2018", variant="flat")
    tiers = mme.convert("methadone 10 mg tid", table="cms-2018", variant="tiers")
    with pytest.raises(
        mme.MixedTablesError, match=r"^methadone items use different variants of cms-2018 \(flat, tiers\): each gives"
    ):
        mme.total([flat, tiers, mme.convert("oxycodone 10 mg q6h", table="cms-2018")])
    assert mme.total([flat, flat]).mme_per_day == 180  # 30 mg/day x 3, twice
    assert mme.total([tiers, tiers]).mme_per_day == 600  # 60 mg/day: factor 10 (41-60 mg), 30 mg/day each


def test_a_total_is_the_model_validation_makes() -> None:
    """`total` of results with a bool `inclusive` skips pydantic's validator, which would hand them back unchanged
    (and building it is most of a one-off command's start-up); any other argument is validated as before."""
    items = [mme.daily_mme("oxycodone", "10 mg", every="6 h"), mme.daily_mme("Butrans", "10 mcg/h")]
    result = mme.total(items, thresholds=[50, 90.5], inclusive=False)
    validated = mme.Total.model_validate({name: getattr(result, name) for name in mme.Total.model_fields})
    assert (result, repr(result), result.model_fields_set) == (validated, repr(validated), validated.model_fields_set)
    assert result.items[0] is items[0]
    for wrong in ("no", "maybe", 0, None):  # "no" was read as False, "yes" as True, 0 as False
        with pytest.raises(mme.ArgumentTypeError, match=r"^inclusive must be True \(>=\) or False \(>\), not "):
            mme.total(items, inclusive=wrong)  # type: ignore[arg-type]
        with pytest.raises(mme.ArgumentTypeError, match=r"^inclusive must be True"):
            mme.thresholds_reached(60, inclusive=wrong)  # type: ignore[arg-type]

    class Lookalike(typing.NamedTuple):
        table: str
        table_version: str
        mme_per_day: float

    with pytest.raises(ValidationError, match="items"):
        mme.total([Lookalike("cdc-2022", "2022", 60.0)])  # type: ignore[list-item]


@pytest.mark.parametrize(("value", "inclusive", "reached"), [(50, True, (50,)), (50, False, ()), (90, True, (50, 90))])
def test_thresholds_are_explicit(value: float, inclusive: bool, reached: tuple[float, ...]) -> None:
    assert mme.thresholds_reached(value, inclusive=inclusive) == reached
    assert mme.thresholds_reached(None) == ()
    assert mme.thresholds_reached(120, (100, 200)) == (100,)


def test_custom_table_file_works_everywhere_a_slug_goes(tmp_path: object) -> None:
    from pathlib import Path

    text = (Path(__file__).parents[1] / "conversion_tables" / "cdc-2022.toml").read_text()
    path = Path(str(tmp_path)) / "my-table.toml"
    path.write_text(text.replace('slug = "cdc-2022"', 'slug = "my-table"').replace('factor = "1.5"', 'factor = "2"'))
    table = mme.load_table(path)
    assert mme_of("oxycodone", "10 mg", per_day=4, table=table) == 80
    assert mme_of("oxycodone", "10 mg", per_day=4, table=path) == 80
    assert mme_of("oxycodone", "10 mg", per_day=4, table=str(path)) == 80
    assert mme.daily_mme("oxycodone", "10 mg", per_day=4, table=path).table == "my-table"


def test_every_table_row_converts() -> None:
    """Every factor row of every shipped table yields dose x factor (rate-equivalent for patches)."""
    checked = 0
    for table in mme.list_tables():
        for row in table.rows:
            if not row.routes:
                continue
            route, form = row.routes[0], (row.forms[0] if row.forms else None)
            kwargs = {"route": route, "form": form, "release": row.release, "variant": row.variant, "table": table}
            if row.is_patch:
                result = mme.daily_mme(row.drug, "10 mcg/h", **kwargs)  # type: ignore[arg-type]
                expected = 10 * float(row.factor or 0) / (row.wear_days or 1)
            else:
                dose = "10 mg" if row.unit == "mg" else "10 mcg"
                result = mme.daily_mme(row.drug, dose, per_day=1, **kwargs)  # type: ignore[arg-type]
                factor = row.tiers[0].factor if row.tiers else row.factor
                expected = 10 * float(factor or 0)
            assert result.mme_per_day is not None
            assert math.isclose(result.mme_per_day, expected, rel_tol=1e-12), (table.slug, row.describe())
            checked += 1
    assert checked >= 60


def test_partial_exclusion_does_not_swallow_a_covered_route() -> None:
    """cdc-ndc-2016 excludes the buprenorphine implant only: an unnamed patch still gets its factor."""
    patch = mme.dispensing_mme("buprenorphine", "5 mcg/h", quantity=4, days_supply=28, table="cdc-ndc-2016")
    assert patch.mme_per_day == pytest.approx(9)
    implant = mme.daily_mme("buprenorphine", "80 mg/day", form="implant", table="cdc-ndc-2016")
    assert implant.mme_per_day is None
    assert implant.excluded is not None
    assert "not intended to be included in MME/day calculations" in implant.excluded


def test_an_excluded_drug_says_the_route_its_exclusion_names_when_none_is_given() -> None:
    """The implant's exclusion names one route, which the result says; an exclusion of every route names none."""
    implant = mme.daily_mme("buprenorphine", "80 mg/day", form="implant", table="cdc-ndc-2016")
    assert implant.route == "subcutaneous"
    assert mme.dispensing_mme("buprenorphine", "8 mg", quantity=30, days_supply=30).route == "unspecified"


# -- trust at the edges: exact results, closed units, route defaults, slips, argument types ----------------


def test_results_are_exact_decimal_arithmetic_rounded_once() -> None:
    """Was 89.99999999999999 (binary float): a patch rate in mg/h, as RxNorm and FHIR write it, missed 90."""
    patch = mme.daily_mme("fentanyl", "0.0375 mg/h")
    assert (patch.mme_per_day, patch.daily_dose) == (90.0, 37.5)  # 0.0375 mg/h = 37.5 mcg/h; x 2.4 = 90
    assert mme.total([patch]).reached == (50.0, 90.0)
    assert mme_of("oxycodone", "0.1 mg", per_day=3) == 0.45  # 0.3 mg/day x 1.5; was 0.45000000000000007
    assert mme_of("oxycodone", "10 mg/3 mL", volume="3 mL", per_day=1) == 15.0  # 10/3 mg/mL x 3 mL: 10 mg exactly
    third = mme.daily_mme("oxycodone", "10 mg", every="7 h")  # 240/7 mg/day = 34.285714285714..., rounded once
    assert (third.daily_dose, third.mme_per_day) == (34.285714286, 51.428571429)


def test_a_result_that_rounds_to_zero_is_refused() -> None:
    with pytest.raises(mme.DoseError, match=r"rounds to 0 at 9 decimals"):
        mme.daily_mme("oxycodone", "1e-12 mg", per_day=1)
    with pytest.raises(mme.DoseError, match=r"rounds to 0 at 9 decimals"):
        mme.dispensing_mme("oxycodone", "1e-300 mg", quantity=1, days_supply=1)


@pytest.mark.parametrize(
    ("strength", "quantity", "days_supply", "table"),
    [("10 mg", 1, 1e-12, "cdc-2022"), ("10 mg", 1, 5e-10, "cdc-ndc-2018"), ("25 mcg/h", 1e-12, 30, "cdc-2022")],
)
def test_a_days_supply_that_rounds_to_zero_is_refused(
    strength: str, quantity: float, days_supply: float, table: str
) -> None:
    """Was a result stating 0.0 days: a days supply given, or of patches (count x wear days), rounds to 0."""
    drug = "fentanyl" if "mcg/h" in strength else "oxycodone"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)  # 1e13 mg/day: the error is the point
        with pytest.raises(mme.DoseError, match=r"^the days supply rounds to 0 at 9 decimals: give the number of days"):
            mme.dispensing_mme(drug, strength, quantity=quantity, days_supply=days_supply, table=table)
        least = mme.dispensing_mme("oxycodone", "10 mg", quantity=1, days_supply=6e-10, table=table)
    assert least.days_supply == 1e-9  # 6e-10 days does not round to 0: it is stated rounded, as every result is


@pytest.mark.parametrize("dose", ["10 kg", "10 lb", "10 grain", "10 mg*mg/mg", "10 g/s", "10 mg/kg", "10 m", "5 IU"])
def test_only_the_units_clinicians_write_are_accepted(dose: str) -> None:
    """Was 15,000,000 MME/day for "10 kg": pint read any unit of the right dimension."""
    with pytest.raises(mme.UnitError, match=r"unknown unit .*: use mg, mcg \(µg, ug\), g; mcg/h, mg/h, mg/day"):
        mme.daily_mme("oxycodone", dose, per_day=1)


@pytest.mark.parametrize(
    ("dose", "canonical"),
    [
        ("10 mg", 10), ("10 MG", 10), ("10 milligrams", 10), ("10000 mcg", 10), ("10000 µg", 10), ("10000 ug", 10),
        ("10000 micrograms", 10), ("0.01 g", 10), ("0.01 grams", 10), ("10 mg/tab", 10), ("10 mg per tablet", 10),
    ],
)  # fmt: skip
def test_the_closed_list_of_masses(dose: str, canonical: float) -> None:
    assert mme.daily_mme("oxycodone", dose, per_day=1).daily_dose == canonical


@pytest.mark.parametrize(
    "dose",
    ["25 mcg/h", "25 mcg/hr", "25 MCG/HR", "25 mcg per hour", "25 µg/hours", "0.025 mg/h", "0.6 mg/day", "600 mcg/d"],
)
def test_the_closed_list_of_rates(dose: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)  # a patch rate per day warns: tested below
        assert mme_of("fentanyl", dose) == 60


@pytest.mark.parametrize("dose", ["2 mg/mL", "2 MG/ML", "10 mg/5 mL", "10 mg/5mL", "2000 mcg/mL", "2 mg/cc", "2 g/L"])
def test_the_closed_list_of_concentrations(dose: str) -> None:
    assert mme.daily_mme("morphine", dose, volume="5 mL", per_day=1).daily_dose == 10
    assert mme.daily_mme("morphine", dose, volume="0.005 L", per_day=1).daily_dose == 10


def test_a_pint_quantity_is_read_through_the_same_table() -> None:
    ureg = registry()
    assert mme_of("fentanyl", ureg.Quantity(25, "microgram / hour")) == 60
    assert mme_of("oxycodone", ureg.Quantity(10, "milligram"), per_day=4) == 60
    with pytest.raises(mme.UnitError, match="unknown unit 'kg'"):
        mme.daily_mme("oxycodone", ureg.Quantity(10, "kilogram"), per_day=1)


def test_the_common_path_does_not_import_pint() -> None:
    code = "import mme, sys; mme.convert('oxycodone 10 mg q6h'); mme.daily_mme('fentanyl', '25 mcg/h'); "
    code += "print('pint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("drug", "dose", "kwargs", "message"),
    [
        # a patch rate per day: labelled per hour, so probably 24 times too low (was 2.5 MME/day, silently)
        (
            "fentanyl",
            "25 mcg/day",
            {},
            r"^fentanyl patches are labelled per hour; this rate was written per day \(mcg/day\) and read as "
            r"delivered per day: did you mean per hour\?$",
        ),
        # a drug dosed in mg given in mcg, below 0.1 mg a unit (was 0.06 MME/day, silently)
        (
            "oxycodone",
            "10 mcg",
            {"every": "6 h"},
            r"^oxycodone is dosed in mg here; mcg was given, under 0.1 mg: did you mean mg\?$",
        ),
        ("oxycodone", "50 mcg/day", {}, r"^oxycodone is dosed in mg here; mcg/day was given, under 0.1 mg"),
        # its mirror, which was already there: a drug dosed in mcg given in mg, from 5 mg a day
        ("fentanyl", "25 mg/h", {}, r"fentanyl is dosed in mcg here; mg/h was given: did you mean mcg\?"),
        # a drug dosed in mg given in grams, from 1,000 mg a day (was 3,000 MME/day, silently)
        (
            "oxycodone",
            "0.5 g",
            {"every": "6 h"},
            r"^oxycodone is dosed in mg here; g was given, 1,000 mg a day or more: did you mean mg\?$",
        ),
    ],
)
def test_unit_slips_warn_in_both_directions(drug: str, dose: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.warns(mme.ImplausibleDoseWarning) as caught:
        result = mme.daily_mme(drug, dose, **kwargs)  # type: ignore[arg-type]
    assert any(re.search(message, str(w.message)) for w in caught)
    assert any(re.search(message, w) for w in result.warnings)


def test_grams_under_1000_mg_a_day_owe_no_slip() -> None:
    """ "tramadol 0.1 g q6h" (400 mg a day) is a dose as French prescriptions write it: no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mme.daily_mme("tramadol", "0.1 g", every="6 h").warnings == ()
    with pytest.warns(mme.ImplausibleDoseWarning, match="^oxycodone is dosed in mg here; g was given"):
        mme.convert("oxycodone 0.5 g q6h")  # the sig reader's path warns alike


def test_no_slip_where_the_unit_is_the_drugs_own() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mme_of("oxycodone", "100 mcg", per_day=1) == 0.15  # 0.1 mg a unit: not below 0.1 mg
        assert mme_of("hydromorphone", "500 mcg", per_day=2) == 5  # 1 mg/day x 5
        assert mme_of("fentanyl", "25 mcg/h") == 60


@pytest.mark.parametrize(
    ("rate", "slip"), [("0.3 mg/h", False), ("0.999 mg/h", False), ("1 mg/h", True), ("25 mg/h", True)]
)
def test_a_patch_rate_in_mg_per_hour_warns_from_1_mg_per_hour(rate: str, slip: bool) -> None:
    """RxNorm writes patch rates in MG/HR: three 100 mcg/h patches (0.3 mg/h, 7.2 mg a day) are no slip."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)
        result = mme.daily_mme("fentanyl", rate)
    assert any("did you mean mcg?" in note for note in result.warnings) == slip


def test_the_api_and_the_command_line_agree_on_a_patch_in_mg_per_hour() -> None:
    """Was: the API gave 60000 MME/day with a warning, the command line refused "unsupported unit 'mg/h'"."""
    with pytest.warns(mme.ImplausibleDoseWarning) as caught:
        api = mme.convert("fentanyl 25 mg/h")
    assert [str(w.message) for w in caught] == list(api.warnings)
    assert api.warnings[0] == "fentanyl is dosed in mcg here; mg/h was given: did you mean mcg?"
    cli = subprocess.run(
        [sys.executable, "-m", "mme", "convert", "fentanyl 25 mg/h"], capture_output=True, text=True, check=False
    )
    assert (cli.returncode, api.mme_per_day) == (0, 60000)
    assert "60000 MME/day" in cli.stdout
    assert "warning: fentanyl is dosed in mcg here; mg/h was given: did you mean mcg?" in cli.stderr + cli.stdout


def test_no_default_among_transmucosal_routes() -> None:
    """Was: heal-2025 took "fentanyl 100 mcg q4h" as its oral transmucosal row (0.18) while cms-2018 refused it."""
    for table in ("heal-2025", "cms-2018"):
        with pytest.raises(mme.AmbiguousDoseError, match="has several factors for fentanyl"):
            mme.convert("fentanyl 100 mcg q4h", table=table)
    with pytest.raises(mme.AmbiguousDoseError, match="buccal film; buprenorphine sublingual"):
        mme.daily_mme("buprenorphine", "0.4 mg", per_day=1, table="heal-2025")
    # the route chooses: 100 mcg x 6 a day = 600 mcg/day x 0.13 (HEAL, buccal) = 78
    assert mme_of("fentanyl", "100 mcg", every="4 h", route="buccal", table="heal-2025") == 78


@pytest.mark.parametrize(
    ("drug", "dose", "taken", "others"),
    [
        ("morphine", "10 mg", "oral", "intramuscular, intravenous, subcutaneous"),
        ("oxycodone", "10 mg", "oral", "intramuscular, intravenous, rectal, subcutaneous"),
        ("buprenorphine", "0.4 mg", "sublingual", "transdermal"),
    ],
)
def test_a_route_default_is_taken_only_with_a_warning(drug: str, dose: str, taken: str, others: str) -> None:
    """Was: anzca-2021 read morphine and oxycodone as oral and buprenorphine as sublingual without a word."""
    result = mme.daily_mme(drug, dose, per_day=1, table="anzca-2021")
    assert result.route == taken
    assert result.warnings == (
        f"no route given: read as {taken}; anzca-2021 also has {drug} by {others}: give the route to choose",
    )
    assert mme.daily_mme(drug, dose, per_day=1, route=taken, table="anzca-2021").warnings == ()
    assert mme.dispensing_mme(drug, dose, quantity=1, days_supply=1, table="anzca-2021").warnings == result.warnings


def test_a_form_that_leaves_one_route_owes_no_route_default() -> None:
    """The routes a missing route could have been are those of rows fitting the form given: anzca-2014 has
    codeine by injection (intravenous, subcutaneous, intramuscular) and orally; an injection leaves only the
    injection row's routes, in both paths (a release does the same: see test_core_coverage)."""
    for result in (
        mme.daily_mme("codeine", "10 mg", per_day=4, form="injection", table="anzca-2014"),
        mme.dispensing_mme("codeine", "10 mg/mL", quantity=4, days_supply=1, form="injection", table="anzca-2014"),
    ):
        assert (result.route, result.warnings) == ("intravenous", ())
    assert mme.daily_mme("codeine", "10 mg", per_day=4, table="anzca-2014").warnings == (
        "no route given: read as oral; anzca-2014 also has codeine by intramuscular, intravenous, subcutaneous: "
        "give the route to choose",
    )  # without the form, the oral default is noted


def test_a_patch_rate_says_its_route() -> None:
    assert mme.daily_mme("fentanyl", "25 mcg/h").warnings == ()  # mcg/h: CDC 2022 has fentanyl by patch only
    assert mme.daily_mme("fentanyl", "25 mcg/h", form="patch", table="anzca-2021").mme_per_day == 75.0  # 25 x 3


@pytest.mark.parametrize("dose", ["50 mcg/h", "0.05 mg/h"])
def test_a_rate_that_may_be_a_patch_or_an_infusion_is_refused(dose: str) -> None:
    """Was 150 MME/day (read as a 50 mcg/h patch, x 3) with no warning; as a subcutaneous infusion ANZCA gives 240
    (1,200 mcg a day x 0.2)."""
    with pytest.raises(
        mme.AmbiguousDoseError, match="a patch's or an infusion's, and anzca-2021 has fentanyl as a patch"
    ):
        mme.daily_mme("fentanyl", dose, table="anzca-2021")
    with pytest.raises(mme.AmbiguousDoseError, match="say which"):
        mme.convert(f"fentanyl {dose}", table="anzca-2021")
    assert mme.convert(f"fentanyl {dose} SC", table="anzca-2021").mme_per_day == 240.0
    assert mme.convert(f"fentanyl {dose} patch", table="anzca-2021").mme_per_day == 150.0


@pytest.mark.parametrize("dose", ["1200 mcg/day", "1200 mcg/24 h", "1.2 mg/day"])
def test_a_daily_rate_that_may_be_a_patch_or_an_infusion_is_refused(dose: str) -> None:
    """A syringe driver's "1200 mcg/24 h" under ANZCA was read as a 50 mcg/h patch (150 MME/day, with a warning that
    patches are labelled per hour); subcutaneously it is 240 (1,200 mcg x 0.2)."""
    with pytest.raises(mme.AmbiguousDoseError, match="a patch's or an infusion's"):
        mme.convert(f"fentanyl {dose}", table="anzca-2021")
    assert mme.convert(f"fentanyl {dose} SC", table="anzca-2021").mme_per_day == 240.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mme.daily_mme("oxycodone", None, per_day=1), TypeError, "dose must be text such as '10 mg'"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day=object()), TypeError, "per_day must be a number, not <object"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("oxycodone", "10 mg", every=[6]), TypeError, r"every \(hours\) must be a number, not \[6\]"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day=1, route=5), TypeError, "route must be text, not 5"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day=1, form=b"tab"), TypeError, "form must be text, not b'tab'"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day=1, release=1.0), TypeError, "release must be text, not 1.0"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme(None, "10 mg", per_day=1), TypeError, "drug must be text, not None"),  # type: ignore[arg-type]
        (lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=60, days_supply=30, variant=5), TypeError,  # type: ignore[arg-type]
         "variant must be text, not 5$"),
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day=1, count="2"), TypeError, "count must be a number, not '2'"),  # type: ignore[arg-type]
        (lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=2**1100, days_supply=30), ValueError,
         r"quantity 1358\d+\.\.\. is too large: it is no finite number"),
        (lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=None), TypeError,  # type: ignore[arg-type]
         "days_supply must be a number, not None"),
        (lambda: mme.daily_mme("oxycodone", (2**1100, "mg"), per_day=1), ValueError, r"dose 1358\d+\.\.\. is too large"),
        (lambda: mme.convert(None), TypeError, "expression must be text such as 'oxycodone 10 mg q6h', not None"),  # type: ignore[arg-type]
        (lambda: mme.daily_mme("fentanyl", "25 mcg/h", every=registry().Quantity(3, "mg")), ValueError,  # type: ignore[arg-type]
         "every must be a time such as '6 h', not <Quantity"),
    ],
)  # fmt: skip
def test_wrong_typed_arguments_raise_typed_errors(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    """Was: AttributeError, TypeError, OverflowError from deep inside."""
    with pytest.raises(mme.MMEError, match=f"^{message}") as info:
        call()
    assert isinstance(info.value, error)


def test_a_patch_changed_out_of_step_says_what_its_mme_assumes() -> None:
    """Changed every 2 or 4 days instead of 3: the MME/day is the rate worn all the same, and the note says why."""
    worn = mme.daily_mme("fentanyl", "25 mcg/h").mme_per_day
    sooner, later = (mme.daily_mme("fentanyl", "25 mcg/h", every=hours) for hours in (48, 96))
    assert sooner.mme_per_day == later.mme_per_day == worn
    assert sooner.warnings == (
        "patch changed more often than its 3-day wear: MME/day counts the patches worn at once, each removed when "
        "the next goes on (patches left on together add up)",
    )
    assert later.warnings == (
        "patch changed less often than its 3-day wear: MME/day is its rate while worn, not an average over the days "
        "after its wear",
    )


def test_a_patch_change_within_the_tolerance_of_its_wear_is_its_wear() -> None:
    """The tolerance is relative to one change (every 72.00000001 h: 72 h of wear per 72.00000001 h, off by 1e-8,
    within 1e-9 x 72.00000001), and its bound is within (3 changes a wear of (1 + tolerance)/3 a day, exactly)."""
    assert mme.daily_mme("fentanyl", "25 mcg/h", every=72.00000001).warnings == ()
    tolerance = Decimal(CHANGES_TOLERANCE)
    with localcontext(prec=100):
        per_day = (1 + tolerance) / 3
    assert per_day * 3 == 1 + tolerance  # the bound itself, exactly
    assert mme.daily_mme("fentanyl", "25 mcg/h", per_day=per_day).warnings == ()  # type: ignore[arg-type]


def test_an_expression_with_a_volume_taken_is_a_regimen_not_a_dispensing() -> None:
    with pytest.raises(mme.DoseError, match=r"gives a regimen .* give one, not both"):
        mme.convert("oxycodone 5 mg/5 mL solution 10 mL", quantity=60, days_supply=30)


def test_every_form_says_the_routes_it_is_given_by() -> None:
    """Was 30 MME/day for an oxycodone implant (cdc-2022): "implant" named no route, so the oral row, which names no
    form, fitted it. An implant is put under the skin (Probuphine), and only a row naming it fits it (ANZCA's
    subcutaneous row is for injections)."""
    assert set(FORM_ROUTES) == set(FORMS)
    assert FORM_ROUTES["implant"] == {"subcutaneous"}
    for table in ("cdc-2022", "cdc-ndc-2010", "heal-2025", "anzca-2021"):  # ANZCA's subcutaneous row names no form
        with pytest.raises(mme.NotCoveredError, match=rf"^{table} has no factor for oxycodone subcutaneous implant"):
            mme.daily_mme("oxycodone", "10 mg", per_day=2, form="implant", table=table)
    assert mme.daily_mme("oxycodone", "10 mg", per_day=2, route="subcutaneous", table="anzca-2021").mme_per_day == 60
    assert mme.daily_mme("Probuphine", "74.2 mg", per_day=1, table="cdc-2022").excluded is not None


def test_a_patch_count_whose_wear_days_overflow_is_an_error() -> None:
    """Was: 60 MME/day with days supply inf (1e308 patches x 3 days)."""
    with pytest.raises(mme.DoseError, match=r"^the daily amount overflows: check the dose and the frequency$"):
        mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=1e308, days_supply=30)


@pytest.mark.parametrize("table", ["cdc-2022", "cms-2018"])
def test_an_injection_never_takes_an_oral_factor(table: str) -> None:
    """Was: with no route, the form 'injection' matched the oral row (which lists no forms): 3x too low, silently."""
    with pytest.raises(mme.NotCoveredError, match=rf"^{table} has no factor for hydromorphone injection"):
        mme.daily_mme("hydromorphone", "2 mg", every="4 h", form="injection", table=table)
    with pytest.raises(mme.NotCoveredError, match="no factor for hydromorphone injection"):
        mme.convert("hydromorphone 2 mg injection q4h", table=table)


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("fentanyl 25 mcg 1 tab q6h", "anzca-2021"),  # was 20 MME/day: 25 x 4 mcg as IV fentanyl x 0.2
        ("fentanyl 25 mcg/h 1 tab", "anzca-2021"),  # was 120: 25 x 24 mcg as IV fentanyl x 0.2
        ("fentanyl 100 mcg spray q4h", "anzca-2014"),  # was 120: 100 x 6 x 0.2
        ("fentanyl 100 mcg buccal film q4h", "anzca-2021"),
        ("morphine 10 mg capsule IV q4h", "anzca-2021"),  # a capsule said to be injected
    ],
)
def test_a_form_taken_by_mouth_never_takes_an_injections_factor(text: str, table: str) -> None:
    """Was: a table row that names no form matched any form, so a tablet, a spray or a film was read as
    intravenous fentanyl under ANZCA; it is refused, saying the routes the form is given by."""
    with pytest.raises(
        mme.NotCoveredError,
        match=r"given by buccal/(nasal/)?oral/sublingual/transmucosal only: say the product's route and form",
    ):
        mme.convert(text, table=table)


def test_a_form_taken_by_mouth_is_refused_alike_in_both_paths_and_still_finds_its_oral_row() -> None:
    with pytest.raises(mme.NotCoveredError, match=r"^anzca-2021 has no factor for fentanyl tablet\. It covers: "):
        mme.daily_mme("fentanyl", "25 mcg", every="6 h", form="tablet", table="anzca-2021")
    with pytest.raises(mme.NotCoveredError, match=r"A form 'film' is given by buccal/oral/sublingual/transmucosal"):
        mme.dispensing_mme("fentanyl", "100 mcg", quantity=4, days_supply=1, form="film", table="anzca-2021")
    tablet = mme.daily_mme("morphine", "10 mg", every="4 h", form="tablet", table="anzca-2021")
    assert (tablet.route, tablet.mme_per_day) == ("oral", 60.0)  # 10 mg x 6 a day x 1 (ANZCA's oral morphine)


BY_MOUTH_FORMS = ("tablet", "capsule", "solution", "suspension", "syrup", "film", "spray")


@pytest.mark.parametrize("table", mme.list_tables(), ids=lambda t: t.slug)
def test_a_form_only_ever_takes_a_factor_for_a_route_it_is_given_by(table: mme.Table) -> None:
    """Every table, drug, route (or none), form that says its routes and kind of dose: the row matched, if any,
    is for one of the form's routes, whether or not it names forms. Nothing taken by mouth is injected or worn."""
    assert all(FORM_ROUTES[f].isdisjoint({*PARENTERAL, "transdermal"}) for f in BY_MOUTH_FORMS)
    for drug, route, form, kind in itertools.product(
        sorted({r.drug for r in table.rows}), [None, *sorted(ROUTES)], sorted(FORM_ROUTES), ("mass", "rate")
    ):
        try:
            found = _match(table, drug, route, form, None, None, kind)
        except mme.MMEError:
            continue
        assert isinstance(found, mme.Exclusion) or not FORM_ROUTES[form].isdisjoint(found.routes), (drug, route, form)


def test_an_injection_takes_the_parenteral_factor_where_there_is_one() -> None:
    injected = mme.daily_mme("hydromorphone", "2 mg", every="4 h", form="injection", table="anzca-2021")
    oral = mme.daily_mme("hydromorphone", "2 mg", every="4 h", route="oral", table="anzca-2021")
    iv = mme.daily_mme("hydromorphone", "2 mg", every="4 h", route="intravenous", table="anzca-2021")
    assert (injected.mme_per_day, injected.factor) == (iv.mme_per_day, iv.factor)
    assert injected.factor != oral.factor


@pytest.mark.parametrize("dispensing", [False, True], ids=["regimen", "dispensing"])
def test_convert_keeps_what_it_read_and_warns_as_the_engine_does(dispensing: bool) -> None:
    """Both paths of `convert` give the expression read and, after the parser's notes, the engine's own warnings
    (here the route taken by default: anzca-2014 has oxycodone by injection too)."""
    text = "oxycodone/acetaminophen 5/325" + ("" if dispensing else " q6h")
    quantity, days_supply = (120, 30) if dispensing else (None, None)
    result = mme.convert(text, quantity=quantity, days_supply=days_supply, table="anzca-2014")
    if dispensing:
        engine = mme.dispensing_mme("oxycodone", "5 mg", quantity=120, days_supply=30, table="anzca-2014")
    else:
        engine = mme.daily_mme("oxycodone", "5 mg", every="6 h", table="anzca-2014")
    note = "the strength '5/325' of oxycodone/acetaminophen read in mg"
    assert len(engine.warnings) == 1
    assert engine.warnings[0].startswith("no route given: read as oral")
    assert result.warnings == (note, *engine.warnings)
    assert result.expression is not None
    assert (result.expression.text, result.expression.dose, result.expression.notes) == (text, "5 mg", (note,))
    assert result.mme_per_day == engine.mme_per_day


def test_a_dispensed_liquid_divides_by_the_volume_its_strength_is_per() -> None:
    """5 mg/5 mL is 1 mg/mL: 150 mL over 10 days is 15 mg/day, x 1.5 for oxycodone (cdc-2022) = 22.5 MME/day,
    the same as 10 mL 1.5 times a day."""
    dispensed = mme.dispensing_mme("oxycodone", "5 mg/5 mL", quantity=150, days_supply=10)
    assert (dispensed.daily_dose, dispensed.mme_per_day) == (15, 22.5)
    taken = mme.daily_mme("oxycodone", "5 mg/5 mL", volume="10 mL", per_day=1.5)
    assert (taken.daily_dose, taken.mme_per_day) == (15, 22.5)


def test_an_excluded_drug_read_by_convert_keeps_its_expression() -> None:
    text = "buprenorphine 300 mcg sublingual q8h"
    result = mme.convert(text)
    assert result.mme_per_day is None
    assert result.excluded == mme.daily_mme("buprenorphine", "300 mcg", every="8 h", route="sublingual").excluded
    assert result.expression is not None
    assert (result.expression.text, result.expression.dose, result.expression.every_hours) == (text, "300 mcg", 8.0)


def test_a_daily_total_without_a_route_warns_as_a_dose_does() -> None:
    """Only a patch rate names its route: a daily total ("40 mg/day") taken as oral among injections warns."""
    total = mme.daily_mme("morphine", "40 mg/day", table="anzca-2014")
    doses = mme.daily_mme("morphine", "10 mg", per_day=4, table="anzca-2014")
    assert (total.route, total.mme_per_day) == (doses.route, doses.mme_per_day)
    assert total.warnings == doses.warnings
    assert len(total.warnings) == 1
    assert total.warnings[0].startswith("no route given: read as oral; anzca-2014 also has morphine by intramuscular")


def test_a_result_survives_pickling() -> None:
    """Results cross process boundaries (multiprocessing pickles them) and come back equal."""
    for result in (mme.daily_mme("oxycodone", "10 mg", per_day=3), mme.convert("buprenorphine 300 mcg sublingual q8h")):
        assert pickle.loads(pickle.dumps(result)) == result


@pytest.fixture
def pandas_frames(monkeypatch: pytest.MonkeyPatch) -> typing.Any:
    """pandas, on its own path: `mme.frames` hands pandas' rows to Polars where it is installed, and Polars' thread
    pool deadlocks in the processes mutmut forks (these tests run under mutation testing)."""
    pd = pytest.importorskip("pandas")
    from mme.frames import _rows as rows

    monkeypatch.setattr(rows, "_on_polars", lambda *_: None)
    return pd


def _rows(frame: typing.Any) -> list[dict[str, object]]:
    """A pandas frame's rows, missing values (None or NaN) as None."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]  # fmt: skip


def test_frames_exclude_a_drug_as_the_engine_does(pandas_frames: typing.Any) -> None:
    """The columnar path applies the engine's own plan: an excluded drug is excluded there too, with the same reason."""
    pd = pandas_frames
    from mme import frames

    claims = pd.DataFrame({"drug": ["buprenorphine"], "strength": [0.3], "strength_unit": ["mg"], "quantity": [30.0],
                           "days_supply": [10.0], "route": ["sublingual"]})  # fmt: skip
    (row,) = _rows(frames.dispensing_mme(claims))
    engine = mme.dispensing_mme("buprenorphine", "0.3 mg", quantity=30, days_supply=10, route="sublingual")
    assert engine.excluded is not None
    assert (row["mme_per_day"], row["mme_excluded"], row["mme_error"]) == (None, engine.excluded, None)


def test_frames_and_the_engine_agree_near_the_largest_float(pandas_frames: typing.Any) -> None:
    """Both paths check the daily amount in the row's unit for overflow: 1e307 mg of oxycodone a day is 1.5e307
    MME/day (implausible, warned) in both, not an overflow in one of them."""
    pd = pandas_frames
    from mme import frames

    claims = pd.DataFrame({"drug": ["oxycodone"], "strength": [1e307], "strength_unit": ["mg"], "quantity": [1.0],
                           "days_supply": [1.0]})  # fmt: skip
    (row,) = _rows(frames.dispensing_mme(claims))
    with pytest.warns(mme.ImplausibleDoseWarning, match="above 10,000 MME/day"):
        engine = mme.dispensing_mme("oxycodone", (1e307, "mg"), quantity=1, days_supply=1)
    assert engine.mme_per_day == 1.5e307
    assert len(engine.warnings) == 1
    assert (row["mme_per_day"], row["mme_error"], row["mme_warning"]) == (1.5e307, None, engine.warnings[0])


FRAME_CLAIMS = [  # (drug, strength, unit, quantity, days supply): factors, patches, a liquid, tiers, exclusions, errors
    ("oxycodone", 10.0, "mg", 90.0, 30.0), ("fentanyl", 25.0, "mcg/h", 10.0, 30.0), ("buprenorphine", 0.3, "mg", 30.0, 10.0),
    ("morphine", 40.0, "mg/day", 30.0, 30.0), ("oxycodone", 1.0, "mg/mL", 150.0, 10.0), ("methadone", 10.0, "mg", 300.0, 30.0),
    ("fentanyl", 100.0, "mcg", 30.0, 10.0), ("oxycodone", 10.0, "mcg", 30.0, 30.0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "variant"), [("cdc-2022", None), ("anzca-2014", None), ("cms-2018", "tiers"), ("cdc-ndc-2018", None)]
)
def test_frames_give_every_claim_what_the_engine_gives(
    table: str, variant: str | None, pandas_frames: typing.Any
) -> None:
    """The columnar path applies the engine's plans (factor tiers, per-mcg and patch units, wear days, route
    defaults, exclusions, errors): each row's outputs are the scalar result's or its error's message."""
    pd = pandas_frames
    from mme import frames

    claims = pd.DataFrame(FRAME_CLAIMS, columns=["drug", "strength", "strength_unit", "quantity", "days_supply"])
    rows = _rows(frames.dispensing_mme(claims, table=table, variant=variant))
    outputs = ("mme_per_day", "mme_factor", "mme_days_supply", "mme_excluded", "mme_warning", "mme_error")
    for (drug, strength, unit, quantity, days_supply), row in zip(FRAME_CLAIMS, rows, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)  # the same text is in the result's warnings
            try:
                r = mme.dispensing_mme(
                    drug, (strength, unit), quantity=quantity, days_supply=days_supply, table=table, variant=variant
                )
            except mme.MMEError as exc:
                expected: tuple[object, ...] = (None, None, None, None, None, str(exc))
            else:
                factor = None if r.factor is None else float(r.factor)
                warned = frames.WARNING_SEPARATOR.join(r.warnings) or None
                expected = (r.mme_per_day, factor, r.days_supply, r.excluded, warned, None)
        assert tuple(row[k] for k in outputs) == expected, (drug, unit)


def test_a_variant_of_the_table_applies_where_it_is_printed() -> None:
    """cms-2018 prints variants for methadone only: a cohort of methadone and oxycodone under "tiers" was refused for
    every other drug ("drop variant='tiers'"), so no patient on both could be totalled. The variant chooses where the
    table prints it; another drug's one factor is used; a variant the table never prints is still refused."""
    oxycodone = mme.daily_mme("oxycodone", "10 mg", per_day=3, table="cms-2018", variant="tiers")
    assert (oxycodone.mme_per_day, oxycodone.variant) == (45.0, None)  # 30 mg x 1.5
    both = mme.total(
        [mme.convert(t, table="cms-2018", variant="tiers") for t in ("oxycodone 10 mg tid", "methadone 10 mg tid")]
    )
    assert both.mme_per_day == 45.0 + 240.0  # methadone 30 mg/day x 8 (over 20 mg/day)
    with pytest.raises(
        mme.AmbiguousDoseError, match=r"^cms-2018 prints no variant 'tier' \(its variants: flat, tiers\)$"
    ):
        mme.daily_mme("oxycodone", "10 mg", per_day=3, table="cms-2018", variant="tier")
    with pytest.raises(mme.AmbiguousDoseError, match=r"^cdc-2022 prints no variants: drop variant='tiers'$"):
        mme.daily_mme("oxycodone", "10 mg", per_day=3, variant="tiers")


@pytest.mark.parametrize(
    ("table", "drug"), [("cdc-2022", "oxycodone"), ("cms-2018", "oxycodone"), ("cms-2018", "methadone")]
)
def test_a_long_variant_is_quoted_as_an_excerpt(table: str, drug: str) -> None:
    """A 5,000-character variant was echoed whole (a message of 5,044 characters)."""
    with pytest.raises(mme.AmbiguousDoseError, match=r"'v{60}'\.\.\. \(5,000 characters\)") as info:
        mme.daily_mme(drug, "10 mg", per_day=3, table=table, variant="v" * 5000)
    assert len(str(info.value)) < 200


_daily: Callable[..., object] = mme.daily_mme  # the wrong types these calls give on purpose


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # a huge negative was "too large: it is no finite number"; it is refused as -1 is
        (lambda: _daily("oxycodone", "10 mg", per_day=-(10**400)), "per_day must be a positive finite number"),
        (lambda: _daily("oxycodone", "10 mg", per_day=Fraction(-(10**400), 3)), "per_day must be a positive"),
        (lambda: _daily("oxycodone", "10 mg", per_day=1, count=-(10**400)), "count must be a positive finite"),
        (lambda: _daily("oxycodone", "10 mg", every=-(10**400)), "every (hours) must be a positive finite"),
        (lambda: _daily("oxycodone", (-(10**400), "mg"), per_day=1), "dose must be a positive finite number"),
        (lambda: mme.thresholds_reached(10, thresholds=[-(10**400)]), "a threshold must be a finite number above 0"),
        (lambda: mme.thresholds_reached(-(10**400)), "the daily MME must be a finite number, 0 or more"),
        # positive and finite as written, but beyond a float, or 0 in one: it said "must be a positive finite number"
        (lambda: _daily("oxycodone", "1" * 990 + " mg", per_day=1), "dose '1111111111"),
        (lambda: _daily("oxycodone", "1e400 mg", per_day=1), "dose '1E+400' is too large: no float holds it; give"),
        (lambda: _daily("oxycodone", "10 mg", per_day=Decimal("1E+400")), "per_day '1E+400' is too large"),
        (
            lambda: _daily("oxycodone", "0." + "0" * 900 + "1 mg", per_day=1),
            "dose '1E-901' is too small: it rounds to 0; give",
        ),
        (
            lambda: _daily("oxycodone", "1e-400 mg", per_day=1),
            "dose '1E-400' is too small: it rounds to 0; give a plausible amount, e.g. '10 mg'",
        ),
        # a number with no unit that is no dose at all: that first, not "write 'nan mg'"
        (lambda: _daily("oxycodone", math.nan, per_day=1), "dose must be a positive finite number"),
        (lambda: _daily("oxycodone", -math.inf, per_day=1), "dose must be a positive finite number"),
        (lambda: _daily("oxycodone", 0, per_day=1), "dose must be a positive finite number"),
        (lambda: _daily("oxycodone", 10**400, per_day=1), "dose 1000000000"),
    ],
)
def test_a_number_beyond_a_float_is_refused_for_what_it_is(call: Callable[[], object], message: str) -> None:
    with pytest.raises(mme.DoseError) as info:
        call()
    assert str(info.value).startswith(message)
    assert "1" * 990 not in str(info.value)


def test_a_number_as_text_is_read_alike_as_per_day_and_as_every() -> None:
    """per_day "4" (a CSV's number read as text) was "unknown frequency '4': use a number", while every "6" was 6 h;
    every "1e1" or "-6" was "cannot read the interval", while per_day reads them by the one rule."""
    for text, times in (("4", 4), (" 5 ", 5), ("1e0", 1), ("+3", 3), (".5", 0.5), ("4.0", 4)):
        assert mme.daily_mme("oxycodone", "10 mg", per_day=text) == mme.daily_mme("oxycodone", "10 mg", per_day=times)
    assert mme.daily_mme("oxycodone", "10 mg", every="1e1") == mme.daily_mme("oxycodone", "10 mg", every=10)
    for wrong, what in (("-1", "per_day"), ("0", "per_day")):
        with pytest.raises(mme.DoseError, match=f"^{what} must be a positive finite number$"):
            mme.daily_mme("oxycodone", "10 mg", per_day=wrong)
    with pytest.raises(mme.DoseError, match=r"^every \(hours\) must be a positive finite number$"):
        mme.daily_mme("oxycodone", "10 mg", every="-6")
    for code in ("nan", "4x", "q6h"):
        with pytest.raises(mme.DoseError, match=rf"^unknown frequency '{code}': use a number or one of qd"):
            mme.daily_mme("oxycodone", "10 mg", per_day=code)


def test_a_whole_number_with_no_unit_still_asks_for_one() -> None:
    with pytest.raises(mme.UnitError, match=r"^dose 10 has no unit: write e\.g\. '10 mg'"):
        mme.daily_mme("oxycodone", 10, per_day=1)  # type: ignore[arg-type]


def test_an_interval_too_large_for_a_float_is_a_dose_error() -> None:
    """A pint interval whose magnitude is an int beyond float range raised a bare OverflowError."""
    hours = registry().Quantity(10**400, "hour")
    with pytest.raises(mme.DoseError, match=r"^every 1000\d+\.\.\. is too large: it is no finite number$"):
        mme.daily_mme("oxycodone", "10 mg", every=hours)  # type: ignore[arg-type]  # a pint interval, read at run time


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mme.convert("oxycodone 10 mg q6h " + "x" * 1000), mme.ExpressionError,
         r"^expression 'oxycodone 10 mg q6h x+'\.\.\. \(1,020 characters\) is too long: at most 1,000 characters are read$"),
        (lambda: mme.daily_mme("oxycodone", "10 mg", per_day="b" * 1001), mme.DoseError,
         r"^per_day 'b+'\.\.\. \(1,001 characters\) is too long: at most 1,000 characters are read$"),
        (lambda: mme.convert(42),  # type: ignore[arg-type]
         mme.ArgumentTypeError, r"^expression must be text such as 'oxycodone 10 mg q6h', not 42$"),
        (lambda: mme.convert("oxycodone 10 mg", quantity=[120], days_supply=30),  # type: ignore[arg-type]
         mme.ArgumentTypeError, r"^quantity must be a number, not \[120\]$"),
    ],
)  # fmt: skip
def test_convert_names_the_argument_it_refuses(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_concentration_per_dose_times_its_volume_is_a_mass_in_its_own_words() -> None:
    """1 mcg/mL per dose x 5 mL is 5 mcg (its unit is the concentration's mass unit, whatever follows the first
    slash), 4 times a day: 0.02 mg/day; under 0.1 mg of oxycodone, the slip warning names mcg."""
    with pytest.warns(mme.ImplausibleDoseWarning):
        result = mme.daily_mme("oxycodone", "1 mcg/mL/dose", volume="5 mL", per_day=4)
    assert (result.daily_dose, result.mme_per_day) == (0.02, 0.03)
    assert result.warnings == ("oxycodone is dosed in mg here; mcg was given, under 0.1 mg: did you mean mg?",)


def test_a_concentration_times_a_volume_is_exact() -> None:
    """3.857985 mg/mL x 3.2097 mL is 12.3829744545 mg exactly, which rounds half to even to 12.382974454 (9 places);
    x 5 (hydromorphone, cdc-2022) is 61.9148722725, which rounds to 61.914872272. The float product,
    12.382974454500001, would round both up."""
    result = mme.daily_mme("hydromorphone", "3.857985 mg/mL", volume="3.2097 mL", per_day=1)
    assert result.factor == 5
    assert (result.daily_dose, result.mme_per_day) == (12.382974454, 61.914872272)


def test_a_concentration_in_mcg_times_a_volume_is_checked_as_the_mass_taken() -> None:
    """50 mcg/mL x 5 mL is 0.25 mg of oxycodone a dose: over the 0.1 mg under which mcg looks like a slip for mg,
    so no warning (filterwarnings=error would raise it)."""
    result = mme.daily_mme("oxycodone", "50 mcg/mL", volume="5 mL", per_day=4)
    assert (result.daily_dose, result.mme_per_day, result.warnings) == (1, 1.5, ())


def test_a_concentration_per_volume_is_read_exactly() -> None:
    """1000 mg/3 mL is 333.33... mg/mL: 3 mL of it is 1000 mg exactly, in both paths (a concentration read as a
    rounded float, 333.333333333, would give 999.999999999)."""
    taken = mme.daily_mme("morphine", "1000 mg/3 mL", volume="3 mL", per_day=1)
    dispensed = mme.dispensing_mme("morphine", "1000 mg/3 mL", quantity=3, days_supply=1)
    assert (taken.daily_dose, taken.mme_per_day) == (dispensed.daily_dose, dispensed.mme_per_day) == (1000, 1000)


def test_an_interval_of_another_number_type_is_read_as_a_float() -> None:
    """pint keeps the magnitude's own type: a Fraction of 6 hours is 4 doses a day, as 6 is."""
    hours = registry().Quantity(Fraction(6), "hour")
    assert mme.daily_mme("oxycodone", "10 mg", every=hours).mme_per_day == 60  # type: ignore[arg-type]  # 10 mg x 4 x 1.5


def _outcome(read: Callable[..., object], *args: typing.Any) -> object:
    """What a call gives: its value, or its error's type and message."""
    try:
        return read(*args)
    except mme.MMEError as e:
        return type(e), str(e)


_PLAIN_NUMBERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 6, 6.0, 0.5, 1e308]),
    st.sampled_from(["bid", "TID", "q.d.", "6 h", "q6h", "2 days", "every 4 hours", "x", ""]),
)


@given(_PLAIN_NUMBERS, _PLAIN_NUMBERS, _PLAIN_NUMBERS)
def test_the_kept_frequency_and_amount_are_those_read_afresh(per_day: object, every: object, count: object) -> None:
    """A regimen's frequency and amount per administration are memoised for plain arguments (6 and 6.0 apart, a
    bool read as it is): the memo gives what reading them afresh gives, each time, errors included."""
    from mme import _engine

    def twin(value: object) -> object:  # an equal value of another type, which the memo must not answer for
        if isinstance(value, bool | float) and math.isfinite(value) and value == int(value):
            return int(value)
        return float(value) if isinstance(value, int) else value

    _outcome(_engine._frequency, twin(per_day), twin(every))
    _outcome(_engine._administration, twin(every), twin(count), None)
    for _ in range(2):  # the second call is the memo's
        assert _outcome(_engine._frequency, per_day, every) == _outcome(_engine._read_frequency, per_day, every)
        for dose, volume in (("10 mg", None), ("2 mg/mL", "5 mL"), ("2 mg/mL", every), (every, None)):
            args = (dose, count, volume)
            assert _outcome(_engine._administration, *args) == _outcome(_engine._read_administration, *args)


@given(_PLAIN_NUMBERS, _PLAIN_NUMBERS, _PLAIN_NUMBERS)
def test_the_kept_regimen_is_the_one_read_afresh(per_day: object, every: object, count: object) -> None:
    """A regimen of plain arguments is memoised whole, with its plan applied: the memo gives what reading it afresh
    gives, each time, errors included."""
    from mme import _engine

    tab = mme.get_table("cdc-2022")
    regimens = [("oxycodone", "10 mg", None, None), ("morphine", "2 mg/mL", "5 mL", "oral"),
                ("fentanyl", "25 mcg/h", None, None), ("tramadol", every, None, None), ("morphine", "10 mg", every, None)]  # fmt: skip
    for drug, dose, volume, route in regimens:
        args = (tab, drug, dose, per_day, every, count, volume, route, None, None, None)
        for _ in range(2):  # the second call is the memo's
            assert _outcome(_engine._regimen, *args) == _outcome(_engine._read_regimen, *args)


def test_sigs_worded_apart_that_say_one_regimen_read_it_once() -> None:
    """ "q6h" and "every 6 hours" say one regimen: the second text is read, its regimen is the memo's."""
    from mme import _engine

    mme.clear_caches()
    first, second = mme.convert("oxycodone 10 mg q6h"), mme.convert("oxycodone 10 mg every 6 hours")
    assert (_engine._kept_regimen.cache_info().hits, _engine._kept_regimen.cache_info().misses) == (1, 1)
    assert second.expression is not None
    assert second.expression.text == "oxycodone 10 mg every 6 hours"
    assert first.mme_per_day == second.mme_per_day == 60  # 10 mg x 4 x 1.5


def test_a_kept_regimen_warns_on_every_call() -> None:
    """The memo keeps a regimen's reading, never its warnings: each result owes its own."""
    mme.clear_caches()
    for _ in range(2):
        with pytest.warns(mme.ImplausibleDoseWarning, match="implausible"):
            mme.daily_mme("morphine", "20000 mg/day")


@pytest.mark.parametrize(
    ("dose", "extra"),
    [([5, "mg"], {}), ("5 mg", {"count": [1]}), ("2 mg/mL", {"volume": ["5 mL"]}), ("5 mg", {"per_day": [2]}),
     ("5 mg", {"route": ["oral"]}), ("5 mg", {"variant": ["a"]})],
)  # fmt: skip
def test_an_argument_the_memos_cannot_hash_is_read_and_refused_by_type(dose: object, extra: dict[str, object]) -> None:
    """Only plain values go to the memos of a regimen, a frequency and an amount (a list would fail there as
    unhashable, an error that is no `ArgumentTypeError` and names no argument); any other value is read, and a list
    refused."""
    kwargs: dict[str, typing.Any] = {"per_day": 2, **extra}
    with pytest.raises(mme.ArgumentTypeError, match=r"^(dose|count|volume|per_day|route|variant) must be"):
        mme.daily_mme("morphine", dose, **kwargs)  # type: ignore[arg-type]


# -- the memoised readers: limits named, unit spellings, unit-slip warnings, route defaults, intervals --


@pytest.mark.parametrize(
    ("dose", "kwargs", "error", "named"),
    [
        ("10 mg", {"every": "6" * 1001}, mme.DoseError, "every"),
        ("1" * 1001 + " mg", {"per_day": 1}, mme.UnitError, "dose"),
        ((10, "m" * 1001), {"per_day": 1}, mme.UnitError, "unit"),
    ],
)
def test_a_text_too_long_is_refused_naming_what_it_is(
    dose: object, kwargs: dict[str, typing.Any], error: type[mme.MMEError], named: str
) -> None:
    """An interval, a dose or a unit over 1,000 characters is refused by its own error, which says which one it is."""
    with pytest.raises(error, match=rf"^{named} '.{{60}}'\.\.\. \(1,00\d characters\) is too long"):
        mme.daily_mme("oxycodone", dose, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("unit", ["tablet", "mg/mL/h", "x/h"])
def test_a_unit_outside_the_closed_table_is_unknown(unit: str) -> None:
    """A counted word alone ("tablet") is no unit, a third part is not dropped ("mg/mL/h" is no concentration), and a
    rate of no mass is no rate: each is an unknown unit, not a crash nor another unit."""
    with pytest.raises(mme.UnitError, match=rf"^unknown unit {re.escape(repr(unit))}: use mg"):
        mme.daily_mme("morphine", (10, unit), per_day=1)


def test_a_concentration_in_mcg_of_a_drug_dosed_in_mg_warns() -> None:
    """A dispensed 50 mcg/mL of morphine is 0.05 mg per mL, under 0.1 mg: mg typed as mcg? as with a mass in mcg."""
    with pytest.warns(mme.ImplausibleDoseWarning, match=r"^morphine is dosed in mg here; mcg/mL was given, under 0.1"):
        result = mme.dispensing_mme("morphine", "50 mcg/mL", quantity=100, days_supply=10)
    assert len(result.warnings) == 1


@pytest.mark.parametrize("rate", ["2 mcg/h", "25 mcg/h"])
def test_a_patch_rate_in_mcg_per_hour_owes_no_unit_warning(rate: str) -> None:
    """A fentanyl patch is labelled in mcg/h, its table row too: however low, its rate is not mg typed as mcg."""
    assert mme.daily_mme("fentanyl", rate).warnings == ()
    assert mme.dispensing_mme("fentanyl", rate, quantity=10, days_supply=30).warnings == ()


def test_a_route_taken_by_default_is_named_with_the_others() -> None:
    """anzca-2021's buprenorphine in mg without a route is its sublingual row: the warning names the patch's route."""
    result = mme.daily_mme("buprenorphine", "0.4 mg", per_day=3, table="anzca-2021")
    assert result.warnings[0] == (
        "no route given: read as sublingual; anzca-2021 also has buprenorphine by transdermal: give the route to choose"
    )


@pytest.mark.parametrize(("drug", "dose", "table", "row"), [
    ("fentanyl", "100 mcg", "anzca-2021", "fentanyl intravenous/subcutaneous/intramuscular"),
    ("pethidine", "50 mg", "anzca-2021", "meperidine intravenous/subcutaneous/intramuscular"),
    ("sufentanil", "30 mcg", "anzca-2014", "sufentanil intravenous/subcutaneous/intramuscular"),
])  # fmt: skip
def test_no_route_is_never_read_as_an_injection(drug: str, dose: str, table: str, row: str) -> None:
    """ "pethidine 50 mg q4h" under ANZCA, which has it only by injection, was 120 MME/day: tablets are 30 (CMS)."""
    with pytest.raises(mme.AmbiguousDoseError, match=f"^no route given, and {table} has only {row}: say the route"):
        mme.daily_mme(drug, dose, per_day=6, table=table)
    given = mme.daily_mme(drug, dose, per_day=6, route="intravenous", table=table)
    assert given.route == "intravenous"
    assert not given.warnings


@pytest.mark.parametrize(("text", "table", "route"), [
    ("butorphanol 2 mg/mL 1 mL q4h", "cms-2018", "nasal"), ("opium 10 mg/mL 0.6 mL qid", "cdc-ndc-2016", "rectal"),
])  # fmt: skip
def test_a_tables_only_route_taken_for_no_route_is_warned(text: str, table: str, route: str) -> None:
    """An injection's concentration read as the table's nasal spray, silently: the assumption is said."""
    drug = text.split(maxsplit=1)[0]
    result = mme.convert(text, table=table)
    assert result.warnings == (
        f"no route given: read as {route}, the only route {table} has for {drug}: give the route",
    )
    assert not mme.convert(f"{text} {route}", table=table).warnings


def test_the_shortest_interval_with_finite_doses_a_day_is_read() -> None:
    """An interval of 1.36e-307 hours is 1.76e308 doses a day, finite: a tiny dose gives a (warned) result, not an
    error about the doses per day."""
    with pytest.warns(mme.ImplausibleDoseWarning):
        result = mme.daily_mme("oxycodone", (1e-300, "mg"), every=1.36e-307)
    assert result.daily_dose == pytest.approx(1e-300 * 24 / 1.36e-307)


def test_frames_warn_of_a_patch_rate_per_day_as_the_engine_does(pandas_frames: typing.Any) -> None:
    """A patch rate written per day owes its warning always: the columnar path carries it as the engine gives it."""
    pd = pandas_frames
    from mme import frames

    claims = pd.DataFrame({"drug": ["fentanyl"], "strength": [600.0], "strength_unit": ["mcg/day"], "quantity": [10.0],
                           "days_supply": [30.0]})  # fmt: skip
    (row,) = _rows(frames.dispensing_mme(claims))
    with pytest.warns(mme.ImplausibleDoseWarning, match="^fentanyl patches are labelled per hour"):
        engine = mme.dispensing_mme("fentanyl", "600 mcg/day", quantity=10, days_supply=30)
    assert (row["mme_per_day"], row["mme_warning"], row["mme_error"]) == (engine.mme_per_day, engine.warnings[0], None)


def test_a_hyphen_splits_a_name_only_when_nothing_else_does() -> None:
    """A name with a slash splits there ("oxycodone/acetaminophen-ibuprofen"); its hyphenated part is one unknown
    component, not a cue to split the whole name at the hyphen instead."""
    with pytest.raises(mme.ExpressionError, match=r"^unknown component 'acetaminophen-ibuprofen' of"):
        mme.convert("oxycodone/acetaminophen-ibuprofen 5/325/200 mg q6h")


def test_several_rows_none_of_them_oral_are_ambiguous_without_a_route() -> None:
    """Oral is the default among several routes only when one row is oral: opium's rectal and injected rows under
    cdc-ndc-2014 have none, so both are listed to choose from."""
    with pytest.raises(mme.AmbiguousDoseError, match=r"several factors for opium: opium rectal suppository; opium "):
        mme.daily_mme("opium", "10 mg", per_day=1, table="cdc-ndc-2014")


def test_an_hourly_rate_of_a_row_that_takes_none_says_what_to_give() -> None:
    """10 mg/h of oral oxycodone is no patch's nor infusion's rate: the error says to give an infusion's route or
    the dose and how often."""
    with pytest.raises(mme.UnitError, match=r"oxycodone oral: give an infusion's route \(e\.g\. 'intravenous', under a "
                       r"table that covers it\), or the dose and how often$"):  # fmt: skip
        mme.daily_mme("oxycodone", "10 mg/h")


@given(
    st.integers(min_value=1, max_value=120), st.integers(min_value=1, max_value=120),
    st.sampled_from([("cdc-2016", None), ("cms-2018", "tiers")]),
)  # fmt: skip
def test_methadone_items_are_tiered_by_their_total_daily_dose(a: int, b: int, table: tuple[str, str | None]) -> None:
    """CDC and CMS choose methadone's band by the total daily methadone dose: 10 mg bid and 5 mg bid under cdc-2016
    were 80 + 40 = 120 MME/day (each item tiered alone), where 30 mg/day is 240, as one item of 30 mg is."""
    slug, variant = table
    items = [mme.daily_mme("methadone", f"{n} mg", per_day=1, table=slug, variant=variant) for n in (a, b)]
    together = mme.daily_mme("methadone", f"{a + b} mg", per_day=1, table=slug, variant=variant)
    summed = mme.total(items)
    assert summed.mme_per_day == together.mme_per_day
    assert all(item.tier == together.tier for item in summed.items)
    retiered = [i for i, given in zip(summed.items, items, strict=True) if i.tier != given.tier]
    said = f"methadone's tier is chosen by the total daily methadone dose of the items, {a + b} mg/day"
    assert all(said in i.warnings for i in retiered)


def test_methadone_items_are_tiered_by_their_exact_total_daily_dose() -> None:
    """Methadone 20 mg q72h three times is 20 mg/day exactly (cdc-2016: 4 MME per mg, 80 MME/day); the rounded daily
    doses (6.666666667 x 3 = 20.000000001) chose the next band, 160.000000008. Twice 10 mg q72h is 26.666666667
    (was 26.666666664, the rounded doses x 4), six times 80 (was 79.999999992)."""
    items = [mme.convert("methadone 20 mg q72h", table="cdc-2016") for _ in range(3)]
    summed = mme.total(items)
    assert summed.mme_per_day == 80.0
    assert [i.mme_per_day_exact for i in summed.items] == [Fraction(80, 3)] * 3
    assert summed.items[0].warnings[-1].endswith("of the items, 20 mg/day")
    ten = mme.convert("methadone 10 mg q72h", table="cdc-2016")
    assert (mme.total([ten] * 2).mme_per_day, mme.total([ten] * 6).mme_per_day) == (26.666666667, 80.0)


def test_a_retiered_item_says_its_other_figures_are_its_own_and_totals_again_without_a_second_word() -> None:
    """cdc-2016 methadone 10 mg 1-2 tab bid (40 mg/day alone: factor 8; 20 mg/day at the minimum: 80 MME/day) beside
    10 mg tid is 70 mg/day: factor 12, 480. Its note "at the minimum of the range: 80 MME/day" is the item's alone; the
    re-tier word says so. Adding the items again gave each the re-tier word twice; one of them again, alone, kept the
    sum's factor 12 (480 MME/day for 40 mg/day)."""
    ranged = mme.convert("methadone 10 mg 1-2 tab bid", table="cdc-2016")
    tid = mme.convert("methadone 10 mg tid", table="cdc-2016")
    said = "methadone's tier is chosen by the total daily methadone dose of the items, 70 mg/day"
    summed = mme.total([ranged, tid])
    assert [(i.factor, i.mme_per_day) for i in summed.items] == [(Decimal(12), 480.0), (Decimal(12), 360.0)]
    assert summed.items[0].warnings == (
        *ranged.warnings,
        f"{said}; its other warnings' figures are the item's alone, tiered by its own dose, not at 12",
    )
    assert summed.items[1].warnings == (said,)  # no other warning: nothing to say of it
    again = mme.total(summed.items)
    assert (again.items, again.mme_per_day) == (summed.items, 840.0)
    assert mme.total(summed.items[:1]).items == (ranged,)  # alone again: its own tier, no word of a sum
    assert (
        mme.total([*summed.items[:1], ranged])
        .items[0]
        .warnings[-1]
        .startswith("methadone's tier is chosen by the total daily methadone dose of the items, 80 mg/day;")
    )


def test_a_methadone_item_alone_or_beside_other_drugs_keeps_its_tier() -> None:
    methadone = mme.convert("methadone 10 mg bid", table="cdc-2016")
    summed = mme.total([methadone, mme.convert("oxycodone 10 mg q6h", table="cdc-2016")])
    assert summed.items[0] is methadone
    assert summed.mme_per_day == 80 + 60  # 20 mg/day at 4, and oxycodone's 60


def test_items_of_one_drug_without_tiers_add_up_as_they_are_and_re_tiered_items_show_their_factor() -> None:
    items = [mme.convert("oxycodone 10 mg q6h"), mme.convert("oxycodone 5 mg q6h")]
    summed = mme.total(items)
    assert summed.items == tuple(items)
    assert summed.mme_per_day == 60 + 30
    split = mme.total(
        [mme.convert("methadone 10 mg bid", table="cdc-2016"), mme.convert("methadone 5 mg bid", table="cdc-2016")]
    )
    together = mme.convert("methadone 30 mg daily", table="cdc-2016")
    assert [i.factor for i in split.items] == [together.factor, together.factor]


def test_methadone_items_whose_total_passes_the_last_band_say_so() -> None:
    """50 + 40 mg/day under cdc-2016 is 90 mg/day, above the 80 where CDC defines no factor: each item says so."""
    items = [mme.convert(f"methadone {n} mg daily", table="cdc-2016") for n in (50, 40)]
    above = mme.convert("methadone 90 mg daily", table="cdc-2016").warnings[-1]
    assert above.startswith("the daily amount is above 80 mg/day")
    assert all(i.warnings[-1] == above for i in mme.total(items).items)
    assert all(
        above not in i.warnings
        for i in mme.total([items[1], mme.convert("methadone 10 mg daily", table="cdc-2016")]).items
    )


_OTHERS = ["oxycodone 10 mg q6h", "buprenorphine 8 mg SL daily", "fentanyl 25 mcg/h patch", "morphine 5 g daily"]


@st.composite
def _regimens(draw: st.DrawFn) -> tuple[str, str | None, list[str]]:
    """A table (with a variant where it has some) and items of methadone at any dose, ranges among them, beside other
    drugs (one excluded under some tables, one a unit slip): items whose sum crosses bands and the last one."""
    slug, variant = draw(st.sampled_from([("cdc-2016", None), ("cms-2018", "tiers"), ("cms-2018", "flat"),
                                          ("cdc-2022", None), ("heal-2025", None)]))  # fmt: skip
    methadone = st.builds(
        "methadone {} mg {}{}".format,
        st.sampled_from(["0.5", "1", "2.5", "10", "20", "30", "45", "100", "7000"]),
        st.sampled_from(["", "1-2 tab "]),
        st.sampled_from(["daily", "bid", "tid", "q72h", "q7h"]),
    )
    return slug, variant, draw(st.lists(st.one_of(methadone, st.sampled_from(_OTHERS)), min_size=1, max_size=5))


def _converted(text: str, table: str, variant: str | None) -> mme.DailyMME | None:
    """`convert`, or None for a drug the table does not cover (buprenorphine under cdc-2016)."""
    try:
        return mme.convert(text, table=table, variant=variant)
    except mme.NotCoveredError:
        return None


@given(_regimens())
def test_a_total_of_its_own_items_is_that_total(regimen: tuple[str, str | None, list[str]]) -> None:
    """total(total(x).items) == total(x), items and all: methadone above the last band (cdc-2016 20 + 30 mg tid)
    gained a second word of the sum on the second pass, and its warnings were reordered, so a saved total did not
    say what total() makes of its items."""
    slug, variant, texts = regimen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)
        items = [_converted(t, slug, variant if t.startswith("methadone") else None) for t in texts]
        summed = mme.total([i for i in items if i is not None] or [mme.convert("methadone 10 mg daily", table=slug)])
        assert mme.total(summed.items) == summed
        assert mme.Total.model_validate_json(summed.model_dump_json()) == summed
        assert mme.Total.model_validate(_without_exact(summed)).mme_per_day == summed.mme_per_day


def test_a_saved_total_without_exact_values_is_tiered_by_the_doses_its_figures_came_from() -> None:
    """Three cdc-2016 methadone items of 20 mg every 3 days are 20 mg/day, the first band (factor 4); saved before
    items kept their exact values, each says 6.666666667 mg/day, which add up to 20.000000001, the next band: the
    saved total was refused as contradicting itself, and total() of its items gave factor 8."""
    items = [mme.convert("methadone 10 mg 2 tab q72h", table="cdc-2016")] * 3
    summed = mme.total(items)
    assert {i.factor for i in summed.items} == {4}
    assert summed.mme_per_day == 80.0
    loaded = mme.Total.model_validate(_without_exact(summed))
    assert loaded.mme_per_day == 80.0
    assert {i.factor for i in mme.total(loaded.items).items} == {4}


def test_a_saved_figure_is_read_as_a_value_that_rounds_back_to_it() -> None:
    """45.000976563 lies half a unit from 46081/1024, the simplest fraction in its closed interval, which rounds (ties
    to even) to 45.000976562: a saved item alone totalled another figure than its own."""
    saved = mme.DailyMME.model_validate(
        mme.convert("morphine 45.000976563 mg daily").model_dump(exclude={"mme_per_day_exact"})
    )
    assert mme.total([saved]).mme_per_day == 45.000976563


def test_a_saved_figure_within_half_a_unit_of_zero_is_kept_as_saved() -> None:
    """No fraction of least denominator is taken where the interval reaches 0 (it would be 0: no dose)."""
    from mme._engine import _unrounded

    assert _unrounded(4e-10) == Fraction("4e-10")
    assert _unrounded(3.333333333) == Fraction(10, 3)


def test_methadone_above_the_last_band_totals_again_as_it_was() -> None:
    """cdc-2016 methadone 20 + 30 mg tid is 150 mg/day: the warning above the last band is the sum's, said once after
    the sum's word, for the item under it alone (60 mg/day) as for the one above it alone (90); alone again, the item
    under it says nothing of it."""
    items = [mme.convert(f"methadone {n} mg tid", table="cdc-2016") for n in (20, 30)]
    above = items[1].warnings[-1]
    assert above.startswith("the daily amount is above 80 mg/day")
    said = "methadone's tier is chosen by the total daily methadone dose of the items, 150 mg/day"
    summed = mme.total(items)
    assert [i.warnings for i in summed.items] == [(said, above), (said, above)]
    assert mme.total(summed.items).items == summed.items
    assert mme.total(summed.items[:1]).items[0].warnings == ()


def test_frames_convert_a_row_dosed_in_mcg_as_the_engine_does(pandas_frames: typing.Any) -> None:
    """A table row dosed in mcg (buccal fentanyl under CDC's NDC files): the columnar path's multiplier from the daily
    mg to mcg is the engine's (`planned`), for a strength in mcg and in mg alike."""
    from mme import frames

    for strength, unit in ((100.0, "mcg"), (0.1, "mg")):
        claims = pandas_frames.DataFrame({"drug": ["fentanyl"], "strength": [strength], "strength_unit": [unit],
                                          "quantity": [30.0], "days_supply": [10.0], "form": ["tablet"], "route": ["buccal"]})  # fmt: skip
        (row,) = _rows(frames.dispensing_mme(claims, table="cdc-ndc-2018", form="form", route="route"))
        engine = mme.dispensing_mme(
            "fentanyl",
            f"{strength} {unit}",
            quantity=30,
            days_supply=10,
            form="tablet",
            route="buccal",
            table="cdc-ndc-2018",
        )
        assert row["mme_per_day"] == engine.mme_per_day


@given(
    strength=st.floats(0.0625, 1000, width=32),
    quantity=st.floats(0.5, 1000, width=32),
    days=st.integers(1, 90),
)
def test_a_numpy_float32_is_read_as_its_shortest_text(strength: float, quantity: float, days: int) -> None:
    """np.float32(3.3) is 3.3, as its text '3.3' is read (widened to a float it would be 3.2999999523: 3.3 mg x 200 /
    11 days was 89.9999987 MME/day in frames, under the 90 threshold); np.float16 alike."""
    np = pytest.importorskip("numpy")
    s, q, d = np.float32(strength), np.float32(quantity), np.float32(days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)
        got = mme.dispensing_mme("oxycodone", (s, "mg"), quantity=q, days_supply=d, table="cdc-2022")
        want = mme.dispensing_mme("oxycodone", f"{s!s} mg", quantity=float(str(q)), days_supply=days, table="cdc-2022")
    assert got == want
    assert mme.dispensing_mme("oxycodone", (np.float32(3.3), "mg"), quantity=200, days_supply=11).mme_per_day == 90.0
    assert mme.daily_mme("oxycodone", (np.float16(2.5), "mg"), per_day=np.float32(4)).mme_per_day == 15.0


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_a_numpy_float32_that_is_no_positive_number_is_refused(value: str) -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(mme.DoseError, match=r"^quantity must be a positive finite number$"):
        mme.dispensing_mme("oxycodone", "5 mg", quantity=np.float32(value), days_supply=3)


_SNAN: typing.Any = Decimal("sNaN")  # where the signatures say float: read at run time


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda q: mme.daily_mme("oxycodone", (_SNAN, "mg"), per_day=4), "dose"),
        (lambda q: mme.daily_mme("oxycodone", q(_SNAN, "mg"), per_day=4), "dose"),
        (lambda q: mme.daily_mme("oxycodone", "5 mg", per_day=_SNAN), "per_day"),
        (lambda q: mme.daily_mme("oxycodone", "5 mg", every=_SNAN), "every (hours)"),
        (lambda q: mme.daily_mme("oxycodone", "5 mg", every=q(_SNAN, "h")), "every (hours)"),
        (lambda q: mme.daily_mme("oxycodone", "5 mg/5 mL", volume=(_SNAN, "mL"), per_day=4), "volume"),
        (lambda q: mme.daily_mme("oxycodone", "5 mg", per_day=4, count=_SNAN), "count"),
        (lambda q: mme.dispensing_mme("oxycodone", "5 mg", quantity=_SNAN, days_supply=3), "quantity"),
        (lambda q: mme.dispensing_mme("oxycodone", "5 mg", quantity=3, days_supply=_SNAN), "days_supply"),
        (lambda q: mme.dispensing_mme("oxycodone", "5 mg/mL", quantity=3, days_supply=3, package_ml=_SNAN), "package_ml"),
        (lambda q: mme.convert("oxycodone 5 mg", quantity=3, days_supply=_SNAN), "days_supply"),
        (lambda q: mme.rxnorm.dispensing_mme("1049621", quantity=_SNAN, days_supply=3), "quantity"),
        (lambda q: mme.rxnorm.daily_mme("1049621", count=_SNAN, per_day=4), "count"),
    ],
)  # fmt: skip
def test_a_signaling_nan_is_a_nan_refused_as_one(call: Callable[[typing.Any], object], what: str) -> None:
    """Decimal("sNaN") raised a bare ValueError ("cannot convert signaling NaN to float") where Decimal("nan") gives
    the DoseError."""
    with pytest.raises(mme.DoseError, match=f"^{re.escape(what)} must be a positive finite number$"):
        call(registry().Quantity)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mme.daily_mme("oxycodone", "\u0663 mg", per_day=4), mme.UnitError, "cannot read an amount in"),
        (lambda: mme.daily_mme("oxycodone", "3 mg", every="\u0666 h"), mme.DoseError, "cannot read the interval"),
        (lambda: mme.daily_mme("oxycodone", "3 mg/\u0665 mL", volume="5 mL", per_day=4), mme.UnitError, "unknown unit"),
        (lambda: mme.convert("oxycodone \u0661\u0660 mg q6h"), mme.ExpressionError, "no amount"),
    ],
)  # fmt: skip
def test_digits_of_other_scripts_are_refused_on_every_path(
    call: Callable[[], object], error: type[mme.MMEError], message: str
) -> None:
    """ "٣ mg" was 3 mg in `mme.daily_mme` (Python reads any script's digits) but refused by `mme.convert`, a frame's
    cell and FHIR: no path reads them now."""
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_a_fraction_is_read_as_the_float_nearest_it_as_a_frame_reads_one() -> None:
    """Was an ArgumentTypeError here ('quantity must be a number, not Fraction(61, 2)') and read by mme.frames."""
    half = mme.dispensing_mme("oxycodone", "10 mg", quantity=Fraction(61, 2), days_supply=30)  # type: ignore[arg-type]
    assert half == mme.dispensing_mme("oxycodone", "10 mg", quantity=30.5, days_supply=30)
    assert half.mme_per_day == 15.25
    third = mme.daily_mme("oxycodone", (Fraction(10, 3), "mg"), per_day=Fraction(3))  # type: ignore[arg-type]
    assert third == mme.daily_mme("oxycodone", (10 / 3, "mg"), per_day=3)
    with pytest.raises(mme.DoseError, match=r"^quantity Fraction\(1000.*is too large: it is no finite number$"):
        mme.dispensing_mme("oxycodone", "10 mg", quantity=Fraction(10**400), days_supply=30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "dose", "exact"),
    [
        ("morphine 12345678.123456789 mg/day", "12345678.123456789 mg/day", Fraction("12345678.123456789")),
        ("oxycodone 99999999999999999999 mg q6h", "99999999999999999999 mg", 6 * 99999999999999999999),  # not 6e20
        ("oxycodone 1e300 mg q6h", f"1{'0' * 300} mg", 6 * 10**300),  # not the float's binary digits
        ("oxycodone 7,50 mg q6h", "7.5 mg", 45),
        ("oxycodone 10 mg q6h x 10.0000000000000001 days", "10 mg", 60),  # two numbers read as 10.0: as read, 10
        ("oxycodone two mg q6h x 1e1 days", "2 mg", 12),  # a word typed: as read
    ],
)
def test_a_dose_in_a_text_keeps_the_digits_typed(text: str, dose: str, exact: Fraction) -> None:
    """A sig's amount is the number typed, not a float's 17 digits of it: convert and daily_mme agree exactly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)  # absurd on purpose: the digits are the point
        result = mme.convert(text)
        amount, unit = dose.split()
        by_hand = mme.daily_mme(text.split(maxsplit=1)[0], f"{amount} mg", per_day=1 if unit == "mg/day" else 4)
    assert result.expression is not None
    assert result.expression.dose == dose
    assert result.mme_per_day_exact == by_hand.mme_per_day_exact == exact

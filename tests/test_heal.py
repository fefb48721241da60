"""mme.heal reproduces the NIH HEAL MME calculator: its recorded API answers and mmequiv's cohort values."""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import mme
from mme import heal
from mme._engine import IMPLAUSIBLE

from reference_data import HEAL, needs

has_reference = needs(HEAL, "HEAL reference data")
RECORDED = sorted(HEAL.glob("api_recorded__mme_definitions__*.json"))
DEFINITIONS = ("total_mme", "total_days", "mme1", "mme2", "mme3", "mme4")


def med(name: str, dose: float, per_day: float, days: float) -> heal.Medication:
    return heal.Medication(medication_name=name, dose=dose, doses_per_24_hours=per_day, days_of_medication=days)


def close(ours: float | None, theirs: float | None, tol: float = 1e-12) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    return math.isclose(ours, theirs, rel_tol=tol, abs_tol=tol)


def calculate_quietly(*args: Any, **kwargs: Any) -> tuple[heal.HealResult, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = heal.calculate(*args, **kwargs)
    assert all(issubclass(w.category, mme.MMEWarning) for w in caught)
    return result, [str(w.message) for w in caught]


# -- recorded API answers -------------------------------------------------------------------------


@pytest.mark.reference
@has_reference
@pytest.mark.parametrize("path", RECORDED or [None], ids=lambda p: p.stem.split("__", 2)[-1] if p else "none")
def test_recorded_api_response(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"no recorded HEAL API responses in {HEAL}")
    recorded = json.loads(path.read_text())
    request = [
        {k: m[k] for k in ("medication_name", "dose", "doses_per_24_hours", "days_of_medication")}
        for m in recorded["medications"]
    ]
    with_, without = recorded["therapy_obs_window_with"], recorded["therapy_obs_window_without"]
    result, caught = calculate_quietly(
        request,
        therapy_days=with_["therapy_days"],
        observation_window_days=with_["observation_window_days"],
        therapy_days_without=without["therapy_days"],
        observation_window_days_without=without["observation_window_days"],
    )
    for ours, theirs in zip(result.medications, recorded["medications"], strict=True):
        assert ours.medication_name == theirs["medication_name"]
        assert float(ours.factor) == theirs["factor"]
        assert close(ours.single_day_mme, theirs["single_day_mme"])
        assert close(ours.mme, theirs["mme"])
    implausible = False
    for group, window in (("with_buprenorphine", with_), ("without_buprenorphine", without)):
        (theirs,) = recorded["mme_definitions"][group]
        ours = getattr(result, group)
        for name in DEFINITIONS:
            assert close(getattr(ours, name), theirs[name]), (group, name)
        assert (ours.therapy_days, ours.observation_window_days) == (
            window["therapy_days"],
            window["observation_window_days"],
        )
        if theirs["total_days"] and window["therapy_days"] > min(
            theirs["total_days"], window["observation_window_days"]
        ):
            implausible = True
    assert bool(caught) == implausible  # warned exactly when therapy days exceed the days supply or the window


@pytest.mark.reference
@has_reference
def test_medication_list_equals_the_api_list() -> None:
    recorded = json.loads((HEAL / "api_recorded__all.json").read_text())
    assert list(heal.MEDICATIONS) == [m["med_name"] for m in recorded]
    assert {n: float(m.factor) for n, m in heal.MEDICATIONS.items()} == {m["med_name"]: m["cf"] for m in recorded}
    with (HEAL / "heal_med_list_sysdata.csv").open(newline="") as f:
        sysdata = {row["med_name"]: float(row["cf"]) for row in csv.DictReader(f)}
    assert sysdata == {n: float(m.factor) for n, m in heal.MEDICATIONS.items()}
    for path in HEAL.glob("api_recorded__by_name__*.json"):
        for m in json.loads(path.read_text()):
            assert float(heal.MEDICATIONS[m["med_name"]].factor) == m["cf"]


@pytest.mark.reference
@has_reference
def test_simulated_cohort_p001_p050() -> None:
    """mmequiv's opioid_trial, grouped by patient; windows from the patient's first row, as mmequiv does."""
    with (HEAL / "opioid_trial.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    with (HEAL / "opioid_trial_expected_P001_P050.csv").open(newline="") as f:
        expected = {row["patient_id"]: row for row in csv.DictReader(f)}
    patients: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        patients.setdefault(row["patient_id"], []).append(row)
    assert len(expected) == 50
    results = {}
    for pid, meds in patients.items():
        first = meds[0]
        results[pid], _ = calculate_quietly(
            [  # numbers as numbers: a Medication refuses text, as the core does ("30" is not 30)
                {"medication_name": m["medication_name"]}
                | {k: float(m[k]) for k in ("dose", "doses_per_24_hours", "days_of_medication")}
                for m in meds
            ],
            therapy_days=float(first["therapy_days"]),
            observation_window_days=float(first["observation_window_days"]),
            therapy_days_without=float(first["therapy_days_without"]),
            observation_window_days_without=float(first["observation_window_days_without"]),
        )
    assert len(results) == 1000
    for pid, want in expected.items():
        for group, prefix in (("with_buprenorphine", "with"), ("without_buprenorphine", "without")):
            ours = getattr(results[pid], group)
            assert ours.therapy_days == float(want[f"therapy_days_{prefix}"])
            assert ours.observation_window_days == float(want[f"observation_window_days_{prefix}"])
            for name in DEFINITIONS:
                text = want[f"{prefix}_{name}"]
                theirs = None if text in ("", "NA", "nan") else float(text)
                assert close(getattr(ours, name), theirs, tol=1e-9), (pid, group, name)


# -- without reference data -----------------------------------------------------------------------


def test_adams_supplement_example() -> None:
    """Morphine 5 mg x4 x 7 d + morphine LA 10 mg x3 x 30 d; therapy 30, window 90 (methods.md §2.3, derived)."""
    r = heal.calculate(
        [med("Morphine (mg)", 5, 4, 7), med("Morphine (mg) LA", 10, 3, 30)], therapy_days=30, observation_window_days=90
    )
    d = r.with_buprenorphine
    assert (d.total_mme, d.total_days, d.mme4) == (1040, 37, 50)
    assert (round(d.mme1 or 0, 2), round(d.mme2, 2), round(d.mme3, 2)) == (28.11, 34.67, 11.56)
    assert r.without_buprenorphine == d
    assert [m.single_day_mme for m in r.medications] == [20, 30]
    assert [m.mme for m in r.medications] == [140, 900]


def test_buprenorphine_only_gives_none_then_zeros() -> None:
    with pytest.warns(mme.MMEWarning, match="therapy_days"):
        r = heal.calculate(
            [med("Buprenorphine buccal film (mcg) buccal", 50, 2, 5)], therapy_days=10, observation_window_days=5
        )
    w = r.without_buprenorphine
    assert (w.total_mme, w.total_days, w.mme1, w.mme2, w.mme3, w.mme4) == (0, 0, None, 0, 0, 0)
    assert w.no_mme is not None
    assert "no medication in this grouping" in w.no_mme
    assert r.with_buprenorphine.no_mme is None
    assert r.with_buprenorphine.mme2 == pytest.approx(1.95)


def test_separate_windows_for_the_grouping_without_buprenorphine() -> None:
    meds = [med("Buprenorphine patch (mcg/hr) transdermal", 5, 1, 7), med("Oxycodone (mg)", 10, 2, 7)]
    r = heal.calculate(
        meds, therapy_days=7, observation_window_days=30, therapy_days_without=7, observation_window_days_without=14
    )
    assert r.with_buprenorphine.mme4 == pytest.approx(5 * 2.2 + 30)
    assert (r.without_buprenorphine.mme3, r.without_buprenorphine.observation_window_days) == pytest.approx(
        (210 / 14, 14)
    )
    assert r.with_buprenorphine.mme3 == pytest.approx((77 + 210) / 30)


def test_mme4_ignores_dates() -> None:
    """Two sequential 15-MME/day fills: HEAL mme4 = 30, where the calendar maximum (Definition 4) is 15."""
    r = heal.calculate([med("Oxycodone (mg)", 5, 2, 7)] * 2, therapy_days=14, observation_window_days=30)
    assert r.with_buprenorphine.mme4 == 30


def test_factors_come_from_the_heal_table_and_agree_with_the_engine() -> None:
    table = mme.get_table("heal-2025")
    assert len(heal.MEDICATIONS) == 29
    for name, entry in heal.MEDICATIONS.items():
        assert entry.row in table.rows
        assert entry.factor == entry.row.factor
        assert entry.is_buprenorphine == ("buprenorphine" in name.lower())
        unit = {"mg": "mg", "mcg": "mcg", "mcg/h": "mcg/h"}[entry.dose_unit]
        per_day = None if entry.row.is_patch else 3
        engine = mme.daily_mme(
            entry.drug,
            f"20 {unit}",
            per_day=per_day,
            route=entry.route,
            form=entry.form,
            release=entry.release,
            table=table,
        )
        ours = heal.calculate(
            [med(name, 20, 1 if entry.row.is_patch else 3, 1)], therapy_days=1, observation_window_days=1
        )
        assert engine.mme_per_day == pytest.approx(ours.medications[0].single_day_mme, rel=1e-12), name


def test_names_are_forgiving_about_case_only() -> None:
    assert med("TAPENTADOL (mg)  la", 50, 2, 3).medication_name == "tapentadol (mg) LA"
    with pytest.raises(mme.UnknownDrugError) as info:
        med("Fentanyl patch", 25, 1, 3)
    assert info.value.suggestions[0] == "Fentanyl patch (mcg/hr)"
    assert "Fentanyl buccal (mcg)" in info.value.suggestions
    with pytest.raises(LookupError, match="Hydrocodone"):
        med("hydrocodone", 10, 4, 7)


def test_an_unknown_name_points_to_the_calculators_names_not_a_tables_rows() -> None:
    """It said "`mme tables show <slug>` lists what a table covers", though the calculator's names are no table's."""
    with pytest.raises(mme.UnknownDrugError) as info:
        med("oxycodone", 10, 4, 7)
    assert str(info.value).endswith(
        " `mme.heal.MEDICATIONS` lists the calculator's names (its own, not a table's rows)."
    )
    assert "tables show" not in str(info.value)
    with pytest.raises(mme.UnknownDrugError, match=r"`mme tables show <slug>` lists what a table covers\.$"):
        mme.daily_mme("oxycodonium", "10 mg", per_day=4)  # a table's drug names: its rows


@pytest.mark.parametrize("field", ["dose", "doses_per_24_hours", "days_of_medication"])
@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan")])
def test_medication_amounts_must_be_positive(field: str, value: float) -> None:
    fields = {"medication_name": "Codeine (mg)", "dose": 30, "doses_per_24_hours": 4, "days_of_medication": 3}
    for build in (heal.Medication.model_validate, lambda given: heal.Medication(**given)):
        with pytest.raises(mme.DoseError, match=rf"^{field} must be a positive finite number$"):
            build({**fields, field: value})


@pytest.mark.parametrize("field", ["dose", "doses_per_24_hours", "days_of_medication"])
@pytest.mark.parametrize("value", [True, "30", None, b"3"])
def test_medication_amounts_must_be_numbers_as_the_core_reads_them(field: str, value: object) -> None:
    """pydantic read True as 1 (oxycodone 'dose=True' was 3 MME/day) and "30" as 30; `mme.daily_mme` refuses both."""
    fields = {"medication_name": "Oxycodone (mg)", "dose": 10, "doses_per_24_hours": 2, "days_of_medication": 30}
    with pytest.raises(mme.ArgumentTypeError, match=rf"^{field} must be a number, not "):
        heal.Medication.model_validate({**fields, field: value})


def test_an_mme_that_overflows_is_a_dose_error() -> None:
    """dose=1e308 was a pydantic ValidationError of the result model (10 errors), not the input's own."""
    with pytest.raises(
        mme.DoseError, match=r"^Oxycodone \(mg\): the MME overflows: check the dose, doses_per_24_hours"
    ):
        heal.calculate([med("Oxycodone (mg)", 1e308, 2, 30)], therapy_days=30, observation_window_days=90)
    each_finite = [med("Oxycodone (mg)", 1e308, 1, 1)] * 2  # 1.5e308 MME each, 3e308 together
    with (
        pytest.warns(mme.ImplausibleDoseWarning, match="above 10,000 MME/day"),
        pytest.raises(mme.DoseError, match=r"^the medications' summed MME overflows: check the dose"),
    ):
        heal.calculate(each_finite, therapy_days=30, observation_window_days=90)


def test_calculate_rejects() -> None:
    one = [med("Codeine (mg)", 30, 4, 3)]
    with pytest.raises(mme.DoseError, match="give at least one medication"):
        heal.calculate([], therapy_days=1, observation_window_days=1)
    for bad in ({"therapy_days": 0}, {"observation_window_days": -1}, {"therapy_days_without": 0}):
        ((name, _),) = bad.items()
        with pytest.raises(mme.DoseError, match=rf"^{name} must be a positive finite number$"):
            heal.calculate(one, **{"therapy_days": 3, "observation_window_days": 7, **bad})
    with pytest.raises(mme.ArgumentTypeError, match=r"missing doses_per_24_hours, days_of_medication$"):
        heal.calculate([{"medication_name": "Codeine (mg)", "dose": 30}], therapy_days=3, observation_window_days=7)


def test_a_medication_says_its_keys_in_mme_errors_not_pydantic_ones() -> None:
    """A pydantic ValidationError was the one error of HEAL input outside `MMEError`."""
    fields = {"medication_name": "Codeine (mg)", "dose": 30, "doses_per_24_hours": 4, "days_of_medication": 3}
    with pytest.raises(mme.ArgumentTypeError, match=r"^a medication has medication_name, .*unknown key\(s\) 'route'$"):
        heal.Medication.model_validate({**fields, "route": "oral"})
    with pytest.raises(mme.ArgumentTypeError, match="medication_name: Input should be a valid string"):
        heal.Medication(**{**fields, "medication_name": 5})
    with pytest.raises(mme.DoseError, match=r"^dose 1000+\.\.\. is too large"):  # raised inside pydantic, kept
        heal.calculate([{**fields, "dose": 10**400}], therapy_days=3, observation_window_days=7)
    with pytest.raises(mme.DoseError, match=r"^dose must be a positive finite number; days_of_medication must be"):
        heal.Medication(**{**fields, "dose": 0, "days_of_medication": float("nan")})


def test_a_medication_from_json_or_strings_says_mme_errors_too() -> None:
    """model_validate_json raised pydantic's ValidationError for a dose of 0 or text that is no JSON, where the
    class and model_validate raise an `MMEError`; model_validate_strings too."""
    fields = {"medication_name": "Codeine (mg)", "dose": 30, "doses_per_24_hours": 4, "days_of_medication": 3}
    assert heal.Medication.model_validate_json(json.dumps(fields)) == heal.Medication(**fields)
    with pytest.raises(mme.DoseError, match=r"^dose must be a positive finite number$"):
        heal.Medication.model_validate_json(json.dumps({**fields, "dose": 0}))
    with pytest.raises(mme.ArgumentTypeError, match=r"^a medication has .*: missing days_of_medication; dose: Input"):
        heal.Medication.model_validate_json(json.dumps({k: v for k, v in fields.items() if k != "days_of_medication"}
                                                       | {"dose": -1}))  # fmt: skip
    with pytest.raises(mme.ArgumentTypeError, match=r"^a medication has .*days_of_medication: Input should be an obj"):
        heal.Medication.model_validate_json("[1]")
    with pytest.raises(mme.ExpressionError, match=r"^a medication's text is not valid JSON: EOF while parsing"):
        heal.Medication.model_validate_json('{"dose": 30')
    with pytest.raises(mme.ArgumentTypeError, match=r"^dose must be a number, not '30'$"):  # as the class reads text
        heal.Medication.model_validate_strings({k: str(v) for k, v in fields.items()})


def test_implausible_doses_warn_as_convert_warns() -> None:
    """A 1000 mcg/h fentanyl patch beside oxycodone 10,000 mg/day gave 17,400 MME/day with no word, where
    `mme.convert` under heal-2025 warns of both; a buprenorphine patch of 80 mcg/h too."""
    meds = [
        med("Fentanyl patch (mcg/hr)", 1000, 1, 3),
        med("Oxycodone (mg)", 10_000, 1, 3),
        med("Buprenorphine patch (mcg/hr) transdermal", 80, 1, 3),
        med("Codeine (mg)", 30, 4, 3),
        med("Fentanyl patch (mcg/hr)", 100, 1, 3),  # the strongest patch sold: no word
    ]
    with pytest.warns(mme.ImplausibleDoseWarning) as caught:
        r = heal.calculate(meds, therapy_days=3, observation_window_days=3)
    assert [m.warnings for m in r.medications] == [
        ("no fentanyl patch is sold above 100 mcg/h: check the dose (one patch's rate, in mcg/h)",),
        (IMPLAUSIBLE,),
        ("no buprenorphine patch is sold above 70 mcg/h: check the dose (one patch's rate, in mcg/h)",),
        (),
        (),
    ]
    assert [str(w.message) for w in caught] == [
        f"Oxycodone (mg): {IMPLAUSIBLE}"
    ]  # as convert: the patch's in the result
    with pytest.warns(mme.ImplausibleDoseWarning):  # the same words as the engine's
        oxycodone = mme.convert("oxycodone 10000 mg daily", table="heal-2025")
    patch = mme.convert("fentanyl 1000 mcg/h patch", table="heal-2025")
    assert IMPLAUSIBLE in oxycodone.warnings
    assert "no fentanyl patch is sold above 100 mcg/h" in patch.warnings[0]
    assert heal.HealResult.model_validate_json(r.model_dump_json()) == r


def test_a_list_whose_total_is_implausible_warns_as_one_result_would() -> None:
    """Three oxycodone 3000 mg/day (4500 MME/day each) gave mme4 13,500 MME/day with no word, where one result
    above 10,000 is an `ImplausibleDoseWarning` in the engine's words; the figures are the calculator's all the same."""
    three = [med("Oxycodone (mg)", 3000, 1, 3)] * 3
    with pytest.warns(mme.ImplausibleDoseWarning) as caught:
        r = heal.calculate(three, therapy_days=3, observation_window_days=30)
    assert [str(w.message) for w in caught] == [f"mme2, mme4 (13500 MME/day at most): {IMPLAUSIBLE}"]
    assert (r.with_buprenorphine.mme2, r.with_buprenorphine.mme4, r.with_buprenorphine.mme3) == (13500, 13500, 1350)
    assert all(m.warnings == () for m in r.medications)  # no medication is implausible alone
    patch = med("Buprenorphine patch (mcg/hr) transdermal", 20, 1, 3)
    with pytest.warns(mme.ImplausibleDoseWarning) as caught:
        heal.calculate([*three, patch], therapy_days=3, observation_window_days=30)
    assert [str(w.message) for w in caught] == [
        f"with buprenorphine mme2, mme4; without it mme2, mme4 (13544 MME/day at most): {IMPLAUSIBLE}"
    ]
    with pytest.warns(mme.ImplausibleDoseWarning, match=r"^mme2 \(54750 MME/day at most\)"):  # 1 on-therapy day
        heal.calculate([med("Oxycodone (mg)", 100, 1, 365)], therapy_days=1, observation_window_days=400)
    with pytest.warns(mme.ImplausibleDoseWarning, match=r"^mme2, mme4 \(10000\.001 MME/day at most\)"):  # not "10000"
        heal.calculate([med("Oxycodone (mg)", 2222.2224, 1, 3)] * 3, therapy_days=3, observation_window_days=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two = heal.calculate(three[:2], therapy_days=3, observation_window_days=30)  # 9,000: no word
        assert two.with_buprenorphine.mme4 == 9000


def test_unit_slips_warn_in_heal_as_the_engine_warns_them() -> None:
    """HEAL takes no unit (the name says it), so a slip shows in the number: 25 mg/h of fentanyl is 25000 mcg/h, 10
    mg/h of buprenorphine 10000; each warns as `mme.daily_mme` does at heal-2025. A 5000 mg tablet (7,500 MME/day)
    warns in neither: the unit given is the table's, and the engine's rules come from the units alone."""
    cases: list[tuple[str, float, tuple[str, str], dict[str, Any]]] = [
        ("Fentanyl patch (mcg/hr)", 25_000, ("fentanyl", "25000 mcg/h"), {"form": "patch"}),
        ("Buprenorphine patch (mcg/hr) transdermal", 10_000, ("buprenorphine", "10000 mcg/h"), {"form": "patch"}),
        ("Oxycodone (mg)", 5000, ("oxycodone", "5000 mg"), {"per_day": 1}),
    ]
    for name, dose, (drug, amount), how in cases:
        with warnings.catch_warnings(record=True) as engine:
            warnings.simplefilter("always")
            mme.daily_mme(drug, amount, table="heal-2025", **how)
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            heal.calculate([med(name, dose, 1, 1)], therapy_days=1, observation_window_days=1)
        assert [f"{name}: {w.message}" for w in engine] == [str(w.message) for w in ours], name
    assert [str(w.message) for w in ours] == []  # the tablet


def test_a_positive_dose_whose_mme_underflows_is_refused_never_0() -> None:
    """dose 1e-320 x 1e-10 doses a day was total_mme 0.0 and mme1..4 0.0, with no word."""
    with pytest.raises(mme.DoseError, match=r"^Codeine \(mg\): the MME rounds to 0 in floating point"):
        heal.calculate([med("Codeine (mg)", 1e-320, 1e-10, 1)], therapy_days=1, observation_window_days=1)
    with pytest.raises(mme.DoseError, match=r"^the MME per day rounds to 0 in floating point: check therapy_days"):
        heal.calculate([med("Codeine (mg)", 1e-300, 1, 1)], therapy_days=1e300, observation_window_days=1)
    tiny = heal.calculate([med("Codeine (mg)", 1e-300, 1, 1)], therapy_days=1, observation_window_days=1)
    assert tiny.with_buprenorphine.mme2 == pytest.approx(1.5e-301)  # small but not 0: kept


def test_therapy_days_beyond_the_window_warns_but_is_accepted() -> None:
    with pytest.warns(mme.MMEWarning, match="observation window"):
        r = heal.calculate([med("Codeine (mg)", 30, 4, 30)], therapy_days=30, observation_window_days=14)
    assert r.with_buprenorphine.mme2 == pytest.approx(18)


def test_result_round_trips_through_json() -> None:
    r = heal.calculate([med("Fentanyl nasal (mcg)", 100, 2, 3)], therapy_days=3, observation_window_days=7)
    assert heal.HealResult.model_validate_json(r.model_dump_json()) == r
    assert r.medications[0].single_day_mme == pytest.approx(32)


def test_a_result_is_re_run_with_another_window() -> None:
    """`calculate(result.medications, ...)` raised a bare TypeError ("multiple values for keyword argument
    'factor'"): a result's medications are medications, and their figures are computed again."""
    meds = [med("Oxycodone (mg)", 10, 4, 30), med("Buprenorphine patch (mcg/hr) transdermal", 10, 1, 7)]
    first = heal.calculate(meds, therapy_days=30, observation_window_days=30)
    again = heal.calculate(first.medications, therapy_days=30, observation_window_days=90)
    assert again == heal.calculate(meds, therapy_days=30, observation_window_days=90)
    assert again.with_buprenorphine.mme3 == pytest.approx((1800 + 10 * 2.2 * 7) / 90)  # factors 1.5 and 2.2


@pytest.mark.parametrize("given", [None, 5, "Codeine (mg)", {"medication_name": "Codeine (mg)"}])
def test_medications_that_are_no_list_are_refused_by_type(given: object) -> None:
    """``calculate(None, ...)`` was a bare TypeError ("'NoneType' object is not iterable"); one medication not in a
    list was read as its keys."""
    with pytest.raises(mme.ArgumentTypeError, match=r"^medications must be a list of heal.Medication or dicts, not "):
        heal.calculate(given, therapy_days=1, observation_window_days=1)  # type: ignore[arg-type]
    with pytest.raises(mme.ArgumentTypeError, match=r"^medications must be a list"):
        heal.calculate(med("Codeine (mg)", 30, 4, 30), therapy_days=1, observation_window_days=1)  # type: ignore[arg-type]


#: A buprenorphine-only result as 0.1.0 saved it: without buprenorphine, no ``no_mme`` (it had none).
_SAVED_BY_0_1_0: dict[str, Any] = {
    "medications": [{"medication_name": "Buprenorphine tablet/film (mg) sublingual", "dose": 12.5,
                     "doses_per_24_hours": 0.5, "days_of_medication": 1.0, "factor": "38.8",
                     "single_day_mme": 242.49999999999997, "mme": 242.49999999999997}],
    "with_buprenorphine": {"therapy_days": 10.0, "observation_window_days": 90.0, "total_mme": 242.49999999999997,
                           "total_days": 1.0, "mme1": 242.49999999999997, "mme2": 24.249999999999996,
                           "mme3": 2.694444444444444, "mme4": 242.49999999999997},
    "without_buprenorphine": {"therapy_days": 10.0, "observation_window_days": 90.0, "total_mme": 0.0,
                              "total_days": 0.0, "mme1": None, "mme2": 0.0, "mme3": 0.0, "mme4": 0.0},
    "table": "heal-2025", "table_version": "API get_med_list, 29 entries, as recorded in KennethATaylor/mmequiv@197002e",
}  # fmt: skip


def test_a_buprenorphine_only_result_saved_without_its_no_mme_word_loads() -> None:
    """Its figures are its medications'; only the explanatory ``no_mme`` was missing, and it was refused. A ``no_mme``
    said of a grouping where a medication counts still is."""
    loaded = heal.HealResult.model_validate_json(json.dumps(_SAVED_BY_0_1_0))
    assert (loaded.without_buprenorphine.no_mme, loaded.with_buprenorphine.total_mme) == (None, 242.49999999999997)
    said = {**_SAVED_BY_0_1_0, "with_buprenorphine": {**_SAVED_BY_0_1_0["with_buprenorphine"], "no_mme": "none"}}
    with pytest.raises(ValidationError, match="its figures with buprenorphine are not its medications'"):
        heal.HealResult.model_validate(said)


def test_a_saved_result_that_contradicts_itself_is_refused() -> None:
    """A saved result loaded with a medication's mme 99999 against the 1,800 of its dose x doses x factor x days, or
    figures its medications do not make. Its numbers must be its medications' as `calculate` computes them."""
    r = heal.calculate(
        [med("Oxycodone (mg)", 10, 4, 30), med("Buprenorphine tablet/film (mg) sublingual", 8, 1, 30)],
        therapy_days=30,
        observation_window_days=60,
    )
    saved = json.loads(r.model_dump_json())
    oxycodone = saved["medications"][0]
    edits: list[tuple[dict[str, Any], str]] = [
        ({"medications": [{**oxycodone, "mme": 99999}, saved["medications"][1]]},
         r"Oxycodone \(mg\) has factor 1.5, single_day_mme 60.0 and mme 99999.0; its dose, doses and days make 1.5, "
         r"60.0 and 1800.0"),
        ({"medications": [{**oxycodone, "factor": "3"}, saved["medications"][1]]}, "has factor 3, single_day_mme 60.0"),
        ({"with_buprenorphine": {**saved["with_buprenorphine"], "mme2": 1}},
         "its figures with buprenorphine are not its medications'"),
        ({"without_buprenorphine": {**saved["without_buprenorphine"], "total_mme": 1}},
         "its figures without buprenorphine are not its medications'"),
        ({"without_buprenorphine": {**saved["without_buprenorphine"], "therapy_days": 0}},
         "therapy_days must be"),
    ]  # fmt: skip
    for edit, message in edits:
        with pytest.raises(ValidationError, match=message) as caught:
            heal.HealResult.model_validate_json(json.dumps({**saved, **edit}))
        assert type(caught.value.errors()[0]["ctx"]["error"]) is mme.DoseError
    assert heal.HealResult.model_validate(saved) == r
    older = {**saved, "table_version": "an earlier one", "medications": [{**oxycodone, "factor": "3", "mme": 3600,
             "single_day_mme": 120}, saved["medications"][1]]}  # fmt: skip
    older |= {g: {**saved[g], "total_mme": saved[g]["total_mme"] + 1800, "mme4": saved[g]["mme4"] + 60}
              for g in ("with_buprenorphine", "without_buprenorphine")}  # fmt: skip
    for g in ("with_buprenorphine", "without_buprenorphine"):
        d = older[g]
        d |= {"mme1": d["total_mme"] / d["total_days"], "mme2": d["total_mme"] / 30, "mme3": d["total_mme"] / 60}
    assert heal.HealResult.model_validate(older).medications[0].mme == 3600  # its own factor, under its version

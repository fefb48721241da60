"""FHIR R4 input: CDC's CQF test cases, every dosage field read, warnings for every assumption.

Expected values: CQF's GuidanceResponse files (below), or the engine's own result on the same regimen
written by hand (`mme.rxnorm.daily_mme` / `mme.daily_mme`), so each test checks the reading, not arithmetic.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mme
import mme.rxnorm as rx
from mme import fhir
from mme._engine import patch_changed
from mme.testing import FhirRegimen, fhir_regimens, medication_request, medication_requests, timings

from reference_data import CQF_TESTS, needs

has_cqf = needs(CQF_TESTS, "CDC's CQF MME calculator tests (cqf-opioid-mme-r4/MMECalculatorTests)")

RX = fhir.RXNORM_SYSTEM
OXY_5 = "1049621"  # oxycodone hydrochloride 5 MG Oral Tablet
FENTANYL_25 = "245134"  # 72 HR fentanyl 0.025 MG/HR Transdermal System
MORPHINE_LIQUID = "892589"  # morphine sulfate 2 MG/ML Oral Solution
ACETAMINOPHEN = "313782"  # acetaminophen 325 MG Oral Tablet: not an opioid
PERCOCET = "1049640"  # acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet [Percocet]


def request(code: str = OXY_5, *, dosage: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": code}]},
    }
    if dosage is not None:
        resource["dosageInstruction"] = [dosage]
    return resource | extra


def every(hours: float, dose: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "timing": {"repeat": {"frequency": 1, "period": hours, "periodUnit": "h"}},
        "doseAndRate": [{"doseQuantity": dose or {"value": 1, "code": "{tablet}"}}],
    }


# -- CDC's CQF test cases -------------------------------------------------------------------------


def _cqf_cases() -> list[tuple[str, float, list[dict[str, Any]]]]:
    """Each case's expected TotalMME and its MedicationRequests.

    A case is the file-name prefix before ``__`` (the folder of the original test). Its expected value is
    the ``TotalMME`` output parameter of its GuidanceResponse: the Parameters resource contained in it
    (``outputParameters`` -> ``#output``), ``parameter[name=TotalMME].valueQuantity.value`` in {MME}/d.
    """
    if not CQF_TESTS.is_dir():
        return []
    cases = []
    for response in sorted(CQF_TESTS.glob("*__GuidanceResponse-*.json")):
        case = response.name.split("__")[0]
        data = json.loads(response.read_text(encoding="utf-8"))
        output = next(c for c in data["contained"] if c["id"] == data["outputParameters"]["reference"].lstrip("#"))
        expected = next(p["valueQuantity"]["value"] for p in output["parameter"] if p["name"] == "TotalMME")
        resources = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CQF_TESTS.glob(f"{case}__*.json"))]
        cases.append((case, expected, [r for r in resources if r["resourceType"] == "MedicationRequest"]))
    return cases


@has_cqf
def test_every_cqf_case_has_an_expected_value_and_a_request() -> None:
    cases = _cqf_cases()
    assert len(cases) == 4
    assert all(requests for _, _, requests in cases)


@has_cqf
@pytest.mark.parametrize(("case", "expected", "requests"), _cqf_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_cqf_cases_reproduce_their_guidance_response(
    case: str, expected: float, requests: list[dict[str, Any]]
) -> None:
    """CQF rounds each item's MME/day to 0.1 before adding them up; done the same way, the totals are equal."""
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in requests]}
    got = fhir.convert(bundle)
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day is not None
    cqf_rounded = sum(round(item.mme_per_day, 1) for item in got.items if item.mme_per_day is not None)
    assert cqf_rounded == pytest.approx(expected, abs=1e-9)
    assert got.mme_per_day == pytest.approx(expected, abs=0.05 * len(got.items))
    singles = [fhir.convert(resource) for resource in requests]  # each request alone: the bundle's item
    assert [s.mme_per_day for s in singles if isinstance(s, mme.DailyMME)] == [i.mme_per_day for i in got.items]


@has_cqf
def test_cqf_patient_without_medications_has_no_mme() -> None:
    patient = json.loads((CQF_TESTS / "patient-no-meds__patient-no-meds.json").read_text(encoding="utf-8"))
    got = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": patient}]})
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day is None
    assert got.items == ()


# -- reading the resource ---------------------------------------------------------------------------


def test_inputs_dict_json_path_and_model(tmp_path: Path) -> None:
    resource = request(dosage=every(6))
    expected = rx.daily_mme(OXY_5, count=1, every="6 h")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    assert fhir.convert(resource) == expected
    assert fhir.convert(json.dumps(resource)) == expected
    assert fhir.convert(path) == expected
    assert fhir.convert(str(path)) == expected
    r4b = pytest.importorskip("fhir.resources.R4B.medicationrequest")
    model = r4b.MedicationRequest.model_validate(
        resource | {"status": "active", "intent": "order", "subject": {"reference": "Patient/p"}}
    )
    assert fhir.convert(model) == expected


def test_bad_inputs_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(mme.ExpressionError, match="JSON"):
        fhir.convert("{not json")
    with pytest.raises(mme.ExpressionError, match="resourceType"):
        fhir.convert({"id": "x"})
    with pytest.raises(mme.ExpressionError, match="reads"):
        fhir.convert({"resourceType": "Patient"})
    with pytest.raises(FileNotFoundError, match=r"no FHIR JSON file at .*absent\.json"):
        fhir.convert(tmp_path / "absent.json")
    # text that is no JSON was read as a path: FileNotFoundError, or an OSError quoting a 5,000-character name
    with pytest.raises(mme.ExpressionError, match=r"^'nan' is neither FHIR JSON \(it starts with '\{' or '\['\) nor"):
        fhir.convert("nan")
    with pytest.raises(mme.ExpressionError, match=r"^'x{60}'\.\.\. \(5,000 characters\) is neither FHIR JSON"):
        fhir.convert("x" * 5000)
    with pytest.raises(mme.ExpressionError, match="is neither FHIR JSON"):
        fhir.convert("x\x00.json")
    with pytest.raises(
        mme.ArgumentTypeError, match="cannot read a FHIR resource from a number: give a dict, JSON text"
    ):
        fhir.convert(42)


def test_the_engine_makes_the_number() -> None:
    got = fhir.convert(request(dosage=every(6, {"value": 2, "code": "{tablet}"})))
    assert got == rx.daily_mme(OXY_5, count=2, every="6 h")
    assert got.mme_per_day == 60.0  # 2 x 5 mg x 4 a day x 1.5


@pytest.mark.parametrize(
    ("timing", "per_day"),
    [
        ({"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}, 2),
        ({"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}}, 3),
        ({"repeat": {"frequency": 14, "period": 1, "periodUnit": "wk"}}, 2),
        ({"repeat": {"timeOfDay": ["08:00:00", "20:00:00"]}}, 2),
        ({"repeat": {"when": ["MORN", "HS"]}}, 2),
        ({"code": {"coding": [{"code": "TID"}]}}, 3),
        ({"code": {"coding": [{"code": "Q6H"}]}}, 4),
    ],
)
def test_timing_fields(timing: dict[str, Any], per_day: int) -> None:
    dosage = {"timing": timing, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}
    assert fhir.convert(request(dosage=dosage)) == rx.daily_mme(OXY_5, count=1, per_day=per_day)


@pytest.mark.parametrize(
    "repeat",
    [
        {"period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00", "14:00:00", "20:00:00"]},
        {"period": 1, "periodUnit": "d", "when": ["MORN", "AFT", "EVE"]},
    ],
)
def test_times_of_day_with_a_period_and_no_frequency_are_each_a_dose(repeat: dict[str, Any]) -> None:
    """FHIR's frequency defaults to 1: three times of day per day were read as once a day (7.5 MME/day)."""
    dosage = {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == 22.5  # 3 x 5 mg a day x 1.5
    assert any("3 times of day named, no frequency" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("repeat", "match"),
    [
        # each was a number: frequency 0 read as 1; frequencyMax below frequency used as the maximum (2 a day);
        # periodMax below period said "the shorter interval" and used the longer; true read as 1
        ({"frequency": 0, "period": 6, "periodUnit": "h"}, "frequency must be a positive number, not 0"),
        ({"frequency": 4, "frequencyMax": 2, "period": 1, "periodUnit": "d"}, "frequencyMax 2 is below frequency 4"),
        ({"frequency": 1, "period": 6, "periodMax": 4, "periodUnit": "h"}, "periodMax 4 is below period 6"),
        ({"frequency": True, "period": 1, "periodUnit": "d"}, "frequency must be a positive number, not True"),
        ({"frequency": 1, "period": "6", "periodUnit": "h"}, "period must be a positive number, not '6'"),
        ({"frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00", "20:00:00"]},
         "2 times of day named, but frequency 1 per 1 d"),
    ],
)  # fmt: skip
def test_timing_that_contradicts_itself_is_refused(repeat: dict[str, Any], match: str) -> None:
    dosage = {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}
    with pytest.raises(mme.DoseError, match=match):
        fhir.convert(request(dosage=dosage))


def test_a_maximum_per_administration_caps_the_dose_or_is_said() -> None:
    """maxDosePerAdministration was ignored: 1-2 tablets, at most 1 at a time, counted 2 (60 MME/day)."""
    ranged = every(6) | {"doseAndRate": [{"doseRange": {"low": {"value": 1, "code": "{tablet}"},
                                                        "high": {"value": 2, "code": "{tablet}"}}}]}  # fmt: skip
    got = fhir.convert(request(dosage=ranged | {"maxDosePerAdministration": {"value": 1, "code": "{tablet}"}}))
    assert got.mme_per_day == 30.0  # 1 tablet of 5 mg every 6 hours x 1.5
    assert "MedicationRequest/r1: capped by maxDosePerAdministration at 1 {tablet} (not 2 {tablet})" in got.warnings
    in_mg = fhir.convert(request(dosage=ranged | {"maxDosePerAdministration": {"value": 5, "code": "mg"}}))
    assert in_mg.mme_per_day == 30.0  # 5 mg is one 5 mg tablet
    assert "MedicationRequest/r1: capped by maxDosePerAdministration at 5 mg (not 2 {tablet})" in in_mg.warnings
    other = fhir.convert(request(PERCOCET, dosage=ranged | {"maxDosePerAdministration": {"value": 5, "code": "mg"}}))
    assert other.mme_per_day == 60.0  # 2 tablets: mg of a combination is not compared with tablets, and says so
    assert any(
        "maxDosePerAdministration 5 mg is in another unit than the dose: not applied" in w for w in other.warnings
    )
    above = fhir.convert(request(dosage=ranged | {"maxDosePerAdministration": {"value": 3, "code": "{tablet}"}}))
    assert above.mme_per_day == 60.0
    assert not any("maxDosePerAdministration" in w for w in above.warnings)


def test_days_of_the_week_are_said() -> None:
    timing = {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d", "dayOfWeek": ["mon", "wed", "fri"]}}
    got = fhir.convert(
        request(dosage={"timing": timing, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]})
    )
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=2).mme_per_day
    assert any("mon, wed, fri" in w for w in got.warnings)


@pytest.mark.parametrize(
    "repeat",
    [
        {"period": 1, "periodUnit": "wk", "timeOfDay": ["08:00", "20:00"], "dayOfWeek": ["mon", "thu"]},
        {"frequency": 4, "period": 1, "periodUnit": "wk", "timeOfDay": ["08:00", "20:00"], "dayOfWeek": ["mon", "thu"]},
        {"period": 7, "periodUnit": "d", "when": ["MORN", "HS"], "dayOfWeek": ["tue", "sat"]},
    ],
)
def test_times_of_day_on_days_of_the_week_are_each_taken_day_s_doses(repeat: dict[str, Any]) -> None:
    """08:00 and 20:00 on Monday and Thursday, per week, read as 2 a week, so 1 on a day taken (7.5 MME/day): the
    times of day are each taken day's doses (15); a weekly frequency must be the times on all the days (4)."""
    got = fhir.convert(request(dosage={"timing": {"repeat": repeat}, "doseAndRate": every(6)["doseAndRate"]}))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=2).mme_per_day
    contradicting = repeat | {"frequency": 2}
    with pytest.raises(mme.DoseError, match="2 times of day named on each of 2 days of the week, but frequency 2"):
        fhir.convert(request(dosage={"timing": {"repeat": contradicting}, "doseAndRate": every(6)["doseAndRate"]}))


@pytest.mark.parametrize(
    ("cap", "per", "expected"),
    [
        (6, "wk", 15.0),  # 6 tablets a week is 1 dose of 2 on each of 3 days: 2 x 5 mg x 1.5 on a day taken (was 6.43)
        (12, "2 wk", 15.0),
        (100, "wk", 15.0),  # more than a day taken can reach: no cap
        (6, "3 d", 15.0),  # 3 doses in any 3 days: more than they hold of Mon/Wed/Fri
        (4, "wk", "DoseError"),  # 2 doses a week on 3 days: which day goes without is unknown (was 4.29)
        (2, "3 d", "DoseError"),
    ],
)
def test_a_cap_over_days_on_days_of_the_week_is_shared_among_the_days_taken(
    cap: int, per: str, expected: float | str
) -> None:
    """2 tablets of oxycodone 5 mg once a day on Mon/Wed/Fri, at most 6 tablets a week, was capped as an average over
    the week (6.43 MME/day), though MME/day on days of the week is that of a day taken (15), and both were said."""
    value, unit = per.split() if " " in per else (1, per)
    repeat = {"frequency": 1, "period": 1, "periodUnit": "d", "dayOfWeek": ["mon", "wed", "fri"]}
    dosage = every(24, {"value": 2, "code": "{tablet}"}) | {"timing": {"repeat": repeat}}
    dosage["maxDosePerPeriod"] = {"numerator": {"value": cap, "code": "{tablet}"},
                                  "denominator": {"value": int(value), "code": unit}}  # fmt: skip
    if isinstance(expected, str):
        with pytest.raises(mme.DoseError, match="how many on a day taken is unknown; give the maximum per day"):
            fhir.convert(request(dosage=dosage))
        return
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == expected
    assert not any("taken less than once a day" in w for w in got.warnings)


@pytest.mark.parametrize(("when", "frequency"), [(["C"], 3), (["AC"], 3), (["PC", "HS"], 4)])
def test_when_codes_of_any_meal_beside_a_frequency_read_by_the_frequency(when: list[str], frequency: int) -> None:
    """The codes of any meal (C "with meals", AC before, PC after) name no one time: with a frequency beside them they
    were refused, asking for the frequency they had; it says how many (1 tablet of oxycodone 5 mg: 7.5 MME each)."""
    repeat = {"when": when, "frequency": frequency, "period": 1, "periodUnit": "d"}
    got = fhir.convert(request(dosage=every(24) | {"timing": {"repeat": repeat}}))
    assert got.mme_per_day == 7.5 * frequency
    with pytest.raises(mme.DoseError, match="does not say how many times a day: give a frequency"):
        fhir.convert(request(dosage=every(24) | {"timing": {"repeat": {"when": when}}}))


def test_a_day_of_the_week_listed_twice_is_refused() -> None:
    """2 a week on mon, mon read as 2 on Monday (15 MME/day), where 1 on each day listed (7.5) is as likely."""
    repeat = {"frequency": 2, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "mon"]}
    with pytest.raises(mme.DoseError, match="lists a day twice"):
        fhir.convert(request(dosage={"timing": {"repeat": repeat}, "doseAndRate": every(6)["doseAndRate"]}))


@pytest.mark.parametrize(
    ("timing", "per_day"),
    [
        ({"repeat": {"frequency": 3, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "wed", "fri"]}}, 1),
        ({"repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "dayOfWeek": ["mon", "wed", "fri"]}}, 1),
        ({"repeat": {"frequency": 1, "period": 7, "periodUnit": "d", "dayOfWeek": ["mon"]}}, 1),
        ({"repeat": {"frequency": 4, "period": 1, "periodUnit": "wk", "dayOfWeek": ["tue", "fri"]}}, 2),
        ({"repeat": {"dayOfWeek": ["mon"]}, "code": {"coding": [{"code": "WK"}]}}, 1),
        ({"repeat": {"timeOfDay": ["08:00", "20:00"], "dayOfWeek": ["sat"]}}, 2),
    ],
)
def test_days_of_the_week_give_a_day_it_is_taken_however_written(timing: dict[str, Any], per_day: int) -> None:
    got = fhir.convert(request(dosage={"timing": timing, "doseAndRate": every(6)["doseAndRate"]}))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=per_day).mme_per_day
    assert any("MME/day is that of a day it is taken" in w for w in got.warnings)


@pytest.mark.parametrize(
    "repeat",
    [
        {"frequency": 4, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "wed", "fri"]},
        {"frequency": 1, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "tue", "wed", "thu", "fri", "sat"]},
        {"frequency": 1, "period": 2, "periodUnit": "wk", "dayOfWeek": ["mon"]},
        {"frequency": 1, "period": 3, "periodUnit": "d", "dayOfWeek": ["mon"]},
        {"frequency": 1, "period": 1, "periodUnit": "d", "dayOfWeek": ["monday"]},
    ],
)
def test_days_of_the_week_that_do_not_say_a_day_s_doses_are_refused(repeat: dict[str, Any]) -> None:
    with pytest.raises(mme.DoseError, match=r"dayOfWeek|of the week"):
        fhir.convert(request(dosage={"timing": {"repeat": repeat}, "doseAndRate": every(6)["doseAndRate"]}))


@pytest.mark.parametrize(
    "timing",
    [
        {"repeat": {"frequency": 3, "period": 1, "periodUnit": "wk"}},
        {"repeat": {"frequency": 1, "period": 2, "periodUnit": "d"}},
        {"code": {"coding": [{"code": "QOD"}]}},
    ],
)
def test_less_than_daily_timings_are_averaged_and_said_as_the_sig_reader_says(timing: dict[str, Any]) -> None:
    got = fhir.convert(request(dosage={"timing": timing, "doseAndRate": every(6)["doseAndRate"]}))
    per_day = fhir._per_day(timing, "", [])
    assert per_day is not None
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=per_day).mme_per_day
    said = mme.convert("1 tab twice a week", rxcui=OXY_5).warnings  # a day with a dose: one tablet, 7.5 MME
    assert got.warnings == (f"MedicationRequest/r1: {said[0]}",)


@pytest.mark.parametrize(
    ("every_hours", "bound", "doses"),
    [
        (6, {"boundsDuration": {"value": 12, "unit": "hours", "code": "h"}}, 2),
        (6, {"boundsDuration": {"value": 6, "code": "h"}}, 1),
        (6, {"boundsDuration": {"value": 10, "code": "h"}}, 2),  # doses at 0 and 6 h
        (4, {"boundsRange": {"low": {"value": 4, "code": "h"}, "high": {"value": 8, "code": "h"}}}, 2),
        (2, {"boundsPeriod": {"start": "2024-01-01T08:00:00Z", "end": "2024-01-01T14:00:00+00:00"}}, 3),
        (6, {"boundsDuration": {"value": 12, "code": "h"}, "count": 1}, 1),  # the smaller course
        (6, {"boundsDuration": {"value": 3, "code": "d"}}, 4),  # a bound of a day or more: a day's doses
        (6, {"boundsPeriod": {"start": "2024-01-01", "end": "2024-01-01"}}, 4),  # a whole day
    ],
)
def test_a_bound_under_a_day_limits_the_doses_as_a_count_does(
    every_hours: int, bound: dict[str, Any], doses: int
) -> None:
    dosage = every(every_hours, {"value": 2, "code": "{tablet}"})
    dosage["timing"]["repeat"] |= bound
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=2, per_day=doses).mme_per_day
    assert any(f" {doses} administration(s), under" in w for w in got.warnings) == (doses < 24 / every_hours)


@pytest.mark.parametrize(
    ("bound", "error"),
    [
        ({"boundsDuration": {"value": 0, "code": "h"}}, mme.DoseError),
        ({"boundsDuration": {"value": 2, "code": "{tablet}"}}, mme.UnitError),
        ({"boundsPeriod": {"start": "2024-01-01T08:00", "end": "2024-01-01T07:00"}}, mme.DoseError),
        ({"boundsPeriod": {"start": "2024-01-01T08:00", "end": "noonT"}}, mme.DoseError),
    ],
)
def test_a_bound_that_is_no_length_of_time_is_refused(bound: dict[str, Any], error: type[Exception]) -> None:
    dosage = every(6)
    dosage["timing"]["repeat"] |= bound
    with pytest.raises(error, match="bounds"):
        fhir.convert(request(dosage=dosage))


def _timed(repeat: dict[str, Any]) -> dict[str, Any]:
    return request(dosage={"timing": {"repeat": repeat}, "doseAndRate": every(6)["doseAndRate"]})


@pytest.mark.parametrize(
    ("times", "start", "end", "doses"),
    [
        (["12:00", "13:00"], "2024-01-01T08:00:00Z", "2024-01-01T14:00:00Z", 2),
        (["08:00:00", "09:00:00", "10:00:00"], "2024-01-01T08:00:00Z", "2024-01-01T11:00:00Z", 3),
        (["08:00", "14:00", "20:00"], "2024-01-01T07:00:00Z", "2024-01-01T15:00:00Z", 2),
        (["23:00", "01:00", "12:00"], "2024-01-01T22:00:00+10:00", "2024-01-02T02:00:00+10:00", 2),  # over midnight
        (["08:00", "12:00"], "2024-01-01T00:00:00Z", "2024-01-01T12:00:00Z", 2),  # the end is the period's
    ],
)
def test_a_bound_under_a_day_counts_the_times_of_day_inside_it(
    times: list[str], start: str, end: str, doses: int
) -> None:
    """Times of day inside a boundsPeriod were spread as if evenly spaced: 12:00 and 13:00 from 08:00 to 14:00 gave
    ceil(2 x 6 / 24) = 1 dose (7.5 MME/day) where both fall inside (15)."""
    got = fhir.convert(_timed({"timeOfDay": times, "boundsPeriod": {"start": start, "end": end}}))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=doses).mme_per_day
    assert any(f"at the times of day named, holds {doses} administration(s)" in w for w in got.warnings) == (
        doses < len(times)
    )


@pytest.mark.parametrize(
    ("repeat", "match"),
    [
        ({"timeOfDay": ["08:00", "20:00"], "boundsPeriod": {"start": "2024-01-01T10:00:00Z",
                                                            "end": "2024-01-01T14:00:00Z"}}, "holds none"),
        ({"timeOfDay": ["08:00"], "boundsPeriod": {"start": "2024-01-01T10:00:00Z",
                                                   "end": "2024-01-01T14:00:00Z"}}, "holds none"),
        ({"when": ["MORN", "AFT", "EVE"], "boundsDuration": {"value": 4, "code": "h"}}, "which is unknown"),
        ({"timeOfDay": ["08:00", "20:00"], "boundsDuration": {"value": 4, "code": "h"}}, "which is unknown"),
        ({"when": ["MORN", "EVE"], "boundsPeriod": {"start": "2024-01-01T06:00:00Z",
                                                    "end": "2024-01-01T10:00:00Z"}}, "which is unknown"),
        ({"frequency": 1, "period": 2, "periodUnit": "h", "boundsPeriod": {"start": "2024-01-01T08:00:00-05:00",
                                                                           "end": "2024-01-01T14:00:00"}}, "time zone"),
    ],
)  # fmt: skip
def test_a_bound_whose_doses_cannot_be_counted_is_refused(repeat: dict[str, Any], match: str) -> None:
    """Each gave 7.5 MME/day: a dose at the start of each interval begun, though the doses are at named times (none
    inside, or some unknown), or one end of the period read as UTC (1 h, where 6 h local is as likely)."""
    with pytest.raises(mme.DoseError, match=match):
        fhir.convert(_timed(repeat))


def test_a_bound_s_quantity_is_said_as_a_dose_s_is() -> None:
    """A bound's display-only unit and its '<' comparator were read without a word, and a code beside a unit that
    contradicts it (h and "days") read as hours silently."""
    repeat: dict[str, Any] = {"frequency": 1, "period": 2, "periodUnit": "h"}
    shown = fhir.convert(_timed(repeat | {"boundsDuration": {"value": 12, "unit": "hours"}}))
    assert shown.mme_per_day == 45.0  # 6 doses of 5 mg x 1.5
    assert any("boundsDuration: no UCUM code; the display unit 'hours' was read" in w for w in shown.warnings)
    below = fhir.convert(_timed(repeat | {"boundsDuration": {"value": 12, "code": "h", "comparator": "<"}}))
    assert any("boundsDuration is '< 12': 12 was used" in w for w in below.warnings)
    with pytest.raises(mme.UnitError, match="the code 'h' but the unit 'days'"):
        fhir.convert(_timed(repeat | {"boundsDuration": {"value": 12, "code": "h", "unit": "days"}}))


@pytest.mark.parametrize(("code", "unit"), [("h", "days"), ("wk", "Days"), ("min", "days"), ("d", "hours")])
def test_a_time_whose_code_contradicts_its_unit_is_refused_wherever_a_time_is_read(code: str, unit: str) -> None:
    """A days supply of 30 with code h and unit "days" read as 30 hours (720 MME/day for 120 oxycodone 5 mg, not 30);
    so did an expectedSupplyDuration, a rateRatio's or a maxDosePerPeriod's denominator, and a strength's. Only a
    bound refused it; each now does, naming both."""
    time = {"value": 30, "code": code, "unit": unit}
    said = f"the code '{code}' but the unit '{unit}'"
    dispense = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]},
        "quantity": {"value": 120, "code": "{tablet}"},
    }
    with pytest.raises(mme.UnitError, match=f"daysSupply has {said}"):
        fhir.convert(dispense | {"daysSupply": time})
    supply = {"quantity": {"value": 120, "code": "{tablet}"}, "expectedSupplyDuration": time}
    with pytest.raises(mme.UnitError, match=f"expectedSupplyDuration has {said}"):
        fhir.convert(request(dosage={"text": "as directed"}, dispenseRequest=supply))
    ratio = {"numerator": {"value": 48, "code": "mg"}, "denominator": time}
    iv = {"coding": [{"system": fhir.SNOMED_SYSTEM, "code": "47625008"}]}
    with pytest.raises(mme.UnitError, match=f"rateRatio's denominator has {said}"):
        fhir.convert(request("7052", dosage={"route": iv, "doseAndRate": [{"rateRatio": ratio}]}), table="anzca-2021")
    capped = every(6) | {"maxDosePerPeriod": {"numerator": {"value": 2, "code": "{tablet}"}, "denominator": time}}
    with pytest.raises(mme.UnitError, match=f"maxDosePerPeriod's denominator has {said}"):
        fhir.convert(request(dosage=capped))
    strength = {"numerator": {"value": 600, "code": "ug"}, "denominator": time}
    fentanyl = {"coding": [{"system": RX, "code": "4337"}]}
    medication = {
        "resourceType": "Medication",
        "id": "m",
        "ingredient": [{"itemCodeableConcept": fentanyl, "strength": strength}],
    }
    described = request(dosage=every(72, {"value": 1, "code": "{patch}"}), contained=[medication])
    described = {k: v for k, v in described.items() if k != "medicationCodeableConcept"} | {
        "medicationReference": {"reference": "#m"}
    }
    with pytest.raises(mme.UnitError, match=f"the strength of 'fentanyl' has {said}"):
        fhir.convert(described)


CERNER_FREQUENCY = "https://fhir.cerner.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/codeSet/4003"
GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


@pytest.mark.parametrize(
    ("codings", "agreeing"),
    [
        (
            [{"system": CERNER_FREQUENCY, "code": "696535", "display": "q4hr"}, {"system": fhir._GTS, "code": "Q6H"}],
            "Q4H",
        ),
        (
            [{"system": fhir._GTS, "code": "Q6H"}, {"system": CERNER_FREQUENCY, "code": "696535", "display": "q4hr"}],
            "Q4H",
        ),
        ([{"system": fhir._GTS, "code": "Q6H"}, {"system": fhir._GTS, "code": "Q4H"}], "Q6H"),
    ],
)
def test_timing_codings_that_disagree_are_refused(codings: list[dict[str, Any]], agreeing: str) -> None:
    """Only the first coding was read: q4hr beside Q6H gave 45 MME/day, or 30 in the other order, silently."""
    dosage = {"timing": {"code": {"coding": codings}}, "doseAndRate": every(6)["doseAndRate"]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"codings of timing.code disagree .*4 a day"):
        fhir.convert(request(dosage=dosage))
    same = [c | {"code": agreeing} if c["system"] == fhir._GTS else c for c in codings]
    got = fhir.convert(request(dosage=dosage | {"timing": {"code": {"coding": same}}}))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=fhir._TIMING_CODES[agreeing]).mme_per_day


def _coded_timing(display: str, text: str | None = None, code: str = "696535") -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": CERNER_FREQUENCY, "code": code, "display": display}]}
    return {"code": concept | ({"text": text} if text else {})}


@pytest.mark.parametrize(
    ("timing", "hours"),
    [(_coded_timing("q4hr", "q4hr"), 4), (_coded_timing("Q6H"), 6), (_coded_timing("BID", code="696509"), 12)],
)
def test_a_system_s_own_timing_code_is_read_from_its_words(timing: dict[str, Any], hours: int) -> None:
    got = fhir.convert(request(dosage=every(6) | {"timing": timing}))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, every=f"{hours} h").mme_per_day
    assert got.warnings[0].startswith("MedicationRequest/r1: timing code '69")
    assert "is not one mme reads: read from its words" in got.warnings[0]


def test_hl7_s_timing_code_reads_after_a_system_s_own_code_whose_words_do_not() -> None:
    """Cerner's own code ("PRN pain") before HL7's Q6H was read as no timing, and the dispense request used: 120
    tablets of oxycodone 5 mg in 10 days, 90 MME/day, where 1 tablet every 6 h is 30 (4 x 5 mg x 1.5)."""
    own = _coded_timing("PRN pain")["code"]["coding"]
    dispense = {"quantity": {"value": 120, "code": "{tablet}"}, "expectedSupplyDuration": {"value": 10, "code": "d"}}
    for coding in ([*own, {"system": GTS, "code": "Q6H"}], [{"system": GTS, "code": "Q6H"}, *own]):
        got = fhir.convert(
            request(dosage=every(6) | {"timing": {"code": {"coding": coding}}}, dispenseRequest=dispense)
        )
        assert got.mme_per_day == 30.0
        assert not any("dispense request" in w for w in got.warnings)


def test_a_system_s_own_timing_code_whose_words_do_not_read_is_no_timing() -> None:
    dosage = every(6) | {"timing": _coded_timing("per protocol"), "text": "1 tab, Oral, q4hr, PRN: pain"}
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, every="4 h").mme_per_day  # from the dosage text
    with pytest.raises(mme.DoseError, match="has no timing"):
        fhir.convert(request(dosage=every(6) | {"timing": _coded_timing("per protocol")}))
    with pytest.raises(mme.DoseError, match="timing code 'Q5H' is not one mme reads"):  # HL7's system: refused
        fhir.convert(request(dosage=every(6) | {"timing": {"code": {"coding": [{"code": "Q5H"}]}}}))


@pytest.mark.parametrize(
    ("repeat", "match"),
    [
        ({"frequency": 1, "period": 6, "periodUnit": "h", "count": 0.5}, "count must be a whole number"),
        ({"frequency": 1.5, "period": 1, "periodUnit": "d"}, "frequency must be a whole number"),
        ({"frequency": 1, "frequencyMax": 2.5, "period": 1, "periodUnit": "d"}, "frequencyMax must be a whole number"),
        ({"frequency": 1, "period": 6, "periodUnit": "h", "count": 3, "countMax": 2}, "countMax 2 is below count 3"),
    ],
)
def test_counts_of_administrations_are_whole_and_in_order(repeat: dict[str, Any], match: str) -> None:
    with pytest.raises(mme.DoseError, match=match):
        fhir.convert(request(dosage={"timing": {"repeat": repeat}, "doseAndRate": every(6)["doseAndRate"]}))
    whole = {k: int(v) + 1 if isinstance(v, float) else v for k, v in repeat.items() if k != "countMax"}
    assert fhir.convert(request(dosage={"timing": {"repeat": whole}, "doseAndRate": every(6)["doseAndRate"]}))


def test_part_of_a_patch_is_said_as_the_sig_reader_says_it() -> None:
    half = request(FENTANYL_25, dosage=every(72, {"value": 0.5, "code": "{patch}"}))
    got = fhir.convert(half)
    assert got.mme_per_day == rx.daily_mme(FENTANYL_25, count=0.5, every="72 h").mme_per_day
    said = mme.convert("0.5 patch every 72 hours", rxcui=FENTANYL_25).warnings
    assert got.warnings == (f"MedicationRequest/r1: {said[0]}",)


def test_ranges_use_the_maximum_and_say_so() -> None:
    timing = {"repeat": {"frequency": 1, "frequencyMax": 2, "period": 4, "periodMax": 6, "periodUnit": "h"}}
    dosage = {
        "timing": timing,
        "doseAndRate": [
            {"doseRange": {"low": {"value": 1, "code": "{tablet}"}, "high": {"value": 2, "code": "{tablet}"}}}
        ],
    }
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=2, per_day=12).mme_per_day  # 2 tablets, 2 every 4 h
    assert any("1 to 2" in w and "maximum" in w for w in got.warnings)
    assert any("every 4 to 6 h" in w for w in got.warnings)
    assert any("dose range 1 to 2" in w for w in got.warnings)


def test_max_dose_per_period_caps() -> None:
    dosage = every(4) | {
        "maxDosePerPeriod": {"numerator": {"value": 4, "code": "{tablet}"}, "denominator": {"value": 1, "code": "d"}}
    }
    got = fhir.convert(request(dosage=dosage))
    assert got == rx.daily_mme(OXY_5, count=1, per_day=4).model_copy(update={"warnings": got.warnings})
    assert any("capped by maxDosePerPeriod at 4" in w for w in got.warnings)
    loose = every(6) | {
        "maxDosePerPeriod": {"numerator": {"value": 60, "code": "mg"}, "denominator": {"value": 24, "code": "h"}}
    }
    assert (
        fhir.convert(request(dosage=loose | {"doseAndRate": [{"doseQuantity": {"value": 5, "code": "mg"}}]})).warnings
        == ()
    )
    mixed = every(6) | {
        "maxDosePerPeriod": {"numerator": {"value": 10, "code": "mg"}, "denominator": {"value": 1, "code": "d"}}
    }
    in_mg = fhir.convert(request(dosage=mixed))  # 10 mg a day of 5 mg tablets: 2 tablets, 15 MME/day
    assert in_mg.mme_per_day == 15.0
    assert any("capped by maxDosePerPeriod at 2 administrations a day (not 4)" in w for w in in_mg.warnings)
    with pytest.raises(mme.UnitError, match="maxDosePerPeriod"):  # mg of Percocet: oxycodone's or acetaminophen's?
        fhir.convert(request(PERCOCET, dosage=mixed))


def test_dose_units() -> None:
    in_mg = fhir.convert(request(dosage=every(6, {"value": 10, "unit": "mg", "code": "mg"})))
    assert in_mg == rx.daily_mme(OXY_5, count=2, every="6 h")
    display_only = fhir.convert(request(dosage=every(6, {"value": 2, "unit": "TAB"})))
    assert display_only.mme_per_day == 60.0
    assert any("display unit 'TAB'" in w for w in display_only.warnings)
    liquid = fhir.convert(request(MORPHINE_LIQUID, dosage=every(4, {"value": 5, "code": "mL"})))
    assert liquid == rx.daily_mme(MORPHINE_LIQUID, volume="5 mL", every="4 h")
    with pytest.raises(mme.UnitError, match="furlong"):
        fhir.convert(request(dosage=every(6, {"value": 1, "code": "furlong"})))


def test_patches_by_rate_or_by_count() -> None:
    by_count = request(
        FENTANYL_25,
        dosage={
            "timing": {"repeat": {"frequency": 1, "period": 3, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}],
        },
    )
    by_rate = request(FENTANYL_25, dosage={"doseAndRate": [{"rateQuantity": {"value": 25, "code": "ug/h"}}]})
    no_dose = request(FENTANYL_25, dosage={"timing": {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}})
    assert fhir.convert(by_count).mme_per_day == fhir.convert(by_rate).mme_per_day == 60.0
    assert any("one patch" in w for w in fhir.convert(no_dose).warnings)


def test_a_status_that_is_not_current_is_said() -> None:
    got = fhir.convert(request(dosage=every(6)) | {"status": "entered-in-error"})
    assert got.mme_per_day == 30.0
    assert any("status 'entered-in-error'" in w for w in got.warnings)
    assert fhir.convert(request(dosage=every(6)) | {"status": "active"}).warnings == ()


def test_comparators_give_a_maximum_or_are_refused() -> None:
    at_most = fhir.convert(request(dosage=every(6, {"value": 2, "comparator": "<=", "code": "{tablet}"})))
    assert at_most.mme_per_day == 60.0
    assert any("'<= 2': 2 was used" in w for w in at_most.warnings)
    with pytest.raises(mme.DoseError, match="no maximum"):
        fhir.convert(request(dosage=every(6, {"value": 2, "comparator": ">", "code": "{tablet}"})))


def test_prn_is_recorded() -> None:
    got = fhir.convert(request(dosage=every(6) | {"asNeededBoolean": True}))
    assert any("as needed" in w for w in got.warnings)


def test_missing_dosage_uses_the_dispense_request_and_says_so() -> None:
    dispense = {"quantity": {"value": 120, "code": "{tablet}"}, "expectedSupplyDuration": {"value": 30, "code": "d"}}
    got = fhir.convert(request(dispenseRequest=dispense))
    assert got.mme_per_day == rx.dispensing_mme(OXY_5, quantity=120, days_supply=30).mme_per_day  # 20 mg/day x 1.5
    assert any("dispense request" in w for w in got.warnings)
    no_timing = request(
        dosage={"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}, dispenseRequest=dispense
    )
    assert any("no timing" in w for w in fhir.convert(no_timing).warnings)
    with pytest.raises(mme.DoseError, match="no timing"):
        fhir.convert(
            request(dosage={"text": "as directed", "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]})
        )


def test_medication_dispense_quantity_and_days_supply() -> None:
    dispense = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": FENTANYL_25}]},
        "quantity": {"value": 10, "code": "{patch}"},
        "daysSupply": {"value": 30, "code": "d"},
    }
    assert fhir.convert(dispense) == rx.dispensing_mme(FENTANYL_25, quantity=10, days_supply=30)
    liquid = dispense | {"medicationCodeableConcept": {"coding": [{"system": RX, "code": MORPHINE_LIQUID}]}}
    with pytest.raises(mme.UnitError, match="liquid"):
        fhir.convert(liquid)
    in_ml = fhir.convert(liquid | {"quantity": {"value": 300, "code": "mL"}})
    assert in_ml.mme_per_day == 20.0  # 300 mL x 2 mg/mL / 30 days
    assert fhir.convert(dispense | {"status": "completed"}).warnings == ()


@pytest.mark.parametrize("unit", ["mo", "a", "months", "year"])
def test_a_supply_in_months_or_years_is_refused_and_one_in_weeks_is_seven_days(unit: str) -> None:
    """120 tablets over 1 "mo" read as 30 days silently (UCUM's month is 30.4375 days; a calendar month 28 to 31)."""
    dispense = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]},
        "quantity": {"value": 120, "code": "{tablet}"},
        "daysSupply": {"value": 1, "code": unit},
    }
    with pytest.raises(mme.UnitError, match=f"daysSupply is in '{unit}', which is not a whole number of days"):
        fhir.convert(dispense)
    ordered = request(dispenseRequest={"quantity": dispense["quantity"], "expectedSupplyDuration": {"value": 1,
                                                                                                  "code": unit}})  # fmt: skip
    with pytest.raises(mme.UnitError, match=r"dispenseRequest\.expectedSupplyDuration is in"):
        fhir.convert(ordered)
    weeks = fhir.convert(dispense | {"daysSupply": {"value": 4, "code": "wk"}})
    assert weeks == rx.dispensing_mme(OXY_5, quantity=120, days_supply=28)


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("unfulfilled", "status 'unfulfilled', counted anyway: choose the resources by status first"),  # R5
        ("declined", "status 'declined', counted anyway: choose the resources by status first"),
        ("preparation", "status 'preparation', not yet handed over to the patient: counted anyway"),
        ("in-progress", "status 'in-progress', not yet handed over to the patient: counted anyway"),
    ],
)
def test_a_dispense_not_handed_over_is_counted_and_said(status: str, said: str) -> None:
    """R5's unfulfilled was "not a MedicationDispense status code"; preparation and in-progress (ready for pickup,
    not handed over) were counted without a word."""
    dispense = {
        "resourceType": "MedicationDispense", "id": "d1", "status": status,
        "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "code": "d"},
    }  # fmt: skip
    got = fhir.convert(dispense)
    assert got.mme_per_day == 30.0
    assert got.warnings == (f"MedicationDispense/d1: {said}",)


NOT_GIVEN = {"url": "http://example.org/fhir/StructureDefinition/not-given", "valueBoolean": True}


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (lambda r: r, "a modifierExtension (http://example.org/fhir/StructureDefinition/not-given)"),
        (lambda r: r["dosageInstruction"][0], "a modifierExtension in dosageInstruction[0] (http://"),
        (lambda r: r["dosageInstruction"][0]["timing"], "a modifierExtension in dosageInstruction[0].timing (http://"),
    ],
)
def test_a_modifier_extension_refuses_the_resource(
    where: Callable[[dict[str, Any]], dict[str, Any]], said: str
) -> None:
    """A modifierExtension may negate a resource or change its dose; it was ignored (30 MME/day). FHIR requires an
    application that does not understand one not to read the resource as if it were absent."""
    resource = request(dosage=every(6))
    where(resource)["modifierExtension"] = [NOT_GIVEN]
    with pytest.raises(mme.ExpressionError, match=re.escape(f"MedicationRequest/r1: {said}")) as refused:
        fhir.convert(resource)
    assert "mme does not understand it (FHIR: such an extension is never ignored): not converted" in str(refused.value)
    bundle = {"resourceType": "Bundle", "entry": [{"resource": resource}]}
    with pytest.raises(mme.ExpressionError, match="modifierExtension"):
        fhir.convert(bundle)
    where(resource)["modifierExtension"] = []  # an empty list says nothing
    assert fhir.convert(resource).mme_per_day == 30.0


def test_a_modifier_extension_on_a_medication_refuses_the_resource_that_names_it() -> None:
    medication = {"resourceType": "Medication", "id": "m1", "code": {"coding": [{"system": RX, "code": OXY_5}]}}
    modified = medication | {"modifierExtension": [NOT_GIVEN]}
    user = request(dosage=every(6)) | {"medicationReference": {"reference": "Medication/m1"}}
    del user["medicationCodeableConcept"]
    clean = {"resourceType": "Bundle", "entry": [{"resource": medication}, {"resource": user}]}
    assert fhir.convert(clean).mme_per_day == 30.0
    bundle = clean | {"entry": [{"resource": modified}, {"resource": user}]}
    with pytest.raises(mme.ExpressionError, match=r"r1: the Medication 'Medication/m1': a modifierExtension \(http"):
        fhir.convert(bundle)
    contained = user | {"contained": [modified | {"id": "c"}], "medicationReference": {"reference": "#c"}}
    with pytest.raises(mme.ExpressionError, match=r"r1: a modifierExtension in contained\[0\] \(http"):
        fhir.convert(contained)


def test_medication_statement_reads_dosage() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "dosage": [every(6)],
    }
    assert fhir.convert(statement) == rx.daily_mme(OXY_5, count=1, every="6 h")


def test_concurrent_dosages_add_up_sequential_ones_are_refused() -> None:
    morning = every(24) | {"sequence": 1}
    night = every(24, {"value": 2, "code": "{tablet}"}) | {"sequence": 1}
    got = fhir.convert(request() | {"dosageInstruction": [morning, night]})
    assert isinstance(got, mme.Total)
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=3, per_day=1).mme_per_day
    taper = request() | {"dosageInstruction": [morning, night | {"sequence": 2}]}
    with pytest.raises(mme.DoseError, match="taper") as refused:
        fhir.convert(taper)
    assert "convert one step" not in str(refused.value)  # a FHIR caller has no step to choose
    assert "send each step as its own MedicationRequest with one dosage instruction" in str(refused.value)
    assert "numbered as steps (sequence)" in str(refused.value)
    unnumbered = request() | {"dosageInstruction": [every(24), every(24)]}
    with pytest.raises(mme.DoseError, match="2 dosage instructions without a sequence number on each"):
        fhir.convert(unnumbered)
    statement = {"resourceType": "MedicationStatement", "medicationCodeableConcept": taper["medicationCodeableConcept"]}
    with pytest.raises(mme.DoseError, match="its own MedicationStatement with one"):
        fhir.convert(statement | {"dosage": taper["dosageInstruction"]})


def test_several_codings_must_agree() -> None:
    concept = {
        "coding": [
            {"system": RX, "code": "7804"},
            {"system": RX, "code": OXY_5},
            {"system": "http://www.whocc.no/atc", "code": "N02AA05"},
        ]
    }
    assert fhir.convert(request(dosage=every(6)) | {"medicationCodeableConcept": concept}).mme_per_day == 30.0
    clash = {"coding": [{"system": RX, "code": OXY_5}, {"system": RX, "code": "1049683"}]}
    with pytest.raises(mme.AmbiguousDoseError, match="different products"):
        fhir.convert(request(dosage=every(6)) | {"medicationCodeableConcept": clash})
    got = fhir.convert(request(dosage=every(6)) | {"medicationCodeableConcept": concept})
    assert got.warnings == ()  # an ingredient code (7804) beside its product: nothing to say
    lacking = {"coding": [{"system": RX, "code": OXY_5}, {"system": RX, "code": "999999999"}]}
    got = fhir.convert(request(dosage=every(6)) | {"medicationCodeableConcept": lacking})
    assert got.mme_per_day == 30.0
    assert got.warnings == (
        "MedicationRequest/r1: its RxNorm code(s) 999999999 are not in the RxNorm product file (RxNorm 2020-10-20): "
        "read as RxCUI 1049621 (oxycodone hydrochloride 5 MG Oral Tablet), its other code; check that they name "
        "that product",
    )


@pytest.mark.parametrize(
    ("codes", "dose"),
    [
        ([OXY_5, "7052"], {"value": 2, "code": "{tablet}"}),  # read as the oxycodone tablet: 2 x 5 mg x 4 x 1.5 = 60
        (["7804", "7052"], {"value": 10, "code": "mg"}),  # read as oxycodone, the first: 10 mg x 4 x 1.5 = 60
        (["7052", "7804"], {"value": 10, "code": "mg"}),  # read as morphine, the first: 10 mg x 4 x 1 = 40
    ],
)
def test_an_ingredient_code_of_another_opioid_beside_the_medication_s_codes_is_refused(
    codes: list[str], dose: dict[str, Any]
) -> None:
    """An ingredient code that names another opioid than the product's, or than another ingredient code, was dropped
    unsaid, and the MME/day depended on which code came first: which medication is meant is unknown."""
    concept = {"coding": [{"system": RX, "code": code} for code in codes]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"its RxNorm codes name different opioids: .*RxCUI (7052|7804) "):
        fhir.convert(request(dosage=every(6, dose)) | {"medicationCodeableConcept": concept})
    alone = {"coding": [{"system": RX, "code": codes[0]}, {"system": RX, "code": codes[0]}]}  # one code twice agrees
    assert fhir.convert(request(dosage=every(6, dose)) | {"medicationCodeableConcept": alone}).mme_per_day == (
        40.0 if codes[0] == "7052" else 60.0
    )


def test_a_code_the_file_lacks_beside_an_ingredient_code_is_said() -> None:
    """Acetaminophen's ingredient code (161, which the file of opioid products lacks) beside oxycodone's (7804) was
    dropped without a word, where beside a product's code it is said."""
    concept = {"coding": [{"system": RX, "code": "7804"}, {"system": RX, "code": "161"}]}
    got = fhir.convert(request(dosage=every(6, {"value": 10, "code": "mg"})) | {"medicationCodeableConcept": concept})
    assert got.mme_per_day == 60.0  # 10 mg x 4 a day x 1.5
    assert (
        "MedicationRequest/r1: its RxNorm code(s) 161 are not in the RxNorm product file (RxNorm 2020-10-20): read as "
        "RxCUI 7804 (oxycodone), its other code; check that they name that product" in got.warnings
    )


def test_ingredient_codes_need_a_dose_in_mg() -> None:
    morphine = {"coding": [{"system": RX, "code": "7052"}]}
    got = fhir.convert(request(dosage=every(12, {"value": 15, "code": "mg"})) | {"medicationCodeableConcept": morphine})
    assert got.mme_per_day == 30.0
    with pytest.raises(mme.UnknownRxCUIError, match="ingredient morphine"):
        fhir.convert(request(dosage=every(12)) | {"medicationCodeableConcept": morphine})


def test_contained_and_bundled_medications() -> None:
    medication = {"resourceType": "Medication", "id": "m1", "code": {"coding": [{"system": RX, "code": OXY_5}]}}
    contained = request(dosage=every(6)) | {"contained": [medication], "medicationReference": {"reference": "#m1"}}
    del contained["medicationCodeableConcept"]
    expected = rx.daily_mme(OXY_5, count=1, every="6 h")
    assert fhir.convert(contained) == expected
    bundled = contained | {"contained": [], "medicationReference": {"reference": "Medication/m1"}}
    bundle = {"resourceType": "Bundle", "entry": [{"resource": medication}, {"resource": bundled}]}
    bundled_total = fhir.convert(bundle)
    assert isinstance(bundled_total, fhir.BundleMME)
    assert bundled_total.items == (expected,)
    with pytest.raises(mme.ExpressionError, match="neither contained"):
        fhir.convert(bundled)


OXY_10 = "1049683"  # oxycodone hydrochloride 10 MG Oral Tablet


def _versions(reference: str, *, newest_first: bool, by: str = "fullUrl") -> dict[str, Any]:
    """A history Bundle's two versions of Medication m1 (1: oxycodone 5 mg, 2: 10 mg), then a request for 1 tablet
    q4h that references ``reference``."""
    server = "http://s/fhir/"
    versions = []
    for version, code in (("1", OXY_5), ("2", OXY_10)):
        medication = _coded_medication(code, id="m1")
        if by == "fullUrl":
            versions.append({"fullUrl": f"{server}Medication/m1/_history/{version}", "resource": medication})
        else:  # one plain fullUrl, the version in meta
            medication["meta"] = {"versionId": version}
            versions.append({"fullUrl": f"{server}Medication/m1", "resource": medication})
    prescribed = request(dosage=every(4)) | {"medicationReference": {"reference": reference}}
    del prescribed["medicationCodeableConcept"]
    entries = list(reversed(versions)) if newest_first else versions
    return {"resourceType": "Bundle", "entry": [*entries, {"fullUrl": f"{server}MedicationRequest/r1",
                                                           "resource": prescribed}]}  # fmt: skip


@pytest.mark.parametrize("newest_first", [True, False])
@pytest.mark.parametrize("by", ["fullUrl", "meta"])
def test_a_versioned_medication_reference_reads_that_version(newest_first: bool, by: str) -> None:
    """The last version in the Bundle was read, whatever version the reference named: _history/1 (5 mg) gave 90
    MME/day when version 2 (10 mg) came after it; a plain reference gave 45 or 90 by the entries' order."""
    for version, code in (("1", OXY_5), ("2", OXY_10)):
        got = fhir.convert(_versions(f"Medication/m1/_history/{version}", newest_first=newest_first, by=by))
        assert got.mme_per_day == rx.daily_mme(code, count=1, every="4 h").mme_per_day
    with pytest.raises(
        mme.AmbiguousDoseError, match=r"names 2 different Medications in the Bundle \(.* version \d; .* version \d\)"
    ):
        fhir.convert(_versions("Medication/m1", newest_first=newest_first, by=by))
    with pytest.raises(mme.ExpressionError, match="names version 3, which the Bundle does not hold"):
        fhir.convert(_versions("Medication/m1/_history/3", newest_first=newest_first, by=by))


def test_a_medication_strength_in_unit_names_reads_as_a_dose_in_them_does() -> None:
    """A strength of 2 "milligram" per "millilitre" was a UnitError, though a dose in "millilitres" reads."""
    morphine = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "7052"}]}, "strength": {
        "numerator": {"value": 2, "unit": "milligram"}, "denominator": {"value": 1, "unit": "millilitre"}}}  # fmt: skip
    medication = {"resourceType": "Medication", "id": "m1", "code": {"text": "morphine"}, "ingredient": [morphine]}
    dosage = every(4, {"value": 5, "unit": "millilitres"})
    prescribed = request(dosage=dosage) | {"contained": [medication], "medicationReference": {"reference": "#m1"}}
    del prescribed["medicationCodeableConcept"]
    coded = fhir.convert(request(MORPHINE_LIQUID, dosage=dosage))  # morphine 2 mg/mL oral solution
    assert fhir.convert(prescribed).mme_per_day == coded.mme_per_day == 60.0  # 10 mg x 6 x 1


def test_two_contained_medications_with_one_id_are_refused() -> None:
    """The last of two contained Medications with the id m1 (10 mg, then 5 mg) was read silently: 45 MME/day."""
    twice = [_coded_medication(OXY_10, id="m1"), _coded_medication(OXY_5, id="m1")]
    contained = request(dosage=every(4)) | {"contained": twice, "medicationReference": {"reference": "#m1"}}
    del contained["medicationCodeableConcept"]
    with pytest.raises(mme.AmbiguousDoseError, match="2 contained resources have the id 'm1'"):
        fhir.convert(contained)


def test_a_relative_reference_s_server_is_compared_without_the_case_of_its_scheme_and_host() -> None:
    """A Medication at HTTP://S/fhir/ and a request at http://s/fhir/ were "of another server" (ExpressionError):
    a URL's scheme and host are case-insensitive."""
    bundle = _versions("Medication/m1", newest_first=True)
    bundle["entry"] = bundle["entry"][1:]  # version 1 alone
    bundle["entry"][0]["fullUrl"] = "HTTP://S/fhir/Medication/m1"
    assert fhir.convert(bundle).mme_per_day == rx.daily_mme(OXY_5, count=1, every="4 h").mme_per_day


def test_bundle_methadone_items_are_the_total_s_tiered_by_the_bundle_s_dose() -> None:
    methadone = "864706"  # methadone hydrochloride 10 MG Oral Tablet
    twice = request(methadone, dosage=every(12)) | {"id": "bid"}
    once = request(methadone, dosage=every(24)) | {"id": "qd"}
    bundle = {"resourceType": "Bundle", "entry": [{"resource": twice}, {"resource": once}]}
    got = fhir.convert(bundle, table="cdc-2016")
    assert isinstance(got, fhir.BundleMME)
    alone = [rx.daily_mme(methadone, count=1, every=f"{h} h", table="cdc-2016") for h in (12, 24)]
    assert all(isinstance(a, mme.DailyMME) for a in alone)
    # 30 mg/day of methadone: each item at the total's tier, not its own
    assert got.items == mme.total(a for a in alone if isinstance(a, mme.DailyMME)).items
    assert sum(i.mme_per_day or 0.0 for i in got.items) == got.mme_per_day
    assert all(any("tier is chosen by the total" in w for w in i.warnings) for i in got.items)


def test_non_opioids_are_listed_never_counted_never_errors() -> None:
    tylenol = request(ACETAMINOPHEN, dosage=every(6)) | {"id": "apap"}
    tylenol["medicationCodeableConcept"]["text"] = "acetaminophen 325 MG Oral Tablet"
    bundle = {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": tylenol}]}
    got = fhir.convert(bundle)
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert len(got.not_counted) == 1
    assert "MedicationRequest/apap" in got.not_counted[0]
    assert "not counted" in str(got)
    alone = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": tylenol}]})
    assert alone.mme_per_day is None  # no MME, never 0
    with pytest.raises(mme.UnknownRxCUIError, match="'313782' is not in the RxNorm product file"):
        fhir.convert(tylenol)  # the file holds opioid products: a code it lacks is unknown, as documented
    uncoded = tylenol | {"medicationCodeableConcept": {"text": "ibuprofen 200 mg tablet"}}
    with pytest.raises(
        mme.NotCoveredError, match="'ibuprofen 200 mg tablet' names no opioid mme knows, and spells none nearly"
    ):
        fhir.convert(uncoded)


def test_a_code_the_file_lacks_is_listed_as_unknown_never_as_not_an_opioid() -> None:
    """A code the file lacks, named as no opioid, is listed with the true reason (not an opioid product, or one newer
    than the file); named as an opioid newer than the file (Olinvyk, oliceridine), it was listed so and left out of
    the Bundle's total: now an error."""
    statin = request("617312", dosage=every(6)) | {"id": "statin"}
    statin["medicationCodeableConcept"]["text"] = "atorvastatin 20 MG Oral Tablet"
    got = fhir.convert(
        {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": statin}]}
    )
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert got.not_counted == (
        "MedicationRequest/statin: RxCUI 617312 (atorvastatin 20 MG Oral Tablet) is not in the RxNorm "
        "product file (RxNorm 2020-10-20): not an opioid product, or one newer than the file (pass a newer file, rxnorm=)",
    )
    with pytest.raises(mme.UnknownRxCUIError, match="'617312' is not in the RxNorm product file"):
        fhir.convert(statin)
    newer = request("2599999", dosage=every(6)) | {"id": "new"}
    newer["medicationCodeableConcept"]["text"] = "oliceridine 1 MG/ML Injectable Solution [Olinvyk]"
    with pytest.raises(mme.UnknownRxCUIError, match="'2599999' is not in the RxNorm product file"):
        fhir.convert({"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": newer}]})


def test_a_brand_of_the_file_names_an_opioid() -> None:
    """Roxybond with a code newer than the file was listed as not an opioid (the words knew no such brand): the file's
    own brands name opioids, so skipping it would undercount."""
    newer = request("2599999", dosage=every(6)) | {"id": "new"}
    newer["medicationCodeableConcept"]["text"] = "Roxybond 5 MG Oral Tablet"
    with pytest.raises(mme.UnknownRxCUIError, match="'2599999'"):
        fhir.convert({"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": newer}]})
    assert {"roxybond", "qdolo", "nalocet", "tussionex"} <= rx.brand_words()
    assert "tylenol" not in rx.brand_words()  # "Tylenol with Codeine": a brand of several words names no opioid alone


def test_an_unknown_code_for_a_named_opioid_is_an_error_not_a_skip() -> None:
    newer = request("99999999", dosage=every(6))
    newer["medicationCodeableConcept"]["text"] = "oxycodone 5 mg tablet"
    bundle = {"resourceType": "Bundle", "entry": [{"resource": newer}]}
    with pytest.raises(mme.UnknownRxCUIError, match="RxNorm 2020-10-20") as caught:
        fhir.convert(bundle)
    assert "in MedicationRequest/r1" in caught.value.__notes__
    uncoded = {"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "Oxycodone tablets"}}
    with pytest.raises(mme.ExpressionError, match="no RxNorm coding and its name does not read"):
        fhir.convert(uncoded)


@pytest.mark.parametrize(
    ("name", "dose", "expected"),
    [
        ("Oxycodone 5 mg tablet", {"value": 1, "code": "{tablet}"}, 30),  # 5 mg x 4 a day x 1.5
        ("Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet", {"value": 2, "code": "{tablet}"}, 60),
        ("Percocet 5/325 tablet", {"value": 2, "code": "{tablet}"}, 60),  # 2 x 5 mg x 4 a day x 1.5
        ("morphine 10 mg/5 mL oral solution", {"value": 5, "code": "mL"}, 40),  # 5 mL = 10 mg, x 4 a day x 1
    ],
)
def test_an_uncoded_medication_is_read_from_its_name_and_said(name: str, dose: dict[str, Any], expected: int) -> None:
    resource = request(dosage=every(6, dose))
    resource["medicationCodeableConcept"] = {"text": name}
    got = fhir.convert(resource)
    assert got.mme_per_day == expected
    assert any(f"read from its name {name!r}" in w for w in got.warnings)
    by_display = request(dosage=every(6, dose))
    by_display["medicationCodeableConcept"] = {"coding": [{"system": "http://snomed.info/sct", "display": name}]}
    assert fhir.convert(by_display).mme_per_day == expected  # a display of a coding is the name too


def test_a_pack_by_code_or_by_name_counts_its_units_together() -> None:
    """Subsys 1200 MCG, two 0.6 mg sprays a pack: one pack every 6 hours is 1.2 mg x 4 a day (x 0.18 per mcg under
    cdc-ndc-2018: 864), by its RxCUI (1740008) as by its RxNorm name with no code."""
    dose = {"value": 1, "code": "{dose}"}
    by_code = fhir.convert(request("1740008", dosage=every(6, dose)), table="cdc-ndc-2018")
    named = request(dosage=every(6, dose))
    named["medicationCodeableConcept"] = {"text": "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack"}
    by_name = fhir.convert(named, table="cdc-ndc-2018")
    want = mme.daily_mme("fentanyl", "1200 mcg", per_day=4, route="sublingual", form="spray", table="cdc-ndc-2018")
    assert by_code.mme_per_day == by_name.mme_per_day == want.mme_per_day == 864.0


def test_an_uncoded_name_with_a_daily_total_is_no_product() -> None:
    resource = request(dosage=every(6))
    resource["medicationCodeableConcept"] = {"text": "oxycodone 40 mg/day"}
    with pytest.raises(mme.ExpressionError, match="does not read as a product"):
        fhir.convert(resource)


def test_a_dosage_without_timing_is_read_from_its_text_and_said() -> None:
    sig = {"text": "take 1-2 tabs by mouth every 4-6 hours as needed for pain"}
    got = fhir.convert(request(dosage=sig))
    assert got.mme_per_day == 90  # 2 x 5 mg every 4 h = 60 mg x 1.5, the maximum of both ranges
    assert any("dosage read from text" in w for w in got.warnings)
    assert any("minimum of the range: 30" in w for w in got.warnings)  # 1 x 5 mg every 6 h = 20 mg x 1.5
    timing_only = {
        "text": "2 tablets every 6 hours",
        "doseAndRate": [{"doseQuantity": {"value": 2, "code": "{tablet}"}}],
    }
    assert fhir.convert(request(dosage=timing_only)).mme_per_day == 60  # the same count, the text's timing


@pytest.mark.parametrize("unit", ["{syringe}", "{each}", "1"])
def test_a_count_of_prefilled_syringes_is_their_stated_volume(unit: str) -> None:
    """1 {syringe} of "1 ML morphine sulfate 10 MG/ML Prefilled Syringe" was refused asking for "volume='5 mL'"."""
    dosage = every(4, {"value": 1, "code": unit}) | {"route": {"text": "IV"}}
    got = fhir.convert(request("894912", dosage=dosage), table="anzca-2021")
    assert got.mme_per_day == 180.0  # 10 mg x 6 a day x 3
    assert any("a count of prefilled syringes is their whole volume: 1 x 1 mL" in w for w in got.warnings)


@pytest.mark.parametrize("unit", ["{tablet}", "TAB", "{spray}", "{patch}", "{suppository}"])
def test_a_count_of_another_form_of_an_injection_is_refused(unit: str) -> None:
    dosage = every(4, {"value": 1, "code": unit}) | {"route": {"text": "IV"}}
    with pytest.raises(mme.AmbiguousDoseError, match=r"Prefilled Syringe\) is an injection$"):
        fhir.convert(request("894912", dosage=dosage), table="anzca-2021")


def test_a_count_of_a_vial_is_refused_saying_what_a_fhir_caller_can_give() -> None:
    dosage = every(4, {"value": 1, "code": "{each}"}) | {"route": {"text": "IV"}}
    with pytest.raises(mme.DoseError, match="may hold several doses") as refused:
        fhir.convert(request("892489", dosage=dosage), table="anzca-2021")
    assert "volume=" not in str(refused.value)


def test_a_dosage_text_of_two_salts_of_one_opioid_reads_as_the_structured_dose() -> None:
    """Percodan's old formulation (oxycodone HCl 4.5 mg and terephthalate 0.38 mg): the text and the structured
    dose give the same total."""
    by_text = fhir.convert(request("637540", dosage={"text": "1 tab q6h"}))
    structured = fhir.convert(request("637540", dosage=every(6)))
    assert by_text.mme_per_day == structured.mme_per_day == pytest.approx(4.88 * 4 * 1.5)
    assert any("dosage read from text" in w for w in by_text.warnings)


@pytest.mark.parametrize(
    "dosage",
    [
        {"text": "2 tabs q6h", "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]},  # disagrees
        {"text": "1 tab q6h", "maxDosePerPeriod": {"numerator": {"value": 2, "code": "{tablet}"}}},  # a cap
        {"text": "10 mg q6h then 5 mg q6h"},  # a multi-step schedule the sig reader refuses
    ],
)
def test_a_dosage_text_that_cannot_be_read_safely_is_not_used(dosage: dict[str, Any]) -> None:
    with pytest.raises(mme.DoseError, match="give the dose and timing"):
        fhir.convert(request(dosage=dosage))


def test_ndjson_streams_errors_without_numbers() -> None:
    lines = [json.dumps(request(dosage=every(6))), "", "{broken", json.dumps(request("99999999", dosage=every(6)))]
    out = list(fhir.iter_convert(lines))
    assert [(label, result is None) for label, result, _ in out] == [
        ("MedicationRequest/r1", False),
        ("line 3", True),
        ("MedicationRequest/r1", True),
    ]
    assert out[0][1] == rx.daily_mme(OXY_5, count=1, every="6 h")
    assert out[1][2] is not None
    assert out[1][2].startswith("ExpressionError")


def test_files_with_a_byte_order_mark_read_and_other_encodings_are_refused(tmp_path: Path) -> None:
    """A BOM (Windows tools write one) was "not valid JSON"; Latin-1 bytes a UnicodeDecodeError (`mme fhir`:
    internal error)."""
    text = json.dumps(request(dosage=every(6)) | {"note": [{"text": "Ré"}]}, ensure_ascii=False)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert fhir.convert(bom).mme_per_day == 30.0  # oxycodone 5 mg q6h: 20 mg x 1.5
    assert fhir.convert("\ufeff" + text).mme_per_day == 30.0
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.encode("latin-1"))
    with pytest.raises(mme.ExpressionError, match=r"latin.json is not UTF-8 text \(line 1, byte \d+\)"):
        fhir.convert(latin)


def test_an_ndjson_line_is_json_never_a_path_and_a_bad_one_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line not starting with '{' was read as a path: FileNotFoundError stopped the stream, and `mme fhir -`
    decoded stdin strictly (a Latin-1 byte: internal error)."""
    from mme._cli import main

    good = json.dumps(request(dosage=every(6)))
    data = b"\xef\xbb\xbf" + good.encode() + b"\nnot json\n" + good.replace("r1", "r\xe9").encode("latin-1") + b"\n"
    data += good.encode() + b"\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["fhir", "-"]) == 0
    lines = capsys.readouterr()
    assert lines.out.splitlines()[:4] == [
        "MedicationRequest/r1: oxycodone IR oral tablet: 20 mg/day x 1.5 (per mg) = 30 MME/day [cdc-2022]",
        "line 2: ExpressionError: line 2 is not valid JSON: Expecting value: line 1 column 1 (char 0)",
        f"line 3: ExpressionError: line 3 is not UTF-8 text (line 1, byte {good.index('r1') + 1}): save it as UTF-8",
        "MedicationRequest/r1: oxycodone IR oral tablet: 20 mg/day x 1.5 (per mg) = 30 MME/day [cdc-2022]",
    ]
    assert "2 of 4 resources converted, 2 refused" in lines.err


@pytest.mark.parametrize("deep", ['{"a":' * 3000 + "1" + "}" * 3000, "[" * 100_000])
def test_json_nested_too_deeply_is_refused_and_fails_its_ndjson_line_alone(
    deep: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was a RecursionError: `mme fhir` stopped with an internal error, an NDJSON export at the deep line."""
    from mme._cli import main

    with pytest.raises(mme.ExpressionError, match="nested too deeply"):
        fhir.read(deep)
    path = tmp_path / "deep.json"
    path.write_text(deep, encoding="utf-8")
    assert main(["fhir", str(path)]) == 1
    assert capsys.readouterr().err == f"mme: error: {path}: its JSON is nested too deeply to be a FHIR resource\n"
    good = json.dumps(request(dosage=every(6)))
    export = tmp_path / "export.ndjson"
    export.write_text(f"{good}\n{deep}\n{good}\n", encoding="utf-8")
    assert main(["fhir", str(export)]) == 0
    lines = capsys.readouterr()
    assert (
        lines.out.splitlines()[1]
        == "line 2: ExpressionError: line 2: its JSON is nested too deeply to be a FHIR resource"
    )
    assert "2 of 3 resources converted, 1 refused" in lines.err


@pytest.mark.parametrize(
    ("dosage", "message"),
    [
        (
            every(6, {"value": -0.0, "code": "{tablet}"}),
            "r1 doseQuantity: the value must be a positive number, not -0.0",
        ),
        (every(6, {"value": 0, "code": "{tablet}"}), "r1 doseQuantity: the value must be a positive number, not 0"),
        (every(6, {"value": -1, "code": "mg"}), "r1 doseQuantity: the value must be a positive number, not -1"),
        (every(1e-320), "r1: period 1e-320 h is too short: more doses a day than a number holds"),
    ],
)
def test_a_dose_value_or_period_is_named_in_the_message_refusing_it(dosage: dict[str, Any], message: str) -> None:
    """A doseQuantity value of -0 or 1E-400 (read as 0) said "count must be a positive finite number", a period of
    1e-320 "per_day must be a positive finite number": the engine's names, not the field given."""
    with pytest.raises(mme.DoseError) as info:
        fhir.convert(request(dosage=dosage))
    assert str(info.value) == f"MedicationRequest/{message}"


def test_a_json_integer_no_float_holds_is_refused_and_fails_its_ndjson_line_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dose value or period of 401 digits (JSON reads it as an exact int) was an OverflowError: `fhir.convert`
    raised it, `iter_convert` ended the stream there, `mme fhir` exited 70 "internal error"."""
    from mme._cli import main

    huge = 10**400
    dose = request(dosage=every(6, {"value": huge, "code": "{tablet}"}))
    with pytest.raises(mme.DoseError, match=r"the value must be a JSON number, not 1000+\.\.\.$"):
        fhir.convert(dose)
    with pytest.raises(mme.DoseError, match=r"timing.repeat.period must be a positive number, not 1000+\.\.\.$"):
        fhir.convert(request(dosage=every(huge)))
    good = json.dumps(request(dosage=every(6)))
    out = list(fhir.iter_convert([json.dumps(dose), good]))
    assert [(result is None, error is None) for _, result, error in out] == [(True, False), (False, True)]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(dose), encoding="utf-8")
    assert main(["fhir", str(path)]) == 1
    assert "the value must be a JSON number" in capsys.readouterr().err


# -- properties -------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(data=fhir_regimens().flatmap(lambda r: timings(r.per_day).map(lambda t: (r, t))))
def test_a_request_built_from_a_regimen_gives_daily_mme_on_it(data: tuple[FhirRegimen, dict[str, Any]]) -> None:
    regimen, timing = data
    prod = rx.product(regimen.rxcui)
    opioid = prod.opioids[0]
    expected = mme.daily_mme(
        opioid.drug or "",
        f"{opioid.strength} mg",
        count=regimen.count,
        per_day=regimen.per_day,
        route="oral",
        form=prod.form,
        release=prod.release,
    )
    for in_mg in (False, True):
        mg = regimen.count * float(opioid.strength)
        if in_mg and mg in {float(i.strength) for i in prod.ingredients if i.drug is None} - {
            float(opioid.strength)
        }:  # 40 mg of codeine 20 /
            with pytest.raises(mme.DoseError, match="another component"):  # pseudoephedrine 40: which one's?
                fhir.convert(medication_request(regimen, timing, in_mg=in_mg))
            continue
        got = fhir.convert(medication_request(regimen, timing, in_mg=in_mg))
        assert isinstance(got, mme.DailyMME)
        assert got.mme_per_day == pytest.approx(expected.mme_per_day, rel=1e-12)
        assert (got.drug, got.table) == (expected.drug, expected.table)


@settings(max_examples=30, deadline=None)
@given(resource=medication_requests())
def test_generated_requests_convert(resource: dict[str, Any]) -> None:
    got = fhir.convert(resource)
    assert isinstance(got, mme.DailyMME)
    assert got.mme_per_day is not None
    assert got.mme_per_day > 0


@pytest.mark.parametrize(
    ("dosage", "error", "match"),
    [
        ({"timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "furlong"}}}, mme.UnitError, "periodUnit"),
        ({"timing": {"repeat": {"frequency": 1, "period": 0, "periodUnit": "h"}}}, mme.DoseError, "positive"),
        ({"timing": {"repeat": {"frequency": 2}}}, mme.DoseError, "without a period"),
        ({"timing": {"repeat": {"when": ["C"]}}}, mme.DoseError, "when"),
        ({"timing": {"code": {"coding": [{"code": "SOMETIMES"}]}}}, mme.DoseError, "timing code"),
        ({"doseAndRate": [{"doseRange": {"low": {"value": 1, "code": "{tablet}"}}}]}, mme.DoseError, "no maximum"),
        ({"doseAndRate": [{"doseQuantity": {"code": "{tablet}"}}]}, mme.DoseError, "no value"),
        (
            every(6)
            | {
                "maxDosePerPeriod": {
                    "numerator": {"value": 4, "code": "{tablet}"},
                    "denominator": {"value": 1, "code": "{tablet}"},
                }
            },
            mme.UnitError,
            "not a time",
        ),
    ],
)
def test_dosages_that_cannot_be_read_are_refused(dosage: dict[str, Any], error: type[Exception], match: str) -> None:
    dosage = {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]} | dosage
    dosage.setdefault("timing", {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}})
    with pytest.raises(error, match=match):
        fhir.convert(request(dosage=dosage))


def test_less_common_fields() -> None:
    monthly = fhir.convert(
        request(
            dosage={
                "timing": {"repeat": {"frequency": 60, "period": 1, "periodUnit": "mo"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}],
            }
        )
    )
    assert monthly.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=2).mme_per_day
    assert any("30 days" in w for w in monthly.warnings)
    calculated = {"type": {"coding": [{"code": "calculated"}]}, "doseQuantity": {"value": 5, "code": "mg"}}
    ordered = {"type": {"coding": [{"code": "ordered"}]}, "doseQuantity": {"value": 1, "code": "{tablet}"}}
    two = fhir.convert(request(dosage=every(6) | {"doseAndRate": [calculated, ordered]}))
    assert two.mme_per_day == 30.0  # 5 mg is the one 5 mg tablet: they agree
    assert any("2 doseAndRate entries, giving the same MME/day" in w for w in two.warnings)
    r5 = {
        "resourceType": "MedicationRequest",
        "medication": {"concept": request()["medicationCodeableConcept"]},
        "dosageInstruction": [every(6)],
    }
    assert fhir.convert(r5).mme_per_day == 30.0
    r5_caps = every(4) | {
        "maxDosePerPeriod": [{"numerator": {"value": 4, "code": "{tablet}"}, "denominator": {"value": 1, "code": "d"}}]
    }
    assert fhir.convert(request(dosage=r5_caps)).mme_per_day == 30.0
    no_medication = {"resourceType": "MedicationRequest", "dosageInstruction": [every(6)]}
    with pytest.raises(mme.ExpressionError, match="no RxNorm coding and no name, so whether it is an opioid"):
        fhir.convert(no_medication)


def test_a_bundle_never_skips_a_medication_it_cannot_tell_from_an_opioid() -> None:
    """Coded by NDC only, an oxycodone request was listed as "not an opioid known to mme" and left out of the
    Bundle's total (30 MME/day for two oxycodone requests); without a name, nothing says it is not one."""
    ndc = request(dosage=every(6)) | {"id": "ndc", "medicationCodeableConcept": {"coding": [
        {"system": "http://hl7.org/fhir/sid/ndc", "code": "00406-0552-01"}]}}  # fmt: skip
    bundle = {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": ndc}]}
    with pytest.raises(
        mme.ExpressionError, match=r"MedicationRequest/ndc: .*only codes of http://hl7.org/fhir/sid/ndc"
    ):
        fhir.convert(bundle)
    named = ndc | {"medicationCodeableConcept": ndc["medicationCodeableConcept"] | {"text": "acetaminophen 325 mg"}}
    listed = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))},
                                                               {"resource": named}]})  # fmt: skip
    assert isinstance(listed, fhir.BundleMME)
    assert listed.mme_per_day == 30.0  # the oxycodone 5 mg q6h alone; acetaminophen named, so listed
    assert listed.not_counted == (
        "MedicationRequest/ndc: 'acetaminophen 325 mg' names no opioid mme knows, and spells none nearly: not counted",
    )


def test_a_dispense_whose_dosage_disagrees_says_so() -> None:
    """The dispensing path (quantity / days supply) is used for a MedicationDispense; a dosage giving another
    number was ignored without a word."""
    dispense = {
        "resourceType": "MedicationDispense", "id": "d", "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "code": "d"},
    }  # fmt: skip
    two = every(6, {"value": 2, "code": "{tablet}"})
    got = fhir.convert(dispense | {"dosageInstruction": [two]})
    assert got.mme_per_day == 30.0  # 120 tablets of 5 mg / 30 days x 1.5
    assert got.warnings == ("MedicationDispense/d: its dosage instructions give 60 MME/day; the dispensing was used",)
    assert fhir.convert(dispense | {"dosageInstruction": [every(6)]}).warnings == ()  # 4 tablets a day: agrees
    assert fhir.convert(dispense | {"dosageInstruction": [{"text": "as directed"}]}).warnings == ()  # reads no number


def test_a_bundle_never_counts_one_prescription_twice() -> None:
    """A request and the dispense that fills it were added up as two concurrent medications: 60 MME/day for one
    prescription of oxycodone 5 mg, 1 tablet every 6 hours (30)."""
    ordered = request(dosage=every(6)) | {"id": "a"}
    filled = {
        "resourceType": "MedicationDispense", "id": "d", "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "code": "d"},
        "authorizingPrescription": [{"reference": "MedicationRequest/a"}],
    }  # fmt: skip
    bundle = {"resourceType": "Bundle", "entry": [{"resource": ordered}, {"resource": filled}]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"MedicationDispense/d names MedicationRequest/a .*twice"):
        fhir.convert(bundle)
    by_url = {"resourceType": "Bundle", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": ordered},
        {"resource": {**request(dosage=every(6)), "id": "b", "priorPrescription": {"reference": "urn:uuid:1"}}}]}  # fmt: skip
    with pytest.raises(
        mme.AmbiguousDoseError, match=r"MedicationRequest/b names MedicationRequest/a \(priorPrescription\)"
    ):
        fhir.convert(by_url)
    alone = {"resourceType": "Bundle", "entry": [{"resource": filled}, {"resource": request(dosage=every(6))}]}
    assert fhir.convert(alone).mme_per_day == 60.0  # the dispense's request is not in the Bundle: two medications
    refill = {"resourceType": "Bundle", "entry": [{"resource": filled}, {"resource": filled | {"id": "e"}}]}
    with pytest.raises(mme.AmbiguousDoseError, match="MedicationDispense/d and MedicationDispense/e both name Med"):
        fhir.convert(refill)  # two fills of one prescription follow each other: 60 MME/day was not taken
    plan = {"basedOn": [{"reference": "CarePlan/pain"}]}  # an ER and an IR request of one plan: taken together
    same_plan = {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6)) | plan},
                                                     {"resource": request(dosage=every(4)) | {"id": "r2"} | plan}]}  # fmt: skip
    assert fhir.convert(same_plan).mme_per_day == 75.0  # 5 mg x 4 x 1.5 + 5 mg x 6 x 1.5


@pytest.mark.parametrize(
    ("quantity", "days", "field"), [(0, 30, "quantity"), (60, 0, "daysSupply"), (-1, 30, "quantity")]
)
def test_a_dispensing_that_is_not_positive_is_refused_naming_its_resource_and_field(
    quantity: int, days: int, field: str
) -> None:
    coded = {"medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]}}
    amounts = {"value": quantity, "code": "{tablet}"}, {"value": days, "code": "d"}
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "d1",
        **coded,
        "quantity": amounts[0],
        "daysSupply": amounts[1],
    }
    with pytest.raises(mme.DoseError, match=f"^MedicationDispense/d1: {field} must be positive"):
        fhir.convert(dispense)
    asked = request() | {"dispenseRequest": {"quantity": amounts[0], "expectedSupplyDuration": amounts[1]}}
    name = "quantity" if field == "quantity" else "expectedSupplyDuration"
    with pytest.raises(mme.DoseError, match=f"^MedicationRequest/r1: dispenseRequest.{name} must be positive"):
        fhir.convert(asked)


def test_dispensing_units() -> None:
    base = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request()["medicationCodeableConcept"]}
    weeks = fhir.convert(
        base | {"quantity": {"value": 56, "code": "{tablet}"}, "daysSupply": {"value": 2, "code": "wk"}}
    )
    assert weeks.mme_per_day == 30.0  # 4 tablets of 5 mg a day
    bare = fhir.convert(base | {"quantity": {"value": 120}, "daysSupply": {"value": 30}})
    assert bare.mme_per_day == 30.0
    assert any("no unit" in w for w in bare.warnings)
    with pytest.raises(mme.UnitError, match="not a time"):
        fhir.convert(base | {"quantity": {"value": 56, "code": "{tablet}"}, "daysSupply": {"value": 2, "code": "mg"}})
    with pytest.raises(mme.UnitError, match="count of units"):
        fhir.convert(base | {"quantity": {"value": 300, "code": "mg"}, "daysSupply": {"value": 30, "code": "d"}})


@pytest.mark.parametrize("days", ["Day(s)", "days", "Days", "DAY", " day "])
def test_a_days_supply_in_a_spelling_of_day_reads_as_days(days: str) -> None:
    """A days supply whose display unit is "Day(s)" (no code) was a UnitError ("not a time"); a dose's unit was
    read in these spellings already."""
    base = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request()["medicationCodeableConcept"]}
    got = fhir.convert(
        base | {"quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "unit": days}}
    )
    assert got.mme_per_day == 30.0  # 4 tablets of 5 mg a day
    assert any(f"the display unit {days!r} was read" in w for w in got.warnings)


@pytest.mark.parametrize("months", [{"unit": "Months"}, {"unit": "Year(s)"}])
def test_a_days_supply_in_months_written_as_a_word_is_refused_as_its_code_is(months: dict[str, str]) -> None:
    """A month or a year is no whole number of days, however the unit is written."""
    base = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request()["medicationCodeableConcept"]}
    with pytest.raises(mme.UnitError, match="which is not a whole number of days"):
        fhir.convert(base | {"quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 1} | months})


@pytest.mark.parametrize("unit", ["D", "A", "S", "ds", "dose(s)"])
def test_a_letter_or_a_non_time_unit_is_no_days_supply(unit: str) -> None:
    """One letter is a UCUM code as written ("A" is the ampere): only the words of a time are read in any case."""
    base = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request()["medicationCodeableConcept"]}
    with pytest.raises(mme.UnitError, match="not a time"):
        fhir.convert(base | {"quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "unit": unit}})


def test_the_spellings_of_time_units_are_one_vocabulary() -> None:
    """A rate's and a cap's period read the spellings a days supply does ("Hours", "Day(s)")."""
    morphine = {"coding": [{"system": RX, "code": "7052"}]}
    ratio = {"numerator": {"value": 2, "code": "mg"}, "denominator": {"value": 1, "unit": "Hours"}}
    infusion = request(dosage={"route": {"text": "IV"}, "doseAndRate": [{"rateRatio": ratio}]})
    got = fhir.convert(infusion | {"medicationCodeableConcept": morphine}, table="anzca-2021")
    assert got.mme_per_day == 144.0  # 2 mg/h x 24 h x 3
    capped = every(4) | {"maxDosePerPeriod": {"numerator": {"value": 4, "code": "{tablet}"},
                                               "denominator": {"value": 1, "unit": "Day(s)"}}}  # fmt: skip
    assert fhir.convert(request(dosage=capped)).mme_per_day == 30.0  # 4 of 5 mg a day, not 6


def _searchset(*entries: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": list(entries)} | extra


def test_a_search_page_with_a_next_link_warns_that_opioids_may_be_missing() -> None:
    """Only the first page of a search was summed, silently: opioids on the next pages were left out of the total."""
    links = [{"relation": "self", "url": "http://s/MedicationRequest?patient=p"},
             {"relation": "next", "url": "http://s/MedicationRequest?patient=p&page=2"}]  # fmt: skip
    page = fhir.convert(_searchset({"resource": request(dosage=every(6))}, link=links))
    assert isinstance(page, fhir.BundleMME)
    assert page.mme_per_day == 30.0
    said = (
        "the Bundle is one page of a search: its next page (http://s/MedicationRequest?patient=p&page=2) is not in it, "
        "and opioids on it are not counted: fetch every page (follow the link next)"
    )
    assert page.incomplete == (said,)
    assert page.warnings[0] == said
    assert f"warning: {said}" in str(page)
    empty = fhir.convert(_searchset(link=links))  # no opioid on this page: still no sign that there is none
    assert isinstance(empty, fhir.BundleMME)
    assert empty.mme_per_day is None
    assert empty.warnings == (said,)
    last = fhir.convert(_searchset({"resource": request(dosage=every(6))}, link=links[:1]))
    assert last.warnings == ()


@pytest.mark.parametrize("severity", ["error", "fatal"])
def test_an_operation_outcome_error_in_a_bundle_warns_that_opioids_may_be_missing(severity: str) -> None:
    issue = {"severity": severity, "code": "too-costly", "diagnostics": "too many results"}
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": "informational"}, issue]}
    as_entry = fhir.convert(_searchset({"resource": request(dosage=every(6))}, {"resource": outcome}))
    assert isinstance(as_entry, fhir.BundleMME)
    assert as_entry.mme_per_day == 30.0
    error = "an error" if severity == "error" else "a fatal error"
    assert as_entry.incomplete == (
        f"an OperationOutcome reports {error} (too many results): the server may have left resources out of the "
        "Bundle, and opioids among them are not counted",
    )
    failed = {"response": {"status": "404", "outcome": outcome | {"id": "o1", "issue": [issue | {"diagnostics": None,
              "details": {"text": "not found"}}]}}}  # fmt: skip
    batch = fhir.convert({"resourceType": "Bundle", "type": "batch-response", "entry": [failed]})
    assert isinstance(batch, fhir.BundleMME)
    assert batch.incomplete[0].startswith(f"OperationOutcome/o1 reports {error} (not found):")
    warned = outcome | {"issue": [{"severity": "warning", "code": "informational", "diagnostics": "slow"}]}
    assert fhir.convert(_searchset({"resource": request(dosage=every(6))}, {"resource": warned})).warnings == ()


def test_bundle_medications_by_full_url() -> None:
    medication = {"resourceType": "Medication", "code": {"coding": [{"system": RX, "code": OXY_5}]}}
    user = {
        "resourceType": "MedicationRequest",
        "medicationReference": {"reference": "urn:uuid:1"},
        "dosageInstruction": [every(6)],
    }
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"fullUrl": "urn:uuid:1", "resource": medication},
            {"resource": user},
            {"resource": {"resourceType": "Patient"}},
        ],
    }
    assert fhir.convert(bundle).mme_per_day == 30.0


def _coded_medication(code: str, **fields: Any) -> dict[str, Any]:
    return {"resourceType": "Medication", **fields, "code": {"coding": [{"system": RX, "code": code}]}}


def test_unlinked_resources_of_one_kind_giving_the_same_items_are_said() -> None:
    def statement(rid: str, hours: int = 6) -> dict[str, Any]:
        resource = request(dosage=every(hours)) | {"resourceType": "MedicationStatement", "id": rid}
        resource["dosage"] = resource.pop("dosageInstruction")
        return resource

    def bundle(*resources: dict[str, Any]) -> fhir.BundleMME:
        got = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]})
        assert isinstance(got, fhir.BundleMME)
        return got

    twice = bundle(statement("s1"), statement("s2"), statement("s3", hours=12))
    assert twice.mme_per_day == 75.0  # each counted: 30 + 30 + 15
    said = [f"MedicationStatement/s{one}: the same medication and dosage as MedicationStatement/s{other}, "
            "MedicationStatement resources not linked" for one, other in ((1, 2), (2, 1))]  # fmt: skip
    assert [[w for w in item.warnings if "the same medication" in w] for item in twice.items] == [
        [w] for w in twice.warnings if "the same medication" in w
    ] + [[]]
    assert [w[: len(said[0])] for w in twice.warnings if "the same medication" in w] == said  # each once
    kinds = bundle(statement("s1"), request(dosage=every(6)))  # two kinds: said as such, not as twins
    assert not any("the same medication and dosage" in w for w in kinds.warnings)


def test_a_relative_medication_reference_resolves_against_its_own_server() -> None:
    oxy_10 = "1049683"  # oxycodone hydrochloride 10 MG Oral Tablet
    user = request(dosage=every(6)) | {"id": "a", "medicationReference": {"reference": "Medication/m9"}}
    del user["medicationCodeableConcept"]
    x = {"fullUrl": "http://x/fhir/Medication/m9", "resource": _coded_medication(OXY_5, id="m9")}
    y = {"fullUrl": "http://y/fhir/Medication/m9", "resource": _coded_medication(oxy_10, id="m9")}

    def bundle(*entries: dict[str, Any]) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "entry": list(entries)}

    on_x = {"fullUrl": "http://x/fhir/MedicationRequest/a", "resource": user}
    on_y = {"fullUrl": "http://y/fhir/MedicationRequest/a", "resource": user}
    for entries in ([x, y, on_x], [y, x, on_x]):  # whichever comes last
        assert fhir.convert(bundle(*entries)).mme_per_day == rx.daily_mme(OXY_5, count=1, every="6 h").mme_per_day
    assert fhir.convert(bundle(x, y, on_y)).mme_per_day == rx.daily_mme(oxy_10, count=1, every="6 h").mme_per_day
    with pytest.raises(mme.AmbiguousDoseError, match=r"names 2 different Medications .*http://y/fhir/Medication/m9"):
        fhir.convert(bundle(x, y, {"resource": user}))  # no server to resolve it against
    with pytest.raises(mme.ExpressionError, match="relative to its own server"):
        fhir.convert(bundle(y, on_x))
    same = {"fullUrl": "http://y/fhir/Medication/m9", "resource": _coded_medication(OXY_5, id="m9")}
    assert fhir.convert(bundle(x, same, {"resource": user})).mme_per_day == 30.0  # the same Medication twice
    by_url_alone = {"fullUrl": "http://x/fhir/Medication/m9", "resource": _coded_medication(OXY_5)}  # no id
    assert fhir.convert(bundle(by_url_alone, {"resource": user})).mme_per_day == 30.0


@pytest.mark.parametrize("r5", [False, True])
def test_a_medication_named_both_as_a_concept_and_a_reference_must_agree(r5: bool) -> None:
    contained = _coded_medication(OXY_5, id="m1")

    def named(concept: dict[str, Any]) -> dict[str, Any]:
        resource = request(dosage=every(6)) | {"contained": [contained]}
        del resource["medicationCodeableConcept"]
        if r5:
            return resource | {"medication": {"concept": concept, "reference": {"reference": "#m1"}}}
        return resource | {"medicationCodeableConcept": concept, "medicationReference": {"reference": "#m1"}}

    with pytest.raises(mme.AmbiguousDoseError, match=r"as a concept, RxCUI 1049683 .*as a reference, RxCUI 1049621"):
        fhir.convert(named({"coding": [{"system": RX, "code": "1049683"}]}))  # 10 mg and 5 mg
    expected = rx.daily_mme(OXY_5, count=1, every="6 h")
    assert fhir.convert(named({"coding": [{"system": RX, "code": OXY_5}]})) == expected
    assert fhir.convert(named({"text": "Oxycodone"})) == expected  # the reference's drug, named without strength
    with pytest.raises(mme.AmbiguousDoseError, match="as a concept, morphine 10 mg tablet; as a reference"):
        fhir.convert(named({"text": "morphine 10 mg tablet"}))


@pytest.mark.parametrize("variant", ["flat", "tiers"])
def test_a_variant_is_passed_to_every_path(variant: str) -> None:
    methadone = "864706"  # methadone hydrochloride 10 MG Oral Tablet
    asked = request(methadone, dosage=every(12))
    with pytest.raises(mme.AmbiguousDoseError, match="variant"):
        fhir.convert(asked, table="cms-2018")
    expected = rx.daily_mme(methadone, count=1, every="12 h", table="cms-2018", variant=variant)
    assert fhir.convert(asked, table="cms-2018", variant=variant) == expected
    bundle = {"resourceType": "Bundle", "entry": [{"resource": asked}]}
    assert fhir.convert(bundle, table="cms-2018", variant=variant).mme_per_day == expected.mme_per_day
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "d",
        "medicationCodeableConcept": asked["medicationCodeableConcept"],
        "quantity": {"value": 60, "code": "{tablet}"},
        "daysSupply": {"value": 30, "code": "d"},
    }
    claimed = rx.dispensing_mme(methadone, quantity=60, days_supply=30, table="cms-2018", variant=variant)
    assert fhir.convert(dispense, table="cms-2018", variant=variant) == claimed
    by_text = request(methadone, dosage={"text": "1 tab every 12 hours"})
    assert fhir.convert(by_text, table="cms-2018", variant=variant).mme_per_day == expected.mme_per_day
    ((_, streamed, error),) = fhir.iter_convert([json.dumps(asked)], table="cms-2018", variant=variant)
    assert error is None
    assert streamed == expected


# -- the command line -------------------------------------------------------------------------------


def test_cli_fhir_json_and_ndjson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from mme._cli import main

    resource = request(dosage=every(6, {"value": 2, "code": "{tablet}"}) | {"asNeededBoolean": True})
    path = tmp_path / "r.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    out = io.StringIO()
    assert main(["fhir", str(path)], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "oxycodone IR oral tablet: 40 mg/day x 1.5 (per mg) = 60 MME/day [cdc-2022]"
    assert lines[1].startswith("warning: MedicationRequest/r1: as needed")
    assert lines[-1].startswith("note: MME estimates overdose risk and is not a dosing tool")
    out = io.StringIO()
    assert main(["fhir", str(path), "--json"], out=out) == 0
    assert json.loads(out.getvalue())["mme_per_day"] == 60.0
    methadone = tmp_path / "methadone.json"
    methadone.write_text(json.dumps(request("864706", dosage=every(12))), encoding="utf-8")
    out = io.StringIO()
    assert main(["fhir", str(methadone), "--table", "cms-2018", "--variant", "tiers"], out=out) == 0
    assert out.getvalue().startswith("methadone IR oral tablet: 20 mg/day x 4 (per mg, tier >0, <=20, tiers) = 80")
    export = tmp_path / "export.ndjson"
    export.write_text(
        json.dumps(resource) + "\n" + json.dumps(request("99999999", dosage=every(6))) + "\n", encoding="utf-8"
    )
    out = io.StringIO()
    assert main(["fhir", str(export), "--json"], out=out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["result"]["mme_per_day"] if r["result"] else r["error"][:15] for r in rows] == [60.0, "UnknownRxCUIErr"]
    assert "1 of 2 resources converted" in capsys.readouterr().err
    out = io.StringIO()
    assert main(["fhir", str(export)], out=out) == 0
    printed = out.getvalue().splitlines()
    assert printed[0] == "MedicationRequest/r1: " + lines[0]
    assert printed[1] == lines[1]  # the warning, as a .json file prints it
    assert printed[2].startswith("MedicationRequest/r1: UnknownRxCUIError: RxCUI '99999999' is not in the RxNorm")


def test_cli_rxnorm_show_and_build(tmp_path: Path) -> None:
    import io

    from mme._cli import main

    out = io.StringIO()
    assert main(["rxnorm", "show", "1049640"], out=out) == 0
    assert out.getvalue().splitlines() == [
        "1049640: acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet [Percocet] (RxNorm 2020-10-20)",
        "  Oral Tablet: oral, tablet, IR",
        "  acetaminophen 325 MG: not counted",
        "  oxycodone hydrochloride 5 MG: counted as oxycodone",
    ]
    omtk = tmp_path / "omtk_2025-01-06.csv"
    omtk.write_text(
        "drugCode,drugName,doseFormCode,doseFormName,ingredientCode,ingredientName,strength,strengthValue,strengthUnit\n"
        "5,morphine sulfate 2 MG/ML Injection,1649574,Injection,7052,Morphine,2 MG/ML,2.0,MG/ML\n",
        encoding="utf-8",
    )
    built = tmp_path / "rx.json"
    assert main(["rxnorm", "build", str(omtk)], out=io.StringIO()) == 2
    assert (
        main(["rxnorm", "build", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "x.json")], out=io.StringIO()) == 1
    )
    assert main(["fhir", str(tmp_path / "absent.json")], out=io.StringIO()) == 1  # a file, as batch says
    assert main(["rxnorm", "build", str(omtk), "-o", str(built)], out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["rxnorm", "show", "5", "--rxnorm", str(built)], out=out) == 0
    assert "route not stated" in out.getvalue()
    assert main(["rxnorm", "show", "1049640", "--rxnorm", str(built)], out=io.StringIO()) == 1


@pytest.mark.parametrize("module", [fhir, rx])
def test_module_docstring_examples(module: Any) -> None:
    import doctest

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def _medication(*ingredients: dict[str, Any], form: str | None = None) -> dict[str, Any]:
    medication: dict[str, Any] = {
        "resourceType": "Medication",
        "id": "m",
        "code": {"text": "house blend"},
        "ingredient": list(ingredients),
    }
    if form:
        medication["form"] = {"coding": [{"system": RX, "code": form}]}
    return medication


def _strength(value: float, unit: str, per: str, per_value: float = 1) -> dict[str, Any]:
    return {"numerator": {"value": value, "code": unit}, "denominator": {"value": per_value, "code": per}}


def _uses(medication: dict[str, Any], dosage: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "contained": [medication],
        "medicationReference": {"reference": "#m"},
        "dosageInstruction": [dosage],
    }


def test_a_medication_s_form_is_read_from_its_rxnorm_coding_beside_another_system_s() -> None:
    """A form coded by SNOMED CT first and by RxNorm after ("Injectable Solution", 316949) was read by its first
    code, which is no RxNorm dose form: morphine 10 mg/mL, 5 mg every 4 h, read as oral under anzca-2021 (30 MME/day)."""
    morphine = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7052"}]},
        "strength": _strength(10, "mg", "mL"),
    }
    medication = _medication(morphine)
    medication["form"] = {"coding": [{"system": "http://snomed.info/sct", "code": "385219001"},
                                     {"system": RX, "code": "316949"}]}  # fmt: skip
    got = fhir.convert(_uses(medication, every(4, {"value": 5, "code": "mg"})), table="anzca-2021")
    assert got.mme_per_day == 90.0  # 5 mg x 6 a day = 30 mg of parenteral morphine, x 3 (anzca-2021)
    assert not any("states no RxNorm dose form" in w for w in got.warnings)
    medication["form"]["coding"].pop()  # a SNOMED CT form alone: no RxNorm dose form, said
    alone = fhir.convert(_uses(medication, every(4, {"value": 5, "code": "mg"})), table="anzca-2021")
    assert any("states no RxNorm dose form" in w for w in alone.warnings)


def test_an_stu3_ingredient_s_amount_is_its_strength() -> None:
    """STU3 names an ingredient's strength `amount`: oxycodone 5 mg per tablet so given was refused as stating no
    strength."""
    oxycodone = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]},
        "amount": _strength(5, "mg", "{tablet}"),
    }
    got = fhir.convert(_uses(_medication(oxycodone), every(6, {"value": 2, "code": "{tablet}"})))
    assert got.mme_per_day == 60.0  # 2 x 5 mg x 4 a day x 1.5


def test_medication_described_by_its_ingredients() -> None:
    oxycodone = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}], "text": "oxycodone"},
        "strength": _strength(5, "mg", "{tablet}"),
    }
    apap = {"itemCodeableConcept": {"text": "acetaminophen"}, "strength": _strength(325, "mg", "{tablet}")}
    tablet = fhir.convert(
        _uses(_medication(apap, oxycodone, form="317541"), every(6, {"value": 2, "code": "{tablet}"}))
    )
    assert tablet == rx.daily_mme(OXY_5, count=2, every="6 h")
    fentanyl = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "4337"}]},
        "strength": _strength(25, "ug", "h"),
    }
    patch = fhir.convert(
        _uses(_medication(fentanyl), {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]})
    )
    assert isinstance(patch, mme.DailyMME)
    assert patch.mme_per_day == 60.0
    assert (patch.route, patch.form) == ("transdermal", "patch")
    assert any("read as a patch" in w for w in patch.warnings)
    morphine = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7052"}]},
        "strength": _strength(10, "mg", "mL", 5),
    }
    liquid = fhir.convert(_uses(_medication(morphine), every(4, {"value": 5, "code": "mL"})))
    assert isinstance(liquid, mme.DailyMME)
    assert liquid.mme_per_day == 60.0  # 2 mg/mL x 5 mL x 6 a day, oral the only route cdc-2022 has
    assert liquid.route == "oral"
    assert any("no RxNorm dose form" in w for w in liquid.warnings)


def test_a_strength_per_day_and_an_r5_strength_quantity_read() -> None:
    fentanyl = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "4337"}]}}
    patch = {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]}
    per_hour = fhir.convert(_uses(_medication(fentanyl | {"strength": _strength(25, "ug", "h")}), patch))
    per_day = fhir.convert(_uses(_medication(fentanyl | {"strength": _strength(600, "ug", "d")}), patch))
    assert per_day == per_hour  # 600 ug a day is 25 ug an hour
    oxycodone = {"item": {"concept": {"coding": [{"system": RX, "code": "7804"}]}}}
    tablet = every(6, {"value": 2, "code": "{tablet}"})
    ratio = fhir.convert(_uses(_medication(oxycodone | {"strengthRatio": _strength(5, "mg", "{tablet}")}), tablet))
    quantity = fhir.convert(_uses(_medication(oxycodone | {"strengthQuantity": {"value": 5, "code": "mg"}}), tablet))
    assert quantity == ratio  # R5: a Quantity is the amount in one unit


def test_medication_ingredients_that_cannot_be_read_are_refused() -> None:
    uncoded = {"itemCodeableConcept": {"text": "oxycodone"}, "strength": _strength(5, "mg", "{tablet}")}
    with pytest.raises(mme.ExpressionError, match="ingredient code"):
        fhir.convert(_uses(_medication(uncoded), every(6)))
    no_strength = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]}}
    with pytest.raises(mme.DoseError, match="no strength"):
        fhir.convert(_uses(_medication(no_strength), every(6)))
    per_gram = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]},
        "strength": _strength(5, "mg", "g"),
    }
    with pytest.raises(mme.UnitError, match="per unit, per mL"):
        fhir.convert(_uses(_medication(per_gram), every(6)))
    only_apap = {"itemCodeableConcept": {"text": "acetaminophen"}}
    with pytest.raises(mme.NotCoveredError, match="names no opioid mme knows"):
        fhir.convert(_uses(_medication(only_apap), every(6)))


_JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True)
    | st.sampled_from(["", "mg", "{tablet}", "h", "7804", RX]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "value",
                    "code",
                    "unit",
                    "coding",
                    "system",
                    "repeat",
                    "frequency",
                    "period",
                    "periodUnit",
                    "high",
                    "low",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    dosage=st.dictionaries(
        st.sampled_from(["timing", "doseAndRate", "maxDosePerPeriod", "sequence", "asNeededBoolean", "text"]),
        _JUNK,
        max_size=4,
    ),
    medication=_JUNK,
    code=st.sampled_from([OXY_5, FENTANYL_25, MORPHINE_LIQUID, "7052", "x"]),
)
def test_malformed_resources_are_typed_errors_never_crashes(dosage: dict[str, Any], medication: Any, code: str) -> None:
    for resource in (
        request(code, dosage=dosage),
        request(code, dosage=dosage) | {"medicationCodeableConcept": medication},
    ):
        try:
            result = fhir.convert(resource)
        except mme.MMEError:
            continue
        assert result.mme_per_day is None or result.mme_per_day > 0


@settings(max_examples=100, deadline=None)
@given(entries=_JUNK)
def test_malformed_bundles_are_typed_errors_never_crashes(entries: Any) -> None:
    try:
        result = fhir.convert({"resourceType": "Bundle", "entry": entries})
    except mme.MMEError:
        return
    assert result.mme_per_day is None


# -- Dosage.route -----------------------------------------------------------------------------------

SNOMED = "http://snomed.info/sct"


def _routed(route: dict[str, Any], code: str = "3423", dose: dict[str, Any] | None = None) -> dict[str, Any]:
    dosage = every(2, dose or {"value": 0.5, "code": "mg"}) | {"route": route}
    return request(code, dosage=dosage)


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ({"coding": [{"system": SNOMED, "code": "47625008"}]}, "intravenous"),
        ({"coding": [{"system": SNOMED, "code": "78421000"}]}, "intramuscular"),
        ({"coding": [{"system": SNOMED, "code": "34206005"}]}, "subcutaneous"),
        ({"coding": [{"system": SNOMED, "code": "26643006"}]}, "oral"),
        ({"text": "IV"}, "intravenous"),
        ({"coding": [{"system": "urn:oid:1.2.3", "display": "Intravenous route (qualifier value)"}]}, "intravenous"),
        ({"coding": [{"display": "Subcutaneous use"}]}, "subcutaneous"),
    ],
)
def test_the_dosage_route_is_read(route: dict[str, Any], expected: str) -> None:
    """IV hydromorphone was counted as oral (30 MME/day under anzca-2021, with "no route given"): 0.5 mg every
    2 hours is 6 mg a day, x15 parenteral = 90."""
    got = fhir.convert(_routed(route), table="anzca-2021")
    assert got == rx.daily_mme("3423", "0.5 mg", every="2 h", route=expected, table="anzca-2021")
    assert not any("no route given" in w for w in got.warnings)


def test_a_route_of_an_uncoded_liquid_is_read() -> None:
    named = request(dosage=every(4, {"value": 5, "code": "mg"}) | {"route": {"text": "intravenous"}})
    named["medicationCodeableConcept"] = {"text": "morphine sulfate 10 mg/mL"}
    assert fhir.convert(named, table="anzca-2021").mme_per_day == 90.0  # 30 mg/day x3, not oral x1 (30)


def test_a_route_that_contradicts_the_product_is_refused_naming_both() -> None:
    iv = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"route is intravenous .*Oral Tablet\) is oral"):
        fhir.convert(_routed(iv, OXY_5, {"value": 1, "code": "{tablet}"}))
    oral = {"coding": [{"system": SNOMED, "code": "26643006"}]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"Injection.* is intramuscular or intravenous or subcutaneous"):
        fhir.convert(_routed(oral, "1728800", {"value": 5, "code": "mL"}))
    dispense = {
        "resourceType": "MedicationDispense", "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "code": "d"},
        "dosageInstruction": [every(6) | {"route": iv}],
    }  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match="route is intravenous"):
        fhir.convert(dispense)
    same = _routed(oral, OXY_5, {"value": 1, "code": "{tablet}"})
    assert fhir.convert(same).warnings == ()  # agrees with the product: nothing to say


def test_a_route_that_does_not_read_is_said_or_refused() -> None:
    inhaled = {"text": "inhalation"}
    got = fhir.convert(_routed(inhaled, OXY_5, {"value": 1, "code": "{tablet}"}))
    assert got.mme_per_day == 90.0  # 12 tablets of 5 mg a day x1.5: the product's route, said
    assert got.warnings == ("MedicationRequest/r1: the route 'inhalation' is not one mme reads: the product's (oral) "
                            "was used",)  # fmt: skip
    with pytest.raises(mme.UnknownTermError, match="the route 'inhalation' is not one mme reads"):
        fhir.convert(_routed(inhaled))  # an ingredient code: no route of its own to fall back on
    with pytest.raises(mme.UnknownTermError, match="the route '72607000' is not one mme reads"):
        fhir.convert(_routed({"coding": [{"system": SNOMED, "code": "72607000"}]}))  # intrathecal: not guessed


def test_links_are_resolved_as_fhir_resolves_them() -> None:
    """A dispense naming its request by absolute URL (the request's fullUrl a urn:uuid) or by a versioned reference,
    and two versions of one request in a history Bundle, were each counted twice: 60 MME/day for 30."""
    ordered = request(dosage=every(6)) | {"id": "a"}
    filled = {
        "resourceType": "MedicationDispense", "id": "d", "medicationCodeableConcept": request()["medicationCodeableConcept"],
        "quantity": {"value": 120, "code": "{tablet}"}, "daysSupply": {"value": 30, "code": "d"},
    }  # fmt: skip
    for reference in ("https://fhir.example.org/r4/MedicationRequest/a", "MedicationRequest/a/_history/2"):
        linked = filled | {"authorizingPrescription": [{"reference": reference}]}
        bundle = {"resourceType": "Bundle", "entry": [{"fullUrl": "urn:uuid:9", "resource": ordered},
                                                      {"resource": linked}]}  # fmt: skip
        with pytest.raises(mme.AmbiguousDoseError, match=r"MedicationDispense/d names MedicationRequest/a "):
            fhir.convert(bundle)
    by_full_url = {"resourceType": "Bundle", "entry": [
        {"fullUrl": "https://fhir.example.org/r4/MedicationRequest/a", "resource": {k: v for k, v in ordered.items() if k != "id"}},
        {"resource": filled | {"authorizingPrescription": [{"reference": "MedicationRequest/a"}]}}]}  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match=r"MedicationDispense/d names MedicationRequest \(no id\) "):
        fhir.convert(by_full_url)
    refills = {"resourceType": "Bundle", "entry": [
        {"resource": filled | {"authorizingPrescription": [{"reference": "MedicationRequest/a/_history/1"}]}},
        {"resource": filled | {"id": "e", "authorizingPrescription": [{"reference": "https://h/MedicationRequest/a"}]}}]}  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match="MedicationDispense/d and MedicationDispense/e both name Med"):
        fhir.convert(refills)
    history = {"resourceType": "Bundle", "type": "history", "entry": [
        {"fullUrl": "https://h/MedicationRequest/a", "resource": ordered | {"meta": {"versionId": "2"}}},
        {"fullUrl": "https://h/MedicationRequest/a", "resource": ordered | {"meta": {"versionId": "1"}}}]}  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match=r"MedicationRequest/a is in the Bundle twice"):
        fhir.convert(history)
    other = {"resourceType": "Bundle", "entry": [{"resource": ordered}, {"resource": ordered | {"id": "b"}}]}
    assert fhir.convert(other).mme_per_day == 60.0  # two requests: taken together


def test_nothing_in_a_bundle_vanishes() -> None:
    """An opioid in a Bundle inside the Bundle gave no MME and no word; a MedicationAdministration was skipped
    unsaid; a Medication listing oxycodone 5 mg twice counted 60 MME/day, its warning printed twice."""
    nested = {"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}]}}]}  # fmt: skip
    assert fhir.convert(nested) == fhir.convert(
        {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}]}
    )
    assert fhir.convert(nested).mme_per_day == 30.0
    given = {
        "resourceType": "MedicationAdministration",
        "id": "g",
        "medicationCodeableConcept": request()["medicationCodeableConcept"],
    }
    got = fhir.convert(
        {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": given}]}
    )
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert got.not_counted == ("MedicationAdministration/g: a record of doses given, which mme does not read (convert "
                               "the request, dispense or statement)",)  # fmt: skip
    oxycodone = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]},
                 "strength": _strength(5, "mg", "{tablet}")}  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match=r"lists oxycodone twice \(5 and 5 MG\)"):
        fhir.convert(_uses(_medication(oxycodone, oxycodone), every(6)))
    assert fhir.convert(_uses(_medication(oxycodone), every(6))).mme_per_day == 30.0


@pytest.mark.parametrize(("repeat", "sooner"), [({"frequency": 3, "period": 1, "periodUnit": "d"}, True),
                                                 ({"frequency": 1, "period": 48, "periodUnit": "h"}, True),
                                                 ({"frequency": 1, "period": 7, "periodUnit": "d"}, False)])  # fmt: skip
def test_a_patch_changed_off_its_wear_period_is_said(repeat: dict[str, Any], sooner: bool) -> None:
    """Every other path warns of a fentanyl patch changed three times a day; FHIR gave 60 MME/day unsaid."""
    dosage = {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]}
    got = fhir.convert(request(FENTANYL_25, dosage=dosage))
    assert got.mme_per_day == 60.0  # the rate of the patch worn (CDC), as every path gives
    assert got.warnings == (patch_changed(3, sooner=sooner),)
    on_time = dosage | {"timing": {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}}
    assert fhir.convert(request(FENTANYL_25, dosage=on_time)).warnings == ()


def test_a_dose_and_a_rate_that_disagree_are_refused_and_a_rate_ratio_is_read() -> None:
    """One 25 mcg/h patch with a rateQuantity of 50 ug/h was 60 MME/day unsaid (the rate says 120); a rateRatio
    (50 ug per 1 h) was ignored and one patch read."""
    every_3_days = {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}
    one_patch = {"doseQuantity": {"value": 1, "code": "{patch}"}}
    both = {"timing": every_3_days, "doseAndRate": [one_patch | {"rateQuantity": {"value": 50, "code": "ug/h"}}]}
    with pytest.raises(
        mme.AmbiguousDoseError, match=r"the dose \(1 {patch}\) gives 60 MME/day, the rate \(50 mcg/h\) 120"
    ):
        fhir.convert(request(FENTANYL_25, dosage=both))
    agree = {"timing": every_3_days, "doseAndRate": [one_patch | {"rateQuantity": {"value": 25, "code": "ug/h"}}]}
    assert fhir.convert(request(FENTANYL_25, dosage=agree)).mme_per_day == 60.0
    ratio = {"numerator": {"value": 50, "code": "ug"}, "denominator": {"value": 1, "code": "h"}}
    by_ratio = {"timing": every_3_days, "doseAndRate": [{"rateRatio": ratio}]}
    assert fhir.convert(request(FENTANYL_25, dosage=by_ratio)) == rx.daily_mme(
        FENTANYL_25, "50 mcg/h", per_day=1 / 3
    )  # 120: two patches' rate
    per_day = by_ratio | {"doseAndRate": [{"rateRatio": ratio | {"numerator": {"value": 600, "code": "ug"},
                                                                  "denominator": {"value": 1, "code": "d"}}}]}  # fmt: skip
    assert fhir.convert(request(FENTANYL_25, dosage=per_day)).mme_per_day == 60.0  # 600 ug a day: 25 ug/h
    a_day = by_ratio | {"doseAndRate": [{"rateRatio": ratio | {"denominator": {"value": 1, "code": "d"}}}]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"rate 2\.08333 mcg/h contradicts"):  # 50 ug a day: no such patch
        fhir.convert(request(FENTANYL_25, dosage=a_day))
    liquid = by_ratio | {"doseAndRate": [{"rateRatio": ratio | {"numerator": {"value": 5, "code": "mL"}}}]}
    with pytest.raises(mme.UnitError, match="'mL/h'"):
        fhir.convert(request(FENTANYL_25, dosage=liquid))


@pytest.mark.parametrize(("low", "high"), [((2, "{tablet}"), (1, "{tablet}")), ((5, "mg"), (2, "{tablet}"))])
def test_a_dose_range_that_is_no_range_is_refused(low: tuple[int, str], high: tuple[int, str]) -> None:
    """'2 to 1 tablets' used the maximum, 1 (30 MME/day); '5 mg to 2 tablets' used 2 tablets (60)."""
    span = {"low": {"value": low[0], "code": low[1]}, "high": {"value": high[0], "code": high[1]}}
    dosage = every(6) | {"doseAndRate": [{"doseRange": span}]}
    with pytest.raises(mme.DoseError, match=f"doseRange is {low[0]} {re.escape(low[1])} to {high[0]}"):
        fhir.convert(request(dosage=dosage))


def test_a_medication_code_and_ingredients_that_disagree_are_refused() -> None:
    """Coded oxycodone 5 mg with an ingredient list saying 10 mg was 30 MME/day, the conflict unsaid."""

    def coded(strength: float) -> dict[str, Any]:
        oxycodone = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}]},
                     "strength": _strength(strength, "mg", "{tablet}")}  # fmt: skip
        return _medication(oxycodone) | {"code": {"coding": [{"system": RX, "code": OXY_5}]}}

    with pytest.raises(mme.AmbiguousDoseError, match=r"5 MG Oral Tablet\), but its ingredients say oxycodone 10 MG"):
        fhir.convert(_uses(coded(10), every(6)))
    assert fhir.convert(_uses(coded(5), every(6))) == rx.daily_mme(OXY_5, count=1, every="6 h")


def test_a_structured_timing_is_never_overruled_unsaid() -> None:
    """`timing.code` QD beside a repeat of twice a day was read as the repeat (15 MME/day) unsaid; a text read for
    the dose ("2 tablets every 6 hours", 60) dropped the structured every 4 hours (90) and said "no structured
    dose or timing"."""
    twice = {"code": {"coding": [{"code": "QD"}]}, "repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}
    with pytest.raises(mme.DoseError, match="timing code QD is 1 a day, its repeat 2"):
        fhir.convert(request(dosage=every(6) | {"timing": twice}))
    agreeing = twice | {"code": {"coding": [{"code": "BID"}]}}
    assert fhir.convert(request(dosage=every(6) | {"timing": agreeing})).mme_per_day == 15.0
    text = "take 2 tablets every 6 hours"
    q4h = {"timing": every(4)["timing"], "text": text}
    with pytest.raises(mme.DoseError, match="the dosage has no dose"):
        fhir.convert(request(dosage=q4h))  # the text's timing is not the structure's: neither is chosen
    q6h = fhir.convert(request(dosage=q4h | {"timing": every(6)["timing"]}))
    assert q6h.mme_per_day == 60.0
    assert q6h.warnings[0] == f"MedicationRequest/r1: dosage read from text {text!r} (no structured dose)"
    untimed = {"doseAndRate": every(6)["doseAndRate"], "text": "1 tablet every 6 hours"}
    assert fhir.convert(request(dosage=untimed)).warnings[0].endswith("(no structured timing)")


def test_a_dose_must_be_a_number_of_the_product_s_kind_of_unit() -> None:
    """A doseQuantity value "1" (a string) was read as 1, though timing numbers as strings are refused; 1 {patch}
    of an oxycodone tablet was read as 1 tablet."""
    with pytest.raises(mme.DoseError, match="must be a JSON number, not '1'"):
        fhir.convert(request(dosage=every(6, {"value": "1", "code": "{tablet}"})))
    with pytest.raises(mme.AmbiguousDoseError, match=r"the dose is 1 \{patch\}, but .*Oral Tablet\) is a tablet"):
        fhir.convert(request(dosage=every(6, {"value": 1, "code": "{patch}"})))
    with pytest.raises(mme.AmbiguousDoseError, match=r"the dose is 1 TAB, but .*Transdermal System\) is a patch"):
        fhir.convert(request(FENTANYL_25, dosage=every(72, {"value": 1, "code": "TAB"})))
    assert fhir.convert(request(FENTANYL_25, dosage=every(72, {"value": 1, "code": "{patch}"}))).mme_per_day == 60.0


@pytest.mark.parametrize(
    ("code", "unit", "table"),
    [
        ("1115573", "{tablet}", "cms-2018"),  # fentanyl 0.1 mg nasal spray: 2 read as sprays, 384 MME/day every 2 h
        ("858092", "{tablet}", "cms-2018"),  # fentanyl 0.2 mg buccal film (0.18 per mcg; a buccal tablet is 0.13)
        ("261106", "{film}", "cms-2018"),  # Actiq lozenge
        (OXY_5, "{film}", "cdc-2022"),  # read as 2 tablets every 2 h: 12 x 10 mg x 1.5 = 180 MME/day
        (OXY_5, "{suppository}", "cdc-2022"),
    ],
)
def test_a_count_in_units_of_another_form_than_the_product_s_is_refused(code: str, unit: str, table: str) -> None:
    """A count in tablets of a nasal spray or a buccal film, or in films of a tablet, was read as that many of the
    product's own units, though they are other products with other factors, as a patch of a tablet is refused; and a
    dispensed quantity in another form's units was not checked at all (120 patches of oxycodone tablets: 30 MME/day)."""
    dosage = every(2, {"value": 2, "code": unit})
    with pytest.raises(mme.AmbiguousDoseError, match=rf"the dose is 2 {re.escape(unit)}, but .* is an? "):
        fhir.convert(request(code, dosage=dosage), table=table)
    dispensed = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request(code)["medicationCodeableConcept"],
                 "quantity": {"value": 120, "code": unit}, "daysSupply": {"value": 30, "code": "d"}}  # fmt: skip
    with pytest.raises(mme.AmbiguousDoseError, match=rf"the quantity is 120 {re.escape(unit)}, but "):
        fhir.convert(dispensed, table=table)
    own = {"resourceType": "MedicationDispense", "medicationCodeableConcept": request(OXY_5)["medicationCodeableConcept"],
           "quantity": {"value": 120, "unit": "Tablet(s)"}, "daysSupply": {"value": 30, "code": "d"}}  # fmt: skip
    assert fhir.convert(own).mme_per_day == 30.0  # 4 a day x 5 mg x 1.5


def _named_request(name: str, rid: str = "named", tablets: int = 2) -> dict[str, Any]:
    return request(dosage=every(6, {"value": tablets, "code": "{tablet}"})) | {
        "id": rid,
        "medicationCodeableConcept": {"text": name},
    }


def _with_oxycodone(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in (request(dosage=every(6)), *resources)]}


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Morphine sulfate 10mg/5ml oral solution sugar free", "Morphine sulfate 10mg/5ml oral solution"),
        ("Oxycodone 5mg/5ml oral solution sugar free 250 ml", "Oxycodone 5mg/5ml oral solution"),
        ("Morphine 10mg/5ml oral solution gluten free", "Morphine 10mg/5ml oral solution"),
        ("Oramorph 10mg/5ml oral solution 100 ml", "Oramorph 10mg/5ml oral solution"),
        ("Codeine 15mg/5ml oral solution (Thame Laboratories Ltd)", "Codeine 15mg/5ml oral solution"),
        ("Oxycodone 5mg capsules (A A H Pharmaceuticals Ltd)", "Oxycodone 5mg capsules"),
        ("Zomorph 30mg modified-release capsules (Ethypharm UK Ltd)", "Zomorph 30mg modified-release capsules"),
        ("Oxycodone 5mg tablets (Alliance Healthcare (Distribution) Ltd)", "Oxycodone 5mg tablets"),
        ("Endone 5 mg tablet, 20", "Endone 5 mg tablet"),
        ("OxyNorm 5 mg/5 mL oral liquid, 250 mL, bottle", "OxyNorm 5 mg/5 mL oral liquid"),
        ("Targin 10 mg/5 mg modified release tablet, 28", "Targin 10 mg/5 mg modified release tablet"),
        ("Morphine 10mg/1ml solution for injection ampoules", "Morphine 10mg/1ml injection"),
    ],
)
def test_national_product_names_read_without_their_pack_words(name: str, bare: str) -> None:
    liquid = "ml" in name.lower()
    dose = {"value": 5, "code": "mL"} if liquid else {"value": 1, "code": "{tablet}"}

    def named(text: str) -> dict[str, Any]:
        resource = request(dosage=every(6, dose)) | {"medicationCodeableConcept": {"text": text}}
        if "injection" in text:
            resource["dosageInstruction"][0]["route"] = {"text": "IV"}
        return resource

    table = "anzca-2021" if "injection" in bare else "cdc-2022"
    got, expected = fhir.convert(named(name), table=table), fhir.convert(named(bare), table=table)
    assert isinstance(got, mme.DailyMME)
    assert got.mme_per_day == expected.mme_per_day
    assert got.warnings == tuple(w.replace(repr(bare), repr(name)) for w in expected.warnings)


def test_a_bracket_that_names_no_company_is_not_taken_off() -> None:
    assert fhir._named("Oxycodone 5mg tablets (Sandoz Ltd)", None) is not None
    assert fhir._named("Oxycodone 5mg tablets (Sandoz)", None) is None  # not a company's name: not read past


def test_a_name_the_sig_reader_reads_reads_the_same_in_fhir() -> None:
    """ "Co-codamol 30mg/500mg tablets" was dropped from a Bundle as not an opioid (30 MME/day, no threshold), though
    `mme.convert` reads co-codamol: 2 tablets q6h of codeine 30 mg are 240 mg x 0.15 = 36 MME/day, 66 in all."""
    got = fhir.convert(_with_oxycodone(_named_request("Co-codamol 30mg/500mg tablets")))
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 66.0
    assert got.not_counted == ()
    by_sig = mme.convert("co-codamol 30mg/500mg tablets 2 tabs q6h").mme_per_day
    assert fhir.convert(_named_request("Co-codamol 30mg/500mg tablets")).mme_per_day == by_sig == 36.0


@pytest.mark.parametrize(
    "name",
    [
        "morhpine 10 mg tablet", "oxycodon 5 mg tablet", "Morphin 10 mg Tabletten", "morfina 10 mg comprimido",
        "Oxycodonhydrochlorid 5 mg Tabletten", "Diamorphine 10mg/24h subcutaneous infusion", "Remedeine forte",
        "Syndol", "DF118 Forte 40mg", "Meptid 200mg", "Diconal", "Dipipanone 10mg / cyclizine 30mg", "Co-proxamol",
        "Papaveretum", "Metadol 10 mg", "Pholcodine 5mg/5ml", "Apadaz 6.12 MG / 325 MG",
        "acetaminophen 325 MG / benzhydrocodone 6.12 MG", "oliceridine 1 MG/ML [Olinvyk]", "Hidromorfona 2 mg",
    ],
)  # fmt: skip
def test_a_name_that_spells_an_opioid_and_does_not_read_fails_its_bundle(name: str) -> None:
    """Each was listed "not an opioid known to mme" and left out of the Bundle's total: a total without an opioid."""
    with pytest.raises(mme.ExpressionError, match="names or nearly spells an opioid") as caught:
        fhir.convert(_with_oxycodone(_named_request(name)))
    assert "in MedicationRequest/named" in caught.value.__notes__


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Co-dydramol 10mg/500mg tablets", mme.NotCoveredError),  # dihydrocodeine: no factor in cdc-2022
        ("Alfentanil 500micrograms/1ml", mme.NotCoveredError),  # an opioid no table converts
    ],
)
def test_a_name_that_reads_as_an_opioid_without_a_factor_fails_its_bundle(name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        fhir.convert(_with_oxycodone(_named_request(name)))


@pytest.mark.parametrize(
    "name",
    [
        "atorvastatin 20 mg tablet", "Paracetamol 500mg tablets", "Tylenol 500 mg", "gabapentin 300 mg capsule",
        "Senna 7.5 mg", "Naloxone 400micrograms/1ml", "Co-amoxiclav 500mg/125mg tablets", "duloxetine 30 mg",
        "clonidine 100 micrograms", "heparin 5000 units", "Omeprazole 20mg gastro-resistant capsules",
        "Toradol 10 mg", "Motrin 400 mg", "Effexor XR 75 mg", "Lovenox 40 mg/0.4 mL",
        # each failed the whole Bundle, taken for an opioid's name or brand nearly spelt:
        "Doliprane 1000 mg comprimé", "Co-tenidone 50/12.5", "Endoxan", "Apomorphine 30 mg/3 mL pen", "Hydrocortone",
        "Analgesic balm", "Non-opioid analgesic", "Tussin DM", "Diabetic Tussin", "Dolobene",
    ],
)  # fmt: skip
def test_a_name_that_spells_no_opioid_is_listed_not_counted(name: str) -> None:
    got = fhir.convert(_with_oxycodone(_named_request(name)))
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert got.not_counted == (
        f"MedicationRequest/named: {name!r} names no opioid mme knows, and spells none nearly: not counted",
    )
    with pytest.raises(mme.NotCoveredError, match=r"names no opioid mme knows.*add its RxNorm coding"):
        fhir.convert(_named_request(name))  # alone: it says what was checked, never "it has no MME"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_an_opioid_name_one_letter_short_is_still_an_opioid(data: st.DataObject) -> None:
    """A typo (a letter dropped) in any opioid word the vocabulary knows never makes it a non-opioid."""
    from mme import _vocab

    word = data.draw(st.sampled_from(sorted(w for w in _vocab.OPIOID_WORDS if len(w) >= 7 and w.isalpha())))
    at = data.draw(st.integers(1, len(word) - 1))
    typo = word[:at] + word[at + 1 :]
    assert _vocab.opioid_named(f"{typo} 10 mg tablet") is not None, typo


SUBSYS_1200 = "1740008"  # {2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack [Subsys 1200 MCG]


@pytest.mark.parametrize(
    ("unit", "sig"),
    [("{actuat}", "1 spray q4h"), ("{spray}", "1 spray q4h"), ("1", "1 q4h"), ("{each}", "1 q4h")],
)
def test_a_pack_counted_in_its_units_counts_them_as_the_sig_reader_does(unit: str, sig: str) -> None:
    """A Subsys pack holds two 0.6 mg sprays: 1 {actuat} q4h was counted as a pack (1296 MME/day, twice the 648 of
    3600 mcg x 0.18 that `mme.convert(rxcui=...)` gives); a bare count still counts packs, on both paths."""
    dose = {"value": 1, "code": unit}
    got = fhir.convert(request(SUBSYS_1200, dosage=every(4, dose)), table="cdc-ndc-2018")
    assert got.mme_per_day == mme.convert(sig, rxcui=SUBSYS_1200, table="cdc-ndc-2018").mme_per_day
    assert got.mme_per_day == (648.0 if unit in ("{actuat}", "{spray}") else 1296.0)


def test_a_pack_dispensed_in_its_units_counts_them() -> None:
    """20 {actuat} over 5 days are 20 x 0.6 mg / 5 x 180 = 432 MME/day (it was 864); 10 packs are the same."""
    dispense: dict[str, Any] = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": SUBSYS_1200}]},
        "quantity": {"value": 20, "code": "{actuat}"},
        "daysSupply": {"value": 5, "code": "d"},
    }
    got = fhir.convert(dispense, table="cdc-ndc-2018")
    assert got.mme_per_day == 432.0
    assert any("a pack of 2 units: each {actuat} counted is one of them" in w for w in got.warnings)
    packs = dispense | {"quantity": {"value": 10, "code": "1"}}
    assert fhir.convert(packs, table="cdc-ndc-2018").mme_per_day == 432.0
    in_packs = dispense | {"quantity": {"value": 10, "code": "{pack}"}}
    assert fhir.convert(in_packs, table="cdc-ndc-2018").mme_per_day == 432.0
    with pytest.raises(mme.UnitError, match=r"'\{pack\}'"):  # not a pack: which unit is meant is unknown
        fhir.convert(in_packs | {"medicationCodeableConcept": request()["medicationCodeableConcept"]})


@pytest.mark.parametrize(("code", "mg"), [(PERCOCET, 325), ("857002", 325), (PERCOCET, 65)])
def test_a_dose_in_mg_that_may_be_another_components_is_refused_as_the_sig_path_refuses_it(code: str, mg: int) -> None:
    """Percocet 5/325 dosed 325 mg q6h was 65 tablets' oxycodone (1950 MME/day) with a warning; `mme.convert` refuses
    "325 mg" of the same RxCUI (acetaminophen's strength, or 13 tablets and more at once)."""
    dosage = every(6, {"value": mg, "code": "mg"})
    with pytest.raises(mme.ExpressionError, match="may be the amount of another component"):
        mme.convert(f"{mg} mg q6h", rxcui=code)
    with pytest.raises(mme.DoseError, match="may be the amount of another component"):
        fhir.convert(request(code, dosage=dosage))
    with pytest.raises(mme.DoseError, match="may be the amount of another component"):
        rx.daily_mme(code, f"{mg} mg", every="6 h")


def test_a_contained_combination_dosed_in_its_non_opioids_strength_is_refused() -> None:
    apap = {"itemCodeableConcept": {"text": "acetaminophen"}, "strength": _strength(325, "mg", "{tablet}")}
    oxycodone = {
        "itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}], "text": "oxycodone"},
        "strength": _strength(5, "mg", "{tablet}"),
    }
    with pytest.raises(mme.DoseError, match="may be the amount of another component"):
        fhir.convert(_uses(_medication(apap, oxycodone), every(6, {"value": 325, "code": "mg"})))
    ten = fhir.convert(_uses(_medication(apap, oxycodone), every(6, {"value": 10, "code": "mg"})))
    assert ten.mme_per_day == 60.0  # 10 mg (2 tablets' oxycodone) x 4 a day x 1.5
    by_code = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "161"}]}} | {"strength": apap["strength"]}
    with pytest.raises(mme.DoseError, match="may be the amount of another component"):  # acetaminophen by code only
        fhir.convert(_uses(_medication(by_code, oxycodone), every(6, {"value": 325, "code": "mg"})))


def _typed(kind: str | None, value: float, unit: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"doseQuantity": {"value": value, "code": unit}}
    return entry | ({"type": {"coding": [{"code": kind}]}} if kind else {})


@pytest.mark.parametrize(
    ("entries", "said"),
    [
        ([_typed(None, 1, "{tablet}"), _typed(None, 2, "{tablet}")], "1 {tablet} gives 30 MME/day, 2 {tablet} 60"),
        ([_typed("calculated", 10, "mg"), _typed("admin-amount", 1, "{tablet}")], "10 mg gives 60 MME/day, 1 {tablet}"),
        ([_typed("ordered", 1, "{tablet}"), _typed("ordered", 2, "{tablet}")], "1 {tablet} gives 30 MME/day"),
        (
            [_typed("calculated", 5, "mg"), _typed("admin-amount", 2, "{tbl}"), _typed("ordered", 5, "mg")],
            "5 mg gives 30 MME/day, 2 {tbl} 60",
        ),
    ],
)
def test_doseandrate_entries_that_disagree_are_refused(entries: list[dict[str, Any]], said: str) -> None:
    """One entry was used (the first, or the ordered one) with a warning: 30 or 60 MME/day, as the entries fell."""
    with pytest.raises(mme.AmbiguousDoseError, match=re.escape(said)):
        fhir.convert(request(dosage=every(6) | {"doseAndRate": entries}))


def test_a_dose_given_twice_in_one_entry_is_refused() -> None:
    both = {"doseQuantity": {"value": 1, "code": "{tablet}"}, "doseRange": {"high": {"value": 2, "code": "{tablet}"}}}
    with pytest.raises(mme.AmbiguousDoseError, match="both doseQuantity and doseRange"):
        fhir.convert(request(dosage=every(6) | {"doseAndRate": [both]}))


@pytest.mark.parametrize(("count", "tablets", "expected"), [(1, 2, 15.0), (1, 1, 7.5), (2, 1, 15.0), (3, 1, 22.5)])
def test_a_course_shorter_than_a_day_counts_its_doses(count: int, tablets: int, expected: float) -> None:
    """q6h with repeat.count 1 (a single dose, as STAT or pre-procedure orders are written) was 4 doses a day."""
    dosage = every(6, {"value": tablets, "code": "{tablet}"})
    dosage["timing"]["repeat"]["count"] = count
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == expected  # tablets x 5 mg x count x 1.5
    assert any(f"a course of {count} administration(s)" in w for w in got.warnings)
    longer = every(6)
    longer["timing"]["repeat"] |= {"count": 28}  # a week's course: a day's 4 doses
    assert fhir.convert(request(dosage=longer)).mme_per_day == 30.0


@pytest.mark.parametrize(
    "repeat",
    [
        {"when": ["MORN", "MORN"]},
        {"timeOfDay": ["08:00:00", "08:00:00"]},
        {"timeOfDay": ["08:00", "08:00:00"]},
        {"when": ["MORN", "MORN"], "period": 1, "periodUnit": "d"},
    ],
)
def test_a_time_of_day_listed_twice_is_one_dose(repeat: dict[str, Any]) -> None:
    dosage = every(6) | {"timing": {"repeat": repeat}}
    assert fhir.convert(request(dosage=dosage)).mme_per_day == 7.5  # once a day, not twice


def test_a_dispense_linked_to_its_request_by_identifier_is_not_added_to_it() -> None:
    """A request (identifier urn:rx|RX1, 2 tablets q6h: 60) and its dispense linked by that identifier (240 tablets over
    30 days: 60) made 120 MME/day, past both thresholds; linked by reference they are refused, so are they now."""
    rx1 = {"system": "urn:rx", "value": "RX1"}
    prescribed = request(dosage=every(6, {"value": 2, "code": "{tablet}"})) | {"id": "a", "identifier": [rx1]}
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "d",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]},
        "authorizingPrescription": [{"identifier": rx1}],
        "quantity": {"value": 240, "code": "{tablet}"},
        "daysSupply": {"value": 30, "code": "d"},
    }
    bundle = {"resourceType": "Bundle", "entry": [{"resource": prescribed}, {"resource": dispense}]}
    with pytest.raises(mme.AmbiguousDoseError, match=r"MedicationDispense/d names MedicationRequest/a"):
        fhir.convert(bundle)
    other = dispense | {"authorizingPrescription": [{"identifier": {"system": "urn:rx", "value": "RX2"}}]}
    apart = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": prescribed}, {"resource": other}]})
    assert apart.mme_per_day == 120.0  # another prescription's fill: both counted, and the mix said
    said = "the Bundle counts MedicationDispense and MedicationRequest resources together"
    assert isinstance(apart, fhir.BundleMME)
    assert all(any(said in w for w in item.warnings) for item in apart.items)
    alone = fhir.convert({"resourceType": "Bundle", "entry": [{"resource": prescribed}]})
    assert isinstance(alone, fhir.BundleMME)
    assert not any("counts" in w for item in alone.items for w in item.warnings)


@pytest.mark.parametrize("same", [True, False])
def test_one_resource_entered_twice_is_refused_whether_one_object_or_two(same: bool) -> None:
    """The same dict entered twice from Python was counted twice (60); from JSON, two equal dicts, it was refused."""
    resource = request(dosage=every(6))
    second = resource if same else json.loads(json.dumps(resource))
    bundle = {"resourceType": "Bundle", "entry": [{"resource": resource}, {"resource": second}]}
    with pytest.raises(mme.AmbiguousDoseError, match="in the Bundle twice"):
        fhir.convert(bundle)
    entry = {"resource": resource}
    with pytest.raises(mme.AmbiguousDoseError, match="in the Bundle twice"):
        fhir.convert({"resourceType": "Bundle", "entry": [entry] * 2})


def test_a_bundle_entry_that_holds_no_resource_is_said() -> None:
    """A searchset entry with a fullUrl and no resource (FHIR requires one, unless a request or response is given) was
    passed over without a word: the resource it names may be an opioid's."""
    counted = request(dosage=every(6))  # 1 tablet of oxycodone 5 mg every 6 h: 30 MME/day
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"fullUrl": "https://ehr.example/MedicationRequest/9"}, {"resource": counted}]}  # fmt: skip
    got = fhir.convert(bundle)
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert got.incomplete == (
        "entry 1 of the Bundle (https://ehr.example/MedicationRequest/9) holds no resource (nor a request or "
        "response): the resource it names is not in the Bundle, and if it is an opioid's it is not counted",
    )
    deleted = {"request": {"method": "DELETE", "url": "MedicationRequest/9"}}  # a history's deletion: nothing missing
    history = fhir.convert(bundle | {"type": "history", "entry": [deleted, {"resource": counted}]})
    assert isinstance(history, fhir.BundleMME)
    assert history.incomplete == ()


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"doNotPerform": True}, "doNotPerform is true"),
        ({"resourceType": "MedicationStatement", "adherence": {"code": {"coding": [{"code": "not-taking"}]}}},
         "its adherence is not-taking"),
        ({"resourceType": "MedicationStatement", "taken": "n"}, "taken is 'n'"),
        ({"resourceType": "MedicationStatement", "status": "not-taken"}, "its status is not-taken"),
        ({"resourceType": "MedicationStatement", "wasNotTaken": True}, "wasNotTaken is true (DSTU2's"),  # was 60
    ],
)  # fmt: skip
def test_a_resource_that_says_the_opioid_is_not_taken_is_not_counted(extra: dict[str, Any], why: str) -> None:
    """An order not to give oxycodone (doNotPerform) was counted, 60 MME/day, without a word."""
    resource = request(dosage=every(6, {"value": 2, "code": "{tablet}"})) | {"id": "no"} | extra
    if resource["resourceType"] == "MedicationStatement":
        resource["dosage"] = resource.pop("dosageInstruction")
    got = fhir.convert(_with_oxycodone(resource))
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0  # the other oxycodone request alone
    (listed,) = got.not_counted
    assert listed.startswith(f"{resource['resourceType']}/no: {why}")
    assert listed.endswith(": not counted")
    with pytest.raises(mme.NotCoveredError, match=re.escape(why)):
        fhir.convert(resource)


@pytest.mark.parametrize("code", ["stopped", "stopped-as-directed", "on-hold", "on-hold-not-as-directed"])
def test_an_adherence_that_says_the_patient_stopped_or_holds_it_is_said(code: str) -> None:
    """An R5 statement whose adherence says the patient has stopped the medication was counted without a word, where
    a status stopped or on-hold is said."""
    statement = request(dosage=every(6, {"value": 2, "code": "{tablet}"})) | {"resourceType": "MedicationStatement"}
    statement["dosage"] = statement.pop("dosageInstruction")
    adherence = {"code": {"coding": [{"code": code}]}}
    got = fhir.convert(statement | {"adherence": adherence})
    assert got.mme_per_day == 60.0  # counted, as a lapsed status is: 2 x 5 mg x 4 a day x 1.5
    assert (
        f"MedicationStatement/r1: its adherence is {code!r}, counted anyway: choose the resources by adherence first"
        in got.warnings
    )
    assert not fhir.convert(statement | {"adherence": {"code": {"coding": [{"code": "taking"}]}}}).warnings


def test_a_dstu2_statement_s_dose_quantity_is_read_as_its_dose() -> None:
    """DSTU2's statement gives its dose as quantityQuantity or quantityRange, which was not read: beside a text of 1
    tablet every 6 h, 2 tablets were counted as 1 (30 MME/day, unsaid), and without a text it was refused as no dose."""
    timing = every(6)["timing"]
    statement = {
        "resourceType": "MedicationStatement",
        "medicationCodeableConcept": request()["medicationCodeableConcept"],
    }
    two = {"quantityQuantity": {"value": 2, "code": "{tablet}"}}
    assert fhir.convert(statement | {"dosage": [{"timing": timing} | two]}).mme_per_day == 60.0  # 2 x 5 mg x 4 x 1.5
    ranged = {"quantityRange": {"low": {"value": 1, "code": "{tablet}"}, "high": {"value": 2, "code": "{tablet}"}}}
    assert fhir.convert(statement | {"dosage": [{"timing": timing} | ranged]}).mme_per_day == 60.0
    with pytest.raises(mme.DoseError, match="has no timing"):  # the text says another dose: neither is chosen
        fhir.convert(statement | {"dosage": [{"text": "1 tablet every 6 hours"} | two]})
    with pytest.raises(mme.AmbiguousDoseError, match="as doseQuantity and as DSTU2's quantityQuantity"):
        fhir.convert(
            statement | {"dosage": [{"timing": timing, "doseQuantity": {"value": 1, "code": "{tablet}"}} | two]}
        )


def test_a_status_that_is_no_fhir_code_is_refused_or_said() -> None:
    """A statement with status "Not-Taken" was counted silently (codes are case-sensitive, so it is not not-taken,
    which is not counted): either reading is a guess. A status that is no code at all was counted without a word."""
    resource = request(dosage=every(6, {"value": 2, "code": "{tablet}"})) | {"id": "no"}
    statement = resource | {"resourceType": "MedicationStatement", "status": "Not-Taken"}
    statement["dosage"] = statement.pop("dosageInstruction")
    with pytest.raises(mme.ExpressionError, match=r"status 'Not-Taken' is not a FHIR code .*write 'not-taken'"):
        fhir.convert(_with_oxycodone(statement))
    odd = fhir.convert(resource | {"status": "taken"})
    assert odd.mme_per_day == 60.0  # counted, as an unknown status is: said
    assert "MedicationRequest/no: status 'taken' is not a MedicationRequest status code: counted anyway" in odd.warnings


@pytest.mark.parametrize("intent", ["proposal", "plan", "option"])
def test_a_request_that_orders_nothing_is_counted_and_said(intent: str) -> None:
    got = fhir.convert(request(dosage=every(6)) | {"intent": intent})
    assert got.mme_per_day == 30.0
    assert any(f"intent {intent!r}" in w and "not an order: counted anyway" in w for w in got.warnings)
    assert not any("intent" in w for w in fhir.convert(request(dosage=every(6)) | {"intent": "order"}).warnings)


@pytest.mark.parametrize("lines", [None, 5, json.dumps(request(dosage=every(6))), b"{}"])
def test_ndjson_wants_lines_and_says_so(lines: Any) -> None:
    """None and 5 raised a bare TypeError; a whole text was read character by character, an error for each."""
    with pytest.raises(mme.ArgumentTypeError, match=r"takes the NDJSON's lines .*text\.splitlines\(\)"):
        fhir.iter_convert(lines)


def test_ndjson_lines_may_be_utf8_bytes_and_a_line_of_no_resource_names_no_python_type() -> None:
    """bytes lines each failed with "TypeError: a bytes-like object is required"; "[1,2]" said "TypeError: ..."."""
    text = json.dumps(request(dosage=every(6)))
    out = list(fhir.iter_convert([text.encode("utf-8"), b"", "[1, 2]", b"\xff{}", 7]))  # type: ignore[list-item]
    assert out[0] == ("MedicationRequest/r1", rx.daily_mme(OXY_5, count=1, every="6 h"), None)
    assert [(label, result) for label, result, _ in out[1:]] == [("line 3", None), ("line 4", None), ("line 5", None)]
    assert out[1][2] == "ExpressionError: line 3 is a list in JSON, not a FHIR resource"
    assert str(out[2][2]).startswith("ExpressionError: line 4")
    assert out[3][2] == "ExpressionError: line 5 is a number, not a line of text"


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("tab(s)", 2, 60.0), ("Tablet(s)", 2, 60.0), ("tabs", 2, 60.0), ("tablets", 2, 60.0), ("cap(s)", 2, 60.0),
        ("milligram(s)", 10, 60.0), ("milligrams", 10, 60.0), ("microgram", 10000, 60.0),
    ],
)  # fmt: skip
def test_a_display_unit_in_the_plural_reads_as_its_singular(unit: str, value: int, expected: float) -> None:
    """EHRs display "tab(s)", "Tablet(s)", "milligram(s)": each was refused as neither a mass nor a count."""
    got = fhir.convert(request(dosage=every(6, {"value": value, "unit": unit})))
    assert got.mme_per_day == expected  # 2 tablets (10 mg) of oxycodone 5 mg q6h
    assert any(f"the display unit {unit!r} was read" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("code", "value", "display"),
    [("428673006", 2, "tablet"), ("258684004", 10, None), ("258685003", 10000, None)],
)
def test_a_snomed_unit_reads_as_its_ucum_unit(code: str, value: int, display: str | None) -> None:
    """UK Core and dm+d give units by SNOMED CT: tablet 428673006 and milligram 258684004 were refused, read as UCUM."""
    dose: dict[str, Any] = {"value": value, "system": "http://snomed.info/sct", "code": code}
    got = fhir.convert(request(dosage=every(6, dose | ({"unit": display} if display else {}))))
    assert got.mme_per_day == 60.0


def test_a_snomed_unit_mme_does_not_read_falls_back_to_its_display_or_is_refused_naming_snomed() -> None:
    dose = {"value": 2, "system": "http://snomed.info/sct", "code": "3317411000001100"}
    with pytest.raises(mme.UnitError, match="the SNOMED CT unit '3317411000001100' is not one mme reads"):
        fhir.convert(request(dosage=every(6, dose)))
    shown = fhir.convert(request(dosage=every(6, dose | {"unit": "tablet"})))
    assert shown.mme_per_day == 60.0
    assert any("the display unit 'tablet' was read" in w for w in shown.warnings)


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("{tablet}", "mg"),  # 10 read as tablets: 10 x 5 mg x 4 a day x 1.5 = 300, where 10 mg would be 60
        ("mg", "tablet"),  # 10 read as mg: 60, where 10 tablets would be 300
        ("1", "mg"),  # a count by its UCUM unity
        ("ug", "mg"),  # 10 ug: 0.06 MME/day, where 10 mg is 60
        ("TAB", "milligram(s)"),
    ],
)
def test_a_dose_whose_code_and_display_unit_name_different_units_is_refused(code: str, unit: str) -> None:
    """10 of oxycodone 5 mg q6h with the code {tablet} and the display "mg" was read by its code alone (300 MME/day),
    as a SNOMED CT unit shown as another, or a time's code beside another time, is not: which is meant is unknown."""
    with pytest.raises(mme.UnitError, match=rf"its code is {re.escape(repr(code))}, but its display says"):
        fhir.convert(request(dosage=every(6, {"value": 10, "code": code, "unit": unit})))
    dispensed = {"resourceType": "MedicationDispense", "medicationCodeableConcept": {"coding": [
        {"system": fhir.RXNORM_SYSTEM, "code": OXY_5}]}, "quantity": {"value": 120, "code": "mL", "unit": "tablet"},
        "daysSupply": {"value": 30, "code": "d"}}  # fmt: skip
    with pytest.raises(mme.UnitError, match="its code is 'mL', but its display says 'tablet'"):
        fhir.convert(dispensed)


@pytest.mark.parametrize(
    ("dose", "cap", "expected"),
    [
        ({"value": 1, "code": "{tablet}"}, {"value": 6, "code": "{tablet}"}, 45.0),  # 6 x 5 mg x 1.5
        ({"value": 5, "code": "mg"}, {"value": 40, "code": "mg"}, 60.0),  # 8 x 5 mg x 1.5
    ],
)
def test_as_needed_with_a_daily_maximum_and_no_frequency_counts_the_maximum(
    dose: dict[str, Any], cap: dict[str, Any], expected: float
) -> None:
    """ "1 tab as needed, max 6 tablets a day" was refused as having no timing."""
    dosage = {
        "asNeededBoolean": True,
        "doseAndRate": [{"doseQuantity": dose}],
        "maxDosePerPeriod": {"numerator": cap, "denominator": {"value": 1, "code": "d"}},
    }
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == expected
    assert any("no frequency: the most maxDosePerPeriod allows" in w for w in got.warnings)
    with pytest.raises(mme.DoseError, match="no timing"):  # a text beside it may say fewer: not guessed
        fhir.convert(request(dosage=dosage | {"text": "1 tablet every 8 hours as needed"}))


def test_a_daily_maximum_in_mcg_caps_a_dose_in_mg() -> None:
    """A maximum of 20,000 ug a day on 5 mg q4h was refused ("give them alike"): it is 20 mg, 4 doses a day."""
    dosage = every(4, {"value": 5, "code": "mg"}) | {
        "maxDosePerPeriod": {"numerator": {"value": 20000, "code": "ug"}, "denominator": {"value": 1, "code": "d"}}
    }
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == 30.0  # 4 x 5 mg x 1.5
    assert any("capped by maxDosePerPeriod at 4 administrations a day (not 6)" in w for w in got.warnings)


def _infusion(code: str, rate: dict[str, Any], route: str | None) -> dict[str, Any]:
    dosage: dict[str, Any] = {"doseAndRate": [rate]}
    if route:
        dosage["route"] = {"coding": [{"system": "http://snomed.info/sct", "code": route}]}
    return request(code, dosage=dosage)


_MG_PER_H = {"rateRatio": {"numerator": {"value": 1, "code": "mg"}, "denominator": {"value": 1, "code": "h"}}}


@pytest.mark.parametrize(
    ("code", "rate", "route", "said", "expected"),
    [
        ("7052", {"rateQuantity": {"value": 1, "code": "mg/h"}}, "47625008", "1 mg/h IV", 72.0),  # 24 mg/day x 3
        ("3423", {"rateQuantity": {"value": 0.5, "code": "mg/h"}}, "34206005", "0.5 mg/h SC", 180.0),
        ("4337", {"rateQuantity": {"value": 25, "code": "ug/h"}}, "47625008", "25 mcg/h IV", 120.0),
        ("4337", {"rateQuantity": {"value": 25, "code": "ug/h"}}, "45890007", "25 mcg/h patch", 75.0),
        ("7052", _MG_PER_H, "47625008", "1 mg/h IV", 72.0),
    ],
)
def test_an_infusion_rate_of_an_ingredient_is_its_own_timing(
    code: str, rate: dict[str, Any], route: str, said: str, expected: float
) -> None:
    """Each was refused: "the dosage has no timing", though an hourly rate is one (anzca-2021 covers infusions)."""
    got = fhir.convert(_infusion(code, rate, route), table="anzca-2021")
    assert got.mme_per_day == expected
    assert mme.convert(f"{rx.ingredient_drug(code)} {said}", table="anzca-2021").mme_per_day == expected


def test_an_infusion_rate_without_a_route_is_refused_by_the_engine() -> None:
    with pytest.raises(mme.UnitError, match="an hourly rate is a patch's or an infusion's"):
        fhir.convert(_infusion("7052", {"rateQuantity": {"value": 1, "code": "mg/h"}}, None), table="anzca-2021")


@pytest.mark.parametrize("unit", ["millilitre", "millilitres", "milliliter", "milliliters", "milliliter(s)"])
def test_a_volume_written_as_a_word_is_ml(unit: str) -> None:
    """5 "millilitre" of morphine 2 mg/mL q4h was a UnitError, though it can only be 5 mL (60 MME/day)."""
    got = fhir.convert(request(MORPHINE_LIQUID, dosage=every(4, {"value": 5, "unit": unit})))
    assert got.mme_per_day == rx.daily_mme(MORPHINE_LIQUID, volume="5 mL", every="4 h").mme_per_day == 60.0


@pytest.mark.parametrize(
    ("code", "value", "unit", "expected"),
    [("7052", 1, "mg/hr", 72.0), ("7052", 1, "milligrams/hour", 72.0), ("4337", 25, "mcg/hr", 120.0),
     ("4337", 25, "ug/hr", 120.0)],
)  # fmt: skip
def test_an_infusion_rate_per_hr_is_per_h(code: str, value: float, unit: str, expected: float) -> None:
    """An infusion at 1 "mg/hr" (as a display or as a code) was a UnitError, where "mg/h" gave 72 MME/day."""
    for quantity in ({"value": value, "unit": unit}, {"value": value, "code": unit}):
        got = fhir.convert(_infusion(code, {"rateQuantity": quantity}, "47625008"), table="anzca-2021")
        assert got.mme_per_day == expected
    mass = unit.partition("/")[0]  # the same rate as a ratio: twice the amount over 2 hours
    ratio = {"numerator": {"value": 2 * value, "unit": mass}, "denominator": {"value": 2, "unit": "hr"}}
    assert fhir.convert(_infusion(code, {"rateRatio": ratio}, "47625008"), table="anzca-2021").mme_per_day == expected


@pytest.mark.parametrize("unit", ["mg/d", "mg/day", "mL/hr", "mg/mL", "tablet/hr", "mg/hr/h", "/hr"])
def test_a_rate_per_another_time_or_of_no_mass_is_still_refused(unit: str) -> None:
    """Only a mass per hour reads as a rate: a daily amount or a volume per hour says no hourly dose of the drug."""
    with pytest.raises(mme.UnitError, match="is neither a mass"):
        fhir.convert(_infusion("7052", {"rateQuantity": {"value": 1, "unit": unit}}, "47625008"), table="anzca-2021")


def test_times_of_day_with_a_period_under_a_day_are_refused() -> None:
    """timeOfDay 08:00 with a period of 12 h read as once per 12 h (60 MME/day for 2 tablets), though 08:00 comes
    once a day: the two fields say different things."""
    repeat = {"timeOfDay": ["08:00:00"], "period": 12, "periodUnit": "h"}
    with pytest.raises(mme.DoseError, match="times of day come once a day, but the period is 12 h"):
        fhir.convert(request(dosage=every(6) | {"timing": {"repeat": repeat}}))
    daily = fhir.convert(request(dosage=every(6) | {"timing": {"repeat": repeat | {"period": 1, "periodUnit": "d"}}}))
    assert daily.mme_per_day == 7.5


def test_a_medication_reference_by_display_alone_is_read_by_its_name() -> None:
    """medicationReference {"display": ...} was refused: "the Medication '' is neither contained nor in the Bundle"."""
    named = request(dosage=every(6)) | {"medicationReference": {"display": "oxycodone 5 mg oral tablet"}}
    del named["medicationCodeableConcept"]
    got = fhir.convert(named)
    assert got.mme_per_day == 30.0
    assert any("read from its name 'oxycodone 5 mg oral tablet'" in w for w in got.warnings)
    statin = named | {"medicationReference": {"display": "atorvastatin 20 mg tablet"}}
    with pytest.raises(mme.NotCoveredError, match="names no opioid mme knows"):
        fhir.convert(statin)


@pytest.mark.parametrize("reference", ["Medication/eXYZ", "#m9"])
def test_a_medication_reference_that_does_not_resolve_is_read_by_its_display_and_said(reference: str) -> None:
    """Epic's medicationReference {reference, display}, whose Medication it sends only when asked to include it,
    was refused ("neither contained nor in the Bundle"): the display is the name, as a display alone is."""
    epic = request(dosage=every(6)) | {
        "medicationReference": {"reference": reference, "display": "oxyCODONE (ROXICODONE) 5 mg tablet"}
    }
    del epic["medicationCodeableConcept"]
    got = fhir.convert(epic)
    assert got.mme_per_day == 30.0
    said = f"the Medication {reference!r} is neither contained nor in the Bundle: its reference's display"
    assert any(said in w for w in got.warnings)
    medication = {"resourceType": "Medication", "id": "eXYZ", "code": {"coding": [{"system": RX, "code": OXY_10}]}}
    bundle = {"resourceType": "Bundle", "entry": [{"resource": medication}, {"resource": epic}]}
    resolved = fhir.convert(bundle)  # a Medication that resolves wins over the display
    assert resolved.mme_per_day == (60.0 if reference.startswith("Medication/") else 30.0)
    bare = epic | {"medicationReference": {"reference": reference}}
    with pytest.raises(mme.ExpressionError, match=r"neither contained nor in the Bundle$"):
        fhir.convert(bare)


@pytest.mark.parametrize(
    "system", ["urn:oid:2.16.840.1.113883.6.88", "https://www.nlm.nih.gov/research/umls/rxnorm", f"{RX}/"]
)
def test_rxnorm_by_its_oid_or_https_is_rxnorm(system: str) -> None:
    """RxNorm's OID (kept by C-CDA-to-FHIR converters) and its https URL were refused as no RxNorm coding."""
    resource = request(dosage=every(6)) | {"medicationCodeableConcept": {"coding": [{"system": system, "code": OXY_5}]}}
    assert fhir.convert(resource).mme_per_day == 30.0
    other = resource | {"medicationCodeableConcept": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.69",
                                                                   "code": OXY_5}]}}  # fmt: skip
    with pytest.raises(mme.ExpressionError, match="no RxNorm coding"):  # NDC's OID is not RxNorm
        fhir.convert(other)


def test_a_timing_code_given_as_text_reads() -> None:
    dosage = every(6) | {"timing": {"code": {"text": "BID"}}}
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == 15.0  # twice a day x 5 mg x 1.5
    assert any("timing code 'BID' read from its text" in w for w in got.warnings)
    with pytest.raises(mme.DoseError, match="no timing"):
        fhir.convert(request(dosage=every(6) | {"timing": {"code": {"text": "twice daily as needed"}}}))


def test_an_infusion_rate_beside_a_timing_is_refused_in_fhirs_words() -> None:
    """It was the engine's "the dose is already a daily total: drop per_day/every", words of no FHIR field."""
    infusion = _infusion("7052", {"rateQuantity": {"value": 1, "code": "mg/h"}}, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}
    with pytest.raises(mme.DoseError, match=r"the rate 1 mg/h is its own timing, and the timing says 1 administra"):
        fhir.convert(infusion, table="anzca-2021")
    with pytest.raises(mme.DoseError, match=r"says 1 administration a day: give a dose with its timing"):
        fhir.convert(infusion, table="anzca-2021")  # one administration, not "1 administrations"


def test_a_dose_and_a_rate_are_compared_each_by_its_own_timing() -> None:
    """A dose with its timing beside a rate (a PCA's bolus and basal rate) was refused with the engine's "the dose is
    already a daily total: drop per_day/every"; the rate is its own timing, and the two must agree."""
    morphine = _infusion("7052", {"doseQuantity": {"value": 1, "code": "mg"}, "rateQuantity": {"value": 1, "code": "mg/h"}},
                         "47625008")  # fmt: skip
    hourly = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "h"}}
    morphine["dosageInstruction"][0]["timing"] = hourly
    assert fhir.convert(morphine, table="anzca-2021").mme_per_day == 72.0  # 1 mg an hour either way, x 3
    pca = {"repeat": {"frequency": 1, "period": 10, "periodUnit": "min"}}
    morphine["dosageInstruction"][0]["timing"] = pca
    with pytest.raises(mme.AmbiguousDoseError) as refused:
        fhir.convert(morphine, table="anzca-2021")
    assert str(refused.value) == (
        "MedicationRequest/r1: the dose (1 mg) gives 432 MME/day, the rate (1 mg/h) 72: correct one, or, for a dose on "
        "demand and a continuous rate given together (PCA), give each as a dosage instruction of its own, with one "
        "sequence number"
    )
    bolus, basal = dict(morphine["dosageInstruction"][0]), dict(morphine["dosageInstruction"][0])
    bolus["doseAndRate"] = [{"doseQuantity": {"value": 1, "code": "mg"}}]
    basal["doseAndRate"] = [{"rateQuantity": {"value": 1, "code": "mg/h"}}]
    del basal["timing"]
    together = morphine | {"dosageInstruction": [bolus | {"sequence": 1}, basal | {"sequence": 1}]}
    assert fhir.convert(together, table="anzca-2021").mme_per_day == 432.0 + 72.0  # as the message says to give it


@pytest.mark.parametrize(("value", "said"), [(-0.0, "-0.0"), (0, "0"), (-1, "-1")])
def test_a_dose_of_zero_or_less_is_refused_in_fhirs_words(value: float, said: str) -> None:
    """It was the engine's "count must be a positive finite number", a Python argument's name."""
    with pytest.raises(mme.DoseError) as refused:
        fhir.convert(request(dosage=every(6, {"value": value, "code": "{tablet}"})))
    assert str(refused.value) == f"MedicationRequest/r1 doseQuantity: the value must be a positive number, not {said}"
    rate = {"rateQuantity": {"value": value, "code": "mg/h"}}
    with pytest.raises(mme.DoseError, match=r"^MedicationRequest/r1: the rate is -?[01] mg/h: give one above 0$"):
        fhir.convert(_infusion("7052", rate, "47625008"), table="anzca-2021")


def test_a_null_concept_beside_a_reference_names_nothing() -> None:
    """medicationCodeableConcept null beside a medicationReference was "it names its medication twice, and they
    differ": JSON's null (which FHIR's JSON forbids) names no medication."""
    resource = request(dosage=every(6)) | {"medicationCodeableConcept": None,
                                           "medicationReference": {"display": "oxycodone 5 mg oral tablet"}}  # fmt: skip
    assert fhir.convert(resource).mme_per_day == 30.0
    with pytest.raises(mme.ExpressionError, match="no RxNorm coding and no name"):
        fhir.convert(resource | {"medicationReference": None})


def test_a_patient_instruction_alone_is_said_not_read() -> None:
    """A dosage with only patientInstruction was refused as having "no dose", without saying that it was not read."""
    dosage = {"patientInstruction": "Take 1 tablet every 6 hours"}
    with pytest.raises(mme.DoseError) as refused:
        fhir.convert(request(dosage=dosage))
    assert str(refused.value).startswith(
        "MedicationRequest/r1: the dosage has no dose (doseAndRate) (its patientInstruction 'Take 1 tablet every 6 "
        "hours' is not read; its text would be): give the dose and timing"
    )
    assert fhir.convert(request(dosage=dosage | {"text": "1 tab q6h"})).mme_per_day == 30.0


def test_a_resource_without_an_id_is_named_so_and_an_ndjson_line_by_its_number() -> None:
    """Messages named a resource with no id "MedicationRequest/?", and an NDJSON line no better."""
    anonymous = {k: v for k, v in request(dosage={"text": "as directed"}).items() if k != "id"}
    with pytest.raises(mme.DoseError, match=r"^MedicationRequest \(no id\): the dosage has no dose"):
        fhir.convert(anonymous)
    out = list(
        fhir.iter_convert([json.dumps(request(dosage=every(6))), json.dumps(anonymous), '{"resourceType": "X"}'])
    )
    assert [label for label, _, _ in out] == ["MedicationRequest/r1", "line 2, MedicationRequest (no id)",
                                              "line 3, X (no id)"]  # fmt: skip


def test_a_number_too_long_to_read_is_refused_without_python_advice() -> None:
    text = '{"resourceType": "MedicationRequest", "id": "r1", "note": [{"text": "x"}], "n": ' + "9" * 5000 + "}"
    with pytest.raises(mme.ExpressionError) as refused:
        fhir.convert(text)
    assert (
        str(refused.value)
        == "the JSON string is not valid JSON: it holds a number of 5000 digits, no value of a resource"
    )
    assert fhir.read('{"resourceType": "Bundle", "n": -' + "9" * 4300 + "}")["n"] == -int("9" * 4300)


@pytest.mark.parametrize("times", [["25:99:00", "08:00:00"], ["08:00:00", 5], ["noon"]])
def test_a_time_of_day_that_is_no_time_is_refused_saying_so(times: list[object]) -> None:
    """'25:99:00' was counted as a dose at an unknown time (15 MME/day with 08:00); beside a frequency the message said
    "2 times of day named, but frequency 1 per 6 h", not that the times are no times."""
    bad = next(t for t in times if not (isinstance(t, str) and t[:2].isdigit() and int(t[:2]) < 24))
    for repeat in ({"timeOfDay": times}, {"timeOfDay": times, "frequency": 1, "period": 6, "periodUnit": "h"}):
        with pytest.raises(mme.DoseError) as refused:
            fhir.convert(request(dosage=every(6) | {"timing": {"repeat": repeat}}))
        assert (
            str(refused.value)
            == f"MedicationRequest/r1: timeOfDay {bad!r} is not a time of day: give it as hh:mm:ss (08:00:00)"
        )


_TWO_MG_PER_H = {"rateQuantity": {"value": 2, "code": "mg/h"}}


@pytest.mark.parametrize(
    ("rate", "repeat", "hours", "said"),
    [
        (_TWO_MG_PER_H, {"boundsDuration": {"value": 4, "code": "h"}}, 4, "boundsDuration 4 h"),
        (_TWO_MG_PER_H, {"boundsDuration": {"value": 12, "code": "h"}}, 12, "boundsDuration 12 h"),
        (_TWO_MG_PER_H, {"boundsRange": {"low": {"value": 0, "code": "h"}, "high": {"value": 6, "code": "h"}}}, 6,
         "boundsRange 6 h"),
        (_TWO_MG_PER_H, {"boundsPeriod": {"start": "2024-01-01T08:00:00Z", "end": "2024-01-01T12:30:00Z"}}, 4.5,
         "boundsPeriod"),
        (_TWO_MG_PER_H, {"duration": 4, "durationUnit": "h"}, 4, "duration 4 h"),
        (_TWO_MG_PER_H, {"duration": 240, "durationUnit": "min", "boundsDuration": {"value": 6, "code": "h"}}, 4,
         "duration 4 h"),
        (_TWO_MG_PER_H, {"duration": 8, "durationUnit": "h", "boundsDuration": {"value": 6, "code": "h"}}, 6,
         "boundsDuration 6 h"),
        ({"rateRatio": {"numerator": {"value": 4, "code": "mg"}, "denominator": {"value": 2, "code": "h"}}},
         {"boundsDuration": {"value": 4, "code": "h"}}, 4, "boundsDuration 4 h"),
    ],
)  # fmt: skip
def test_an_infusion_rate_runs_the_hours_its_timing_says_in_a_day(
    rate: dict[str, Any], repeat: dict[str, Any], hours: float, said: str
) -> None:
    """2 mg/h of morphine IV bounded to 4 h (or running 4 h) was 144 MME/day, as if it ran all day: it is 8 mg, 24."""
    infusion = _infusion("7052", rate, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    got = fhir.convert(infusion, table="anzca-2021")
    given = rx.daily_mme("7052", f"{2 * hours:g} mg", per_day=1, route="intravenous", table="anzca-2021")
    assert got.mme_per_day == given.mme_per_day == 2 * hours * 3  # anzca-2021: 3 per mg of IV morphine
    assert any(f"the rate 2 mg/h runs {hours:g} h a day ({said}" in w for w in got.warnings)


@pytest.mark.parametrize(
    "repeat",
    [{"boundsDuration": {"value": 4, "code": "h"}},
     {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 4, "durationUnit": "h"}],
)  # fmt: skip
def test_a_rate_that_runs_part_of_the_day_is_the_engine_s_rate_for_those_hours(repeat: dict[str, Any]) -> None:
    """Its amount is the rate's share of the day, by the factor the engine gives the rate (an infusion's), and a rate
    the engine refuses (no infusion route: an oral factor) is refused as all day."""
    for code, rate, route in (("4337", {"rateQuantity": {"value": 25, "code": "ug/h"}}, "47625008"),
                              ("3423", {"rateQuantity": {"value": 0.5, "code": "mg/h"}}, "34206005")):  # fmt: skip
        all_day = fhir.convert(_infusion(code, rate, route), table="anzca-2021").mme_per_day
        part = _infusion(code, rate, route)
        part["dosageInstruction"][0]["timing"] = {"repeat": repeat}
        assert all_day is not None
        assert fhir.convert(part, table="anzca-2021").mme_per_day == pytest.approx(all_day * 4 / 24, rel=1e-12)
    no_route = _infusion("7052", _TWO_MG_PER_H, None)
    no_route["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    with pytest.raises(mme.UnitError, match="an hourly rate is a patch's or an infusion's"):
        fhir.convert(no_route, table="anzca-2021")


def test_an_infusion_rate_bounded_to_a_day_or_more_runs_all_day() -> None:
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    all_day = fhir.convert(infusion, table="anzca-2021")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": {"boundsDuration": {"value": 3, "code": "d"},
                                                             "duration": 30, "durationUnit": "h"}}  # fmt: skip
    assert fhir.convert(infusion, table="anzca-2021") == all_day
    assert all_day.mme_per_day == 2 * 24 * 3


@pytest.mark.parametrize(
    ("repeat", "mme_per_day", "hours_a_day"),
    [
        ({"frequency": 1, "period": 1, "periodUnit": "d", "duration": 4, "durationUnit": "h"}, 24, 4),
        ({"frequency": 2, "period": 1, "periodUnit": "d", "duration": 4, "durationUnit": "h"}, 48, 8),
        ({"frequency": 1, "period": 2, "periodUnit": "d", "duration": 4, "durationUnit": "h"}, 12, 2),
    ],
)
def test_infusion_runs_with_a_frequency_each_last_their_duration(
    repeat: dict[str, Any], mme_per_day: float, hours_a_day: float
) -> None:
    """Runs of 4 h once a day were refused as a rate beside a frequency, though each run's duration says its amount."""
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    got = fhir.convert(infusion, table="anzca-2021")
    assert got.mme_per_day == mme_per_day  # 8 mg a run x 3 per mg, times the runs a day
    assert any(f"runs 4 h an administration (duration, {hours_a_day:g} h a day)" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("repeat", "error", "match"),
    [
        ({"frequency": 1, "period": 4, "periodUnit": "h", "duration": 6, "durationUnit": "h"}, mme.DoseError,
         "6 runs a day of 6 h each"),
        ({"frequency": 1, "period": 1, "periodUnit": "d", "duration": 48, "durationUnit": "h"}, mme.DoseError,
         "^MedicationRequest/r1: 1 run a day of 48 h each"),
        ({"frequency": 2, "period": 1, "periodUnit": "d", "duration": 4, "durationUnit": "h",
          "boundsDuration": {"value": 6, "code": "h"}}, mme.DoseError, "how many hours of them the bound holds"),
        ({"duration": 4}, mme.UnitError, "durationUnit '' is not a time unit"),
        ({"duration": 4, "durationMax": 2, "durationUnit": "h"}, mme.DoseError, "durationMax 2 is below duration 4"),
    ],
)  # fmt: skip
def test_infusion_runs_that_do_not_say_their_hours_are_refused(
    repeat: dict[str, Any], error: type[Exception], match: str
) -> None:
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    with pytest.raises(error, match=match):
        fhir.convert(infusion, table="anzca-2021")


def test_the_longest_duration_is_counted_and_said() -> None:
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": {"duration": 2, "durationMax": 4, "durationUnit": "h"}}
    got = fhir.convert(infusion, table="anzca-2021")
    assert got.mme_per_day == 24.0
    assert any("lasts up to 4 h (durationMax): the longest was used" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("code", "dosage"),
    [
        ("197696", {"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 12,
                                          "durationUnit": "h"}}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]}),
        ("197696", {"timing": {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h",
                                          "boundsDuration": {"value": 12, "code": "h"}}}}),
        ("4337", {"timing": {"repeat": {"boundsDuration": {"value": 4, "code": "h"}}},
                  "route": {"coding": [{"system": "http://snomed.info/sct", "code": "45890007"}]},
                  "doseAndRate": [{"rateQuantity": {"value": 25, "code": "ug/h"}}]}),
    ],
)  # fmt: skip
def test_a_patch_worn_under_a_day_is_refused(code: str, dosage: dict[str, Any]) -> None:
    """A 75 mcg/h patch worn 12 h a day was 180 MME/day with a warning about its change interval only."""
    with pytest.raises(mme.DoseError, match=r"the patch is worn .*under a day: a patch's MME/day is its rate over the"):
        fhir.convert(request(code, dosage=dosage), table="anzca-2021")
    worn_all_day = {"repeat": {"duration": 72, "durationUnit": "h"}}
    assert fhir.convert(request(code, dosage=dosage | {"timing": worn_all_day}), table="anzca-2021").mme_per_day == (
        75 * 3 if code == "197696" else 25 * 3  # anzca-2021: 3 per mcg/h of patch rate
    )


_Q6H = {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}}
_Q72H = {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}


@pytest.mark.parametrize(
    ("code", "timing", "given", "expected"),
    [
        (OXY_5, _Q6H, {"doseQuantity": {"value": 2, "code": "{tablet}"}}, 60.0),
        (OXY_5, _Q6H, {"doseRange": {"low": {"value": 1, "code": "{tablet}"}, "high": {"value": 2, "code": "{tablet}"}}},
         60.0),
        ("197696", _Q72H, {"doseQuantity": {"value": 2, "code": "{patch}"}}, 360.0),  # two 75 mcg/h patches
        ("197696", _Q72H, {"doseQuantity": {"value": 0.5, "code": "{patch}"}}, 90.0),
        ("197696", None, {"rateQuantity": {"value": 75, "code": "ug/h"}}, 180.0),
    ],
)  # fmt: skip
def test_a_stu3_dosage_s_dose_is_read_as_r4_s_dose_and_rate(
    code: str, timing: dict[str, Any] | None, given: dict[str, Any], expected: float
) -> None:
    """STU3 gives the dose in the Dosage itself: it was not read, so a patch became one patch ("no dose given", 180
    MME/day for two 75 mcg/h patches) and a tablet was refused ("the dosage has no dose")."""
    stu3 = {"timing": timing} if timing else {}
    statement = {"resourceType": "MedicationStatement", "id": "s1", "taken": "y",
                 "medicationCodeableConcept": {"coding": [{"system": RX, "code": code}]}, "dosage": [stu3 | given]}  # fmt: skip
    r4 = statement | {"dosage": [stu3 | {"doseAndRate": [given]}]}
    got = fhir.convert(statement)
    assert got == fhir.convert(r4)
    assert got.mme_per_day == expected
    assert not any("no dose given" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("stu3", "r4", "agree"),
    [
        ({"value": 2, "code": "{tablet}"}, {"value": 1, "code": "{tablet}"}, False),
        ({"value": 10, "code": "mg"}, {"value": 2, "code": "{tablet}"}, True),  # the same MME, as two R4 entries agree
        ({"value": 2, "code": "{tablet}"}, {"value": 10, "code": "mg"}, True),
        ({"value": 15, "code": "mg"}, {"value": 2, "code": "{tablet}"}, False),
        ({"value": 2, "code": "{tablet}"}, {"value": 2, "code": "TAB"}, True),
        ({"value": 10, "code": "mg"}, {"value": 10000, "code": "ug"}, True),
    ],
)
def test_a_dose_given_in_both_stu3_s_and_r4_s_shapes_must_agree(
    stu3: dict[str, Any], r4: dict[str, Any], agree: bool
) -> None:
    """Both shapes in one Dosage used R4's silently (2 tablets beside 1 tablet gave 30 MME/day). They are compared
    by MME/day, as two R4 entries are: 2 tablets of oxycodone 5 mg beside 10 mg was refused, by unit."""
    dosage = every(6, r4) | {"doseQuantity": stu3}
    if agree:
        assert fhir.convert(request(dosage=dosage)) == fhir.convert(request(dosage=every(6, r4)))
        return
    with pytest.raises(mme.AmbiguousDoseError, match=r"in STU3's shape \(doseQuantity: .*\) and in R4's \(doseAndRate"):
        fhir.convert(request(dosage=dosage))


@pytest.mark.parametrize(
    ("code", "rate", "mcg_per_h"),
    [("197696", 25, 75), ("197696", 100, 75), ("261184", 37.5, 25), ("904870", 5, 10)],
)
def test_a_patch_rate_that_contradicts_the_product_is_refused(code: str, rate: float, mcg_per_h: int) -> None:
    """25 ug/h of a 75 mcg/h patch gave 60 MME/day silently: the product says 180, the rate 60, and which is meant
    is unknown (a rate under the product's cannot be worn)."""
    dosage = {"doseAndRate": [{"rateQuantity": {"value": rate, "code": "ug/h"}}]}
    with pytest.raises(
        mme.AmbiguousDoseError, match=rf"the rate {rate:g} mcg/h contradicts .*rate is {mcg_per_h} mcg/h"
    ):
        fhir.convert(request(code, dosage=dosage))
    with pytest.raises(mme.AmbiguousDoseError, match="contradicts"):  # STU3's shape too
        fhir.convert(request(code, dosage={"rateQuantity": {"value": rate, "code": "ug/h"}}))


@pytest.mark.parametrize(
    ("code", "rate", "patches"),
    [("197696", {"value": 75, "code": "ug/h"}, 1), ("197696", {"value": 0.075, "code": "mg/h"}, 1),
     ("197696", {"value": 75, "unit": "mcg/hr"}, 1), ("197696", {"value": 150, "code": "ug/h"}, 2),
     ("577057", {"value": 12, "code": "ug/h"}, 1)],
)  # fmt: skip
def test_a_patch_rate_that_is_the_product_s_however_written_reads(
    code: str, rate: dict[str, Any], patches: int
) -> None:
    got = fhir.convert(request(code, dosage={"doseAndRate": [{"rateQuantity": rate}]}))
    assert got.mme_per_day == rx.daily_mme(code, count=patches).mme_per_day


def _q72h(dose_and_rate: dict[str, Any]) -> dict[str, Any]:
    return {"timing": {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}, "doseAndRate": [dose_and_rate]}


@pytest.mark.parametrize(
    ("rate", "patches"),
    [({"value": 12.5, "code": "ug/h"}, 1), ({"value": 25, "code": "ug/h"}, 2), ({"value": 37.5, "code": "ug/h"}, 3),
     ({"value": 24, "code": "ug/h"}, 2), ({"value": 0.0125, "code": "mg/h"}, 1)],
)  # fmt: skip
@pytest.mark.parametrize("table", ["cdc-2022", "anzca-2021"])
def test_the_12_mcg_per_h_fentanyl_patch_s_delivered_rate_is_that_many_of_its_patches(
    rate: dict[str, Any], patches: int, table: str
) -> None:
    """Its label says it delivers 12.5 mcg/h: that rate, written, gave 30 MME/day under cdc-2022 where its count (and
    12 mcg/h) gave 28.8; one patch has one MME, that of its count, its rate alone or beside its count."""
    want = rx.daily_mme("577057", count=patches, table=table).mme_per_day
    alone = fhir.convert(request("577057", dosage=_q72h({"rateQuantity": rate})), table=table)
    both = fhir.convert(
        request("577057", dosage=_q72h({"doseQuantity": {"value": patches, "code": "{patch}"}, "rateQuantity": rate})),
        table=table,
    )
    per_day = {
        "numerator": {"value": float(Fraction(str(rate["value"])) * 24), "code": rate["code"][:-2]},
        "denominator": {"value": 1, "code": "d"},
    }
    ratio = fhir.convert(request("577057", dosage=_q72h({"rateRatio": per_day})), table=table)
    assert alone.mme_per_day == both.mme_per_day == ratio.mme_per_day == want


@pytest.mark.parametrize(
    ("amount", "span"),
    [({"value": 5.4, "code": "mg"}, {"value": 72, "code": "h"}), ({"value": 0.0125, "code": "mg"}, {"value": 10, "code": "min"})],
)  # fmt: skip
def test_a_patch_rate_as_a_ratio_is_divided_exactly(amount: dict[str, Any], span: dict[str, Any]) -> None:
    """5.4 mg / 72 h is 75 mcg/h, but the float division gave 0.07500000000000001 mg/h, refused as contradicting the
    75 mcg/h patch."""
    got = fhir.convert(request("197696", dosage=_q72h({"rateRatio": {"numerator": amount, "denominator": span}})))
    assert got.mme_per_day == rx.daily_mme("197696", count=1).mme_per_day


def test_a_rate_that_is_patches_of_the_12_mcg_per_h_patch_at_both_its_rates_is_refused() -> None:
    """300 mcg/h is 25 patches at the labelled 12 mcg/h, or 24 at the delivered 12.5: which is meant is unknown."""
    dosage = _q72h({"rateQuantity": {"value": 300, "code": "ug/h"}})
    with pytest.raises(
        mme.AmbiguousDoseError, match=r"is 25 patches of .* labelled rate, or 24 at the rate it delivers"
    ):
        fhir.convert(request("577057", dosage=dosage))


def test_a_huge_patch_rate_is_that_many_patches_not_a_decimal_error() -> None:
    """7.5e30 ug/h of a 75 mcg/h patch raised decimal.InvalidOperation (a remainder beyond 28 digits)."""
    dosage = _q72h({"rateQuantity": {"value": 7.5e30, "code": "ug/h"}})
    with pytest.warns(mme.ImplausibleDoseWarning):
        got = fhir.convert(request("197696", dosage=dosage))
    with pytest.warns(mme.ImplausibleDoseWarning):
        want = rx.daily_mme("197696", count=1e29)
    assert got.mme_per_day == want.mme_per_day


@pytest.mark.parametrize("kind", [["MedicationRequest"], {"name": "MedicationRequest"}, 5, None, True])
def test_a_resource_type_that_is_no_name_is_refused_alone_in_a_bundle_and_on_the_command_line(
    kind: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list or object was a TypeError ("unhashable type"), and `mme fhir` exited 70, an internal error; in a Bundle,
    a number, null or true was skipped silently (the total left it out)."""
    from mme._cli import main

    odd = request(dosage=every(6)) | {"resourceType": kind}
    said = {list: "a list", dict: "an object", int: "a number", type(None): "null", bool: "true or false"}[type(kind)]
    with pytest.raises(mme.ExpressionError, match=f"^not a FHIR resource \\(id 'r1'\\): its resourceType is {said},"):
        fhir.convert(odd)
    nested = {"resourceType": "Bundle", "entry": [{"resource": _with_oxycodone(odd)}]}
    for bundle in (_with_oxycodone(odd), nested):
        with pytest.raises(mme.ExpressionError, match=f"entry 2 is not a FHIR resource .*resourceType is {said},"):
            fhir.convert(bundle)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(_with_oxycodone(odd)), encoding="utf-8")
    assert main(["fhir", str(path)]) == 1
    assert "resourceType is" in capsys.readouterr().err
    [(_, result, error)] = fhir.iter_convert([json.dumps(odd)])
    assert result is None
    assert error is not None
    assert error.startswith("ExpressionError: not a FHIR resource")
    del odd["resourceType"]  # in a Bundle, none at all is no resource either
    with pytest.raises(mme.ExpressionError, match=r"entry 2 is not a FHIR resource .*resourceType is none,"):
        fhir.convert(_with_oxycodone(odd))


@pytest.mark.parametrize(("word", "code"), [("hour", "h"), ("hours", "h"), ("days", "d")])
def test_a_period_unit_written_as_a_word_is_read_as_its_code_and_said(word: str, code: str) -> None:
    """periodUnit "hours" (no FHIR code) was read as h with no word."""
    dosage = every(1) | {"timing": {"repeat": {"frequency": 1, "period": 8 if code == "h" else 1, "periodUnit": word}}}
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == rx.daily_mme(OXY_5, count=1, per_day=3 if code == "h" else 1).mme_per_day
    assert got.warnings == (f"MedicationRequest/r1: periodUnit {word!r} is not a FHIR code (s, min, h, d, wk, mo, a): "
                            f"read as {code!r}",)  # fmt: skip


@pytest.mark.parametrize(
    ("side", "period"),
    [("start", {"start": "garbage", "end": "2024-13-45T99:00:00Z"}), ("end", {"start": "2024-01-01", "end": "2024-02-30"}),
     ("start", {"start": "2024-13", "end": "2024-12"}), ("end", {"start": "2024-01-01T08:00:00Z", "end": "soon"})],
)  # fmt: skip
def test_a_bounds_period_whose_ends_are_no_dates_is_refused(side: str, period: dict[str, Any]) -> None:
    """A start of "garbage" was read as no bound (the whole day's doses), silently."""
    dosage = every(6)
    dosage["timing"]["repeat"]["boundsPeriod"] = period
    with pytest.raises(mme.DoseError, match=f"boundsPeriod {side} '{re.escape(period[side])}' is not a FHIR date"):
        fhir.convert(request(dosage=dosage))
    dosage["timing"]["repeat"]["boundsPeriod"] = {"start": "2024", "end": "2024-02-29"}  # whole days
    assert fhir.convert(request(dosage=dosage)).mme_per_day == 30.0


@pytest.mark.parametrize(
    ("request_", "said"),
    [({"method": ["DELETE"], "url": "MedicationRequest/gone"}, "entry 2's request.method is a list, not a code"),
     ("DELETE", "entry 2's request is text, not an object")],
)  # fmt: skip
def test_a_bundle_entry_s_request_that_is_malformed_is_refused(request_: object, said: str) -> None:
    """A request.method ["DELETE"], or a request "DELETE", was no DELETE: the resource was counted, silently."""
    bundle = _with_oxycodone(request(dosage=every(6)) | {"id": "gone"})
    bundle["entry"][1]["request"] = request_
    with pytest.raises(mme.ExpressionError, match=re.escape(said) + ".*whether it deletes its resource is unknown"):
        fhir.convert(bundle)


@pytest.mark.parametrize(
    ("link", "said"),
    [([{"reference": ["MedicationRequest/r1"]}], "authorizingPrescription.reference is a list, not text"),
     (["MedicationRequest/r1"], "authorizingPrescription is text, not a Reference")],
)  # fmt: skip
def test_a_link_that_is_malformed_is_refused(link: list[Any], said: str) -> None:
    """authorizingPrescription.reference as a list linked nothing: a request and its fill were both counted."""
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "d1",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]},
        "quantity": {"value": 120, "code": "{tablet}"},
        "daysSupply": {"value": 30, "code": "d"},
        "authorizingPrescription": link,
    }
    with pytest.raises(mme.ExpressionError, match=f"MedicationDispense/d1: {said}"):
        fhir.convert(
            {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))}, {"resource": dispense}]}
        )


def test_a_resource_the_bundle_deletes_is_not_counted() -> None:
    """A transaction entry with request DELETE still counted its resource; so did a history Bundle's earlier version
    of a resource its newest entry deletes."""
    doomed = request(dosage=every(6, {"value": 2, "code": "{tablet}"})) | {"id": "gone"}
    transaction = _with_oxycodone(doomed)
    transaction["entry"][1]["request"] = {"method": "DELETE", "url": "MedicationRequest/gone"}
    got = fhir.convert(transaction)
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0  # the other request alone, not 90
    assert got.not_counted == (
        "MedicationRequest/gone: deleted by the Bundle (MedicationRequest/gone, request DELETE): not counted",
    )
    history = {
        "resourceType": "Bundle",
        "type": "history",
        "entry": [
            {"request": {"method": "DELETE", "url": "MedicationRequest/gone"}},
            {"resource": doomed, "request": {"method": "PUT", "url": "MedicationRequest/gone"}},
        ],
    }
    assert fhir.convert(history).mme_per_day is None
    recreated = history | {"entry": [{"resource": doomed}, *history["entry"]]}
    with pytest.raises(mme.AmbiguousDoseError, match="in the Bundle twice"):  # which version stands is unknown
        fhir.convert(recreated)


@pytest.mark.parametrize("resource", ["x", 5, ["MedicationRequest"]])
def test_an_entry_whose_resource_is_no_object_is_refused(resource: object) -> None:
    """It was skipped without a word: a Bundle total without it."""
    bundle = _with_oxycodone()
    bundle["entry"].append({"resource": resource})
    with pytest.raises(mme.ExpressionError, match=r"an entry's resource is .*, not a FHIR resource"):
        fhir.convert(bundle)


def test_a_days_supply_without_a_unit_is_read_as_days_and_said() -> None:
    dispense: dict[str, Any] = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": OXY_5}]},
        "quantity": {"value": 120, "code": "{tablet}"},
        "daysSupply": {"value": 30},
    }
    got = fhir.convert(dispense)
    assert got.mme_per_day == 30.0  # 120 x 5 mg / 30 days x 1.5
    assert any("the days supply has no unit: read as days" in w for w in got.warnings)
    dispense["daysSupply"] = {"value": 30, "code": "d"}
    assert not any("days supply" in w for w in fhir.convert(dispense).warnings)


_NO_DIVISOR = "give a positive maximum, period and dose"


@pytest.mark.parametrize(
    ("dose", "cap", "span", "said"),
    [
        (1, 6, {"value": 0, "code": "h"}, _NO_DIVISOR),  # a period of 0 hours
        (0, 6, {"value": 1, "code": "d"}, "doseQuantity: the value must be a positive number, not 0"),  # a dose of 0
        (1, 0, {"value": 1, "code": "d"}, _NO_DIVISOR),  # a maximum of 0
        (1, 6, {"value": -1, "code": "d"}, _NO_DIVISOR),
    ],
)
def test_a_maximum_per_period_that_divides_by_nothing_is_a_dose_error_and_its_line_fails_alone(
    dose: float, cap: float, span: dict[str, Any], said: str
) -> None:
    """A period of 0 (or a dose of 0 with a maximum and no frequency) raised ZeroDivisionError, which ended an
    NDJSON stream ("internal error") instead of failing its line."""
    dosage = {
        "asNeededBoolean": True,
        "doseAndRate": [{"doseQuantity": {"value": dose, "code": "{tablet}"}}],
        "maxDosePerPeriod": {"numerator": {"value": cap, "code": "{tablet}"}, "denominator": span},
    }
    with pytest.raises(mme.DoseError, match=said):
        fhir.convert(request(dosage=dosage))
    with pytest.raises(mme.DoseError, match=said):
        fhir.convert(request(dosage=dosage | every(6, {"value": dose, "code": "{tablet}"})))
    out = list(fhir.iter_convert([json.dumps(request(dosage=dosage)), json.dumps(request(dosage=every(6)))]))
    (_, failed, error), (_, good, _) = out
    assert failed is None
    assert error is not None
    assert error.startswith("DoseError")
    assert good is not None
    assert good.mme_per_day == 30.0


_OXYCODONE_5 = {
    "itemCodeableConcept": {"coding": [{"system": RX, "code": "7804"}], "text": "oxycodone"},
    "strength": _strength(5, "mg", "{tablet}"),
}
_APAP_UNSTATED = {"itemCodeableConcept": {"coding": [{"system": RX, "code": "161"}], "text": "acetaminophen"}}


def _combination(name: str, *ingredients: dict[str, Any]) -> dict[str, Any]:
    return _medication(*ingredients, form="317541") | {"code": {"text": name}}


_PRN_MAX_4_G = {
    "asNeededBoolean": True,
    "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}],
    "maxDosePerPeriod": {"numerator": {"value": 4, "code": "g"}, "denominator": {"value": 1, "code": "d"}},
}


@pytest.mark.parametrize(
    "medication",
    [
        _combination("oxycodone and acetaminophen tablet", _OXYCODONE_5, _APAP_UNSTATED),
        _combination("Percocet 5/325", _OXYCODONE_5),
        _combination("oxycodone / paracetamol tablet", _OXYCODONE_5),
    ],
)
def test_a_combination_whose_other_component_has_no_strength_takes_no_amount_in_mg(medication: dict[str, Any]) -> None:
    """Read as single-ingredient, 325 mg q6h (one tablet's acetaminophen) gave 1950 MME/day, and 1 tablet as needed,
    at most 4 g a day (acetaminophen's limit), 6000 MME/day: Percocet's RxCUI refuses both."""
    with pytest.raises(mme.DoseError, match="may be the amount of another component"):
        fhir.convert(_uses(medication, every(6, {"value": 325, "code": "mg"})))
    with pytest.raises(mme.DoseError):
        fhir.convert(request(PERCOCET, dosage=every(6, {"value": 325, "code": "mg"})))
    with pytest.raises(mme.UnitError, match="maxDosePerPeriod"):
        fhir.convert(_uses(medication, _PRN_MAX_4_G))
    with pytest.raises(mme.UnitError, match="maxDosePerPeriod"):
        fhir.convert(request(PERCOCET, dosage=_PRN_MAX_4_G))
    counted = fhir.convert(_uses(medication, every(6)))  # a count of tablets is the opioid's strength, as listed
    assert counted.mme_per_day == fhir.convert(request(PERCOCET, dosage=every(6))).mme_per_day == 30.0


def test_a_single_opioid_medication_still_takes_an_amount_in_mg() -> None:
    got = fhir.convert(_uses(_combination("oxycodone tablet", _OXYCODONE_5), every(6, {"value": 10, "code": "mg"})))
    assert got.mme_per_day == 60.0
    capped = fhir.convert(
        _uses(
            _combination("oxycodone tablet", _OXYCODONE_5),
            _PRN_MAX_4_G
            | {
                "maxDosePerPeriod": {"numerator": {"value": 30, "code": "mg"}, "denominator": {"value": 1, "code": "d"}}
            },
        )
    )
    assert capped.mme_per_day == 45.0


@pytest.mark.parametrize(("mg", "refused"), [(325, True), (65, True), (5, False), (15, False)])
def test_a_dose_in_mg_of_a_liquid_combination_that_is_whole_ml_of_its_non_opioid_is_refused(
    mg: float, refused: bool
) -> None:
    """RxCUI 1049580 (acetaminophen 65 mg/mL, oxycodone 1 mg/mL): 325 mg q6h gave 1950 MME/day and 65 mg 390, where
    the tablet refuses both; by the sig reader, by RxCUI and by FHIR alike now."""
    dosage = every(6, {"value": mg, "code": "mg"})
    if refused:
        with pytest.raises(mme.DoseError, match="may be the amount of another component"):
            fhir.convert(request("1049580", dosage=dosage))
        with pytest.raises(mme.ExpressionError, match="may be the amount of another component"):
            mme.convert(f"{mg} mg q6h", rxcui="1049580")
    else:
        got = fhir.convert(request("1049580", dosage=dosage))
        assert got.mme_per_day == mg * 4 * 1.5
        assert mme.convert(f"{mg} mg q6h", rxcui="1049580").mme_per_day == got.mme_per_day


@pytest.mark.parametrize(("count", "expected"), [(3, 30.0), (1, 10.0), (8, 60.0)])
def test_a_course_count_limits_the_most_a_maximum_per_period_allows(count: int, expected: float) -> None:
    """Tramadol 50 mg as needed, at most 6 a day, a course of 3: 60 MME/day (6 a day), where q4h with the same
    count and maximum gave 30: the count is applied on both paths now."""
    dosage = {
        "asNeededBoolean": True,
        "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}],
        "maxDosePerPeriod": {"numerator": {"value": 6, "code": "{tablet}"}, "denominator": {"value": 1, "code": "d"}},
        "timing": {"repeat": {"count": count}},
    }
    got = fhir.convert(request("835603", dosage=dosage))
    assert got.mme_per_day == expected
    every_4_h = dosage | {"timing": {"repeat": {"count": count, "frequency": 1, "period": 4, "periodUnit": "h"}}}
    assert fhir.convert(request("835603", dosage=every_4_h)).mme_per_day == expected
    assert any("a course of" in w for w in got.warnings) == (count < 6)


_SCT = "http://snomed.info/sct"


def test_a_snomed_unit_whose_display_names_another_unit_is_refused() -> None:
    """SNOMED CT milligram with the display "tablet" read as 2 mg (12 MME/day), silently; 2 tablets give 60."""
    mg_as_tablet = {"value": 2, "system": _SCT, "code": "258684004", "unit": "tablet"}
    with pytest.raises(mme.UnitError, match="its display says 'tablet'"):
        fhir.convert(request(dosage=every(6, mg_as_tablet)))
    agreeing = fhir.convert(request(dosage=every(6, mg_as_tablet | {"unit": "milligram"})))
    assert agreeing.mme_per_day == 12.0
    tablets = fhir.convert(request(dosage=every(6, mg_as_tablet | {"code": "428673006", "unit": "tablets"})))
    assert tablets.mme_per_day == 60.0


@pytest.mark.parametrize("unit", ["spray(s)", "puff(s)", "{actuat}"])
def test_sprays_or_puffs_of_a_tablet_are_refused_as_patches_are(unit: str) -> None:
    """ "2 spray(s)" of oxycodone 5 mg tablets read as 2 tablets; "patch(es)" was refused: another product."""
    with pytest.raises(mme.AmbiguousDoseError, match="is a tablet"):
        fhir.convert(request(dosage=every(6, {"value": 1, "unit": unit})))


def test_a_timing_code_whose_text_says_another_frequency_is_refused() -> None:
    """QD with the text "Q6H" read as once a day (7.5 MME/day) without a word about the text."""
    dosage = {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}
    qd_q6h = {"timing": {"code": {"coding": [{"code": "QD"}], "text": "Q6H"}}}
    with pytest.raises(mme.DoseError, match="timing code QD is 1 a day, its text 'Q6H' 4"):
        fhir.convert(request(dosage=dosage | qd_q6h))
    same = {"timing": {"code": {"coding": [{"code": "QD"}], "text": "qd"}}}
    assert fhir.convert(request(dosage=dosage | same)).mme_per_day == 7.5


def test_a_maximum_per_period_a_patch_does_not_apply_is_said() -> None:
    dosage = {
        "asNeededBoolean": True,
        "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}],
        "maxDosePerPeriod": {"numerator": {"value": 0.6, "code": "mg"}, "denominator": {"value": 1, "code": "d"}},
    }
    got = fhir.convert(request(FENTANYL_25, dosage=dosage))
    assert got.mme_per_day == 60.0
    assert any("maxDosePerPeriod not applied" in w for w in got.warnings)


@pytest.mark.parametrize("field", ["doNotPerform", "wasNotTaken"])
def test_do_not_perform_as_text_is_refused(field: str) -> None:
    """doNotPerform "true" (a string) was counted, 30 MME/day, silently."""
    with pytest.raises(mme.ExpressionError, match=f"{field} is 'true', not a JSON boolean"):
        fhir.convert(request(dosage=every(6)) | {field: "true"})
    assert fhir.convert(request(dosage=every(6)) | {field: False}).mme_per_day == 30.0  # 4 x 5 mg x 1.5


@pytest.mark.parametrize(
    "limit",
    [
        {"maxDosePerPeriod": {"numerator": {"value": 60, "code": "mg"}, "denominator": {"value": 1, "code": "d"}}},
        {"maxDosePerPeriod": {"numerator": {"value": 30, "code": "mL"}, "denominator": {"value": 1, "code": "d"}}},
        {"maxDosePerAdministration": {"value": 10, "code": "mg"}},
    ],
)
def test_a_limit_in_mg_of_a_liquid_dosed_in_ml_is_read_through_its_strength(limit: dict[str, Any]) -> None:
    """Morphine 2 mg/mL, 10 mL every 4 h (120 mg a day): a maximum of 60 mg a day was refused as in another unit, and
    one of 10 mg a dose was not applied (120 MME/day). 60 mg is 30 mL, 10 mg 5 mL: 60 mg a day, 60 MME/day (x 1)."""
    got = fhir.convert(request(MORPHINE_LIQUID, dosage=every(4, {"value": 10, "code": "mL"}) | limit))
    assert got.mme_per_day == 60.0
    by_mg = fhir.convert(request(MORPHINE_LIQUID, dosage=every(4, {"value": 20, "code": "mg"}) | limit))
    assert by_mg.mme_per_day == 60.0  # 20 mg is 10 mL: the same regimen, the same cap


def test_a_maximum_per_period_without_a_period_is_said_to_be_read_per_day() -> None:
    dosage = {
        "asNeededBoolean": True,
        "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}],
        "maxDosePerPeriod": {"numerator": {"value": 6, "code": "{tablet}"}},
    }
    got = fhir.convert(request(dosage=dosage))
    assert got.mme_per_day == 45.0
    assert any("maxDosePerPeriod has no denominator (period): read as per day" in w for w in got.warnings)


@pytest.mark.parametrize(
    "name",
    ["Oxygesic 10 mg", "Paracodin", "Capros 30 mg", "M-long 60 mg", "Valoron N", "Dipidolor", "Ossicodone 10 mg",
     "Espranor 8 mg", "Codis 500", "Codalgin Forte", "Codapane Forte", "Prodeine Forte", "Panamax Co", "Dymadon Co",
     "Aspalgin", "Anamorph", "Momex SR", "Digesic"],
)  # fmt: skip
def test_an_opioid_brand_of_another_country_fails_the_bundle_rather_than_being_left_out(name: str) -> None:
    """Each was listed as "names no opioid mme knows": not counted, and the Bundle's total was short by it."""
    with pytest.raises(mme.ExpressionError, match="names or nearly spells an opioid"):
        fhir.convert(_with_oxycodone(_named_request(name)))


@pytest.mark.parametrize(
    ("medication", "drug"),
    [({"text": "Imodium"}, "imodium"), ({"text": "Lomotil"}, "lomotil"), ({"text": "Co-phenotrope"}, "co phenotrope"),
     ({"text": "Loperamide 2 mg capsule"}, "loperamide"),
     ({"coding": [{"system": RX, "code": "1250693"}]}, "loperamide")],  # Imodium by its RxCUI
)  # fmt: skip
def test_an_antidiarrheal_opioid_is_listed_not_counted_with_its_reason(medication: dict[str, Any], drug: str) -> None:
    """Imodium, Lomotil and loperamide failed the whole Bundle (by name, ExpressionError; by code or read,
    NotCoveredError) while co-phenotrope, the same diphenoxylate, was listed as naming no opioid."""
    resource = request(dosage=every(6)) | {"id": "ad", "medicationCodeableConcept": medication}
    got = fhir.convert(_with_oxycodone(resource))
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0
    assert got.not_counted == (
        f"MedicationRequest/ad: {drug} is an antidiarrheal opioid: no MME table gives it a factor: not counted",
    )
    with pytest.raises(mme.NotCoveredError, match="antidiarrheal opioid"):
        fhir.convert(resource)


@pytest.mark.parametrize("name", ["alfentanil 500 mcg", "remifentanil 1 mg"])
def test_an_analgesic_opioid_without_a_factor_still_fails_the_bundle(name: str) -> None:
    with pytest.raises(mme.MMEError):
        fhir.convert(_with_oxycodone(_named_request(name)))


@pytest.mark.parametrize("dose", [{"value": 1}, {"value": 1, "unit": " "}])
def test_a_dose_with_no_unit_says_so(dose: dict[str, Any]) -> None:
    """It said "unit '' is neither a mass (mg, ug), a volume (mL), a rate (ug/h) nor a count"."""
    with pytest.raises(mme.UnitError, match=r"doseQuantity: the dose has no unit: give it a UCUM code \(mg, ug, mL"):
        fhir.convert(request(dosage=every(6, dose)))


@pytest.mark.parametrize(
    "repeat",
    [{"duration": 20, "durationUnit": "min"}, {"boundsDuration": {"value": 20, "code": "min"}},
     {"duration": 7, "durationUnit": "min"}, {"boundsPeriod": {"start": "2024-01-01T08:00:00Z", "end": "2024-01-01T08:07:00Z"}}],
)  # fmt: skip
def test_an_infusion_s_hours_have_their_exact_value(repeat: dict[str, Any]) -> None:
    """90 mg/h of morphine IV for 20 min is 30 mg, 90 MME/day under anzca-2021; its exact value was a float's,
    22499999999999997/250000000000000 (20 min was 0.33333333333333331 h)."""
    resource = _infusion("7052", {"rateQuantity": {"value": 90, "code": "mg/h"}}, "47625008")
    resource["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    got = fhir.convert(resource, table="anzca-2021")
    assert isinstance(got, mme.DailyMME)
    minutes = 20 if 20 in (repeat.get("duration"), repeat.get("boundsDuration", {}).get("value")) else 7
    assert got.mme_per_day_exact == 90 * Fraction(minutes, 60) * 3  # mg a day x 3 per mg (anzca-2021, IV)


@pytest.mark.parametrize("duration", [72, 48])
def test_a_patch_put_on_more_often_than_it_is_worn_is_refused(duration: float) -> None:
    """A 75 mcg/h patch put on daily and worn 72 h (three on at once) gave 180 MME/day, with a warning that each is
    removed when the next goes on, which its duration contradicts; an infusion's overlapping runs are refused."""
    repeat = {"frequency": 1, "period": 1, "periodUnit": "d", "duration": duration, "durationUnit": "h"}
    dosage = {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]}
    with pytest.raises(mme.DoseError, match=f"a patch put on 1 administration a day and worn {duration} h each"):
        fhir.convert(request("197696", dosage=dosage))
    changed = fhir.convert(request("197696", dosage=dosage | {"timing": {"repeat": repeat | {"duration": 24}}}))
    assert changed.mme_per_day == 180.0
    assert any("each removed when the next goes on" in w for w in changed.warnings)  # as its duration says


def test_a_patch_worn_for_part_of_its_interval_says_so() -> None:
    """q72h with a duration of 48 h gave its rate while worn, 180, without a word."""
    repeat = {"frequency": 1, "period": 72, "periodUnit": "h", "duration": 48, "durationUnit": "h"}
    dosage = {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{patch}"}}]}
    got = fhir.convert(request("197696", dosage=dosage))
    assert got.mme_per_day == 180.0
    assert any(
        "the patch is worn 48 h (duration) of each 72 h: MME/day is its rate while worn" in w for w in got.warnings
    )
    whole = fhir.convert(
        request("197696", dosage=dosage | {"timing": {"repeat": repeat | {"duration": 3, "durationUnit": "d"}}})
    )
    assert not any("is worn" in w for w in whole.warnings)


_TEN_MG_A_DAY = {
    "maxDosePerPeriod": {"numerator": {"value": 10, "code": "mg"}, "denominator": {"value": 1, "code": "d"}}
}


@pytest.mark.parametrize(
    "repeat",
    [None, {"duration": 24, "durationUnit": "h"}, {"duration": 23, "durationUnit": "h"},
     {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 24, "durationUnit": "h"},
     {"frequency": 2, "period": 1, "periodUnit": "d", "duration": 8, "durationUnit": "h"}],
)  # fmt: skip
def test_a_cap_a_day_on_an_infusion_caps_the_amount_it_gives_a_day(repeat: dict[str, Any] | None) -> None:
    """maxDosePerPeriod 10 mg/d on 2 mg/h of morphine IV gave 144 MME/day (not applied) with no timing or a duration
    of 24 h, and 30 with a frequency or a duration of 23 h, said as taken less than once a day: one order, two
    results. It caps the amount a day: 10 mg, 30 MME/day under anzca-2021."""
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0] |= _TEN_MG_A_DAY | ({"timing": {"repeat": repeat}} if repeat else {})
    got = fhir.convert(infusion, table="anzca-2021")
    assert isinstance(got, mme.DailyMME)
    assert got.mme_per_day == 30.0
    assert got.mme_per_day_exact == 30
    assert any("capped by maxDosePerPeriod at 10 mg a day (not " in w for w in got.warnings)
    assert not any("less than once a day" in w or "not applied" in w for w in got.warnings)


def test_a_cap_a_day_above_what_an_infusion_gives_leaves_it() -> None:
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0] |= _TEN_MG_A_DAY | {"timing": {"repeat": {"duration": 2, "durationUnit": "h"}}}
    got = fhir.convert(infusion, table="anzca-2021")
    assert got.mme_per_day == 12.0  # 4 mg x 3
    assert not any("capped" in w for w in got.warnings)


@pytest.mark.parametrize(
    ("cap", "mme_per_day"),
    [({"value": 1, "code": "mg/h"}, 12.0), ({"value": 1000, "code": "ug/h"}, 12.0), ({"value": 2, "code": "mg"}, 6.0)],
)
def test_a_cap_per_administration_on_an_infusion_with_a_duration_is_applied(
    cap: dict[str, Any], mme_per_day: float
) -> None:
    """maxDosePerAdministration 1 mg/h on 2 mg/h for 4 h was 'in another unit than the dose: not applied' (24
    MME/day), where without the duration it capped the rate (72): it caps the rate, and so the run's amount (4 mg,
    12); one in mg caps the run's amount (2 mg, 6)."""
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0] |= {
        "maxDosePerAdministration": cap,
        "timing": {"repeat": {"duration": 4, "durationUnit": "h"}},
    }
    got = fhir.convert(infusion, table="anzca-2021")
    assert got.mme_per_day == mme_per_day
    assert any("capped by maxDosePerAdministration" in w for w in got.warnings)


@pytest.mark.parametrize(
    "repeat",
    [{"boundsDuration": {"value": 1e308, "code": "wk"}},
     {"frequency": 1, "period": 72, "periodUnit": "h", "duration": 1e308, "durationUnit": "wk"}],
)  # fmt: skip
def test_hours_beyond_a_float_are_refused_not_an_overflow(repeat: dict[str, Any]) -> None:
    """Hours read exactly (20 min is 1/3 h) must still be refused as the float product's inf was, not an
    OverflowError that ends an NDJSON stream."""
    patch = request("197696", dosage={"timing": {"repeat": repeat}})
    with pytest.raises(mme.DoseError):
        fhir.convert(patch)
    all_day = _infusion("7052", _TWO_MG_PER_H, "47625008")
    all_day["dosageInstruction"][0]["timing"] = {"repeat": {"duration": 1e308, "durationUnit": "wk"}}
    assert fhir.convert(all_day, table="anzca-2021").mme_per_day == 144.0  # runs all day, as a 2-day duration does


_IV = {"coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]}


@pytest.mark.parametrize(
    ("dose_and_rate", "repeat", "mme_per_day"),
    [
        ([{"doseQuantity": {"value": 2, "code": "mg"}, "rateQuantity": {"value": 2, "code": "mg/h"}}],
         {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 1, "durationUnit": "h"}, 6.0),
        ([{"doseQuantity": {"value": 2, "code": "mg"}, "rateQuantity": {"value": 4, "code": "mg/h"}}],
         {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 30, "durationUnit": "min"}, 6.0),
        ([{"doseQuantity": {"value": 2, "code": "mg"}, "rateQuantity": {"value": 2, "code": "mg/h"}}],
         {"frequency": 1, "period": 4, "periodUnit": "h", "duration": 1, "durationUnit": "h"}, 36.0),
        ([{"type": {"coding": [{"code": "calculated"}]}, "rateQuantity": {"value": 2, "code": "mg/h"}},
          {"type": {"coding": [{"code": "ordered"}]}, "doseQuantity": {"value": 2, "code": "mg"}}],
         {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 1, "durationUnit": "h"}, 6.0),
        ([{"type": {"coding": [{"code": "ordered"}]}, "doseQuantity": {"value": 2, "code": "mg"}},
          {"type": {"coding": [{"code": "calculated"}]}, "rateQuantity": {"value": 2, "code": "mg/h"}}],
         {"frequency": 1, "period": 1, "periodUnit": "h"}, 144.0),
    ],
)  # fmt: skip
def test_an_intermittent_infusion_s_dose_and_rate_that_agree_read(
    dose_and_rate: list[dict[str, Any]], repeat: dict[str, Any], mme_per_day: float
) -> None:
    """2 mg at 2 mg/h for 1 h once a day was refused ('the dose gives 6 MME/day, the rate 144': the rate was read all
    day, its duration left out); in two doseAndRate entries (Epic's calculated rate, ordered dose) the engine's
    'drop per_day/every' was raised. The rate gives the amount of its runs, or, with no duration, runs all day."""
    resource = request("7052", dosage={"route": _IV, "timing": {"repeat": repeat}, "doseAndRate": dose_and_rate})
    assert fhir.convert(resource, table="anzca-2021").mme_per_day == mme_per_day


def test_an_intermittent_infusion_s_dose_and_rate_that_differ_are_refused_by_what_each_gives() -> None:
    repeat = {"frequency": 1, "period": 1, "periodUnit": "d", "duration": 1, "durationUnit": "h"}
    rate = {"doseQuantity": {"value": 2, "code": "mg"}, "rateQuantity": {"value": 3, "code": "mg/h"}}
    resource = request("7052", dosage={"route": _IV, "timing": {"repeat": repeat}, "doseAndRate": [rate]})
    with pytest.raises(mme.AmbiguousDoseError, match=r"the dose \(2 mg\) gives 6 MME/day, the rate \(3 mg/h\) 9:"):
        fhir.convert(resource, table="anzca-2021")


def test_fentanyl_s_ingredient_on_the_skin_at_a_patch_s_rate_reads_as_the_patch() -> None:
    """Fentanyl (4337), route transdermal, 75 ug/h every 72 h was refused: 'the rate is its own timing, and the
    timing says 0.333333 administrations a day'; a patch's rate is worn as its timing says, as 197696's is."""
    skin = {"coding": [{"system": "http://snomed.info/sct", "code": "45890007"}]}
    dosage = _q72h({"rateQuantity": {"value": 75, "code": "ug/h"}}) | {"route": skin}
    got = fhir.convert(request("4337", dosage=dosage))
    assert got.mme_per_day == fhir.convert(request("197696", dosage=dosage)).mme_per_day == 180.0
    assert not any("less than once a day" in w for w in got.warnings)


@pytest.mark.parametrize(("unit", "code"), [("Hours", "h"), ("HOURS", "h"), ("Hour(s)", "h"), ("hrs", "h")])
def test_a_period_or_duration_unit_in_words_reads_in_any_case(unit: str, code: str) -> None:
    """durationUnit and periodUnit "Hours" were a UnitError, where "hours" read with a warning and a days supply or
    a bound reads "Days" or "DAY": one reading of time."""
    every_6 = request(dosage=every(6) | {"timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": unit}}})
    got = fhir.convert(every_6)
    assert got.mme_per_day == fhir.convert(request(dosage=every(6))).mme_per_day
    assert any(
        f"periodUnit {unit!r} is not a FHIR code (s, min, h, d, wk, mo, a): read as {code!r}" in w for w in got.warnings
    )
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": {"duration": 4, "durationUnit": unit}}
    assert fhir.convert(infusion, table="anzca-2021").mme_per_day == 24.0


@pytest.mark.parametrize("unit", ["H", "D", "hx", ""])
def test_a_period_unit_that_is_no_time_is_refused(unit: str) -> None:
    """A letter in another case is no code (UCUM's "H" is the henry), nor a word."""
    every_6 = request(dosage=every(6) | {"timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": unit}}})
    with pytest.raises(mme.UnitError, match=f"periodUnit {unit!r} is not a time unit"):
        fhir.convert(every_6)


@pytest.mark.parametrize(
    ("code", "unit", "ml_each"),
    [("894912", "{syringe}", 1), ("894912", "{each}", 1), ("894912", "syringes", 1), ("727759", "{cartridge}", 2),
     ("894911", "{auto-injector}", 0.7)],
)  # fmt: skip
def test_a_dispensed_count_of_units_that_hold_one_dose_is_their_volume(code: str, unit: str, ml_each: float) -> None:
    """10 {syringe} of a 1 mL prefilled syringe dispensed was 'a liquid: give the quantity in mL', though a request's
    1 {syringe} reads as its volume; {cartridge} and {auto-injector} were no unit at all. Each is its whole volume."""
    dispense = {
        "resourceType": "MedicationDispense",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": code}]},
        "quantity": {"value": 10, "unit": unit} if unit == "syringes" else {"value": 10, "code": unit},
        "daysSupply": {"value": 5, "code": "d"},
    }
    got = fhir.convert(dispense, table="anzca-2021")
    in_ml = fhir.convert(
        dispense | {"quantity": {"value": float(Fraction(str(ml_each)) * 10), "code": "mL"}}, table="anzca-2021"
    )
    assert got.mme_per_day == in_ml.mme_per_day
    assert any("is their whole volume: 10 x" in w for w in got.warnings)
    with pytest.raises(mme.UnitError, match="is a liquid: give the quantity in mL"):
        fhir.convert(dispense | {"quantity": {"value": 10, "code": "{tablet}"}}, table="anzca-2021")


@pytest.mark.parametrize(("code", "unit"), [("727759", "{cartridge}"), ("894911", "{auto-injector}")])
def test_a_request_s_count_of_cartridges_or_auto_injectors_is_their_volume(code: str, unit: str) -> None:
    """They were a UnitError: 'neither a mass (mg, ug), a volume (mL), a rate (ug/h) nor a count'."""
    iv = {"coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]}
    one = request(code, dosage=every(4, {"value": 1, "code": unit}) | {"route": iv})
    each = request(code, dosage=every(4, {"value": 1, "code": "{each}"}) | {"route": iv})
    assert fhir.convert(one, table="anzca-2021").mme_per_day == fhir.convert(each, table="anzca-2021").mme_per_day


@pytest.mark.parametrize("kind", ["medicationrequest", "MedicationRequest ", " MedicationRequest", "MEDICATIONREQUEST"])
def test_a_resource_type_written_in_another_case_is_refused_alone_in_a_bundle_and_in_ndjson(kind: str) -> None:
    """In a Bundle it was skipped without a word (a total of 30 for 4 oxycodone requests, 3 so written); alone it was
    'mme reads ...', which did not say why."""
    odd = request(dosage=every(6)) | {"resourceType": kind, "id": "x"}
    said = f"its resourceType {kind!r} is not 'MedicationRequest': a type's name is exact"
    with pytest.raises(mme.ExpressionError, match=f"^not a FHIR resource \\(id 'x'\\): {re.escape(said)}"):
        fhir.convert(odd)
    with pytest.raises(mme.ExpressionError, match=f"entry 2 is not a FHIR resource \\(id 'x'\\): {re.escape(said)}"):
        fhir.convert(_with_oxycodone(odd))
    [(_, result, error)] = fhir.iter_convert([json.dumps(odd)])
    assert result is None
    assert error is not None
    assert said in error


def test_a_dstu2_medication_order_is_listed_as_not_counted_and_said_alone() -> None:
    """DSTU2's MedicationOrder in a Bundle was skipped without a word."""
    order = request(dosage=every(6)) | {"resourceType": "MedicationOrder", "id": "x"}
    got = fhir.convert(_with_oxycodone(order))
    assert isinstance(got, fhir.BundleMME)
    assert got.mme_per_day == 30.0  # the oxycodone request's alone
    assert got.not_counted == ("MedicationOrder/x: DSTU2's medication order, which mme does not read (convert it to "
                               "R4's MedicationRequest)",)  # fmt: skip
    with pytest.raises(mme.ExpressionError, match="and Bundle: MedicationOrder is DSTU2's medication order"):
        fhir.convert(order)


@pytest.mark.parametrize(
    ("entry", "where"),
    [({"modifierExtension": [{"url": "http://example.org/not-given"}]}, ""),
     ({"request": {"method": "POST", "url": "MedicationRequest", "modifierExtension": [{"url": "http://x"}]}}, " in request")],
)  # fmt: skip
def test_a_modifier_extension_on_a_bundle_entry_is_refused(entry: dict[str, Any], where: str) -> None:
    """It was ignored (the request counted, 30), where one on the resource or any element of it is refused."""
    bundle = {"resourceType": "Bundle", "entry": [{"resource": request(dosage=every(6))} | entry]}
    with pytest.raises(mme.ExpressionError, match=f"^MedicationRequest/r1's Bundle entry: a modifierExtension{where} "):
        fhir.convert(bundle)


@pytest.mark.parametrize(
    ("link", "said"),
    [({"relation": "next", "url": "http://example.org/p2"}, "'link' must be a list of links, not an object"),
     ([{"relation": ["next"], "url": "http://example.org/p2"}], "a link's relation is a list, not text"),
     (["next"], "'link' must be a list of links, not a list")],
)  # fmt: skip
def test_a_malformed_bundle_link_is_refused(link: object, said: str) -> None:
    """A link as an object, or a relation as a list, was ignored: the next page went unsaid."""
    with pytest.raises(mme.ExpressionError, match=re.escape(said)):
        fhir.convert(_with_oxycodone() | {"link": link})


def test_an_ndjson_operation_outcome_error_says_the_export_may_be_incomplete() -> None:
    """As a Bundle's entry it marks the total incomplete; as a bulk export's line it was 'mme reads ...'."""
    outcome = {"resourceType": "OperationOutcome", "id": "o1",
               "issue": [{"severity": "error", "code": "exception", "diagnostics": "timeout"}]}  # fmt: skip
    [(_, result, error)] = fhir.iter_convert([json.dumps(outcome)])
    assert result is None
    assert error == ("ExpressionError: OperationOutcome/o1 reports an error (timeout): the server may have left "
                     "resources out of the export, and opioids among them are not counted")  # fmt: skip
    in_bundle = fhir.convert(_with_oxycodone(outcome))
    assert isinstance(in_bundle, fhir.BundleMME)
    assert in_bundle.incomplete == ("OperationOutcome/o1 reports an error (timeout): the server may have left resources "
                                    "out of the Bundle, and opioids among them are not counted",)  # fmt: skip


def test_a_dosage_s_warnings_are_on_its_own_items_only() -> None:
    """A PCA in two dosage instructions (a rate for 12 h, a 1 mg q4h bolus as needed) said the rate's hours on the
    bolus's item too, and the bolus's 'as needed' on the rate's, so the total listed each twice."""
    basal = {"sequence": 1, "route": _IV, "timing": {"repeat": {"duration": 12, "durationUnit": "h"}},
             "doseAndRate": [{"rateQuantity": {"value": 1, "code": "mg/h"}}]}  # fmt: skip
    bolus = {"sequence": 1, "route": _IV, "asNeededBoolean": True,
             "timing": {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
             "doseAndRate": [{"doseQuantity": {"value": 1, "code": "mg"}}]}  # fmt: skip
    got = fhir.convert(request("7052", status="active") | {"dosageInstruction": [basal, bolus]}, table="anzca-2021")
    assert isinstance(got, mme.Total)
    rate, on_demand = got.items
    assert any("the rate 1 mg/h runs 12 h a day" in w for w in rate.warnings)
    assert not any("the rate 1 mg/h" in w for w in on_demand.warnings)
    assert any("as needed (PRN)" in w for w in on_demand.warnings)
    assert not any("as needed (PRN)" in w for w in rate.warnings)
    assert sum("dosage 2: as needed" in w or "dosage 1: the rate" in w for w in got.warnings) == 2  # once each


@pytest.mark.parametrize(("minutes", "said"), [(20, "20 min"), (7, "7 min"), (90, "1.5 h")])
def test_an_infusion_s_hours_are_said_as_written(minutes: int, said: str) -> None:
    """20 min was said 'runs 0.333333 h a day (duration 0.333333 h)'."""
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": {"duration": minutes, "durationUnit": "min"}}
    got = fhir.convert(infusion, table="anzca-2021")
    assert any(f"the rate 2 mg/h runs {said} a day (duration {said}), not all day" in w for w in got.warnings)


def test_runs_at_times_of_day_within_a_bound_are_not_said_to_have_a_frequency() -> None:
    """Two times of day with a bound under a day (holding one of them) and a duration said 'with a frequency', though
    none was given."""
    repeat = {"timeOfDay": ["08:00:00", "20:00:00"], "duration": 2, "durationUnit": "h",
              "boundsPeriod": {"start": "2024-01-01T06:00:00Z", "end": "2024-01-01T18:00:00Z"}}  # fmt: skip
    infusion = _infusion("7052", _TWO_MG_PER_H, "47625008")
    infusion["dosageInstruction"][0]["timing"] = {"repeat": repeat}
    with pytest.raises(mme.DoseError, match=r"runs of 2 h at the rate 2 mg/h, 1 administration a day, within ") as no:
        fhir.convert(infusion, table="anzca-2021")
    assert "frequency" not in str(no.value)


def test_a_patch_read_without_a_dose_is_said_as_a_patch() -> None:
    """The message said '1 unit(s)' of a patch with no dose beside a rate that contradicts it."""
    dosage = _q72h({"rateQuantity": {"value": 150, "code": "ug/h"}})
    dosage["doseAndRate"] = [
        {"rateQuantity": {"value": 150, "code": "ug/h"}},
        {"doseQuantity": {"value": 1, "code": "{patch}"}},
    ]
    with pytest.raises(mme.AmbiguousDoseError, match=r"1 \{patch\}"):
        fhir.convert(request("197696", dosage=dosage))

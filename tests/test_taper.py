"""`mme.taper`: hand-computed cohorts, properties, paired tests against scipy, the figure, the CLI and the docs."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import mme
from mme import taper
from mme._cli import main
from mme._history import Dispensing

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# The hand cohort (CDC 2022 factors: oxycodone 1.5, morphine 1, fentanyl 2.4 per mcg/h, hydromorphone 5):
#   A  baseline oxycodone 20 mg q6h = 20 x 4 x 1.5 = 120      discharge oxycodone 10 mg q6h = 60 (exactly -50%)
#   B  baseline morphine ER 60 mg bid = 120, + oxycodone 10 mg q6h = 60 -> 180    discharge none = 0 (-100%)
#   C  baseline 90 MME/day as given                           discharge buprenorphine only: not countable (None)
#   D  baseline fentanyl 25 mcg/h = 60                        discharge fentanyl 12 mcg/h = 28.8 (-52%)
#   E  baseline hydromorphone 2 mg q4h = 2 x 6 x 5 = 60       no discharge row: lost to follow-up (None)
HAND: list[taper.RecordLike] = [
    ("A", "baseline", "oxycodone 20 mg q6h"),
    ("A", "discharge", "oxycodone 10 mg q6h"),
    ("B", "baseline", "morphine ER 60 mg bid"),
    ("B", "baseline", "oxycodone 10 mg q6h"),
    ("B", "discharge", "none"),
    ("C", "baseline", 90.0),
    ("C", "discharge", "buprenorphine 8 mg daily sublingual"),
    ("D", "baseline", "fentanyl 25 mcg/h patch"),
    ("D", "discharge", "fentanyl 12 mcg/h patch"),
    ("E", "baseline", "hydromorphone 2 mg q4h"),
]
TIMEPOINTS = ["baseline", "discharge"]


@pytest.fixture(scope="module")
def hand() -> taper.DoseMatrix:
    return taper.dose_matrix(HAND, TIMEPOINTS)


def numeric_matrix(rows: dict[str, Sequence[float | None]], timepoints: Sequence[str]) -> taper.DoseMatrix:
    """A matrix from MME/day values; None = no record (lost)."""
    records = [
        (pid, tp, v) for pid, values in rows.items() for tp, v in zip(timepoints, values, strict=True) if v is not None
    ]
    return taper.dose_matrix(records, timepoints, patients=list(rows))


# -- the matrix ------------------------------------------------------------------------------------


def test_hand_matrix_values_and_statuses(hand: taper.DoseMatrix) -> None:
    assert hand.timepoints == ("baseline", "discharge")
    assert hand.baseline == "baseline"
    assert [p.patient_id for p in hand.patients] == ["A", "B", "C", "D", "E"]
    assert hand.column("baseline") == pytest.approx((120, 180, 90, 60, 60))
    discharge = hand.column("discharge")
    assert discharge[0] == pytest.approx(60)
    assert discharge[1] == 0.0  # "none": a real zero
    assert discharge[2] is None  # buprenorphine only: not countable, never 0
    assert discharge[3] == pytest.approx(28.8)
    assert discharge[4] is None  # no row: lost
    statuses = [p.cells[1].status for p in hand.patients]
    assert statuses == ["observed", "observed", "not_countable", "observed", "lost"]
    assert hand.table == "cdc-2022"
    assert hand.value("B", "baseline") == pytest.approx(180)


def test_excluded_only_is_none_with_the_reason_in_notes(hand: taper.DoseMatrix) -> None:
    c = hand.patients[2]
    cell = c.cells[1]
    assert cell.mme_per_day is None
    assert cell.excluded
    assert "buprenorphine" in cell.excluded[0]
    assert any("not 0" in n and "CDC 2022 excludes buprenorphine" in n for n in c.notes)
    assert not cell.partial


def test_excluded_beside_countable_items_counts_the_rest_and_says_so() -> None:
    m = taper.dose_matrix(
        [("X", "baseline", "oxycodone 10 mg q6h"), ("X", "baseline", "buprenorphine 8 mg daily sublingual")],
        ["baseline"],
    )
    cell = m.patients[0].cells[0]
    assert cell.mme_per_day == pytest.approx(60)  # the oxycodone only
    assert cell.partial
    assert "value counts the other items only" in m.patients[0].notes[0]
    summary = taper.summarize_cohort(m)
    assert summary.rows[0].n_partial == 1
    assert "1 observed value(s) count only the items the table covers" in str(summary)


def test_a_table_that_covers_buprenorphine_counts_it() -> None:
    m = taper.dose_matrix([("X", "baseline", "buprenorphine 8 mg daily sublingual")], ["baseline"], table="heal-2025")
    cell = m.patients[0].cells[0]
    assert cell.status == "observed"
    assert cell.mme_per_day is not None
    assert cell.mme_per_day > 0


def test_given_values_and_expressions_add_up() -> None:
    m = taper.dose_matrix([("X", "t0", 30.0), ("X", "t0", "oxycodone 10 mg q6h")], ["t0"])
    assert m.value("X", "t0") == pytest.approx(90)


def test_a_time_points_items_add_up_as_decimals() -> None:
    """0.1 + 0.2 MME/day given, beside tramadol 0.5 mg/day (0.1 MME/day under cdc-2022): 0.4, as `mme.total` adds
    (a float sum gives 0.30000000000000004 for the first two)."""
    m = taper.dose_matrix([("X", "t0", 0.1), ("X", "t0", 0.2), ("X", "t1", 0.1), ("X", "t1", 0.2),
                           ("X", "t1", "tramadol 0.5 mg daily")], ["t0", "t1"])  # fmt: skip
    assert (m.value("X", "t0"), m.value("X", "t1")) == (0.3, 0.4)


def test_values_only_have_no_table() -> None:
    m = numeric_matrix({"X": [100.0, 50.0]}, ["a", "b"])
    assert m.table is None
    assert "values given in MME/day" in str(m)


def test_patients_without_any_record_are_lost_everywhere() -> None:
    m = taper.dose_matrix([("X", "t0", 10.0)], ["t0", "t1"], patients=["X", "Y"])
    assert m.patients[1].doses == (None, None)
    assert [c.status for c in m.patients[1].cells] == ["lost", "lost"]


def test_complete_cases(hand: taper.DoseMatrix) -> None:
    assert [p.patient_id for p in hand.complete_cases().patients] == ["A", "B", "D"]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([("X", "week 1", 10.0)], "not one of"),
        ([("X", "t0", "")], "medication is empty"),
        ([("X", "t0", -5.0)], "mme_per_day must be a finite number, 0 or more, not -5.0"),
        ([("X", "t0", math.nan)], "cannot read the record"),
        ([{"patient_id": "X", "timepoint": "t0", "mme_per_day": "\u0663"}], "must be a number in the digits 0-9"),
        ([{"patient_id": "X", "timepoint": "t0", "mme_per_day": "1_0"}], "must be a number in the digits 0-9"),
        ([{"patient_id": "X", "timepoint": "t0"}], "exactly one"),
        ([{"patient_id": "X", "timepoint": "t0", "medication": "none", "mme_per_day": 0}], "exactly one"),
    ],
)
def test_unreadable_records_are_errors_not_guesses(records: list[taper.RecordLike], message: str) -> None:
    with pytest.raises(taper.CohortError, match=message):
        taper.dose_matrix(records, ["t0"])


def test_a_record_that_cannot_be_read_fails_its_time_point_not_the_cohort() -> None:
    """One unreadable medication was a CohortError: no value for anyone. Now that cell fails alone: no value,
    never 0 and never the sum of the cell's other items, with the reason; the rest is computed."""
    records = [
        ("A", "t0", "oxycodone 10 mg q6h"), ("A", "t1", "oxycodone q6h"),  # no amount
        ("B", "t0", "oxycodone 10 mg q6h"), ("B", "t1", "oxycodone 5 mg q6h"),
        ("C", "t0", "oxycodone 10 mg q6h"), ("C", "t1", "oxycodone 5 mg q6h"), ("C", "t1", "none"),
        ("D", "t0", "oxycodone 10 mg q6h"), ("D", "t1", "oxycodone 5 mg q6h"), ("D", "t1", "blah"),
    ]  # fmt: skip
    matrix = taper.dose_matrix(records, ["t0", "t1"])
    assert matrix.column("t0") == (60.0, 60.0, 60.0, 60.0)
    assert matrix.column("t1") == (None, 30.0, None, None)
    cells = [p.cells[1] for p in matrix.patients]
    assert [c.status for c in cells] == ["failed", "observed", "failed", "failed"]
    assert str(cells[0].error).startswith("'oxycodone q6h': no amount")
    assert cells[2].error == "'none' (no opioid) recorded together with medications; fix the records"
    assert str(cells[3].error).startswith("'blah': no amount")
    assert matrix.patients[0].notes == (f"t1: failed, no value (not 0): {cells[0].error}",)
    assert "'!' failed (see notes)" in str(matrix)
    row = taper.summarize_cohort(matrix).row("t1")
    assert (row.n_observed, row.n_lost, row.n_not_countable, row.n_failed, row.n_paired) == (1, 0, 0, 3, 1)
    assert taper.summarize_cohort(matrix).row("t0").n_failed == 0
    text = str(taper.summarize_cohort(matrix))
    assert re.search(r"time point +observed +lost +not countable +failed +mean", text)
    assert "failed: 3 value(s) whose records cannot be read (missing, not 0); see notes" in text
    assert "failed" not in str(taper.summarize_cohort(taper.dose_matrix(records[2:4], ["t0", "t1"])))


def test_a_cell_longer_than_the_csv_modules_limit_fails_its_time_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cell over 128 KiB was a raw `_csv.Error` from read_csv (`mme taper`: internal error, exit 70)."""
    import csv

    path = tmp_path / "cohort.csv"
    path.write_text(f"patient_id,timepoint,medication\nA,t0,oxycodone 10 mg q6h\nA,t1,{'x' * 1_000_000}\n"
                    "B,t0,oxycodone 10 mg q6h\nB,t1,oxycodone 5 mg q6h\n")  # fmt: skip
    limit = csv.field_size_limit()
    records = taper.read_csv(path)
    assert csv.field_size_limit() == limit  # the module's limit is the caller's again
    assert len(records[1].medication or "") == 1_000_000
    matrix = taper.dose_matrix(records, ["t0", "t1"])
    assert matrix.column("t1") == (None, 30.0)
    assert "at most 1,000 characters are read" in (matrix.patients[0].cells[1].error or "")
    code, text = run("taper", str(path), "--timepoints", "t0,t1")
    err = capsys.readouterr().err
    assert code == 0
    assert "failed: 1 value(s) whose records cannot be read" in text
    assert err.endswith("mme taper: 1 patient time point(s) failed: no value, never 0 (see notes)\n")
    assert len(text) + len(err) < 5_000  # the cell is named by an excerpt, never echoed whole


def test_cohort_error_is_an_mme_error_and_a_value_error() -> None:
    assert issubclass(taper.CohortError, mme.MMEError)
    assert issubclass(taper.CohortError, ValueError)
    assert taper.CohortError is mme._errors.CohortError  # the error tree lives in one module


def test_timepoints_and_patients_are_checked() -> None:
    # text in place of the list: "ab" was the time points a and b, a cohort of records at "a" and "b" summarised
    with pytest.raises(mme.ArgumentTypeError, match=r"^timepoints is a list of time points, e\.g\. \["):
        taper.dose_matrix([("X", "a", 1.0), ("X", "b", 2.0)], "ab")
    with pytest.raises(taper.CohortError, match="repeat"):
        taper.dose_matrix([], ["a", "a"])
    with pytest.raises(taper.CohortError, match="at least one"):
        taper.dose_matrix([], [])
    with pytest.raises(taper.CohortError, match="not in `patients`"):
        taper.dose_matrix([("X", "a", 1.0)], ["a"], patients=["Y"])
    with pytest.raises(taper.CohortError, match="twice"):
        taper.dose_matrix([], ["a"], patients=["Y", "Y"])
    m = numeric_matrix({"X": [1.0]}, ["a"])
    with pytest.raises(taper.CohortError, match="unknown time point"):
        m.column("b")
    with pytest.raises(taper.CohortError, match="unknown patient"):
        m.value("Z", "a")


def test_enrolled_patients_are_read_as_record_ids_are() -> None:
    """`patients` were taken raw while a record's id is trimmed and 101 reads "101": patients=["p1 "] refused p1's
    records as "not in `patients`", patients=[101] was a pydantic ValidationError, ["a", "a "] two patients (n = 2 for
    one), and a string, "ABC", three patients A, B and C."""
    m = taper.dose_matrix([("p1 ", "b", 60.0), (101, "b", 30.0)], ["b"], patients=[" p1", 101.0, 102])  # type: ignore[list-item]
    assert [(p.patient_id, p.doses) for p in m.patients] == [("p1", (60.0,)), ("101", (30.0,)), ("102", (None,))]
    with pytest.raises(taper.CohortError, match=r"^`patients` gives patient 'a' twice \('a', 'a '\)"):
        taper.dose_matrix([], ["b"], patients=["a", "a "])
    with pytest.raises(mme.ArgumentTypeError, match=r"^`patients` is a list of patient ids, not 'ABC'"):
        taper.dose_matrix([], ["b"], patients="ABC")
    with pytest.raises(taper.CohortError, match=r"^`patients`: patient_id is missing"):
        taper.dose_matrix([], ["b"], patients=[None])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"reduction_over": 50},
            taper.CohortError,
            r"^reduction_over is a fraction between 0 and 1 \(0\.5 for 50%\), not 50$",
        ),
        ({"reduction_over": math.nan}, taper.CohortError, "reduction_over is a fraction between 0 and 1"),
        ({"reduction_over": "0.5"}, mme.ArgumentTypeError, "^reduction_over must be a number"),
        ({"reduction_over": True}, mme.ArgumentTypeError, "^reduction_over must be a number"),
        ({"increase_over": -0.1}, taper.CohortError, r"^increase_over is a fraction of the baseline, 0 or more \(0\.1"),
        ({"increase_over": math.inf}, taper.CohortError, "^increase_over is a fraction of the baseline"),
        ({"report": 0.3}, mme.ArgumentTypeError, r"^report is a list of fractions \(0\.15 for 15%\), not 0\.3"),
        ({"report": (30,)}, taper.CohortError, r"^report thresholds are fractions between 0 and 1 \(0\.15 for 15%\)"),
        ({"report": ("0.3",)}, mme.ArgumentTypeError, "^report must be a number"),
        ({"tests": "no"}, mme.ArgumentTypeError, "^tests must be True or False, not 'no'"),
    ],
)
def test_a_rule_that_cannot_be_used_is_an_mme_error(
    options: dict[str, object], error: type[Exception], message: str
) -> None:
    """These were pydantic ValidationErrors (reduction_over=50, meaning 50%), a bare TypeError (report=0.3), or read
    by guessing: "0.5" as 0.5, True as 1, tests="no" as a request for the tests."""
    m = numeric_matrix({"X": [60.0, 30.0]}, ["a", "b"])
    with pytest.raises(error, match=message):
        taper.summarize_cohort(m, **options)  # type: ignore[arg-type]
    if "tests" not in options:
        with pytest.raises(error, match=message):
            taper.Rule(**options)


def test_time_points_named_by_numbers_are_read_as_a_records_are() -> None:
    """Months as numbers, dose_matrix(records, [0, 3, 12]): a record's time point 3 is read as "3", the list's 3
    was not, so every record stopped the run with a bare TypeError (joining the time points to name them)."""
    records: list[Any] = [("A", 0, 120.0), ("A", 3, 60.0), ("A", 12, "none"), ("B", 0.5, 90.0)]
    m = taper.dose_matrix(records[:3], [0, 3, 12])  # type: ignore[list-item]
    assert (m.timepoints, m.value("A", "3"), m.value("A", "12")) == (("0", "3", "12"), 60.0, 0.0)
    with pytest.raises(taper.CohortError, match=r"^record 4 \('B'\): time point '0\.5' is not one of 0, 3, 12$"):
        taper.dose_matrix(records, [0, 3, 12])  # type: ignore[list-item]
    with pytest.raises(mme.ArgumentTypeError, match=r"^a time point is text or a number, not True"):
        taper.dose_matrix(records[:1], [True])  # type: ignore[list-item]


def test_from_dispensings_refuses_arguments_of_another_shape() -> None:
    """A list of (time point, window) pairs, a list of patients for the anchors, or fills as dicts were bare
    AttributeErrors ('list' object has no attribute 'items')."""
    anchor = date(2020, 1, 1)
    fills = [fill("A", "oxycodone", "10 mg", 120, 30, anchor)]
    with pytest.raises(mme.ArgumentTypeError, match=r"^windows is a mapping of each time point to its window"):
        taper.from_dispensings(fills, [("b", (0, 29))], {"A": anchor}, definition="window")  # type: ignore[arg-type]
    with pytest.raises(mme.ArgumentTypeError, match=r"^`anchors` is a mapping of each patient id to a date"):
        taper.from_dispensings(fills, {"b": (0, 29)}, ["A"], definition="window")  # type: ignore[arg-type]
    with pytest.raises(mme.ArgumentTypeError, match=r"^dispensings are mme\.Dispensing\(\.\.\.\) records, not"):
        taper.from_dispensings([{"patient_id": "A"}], {"b": (0, 29)}, {"A": anchor}, definition="window")  # type: ignore[list-item]


def test_enrolled_patients_are_checked_in_linear_time() -> None:
    """The check that every record's patient is enrolled rebuilt the set of enrolled ids for each patient: 8,000
    patients took 12 s, 20,000 about 75 s (2 x 10^8 set insertions)."""
    n = 20_000
    start = time.perf_counter()
    m = taper.dose_matrix([(f"p{i}", "t", 60.0) for i in range(n)], ["t"], patients=[f"p{i}" for i in range(n)])
    elapsed = time.perf_counter() - start
    assert len(m.patients) == n
    assert elapsed < 30, f"{elapsed:.1f} s for {n:,} patients"


def test_records_from_mappings_and_models() -> None:
    records: list[taper.RecordLike] = [
        {"patient_id": 7, "timepoint": "t0", "mme_per_day": "45"},  # numeric id read as text, value from CSV text
        taper.Record(patient_id="8", timepoint="t0", medication="None"),
    ]
    m = taper.dose_matrix(records, ["t0"])
    assert m.column("t0") == (45.0, 0.0)
    assert [p.patient_id for p in m.patients] == ["7", "8"]


# -- change and categories --------------------------------------------------------------------------


def test_hand_changes(hand: taper.DoseMatrix) -> None:
    found = {c.patient_id: c for c in taper.changes(hand)}
    assert set(found) == {"A", "B", "D"}  # C not countable, E lost
    assert found["A"].absolute == pytest.approx(-60)
    assert found["A"].percent == pytest.approx(-50)
    assert found["A"].category == "stable"  # exactly 50% is not "more than 50%"
    assert found["B"].percent == pytest.approx(-100)
    assert found["B"].category == "cessation"
    assert found["D"].percent == pytest.approx(-52)  # (28.8 - 60) / 60
    assert found["D"].category == "reduction"
    assert found["D"].ratio == pytest.approx(0.48)


def test_inclusive_makes_exactly_50_percent_a_reduction(hand: taper.DoseMatrix) -> None:
    rule = taper.Rule(reduction_over=0.5, inclusive=True)
    found = {c.patient_id: c.category for c in taper.changes(hand, rule=rule)}
    assert found == {"A": "reduction", "B": "cessation", "D": "reduction"}
    assert rule.operator == ">="
    assert "at least 50%" in rule.reduction_text()
    assert "more than 50%" in taper.Rule().reduction_text()


@pytest.mark.parametrize(
    ("baseline", "dose", "rule", "category"),
    [
        (100.0, 0.0, taper.Rule(), "cessation"),
        (100.0, 49.0, taper.Rule(), "reduction"),
        (100.0, 50.0, taper.Rule(), "stable"),
        (100.0, 70.0, taper.Rule(reduction_over=0.3), "stable"),  # exactly 30%, ">"
        (100.0, 70.0, taper.Rule(reduction_over=0.3, inclusive=True), "reduction"),
        (30.0, 21.0, taper.Rule(reduction_over=0.3, inclusive=True), "reduction"),  # 0.3 in floating point
        (100.0, 84.0, taper.Rule(reduction_over=0.15), "reduction"),
        (100.0, 100.0, taper.Rule(), "stable"),
        (100.0, 101.0, taper.Rule(), "increase"),
        (100.0, 110.0, taper.Rule(increase_over=0.1), "stable"),  # increase is strictly ">"
        (100.0, 111.0, taper.Rule(increase_over=0.1), "increase"),
        (0.0, 0.0, taper.Rule(), "stable"),
        (0.0, 30.0, taper.Rule(), "increase"),
    ],
)
def test_categories(baseline: float, dose: float, rule: taper.Rule, category: str) -> None:
    assert rule.categorize(baseline, dose) == category


def test_zero_baseline_has_no_percent_change() -> None:
    m = numeric_matrix({"X": [0.0, 30.0], "Y": [0.0, 0.0]}, ["a", "b"])
    found = taper.changes(m)
    assert [c.percent for c in found] == [None, None]
    assert [c.ratio for c in found] == [None, None]
    row = taper.summarize_cohort(m).row("b")
    assert row.n_paired == 2
    assert row.n_ratio == 0
    assert row.ratio_of_means is None
    assert row.mean_of_ratios is None


def test_rule_validates_thresholds() -> None:
    with pytest.raises(taper.CohortError, match=r"^reduction_over is a fraction between 0 and 1"):
        taper.Rule(reduction_over=1.5)
    with pytest.raises(ValueError, match="fractions"):
        taper.Rule(report=(15.0,))


# -- the summary -------------------------------------------------------------------------------------


def test_hand_summary(hand: taper.DoseMatrix) -> None:
    s = taper.summarize_cohort(hand)
    base, dis = s.rows
    # baseline: 120, 180, 90, 60, 60 -> mean 102; deviations 18, 78, -12, -42, -42; squares sum 10080; /4 = 2520
    assert (base.n_observed, base.n_lost, base.n_not_countable) == (5, 0, 0)
    assert base.mean == pytest.approx(102)
    assert base.sd == pytest.approx(math.sqrt(2520))
    # sorted 60, 60, 90, 120, 180: median 90; Q1 at position 1 -> 60; Q3 at position 3 -> 120
    assert (base.median, base.q1, base.q3) == pytest.approx((90, 60, 120))
    assert base.counts == ()
    assert base.test is None
    # discharge: 60, 0, 28.8 observed; 1 lost (E), 1 not countable (C)
    assert (dis.n_observed, dis.n_lost, dis.n_not_countable, dis.n_patients) == (3, 1, 1, 5)
    assert dis.mean == pytest.approx(29.6)
    # deviations 30.4, -29.6, -0.8: squares 924.16 + 876.16 + 0.64 = 1800.96; /2 = 900.48
    assert dis.sd == pytest.approx(math.sqrt(900.48))
    # sorted 0, 28.8, 60: median 28.8; Q1 at 0.5 -> 14.4; Q3 at 1.5 -> 44.4
    assert (dis.median, dis.q1, dis.q3) == pytest.approx((28.8, 14.4, 44.4))
    # paired A, B, D: baseline 120, 180, 60 (mean 120); discharge 60, 0, 28.8 (mean 29.6)
    assert dis.n_paired == 3
    assert dis.n_ratio == 3
    assert dis.mean_change == pytest.approx(-90.4)  # (-60 - 180 - 31.2) / 3
    assert dis.ratio_of_means == pytest.approx(29.6 / 120)  # 0.2467
    assert dis.mean_of_ratios == pytest.approx((0.5 + 0 + 0.48) / 3)  # 0.3267
    assert [c.key for c in dis.counts] == [
        "cessation", "reduction", "stable", "increase", "reduced_0.15", "reduced_0.3", "reduced_0.5",
    ]  # fmt: skip
    assert (dis.count("cessation").n, dis.count("reduction").n, dis.count("stable").n) == (1, 1, 1)  # B; D; A
    assert dis.count("increase").n == 0
    cut50 = dis.count("reduced_0.5")
    assert cut50.label == "reduction > 50% (more than 50% of baseline), incl. cessation"
    assert (cut50.n, cut50.n_all, cut50.n_observed) == (2, 5, 3)  # B and D
    assert cut50.percent_of_all == pytest.approx(40)
    assert cut50.percent_of_observed == pytest.approx(200 / 3)
    assert dis.count("reduced_0.15").n == 3  # A, B, D
    with pytest.raises(taper.CohortError, match="no count"):
        dis.count("reduced_0.25")


def test_summary_text_states_definitions_and_denominators(hand: taper.DoseMatrix) -> None:
    text = str(taper.summarize_cohort(hand, label="hand cohort"))
    assert text.startswith("hand cohort\n")
    # columns: observed, lost, not countable, mean ± SD, median [IQR] (values from test_hand_summary, rounded)
    assert re.search(r"\nbaseline +5 +0 +0 +102 ± 50 +90 \[60-120\]\n", text)
    assert re.search(r"\ndischarge +3 +1 +1 +30 ± 30 +29 \[14-44\]\n", text)
    assert re.search(r"\ncessation \(0 MME/day\) +1/5 \(20%\)\n", text)
    assert re.search(r"\ncessation \(0 MME/day\) +1/3 \(33%\)\n", text)
    for needle in [
        "denominator N = all patients",
        "denominator N = patients observed at baseline and the time point",
        "ratio of means",
        "mean of ratios",
        "more than 50% of baseline",
        "SD: sample SD (ddof=1)",
        "R type 7",
        "conversion: table cdc-2022",
        "not countable (missing, not 0)",
    ]:
        assert needle in text, needle


def test_summary_json_round_trip(hand: taper.DoseMatrix) -> None:
    summary = taper.summarize_cohort(hand, tests=True, reduction_over=0.3, inclusive=True)
    again = taper.CohortSummary.model_validate_json(summary.model_dump_json())
    assert again == summary
    assert str(again) == str(summary)
    assert taper.DoseMatrix.model_validate_json(hand.model_dump_json()) == hand
    with pytest.raises(ValueError, match="frozen"):
        summary.n_patients = 3  # type: ignore[misc]


def test_summary_row_lookup(hand: taper.DoseMatrix) -> None:
    s = taper.summarize_cohort(hand)
    assert s.row("discharge").timepoint == "discharge"
    with pytest.raises(taper.CohortError, match="unknown time point '3m'"):
        s.row("3m")


def test_single_observation_has_no_sd() -> None:
    s = taper.summarize_cohort(numeric_matrix({"X": [80.0, 40.0]}, ["a", "b"]))
    assert s.rows[0].sd is None
    assert s.rows[0].median == 80
    assert s.rows[1].sd_change is None
    assert "80 [80-80]" in str(s)


def test_nobody_observed() -> None:
    s = taper.summarize_cohort(numeric_matrix({"X": [80.0, None]}, ["a", "b"]))
    row = s.row("b")
    assert (row.n_observed, row.n_lost, row.mean, row.median, row.n_paired) == (0, 1, None, None, 0)
    assert "0/1 (0%)" in str(s)
    assert "0/0" in str(s)


# -- properties ----------------------------------------------------------------------------------------

dose = st.one_of(st.just(0.0), st.floats(min_value=1, max_value=1000, allow_nan=False), st.none())
cohorts = st.lists(st.tuples(dose, dose, dose), min_size=1, max_size=25)


def as_matrix(rows: list[tuple[float | None, float | None, float | None]]) -> taper.DoseMatrix:
    return numeric_matrix({f"p{i}": r for i, r in enumerate(rows)}, ["baseline", "t1", "t2"])


@given(cohorts)
@settings(max_examples=60, deadline=None)
def test_counts_add_up(rows: list[tuple[float | None, float | None, float | None]]) -> None:
    m = as_matrix(rows)
    s = taper.summarize_cohort(m)
    for row in s.rows:
        assert row.n_not_countable == 0  # no excluded drugs here
        assert row.n_observed + row.n_lost == row.n_patients == len(rows)
    for row in s.rows[1:]:
        for count in row.counts:
            assert count.n_all == len(rows)
            assert count.n_observed == row.n_paired
            assert 0 <= count.n <= count.n_observed


@given(cohorts, st.sampled_from([0.15, 0.3, 0.5]), st.booleans())
@settings(max_examples=60, deadline=None)
def test_categories_partition_the_observed_patients(
    rows: list[tuple[float | None, float | None, float | None]], cut: float, inclusive: bool
) -> None:
    m = as_matrix(rows)
    s = taper.summarize_cohort(m, reduction_over=cut, inclusive=inclusive)
    for row in s.rows[1:]:
        partition = row.counts[:4]  # cessation, reduction, stable, increase
        assert sum(c.n for c in partition) == row.n_paired
        paired = sum(b is not None and v is not None for b, v in ((r[0], r[m.index(row.timepoint)]) for r in rows))
        assert row.n_paired == paired
        any_reduction = row.count(f"reduced_{cut:g}")
        assert any_reduction.n == partition[0].n + partition[1].n


@given(st.lists(st.floats(min_value=1, max_value=1000, allow_nan=False), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_a_patient_who_stops_has_minus_100_percent(baselines: list[float]) -> None:
    m = numeric_matrix({f"p{i}": [b, 0.0] for i, b in enumerate(baselines)}, ["baseline", "end"])
    for change in taper.changes(m):
        assert change.percent == -100
        assert change.category == "cessation"
        assert change.absolute == -change.baseline
    row = taper.summarize_cohort(m).row("end")
    assert row.mean_of_ratios == 0
    assert row.ratio_of_means == 0
    assert row.counts[0].n == len(baselines)


@given(
    st.floats(min_value=1, max_value=1000, allow_nan=False),
    st.lists(st.floats(min_value=0, max_value=2000, allow_nan=False), min_size=1, max_size=20),
)
@settings(max_examples=60, deadline=None)
def test_ratio_of_means_is_mean_of_ratios_when_baselines_are_equal(baseline: float, later: list[float]) -> None:
    m = numeric_matrix({f"p{i}": [baseline, v] for i, v in enumerate(later)}, ["baseline", "later"])
    row = taper.summarize_cohort(m).row("later")
    assert row.ratio_of_means == pytest.approx(row.mean_of_ratios, rel=1e-9, abs=1e-12)


@given(st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=2, max_size=30))
@settings(max_examples=60, deadline=None)
def test_quantiles_are_the_stated_method(values: list[float]) -> None:
    m = numeric_matrix({f"p{i}": [v] for i, v in enumerate(values)}, ["t"])
    row = taper.summarize_cohort(m).rows[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (row.q1, row.median, row.q3) == pytest.approx((q1, median, q3))
    assert row.median == pytest.approx(statistics.median(values))
    assert row.sd == pytest.approx(statistics.stdev(values))


def test_quantiles_are_computed_on_the_decimals_and_rounded_once() -> None:
    """The median of 36.7 and 4.3 MME/day is (36.7 + 4.3) / 2 = 20.5; interpolated in floating point it was
    20.500000000000004, printed 21 where the stated rounding (half to even) prints 20. The first quartile of 16.2,
    168.8 and 178 is 16.2 + (168.8 - 16.2) x 0.5 = 92.5 (position (3 - 1) x 0.25 = 0.5), not 92.50000000000001 (93)."""
    row = taper.summarize_cohort(numeric_matrix({"a": [36.7], "b": [4.3]}, ["t"])).rows[0]
    assert (row.q1, row.median, row.q3) == (12.4, 20.5, 28.6)  # 4.3 + 32.4 x 0.25 = 12.4; 4.3 + 32.4 x 0.75 = 28.6
    assert "20 [12-29]" in str(taper.summarize_cohort(numeric_matrix({"a": [36.7], "b": [4.3]}, ["t"])))
    row = taper.summarize_cohort(numeric_matrix({"a": [168.8], "b": [16.2], "c": [178.0]}, ["t"])).rows[0]
    assert (row.q1, row.median, row.q3) == (92.5, 168.8, 173.4)  # q3: 168.8 + (178 - 168.8) x 0.5 = 173.4


@given(cohorts)
@settings(max_examples=30, deadline=None)
def test_json_round_trip_property(rows: list[tuple[float | None, float | None, float | None]]) -> None:
    s = taper.summarize_cohort(as_matrix(rows))
    assert taper.CohortSummary.model_validate_json(s.model_dump_json()) == s


# -- paired tests against scipy ---------------------------------------------------------------------------

PAIRED: dict[str, Sequence[float | None]] = {"P1": [120.0, 60.0], "P2": [180.0, 0.0], "P3": [60.0, 28.8], "P4": [90.0, 90.0], "P5": [200.0, 150.0],
          "P6": [150.0, 30.0], "P7": [75.0, None]}  # fmt: skip


def test_paired_tests_match_scipy() -> None:
    from scipy import stats

    m = numeric_matrix(PAIRED, ["baseline", "discharge"])
    (result,) = taper.paired_tests(m)
    base = [120.0, 180.0, 60.0, 90.0, 200.0, 150.0]  # P7 lost: not paired
    later = [60.0, 0.0, 28.8, 90.0, 150.0, 30.0]
    t = stats.ttest_rel(later, base)
    w = stats.wilcoxon(later, base, zero_method="wilcox")
    assert result.n == 6
    assert result.wilcoxon_n == 5  # P4's zero difference dropped
    assert result.mean_difference == pytest.approx(statistics.fmean([b - a for a, b in zip(base, later, strict=True)]))
    assert result.t_statistic == pytest.approx(t.statistic)
    assert result.t_pvalue == pytest.approx(t.pvalue)
    assert result.wilcoxon_statistic == pytest.approx(w.statistic)
    assert result.wilcoxon_pvalue == pytest.approx(w.pvalue)
    assert result.baseline == "baseline"
    assert result.scipy_version
    summary = taper.summarize_cohort(m, tests=True)
    assert summary.row("discharge").test == result
    assert "p paired t" in str(summary)


def test_undefined_tests_are_none() -> None:
    same = numeric_matrix({"X": [100.0, 100.0], "Y": [50.0, 50.0]}, ["a", "b"])
    (result,) = taper.paired_tests(same)
    assert (result.t_pvalue, result.wilcoxon_pvalue, result.wilcoxon_n) == (None, None, 0)
    one = numeric_matrix({"X": [100.0, 40.0]}, ["a", "b"])
    (result,) = taper.paired_tests(one)
    assert result.t_pvalue is None  # one difference: no SD
    # one non-zero difference: the signed-rank statistic is 0 and the exact two-sided p is 2 x 1/2 = 1
    assert (result.wilcoxon_statistic, result.wilcoxon_pvalue, result.wilcoxon_n) == (0.0, 1.0, 1)
    assert "n/a" in str(taper.summarize_cohort(same, tests=True))


def test_equal_decimal_differences_are_equal_so_the_t_test_is_undefined() -> None:
    # Fentanyl 25 -> 12, 50 -> 37 and 37 -> 24 mcg/h (x 2.4, CDC 2022): 60 -> 28.8, 120 -> 88.8, 88.8 -> 57.6 MME/day.
    # Each patient fell by 13 mcg/h = 31.2 MME/day exactly: every difference is -31.2, so their SD is 0, the paired
    # t-test is undefined (None, not p < 0.001), and the three tied differences share one rank in the Wilcoxon test.
    # In floating point, 28.8 - 60, 88.8 - 120 and 57.6 - 88.8 are -31.2, -31.200000000000003 and -31.199999999999996.
    from scipy import stats

    records = [("A", "b", "fentanyl 25 mcg/h patch"), ("A", "t", "fentanyl 12 mcg/h patch"),
               ("B", "b", "fentanyl 50 mcg/h patch"), ("B", "t", "fentanyl 37 mcg/h patch"),
               ("C", "b", "fentanyl 37 mcg/h patch"), ("C", "t", "fentanyl 24 mcg/h patch")]  # fmt: skip
    m = taper.dose_matrix(records, ["b", "t"])
    assert [c.absolute for c in taper.changes(m)] == [-31.2, -31.2, -31.2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scipy warning of "nearly identical" data reaches the user
        (result,) = taper.paired_tests(m)
    assert (result.t_statistic, result.t_pvalue) == (None, None)
    assert result.mean_difference == -31.2
    tied = stats.wilcoxon([-31.2, -31.2, -31.2], zero_method="wilcox", method="auto")
    assert (result.wilcoxon_statistic, result.wilcoxon_pvalue) == (tied.statistic, tied.pvalue)
    row = taper.summarize_cohort(m).row("t")
    assert (row.mean_change, row.sd_change) == (-31.2, 0.0)
    # 0.3 -> 0.2 MME/day is -0.1 and -33.3...%, the nearest floats of the decimals (not -0.09999999999999998)
    (change,) = taper.changes(numeric_matrix({"X": [0.3, 0.2]}, ["a", "b"]))
    assert (change.absolute, change.percent) == (-0.1, float(Fraction(-100, 3)))


def test_stats_need_the_extra(monkeypatch: pytest.MonkeyPatch, hand: taper.DoseMatrix) -> None:
    with_scipy = taper.summarize_cohort(hand)
    monkeypatch.setitem(sys.modules, "scipy", None)
    with pytest.raises(ImportError, match=re.escape('pip install "mme[stats]"')):
        taper.paired_tests(hand)
    with pytest.raises(ImportError, match="mme\\[stats\\]"):
        taper.summarize_cohort(hand, tests=True)
    assert taper.summarize_cohort(hand) == with_scipy  # the summary itself needs no scipy
    assert with_scipy.rows


# -- the figure ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("band", ["sd", "ci95"])
def test_plot_writes_a_png(tmp_path: Path, hand: taper.DoseMatrix, band: str) -> None:
    out = taper.plot_trajectories(hand, tmp_path / "fig.png", band=band, title="hand cohort")  # type: ignore[arg-type]
    assert out == tmp_path / "fig.png"
    assert out.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize("band", ["SD", "ci", "95", "se"])
def test_plot_refuses_a_band_it_does_not_draw(tmp_path: Path, hand: taper.DoseMatrix, band: str) -> None:
    """Any band but "sd" drew the 95% CI: band="SD" asked for mean ± SD and got mean ± 1.96 SD/sqrt(n)."""
    with pytest.raises(taper.CohortError, match=rf"^unknown band '{band}': choose 'sd' \(mean ± SD\) or 'ci95'"):
        taper.plot_trajectories(hand, tmp_path / "fig.png", band=band)  # type: ignore[arg-type]
    assert not (tmp_path / "fig.png").exists()


def test_plot_needs_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hand: taper.DoseMatrix) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(ImportError, match=re.escape('pip install "mme[plot]"')):
        taper.plot_trajectories(hand, tmp_path / "fig.png")
    assert not (tmp_path / "fig.png").exists()


# -- dispensing histories ---------------------------------------------------------------------------------------


def fill(pid: str, drug: str, strength: str, quantity: float, days: int, when: date, **kw: str) -> Dispensing:
    return Dispensing(
        patient_id=pid, drug=drug, strength=strength, quantity=quantity, days_supply=days, fill_date=when, **kw
    )


# A: oxycodone 10 mg x 120 / 30 d from day 0 = 60 MME/day on days 0-29; 5 mg x 60 / 30 d from day 15 = 15 on days 15-44.
# Window days 0-89 (90 days): MME 30 x 60 + 30 x 15 = 2250; days supply 60; therapy days 45 (0-44); max 75 (days 15-29).
@pytest.mark.parametrize(
    ("definition", "expected"),
    [("days_supply", 2250 / 60), ("therapy_days", 2250 / 45), ("window", 2250 / 90), ("max_daily", 75.0)],
)
def test_from_dispensings_definitions(definition: taper.Definition, expected: float) -> None:
    start = date(2020, 1, 1)
    fills = [fill("A", "oxycodone", "10 mg", 120, 30, start), fill("A", "oxycodone", "5 mg", 60, 30, date(2020, 1, 16))]
    m = taper.from_dispensings(fills, {"baseline": (0, 89)}, {"A": start}, definition=definition)
    assert m.value("A", "baseline") == pytest.approx(expected)
    assert m.source == "dispensings"
    assert m.definition is not None
    assert m.definition.startswith(f"{definition} ({taper.DEFINITIONS[definition]})")


def test_from_dispensings_lost_zero_and_excluded() -> None:
    anchor = date(2020, 1, 1)
    fills = [
        fill("A", "oxycodone", "10 mg", 120, 30, anchor),  # 60 at baseline, nothing later: 0
        fill("B", "morphine", "30 mg", 120, 30, anchor),  # 120 at baseline; followed until May: lost at 6 months
        fill("C", "oxycodone", "10 mg", 120, 30, anchor),
        fill("C", "buprenorphine", "8 mg", 30, 30, date(2020, 6, 1), form="tablet", route="sublingual"),
        fill("D", "buprenorphine", "8 mg", 30, 30, anchor, form="tablet", route="sublingual"),
        fill("D", "oxycodone", "5 mg", 120, 30, anchor),
    ]
    windows = {"baseline": (0, 29), "6 months": (150, 179)}
    anchors = {"A": anchor, "B": anchor, "C": anchor, "D": anchor, "E": anchor}
    m = taper.from_dispensings(
        fills, windows, anchors, definition="days_supply", followed_until={"B": date(2020, 5, 1)}
    )
    assert m.column("baseline") == pytest.approx((60, 120, 60, 30, 0))
    six = [p.cells[1] for p in m.patients]
    assert [c.status for c in six] == ["observed", "lost", "not_countable", "observed", "observed"]
    assert six[0].mme_per_day == 0.0  # no dispensing in the window: none dispensed
    assert six[2].mme_per_day is None  # buprenorphine only: not 0
    assert "not 0" in m.patients[2].notes[0]
    assert m.patients[3].cells[0].partial  # D's baseline counts the oxycodone only
    assert m.patients[4].cells[0].items[0].endswith("no dispensing")
    summary = taper.summarize_cohort(m)
    assert summary.row("6 months").n_not_countable == 1
    assert "from dispensings: days_supply" in str(summary)


@pytest.mark.parametrize("definition", list(taper.DEFINITIONS))
def test_from_dispensings_a_failed_fill_fails_its_window_never_0(definition: taper.Definition) -> None:
    anchor = date(2020, 1, 1)
    fills = [
        fill("A", "oxycodone", "10 mg", 120, 30, anchor),
        fill("A", "oxycodone", "10 mg", 120, 30, date(2020, 3, 1)),
        fill("A", "oxycodone", "10 furlong", 120, 30, date(2020, 3, 5)),  # fails: the 2 months MME is unknown
        fill("B", "oxycodone", "10 mg", 120, 30, anchor),
        fill("B", "unobtainium", "10 mg", 30, 30, date(2020, 3, 5)),  # alone in its window
        fill("C", "oxycodone", "10 mg", 120, 30, anchor),
        fill("C", "oxycodone", "10 furlong", 120, 30, date(2020, 3, 5)),
        fill("C", "buprenorphine", "8 mg", 30, 30, date(2020, 3, 1), form="tablet", route="sublingual"),
    ]
    windows = {"baseline": (0, 29), "2 months": (60, 89)}
    m = taper.from_dispensings(fills, windows, dict.fromkeys("ABC", anchor), definition=definition)
    later = [p.cells[1] for p in m.patients]
    assert [(c.status, c.mme_per_day) for c in later] == [("failed", None)] * 3
    assert "10 furlong" in (later[0].error or "")
    assert "unobtainium" in (later[1].error or "")
    assert "furlong" in (later[2].error or "")
    assert later[2].excluded
    assert not any("every fill in the window is excluded" in n for n in m.patients[2].notes)
    assert all(any(n.startswith("2 months: failed, no value (not 0)") for n in p.notes) for p in m.patients)
    row = taper.summarize_cohort(m).row("2 months")
    assert (row.n_failed, row.n_observed, row.n_paired) == (3, 0, 0)
    assert [c.n for c in row.counts if c.key == "cessation"] == [0]


def test_a_record_reads_mme_per_day_by_the_engines_number_rule() -> None:
    """`Record(mme_per_day=...)` went by pydantic's float: np.bool_(True) was 1 MME/day, Decimal("1E-400") 0 (a
    cessation), np.float32(10.1) 10.100000381469727, b"10" and "1_000" numbers. Now as the engine reads a number."""
    import numpy as np

    def read(value: object) -> float | None:
        return taper.Record(patient_id="A", timepoint="t0", mme_per_day=value).mme_per_day

    assert read(np.float32(10.1)) == 10.1
    assert (read(np.int64(30)), read(" 7.5 "), read(Decimal("0E-400"))) == (30, 7.5, 0)
    zero = read(-0.0)
    assert zero is not None
    assert math.copysign(1, zero) == 1  # -0 is 0, not a negative zero in the matrix
    for wrong, message in [
        (np.bool_(True), "mme_per_day must be a number, not np.True_"),
        (True, "mme_per_day must be a number, not True"),
        (b"10", "mme_per_day must be a number, not b'10'"),
        ("1_000", r"mme_per_day must be a number in the digits 0-9 \(e.g. 10 or 2.5\), not '1_000'"),
        (Decimal("1E-400"), r"mme_per_day 1E-400 is positive but too small for a float: it would read as 0"),
        (Fraction(1, 10**400), r"mme_per_day Fraction\(1, 1000.*is positive but too small for a float"),
        (Decimal("NaN"), "mme_per_day must be a finite number, 0 or more, not NaN"),
    ]:
        with pytest.raises(ValidationError, match=message):
            read(wrong)


def test_a_given_dose_too_small_for_a_float_is_refused_not_0() -> None:
    for value in (Decimal("1e-400"), Fraction(1, 10**400)):
        with pytest.raises(mme.CohortError, match="too small for a float"):
            taper.dose_matrix([{"patient_id": "A", "timepoint": "t0", "mme_per_day": value}], ["t0"])
    zero = {"patient_id": "A", "timepoint": "t0", "mme_per_day": Decimal("0E-400")}
    assert taper.dose_matrix([zero], ["t0"]).column("t0") == (0.0,)


def test_from_dispensings_checks_its_inputs() -> None:
    anchor = date(2020, 1, 1)
    with pytest.raises(taper.CohortError, match="unknown definition"):
        taper.from_dispensings([], {"a": (0, 1)}, {"A": anchor}, definition="mean")  # type: ignore[arg-type]
    with pytest.raises(taper.CohortError, match="before first day"):
        taper.from_dispensings([], {"a": (5, 1)}, {"A": anchor}, definition="window")
    with pytest.raises(taper.CohortError, match="at least one"):
        taper.from_dispensings([], {}, {"A": anchor}, definition="window")
    with pytest.raises(taper.CohortError, match="no anchor"):
        taper.from_dispensings(
            [fill("Z", "oxycodone", "10 mg", 1, 1, anchor)], {"a": (0, 1)}, {"A": anchor}, definition="window"
        )


def test_from_dispensings_refuses_a_followed_until_key_of_no_patient() -> None:
    """followed_until={"a": ...} for patient "A" read as "followed throughout": later windows 0, a cessation."""
    anchor = date(2020, 1, 1)
    fills = [fill("A", "oxycodone", "10 mg", 120, 30, anchor)]
    windows = {"baseline": (0, 29), "6 months": (150, 179)}
    with pytest.raises(taper.CohortError, match=r"^followed_until names patients with no anchor date: 'a', 'Bx';"):
        taper.from_dispensings(
            fills, windows, {"A": anchor, "B": anchor}, definition="window",
            followed_until={"a": date(2020, 3, 1), "Bx": date(2020, 3, 1)},
        )  # fmt: skip
    for until in (date(2020, 3, 1), datetime(2020, 3, 1, 12)):  # a datetime is its calendar day, as in summarize
        m = taper.from_dispensings(fills, windows, {"A": anchor}, definition="window", followed_until={"A": until})
        assert m.patients[0].cells[1].status == "lost"
    m = taper.from_dispensings(fills, windows, {"A": datetime(2020, 1, 1, 23)}, definition="window")
    assert m.value("A", "baseline") == 60  # oxycodone 40 mg/day on each of the window's 30 days


def test_from_dispensings_reads_anchor_keys_as_a_dispensing_reads_its_patient() -> None:
    """A Dispensing trims its patient id and reads 101 (or 101.0) as "101"; the anchors and followed_until keyed by
    the same raw ids were not, so every fill was refused as "dispensing for patient '101', who has no anchor date"
    though the anchors held 101. Keys are read alike; two keys that are one patient are refused."""
    anchor = date(2020, 1, 1)
    fills = [fill(" A ", "oxycodone", "10 mg", 120, 30, anchor), fill("101", "morphine", "30 mg", 120, 30, anchor)]
    windows = {"baseline": (0, 29), "3m": (60, 89)}
    # oxycodone 10 mg x 120 / 30 d x 1.5 = 60 MME/day; morphine 30 mg x 120 / 30 d x 1 = 120; nothing at 60-89: 0
    m = taper.from_dispensings(
        fills, windows, {" A ": anchor, 101.0: anchor}, definition="window",  # type: ignore[dict-item]
        followed_until={101: date(2020, 3, 1)},  # type: ignore[dict-item]
    )  # fmt: skip
    assert [(p.patient_id, p.doses) for p in m.patients] == [("A", (60.0, 0.0)), ("101", (120.0, None))]
    with pytest.raises(taper.CohortError, match=r"^`anchors` gives patient 'A' twice \('A', 'A '\)"):
        taper.from_dispensings(fills, windows, {"A": anchor, "A ": anchor}, definition="window")
    with pytest.raises(taper.CohortError, match=r"^`anchors`: patient_id is missing"):
        taper.from_dispensings(fills, windows, {None: anchor}, definition="window")  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("windows", "anchors", "until", "error", "message"),
    [
        ({"t": (0, 2, 3)}, None, None, taper.CohortError, r"^window 't': give two day offsets \(first, last\)"),
        ({"t": ("0", "2")}, None, None, mme.ArgumentTypeError, r"^window 't': day offsets are whole numbers of days"),
        ({"t": (0.5, 2)}, None, None, mme.ArgumentTypeError, "whole numbers of days"),
        ({"t": (False, True)}, None, None, mme.ArgumentTypeError, "whole numbers of days"),
        ({"t": (0, 10**8)}, None, None, taper.CohortError, "falls outside the calendar"),
        (None, {"A": "2020-01-01"}, None, mme.ArgumentTypeError, r"^anchor of patient 'A' must be a datetime.date"),
        (None, None, {"A": "2020-01-02"}, mme.ArgumentTypeError, r"^followed_until of patient 'A' must be a datetime"),
    ],
)
def test_from_dispensings_says_what_to_give_in_typed_errors(
    windows: dict[str, tuple[object, ...]] | None,
    anchors: dict[str, object] | None,
    until: dict[str, object] | None,
    error: type[mme.MMEError],
    message: str,
) -> None:
    """These were a bare ValueError ("too many values to unpack") or TypeError, or a fraction of a day accepted."""
    with pytest.raises(error, match=message):
        taper.from_dispensings(
            [fill("A", "oxycodone", "10 mg", 120, 30, date(2020, 1, 1))],
            windows or {"t": (0, 2)},  # type: ignore[arg-type]
            anchors or {"A": date(2020, 1, 1)},  # type: ignore[arg-type]
            definition="window",
            followed_until=until,  # type: ignore[arg-type]
        )


def test_a_given_0_beside_a_medication_fails_the_cell_as_none_does() -> None:
    """(A, t, 0.0) + buprenorphine was a cessation, and 0 + oxycodone 60 with no word; 'none' there fails."""
    for other in ("buprenorphine 8 mg daily sublingual", "oxycodone 10 mg q6h", 60.0):
        m = taper.dose_matrix([("A", "t", 0.0), ("A", "t", other)], ["t"])
        (cell,) = m.patients[0].cells
        assert (cell.status, cell.mme_per_day) == ("failed", None)
        assert cell.error == "0 MME/day (no opioid) given together with medications or doses; fix the records"
    assert taper.dose_matrix([("A", "t", 0.0), ("A", "t", 0)], ["t"]).column("t") == (0.0,)


@pytest.mark.parametrize("wrong", ["no", "yes", 0, None])
def test_inclusive_is_a_bool(wrong: object) -> None:
    """summarize_cohort(inclusive="no") was read as False, "yes" as True; None was pydantic's ValidationError."""
    m = taper.dose_matrix([("A", "a", 100.0), ("A", "b", 50.0)], ["a", "b"])
    with pytest.raises(mme.ArgumentTypeError, match=r"^inclusive must be True \(>=\) or False \(>\), not "):
        taper.summarize_cohort(m, inclusive=wrong)  # type: ignore[arg-type]
    with pytest.raises(mme.ArgumentTypeError, match=r"^inclusive must be"):
        taper.Rule(inclusive=wrong)
    assert taper.summarize_cohort(m, inclusive=True).row("b").count("reduction").n == 1  # exactly 50%: >= counts it


@pytest.mark.parametrize("record", [("A", "t", True), {"patient_id": "A", "timepoint": "t", "mme_per_day": False}])
def test_a_bool_is_no_mme_per_day(record: taper.RecordLike) -> None:
    """True was read as 1.0 MME/day; the core and HEAL refuse a bool."""
    with pytest.raises(
        taper.CohortError, match=r"^record 1: cannot read the record .*must be a number, not (True|False)$"
    ):
        taper.dose_matrix([record], ["t"])


# -- the synthetic cohort ----------------------------------------------------------------------------------------


def test_synthetic_cohort_is_labelled_and_reproducible() -> None:
    records = taper.synthetic_cohort()
    assert records == taper.synthetic_cohort(n=59, seed=2024)
    assert records != taper.synthetic_cohort(seed=1)
    assert all(r.patient_id.startswith("SYNTHETIC-") for r in records)
    assert len({r.patient_id for r in records}) == 59
    assert len({r.patient_id for r in taper.synthetic_cohort(n=5)}) == 5
    assert "SYNTHETIC" in taper.SYNTHETIC_LABEL
    assert "SYNTHETIC" in (taper.synthetic_cohort.__doc__ or "")
    with pytest.raises(taper.CohortError, match="at least one patient"):
        taper.synthetic_cohort(n=0)


@pytest.mark.parametrize(
    ("n", "seed"), [(59, None), (59, "2024"), (59, 2024.0), (59, math.nan), (True, 2024), (2.0, 1)]
)
def test_a_synthetic_cohort_is_numbered_and_seeded_by_ints(n: object, seed: object) -> None:
    """A seed of None (an unseeded cohort), text or a float was taken, so a "seed 2024" label could hide a cohort
    that does not come back; n=True was 1 patient."""
    with pytest.raises(mme.ArgumentTypeError, match=r"^(n|seed) must be a whole number \(an int\), not "):
        taper.synthetic_cohort(n=n, seed=seed)  # type: ignore[arg-type]
    np = pytest.importorskip("numpy")
    assert taper.synthetic_cohort(n=np.int64(3), seed=np.int64(2024)) == taper.synthetic_cohort(n=3, seed=2024)


def test_synthetic_cohort_converts_and_is_shaped_like_a_tapering_study() -> None:
    m = taper.dose_matrix(taper.synthetic_cohort(), taper.SYNTHETIC_TIMEPOINTS)
    s = taper.summarize_cohort(m)
    base, discharge, _, last = s.rows
    assert base.n_observed == 59
    assert base.mean is not None
    assert discharge.mean is not None
    assert discharge.mean < base.mean
    assert last.n_lost > 0
    assert last.n_not_countable == 1  # SYNTHETIC-07 is on buprenorphine only at 12 months


# -- the CLI --------------------------------------------------------------------------------------------------------

CSV = """patient_id,timepoint,medication
A,baseline,oxycodone 20 mg q6h
A,discharge,oxycodone 10 mg q6h
B,baseline,morphine ER 60 mg bid
B,baseline,oxycodone 10 mg q6h
B,discharge,none
D,baseline,fentanyl 25 mcg/h patch
D,discharge,fentanyl 12 mcg/h patch
E,baseline,hydromorphone 2 mg q4h
F,baseline,oxycodone 10 mg q6h
F,discharge,oxycodone 5 mg q6h
"""


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_text(CSV)
    return path


def test_cli_table(cohort_csv: Path) -> None:
    code, text = run("taper", str(cohort_csv), "--timepoints", "baseline,discharge")
    assert code == 0
    assert "Daily opioid dose, MME/day; 5 patients; baseline: baseline" in text
    assert "p paired t" in text
    assert "reduction > 50% (more than 50% of baseline)" in text
    # discharge: A 60 (-50%), B 0 (stopped), D 28.8 (-52%), F 30 (-50%); E lost
    assert re.search(r"\ncessation \(0 MME/day\) +1/5 \(20%\)\n", text)


def test_cli_json_and_plot(cohort_csv: Path, tmp_path: Path) -> None:
    png = tmp_path / "taper.png"
    code, text = run(
        "taper", str(cohort_csv), "--timepoints", "baseline,discharge", "--json", "--plot", str(png),
        "--reduction", "0.5", "--inclusive", "--label", "hand cohort",
    )  # fmt: skip
    assert code == 0
    summary = taper.CohortSummary.model_validate(json.loads(text))
    assert summary.label == "hand cohort"
    assert summary.rule.inclusive
    row = summary.row("discharge")
    assert (row.n_observed, row.n_lost) == (4, 1)
    assert row.count("reduction").label.startswith("reduction >= 50%")
    assert row.count("reduction").n == 3  # A and F (exactly 50%) and D (52%); B stopped
    assert row.test is not None
    assert png.read_bytes().startswith(PNG_MAGIC)


def test_cli_variant_converts_cms_2018_methadone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under cms-2018 every methadone record failed, asking for a variant the command could not take."""
    path = tmp_path / "methadone.csv"
    path.write_text("patient_id,timepoint,medication\nA,t0,methadone 10 mg tid\nA,t1,methadone 10 mg daily\n")
    args = ("taper", str(path), "--timepoints", "t0,t1", "--table", "cms-2018", "--json")
    code, text = run(*args)
    assert code == 0
    assert taper.CohortSummary.model_validate_json(text).row("t0").n_failed == 1
    assert "--variant on the command line): 'flat'" in capsys.readouterr().err
    for variant, baseline, end in (("flat", 90, 30), ("tiers", 240, 40)):  # 30 mg/day x 3 or x 8; 10 mg/day x 3 or x 4
        code, text = run(*args, "--variant", variant)
        summary = taper.CohortSummary.model_validate_json(text)
        assert (code, summary.row("t0").mean, summary.row("t1").mean) == (0, baseline, end)


def test_cli_says_1_patient(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("patient_id,timepoint,mme_per_day\n1,t0,100\n1,t1,25\n")
    code, text = run("taper", str(path), "--timepoints", "t0,t1")
    assert (code, text.splitlines()[0]) == (0, "Daily opioid dose, MME/day; 1 patient; baseline: t0")


def test_cli_mme_per_day_csv(tmp_path: Path) -> None:
    path = tmp_path / "mme.csv"
    path.write_text("\ufeffpatient_id,timepoint,mme_per_day\n1,t0,100\n1,t1,25\n2,t0,80\n2,t1,0\n3,t0,60\n")
    code, text = run("taper", str(path), "--timepoints", "t0,t1", "--json")
    assert code == 0
    summary = taper.CohortSummary.model_validate_json(text)
    assert summary.table is None
    assert summary.row("t1").mean == pytest.approx(12.5)
    assert summary.row("t1").n_lost == 1


def test_cli_errors(tmp_path: Path, cohort_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,when,drug\n1,t0,x\n")
    assert run("taper", str(bad), "--timepoints", "t0")[0] == 1
    assert "header must be" in capsys.readouterr().err
    assert run("taper", str(tmp_path / "missing.csv"), "--timepoints", "t0")[0] == 1
    assert "cannot read" in capsys.readouterr().err
    assert run("taper", str(cohort_csv), "--timepoints", "baseline")[0] == 1  # discharge rows: unknown time point
    assert "not one of" in capsys.readouterr().err
    assert run("taper", str(cohort_csv), "--timepoints", "baseline,discharge", "--reduction", "50")[0] == 2
    assert "fraction" in capsys.readouterr().err
    assert run("taper", str(cohort_csv))[0] == 2  # --timepoints is required


def test_cli_without_scipy_prints_the_table(
    cohort_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "scipy", None)
    code, text = run("taper", str(cohort_csv), "--timepoints", "baseline,discharge")
    assert code == 0
    assert "mean ± SD" in text
    assert "p paired t" not in text
    assert 'pip install "mme[stats]"' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # an unquoted comma split a sig: "2 tabs" was dropped, 60 MME/day where the line says 120
        (b"patient_id,timepoint,medication\n1,t0,oxycodone 10 mg q6h, 2 tabs\n",
         r"line 2 has 4 cells for 3 columns: quote a cell that holds a comma"),
        # the second 'medication' won: 240 MME/day, the first never read
        (b"patient_id,timepoint,medication,medication\n1,t0,oxycodone 10 mg q6h,oxycodone 40 mg q6h\n",
         r"the column 'medication' appears 2 times in its header"),
        (b"patient_id,timepoint, medication,medication \n1,t0,none,none\n",
         r"the column 'medication' appears 2 times in its header"),
        (b"patient_id,timepoint,medication\n1,t0,m\xe9thadone 10 mg tid\n",  # was a UnicodeDecodeError
         r"is not UTF-8 text \(line 2, .*save it as UTF-8"),
        (b"patient_id,timepoint,medication\n1,t0\n",  # pydantic's page of text, on one line now
         r"line 2: cannot read the record .*: give exactly one of medication \(an expression or 'none'\) and mme_per_day$"),
        # a positive dose read as 0.0: a cessation (-100%) where the file says a dose
        (b"patient_id,timepoint,mme_per_day\n1,t0,1e-400\n",
         r"line 2: cannot read the record \{'patient_id': '1', 'timepoint': 't0', 'mme_per_day': '1e-400'\}: "
         r"mme_per_day 1E-400 is positive but too small for a float: it would read as 0 \(a cessation\)$"),
        # pydantic's "Input should be a finite number", where nan and 1_000 are told what to write
        (b"patient_id,timepoint,mme_per_day\n1,t0,1e400\n",
         r"line 2: cannot read the record .*: mme_per_day must be a finite number, 0 or more, not 1E\+400$"),
    ],
)  # fmt: skip
def test_read_csv_refuses_what_it_would_read_wrong(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(content)
    with pytest.raises(mme.CohortError, match=message):
        taper.read_csv(path)


def test_cli_reads_a_bad_cohort_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(b"patient_id,timepoint,medication\n1,t0,m\xe9thadone 10 mg tid\n")
    assert run("taper", str(path), "--timepoints", "t0")[0] == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not UTF-8" in err


def test_read_csv_rows(cohort_csv: Path) -> None:
    records = taper.read_csv(cohort_csv)
    assert len(records) == 10
    assert records[4] == taper.Record(patient_id="B", timepoint="discharge", medication="none")
    assert records[4].is_none


# -- docs/tapering.md: every python block runs, and prints the text block under it ----------------------------------

DOC = ROOT / "docs" / "tapering.md"
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```\n)?", re.S)


def test_docs_examples_run_and_print_what_the_page_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the figure example writes taper.png here
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) >= 6
    namespace: dict[str, object] = {}
    for number, (code, expected) in enumerate(blocks, start=1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{DOC.name} block {number}", "exec"), namespace)
        if expected:
            assert out.getvalue() == expected, f"block {number} printed:\n{out.getvalue()}"
    assert (tmp_path / "taper.png").read_bytes().startswith(PNG_MAGIC)


def test_docs_label_every_cohort_number_synthetic() -> None:
    text = DOC.read_text()
    assert "**All cohort numbers on this page are SYNTHETIC.**" in text
    first_output = BLOCK.findall(text)[0][1]
    assert first_output.startswith("SYNTHETIC example cohort")


def test_module_docstring_example() -> None:
    import doctest

    result = doctest.testmod(taper)
    assert result.attempted > 0
    assert result.failed == 0


def test_given_values_that_add_up_past_the_largest_float_are_a_typed_error() -> None:
    """Two given 1e308 MME/day at one time point: a DoseError, as `mme.total` raises, never a bare OverflowError."""
    with pytest.raises(mme.DoseError, match=r"^the items' MME/day add up past the largest float"):
        taper.dose_matrix([("p", "t0", 1e308), ("p", "t0", 1e308)], ["t0"])


def test_the_mean_of_values_up_to_the_largest_float_is_computed_exactly() -> None:
    """Two patients at the largest float: `statistics.fmean` overflowed adding them (`mme taper` exit 70). The mean,
    exact and rounded once as a cell's sum is, is that float, printed as 1.7976931348623157e+308, not as 309 digits;
    the mean of 0.1, 0.2 and 0.3 is their exact mean rounded once."""
    big = sys.float_info.max
    matrix = taper.dose_matrix(
        [("a", "t0", big), ("b", "t0", big), ("a", "t1", 1e308), ("b", "t1", 1e308)], ["t0", "t1"]
    )
    summary = taper.summarize_cohort(matrix)
    assert (summary.row("t0").mean, summary.row("t1").mean, summary.row("t1").mean_change) == (big, 1e308, 1e308 - big)
    assert "1.7976931348623157e+308 ± 0" in str(summary)
    assert not re.search(r"\d{20}", str(summary))
    thirds = taper.dose_matrix([("a", "t0", 0.1), ("b", "t0", 0.2), ("c", "t0", 0.3)], ["t0"])
    assert taper.summarize_cohort(thirds).row("t0").mean == float(sum(map(Fraction, (0.1, 0.2, 0.3))) / 3)


@pytest.mark.parametrize(
    ("values", "tests"),
    [
        ({"a": (1e200, 1.0), "b": (3e200, 5.0)}, True),  # the paired t-test squares the differences
    ],
)
def test_a_summary_past_the_largest_float_is_a_typed_error(values: dict[str, tuple[float, float]], tests: bool) -> None:
    """A statistic that overflows is a DoseError naming the time point, never an OverflowError, an infinity, or a
    p-value computed from an infinite variance under a RuntimeWarning."""
    if tests:
        pytest.importorskip("scipy")
    records = [(p, tp, v) for p, pair in values.items() for tp, v in zip(("t0", "t1"), pair, strict=True)]
    matrix = taper.dose_matrix(records, ["t0", "t1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(mme.DoseError, match=r"^the MME/day values at 't1' are too large to summarise"):
            taper.summarize_cohort(matrix, tests=tests)


@pytest.mark.parametrize("tiny", [1e-300, 5e-324])
def test_a_ratio_over_a_tiny_baseline_names_the_baseline(tiny: float, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline of 5e-324 MME/day stopped the summary as "the MME/day values at 't1' are too large", naming the
    time point whose values are fine: the value to check is the baseline's."""
    matrix = taper.dose_matrix(
        [("a", "t0", tiny), ("a", "t1", 1e300), ("b", "t0", 1.0), ("b", "t1", 2.0)], ["t0", "t1"]
    )
    with pytest.raises(mme.DoseError) as caught:
        taper.summarize_cohort(matrix)
    assert str(caught.value) == (
        f"the change from 't0' to 't1' cannot be summarised: the 't0' value of patient 'a', {tiny} MME/day, is so "
        "small that a ratio over it passes the largest float (1.798e+308); check the 't0' values"
    )


def test_cli_a_summary_past_the_largest_float_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patient_id,timepoint,mme_per_day\nA,b,1e200\nB,b,3e200\nA,c,1\nB,c,5\n")
    assert main(["taper", str(cohort), "--timepoints", "b,c"], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert err.startswith("mme: error: the MME/day values at 'c' are too large to summarise")
    assert len(err.splitlines()) == 1


def test_a_padded_patient_id_is_one_patient() -> None:
    """The ids "p1" and "p1 " were two patients at 60 MME/day each: trimmed as `mme.Dispensing` trims them."""
    matrix = taper.dose_matrix([("p1", "t0", 60), ("p1 ", "t0", 60), ("\tp1", "t0", "oxycodone 10 mg q6h")], ["t0"])
    assert [(p.patient_id, p.cells[0].mme_per_day) for p in matrix.patients] == [("p1", 180)]


def test_the_table_is_named_where_every_medication_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A medication file whose every medication failed was said to hold "values given in MME/day"; so was a file of
    a header alone, which is now refused (no patient to summarise)."""
    failed = taper.dose_matrix([("a", "t0", "zzz 5 mg"), ("a", "t1", "oxycodone 10 mg q6h\x00")], ["t0", "t1"])
    assert ([c.status for c in failed.patients[0].cells], failed.table) == (["failed", "failed"], "cdc-2022")
    assert "conversion: table cdc-2022" in str(taper.summarize_cohort(failed))
    given = taper.dose_matrix([("a", "t0", 90), ("a", "t1", "none")], ["t0", "t1"])
    assert (given.table, given.table_version) == (None, None)
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patient_id,timepoint,medication\n")
    assert main(["taper", str(cohort), "--timepoints", "t0,t1"], out=io.StringIO()) == 1
    assert capsys.readouterr().err == f"mme taper: error: cannot read {cohort}: it holds no records, only a header\n"


@pytest.mark.parametrize("name", ["include_buprenorphine", "clip_to_window"])
def test_from_dispensings_refuses_a_flag_that_is_no_bool(name: str) -> None:
    """Checked up front, as `mme.summarize` checks it: a cohort with no fill never summarizes a window."""
    anchors = {"A": date(2024, 1, 1)}
    with pytest.raises(mme.ArgumentTypeError, match=rf"^{name} must be True or False, not 'no'"):
        taper.from_dispensings([], {"baseline": (0, 89)}, anchors, definition="window", **{name: "no"})  # type: ignore[arg-type]

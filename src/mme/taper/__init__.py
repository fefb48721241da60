"""Opioid tapering outcomes: per-patient MME/day at named time points, change from baseline, cohort summary.

A tapering study (e.g. a chart review of patients tapered after an intervention) reports the daily
dose at a few time points: baseline, discharge, 3 and 12 months. This module turns long records
into such a table in a few reproducible lines::

    >>> from mme import taper
    >>> records = [
    ...     ("p1", "baseline", "oxycodone 10 mg q6h"), ("p1", "discharge", "oxycodone 5 mg q6h"),
    ...     ("p2", "baseline", 90.0), ("p2", "discharge", "none"), ("p3", "baseline", 45.0),
    ... ]
    >>> matrix = taper.dose_matrix(records, ["baseline", "discharge"])
    >>> matrix.column("discharge")  # p3 has no discharge record: lost to follow-up
    (30.0, 0.0, None)
    >>> [(c.patient_id, c.percent, c.category) for c in taper.changes(matrix)]
    [('p1', -50.0, 'stable'), ('p2', -100.0, 'cessation')]
    >>> summary = taper.summarize_cohort(matrix)  # print(summary) shows the study-shaped table
    >>> summary.row("discharge").n_lost
    1

Definitions (stated again in every result, see docs/tapering.md):

* **Cell values.** A patient's medications at one time point add up (`mme.total`). ``"none"`` is a
  real zero (no opioid). No record at a time point means *lost to follow-up* there (None).
  A drug the table excludes (buprenorphine under CDC 2022) is never counted as 0: the cell holds the
  sum of the countable items and lists the excluded ones; a cell whose every item is excluded is
  None with status ``"not_countable"`` and the reason. Nothing is guessed.
* **Change.** ``absolute = dose - baseline``; ``percent = 100 * (dose - baseline) / baseline``
  (a patient who stops has -100%); undefined (None) when the baseline is 0.
* **Categories** (a partition of the patients observed at baseline and at the time point):
  ``cessation`` (0 MME/day at the time point, baseline > 0), ``reduction`` (relative reduction
  over ``reduction_over``: ``>`` by default, ``>=`` with ``inclusive=True``; cessation excluded),
  ``increase`` (relative increase ``> increase_over``; any increase from a zero baseline),
  ``stable`` (everything else, including 0 at both points).
* **Summary.** Mean ± sample SD (ddof=1); median and IQR by linear interpolation between order
  statistics (R type 7, numpy's default ``"linear"``). The *ratio of means* is
  ``mean(dose) / mean(baseline)``; the *mean of ratios* is ``mean(dose_i / baseline_i)``; both over
  the same patients (observed at both points, baseline > 0) and they differ in general. Counts are
  reported with both denominators: all patients, and patients observed at both points.
"""

from __future__ import annotations

from mme._errors import CohortError

from ._core import (
    DEFINITIONS,
    QUANTILE_METHOD,
    SD_METHOD,
    Category,
    Cell,
    Change,
    CohortSummary,
    Count,
    Definition,
    DoseMatrix,
    PairedTest,
    PatientDoses,
    Record,
    RecordLike,
    Rule,
    TimepointSummary,
    changes,
    dose_matrix,
    from_dispensings,
    read_csv,
    summarize_cohort,
)
from ._core import (
    Status as Status,
)
from ._plot import plot_trajectories
from ._stats import paired_tests
from ._synthetic import SYNTHETIC_LABEL, synthetic_cohort
from ._synthetic import SYNTHETIC_TIMEPOINTS as SYNTHETIC_TIMEPOINTS

__all__ = [
    "DEFINITIONS",
    "QUANTILE_METHOD",
    "SD_METHOD",
    "SYNTHETIC_LABEL",
    "Category",
    "Cell",
    "Change",
    "CohortError",
    "CohortSummary",
    "Count",
    "Definition",
    "DoseMatrix",
    "PairedTest",
    "PatientDoses",
    "Record",
    "RecordLike",
    "Rule",
    "TimepointSummary",
    "changes",
    "dose_matrix",
    "from_dispensings",
    "paired_tests",
    "plot_trajectories",
    "read_csv",
    "summarize_cohort",
    "synthetic_cohort",
]

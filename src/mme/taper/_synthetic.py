"""A SYNTHETIC example cohort for `mme.taper`: made up, labelled as such, never a study's data."""

from __future__ import annotations

import math
import numbers
import random
from typing import TYPE_CHECKING

from mme._errors import ArgumentTypeError, CohortError, excerpt

from ._core import Record

if TYPE_CHECKING:  # pragma: no cover
    pass

#: Label carried by the synthetic example cohort; never the seed study's data.
SYNTHETIC_LABEL = "SYNTHETIC example cohort (generated, seed {seed}): NOT the data of any study"


SYNTHETIC_TIMEPOINTS = ("baseline", "discharge", "3m", "12m")


def _regimen(rng: random.Random, target: float) -> list[str]:
    """Expressions (CDC 2022 factors) adding up to roughly ``target`` MME/day."""
    regimens: list[str] = []
    remaining = target
    if remaining >= 120 and rng.random() < 0.5:  # a long-acting base plus breakthrough doses
        mg = max(15, round(remaining * 0.6 / 2 / 15) * 15)
        regimens.append(f"morphine ER {mg} mg bid")
        remaining -= 2 * mg
    if remaining >= 60 and rng.random() < 0.25:
        rate = min((12, 25, 50, 75, 100), key=lambda r: abs(2.4 * r - remaining))
        regimens.append(f"fentanyl {rate} mcg/h patch")
        remaining -= 2.4 * rate
    if remaining >= 15:
        if rng.random() < 0.7:
            mg = max(5, round(remaining / 6 / 5) * 5)
            regimens.append(f"oxycodone {mg} mg q6h")
        else:
            mg = max(2, round(remaining / 30 / 2) * 2)
            regimens.append(f"hydromorphone {mg} mg q4h")
    elif not regimens:
        regimens.append("tramadol 50 mg tid")
    return regimens


def synthetic_cohort(n: int = 59, seed: int = 2024) -> tuple[Record, ...]:
    """A SYNTHETIC tapering cohort: long records (patient ids ``SYNTHETIC-01``...), baseline to 12 months.

    Generated with ``random.Random(seed)`` (``n`` and ``seed`` are ints: the same seed, the same cohort) to look
    like a chart-review tapering cohort (a few cessations, loss to follow-up growing over time; patients 7 and 13 are followed to 12 months and
    switched to buprenorphine there, which CDC 2022 excludes). It is made up: it is **not** the data of Elyn et al. or of any study, and
    must never be presented as such. Label its summaries with `SYNTHETIC_LABEL`.
    """
    for name, value in (("n", n), ("seed", seed)):  # a seed of None, text or a float is no reproducible label
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ArgumentTypeError(f"{name} must be a whole number (an int), not {excerpt(value)}")
    if n < 1:
        raise CohortError("a cohort needs at least one patient")
    n, rng = int(n), random.Random(int(seed))  # NumPy's ints as the ints they hold
    width = max(2, len(str(n)))
    records: list[Record] = []
    for k in range(1, n + 1):
        pid = f"SYNTHETIC-{k:0{width}d}"
        baseline = min(600.0, max(30.0, rng.lognormvariate(math.log(180), 0.55)))
        u = rng.random()
        discharge_ratio = 0.0 if u < 0.12 else rng.uniform(0.15, 0.5) if u < 0.7 else rng.uniform(0.5, 1.0)
        drift = rng.uniform(0.8, 1.3)
        lost_after = rng.random()  # < 0.12: lost after discharge; < 0.29: lost after 3 months
        switched = k in (7, 13)  # two patients moved to buprenorphine by 12 months (excluded under CDC 2022)
        if switched:
            lost_after = 1.0  # followed to 12 months
        doses = {
            "baseline": baseline,
            "discharge": baseline * discharge_ratio,
            "3m": baseline * discharge_ratio * drift if discharge_ratio else (0.0 if rng.random() < 0.8 else 30.0),
            "12m": baseline * discharge_ratio * drift * rng.uniform(0.6, 1.4),
        }
        if discharge_ratio == 0.0:
            doses["12m"] = doses["3m"]
        for tp in SYNTHETIC_TIMEPOINTS:
            if (tp in ("3m", "12m") and lost_after < 0.12) or (tp == "12m" and lost_after < 0.29):
                continue
            if switched and tp == "12m":
                records.append(Record(patient_id=pid, timepoint=tp, medication="buprenorphine 8 mg daily sublingual"))
                if k == 13:  # still on a little oxycodone: the value counts the oxycodone only
                    records.append(Record(patient_id=pid, timepoint=tp, medication="oxycodone 5 mg q6h"))
                continue
            if doses[tp] < 10:
                records.append(Record(patient_id=pid, timepoint=tp, medication="none"))
                continue
            records.extend(Record(patient_id=pid, timepoint=tp, medication=m) for m in _regimen(rng, doses[tp]))
    return tuple(records)

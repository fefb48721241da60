"""Hypothesis strategies for FHIR R4 MedicationRequest-shaped dicts (exported by `mme.testing`).

`fhir_regimens` draws a `FhirRegimen` (an RxNorm product of the shipped file, units per dose, how often);
`medication_request` writes it as a MedicationRequest dict in any of the equivalent ways FHIR allows
(frequency per period in h/d/wk, ``timeOfDay``, ``when``, ``timing.code``, a count or a dose in mg);
`medication_requests` draws the dicts directly. The same regimen gives the same MME however it is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mme.rxnorm import SHIPPED, product

__all__ = ["FhirRegimen", "fhir_regimens", "medication_request", "medication_requests", "timings"]

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"

_PER_DAY = (1, 2, 3, 4, 6)
_CODES = {1: "QD", 2: "BID", 3: "TID", 4: "QID", 6: "Q4H"}
_WHEN = {1: ["MORN"], 2: ["MORN", "NIGHT"], 3: ["MORN", "NOON", "NIGHT"], 4: ["MORN", "NOON", "EVE", "NIGHT"]}


@dataclass(frozen=True)
class FhirRegimen:
    """An oral solid regimen of one RxNorm product: ``count`` units ``per_day`` times a day."""

    rxcui: str
    count: int
    per_day: int


@lru_cache(maxsize=1)
def _oral_solids() -> tuple[str, ...]:
    """Single-opioid oral tablets and capsules of the shipped file, smallest RxCUI first (shrinks there)."""
    codes = json.loads(SHIPPED.read_text(encoding="utf-8"))["products"]
    keep = []
    for code in codes:
        prod = product(code)
        if prod.route == "oral" and prod.form in ("tablet", "capsule") and len(prod.opioids) == 1:
            opioid = prod.opioids[0]
            if opioid.unit == "MG" and opioid.drug in (
                "oxycodone",
                "hydrocodone",
                "morphine",
                "hydromorphone",
                "codeine",
            ):
                keep.append(code)
    return tuple(sorted(keep, key=int))


def fhir_regimens() -> st.SearchStrategy[FhirRegimen]:
    """Regimens of oral opioid tablets and capsules that every shipped clinical table covers."""
    return st.builds(
        FhirRegimen, rxcui=st.sampled_from(_oral_solids()), count=st.integers(1, 2), per_day=st.sampled_from(_PER_DAY)
    )


def timings(per_day: int) -> st.SearchStrategy[dict[str, Any]]:
    """Every way FHIR writes ``per_day`` administrations a day as a Timing (frequency/period, timeOfDay...).

    ``per_day`` is 1, 2, 3, 4 or 6, the counts a ``timing.code`` names (QD...Q4H); another is InvalidArgument.
    """
    if isinstance(per_day, bool) or not isinstance(per_day, int) or per_day not in _CODES:
        raise InvalidArgument(f"per_day must be one of {', '.join(map(str, _PER_DAY))}, not {per_day!r}")
    ways: list[st.SearchStrategy[dict[str, Any]]] = [
        st.just({"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}}),
        st.just({"repeat": {"frequency": per_day * 7, "period": 1, "periodUnit": "wk"}}),
        st.just({"repeat": {"timeOfDay": [f"{8 + i:02d}:00:00" for i in range(per_day)]}}),
        st.just({"code": {"coding": [{"code": _CODES[per_day]}]}}),
    ]
    if 24 % per_day == 0:
        ways.append(st.just({"repeat": {"frequency": 1, "period": 24 // per_day, "periodUnit": "h"}}))
    if per_day in _WHEN:
        ways.append(st.just({"repeat": {"when": _WHEN[per_day]}}))
    return st.one_of(ways)


def medication_request(regimen: FhirRegimen, timing: dict[str, Any], *, in_mg: bool = False) -> dict[str, Any]:
    """The regimen as a MedicationRequest dict; ``in_mg`` states the dose in mg instead of a count."""
    if in_mg:
        mg = regimen.count * float(product(regimen.rxcui).opioids[0].strength)
        dose = {"value": mg, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    else:
        dose = {"value": regimen.count, "unit": "tablet", "system": "http://unitsofmeasure.org", "code": "{tablet}"}
    return {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM_SYSTEM, "code": regimen.rxcui}]},
        "dosageInstruction": [{"timing": timing, "doseAndRate": [{"doseQuantity": dose}]}],
    }


@st.composite
def medication_requests(draw: st.DrawFn) -> dict[str, Any]:
    """MedicationRequest dicts of oral opioid regimens, timing and dose written in any equivalent way."""
    regimen = draw(fhir_regimens())
    prod = product(regimen.rxcui)
    per_unit = float(prod.opioids[0].strength)
    others = {float(i.strength) for i in prod.ingredients if i.drug is None} - {per_unit}
    in_mg = draw(st.booleans()) and regimen.count * per_unit not in others
    return medication_request(regimen, draw(timings(regimen.per_day)), in_mg=in_mg)  # an mg another's is refused

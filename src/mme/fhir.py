"""FHIR R4 input: MME/day of a MedicationRequest, MedicationStatement, MedicationDispense or a Bundle of them.

Resources are read as plain JSON (a dict, a JSON string, a path, or any pydantic model such as a
``fhir.resources`` one, dumped to JSON first), so the extra ``mme[fhir]`` is needed only to build or
validate models, never to convert. The medication comes from its RxNorm coding (`mme.rxnorm`) or,
without one, from its name read by the product-name reader; the dose and timing from the structured
dosage, or from its text read by the sig reader when the structure lacks them; every number is made by
the engine, and every reading that is not stated in the resource (a range's maximum, a dispensing used
instead of a dosage, a name or a text read, PRN use) is a warning on the result.

    >>> import mme.fhir
    >>> request = {
    ...     "resourceType": "MedicationRequest",
    ...     "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1049621"}]},
    ...     "dosageInstruction": [{"timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
    ...                            "doseAndRate": [{"doseQuantity": {"value": 2, "code": "{tablet}"}}]}],
    ... }
    >>> mme.fhir.convert(request).mme_per_day
    60.0

MME estimates overdose risk; it is not a dosing tool for switching opioids.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple

from ._engine import CDC_THRESHOLDS, DailyMME, TableLike, Total, total
from ._engine import convert as convert_expression
from ._errors import (
    AmbiguousDoseError,
    DoseError,
    ExpressionError,
    MMEError,
    NotCoveredError,
    UnitError,
    UnknownRxCUIError,
    utf8_text,
)
from ._parse import parse_product
from ._rxnorm_build import DOSE_FORMS
from ._tables import DEFAULT_TABLE, resolve_table
from ._vocab import OPIOID_WORDS
from .rxnorm import (
    Ingredient,
    Product,
    RxnormLike,
    dispensing_mme,
    dose_form_name,
    ingredient_drug,
    product,
    rxnorm_date,
)
from .rxnorm import daily_mme as rx_daily_mme
from .rxnorm import expression as rx_expression

__all__ = ["RXNORM_SYSTEM", "BundleMME", "convert", "iter_convert", "read"]

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MEDICATION_RESOURCES = frozenset({"MedicationRequest", "MedicationStatement", "MedicationDispense"})

#: UCUM period units in hours (a month is 30 days and a year 365, as CDC's CQL calculator reads them).
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0, "mo": 720.0, "a": 8760.0}
_HOURS |= {
    word: _HOURS[code]
    for code, words in {
        "s": ("second", "seconds"),
        "min": ("minute", "minutes"),
        "h": ("hour", "hours", "hr", "hrs"),
        "d": ("day", "days"),
        "wk": ("week", "weeks"),
        "mo": ("month", "months"),
        "a": ("year", "years"),
    }.items()
    for word in words
}
#: `timing.code` (HL7 GTSAbbreviation) -> administrations a day.
_TIMING_CODES = {
    "QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "AM": 1.0, "PM": 1.0, "QOD": 0.5,
    "Q1H": 24.0, "Q2H": 12.0, "Q3H": 8.0, "Q4H": 6.0, "Q6H": 4.0, "Q8H": 3.0, "Q12H": 2.0, "WK": 1 / 7, "MO": 1 / 30,
}  # fmt: skip
#: `timing.repeat.when` codes that each mean one administration a day.
_ONCE_WHEN = frozenset(
    {"MORN", "MORN.early", "MORN.late", "NOON", "AFT", "AFT.early", "AFT.late", "EVE", "EVE.early", "EVE.late",
     "NIGHT", "PHS", "HS", "WAKE", "ACM", "ACD", "ACV", "PCM", "PCD", "PCV", "CM", "CD", "CV"}
)  # fmt: skip
#: Dose units that count units of the product (UCUM annotations and HL7 orderableDrugForm codes).
_COUNTS = frozenset(
    {"1", "{tablet}", "{tab}", "{tbl}", "tab", "{capsule}", "{cap}", "cap", "{patch}", "patch", "{actuat}",
     "{puff}", "{spray}", "{film}", "{lozenge}", "{troche}", "{suppository}", "supp", "{each}", "{ea}", "{dose}",
     "{unit}", "tablet", "capsule", "film", "spray", "each", "ea", "lozenge", "suppository", "{syringe}"}
)  # fmt: skip
_MASS_AND_VOLUME = {"mg": "mg", "ug": "mcg", "mcg": "mcg", "g": "g", "ml": "mL", "mg/h": "mg/h", "ug/h": "mcg/h"}
_MONTH_UNITS = frozenset({"mo", "month", "months"})
#: Statuses (of the three resources) that say the medication is not being taken; such a resource is still
#: converted, as CDC's calculator does, and the result says so.
_NOT_CURRENT = frozenset(
    {"cancelled", "entered-in-error", "stopped", "completed", "not-taken", "declined", "draft", "on-hold", "ended"}
)
_DONE = {"MedicationDispense": {"completed"}}  # a completed dispense is the normal case


class _Dose(NamedTuple):
    """A dose per administration: a count of the product's units, a volume (mL), or an amount (mg, mcg/h...)."""

    kind: Literal["count", "volume", "amount"]
    value: float
    unit: str  # "" for a count


class BundleMME(Total):
    """A Bundle's total: one item per opioid, plus the medications not counted and why (never as 0)."""

    not_counted: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = super().__str__() if self.items else f"total: no MME [{self.table}]"
        return "\n".join([text, *(f"not counted: {reason}" for reason in self.not_counted)])


# -- reading ---------------------------------------------------------------------------------------


def read(obj: object) -> dict[str, Any]:
    """A resource as a JSON dict, from a dict, a JSON string, a path or a pydantic (``fhir.resources``) model."""
    if isinstance(obj, Mapping):
        data: Any = dict(obj)
    elif hasattr(obj, "model_dump_json"):
        data = json.loads(obj.model_dump_json(by_alias=True, exclude_none=True))
    elif isinstance(obj, str) and obj.lstrip(_BLANK).startswith(("{", "[")):
        data = _json(obj.lstrip(_BLANK), "the JSON string")
    elif isinstance(obj, str | Path):
        path = Path(obj)
        if not path.is_file():
            raise FileNotFoundError(f"no FHIR JSON file at {path}")
        data = _json(utf8_text(path.read_bytes(), str(path), ExpressionError), str(path))
    else:
        raise TypeError(f"cannot read a FHIR resource from {type(obj).__name__}: give a dict, JSON, a path or a model")
    if not isinstance(data, dict) or "resourceType" not in data:
        raise ExpressionError("not a FHIR resource: it has no resourceType")
    return data


_BLANK = " \t\r\n\ufeff"  # what may come before JSON's first character: a byte order mark too


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ExpressionError(f"{where} is not valid JSON: {exc}") from exc


def _label(resource: Mapping[str, Any]) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id', '?')}"


# -- the medication --------------------------------------------------------------------------------


def _codings(concept: Mapping[str, Any] | None) -> list[str]:
    return [
        str(c["code"]).strip()
        for c in (concept or {}).get("coding", [])
        if c.get("system") == RXNORM_SYSTEM and c.get("code")
    ]


def _concept(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The medication's CodeableConcept, and the Medication resource when it is referenced (R4 and R5)."""
    if "medicationCodeableConcept" in resource:
        return resource["medicationCodeableConcept"], None
    reference = resource.get("medicationReference")
    if isinstance(resource.get("medication"), Mapping):  # R5: a CodeableReference
        reference = resource["medication"].get("reference")
        if "concept" in resource["medication"]:
            return resource["medication"]["concept"], None
    if not reference:
        return None, None
    ref = str(reference.get("reference", ""))
    if ref.startswith("#"):
        contained = {c.get("id"): c for c in resource.get("contained", [])}
        medication = contained.get(ref[1:])
    else:
        medication = medications.get(ref)
    if medication is None:
        raise ExpressionError(f"{_label(resource)}: the Medication {ref!r} is neither contained nor in the Bundle")
    return medication.get("code"), medication


def _medication(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], rxnorm: RxnormLike
) -> tuple[str | Product, Product | None]:
    """What to convert (a product, or an ingredient-level RxCUI) and the product; several product codes must agree.

    A Medication resource without a product code is described by its ``ingredient`` strengths.
    """
    concept, medication = _concept(resource, medications)
    codes = _codings(concept)
    products: list[Product] = []
    ingredients: list[str] = []
    for code in codes:
        try:
            products.append(product(code, rxnorm=rxnorm))
        except UnknownRxCUIError as exc:
            if exc.ingredient is not None:
                ingredients.append(code)
    if products:
        if any(_content(p) != _content(products[0]) for p in products[1:]):
            names = "; ".join(p.label for p in products)
            raise AmbiguousDoseError(f"{_label(resource)}: its RxNorm codes name different products: {names}")
        return products[0], products[0]
    if medication is not None and medication.get("ingredient"):
        described = _described(medication, _text(concept), _label(resource), rxnorm)
        if described.opioids:
            return described, described
    if ingredients:
        return ingredients[0], None
    text = _text(concept)
    date = rxnorm_date(rxnorm=rxnorm)
    if codes and _names_opioid(text):
        raise UnknownRxCUIError(", ".join(codes), date)
    if codes:
        raise _NotOpioid(
            f"{_label(resource)}: RxCUI {', '.join(codes)} ({text or 'no name'}) is not an opioid product (RxNorm {date})"
        )
    if _names_opioid(text):
        if (named := _named(text, rxnorm)) is not None:
            return named, named
        raise ExpressionError(
            f"{_label(resource)}: the medication {text!r} has no RxNorm coding and its name does not read as a "
            f"product with a strength: add a coding ({RXNORM_SYSTEM})"
        )
    if not text:  # codes of other systems (NDC, SNOMED) or none: an opioid as likely as not, never skipped
        systems = sorted({str(c.get("system") or "no system") for c in (concept or {}).get("coding", [])})
        coded = f" (only codes of {', '.join(systems)})" if systems else ""
        raise ExpressionError(
            f"{_label(resource)}: the medication has no RxNorm coding and no name{coded}, so whether it is an "
            f"opioid is unknown: add an RxNorm coding ({RXNORM_SYSTEM}) or its name (text)"
        )
    raise _NotOpioid(f"{_label(resource)}: {text} is not an opioid known to mme")


_NAMED = "FHIR medication name"

#: The name reader's strength units -> (RxNorm strength unit, mg per unit of the numerator).
_NAMED_UNITS = {
    "mg": ("MG", Decimal(1)), "mcg": ("MG", Decimal("0.001")), "g": ("MG", Decimal(1000)),
    "mg/mL": ("MG/ML", Decimal(1)), "mcg/mL": ("MG/ML", Decimal("0.001")), "g/mL": ("MG/ML", Decimal(1000)),
    "mg/h": ("MG/HR", Decimal(1)), "mcg/h": ("MG/HR", Decimal("0.001")), "g/h": ("MG/HR", Decimal(1000)),
}  # fmt: skip


def _named(text: str, rxnorm: RxnormLike) -> Product | None:
    """A product read from an uncoded medication's name ("Percocet 5/325 tablet"), or None when it does not read."""
    try:
        read = parse_product(text)
    except MMEError:
        return None
    ingredients = []
    for part in read.ingredients:
        if part.unit not in _NAMED_UNITS:  # a daily total ("40 mg/day") is no product strength
            return None
        unit, scale = _NAMED_UNITS[part.unit]
        drug = read.drug if len(read.ingredients) == 1 or _names_opioid(part.name) else None
        ingredients.append(Ingredient(name=part.name, drug=drug, strength=Decimal(str(part.amount)) * scale, unit=unit))
    return Product(
        rxcui="", name=text, dose_form=None, dose_form_code=None, route=read.route, form=read.form,
        release=read.release if read.release in ("IR", "ER") else None, brand=read.brand, volume_ml=None,
        ingredients=tuple(ingredients), source=_NAMED, rxnorm_date=rxnorm_date(rxnorm=rxnorm), pack=read.pack,
    )  # fmt: skip


#: A strength ratio's denominator -> the RxNorm strength unit it makes (numerator in mg).
_PER = {"ml": "MG/ML", "h": "MG/HR", "{actuat}": "MG/ACTUAT", "{spray}": "MG/ACTUAT"}


def _described(medication: Mapping[str, Any], text: str, label: str, rxnorm: RxnormLike) -> Product:
    """A product from a Medication's ``ingredient`` list: RxNorm ingredient codes and strength ratios."""
    ingredients = []
    for entry in medication["ingredient"]:
        item = entry.get("itemCodeableConcept") or (entry.get("item") or {}).get("concept") or {}  # R4, R5
        drug = next((d for c in _codings(item) if (d := ingredient_drug(c, rxnorm=rxnorm))), None)
        name = _text(item) or (drug or "an ingredient")
        if drug is None and _names_opioid(name):
            raise ExpressionError(f"{label}: the ingredient {name!r} has no RxNorm ingredient code mme knows")
        ratio = entry.get("strength") or entry.get("strengthRatio")
        if not ratio:
            if drug is not None:
                raise DoseError(f"{label}: the ingredient {name!r} states no strength")
            continue  # a non-opioid without strength: nothing to record, nothing counted
        ingredients.append(_ingredient(ratio, name, drug, label))
    form_code = next((c.get("code") for c in (medication.get("form") or {}).get("coding", []) if c.get("code")), None)
    form_name = dose_form_name(form_code, rxnorm=rxnorm) if form_code else None
    route, form, release = DOSE_FORMS[form_name] if form_name else (None, None, None)
    if form_name is None and any(i.unit == "MG/HR" for i in ingredients):
        route, form = "transdermal", "patch"
    return Product(
        rxcui="", name=text or f"Medication/{medication.get('id', '?')}", dose_form=form_name,
        dose_form_code=form_code if form_name else None, route=route, form=form, release=release, brand=None,
        volume_ml=None, ingredients=tuple(ingredients), source="FHIR Medication", rxnorm_date=rxnorm_date(rxnorm=rxnorm),
    )  # fmt: skip


def _ingredient(ratio: Mapping[str, Any], name: str, drug: str | None, label: str) -> Ingredient:
    """An ingredient from a strength Ratio: mg or ug per unit, per mL, per hour (patch) or per actuation."""
    value, unit = _quantity(ratio.get("numerator") or {}, f"{label} ingredient strength", [])
    per, per_unit = _quantity(ratio.get("denominator") or {"value": 1, "code": "1"}, f"{label} ingredient strength", [])
    scale = {"mg": Decimal(1), "ug": Decimal("0.001"), "mcg": Decimal("0.001"), "g": Decimal(1000)}.get(unit.lower())
    strength_unit = _PER.get(per_unit.lower()) or ("MG" if _dose_of(1, per_unit, label).kind == "count" else None)
    if scale is None or strength_unit is None or not per > 0:
        raise UnitError(f"{label}: the strength of {name!r} is {value:g} {unit}/{per:g} {per_unit}: give mg (or ug) "
                        "per unit, per mL, per h or per actuation")  # fmt: skip
    strength = Decimal(str(value)) * scale / Decimal(str(per))
    return Ingredient(name=name, drug=drug, strength=strength, unit=strength_unit)


def _content(prod: Product) -> tuple[object, ...]:
    """What decides the MME: the opioid ingredients and the dose form (brand and name spelling do not)."""
    return (prod.route, prod.form, tuple((i.drug, i.strength, i.unit) for i in prod.opioids))


def _text(concept: Mapping[str, Any] | None) -> str:
    if not concept:
        return ""
    return str(
        concept.get("text") or next((c.get("display") for c in concept.get("coding", []) if c.get("display")), "")
    )


def _names_opioid(text: str) -> bool:
    """Whether a medication's text names an opioid `mme` knows (then an unknown code is an error, not a skip)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return bool(words & OPIOID_WORDS)


class _NotOpioid(Exception):
    """A medication that is not an opioid: listed in a Bundle, never counted (internal signal)."""


# -- the dosage ------------------------------------------------------------------------------------


def _quantity(q: Mapping[str, Any], what: str, notes: list[str]) -> tuple[float, str]:
    """A Quantity's value and unit: the UCUM ``code`` when given, else the display ``unit`` (said)."""
    if "value" not in q:
        raise DoseError(f"{what} has no value")
    comparator = q.get("comparator")
    if comparator in (">", ">="):
        raise DoseError(f"{what} is '{comparator} {q['value']}': it has no maximum")
    if comparator in ("<", "<="):
        notes.append(f"{what} is '{comparator} {q['value']}': {q['value']} was used")
    code = q.get("code")
    if code is None:
        code = q.get("unit")
        if code is not None:
            notes.append(f"{what}: no UCUM code; the display unit {code!r} was read")
    return float(q["value"]), str(code or "")


def _dose_of(value: float, unit: str, what: str) -> _Dose:
    """A dose from a quantity's value and UCUM unit (or HL7 form code, for counts)."""
    key = unit.strip()
    if key.lower() in _COUNTS or key.upper() in {"TAB", "CAP", "PATCH", "SUPP", "SPRAY"}:
        return _Dose("count", value, "")
    unit_ = _MASS_AND_VOLUME.get(key.lower())
    if unit_ is None:
        raise UnitError(f"{what}: unit {unit!r} is neither a mass (mg, ug), a volume (mL), a rate (ug/h) nor a count")
    return _Dose("volume" if unit_ == "mL" else "amount", value, unit_)


def _positive(repeat: Mapping[str, Any], name: str, label: str) -> float | None:
    """A number of `timing.repeat`, None when absent: 0 (read as 1 before), a negative, true or text is no number."""
    value = repeat.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not (math.isfinite(value) and value > 0):
        raise DoseError(f"{label}: timing.repeat.{name} must be a positive number, not {value!r}")
    return float(value)


def _times(repeat: Mapping[str, Any], label: str) -> int | None:
    """The administrations that ``timeOfDay`` or ``when`` name (each once); None when neither does."""
    if repeat.get("timeOfDay"):
        return len(repeat["timeOfDay"])
    if repeat.get("when"):
        unknown = [w for w in repeat["when"] if w not in _ONCE_WHEN]
        if unknown:
            raise DoseError(f"{label}: timing 'when' {unknown} does not say how many times a day: give a frequency")
        return len(repeat["when"])
    return None


def _per_day(timing: Mapping[str, Any], label: str, notes: list[str]) -> float | None:
    """Administrations a day from ``timing``; None when it says nothing about frequency."""
    repeat = timing.get("repeat") or {}
    if repeat.get("dayOfWeek"):
        days = ", ".join(repeat["dayOfWeek"])
        notes.append(f"{label}: taken on some days of the week ({days}): MME/day is that of a day it is taken")
    frequency = _positive(repeat, "frequency", label)
    if (most := _positive(repeat, "frequencyMax", label)) is not None:
        if most < (frequency or 1):
            raise DoseError(f"{label}: frequencyMax {most:g} is below frequency {frequency or 1:g}: correct one")
        notes.append(f"{label}: {frequency or 1:g} to {most:g} times per period: the maximum was used")
        frequency = most
    times = _times(repeat, label)
    period = _positive(repeat, "period", label)
    if period is not None:
        unit = str(repeat.get("periodUnit") or "")
        if unit not in _HOURS:
            raise UnitError(f"{label}: periodUnit {unit!r} is not a time unit (h, d, wk, mo)")
        if unit in _MONTH_UNITS:
            notes.append(f"{label}: a month read as 30 days")
        if (longest := _positive(repeat, "periodMax", label)) is not None:
            if longest < period:
                raise DoseError(f"{label}: periodMax {longest:g} is below period {period:g}: correct one")
            notes.append(f"{label}: every {period:g} to {longest:g} {unit}: the shorter interval (most doses) was used")
        if times is not None and frequency is None:  # no frequency: each time named is one administration
            frequency = float(times)
            notes.append(f"{label}: {times} times of day named, no frequency: {times} per {period:g} {unit} read")
        elif times is not None and times != frequency:
            raise DoseError(
                f"{label}: {times} times of day named, but frequency {frequency:g} per {period:g} {unit}: "
                "give the frequency that the times say"
            )
        hours = period * _HOURS[unit]
        if not (math.isfinite(hours) and hours > 0):
            raise DoseError(f"{label}: period must be positive, not {period!r}")
        return (frequency or 1.0) * 24 / hours
    if frequency is not None:
        raise DoseError(f"{label}: frequency {frequency:g} without a period: say per what (period, periodUnit)")
    if times is not None:
        return float(times)
    code = next((c.get("code") for c in (timing.get("code") or {}).get("coding", []) if c.get("code")), None)
    if code is not None:
        if code.upper() not in _TIMING_CODES:
            raise DoseError(f"{label}: timing code {code!r} is not one mme reads ({', '.join(_TIMING_CODES)})")
        return _TIMING_CODES[code.upper()]
    return None


def _dose(entry: Mapping[str, Any], label: str, notes: list[str]) -> _Dose | None:
    """The dose per administration from ``doseAndRate`` (doseQuantity, doseRange maximum, rateQuantity)."""
    rates = entry.get("doseAndRate") or []
    if not rates:
        return None
    if len(rates) > 1:
        ordered = [r for r in rates if any(c.get("code") == "ordered" for c in (r.get("type") or {}).get("coding", []))]
        rates = ordered or rates
        notes.append(f"{label}: several doseAndRate entries; the {'ordered' if ordered else 'first'} one was used")
    rate = rates[0]
    if "doseQuantity" in rate:
        return _dose_of(*_quantity(rate["doseQuantity"], f"{label} doseQuantity", notes), f"{label} doseQuantity")
    if "doseRange" in rate:
        low, high = rate["doseRange"].get("low"), rate["doseRange"].get("high")
        if not high:
            raise DoseError(f"{label}: doseRange has no maximum (high)")
        value, unit = _quantity(high, f"{label} doseRange.high", notes)
        low_text = f"{low['value']:g} " if low and "value" in low else ""
        notes.append(f"{label}: dose range {low_text}to {value:g} {unit}: the maximum was used")
        return _dose_of(value, unit, f"{label} doseRange")
    if "rateQuantity" in rate:
        return _dose_of(*_quantity(rate["rateQuantity"], f"{label} rateQuantity", notes), f"{label} rateQuantity")
    return None


def _cap(entry: Mapping[str, Any], dose: _Dose, per_day: float, label: str, notes: list[str]) -> float:
    """``maxDosePerPeriod`` caps the administrations a day (in the dose's own unit or as a count)."""
    ratio = entry.get("maxDosePerPeriod")
    if isinstance(ratio, list):  # R5: a list of Ratios; the strictest applies
        caps = [_cap({"maxDosePerPeriod": r}, dose, per_day, label, []) for r in ratio]
        capped = min(caps, default=per_day)
        if capped < per_day:
            notes.append(f"{label}: capped by maxDosePerPeriod at {capped:g} administrations a day (not {per_day:g})")
        return capped
    if not ratio:
        return per_day
    amount, amount_unit = _quantity(ratio.get("numerator") or {}, f"{label} maxDosePerPeriod", notes)
    span, span_unit = _quantity(
        ratio.get("denominator") or {"value": 1, "code": "d"}, f"{label} maxDosePerPeriod", notes
    )
    if span_unit not in _HOURS:
        raise UnitError(f"{label}: maxDosePerPeriod is per {span_unit!r}, not a time")
    cap = _dose_of(amount, amount_unit, f"{label} maxDosePerPeriod")
    if (cap.kind, cap.unit) != (dose.kind, dose.unit):
        raise UnitError(f"{label}: maxDosePerPeriod is in {amount_unit!r}, the dose in another unit: give them alike")
    capped = cap.value / (span * _HOURS[span_unit] / 24) / dose.value
    if capped < per_day:
        notes.append(f"{label}: capped by maxDosePerPeriod at {capped:g} administrations a day (not {per_day:g})")
        return capped
    return per_day


def _at_most(entry: Mapping[str, Any], dose: _Dose, label: str, notes: list[str]) -> _Dose:
    """``maxDosePerAdministration`` caps the dose (a range's maximum, or a dose above it) when in its unit."""
    most = entry.get("maxDosePerAdministration")
    if not most:
        return dose
    value, unit = _quantity(most, f"{label} maxDosePerAdministration", notes)
    cap = _dose_of(value, unit, f"{label} maxDosePerAdministration")
    if (cap.kind, cap.unit) != (dose.kind, dose.unit):
        notes.append(
            f"{label}: maxDosePerAdministration {value:g} {unit} is in another unit than the dose: not applied"
        )
        return dose
    if cap.value < dose.value:
        notes.append(f"{label}: capped by maxDosePerAdministration at {cap.value:g} {unit} (not {dose.value:g})")
        return dose._replace(value=cap.value)
    return dose


def _dosages(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = list(resource.get("dosageInstruction") or resource.get("dosage") or [])
    if len(entries) > 1:
        sequences = {e.get("sequence") for e in entries}
        if len(sequences) > 1 or None in sequences:
            raise DoseError(
                f"{_label(resource)}: {len(entries)} dosage instructions in sequence (a taper or a schedule): "
                "convert one step, or give concurrent instructions the same sequence number"
            )
    return entries


# -- one resource ----------------------------------------------------------------------------------


def _one(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike
) -> list[DailyMME]:
    """One resource's items; a resource that does not have FHIR's shape is an `ExpressionError`, not a crash."""
    try:
        return _read_one(resource, medications, table, rxnorm)
    except (MMEError, _NotOpioid):
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        raise ExpressionError(
            f"{_label(resource)} does not have the shape of a FHIR R4 resource ({type(exc).__name__}: {exc}): "
            "check it against the schema"
        ) from exc


def _read_one(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike
) -> list[DailyMME]:
    label = _label(resource)
    key, prod = _medication(resource, medications, rxnorm)  # a Product, or an ingredient-level RxCUI
    notes: list[str] = []
    if resource.get("status") in _NOT_CURRENT - _DONE.get(resource["resourceType"], set()):
        notes.append(f"{label}: status {resource['status']!r}, counted anyway: choose the resources by status first")
    if prod is not None and prod.source == _NAMED:
        notes.append(f"{label}: the medication has no RxNorm coding: read from its name {prod.name!r}")
    elif prod is not None and prod.dose_form is None:
        how = "a strength per hour read as a patch" if prod.form == "patch" else "route and form are the table's"
        notes.append(f"{label}: the Medication states no RxNorm dose form: {how}")
    if resource["resourceType"] == "MedicationDispense" and "quantity" in resource and "daysSupply" in resource:
        dispensed = _dispensed(key, resource["quantity"], resource["daysSupply"], label, notes, table, rxnorm)
        by_dosage = _dosage_mme(resource, medications, table, rxnorm)
        if by_dosage is None or by_dosage == total(dispensed).mme_per_day:
            return dispensed
        return _noted(
            dispensed, [f"{label}: its dosage instructions give {by_dosage:g} MME/day; the dispensing was used"]
        )
    items: list[DailyMME] = []
    entries = _dosages(resource)
    if not entries:
        return _requested(resource, key, f"{label}: no dosage", notes, table, rxnorm)
    for n, entry in enumerate(entries):
        where = label if len(entries) == 1 else f"{label} dosage {n + 1}"
        dose = _dose(entry, where, notes)
        per_day = _per_day(entry.get("timing") or {}, where, notes)
        patch = prod is not None and any(i.unit == "MG/HR" for i in prod.opioids)
        if dose is None and patch:
            dose = _Dose("count", 1.0, "")
            notes.append(f"{where}: no dose given; one patch at a time was read")
        if dose is None or (per_day is None and not patch):
            missing = "dose (doseAndRate)" if dose is None else "timing (frequency and period)"
            if prod is not None and (by_text := _sig(prod, entry, dose, where, table, rxnorm)) is not None:
                items.append(by_text)
                continue
            text = f" (text: {entry['text']!r})" if entry.get("text") else ""
            return _requested(resource, key, f"{where}: the dosage has no {missing}{text}", notes, table, rxnorm)
        if entry.get("asNeededBoolean") or entry.get("asNeededCodeableConcept") or entry.get("asNeeded"):
            notes.append(f"{where}: as needed (PRN): the maximum use the dosage allows was counted")
        dose = _at_most(entry, dose, where, notes)
        if per_day is not None:
            per_day = _cap(entry, dose, per_day, where, notes)
        args: dict[str, Any] = {"per_day": None if patch else per_day, "table": table, "rxnorm": rxnorm}
        if dose.kind == "count":
            result = rx_daily_mme(key, count=dose.value, **args)
        elif dose.kind == "volume":
            result = rx_daily_mme(key, volume=(dose.value, dose.unit), **args)
        else:
            result = rx_daily_mme(key, (dose.value, dose.unit), **args)
        items.extend(result.items if isinstance(result, Total) else [result])
    return _noted(items, notes)


def _dosage_mme(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike
) -> float | None:
    """What a dispense's dosage instructions give (None when it has none that read), to compare with its dispensing."""
    try:
        if not _dosages(resource):
            return None
        return total(
            _read_one({**resource, "resourceType": "MedicationRequest"}, medications, table, rxnorm)
        ).mme_per_day
    except (MMEError, _NotOpioid, KeyError, TypeError, AttributeError, ValueError, IndexError):
        return None


def _sig(
    prod: Product, entry: Mapping[str, Any], dose: _Dose | None, where: str, table: TableLike, rxnorm: RxnormLike
) -> DailyMME | None:
    """A dosage without structured dose or timing, read from its ``text`` by the sig reader; None when it does
    not read, disagrees with a structured count or has a structured cap (then the dispense request is used)."""
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip() or "maxDosePerPeriod" in entry:
        return None
    try:
        result = convert_expression(rx_expression(prod, text, rxnorm=rxnorm, table=table), table=table)
    except MMEError:
        return None
    read = result.expression
    if dose is not None and not (dose.kind == "count" and read is not None and read.count == dose.value):
        return None
    note = f"{where}: dosage read from text {text!r} (no structured dose or timing)"
    return result.model_copy(update={"warnings": (note, *result.warnings)})


def _requested(
    resource: Mapping[str, Any], key: str | Product, why: str, notes: list[str], table: TableLike, rxnorm: RxnormLike
) -> list[DailyMME]:
    """Without a usable dosage, a MedicationRequest's dispenseRequest gives MME/day as claims do (said)."""
    request = resource.get("dispenseRequest") or {}
    if "quantity" not in request or "expectedSupplyDuration" not in request:
        raise DoseError(f"{why}: give the dose and timing, or a dispensing (quantity and supply duration)")
    notes.append(f"{why}; MME/day from the dispense request (quantity / expected supply duration)")
    return _dispensed(
        key, request["quantity"], request["expectedSupplyDuration"], _label(resource), notes, table, rxnorm
    )


def _dispensed(
    key: str | Product, quantity: Mapping[str, Any], supply: Mapping[str, Any], label: str, notes: list[str], table: TableLike,
    rxnorm: RxnormLike,
) -> list[DailyMME]:  # fmt: skip
    """The claims path: quantity dispensed / days supply, quantity in the product's units (or mL for liquids)."""
    value, unit = _quantity(quantity, f"{label} quantity", notes)
    days, days_unit = _quantity(supply, f"{label} days supply", notes)
    if days_unit and days_unit not in _HOURS:
        raise UnitError(f"{label}: the days supply is in {days_unit!r}, not a time")
    days = days * _HOURS.get(days_unit or "d", 24.0) / 24
    prod = key if isinstance(key, Product) else product(key, rxnorm=rxnorm)
    liquid = any(i.unit == "MG/ML" for i in prod.opioids)
    if not unit:
        notes.append(f"{label}: the quantity has no unit: read as {'mL' if liquid else 'units of the product'}")
    elif liquid and unit.lower() != "ml":
        raise UnitError(f"{label}: {prod.name} is a liquid: give the quantity in mL, not {unit!r}")
    elif not liquid and _dose_of(value, unit, f"{label} quantity").kind != "count":
        raise UnitError(f"{label}: give the quantity of {prod.name} as a count of units, not {unit!r}")
    result = dispensing_mme(key, quantity=value, days_supply=days, table=table, rxnorm=rxnorm)
    return _noted(list(result.items) if isinstance(result, Total) else [result], notes)


def _noted(items: list[DailyMME], notes: list[str]) -> list[DailyMME]:
    return [item.model_copy(update={"warnings": item.warnings + tuple(notes)}) for item in items] if notes else items


# -- the public calls ------------------------------------------------------------------------------


def _entries(bundle: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    """The Bundle's entries that hold a resource, and its Medications by ``fullUrl`` and ``Medication/id``."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ExpressionError(f"{_label(bundle)}: 'entry' must be a list of entries")
    entries = [e for e in entries if isinstance(e.get("resource"), Mapping)]
    medications: dict[str, Mapping[str, Any]] = {}
    for entry, res in ((e, e["resource"]) for e in entries):
        if res.get("resourceType") == "Medication":
            if entry.get("fullUrl"):
                medications[str(entry["fullUrl"])] = res
            if res.get("id"):
                medications[f"Medication/{res['id']}"] = res
    return entries, medications


def convert(
    obj: object,
    *,
    table: TableLike = DEFAULT_TABLE,
    rxnorm: RxnormLike = None,
    thresholds: Iterable[float] = CDC_THRESHOLDS,
) -> DailyMME | Total:
    """MME/day of a FHIR resource: a `mme.DailyMME` for one item, a `mme.Total` for several (a product with two
    opioids, concurrent dosages), a `BundleMME` for a Bundle (non-opioid medications listed as not counted)."""
    resource = read(obj)
    kind = resource["resourceType"]
    if kind == "Bundle":
        return _bundle(resource, table, rxnorm, thresholds)
    if kind not in MEDICATION_RESOURCES:
        raise ExpressionError(f"{_label(resource)}: mme reads {', '.join(sorted(MEDICATION_RESOURCES))} and Bundle")
    try:
        items = _one(resource, {}, table, rxnorm)
    except _NotOpioid as exc:
        raise NotCoveredError(f"{exc}: it has no MME") from None
    return items[0] if len(items) == 1 else total(items, thresholds=thresholds)


def _bundle(bundle: Mapping[str, Any], table: TableLike, rxnorm: RxnormLike, thresholds: Iterable[float]) -> BundleMME:
    entries, medications = _entries(bundle)
    items: list[DailyMME] = []
    skipped: list[str] = []
    counted: dict[str, Mapping[str, Any]] = {}  # by Type/id and fullUrl
    for entry in entries:
        resource = entry["resource"]
        if resource.get("resourceType") not in MEDICATION_RESOURCES:
            continue
        try:
            items.extend(_one(resource, medications, table, rxnorm))
        except _NotOpioid as exc:
            skipped.append(str(exc))
            continue
        except Exception as exc:
            exc.add_note(f"in {_label(resource)}")
            raise
        counted |= {key: resource for key in (_label(resource), entry.get("fullUrl")) if key}
    _counted_once(counted)
    tab = resolve_table(table)
    sum_ = total(items, thresholds=thresholds) if items else None
    return BundleMME(
        items=tuple(items),
        mme_per_day=sum_.mme_per_day if sum_ else None,
        table=sum_.table if sum_ else tab.slug,
        table_version=sum_.table_version if sum_ else tab.version,
        thresholds=tuple(float(t) for t in thresholds),
        not_counted=tuple(skipped),
    )


#: The references by which a medication resource names another for the same prescription (R4 and R5).
_SAME_PRESCRIPTION = ("authorizingPrescription", "basedOn", "derivedFrom", "partOf", "priorPrescription")


def _counted_once(counted: Mapping[str, Mapping[str, Any]]) -> None:
    """A request and its dispense (or statement, or the request it replaces) both counted would add one
    prescription twice, and two dispenses of one request (refills) as if taken together: an
    `AmbiguousDoseError`, since which one the total is about is the user's choice."""
    naming: dict[str, Mapping[str, Any]] = {}  # a prescription -> the first counted dispense of it
    for resource in {id(r): r for r in counted.values()}.values():
        for field in _SAME_PRESCRIPTION:
            links = resource.get(field) or []
            for link in links if isinstance(links, list) else [links]:
                ref = str(link.get("reference", "")) if isinstance(link, Mapping) else ""
                if (other := counted.get(ref)) is not None and other is not resource:
                    raise AmbiguousDoseError(
                        f"{_label(resource)} names {_label(other)} ({field}), both in the Bundle: their total would "
                        "count one prescription twice; convert the requests, the dispenses or the statements alone"
                    )
                if field != "authorizingPrescription" or not ref:  # basedOn may name a shared care plan
                    continue
                if (first := naming.setdefault(ref, resource)) is not resource:
                    raise AmbiguousDoseError(
                        f"{_label(first)} and {_label(resource)} both name {ref}: fills of one prescription are not "
                        "taken together (refills follow each other); summarise fills over time with mme.summarize"
                    )


def iter_convert(
    lines: Iterable[str], *, table: TableLike = DEFAULT_TABLE, rxnorm: RxnormLike = None
) -> Iterator[tuple[str, DailyMME | Total | None, str | None]]:
    """NDJSON (FHIR bulk export): for each non-blank line, (resource label, result or None, error or None).

    A line that fails gives its error message and no number, never 0; the stream goes on.
    """
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        label = f"line {n}"
        try:
            # bytes read with errors="surrogateescape" come back as lone surrogates: decoded again, they are named
            text = (
                line if line.isascii() else utf8_text(line.encode("utf-8", "surrogateescape"), label, ExpressionError)
            )
            resource = read(_json(text.lstrip(_BLANK), label))  # a line is JSON, never a path
            label = _label(resource)
            yield label, convert(resource, table=table, rxnorm=rxnorm), None
        except (MMEError, TypeError) as exc:
            yield label, None, f"{type(exc).__name__}: {exc}"

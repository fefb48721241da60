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
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, NamedTuple

from ._engine import CDC_THRESHOLDS, DailyMME, TableLike, Total, _thresholds, less_than_daily, total
from ._engine import convert as convert_expression
from ._errors import (
    AmbiguousDoseError,
    ArgumentTypeError,
    DoseError,
    ExpressionError,
    MMEError,
    NotCoveredError,
    UnitError,
    UnknownRxCUIError,
    UnknownTermError,
    excerpt,
    utf8_text,
)
from ._parse import parse_product, part_of_a_patch
from ._rxnorm_build import DOSE_FORMS
from ._tables import DEFAULT_TABLE, resolve_table
from ._vocab import FORM_ROUTES, ROUTES, TRANSMUCOSAL, non_opioid, opioid_named, resolve_route
from .rxnorm import (
    Ingredient,
    Product,
    RxnormLike,
    _one_dose_ml,
    brand_words,
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
#: RxNorm's system URI, as FHIR names it, as written with https, and as its HL7 OID (C-CDA documents converted to
#: FHIR keep it): each names RxNorm.
_RXNORM_SYSTEMS = frozenset(
    {RXNORM_SYSTEM, "https://www.nlm.nih.gov/research/umls/rxnorm", "urn:oid:2.16.840.1.113883.6.88"}
)
MEDICATION_RESOURCES = frozenset({"MedicationRequest", "MedicationStatement", "MedicationDispense"})
#: Medication resources not read, with why: listed in a Bundle as not counted, never skipped unsaid.
_NOT_READ = {
    "MedicationAdministration": "a record of doses given, which mme does not read (convert the request, dispense or "
    "statement)",
    "MedicationOrder": "DSTU2's medication order, which mme does not read (convert it to R4's MedicationRequest)",
}

#: UCUM period units in hours (a month is 30 days and a year 365, as CDC's CQL calculator reads them).
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0, "mo": 720.0, "a": 8760.0}
#: The words of each unit, which FHIR's UnitsOfTime codes are not: read as their code, with a warning.
_TIME_WORDS = {
    word: code
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
_HOURS |= {word: _HOURS[code] for word, code in _TIME_WORDS.items()}
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
     "{unit}", "tablet", "capsule", "film", "spray", "each", "ea", "lozenge", "suppository", "{syringe}", "{cartridge}",
     "{auto-injector}"}
)  # fmt: skip
#: Count units that name a patch, or a unit taken by mouth: on the other kind of product, which is meant is unknown.
_PATCH_UNITS = frozenset({"{patch}", "patch"})
_ORAL_UNITS = frozenset({"{tablet}", "{tab}", "{tbl}", "tab", "tablet", "{capsule}", "{cap}", "cap", "capsule"})
_SPRAY_UNITS = frozenset({"{actuat}", "{puff}", "{spray}", "spray"})
#: The count units that name a form: on a product of another form, which product is meant is unknown (a tablet of a
#: film, a nasal spray or a lozenge, each another product with its own factor); a tablet and a capsule count alike.
_FORM_UNITS = {
    "tablet": _ORAL_UNITS, "capsule": _ORAL_UNITS, "patch": _PATCH_UNITS, "spray": _SPRAY_UNITS,
    "film": frozenset({"{film}", "film"}), "lozenge": frozenset({"{lozenge}", "{troche}", "lozenge"}),
    "suppository": frozenset({"{suppository}", "supp", "suppository"}),
}  # fmt: skip
_NAMED_FORMS: frozenset[str] = frozenset().union(*_FORM_UNITS.values())
_MASS_AND_VOLUME = {
    "mg": "mg", "ug": "mcg", "mcg": "mcg", "g": "g", "ml": "mL", "mg/h": "mg/h", "ug/h": "mcg/h", "mcg/h": "mcg/h"
}  # fmt: skip
_A_MONTH = "a month read as 30 days"  # as CDC's calculator reads one; UCUM's mo is 30.4375 days
#: Each resource's status codes, in STU3, R4 and R5 together, with what a status says when the resource may not be
#: what the patient takes ("" when it is: active, a dispense completed...). Such a resource is still converted, as
#: CDC's calculator does (the caller chooses the resources), and the result says so; a statement's not-taken is a
#: fact about the patient, and not counted (`_not_taken`).
_LAPSED = "counted anyway: choose the resources by status first"
_NOT_HANDED_OVER = "not yet handed over to the patient: counted anyway"
_STATUSES: dict[str, dict[str, str]] = {
    kind: dict.fromkeys(current.split(), "") | dict.fromkeys(lapsed.split(), _LAPSED) | pending
    for kind, current, lapsed, pending in (
        ("MedicationRequest", "active unknown", "on-hold ended stopped completed cancelled entered-in-error draft", {}),
        ("MedicationStatement", "active intended unknown not-taken recorded",
         "completed entered-in-error stopped on-hold draft", {}),
        ("MedicationDispense", "completed unknown", "cancelled on-hold entered-in-error stopped declined unfulfilled",
         dict.fromkeys(("preparation", "in-progress"), _NOT_HANDED_OVER)),
    )
}  # fmt: skip
#: MedicationRequest intents that authorise nothing (FHIR R4/R5 request-intent): counted, as statuses are, and said.
_NOT_ORDERS = {
    "proposal": "a suggestion, not an order",
    "plan": "an intention, not an order",
    "option": "one of alternatives, not an order",
}


def _unknown_status(resource: Mapping[str, Any]) -> str | None:
    """A warning for a status that is none of the resource's codes, or None. FHIR's codes are case-sensitive, so one
    that is a code in another case ("Not-Taken") is refused: read as the code, or as unknown, it is counted or not."""
    status = resource.get("status")
    codes: Mapping[str, str] = _STATUSES.get(str(resource.get("resourceType")), {})
    if status is None or status in codes:
        return None
    if isinstance(status, str) and status.strip().lower() in codes:
        raise ExpressionError(f"{_label(resource)}: status {status!r} is not a FHIR code (codes are case-sensitive): "
                              f"write {status.strip().lower()!r}")  # fmt: skip
    return f"{_label(resource)}: status {status!r} is not a {resource['resourceType']} status code: counted anyway"


def _modifiers(resource: Mapping[str, Any], label: str) -> None:
    """A ``modifierExtension`` anywhere in a resource (on it, a dosage, its timing, a contained Medication) may
    change what it means (negate it, make it hypothetical), and FHIR requires an application that does not
    understand one not to read the resource as if it were absent: mme understands none (`mme.ExpressionError`
    naming where it is and its url). Walked without recursion: a resource nests as deep as JSON allows."""
    stack: list[tuple[str, object]] = [("", resource)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{path}[{n}]", item) for n, item in reversed(list(enumerate(node))))
            continue
        if not isinstance(node, Mapping):
            continue
        if found := node.get("modifierExtension"):  # an empty list says nothing
            each = found if isinstance(found, list) else [found]
            urls = [str(e.get("url")) for e in each if isinstance(e, Mapping)]
            raise ExpressionError(
                f"{label}: a modifierExtension{f' in {path}' if path else ''} ({', '.join(urls) or 'no url'}) may "
                "change what it means, and mme does not understand it (FHIR: such an extension is never ignored): "
                "not converted; remove it only if it changes neither the dose nor whether the medication is taken"
            )
        stack.extend((f"{path}.{key}" if path else str(key), value) for key, value in reversed(list(node.items())))


#: The booleans that say a resource's medication is not to be taken, or was not: R4's request, DSTU2's statement.
_NOT_TO_TAKE = {"doNotPerform": "an order not to give it", "wasNotTaken": "DSTU2's statement that it is not taken"}


def _not_taken(resource: Mapping[str, Any]) -> str | None:
    """Why a resource says the medication is not to be taken or not taken, or None: a request with doNotPerform (an
    order not to give it), a statement of not taking it in each version's words (R4 status not-taken, R5 adherence
    not-taking, STU3 ``taken`` "n", DSTU2 ``wasNotTaken``): a fact about the patient, unlike a status the caller
    filters by."""
    for field, why in _NOT_TO_TAKE.items():
        if resource.get(field) is True:
            return f"{field} is true ({why})"
        if resource.get(field) not in (None, False):  # "true" as text: an order not to give it, or a slip?
            raise ExpressionError(
                f"{_label(resource)}: {field} is {resource[field]!r}, not a JSON boolean (true or false)"
            )
    if "not-taking" in _adherence(resource):
        return "its adherence is not-taking"
    if resource.get("taken") == "n":
        return "taken is 'n' (not taken)"
    if resource.get("resourceType") == "MedicationStatement" and resource.get("status") == "not-taken":
        return "its status is not-taken"
    return None


def _adherence(resource: Mapping[str, Any]) -> list[str]:
    """The codes of an R5 statement's ``adherence``: whether the patient takes the medication."""
    adherence = resource.get("adherence")
    codes = ((adherence.get("code") or {}).get("coding") or []) if isinstance(adherence, Mapping) else []
    return [str(c.get("code")) for c in codes if isinstance(c, Mapping)]


class _Dose(NamedTuple):
    """A dose per administration: a count of the product's units, a volume (mL), or an amount (mg, mcg/h...)."""

    kind: Literal["count", "volume", "amount"]
    value: float
    unit: str  # "" for a count
    said: str = ""  # a count's unit as written ("{patch}", "TAB")


class BundleMME(Total):
    """A Bundle's total: one item per opioid, plus the medications not counted and why (never as 0)."""

    not_counted: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()
    """Why the Bundle may not hold every resource its search found (a next page, an error the server reported):
    opioids may then be missing from the total. Also among the `warnings`."""

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.incomplete + super().warnings

    def __str__(self) -> str:
        text = super().__str__() if self.items else f"total: no MME [{self.table}]"
        lines = [text, *(f"not counted: {reason}" for reason in self.not_counted)]
        return "\n".join([*lines, *(f"warning: {why}" for why in self.incomplete)])


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
        if not _is_file(path):
            if isinstance(obj, str):  # text meant as JSON or as a path: which one is unknown, so both are said
                raise ExpressionError(f"{excerpt(obj)} is neither FHIR JSON (it starts with '{{' or '[') nor a file")
            raise FileNotFoundError(f"no FHIR JSON file at {path}")
        data = _json(utf8_text(path.read_bytes(), str(path), ExpressionError), str(path))
    else:
        raise ArgumentTypeError(
            f"cannot read a FHIR resource from {_kind(obj)}: give a dict, JSON text, a path or a model"
        )
    if not isinstance(data, dict) or "resourceType" not in data:
        raise ExpressionError("not a FHIR resource: it has no resourceType")
    _named_type(data)
    return data


def _named_type(resource: Mapping[str, Any], where: str = "") -> None:
    """A resource's ``resourceType`` must be a name: one that is a list, an object, a number, null or true names no
    kind of resource, so it is neither read nor skipped."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        named = f" (id {resource['id']!r})" if isinstance(resource.get("id"), str) else ""
        said = "none" if "resourceType" not in resource else "null" if kind is None else _kind(kind)
        raise ExpressionError(f"{where}not a FHIR resource{named}: its resourceType is {said}, not the name of a "
                              "resource type (MedicationRequest...)")  # fmt: skip
    meant = _TYPES.get(kind.strip().lower())
    if meant is not None and kind != meant:  # skipped as another type, a request would go uncounted unsaid
        named = f" (id {resource['id']!r})" if isinstance(resource.get("id"), str) else ""
        raise ExpressionError(f"{where}not a FHIR resource{named}: its resourceType {kind!r} is not {meant!r}: a type's "
                              "name is exact, in case and spaces")  # fmt: skip


#: The resource types mme reads or names, by their names in lower case: one written otherwise is refused.
_TYPES = {
    kind.lower(): kind
    for kind in (*MEDICATION_RESOURCES, *_NOT_READ, "Medication", "Bundle", "OperationOutcome", "Patient")
}


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name no file can have (too long, a NUL in it) is none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _kind(obj: object) -> str:
    """What a value is, in the words of JSON (where a resource comes from), for a message."""
    kinds = {list: "a list", tuple: "a list", dict: "an object", str: "text", bool: "true or false", int: "a number",
             float: "a number"}  # fmt: skip
    return "nothing (None)" if obj is None else kinds.get(type(obj), f"a {type(obj).__name__}")


_BLANK = " \t\r\n\ufeff"  # what may come before JSON's first character: a byte order mark too


def _integer(text: str) -> int:
    """A JSON integer; one too long for Python to read (over 4300 digits) is said as what it is, no value of a
    resource, not with Python's advice on raising the limit."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"it holds a number of {len(text.lstrip('-'))} digits, no value of a resource") from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_int=_integer)
    except ValueError as exc:
        raise ExpressionError(f"{where} is not valid JSON: {exc}") from exc
    except RecursionError:  # no FHIR resource nests a thousand levels deep
        raise ExpressionError(f"{where}: its JSON is nested too deeply to be a FHIR resource") from None


def _label(resource: Mapping[str, Any]) -> str:
    """How messages name a resource: "MedicationRequest/r1", or "MedicationRequest (no id)"."""
    given = resource.get("id")
    kind = resource.get("resourceType")
    return f"{kind}/{given}" if given not in (None, "") else f"{kind} (no id)"


# -- the medication --------------------------------------------------------------------------------


def _codings(concept: Mapping[str, Any] | None) -> list[str]:
    return [
        str(c["code"]).strip()
        for c in (concept or {}).get("coding", [])
        if str(c.get("system") or "").rstrip("/") in _RXNORM_SYSTEMS and c.get("code")
    ]


def _concept(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], notes: list[str]
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The medication's CodeableConcept, and the Medication resource when it is referenced (R4 and R5). A reference
    that does not resolve (Epic sends the Medication only when it is asked to include it) is read by its display,
    as a display alone is (said)."""
    if resource.get("medicationCodeableConcept") is not None:  # a JSON null names nothing
        return resource["medicationCodeableConcept"], None
    reference = resource.get("medicationReference")
    if isinstance(resource.get("medication"), Mapping):  # R5: a CodeableReference
        reference = resource["medication"].get("reference")
        if "concept" in resource["medication"]:
            return resource["medication"]["concept"], None
    if not reference:
        return None, None
    ref = str(reference.get("reference", ""))
    if not ref and reference.get("display"):  # a Reference by its display alone: the medication's name
        return {"text": str(reference["display"])}, None
    if ref.startswith("#"):
        found = [c for c in resource.get("contained", []) if c.get("id") == ref[1:]]
        if len(found) > 1:  # invalid FHIR: which one is meant is unknown
            raise AmbiguousDoseError(f"{_label(resource)}: {len(found)} contained resources have the id {ref[1:]!r}: "
                                     "give each its own id")  # fmt: skip
        medication = found[0] if found else None
    else:
        medication = medications.get(ref)
        if medication is not None:  # a contained one is walked with its resource
            _modifiers(medication, f"{_label(resource)}: the Medication {ref!r}")
    if medication is None:
        missing = f"{_label(resource)}: the Medication {ref!r} is neither contained nor in the Bundle"
        if not reference.get("display"):
            raise ExpressionError(missing)
        notes.append(f"{missing}: its reference's display {str(reference['display'])!r} was read as its name")
        return {"text": str(reference["display"])}, None
    return medication.get("code"), medication


def _medication(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], rxnorm: RxnormLike, notes: list[str]
) -> tuple[str | Product, Product | None]:
    """What to convert (a product, or an ingredient-level RxCUI) and the product; several product codes must agree,
    and a code the file lacks beside one it holds is said (it may name another product).

    A Medication resource without a product code is described by its ``ingredient`` strengths.
    """
    if (both := _two_named(resource)) is not None:
        return _same_medication(resource, both, medications, rxnorm, notes)
    concept, medication = _concept(resource, medications, notes)
    codes = _codings(concept)
    products: list[Product] = []
    ingredients: list[str] = []
    ingredients_drugs: list[str] = []
    unknown: list[str] = []
    for code in codes:
        try:
            products.append(product(code, rxnorm=rxnorm))
        except UnknownRxCUIError as exc:
            if exc.ingredient is not None:
                ingredients.append(code)
                ingredients_drugs.append(exc.ingredient)
            else:
                unknown.append(code)
    label = _label(resource)
    for drug in [*(i.drug for p in products for i in p.opioids), *ingredients_drugs]:
        _antidiarrheal(drug, label)
    each = [f"RxCUI {c} ({d})" for c, d in zip(ingredients, ingredients_drugs, strict=True)]
    drugs = {i.drug for i in products[0].opioids} if products else set(ingredients_drugs[:1])
    if other := [n for n, d in zip(each, ingredients_drugs, strict=True) if d not in drugs]:  # morphine's code too
        first = products[0].label if products else each[0]
        raise AmbiguousDoseError(f"{label}: its RxNorm codes name different opioids: {first}; {', '.join(other)}: "
                                 "give the codes of one medication")  # fmt: skip
    if products:
        if any(_content(p) != _content(products[0]) for p in products[1:]):
            names = "; ".join(p.label for p in products)
            raise AmbiguousDoseError(f"{_label(resource)}: its RxNorm codes name different products: {names}")
        if medication is not None and medication.get("ingredient"):
            _same_strengths(products[0], medication, _text(concept), resource, rxnorm)
        if unknown:
            notes.append(_lacked(label, unknown, products[0].rxnorm_date, products[0].label))
        return products[0], products[0]
    if medication is not None and medication.get("ingredient"):
        described = _described(medication, _text(concept), _label(resource), rxnorm)
        for ing in described.opioids:
            _antidiarrheal(ing.drug, label)
        if described.opioids:
            return described, described
    if ingredients:
        if unknown:  # acetaminophen's 161 beside oxycodone's 7804: said, as beside a product's code
            notes.append(_lacked(label, unknown, rxnorm_date(rxnorm=rxnorm), each[0]))
        return ingredients[0], None
    text = _text(concept)
    date = rxnorm_date(rxnorm=rxnorm)
    _antidiarrheal(_named_antidiarrheal(text), label)  # a name decides only where no code does
    if codes:  # the file holds opioid products only: a code it lacks may be an opioid newer than the file
        lacking = UnknownRxCUIError(", ".join(codes), date)
        if _names_opioid(text, rxnorm):
            raise lacking
        raise _NotCounted(
            f"{_label(resource)}: RxCUI {', '.join(codes)} ({text or 'no name'}) is not in the RxNorm product file "
            f"(RxNorm {date}): not an opioid product, or one newer than the file (pass a newer file, rxnorm=)",
            lacking,
        )
    if (named := _named(text, rxnorm)) is not None:  # the name reader's own reading, as `mme.convert` gives it
        return named, named
    if (opioid := _names_opioid(text, rxnorm)) is not None:
        raise ExpressionError(
            f"{_label(resource)}: the medication {text!r} has no RxNorm coding and its name does not read as a "
            f"product with a strength, but it names or nearly spells an opioid ({opioid}): add a coding "
            f"({RXNORM_SYSTEM}), or name it as the product with its strength (e.g. 'oxycodone 5 mg oral tablet')"
        )
    if not text:  # codes of other systems (NDC, SNOMED) or none: an opioid as likely as not, never skipped
        systems = sorted({str(c.get("system") or "no system") for c in (concept or {}).get("coding", [])})
        coded = f" (only codes of {', '.join(systems)})" if systems else ""
        raise ExpressionError(
            f"{_label(resource)}: the medication has no RxNorm coding and no name{coded}, so whether it is an "
            f"opioid is unknown: add an RxNorm coding ({RXNORM_SYSTEM}) or its name (text)"
        )
    reason = f"{_label(resource)}: {text!r} names no opioid mme knows, and spells none nearly: not counted"
    raise _NotCounted(reason, NotCoveredError(f"{reason} (if it is an opioid, add its RxNorm coding)"))


def _lacked(label: str, unknown: list[str], date: object, read_as: str) -> str:
    """What is said of a medication's RxNorm codes that the product file lacks, beside one it holds (``read_as``)."""
    return (f"{label}: its RxNorm code(s) {', '.join(unknown)} are not in the RxNorm product file (RxNorm {date}): "
            f"read as {read_as}, its other code; check that they name that product")  # fmt: skip


def _two_named(resource: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The resource as naming its medication each way, when it names it twice: R4's ``medicationCodeableConcept``
    beside ``medicationReference`` (one choice element given twice), or an R5 ``medication`` with both a concept and
    a reference; None otherwise."""
    rest = {k: v for k, v in resource.items() if k not in ("medicationCodeableConcept", "medicationReference")}
    if resource.get("medicationCodeableConcept") is not None and resource.get("medicationReference"):
        concept, reference = resource["medicationCodeableConcept"], resource["medicationReference"]
    elif isinstance(medication := resource.get("medication"), Mapping) and medication.get("reference"):
        if "concept" not in medication:
            return None
        concept, reference = medication["concept"], medication["reference"]
        rest.pop("medication")
    else:
        return None
    return rest | {"medicationCodeableConcept": concept}, rest | {"medicationReference": reference}


def _same_medication(
    resource: Mapping[str, Any], both: tuple[dict[str, Any], dict[str, Any]],
    medications: Mapping[str, Mapping[str, Any]], rxnorm: RxnormLike, notes: list[str],
) -> tuple[str | Product, Product | None]:  # fmt: skip
    """A medication named by a concept and by a reference is read from both, which must name the same opioid content
    (`AmbiguousDoseError` naming both otherwise, or when one does not read): which one is meant is unknown. A concept
    that is only a name of the reference's one opioid ("Oxycodone") agrees with it."""
    read: list[tuple[str | Product, Product | None] | Exception] = []
    for one in both:
        try:
            read.append(_medication(one, medications, rxnorm, notes))
        except (MMEError, _NotCounted) as exc:
            read.append(exc)
    first, second = read
    if isinstance(first, _NotCounted) and isinstance(second, _NotCounted):
        raise first  # neither is an opioid: not counted, for its reason
    if not isinstance(first, Exception) and not isinstance(second, Exception) and _alike_key(first[0], second[0]):
        return second if isinstance(second[0], Product) and second[0].rxcui else first
    concept = both[0]["medicationCodeableConcept"]
    if isinstance(first, ExpressionError) and not isinstance(second, Exception) and isinstance(second[0], Product):
        named = None if _codings(concept) else _names_opioid(_text(concept), rxnorm)  # a drug's name, no strength
        if named is not None and {i.drug for i in second[0].opioids} == {named}:
            return second
    label = f"{_label(resource)}: "
    names = [str(r).removeprefix(label) if isinstance(r, Exception) else r[0].label if isinstance(r[0], Product)
             else f"RxCUI {r[0]}" for r in read]  # fmt: skip
    raise AmbiguousDoseError(
        f"{_label(resource)}: it names its medication twice, and they differ: as a concept, {names[0]}; as a "
        f"reference, {names[1]}: give one"
    )


def _alike_key(one: str | Product, other: str | Product) -> bool:
    """Whether two readings of a medication give the same opioid content (a route or form one leaves unsaid aside)."""
    if not isinstance(one, Product) or not isinstance(other, Product):
        return one == other
    said = [(a, b) for a, b in ((one.route, other.route), (one.form, other.form)) if a is not None and b is not None]
    return _content(one)[2] == _content(other)[2] and all(a == b for a, b in said)


#: Opioids given for diarrhoea, which no MME table gives a factor (CDC's guidance leaves antidiarrhoeals out), and
#: their products' names: Imodium (loperamide), Lomotil and the BNF's co-phenotrope (diphenoxylate with atropine),
#: Motofen (difenoxin with atropine).
_ANTIDIARRHEALS = frozenset({"loperamide", "diphenoxylate", "difenoxin"})
_ANTIDIARRHEAL_NAMES = _ANTIDIARRHEALS | {"imodium", "lomotil", "co phenotrope", "cophenotrope", "motofen"}


def _named_antidiarrheal(text: str) -> str | None:
    words = re.findall(r"[a-z]+", text.lower())
    phrases = {" ".join(words[i : i + n]) for n in (1, 2) for i in range(len(words) - n + 1)}
    return min(phrases & _ANTIDIARRHEAL_NAMES, default=None)


def _antidiarrheal(drug: str | None, label: str) -> None:
    """An antidiarrheal opioid is listed as not counted with its reason, by its code as by its name, rather than
    failing a Bundle: no table converts it, and it is no analgesic."""
    if drug is not None and drug in _ANTIDIARRHEAL_NAMES:
        why = f"{drug} is an antidiarrheal opioid: no MME table gives it a factor"
        raise _NotCounted(f"{label}: {why}: not counted", NotCoveredError(f"{label}: {why}"))


_NAMED = "FHIR medication name"

#: The name reader's strength units -> (RxNorm strength unit, mg per unit of the numerator).
_NAMED_UNITS = {
    "mg": ("MG", Decimal(1)), "mcg": ("MG", Decimal("0.001")), "g": ("MG", Decimal(1000)),
    "mg/mL": ("MG/ML", Decimal(1)), "mcg/mL": ("MG/ML", Decimal("0.001")), "g/mL": ("MG/ML", Decimal(1000)),
    "mg/h": ("MG/HR", Decimal(1)), "mcg/h": ("MG/HR", Decimal("0.001")), "g/h": ("MG/HR", Decimal(1000)),
}  # fmt: skip


_COMPANY = "ltd|limited|plc|inc|llc|gmbh|ag|bv|pharmaceuticals|pharma|laboratories|healthcare|uk"
#: What national product names (NHS dm+d, Australia's AMT) add to a product's name that says nothing of its dose,
#: in the order they are taken off: an AMP's supplier in brackets ("(Sandoz Ltd)", a company's name: never "(modified release)"), an AMT pack (", 20", ", 250 mL,
#: bottle"), "sugar free" and its kin, a pack volume after a liquid's form ("oral solution 100 ml"); and dm+d's
#: injection form ("solution for injection ampoules"), the name reader's "injection".
_PACK_WORDS = (
    (re.compile(rf"\s*\((?:[^()]|\([^()]*\))*\b(?:{_COMPANY})\.?\)\s*$", re.IGNORECASE), ""),
    (re.compile(r",\s*\d+(?:\.\d+)?(?:\s*ml)?(?:\s*,\s*[a-z][a-z ]*)?\s*$", re.IGNORECASE), ""),
    (re.compile(r"\b(?:sugar|gluten|alcohol|preservative|lactose|colou?r)[ -]free\b", re.IGNORECASE), ""),
    (
        re.compile(r"\b(solution|liquid|syrup|suspension|elixir|linctus|drops|mixture)\s+\d+(?:\.\d+)?\s*ml\s*$", re.I),
        r"\1",
    ),
    (re.compile(r"\bsolution for injection(?:\s+(?:ampoules?|vials?|pre-?filled syringes?))?\b", re.I), "injection"),
)


def _named(text: str, rxnorm: RxnormLike) -> Product | None:
    """A product read from an uncoded medication's name ("Percocet 5/325 tablet"), or None when it does not read;
    a name that reads only without its pack words (`_PACK_WORDS`) reads so."""
    try:
        read = parse_product(text)
    except MMEError:
        bare = text
        for pattern, instead in _PACK_WORDS:
            bare = " ".join(pattern.sub(instead, bare).split())
        try:
            read = parse_product(bare)
        except MMEError:
            return None
    ingredients = []
    for part in read.ingredients:
        if part.unit not in _NAMED_UNITS:  # a daily total ("40 mg/day") is no product strength
            return None
        unit, scale = _NAMED_UNITS[part.unit]
        drug = read.drug if len(read.ingredients) == 1 or _names_opioid(part.name, rxnorm) else None
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
    ingredients: list[Ingredient] = []
    unstated = False
    for entry in medication["ingredient"]:
        item = entry.get("itemCodeableConcept") or (entry.get("item") or {}).get("concept") or {}  # R4, R5
        drug = next((d for c in _codings(item) if (d := ingredient_drug(c, rxnorm=rxnorm))), None)
        name = _text(item) or (drug or "an ingredient")
        if drug is None and _names_opioid(name, rxnorm):
            raise ExpressionError(f"{label}: the ingredient {name!r} has no RxNorm ingredient code mme knows")
        ratio = entry.get("strength") or entry.get("strengthRatio") or entry.get("amount")  # R4, R5, STU3
        if not ratio and isinstance(entry.get("strengthQuantity"), Mapping):  # R5: the amount in one unit
            ratio = {"numerator": entry["strengthQuantity"]}
        if not ratio:
            if drug is not None:
                raise DoseError(f"{label}: the ingredient {name!r} states no strength")
            unstated = True  # a non-opioid without strength: never counted, but an amount in mg may be its
            continue
        ingredient = _ingredient(ratio, name, drug, label)
        if drug is not None and (twice := next((i for i in ingredients if i.drug == drug), None)) is not None:
            raise AmbiguousDoseError(
                f"{label}: the Medication lists {drug} twice ({twice.strength:f} and {ingredient.strength:f} "
                f"{ingredient.unit}): one ingredient listed twice, or two strengths to add up? List it once"
            )
        ingredients.append(ingredient)
    form_code = next(iter(_codings(medication.get("form"))), None)  # RxNorm's: a SNOMED CT or EDQM form is another
    form_name = dose_form_name(form_code, rxnorm=rxnorm) if form_code else None
    route, form, release = DOSE_FORMS[form_name] if form_name else (None, None, None)
    if form_name is None and any(i.unit == "MG/HR" for i in ingredients):
        route, form = "transdermal", "patch"
    if all(i.drug is not None for i in ingredients) and _names_another(text):
        unstated = True  # "Percocet 5/325" listing its oxycodone alone
    return Product(
        rxcui="", name=text or f"Medication/{medication.get('id', '?')}", dose_form=form_name,
        dose_form_code=form_code if form_name else None, route=route, form=form, release=release, brand=None,
        volume_ml=None, ingredients=tuple(ingredients), source=_UNSTATED if unstated else "FHIR Medication",
        rxnorm_date=rxnorm_date(rxnorm=rxnorm),
    )  # fmt: skip


#: The source of a Medication one of whose non-opioid components is listed without a strength, or named but not
#: listed: an amount in mg may be that component's, so none is read as the opioid's.
_UNSTATED = "FHIR Medication, a component's strength not stated"


def _names_another(text: str) -> bool:
    """Whether a medication's name names a non-opioid component ("oxycodone and acetaminophen tablet", "Percocet
    5/325": two strengths)."""
    try:
        if len(parse_product(text).ingredients) > 1:
            return True
    except MMEError:
        pass
    return any(non_opioid(word) for word in re.findall(r"[a-z]+", text.lower()))


def _ingredient(ratio: Mapping[str, Any], name: str, drug: str | None, label: str) -> Ingredient:
    """An ingredient from a strength Ratio: mg or ug per unit, per mL, per time (a patch: per hour, or per day...)
    or per actuation."""
    value, unit = _quantity(ratio.get("numerator") or {}, f"{label} ingredient strength", [])
    denominator = ratio.get("denominator") or {"value": 1, "code": "1"}
    per, per_unit = _quantity(denominator, f"{label} ingredient strength", [])
    unit, per_unit = _unit_key(unit), _unit_key(per_unit)  # "milligrams" per "millilitre", as a dose's unit reads
    in_hours = _time(denominator, per_unit, f"the strength of {name!r}", label)
    if per_unit not in _PER and in_hours is not None and per > 0:  # 600 ug/d: 25 ug/h
        per, per_unit = per * in_hours, "h"
    scale = {"mg": Decimal(1), "ug": Decimal("0.001"), "mcg": Decimal("0.001"), "g": Decimal(1000)}.get(unit.lower())
    strength_unit = _PER.get(per_unit.lower()) or ("MG" if _dose_of(1, per_unit, label).kind == "count" else None)
    if scale is None or strength_unit is None or not per > 0:
        raise UnitError(f"{label}: the strength of {name!r} is {value:g} {unit}/{per:g} {per_unit}: give mg (or ug) "
                        "per unit, per mL, per h or per actuation")  # fmt: skip
    strength = Decimal(str(value)) * scale / Decimal(str(per))
    return Ingredient(name=name, drug=drug, strength=strength, unit=strength_unit)


def _same_strengths(
    coded: Product, medication: Mapping[str, Any], text: str, resource: Mapping[str, Any], rxnorm: RxnormLike
) -> None:
    """A Medication's code and its ``ingredient`` list must give the same opioid strengths: which is right is unknown.
    A list that does not read (an ingredient named without a code) leaves the code to decide, as it did."""
    try:
        listed = _described(medication, text, _label(resource), rxnorm)
    except MMEError:
        return

    def strengths(prod: Product) -> list[tuple[str, Decimal, str]]:
        return sorted((i.drug or "", i.strength, i.unit) for i in prod.opioids)

    if strengths(coded) != strengths(listed):
        said = "; ".join(f"{d} {s:f} {u}" for d, s, u in strengths(listed)) or "no opioid"
        raise AmbiguousDoseError(
            f"{_label(resource)}: its code is {coded.label}, but its ingredients say {said}: correct one"
        )


def _content(prod: Product) -> tuple[object, ...]:
    """What decides the MME: the opioid ingredients and the dose form (brand and name spelling do not)."""
    return (prod.route, prod.form, tuple((i.drug, i.strength, i.unit) for i in prod.opioids))


def _text(concept: Mapping[str, Any] | None) -> str:
    if not concept:
        return ""
    return str(
        concept.get("text") or next((c.get("display") for c in concept.get("coding", []) if c.get("display")), "")
    )


def _names_opioid(text: str, rxnorm: RxnormLike) -> str | None:
    """The opioid a medication's text names or nearly spells (`mme`'s names, or a brand of the product file), or None:
    a name with one that does not read, or an unknown code so named, is an error, never a skip."""
    return opioid_named(text, brand_words(rxnorm=rxnorm))


class _NotCounted(Exception):
    """A medication not counted (not an opioid, or a code the file lacks): listed in a Bundle with its reason, and
    ``alone`` raised when it is converted by itself (internal signal)."""

    def __init__(self, reason: str, alone: MMEError) -> None:
        super().__init__(reason)
        self.alone = alone


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
    coded = f"its code is {code!r}"
    if code is not None and q.get("system") == SNOMED_SYSTEM:  # UK Core and dm+d give units by SNOMED CT
        code = _SNOMED_UNITS.get(str(code).strip())
        coded = f"the SNOMED CT unit {q['code']!r} is {code}"
        if code is None and not q.get("unit"):
            raise UnitError(f"{what}: the SNOMED CT unit {q['code']!r} is not one mme reads: give a UCUM code (mg, "
                            "{tablet}...) or the unit's name")  # fmt: skip
    if code is not None and isinstance(q.get("unit"), str) and not _same_unit(str(code), q["unit"]):
        raise UnitError(f"{what}: {coded}, but its display says {q['unit']!r} (which is meant is unknown): correct "
                        "one")  # fmt: skip
    if code is None:
        code = q.get("unit")
        if code is not None:
            notes.append(f"{what}: no UCUM code; the display unit {code!r} was read")
    value = _number(q["value"])
    if value is None:
        raise DoseError(f"{what}: the value must be a JSON number, not {excerpt(q['value'])}")
    return value, str(code or "")


def _number(value: object) -> float | None:
    """A JSON number as the float it is read as; None for true/false, text, and a number no float holds: 1e400
    (read as inf) and an integer of 400 digits (read exactly, then no float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


#: SNOMED CT units of measure (dm+d's, as UK Core writes doses) -> UCUM: milligram, microgram, gram, millilitre,
#: and the units of presentation tablet and capsule.
_SNOMED_UNITS = {
    "258684004": "mg", "258685003": "ug", "258682000": "g", "258773002": "mL",
    "428673006": "{tablet}", "428641000": "{capsule}",
}  # fmt: skip
_PLURAL = re.compile(r"\((?:e?s)\)$|(?<=[a-z])(?:es|s)$")  # "tab(s)", "patch(es)", "tabs", "patches"
_WORDS = {"milligram": "mg", "microgram": "ug", "millilitre": "ml", "milliliter": "ml"}


def _same_unit(code: str, display: str) -> bool:
    """Whether a unit's display names the unit its code does, or either does not read as a dose unit at all (then the
    code decides, or is refused as no unit; a time's are compared by `_time`): "milligram" for mg; "tablet" for
    {capsule} too (the engine counts both alike)."""
    try:
        said, meant = _dose_of(1, display, ""), _dose_of(1, code, "")
    except UnitError:
        return True
    return (said.kind, said.unit) == (meant.kind, meant.unit)


def _unit_key(unit: str) -> str:
    """A unit as `_dose_of` looks it up: as written, else without its plural ("tab(s)", "tablets", "patches",
    "milligrams"), when that is a unit it knows."""
    key = unit.strip()
    if key.lower() in _COUNTS or key.lower() in _MASS_AND_VOLUME:
        return key
    lower = key.lower()
    if lower.count("/") == 1:  # a rate per hour however written ("mg/hr", "micrograms/hour"); per another time, unread
        amount, per = lower.split("/")
        rate = f"{_unit_key(amount).lower()}/h"
        return rate if _hours(per) == 1.0 and rate in _MASS_AND_VOLUME else key
    for word in (_PLURAL.sub("", lower), lower.removesuffix("s")):  # "patches" -> "patch", "capsules" -> "capsule"
        single = _WORDS.get(word, word)
        if single in _COUNTS or single in _MASS_AND_VOLUME:
            return single
        if f"{{{single}}}" in _COUNTS:  # "puffs": {puff}
            return f"{{{single}}}"
    return key


def _hours(unit: str) -> float | None:
    """Hours in one ``unit`` of time: a UCUM code ("d", "wk"), or its word in any case and number ("Day(s)", "Days",
    "hrs"), as a dose's unit is read (`_unit_key`); None when it is no time. A letter alone is a code as written, never
    a word's singular: UCUM's "A" is the ampere, "S" the siemens, "ds" the decisecond."""
    word = unit.strip()
    if word in _HOURS:
        return _HOURS[word]
    word = word.lower()
    singular = (word, _PLURAL.sub("", word), word.removesuffix("s"))
    return next((_HOURS[w] for w in singular if len(w) > 1 and w in _HOURS), None)


def _time(quantity: Mapping[str, Any], unit: str, field: str, label: str) -> float | None:
    """Hours in the unit a time Quantity was read in (`_quantity`: its code), None when it is no time. A display unit
    that says another time (code h, unit "days") is refused, wherever a time is read: which is meant is unknown."""
    in_hours = _hours(unit)
    said = _hours(str(quantity.get("unit") or ""))
    if in_hours is not None and said is not None and said != in_hours:
        raise UnitError(f"{label}: {field} has the code {unit!r} but the unit {quantity['unit']!r}: correct one")
    return in_hours


def _exactly(hours: float) -> Fraction:
    """Hours as the exact number they are: a float that is the nearest to a whole number of seconds is that number (a
    minute's 1/60, 20 min's 1/3 h, not 0.33333333333333331), since every time unit is; another is its float's value."""
    seconds = Fraction(hours).limit_denominator(3600)
    return seconds if float(seconds) == hours else Fraction(hours)


def _times_hours(value: float, in_hours: float) -> float:
    """A number of a time unit in hours, rounded once (20 min: the float nearest 1/3, which `_exactly` reads); inf
    beyond a float, as the float product was (refused where hours are checked)."""
    try:
        return float(Fraction(repr(value)) * _exactly(in_hours))
    except OverflowError:
        return math.inf


def _dose_of(value: float, unit: str, what: str) -> _Dose:
    """A dose from a quantity's value and UCUM unit (or HL7 form code, for counts)."""
    key = _unit_key(unit)
    if key.lower() in _COUNTS or key.upper() in {"TAB", "CAP", "PATCH", "SUPP", "SPRAY"}:
        return _Dose("count", value, "", key)
    unit_ = _MASS_AND_VOLUME.get(key.lower())
    if unit_ is None and not unit.strip():
        raise UnitError(f"{what}: the dose has no unit: give it a UCUM code (mg, ug, mL, {{tablet}}, {{patch}}...)")
    if unit_ is None:
        raise UnitError(f"{what}: unit {unit!r} is neither a mass (mg, ug), a volume (mL), a rate (ug/h) nor a count")
    return _Dose("volume" if unit_ == "mL" else "amount", value, unit_)


SNOMED_SYSTEM = "http://snomed.info/sct"
#: ``Dosage.route`` SNOMED CT codes -> the library's routes. FHIR binds the element to the example value set
#: http://hl7.org/fhir/ValueSet/route-codes (SNOMED CT's "Route of administration values"); each code's meaning
#: is as listed there and in Belgium's eHealth BeRouteOfAdministrationVS ("Intravenous use" 47625008...).
_SNOMED_ROUTES = {
    "26643006": "oral", "47625008": "intravenous", "78421000": "intramuscular", "34206005": "subcutaneous",
    "37161004": "rectal", "37839007": "sublingual", "46713006": "nasal", "45890007": "transdermal", "54471007": "buccal",
}  # fmt: skip
#: What SNOMED CT displays add to a route's name ("Intravenous route (qualifier value)", "Oral use").
_ROUTE_SUFFIX = re.compile(r"(?:\s+(?:route|use))?(?:\s*\(qualifier value\))?\s*$", re.IGNORECASE)


def _route(entry: Mapping[str, Any], prod: Product | None, where: str, notes: list[str]) -> str | None:
    """The route the dosage gives, checked against the product's: None when it gives none.

    A SNOMED CT code is read by `_SNOMED_ROUTES`, else the text or a display by the library's route words. A route
    that does not read is the product's when it has one (said), else refused; one that contradicts it is refused.
    """
    concept = entry.get("route")
    if not concept:
        return None
    codes = [str(c.get("code")) for c in concept.get("coding") or [] if c.get("system") == SNOMED_SYSTEM]
    route = next((_SNOMED_ROUTES[c] for c in codes if c in _SNOMED_ROUTES), None)
    names = [str(n) for n in (concept.get("text"), *(c.get("display") for c in concept.get("coding") or [])) if n]
    for name in names if route is None else []:
        try:
            route = resolve_route(_ROUTE_SUFFIX.sub("", name))
            break
        except UnknownTermError:
            continue
    said = names[0] if names else ", ".join(str(c.get("code")) for c in concept.get("coding") or []) or "?"
    if route is None:
        if prod is not None and prod.route:
            notes.append(f"{where}: the route {said!r} is not one mme reads: the product's ({prod.route}) was used")
            return prod.route
        raise UnknownTermError(
            f"{where}: the route {said!r} is not one mme reads: give a SNOMED CT route code ({SNOMED_SYSTEM}) or "
            f"one of {', '.join(sorted(ROUTES))}"
        )
    if prod is None:
        return route
    if prod.route and (route == prod.route or (prod.route == "transmucosal" and route in TRANSMUCOSAL - {"nasal"})):
        return prod.route
    if prod.route is None and (prod.form is None or route in FORM_ROUTES.get(prod.form, ROUTES)):
        return route
    theirs = prod.route or " or ".join(sorted(FORM_ROUTES.get(prod.form or "", ())))
    raise AmbiguousDoseError(f"{where}: the dosage's route is {route} ({said!r}), but {prod.label} is {theirs}")


def _positive(repeat: Mapping[str, Any], name: str, label: str) -> float | None:
    """A number of `timing.repeat`, None when absent: 0 (read as 1 before), a negative, true or text is no number."""
    given = repeat.get(name)
    if given is None:
        return None
    value = _number(given)
    if value is None or value <= 0:
        raise DoseError(f"{label}: timing.repeat.{name} must be a positive number, not {excerpt(given)}")
    if name in _WHOLE and not value.is_integer():  # "a course of 0.5 administrations"
        raise DoseError(f"{label}: timing.repeat.{name} must be a whole number (FHIR's positiveInt), not {given!r}")
    return value


#: The numbers of `timing.repeat` that FHIR types positiveInt: counts of administrations.
_WHOLE = frozenset({"frequency", "frequencyMax", "count", "countMax"})


_TIME_SECONDS = re.compile(r"(?<=^\d\d:\d\d):00(?:\.0*)?$")  # "08:00:00" is "08:00"


def _clock(value: object, label: str) -> time:
    """One ``timeOfDay``, a FHIR time ("08:00:00"); one that is no time ("25:99:00", a number) is refused, rather than
    counted as a dose at an unknown time."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(_TIME_SECONDS.sub("", value.strip()))
        except ValueError:
            pass
    raise DoseError(f"{label}: timeOfDay {value!r} is not a time of day: give it as hh:mm:ss (08:00:00)")


def _times(repeat: Mapping[str, Any], label: str, frequency: float | None = None) -> int | None:
    """The administrations that ``timeOfDay`` or ``when`` name, each distinct time once (a time listed twice is
    one time, never two doses); None when neither does, or when ``when`` has a code that names no one time (C, AC,
    PC: any meal) beside a ``frequency``, which then says how many."""
    if repeat.get("timeOfDay"):
        return len({_clock(t, label) for t in repeat["timeOfDay"]})
    if repeat.get("when"):
        unknown = [w for w in repeat["when"] if w not in _ONCE_WHEN]
        if unknown and frequency is not None:
            return None
        if unknown:
            raise DoseError(f"{label}: timing 'when' {unknown} does not say how many times a day: give a frequency")
        return len(set(repeat["when"]))
    return None


def _per_day(timing: Mapping[str, Any], label: str, notes: list[str]) -> float | None:
    """Administrations a day from ``timing``: its ``repeat``, else its ``code``; None when it says nothing about
    frequency. A code that says another number than the repeat is refused: which one is meant is unknown. A course
    of fewer administrations (``repeat.count``, or ``countMax``) than a day holds is that many in its one day."""
    per_day = _coded_per_day(timing, label, notes)
    if per_day is None:
        return None
    return _course(timing, _on_days(timing.get("repeat") or {}, per_day, label, notes), label, notes)


def _course(timing: Mapping[str, Any], per_day: float, label: str, notes: list[str]) -> float:
    """A course of fewer administrations (``repeat.count``, or ``countMax``) than ``per_day`` is that many in its
    one day, whether the day's number comes from the timing or from a maximum per period."""
    repeat = timing.get("repeat") or {}
    least, most = _positive(repeat, "count", label), _positive(repeat, "countMax", label)
    if least is not None and most is not None and most < least:
        raise DoseError(f"{label}: countMax {most:g} is below count {least:g}: correct one")
    count = most or least
    course = "a course of"
    if (bounded := _bounded(repeat, per_day, label, notes)) is not None and (count is None or bounded[0] < count):
        count, course = bounded
    if count is not None and count < per_day:
        notes.append(f"{label}: {course} {count:g} administration(s), under a day's {per_day:g}: {count:g} a day")
        return count
    return per_day


def _run(repeat: Mapping[str, Any], label: str, notes: list[str]) -> float | None:
    """The hours one administration lasts (``duration``, or the longest, ``durationMax``, said); None when unsaid."""
    duration = _positive(repeat, "duration", label)
    longest = _positive(repeat, "durationMax", label)
    if duration is None and longest is None:
        return None
    unit = str(repeat.get("durationUnit") or "")
    code = _said_as_word(unit, "durationUnit", label, notes)
    if longest is not None:
        if duration is not None and longest < duration:
            raise DoseError(f"{label}: durationMax {longest:g} is below duration {duration:g}: correct one")
        notes.append(f"{label}: an administration lasts up to {longest:g} {unit} (durationMax): the longest was used")
        duration = longest
    return _times_hours(duration or 0, _HOURS[code])


def _over_the_day(
    timing: Mapping[str, Any], dose: _Dose, per_day: float | None, patch: bool, where: str, notes: list[str]
) -> tuple[_Dose, float | None]:
    """A dose per hour (an infusion's rate) runs for the hours its timing says in a day, as a bound under a day limits
    a dose's administrations (`_bound`): each administration's ``duration`` a day, or, with no frequency, one run a
    day (all day without a duration), within the bound; it is the amount it gives in them, said. A patch worn under a
    day is refused: its MME/day is its rate over the day it is worn, and no table's factor is for part of one. Runs
    beside a frequency and a bound under a day are refused: how many hours of them the bound holds is not read."""
    repeat = timing.get("repeat") or {}
    run = _run(repeat, where, notes)
    bound = _bound(repeat, where, [])  # its notes are `_course`'s
    under = bound if bound is not None and bound[0] < 24 else None
    if patch:
        worn = [f"{run:g} h each time (duration)"] if run is not None and run < 24 else []
        worn += [f"within {under[1]}"] if under is not None else []
        if worn:
            raise DoseError(f"{where}: the patch is worn {' and '.join(worn)}, under a day: a patch's MME/day is its "
                            "rate over the day it is worn, and no table's factor is for part of a day")  # fmt: skip
        if run is not None and per_day is not None and per_day * run > 24 + 1e-9:  # as an infusion's runs
            raise DoseError(f"{where}: a patch put on {_times_a_day(per_day)} and worn {run:g} h each (duration) "
                            "overlaps the next: how many are worn at once is not read; give the dose as the patches "
                            "worn at once, changed as often as the duration says")  # fmt: skip
        if run is not None and per_day is not None and per_day * run < 24 - 1e-9:
            notes.append(f"{where}: the patch is worn {run:g} h (duration) of each {24 / per_day:g} h: MME/day is its "
                         "rate while worn, not an average over the hours without it")  # fmt: skip
        return dose, per_day
    if not dose.unit.endswith("/h") or (per_day is not None and run is None):
        return dose, per_day  # a dose; or a rate beside a frequency, which the caller refuses
    if per_day is None:  # one run a day: all day, or its duration, within the bound
        hours, said = 24.0, ""
        if run is not None and run < hours:
            hours, said = run, f"duration {_span(run)}"
        if under is not None and under[0] < hours:
            hours, said = under[0], under[1]
        if not said:
            return dose, None
        per_day, each = 1.0, " a day"
    elif under is not None:
        raise DoseError(f"{where}: runs of {_span(run or 0)} at the rate {_said(dose)}, {_times_a_day(per_day)}, within {under[1]}: "
                        "how many hours of them the bound holds is not read: give the hours a day as a duration")  # fmt: skip
    else:
        hours, each = float(run or 0), " an administration"
        said = f"duration, {per_day * hours:g} h a day"
        if per_day * hours > 24 + 1e-9:
            raise DoseError(f"{where}: {per_day:g} run{'' if per_day == 1 else 's'} a day of {_span(hours)} each (duration) overlap: a rate runs at "
                            "most 24 h a day; give the rate alone, or runs that fit the period")  # fmt: skip
    amount = _Dose("amount", float(Fraction(repr(dose.value)) * _exactly(hours)), dose.unit.removesuffix("/h"))
    notes.append(f"{where}: the rate {_said(dose)} runs {_span(hours)}{each} ({said}), not all day: "
                 f"{amount.value:g} {amount.unit}{each} counted")  # fmt: skip
    return amount, per_day


def _span(hours: float) -> str:
    """Hours said as a duration is written: under an hour in whole minutes ("20 min", not "0.333333 h"), else in h."""
    minutes = _exactly(hours) * 60
    return f"{minutes} min" if hours < 1 and minutes.denominator == 1 else f"{hours:g} h"


_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?")  # FHIR's date: a year, a month, or a day


def _is_date(text: str) -> bool:
    """Whether a text is a FHIR date (2024, 2024-01, 2024-01-31: a day that is on the calendar)."""
    if not _DATE.fullmatch(text):
        return False
    try:
        return len(text) < 10 or bool(date.fromisoformat(text))
    except ValueError:
        return False


_Span = tuple[datetime, datetime]


def _bound(repeat: Mapping[str, Any], label: str, notes: list[str]) -> tuple[float, str, _Span | None] | None:
    """The hours of ``boundsDuration``, ``boundsRange`` (its maximum) or ``boundsPeriod`` (start to end, both with a
    time), the bound said, and a period's start and end; None when there is none, or a period of whole days."""
    span: _Span | None = None
    if "boundsPeriod" in repeat:
        period = repeat["boundsPeriod"]
        start, end = str(period.get("start") or ""), str(period.get("end") or "")
        for side, text in (("start", start), ("end", end)):
            if text and "T" not in text and not _is_date(text):  # "garbage" is no whole day
                raise DoseError(f"{label}: boundsPeriod {side} {text!r} is not a FHIR date or dateTime")
        if "T" not in start or "T" not in end:  # no end, or dates alone: whole days
            return None
        what = f"boundsPeriod {start} to {end}"
        try:
            span = _instant(start), _instant(end)
            hours = (span[1] - span[0]).total_seconds() / 3600
        except ValueError:
            raise DoseError(f"{label}: boundsPeriod {start} to {end} is not two dateTimes") from None
        except TypeError:  # one end with a zone, the other without: the span is unknown
            raise DoseError(f"{label}: {what}: one end gives a time zone and the other none (FHIR requires one "
                            "whenever a time is given), so its length is unknown: give both a zone") from None  # fmt: skip
    elif "boundsDuration" in repeat or "boundsRange" in repeat:
        field = "boundsDuration" if "boundsDuration" in repeat else "boundsRange"
        quantity = repeat[field] if field == "boundsDuration" else repeat[field].get("high")
        if not quantity:
            return None  # a range with no maximum: no bound
        value, unit = _quantity(quantity, f"{label} {field}", notes)
        if (in_hours := _time(quantity, unit, field, label)) is None:
            raise UnitError(f"{label}: {field} is in {unit!r}, not a time unit (h, d, wk, mo)")
        hours, what = _times_hours(value, in_hours), f"{field} {value:g} {unit}"
    else:
        return None
    if not (math.isfinite(hours) and hours > 0):
        raise DoseError(f"{label}: {what} is no length of time: give a positive one")
    return hours, what, span


def _bounded(repeat: Mapping[str, Any], per_day: float, label: str, notes: list[str]) -> tuple[float, str] | None:
    """The administrations that a bound (`_bound`) leaves when under a day, and the bound said; None when there is no
    bound, or one of a day or more (a course's length does not change MME/day). Doses at named clock times
    (``timeOfDay``) are those inside a ``boundsPeriod``; doses at no named time each start an interval (q6h for 12 h:
    2, for 10 h: 2). Named times or ``when`` codes that a bound cannot place (a duration, or codes without a clock
    time) are refused: how many fall inside is unknown."""
    if (bound := _bound(repeat, label, notes)) is None:
        return None
    hours, what, span = bound
    if hours >= 24:
        return None
    times = _times(repeat, label, _positive(repeat, "frequency", label))
    if (times is None or times <= 1) and not (span is not None and repeat.get("timeOfDay")):
        begun = max(1, math.ceil(per_day * hours / 24 - 1e-9))  # one named time a day: the bound holds it at most
        return float(begun), f"{what}, a dose at the start of each interval begun, holds"
    if span is None or not repeat.get("timeOfDay"):
        named = "times of day" if repeat.get("timeOfDay") else f"'when' codes ({', '.join(repeat['when'])})"
        raise DoseError(f"{label}: {what} holds some of the {times} {named}, but which is unknown: give a boundsPeriod "
                        "with times, and timeOfDay, or a count")  # fmt: skip
    inside = _times_inside(repeat, span, label)
    if not inside:
        raise DoseError(f"{label}: {what} holds none of the times of day named ({', '.join(repeat['timeOfDay'])}): "
                        "it gives no administration")  # fmt: skip
    return float(inside), f"{what}, at the times of day named, holds"


def _times_inside(repeat: Mapping[str, Any], span: tuple[datetime, datetime], label: str) -> int:
    """How many administrations at the named clock times (``timeOfDay``, read in the start's zone) fall from the
    start to the end of a period, both included (FHIR's Period includes its end), on a ``dayOfWeek`` named if any."""
    start, end = span
    zone = start.tzinfo
    days = {str(d).strip().lower() for d in repeat.get("dayOfWeek") or []}
    clock = {_clock(t, label) for t in repeat["timeOfDay"]}
    local = end.astimezone(zone) if zone is not None else end
    dates = [start.date() + timedelta(days=n) for n in range((local.date() - start.date()).days + 1)]
    return sum(
        start <= datetime.combine(day, at, tzinfo=zone) <= end
        for day in dates
        if not days or _WEEKDAYS[day.weekday()] in days
        for at in clock
    )


def _instant(text: str) -> datetime:
    """A FHIR dateTime with a time, with its zone ("Z" is UTC); one without a zone stays without (both ends of a
    Period must be alike)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _coded_per_day(timing: Mapping[str, Any], label: str, notes: list[str]) -> float | None:
    """`_per_day` before a course's count."""
    by_repeat = _repeat_per_day(timing.get("repeat") or {}, label, notes)
    concept = timing.get("code") or {}
    _codings_agree(concept, label)
    codes = [c.get("code") for c in concept.get("coding", []) if c.get("code")]
    code = next((c for c in codes if str(c).upper() in _TIMING_CODES), next(iter(codes), None))  # HL7's, in any place
    if code is None and _timing_word(concept.get("text")):  # {"text": "BID"}
        code = _timing_word(concept.get("text"))
        notes.append(f"{label}: timing code {code!r} read from its text {concept['text']!r}")
    elif code is not None and str(code).upper() not in _TIMING_CODES:
        words = [c.get("display") for c in concept.get("coding", [])] + [concept.get("text")]
        if (word := next((w for w in words if _timing_word(w)), None)) is not None:
            notes.append(f"{label}: timing code {code!r} is not one mme reads: read from its words {word!r}")
            code = _timing_word(word)
        elif by_repeat is None and _own_code(concept):  # as a code's text alone that does not read: no timing
            said_words = ", ".join(repr(w) for w in words if w) or "none"
            notes.append(f"{label}: timing code {code!r} of {_own_code(concept)} is not one mme reads, nor are its "
                         f"words ({said_words}): read as no timing")  # fmt: skip
            return None
    said = _TIMING_CODES.get(_timing_word(concept.get("text")) or "")
    coded = _TIMING_CODES.get(str(code).upper())
    if said is not None and coded is not None and not math.isclose(said, coded):
        raise DoseError(f"{label}: timing code {code} is {coded:g} a day, its text {concept['text']!r} {said:g}: "
                        "correct one")  # fmt: skip
    if code is None or (by_repeat is not None and str(code).upper() not in _TIMING_CODES):
        return by_repeat
    if str(code).upper() not in _TIMING_CODES:
        raise DoseError(f"{label}: timing code {code!r} is not one mme reads ({', '.join(_TIMING_CODES)})")
    by_code = _TIMING_CODES[str(code).upper()]
    if by_repeat is not None and not math.isclose(by_repeat, by_code):
        raise DoseError(f"{label}: timing code {code} is {by_code:g} a day, its repeat {by_repeat:g}: correct one")
    return by_code


def _codings_agree(concept: Mapping[str, Any], label: str) -> None:
    """Every coding of ``timing.code`` that reads (by its code, else its display) must say the same number a day, as
    codings of a product must name one product: a system's own code beside HL7's may say another (q4hr and Q6H)."""
    said: dict[float, str] = {}
    for coding in concept.get("coding", []):
        code = str(coding.get("code") or "")
        word = code.upper() if code.upper() in _TIMING_CODES else _timing_word(coding.get("display"))
        if word is not None:
            said.setdefault(_TIMING_CODES[word], code if word == code.upper() else f"{code} {coding['display']!r}")
    if len(said) > 1:
        codes = "; ".join(f"{name}: {n:g} a day" for n, name in said.items())
        raise AmbiguousDoseError(f"{label}: the codings of timing.code disagree ({codes}): give one timing")


def _on_days(repeat: Mapping[str, Any], per_day: float, label: str, notes: list[str]) -> float:
    """With ``dayOfWeek``, the administrations of a day it is taken, however the frequency is written: per day (1 a
    day on Mon/Wed/Fri) or per week (3 a week on Mon/Wed/Fri), each 1 on a day it is taken. A week's number that the
    days do not share evenly (4 a week on 3 days), or another period, is refused: which day has how many is unknown."""
    named = _weekdays(repeat, label)
    if not named:
        return per_day
    period = _positive(repeat, "period", label)
    # without a period, times of day or a timing code: a day's, or under one a day (WK) a week's
    hours = 24.0 if per_day >= 1 else 168.0
    if period is not None:
        hours = period * (_hours(str(repeat.get("periodUnit"))) or 0)  # a unit `_repeat_per_day` read
    if math.isclose(hours, 168.0):  # per week: the week's administrations shared among its days
        weekly = per_day * 7
        per_day = weekly / len(named)
        if not (per_day >= 1 and math.isclose(per_day, round(per_day))):
            raise DoseError(
                f"{label}: {weekly:g} a week on {len(named)} day(s) of the week ({', '.join(named)}): how many on "
                "each day is unknown; give the frequency per day"
            )
        per_day = float(round(per_day))
    elif hours > 24:
        raise DoseError(
            f"{label}: a period of {period:g} {repeat.get('periodUnit')} on some days of the week "
            f"({', '.join(named)}): give the frequency per day or per week"
        )
    notes.append(f"{label}: taken on some days of the week ({', '.join(named)}): MME/day is that of a day it is taken")
    return per_day


_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _weekdays(repeat: Mapping[str, Any], label: str) -> list[str]:
    """The days of the week ``dayOfWeek`` names, in the week's order (none when it names none); one that is no day, or
    a day listed twice, is refused."""
    days = repeat.get("dayOfWeek")
    if not days:
        return []
    if not isinstance(days, list) or not all(isinstance(d, str) and d.strip().lower() in _WEEKDAYS for d in days):
        raise DoseError(f"{label}: dayOfWeek {days!r} is not a list of mon, tue, wed, thu, fri, sat, sun")
    named = sorted({d.strip().lower() for d in days}, key=_WEEKDAYS.index)
    if len(named) < len(days):  # a set in FHIR: 2 a week on mon, mon is 2 on Monday, or 1 on each day listed?
        raise DoseError(f"{label}: dayOfWeek {days!r} lists a day twice: list each day once")
    return named


_GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


def _own_code(concept: Mapping[str, Any]) -> str | None:
    """The system of a timing coding that is a system's own code (Cerner's code set 4003), not HL7's abbreviations
    (whose system is `_GTS`, or none): its words, not its code, may say the timing."""
    system = next((str(c.get("system")) for c in concept.get("coding", []) if c.get("code")), None)
    return None if system in (None, "None", "", _GTS) else system


def _timing_word(text: object) -> str | None:
    """A timing code (`_TIMING_CODES`) as a code's text or display writes it ("BID", "q4hr", "Q 6 H", "daily"), or
    None."""
    word = re.sub(r"[\s.]", "", str(text or "").upper())
    word = {"DAILY": "QD", "ONCEDAILY": "QD", "QDAY": "QD", "EVERYOTHERDAY": "QOD"}.get(word, word)
    word = re.sub(r"(?<=^Q\d)(?:HRS?|HOURS?)$|(?<=^Q\d\d)(?:HRS?|HOURS?)$", "H", word)
    return word if word in _TIMING_CODES else None


def _said_as_word(unit: str, field: str, label: str, notes: list[str]) -> str:
    """The FHIR code of a ``periodUnit`` or ``durationUnit``: a word ("hours", "Hours", "Day(s)"), which is no FHIR
    code, is read as its code as every time is (`_hours`), with a warning; what is no time is a `UnitError`."""
    in_hours = _hours(unit)
    code = next((code for code in _CODES_OF_TIME if _HOURS[code] == in_hours), None)
    if code is None:
        raise UnitError(f"{label}: {field} {unit!r} is not a time unit (h, d, wk, mo)")
    if unit != code:
        notes.append(f"{label}: {field} {unit!r} is not a FHIR code (s, min, h, d, wk, mo, a): read as {code!r}")
    return code


#: FHIR's UnitsOfTime codes.
_CODES_OF_TIME = ("s", "min", "h", "d", "wk", "mo", "a")


def _repeat_per_day(repeat: Mapping[str, Any], label: str, notes: list[str]) -> float | None:
    """Administrations a day from ``timing.repeat``, averaged over its period (``dayOfWeek`` aside: `_on_days`);
    None when it says nothing about frequency."""
    frequency = _positive(repeat, "frequency", label)
    if (most := _positive(repeat, "frequencyMax", label)) is not None:
        if most < (frequency or 1):
            raise DoseError(f"{label}: frequencyMax {most:g} is below frequency {frequency or 1:g}: correct one")
        notes.append(f"{label}: {frequency or 1:g} to {most:g} times per period: the maximum was used")
        frequency = most
    times = _times(repeat, label, frequency)
    period = _positive(repeat, "period", label)
    if period is not None:
        unit = str(repeat.get("periodUnit") or "")
        code = _said_as_word(unit, "periodUnit", label, notes)
        if code == "mo":
            notes.append(f"{label}: {_A_MONTH}")
        if (longest := _positive(repeat, "periodMax", label)) is not None:
            if longest < period:
                raise DoseError(f"{label}: periodMax {longest:g} is below period {period:g}: correct one")
            notes.append(f"{label}: every {period:g} to {longest:g} {unit}: the shorter interval (most doses) was used")
        hours = period * _HOURS[code]
        # on days of the week, a week's period holds the times of day on each day named (`_on_days` shares them)
        days = len(set(map(str, repeat["dayOfWeek"]))) if isinstance(repeat.get("dayOfWeek"), list) else 0
        doses = None if times is None else times * (days if days and math.isclose(hours, 168.0) else 1)
        each = f" on each of {days} days of the week" if doses != times else ""
        if doses is not None and frequency is None:  # no frequency: each time named is one administration
            frequency = float(doses)
            notes.append(f"{label}: {times} times of day named{each}, no frequency: {doses} per {period:g} {unit} read")
        elif doses is not None and doses != frequency:
            raise DoseError(
                f"{label}: {times} times of day named{each}, but frequency {frequency:g} per {period:g} {unit}: "
                "give the frequency that the times say"
            )
        if not (math.isfinite(hours) and hours > 0):
            raise DoseError(f"{label}: period must be positive, not {period!r}")
        if not math.isfinite((frequency or 1.0) * 24 / hours):  # 1e-320 h: named as the period, not as "per_day"
            raise DoseError(f"{label}: period {period!r} {unit} is too short: more doses a day than a number holds")
        if times is not None and hours < 24:  # "08:00" every 12 h: a time of day comes once a day
            raise DoseError(
                f"{label}: times of day come once a day, but the period is {period:g} {unit}: give the frequency "
                "per day, or the times alone"
            )
        return (frequency or 1.0) * 24 / hours
    if frequency is not None:
        raise DoseError(f"{label}: frequency {frequency:g} without a period: say per what (period, periodUnit)")
    return None if times is None else float(times)


def _dose(
    entry: Mapping[str, Any], label: str, notes: list[str]
) -> tuple[_Dose | None, _Dose | None, list[tuple[_Dose, str]]]:
    """The dose per administration from ``doseAndRate``: the dose (doseQuantity, doseRange maximum) and the rate
    (rateQuantity, rateRatio, rateRange maximum: a patch's), each None when not given; and what each other entry
    gives (its dose, else its rate), with the STU3 fields' dose and rate beside R4's, each with where it is, which
    must come to the same MME/day (`_agree`): 2 tablets and 10 mg of a 5 mg tablet agree, in either shape. Of several
    entries, the ``ordered`` one is used when there is one."""
    rates = [r for r in entry.get("doseAndRate") or [] if _main(*_doses(r, label, [])) is not None]
    stu3 = {field: entry[field] for field in _STU3_DOSE if field in entry}
    for field, named in _DSTU2_DOSE.items():  # DSTU2's statement names its dose quantity[x]: read as STU3's
        if field in entry and named in entry:
            raise AmbiguousDoseError(f"{label}: the dosage gives its dose as {named} and as DSTU2's {field}: give one")
        if field in entry:
            stu3[named] = entry[field]
    if stu3 and _main(*_doses(stu3, label, [])) is None:
        stu3 = {}
    if not rates and stu3:  # STU3 gives the dose and rate in the Dosage itself: read as one doseAndRate entry
        rates = [stu3]
    if not rates:
        return None, None, []
    ordered = [r for r in rates if any(c.get("code") == "ordered" for c in (r.get("type") or {}).get("coding", []))]
    first = (ordered or rates)[0]
    dose, rate = _doses(first, label, notes)
    if len(rates) > 1:
        notes.append(f"{label}: {len(rates)} doseAndRate entries, giving the same MME/day")
    others = [(d, "") for other in rates if other is not first if (d := _main(*_doses(other, label, []))) is not None]
    if stu3 and first is not stu3:  # STU3's shape beside R4's: the dosage gives its dose twice
        others += [(d, ", ".join(stu3)) for d in _doses(stu3, label, []) if d is not None]
    return dose, rate, others


#: STU3's Dosage fields for its dose and rate, which R4 moved into ``doseAndRate``.
_STU3_DOSE = ("doseQuantity", "doseRange", "rateQuantity", "rateRatio", "rateRange")
#: DSTU2's MedicationStatement dosage fields for its dose, STU3's names for them.
_DSTU2_DOSE = {"quantityQuantity": "doseQuantity", "quantityRange": "doseRange"}


#: Masses and masses per hour, in mg (or mg/h) a unit.
_IN_MG = {"mg": Decimal(1), "mcg": Decimal("0.001"), "g": Decimal(1000), "mg/h": Decimal(1), "mcg/h": Decimal("0.001")}


def _main(dose: _Dose | None, rate: _Dose | None) -> _Dose | None:
    return dose if dose is not None else rate


def _doses(rate: Mapping[str, Any], label: str, notes: list[str]) -> tuple[_Dose | None, _Dose | None]:
    """One ``doseAndRate`` entry's dose and rate, each None when not given; a dose given twice is refused."""
    if "doseQuantity" in rate and "doseRange" in rate:
        raise AmbiguousDoseError(f"{label}: one doseAndRate entry gives both doseQuantity and doseRange: give one")
    dose = None
    if "doseQuantity" in rate:
        value, unit = _quantity(rate["doseQuantity"], f"{label} doseQuantity", notes)
        if value <= 0:  # -0 or 1E-400 (read as 0): named as the dose it is, not as the engine's "count"
            said = excerpt(rate["doseQuantity"]["value"])
            raise DoseError(f"{label} doseQuantity: the value must be a positive number, not {said}")
        dose = _dose_of(value, unit, f"{label} doseQuantity")
    elif "doseRange" in rate:
        dose = _range(rate["doseRange"], "doseRange", label, notes)
    per_time = None
    if "rateQuantity" in rate:
        per_time = _dose_of(*_quantity(rate["rateQuantity"], f"{label} rateQuantity", notes), f"{label} rateQuantity")
    elif "rateRange" in rate:
        per_time = _range(rate["rateRange"], "rateRange", label, notes)
    elif "rateRatio" in rate:
        amount, unit = _quantity(rate["rateRatio"].get("numerator") or {}, f"{label} rateRatio", notes)
        per = rate["rateRatio"].get("denominator") or {}
        span, span_unit = _quantity(per, f"{label} rateRatio", notes)
        if (in_hours := _time(per, span_unit, "rateRatio's denominator", label)) is None or not span > 0:
            raise UnitError(f"{label}: rateRatio is per {span:g} {span_unit!r}, not per a time")
        per_hour = Fraction(repr(amount)) / (Fraction(repr(span)) * _exactly(in_hours))  # 5.4 mg / 72 h: 0.075
        per_time = _dose_of(float(per_hour), f"{unit}/h", f"{label} rateRatio")
    for given, what in ((dose, "dose"), (per_time, "rate")):
        if given is not None and not given.value > 0:  # as FHIR writes it, not as the engine's arguments name it
            raise DoseError(f"{label}: the {what} is {_said(given)}: give one above 0")
    return dose, per_time


def _range(span: Mapping[str, Any], field: str, label: str, notes: list[str]) -> _Dose:
    """A Range's maximum (said); a minimum above it, or in another unit, is refused: which one is meant is unknown."""
    low, high = span.get("low"), span.get("high")
    if not high:
        raise DoseError(f"{label}: {field} has no maximum (high)")
    value, unit = _quantity(high, f"{label} {field}.high", notes)
    most = _dose_of(value, unit, f"{label} {field}")
    low_text = ""
    if low and "value" in low:
        low_value, low_unit = _quantity(low, f"{label} {field}.low", [])
        least = _dose_of(low_value, low_unit, f"{label} {field}.low")
        if (least.kind, least.unit) != (most.kind, most.unit) or least.value > most.value:
            raise DoseError(f"{label}: {field} is {low_value:g} {low_unit} to {value:g} {unit}: give "
                            "a minimum at most the maximum, in one unit")  # fmt: skip
        low_text = f"{least.value:g} "
    notes.append(f"{label}: {'dose' if field == 'doseRange' else 'rate'} range {low_text}to {value:g} {unit}: the "
                 "maximum was used")  # fmt: skip
    return most


def _cap(
    entry: Mapping[str, Any], dose: _Dose, per_day: float, label: str, notes: list[str], prod: Product | None
) -> float:
    """``maxDosePerPeriod`` caps the administrations a day (in the dose's unit, or one `_alike` says it in)."""
    ratio = entry.get("maxDosePerPeriod")
    if isinstance(ratio, list):  # R5: a list of Ratios; the strictest applies
        caps = [_cap({"maxDosePerPeriod": r}, dose, per_day, label, [], prod) for r in ratio]
        capped = min(caps, default=per_day)
        if capped < per_day:
            notes.append(f"{label}: capped by maxDosePerPeriod at {_times_a_day(capped)} (not {per_day:g})")
        return capped
    if not ratio:
        return per_day
    amount, amount_unit = _quantity(ratio.get("numerator") or {}, f"{label} maxDosePerPeriod", notes)
    if not ratio.get("denominator"):
        notes.append(f"{label}: maxDosePerPeriod has no denominator (period): read as per day")
    period = ratio.get("denominator") or {"value": 1, "code": "d"}
    span, span_unit = _quantity(period, f"{label} maxDosePerPeriod", notes)
    if (in_hours := _time(period, span_unit, "maxDosePerPeriod's denominator", label)) is None:
        raise UnitError(f"{label}: maxDosePerPeriod is per {span_unit!r}, not a time")
    if not span > 0 or not amount > 0 or not dose.value > 0:
        raise DoseError(f"{label}: maxDosePerPeriod is {amount:g} {amount_unit} per {span:g} {span_unit} for a dose of "
                        f"{_said(dose)}: give a positive maximum, period and dose")  # fmt: skip
    cap = _alike(_dose_of(amount, amount_unit, f"{label} maxDosePerPeriod"), dose, prod)
    if cap is None:
        raise UnitError(f"{label}: maxDosePerPeriod is in {amount_unit!r}, the dose in another unit: give them alike")
    capped = cap.value / (span * in_hours / 24) / dose.value
    if (days := _weekdays((entry.get("timing") or {}).get("repeat") or {}, label)) and span * in_hours > 24:
        capped = _shared(capped, span * in_hours, days, per_day, label)
    if capped < per_day:
        notes.append(f"{label}: capped by maxDosePerPeriod at {_times_a_day(capped)} (not {per_day:g})")
        return capped
    return per_day


def _shared(capped: float, hours: float, days: list[str], per_day: float, label: str) -> float:
    """A cap over a period of days on some days of the week, as administrations on a day taken (MME/day is a day
    taken's, `_on_days`): over whole weeks, the weeks' share of it among the days named (6 a week on Mon/Wed/Fri: 2 a
    day taken). One that a day taken cannot reach is none; another, shared unevenly or over a period that holds an
    unknown number of the days, leaves how many it allows on a day taken unknown."""
    allowed = capped * hours / 24  # administrations in its period
    weeks = hours / 168
    if math.isclose(weeks, round(weeks)) and weeks >= 1:
        a_day = allowed / (round(weeks) * len(days))
        if math.isclose(a_day, round(a_day)):
            return float(round(a_day))
        if a_day >= per_day:
            return a_day
    elif allowed >= per_day * min(math.ceil(hours / 24), math.ceil(weeks) * len(days)):
        return per_day  # the period's days taken, as many as it can hold, are all allowed each day's
    raise DoseError(
        f"{label}: maxDosePerPeriod allows {allowed:g} administration(s) per {hours / 24:g} days, on {len(days)} "
        f"day(s) of the week ({', '.join(days)}): how many on a day taken is unknown; give the maximum per day"
    )


_MG = {"mg": Decimal(1), "mcg": Decimal("0.001"), "g": Decimal(1000)}
#: An RxNorm strength unit -> the kind of dose one of whose units holds it: a unit counted (MG), a mL (MG/ML).
_PER_UNIT: dict[str, Literal["count", "volume"]] = {"MG": "count", "MG/ML": "volume"}


def _alike(cap: _Dose, dose: _Dose, prod: Product | None) -> _Dose | None:
    """A limit (``maxDosePerPeriod``, ``maxDosePerAdministration``) in the dose's unit, exactly, or None when it
    cannot be: mg and mcg each other (mg/h and mcg/h too); mg and a count, or a volume, of a product of one ingredient,
    through its strength per unit or per mL (30 mg of 5 mg tablets is 6; 10 mg of a 2 mg/mL solution is 5 mL); never mg
    of a combination, which may be another component's (4 g acetaminophen)."""
    if (cap.kind, cap.unit) == (dose.kind, dose.unit):
        return cap
    per_unit, of = None, None  # mg in one of the product's units: a unit counted, or a mL
    alone = prod is not None and not prod.pack and len(prod.ingredients) == 1 and prod.source != _UNSTATED
    if prod is not None and alone and prod.ingredients[0].unit in _PER_UNIT:
        per_unit, of = prod.ingredients[0].strength, _PER_UNIT[prod.ingredients[0].unit]
    value = Decimal(repr(cap.value))
    if cap.unit in _IN_MG and dose.unit in _IN_MG and cap.unit.endswith("/h") == dose.unit.endswith("/h"):
        return dose._replace(value=float(value * _IN_MG[cap.unit] / _IN_MG[dose.unit]))
    if cap.unit in _MG and dose.kind == of and per_unit:
        return dose._replace(value=float(value * _MG[cap.unit] / per_unit))
    if cap.kind == of and dose.unit in _MG and per_unit:
        return dose._replace(value=float(value * per_unit / _MG[dose.unit]))
    return None


def _most_allowed(
    entry: Mapping[str, Any], dose: _Dose, label: str, notes: list[str], prod: Product | None
) -> float | None:
    """Without a frequency, and without a text that may give another one, the most administrations a day
    ``maxDosePerPeriod`` allows ("1 tablet as needed, at most 6 a day": 6), as a PRN dosage's maximum use is
    counted; None when it gives none."""
    if not entry.get("maxDosePerPeriod") or entry.get("text"):
        return None
    most = _cap(entry, dose, math.inf, label, [], prod)
    if not math.isfinite(most):
        return None
    notes.append(f"{label}: no frequency: the most maxDosePerPeriod allows, {_times_a_day(most)}, was counted")
    return _course(entry.get("timing") or {}, most, label, notes)


def _at_most(
    entry: Mapping[str, Any], dose: _Dose, label: str, notes: list[str], prod: Product | None,
    hourly: _Dose | None = None,
) -> _Dose:  # fmt: skip
    """``maxDosePerAdministration`` caps the dose (a range's maximum, or a dose above it) when in its unit, or in
    one `_alike` says it in; an infusion's cap in its rate's unit (1 mg/h) caps its rate (``hourly``, before it was the
    amount of the hours it runs), and so that amount: it was not applied beside a duration."""
    most = entry.get("maxDosePerAdministration")
    if not most:
        return dose
    value, unit = _quantity(most, f"{label} maxDosePerAdministration", notes)
    limit = _dose_of(value, unit, f"{label} maxDosePerAdministration")
    for given in (dose, hourly):
        if given is None or (cap := _alike(limit, given, prod)) is None:
            continue
        if cap.value < given.value:
            notes.append(f"{label}: capped by maxDosePerAdministration at {value:g} {unit} (not {_said(given)})")
            share = Fraction(repr(cap.value)) / Fraction(repr(given.value))
            return dose._replace(value=float(Fraction(repr(dose.value)) * share))
        return dose
    notes.append(f"{label}: maxDosePerAdministration {value:g} {unit} is in another unit than the dose: not applied")
    return dose


def _a_day_at_most(
    entry: Mapping[str, Any], dose: _Dose, per_day: float | None, label: str, notes: list[str], prod: Product | None
) -> tuple[_Dose, float | None]:
    """``maxDosePerPeriod`` on an infusion caps the amount it gives a day (its rate all day, or a run's amount times
    its runs), not its runs: fewer runs were said as taken less than once a day, and a rate all day was not capped.
    A rate all day so capped is the amount it allows, once a day."""
    if not entry.get("maxDosePerPeriod"):
        return dose, per_day
    unit = dose.unit.removesuffix("/h")
    times = Fraction(24) if dose.unit.endswith("/h") or per_day is None else Fraction(repr(per_day))
    allowed = _cap(entry, _Dose("amount", 1.0, unit), math.inf, label, [], prod)  # the amount a day it allows
    a_day = Fraction(repr(dose.value)) * times
    if not math.isfinite(allowed) or Fraction(repr(allowed)) >= a_day:
        return dose, per_day
    notes.append(
        f"{label}: capped by maxDosePerPeriod at {allowed:g} {unit} a day (not {dose.value * float(times):g} {unit})"
    )
    if dose.unit.endswith("/h"):
        return _Dose("amount", allowed, unit), 1.0
    return dose._replace(value=float(Fraction(repr(allowed)) / times)), per_day


def _dosages(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = list(resource.get("dosageInstruction") or resource.get("dosage") or [])
    if len(entries) > 1:
        sequences = {e.get("sequence") for e in entries}
        if len(sequences) > 1 or None in sequences:
            said = "without a sequence number on each" if None in sequences else "numbered as steps (sequence)"
            raise DoseError(
                f"{_label(resource)}: {len(entries)} dosage instructions {said}: a taper or a schedule, whose MME/day "
                "changes from step to step, and one MME/day is not its own: send each step as its own "
                f"{resource.get('resourceType')} with one dosage instruction, or give instructions taken together "
                "the same sequence number"
            )
    return entries


# -- one resource ----------------------------------------------------------------------------------


def _one(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike,
    variant: str | None,
) -> list[DailyMME]:  # fmt: skip
    """One resource's items; a resource that does not have FHIR's shape is an `ExpressionError`, not a crash."""
    try:
        return _read_one(resource, medications, table, rxnorm, variant)
    except (MMEError, _NotCounted):
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        what = f"no field {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else "a field of another type"
        raise ExpressionError(
            f"{_label(resource)} does not have the shape of a FHIR R4 resource ({what}): check it against the schema"
        ) from exc


def _read_one(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike,
    variant: str | None,
) -> list[DailyMME]:  # fmt: skip
    label = _label(resource)
    _modifiers(resource, label)
    unknown = _unknown_status(resource)
    if (why := _not_taken(resource)) is not None:
        raise _NotCounted(f"{label}: {why}: not counted", NotCoveredError(f"{label}: {why}: it gives no MME"))
    notes: list[str] = [unknown] if unknown else []
    key, prod = _medication(resource, medications, rxnorm, notes)  # a Product, or an ingredient-level RxCUI
    if resource.get("intent") in _NOT_ORDERS:
        notes.append(f"{label}: intent {resource['intent']!r}, {_NOT_ORDERS[resource['intent']]}: counted anyway")
    status = resource.get("status")
    if isinstance(status, str) and (why := _STATUSES.get(resource["resourceType"], {}).get(status)):
        notes.append(f"{label}: status {status!r}, {why}")
    for code in _adherence(resource):  # R5: the patient has stopped it, or holds it (not-taking is not counted)
        if code.startswith(("stopped", "on-hold")):
            notes.append(f"{label}: its adherence is {code!r}, counted anyway: choose the resources by adherence first")
    if prod is not None and prod.source == _NAMED:
        notes.append(f"{label}: the medication has no RxNorm coding: read from its name {prod.name!r}")
    elif prod is not None and prod.dose_form is None:
        how = "a strength per hour read as a patch" if prod.form == "patch" else "route and form are the table's"
        notes.append(f"{label}: the Medication states no RxNorm dose form: {how}")
    if resource["resourceType"] == "MedicationDispense" and "quantity" in resource and "daysSupply" in resource:
        routes = {r for e in _dosages(resource) if (r := _route(e, prod, label, notes)) is not None}
        if len(routes) > 1:
            raise AmbiguousDoseError(f"{label}: its dosages give the routes {', '.join(sorted(routes))}: give one")
        if prod is not None and routes:
            key = prod = _routed(prod, routes.pop())
        dispensed = _dispensed(key, resource["quantity"], resource["daysSupply"], label, notes, table, rxnorm, variant)
        by_dosage = _dosage_mme(resource, medications, table, rxnorm, variant)
        if by_dosage is None or by_dosage == total(dispensed).mme_per_day:
            return dispensed
        return _noted(
            dispensed, [f"{label}: its dosage instructions give {by_dosage:g} MME/day; the dispensing was used"]
        )
    items: list[DailyMME] = []
    entries = _dosages(resource)
    if not entries:
        return _requested(resource, key, f"{label}: no dosage", notes, table, rxnorm, variant)
    shared, first = len(notes), 0  # the resource's notes go on each item; a dosage's own, on its items only
    for n, entry in enumerate(entries):
        first = _own(items, notes, shared, first)
        where = label if len(entries) == 1 else f"{label} dosage {n + 1}"
        route = _route(entry, prod, where, notes)
        routed = None if prod is None else _routed(prod, route)
        given = key if routed is None else routed
        dose, per_time, others = _dose(entry, where, notes)
        dose, check = (dose, per_time) if dose is not None else (per_time, None)
        per_day = _per_day(entry.get("timing") or {}, where, notes)
        patch = prod is not None and any(i.unit == "MG/HR" for i in prod.opioids)
        if dose is not None and prod is not None:
            dose = _fits(dose, prod, patch, where)
        if check is not None and prod is not None:  # a patch's rate beside its count: as the rate alone reads
            check = _fits(check, prod, patch, where)
        if dose is not None and patch and dose.kind == "count" and not dose.value.is_integer():  # as the sig reader
            notes.append(f"{where}: {part_of_a_patch(dose.value)}")
        if dose is None and patch:
            dose = _Dose("count", 1.0, "", "patch")
            notes.append(f"{where}: no dose given; one patch at a time was read")
        rate = dose is not None and dose.unit.endswith("/h")  # an infusion's rate is its own timing
        worn = patch or route == "transdermal"  # a patch's rate (fentanyl's ingredient so given), worn as timed
        hourly = dose if rate else None  # a rate, before it is the amount of the hours it runs
        if dose is not None and (patch or rate):  # the hours a day it runs, or is worn
            timing = entry.get("timing") or {}
            dose, per_day = _over_the_day(timing, dose, per_day, worn, where, notes)
            rate = dose.unit.endswith("/h")
        if dose is not None and per_day is None and not (patch or rate):
            per_day = _most_allowed(entry, dose, where, notes, prod)
        if dose is not None and per_day is None and patch and entry.get("maxDosePerPeriod"):
            notes.append(f"{where}: maxDosePerPeriod not applied: the dose is a rate per hour, with no frequency")
        if dose is not None and rate and per_day is not None and not worn:
            raise DoseError(
                f"{where}: the rate {_said(dose)} is its own timing, and the timing says {_times_a_day(per_day)}: give "
                "a dose with its timing, or the rate alone"
            )
        if dose is None or (per_day is None and not (patch or rate)):
            missing = "dose (doseAndRate)" if dose is None else "timing (frequency and period)"
            by_text = None if routed is None else _sig(routed, entry, dose, per_day, where, table, rxnorm, variant)
            if by_text is not None:
                items.append(by_text)
                continue
            text = f" (text: {entry['text']!r})" if entry.get("text") else ""
            if not text and entry.get("patientInstruction"):  # the patient's words, which may leave out the dose
                text = f" (its patientInstruction {entry['patientInstruction']!r} is not read; its text would be)"
            why = f"{where}: the dosage has no {missing}{text}"
            return _requested(resource, given, why, notes, table, rxnorm, variant)
        if entry.get("asNeededBoolean") or entry.get("asNeededCodeableConcept") or entry.get("asNeeded"):
            notes.append(f"{where}: as needed (PRN): the maximum use the dosage allows was counted")
        dose = _at_most(entry, dose, where, notes, prod, hourly)
        if hourly is not None and not worn:  # an infusion: what it gives is capped, not its runs
            dose, per_day = _a_day_at_most(entry, dose, per_day, where, notes, prod)
        elif per_day is not None:
            per_day = _cap(entry, dose, per_day, where, notes, prod)
        args: dict[str, Any] = {"per_day": per_day, "route": route, "table": table, "rxnorm": rxnorm}
        args["variant"] = variant
        dose = _in_packs(prod, dose, where, notes)
        if hourly is not None and hourly is not dose:  # the engine's checks of a rate (an infusion's route) hold
            _regimen(given, hourly, args | {"per_day": None})
        result = _regimen(given, dose, args)
        rates = any(d is not None and d.unit.endswith("/h") for d in (check, *(d for d, _ in others)))
        run = _run((entry.get("timing") or {}).get("repeat") or {}, where, []) if rates else None  # notes: said
        by_rate = None if check is None else _regimen(given, *_as_given(check, run, args, worn))
        if by_rate is not None and check is not None and by_rate.mme_per_day != result.mme_per_day:
            raise AmbiguousDoseError(  # an infusion's rate is its own timing; a patch's, the wear of the one dosed
                f"{where}: the dose ({_said(dose)}) gives {result.mme_per_day:g} MME/day, "
                f"the rate ({check.value:g} {check.unit}) {by_rate.mme_per_day:g}: correct one, or, for a dose on "
                "demand and a continuous rate given together (PCA), give each as a dosage instruction of its own, "
                "with one sequence number"
            )
        _agree(given, prod, dose, result.mme_per_day, others, args, where, run)
        if per_day is not None and per_day < 1 and not worn:  # as the sig reader says it of "twice a week"
            dosing_day = _regimen(given, dose, {**args, "per_day": 1.0}).mme_per_day
            notes.append(f"{where}: {less_than_daily(dosing_day or 0)}")
        items.extend(result.items if isinstance(result, Total) else [result])
    _own(items, notes, shared, first)
    return _noted(items, notes)


def _own(items: list[DailyMME], notes: list[str], shared: int, first: int) -> int:
    """A dosage instruction's notes (those after the resource's first ``shared``) go on the items it gave (from
    ``first``), not on another's: a PCA's rate was said on its bolus too, and listed twice in the total. Where the next
    dosage's items start."""
    own, notes[shared:] = notes[shared:], []
    items[first:] = _noted(items[first:], own)
    return len(items)


def _agree(
    given: str | Product, prod: Product | None, dose: _Dose, mme_per_day: float | None,
    others: list[tuple[_Dose, str]], args: Mapping[str, Any], where: str, run: float | None,
) -> None:  # fmt: skip
    """Several ``doseAndRate`` entries (ordered, calculated, admin-amount...), and a dose in STU3's shape beside
    R4's, must give the same MME/day: which one is meant is unknown otherwise (`mme.AmbiguousDoseError` naming both).
    A rate among them gives what it gives (`_as_given`): Epic's calculated 2 mg/h beside its ordered 2 mg for 1 h
    agree."""
    patch = prod is not None and any(i.unit == "MG/HR" for i in prod.opioids)
    for written, stu3 in others:
        other = written if prod is None else _fits(written, prod, patch, where)
        other, its_args = _as_given(_in_packs(prod, other, where, []), run, args, patch)
        if (theirs := _regimen(given, other, its_args).mme_per_day) == mme_per_day:
            continue
        if stu3:
            raise AmbiguousDoseError(
                f"{where}: the dosage gives its dose twice, in STU3's shape ({stu3}: {_said(written)}, {theirs:g} "
                f"MME/day) and in R4's (doseAndRate: {_said(dose)}, {mme_per_day:g} MME/day), and they differ: give one"
            )
        raise AmbiguousDoseError(
            f"{where}: its doseAndRate entries disagree: {_said(dose)} gives {mme_per_day:g} MME/day, {_said(other)} "
            f"{theirs:g}: give one dose"
        )


def _as_given(rate: _Dose, run: float | None, args: Mapping[str, Any], patch: bool) -> tuple[_Dose, Mapping[str, Any]]:
    """A rate beside a dose, as what it gives, to compare: the amount of each run (its ``duration``: 2 mg/h for 1 h
    is 2 mg at each administration), or, with no duration, the rate all day; a patch's rate, and a dose, as written."""
    if patch or not rate.unit.endswith("/h"):
        return rate, args
    if run is None:
        return rate, {**args, "per_day": None}
    amount = Fraction(repr(rate.value)) * _exactly(run)
    return _Dose("amount", float(amount), rate.unit.removesuffix("/h")), args


def _times_a_day(n: float) -> str:
    """A number of administrations a day, in words: "1 administration a day", "0.5 administrations a day"."""
    return f"{n:g} administration{'' if n == 1 else 's'} a day"


def _said(dose: _Dose) -> str:
    return f"{dose.value:g} {dose.said or dose.unit or 'unit(s)'}"


def _routed(prod: Product, route: str | None) -> Product:
    """The product given by the route a dosage states, where it differs from the one its coding implies."""
    return prod if route in (None, prod.route) else prod.model_copy(update={"route": route})


def _fits(dose: _Dose, prod: Product, patch: bool, where: str, what: str = "dose") -> _Dose:
    """A count in units that name another form than the product's (`_FORM_UNITS`: patches of a tablet, tablets of a
    patch, a film or a spray, sprays of a tablet) is refused: which product, or which count, is meant is unknown; so
    is an amount in mg of a product whose other component's strength is unknown (the RxCUI path refuses one equal to
    it)."""
    if prod.source == _UNSTATED and dose.unit in _MG:
        raise DoseError(
            f"{where}: the dose {_said(dose)} may be the amount of another component of {prod.label}, whose strength "
            "is not stated: give the count of units (e.g. 1 {tablet}), or each component's strength"
        )
    is_patch = patch or prod.form == "patch"
    form = "patch" if is_patch else prod.form
    other = (
        _COUNTS - _INJECTION_UNITS if form == "injection" else _NAMED_FORMS - _FORM_UNITS.get(form, frozenset())
        if form else ()
    )  # fmt: skip
    if dose.said.lower() in other:
        form = str(prod.form)  # one is given: a product of no form has no unit of another
        theirs = "a patch" if is_patch else f"{'an' if form[0] in 'aeiou' else 'a'} {form}"
        raise AmbiguousDoseError(f"{where}: the {what} is {dose.value:g} {dose.said}, but {prod.label} is {theirs}")
    if is_patch and dose.unit in _IN_MG and dose.unit.endswith("/h"):
        return _patch_rate(dose, prod, where)
    return dose


#: A patch's labelled rate -> the rate it delivers, where they differ: fentanyl's "12 mcg/h" delivers 12.5 mcg/h.
_DELIVERS: dict[tuple[str | None, Decimal], Decimal] = {("fentanyl", Decimal("0.012")): Decimal("0.0125")}


def _patch_rate(dose: _Dose, prod: Product, where: str) -> _Dose:
    """A patch's rate must be its product's (however written: 75 ug/h, 0.075 mg/h), or several patches' (150 ug/h:
    two): another (25 ug/h of a 75 mcg/h patch) contradicts the product, and which is meant is unknown. It is returned
    as that many patches at the labelled rate, as a count of them reads: fentanyl's "12 mcg/h" patch written as the
    12.5 mcg/h it delivers (25: two) is 12 mcg/h (24), one MME for one patch. Exact: 5.4 mg/72 h is 75 mcg/h."""
    own = [(i.drug, i.strength) for i in prod.opioids if i.unit == "MG/HR"]
    if len(own) != 1:
        return dose
    labelled = Fraction(own[0][1])
    rate = Fraction(repr(dose.value)) * Fraction(_IN_MG[dose.unit])
    counts = sorted({rate / Fraction(one) for one in {own[0][1], _DELIVERS.get(own[0], own[0][1])}})
    whole = [n for n in counts if n.denominator == 1 and n > 0]
    if len(whole) > 1:  # 300 mcg/h: 25 patches labelled 12 mcg/h, or 24 delivering 12.5
        raise AmbiguousDoseError(
            f"{where}: the rate {_said(dose)} is {whole[1]} patches of {prod.label} at its labelled rate, or "
            f"{whole[0]} at the rate it delivers: which is meant is unknown; give the count of patches"
        )
    if whole:
        return dose._replace(value=float(whole[0] * labelled / Fraction(_IN_MG[dose.unit])))
    raise AmbiguousDoseError(
        f"{where}: the rate {_said(dose)} contradicts {prod.label}, whose rate is {float(own[0][1]) * 1000:g} mcg/h "
        "(nor is it several such patches'): which is meant is unknown; give the count of patches, or the product of "
        "that rate"
    )


def _regimen(given: str | Product, dose: _Dose, args: Mapping[str, Any]) -> DailyMME | Total:
    """The engine's MME/day of one dose per administration: a count of units, a volume or an amount."""
    if dose.kind == "count":
        return rx_daily_mme(given, count=dose.value, **args)
    if dose.kind == "volume":
        return rx_daily_mme(given, volume=(dose.value, dose.unit), **args)
    return rx_daily_mme(given, (dose.value, dose.unit), **args)


def _dosage_mme(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], table: TableLike, rxnorm: RxnormLike,
    variant: str | None,
) -> float | None:  # fmt: skip
    """What a dispense's dosage instructions give (None when it has none that read), to compare with its dispensing."""
    try:
        if not _dosages(resource):
            return None
        return total(
            _read_one({**resource, "resourceType": "MedicationRequest"}, medications, table, rxnorm, variant)
        ).mme_per_day
    except (MMEError, _NotCounted, KeyError, TypeError, AttributeError, ValueError, IndexError):
        return None


def _sig(
    prod: Product, entry: Mapping[str, Any], dose: _Dose | None, per_day: float | None, where: str, table: TableLike,
    rxnorm: RxnormLike, variant: str | None,
) -> DailyMME | None:  # fmt: skip
    """A dosage without structured dose or timing, read from its ``text`` by the sig reader; None when it does
    not read, disagrees with a structured count or timing or has a structured cap (then the dispense request is
    used)."""
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip() or "maxDosePerPeriod" in entry:
        return None
    try:
        result = convert_expression(rx_expression(prod, text, rxnorm=rxnorm, table=table), table=table, variant=variant)
    except MMEError:
        return None
    read = result.expression
    if dose is not None and not (dose.kind == "count" and read is not None and read.count == dose.value):
        return None
    if per_day is not None:
        every = read.every_hours if read is not None else None
        said = read.per_day if read is not None and read.per_day is not None else 24 / every if every else None
        if said is None or not math.isclose(said, per_day):
            return None
    missing = "dose or timing" if dose is None and per_day is None else "dose" if dose is None else "timing"
    note = f"{where}: dosage read from text {text!r} (no structured {missing})"
    return result.model_copy(update={"warnings": (note, *result.warnings)})


def _requested(
    resource: Mapping[str, Any], key: str | Product, why: str, notes: list[str], table: TableLike, rxnorm: RxnormLike,
    variant: str | None,
) -> list[DailyMME]:  # fmt: skip
    """Without a usable dosage, a MedicationRequest's dispenseRequest gives MME/day as claims do (said)."""
    request = resource.get("dispenseRequest") or {}
    if "quantity" not in request or "expectedSupplyDuration" not in request:
        raise DoseError(f"{why}: give the dose and timing, or a dispensing (quantity and supply duration)")
    notes.append(f"{why}; MME/day from the dispense request (quantity / expected supply duration)")
    return _dispensed(
        key, request["quantity"], request["expectedSupplyDuration"], _label(resource), notes, table, rxnorm, variant,
        ("dispenseRequest.quantity", "dispenseRequest.expectedSupplyDuration"),
    )  # fmt: skip


def _dispensed(
    key: str | Product, quantity: Mapping[str, Any], supply: Mapping[str, Any], label: str, notes: list[str], table: TableLike,
    rxnorm: RxnormLike, variant: str | None, fields: tuple[str, str] = ("quantity", "daysSupply"),
) -> list[DailyMME]:  # fmt: skip
    """The claims path: quantity dispensed / days supply, quantity in the product's units (or mL for liquids);
    ``fields`` name them in the resource, for a message."""
    value, unit = _quantity(quantity, f"{label} quantity", notes)
    days, days_unit = _quantity(supply, f"{label} days supply", notes)
    for field, number in zip(fields, (value, days), strict=True):
        if not number > 0:
            raise DoseError(f"{label}: {field} must be positive, not {number:g}")
    in_hours = _time(supply, days_unit, fields[1], label) if days_unit else _HOURS["d"]
    if in_hours is None:
        raise UnitError(f"{label}: the days supply is in {days_unit!r}, not a time")
    if in_hours in (_HOURS["mo"], _HOURS["a"]):  # 28 to 31 days, 365 or 366: the days the supply lasts are unknown
        raise UnitError(f"{label}: {fields[1]} is in {days_unit!r}, which is not a whole number of days: give it in "
                        "days (d) or weeks (wk)")  # fmt: skip
    if not days_unit:
        notes.append(f"{label}: the days supply has no unit: read as days")
    days = days * in_hours / 24
    prod = key if isinstance(key, Product) else product(key, rxnorm=rxnorm)
    liquid = any(i.unit == "MG/ML" for i in prod.opioids)
    if not unit:
        notes.append(f"{label}: the quantity has no unit: read as {'mL' if liquid else 'units of the product'}")
    elif liquid and unit.lower() != "ml":
        each = _one_dose_ml(prod) if _unit_key(unit).lower() in _INJECTION_UNITS else None
        if each is None:
            raise UnitError(f"{label}: {prod.name} is a liquid: give the quantity in mL, not {unit!r}")
        notes.append(f"{label}: a count of {str(prod.dose_form).lower()}s is their whole volume: {value:g} x "
                     f"{each.normalize():f} mL of {prod.name}")  # fmt: skip
        value = float(Decimal(repr(value)) * each)  # as a request's count of them reads
    elif prod.pack and unit.strip().lower() in _PACKS:  # a count of packs, said as such
        unit = ""
    elif not liquid and _dose_of(value, unit, f"{label} quantity").kind != "count":
        raise UnitError(f"{label}: give the quantity of {prod.name} as a count of units, not {unit!r}")
    if not liquid:
        patch = any(i.unit == "MG/HR" for i in prod.opioids)
        counted = _fits(_Dose("count", value, "", _unit_key(unit)), prod, patch, label, "quantity")
        value = _in_packs(prod, counted, label, notes).value
    result = dispensing_mme(key, quantity=value, days_supply=days, table=table, rxnorm=rxnorm, variant=variant)
    return _noted(list(result.items) if isinstance(result, Total) else [result], notes)


#: Units that name a pack ("{pack}"): for an RxNorm pack (Subsys), a count of packs; for another product, no unit.
_PACKS = frozenset({"{pack}", "pack", "{package}", "package", "{pk}", "pk"})
#: Count units that name no unit of a product: for a pack, a count in them counts packs.
_BARE_COUNTS = frozenset({"", "1", "{each}", "{ea}", "each", "ea", "{dose}", "{unit}"})
#: The counts of an injection (a prefilled syringe's whole volume): a tablet, patch or spray of one is another product.
_INJECTION_UNITS = _BARE_COUNTS | {"{syringe}", "{cartridge}", "{auto-injector}"}


def _in_packs(prod: Product | None, dose: _Dose, where: str, notes: list[str]) -> _Dose:
    """A count of an RxNorm pack ("{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack") in packs, as the sig reader
    counts one: in its units (``{actuat}``, ``{spray}``), each is one of them; in none (``1``, ``{each}``), packs."""
    if dose.kind != "count" or prod is None or not prod.pack or dose.said.strip().lower() in _BARE_COUNTS:
        return dose
    notes.append(f"{where}: a pack of {prod.pack} units: each {dose.said} counted is one of them")
    return dose._replace(value=float(Decimal(repr(dose.value)) / prod.pack))


def _noted(items: list[DailyMME], notes: list[str]) -> list[DailyMME]:
    return [item.model_copy(update={"warnings": item.warnings + tuple(notes)}) for item in items] if notes else items


# -- the public calls ------------------------------------------------------------------------------


def _is_bundle(entry: Mapping[str, Any]) -> bool:
    return bool(entry["resource"].get("resourceType") == "Bundle")


class _Medications(NamedTuple):
    """A Bundle's Medications, each with its version (None when it gives none): by ``fullUrl``, and by each
    ``Medication/id`` they are known by (their ``id``, the end of their ``fullUrl``) with their ``fullUrl``, since
    Medications of two servers may share one."""

    by_url: dict[str, list[tuple[str | None, Mapping[str, Any]]]]
    by_id: dict[str, list[tuple[str, str | None, Mapping[str, Any]]]]


def _entries(bundle: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], _Medications]:
    """The Bundle's entries that hold a resource (those of a Bundle in it too), and its Medications."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ExpressionError(f"{_label(bundle)}: 'entry' must be a list of entries")
    odd = next((e["resource"] for e in entries if not isinstance(e.get("resource"), Mapping | None)), None)
    if odd is not None:
        raise ExpressionError(f"{_label(bundle)}: an entry's resource is {_kind(odd)}, not a FHIR resource (an object)")
    entries = [e for e in entries if isinstance(e.get("resource"), Mapping)]
    for n, entry in enumerate(entries, start=1):
        _named_type(entry["resource"], f"{_label(bundle)}: entry {n} is ")
    entries = [inner for e in entries for inner in (_entries(e["resource"])[0] if _is_bundle(e) else [e])]
    medications = _Medications({}, {})
    for entry, res in ((e, e["resource"]) for e in entries):
        if res.get("resourceType") == "Medication":
            full = str(entry.get("fullUrl") or "")
            meta = res.get("meta")
            version = _version(full) or (
                str(meta["versionId"]) if isinstance(meta, Mapping) and meta.get("versionId") else None
            )
            url = _url(full)
            if url:
                medications.by_url.setdefault(url, []).append((version, res))
            own = {f"Medication/{res['id']}"} if res.get("id") else set()
            for name in (own | _identities(url)) - {url}:
                medications.by_id.setdefault(name, []).append((url, version, res))
    return entries, medications


_BASE = re.compile(r"^(\w+://.+/)[A-Z][A-Za-z]+/[^/]+$")  # a RESTful fullUrl: its server's base, then Type/id
_SERVER = re.compile(r"^[A-Za-z][\w+.-]*://[^/]+")  # a URL's scheme and host, whose case says nothing


def _url(text: str) -> str:
    """A fullUrl or reference without its version, its scheme and host in lower case (URLs compare so)."""
    return _SERVER.sub(lambda m: m.group(0).lower(), _HISTORY.sub("", text.strip()))


def _version(reference: str) -> str | None:
    """The version a reference or fullUrl names (``.../_history/2``), or None."""
    found = re.search(r"/_history/([^/]+)$", reference.strip())
    return found.group(1) if found else None


def _referenced(entry: Mapping[str, Any], medications: _Medications) -> dict[str, Mapping[str, Any]]:
    """The Medication an entry's resource references, resolved as FHIR resolves a reference in a Bundle: an absolute
    one by ``fullUrl``; a relative one (``Medication/m9``) against the base of the entry's own ``fullUrl``, else by
    ``Medication/id`` among Medications of no other server; a version (``.../_history/2``) names that version. Two
    different Medications so found (two versions, for a reference that names none) are an `AmbiguousDoseError`:
    which one is meant is unknown. Empty when there is none to resolve in the Bundle."""
    resource = entry["resource"]
    reference = resource.get("medicationReference")
    if isinstance(resource.get("medication"), Mapping):  # R5: a CodeableReference
        reference = resource["medication"].get("reference")
    ref = str(reference.get("reference") or "") if isinstance(reference, Mapping) else ""
    key = _url(ref)
    if not key or key.startswith("#"):
        return {}
    base = _BASE.match(_url(str(entry.get("fullUrl") or "")))
    found: list[tuple[str, str | None, Mapping[str, Any]]]
    if key in medications.by_url:
        found = [(key, version, medication) for version, medication in medications.by_url[key]]
    elif ":" in key:  # absolute, and not in the Bundle
        return {}
    elif base is not None and (url := base.group(1) + key) in medications.by_url:
        found = [(url, version, medication) for version, medication in medications.by_url[url]]
    else:
        found = [
            (url, version, medication)
            for url, version, medication in medications.by_id.get(key, [])
            if base is None or (theirs := _BASE.match(url)) is None or theirs.group(1) == base.group(1)
        ]
        if not found and base is not None and (elsewhere := medications.by_id.get(key)):
            raise ExpressionError(
                f"{_label(resource)}: {ref!r} is relative to its own server ({base.group(1)}), and the Bundle holds "
                f"{key} of another only ({elsewhere[0][0]}): reference it by its fullUrl"
            )
    wanted = _version(ref)
    if wanted is not None and any(version is not None for _, version, _ in found):
        found = [one for one in found if one[1] == wanted]
        if not found:
            raise ExpressionError(f"{_label(resource)}: {ref!r} names version {wanted}, which the Bundle does not hold")
    distinct: dict[str, tuple[str, str | None, Mapping[str, Any]]] = {}
    for one in found:
        content = {k: v for k, v in one[2].items() if k != "meta"}
        distinct.setdefault(json.dumps(content, sort_keys=True, default=str), one)
    if len(distinct) > 1:
        where = "; ".join(
            (url or "no fullUrl") + (f" version {version}" if version else "") for url, version, _ in distinct.values()
        )
        raise AmbiguousDoseError(
            f"{_label(resource)}: {ref!r} names {len(distinct)} different Medications in the Bundle ({where}): "
            "reference it by its fullUrl, and its version (.../_history/N) when the Bundle holds several"
        )
    return {ref: next(iter(distinct.values()))[2]} if distinct else {}


def _deleted(bundle: Mapping[str, Any]) -> set[str]:
    """The names of the resources a Bundle's entries delete (``request.method`` DELETE, in a transaction or a
    history), those of a Bundle in it too: none of them is counted."""
    found: set[str] = set()
    for n, entry in enumerate(bundle.get("entry") or [], start=1):
        request, resource = entry.get("request"), entry.get("resource")
        if _method(request, f"{_label(bundle)}: entry {n}'s request") == "DELETE":
            found |= _identities(str(request.get("url") or "")) | _identities(str(entry.get("fullUrl") or ""))
            if isinstance(resource, Mapping) and resource.get("id"):
                found.add(f"{resource.get('resourceType')}/{resource['id']}")
        if isinstance(resource, Mapping) and resource.get("resourceType") == "Bundle":
            found |= _deleted(resource)
    return found


def _method(request: object, where: str) -> str:
    """A Bundle entry's ``request.method``, in upper case ("" without one). A request that is no object, or a method
    that is no code (["DELETE"]), is refused: whether the entry deletes its resource is unknown."""
    if request is None:
        return ""
    unknown = "whether it deletes its resource is unknown"
    if not isinstance(request, Mapping):
        raise ExpressionError(f"{where} is {_kind(request)}, not an object (method, url): {unknown}")
    method = request.get("method")
    if not isinstance(method, str | None):
        raise ExpressionError(f"{where}.method is {_kind(method)}, not a code (GET, PUT, DELETE...): {unknown}")
    return (method or "").upper()


def convert(
    obj: object,
    *,
    table: TableLike = DEFAULT_TABLE,
    rxnorm: RxnormLike = None,
    thresholds: Iterable[float] = CDC_THRESHOLDS,
    variant: str | None = None,
) -> DailyMME | Total:
    """MME/day of a FHIR resource: a `mme.DailyMME` for one item, a `mme.Total` for several (a product with two
    opioids, concurrent dosages), a `BundleMME` for a Bundle (non-opioid medications listed as not counted).
    ``variant`` chooses among the values a table prints, as in `mme.convert` (cms-2018 methadone: flat or tiers)."""
    thresholds = _thresholds(thresholds)  # checked also where one item leaves them unused
    resource = read(obj)
    kind = resource["resourceType"]
    if kind == "Bundle":
        return _bundle(resource, table, rxnorm, thresholds, variant)
    if kind not in MEDICATION_RESOURCES:
        if kind == "OperationOutcome" and (errors := _errors_reported(resource, "the export")):
            raise ExpressionError("; ".join(errors))  # a bulk export's line: said as a Bundle's incomplete is
        why = f": {kind} is {_NOT_READ[kind]}" if kind in _NOT_READ else ""
        raise ExpressionError(
            f"{_label(resource)}: mme reads {', '.join(sorted(MEDICATION_RESOURCES))} and Bundle{why}"
        )
    try:
        items = _one(resource, {}, table, rxnorm, variant)
    except _NotCounted as exc:
        raise exc.alone from None
    return items[0] if len(items) == 1 else total(items, thresholds=thresholds)


def _bundle(
    bundle: Mapping[str, Any], table: TableLike, rxnorm: RxnormLike, thresholds: Iterable[float], variant: str | None
) -> BundleMME:
    entries, medications = _entries(bundle)
    deleted = _deleted(bundle)
    read: list[tuple[Mapping[str, Any], list[DailyMME]]] = []  # each resource counted, and its items
    skipped: list[str] = []
    counted: dict[str, Mapping[str, Any]] = {}  # by each name a reference may give it (`_names`)
    entered: dict[str, int] = {}  # each name -> the entry that has it: one dict entered twice is two entries
    kinds: set[str] = set()  # of the resources counted
    for index, entry in enumerate(entries):
        resource = entry["resource"]
        if resource.get("resourceType") in _NOT_READ:
            skipped.append(f"{_label(resource)}: {_NOT_READ[resource['resourceType']]}")
            continue
        if resource.get("resourceType") not in MEDICATION_RESOURCES:
            continue
        _modifiers({k: v for k, v in entry.items() if k != "resource"}, f"{_label(resource)}'s Bundle entry")
        if gone := sorted(_names(entry) & deleted):  # its versions are still one resource (`_enter`)
            _enter(entry, index, entered)
            skipped.append(f"{_label(resource)}: deleted by the Bundle ({gone[0]}, request DELETE): not counted")
            continue
        try:
            found = _one(resource, _referenced(entry, medications), table, rxnorm, variant)
        except _NotCounted as exc:
            skipped.append(str(exc))
            continue
        except Exception as exc:
            exc.add_note(f"in {_label(resource)}")
            raise
        read.append((resource, found))
        kinds.add(str(resource["resourceType"]))
        _enter(entry, index, entered)
        for name in _names(entry):
            counted.setdefault(name, resource)
    _counted_once(counted)
    items = _twins(read)
    if len(kinds) > 1:  # a request and its fill, unlinked, are both counted: said, since nothing tells them apart
        items = _noted(items, [f"the Bundle counts {' and '.join(sorted(kinds))} resources together: a prescription "
                               "and its fills or statements, unless linked (authorizingPrescription, basedOn...), "
                               "are each counted; convert one kind"])  # fmt: skip
    tab = resolve_table(table)
    checked = _thresholds(thresholds)  # also where no item is counted: no threshold goes unchecked
    sum_ = total(items, thresholds=checked) if items else None
    return BundleMME.model_construct(  # the total's figures, made by `total`: validating them again costs 15 us
        items=sum_.items if sum_ else (),  # the total's: a methadone tier is chosen by the Bundle's total dose
        mme_per_day=sum_.mme_per_day if sum_ else None,
        table=sum_.table if sum_ else tab.slug,
        table_version=sum_.table_version if sum_ else tab.version,
        thresholds=checked,
        not_counted=tuple(skipped),
        incomplete=_incomplete(bundle),
    )


def _incomplete(bundle: Mapping[str, Any]) -> tuple[str, ...]:
    """Why opioids may be missing from a Bundle's total: a ``next`` link (a search's page, the others not fetched), or
    an OperationOutcome whose issue is an error or fatal (as an entry, ``search.mode`` outcome, or an entry's
    ``response.outcome``: the server says it left something out)."""
    why: list[str] = []
    links = bundle.get("link") or []
    if not isinstance(links, list) or not all(isinstance(link, Mapping) for link in links):
        raise ExpressionError(f"{_label(bundle)}: 'link' must be a list of links, not {_kind(links)}: whether it has a "
                              "next page is unknown")  # fmt: skip
    for link in links:
        if not isinstance(link.get("relation", ""), str):
            raise ExpressionError(f"{_label(bundle)}: a link's relation is {_kind(link['relation'])}, not text: "
                                  "whether it is the next page is unknown")  # fmt: skip
        if link.get("relation") == "next":
            why.append(f"the Bundle is one page of a search: its next page ({link.get('url')}) is not in it, and "
                       "opioids on it are not counted: fetch every page (follow the link next)")  # fmt: skip
    entries = bundle.get("entry")
    for n, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
        if not any(entry.get(part) is not None for part in ("resource", "request", "response")):  # FHIR's bdl-5
            said = f" ({entry['fullUrl']})" if isinstance(entry.get("fullUrl"), str) else ""
            why.append(f"entry {n} of the Bundle{said} holds no resource (nor a request or response): the resource it "
                       "names is not in the Bundle, and if it is an opioid's it is not counted")  # fmt: skip
        response = entry.get("response")
        for outcome in (entry.get("resource"), response.get("outcome") if isinstance(response, Mapping) else None):
            if isinstance(outcome, Mapping) and outcome.get("resourceType") == "OperationOutcome":
                why += _errors_reported(outcome, "the Bundle")
    return tuple(why)


def _errors_reported(outcome: Mapping[str, Any], of: str) -> list[str]:
    """What an OperationOutcome's errors (severity error or fatal) say: resources may be missing ``of`` a Bundle or an
    export; nothing for warnings and information."""
    why = []
    issues = outcome.get("issue")
    for issue in issues if isinstance(issues, list) else []:
        if isinstance(issue, Mapping) and issue.get("severity") in ("error", "fatal"):
            details = issue.get("details")
            text = details.get("text") if isinstance(details, Mapping) else None
            said = issue.get("diagnostics") or text or issue.get("code") or "no diagnostics"
            name = _label(outcome) if outcome.get("id") else "an OperationOutcome"
            why.append(f"{name} reports {'an error' if issue['severity'] == 'error' else 'a fatal error'} ({said}): "
                       f"the server may have left resources out of {of}, and opioids among them are not counted")  # fmt: skip
    return why


def _twins(read: list[tuple[Mapping[str, Any], list[DailyMME]]]) -> list[DailyMME]:
    """The items of the resources counted, those of resources of one kind that give the same items (medication,
    dosage, MME) saying so: unlinked, they are each counted, though they may be one prescription twice (a statement
    listed twice, a renewal without ``priorPrescription``). Each says its own twins, so a total lists each once."""
    alike: dict[str, list[str]] = {}
    keys = []
    for resource, found in read:
        dumped = [item.model_dump(mode="json", exclude={"warnings"}) for item in found]
        keys.append(json.dumps([resource.get("resourceType"), dumped], sort_keys=True))
        alike.setdefault(keys[-1], []).append(_label(resource))
    items: list[DailyMME] = []
    for key, (resource, found) in zip(keys, read, strict=True):
        same = [name for name in alike[key] if name != _label(resource)] if len(alike[key]) > 1 else []
        said = f"{_label(resource)}: the same medication and dosage as {' and '.join(same)}, {resource['resourceType']} " \
               "resources not linked, each counted: keep one if they are one prescription (listed twice, or renewed " \
               "without priorPrescription)"  # fmt: skip
        items.extend(_noted(found, [said]) if same else found)
    return items


def _enter(entry: Mapping[str, Any], index: int, entered: dict[str, int]) -> None:
    """Record the names of the ``index``-th entry; one already another entry's is the same resource twice."""
    for name in _names(entry):
        if entered.setdefault(name, index) != index:
            raise AmbiguousDoseError(
                f"{_label(entry['resource'])} is in the Bundle twice ({name}: two versions, as a history Bundle lists "
                "them, or one entry repeated): their total would count it twice; keep one"
            )


_HISTORY = re.compile(r"/_history/[^/]*$")
_TYPE_ID = re.compile(r"(?:^|/)([A-Z][A-Za-z]+/[A-Za-z0-9.\-]{1,64})$")


def _identities(reference: str) -> set[str]:
    """What a reference or fullUrl names, as FHIR resolves it: itself, and the ``Type/id`` an absolute URL ends in,
    without a version (``.../_history/2`` is the same resource)."""
    ref = _HISTORY.sub("", reference.strip())
    found = {ref} if ref else set()
    if (tail := _TYPE_ID.search(ref)) is not None:
        found.add(tail.group(1))
    return found


def _names(entry: Mapping[str, Any]) -> set[str]:
    """The names a Bundle entry's resource is known by: its ``fullUrl``, its ``Type/id`` and its identifiers."""
    resource = entry["resource"]
    own = {f"{resource['resourceType']}/{resource['id']}"} if resource.get("id") else set()
    identifiers = resource.get("identifier") or []
    known = {n for i in (identifiers if isinstance(identifiers, list) else [identifiers]) if (n := _identifier(i))}
    return own | _identities(str(entry.get("fullUrl") or "")) | known


def _linked(link: object, where: str) -> set[str]:
    """The names a Reference gives: its ``reference`` (`_identities`) and its ``identifier``. One that is no object,
    or whose ``reference`` is no text, is refused: what it links is unknown, and a link missed counts a prescription
    twice."""
    if not isinstance(link, Mapping):
        raise ExpressionError(f"{where} is {_kind(link)}, not a Reference (an object: reference, identifier)")
    reference = link.get("reference")
    if not isinstance(reference, str | None):
        raise ExpressionError(f"{where}.reference is {_kind(reference)}, not text ('MedicationRequest/1')")
    by_identifier = _identifier(link.get("identifier"))
    return _identities(reference or "") | ({by_identifier} if by_identifier else set())


def _identifier(identifier: object) -> str | None:
    """How a business identifier (``system`` and ``value``) names a resource, as a reference's ``identifier`` may
    name it instead of a ``reference`` (pharmacy systems link a dispense to its prescription so)."""
    if not isinstance(identifier, Mapping) or not identifier.get("value"):
        return None
    return f"identifier {identifier.get('system') or ''}|{identifier['value']}"


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
                names = _linked(link, f"{_label(resource)}: {field}")
                others = [o for name in sorted(names) if (o := counted.get(name)) is not None and o is not resource]
                if others:
                    raise AmbiguousDoseError(
                        f"{_label(resource)} names {_label(others[0])} ({field}), both in the Bundle: their total would "
                        "count one prescription twice; convert the requests, the dispenses or the statements alone"
                    )
                if field != "authorizingPrescription" or not names:  # basedOn may name a shared care plan
                    continue
                ref = min(names, key=len)  # its Type/id, when it has one
                if (first := naming.setdefault(ref, resource)) is not resource:
                    raise AmbiguousDoseError(
                        f"{_label(first)} and {_label(resource)} both name {ref}: fills of one prescription are not "
                        "taken together (refills follow each other); summarise fills over time with mme.summarize"
                    )


def iter_convert(
    lines: Iterable[str | bytes],
    *,
    table: TableLike = DEFAULT_TABLE,
    rxnorm: RxnormLike = None,
    variant: str | None = None,
) -> Iterator[tuple[str, DailyMME | Total | None, str | None]]:
    """NDJSON (FHIR bulk export): for each non-blank line, (resource label, result or None, error or None).

    ``lines`` are text or UTF-8 bytes (an open file, ``text.splitlines()``); a whole text is refused, since read
    character by character it would be no resource. A line that fails gives its error message and no number,
    never 0; the stream goes on.
    """
    if isinstance(lines, str | bytes) or not isinstance(lines, Iterable):
        raise ArgumentTypeError(
            f"iter_convert takes the NDJSON's lines (an open file, or text.splitlines()), not {_kind(lines)}"
        )
    return _lines(lines, table, rxnorm, variant)


def _line_text(line: object, label: str) -> str:
    """A line as text: bytes read as UTF-8, and text read from bytes with errors="surrogateescape" (whose lone
    surrogates are bytes that are no UTF-8) decoded again, so that the bytes are named."""
    if isinstance(line, bytes):
        return utf8_text(line, label, ExpressionError)
    if not isinstance(line, str):
        raise ExpressionError(f"{label} is {_kind(line)}, not a line of text")
    return line if line.isascii() else utf8_text(line.encode("utf-8", "surrogateescape"), label, ExpressionError)


def _lines(
    lines: Iterable[object], table: TableLike, rxnorm: RxnormLike, variant: str | None
) -> Iterator[tuple[str, DailyMME | Total | None, str | None]]:
    for n, line in enumerate(lines, start=1):
        label = f"line {n}"
        try:
            if not (text := _line_text(line, label)).strip():
                continue
            data = _json(text.lstrip(_BLANK), label)  # a line is JSON, never a path
            if not isinstance(data, dict):
                raise ExpressionError(f"{label} is {_kind(data)} in JSON, not a FHIR resource")
            resource = read(data)
            label = _label(resource) if resource.get("id") not in (None, "") else f"{label}, {_label(resource)}"
            yield label, convert(resource, table=table, rxnorm=rxnorm, variant=variant), None
        except MMEError as exc:
            yield label, None, f"{type(exc).__name__}: {exc}"

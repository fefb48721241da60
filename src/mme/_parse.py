"""Dose expressions: ``"oxycodone 10 mg q6h"`` read into an `Expression`.

`mme convert` and the worked examples of the conversion tables write a dose the way a
prescription does. The grammar is small and strict: it never guesses a unit or which
number of a combination is the opioid, and anything it cannot read raises
`ExpressionError` naming the part it could not read.

Grammar::

    DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM]

Case does not matter, commas and brackets are ignored, and the parts after the amount
may come in any order. After the product, a sig as prescribers and EHRs write it is read
(docs/expressions.md): verbs and route phrases ("take ... by mouth"), "(s)" plurals, number
words and fractions, count and frequency ranges (the maximum, or the minimum with
``range="min"``, each noted), stated daily maximums (which cap), times of day ("matin et soir"),
waking hours ("q4h while awake": round the clock, noted), clock times that agree with the frequency ("q12h
at 9am and 9pm", noted) and text that names no dose (indications,
durations, "with food"). Multi-step schedules, "as
directed" alone and any word that could change the dose are refused, naming the part.

A sig may also come before the product ("Take 1 oxycodone 5 mg tablet q6h", "q6h 1-2 tabs morphine IR
15 mg"): it is read as if said right after the product's strength and its route, form and release
words. It must give a count or a frequency; a number or an amount in mg right before the name with
no verb before it may be the strength, and is refused.

DRUG
    Everything before the first number, kept as typed ("OxyContin", "morphine sulfate",
    "hydrocodone/acetaminophen"); the engine resolves it. Route, form and release words at
    its start or end are read as such: "oxycodone ER 10 mg" is oxycodone, release ER; a bracketed
    qualifier that changes no dose ("tramadol hcl er (biphasic)", "(PF)") is ignored text; a brand in
    brackets after the generic ("oxyCODONE (ROXICODONE)") is read as RxNorm's "[Roxicodone]".

AMOUNT UNIT
    The opioid amount per unit taken. Numbers: ``10``, ``0.5``, ``.5``, ``2,5`` (decimal
    comma; ``1,000``, and ``1.000`` or ``2.500`` (a thousands mark where the comma is the decimal mark, or a
    decimal's trailing zero), are refused as ambiguous), ``1e3``. Units: ``mg``, ``mcg`` (``µg``,
    ``ug``), ``g``; a rate ``mcg/h`` (``mcg/hr``, ``mcg per hour``), a patch's or, with its
    route, an infusion's (no other product is dosed per hour); a concentration
    ``mg/mL`` (``10 mg/5 mL`` is read as 2 mg/mL; ``mcg/mL`` too); a daily total ``mg/day``
    (``mg/d``, ``mg/24 h``, ``mcg/day``), which takes no frequency but once a day, as one unit (``mg/24 h`` needs a
    route or a form: it may be an infusion's); an amount per unit
    ``100 mcg/spray``, ``5 mg/tab``; a range with its unit once on one opioid, ``5-10 mg`` (ends at
    most 4-fold apart); a dose per interval ``30 mg/12 hr`` (30 mg every 12 hours,
    never a patch's). ``per`` may replace ``/``. A patch brand with a rate it comes in and no unit
    ("Duragesic-50", "Butrans 10") is that rate in mcg/h. A second amount right after the strength, or joined to
    it by "and", "et", "&", a comma or a semicolon ("OxyContin 40 mg and 20 mg"), is refused as two strengths.

    A combination names its components with ``/``, ``+``, ``&``, ``with`` or ``and``; its
    amounts are matched to the components by position and the opioid's is kept
    ("hydrocodone/acetaminophen 5/325 mg" is 5 mg). Exactly one component must be an
    opioid. One amount with a combination ("Percocet 5 mg", "hydrocodone/APAP 10 mg") is
    the opioid's; several amounts need the components spelt out.

COUNT FORM
    Units taken each time (at most 12), singular or plural: ``1 tab``, ``2 tablets``, ``1/2 tab``, ``½ tab``
    (halves, thirds, quarters: "10/2 tab" is refused; an amount in the sig, "take 15 mg", must be whole units or
    such parts, and never a part of an extended-release unit),
    ``2 sprays``, ``2 nasal sprays``, ``1 patch``, ``2 patches``, ``1 film``, ``1 lozenge``,
    ``1 capsule``, ``1 suppository``, ``1 implant``. The word also gives the form, and a
    phrase such as ``nasal sprays`` the route. With a concentration, a volume: ``5 mL``.
    ``in each nostril`` (``each nostril``, ``both nostrils``) doubles it and says the route.

FREQUENCY
    Administrations a day: ``qd``, ``od``, ``daily``, ``once daily``, ``qhs``, ``qam``,
    ``qpm``, ``bid`` (``b.i.d.``, ``bd``), ``twice a day``, ``tid`` (``tds``), ``qid``
    (``qds``), ``3 times a day``, ``3 times daily``, ``3x/day``, ``x3/day``, ``3/day``,
    ``3 fois par jour``. Or an interval: ``q6h``, ``q 6 h``, ``q6hr``, ``q6 hours``,
    ``every 6 hours``, ``every 12 h``, ``4-hourly``, ``q3d``, ``every 7 days``, ``weekly``,
    ``qod``, ``toutes les 6 heures``, ``q.4.h.``, ``4/24`` (UK: every 4 hours, noted), ``q30min``
    (``every 30 minutes``, ``q 1/2 h``: under an hour, noted); a range ``q4-6h`` (``every 4 to 6 hours``,
    ``4-6/24``) takes the shorter interval, the most a prescription allows (as CDC's CQL library does).
    ``prn`` and ``as needed`` are read and ignored, but not after a schedule they add doses to ("bid and prn",
    "nocte, prn during the day": refused). At most one frequency. Each count of ``1-0-1`` with no verb before it is
    at most 4 units; "x 2 weekly" after a patch (twice, or two patches?) and ``6/24 h`` (6 a day, or every 6
    hours?) are refused.

ROUTE/FORM
    Anywhere: ``po``, ``IV``, ``SL``, ``buccal``, ``nasal``, ``transdermal``...; ``IN``
    (intranasal) only in capitals where a route stands, never "in" as in "in the morning";
    ``tablet``, ``ER tablet``, ``patch``, ``nasal spray`` (form spray, route nasal),
    ``buccal film``...; release ``ER``, ``LA``, ``SR``, ``XR``, ``CR``, ``extended-release``,
    ``IR``. Saying two different routes, forms or releases is an error.

Examples:

    >>> parse_expression("oxycodone 10 mg q6h")
    Expression(text='oxycodone 10 mg q6h', drug='oxycodone', dose='10 mg', count=1.0, volume=None, \
per_day=None, every_hours=6.0, route=None, form=None, release=None, as_needed=False, ranges=(), cap=None, \
ignored=(), notes=())
    >>> e = parse_expression("hydrocodone/acetaminophen 5/325 mg 1 tab qid")
    >>> e.drug, e.dose, e.count, e.per_day, e.form
    ('hydrocodone/acetaminophen', '5 mg', 1.0, 4.0, 'tablet')
    >>> e = parse_expression("fentanyl 25 mcg/h patch q72h")
    >>> e.dose, e.form, e.every_hours
    ('25 mcg/h', 'patch', 72.0)
    >>> e = parse_expression("morphine 10 mg/5 mL 5 mL q4h")
    >>> e.dose, e.volume, e.every_hours
    ('2 mg/mL', '5 mL', 4.0)
    >>> e = parse_expression("fentanyl nasal spray 100 mcg/spray 2 sprays q4-6h prn")
    >>> e.dose, e.count, e.every_hours, e.route, e.form
    ('100 mcg', 2.0, 4.0, 'nasal', 'spray')
    >>> e = parse_expression("OxyContin 40 mg/day")
    >>> e.drug, e.dose, e.per_day, e.every_hours
    ('OxyContin', '40 mg/day', None, None)
    >>> e = parse_expression("Percocet 5/325 1-2 tab(s) by mouth every 4 to 6 hours as needed for pain x 5 days")
    >>> e.dose, e.count, e.every_hours, e.as_needed, e.ranges, e.ignored
    ('5 mg', 2.0, 4.0, True, ('1-2', 'every 4 to 6 hours'), ('pain', 'x 5 days'))
    >>> parse_expression("oxycodone 5 q6h")
    Traceback (most recent call last):
      ...
    mme._errors.ExpressionError: no unit after '5' in 'oxycodone 5 q6h'. Expected: \
DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM], e.g. "oxycodone 10 mg q6h"
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final, Literal, NamedTuple, NoReturn

from . import _vocab
from ._errors import ExpressionError
from ._units import decimal_text, format_number

__all__ = [
    "GRAMMAR",
    "UNITS",
    "Expression",
    "Ingredient",
    "Product",
    "RangeChoice",
    "parse_expression",
    "parse_product",
]

RangeChoice = Literal["max", "min"]

GRAMMAR: Final = 'DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM], e.g. "oxycodone 10 mg q6h"'

#: Every unit an `Expression.dose` can carry.
UNITS: Final = frozenset(
    {"mg", "mcg", "g", "mcg/h", "mg/h", "g/h", "mg/mL", "mcg/mL", "g/mL", "mg/day", "mcg/day", "g/day"},
)


@dataclass(frozen=True, slots=True)
class Expression:
    """One dose expression, read but not resolved: the drug stays as typed."""

    text: str
    """The input as typed."""
    drug: str
    """The drug name as typed, e.g. "hydrocodone/acetaminophen", "OxyContin", "morphine sulfate"."""
    dose: str
    """The opioid's amount and unit, normalised: "5 mg", "25 mcg/h", "2 mg/mL", "40 mg/day"."""
    count: float = 1.0
    """Units taken each time ("2 tabs", "2 sprays"); 1 when not given."""
    volume: str | None = None
    """The volume taken each time ("5 mL") when the dose is a concentration."""
    per_day: float | None = None
    """Administrations a day (bid = 2)."""
    every_hours: float | None = None
    """Hours between administrations (q6h = 6; q4-6h = 4)."""
    route: str | None = None
    """Canonical route, when a route word appears ("IV" -> "intravenous", "nasal spray" -> "nasal")."""
    form: str | None = None
    """Canonical form, when a form word appears ("tab" -> "tablet", "nasal spray" -> "spray")."""
    release: str | None = None
    """ "IR" or "ER", when a release word appears ("LA", "SR", "extended-release" -> "ER")."""
    as_needed: bool = False
    """Whether the sig says "prn", "as needed", "when required", "si douleur"..."""
    ranges: tuple[str, ...] = ()
    """Ranges as typed ("1-2 tab(s)", "every 4 to 6 hours"), each read at the end chosen by ``range``."""
    cap: str | None = None
    """A stated maximum as typed ("not to exceed 8 tablets per day"), when one is given."""
    ignored: tuple[str, ...] = ()
    """Text read as carrying no dose: indications, durations, "with food", "as directed"."""
    notes: tuple[str, ...] = ()
    """Every assumption made in reading (a range's end, a unitless strength read in mg, a cap applied)."""


#: Each field's slot of an `Expression`, set as its frozen ``__init__`` sets it (`_expression`).
_SLOTS: Final = {field.name: Expression.__dict__[field.name].__set__ for field in fields(Expression)}


def _expression(**values: object) -> Expression:
    """An `Expression` of values the reader has made, every field given: what its frozen ``__init__`` does (a call
    of ``object.__setattr__`` per field), at about half its cost (one is made for each text read)."""
    made = object.__new__(Expression)
    for name, value in values.items():
        _SLOTS[name](made, value)
    return made


def parse_expression(text: str, *, range: RangeChoice = "max") -> Expression:
    """Read a dose expression; raise `ExpressionError` (an `MMEError`) on anything the grammar cannot read.

    ``range`` chooses which end of a range ("1-2 tabs", "q4-6h") is read: the maximum, as the
    CDC and Practice Fusion calculators do, or the minimum.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"a dose expression is text, not {type(text).__name__}. Expected: {GRAMMAR}")
    if range not in ("max", "min"):
        raise ExpressionError(f"range must be 'max' or 'min', not {range!r}")
    return _parse(text, range)


@lru_cache(maxsize=1024)
def _parse(text: str, range: RangeChoice) -> Expression:
    """Recent texts are read once: an `Expression` is immutable, and an EHR repeats its sigs. A reading with ranges
    is kept (`_kept`) and finished from a twin, as the other end may be asked next; a reading without any is finished
    as it is (the end asked for sets no number there), with no twin to copy and nothing kept."""
    held = _kept(text)
    if held:
        return held[0].finished(range)
    reading = _Parser(text)
    reading.read()
    if reading.ranges:
        held.append(reading)
        return reading.finished(range)
    reading.choice = range  # as a twin's is: the reading is read at the maximum
    return reading.finish(reading.drug_typed)


def _reading(text: str) -> _Parser:
    """A text read up to its result: both ends of a range (`convert` asks for the other end, to warn of it, right
    after the first) are finished from one reading, kept for recent texts with ranges (`_kept`)."""
    held = _kept(text)
    if not held:
        parser = _Parser(text)
        parser.read()
        held.append(parser)
    return held[0]


@lru_cache(maxsize=16)
def _kept(text: str) -> list[_Parser]:
    """The reading of a recent text, once one with ranges is read, else nothing. A reading is a parser's whole state:
    keeping more of them (`_parse` keeps the results) costs more in garbage collection than it saves."""
    return []


@dataclass(frozen=True, slots=True)
class Ingredient:
    """One component of a product with its strength, as named: ("Acetaminophen", 325.0, "mg")."""

    name: str
    amount: float
    unit: str
    """ "mg", "mcg", "mg/mL", "mcg/h", "mg/h"... as written (the engine converts a patch's MG/HR exactly)."""


@dataclass(frozen=True, slots=True)
class Product:
    """A product name read (an RxNorm name, a brand with its strength): what a count of it holds."""

    text: str
    drug: str
    """The opioid ingredient, canonical ("oxycodone")."""
    strength: str
    """The opioid's strength per unit, normalised as `Expression.dose` ("5 mg", "25 mcg/h", "2 mg/mL")."""
    ingredients: tuple[Ingredient, ...]
    route: str | None = None
    form: str | None = None
    release: str | None = None
    brand: str | None = None
    """The bracketed brand of an RxNorm name ("[Percocet]")."""
    pack: int | None = None
    """The units one RxNorm pack holds ("{2 (...) } Pack": 2); ``strength`` is the pack's, its units together, and
    ``ingredients`` are one unit's, as named."""


def parse_product(text: str) -> Product:
    """Read a product name such as "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet [Percocet]".

    The same grammar as `parse_expression`, without a sig: a count, a frequency or a maximum is an
    `ExpressionError`, as is a name whose opioid ingredient is unknown.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"a product name is text, not {type(text).__name__}. Expected: {GRAMMAR}")
    parser = _Parser(text)
    expr = parser.parse()
    if parser.doses or parser.frequency or parser.cap or any(parser.slots) or parser.volume:
        parser.fail("a product name takes no count, frequency or maximum")
    names, _ = parser.components(parser.drug_typed)
    opioid = _opioid_name(parser, parser.drug_typed)
    found = _vocab.drug_name(opioid)
    drug = _vocab.without_salt(opioid) if found is None else found.drug
    if found is None and drug not in _vocab.OTHER_OPIOIDS:
        parser.fail(f"unknown opioid {opioid!r}")
    if len(parser.amounts) == len(names):
        ingredients = tuple(
            Ingredient(name, amount / parser.divisor, u + parser.denominator)
            for name, (amount, u) in zip(names, parser.amounts, strict=True)
        )
    else:  # one amount for several components ("Percocet 5 mg"): the opioid's, as read
        value, unit = expr.dose.split(" ")
        ingredients = (Ingredient(opioid, float(value), unit),)
    return Product(text, drug, expr.dose, ingredients, expr.route, expr.form, expr.release, parser.brand, parser.pack)


class _Phrases(frozenset[str]):
    """Phrases indexed by their first word, built once: at each token the reader tries only the phrases that
    start with it, longest first. `mme.clear_caches()` indexes them again (``cache_clear``), so that this code
    runs under mutation testing, not only at import."""

    __slots__ = ("lengths",)

    def __init__(self, _: Collection[str]) -> None:
        self.cache_clear()

    def cache_clear(self) -> None:
        lengths: dict[str, set[int]] = {}
        for key in self:
            words = key.split()
            lengths.setdefault(words[0], set()).add(len(words))
        self.lengths = {first: tuple(sorted(n, reverse=True)) for first, n in lengths.items()}


# --- vocabulary of the grammar (routes, forms, releases and drugs come from _vocab) ---

_MASS: Final = _vocab.MASS_UNITS
_VOLUME: Final = frozenset(k for k, v in _vocab.VOLUME_UNITS.items() if v == "mL")  # a sig's volumes are in mL
_HOUR: Final = _vocab.HOUR_WORDS
_ONE_DAY: Final = _vocab.DAY_WORDS
_INTERVAL: Final = {
    **dict.fromkeys(_HOUR, 1.0),
    **dict.fromkeys(_vocab.DAY_WORDS, 24.0),
    **dict.fromkeys(("wk", "wks", "week", "weeks", "semaine", "semaines"), 168.0),
    **dict.fromkeys(_vocab.MINUTE_WORDS, 1 / 60),
}
_TIME_LEADS: Final = frozenset({"q", "each", "every", "in", "at", "after", "before", "with"})
_PACKAGE: Final = _HOUR | _VOLUME | {"actuat"}  # RxNorm's leading quantities: "12 HR", "1 ML", "80 ACTUAT"
_COUNTABLE: Final = _vocab.SOLID_FORMS | {"spray"}  # the forms a count says: "2 tabs", "2 sprays"
_PAIN_SCALE: Final = frozenset({"pain", "score", "scale", "level"})  # before a pain score range: "pain score 7-10"
_OVER: Final = frozenset({"in", "per", "every", "/"})  # before a maximum's period: "max 4 tabs per 12 hours", "/4h"
_AT_ONCE: Final = _Phrases({"per dose", "/ dose", "each dose", "a dose", "at once", "at a time", "per occasion", "each time",
                             "per administration", "par prise", "/ prise"})  # fmt: skip
_SCALE: Final = _PAIN_SCALE - {"pain"}  # before any range out of ten ending a part: "pain scale 4-6", not "pain 1-2"
_ABOVE: Final = frozenset({"than", ">", "≥", "above", "over"})  # before a pain score's least: "pain greater than 6"
_OR_ABOVE: Final = frozenset({"greater", "more", "higher", "above", "worse"})  # after one: "pain 7/10 or greater"
_NOT_AMOUNT: Final = frozenset({"q", "every", "x", "#", "no"})  # before a number that is no amount: "q6h", "#3"
_TIMES: Final = frozenset({"x", "×", "times", "time", "fois"})
_PUMPS: Final = frozenset({"pca", "pcea", "pcia"})  # patient-controlled analgesia: a device, never a reason
_BY: Final = frozenset({"x", "×"})  # a multiplier or times: "x 2 patches", "2 x 25 mcg/h patches", "x 2 weekly"
_INTO: Final = frozenset({"in", "into", "dans"})  # before a nostril: "in one nostril", "dans une narine"
_OVER_A_DAY: Final = frozenset({"over", "per", "in", "/"})  # an infusion's "15 mg over 24 hours", "SC/24h"
_COMPARED: Final = frozenset({">", "<", "≥", "≤"})  # before a measurement: "(BP > 100)", a condition, no dose
_PUMP_PAST: Final = frozenset({"post", "after"})  # "post-PCA": the pump is past, the doses by mouth follow it
_PUMP_ENDED: Final = frozenset({"discontinued", "stopped", "removed", "ceased", "off"})  # "when PCA discontinued"
_PUMP_NOT_YET: Final = frozenset({"until", "till", "if", "unless", "before"})  # "until PCA stopped": it still runs
_MULTIPLE: Final = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_STOP_WORDS: Final = frozenset({"stop", "discontinue", "stopping"})  # "then stop": the end of a course
_HANDLED: Final = _vocab.HANDLING | {"or", "and"}  # what follows a comma in "do not crush, chew, or cut"
_EITHER: Final = frozenset({"or", "ou"})  # between two indications: "for pain or cough"
_RANGE: Final = frozenset({"-", "to", "à", "a", "or", "ou"})  # "1-2", "one to two", "1 à 2", "1 or 2"
_HOURLY: Final = frozenset({"hourly", "hrly"})
_FIXED: Final = _vocab.FREQUENCY_WORDS
_TIMES_A_DAY_WORDS: Final = frozenset({"daily", "every day", "each day", "a day", "per day"})
_PUNCT: Final = frozenset(",;:()[]")
_STOPS: Final = frozenset(",;:()[].")  # where ignored text ends
_ADVICE_LEADS: Final = frozenset({"do", "avoid", "may"})  # a label's advice: "do not drive", "may cause drowsiness"
_MINUS: Final = frozenset("-−")
_DASHES: Final = {"–": "-", "—": "-"}  # an en or em dash (as word processors type "1-2") is a hyphen
#: Characters typed for others, each folded to one character so that the text keeps its places: full-width forms
#: ("５ｍｇ", from East Asian input methods) to ASCII, and a byte-order mark, zero-width spaces and joiners (pasted
#: from documents) to a space.
_FOLDED: Final = {
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
    **dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), " "),
}
_DASH: Final = _MINUS | {"to"}  # between a range's ends: "7-10", "7 to 10"
_FRACTIONS: Final = _vocab.VULGAR_FRACTIONS
_HALF: Final = ("1", "/", "2")  # the keys of "1/2" and "½"
_NON_FINITE: Final = frozenset({"nan", "inf", "infinity"})
_SIG_STARTS: Final = _vocab.SIG_VERBS | {"sig"}  # the words a sig may start with after a product's name
_BEFORE_NAME: Final = _MINUS | {"of"}  # between a sig said first and the product: "1 tablet of", "4 times a day -"
_MAY_DO: Final = _vocab.SIG_VERBS | _vocab.MORE_DOSES | {"increase", "increased"}  # "may take 2", "may be increased"
_CONNECTORS: Final = frozenset({"and", "et", "&", "then"}) - _vocab.MULTI_STEP
_TIME_JOINS: Final = _CONNECTORS | {"+"}  # between times of day: "mane and nocte", "mane + nocte"
#: Words "on" leads in English right after a time of day ("every morning on (an) empty stomach", "nocte on dialysis
#: days", "mane on Mondays"); after a time, "on" before any other word is o.n. (`omni_nocte`).
_ON_LEADS: Final = frozenset({"a", "an", "the", "empty", "alternate", "dialysis"}) | _vocab.WEEKDAYS | _vocab.SOME_DAYS
_WITH: Final = frozenset({"with", "plus", "avec"})  # "bid with prn": more doses as needed
_ALSO: Final = frozenset({"also", "too", "aussi"})  # "bid, prn also"
_JOINING: Final = frozenset({"and", "et", "&", ",", ";"})  # between two strengths: "40 mg and 20 mg", "40 mg, 20 mg"
_CAPS: Final = _Phrases(("not to exceed", "do not exceed", "no more than", "max daily dose", "maximum daily dose",
                "maximum dose", "max dose", "maximum of", "max of", "maximum", "max", "up to", "ne pas dépasser",
                "nte", "not exceeding", "jusqu'à", "jusqu'a", "mdd", "daily max", "daily maximum", "daily max dose",
                "daily maximum dose", "max daily amount", "maximum daily amount", "do not take more than",
                "not more than", "sans dépasser", "limit"))  # fmt: skip
_DURATION_UNITS: Final = frozenset({"day", "days", "d", "week", "weeks", "wk", "wks", "month", "months", "mo", "mos", "jours",
                                    "jour", "semaines", "semaine", "mois", "doses", "refills"})  # fmt: skip
_FILLER: Final = _Phrases({"abuse deterrent", "film coated", "disintegrating", "chewable", "pack", "total",
                            "metered dose", "for oral suspension", "for oral solution",
                            "by", "via", "of", "the", "a", "an", "in", "at", "to", "onto", "dose", "if", "as", "de", "par",
                            "effervescent", "orally disintegrating", "orodispersible", "dispersible", "remove old patch", "whole",
                            "remove previous patch", "mouth", "directed", "sig"}
                           | _vocab.APPLICATION_SITES | _vocab.TO_BE_GIVEN)  # fmt: skip
_DIRECTED: Final = _Phrases(_vocab.AS_DIRECTED)
_ELSEWHERE: Final = _Phrases(_vocab.DOSE_ELSEWHERE)
_FIXED_AT: Final = _Phrases(_FIXED)
_AS_NEEDED: Final = _Phrases(_vocab.AS_NEEDED)
_EACH_NOSTRIL: Final = _Phrases(_vocab.EACH_NOSTRIL)
_MORE_DOSES: Final = _Phrases(_vocab.MORE_DOSES)
_WAKING: Final = _Phrases(_vocab.WAKING_HOURS)
_TO_BE_GIVEN: Final = _Phrases(_vocab.TO_BE_GIVEN)
_SCHEDULED: Final = _Phrases(_vocab.SCHEDULED)
_BARE: Final = "bare"  # a maximum's unit when it names none: "max 8/24"
_TIMES_OF_DAY: Final = _Phrases(_vocab.TIMES_OF_DAY)
_DEVICE: Final = _Phrases(("abuse deterrent", "matrix delivery"))  # RxNorm's words before a product
_SPOONS: Final = _Phrases(_vocab.SPOONS)  # "tsp", "cuillère à café"
_TERMS: Final = _Phrases(_vocab.TERMS)  # route, form and release words and phrases
#: The words a frequency can start with, beside a number: `frequency_at` reads nothing else.
_FREQUENCY_STARTS: Final = frozenset(
    {*_FIXED_AT.lengths, *_MULTIPLE, "up", "x", "q", "every", "each", "toutes", "tous"}
)
_FOR: Final = frozenset(
    {"for", "x", "×", "pendant", "during", "over", "qsp"}
)  # before a duration ("qsp": French, enough for)
_TO_LAST: Final = frozenset({"must", "should", "to"})  # before "last 30 days"
_UNTIL: Final = frozenset({"until", "jusqu'à"})
_UP_TO: Final = frozenset({"up", "jusqu'à", "jusqu'a"})  # "up to", "jusqu'à 6 fois par jour": at most this often
_SUPPLIED: Final = _vocab.DISPENSED | _vocab.REFILLS | {"no"}  # the words a quantity supplied can start with
#: The words the parts `step` tries first can start with, beside a number: any other word skips them.
_PART_STARTS: Final = frozenset(
    {*_AS_NEEDED.lengths, *_DIRECTED.lengths, *_EACH_NOSTRIL.lengths, *_WAKING.lengths, *_SCHEDULED.lengths,
     *_CAPS.lengths, *_FOR,
     *_TO_LAST, *_UNTIL,
     *_FREQUENCY_STARTS, *_TIMES_OF_DAY.lengths, *_TIME_LEADS, *_SUPPLIED}
)  # fmt: skip
#: The words `_Parser.word_led` reads a part at: any other word skips it.
_WORD_LEADS: Final = frozenset(
    {"[", "}", "(", "/", ".", "then", "do", *_AT_ONCE.lengths, *_OVER_A_DAY, *_PUNCT, *_ADVICE_LEADS, *_PUMPS}
)
_ORDINAL_SUFFIXES: Final = frozenset({"st", "nd", "rd", "th"})  # glued to a number: "every 2nd day", "4th hourly"
#: The keys of a number at which `step` may read another part than a count (a number word may lead one)...
_NUMBER_LEADS: Final = _PART_STARTS | _WORD_LEADS | _vocab.MULTI_STEP | _BY | _INTO | _UP_TO
#: ...and the keys after a number at which it may: a clock time ("8:00", "8 pm"), refills ("2 refills"), a range, a
#: duration ("5 days"), a frequency ("2 times", "3 daily", "3/day", "4 hourly", "4th hourly", "4/24"), a release or
#: wear period ("12 hr", "7-day"), a schedule ("1-0-1", "1/2-0-1/2"). A number with neither is a count: `step` reads
#: it as one at once.
_NOT_COUNTED_AFTER: Final = frozenset(
    {":", "/", "daily", "weekly", "a", "per", "each", "every", "par", "in", *_vocab.CLOCK_HALVES, *_vocab.REFILLS,
     *_RANGE, *_MINUS, *_DURATION_UNITS, *_TIMES, *_HOURLY, *_HOUR, *_ONE_DAY, *_ORDINAL_SUFFIXES}
)  # fmt: skip
#: A dose held ("held", "(withheld)", "on hold", "on-hold", "prn, hold off"): not taken now, refused by
#: `_Parser.no_dose` (`_Parser.held_at` says where "hold" says so and where it gives a condition: "hold if sedated").
_HELD: Final = frozenset({"held", "withheld", "onhold", "hold"})
#: The words `_Parser.no_dose` reads as more than text naming no dose (more doses, days, a pump, another indication,
#: a part of the sig after it, a dose sent elsewhere): any other word, naming no drug, it reads past.
_NOT_PLAIN: Final = frozenset(
    {*_MORE_DOSES.lengths, *_vocab.MAY, *_PUMPS, *_vocab.WEEKDAYS, *_vocab.SOME_DAYS, *_EITHER, *_PART_STARTS,
     *_vocab.MULTI_STEP, *_TERMS.lengths, *_ELSEWHERE.lengths, *_HELD}
)  # fmt: skip
#: The lexicon's words spelled with digits ("tb12", an EHR's extended-release tablet): each is one word.
_GLUED: Final = "|".join(
    sorted((re.escape(t) for t in _vocab.TERMS if not t.isalpha() and " " not in t), key=len, reverse=True)
)
_TOKEN: Final = re.compile(
    rf"(?P<word>(?i:{_GLUED})(?![0-9])"  # tb12, cp24
    rf"|[^\W\d_{''.join(_FRACTIONS)}]+(?:[.'][^\W\d_]+)*\.?(?:\([eE]?[sS]\))?)"  # mg, b.i.d., µg, tab(s)
    rf"|(?P<num>(?:[0-9]+(?:[.,][0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"  # 10, 0.5, .5, 2,5, 1e3
    rf"|(?P<fraction>[{''.join(_FRACTIONS)}])"  # ½: read as 1/2
    r"|(?P<sym>\S)"  # anything else, one character at a time
)


class _Tok(NamedTuple):
    kind: Literal["num", "word", "sym"]
    text: str  # as typed
    key: str  # lower case, dots and plural brackets dropped: "b.i.d." -> "bid", "tab(s)" -> "tabs"
    value: float = math.nan  # numbers only


_SEAM: Final = _Tok("sym", ",", ",")  # after a sig said before the product, where it is read (`lead_after`)


class _Lexed(NamedTuple):
    """A text's tokens and, token by token, their keys, whether each is a number or a word, and where it starts
    and ends in the text (the tokens of a run are shared by every text the run appears in)."""

    toks: tuple[_Tok, ...]
    keys: tuple[str, ...]
    nums: tuple[bool, ...]
    words: tuple[bool, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _lexed(text: str) -> _Lexed:
    """The text's tokens, keys, kinds and places; keys and kinds are padded at the end, so that a look a few
    tokens past either end reads the padding.

    No token spans a space, so each run of non-space characters is read on its own, once for recent runs: a
    sig's words and numbers recur from text to text."""
    toks: list[_Tok] = []
    keys: list[str] = []
    nums: list[bool] = []
    words: list[bool] = []
    starts: list[int] = []
    ends: list[int] = []
    runs = text.split()
    spaced = " ".join(runs) == text  # one space between runs, as most texts are: each starts after the last
    at = 0
    try:
        for run in runs:
            if not spaced:
                at = text.index(run, at)
            read = _run(run)
            toks += read.toks
            keys += read.keys
            nums += read.nums
            words += read.words
            if len(read.toks) == 1:
                starts.append(at)
                ends.append(at + len(run))
            else:
                starts += [at + start for start in read.starts]
                ends += [at + end for end in read.ends]
            at += len(run) + spaced  # and past the space after it, if each run has one
    except _AmbiguousNumber as e:
        raw, mantissa = e.args
        raise ExpressionError(
            f"ambiguous number {raw!r} in {text!r}: write {mantissa[:-4]}{mantissa[-3:]} (no thousands separator) "
            f"or {format_number(float(mantissa.replace(',', '.')))} (decimal point). Expected: {GRAMMAR}"
        ) from None
    if not _JOINED.isdisjoint(keys):
        toks, starts, ends = _merge(toks, starts, ends)
        keys, nums, words = [t.key for t in toks], [t.kind == "num" for t in toks], [t.kind == "word" for t in toks]
    return _Lexed(
        tuple(toks), (*keys, *_NO_KEYS), (*nums, *_NO_KINDS), (*words, *_NO_KINDS), tuple(starts), tuple(ends)
    )


_PER_KG: Final = frozenset({"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"})
_HOURS_PRN: Final = {"hprn": "h", "hrprn": "hr"}  # an interval's hours glued to "prn": two words


@lru_cache(maxsize=8192)
def _run(run: str) -> _Lexed:
    """The tokens of a run of non-space characters, placed from its start."""
    toks: list[_Tok] = []
    starts: list[int] = []
    ends: list[int] = []
    kind: Literal["num", "word", "sym"]
    for m in _TOKEN.finditer(run):
        group, raw = m.lastgroup, m[0]
        if group == "word":
            kind, key, value = _word(raw)
            if key in _HOURS_PRN:  # "q6hprn", "q6h.prn", "q6hPRN": the hours, then prn
                hours = len(_HOURS_PRN[key])
                at = m.start() + hours + (raw[hours] == ".")
                toks += (
                    _Tok("word", raw[:hours], _HOURS_PRN[key], math.nan),
                    _Tok("word", raw[hours:], "prn", math.nan),
                )
                starts += [m.start(), at]
                ends += [m.start() + hours, m.end()]
                continue
        elif group == "num":
            kind, key, value = "num", raw, _number(raw)
        elif group == "fraction":  # "½" is "1/2", three tokens where it stands
            num, den = _FRACTIONS[raw]
            toks += (_Tok("num", raw, f"{num:g}", num), _Tok("sym", raw, "/"), _Tok("num", raw, f"{den:g}", den))
            starts += [m.start()] * 3
            ends += [m.end()] * 3
            continue
        else:
            kind, key, value = "sym", _DASHES.get(raw, raw), math.nan
        toks.append(_Tok(kind, raw, key, value))
        starts.append(m.start())
        ends.append(m.end())
    return _Lexed(
        tuple(toks),
        tuple(t.key for t in toks),
        tuple(t.kind == "num" for t in toks),
        tuple(t.kind == "word" for t in toks),
        tuple(starts),
        tuple(ends),
    )


@lru_cache(maxsize=4096)
def _word(raw: str) -> tuple[Literal["num", "word"], str, float]:
    """A word's kind, key and value: "b.i.d." -> ("word", "bid", nan), "Two" -> ("num", "two", 2.0)."""
    key = raw.lower()
    if "." in key or "(" in key:
        key = key.replace(".", "").replace("(", "").replace(")", "")
    if key.endswith("'s"):  # an EHR's plural: "ML'S", "cc's", "tab's"
        key = key[:-2] + "s"
    if key in _NON_FINITE:  # "nan mg", "inf mg": a number, and a wrong one
        return "num", key, float(key)
    if key in _vocab.NUMBER_WORDS:
        return "num", key, _vocab.NUMBER_WORDS[key]
    return "word", key, math.nan


_JOINED: Final = frozenset({"half", "(", "and", *_vocab.TENS})  # a word `_merge` joins on, one of which it needs


def _merge(toks: list[_Tok], starts: list[int], ends: list[int]) -> tuple[list[_Tok], list[int], list[int]]:
    """One pass joining "one-half", "one and a half", "a half" and dropping repeats: "8 (eight)"."""
    out: list[_Tok] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    i = 0
    while i < len(toks):
        t, start, end = toks[i], starts[i], ends[i]
        if t.key in _vocab.TENS and (last := _tens_and_unit(toks, i)) is not None:  # "twenty-four", "TWENTY FOUR"
            value = _vocab.TENS[t.key] + toks[last].value
            typed = f"{t.text}{'-' if last == i + 2 else ' '}{toks[last].text}"
            t, end, i = _Tok("num", typed, f"{value:g}", value), ends[last], last
        if t.kind != "num" and t.key != "a":  # nothing to join
            out.append(t)
            out_starts.append(start)
            out_ends.append(end)
            i += 1
            continue
        nxt = [toks[j].key for j in range(i + 1, min(i + 5, len(toks)))]
        if t.kind == "num" and t.key != "half" and nxt[:1] == ["half"] and t.value == 1:  # "one half"
            t, end, i = t._replace(value=0.5), ends[i + 1], i + 1
        elif t.kind == "num" and t.key != "half" and nxt[:2] == ["-", "half"] and t.value == 1:  # "one-half"
            t, end, i = t._replace(value=0.5), ends[i + 2], i + 2
        elif t.key == "a" and nxt[:1] == ["half"]:  # "a half"
            t, end, i = toks[i + 1], ends[i + 1], i + 1
        elif t.key == "half" and nxt[:1] == ["a"]:  # "half a tab"
            end, i = ends[i + 1], i + 1
        if (
            t.kind == "num"
            and i + 3 < len(toks)
            and toks[i + 1].key == "("
            and toks[i + 2].kind == "num"
            and toks[i + 2].value == t.value
            and toks[i + 3].key == ")"
        ):  # "every 8 (eight) hours", "4 (four) times daily": the repeat goes
            i += 3
        elif t.kind == "num" and (end_ := _spelled_tens(toks, i + 1, t.value)) is not None:
            i = end_  # "every 72 (seventy-two) hours"
        elif t.kind == "num" and t.value == 0.5 and len(out) >= 2 and out[-1].key == "and" and out[-2].kind == "num":
            whole = out[-2]  # "one and a half", "one and one-half"
            out[-2:] = [whole._replace(value=whole.value + 0.5, text=f"{whole.text} and a half")]
            del out_starts[-1]
            out_ends[-2:] = [end]
            i += 1
            continue
        out.append(t)
        out_starts.append(start)
        out_ends.append(end)
        i += 1
    return out, out_starts, out_ends


def _tens_and_unit(toks: list[_Tok], i: int) -> int | None:
    """The index of the unit word of a number spelt in tens and units at ``i`` ("twenty-four", "twenty four"); a tens
    word alone ("twenty") is read only where it repeats a number (`_spelled_tens`)."""
    k = i + 1 + (i + 1 < len(toks) and toks[i + 1].key == "-")
    if k < len(toks) and toks[k].kind == "num" and toks[k].key.isalpha() and toks[k].value in _UNIT_WORDS:
        return k
    return None


_UNIT_WORDS: Final = frozenset(float(n) for n in range(1, 10))


def _spelled_tens(toks: list[_Tok], i: int, value: float) -> int | None:
    """The index of the last token of "(seventy-two)" at ``i`` if it repeats ``value``, as EHRs spell a number over
    twelve after it."""
    keys = [t.key for t in toks[i : i + 5]]
    if keys[:1] != ["("] or len(keys) < 3 or keys[1] not in _vocab.TENS:
        return None
    tens, rest = _vocab.TENS[keys[1]], keys[2:]
    if rest[:1] == [")"]:
        return i + 2 if tens == value else None
    unit = toks[i + 3] if rest[:1] == ["-"] and len(rest) == 3 else None
    if unit is None or rest[2] != ")" or unit.kind != "num" or not 1 <= unit.value <= 9 or tens + unit.value != value:
        return None
    return i + 4


_EXPONENT: Final = re.compile("[eE]")
#: A thousands separator or a decimal mark: "1,000" (a thousand, or one in comma-decimal countries), "1.000" and
#: "2.500" (one and two and a half here; a thousand and 2,500 there: no one writes a decimal's trailing zero, a
#: do-not-use of the Joint Commission). "1.125" and "0.500" are decimals.
_THOUSANDS: Final = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3}|\.[0-9]{2}0)")


class _AmbiguousNumber(Exception):
    """ "1,000": a thousand or one? `_tokens` says so with the text."""


def _number(raw: str) -> float:
    if "," not in raw and "0" not in raw:
        return float(raw)
    mantissa = _EXPONENT.split(raw)[0]
    if _THOUSANDS.fullmatch(mantissa):
        raise _AmbiguousNumber(raw, mantissa)
    return float(raw.replace(",", "."))


#: A number a float may not keep as typed: 16 characters of digits and separators or more, or an exponent.
_LONG_NUMBER: Final = re.compile(r"[0-9][0-9.,]{15}|[0-9][eE]")


def _decimal(raw: str) -> Decimal | None:
    """A number token's text as the exact decimal typed ("7,5" is 7.5), None for a word ("two") or a fraction ("½")."""
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


class _Vocab(NamedTuple):
    field: Literal["route", "form", "release"]
    value: str
    route: str | None  # the route a phrase also says ("nasal spray")
    end: int


class _Period(NamedTuple):
    end: int
    days: float  # "a day" 1, "a week" 7


class _Frequency(NamedTuple):
    """How often, as read at one place of the text: administrations a day and, for an interval, its hours."""

    end: int
    fewest: float
    most: float
    shortest: float | None = None  # hours between administrations (None: not an interval)
    longest: float | None = None


class _Said(NamedTuple):
    """The frequency the sig says: as typed, the fewest and most administrations a day, and the token after it."""

    typed: str
    fewest: float
    most: float
    end: int = -1  # none: a frequency the dose says ("30 mg/12 hr"), read after the sig
    dosed: bool = True  # whether a dose was read before it ("1 tab daily"; not "daily 1 tab", see `daily_then_dose`)


class _Interval(NamedTuple):
    shortest: float
    longest: float


class _Cap(NamedTuple):
    typed: str
    value: float
    kind: Literal["count", "mass", "volume"]
    unit: str  # "mg"/"mcg"/"g", "mL", a countable form, "" for a product unit, or "dose" for administrations


class _Counted(NamedTuple):
    form: str  # the form the count's nouns name
    typed: str


class _Amount(NamedTuple):
    value: float
    unit: str


class _Dose(NamedTuple):
    """One amount taken each time, as the sig says it: a count of units, a mass, a volume or a patch rate."""

    lo: float
    hi: float
    kind: Literal["count", "mass", "volume", "rate"]
    unit: str  # "" for a count, "mg"/"mcg"/"g" for a mass or a rate (per hour), "mL"
    typed: str
    # "1 tablet (10 mg)", "1 patch (25 mcg/h)": the amount said beside a count, in mg (or mg/h: True), at each end
    # of the count's range ("1-2 tablets (2-4 mg total)")
    restated: tuple[float, float, bool] | None = None


_PAD: Final = 16
_NO_KEYS: Final = ("",) * _PAD  # the padding after a text's keys, and after its kinds
_NO_KINDS: Final = (False,) * _PAD
_WIDEST_AMOUNT_RANGE: Final = 4.0  # "5-10 mg", "0.5-2 mg": the ends of an amount range, at most this far apart
_RELEASE_PERIODS: Final = frozenset({8.0, 12.0})  # hours an extended-release product is labelled with: "15 mg/12 hr"
_MASS_MG: Final = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}
#: RxNorm's unit of a strength per each denominator of one: "MG", "MG/ML", "MG/HR".
_RXNORM_PER: Final = {"": "MG", "mL": "MG/ML", "h": "MG/HR"}
_MOST_AT_ONCE: Final = 12.0  # units (tablets, patches, sprays...) taken at once beyond which a count is no dose


def another_components(mg: float, per_unit: float, strengths: Sequence[float], *, per_ml: bool = False) -> str | None:
    """Why an amount (``mg``) of a product of several components (``strengths`` in mg per unit, the opioid's
    ``per_unit`` among them) may be another component's, or None: one unit's amount of another ("Tylenol #3, take
    300 mg": one tablet's acetaminophen, or 10 tablets' codeine?), or more units than one takes ("Percocet 5/325,
    take 325 mg": 65 tablets' oxycodone). The sig reader and RxNorm products dosed in mg both refuse it.

    A liquid's strengths are per mL (``per_ml``), and mL are measured, not counted: an amount that is whole mL of
    another component ("325 mg" of acetaminophen 65 mg/mL, oxycodone 1 mg/mL: 5 mL, or 325 mL?) is refused."""
    units = mg / per_unit
    others = [other for other in strengths if other != per_unit]
    if per_ml:
        if any((mls := round(mg / other)) >= 1 and math.isclose(mg, mls * other) for other in others):
            return (
                f"may be the amount of another component than the opioid ({format_number(units)} mL of "
                f"{format_number(per_unit)} mg/mL otherwise): give the volume (e.g. '5 mL')"
            )
        return None
    if units > _MOST_AT_ONCE or any(math.isclose(mg, other) for other in others):
        return (
            f"may be the amount of another component than the opioid ({format_number(units)} units of "
            f"{format_number(per_unit)} mg at once otherwise): give the count of units (e.g. '1 tab')"
        )
    return None


#: The most a dose said with no verb before it ("oxycodone 5 mg 10 tablets q6h", "morphine 10 mg/5 mL 100 mL q4h") may
#: be: more is as likely the quantity supplied (a box of 5 or 10 patches, a bottle) as a dose. Tablets before their
#: route ("8 tab(s) po bid") may be more; a volume, taken once a day, up to `_MOST_UNSAID_MG` of the opioid
#: ("methadone 1 mg/mL 60 mL daily").
_MOST_UNSAID: Final = {"count": 4.0, "routed": 8.0, "patch": 3.0, "volume": 20.0}
_MOST_UNSAID_MG: Final = 150.0
_UNSAID: Final = (
    "{typed!r}, with no verb before it, may be the quantity supplied or the dose: say the dose after its verb (as in "
    "'take 2 tabs', 'apply 1 patch'), and a quantity after 'disp'"
)
_UNSAID_SCHEDULE: Final = (
    "{typed!r}, with no verb before it, says more units at one time than a dose said so is likely to be: if the "
    "numbers are mg, give each dose with its unit (as in '10 mg in the morning and 10 mg in the evening'); "
    "if they are mL of a liquid, write 'mL' after them; if units, say them after their verb (as in 'take {typed}')"
)
_PARTS: Final = frozenset({2.0, 3.0, 4.0})  # the denominators of a part of a unit: 1/2, 1/3, 3/4, 3/2
#: The times of day of "1-0-1" and "1-1-1-1", in their order, as a note says them.
_SCHEDULE: Final = {"morning": "in the morning", "noon": "at noon", "evening": "in the evening", "night": "at night"}
_UK_PERIODS: Final = {7.0: 24.0, 52.0: 168.0}  # an interval's days or weeks as UK charts write them: "every 3/7"
_OF_WEEKS: Final = frozenset({7.0, 52.0, 12.0})  # UK charts' days, weeks and months: "5/7" is five days
_OF_DAYS: Final = _OF_WEEKS | {24.0}  # a duration's denominator, as UK charts write it: 5/7 days, 48/24 hours


class _Parser:
    """One pass over the tokens: product (drug, strength, form), then the sig's parts in any order."""

    # A reading's state is in slots, each set in `__init__`: the reader reads it at every token, and an attribute
    # missing from an instance (a default on the class) or kept in a dict is slower to read than a slot.
    __slots__ = (
        "amount_text", "amounts", "as_needed", "awake", "bottle", "brand", "cap", "choice", "clocks", "count_form",
        "daylong",
        "denominator", "directed", "dispensed", "divisor", "doses", "drug_typed", "early", "ends", "every",
        "few", "frequency", "ignored", "interval", "keys", "meals", "names", "nostrils", "notes", "nums",
        "other_drug", "pack", "per_24_hours", "pill", "ranges", "schedule", "size", "slot_end", "slots", "starts", "strength_end",
        "tags", "text", "toks", "typed", "volume", "words",
    )  # fmt: skip

    def __init__(self, text: str, choice: RangeChoice = "max") -> None:
        self.typed = text  # as typed, which refusals quote: the text read is folded (`_FOLDED`)
        text = text if text.isascii() else text.translate(_FOLDED)
        self.text = text
        self.choice = choice
        self.toks, self.keys, self.nums, self.words, self.starts, self.ends = _lexed(text)
        self.size = len(self.toks)
        self.tags: dict[str, str] = {}  # route, form, release
        self.doses: list[_Dose] = []
        self.slots: list[set[str]] = [set()]  # times of day of each dose (the first also for before any dose)
        self.slot_end = -1  # where the last time of day read ends: an "on" right after it is o.n. (`omni_nocte`)
        self.amounts: list[_Amount] = []
        self.names: list[str] = []  # component names given beside their amounts ("A 325 MG / B 5 MG")
        self.ranges: list[str] = []
        self.ignored: list[str] = []
        self.notes: list[str] = []
        # what a reading has found so far
        self.frequency: _Said | None = None
        self.every: _Interval | None = None  # hours between administrations, if an interval
        self.volume: _Dose | None = None
        self.count_form: _Counted | None = None  # what the sig's count nouns count
        self.amount_text = ""
        self.denominator = ""  # "", "/h", "/mL", "/day"
        self.divisor = 1.0
        self.as_needed = False
        self.directed: str | None = None  # "as directed" as typed
        self.early: frozenset[str] = frozenset()  # times of day said before the sig's first dose ("mane 10 mg")
        self.meals: str | None = None  # ignored text joining meals to times of day ("with meals and"): it says no count
        self.cap: _Cap | None = None
        self.brand: str | None = None
        self.pack: int | None = None  # the units an RxNorm pack "{2 (" holds
        self.pill: str | None = None  # "1 pill" as typed: a tablet or a capsule
        self.nostrils: str | None = None  # "in each nostril" as typed: each administration is twice the dose said
        self.awake: str | None = None  # "while awake" as typed: the doses of an interval are kept to waking hours
        self.dispensed: str | None = None  # "#30", "disp 30 tabs" as typed: a quantity supplied, never a dose
        self.few: str | None = None  # "#4", "dispense 2 tabs" as typed: dispensed, or a count the sig gives no other?
        self.interval: tuple[str, float] | None = None  # "30 mg/12 hr": ("12 hr", 12.0), see `per_interval`
        self.other_drug: str | None = None  # a drug named in text read as naming no dose ("if morphine does not work")
        self.bottle: tuple[str, float, bool] | None = None  # a volume, its top, and if a verb said it: see `bottled`
        self.clocks: tuple[str, ...] = ()  # clock times as typed ("9am and 9pm"), each one administration
        self.schedule: str | None = None  # "1-0-1" as typed: the doses at their times of day (`schedule_at`)
        self.drug_typed = ""
        self.strength_end = -1  # where the product's strength ends in the text: "40 mg and 20 mg" (`second_strength`)
        self.per_24_hours = False  # "10 mg/24 h": a daily amount said as a rate (`unrouted_rate`)
        self.daylong: str | None = None  # "over 24 hours" as typed: an infusion's daily amount (`over_a_day`)

    # --- helpers ---

    def fail(self, problem: str) -> NoReturn:
        raise ExpressionError(f"{problem} in {self.typed!r}. Expected: {GRAMMAR}")

    def span(self, i: int, j: int) -> str:
        j = min(j, self.size)
        return self.text[self.starts[i] : self.ends[j - 1]] if j > i else ""

    def pick(self, lo: float, hi: float) -> float:
        return hi if self.choice == "max" else lo

    def positive(self, i: int, what: str) -> float:
        tok = self.toks[i]
        if not math.isfinite(tok.value):
            self.fail(f"{tok.text!r} is not a finite number")
        if tok.value <= 0:
            self.fail(f"{what} must be positive, not {tok.text!r}")
        return tok.value

    def phrase(self, i: int, n: int, stop: int | None = None) -> tuple[str, int] | None:
        """``n`` words from token ``i`` (hyphens allowed between them), before token ``stop``: their keys,
        space-separated ("as needed"), and the index after the last."""
        stop = self.size if stop is None else stop
        if i + n <= stop and all(self.words[i : i + n]):  # no hyphen between them
            return " ".join(self.keys[i : i + n]), i + n
        words: list[str] = []
        j = i
        while len(words) < n:
            if j >= stop or not self.words[j]:
                return None
            words.append(self.keys[j])
            j += 1
            if len(words) < n and j < stop and self.keys[j] == "-":
                j += 1
        return " ".join(words), j

    def among(self, i: int, phrases: _Phrases, longest: int = 4) -> int | None:
        """The end of the longest of ``phrases`` starting at token ``i``."""
        for n in phrases.lengths.get(self.keys[i], ()):
            if n == 1:  # the last and the most common: one word
                return i + 1 if self.words[i] and self.keys[i] in phrases else None
            if n <= longest and (found := self.phrase(i, n)) is not None:
                key, end = found
                if key in phrases:
                    return end
        return None

    def vocab(self, i: int, stop: int | None = None) -> _Vocab | None:
        """A route, form or release word or phrase at token ``i``, longest first."""
        if not self.words[i]:
            return None
        for n in _TERMS.lengths.get(self.keys[i], ()):
            if n == 1:  # the last and the most common: one word
                key, end = self.keys[i], i + 1
            elif (found := self.phrase(i, n, stop)) is not None:
                key, end = found
            else:
                continue
            if key == "in" and not (self.toks[i].text == "IN" and self.route_slot(i, stop)):
                return None  # "in" is a preposition ("1 tab in the morning"); only "IN" where a route stands is nasal
            entry = _vocab.word(key)
            if entry is not None:  # "nasal spray" also says the route
                return _Vocab(entry[0], entry[1], entry[2] if n > 1 else None, end)
        return None

    def route_slot(self, i: int, stop: int | None = None) -> bool:
        """Whether a route word can stand at token ``i``: the end of the drug's name, of the text or of a clause,
        or before another part of the sig ("IN q2h"), but not before words that go on ("in the morning")."""
        j = i + 1
        if stop is not None and j >= stop:
            return True
        return self.keys[j] in ("", *_STOPS) or (not self.nums[j] and self.sig_starts(j))

    def countable(self, i: int) -> _Vocab | None:
        return _countable(self.vocab(i))

    def tag(self, field: str, value: str, i: int, j: int) -> None:
        old = self.tags.get(field)
        if old is not None and old != value:
            self.fail(f"two {field}s: {old!r} and {value!r} ({self.span(i, j)!r})")
        self.tags[field] = value

    def apply(self, found: _Vocab, i: int) -> int:
        self.tag(found.field, found.value, i, found.end)
        if found.route is not None:
            self.tag("route", found.route, i, found.end)
        return found.end

    # --- the pass ---

    def parse(self) -> Expression:
        self.read()
        return self.finish(self.drug_typed)

    def finished(self, choice: RangeChoice) -> Expression:
        """The result at one end of the ranges, from a twin: this reading stays as read (`finish` adds notes,
        and may settle the form, the times of day and the frequency)."""
        twin = object.__new__(_Parser)  # each slot copied by name: a loop over them costs more than a microsecond
        twin.text, twin.choice, twin.toks, twin.keys, twin.nums, twin.words, twin.starts, twin.ends, twin.size = (
            self.text, choice, self.toks, self.keys, self.nums, self.words, self.starts, self.ends, self.size
        )  # fmt: skip
        twin.tags, twin.doses, twin.slots, twin.amounts, twin.names, twin.ranges, twin.ignored, twin.notes = (
            dict(self.tags), self.doses, list(self.slots), self.amounts, self.names, self.ranges, self.ignored,
            list(self.notes),
        )  # fmt: skip
        twin.frequency, twin.every, twin.volume, twin.count_form, twin.amount_text, twin.denominator, twin.divisor = (
            self.frequency, self.every, self.volume, self.count_form, self.amount_text, self.denominator, self.divisor
        )  # fmt: skip
        twin.as_needed, twin.directed, twin.early, twin.meals, twin.cap, twin.brand, twin.pack, twin.pill = (
            self.as_needed, self.directed, self.early, self.meals, self.cap, self.brand, self.pack, self.pill
        )  # fmt: skip
        twin.nostrils, twin.awake, twin.dispensed, twin.few, twin.interval, twin.other_drug, twin.clocks = (
            self.nostrils, self.awake, self.dispensed, self.few, self.interval, self.other_drug, self.clocks
        )  # fmt: skip
        twin.drug_typed, twin.schedule, twin.bottle, twin.strength_end, twin.per_24_hours, twin.daylong = (
            self.drug_typed, self.schedule, self.bottle, self.strength_end, self.per_24_hours, self.daylong
        )  # fmt: skip
        twin.slot_end, twin.typed = self.slot_end, self.typed
        return twin.finish(twin.drug_typed)

    def read(self) -> None:
        """Everything but the result: the product, then each part of the sig."""
        if not self.toks:
            self.fail("empty dose expression")
        lo = self.prefix()
        nums, keys, n = self.nums, self.keys, self.size
        # a sig said before the product starts with a number, a verb or another part of a sig
        lead = nums[lo] or keys[lo] in _SIG_STARTS or keys[lo] in _PART_STARTS
        first = product = self.leading(lo) if lead else lo
        # the first number, unless it is an interval's ("oxycodone mg q6h" has no amount) or a brand's ("#3")
        while first < n and not (nums[first] and keys[first - 1] not in _NOT_AMOUNT):
            first += 1
        # "Tylenol 3 1 tab": the number is the name's; never in "Tylenol 3 tabs", which may count Tylenol's tablets
        if first < n and _parts(self.span(product, first + 1))[1] is not None and self.countable(first + 1) is None:
            name_end = first = first + 1
            while first < n and not (nums[first] and keys[first - 1] not in _NOT_AMOUNT):
                first += 1
            first = name_end if first == n else first  # "Tylenol 3 q6h": no number after the name
        if first == n:  # no number: a brand whose name fixes its strength needs none ("Tylenol #3 tablet", dispensed)
            named = next(
                (k for k in range(n, max(product, n - 3), -1) if _parts(self.span(product, k))[1] is not None), None
            )
            if named is None:
                self.fail("no amount (a number and a unit)")
            first = named
        drug = self.drug_typed = self.drug(product, first)
        if (why := _vocab.unconverted(drug)) is not None:  # "Lamaline 1 gél tid": why, before any reading of the dose
            self.fail(f"{drug!r} is not converted: {why}")
        i = self.dose(first, drug)
        self.strength_end = self.ends[i - 1]
        if product > lo:
            while i < n and (own := self.vocab(i)) is not None:  # "tramadol 50 mg capsule": the product's own words
                i = own.end
            i, n = self.lead_after(lo, product, i), self.size
        while i < n:
            i = self.step(i)

    def leading(self, lo: int) -> int:
        """Where the product starts after a sig said before it ("Take 1 oxycodone 5 mg tablet", "q6h 1-2 tabs morphine
        IR 15 mg prn"), for a text starting with a number, a verb or another part of a sig: the first word naming a
        drug with a number after it, when a count or a frequency comes before; ``lo`` otherwise (the grammar refuses
        the text as it always has, or reads a verb alone with the name)."""
        keys, nums = self.keys, self.nums
        if nums[lo] and keys[lo + 1] in _INTERVAL:  # RxNorm's "7 DAY Buprenorphine ... System": a period, no sig
            return lo
        k, n = lo, self.size
        while k < n and not (self.words[k] and keys[k] not in _SIG_STARTS and self.names_product(k)):
            k += 1
        if k == n or not any(nums[k:n]):
            return lo  # no product, or none with an amount: "10 mg oxycodone q6h" is refused as before
        lead = range(lo, k)
        if not any(nums[j] for j in lead) and not any(self.frequency_at(j) for j in lead):
            return lo  # "take oxycodone 5 mg 1 tab": a verb alone is read with the name, as before
        if not any(keys[j] in _SIG_STARTS for j in lead):  # no verb: is a number the product's strength?
            if (mass := next((j for j in lead if keys[j] in _MASS), None)) is not None:
                self.fail(
                    f"{self.span(lo, mass + 1)!r} before {self.toks[k].text!r} may be its strength or the amount "
                    "taken: write the strength after the name, and the amount after its verb ('take 10 mg')"
                )
            last = next(j for j in range(k - 1, lo - 1, -1) if keys[j] not in _PUNCT and keys[j] not in _BEFORE_NAME)
            if nums[last]:
                self.fail(
                    f"{self.span(last, k + 1)!r} may be a strength or a count: write the count with its form "
                    f"('{self.toks[last].text} tab') or after its verb ('take {self.toks[last].text}')"
                )
        return k

    def names_product(self, k: int) -> bool:
        """Whether the word at ``k`` starts a product's name: an opioid or another component ("oxycodone",
        "Percocet", "acetaminophen-hydrocodone"), or a combination's name ("co-codamol")."""
        if _component(self.toks[k].text) != "unknown":
            return True
        m = k
        while m < self.size and not self.nums[m]:
            m += 1
        return _vocab.combination(self.span(k, m)) is not None

    def lead_after(self, lo: int, product: int, end: int) -> int:
        """Read a sig said before the product as the same sig said right after the product's strength and the route,
        form and release words that follow it (one grammar, one reading): its tokens are moved there, and a comma
        after them, if more follows, ends their clause (text read as naming no dose stops there, never running on
        into the sig after the product); returns where they now start."""
        size, at = self.size, self.starts[product]
        seam = [size] if end < size else []
        order = [*range(lo), *range(product, end), *range(lo, product), *seam, *range(end, size)]
        toks, starts, ends = (*self.toks, _SEAM), (*self.starts, at), (*self.ends, at)
        self.toks = tuple(toks[j] for j in order)
        self.starts = tuple(starts[j] for j in order)
        self.ends = tuple(ends[j] for j in order)
        self.keys = (*(self.keys[j] if j < size else "," for j in order), *self.keys[size:])
        self.nums = (*(self.nums[j] for j in order), *self.nums[size:])
        self.words = (*(self.words[j] for j in order), *self.words[size:])
        self.size += len(seam)
        return lo + end - product

    def prefix(self) -> int:
        """RxNorm's leading "12 HR" (release period), "1 ML" (package volume), "80 ACTUAT" (doses in a device),
        and a one-product pack's "{2 (" ... ") } Pack": read as no dose (the units a pack holds are kept)."""
        i = 0
        while True:
            if self.nums[i] and self.keys[i + 1] in _PACKAGE and not self.nums[i + 2]:
                end = i + 2
            elif self.keys[i] == "{" and self.nums[i + 1] and self.keys[i + 2] == "(":
                units = self.toks[i + 1].value  # "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack": the product inside
                if not (units >= 1 and units.is_integer()):
                    self.fail(f"a pack of {self.toks[i + 1].text} units (a pack holds a whole number)")
                self.pack = int(units)
                end = i + 3
            elif (end_ := self.among(i, _DEVICE)) is not None:
                end = end_
            else:
                return i
            self.ignored.append(self.span(i, end))
            i = end

    def step(self, i: int) -> int:  # noqa: RET503 (every branch returns or fails)
        """Read the sig part starting at token ``i``; return the index after it."""
        tok = self.toks[i]
        key = tok.key
        if tok.kind == "num" and key not in _NUMBER_LEADS and self.keys[i + 1] not in _NOT_COUNTED_AFTER:
            return self.count_at(i)  # "2 tabs", "1 po": what else a number may start cannot start here
        if key in _WORD_LEADS and (end := self.word_led(i)) is not None:
            return end
        if key in _vocab.MULTI_STEP and self.frequency_at(i) is None:  # "alternate days" is every other day
            self.fail(
                f"{tok.text!r}: a multi-step schedule or a choice of doses cannot be read as one regimen "
                "(convert each step on its own)"
            )
        if tok.kind == "num" and (end := self.clock_time(i, spaced=self.keys[i - 1] == "at")) is not None:
            return self.clock_times(i, end)
        if tok.kind == "num" and self.keys[i + 1] in _vocab.CLOCK_HALVES and tok.value > 2:  # spaced, not after "at"
            when = _vocab.TIMES_OF_DAY[self.keys[i + 1]]
            self.fail(
                f"{self.span(i, i + 2)!r} may be a clock time or {tok.text} units in the {when}: write "
                f"'at {self.span(i, i + 2)}' or '{tok.text} tabs in the {when}'"
            )
        if key in _BY and self.nums[i + 1] and (end := self.multiplied(i)) is not None:
            return end
        if key in _INTO and self.keys[i + 1] in _vocab.ONE_NOSTRIL and self.keys[i + 2] in _vocab.NOSTRIL_WORDS:
            self.ignored.append(self.span(i, i + 3))  # "1 spray in one nostril": the count as said, by the nose
            self.tag("route", "nasal", i, i + 3)
            return i + 3
        if (tok.kind == "num" or key in _PART_STARTS) and (end := self.part_at(i)) is not None:
            return end
        if key == "up" and self.keys[i + 1] == "to" and self.frequency_at(i + 2) is not None:
            return i + 2  # "up to every 4 hours": at most that often
        if key in _UP_TO and key != "up" and self.frequency_at(i + 1) is not None:
            return i + 1  # "jusqu'à 6 fois par jour", as "up to 6 times a day"
        if key == "up" and self.keys[i + 1] == "to" and self.nums[i + 2]:  # "take up to 2 tabs": at most 2
            self.notes.append(f"{self.span(i, i + 3)!r} read as {self.span(i + 2, i + 3)}")
            return i + 2
        if tok.kind == "num" and (end := self.release_period(i)) is not None:
            return end
        if tok.kind == "num":
            self.halves_schedule(i)
            if self.keys[i + 1] in _MINUS and self.keys[i + 3] in _MINUS and self.nums[i + 2] and self.nums[i + 4]:
                return self.schedule_at(i)
            return self.count_at(i)
        if (found := self.vocab(i)) is not None:
            if found.field == "form" and (self.doses or self.frequency):  # "1 tab(s) orally, tablets"
                self.count_noun(found, i)
                return found.end
            return self.apply(found, i)
        if key == "in" and self.route_slot(i):
            self.fail(f"{tok.text!r} where a route stands: write 'nasal' (or 'IN') for intranasal, or what it is in")
        if (end := self.among(i, _FILLER, 3)) is not None or key in _vocab.SIG_VERBS or key in _CONNECTORS:
            return i + 1 if end is None else end
        held = self.held_at(i) is not None or key in _vocab.WEEKDAYS  # refused by `no_dose`, saying why
        if key in _NO_DOSE_LEADS or held or (self.as_needed and tok.kind == "word" and not self.sig_starts(i)):
            return self.no_dose(i, lead=False)  # "for pain"; "as needed, pain"
        if (
            key in _MINUS
            and self.starts[i] > self.ends[i - 1]
            and (i + 1 == self.size or self.starts[i + 1] > self.ends[i])
        ):
            return i + 1  # a dash standing alone separates, as a comma does: "325mg - 1 tablet PO"
        if key in _MINUS and self.nums[i + 1] and self.starts[i + 1] == self.ends[i]:
            if self.keys[i - 1] in _MASS and self.keys[i + 2] in _MASS:  # "Cheratussin AC 10 mg-100 mg"
                self.unnamed_components(self.drug_typed, self.span(i - 2, i + 3))
            if self.keys[i - 1] in _MASS and self.keys[i + 2] in _MINUS:  # "10mg-0-10mg"
                self.amounts_schedule(i - 2)
            self.fail(f"negative number {self.span(i, i + 2)!r}")
        if key in _MASS or key in _VOLUME:
            self.fail(f"unit {tok.text!r} without a number before it")
        bare = (self.words[i + 2] and self.keys[i + 2] not in _RANGE) or self.keys[i + 2] in ("", *_PUNCT)
        if key == "q" and self.nums[i + 1] and bare:  # "q6 prn", not "q4 to h"
            self.fail(f"{self.span(i, i + 2)!r} says no unit: write hours ('q6h') or days ('q2d')")
        if key == "once" and (
            self.frequency_at(i + 1)  # "once every 72 hours"
            or self.time_of_day(i + 1, dry=True)  # "once at bedtime"
            or (self.keys[i + 1] == "at" and self.nums[i + 2] and self.clock_time(i + 2, spaced=True))  # "at 8pm"
            or self.keys[i + 1] in ("every", "each")  # "once every seventy-two hours": read as it is, or refused
        ):
            return i + 1  # how often, or when
        if key == "+" and self.slots[-1] and self.time_of_day(i + 1, dry=True) is not None:  # "mane + nocte"
            return i + 1
        single = key in _vocab.SINGLE_DOSE and self.keys[i + 1] not in _RANGE  # not "once or twice"
        if single or (key in _BY and self.nums[i + 1] and self.toks[i + 1].value == 1):  # "x1"
            self.fail(
                f"{self.span(i, i + 1 + (key in _BY))!r}: a single dose has no daily rate: give the regimen (how "
                "often, e.g. 'q6h') or a daily total ('40 mg/day')"
            )
        if key in _PER_KG:
            self.per_kg(i - 2)  # "q4h 0.1 mg/kg"
        self.ambiguous_word(i)
        self.fail(f"cannot read {tok.text!r}")

    def ambiguous_word(self, i: int) -> None:
        """Refuse a word that says two things ("tbs": a tablespoon or a tablet; "ss": a half or a sliding scale)."""
        if (either := _vocab.AMBIGUOUS_WORDS.get(self.keys[i])) is not None:
            self.fail(f"{self.toks[i].text!r} {either}")

    def same_dose_twice(self) -> bool:
        """Whether the one dose after the times of day said before it is the product's amount ("methadone 10 mg in
        the morning and 10 mg at night"): the amount is then the earlier times' dose, whether it is the strength (one
        unit) or the dose itself."""
        if len(self.doses) != 1 or len(self.amounts) != 1 or self.denominator:
            return False
        dose, amount = self.doses[0], self.amounts[0]
        return (
            dose.kind == "mass"
            and dose.lo == dose.hi
            and math.isclose(dose.lo * _MASS_MG[dose.unit], amount.value * _MASS_MG[amount.unit])
        )

    def per_kg(self, i: int) -> None:
        """ "0.1 mg/kg", "1 mcg per kg": a dose by weight, which no weight given makes a dose; ``i`` is the unit."""
        if self.keys[i] in _MASS and self.keys[i + 1] in ("/", "per") and self.keys[i + 2] in _PER_KG:
            self.fail(f"{self.span(i - 1, i + 3)!r}: a dose per kg cannot be read: give the dose in mg")

    def word_led(self, i: int) -> int | None:
        """The end of a part led by one fixed word or sign at token ``i`` (a bracket, "per dose", "then stop", "do not
        crush", a pump...), tried first; None if there is none. Each starts with a word of `_WORD_LEADS`."""
        key = self.keys[i]
        if key == "[":
            return self.brand_suffix(i)
        if key == "}" and self.pack is not None and self.keys[i + 1] == "pack":
            return i + 2
        if key == "(" and (end := self.split_between_nostrils(i)) is not None:
            return end
        if (
            key in _AT_ONCE.lengths
            and len(self.doses) + (self.volume is not None) == 1
            and (end := self.among(i, _AT_ONCE)) is not None
        ):
            self.ignored.append(self.span(i, end))  # "5 mL per dose", "1 tab each time": the dose said, once
            return end
        if key == "/" and (end := self.per_count(i)) is not None:
            return end
        if key in _OVER_A_DAY and self.keys[i + 2] in _HOUR and (end := self.over_a_day(i)) is not None:
            return end
        if key in _PUNCT or key in (".", "/"):
            return i + 1
        if key == "then" and self.keys[i + 1] in _STOP_WORDS and self.keys[i + 2] in ("", *_STOPS):
            self.ignored.append(self.span(i, i + 2))  # "for 7 days then stop": the course ends, no other dose
            return i + 2
        if key == "do" and self.keys[i + 1] == "not" and self.keys[i + 2] in _vocab.HANDLING:
            return self.handling(i)
        if key in _ADVICE_LEADS and (end := self.advice(i)) is not None:
            return end
        if key in _PUMPS:
            self.pump(i)
            end = i + 1 + (self.keys[i + 1] in _PUMP_ENDED)
            self.ignored.append(self.span(i, end))  # "oxycodone 5 mg po q4h prn, PCA stopped": the pump is past
            return end
        return None

    def split_between_nostrils(self, i: int) -> int | None:
        """ "2 sprays (one in each nostril)": the count said is the sprays in all, one in each nostril, never twice
        it; ``i`` is the bracket."""
        end = self.among(i + 2, _EACH_NOSTRIL) if self.keys[i + 1] in ("one", "1") else None
        if end is None or self.keys[end] != ")":
            return None
        said = self.doses[-1] if len(self.doses) == 1 else None
        if said is None or said.kind != "count" or (said.lo, said.hi) != (2.0, 2.0):
            self.fail(f"{self.span(i, end + 1)!r} follows no count of 2 sprays (one in each nostril): say the sprays")
        self.ignored.append(self.span(i, end + 1))
        self.tag("route", "nasal", i, end + 1)
        return end + 1

    def multiplied(self, i: int) -> int | None:
        """ "x 2 patches", "tab x 2 q6h": the count after "x" is the units taken each time, where nothing else can be,
        before any dose or frequency: with its form after it, or after the form and before an interval shorter than a
        day ("x 2 daily" is how often, read as a frequency; "patch x 2 every 7 days" may be twice a week: refused)."""
        if self.doses or self.frequency is not None or self.volume is not None or self.frequency_at(i) is not None:
            return None  # "x 2 daily", "x 2 weekly": how often, read as before
        if self.countable(i + 2) is None:
            often = self.frequency_at(i + 2) if _countable(self.vocab(i - 1)) is not None else None
            if often is None or often.longest is None:
                return None
            if often.longest >= 24:  # "patch x 2 every 3 days": two patches, or twice every 3 days?
                self.fail(
                    f"{self.span(i, often.end)!r} may be the count or how often: write the count with its form "
                    f"('{self.toks[i + 1].text} {self.toks[i - 1].text}'), or how many times in words"
                )
        self.notes.append(f"{self.span(i, i + 2)!r} read as the count taken each time")
        return i + 1

    def release_period(self, i: int) -> int | None:
        """An EHR's "15 mg 12 hr tablet": the hours an extended-release unit lasts, right after its amount, never
        how often it is taken."""
        if self.keys[i - 2] == "/" and self.keys[i - 1] in _HOUR and not self.doses:
            return self.wear_period(i)
        if not (self.keys[i - 1] in _MASS and self.toks[i].value in (12.0, 24.0) and self.keys[i + 1] in _HOUR):
            return None
        found = self.vocab(i + 2)
        if found is None or found.field != "form" or found.value not in ("tablet", "capsule"):
            return None
        self.tag("release", "ER", i, i + 2)
        self.ignored.append(self.span(i, i + 2))
        return self.apply(found, i + 2)

    def wear_period(self, i: int) -> int | None:
        """An EHR's "fentaNYL 25 mcg/hr 72 hr patch", "Butrans 5 mcg/hr 7-day patch": the time a patch is worn,
        right after its rate, in the product's name; it must be the drug's wear (a patch worn 72 hours is not
        buprenorphine's), and it never says how often a patch is put on."""
        j = i + 1 + (self.keys[i + 1] in _MINUS)
        found = self.vocab(j + 1) if self.keys[j] in _HOUR or self.keys[j] in _ONE_DAY else None
        if found is None or found.value != "patch":
            return None
        drug = _canonical(_opioid_name(self, self.drug_typed))
        if (wear := _vocab.PATCH_WEAR_DAYS.get(drug)) is None:
            return None
        if self.toks[i].value * _INTERVAL[self.keys[j]] != wear * 24:  # "Transtec 35 mcg/h 96 hr patch"
            self.fail(f"{self.span(i, j + 2)!r}: a {drug} patch is read as worn {wear} days, and this one is not")
        self.ignored.append(self.span(i, j + 1))
        return self.apply(found, j + 1)

    def advice(self, i: int) -> int | None:
        """ "Do not drive", "avoid alcohol", "may cause drowsiness": a label's advice, ignored to the end of its clause
        when the clause says no number (one may be a maximum: "do not take more than 6 tabs")."""
        key = self.keys[i]
        if not (key == "avoid" or self.keys[i + 1] == ("not" if key == "do" else "cause")):
            return None
        j = i
        while self.keys[j] not in ("", *_STOPS):
            if self.nums[j]:
                return None
            j += 1
        self.ignored.append(self.span(i, j))
        return j

    def handling(self, i: int) -> int:
        """ "Do not crush or chew", "do not crush, chew, or cut": how a unit is taken, ignored text."""
        j = i + 2
        while self.keys[j] in _vocab.HANDLING or (self.keys[j] in {",", "or", "and"} and self.keys[j + 1] in _HANDLED):
            j += 1
        self.ignored.append(self.span(i, j))
        return j

    def clock_time(self, i: int, *, spaced: bool = False) -> int | None:
        """The end of the clock time at token ``i`` ("8am", "08:00", "9:30 pm"), if there is one; "8 am" only where
        ``spaced`` (after "at": "1 am" alone is a count, one in the morning)."""
        j = i + 1
        if j < self.size and self.keys[j] == ":" and self.starts[j] == self.ends[i] and self.nums[j + 1]:
            j += 2
        if (
            j < self.size
            and self.keys[j] in _vocab.CLOCK_HALVES
            and (spaced or j > i + 1 or self.starts[j] == self.ends[i])
        ):
            return j + 1
        return j if j > i + 1 else None

    def clock_times(self, i: int, end: int) -> int:
        """ "at 9am and 9pm", "08:00, 20:00": each clock time is one administration, as a time of day is, so a
        frequency must agree with their number (`how_often`)."""
        start = i
        while True:
            hour, minute = self.toks[i].value, self.toks[i + 2].value if self.keys[i + 1] == ":" else 0.0
            half = self.keys[end - 1] if self.keys[end - 1] in _vocab.CLOCK_HALVES else None
            if not (hour.is_integer() and minute.is_integer() and bool(half) <= hour <= (12 if half else 23)) or not (
                0 <= minute < 60
            ):
                self.fail(f"{self.span(i, end)!r} is not a clock time")
            label = f"{hour % 12 + 12 * (half == 'pm') if half else hour:02.0f}:{minute:02.0f}"
            self.daily_then_dose(label)  # "daily 10 mg at 8pm"
            if any(label in slots for slots in self.slots):
                self.fail(f"the clock time {self.span(i, end)!r} is said twice")
            self.slots[-1].add(label)
            k = end
            while self.keys[k] in _vocab.CLOCK_JOINERS:
                k += 1
            if not self.nums[k] or (after := self.clock_time(k, spaced=True)) is None:
                break
            i, end = k, after
        self.clocks += (self.span(start, end),)
        self.ignored.append(self.span(start, end))
        return end

    def part_at(self, i: int) -> int | None:
        """An indication, a nostril phrase, a maximum, a duration, a frequency or a time of day at token ``i``;
        each is tried only at a word it can start with."""
        key = self.keys[i]
        if (self.nums[i] or key in _SUPPLIED) and (end := self.dispensed_at(i)) is not None:
            return end
        if key in _AS_NEEDED.lengths and (end := self.among(i, _AS_NEEDED)) is not None:
            again, self.as_needed = self.as_needed and self.frequency is not None, True
            if self.keys[end - 1] == "for" and (self.nums[end] or self.keys[end] == "up"):
                end -= 1  # "prn for 5 days", "prn for up to 5 days": a duration, read next
            scheduled = self.frequency is not None or any(self.slots)
            after = self.no_dose(end, lead=True)
            said_when = (self.awake is not None and self.frequency is None) or "between" in self.keys[end:after]
            joined = (
                self.keys[i - 1] in _CONNECTORS
                or self.keys[i - 1] in _WITH
                or not _ALSO.isdisjoint(self.keys[end:after])
            )
            regular = self.keys[i - 1] in (",", ";") and any(  # "bid regularly, prn": set doses, then more
                " ".join(said.lower().split()) in _vocab.SCHEDULED for said in self.ignored
            )
            # "bid and prn", "nocte, prn in the day"; not "q4h prn pain and prn dyspnoea": one frequency as needed
            if scheduled and (said_when or ((joined or regular) and not again)):
                self.more_as_needed(i, after)
            return after
        if key in _DIRECTED.lengths and (end := self.among(i, _DIRECTED)) is not None:
            self.directed = self.span(i, end)
            self.ignored.append(self.span(i, end))
            return end
        if key in _EACH_NOSTRIL.lengths and (end := self.among(i, _EACH_NOSTRIL)) is not None:
            if self.nostrils is not None:
                self.fail(f"two nostril phrases: {self.nostrils!r} and {self.span(i, end)!r}")
            self.nostrils = self.span(i, end)
            self.tag("route", "nasal", i, end)
            return end
        if key in _WAKING.lengths and (end := self.among(i, _WAKING)) is not None:
            if self.keys[i - 1] in _CONNECTORS:  # "bid and during the day": more doses, not the waking hours
                self.more_doses(i - 1, end)
            self.ignored.append(self.span(i, end))
            self.awake = self.span(i, end)
            return end
        if key in _SCHEDULED.lengths and (end := self.among(i, _SCHEDULED)) is not None:
            self.ignored.append(self.span(i, end))
            return end
        if key in _CAPS.lengths and (end := self.cap_at(i)) is not None:
            return end
        if (self.nums[i] or key in _FOR or key in _TO_LAST or key in _UNTIL) and (
            end := self.duration_at(i)
        ) is not None:
            return end
        if (freq := self.frequency_at(i)) is not None:
            return self.set_frequency(i, freq)
        return self.time_of_day(i) if key in _TIMES_OF_DAY.lengths or key in _TIME_LEADS else None

    def sig_starts(self, i: int) -> bool:
        """Whether a part that can carry a dose starts at token ``i`` (ignored text stops there)."""
        if not self.nums[i] and self.keys[i] not in _PART_STARTS:
            return self.keys[i] in _vocab.MULTI_STEP
        return (
            self.keys[i] in _vocab.MULTI_STEP
            or self.frequency_at(i) is not None
            or self.time_of_day(i, dry=True) is not None
            or self.among(i, _CAPS, 5) is not None
            or self.among(i, _AS_NEEDED) is not None
            or self.among(i, _EACH_NOSTRIL) is not None  # "prn pain in each nostril": twice the dose, no reason
            or (self.nums[i] and self.pain_score(i) is None)
            or self.dispensed_at(i, dry=True) is not None
        )

    def dispensed_at(self, i: int, *, dry: bool = False) -> int | None:
        """ "#30", "disp 30 tabs", "Qty: 30", "dispense #30 (thirty)": the quantity supplied, never a count; "refills:
        0", "2 refills", "no refills": what may be supplied again. Both are ignored text."""
        keys = self.keys
        if (keys[i] == "no" or self.nums[i]) and keys[i + 1] in _vocab.REFILLS:
            end = i + 2
        # "repeat x1" after a dose may be the dose again as well as a refill: not read as one (`no_dose` refuses it)
        elif keys[i] in _vocab.DISPENSED or (keys[i] in _vocab.REFILLS and (keys[i], keys[i + 1]) != ("repeat", "x")):
            j = i + 1
            while keys[j] in (":", "#", "x", "no"):  # "Disp: No. 30", "refills x 2"
                j += 1
            if not self.nums[j]:
                return None
            end = j + 1
            if (found := self.countable(end)) is not None:  # "30 tabs"
                end = found.end
            elif keys[end] in _VOLUME or keys[end] in _vocab.PRODUCT_UNITS or keys[end] in _vocab.PILLS:
                end += 1
            if keys[end] == "(" and self.words[end + 1] and keys[end + 2] == ")":  # "#30 (thirty)"
                end += 3
            if keys[i] in _vocab.DISPENSED and not dry:
                self.dispensed = self.dispensed or self.span(i, end)
                if self.toks[j].value <= _MOST_AT_ONCE:
                    self.few = self.span(i, end)
        else:
            return None
        if not dry:
            self.ignored.append(self.span(i, end))
        return end

    def pain_score(self, i: int) -> int | None:
        """The end of the pain score at ``i`` ("8/10", "4-6/10"), a number never read as a count (`no_dose` reads
        "(7-10)")."""
        ranged = self.keys[i + 1] in _DASH
        ends = self.keys[i + 1 + 2 * ranged] in ("", *_STOPS)  # the score ends a part
        if ranged and self.nums[i + 2]:
            lo, hi = self.toks[i].value, self.toks[i + 2].value
            scale = hi == 10 or self.keys[i - 1] in _SCALE
            if self.keys[i - 1] in _PAIN_SCALE and scale and hi <= 10 and ends:
                return i + 3  # "pain score 7-10", "pain scale 4-6", ending a part
            return self.scored(i + 2, lo)  # "4-6/10"
        if self.keys[i - 1] in _ABOVE and self.toks[i].value < 10 and ends:
            return i + 1 if not _PAIN_SCALE.isdisjoint(self.keys[max(i - 4, 0) : i]) else None  # "pain > 6"
        end = self.scored(i, 0.0)
        return end + 2 if end is not None and self.keys[end] == "or" and self.keys[end + 1] in _OR_ABOVE else end

    def scored(self, i: int, low: float) -> int | None:
        """The end of "6/10" at ``i``, a score out of ten at least ``low``."""
        over_ten = self.keys[i + 1] == "/" and self.nums[i + 2] and self.toks[i + 2].value == 10
        return i + 3 if over_ten and low <= self.toks[i].value <= 10 else None

    def more_as_needed(self, i: int, end: int) -> NoReturn:
        """ "bid and prn", "nocte, prn during the day", "matin et soir et si besoin": doses at set times and more as
        needed, whose frequency the sig does not say; counting the set ones alone would understate the day."""
        said = self.scheduled_said()
        self.fail(
            f"{self.span(i, end)!r} after {said} adds doses as needed whose frequency is not said: convert the doses "
            f"of {said} and those as needed (with how often) each on its own, and add the results with mme.total"
        )

    def more_doses(self, start: int, end: int) -> None:
        """Text read as naming no dose that may add doses to a schedule: "bd, and for breakthrough" (more as needed),
        "3 fois par jour si besoin et au coucher" (text led by "and", but not "and before physical therapy", is
        another time, not a reason; "on waking and on getting up": "on" after a time of day leads another time):
        refused, as words that may add doses are never dropped."""
        if self.keys[start] == "on" and self.after_time(start, _TIME_JOINS) and not self.after_time(start):
            self.fail(
                f"{self.span(start, end)!r} after a time of day may be another time of day: say each time (e.g. "
                "'on waking and at bedtime') or how often (e.g. 'twice a day')"
            )
        if self.frequency is None and not any(self.slots):
            return
        if self.keys[start] in _CONNECTORS and end > start + 1 and self.keys[start + 1] not in _vocab.NO_DOSE_LEADS:
            self.fail(
                f"{self.span(start, end)!r} after {self.scheduled_said()} may add doses it does not count: say every "
                "time of day or how often in all (e.g. 'four times a day'), or convert the other doses on their own "
                "and add the results with mme.total"
            )
        if self.keys[start - 1] in _CONNECTORS and "breakthrough" in self.keys[start:end] and not self.as_needed:
            self.more_as_needed(start, end)

    def scheduled_said(self) -> str:
        return repr(self.frequency.typed) if self.frequency is not None else "its times of day"

    def pump(self, i: int) -> None:
        """ "PCA": a patient-controlled pump gives doses on demand, up to a lockout and limits no sig reading counts
        (a bolus every 5 minutes is no 288 doses a day): refused, unless the pump is past ("post-PCA", "when PCA
        discontinued", with nothing after them but the end of a part) and the dose was said to be taken by mouth, as
        no pump's is."""
        ended = self.keys[i + 1] in _PUMP_ENDED
        closed = self.keys[i + 1 + ended] in ("", *_STOPS)  # "PCA stopped if oversedated", "after PCA bolus": not past
        before = self.keys[i - 2] if self.keys[i - 1] == "-" else self.keys[i - 1]
        past = before in _PUMP_PAST or (ended and before not in _PUMP_NOT_YET)  # "until PCA off": it still runs
        form = self.count_form.form if self.count_form is not None else self.tags.get("form")
        oral = self.tags.get("route") == "oral" or form in ("tablet", "capsule")
        if oral and past and closed:
            return
        self.fail(
            f"{self.toks[i].text!r}: a patient-controlled pump gives doses on demand, up to limits the sig does not "
            "count; convert the amount the pump gives in a day or an hour (e.g. 'morphine 2 mg/h IV'); if the doses "
            "by mouth follow a pump now stopped, say the route and that it stopped (e.g. 'po q4h prn, post-PCA')"
        )

    def held_at(self, i: int) -> tuple[int, int] | None:
        """Where the words saying at `i` that the dose is held start and end ("withheld", "on-hold", "prn, hold off"),
        or None: "hold" with words after it gives a condition ("hold if sedated"), not that this dose is held."""
        if self.keys[i] not in _HELD:
            return None
        if self.keys[i] != "hold":
            return i, i + 1
        hyphen = (
            self.keys[i - 1] in _MINUS and self.ends[i - 2] == self.starts[i - 1] and self.ends[i - 1] == self.starts[i]
        )
        if self.keys[i - 1 - hyphen] == "on":
            return i - 1 - hyphen, i + 1  # "on hold", "on-hold"
        end = i + 1 + (self.keys[i + 1] == "off")
        return (i, end) if self.keys[end] in ("", *_STOPS) else None  # "prn, hold", "hold off.", "(hold)"

    def no_dose(self, i: int, *, lead: bool) -> int:
        """Text that names no dose: an indication ("for breakthrough pain"), "with food", "after meals".

        It runs to the next punctuation or the next part that can carry a dose; a pain score inside
        ("severe pain (7-10)") is skipped, any other number ends it.
        """
        start = i
        days = None  # where the text says some days ("on dialysis days"), if it does
        elsewhere = False  # whether the text sends the dose elsewhere ("dose per pain team", "see notes")
        while i < self.size:
            if self.words[i] and not self.nums[i + 1] and _plain(self.keys[i]):
                i += 1  # "breakthrough", "pain": read past at once
                continue
            if self.keys[i] in _STOPS:
                end = self.bracketed_score(i)  # "severe pain (7-10)"
                if end is None or not (self.keys[end] in _EITHER and self.indication_goes_on(end + 1)):
                    i = end or i
                    break
                i = end + 1  # "moderate pain (4-6) or severe pain (7-10)": two indications, one dose
                continue
            be = self.keys[i + 1] == "be"
            more = self.among(i, _MORE_DOSES)
            limit = more is not None and self.keys[i - 1] in _vocab.LIMITING and self.keys[more] == "than"
            if more is not None and not limit and self.frequency_at(i) is None:  # not "for pain twice a day"
                self.fail(
                    f"{self.span(i, more)!r} gives more than the dose said: convert the doses it allows on their own"
                )
            if self.keys[i] in _vocab.MAY and self.keys[i + 1 + be] in _MAY_DO:  # "may repeat", "can be doubled"
                self.fail(
                    f"{self.span(i, i + 2 + be)!r} gives more than the dose said: convert the doses it allows on their own"
                )
            if self.keys[i] in _PUMPS:  # "q5min prn PCA": the pump, not why
                self.pump(i)
            if (held := self.held_at(i)) is not None:
                self.fail(f"{self.span(*held)!r}: a dose held is not taken now: convert only the doses being taken")
            if self.keys[i] in _vocab.WEEKDAYS:
                self.fail(
                    f"{self.span(i, i + 1)!r}: a dose on some days of the week, say how often (e.g. 'twice a week')"
                )
            if self.keys[i] in _vocab.SOME_DAYS and not self.nums[i - 1] and days is None:
                days = i
            if self.keys[i] in _EITHER and self.words[i - 1] and self.indication_goes_on(i + 1):
                i += 2  # "for pain or shortness of breath": two indications, one dose
                continue
            if (i > start or lead) and (
                self.sig_starts(i)
                or self.vocab(i) is not None
                or (self.keys[i] in ("x", "for") and (self.nums[i + 1] or self.keys[i + 1] == "up"))  # a duration
            ):
                break
            if self.words[i] and self.another_product(i):
                self.fail(
                    f"{self.span(i, i + 3)!r}, after the dose, may be another product's amount, not a reason for this one:"
                    " convert each product on its own"
                )
            if self.words[i] and self.other_drug is None and _vocab.drug_name(self.keys[i]) is not None:
                self.other_drug = self.span(i, i + 1)  # "not relieved by morphine": a reason, if no dose follows
            if self.keys[i] in _ELSEWHERE.lengths and self.among(i, _ELSEWHERE) is not None:
                elsewhere = True
            if self.keys[i] in _WAKING.lengths and (end := self.among(i, _WAKING)) is not None:  # "prn while awake"
                self.awake = self.span(i, end)
                i = end  # the whole phrase: "while awake", not "awake" again
                continue
            # a number here is a pain score: any other is a part, and ended the text
            if self.nums[i] and (end := self.pain_score(i)) is not None:
                i = end
                continue
            i += 1
        if days is not None:
            self.some_days(start, days, i)
        if elsewhere:
            self.fail(f"{self.span(start, i)!r} sends the dose elsewhere: write the dose and how often in the sig")
        if i > start:
            self.more_doses(start, i)
            self.ignored.append(self.span(start, i))
            joined = self.keys[i - 1] in _CONNECTORS or self.connector(i, 1) or self.connector(start - 1, -1)
            if joined and self.meals is None and not _vocab.MEALS.isdisjoint(self.keys[start:i]):
                self.meals = self.span(start, i)  # "with meals and at bedtime": meals as times of day
        return i

    def bracketed_score(self, i: int) -> int | None:
        """The end of a pain score in brackets at ``i``: "(7-10)", "(8/10)", "(4-6/10)"."""
        if not (self.keys[i] == "(" and self.nums[i + 1] and (self.keys[i + 2] in _DASH or self.keys[i + 2] == "/")):
            return None
        close = self.scored(i + 3, self.toks[i + 1].value) or i + 4  # "(4-6/10)", else "(7-10)", "(8/10)"
        return close + 1 if self.nums[i + 3] and self.keys[close] == ")" else None

    def another_product(self, i: int) -> bool:
        """Whether the word at ``i``, in text otherwise read as naming no dose, comes right before an amount ("prn
        pain, Tylenol 500 mg"): a word no verb, whose amount is not this product's units."""
        return self.nums[i + 1] and self.keys[i + 2] in _MASS and self.keys[i] not in _vocab.SIG_VERBS

    def indication_goes_on(self, i: int) -> bool:
        """Whether the word at ``i``, after "or" in text that names no dose, is another indication ("for pain or
        cough"): a word that starts no part of a sig ("or as directed", "or q6h"), no verb ("or take 2")."""
        key = self.keys[i]
        return (
            self.words[i]
            and key not in _PART_STARTS
            and key not in _vocab.SIG_VERBS
            and key not in _vocab.MULTI_STEP
            and self.vocab(i) is None
        )

    def some_days(self, start: int, days: int, end: int) -> None:
        """ "on dialysis days", "les jours de dialyse": a dose on some days only, refused as weekdays are, from the
        word that leads it; "for a few days" is a duration."""
        lead = next((k for k in range(days, start, -1) if self.keys[k] in _DAYS_LEADS), start)
        if self.keys[lead] not in _FOR:
            self.fail(f"{self.span(lead, end)!r}: a dose on some days only, say how often (e.g. 'three times a week')")

    def connector(self, i: int, step: int) -> bool:
        """Whether "and" ("et", "&") is at token ``i``, or past the punctuation there, going by ``step``."""
        while self.keys[i] in _PUNCT:
            i += step
        return self.keys[i] in _CONNECTORS

    def brand_suffix(self, i: int) -> int:
        """RxNorm's "[Percocet]", "[Subsys 1200 MCG]": a bracket is a brand only when its words are a known brand
        (the vocabulary's `known_brand`), with its strength, if any, the product's; it must name the same opioid
        (`check_brand`). Any other bracket is read as the same text in round brackets is: "[max 4 tabs/24h]" is a
        maximum, "[discontinued]" is refused. One that starts with a number ("q4h [2]") names no brand: a count or a
        quantity, refused as "(2)" is. A second brand never replaces the first."""
        j = i + 1
        while j < self.size and self.keys[j] != "]":
            j += 1
        if j >= self.size:
            self.fail(f"unclosed bracket {self.span(i, j)!r}")
        if self.nums[i + 1]:
            self.fail(
                f"{self.span(i, j + 1)!r} names no brand, and may be a count or a quantity: write the count with its "
                "form (e.g. '2 tabs'), or the quantity after 'disp' (e.g. 'disp #2')"
            )
        number = next((k for k in range(i + 1, j) if self.nums[k]), j)
        if number < j and _vocab.known_brand(self.span(i + 1, number)) and self.strength_in(number, j):
            self.brand_strength(i, number, j)
            name = self.span(i + 1, number)
        elif _vocab.known_brand(self.span(i + 1, j)):
            name = self.span(i + 1, j)
        else:
            return i + 1  # the bracket is punctuation, as "(" is
        if self.brand is None:
            self.brand = name
        elif name.lower() != self.brand.lower():  # a pack's "[Subsys]" and "[Subsys 1200 MCG]" are one brand
            self.fail(f"two brands: [{self.brand}] and {self.span(i, j + 1)!r}: give one")
        return j + 1

    def strength_in(self, i: int, j: int) -> bool:
        """Whether the tokens from ``i`` to ``j`` are a strength alone: numbers, their units and separators ("1200
        MCG", "10/325", "50 mcg/h")."""
        keys = self.keys
        return all(self.nums[k] or keys[k] in _MASS or keys[k] in _HOUR or keys[k] in ("/", "-") for k in range(i, j))

    def brand_strength(self, i: int, number: int, j: int) -> None:
        """A brand's strength in its bracket ("[Roxicodone 15 mg]") must be the product's: its amounts (in mg when
        the bracket gives a unit), each or all of them, times the units of a pack."""
        values = [self.toks[k].value for k in range(number, j) if self.nums[k]]
        unit = next((_MASS[self.keys[k]] for k in range(number, j) if self.keys[k] in _MASS), None)
        pack = self.pack or 1
        if unit is None:
            said, own = values, [a.value * pack for a in self.amounts]
        else:
            said = [v * _MASS_MG[unit] for v in values]
            own = [a.value * _MASS_MG[a.unit] * pack for a in self.amounts]
        same = len(said) == len(own) and all(map(math.isclose, said, own))
        if same or (len(said) == 1 and any(math.isclose(said[0], v) for v in own)):
            return
        self.fail(
            f"the brand {self.span(i, j + 1)!r} says a strength other than the product's ({self.amount_text!r}): "
            "give the product's strength once"
        )

    def drug(self, lo: int, first: int) -> str:
        """The text before the first number, less route/form/release words at its start and end."""
        touching = self.nums[first] and self.keys[first - 1] in _MINUS and self.ends[first - 1] == self.starts[first]
        if touching and (first - 1 == lo or self.ends[first - 2] != self.starts[first - 1]):
            self.fail(f"negative number {self.span(first - 1, first + 1)!r}")
        hi = first
        while lo < hi:
            if self.keys[lo] in _PUNCT or self.keys[lo] in _vocab.SIG_VERBS:
                lo += 1
            elif (found := self.vocab(lo, hi)) is not None:
                lo = self.apply(found, lo)
            elif (end := self.among(lo, _FILLER, 2)) is not None and end < hi and self.keys[lo] != "a":
                lo = end
            else:
                break
        while lo < hi:
            if (qualified := self.qualifier(lo, hi)) is not None:  # "tramadol er (biphasic)": no dose
                if (release := _vocab.NAME_QUALIFIERS[self.span_key(qualified + 1, hi - 1)]) is not None:
                    self.tag("release", release, qualified, hi)
                self.ignored.append(self.span(qualified, hi))
                hi = qualified
                continue
            if (bracket := self.bracketed_brand(lo, hi)) is not None:  # an EHR's "oxyCODONE (ROXICODONE)"
                self.brand = self.span(bracket + 1, hi - 1)
                hi = bracket
                continue
            if self.keys[hi - 1] in _PUNCT or self.keys[hi - 1] in _MINUS or self.keys[hi - 1] in _SIG_STARTS:
                hi -= 1  # "Tylenol #3 take 2 tabs", "Tylenol #3 Sig: 1 tab": a name whose strength has no number
                continue
            ends_here = [
                (s, f)
                for s in range(max(lo, hi - 5), hi)
                if self.keys[s] in _TERMS.lengths and (f := self.vocab(s, hi)) and f.end == hi
            ]
            if not ends_here:
                break
            hi, found = ends_here[0]  # the longest phrase ending the drug part
            self.apply(found, hi)
        if lo >= hi:
            self.fail(f"no drug name before {self.span(0, first + 1)!r}")
        for i in range(lo, hi):
            if (self.nums[i] or self.keys[i] in _FREQUENCY_STARTS) and (freq := self.frequency_at(i)) is not None:
                self.fail(f"the frequency {self.span(i, freq.end)!r} comes before the amount")
        return self.span(lo, hi).strip()

    def qualifier(self, lo: int, hi: int) -> int | None:
        """Where a bracketed qualifier that changes no dose ("(biphasic)", "(PF)") ending the name at ``hi`` starts."""
        start = self.bracket(lo, hi, 4)
        if start is None or self.span_key(start + 1, hi - 1) not in _vocab.NAME_QUALIFIERS:
            return None
        return start

    def bracketed_brand(self, lo: int, hi: int) -> int | None:
        """Where a brand in brackets after the generic name ending the name at ``hi`` starts, as EHRs print it
        ("HYDROcodone-acetaminophen (NORCO)"): read as RxNorm's "[Norco]" is, so it must name the same opioid."""
        start = self.bracket(lo + 1, hi, 3)  # a generic name before it
        if start is None or _vocab.drug_name(self.span(start + 1, hi - 1)) is None:
            return None
        return start

    def bracket(self, lo: int, hi: int, inside: int) -> int | None:
        """Where the bracket whose ")" ends the name at ``hi`` opens, at ``lo`` or after, with at most ``inside``
        tokens in it."""
        if self.keys[hi - 1] != ")":
            return None
        return next((k for k in range(hi - 2, max(lo, hi - 2 - inside) - 1, -1) if self.keys[k] == "("), None)

    def dose(self, i: int, drug: str) -> int:
        """AMOUNT[/AMOUNT...] UNIT [/AMOUNT... UNIT] [/ DENOMINATOR]; returns the index after it."""
        start = i
        pers: list[str | None] = []  # what each named component before the last is per ("MG/ML / ..."), if anything
        parts, fixed = _parts(drug)
        combination = len(parts) > 1
        seps = ("/", "-") if combination else ("/",)
        if self.keys[i + 1] in _BY and self.nums[i + 2] and self.keys[i + 3] in _MASS and not combination:
            return self.units_of(i, drug)
        if fixed is not None and not self.strength_of(i, fixed, seps):
            # "Panadeine Forte 2 tabs", "Tylenol #3 1-2 tabs": the name fixes the strength, the number is a count
            self.amounts = [_Amount(v, "mg") for v in fixed]
            self.amount_text = drug
            return i
        while True:  # groups of amounts sharing a unit: "5/325 mg", "5 mg/325 mg", "325 mg-7.5 mg"
            values = [self.positive(i, "the dose")]
            i += 1
            halves = self.mixed(i) and self.toks[i + 2].value in (2, 4)  # a decimal of a strength: halves, quarters
            if not combination and halves and self.keys[i + 3] in _MASS:  # "2½ mg", "2 1/2 mg"
                values[0] += self.part(i)
                i += 3
            while self.keys[i] in seps and self.nums[i + 1]:
                values.append(self.positive(i + 1, "the dose"))
                i += 2
            if not combination and not self.amounts and (end := self.amount_range(start, i, values[0])) is not None:
                return end
            unit = _MASS.get(self.keys[i])
            if unit is None and len(values) == 1 and not self.amounts and self.named_rate(drug, values[0]):
                if self.nums[i] and self.toks[i].value == values[0]:  # "Duragesic-50 50 mcg/hr": the strength follows
                    self.ignored.append(self.span(start, i))
                    start = i
                    continue
                self.amounts, self.denominator, self.amount_text = (
                    [_Amount(values[0], "mcg")],
                    "/h",
                    self.span(start, i),
                )
                rate = format_number(values[0])
                self.notes.append(f"{drug} {rate} read as {rate} mcg/h, the rate it is named by")
                return i
            if unit is None and combination and len(values) == len(parts) and not self.amounts:
                self.amounts = [_Amount(v, "mg") for v in values]  # "Norco 10/325": combination strengths are in mg
                self.notes.append(f"the strength {self.span(start, i)!r} of {drug} read in mg")
                self.amount_text = self.span(start, i)
                return self.restated_strength(i, values)
            brand = _vocab.combination(drug) if unit is None and len(values) == 1 and not self.amounts else None
            if brand is not None and self.countable(i) is None and self.keys[i] not in _VOLUME:  # "Norco 7.5 1 tab"
                return self.opioid_strength(start, i, drug, brand, values[0])
            if unit is None:
                where = self.span(start, i)
                if len(values) > 1 and not combination and not self.amounts:  # "hydrocodone 10/325 1 tab q6h"
                    self.unnamed_components(drug, where)
                tok = self.toks[i] if i < self.size else None
                known = tok is not None and (self.vocab(i) or tok.key in _FIXED or tok.key in ("q", "every", "prn"))
                if tok is not None and tok.key in _VOLUME:  # "Tussionex 10 mL q12h": how much is in 10 mL?
                    self.fail(
                        f"'{where} {tok.text}' is a volume with no strength before it: give the product's strength "
                        "(e.g. 'morphine 10 mg/5 mL 5 mL q4h')"
                    )
                if tok is not None and tok.kind == "word" and not known:
                    self.fail(f"unknown unit {tok.text!r} after {where!r}: use mg, mcg, g, mcg/h, mg/mL or mg/day")
                if self.countable(i) is not None:  # "Percocet 1 tab q6h": which strength?
                    sold = f"; {drug} is documented in {_strengths(brand)}" if brand is not None else ""
                    self.fail(
                        f"{self.span(start, i + 1)!r} is a count with no strength before it: give the product's strength "
                        f"(e.g. 'oxycodone 5 mg 1 tab q6h'){sold}"
                    )
                if self.keys[i] in _MINUS and self.nums[i + 1] and self.keys[i + 2] in _MINUS:  # "10-0-10 mg"
                    self.amounts_schedule(start)
                self.fail(f"no unit after {where!r}")
            self.amounts += [_Amount(v, unit) for v in values]
            i += 1
            self.per_kg(i - 1)
            j = i + 1
            while self.nums[j] or (self.keys[j] in seps and self.nums[j + 1]):
                j += 1
            if self.keys[i] in seps and self.nums[i + 1] and self.keys[j] in _MASS:
                i += 1
                continue
            after = i
            if self.keys[i] == "/" and (self.names or self.named_component(self.rxnorm_denominator(i))):
                after = self.rxnorm_denominator(i)  # "21.7 MG/ML / Hydrocodone Bitartrate 0.5 MG/ML"
            if self.named_component(after):
                pers.append(self.per_what(i))
                i = after
                # RxNorm: "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG": a name before each amount
                k = i + 1
                while self.toks[k].kind == "word":
                    k += 1
                if not self.names:
                    self.names.append(drug)
                self.names.append(self.span(i + 1, k))
                i = k
                continue
            break
        # "10 MG/ML / Acetaminophen 325 MG": per tablet or mL?
        if pers and any(per != self.per_what(i) for per in pers):
            self.fail(f"the components of {self.span(start, i)!r} are not each per the same unit (all per mL, or none)")
        in_volume = self.keys[i] == "in" and self.nums[i + 1] and self.keys[i + 2] in _VOLUME  # "10 mg in 5 mL"
        if self.keys[i] in ("/", "per") or in_volume:
            end = self.denominator_at(i + 1)
            if end is None and self.keys[i] == "/":
                self.fail(f"unknown unit {self.span(i - 1, min(i + 3, self.size))!r}")
            i = i if end is None else end
        self.amount_text = self.span(start, i)
        if self.denominator == "/mL" and self.keys[i] == "(" and len(self.amounts) == 1:
            return self.concentration_restated(i)
        return i

    def units_of(self, i: int, drug: str) -> int:
        """ "fentanyl 2 x 25 mcg/h patches", "oxycodone 2 x 5 mg tabs": so many units of the strength that follows,
        each time, as a count right after the strength would say. A concentration has no units: "2 x 10 mg/5 mL"
        may be two bottles, and a volume after it is the dose, so it is refused."""
        n, typed = self.toks[i].value, self.span(i, i + 2)
        if not (n.is_integer() and n >= 1):
            self.fail(f"{typed!r} is not a whole number of units")
        end = self.dose(i + 2, drug)
        if self.denominator == "/mL":
            self.fail(
                f"{typed!r} before the concentration {self.amount_text!r} counts no units (it may be a number of "
                "bottles): give the volume or amount taken each time alone"
            )
        self.unsaid(i, i + 2, "count", n, typed)
        self.doses.append(_Dose(n, n, "count", "", typed))
        self.notes.append(f"{typed!r} read as {format_number(n)} units of {self.amount_text}")
        return end

    def concentration_restated(self, i: int) -> int:
        """A liquid's concentration said again in brackets another way: "100 mg/5 mL (20 mg/mL)", "2mg/mL (10mg/5mL)";
        ignored when it is the same, refused when not; ``i`` is the bracket."""
        j = i + 4 + self.nums[i + 4]  # "(20 mg/mL)" or "(10 mg/5 mL)"
        said = self.nums[i + 1] and self.keys[i + 2] in _MASS and self.keys[i + 3] == "/" and self.keys[j] in _VOLUME
        if not (said and self.keys[j + 1] == ")"):
            return i
        per_ml = (
            self.toks[i + 1].value * _MASS_MG[_MASS[self.keys[i + 2]]] / (self.toks[i + 4].value if j > i + 4 else 1)
        )
        amount = self.amounts[0]
        if not math.isclose(per_ml, amount.value * _MASS_MG[amount.unit] / self.divisor, rel_tol=1e-9):
            self.fail(f"{self.span(i, j + 2)!r} is not the concentration {self.amount_text!r} says")
        self.ignored.append(self.span(i, j + 2))
        return j + 2

    def amount_range(self, start: int, i: int, lo: float) -> int | None:
        """A hospital order's "5-10 mg" ("5 to 10 mg", "5 mg-10 mg") of one opioid: a range of amounts, read as a dose
        of units of the lower amount (as "5 mg tablet, take 5-10 mg" is). Ends more than 4-fold apart ("hydrocodone 10-325 mg") may be a combination's strengths under a
        name that leaves out the partner, and are refused."""
        unit_first = self.keys[i] in _MASS and _MASS[self.keys[i]] == _MASS.get(self.keys[i + 3])  # "5 mg - 10 mg"
        i += unit_first
        if not (self.keys[i] in _DASH and self.nums[i + 1] and self.keys[i + 2] in _MASS):
            return None
        if unit_first and self.toks[i + 1].value < lo:  # "hydrocodone 325 mg-7.5 mg": components (`dose` says so)
            return None
        if self.keys[i + 3] in ("/", "per"):  # "10-20 mg/5 mL": no amount range
            return None
        end = i + 3
        lo, hi = self.checked(start, end, lo, self.positive(i + 1, "the dose"), "an amount")
        if hi > _WIDEST_AMOUNT_RANGE * lo:
            self.fail(
                f"{self.span(start, end)!r} may be a combination's strengths, not a range of amounts: name the "
                "components (e.g. 'hydrocodone/acetaminophen 10/325 mg') or the product's strength"
            )
        unit = _MASS[self.keys[i + 2]]
        self.amounts = [_Amount(lo, unit)]
        self.amount_text = self.span(start, end)
        self.doses.append(_Dose(lo, hi, "mass", unit, self.amount_text))
        self.ranges.append(self.amount_text)
        return end

    def strength_of(self, i: int, fixed: tuple[float, ...], seps: tuple[str, ...]) -> bool:
        """Whether the numbers at ``i`` are a strength of a brand whose name fixes it: with a unit ("300 mg/30 mg"),
        or its own amounts without one ("Tylenol #3 300/30"); other numbers ("1-2 tabs") are a count, and no number
        ("Tylenol #3 tablet", dispensed) none."""
        if not self.nums[i]:
            return False
        values, j = [self.toks[i].value], i + 1
        while self.keys[j] in seps and self.nums[j + 1]:
            values.append(self.toks[j + 1].value)
            j += 2
        return self.keys[i + 1] in _MASS or self.keys[j] in _MASS or sorted(values) == sorted(fixed)

    def opioid_strength(self, start: int, i: int, drug: str, brand: _vocab.Combination, value: float) -> int:
        """A combination brand and its opioid's strength alone ("Norco 7.5"): read as the one documented strength with
        that much of the opioid, and refused when there are several or none; returns ``i``."""
        opioid = next(k for k, part in enumerate(brand.components) if not _vocab.non_opioid(part))
        found = [s for s in brand.strengths if math.isclose(s[opioid], value)]
        where = self.span(start, i)
        if len(found) != 1:
            which = f"{len(found)} documented strengths have it" if found else "no documented strength has it"
            self.fail(
                f"{where!r} after {drug} reads as {format_number(value)} mg of {brand.components[opioid]}, but {which} "
                f"({_strengths(brand, found)}): give the whole strength, e.g. '{drug} "
                f"{'/'.join(format_number(v) for v in (found or brand.strengths)[0])}'"
            )
        self.amounts = [_Amount(v, "mg") for v in found[0]]
        self.amount_text = where
        self.notes.append(
            f"{drug} {where} read as {_strengths(brand, found)}, its one documented strength with {where} mg of "
            f"{brand.components[opioid]}"
        )
        return i

    def named_rate(self, drug: str, value: float) -> bool:
        """Whether ``value`` after ``drug`` is a rate a patch brand is named by ("Duragesic 50", "Butrans-10")."""
        name = _vocab.drug_name(drug)
        return name is not None and name.form == "patch" and value in _vocab.PATCH_RATES.get(name.drug, ())

    def rxnorm_denominator(self, i: int) -> int:
        """After "MG" at ``i``: the index after a per-unit denominator ("/ML", "/HR", "/ACTUAT"), if any."""
        nxt = self.keys[i + 1]
        if self.keys[i] == "/" and (nxt in _VOLUME or nxt in _HOUR or nxt.startswith("actuat")):
            return i + 2
        return i

    def per_what(self, i: int) -> str | None:
        """What the amount whose unit ends before ``i`` is per, as RxNorm writes it ("MG/ML": "ml"), or None."""
        return self.keys[i + 1] if self.rxnorm_denominator(i) > i else None

    def named_component(self, i: int) -> bool:
        """Whether " / NAME AMOUNT UNIT" starts at ``i`` (RxNorm's next component)."""
        if self.keys[i] != "/" or i + 1 >= self.size or self.toks[i + 1].kind != "word":
            return False
        if self.rxnorm_denominator(i) > i or self.keys[i + 1] in _ONE_DAY or self.countable(i + 1):
            return False
        k = i + 1
        while k < self.size and self.toks[k].kind == "word" and self.keys[k] not in _MASS:
            k += 1
        return k > i + 1 and self.nums[k] and self.keys[k + 1] in _MASS

    def restated_strength(self, i: int, values: list[float]) -> int:
        """ "Lortab 7.5/500 500 mg-7.5 mg tablet": the same amounts again, with their unit, are skipped. Two rising
        amounts joined by a dash and near enough to be a range ("Targin 10/5 mg 5-10 mg") may be a range of doses,
        and are left to be read as one."""
        j, again, dashed = i, list[float](), False
        while self.nums[j] and len(again) < len(values):
            again.append(self.toks[j].value)
            j += 1
            if self.keys[j] in _MASS:
                j += 1
            if len(again) < len(values) and self.keys[j] in ("/", "-") and self.nums[j + 1]:
                dashed = self.keys[j] == "-"
                j += 1
        ranged = dashed and len(again) == 2 and again[0] < again[1] <= _WIDEST_AMOUNT_RANGE * again[0]
        if len(again) == len(values) and sorted(again) == sorted(values) and self.keys[j - 1] in _MASS and not ranged:
            self.ignored.append(self.span(i, j))
            return j
        return i

    def denominator_at(self, i: int) -> int | None:
        """What follows "mg/": "mL", "5 mL", "h", "day", "24 h", "spray", "actuat"."""
        divisor = None
        if self.nums[i]:
            divisor = self.positive(i, "the volume of a concentration")
            i += 1
        key = self.keys[i]
        if key in _VOLUME:
            self.denominator, self.divisor = "/mL", divisor or 1.0
            return i + 1
        if (divisor is None and key in _ONE_DAY) or (divisor == 24 and key in _HOUR):
            self.denominator, self.per_24_hours = "/day", divisor == 24
            return i + 1
        if divisor is None and key in _HOUR:  # a patch rate; the engine warns on a mg/mcg slip
            self.denominator = "/h"
            return i + 1
        if divisor is not None and divisor > 1 and key in _HOUR:  # "30 mg/12 hr": see `per_interval`
            self.interval = (self.span(i - 1, i + 1), divisor)
            return i + 1
        if divisor is None and key in ("actuat", "actuation", "actuations", "dose"):
            return i + 1  # "100 MCG/ACTUAT", "50 µg/dose": an amount per spray
        if divisor is None and (found := self.countable(i)) is not None:
            return self.apply(found, i)  # "100 mcg/spray" is 100 mcg, form spray
        return None

    def per_24(self, i: int) -> bool:
        """ "/24" with no unit after it: per 24 hours, as "max 8/24" writes it."""
        return (
            self.keys[i] == "/" and self.nums[i + 1] and self.toks[i + 1].value == 24 and self.keys[i + 2] not in _HOUR
        )

    def per_period(self, i: int) -> _Period | None:
        """ "daily", "a day", "per day", "/day", "/24 h", "par jour", "a week"."""
        if self.keys[i] == "daily":
            return _Period(i + 1, 1.0)
        if self.keys[i] == "weekly":
            return _Period(i + 1, 7.0)
        if self.keys[i] in ("a", "per", "each", "every", "par", "/", "in"):
            if self.keys[i] in ("in", "per") and self.keys[i + 1] in ("a", "any"):  # "in a day", "in any 24 hours"
                i += 1
            nxt = self.keys[i + 1]
            if nxt in _ONE_DAY:
                return _Period(i + 2, 1.0)
            if nxt in ("week", "wk", "semaine"):
                return _Period(i + 2, 7.0)
            if self.nums[i + 1] and self.toks[i + 1].value == 24:
                h = i + 2 + (self.keys[i + 2] in _MINUS)  # "24 hours", "24-hour"
                if self.keys[h] in _HOUR:
                    return _Period(h + 1 + (self.keys[h + 1] == "period"), 1.0)  # "in any 24 hour period"
            if self.keys[i] in ("in", "per") and self.nums[i + 1] and self.toks[i + 1].value == 1:
                return _Period(i + 3, 1.0) if self.keys[i + 2] in _ONE_DAY else None  # "in one day", "per 1 day"
        return None

    def number_or_range(self, i: int, *, fraction: bool = True) -> tuple[float, float, int]:
        """NUM, NUM-NUM, NUM to NUM, "1/2" (when ``fraction``) at a number: (low, high, index after), unchecked."""
        lo, j = self.toks[i].value, i + 1
        if fraction and self.mixed(j):  # "1 1/2 tabs": one and a half
            lo, j = lo + self.part(j), j + 3
        elif fraction and self.keys[j] in _MINUS and lo.is_integer() and self.mixed(j + 1):  # US: "1-1/2 tabs"
            if self.starts[j] > self.ends[i] or self.starts[j + 1] > self.ends[j]:
                said = self.span(i, j + 4)
                self.fail(
                    f"{said!r} may be a whole number and a part or a range: write '{said.replace(' ', '')}', or the "
                    "range from its least ('1/2-1')"
                )
            lo, j = lo + self.part(j + 1), j + 4
        elif fraction and self.keys[j] == "/" and self.nums[j + 1]:
            lo, j = self.part(i), j + 2
        elif (
            fraction
            and self.keys[j] in ("and", "&")
            and lo.is_integer()
            and self.mixed(j + 1)
            and self.countable(j + 4)
        ):
            lo, j = lo + self.part(j + 1), j + 4  # "1 and 1/2 tabs", "1 & ½ tab": one and a half
        hi = lo
        if self.keys[j] in _RANGE and self.nums[j + 1] and not (self.keys[j] == "a" and self.keys[j + 2] in _ONE_DAY):
            hi, j = self.toks[j + 1].value, j + 2
            if fraction and self.keys[j] == "/" and self.nums[j + 1]:
                hi, j = self.part(j - 1), j + 2
        return lo, hi, j

    def part(self, i: int) -> float:
        """The fraction at token ``i`` ("1/2", "3/2"): halves, thirds or quarters of a unit as doses are cut, or
        refused: "10/2 tab" is no count (5 tablets?), and "7/10" a pain score."""
        num, den = self.toks[i].value, self.toks[i + 2].value
        value = num / den if den else math.nan
        if not 0 < value < math.inf:
            return math.nan  # `checked` says which number is not positive and finite
        if den not in _PARTS or not num.is_integer() or num % den == 0:
            said = self.span(i, i + 3)
            how_long = f", or 'for {said}' if it is how long" if den in _OF_WEEKS else ""  # UK: "2/7", two days
            how_long += f", or 'every {said}' if it is how often" if den in _UK_PERIODS else ""  # "change 1/52"
            self.fail(
                f"{said!r} is not a part of a unit (halves, thirds, quarters: 1/2, 3/4, 3/2): write the count (e.g. "
                f"'2 tabs'){how_long}"
            )
        return value

    def mixed(self, j: int) -> bool:
        """Whether a proper fraction ("1/2") starts at token ``j``, after a whole number; "1 4/24" is one unit every
        4 hours (`per_24`), as Australian charts write it. After a decimal ("2.5½ mg") it is a slip: refused."""
        found = (
            self.nums[j]
            and self.keys[j + 1] == "/"
            and self.nums[j + 2]
            and 0 < self.toks[j].value < self.toks[j + 2].value
            and not self.per_24(j + 1)
        )
        if found and self.nums[j - 1] and not self.toks[j - 1].value.is_integer():
            self.fail(f"{self.span(j - 1, j + 3)!r} is no number: write it once, as a decimal (e.g. '2.5')")
        return found

    def checked(self, i: int, j: int, lo: float, hi: float, what: str) -> tuple[float, float]:
        """A number or range read by `number_or_range`, refused unless positive, finite and in order."""
        for k in range(i, j):
            if self.nums[k] and not 0 < self.toks[k].value < math.inf:
                self.positive(k, what)
        if not (0 < lo < math.inf and 0 < hi < math.inf):
            self.fail(f"{what.rsplit(maxsplit=1)[-1]} {self.span(i, j)!r} must be positive and finite")
        if hi < lo:
            self.fail(f"range {self.span(i, j)!r} runs backwards")
        return lo, hi

    def frequency_at(self, i: int) -> _Frequency | None:
        """The frequency said at token ``i``, if one is."""
        if not self.nums[i] and self.keys[i] not in _FREQUENCY_STARTS:
            return None
        found = None if self.nums[i] else self.among(i, _FIXED_AT, 3)  # phrases are words
        if found is not None:
            fixed = _FIXED[self.span_key(i, found)]
            if fixed.every is not None:
                return _Frequency(found, 24 / fixed.every, 24 / fixed.every, fixed.every, fixed.every)
            assert fixed.per_day is not None
            return _Frequency(found, fixed.per_day, fixed.per_day)
        key = self.keys[i]
        if key == "every" and self.keys[i + 1] == "other" and self.time_of_day(i + 2, dry=True) is not None:
            return _Frequency(i + 2, 0.5, 0.5, 48.0, 48.0)  # "every other night": every other day, at night
        k = i
        if key == "up" and self.keys[i + 1] == "to":  # "up to 4 times a day": at most 4
            k = i + 2
        if self.keys[k] in _MULTIPLE and (p := self.per_period(k + 1)) is not None:
            n = _MULTIPLE[self.keys[k]] / p.days
            return _Frequency(p.end, n, n)
        if self.keys[k] in _MULTIPLE and self.keys[k + 1] in _RANGE:  # "once or twice a day": a range
            counted = self.nums[k + 2] and self.keys[k + 3] in _TIMES  # "twice or three times a day"
            hi = self.toks[k + 2].value if counted else _MULTIPLE.get(self.keys[k + 2], 0.0)
            lo, end = _MULTIPLE[self.keys[k]], k + 3 + counted
            if hi.is_integer() and lo < hi and (p := self.per_period(end)) is not None:
                return _Frequency(p.end, lo / p.days, hi / p.days)
        if self.nums[k]:  # "3 times a day", "1 to 2 times daily", "3x/day", "3/day", "4-hourly"
            lo, hi, j = self.number_or_range(k, fraction=False)
            j2 = j + 1 if self.keys[j] in _TIMES else j
            if (p := self.per_period(j2)) is not None:
                if j2 > j and self.keys[j] in _BY and self.keys[j2] != "/":  # "2 x weekly" of a patch: not "2x/wk"
                    self.patch_times(k, k, j2, p.end)
                lo, hi = self.checked(k, j, lo, hi, "a frequency")
                one = all(d.kind == "count" and d.lo == d.hi == 1 for d in self.doses)  # either way twice a day
                if j2 == j and self.keys[j2] != "/" and self.doses and not one:  # "2 tabs 2 daily": 2 tabs, or twice?
                    self.fail(f"{self.span(k, p.end)!r} after a count: say '{self.span(k, j)} times' or drop the count")
                return _Frequency(p.end, lo / p.days, hi / p.days)
            if lo == hi == 1 and self.keys[j] == "jour" and self.keys[j + 1] == "sur" and self.nums[j + 2]:
                days = self.toks[j + 2].value  # "1 jour sur 2", "un jour sur trois": one day in N, every N days
                if not (days.is_integer() and days >= 2):
                    self.fail(f"{self.span(k, j + 3)!r}: write one day in a whole number of days (e.g. '1 jour sur 2')")
                return _Frequency(j + 3, 1 / days, 1 / days, 24 * days, 24 * days)
            j2 = self.ordinal_end(j) if lo == hi else j  # "4th hourly", as Australian charts write it
            j2 += self.keys[j2] in _MINUS
            if self.keys[j2] in _HOURLY:
                lo, hi = self.checked(k, j, lo, hi, "an interval")
                return _Frequency(j2 + 1, 24 / hi, 24 / lo, lo, hi)
            uk = self.per_24(j) and k == i and self.keys[i - 1] not in _vocab.DATE_LEADS  # not "until 4/24"
            if uk and all(h.is_integer() and 1 <= h <= 24 for h in (lo, hi)) and lo <= hi:
                return _Frequency(j + 2, 24 / hi, 24 / lo, lo, hi)  # "4/24": 4-hourly, as UK charts write it
        if k > i:
            return None
        if key == "x" and self.nums[i + 1] and (p := self.per_period(i + 2)) is not None:
            self.patch_times(i, i + 1, i + 2, p.end)  # "Norspan 10 x 2 weekly": twice weekly, or two patches?
            n = self.positive(i + 1, "a frequency") / p.days
            return _Frequency(p.end, n, n)
        if key in ("q", "every", "each"):
            k = i + 1 + (key == "q" and self.keys[i + 1] in _MINUS and self.nums[i + 2])  # "q-6h" is "q6h"
        elif key in ("toutes", "tous") and self.keys[i + 1] == "les":
            k = i + 2
        else:
            return None
        lo = hi = 1.0
        numbered = self.nums[k]
        if numbered:  # "q6h", "q 4-6 h", "every 4 to 6 hours", "q 1/2 h" (but "q3/4h" may be 3 to 4 hours)
            half = self.keys[k : k + 3] == _HALF and self.keys[k + 3] in _INTERVAL
            lo, hi, end = self.number_or_range(k, fraction=half)
            lo, hi = self.checked(k, end, lo, hi, "an interval")
            k = end
            if lo == hi:
                k = self.ordinal_end(k)  # "every 2nd day", "every 3rd day"
        elif self.keys[k] in _vocab.ORDINALS:  # "every second day"
            lo = hi = _vocab.ORDINALS[self.keys[k]]
            numbered, k = True, k + 1
        if self.keys[k] == "." and self.keys[k + 1] in _INTERVAL:  # "q.4.h."
            k += 1
        if numbered and self.keys[k] == "/" and self.nums[k + 1] and self.toks[k + 1].value in _UK_PERIODS:
            unit, end = _UK_PERIODS[self.toks[k + 1].value], k + 2  # "every 3/7", "q1/52": UK charts' days, weeks
        elif numbered and self.keys[k] in _HOURLY:  # "q6hourly", "every 4 hourly": every 6 hours, as "4-hourly" is
            unit, end = 1.0, k + 1
        elif self.keys[k] not in _INTERVAL or (self.keys[k] in _vocab.MINUTE_WORDS and not numbered):
            return None
        else:
            unit, end = _INTERVAL[self.keys[k]], k + 1
        if lo == hi and (upper := self.interval_upper(end, unit)) is not None:  # "q4h-6h", "q4h to q6h"
            lo, hi = self.checked(i, upper[1], lo, upper[0], "an interval")
            end = upper[1]
        return _Frequency(end, 24 / (hi * unit), 24 / (lo * unit), lo * unit, hi * unit)

    def ordinal_end(self, k: int) -> int:
        """The index after an ordinal's suffix glued to the whole number before token ``k`` ("2nd", "4th"), else ``k``
        ("4.5th" is no ordinal)."""
        glued = self.keys[k] in _ORDINAL_SUFFIXES and self.starts[k] == self.ends[k - 1]
        return k + (glued and self.toks[k - 1].value.is_integer())

    def patch_times(self, i: int, n: int, period: int, end: int) -> None:
        """ "x 2 weekly", "2 x weekly" after a patch may say how often or how many patches are worn (for Transtec,
        twice weekly is its label; for Norspan or Butrans, two patches a week is as likely): refused. "x 1" says the
        same either way, and after a count of patches ("1 patch x 2 weekly") it says how often."""
        counted = any(d.kind in ("count", "rate") for d in self.doses)
        if self.toks[n].value == 1 or counted:
            return
        if self.denominator == "/h" or self.tags.get("form") == "patch":
            when = self.span(period, end)
            self.fail(
                f"{self.span(i, end)!r} after a patch may say how often or how many patches are worn: write the times "
                f"in words (e.g. '{self.toks[n].text} times {when}') or the patches (e.g. '{self.toks[n].text} patches "
                f"{when}')"
            )

    def interval_upper(self, j: int, unit: float) -> tuple[float, int] | None:
        """The longer interval of a range said with its unit at both ends ("-6h", " to q6h" after "q4h"), and the
        index after it."""
        if self.keys[j] not in _RANGE and self.keys[j] not in _MINUS:
            return None
        m = j + 1 + (self.keys[j + 1] == "q")
        if self.nums[m] and self.keys[m + 1] in _INTERVAL and _INTERVAL[self.keys[m + 1]] == unit:
            return self.toks[m].value, m + 2
        return None

    def span_key(self, i: int, end: int) -> str:
        return " ".join(t.key for t in self.toks[i:end] if t.key != "-")

    def set_frequency(self, i: int, found: _Frequency) -> int:
        end, fewest, most, short, long = found
        typed = self.span(i, end)
        for value in (fewest, most):
            if not (math.isfinite(value) and value > 0):
                self.fail(f"frequency {typed!r} must be positive and finite")
        if self.frequency is not None:
            self.said_again(typed)
            if self.span_key(i, end) in _TIMES_A_DAY_WORDS and self.frequency.fewest >= 1:
                return end  # "every 12 hours daily", "bid daily", "twice a day every day": daily says every day
            said = self.frequency
            if said.typed.endswith("/24") and typed.lower() == "hourly":  # "6/24 hourly": every 6 hours, twice over
                hours = said.typed.removesuffix("/24")
                self.fail(
                    f"'{said.typed} {typed}' says every {hours} hours twice: write '{said.typed}' or 'every {hours} hours'"
                )
            if (said.fewest, said.most) != (fewest, most):
                self.fail(
                    f"two frequencies: {said.typed!r} and {typed!r} disagree ({_times(said.fewest, said.most)} and "
                    f"{_times(fewest, most)} a day): say one"
                )
            self.notes.append(f"{said.typed!r} and {typed!r} say the same frequency")  # "every 6 hours (4 times/day)"
            return end
        if fewest != most:
            self.ranges.append(typed)
        if self.per_24(end - 2) and self.toks[i].value == 1:  # "1/24": once in 24 hours, or hourly as "4/24" says?
            self.fail(f"{typed!r} may be once in 24 hours or every hour: write 'once a day' or 'every hour'")
        if self.per_24(end - 2):  # "4/24"
            self.notes.append(f"{typed!r} read as every {self.span(i, end - 2)} hours (N/24: every N hours)")
        elif self.nums[i] and self.keys[end - 3] == "/" and self.toks[end - 2].value == 24 and self.nums[end - 4]:
            n = self.span(i, end - 3)  # "6/24 h": 6 in 24 hours, or every 6 hours as "6/24" is?
            self.fail(
                f"{typed!r} may be {n} times in 24 hours or every {n} hours (as UK charts write '{n}/24'): write "
                f"'{n} times a day' or 'every {n} hours'"
            )
        if short is not None and short < 1:  # "q30min": plausible for a liquid in palliative care, rarely else
            self.notes.append(f"{typed!r} is an interval under an hour: up to {format_number(most)} doses a day")
        self.frequency = _Said(typed, fewest, most, end, bool(self.doses) or self.volume is not None)
        self.every = None if short is None or long is None else _Interval(short, long)
        return end

    def time_of_day(self, i: int, *, dry: bool = False) -> int | None:
        """ "in the morning", "at bedtime", "nocte", "matin": one administration at that time."""
        start = i
        end = self.among(i, _TIMES_OF_DAY)
        if end is None and self.keys[i] in _TIME_LEADS:  # "q hs", "each evening", "after breakfast"
            i += 1
            end = self.among(i, _TIMES_OF_DAY)
        if end == i + 1 and self.keys[i] == "on" and not self.omni_nocte(i):  # "on Mondays": no time
            return None
        if end is None or dry:
            return end
        slot = _vocab.TIMES_OF_DAY[self.span_key(i, end)]
        self.daily_then_dose(slot)
        if self.schedule is not None:
            self.fail(f"{self.schedule!r} gives the times of day: {self.span(start, end)!r} may say one again")
        if len(self.slots) == 1 and slot in self.early:  # "methadone 10 mg am 20 mg am", "10 mg hs and 10 mg at night"
            first = next(d.typed for d in (*self.doses, self.volume) if d is not None)  # a volume ("1 mL") too
            self.fail(
                f"the time of day {self.span(start, end)!r} is said both before {first!r} and after it: "
                "one dose at that time, or two? say each time once, with the dose taken then"
            )
        joined = self.connector(start - 1, -1) or self.keys[start - 1] == "+"
        if slot in self.slots[-1] and joined:  # "in the morning and in the morning", "mane + mane": a slip
            self.fail(f"the time of day {self.span(start, end)!r} is said twice: say how many times a day")
        k = start - 1
        while self.keys[k] in _PUNCT or self.keys[k] in _TIME_JOINS:
            k -= 1
        if slot in self.slots[-1] and _vocab.TIMES_OF_DAY.get(self.keys[k], slot) != slot:
            self.fail(  # "matin et soir, matin midi soir": two schedules (not "in the morning with breakfast": one)
                f"the times of day start again at {self.span(start, end)!r}: two schedules? say each time once"
            )
        self.slots[-1].add(slot)  # "in the morning with breakfast" says one time twice
        self.slot_end = end
        return end

    def after_daily(self) -> tuple[_Said, _Dose] | None:
        """A once-a-day frequency said before any dose, and the dose read after it ("daily 20 mg"), if there are."""
        said, dose = self.frequency, self.doses[-1] if self.doses else self.volume
        if said is None or said.dosed or dose is None or (said.fewest, said.most) != (1.0, 1.0):
            return None
        return said, dose

    def said_again(self, typed: str) -> None:
        """A once-a-day frequency, a dose, then a frequency again ("morphine 10 mg daily 20 mg daily", "q24h 20 mg
        q24h"): the product's dose and another, each once a day, or one dose said twice? Refused."""
        if (found := self.after_daily()) is not None:
            said, dose = found
            self.fail(
                f"{dose.typed!r} between {said.typed!r} and {typed!r} may be a second dose or the one dose said again: "
                "say the dose once, before how often (e.g. '20 mg daily')"
            )

    def daily_then_dose(self, slot: str) -> None:
        """A dose said after a once-a-day frequency, then a time of day ("MST 30 mg 1 daily 1 nocte", "morphine 10 mg
        daily 20 mg nocte", "OD 60 mg ON"): the day's one dose at that time, or a dose in the day and this one besides
        it (as "1 mane 2 nocte" says)? Refused, as "1 od 1 nocte" is."""
        if (found := self.after_daily()) is not None:
            said, dose = found
            self.fail(
                f"{dose.typed!r} then a time of day ({slot}) after {said.typed!r} may be the day's one dose or a dose "
                "besides it: say the dose taken at each time (e.g. '1 tab in the morning and 2 tabs at night'), or the "
                "one dose and its time alone (e.g. '2 tabs at night')"
            )

    def omni_nocte(self, i: int) -> bool:
        """Whether "on" at ``i`` is UK and Australian charts' "o.n." (omni nocte, at night), as "om" is omni mane:
        typed with its dots, standing as a time, with no word after it that it could lead ("OM, ON", "on and om"),
        or right after a time of day ("om on prn", "mane on 2 tabs midday") but before a word it leads in English
        (`_ON_LEADS`: "every morning on empty stomach"), which leads text that names no dose (`no_dose`)."""
        after = self.keys[i + 1]
        return (
            "o.n" in self.toks[i].text.lower()
            or after in ("", *_STOPS, "/", *_CONNECTORS)
            or self.among(i + 1, _TIMES_OF_DAY) is not None
            or (self.after_time(i) and after not in _ON_LEADS)
        )

    def after_time(self, i: int, joins: frozenset[str] = frozenset("/")) -> bool:
        """Whether token ``i`` follows a time of day, past punctuation and ``joins`` ("om, on", "om/on")."""
        k = i - 1
        while self.keys[k] in _PUNCT or self.keys[k] in joins:
            k -= 1
        return self.slot_end == k + 1

    def cap_at(self, i: int) -> int | None:
        """A stated maximum: "not to exceed 8 tablets per day", "max 30 mg/day", "up to 4 tabs a day"."""
        lead = self.among(i, _CAPS, 5)
        if lead is None:
            return None
        j = lead
        while self.keys[j] in (":", "#", "of", "a", "total") or (
            self.keys[j] in ("daily", "dose") and self.nums[j + 1]
        ):  # "max: 4 tabs/day", "MDD #4 tabs"
            j += 1
        if not self.nums[j]:
            return None
        value = self.positive(j, "a maximum")
        k = j + 1
        kind: Literal["count", "mass", "volume"]
        if self.keys[k] in _MASS:
            kind, unit, k = "mass", _MASS[self.keys[k]], k + 1
        elif self.keys[k] in _VOLUME:
            kind, unit, k = "volume", "mL", k + 1
        elif (form := self.countable(k)) is not None:
            self.count_noun(form, k)  # "max 4 tabs/day" counts tablets, as "1 tab" does
            kind, unit, k = "count", form.value, form.end
        elif self.keys[k] in _vocab.ADMINISTRATIONS:
            kind, unit, k = "count", "dose", k + 1
        elif (self.keys[k] in _TIMES - _BY or (self.keys[k] in _BY and self.per_period(k + 1) is not None)) and (
            self.frequency is not None or self.keys[i] not in _UP_TO
        ):
            kind, unit, k = (
                "count",
                "dose",
                k + 1,
            )  # "q4-6h prn, not more than 3 times a day", "max 4x/day" ("up to 4 times a
            # day" with no frequency before it is the frequency, at most)
            if self.frequency is not None and value > self.frequency.most:  # "daily up to 4 times daily": which?
                typed = self.span(i, (self.per_period(k) or _Period(k + 1, 1.0)).end)  # "up to 4 times a day"
                self.fail(f"{self.frequency.typed!r} and {typed!r} disagree: say how often")
        elif self.keys[k] in _vocab.PRODUCT_UNITS:
            kind, unit, k = "count", "", k + 1
        elif self.keys[k] != "daily" and (self.per_period(k) is not None or self.per_24(k)):  # "max 3/day", "max 8/24"
            kind, unit = "count", _BARE
        elif self.keys[k] in _DURATION_UNITS and self.keys[k] != "refills":  # "max 5 days": how long, at most
            self.ignored.append(self.span(i, k + 1))
            return k + 1
        else:
            return None
        of = k + (self.keys[k] == "of")  # "max 4000 mg of acetaminophen a day"
        if kind == "mass" and (_vocab.non_opioid(self.keys[of]) or len(self.components(self.drug_typed)[0]) > 1):
            self.fail(
                f"the maximum {self.span(i, k)!r} may be of another component than the opioid (acetaminophen?): "
                "say it in units a day (e.g. 'max 8 tabs a day')"
            )
        period = _Period(k + 2, 1.0) if self.per_24(k) else self.per_period(k)
        if self.keys[k] == "qd":  # "max 4 tabs qd": a day, as "max 4 tabs daily"
            period = _Period(k + 1, 1.0)
        daily_word = "daily" in self.keys[i:j] or self.keys[lead - 1] == "mdd"  # "max daily dose", "daily max 4"
        if period is None and self.keys[k] in _OVER and self.nums[k + 1] and self.keys[k + 2] in _HOUR:
            self.fail(f"a maximum over {self.span(k + 1, k + 3)!r}: only daily maximums are read")  # 24 h: per_period
        if period is None and (once := self.among(k, _AT_ONCE)) is not None:  # "max 2 tabs per dose": not daily
            self.fail(
                f"{self.span(i, once)!r} is a maximum at once: only daily maximums are read; the count says the dose"
            )
        if period is None and not daily_word:
            if self.keys[i] == "up":
                return None  # "up to 2 tabs": a count range, read by count_at
            self.fail(f"the maximum {self.span(i, k)!r} says no period: write it per day ('{self.span(i, k)} per day')")
        if period is not None and period.days != 1.0:
            self.fail(
                f"a maximum per {format_number(period.days)} days ({self.span(i, period.end)!r}): only daily maximums are read"
            )
        end = k if period is None else period.end
        if self.cap is not None:
            self.fail(f"two maximums: {self.cap.typed!r} and {self.span(i, end)!r}")
        self.cap = _Cap(self.span(i, end), value, kind, unit)
        return end

    def duration_at(self, i: int) -> int | None:
        """ "for 5 days", "x 5 days", "for up to 5 days", "(30 days)", "must last 30 days", "a 30 day supply",
        "until finished": how long, not how much."""
        j = i
        if self.keys[j] in _FOR:
            j += 1
            if self.keys[j] == "up" and self.keys[j + 1] == "to":
                j += 2
            while self.keys[j] in ("the", "next"):
                j += 1
        elif self.keys[j] in _TO_LAST and self.keys[j + 1] == "last":  # "Rx must last 30 days"
            j += 2
        elif self.keys[j] in _UNTIL:
            if self.keys[j + 1] in ("finished", "gone", "complete", "completed"):
                self.ignored.append(self.span(i, j + 2))
                return j + 2
            return None
        if not self.nums[j]:
            return None
        k = j + 1
        if self.keys[k] in _RANGE | _MINUS and self.nums[k + 1]:
            k += 2
        if j > i and self.keys[k] == "/" and self.nums[k + 1] and self.toks[k + 1].value in _OF_DAYS:  # "for 5/7"
            self.ignored.append(self.span(i, k + 2))
            return k + 2
        if self.keys[k] not in _DURATION_UNITS or (self.keys[k] == "doses" and j == i):
            return None
        if self.keys[k] == "doses":  # "q4h x 3 doses" may be fewer doses than a day of q4h
            self.fail(f"{self.span(i, k + 1)!r} counts the doses of a course, not days: say the doses of a day")
        supply = self.keys[k + 1] == "supply"  # "a 30 day supply"
        alone = self.keys[i - 1] == "," and self.keys[k + 1] in (",", "")  # an EHR's field: "PRN pain, 5 day(s), #20"
        if not (j > i or supply or alone or self.keys[i - 1] in ("(", "last", "lasts")):  # "(30 days)", "last 30 days"
            return None
        self.ignored.append(self.span(i, k + 1 + supply))
        return k + 1 + supply

    def count_noun(self, found: _Vocab, i: int) -> None:
        """A count's noun ("tab(s)", "gélule") names what is counted; the product decides the form."""
        if self.count_form is None:
            self.count_form = _Counted(found.value, self.span(i, found.end))
        elif self.count_form.form != found.value:
            self.fail(f"two kinds of unit counted: {self.count_form.typed!r} and {self.span(i, found.end)!r}")
        if found.route is not None:
            self.tag("route", found.route, i, found.end)

    def count_at(self, i: int) -> int:
        """COUNT [RELEASE] FORM ("2 tabs", "1-2 tab(s)", "1/2 tab"), a volume ("5 mL"), a mass ("5 mg") or a bare count."""
        if self.keys[i + 1] in _HOUR and (self.tags.get("release") or self.tags.get("form")) and not self.doses:
            self.ignored.append(self.span(i, i + 2))  # "extended release 12 hour", "patch 72 hour"
            return i + 2
        if (
            not self.doses
            and len(self.amounts) > 1
            and (j := self.restated_strength(i, [v for v, _ in self.amounts])) > i
        ):
            return j  # "Percocet 10/325 tablet 325 mg-10 mg"
        if self.other_drug is not None:  # "prn pain; morphine sulfate 15 mg": morphine's dose, not this product's
            self.fail(
                f"{self.span(i, i + 2)!r} comes after {self.other_drug!r}, a drug named after the dose: if it is that "
                "drug's dose, convert each product on its own"
            )
        if self.keys[i - 1] in _COMPARED:  # "(BP > 100)", "hold if SBP < 90"
            self.fail(
                f"{self.span(i - 1, i + 1)!r} compares a measurement, which says no dose: drop the condition "
                "(it is not read)"
            )
        lo, hi, j = self.number_or_range(i)
        lo, hi = self.checked(i, j, lo, hi, "a count")
        typed_end = j
        kind: Literal["count", "mass", "volume", "rate"]
        spooned = self.among(j, _SPOONS)  # "1 tsp", "1 cuillère à café"
        if self.keys[j] in _VOLUME or spooned is not None:
            kind, unit, end = "volume", "mL", spooned or j + 1
            if spooned is not None:  # "1 tsp": 5 mL
                spoon = _vocab.SPOONS[self.span_key(j, spooned)]
                lo, hi = lo * _vocab.SPOON_ML[spoon], hi * _vocab.SPOON_ML[spoon]
                self.notes.append(
                    f"{self.span(i, end)!r} read as {'-'.join(dict.fromkeys(map(format_number, (lo, hi))))} mL (a medicinal {spoon} is "
                    f"{format_number(_vocab.SPOON_ML[spoon])} mL): give the volume in mL"
                )
        elif self.keys[j] in _MASS and self.per_hour(j + 1):
            kind, unit, end = "rate", _MASS[self.keys[j]], j + 3  # "25 mcg/hr": patches of the product's rate
        elif self.keys[j] in _MASS:
            kind, unit, end = "mass", _MASS[self.keys[j]], j + 1
        elif (self.keys[j] in _vocab.PRODUCT_UNITS or self.keys[j] in _vocab.PILLS) and not self.nostril_at(j):
            kind, unit, end = "count", "", j + 1
            if self.keys[j] in _vocab.PILLS:
                self.pill = self.span(i, end)
        else:
            release = self.vocab(j)
            k = release.end if release is not None and release.field == "release" else j
            form = _countable(release) if k == j else self.countable(k)
            if form is not None:
                if release is not None and k != j:
                    self.apply(release, j)
                self.count_noun(form, k)
                kind, unit, end = "count", "", form.end
            elif self.keys[j] in _vocab.DROPS:
                self.fail(
                    f"{self.span(i, j + 1)!r}: a drop's volume depends on the dropper: give the mL or the mg taken"
                )
            elif k < self.size and self.bare_count_ends(k):
                if self.keys[i - 1] == "at":  # "q12h at 8, prn": 8 o'clock, never 8 tablets
                    self.fail(f"'at {self.span(i, j)}' is a time with no am or pm: write it as a clock time ('8am')")
                if self.volume is not None and not self.doses:  # "5 mL q4h (2)": 2 bottles, or 10 mL?
                    self.fail(f"two doses: {self.volume.typed!r} and {self.span(i, j)!r}")
                joined = i - 1 - (self.keys[i - 1] == "(")
                one = self.keys[joined - 2] in ("a", "an") and _countable(self.vocab(joined - 1)) is not None
                if hi == 0.5 and j == i + 1 and not self.doses and self.keys[joined] in _CONNECTORS and one:
                    lo = hi = 1.5  # "a tablet and a half": one and a half
                    self.notes.append(f"{self.span(joined - 2, j)!r} read as 1.5")
                if hi < 1 and not self.doses and self.keys[joined] in _CONNECTORS:
                    self.fail(  # "tid (and a half)": one and a half of a count not said, not a half
                        f"'{self.toks[joined].text} {self.span(i, j)}' with no count before it: write the count whole "
                        "(e.g. 'one and a half tablets')"
                    )
                kind, unit, end = "count", "", k  # "1 orally every 4 hours": the product's unit
            else:
                self.ambiguous_word(j)
                self.fail(
                    f"cannot read {self.span(i, min(j + 1, self.size))!r}: a number after the dose is a count "
                    "with a form (2 tabs), a volume (5 mL), an amount (5 mg) or a frequency (3 times a day)"
                )
        if kind == "mass" and self.keys[end] in _BY and self.nums[end + 1] and self.countable(end + 2) is not None:
            return self.each_unit(i, end, hi * _MASS_MG[unit])
        if kind == "mass" and self.keys[end] == "=" and self.nums[end + 1]:
            return self.equated(end, (lo * _MASS_MG[unit], hi * _MASS_MG[unit], self.denominator == "/h"))
        if kind == "mass" and self.keys[end] == "(" and self.nums[end + 1] and self.volume_closes(end + 1):
            return self.equated(end, (lo * _MASS_MG[unit], hi * _MASS_MG[unit], False))  # "5 mg (2.5 mL)"
        if kind == "count" and lo == hi and lo.is_integer() and (half := self.and_a_half(end)) is not None:
            lo = hi = lo + 0.5
            self.notes.append(f"{self.span(i, half)!r} read as {format_number(lo)}")
            end = half
        if kind in ("mass", "rate"):
            self.second_strength(i, end, lo, hi, unit, rate=kind == "rate")
        joins = kind == "volume" or (kind == "mass" and len(self.amounts) == 1)  # "5 mg-325 mg": components
        if lo == hi and joins and (far := self.unit_range_end(end, unit)) is not None:
            lo, hi = self.checked(i, far, lo, self.number_or_range(end + 1)[0], f"a {kind}")
            typed_end = end = far  # "0.5 mL to 1 mL", "5 mg - 10 mg": a range with its unit at both ends
        typed = self.span(i, end)
        # no token of the count has a comma unless the text has one (`_SEAM`'s is never inside a count)
        if (
            kind == "count"
            and "," in typed
            and any("," in t.text and not (4 * t.value).is_integer() for t in self.toks[i:typed_end])
        ):
            self.fail(  # "1,2 tabs": 1.2 tablets, which no one cuts, or 1 or 2?
                f"{self.span(i, typed_end)!r} may be a decimal comma (a count no unit is cut into) or a list: write a "
                "range ('1-2') or a decimal point ('1.2')"
            )
        if kind == "count" and hi > _MOST_AT_ONCE:  # "q6h prn, 30 tabs": the quantity dispensed, not 30 at once
            self.fail(
                f"{typed!r} at once is no dose: if {self.span(i, typed_end)} is the quantity dispensed, write "
                f"'disp {self.span(i, typed_end)}' after how often the dose is taken (it is then ignored), or give "
                "the product alone with quantity and days supply"
            )
        if lo == hi and (often := self.supplied_after(i, kind, hi)) is not None:
            self.fail(
                f"{typed!r}, after how often ({often!r}) and apart from it, may be the quantity supplied or the dose: "
                f"say the dose before how often (as in '1 tab {often}'), and a quantity after 'disp'"
            )
        restated = None
        said = 3 if self.keys[end + 2] in _DASH and self.nums[end + 3] else 1  # "(2-4 mg total)": a range
        if self.keys[end] == "(" and self.nums[end + 1] and self.keys[end + 1 + said] in _MASS:  # "1 tablet (10 mg)"
            close = end + 2 + said + 2 * self.per_hour(end + 2 + said)  # "1 patch (25 mcg/h)"
            close += self.keys[close] == "total"
            if self.keys[close] == ")":
                per_mg = _MASS_MG[_MASS[self.keys[end + 1 + said]]]
                low = self.positive(end + 1, "an amount") * per_mg
                high = self.positive(end + said, "an amount") * per_mg
                restated, end = (low, high, self.per_hour(end + 2 + said)), close + 1
        if hi != lo:
            self.ranges.append(self.span(i, typed_end))
        if not self.doses and self.volume is None:
            self.early = frozenset(self.slots[0])
        if kind == "volume":
            if self.volume is not None and not self.doses and any(self.slots):  # "5 mL mane and 10 mL nocte"
                self.doses.append(self.volume)
                self.volume = None
            elif self.volume is None and len(self.doses) <= 1 and all(d.kind == "count" for d in self.doses):
                self.unsaid(i, end, kind, hi, typed)
                self.volume = _Dose(lo, hi, kind, unit, typed, restated)  # "2 mg/mL 5 mL 2 sprays": beside a count
                return end
            elif self.volume is not None or self.doses[-1].kind == "volume":
                self.fail(f"two volumes: {(self.volume or self.doses[-1]).typed!r} and {typed!r}")
        if self.doses and not self.slots[-1] and not self.slots[0]:
            self.fail(f"two doses: {self.doses[-1].typed!r} and {typed!r}")
        self.unsaid(i, end, kind, hi, typed)
        if self.doses:
            self.slots.append(set())
        self.doses.append(_Dose(lo, hi, kind, unit, typed, restated))
        return end

    def second_strength(self, i: int, end: int, lo: float, hi: float, unit: str, *, rate: bool) -> None:
        """An amount right after the product's strength, or joined to it by "and", "et", "&", a comma or a semicolon
        ("OxyContin 40 mg and 20 mg bd", "fentanyl 25 mcg/h, 50 mcg/h q72h", "Percocet 10/325 mg and 5 mg"), is how
        charts write a dose of two strengths taken together as often as a strength and the dose of it: refused, naming
        both. Read as the dose: a liquid's amount ("morphine 10 mg/5 mL 5 mg", a volume of it), a range ("Oxynorm 5mg
        5-10mg", a strength is never one), and an order line's dose before its route ("tablet 5 mg, 5 mg, Oral, Q4H
        PRN": `order_lines_dose`). A brand's rate restated ("Duragesic-25 25 mcg/hr") is read before (`restated_strength`)."""
        k = i - 1
        while self.keys[k] in _JOINING and k > 0:  # every joining word and mark: "20 mg, and, 40 mg"
            k -= 1
        if (
            self.doses
            or self.volume is not None
            or self.denominator in ("/mL", "/day")  # a volume of a liquid; a daily total is refused on its own
            or self.ends[k] != self.strength_end
            or lo != hi
            or self.unit_range_end(end, unit) is not None  # "5 mg - 10 mg": a range with its unit at both ends
        ):
            return
        first = self.amounts[0].value * _MASS_MG[self.amounts[0].unit] if len(self.amounts) == 1 else math.nan
        units = lo * _MASS_MG[unit] / first
        if not rate and self.order_lines_dose(i, k, end, units):  # patches of two rates worn together are common
            return
        second, unit_word = self.span(i, end), self.unit_word(end)
        units_word = "patches" if unit_word == "patch" else f"{unit_word}s"
        if len(self.amounts) == 1 and len(self.components(self.drug_typed)[0]) > 1:  # "Suboxone 8 mg, 2 mg film"
            self.fail(
                f"{self.amount_text!r} and {second!r} may be the strengths of the combination's components, two "
                f"strengths taken together, or a strength and the dose of it: give the strength whole and the dose as "
                f"a count (e.g. '{self.drug_typed} {self.amount_text}/{second} 1 {unit_word} ...'), or convert each "
                "strength on its own and add the results with mme.total"
            )
        if len(self.amounts) > 1:  # "Percocet 10/325 mg and 5 mg": the second names no acetaminophen
            self.fail(
                f"two strengths: {self.amount_text!r} and {second!r} may be two {units_word} taken together, or a "
                f"strength and the dose of it: convert each strength on its own with its count and how often (e.g. "
                f"'{self.drug_typed} {self.amount_text} 1 {unit_word} ...'), and add the results with mme.total"
            )
        self.fail(
            f"two strengths: {self.amount_text!r} and {second!r} may be two {units_word} taken together, or a "
            f"strength and the dose of it: convert each strength on its own with its count and how often "
            f"('{self.drug_typed} {self.amount_text} 1 {unit_word} ...', '{self.drug_typed} {second} 1 {unit_word} ...'), "
            "and add the results with mme.total"
        )

    def each_unit(self, i: int, end: int, mg: float) -> int:
        """ "5 mg x 2 tablets": the units after "x", each of the amount before it, which must be one unit's strength
        (of 5 mg tablets, "10 mg x 2 tablets" may be 10 mg in all or 20 mg: refused); ``end`` is the "x" token."""
        one = [a.value * _MASS_MG[a.unit] for a in self.amounts]
        if self.denominator or one != [mg]:
            self.fail(
                f"{self.span(i, end + 3)!r}: {self.span(i, end)!r} is not the strength of one unit of the product: "
                "give the count alone (e.g. '2 tablets')"
            )
        return end + 1

    def over_a_day(self, i: int) -> int | None:
        """An infusion's amount over a day, said apart from it: "morphine 15 mg over 24 hours subcut", "15 mg SC per 24
        hours", "15 mg SC/24h", read as "15 mg/24h"; only a parenteral route or an injection says an infusion
        (`finish`)."""
        if not self.nums[i + 1] or self.denominator or len(self.amounts) != 1:
            return None
        if self.doses or self.volume or self.frequency:  # "1 tab in 24 hours", "q4h ... over 24 hours": read as before
            return None
        typed = self.span(i, i + 3)
        if self.toks[i + 1].value != 24:  # "12 mg SC per 12 hours" is "12 mg/12 h": 12 mg every 12 hours
            if self.keys[i] not in ("per", "/") or self.interval is not None:  # "10 mg over 4 hours": one infusion?
                return None
            self.interval = (self.span(i + 1, i + 3), self.positive(i + 1, "an interval"))
            return i + 3
        self.denominator, self.daylong = "/day", typed
        self.ignored.append(typed)
        return i + 3

    def per_count(self, i: int) -> int | None:
        """A count's period, as French prescriptions write it after the count's form: "2 cp/j" (two a day), "1 gél/j",
        "1 cp/6h" (every 6 hours), "1 patch/72h"; ``i`` is the slash."""
        if self.frequency is not None or len(self.doses) != 1 or self.doses[0].kind != "count":
            return None
        if _countable(self.vocab(i - 1)) is None:
            return None
        if self.keys[i + 1] in _ONE_DAY:  # "2 cp/j": the count is the day's, as in "2 tabs a day"
            return self.set_frequency(i, _Frequency(i + 2, 1.0, 1.0))
        if self.nums[i + 1] and self.keys[i + 2] in _HOUR:
            hours = self.positive(i + 1, "an interval")
            return self.set_frequency(i, _Frequency(i + 3, 24 / hours, 24 / hours, hours, hours))
        return None

    def and_a_half(self, k: int) -> int | None:
        """The end of a half after a count's form, as French prescriptions write one and a half: "1 cp 1/2", "1 cp
        ½", "1 cp et demi"; a half before anything but the end of the count ("1/2 hour") is none."""
        if self.keys[k] == "et" and self.keys[k + 1] in ("demi", "demie"):
            return k + 2
        if self.keys[k] in ("and", "&") and self.nums[k + 1] and self.toks[k + 1].value == 0.5:  # "1 tab and a half"
            return k + 2 if k + 2 == self.size or self.bare_count_ends(k + 2) else None
        half = self.keys[k : k + 3] == _HALF
        return k + 3 if half and (k + 3 == self.size or self.bare_count_ends(k + 3)) else None

    def volume_closes(self, i: int) -> bool:
        """Whether a volume alone in brackets starts at ``i``: "(2.5 mL)", "(2-4 mL)"."""
        k = self.number_or_range(i)[2]
        return self.keys[k] in _VOLUME and self.keys[k + 1] == ")"

    def equated(self, i: int, restated: tuple[float, float, bool]) -> int:
        """A Cerner order sentence's "10 mg = 2 tab", "80 mg = 8 mL", and a liquid's "5 mg (2.5 mL)": the amount, then
        the count or the volume that holds it, read as "2 tab (10 mg)" is (the two must agree); ``i`` is the "=" or
        the bracket."""
        doses, volume = len(self.doses), self.volume
        end = self.count_at(i + 1)
        if self.volume is not volume and self.volume is not None:  # "5 mg = 2.5 mL": the volume of a liquid
            self.volume = self.volume._replace(restated=restated)
        elif len(self.doses) > doses and self.doses[-1].kind in ("count", "volume") and not self.doses[-1].restated:
            self.doses[-1] = self.doses[-1]._replace(restated=restated)
        else:
            self.fail(
                f"{self.span(i - 2, end)!r}: an amount equals a count of units or a volume (e.g. '10 mg = 2 tab')"
            )
        return end

    def amounts_schedule(self, i: int) -> NoReturn:
        """Refuse "10mg-0-10mg", "10-0-10 mg" (a schedule of amounts, from token ``i``), naming it: read as an amount
        it would say a negative number or none."""
        end = i
        while self.nums[end] or self.keys[end] in _MINUS or self.keys[end] in _MASS:
            end += 1
        self.fail(
            f"{self.span(i, end)!r} may be a schedule of amounts (morning-noon-evening): give the product's strength "
            "and the units at each time ('oxycodone 10 mg 1-0-1'), or the amount at each ('10 mg in the morning and "
            "10 mg in the evening')"
        )

    def halves_schedule(self, i: int) -> None:
        """Refuse "1/2-0-1/2", "½-0-½" (a schedule with a fraction), naming it: read as a count it would say a count
        of 0."""
        end, parts = i, 0
        while self.nums[end]:
            end += 3 if self.keys[end + 1] == "/" and self.nums[end + 2] else 1
            parts += 1
            if self.keys[end] not in _MINUS:
                break
            end += 1
        if parts >= 3 and any(self.keys[k] == "/" for k in range(i, end)):
            self.fail(
                f"{self.span(i, end)!r} may be a schedule (morning-noon-evening) with a part of a unit: write its "
                "counts with decimal points ('0.5-0-0.5')"
            )

    def order_lines_dose(self, i: int, k: int, end: int, units: float) -> bool:
        """Whether the amount from ``i`` to ``end`` after the strength (ending at ``k``) is the dose of an order line
        ("oxyCODONE (ROXICODONE) tablet 5 mg, 5 mg, Oral, Q4H PRN", "morphine IR tablet 15 mg, 30 mg, Oral, Q4H PRN"):
        joined by a comma or nothing, followed by its route, and a whole number of units of one strength, the same
        amount or the product's form said before it. "OxyContin 40 mg and 20 mg PO bd" stays two strengths, and so do
        two patches' rates ("fentanyl patch 25 mcg/h, 50 mcg/h, transdermal": 75 mcg/h worn, or 50?)."""
        after = end + (self.keys[end] == ",")
        routed = (found := self.vocab(after)) is not None and found.field == "route"
        joined = all(key == "," for key in self.keys[k + 1 : i])
        whole = units >= 1 and units.is_integer()
        return routed and joined and whole and (units == 1 or self.tags.get("form") is not None)

    def unit_word(self, at: int) -> str:
        """The unit a message counts the product in: its form, said or at ``at`` ("2 mg film"), a patch, or a tab."""
        said = self.vocab(at)
        form = said.value if said is not None and said.field == "form" else self.tags.get("form")
        if self.denominator == "/h" or form == "patch":
            return "patch"
        return form if form in ("capsule", "film", "lozenge", "suppository") else "tab"

    def schedule_at(self, i: int) -> int:
        """ "1-0-1", "1-1-1-1 cp", "5-0-5 mL": the units (or mL of a liquid) taken in the morning, at noon, in the
        evening (and at night), as European prescriptions write them; each time taken is a dose at its time of day."""
        counts, end = [self.toks[i].value], i + 1
        while len(counts) <= len(_SCHEDULE) and self.keys[end] in _MINUS and self.nums[end + 1]:
            counts.append(self.toks[end + 1].value)
            end += 2
        typed = self.span(i, end)
        if len(counts) > len(_SCHEDULE) or self.keys[end] in _MINUS:
            self.fail(f"cannot read {typed!r}: a schedule gives 3 or 4 counts, as in '1-0-1' or '1-1-1-1'")
        volume = self.keys[end] in _VOLUME  # "5-0-5 mL": volumes of a liquid
        if volume and self.denominator != "/mL":
            self.fail(f"'{self.span(i, end + 1)}' gives volumes, but the product's strength is not per mL")
        most = math.inf if volume else _MOST_AT_ONCE
        if not any(counts) or any(not (4 * c).is_integer() or c > most for c in counts):
            self.fail(f"{typed!r} is no schedule of units (morning-noon-evening-night, each 0 to 12, as in '1-0-1')")
        if volume:
            end += 1
        elif (form := self.countable(end)) is not None:
            self.count_noun(form, end)
            end = form.end
        if self.doses or self.frequency or any(self.slots):
            self.fail(f"{typed!r} is a schedule of its own: give it alone, without another dose or frequency")
        if volume:
            self.unsaid(i, end, "volume", max(counts), self.span(i, end))  # a bottle's volume? judged by `bottled`
        else:
            self.unsaid(i, end, "count", max(counts), typed, _UNSAID_SCHEDULE)  # "oxycodone 5 mg 10-0-10": 10 mg?
        unit = " mL" if volume else ""
        slots = list(_SCHEDULE)[: len(counts)]
        times = [
            (c, slot, f"{format_number(c)}{unit} {_SCHEDULE[slot]}") for c, slot in zip(counts, slots, strict=True) if c
        ]
        self.notes.append(
            f"{self.span(i, end) if volume else typed!r} read as {', '.join(said for _, _, said in times)}"
        )
        for count, slot, said in times:
            if self.doses:
                self.slots.append(set())
            self.doses.append(_Dose(count, count, "volume" if volume else "count", "mL" if volume else "", said))
            self.slots[-1].add(slot)
        self.schedule = typed
        return end

    def unsaid(self, i: int, end: int, kind: str, high: float, typed: str, problem: str = _UNSAID) -> None:
        """A count from ``i`` to ``end`` said with no verb before it, more than `_MOST_UNSAID` allows ("oxycodone 5 mg
        10 tablets q6h", "fentanyl 25 mcg/h 5 patches q72h"), may be the quantity supplied: refused. Tablets before
        their route ("8 tab(s) po bid", as an EHR's dose field reads) may be more, but not after "x"; a volume is judged by the opioid it
        holds and how often it is taken, once both are known (`bottled`)."""
        verb = self.keys[i - 1] in _vocab.SIG_VERBS
        if kind == "volume":
            self.bottle = (typed, high, verb)
            return
        if verb or kind != "count":
            return
        patch = (
            self.denominator == "/h"
            or self.tags.get("form") == "patch"
            or (self.count_form is not None and self.count_form.form == "patch")
        )
        routed = (
            self.keys[i - 1] not in _BY  # "x 8 tab po": a count after "x" is held to the same limit with a route or not
            and (after := self.vocab(end)) is not None
            and after.field == "route"
            and after.value == "oral"
        )
        if high > _MOST_UNSAID["patch" if patch else "routed" if routed else "count"]:
            self.fail(problem.format(typed=typed))

    def bottled(self, value: float, unit: str, per_day: float | None, every_hours: float | None) -> None:
        """A volume may be a bottle ("morphine 10 mg/5 mL 100 mL q4h"): refused if it holds more than
        `_MOST_UNSAID_MG` of the opioid and is taken more than once a day, even after its verb ("take 473 mL q4h");
        with no verb before it, also if it holds more taken once a day, or is more than 20 mL taken more often
        ("methadone 1 mg/mL 60 mL daily", "methadone 10 mg/mL take 15 mL daily" are read)."""
        assert self.bottle is not None
        typed, high, verb = self.bottle
        often = per_day if per_day is not None else None if every_hours is None else 24 / every_hours
        many = often is None or often > 1
        held = value * _MASS_MG[unit.split("/", maxsplit=1)[0]] * high
        if verb and held > _MOST_UNSAID_MG and many:
            self.fail(
                f"{typed!r} holds {format_number(held)} mg at once, taken more than once a day: no usual dose; if it "
                "is the quantity supplied, write it after 'disp'"
            )
        if not verb and (held > _MOST_UNSAID_MG or (high > _MOST_UNSAID["volume"] and many)):
            self.fail(_UNSAID.format(typed=typed))

    def supplied_after(self, i: int, kind: str, value: float) -> str | None:
        """The frequency as typed, if the amount at ``i`` (no range) is the sig's first and said after it with more
        than a route, form or release between ("q6h prn pain, 12 tablets", "q4h prn 473 mL", "q72h (10 patches)"), and
        no verb before it: the quantity supplied, as likely as a dose. One unit is what a sig with no count gives anyway; a rate is the product's."""
        said = self.frequency
        if said is None or self.doses or self.volume is not None or kind == "rate" or (kind == "count" and value <= 1):
            return None
        if self.keys[i - 1] in _vocab.SIG_VERBS:  # "q72h, apply 2 patches": the dose
            return None
        j = said.end
        while (found := self.vocab(j)) is not None:  # a route, form or release between: "bid po 2 tabs"
            j = found.end
        return None if j == i else said.typed

    def unit_range_end(self, i: int, unit: str) -> int | None:
        """The end of " to 1 mL" ("- 10 mL", "or 10 mg") at ``i``, after an amount in ``unit``, if one is there."""
        if self.keys[i] not in _RANGE | _MINUS or not self.nums[i + 1]:
            return None
        lo, hi, j = self.number_or_range(i + 1)
        units = _VOLUME if unit == "mL" else {k for k, v in _MASS.items() if v == unit}
        return j + 1 if lo == hi and self.keys[j] in units else None

    def per_hour(self, i: int) -> bool:
        """Whether "/h" ("/hr", "/heure") starts at ``i``: after an amount, a patch rate."""
        return self.keys[i] == "/" and self.keys[i + 1] in _HOUR

    def bare_count_ends(self, k: int) -> bool:
        key = self.keys[k]
        return (
            key in _PUNCT
            or key in _vocab.SIG_VERBS
            or self.among(k, _TO_BE_GIVEN) is not None  # "one to be taken twice a day"
            or ((found := self.vocab(k)) is not None and found.field == "route")
            or self.frequency_at(k) is not None
            or self.time_of_day(k, dry=True) is not None
            or self.among(k, _AS_NEEDED) is not None
            or self.nostril_at(k)
            or key in ("by", "at", "in", "via")
        )

    def nostril_at(self, k: int) -> bool:
        return self.among(k, _EACH_NOSTRIL) is not None

    # --- the result ---

    def components(self, drug: str) -> tuple[tuple[str, ...], bool]:
        """Components in written order, and whether they were named by a brand (so not split from the name)."""
        if self.names:
            return tuple(self.names), False
        return _parts(drug)[0], _vocab.combination(drug) is not None

    def opioid_amount(self, drug: str) -> _Amount:
        """The amount of the one opioid component, matching amounts to components by position."""
        parts, branded = self.components(drug)
        if len(parts) == 1:
            if len(self.amounts) > 1:
                self.unnamed_components(drug, self.amount_text)
            return self.amounts[0]
        if not all(parts):
            self.fail(f"an empty component in the combination {drug!r}")
        kinds = [_component(p) for p in parts]
        opioids = [p for p, k in zip(parts, kinds, strict=True) if k == "opioid"]
        unknown = [p for p, k in zip(parts, kinds, strict=True) if k == "unknown"]
        if len(opioids) > 1 and (salts := self.salts_of_one(parts, kinds)) is not None:
            return salts
        if len(opioids) > 1:
            self.fail(f"{drug!r} has {len(opioids)} opioid components ({', '.join(opioids)}): write one per expression")
        if not opioids and not unknown:
            self.fail(f"{drug!r} has no opioid component")
        if len(self.amounts) == 1 and not branded:  # "oxycodone/acetaminophen 5 mg": the opioid's, said
            named = opioids[0] if opioids else unknown[0]
            self.notes.append(f"the one amount {self.amount_text!r} of {drug!r} read as the {named}'s")
            return self.amounts[0]
        if unknown:
            self.fail(f"unknown component {unknown[0]!r} of {drug!r}: cannot tell which amount is the opioid's")
        if len(self.amounts) not in (1, len(parts)):
            self.fail(f"{len(parts)} components in {drug!r} but {len(self.amounts)} amounts in {self.amount_text!r}")
        opioid = kinds.index("opioid")
        if branded:
            return self.documented(drug, parts, opioid)
        mg = [v * _MASS_MG[u] for v, u in self.amounts]
        for part, amount in zip(parts, mg, strict=True):
            if _vocab.without_salt(part) in _vocab.ANALGESICS and amount < mg[opioid]:  # "325/10": swapped?
                self.fail(
                    f"{self.amount_text!r} gives {parts[opioid]} more than {part}: write the strengths in the order of "
                    f"the components ({'/'.join(parts)})"
                )
        return self.amounts[opioid]

    def unnamed_components(self, drug: str, amounts: str) -> NoReturn:
        self.fail(
            f"{drug!r} does not name its components, so which amount of {amounts!r} is the opioid's is unknown "
            "(write the components, e.g. 'oxycodone/acetaminophen 5/325 mg', or one amount)"
        )

    def salts_of_one(self, parts: tuple[str, ...], kinds: Sequence[str]) -> _Amount | None:
        """ "Oxycodone Hydrochloride 4.5 MG / oxycodone terephthalate 0.38 MG": two salts of one opioid, added."""
        found = [(p, a) for p, k, a in zip(parts, kinds, self.amounts, strict=False) if k == "opioid"]
        if len(self.amounts) != len(parts) or len({_canonical(p) for p, _ in found}) != 1:
            return None
        units = {a.unit for _, a in found}
        if len(units) != 1:
            return None
        total = _Amount(math.fsum(a.value for _, a in found), units.pop())
        self.notes.append(f"{' and '.join(p for p, _ in found)} added up: {format_number(total.value)} {total.unit}")
        return total

    def documented(self, drug: str, parts: tuple[str, ...], opioid: int) -> _Amount:  # noqa: RET503
        """A brand's strength read against its documented ones, in either order ("Norco 325 mg-10 mg"); one
        amount is the opioid's ("Percocet 5 mg")."""
        brand = _vocab.combination(drug)
        assert brand is not None
        mg = [v * _MASS_MG[u] for v, u in self.amounts]
        known = brand.strengths
        if len(mg) == 1 and any(math.isclose(mg[0], s[opioid]) for s in known):
            return _Amount(mg[0], "mg")
        if tuple(mg) in known:
            return _Amount(mg[opioid], "mg")
        if tuple(reversed(mg)) in known:
            self.notes.append(
                f"the strength {self.amount_text!r} of {drug} read in the order {'/'.join(reversed(parts))}"
            )
            return _Amount(mg[::-1][opioid], "mg")
        self.fail(
            f"{self.amount_text!r} is not a documented strength of {drug} ({_strengths(brand)}): "
            "write the components, e.g. 'hydrocodone/acetaminophen 5/325 mg'"
        )

    def typed_digits(self, value: float) -> str:
        """An amount with the digits typed for it, where the text has one number that reads as it: a float keeps
        17 at most ("12345678.123456789" is 12345678.12345679) and "1e300" is not 1e300 exactly. Else as read."""
        if not _LONG_NUMBER.search(self.text):  # 15 digits or fewer: a float's shortest repr is the number typed
            return format_number(value)
        texts = [tok.text for tok in self.toks if tok.value == value]  # a word's or a symbol's value is nan
        typed = {number for text in texts if (number := _decimal(text)) is not None and float(number) == value}
        if len(typed) != 1:  # typed apart twice ("10.0 ... 10.00" are one number: a set of Decimals holds it once)
            return format_number(value)
        return decimal_text(typed.pop())

    def rxnorm_brand(self) -> _vocab.RxBrand | None:
        """What RxNorm's products say of the bracketed brand, None without a brand or with one RxNorm does not sell."""
        return None if self.brand is None else _vocab.rxnorm_brand(self.brand)

    def check_brand(self, drug: str) -> None:
        if self.brand is None:
            return
        named, brand = _vocab.drug_name(_opioid_name(self, drug)), _vocab.drug_name(self.brand)
        rxnorm = self.rxnorm_brand()
        if named is not None and brand is None and rxnorm is not None and rxnorm.drug != named.drug:
            self.fail(f"the brand [{self.brand}] is {rxnorm.drug} (RxNorm), not {named.drug}")  # "[Hycodan]"
        if named is None or brand is None:  # a brand RxNorm only knows: the name before it says what the product is
            known = "known only from RxNorm's products" if brand is None else "not compared to the drug named"
            self.notes.append(f"the brand [{self.brand}] is {known}; read as the {_opioid_name(self, drug)} named")
            return
        if brand.drug != named.drug:
            self.fail(f"the brand [{self.brand}] is {brand.drug}, not {named.drug}")

    def rxnorm_strength(self, value: float, unit: str) -> None:
        """A brand's strength must be one RxNorm's products of it come in, where they give any in its unit
        ("oxycodone 80 mg [Percocet]": Percocet is 2.5 to 10 mg of oxycodone, so which is wrong?)."""
        rxnorm = self.rxnorm_brand()
        mass, _, per = unit.partition("/")
        if rxnorm is None or per not in _RXNORM_PER:
            return
        said = value * _MASS_MG[mass]
        own = sorted(v for v, u in rxnorm.strengths if u == _RXNORM_PER[per])
        if own and not any(math.isclose(said, v) for v in own):
            self.fail(
                f"{self.amount_text!r} is not a strength of [{self.brand}] in RxNorm's products "
                f"({', '.join(map(format_number, own))} {_RXNORM_PER[per].lower()}): check the strength and the brand"
            )

    def finish(self, drug: str) -> Expression:
        value, unit = self.opioid_amount(drug)
        amount = value
        self.check_brand(drug)
        self.notes += _strength_basis(drug, self.brand)
        if self.interval is not None:
            self.per_interval(drug, value, unit)
        value /= self.divisor
        if not (math.isfinite(value) and value > 0):
            self.fail(f"the dose {self.amount_text!r} is not a positive finite amount")
        unit += self.denominator
        self.rxnorm_strength(value, unit)
        if self.pack is not None and self.doses and (self.count_form or self.tags.get("form") in _vocab.SOLID_FORMS):
            self.notes.append(
                f"a pack of {self.pack} units: each one counted is one of them, {format_number(value)} {unit}"
            )
        elif self.pack is not None:  # RxNorm's "{2 (...) } Pack" (Subsys 1600: two sprays a dose): packs counted
            value = float(Decimal(repr(value)) * self.pack)
            self.notes.append(
                f"a pack of {self.pack} units: each one counted is the pack, {format_number(value)} {unit}"
            )
        # a rate is one amount per hour: in "oxycodone/APAP 5 mg/325 mcg/h" the "/h" is not the opioid's
        if unit not in UNITS or (self.denominator == "/h" and len(self.amounts) > 1):
            self.fail(f"unknown unit {unit!r}")
        if self.early and self.slots[0] - self.early:  # "5 mg mane 10 mg nocte": is the product's 5 mg the morning's?
            early = ", ".join(sorted(self.early))
            said = f"times of day both before the first dose ({early}) and after it"
            if "form" not in self.tags and self.same_dose_twice():  # "20 mg am 20 mg pm": 20 mg at each, either way
                self.notes.append(
                    f"{self.amount_text!r} before the {early} read as the {early} dose, the same as "
                    f"{self.doses[0].typed!r} after it"
                )
            elif "form" not in self.tags:
                form = (
                    "solution" if self.denominator == "/mL" else "tablet"
                )  # "methadone 10 mg in the morning and 20 mg at night"
                self.fail(
                    f"{said}: is {self.amount_text!r} the product's strength or the {early} dose? Give the product "
                    f"with its form first (e.g. '{drug} {self.amount_text} {form}'), then the dose taken at each time"
                )
            else:
                dose = next((d.typed for d in (*self.doses, self.volume) if d is not None), "1 tab")
                self.fail(f"{said}: say the dose before each time (e.g. '{dose} in the morning and {dose} at night')")
        if self.clocks:
            self.clocked()
        injected = self.tags.get("route") in _vocab.PARENTERAL or self.tags.get("form") == "injection"
        rxnorm = self.rxnorm_brand()
        if rxnorm is not None and rxnorm.injected and not injected:  # "morphine 10 mg/mL [Infumorph] 0.5 mL q4h"
            self.fail(f"the brand [{self.brand}] is an injection (RxNorm): give its route (e.g. IV, SC)")
        if self.daylong is not None and not injected:  # "oxycodone 20 mg over 24 hours": a day's tablets, or an
            self.fail(f"{self.daylong!r} is an infusion's: give its route (SC, IV)")  # infusion with no route?
        if self.as_needed and injected and self.denominator in ("/day", "/h"):  # "morphine 15 mg SC/24h prn"
            self.fail(
                f"{self.amount_text!r} is a continuous infusion's amount, but it is said as needed: give the dose "
                "taken when needed and how often, or the infusion alone"
            )
        if self.denominator == "/day" and self.frequency is not None:
            self.once_a_day(value, unit)
        per_admin, count, volume = self.per_administration(drug, value, unit)
        per_day, every_hours = self.how_often()
        if self.denominator == "/day" and (self.frequency is not None or any(s for s in self.slots)):
            typed = self.frequency.typed if self.frequency else "a time of day"
            self.fail(f"a daily total ({self.amount_text!r}) takes no frequency, but {typed!r} is given")
        if self.denominator == "/day" and self.doses:
            self.fail(f"a daily total ({self.amount_text!r}) takes no count")
        if volume is not None and self.denominator != "/mL":
            self.fail(
                f"a volume ({format_number(volume)} mL) needs a concentration such as '2 mg/mL', not {self.amount_text!r}"
            )
        if self.bottle is not None:
            self.bottled(value, unit, per_day, every_hours)
        if self.directed and self.frequency is None and not any(self.slots):
            self.fail(f"{self.directed!r} gives no frequency: say how often (e.g. 'every 6 hours')")
        if self.dispensed is not None:
            self.supplied()
        if self.meals is not None and self.frequency is None and any(self.slots):  # "with meals and at bedtime"
            self.fail(f"{self.meals!r} does not say how many times a day: say how often (e.g. 'four times a day')")
        if self.frequency is not None and self.meals is None and (self.frequency.fewest, self.frequency.most) != (3, 3):
            meal = next((text for text in self.ignored if _EACH_MEAL.search(text)), None)
            if meal is not None:  # "bid before each meal": twice a day, or three times?
                self.fail(
                    f"{self.frequency.typed!r} and {meal!r} disagree: each meal is three times a day: say how often once"
                )
        if self.cap is not None:
            per_day, every_hours = self.capped(per_admin, per_day, every_hours, value, unit)
        if self.schedule is not None and self.as_needed:  # "5-0-5 mL prn": fixed times, yet taken when needed?
            self.notes.append(
                f"{self.schedule!r} is a fixed schedule, said as needed: read as every dose taken, the most the sig "
                "allows"
            )
        if self.awake is not None and every_hours is not None and every_hours < 24:
            self.notes.append(
                f"{self.awake!r}: read as round-the-clock dosing, {format_number(24 / every_hours)} doses a day "
                f"(every {format_number(every_hours)} h), the most the sig allows; waking hours allow fewer: say how "
                "many doses a day (e.g. 'max 4 doses a day') for the exact figure"
            )
        if self.ranges:
            end = "maximum" if self.choice == "max" else "minimum"
            self.notes.append(
                f"{'ranges' if len(self.ranges) > 1 else 'range'} {', '.join(repr(r) for r in self.ranges)} read at "
                f"the {end} (range='{self.other()}' reads the {self.other_word()})"
            )
        self.form_of_count()
        self.unrouted_rate(drug)
        if (unit.endswith("/h") or self.tags.get("form") == "patch") and not count.is_integer():  # "1/2 patch"
            self.notes.append(part_of_a_patch(count))
        elif not count.is_integer() and self.extended(drug):  # "Skenan LP 30 mg 1/2 gél": as the count says
            self.notes.append(
                f"{format_number(count)} units read as that share of the strength; an extended-release tablet or "
                "capsule is not meant to be cut"
            )
        if (
            unit == "mcg/h"
            and self.tags.get("form", "patch") == "patch"
            and self.tags.get("route", "transdermal") == "transdermal"
        ):
            self.unsold_patch(drug, value)  # a patch, or none said; in mg/h, the engine's unit slip warns
        parts, branded = self.components(drug)
        return _expression(
            text=self.text,
            drug=drug if branded or len(parts) == 1 or parts == _split(drug) else self.joined(parts),
            dose=f"{self.typed_digits(value) if value == amount else format_number(value)} {unit}",
            count=count,
            volume=None if volume is None else f"{format_number(volume)} mL",
            per_day=per_day,
            every_hours=every_hours,
            route=self.tags.get("route"),
            form=self.tags.get("form"),
            release=self.tags.get("release"),
            as_needed=self.as_needed,
            ranges=tuple(self.ranges),
            cap=None if self.cap is None else self.cap.typed,
            ignored=tuple(self.ignored),
            notes=tuple(self.notes),
        )

    def unrouted_rate(self, drug: str) -> None:
        """ "morphine 10 mg/24h" with no route or form: an amount per 24 hours is how a syringe driver's infusion or
        a patch is written as often as a daily total by mouth ("morphine 30 mg/24 hours capsule" says its form; an
        extended-release word, "tramadol ER 200 mg/24h", a tablet or capsule by mouth)."""
        if not self.per_24_hours or self.tags.get("route") or self.tags.get("form") or self.tags.get("release") == "ER":
            return
        opioid = _opioid_name(self, drug)
        if _canonical(opioid) in _vocab.PATCH_WEAR_DAYS:  # a patch drug: the engine asks which, table by table
            return
        found = _vocab.drug_name(opioid)
        if found is None or (found.route is None and found.form is None):
            self.fail(
                f"{self.amount_text!r} with no route or form may be an infusion's or a patch's amount over 24 hours, "
                "or a daily total by mouth: give the route (e.g. 'SC', 'by mouth') or the form (e.g. 'capsule')"
            )

    def unsold_patch(self, drug: str, mcg_h: float) -> None:
        """A patch's rate above any one patch of its drug sold ("buprenorphine 75 mcg/hr patch"): no product, so a
        slip or several patches' total; read as written, and warned (the sources are `PATCH_MOST_MCG_H`'s)."""
        unsold = unsold_patch(_canonical(_opioid_name(self, drug)), mcg_h)
        if unsold is not None:
            self.notes.append(
                f"{self.amount_text!r}: {unsold}; check the rate (each patch's, in mcg/h) and give several patches as "
                "a count (e.g. '2 patches')"
            )

    def supplied(self) -> None:
        """A quantity dispensed in a sig says no dose: ignored, and said, where the sig says the daily amount (how
        often, or a daily total or a rate); else refused, as it may be a dispensing with no sig."""
        if self.frequency is None and not any(self.slots) and self.denominator not in ("/day", "/h"):
            self.fail(
                f"{self.dispensed!r} is a quantity dispensed, not a dose: say how often the dose is taken, or give "
                "the product alone with quantity and days supply"
            )
        if self.few is not None and not self.doses and self.volume is None:  # "5 mg q6h #2": 2 dispensed, or 2 tabs?
            self.fail(f"{self.few!r} may be the quantity dispensed or a count: say the count (e.g. '1 tab')")
        self.notes.append(f"{self.dispensed!r} read as the quantity dispensed: it says no dose")

    def per_interval(self, drug: str, value: float, unit: str) -> None:
        """ "30 mg/12 hr" alone is 30 mg every 12 hours; with a frequency ("MS Contin 15 mg/12 hr 1 tab every 8
        hours") the 12 hours are the product's release period and the frequency says how often. A patch's
        amount per its wear period is never a dose to repeat."""
        assert self.interval is not None
        typed, hours = self.interval
        patch = self.tags.get("form") == "patch" or self.tags.get("route") == "transdermal"
        if patch or _canonical(_opioid_name(self, drug)) in _vocab.PATCH_WEAR_DAYS:
            self.fail(f"{self.amount_text!r}: a patch is dosed by its rate per hour (e.g. '25 mcg/h'), not per {typed}")
        if self.frequency is None and not any(self.slots):
            if self.doses:  # "MS Contin 30 mg/12 hr 1 tab": the release period, and no frequency?
                self.fail(f"{self.amount_text!r} and a count ({self.doses[0].typed!r}): say how often")
            self.frequency, self.every = _Said(typed, 24 / hours, 24 / hours), _Interval(hours, hours)
            self.notes.append(f"{self.amount_text!r} read as {format_number(value)} {unit} every {typed}")
            return
        said = self.frequency.typed if self.frequency is not None else "the times of day"
        if self.every == (hours, hours):
            return  # "30 mg/12 hr every 12 hours": the same said twice
        if hours not in _RELEASE_PERIODS:
            self.fail(f"two frequencies: {self.amount_text!r} and {said!r}")
        self.notes.append(
            f"the {typed} of {self.amount_text!r} read as the product's release period; {said!r} says how often"
        )

    def joined(self, parts: tuple[str, ...]) -> str:
        """Named components as one name the engine resolves: "Acetaminophen/Oxycodone Hydrochloride"."""
        return "/".join(_vocab.without_salt(p) if _vocab.non_opioid(p) else p for p in parts)

    def other(self) -> str:
        return "min" if self.choice == "max" else "max"

    def other_word(self) -> str:
        return "minimum" if self.choice == "max" else "maximum"

    def form_of_count(self) -> None:
        """The product decides what a count is: "1 cap(s)" of a tablet counts tablets."""
        if self.pill is not None and self.tags.get("form") not in (None, "tablet", "capsule"):
            self.fail(f"{self.pill!r} counts tablets or capsules, but the product is a {self.tags['form']}")
        if self.count_form is None:
            return
        counted, typed = self.count_form
        if self.denominator == "/mL" and counted in _vocab.SOLID_FORMS:  # "2 mg/mL 1 tab in the morning and 5 mL"
            self.fail(f"{typed!r} counts a {counted}, but {self.amount_text!r} is a liquid's strength: give the volume")
        form = self.tags.get("form")
        if form is None:
            self.tags["form"] = counted
        elif form != counted:
            if {form, counted} <= {"tablet", "capsule"}:
                self.notes.append(f"{typed!r} read as the product's {form}")
            else:
                self.fail(f"{typed!r} counts a {counted}, but the product is a {form}")

    def per_administration(self, drug: str, value: float, unit: str) -> tuple[float, float, float | None]:
        """(amount in product units a day's administrations add up to per administration, count, volume)."""
        amounts: list[float] = []
        kinds = {d.kind if d.kind not in ("mass", "rate") else ("volume" if unit.endswith("/mL") else "count")
                 for d in self.doses}  # fmt: skip
        if len(kinds) > 1:
            self.fail(f"{' and '.join(repr(d.typed) for d in self.doses)} mix a count and a volume")
        for d in self.doses:
            q = self.pick(d.lo, d.hi)
            if d.kind == "mass":
                mg = q * _MASS_MG[d.unit]
                per_unit = value * _MASS_MG.get(unit.split("/", maxsplit=1)[0], math.nan)
                if not math.isfinite(per_unit) or unit.endswith(("/h", "/day")):
                    self.fail(f"an amount ({d.typed!r}) in the sig needs a product strength per unit, not {unit!r}")
                q = mg / per_unit
                self.another_components_amount(d, mg, per_unit, per_ml=unit.endswith("/mL"))
                if not unit.endswith("/mL"):
                    self.whole_units(d, q, drug, f"{format_number(value)} {unit}")
                self.notes.append(
                    f"{d.typed!r} read as {format_number(round(q, 6))} {'mL' if unit.endswith('/mL') else 'unit(s)'} of {format_number(value)} {unit}"
                )
            if d.kind == "rate":
                if not unit.endswith("/h"):
                    self.fail(f"a rate ({d.typed!r}) in the sig needs a patch dosed per hour, not {unit!r}")
                q = q * _MASS_MG[d.unit] / (value * _MASS_MG[unit.removesuffix("/h")])
                if q < 1 or not math.isclose(q, round(q), rel_tol=1e-9):  # "Duragesic-50 25 mcg/hr": which is worn?
                    self.fail(
                        f"{d.typed!r} is not a whole number of {format_number(value)} {unit} patches: say the patches worn"
                    )
                self.notes.append(
                    f"{d.typed!r} read as {format_number(round(q, 6))} patch(es) of {format_number(value)} {unit}"
                )
            self.check_restated(d, q, value, unit)
            amounts.append(q)
        if self.nostrils is not None:
            amounts = self.in_each_nostril(amounts)
        if len(self.doses) > 1:
            if self.frequency is not None:
                self.fail(
                    f"several doses ({', '.join(repr(d.typed) for d in self.doses)}) and a frequency {self.frequency.typed!r}"
                )
            slots = list(self.slots)
            if any(not s for s in slots) or len(set().union(*slots)) != sum(len(s) for s in slots):
                self.fail(
                    f"several doses ({', '.join(repr(d.typed) for d in self.doses)}) not each at its own time of day"
                )
            total = math.fsum(q * len(s) for q, s in zip(amounts, slots, strict=True))
            if len(set(amounts)) == 1:
                self.slots = [set().union(*slots)]
                amounts = amounts[:1]
            else:
                self.notes.append(
                    f"{' and '.join(repr(d.typed) for d in self.doses)} added up: {format_number(total)} a day"
                )
                self.slots = [{"day"}]
                amounts = [total]
        q = amounts[0] if amounts else 1.0
        if self.doses and kinds == {"volume"}:
            if self.volume is not None:
                self.fail(f"two volumes: {self.volume.typed!r} and {self.doses[0].typed!r}")
            return q, 1.0, q
        if self.volume is not None:
            volume = self.pick(self.volume.lo, self.volume.hi)
            self.check_restated(self.volume, volume, value, unit)
            return q * volume, q, volume
        return q, q, None

    def whole_units(self, d: _Dose, units: float, drug: str, strength: str) -> None:
        """An amount in the sig must be units one can take: a whole number of them, or a part a tablet is cut into
        (halves, thirds, quarters: `_PARTS`); "MS Contin 100 mg tablet, take 15 mg" (0.15 of a tablet) is no dose as
        written. An extended-release unit is not cut: an amount that is a part of one is more likely another strength
        ("OxyContin 80 mg tablet, take 60 mg") than a cut tablet, and is refused; a part said as a count ("1/2 tab")
        is read, and warned (`finish`)."""
        whole = [1.0] if self.extended(drug) else [1.0, *_PARTS]
        if not any(math.isclose(units * n, round(units * n), rel_tol=1e-9) and units * n >= 1 for n in whole):
            kind = "an extended-release unit is not cut" if len(whole) == 1 else "no tablet is cut so"
            said = repr(d.typed)
            if d.lo != d.hi:  # "10-20 mg": the end read
                end = "low" if self.pick(0.0, 1.0) == 0.0 else "high"
                said = f"'{format_number(self.pick(d.lo, d.hi))} {d.unit}' (the {end} end of {said})"
            self.fail(
                f"{said} is {format_number(round(units, 6))} units of {strength!r}, and {kind}: if it "
                "is another strength, convert each strength on its own (add the results with mme.total); else give "
                "the count of units (e.g. '1 tab')"
            )

    def extended(self, drug: str) -> bool:
        """Whether the product is an extended-release tablet or capsule, by its words or its brand."""
        if self.tags.get("release") is not None:
            return self.tags["release"] == "ER"
        found = _vocab.drug_name(_opioid_name(self, drug))
        return found is not None and found.release == "ER"

    def another_components_amount(self, d: _Dose, mg: float, per_unit: float, *, per_ml: bool) -> None:
        """Refuse an amount in the sig of a product of several components that may be another component's: one
        unit's amount of it ("Tylenol #3, take 300 mg": one tablet's acetaminophen, or 10 tablets' codeine?), or more
        units than one takes ("Percocet 5/325, take 325 mg": 65 tablets' oxycodone)."""
        if len(self.amounts) < 2:  # one component: the amount is its own
            return
        strengths = [a.value * _MASS_MG[a.unit] for a in self.amounts]
        if (why := another_components(mg, per_unit, strengths, per_ml=per_ml)) is not None:
            self.fail(f"{d.typed!r} {why}")

    def check_restated(self, d: _Dose, q: float, value: float, unit: str) -> None:
        """ "1 tablet (10 mg)", "5 mL (10 mg)", "1 patch (25 mcg/h)": the amount restated must be what the
        count (``q`` units) or the volume (``q`` mL) holds."""
        if d.restated is None or unit.endswith("/day") or (d.kind == "volume") != unit.endswith("/mL"):
            return
        per_hour = unit.endswith("/h")
        stated = q * value * _MASS_MG[unit.split("/", maxsplit=1)[0]]
        low, high, rate = d.restated
        mg, said = self.pick(low, high), ("mg/h" if per_hour else "mg")
        if rate != per_hour or not math.isclose(stated, mg, rel_tol=1e-9):
            self.fail(
                f"{d.typed!r} of {format_number(value)} {unit} is {format_number(stated)} {said}, not the "
                f"{format_number(mg)} {'mg/h' if rate else 'mg'} stated"
            )

    def in_each_nostril(self, amounts: list[float]) -> list[float]:
        """ "1 spray in each nostril": two sprays each time, said in a note."""
        if len(self.doses) > 1:
            self.fail(f"{self.nostrils!r} with several doses: write each dose with its own nostrils")
        said = self.doses[0].typed if self.doses else "the dose"
        self.notes.append(f"'{said} {self.nostrils}' read as twice {said} each time (one in each nostril)")
        return [2 * q for q in amounts] if amounts else [2.0]

    def once_a_day(self, value: float, unit: str) -> None:
        """ "morphine 30 mg/24 hours capsule ... 1 cap(s) once a day": a daily total taken as one unit once a day
        says that total again; any other frequency or count is refused (`finish`)."""
        assert self.frequency is not None
        said = self.frequency
        if (said.fewest, said.most) != (1.0, 1.0) or any(self.slots) or self.volume or self.nostrils:
            return
        if [(d.kind, d.lo, d.hi) for d in self.doses] not in ([], [("count", 1.0, 1.0)]):  # no count, or one unit
            doses = " and ".join(repr(d.typed) for d in self.doses)
            self.fail(f"a daily total ({self.amount_text!r}) taken {said.typed!r} is one unit, not {doses}")
        again = " and ".join(repr(typed) for typed in (*(d.typed for d in self.doses), said.typed))
        self.notes.append(f"{again} read as the daily total {self.amount_text!r} taken once")
        for d in self.doses:  # "1 cap (15 mg)": the one unit holds the daily total
            self.check_restated(d, 1.0, value, unit.removesuffix("/day"))
        self.frequency, self.every, self.doses = None, None, []

    def clocked(self) -> None:
        """Clock times are administrations (`clock_times`): said in a note; a frequency must agree (`how_often`),
        and with none, times of day beside them are refused ("at 9pm and at bedtime": one time or two?)."""
        said, slots = " and ".join(repr(c) for c in self.clocks), set().union(*self.slots)
        several = sum(":" in slot for slot in slots) > 1
        clocks = "clock times" if several else "clock time"
        if self.frequency is not None:
            self.notes.append(f"{clocks} {said} {'agree' if several else 'agrees'} with {self.frequency.typed!r}")
        elif any(":" not in slot for slot in slots):
            self.fail(f"clock times ({said}) and times of day may name one time: say how many times a day")
        else:
            n = len(slots)
            self.notes.append(f"{clocks} {said} read as {n} administration{'s' * (n > 1)} a day")

    def how_often(self) -> tuple[float | None, float | None]:
        slots = set().union(*self.slots)
        if self.frequency is None:
            if {"evening", "night"} <= slots and len(self.doses) < 2:
                self.fail("the evening and bedtime may be one time or two: say how many times a day")
            return (float(len(slots)) if slots else None), None
        per_day = self.pick(self.frequency.fewest, self.frequency.most)
        if slots and len(slots) != per_day and not (len(slots) == 1 and per_day <= 1):  # "q72h at 9am": when
            self.fail(f"{self.frequency.typed!r} and {len(slots)} time(s) of day ({', '.join(sorted(slots))}) disagree")
        if self.every is not None:
            return None, self.pick(self.every.longest, self.every.shortest)
        return per_day, None

    def capped(
        self, per_admin: float, per_day: float | None, every_hours: float | None, value: float, unit: str
    ) -> tuple[float | None, float | None]:
        """Lower the administrations a day so that the daily amount stays within the stated maximum."""
        assert self.cap is not None
        typed, cap, kind, cap_unit = self.cap
        times = per_day if per_day is not None else (None if every_hours is None else 24 / every_hours)
        if times is None:
            if self.doses or self.volume:
                self.fail(f"how often? {typed!r} is a maximum, not a frequency")
            self.fail(f"{typed!r} is a maximum: give the dose taken each time")
        volume = unit.endswith("/mL")
        if cap_unit == _BARE:  # "max 8/24": 8 doses or 8 units, the same only when each dose is one unit
            if per_admin != 1:
                self.fail(
                    f"the maximum {typed!r} does not say what it counts: write the units or the doses "
                    "(e.g. 'max 8 tabs a day' or 'max 8 doses a day')"
                )
            cap_unit = "dose"
        if cap_unit == "dose":  # administrations, whatever each holds
            daily, limit = times, cap
        elif kind == "mass":
            per_unit = value * _MASS_MG.get(unit.split("/", maxsplit=1)[0], math.nan)
            daily, limit = per_admin * per_unit * times, cap * _MASS_MG[cap_unit]
        elif (kind == "volume") != volume:
            self.fail(f"the maximum {typed!r} counts {'mL' if kind == 'volume' else 'units'}, the dose does not")
        else:
            daily, limit = per_admin * times, cap
        if daily <= limit * (1 + 1e-12):
            return per_day, every_hours
        if limit < daily / times * (1 - 1e-12):  # "3 tabs bid, max 2 tabs/day"
            self.fail(f"the maximum {typed!r} is less than what the sig gives at once: they disagree, say one")
        what = "doses" if cap_unit == "dose" else {"mass": "mg", "volume": "mL"}.get(kind, "units")
        self.notes.append(
            f"the regimen allows {format_number(round(daily, 6))} {what} a day; capped at the stated maximum {typed!r}"
        )
        return times * limit / daily, None


def _times(fewest: float, most: float) -> str:
    """Administrations a day as a frequency gives them: "4", "4-6", "0.14" (weekly)."""
    fewest, most = round(fewest, 2), round(most, 2)
    return format_number(fewest) if fewest == most else f"{format_number(fewest)}-{format_number(most)}"


@lru_cache(maxsize=4096)
def _strength_basis(drug: str, brand: str | None) -> tuple[str, ...]:
    """What the strength of a product so named is of, when its brand says it ("Xtampza ER", "oxycodone 9 MG ...
    [Xtampza]"): a pure function of the name, kept for recent names."""
    named = f"{drug} {brand or ''}".lower().split()
    return tuple(_vocab.STRENGTH_BASIS[w] for w in named if w in _vocab.STRENGTH_BASIS)


def _countable(found: _Vocab | None) -> _Vocab | None:
    """``found`` if it names a form that is counted ("tab", "sprays")."""
    return found if found is not None and found.field == "form" and found.value in _COUNTABLE else None


def _opioid_name(parser: _Parser, drug: str) -> str:
    parts, _ = parser.components(drug)
    return next((p for p in parts if _component(p) == "opioid"), drug)


_NO_DOSE_LEADS: Final = _vocab.NO_DOSE_LEADS
_EACH_MEAL: Final = re.compile(r"\b(?:each|every|chaque) (?:meal|repas)\b", re.IGNORECASE)  # three times a day
_DAYS_LEADS: Final = _NO_DOSE_LEADS | {"les"}  # "on dialysis days", "les jours de dialyse"


def _strengths(brand: _vocab.Combination, which: Sequence[tuple[float, ...]] = ()) -> str:
    """A brand's documented strengths (``which`` of them, if any), as messages say them: "hydrocodone/acetaminophen
    5/325, 7.5/325 mg"."""
    listed = ", ".join("/".join(format_number(v) for v in s) for s in which or brand.strengths)
    return f"{'/'.join(brand.components)} {listed} mg"


def part_of_a_patch(count: float) -> str:
    """What a count of patches that is not whole is read as, and why it is said (sig and FHIR alike)."""
    return f"{format_number(count)} patches read as that share of the rate; a patch is not meant to be cut"


def unsold_patch(opioid: str, mcg_h: float) -> str | None:
    """ "no fentanyl patch is sold above 100 mcg/h" for a rate above any one patch of its drug sold
    (`mme._vocab.PATCH_MOST_MCG_H`): no product, so a slip or several patches' total; None otherwise."""
    most = _vocab.PATCH_MOST_MCG_H.get(opioid)
    return f"no {opioid} patch is sold above {format_number(most)} mcg/h" if most is not None and mcg_h > most else None


def _canonical(name: str) -> str:
    """The opioid a component names, canonical ("Oxycodone Hydrochloride" -> "oxycodone")."""
    found = _vocab.drug_name(name)
    return _vocab.without_salt(name) if found is None else found.drug


@lru_cache(maxsize=4096)
def _plain(word: str) -> bool:
    """Whether `_Parser.no_dose` reads a word past at once ("breakthrough", "pain"), before no number: none of its
    rules looks for it (`_NOT_PLAIN`), and it names no drug."""
    return word not in _NOT_PLAIN and _vocab.drug_name(word) is None


@lru_cache(maxsize=4096)
def _parts(drug: str) -> tuple[tuple[str, ...], tuple[float, ...] | None]:
    """The components of a combination in written order ("Norco", "hydrocodone-APAP"), and a fixed strength."""
    brand = _vocab.combination(drug)
    if brand is not None:
        return brand.components, brand.strengths[0] if len(brand.strengths) == 1 else None
    parts = _split(drug)
    if len(parts) == 1 and "-" in drug:  # "hydrocodone-acetaminophen", but not "co-codamol"
        hyphened = tuple(p.strip() for p in drug.split("-"))
        if all(p and _component(p) != "unknown" for p in hyphened):
            return hyphened, None
    return parts, None


@lru_cache(maxsize=4096)
def _split(drug: str) -> tuple[str, ...]:
    """The names a drug name joins with "/", "+", "&", "with" or "and", as typed."""
    return tuple(p.strip() for p in _vocab.COMPONENT_SEPARATOR.split(drug))


@lru_cache(maxsize=4096)
def _component(name: str) -> Literal["opioid", "non-opioid", "unknown"]:
    if _vocab.non_opioid(name):
        return "non-opioid"
    if _vocab.without_salt(name) in _vocab.OTHER_OPIOIDS:
        return "opioid"
    return "unknown" if _vocab.drug_name(name) is None else "opioid"

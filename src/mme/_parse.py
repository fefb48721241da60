"""Dose expressions: ``"oxycodone 10 mg q6h"`` read into an `Expression`.

`mme convert` and the worked examples of the conversion tables write a dose the way a
prescription does. The grammar is small and strict: it never guesses a unit or which
number of a combination is the opioid, and anything it cannot read raises
`ExpressionError` naming the part it could not read.

Grammar::

    DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM]

Case does not matter, commas and brackets are ignored, and the parts after the amount
may come in any order.

DRUG
    Everything before the first number, kept as typed ("OxyContin", "morphine sulfate",
    "hydrocodone/acetaminophen"); the engine resolves it. Route, form and release words at
    its start or end are read as such: "oxycodone ER 10 mg" is oxycodone, release ER.

AMOUNT UNIT
    The opioid amount per unit taken. Numbers: ``10``, ``0.5``, ``.5``, ``2,5`` (decimal
    comma; ``1,000`` is refused as ambiguous), ``1e3``. Units: ``mg``, ``mcg`` (``µg``,
    ``ug``), ``g``; a patch rate ``mcg/h`` (``mcg/hr``, ``mcg per hour``); a concentration
    ``mg/mL`` (``10 mg/5 mL`` is read as 2 mg/mL; ``mcg/mL`` too); a daily total ``mg/day``
    (``mg/d``, ``mg/24 h``, ``mcg/day``), which takes no frequency; an amount per unit
    ``100 mcg/spray``, ``5 mg/tab``. ``per`` may replace ``/``.

    A combination names its components with ``/``, ``+``, ``&``, ``with`` or ``and``; its
    amounts are matched to the components by position and the opioid's is kept
    ("hydrocodone/acetaminophen 5/325 mg" is 5 mg). Exactly one component must be an
    opioid. One amount with a combination ("Percocet 5 mg", "hydrocodone/APAP 10 mg") is
    the opioid's; several amounts need the components spelt out.

COUNT FORM
    Units taken each time, singular or plural: ``1 tab``, ``2 tablets``, ``1/2 tab``,
    ``2 sprays``, ``2 nasal sprays``, ``1 patch``, ``2 patches``, ``1 film``, ``1 lozenge``,
    ``1 capsule``, ``1 suppository``, ``1 implant``. The word also gives the form, and a
    phrase such as ``nasal sprays`` the route. With a concentration, a volume: ``5 mL``.

FREQUENCY
    Administrations a day: ``qd``, ``od``, ``daily``, ``once daily``, ``qhs``, ``qam``,
    ``qpm``, ``bid`` (``b.i.d.``, ``bd``), ``twice a day``, ``tid`` (``tds``), ``qid``
    (``qds``), ``3 times a day``, ``3 times daily``, ``3x/day``, ``x3/day``, ``3/day``,
    ``3 fois par jour``. Or an interval: ``q6h``, ``q 6 h``, ``q6hr``, ``q6 hours``,
    ``every 6 hours``, ``every 12 h``, ``4-hourly``, ``q3d``, ``every 7 days``, ``weekly``,
    ``qod``, ``toutes les 6 heures``; a range ``q4-6h`` (``every 4 to 6 hours``) takes the
    shorter interval, the most a prescription allows (as CDC's CQL library does).
    ``prn`` and ``as needed`` are read and ignored. At most one frequency.

ROUTE/FORM
    Anywhere: ``po``, ``IV``, ``SL``, ``buccal``, ``nasal``, ``transdermal``...;
    ``tablet``, ``ER tablet``, ``patch``, ``nasal spray`` (form spray, route nasal),
    ``buccal film``...; release ``ER``, ``LA``, ``SR``, ``XR``, ``CR``, ``extended-release``,
    ``IR``. Saying two different routes, forms or releases is an error.

Examples:

    >>> parse_expression("oxycodone 10 mg q6h")
    Expression(text='oxycodone 10 mg q6h', drug='oxycodone', dose='10 mg', count=1.0, volume=None, \
per_day=None, every_hours=6.0, route=None, form=None, release=None)
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
    >>> parse_expression("Percocet 5/325 1 tab q6h")
    Traceback (most recent call last):
      ...
    mme._errors.ExpressionError: no unit after '5/325' in 'Percocet 5/325 1 tab q6h'. Expected: \
DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM], e.g. "oxycodone 10 mg q6h"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, NoReturn

from . import _vocab
from ._errors import ExpressionError, MMEError

__all__ = ["GRAMMAR", "UNITS", "Expression", "parse_expression"]

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


def parse_expression(text: str) -> Expression:
    """Read a dose expression; raise `ExpressionError` (an `MMEError`) on anything the grammar cannot read."""
    if not isinstance(text, str):
        raise ExpressionError(f"a dose expression is text, not {type(text).__name__}. Expected: {GRAMMAR}")
    return _Parser(text).parse()


# --- vocabulary of the grammar (routes, forms, releases and drugs come from _vocab) ---

_MASS: Final = {
    **dict.fromkeys(("mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"), "mg"),
    **dict.fromkeys(("mcg", "mcgs", "µg", "μg", "ug", "microgram", "micrograms", "microgramme"), "mcg"),
    **dict.fromkeys(("g", "gm", "gram", "grams", "gramme", "grammes"), "g"),
}
_VOLUME: Final = frozenset({"ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters", "cc"})
_HOUR: Final = frozenset({"h", "hr", "hrs", "hour", "hours", "heure", "heures"})
_ONE_DAY: Final = frozenset({"d", "day", "jour", "j"})
_INTERVAL: Final = {
    **dict.fromkeys(_HOUR, 1.0),
    **dict.fromkeys(("d", "day", "days", "jour", "jours"), 24.0),
    **dict.fromkeys(("wk", "wks", "week", "weeks", "semaine", "semaines"), 168.0),
}
_COUNTABLE: Final = frozenset({"tablet", "capsule", "patch", "film", "lozenge", "spray", "suppository", "implant"})
_LEADS: Final = frozenset({"q", "every", "x"})  # words before a frequency's number
_TIMES: Final = frozenset({"x", "×", "times", "time", "fois"})
_MULTIPLE: Final = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_RANGE: Final = frozenset({"-", "to", "à", "a"})
_HOURLY: Final = frozenset({"hourly", "hrly"})
_ONCE_A_DAY: Final = (
    *("qd", "od", "daily", "qhs", "hs", "qam", "qpm", "qn", "nightly", "mane", "nocte"),
    *("every day", "each day", "every morning", "every evening", "every night", "at bedtime", "at night"),
)
# (administrations a day, hours between them)
_FIXED: Final[dict[str, tuple[float | None, float | None]]] = {
    **dict.fromkeys(("bid", "bd"), (2.0, None)),
    **dict.fromkeys(("tid", "tds"), (3.0, None)),
    **dict.fromkeys(("qid", "qds"), (4.0, None)),
    **dict.fromkeys(_ONCE_A_DAY, (1.0, None)),
    **dict.fromkeys(("qod", "every other day"), (None, 48.0)),
    "weekly": (None, 168.0),
    "hourly": (None, 1.0),
}
_PRN: Final = frozenset({"prn", "as needed", "as required", "when required", "if needed", "when needed", "si besoin"})
_PUNCT: Final = frozenset(",;:()[]")
_MINUS: Final = frozenset("-−")
_FRACTIONS: Final = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_NON_FINITE: Final = frozenset({"nan", "inf", "infinity"})
_COMPONENTS: Final = re.compile(r"\s*(?:/|\+|&|\bwith\b|\band\b|\bw/)\s*", re.IGNORECASE)
_TOKEN: Final = re.compile(
    r"(?P<num>(?:[0-9]+(?:[.,][0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[½¼¾])"  # 10, 0.5, .5, 2,5, 1e3, ½
    r"|(?P<word>[^\W\d_]+(?:\.[^\W\d_]+)*\.?)"  # mg, b.i.d., i.v., µg
    r"|(?P<sym>\S)"  # anything else, one character at a time
)


class _Tok(NamedTuple):
    kind: Literal["num", "word", "sym"]
    text: str  # as typed
    key: str  # lower case, dots dropped: "b.i.d." -> "bid"
    start: int
    end: int
    value: float = math.nan  # numbers only


def _tokens(text: str) -> list[_Tok]:
    tokens = []
    for m in _TOKEN.finditer(text):
        kind: Literal["num", "word", "sym"] = "num" if m["num"] else "word" if m["word"] else "sym"
        raw = m[0]
        key = raw.lower().replace(".", "") if kind == "word" else raw
        value = math.nan
        if kind == "num":
            value = _FRACTIONS[raw] if raw in _FRACTIONS else _number(raw, text)
        elif key in _NON_FINITE:  # "nan mg", "inf mg": a number, and a wrong one
            kind, value = "num", float(key)
        tokens.append(_Tok(kind, raw, key, m.start(), m.end(), value))
    return tokens


def _number(raw: str, text: str) -> float:
    mantissa = re.split("[eE]", raw)[0]
    if re.fullmatch(r"[1-9][0-9]{0,2},[0-9]{3}", mantissa):  # "1,000": a thousand or one?
        raise ExpressionError(
            f"ambiguous number {raw!r} in {text!r}: write {mantissa.replace(',', '')} (no thousands separator) "
            f"or {mantissa.replace(',', '.')} (decimal point). Expected: {GRAMMAR}"
        )
    return float(raw.replace(",", "."))


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


_Vocab = tuple[Literal["route", "form", "release"], str, str | None, int]  # field, value, route of a phrase, end


class _Parser:
    """One pass over the tokens: drug, dose, then counts, frequency and route/form/release words."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.tags: dict[str, str] = {}  # route, form, release
        self.frequency: tuple[str, float | None, float | None] | None = None  # (as typed, per_day, every_hours)
        self.count: float | None = None
        self.volume: float | None = None
        self.amounts: list[tuple[float, str]] = []
        self.amount_text = ""
        self.denominator = ""  # "", "/h", "/mL", "/day"
        self.divisor = 1.0

    # --- helpers ---

    def fail(self, problem: str) -> NoReturn:
        raise ExpressionError(f"{problem} in {self.text!r}. Expected: {GRAMMAR}")

    def key(self, i: int) -> str:
        return self.toks[i].key if 0 <= i < len(self.toks) else ""

    def is_num(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and self.toks[i].kind == "num"

    def span(self, i: int, j: int) -> str:
        return self.text[self.toks[i].start : self.toks[j - 1].end]

    def positive(self, i: int, what: str) -> float:
        tok = self.toks[i]
        if not math.isfinite(tok.value):
            self.fail(f"{tok.text!r} is not a finite number")
        if tok.value <= 0:
            self.fail(f"{what} must be positive, not {tok.text!r}")
        return tok.value

    def phrase(self, i: int, n: int, stop: int | None = None) -> tuple[str, int] | None:
        """``n`` words from token ``i`` (hyphens allowed between them), before token ``stop``."""
        stop = len(self.toks) if stop is None else stop
        words: list[str] = []
        j = i
        while len(words) < n:
            if j >= stop or self.toks[j].kind != "word":
                return None
            words.append(self.toks[j].key)
            j += 1
            if len(words) < n and j < stop and self.key(j) == "-":
                j += 1
        return " ".join(words), j

    def vocab(self, i: int, stop: int | None = None) -> _Vocab | None:
        """A route, form or release word or phrase at token ``i``, longest first."""
        for n in (3, 2, 1):
            found = self.phrase(i, n, stop)
            if found is None:
                continue
            key, end = found
            if _vocab.is_form_word(key):  # "nasal spray" also says the route
                return "form", _vocab.resolve_form(key), _vocab.form_route(key) if n > 1 else None, end
            if _vocab.is_route_word(key):
                return "route", _vocab.resolve_route(key), None, end
            if _vocab.is_release_word(key):
                return "release", _vocab.resolve_release(key), None, end
        return None

    def countable(self, i: int) -> _Vocab | None:
        found = self.vocab(i)
        return found if found is not None and found[0] == "form" and found[1] in _COUNTABLE else None

    def tag(self, field: str, value: str, i: int, j: int) -> None:
        old = self.tags.get(field)
        if old is not None and old != value:
            self.fail(f"two {field}s: {old!r} and {value!r} ({self.span(i, j)!r})")
        self.tags[field] = value

    def apply(self, found: _Vocab, i: int) -> int:
        field, value, route, end = found
        self.tag(field, value, i, end)
        if route is not None:
            self.tag("route", route, i, end)
        return end

    # --- the pass ---

    def parse(self) -> Expression:
        if not self.toks:
            self.fail("empty dose expression")
        # the first number, unless it is an interval's ("oxycodone mg q6h" has no amount)
        first = next((i for i in range(len(self.toks)) if self.is_num(i) and self.key(i - 1) not in _LEADS), None)
        if first is None:
            self.fail("no amount (a number and a unit)")
        drug = self.drug(first)
        i = self.dose(first)
        while i < len(self.toks):
            tok = self.toks[i]
            if tok.key in _PUNCT:
                i += 1
            elif (freq := self.frequency_at(i)) is not None:
                i = self.set_frequency(i, *freq)
            elif tok.kind == "num":
                i = self.count_at(i)
            elif (found := self.vocab(i)) is not None:
                i = self.apply(found, i)
            elif (end := self.prn(i)) is not None:
                i = end
            elif tok.key in _MINUS and self.is_num(i + 1) and self.toks[i + 1].start == tok.end:
                self.fail(f"negative number {self.span(i, i + 2)!r}")
            elif tok.key in _MASS or tok.key in _VOLUME:
                self.fail(f"unit {tok.text!r} without a number before it")
            else:
                self.fail(f"cannot read {tok.text!r}")
        return self.finish(drug)

    def drug(self, first: int) -> str:
        """The text before the first number, less route/form/release words at its start and end."""
        if first > 0 and self.key(first - 1) in _MINUS and self.toks[first - 1].end == self.toks[first].start:
            self.fail(f"negative number {self.span(first - 1, first + 1)!r}")
        lo, hi = 0, first
        while lo < hi:
            if self.key(lo) in _PUNCT:
                lo += 1
            elif (found := self.vocab(lo, hi)) is not None:
                lo = self.apply(found, lo)
            else:
                break
        while lo < hi:
            if self.key(hi - 1) in _PUNCT or self.key(hi - 1) in _MINUS:
                hi -= 1
                continue
            ends_here = [(s, f) for s in range(max(lo, hi - 5), hi) if (f := self.vocab(s, hi)) and f[3] == hi]
            if not ends_here:
                break
            hi, found = ends_here[0]  # the longest phrase ending the drug part
            self.apply(found, hi)
        if lo >= hi:
            self.fail(f"no drug name before {self.span(0, first + 1)!r}")
        for i in range(lo, hi):
            if (freq := self.frequency_at(i)) is not None:
                self.fail(f"the frequency {self.span(i, freq[0])!r} comes before the amount")
        return self.span(lo, hi).strip()

    def dose(self, i: int) -> int:
        """AMOUNT[/AMOUNT...] UNIT [/AMOUNT... UNIT] [/ DENOMINATOR]; returns the index after it."""
        start = i
        while True:  # groups of amounts sharing a unit: "5/325 mg", "5 mg/325 mg"
            values = [self.positive(i, "the dose")]
            i += 1
            while self.key(i) == "/" and self.is_num(i + 1):
                values.append(self.positive(i + 1, "the dose"))
                i += 2
            unit = _MASS.get(self.key(i))
            if unit is None:
                where = self.span(start, i)
                tok = self.toks[i] if i < len(self.toks) else None
                known = tok is not None and (self.vocab(i) or tok.key in _FIXED or tok.key in ("q", "every", "prn"))
                if tok is not None and tok.kind == "word" and not known:
                    self.fail(f"unknown unit {tok.text!r} after {where!r}: use mg, mcg, g, mcg/h, mg/mL or mg/day")
                self.fail(f"no unit after {where!r}")
            self.amounts += [(v, unit) for v in values]
            i += 1
            j = i + 1
            while self.is_num(j) or (self.key(j) == "/" and self.is_num(j + 1)):
                j += 1
            if not (self.key(i) == "/" and self.is_num(i + 1) and self.key(j) in _MASS):
                break
            i += 1
        if self.key(i) in ("/", "per"):
            end = self.denominator_at(i + 1, unit)
            if end is None and self.key(i) == "/":
                self.fail(f"unknown unit {self.span(i - 1, min(i + 3, len(self.toks)))!r}")
            i = i if end is None else end
        self.amount_text = self.span(start, i)
        return i

    def denominator_at(self, i: int, unit: str) -> int | None:
        """What follows "mg/": "mL", "5 mL", "h", "day", "24 h", "spray"."""
        divisor = None
        if self.is_num(i):
            divisor = self.positive(i, "the volume of a concentration")
            i += 1
        key = self.key(i)
        if key in _VOLUME:
            self.denominator, self.divisor = "/mL", divisor or 1.0
            return i + 1
        if (divisor is None and key in _ONE_DAY) or (divisor == 24 and key in _HOUR):
            self.denominator = "/day"
            return i + 1
        if divisor is None and key in _HOUR:  # a patch rate; the engine warns on a mg/mcg slip
            self.denominator = "/h"
            return i + 1
        if divisor is None and (found := self.countable(i)) is not None:
            return self.apply(found, i)  # "100 mcg/spray" is 100 mcg, form spray
        return None

    def per_day_suffix(self, i: int) -> int | None:
        """ "daily", "a day", "per day", "/day", "/d", "/24 h", "par jour"; the index after it."""
        if self.key(i) == "daily":
            return i + 1
        if self.key(i) in ("a", "per", "each", "every", "par", "/"):
            if self.key(i + 1) in _ONE_DAY:
                return i + 2
            if self.is_num(i + 1) and self.toks[i + 1].value == 24 and self.key(i + 2) in _HOUR:
                return i + 3
        return None

    def frequency_at(self, i: int) -> tuple[int, float | None, float | None] | None:
        """(end, per_day, every_hours) if a frequency starts at token ``i``."""
        for n in (3, 2, 1):
            found = self.phrase(i, n)
            if found is not None and found[0] in _FIXED:
                return found[1], *_FIXED[found[0]]
        key = self.key(i)
        if key in _MULTIPLE and (end := self.per_day_suffix(i + 1)) is not None:
            return end, _MULTIPLE[key], None
        if self.is_num(i):  # "3 times a day", "3x/day", "3/day", "4-hourly"
            j = i + 2 if self.key(i + 1) in _TIMES else i + 1
            if (end := self.per_day_suffix(j)) is not None:
                return end, self.positive(i, "a frequency"), None
            j = i + 2 if self.key(i + 1) == "-" else i + 1
            if self.key(j) in _HOURLY:
                return j + 1, None, self.positive(i, "an interval")
        if key == "x" and self.is_num(i + 1) and (end := self.per_day_suffix(i + 2)) is not None:
            return end, self.positive(i + 1, "a frequency"), None
        if key in ("q", "every"):
            k = i + 1
        elif key == "toutes" and self.key(i + 1) == "les":
            k = i + 2
        else:
            return None
        every = 1.0
        if self.is_num(k):  # "q6h", "q 4-6 h", "every 4 to 6 hours": the shorter interval
            every, k = self.positive(k, "an interval"), k + 1
            if self.key(k) in _RANGE and self.is_num(k + 1):
                every, k = min(every, self.positive(k + 1, "an interval")), k + 2
        if self.key(k) not in _INTERVAL:
            return None
        return k + 1, None, every * _INTERVAL[self.key(k)]

    def set_frequency(self, i: int, end: int, per_day: float | None, every_hours: float | None) -> int:
        typed = self.span(i, end)
        if self.frequency is not None:
            self.fail(f"two frequencies: {self.frequency[0]!r} and {typed!r}")
        for value in (per_day, every_hours):
            if value is not None and not (math.isfinite(value) and value > 0):
                self.fail(f"frequency {typed!r} must be positive and finite")
        self.frequency = (typed, per_day, every_hours)
        return end

    def count_at(self, i: int) -> int:
        """COUNT [RELEASE] FORM ("2 tabs", "1/2 tab", "1 ER tablet") or a volume ("5 mL")."""
        value = self.positive(i, "a count")
        j = i + 1
        if self.key(j) == "/" and self.is_num(j + 1):
            value /= self.positive(j + 1, "a count")
            j += 2
            if not (math.isfinite(value) and value > 0):
                self.fail(f"count {self.span(i, j)!r} must be positive and finite")
        if self.key(j) in _RANGE and self.is_num(j + 1):
            self.fail(f"range {self.span(i, j + 2)!r}: give one number (ranges are read only in intervals: q4-6h)")
        if self.key(j) in _VOLUME:
            if self.volume is not None:
                self.fail(f"two volumes: {self.span(i, j + 1)!r}")
            self.volume = value
            return j + 1
        release = self.vocab(j)
        k = release[3] if release is not None and release[0] == "release" else j
        form = self.countable(k)
        if form is None:
            self.fail(
                f"cannot read {self.span(i, min(j + 1, len(self.toks)))!r}: a number after the dose is a count "
                "with a form (2 tabs), a volume (5 mL) or a frequency (3 times a day)"
            )
        if self.count is not None:
            self.fail(f"two counts: {self.span(i, form[3])!r}")
        self.count = value
        if release is not None and k != j:
            self.apply(release, j)
        return self.apply(form, k)

    def prn(self, i: int) -> int | None:
        for n in (2, 1):
            found = self.phrase(i, n)
            if found is not None and found[0] in _PRN:
                return found[1]
        return None

    # --- the result ---

    def opioid_amount(self, drug: str) -> tuple[float, str]:
        """The amount of the one opioid component, matching amounts to components by position."""
        parts = [p.strip() for p in _COMPONENTS.split(drug)]
        if len(parts) == 1:
            if len(self.amounts) > 1:
                self.fail(
                    f"{drug!r} does not name its components, so which amount of {self.amount_text!r} is the opioid's "
                    "is unknown (write the components, e.g. 'oxycodone/acetaminophen 5/325 mg', or one amount)"
                )
            return self.amounts[0]
        if not all(parts):
            self.fail(f"an empty component in the combination {drug!r}")
        kinds = [_component(p) for p in parts]
        opioids = [p for p, k in zip(parts, kinds, strict=True) if k == "opioid"]
        unknown = [p for p, k in zip(parts, kinds, strict=True) if k == "unknown"]
        if len(opioids) > 1:
            self.fail(f"{drug!r} has {len(opioids)} opioid components ({', '.join(opioids)}): write one per expression")
        if not opioids and not unknown:
            self.fail(f"{drug!r} has no opioid component")
        if len(self.amounts) == 1:
            return self.amounts[0]
        if unknown:
            self.fail(f"unknown component {unknown[0]!r} of {drug!r}: cannot tell which amount is the opioid's")
        if len(self.amounts) != len(parts):
            self.fail(f"{len(parts)} components in {drug!r} but {len(self.amounts)} amounts in {self.amount_text!r}")
        return self.amounts[kinds.index("opioid")]

    def finish(self, drug: str) -> Expression:
        value, unit = self.opioid_amount(drug)
        value /= self.divisor
        if not (math.isfinite(value) and value > 0):
            self.fail(f"the dose {self.amount_text!r} is not a positive finite amount")
        unit += self.denominator
        if self.denominator == "/day" and self.frequency is not None:
            self.fail(f"a daily total ({self.amount_text!r}) takes no frequency, but {self.frequency[0]!r} is given")
        if self.denominator == "/day" and self.count is not None:
            self.fail(f"a daily total ({self.amount_text!r}) takes no count")
        if self.volume is not None and self.denominator != "/mL":
            self.fail(
                f"a volume ({_fmt(self.volume)} mL) needs a concentration such as '2 mg/mL', not {self.amount_text!r}"
            )
        # a rate is one amount per hour: in "oxycodone/APAP 5 mg/325 mcg/h" the "/h" is not the opioid's
        if unit not in UNITS or (self.denominator == "/h" and len(self.amounts) > 1):
            self.fail(f"unknown unit {unit!r}")
        _, per_day, every_hours = self.frequency or ("", None, None)
        return Expression(
            text=self.text,
            drug=drug,
            dose=f"{_fmt(value)} {unit}",
            count=1.0 if self.count is None else self.count,
            volume=None if self.volume is None else f"{_fmt(self.volume)} mL",
            per_day=per_day,
            every_hours=every_hours,
            route=self.tags.get("route"),
            form=self.tags.get("form"),
            release=self.tags.get("release"),
        )


def _component(name: str) -> Literal["opioid", "non-opioid", "unknown"]:
    if _vocab.non_opioid(name):
        return "non-opioid"
    try:
        _vocab.resolve_drug(name)
    except MMEError:
        return "unknown"
    return "opioid"

"""The dose-expression grammar (`mme._parse`): a table of readings, the errors, and properties."""

from __future__ import annotations

import dataclasses
import difflib
import doctest
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mme._parse
from mme import _vocab
from mme._errors import ExpressionError, MMEError
from mme._parse import _MOST_UNSAID, _MOST_UNSAID_MG, GRAMMAR, Expression, RangeChoice, parse_expression

from expression_checks import check_expression

# text -> the fields of the Expression it reads to (the others keep their defaults).
READINGS: list[tuple[str, dict[str, Any]]] = [
    # the examples of the brief
    ("hydrocodone/acetaminophen 5/325 mg 1 tab qid",
     {"drug": "hydrocodone/acetaminophen", "dose": "5 mg", "count": 1.0, "per_day": 4.0, "form": "tablet"}),
    ("oxycodone 10 mg q6h", {"drug": "oxycodone", "dose": "10 mg", "every_hours": 6.0}),
    ("fentanyl 25 mcg/h patch", {"drug": "fentanyl", "dose": "25 mcg/h", "form": "patch"}),
    ("methadone 10 mg tid", {"drug": "methadone", "dose": "10 mg", "per_day": 3.0}),
    ("oxycodone ER 10 mg bid", {"drug": "oxycodone", "dose": "10 mg", "per_day": 2.0, "release": "ER"}),
    ("butorphanol nasal spray 10 mg/mL", {"drug": "butorphanol", "dose": "10 mg/mL", "route": "nasal", "form": "spray"}),
    ("oxycodone 40 mg/day", {"drug": "oxycodone", "dose": "40 mg/day"}),
    ("morphine 10 mg/5 mL 5 mL q4h", {"drug": "morphine", "dose": "2 mg/mL", "volume": "5 mL", "every_hours": 4.0}),
    # drug text is kept as typed
    ("OxyContin 20 mg q12h", {"drug": "OxyContin", "dose": "20 mg", "every_hours": 12.0}),
    ("morphine sulfate 15 mg q4h", {"drug": "morphine sulfate", "dose": "15 mg", "every_hours": 4.0}),
    ("  Oxycodone HCl   5 mg  q6h ", {"drug": "Oxycodone HCl", "dose": "5 mg", "every_hours": 6.0}),
    ("Dilaudid, 2 mg, q4h", {"drug": "Dilaudid", "dose": "2 mg", "every_hours": 4.0}),
    # combinations: the opioid's amount, by position
    ("acetaminophen/codeine 300/30 mg 2 tabs q4h",
     {"drug": "acetaminophen/codeine", "dose": "30 mg", "count": 2.0, "every_hours": 4.0, "form": "tablet"}),
    ("hydrocodone/APAP 10 mg q6h", {"drug": "hydrocodone/APAP", "dose": "10 mg", "every_hours": 6.0}),
    ("Percocet 5 mg 1 tab q6h", {"drug": "Percocet", "dose": "5 mg", "every_hours": 6.0, "form": "tablet"}),
    ("oxycodone + acetaminophen 7.5/325 mg qid", {"drug": "oxycodone + acetaminophen", "dose": "7.5 mg", "per_day": 4.0}),
    ("hydrocodone with ibuprofen 7.5/200 mg tid", {"drug": "hydrocodone with ibuprofen", "dose": "7.5 mg", "per_day": 3.0}),
    ("oxycodone/naloxone 10 mg/5 mg bid", {"drug": "oxycodone/naloxone", "dose": "10 mg", "per_day": 2.0}),
    ("acetaminophen/caffeine/codeine 300/15/30 mg", {"drug": "acetaminophen/caffeine/codeine", "dose": "30 mg"}),
    ("Tylenol with codeine 30 mg q4h", {"drug": "Tylenol with codeine", "dose": "30 mg", "every_hours": 4.0}),
    ("hydrocodone/acetaminophen 7.5/325 mg/15 mL 15 mL q6h",
     {"drug": "hydrocodone/acetaminophen", "dose": "0.5 mg/mL", "volume": "15 mL", "every_hours": 6.0}),
    # units and numbers
    ("oxycodone 2,5 mg q6h", {"drug": "oxycodone", "dose": "2.5 mg", "every_hours": 6.0}),
    ("hydromorphone .5 mg q3h", {"drug": "hydromorphone", "dose": "0.5 mg", "every_hours": 3.0}),
    ("hydromorphone 0.5 mg q3h", {"drug": "hydromorphone", "dose": "0.5 mg", "every_hours": 3.0}),
    ("oxycodone 5mg q6h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0}),
    ("fentanyl 100 µg IV", {"drug": "fentanyl", "dose": "100 mcg", "route": "intravenous"}),
    ("fentanyl 100 ug IV", {"drug": "fentanyl", "dose": "100 mcg", "route": "intravenous"}),
    ("fentanyl 50 MCG im", {"drug": "fentanyl", "dose": "50 mcg", "route": "intramuscular"}),
    ("opium 1 g daily", {"drug": "opium", "dose": "1 g", "per_day": 1.0}),
    ("fentanyl 12 mcg/hr patch", {"drug": "fentanyl", "dose": "12 mcg/h", "form": "patch"}),
    ("fentanyl 25 mcg/hour q72h", {"drug": "fentanyl", "dose": "25 mcg/h", "every_hours": 72.0}),
    ("buprenorphine 10 µg/h patch every 7 days", {"drug": "buprenorphine", "dose": "10 mcg/h", "form": "patch",
                                                  "every_hours": 168.0}),
    ("fentanyl 25 mcg per hour", {"drug": "fentanyl", "dose": "25 mcg/h"}),
    ("fentanyl 0.025 mg/h patch", {"drug": "fentanyl", "dose": "0.025 mg/h", "form": "patch"}),  # as RxNorm writes it
    ("morphine 2 mg/ml 5 ml q4h", {"drug": "morphine", "dose": "2 mg/mL", "volume": "5 mL", "every_hours": 4.0}),
    ("morphine 10 mg per 5 mL 2.5 mL q4h", {"drug": "morphine", "dose": "2 mg/mL", "volume": "2.5 mL",
                                            "every_hours": 4.0}),
    ("methadone 10mg/5mL 10 mL daily", {"drug": "methadone", "dose": "2 mg/mL", "volume": "10 mL", "per_day": 1.0}),
    ("fentanyl 50 mcg/mL 2 mL IV", {"drug": "fentanyl", "dose": "50 mcg/mL", "volume": "2 mL",
                                    "route": "intravenous"}),
    ("fentanyl nasal spray 100 mcg/spray 2 sprays q4h",
     {"drug": "fentanyl", "dose": "100 mcg", "count": 2.0, "every_hours": 4.0, "route": "nasal", "form": "spray"}),
    ("oxycodone 5 mg/tab 2 tabs q6h", {"drug": "oxycodone", "dose": "5 mg", "count": 2.0, "every_hours": 6.0,
                                       "form": "tablet"}),
    ("morphine 60 mg/d", {"drug": "morphine", "dose": "60 mg/day"}),
    ("morphine 30 mg/24 h po", {"drug": "morphine", "dose": "30 mg/day", "route": "oral"}),
    ("oxycodone 40 mg per day ER", {"drug": "oxycodone", "dose": "40 mg/day", "release": "ER"}),
    ("buprenorphine 300 mcg/day", {"drug": "buprenorphine", "dose": "300 mcg/day"}),
    # counts
    ("tramadol 50 mg 1/2 tab bid", {"drug": "tramadol", "dose": "50 mg", "count": 0.5, "per_day": 2.0,
                                    "form": "tablet"}),
    ("morphine 15 mg 2 tablets q4h", {"drug": "morphine", "dose": "15 mg", "count": 2.0, "every_hours": 4.0,
                                      "form": "tablet"}),
    ("tramadol 50 mg 1 capsule qid", {"drug": "tramadol", "dose": "50 mg", "per_day": 4.0, "form": "capsule"}),
    ("fentanyl 25 mcg/h 1 patch q72h", {"drug": "fentanyl", "dose": "25 mcg/h", "every_hours": 72.0, "form": "patch"}),
    ("buprenorphine 150 mcg 1 film bid", {"drug": "buprenorphine", "dose": "150 mcg", "per_day": 2.0, "form": "film"}),
    ("fentanyl 200 mcg 1 lozenge q6h", {"drug": "fentanyl", "dose": "200 mcg", "every_hours": 6.0, "form": "lozenge"}),
    ("oxycodone 10 mg 1 ER tab q12h", {"drug": "oxycodone", "dose": "10 mg", "every_hours": 12.0, "form": "tablet",
                                       "release": "ER"}),
    ("oxycodone 5 mg 1,5 tabs q6h", {"drug": "oxycodone", "dose": "5 mg", "count": 1.5, "every_hours": 6.0,
                                     "form": "tablet"}),
    # frequencies
    ("oxycodone 5 mg b.i.d.", {"drug": "oxycodone", "dose": "5 mg", "per_day": 2.0}),
    ("oxycodone 5 mg BID", {"drug": "oxycodone", "dose": "5 mg", "per_day": 2.0}),
    ("oxycodone 5 mg qd", {"drug": "oxycodone", "dose": "5 mg", "per_day": 1.0}),
    ("oxycodone 5 mg od", {"drug": "oxycodone", "dose": "5 mg", "per_day": 1.0}),
    ("oxycodone 5 mg once daily", {"drug": "oxycodone", "dose": "5 mg", "per_day": 1.0}),
    ("oxycodone 5 mg twice daily", {"drug": "oxycodone", "dose": "5 mg", "per_day": 2.0}),
    ("oxycodone 5 mg twice a day", {"drug": "oxycodone", "dose": "5 mg", "per_day": 2.0}),
    ("oxycodone 5 mg 3 times a day", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("oxycodone 5 mg 3 times daily", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("oxycodone 5 mg 3x/day", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("oxycodone 5 mg x3/day", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("oxycodone 5 mg 3/day", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("oxycodone 5 mg 3 x daily", {"drug": "oxycodone", "dose": "5 mg", "per_day": 3.0}),
    ("morphine 30 mg qhs", {"drug": "morphine", "dose": "30 mg", "per_day": 1.0}),
    ("morphine 30 mg qam", {"drug": "morphine", "dose": "30 mg", "per_day": 1.0}),
    ("morphine 30 mg qpm", {"drug": "morphine", "dose": "30 mg", "per_day": 1.0}),
    ("oxycodone 5 mg q 6 h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0}),
    ("oxycodone 5 mg q6hr", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0}),
    ("oxycodone 5 mg q6 hours", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0}),
    ("oxycodone 5 mg every 6 hours", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0}),
    ("oxycodone 5 mg every 12 h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 12.0}),
    ("oxycodone 5 mg q4-6h prn", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 4.0}),
    ("oxycodone 5 mg every 4 to 6 hours as needed", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 4.0}),
    ("oxycodone 5 mg PRN", {"drug": "oxycodone", "dose": "5 mg"}),
    ("oxycodone 5 mg 4-hourly", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 4.0}),
    ("fentanyl 25 mcg/h q3d", {"drug": "fentanyl", "dose": "25 mcg/h", "every_hours": 72.0}),
    ("tramadol 50 mg 3 fois par jour", {"drug": "tramadol", "dose": "50 mg", "per_day": 3.0}),
    ("morphine 10 mg toutes les 4 heures", {"drug": "morphine", "dose": "10 mg", "every_hours": 4.0}),
    # route, form and release words anywhere
    ("fentanyl patch 25 mcg/h", {"drug": "fentanyl", "dose": "25 mcg/h", "form": "patch"}),
    ("fentanyl nasal spray 100 mcg 1 spray q4h",
     {"drug": "fentanyl", "dose": "100 mcg", "every_hours": 4.0, "route": "nasal", "form": "spray"}),
    ("morphine 5 mg IV q4h", {"drug": "morphine", "dose": "5 mg", "every_hours": 4.0, "route": "intravenous"}),
    ("buprenorphine 150 mcg buccal film bid",
     {"drug": "buprenorphine", "dose": "150 mcg", "per_day": 2.0, "route": "buccal", "form": "film"}),
    ("oxycodone 10 mg ER tablet q12h", {"drug": "oxycodone", "dose": "10 mg", "every_hours": 12.0, "form": "tablet",
                                        "release": "ER"}),
    ("oxycodone 5 mg po q6h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0, "route": "oral"}),
    ("oxycodone 5 mg p.o. q6h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0, "route": "oral"}),
    ("oxycodone 5 mg by mouth q6h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 6.0, "route": "oral"}),
    ("buprenorphine 2 mg SL daily", {"drug": "buprenorphine", "dose": "2 mg", "per_day": 1.0,
                                     "route": "sublingual"}),
    ("IV morphine 2 mg q2h", {"drug": "morphine", "dose": "2 mg", "every_hours": 2.0, "route": "intravenous"}),
    ("by mouth, morphine 10 mg q4h", {"drug": "morphine", "dose": "10 mg", "every_hours": 4.0, "route": "oral"}),
    ("morphine LA 30 mg bid", {"drug": "morphine", "dose": "30 mg", "per_day": 2.0, "release": "ER"}),
    ("morphine SR 30 mg bid", {"drug": "morphine", "dose": "30 mg", "per_day": 2.0, "release": "ER"}),
    ("tramadol XR 100 mg daily", {"drug": "tramadol", "dose": "100 mg", "per_day": 1.0, "release": "ER"}),
    ("oxycodone CR 20 mg q12h", {"drug": "oxycodone", "dose": "20 mg", "every_hours": 12.0, "release": "ER"}),
    ("hydromorphone extended-release 8 mg daily", {"drug": "hydromorphone", "dose": "8 mg", "per_day": 1.0,
                                                   "release": "ER"}),
    ("oxycodone IR 5 mg q4h", {"drug": "oxycodone", "dose": "5 mg", "every_hours": 4.0, "release": "IR"}),
    ("fentanyl transdermal patch 25 mcg/h", {"drug": "fentanyl", "dose": "25 mcg/h", "route": "transdermal",
                                             "form": "patch"}),
    ("morphine 20 mg rectal suppository q4h", {"drug": "morphine", "dose": "20 mg", "every_hours": 4.0,
                                               "route": "rectal", "form": "suppository"}),
    # count nouns in the plural, phrases too
    ("fentanyl 100 mcg 2 nasal sprays q4h", {"drug": "fentanyl", "dose": "100 mcg", "count": 2.0, "every_hours": 4.0,
                                             "route": "nasal", "form": "spray"}),
    ("fentanyl 100 mcg 2 sublingual sprays q4h", {"drug": "fentanyl", "dose": "100 mcg", "count": 2.0,
                                                  "every_hours": 4.0, "route": "sublingual", "form": "spray"}),
    ("buprenorphine 300 mcg 2 buccal films bid", {"drug": "buprenorphine", "dose": "300 mcg", "count": 2.0,
                                                  "per_day": 2.0, "route": "buccal", "form": "film"}),
    ("fentanyl 25 mcg/h 2 transdermal patches", {"drug": "fentanyl", "dose": "25 mcg/h", "count": 2.0,
                                                 "route": "transdermal", "form": "patch"}),
    ("fentanyl 200 mcg 2 troches q6h", {"drug": "fentanyl", "dose": "200 mcg", "count": 2.0, "every_hours": 6.0,
                                        "form": "lozenge"}),
    ("morphine 10 mg 2 supps q4h", {"drug": "morphine", "dose": "10 mg", "count": 2.0, "every_hours": 4.0,
                                    "form": "suppository"}),
    # "IN" (intranasal) ending the drug's name: the amount after it is where a route stands
    ("fentanyl IN 100 mcg q2h", {"drug": "fentanyl", "dose": "100 mcg", "every_hours": 2.0, "route": "nasal"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fields"), READINGS, ids=[t for t, _ in READINGS])
def test_reading(text: str, fields: dict[str, Any]) -> None:
    """The regimen fields read; what the sig reader adds beside them (prn, ranges, notes) is tested in test_sigs."""
    read = dataclasses.replace(parse_expression(text), as_needed=False, ranges=(), cap=None, ignored=(), notes=())
    assert read == Expression(text=text, **fields)


def _plural(noun: str) -> str:
    """English plural of a count noun's last word ("nasal spray" -> "nasal sprays", "patch" -> "patches")."""
    if noun.endswith(("ch", "sh", "s", "x")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


_COUNT_NOUNS = sorted(
    noun
    for noun, form in _vocab._FORM_ALIASES.items()
    if form in mme._parse._COUNTABLE and noun not in _vocab.FORM_CODES  # "tb12": a product's code, not a noun
)
_SINGULAR_COUNT_NOUNS = [  # "patchs": French's plural of "patch"
    noun for noun in _COUNT_NOUNS if noun not in {_plural(n) for n in _COUNT_NOUNS} | {n + "s" for n in _COUNT_NOUNS}
]


@pytest.mark.parametrize("noun", _SINGULAR_COUNT_NOUNS)
def test_every_count_noun_is_read_in_the_plural_too(noun: str) -> None:
    """Each count noun reads in either number: "1 nasal spray" and "2 nasal sprays", "1 troche" and "2 troches"."""
    one = parse_expression(f"morphine 10 mg 1 {noun} q4h")
    two = parse_expression(f"morphine 10 mg 2 {_plural(noun)} q4h")
    assert (one.count, two.count) == (1.0, 2.0)
    assert one.form == two.form == _vocab.resolve_form(noun)
    assert one.route == two.route


def test_the_table_is_large_enough() -> None:
    assert len(READINGS) >= 60
    assert len({t for t, _ in READINGS}) == len(READINGS)


# text -> a part of the error message (the offending token or the reason).
ERRORS: list[tuple[str, str]] = [
    ("", "empty"),
    ("   ", "empty"),
    ("oxycodone", "no amount"),
    ("oxycodone mg q6h", "no amount"),
    ("oxycodone 10", "no unit after '10'"),
    ("oxycodone 10 q6h", "no unit after '10'"),
    (
        "oxycodone 10 tabs",
        "'10 tabs' is a count with no strength before it: give the product's strength (e.g. 'oxycodone 5 mg 1 tab q6h')",
    ),
    ("oxycodone 5 kg/h", "unknown unit 'kg'"),
    ("oxycodone 5 mg/kg", "'5 mg/kg': a dose per kg cannot be read: give the dose in mg"),
    ("oxycodone 5 mg/5", "unknown unit 'mg/5'"),
    ("oxycodone -5 mg", "negative number '-5'"),
    ("oxycodone 5 mg -2 tabs", "negative number '-2'"),
    ("oxycodone 0 mg", "must be positive, not '0'"),
    ("oxycodone 0.0 mg q6h", "must be positive, not '0.0'"),
    ("oxycodone 1e-400 mg", "must be positive"),
    ("oxycodone nan mg", "'nan' is not a finite number"),
    ("nan mg", "no drug name"),
    ("oxycodone inf mg", "'inf' is not a finite number"),
    ("oxycodone 1e400 mg", "'1e400' is not a finite number"),
    ("oxycodone 1,000 mg", "ambiguous number '1,000'"),
    ("10 mg q6h", "no drug name"),
    ("oxycodone q6h 10 mg", "the frequency 'q6h' comes before the amount"),
    ("patch 25 mcg/h", "no drug name"),
    ("oxycodone 5 mg bid tid", "two frequencies: 'bid' and 'tid'"),
    ("oxycodone 5 mg q6h every 8 hours", "two frequencies"),
    ("oxycodone 5 mg q0h", "must be positive, not '0'"),
    ("oxycodone 5 mg 0 times a day", "must be positive, not '0'"),
    ("oxycodone/morphine 5/5 mg", "2 opioid components"),
    ("oxycodone/morphine 5 mg", "2 opioid components"),
    ("acetaminophen/ibuprofen 500/200 mg", "no opioid component"),
    ("oxycodone/foo 5/325 mg", "unknown component 'foo'"),
    ("hydrocodone/acetaminophen 5/325/200 mg", "2 components"),
    ("oxycodone/ 5 mg", "empty component"),
    ("Percocet 5/500 mg", "not a documented strength of Percocet"),
    ("OxyContin 5/325 mg", "does not name its components"),
    ("oxycodone 5 mg 5 mL", "needs a concentration"),
    ("morphine 2 mg/mL 5 mL 5 mL", "two volumes"),
    ("morphine 5 mg/0 mL", "must be positive, not '0'"),
    ("oxycodone 40 mg/day bid", "takes no frequency"),
    ("oxycodone 40 mg/day 2 tabs", "takes no count"),
    ("oxycodone 5 mg 2 tabs 3 tabs", "two doses"),
    ("oxycodone 5 mg 0 tabs", "must be positive, not '0'"),
    ("oxycodone 5 mg 1/0 tab", "must be positive, not '0'"),
    ("oxycodone 5 mg 2 drops", "'2 drops': a drop's volume depends on the dropper"),
    ("oxycodone 5 mg 2", "cannot read '2'"),
    ("oxycodone 5 mg mg", "unit 'mg' without a number"),
    ("oxycodone 5 mg tablet patch", "two forms: 'tablet' and 'patch'"),
    ("oxycodone 5 mg IV po", "two routes: 'intravenous' and 'oral'"),
    ("oxycodone ER 5 mg IR", "two releases"),
    ("fentanyl nasal spray 100 mcg IV", "two routes"),
    ("oxycodone 5 mg @ q6h", "cannot read '@'"),
    ("oxycodone 5 mg q6h\nmorphine 10 mg", "cannot read 'morphine'"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[repr(t) for t, _ in ERRORS])
def test_error(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    text_of_error = str(caught.value)
    assert message in text_of_error
    assert f"Expected: {GRAMMAR}" in text_of_error
    assert "\n" not in text_of_error  # one line, even for text with newlines


def test_errors_are_value_errors_and_mme_errors() -> None:
    with pytest.raises(ValueError, match="no unit"):
        parse_expression("oxycodone 5")
    with pytest.raises(MMEError, match="no unit"):
        parse_expression("oxycodone 5")


def test_non_text_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="is text"):
        parse_expression(5)  # type: ignore[arg-type]


def test_the_docstring_examples_hold() -> None:
    result = doctest.testmod(mme._parse, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


# --- properties ---


def _parse_or_mme_error(text: str) -> None:
    try:
        expr = parse_expression(text)
    except MMEError as error:
        message = str(error)
    else:
        check_expression(expr, text)
        return
    assert message.endswith(f"Expected: {GRAMMAR}")


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_an_mme_error(text: str) -> None:
    _parse_or_mme_error(text)


_SOUP_WORDS = [
    *("oxycodone", "morphine sulfate", "OxyContin", "hydrocodone/acetaminophen", "Percocet", "oxycodone/morphine"),
    *("fentanyl", "acetaminophen", "foo", "with", "+", "/", "-", "−", ",", ".", "(", ")", "#", "per", "x", "×"),
    *("0", "1", "2", "3", "4", "6", "24", "5/325", "1/2", "½", "2,5", ".5", "0.0", "1,000", "1e400", "1e-400"),
    *("-3", "nan", "inf", "mg", "mcg", "µg", "ug", "g", "kg", "mL", "ml", "mcg/h", "mg/mL", "mg/5mL", "mg/day"),
    *("mg/d", "mcg/spray", "h", "hr", "hours", "d", "day", "days", "daily", "a", "times", "time", "fois", "par"),
    *("jour", "toutes", "les", "heures", "every", "q", "q6h", "q4-6h", "q72h", "bid", "b.i.d.", "tid", "qid", "qhs"),
    *("once", "twice", "to", "other", "hourly", "prn", "as", "needed", "tab", "tabs", "tablet", "capsule", "patch"),
    *("spray", "sprays", "film", "lozenge", "drops", "solution", "nasal", "nasal spray", "buccal film", "po", "IV"),
    *("SL", "in", "by", "mouth", "ER", "IR", "LA", "SR", "extended-release", "extended", "release", "transdermal"),
]  # fmt: skip


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_SOUP_WORDS), st.sampled_from(["", " ", "  "])), max_size=14))
def test_token_soups_parse_or_raise_an_mme_error(soup: list[tuple[str, str]]) -> None:
    _parse_or_mme_error("".join(word + gap for word, gap in soup))


_DRUGS = [  # any amount: no combination brand, whose one amount must be a strength it comes in
    "oxycodone", "morphine sulfate", "OxyContin", "hydromorphone", "fentanyl", "oxycodone/acetaminophen",
    "hydrocodone/acetaminophen", "tramadol", "methadone", "Dilaudid", "codeine phosphate", "MS Contin",
    "acetaminophen/codeine",
]  # fmt: skip
_UNITS = [
    ("mg", "mg"), ("mcg", "mcg"), ("µg", "mcg"), ("ug", "mcg"), ("g", "g"), ("mcg/h", "mcg/h"), ("mcg/hr", "mcg/h"),
    ("mcg per hour", "mcg/h"), ("mg/mL", "mg/mL"), ("mg/ml", "mg/mL"), ("mg/day", "mg/day"), ("mg/d", "mg/day"),
    ("mcg/day", "mcg/day"),
]  # fmt: skip
_COUNTS = [("tab", "tablet"), ("tabs", "tablet"), ("tablets", "tablet"), ("capsule", "capsule"), ("caps", "capsule"),
           ("patch", "patch"), ("sprays", "spray"), ("film", "film"), ("lozenge", "lozenge")]  # fmt: skip
_ROUTES = [("po", "oral"), ("IV", "intravenous"), ("SL", "sublingual"), ("buccal", "buccal"), ("nasal", "nasal"),
           ("transdermal", "transdermal"), ("rectal", "rectal"), ("sc", "subcutaneous"), ("i.m.", "intramuscular")]  # fmt: skip
_RELEASES = [("ER", "ER"), ("SR", "ER"), ("LA", "ER"), ("XR", "ER"), ("extended-release", "ER"), ("IR", "IR")]
_FREQUENCIES: list[tuple[str, float | None, float | None]] = [
    ("bid", 2, None), ("tid", 3, None), ("qid", 4, None), ("daily", 1, None), ("once daily", 1, None),
    ("twice a day", 2, None), ("3 times a day", 3, None), ("3x/day", 3, None), ("5/day", 5, None), ("qhs", 1, None),
    ("q6h", None, 6), ("q 8 h", None, 8), ("every 12 hours", None, 12), ("q4-6h", None, 4), ("q72h", None, 72),
    ("every 3 days", None, 72), ("q 2.5 hr", None, 2.5),
]  # fmt: skip
_AMOUNTS = st.one_of(st.integers(1, 2000).map(float), st.integers(1, 9999).map(lambda n: n / 100))


def _number_text(value: float, comma: bool) -> str:
    text = str(int(value)) if value.is_integer() else f"{value:g}"
    return text.replace(".", ",") if comma and len(text.partition(".")[2]) != 3 else text


@st.composite
def _expressions(draw: st.DrawFn) -> tuple[str, Expression]:
    """A valid expression built from parts, and what it must read as."""
    drug = draw(st.sampled_from(_DRUGS))
    amount = draw(_AMOUNTS)
    unit_text, unit = draw(st.sampled_from(_UNITS))
    fields: dict[str, Any] = {}
    if drug == "Percocet":  # one amount with a combination brand is one the brand has of its opioid
        amount, unit_text, unit = draw(st.sampled_from([2.5, 5.0, 7.5, 10.0])), "mg", "mg"
    head: list[str] = [drug]
    tail: list[str] = []
    amounts: list[str] = []  # the parts of `tail` that say an amount taken at once
    frequency = None
    release = draw(st.none() | st.sampled_from(_RELEASES))
    if release is not None:
        fields["release"] = release[1]
        (head if draw(st.booleans()) else tail).append(release[0])
    head.append(f"{_number_text(amount, draw(st.booleans()))}{draw(st.sampled_from(['', ' ']))}{unit_text}")
    volume = draw(_AMOUNTS)
    held = volume * amount * {"mcg": 0.001, "mg": 1.0, "g": 1000.0}[unit.split("/")[0]]  # mg of the opioid
    if unit.endswith("/mL") and held <= _MOST_UNSAID_MG and draw(st.booleans()):  # more may be a bottle (test_sigs)
        verb = volume > _MOST_UNSAID["volume"]  # so may a larger volume with no verb before it
        tail.append(f"{'take ' * verb}{_number_text(volume, False)} mL")
        amounts.append(tail[-1])
        fields["volume"] = f"{_number_text(volume, False)} mL"
    if not unit.endswith("/day"):
        if draw(st.booleans()):
            count = draw(st.sampled_from([1.0, 2.0, 3.0, 0.5]))
            per_ml = unit.endswith("/mL")  # a strength per mL counts no solid units
            word, fields["form"] = draw(
                st.sampled_from([c for c in _COUNTS if not per_ml or c[1] not in _vocab.SOLID_FORMS])
            )
            tail.append(f"{'1/2' if count == 0.5 else int(count)} {word}")
            amounts.append(tail[-1])
            fields["count"] = count
        frequency = draw(st.none() | st.sampled_from(_FREQUENCIES))
        if frequency is not None:
            tail.append(frequency[0])
            fields["per_day"] = None if frequency[1] is None else float(frequency[1])
            fields["every_hours"] = None if frequency[2] is None else float(frequency[2])
    route = draw(st.none() | st.sampled_from(_ROUTES))
    if route is not None:
        tail.append(route[0])
        fields["route"] = route[1]
    infused = unit.endswith(("/day", "/h")) and route is not None and route[1] in _vocab.PARENTERAL
    if not infused and draw(st.booleans()):  # an infusion is not taken as needed (test_sigs)
        tail.append("prn")
        fields["as_needed"] = True
    order = draw(st.permutations(tail))
    if "prn" in order and frequency is not None and any(order.index(p) > order.index("prn") for p in amounts):
        order.remove("prn")  # an amount after the frequency and "prn" may be the quantity supplied (test_sigs)
        order.append("prn")
    text = " ".join(head + order)
    return text, Expression(text=text, drug=drug, dose=f"{amount:g} {unit}", **fields)


@settings(max_examples=500)
@given(_expressions())
def test_valid_expressions_round_trip(case: tuple[str, Expression]) -> None:
    text, expected = case
    parsed = parse_expression(text)
    check_expression(parsed, text)
    number, unit = parsed.dose.split(" ")
    expected_number, expected_unit = expected.dose.split(" ")
    assert (float(number), unit) == (float(expected_number), expected_unit)
    # what ranges are and say: test_sigs; a verb is said as ignored text where it follows another part
    read = dataclasses.replace(parsed, ranges=(), notes=(), ignored=tuple(w for w in parsed.ignored if w != "take"))
    assert read == Expression(**{**_fields(expected), "dose": parsed.dose})


def _fields(expr: Expression) -> dict[str, Any]:
    return {name: getattr(expr, name) for name in Expression.__dataclass_fields__}


@given(_expressions())
def test_the_parsed_dose_reads_back_the_same(case: tuple[str, Expression]) -> None:
    """The normalised dose is itself valid grammar: reading "DRUG DOSE" gives the same dose."""
    parsed = parse_expression(case[0])
    again = parse_expression(f"{parsed.drug} {parsed.dose}")
    assert again.dose == parsed.dose


@given(st.text(st.sampled_from("ab1.,(s)/-½ \t\n\u00a0\u2009\u3000\x1c\x85é"), max_size=30))
def test_a_text_is_read_run_by_run_as_it_is_whole(text: str) -> None:
    """No token spans a space, so the tokens of each run of non-space characters (memoised) are the text's."""
    try:
        toks, keys, nums, words, starts, ends = mme._parse._lexed(text)
    except MMEError:
        return
    matches = mme._parse._TOKEN.finditer(text)
    whole = [(m[0], m.start(), m.end()) for m in matches for _ in range(3 if m.lastgroup == "fraction" else 1)]
    assert len(keys) == len(nums) == len(words) == len(toks) + mme._parse._PAD
    assert len(starts) == len(ends) == len(toks)
    assert list(keys[: len(toks)]) == [t.key for t in toks]
    assert list(zip(nums, words, strict=True))[: len(toks)] == [(t.kind == "num", t.kind == "word") for t in toks]
    if not {"half", "(", "and"} & {w.lower() for w, _, _ in whole}:  # nothing for `_merge` to join ("1(1)" is one)
        assert list(zip([t.text for t in toks], starts, ends, strict=True)) == whole


@pytest.mark.parametrize(
    "text",
    ["foo 5 q6h", "foo/acetaminophen 5/325 mg q6h", "oxycodone 5 MG Oral Tablet [Foo] 1 tab q6h", "foo-bar 5 mg q6h"],
)
def test_the_reader_asks_of_a_name_without_searching_close_names(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a word names a drug is a look-up; the slow search for close names is for an error's message only."""
    expected: object
    try:
        expected = parse_expression(text)
    except ExpressionError as e:
        expected = str(e)
    mme.clear_caches()

    def search(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("close names searched")

    monkeypatch.setattr(difflib, "get_close_matches", search)
    try:
        got: object = parse_expression(text)
    except ExpressionError as e:
        got = str(e)
    assert got == expected


# -- counts: each number of a count checked, and the amount restated beside it --


def test_a_zero_in_a_clock_time_before_the_count_is_not_the_count() -> None:
    """Only the count's own numbers are checked as a count: the '00' of '8:00' said before it is a minute."""
    parsed = parse_expression("oxycodone 5 mg tablet, at 8:00 and 20:00 take 1 tab")
    assert (parsed.count, parsed.per_day, parsed.ignored) == (1.0, 2.0, ("8:00 and 20:00",))


def test_a_count_too_large_for_a_number_is_named_as_typed() -> None:
    """A count that overflows is refused quoting the number typed, not the count around it."""
    with pytest.raises(ExpressionError, match=r"^'1e400' is not a finite number in "):
        parse_expression("oxycodone 5 mg 1e400 tabs q6h")


def test_a_count_range_whose_high_end_overflows_is_refused() -> None:
    """Each end of a range is checked: a fraction of finite numbers that overflows ('1e300/1e-10') is no count."""
    with pytest.raises(ExpressionError, match=r"^count '1 to 1e300/1e-10' must be positive and finite in "):
        parse_expression("oxycodone 5 mg 1 to 1e300/1e-10 tab q6h")


@pytest.mark.parametrize("end", ["max", "min"])
def test_two_amounts_in_brackets_are_not_a_restated_range(end: RangeChoice) -> None:
    """ "(5 mg 10 mg)" has no '-' or 'to' between its amounts: it is not the count restated as 5 to 10 mg (whose
    low end the single tablet would match)."""
    with pytest.raises(ExpressionError, match=r"^two doses: '1 tab' and '5 mg' in "):
        parse_expression("oxycodone 5 mg 1 tab (5 mg 10 mg) q6h", range=end)


@pytest.mark.parametrize(
    ("text", "dose"),
    [
        ("fentanyl 25 mcg/h patch, apply 1 patch (25 mcg/h) every 72 hours", "25 mcg/h"),
        ("oxycodone 5 mg 1 tab (5000 mcg) q6h", "5 mg"),
    ],
)
@pytest.mark.parametrize("end", ["max", "min"])
def test_an_amount_restated_in_mcg_is_compared_in_mg(text: str, dose: str, end: RangeChoice) -> None:
    """The amount in brackets is converted to mg, at either end read, before it is compared with what the count
    holds."""
    parsed = parse_expression(text, range=end)
    assert (parsed.dose, parsed.count) == (dose, 1.0)


def test_the_high_end_of_a_restated_amount_range_must_be_positive() -> None:
    """ "(5-0 mg total)": the second amount is checked as the first is, and named as an amount."""
    with pytest.raises(ExpressionError, match=r"^an amount must be positive, not '0' in "):
        parse_expression("oxycodone 5 mg 1-2 tabs (5-0 mg total) q6h")


# -- brands: a bracket is a brand only when its words are a known brand --


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        ("tramadol 100 MG Extended Release Oral Tablet [Ryzolt] 1 tab daily", ("the brand [Ryzolt] is known only from RxNorm's products; read as the tramadol named",)),
        ("oxycodone 5 MG Oral Tablet [Roxicodone] 1 tab q6h", ()),
    ],
)  # fmt: skip
def test_a_brand_only_rxnorm_knows_is_said_in_a_note(text: str, notes: tuple[str, ...]) -> None:
    """RxNorm's brands the lexicon does not read ("[Ryzolt]", from the shipped product file) are brands: the product
    is read from the name before it, and the note says so; a brand the lexicon reads needs none."""
    parsed = parse_expression(text)
    assert (parsed.dose, parsed.notes) == (text.split()[1] + " mg", notes)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("oxycodone 5 mg tab [Hycodan] 1 tab q6h", "the brand [Hycodan] is hydrocodone (RxNorm), not oxycodone"),
        ("oxycodone 5 mg tab [Capital and Codeine] 1 tab q6h", "the brand [Capital and Codeine] is codeine (RxNorm), "
         "not oxycodone"),
        ("morphine 15 mg tab [Ultiva] 1 tab q6h", "the brand [Ultiva] is remifentanil (RxNorm), not morphine"),
        ("oxycodone 5 mg tab [Imodium] 1 tab q6h", "the brand [Imodium] is loperamide (RxNorm), not oxycodone"),
    ],
)  # fmt: skip
def test_a_brand_only_rxnorm_knows_must_be_the_drug_named(text: str, problem: str) -> None:
    """Were read as the drug named (30 MME/day for oxycodone 5 mg q6h), with a note that the brand was not known."""
    with pytest.raises(ExpressionError, match=f"^{re.escape(problem)} in "):
        parse_expression(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("oxycodone 80 mg tab [Percocet] 1 tab q6h", "'80 mg' is not a strength of [Percocet] in RxNorm's products "
         "(2.5, 5, 7.5, 10 mg): check the strength and the brand"),
        ("hydromorphone 16 mg tab [Dilaudid] 1 tab q6h", "'16 mg' is not a strength of [Dilaudid] in RxNorm's products "
         "(2, 4, 8 mg)"),
        ("tapentadol 500 mg tab [Nucynta] 1 tab q6h", "'500 mg' is not a strength of [Nucynta]"),
        ("oxycodone 5 mg tab [Xtampza] 1 tab q6h", "'5 mg' is not a strength of [Xtampza]"),
        ("morphine 20 mg/mL [Infumorph] 0.5 mL q4h", "'20 mg/mL' is not a strength of [Infumorph] in RxNorm's products "
         "(10, 25 mg/ml)"),
        ("fentanyl 37 mcg/h patch [Duragesic] q72h", "'37 mcg/h' is not a strength of [Duragesic]"),
    ],
)  # fmt: skip
def test_a_brands_strength_must_be_one_rxnorm_gives_it(text: str, problem: str) -> None:
    """Were read at the amount written (480 MME/day for oxycodone 80 mg q6h as [Percocet], whose tablets hold 2.5 to
    10 mg): the brand or the strength is wrong."""
    with pytest.raises(ExpressionError, match=f"^{re.escape(problem)}"):
        parse_expression(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hydrocodone 5 mg tab [Hycodan] 1 tab q6h", 20.0),  # 5 x 4 x 1
        ("fentanyl 12 mcg/h patch [Duragesic] q72h", 28.8),  # RxNorm's 0.012 mg/hr; 12 x 2.4
        ("hydromorphone 5 mg/5 mL [Dilaudid] 5 mL q4h", 150.0),  # 1 mg/mL: 5 mg x 6 x 5
    ],
)
def test_a_brands_strength_rxnorm_gives_it_reads(text: str, expected: float) -> None:
    assert mme.convert(text, table="cdc-2022").mme_per_day == expected


@pytest.mark.parametrize("text", ["morphine 10 mg/mL [Infumorph] 0.5 mL q4h", "morphine 1 mg/mL [Duramorph] 2 mL q4h"])
def test_a_brand_rxnorm_sells_only_as_an_injection_needs_its_route(text: str) -> None:
    """Was read as oral morphine (30 and 12 MME/day under cdc-2022): Infumorph and Duramorph are injected only."""
    brand = text.split("[")[1].split("]", maxsplit=1)[0]
    with pytest.raises(ExpressionError, match=rf"^the brand \[{brand}\] is an injection \(RxNorm\): give its route"):
        parse_expression(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("morphine 1 mg/mL [Duramorph] 2 mL IV q4h", 36.0), ("morphine 10 mg/mL [Infumorph] 0.5 mL SC q4h", 90.0)],
)
def test_an_injected_brand_with_its_route_reads(text: str, expected: float) -> None:
    """2 mg x 6 x 3 and 5 mg x 6 x 3 (anzca-2021, morphine IV/SC)."""
    assert mme.convert(text, table="anzca-2021").mme_per_day == expected


def test_a_bracket_naming_no_brand_is_read_as_the_sig() -> None:
    """ "[Foo]" is no brand: its words are read as the sig's, as "(Foo)" would be, never dropped as an unknown brand."""
    with pytest.raises(ExpressionError, match=r"^cannot read 'Foo' in "):
        parse_expression("oxycodone 5 MG Oral Tablet [Foo] 1 tab q6h")


# -- amounts: a range of amounts with its unit said once ("5-10 mg") --


def test_a_dash_with_no_number_after_it_is_no_amount_range() -> None:
    """ "5-? mg" has no high end: the 5 is refused as an amount without a unit, not read as a range."""
    with pytest.raises(ExpressionError, match=r"^no unit after '5' in "):
        parse_expression("oxycodone 5-? mg q6h")


@pytest.mark.parametrize("text", ["oxycodone 10-20 mg per 5 mL 5 mL q4h", "oxycodone 5-10 mg per day"])
def test_per_after_an_amount_range_reads_as_a_slash_does(text: str) -> None:
    """ "10-20 mg per 5 mL" is a concentration's range as "10-20 mg/5 mL" is, not a range of amounts followed by
    a stray word: both are read (here refused) alike."""
    slashed = text.replace(" per ", "/")
    with pytest.raises(ExpressionError) as per:
        parse_expression(text)
    with pytest.raises(ExpressionError) as slash:
        parse_expression(slashed)
    assert str(per.value).replace(text, "") == str(slash.value).replace(slashed, "")


def test_the_high_end_of_an_amount_range_must_be_positive() -> None:
    """ "5-0 mg": the second amount is the dose's high end, refused as the dose."""
    with pytest.raises(ExpressionError, match=r"^the dose must be positive, not '0' in "):
        parse_expression("oxycodone 5-0 mg q6h")


def test_an_amount_range_too_wide_asks_for_the_components_or_the_strength() -> None:
    """ "hydrocodone 10-325 mg" may be a combination's strengths: the message says what to write instead."""
    expected = (
        "'10-325 mg' may be a combination's strengths, not a range of amounts: name the components (e.g. "
        "'hydrocodone/acetaminophen 10/325 mg') or the product's strength in "
    )
    with pytest.raises(ExpressionError, match="^" + re.escape(expected)):
        parse_expression("hydrocodone 10-325 mg q6h")


def test_an_amount_range_is_listed_among_the_ranges_read() -> None:
    """ "5-10 mg" is a range the caller may want to see read at its other end: it is listed as typed."""
    assert parse_expression("oxycodone 5-10 mg q6h").ranges == ("5-10 mg",)


def test_amounts_with_no_unit_under_a_single_name_quote_the_amounts() -> None:
    """ "hydrocodone 10/325": which amount is the opioid's is unknown, and the message says which amounts."""
    with pytest.raises(
        ExpressionError,
        match=r"^'hydrocodone' does not name its components, so which amount of "
        r"'10/325' is the opioid's is unknown ",
    ):
        parse_expression("hydrocodone 10/325 1 tab q6h")


def test_a_volume_with_no_strength_asks_for_the_strength_by_example() -> None:
    """ "Tussionex 10 mL": how much opioid is in 10 mL is unknown; the message shows a strength before a volume."""
    expected = (
        "'10 mL' is a volume with no strength before it: give the product's strength (e.g. 'morphine 10 mg/5 mL "
        "5 mL q4h') in "
    )
    with pytest.raises(ExpressionError, match="^" + re.escape(expected)):
        parse_expression("Tussionex 10 mL q12h")


# -- names: a bracket ending the drug name --


def test_a_bracket_after_the_dose_is_not_the_names_bracket() -> None:
    """Only a bracket closing before the dose can be the name's brand: the "(1 tab)" after it is the count."""
    parsed = parse_expression("oxycodone (Roxicodone) 5 mg (1 tab) q6h")
    assert (parsed.drug, parsed.dose, parsed.count, parsed.form) == ("oxycodone", "5 mg", 1.0, "tablet")


def test_a_bracket_longer_than_a_brand_is_no_brand() -> None:
    """A bracket of up to three tokens ending the name is read as its brand, "(hydrocodone/acetaminophen)" too; a
    longer one stays in the name, which then names no known product and is refused rather than guessed."""
    parsed = parse_expression("Norco (hydrocodone/acetaminophen) 10/325 mg 1 tab q6h")
    assert (parsed.drug, parsed.dose) == ("Norco", "10 mg")
    with pytest.raises(ExpressionError, match=r"^unknown component 'Norco \(hydrocodone bitartrate' of "):
        parse_expression("Norco (hydrocodone bitartrate/acetaminophen) 10/325 mg 1 tab q6h")


# -- names: words before the name --


@pytest.mark.parametrize("text", ["Sig: oxycodone 5 mg q6h", "the oxycodone 5 mg q6h"])
def test_a_filler_word_before_the_name_is_not_the_name(text: str) -> None:
    """ "Sig:", "the" before the name say nothing of the product: the name is what follows."""
    assert parse_expression(text).drug == "oxycodone"


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("a oxycodone 5 mg q6h", "a oxycodone"),  # "a" is not skipped before a name
        ("for oral solution morphine 10 mg/5 mL 5 mL q4h", "for oral solution morphine"),  # three words: kept
    ],
)
def test_words_not_skipped_before_the_name_stay_in_it(text: str, drug: str) -> None:
    """What is not skipped before the name stays in it, so that a name no table knows is refused by name when
    converted ("unknown drug 'sig'"), never read as another drug."""
    assert parse_expression(text).drug == drug


def test_a_word_that_starts_a_sig_alone_is_no_name() -> None:
    with pytest.raises(ExpressionError, match=r"^no drug name before 'sig 5'"):  # never read as another drug
        parse_expression("sig 5 mg q6h")


def test_a_minus_glued_to_the_amount_after_rxnorms_leading_period_is_a_negative_number() -> None:
    """ "12 HR-5 MG": RxNorm's "12 HR" is no name, so the "-" glued to the 5 is its sign, refused as such."""
    with pytest.raises(ExpressionError, match=r"^negative number '-5' in "):
        parse_expression("12 HR-5 MG Oxycodone Hydrochloride Extended Release Oral Tablet")

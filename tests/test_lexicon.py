"""The lexicon (`mme._vocab`) holds each word once; every entry is accepted by every entry point that should.

Each test walks one word list and checks the reading through `convert` (the sig reader), `daily_mme`
(the keyword arguments) and the hypothesis strategies of `mme.testing`, so a word added to the lexicon
cannot be read by one door and refused by another.
"""

from __future__ import annotations

import warnings

import pytest

import mme
from mme import _vocab
from mme._parse import parse_expression
from mme.testing import _strategies

#: mg in one unit of each canonical mass, mL in one of each canonical volume.
MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}
ML = {"mL": 1.0, "L": 1000.0}


def quiet_daily(*args: object, **kwargs: object) -> mme.DailyMME:
    """`daily_mme`, with its implausibility warnings (mcg and g doses of oxycodone) silenced: the reading is checked."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)
        return mme.daily_mme(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("spelling", "unit"), _vocab.MASS_UNITS.items())
def test_every_mass_spelling_is_read_by_both_doors(spelling: str, unit: str) -> None:
    assert parse_expression(f"oxycodone 10 {spelling} q6h").dose == f"10 {unit}"
    # 10 units x 4 a day, in mg
    assert quiet_daily("oxycodone", f"10 {spelling}", per_day=4).daily_dose == pytest.approx(40 * MG[unit])


@pytest.mark.parametrize(("spelling", "unit"), _vocab.VOLUME_UNITS.items())
def test_every_volume_spelling_is_read_by_the_doors_that_take_it(spelling: str, unit: str) -> None:
    # morphine 2 mg/mL, 5 mL (or 0.005 L) every 4 hours: 10 mg x 6 = 60 mg/day, factor 1
    volume = f"{5 / ML[unit]:g} {spelling}"
    assert mme.daily_mme("morphine", "2 mg/mL", volume=volume, every=4).mme_per_day == pytest.approx(60.0)
    assert mme.daily_mme("morphine", f"10 mg/5 {spelling}", volume="5 mL", every=4).daily_dose == pytest.approx(
        60.0 / ML[unit]
    )  # a concentration per 5 of the unit
    if unit == "mL":  # a sig says its volumes in mL; litres are the engine's only
        assert mme.convert(f"morphine 2 mg/mL 5 {spelling} q4h").mme_per_day == pytest.approx(60.0)
    else:
        with pytest.raises(
            mme.ExpressionError, match=rf"^cannot read '5 {spelling}': a number after the dose is a count"
        ):
            parse_expression(f"morphine 2 mg/mL 5 {spelling} q4h")


@pytest.mark.parametrize("word", sorted(_vocab.HOUR_WORDS))
def test_every_hour_word_is_a_patch_rate_and_an_interval(word: str) -> None:
    # fentanyl 25 mcg/h patch x 2.4 (cdc-2022) = 60
    assert mme.convert(f"fentanyl 25 mcg/{word}").mme_per_day == pytest.approx(60.0)
    assert mme.daily_mme("fentanyl", f"25 mcg/{word}").mme_per_day == pytest.approx(60.0)
    # oxycodone 10 mg every 6 hours: 40 mg x 1.5
    assert mme.convert(f"oxycodone 10 mg q 6 {word}").mme_per_day == pytest.approx(60.0)


@pytest.mark.parametrize("word", sorted(_vocab.DAY_WORDS))
def test_every_day_word_is_a_daily_total(word: str) -> None:
    # oxycodone 40 mg a day x 1.5
    assert mme.convert(f"oxycodone 40 mg/{word}").mme_per_day == pytest.approx(60.0)
    assert mme.daily_mme("oxycodone", f"40 mg/{word}").mme_per_day == pytest.approx(60.0)


@pytest.mark.parametrize(("code", "times"), _vocab.PER_DAY_CODES.items())
def test_every_frequency_code_is_read_by_every_door(code: str, times: int) -> None:
    # oxycodone 10 mg x times a day x 1.5
    expected = 10 * times * 1.5
    assert mme.convert(f"oxycodone 10 mg {code}").mme_per_day == pytest.approx(expected)
    assert mme.daily_mme("oxycodone", "10 mg", per_day=code).mme_per_day == pytest.approx(expected)
    assert (code, None, float(times)) in _strategies._FREQUENCIES
    if code in _vocab.TIMES_A_DAY_CODES:
        assert (code, float(times)) in _strategies._TEXT_FREQUENCIES


@pytest.mark.parametrize(("phrase", "fixed"), _vocab.FREQUENCY_WORDS.items())
def test_every_frequency_phrase_is_read_as_the_lexicon_says(phrase: str, fixed: _vocab.Fixed) -> None:
    e = parse_expression(f"oxycodone 5 mg tablet 1 tab {phrase}")
    assert (e.per_day, e.every_hours) == (fixed.per_day, fixed.every)


@pytest.mark.parametrize(("word", "value"), _vocab.NUMBER_WORDS.items())
def test_every_number_word_counts(word: str, value: float) -> None:
    assert parse_expression(f"oxycodone 5 mg tablet take {word} tabs q6h").count == value


@pytest.mark.parametrize("noun", sorted(_vocab.PRODUCT_UNITS | _vocab.PILLS))
def test_every_count_noun_counts_the_product(noun: str) -> None:
    assert parse_expression(f"oxycodone 5 mg tablet 2 {noun} q6h").count == 2.0


@pytest.mark.parametrize("verb", sorted(_vocab.SIG_VERBS))
def test_every_sig_verb_carries_no_dose(verb: str) -> None:
    e = parse_expression(f"oxycodone 5 mg tablet {verb} 1 tab q6h")
    assert (e.count, e.every_hours) == (1.0, 6.0)


@pytest.mark.parametrize("phrase", sorted(_vocab.TIMES_OF_DAY))
def test_every_time_of_day_is_one_administration(phrase: str) -> None:
    assert parse_expression(f"oxycodone 5 mg tablet 1 tab {phrase}").per_day == 1.0


@pytest.mark.parametrize("phrase", sorted(_vocab.AS_NEEDED))
def test_every_as_needed_phrase_is_a_flag(phrase: str) -> None:
    expression = parse_expression(f"oxycodone 5 mg tablet 1 tab q6h {phrase}")
    assert (expression.as_needed, expression.every_hours) == (True, 6.0)  # the flag, the frequency read as before


@pytest.mark.parametrize("phrase", sorted(_vocab.EACH_NOSTRIL))
def test_every_nostril_phrase_doubles_the_count(phrase: str) -> None:
    e = parse_expression(f"fentanyl 100 mcg/spray 1 spray {phrase} q4h")
    assert (e.count, e.route) == (2.0, "nasal")


@pytest.mark.parametrize(
    ("drug", "rate"),
    [(d, r) for d, rates in _vocab.PATCH_RATES.items() for r in sorted(rates)],
)
def test_every_patch_rate_names_a_brand_s_strength(drug: str, rate: float) -> None:
    brand = {"fentanyl": "Duragesic", "buprenorphine": "Butrans"}[drug]
    result = mme.convert(f"{brand} {rate:g}", table="cms-2018")  # buprenorphine: excluded, with its reason
    assert result.expression is not None
    assert (result.expression.dose, result.form) == (f"{rate:g} mcg/h", "patch")
    same = mme.daily_mme(drug, f"{rate:g} mcg/h", table="cms-2018")
    assert (result.mme_per_day, result.excluded) == (same.mme_per_day, same.excluded)


# "in" is the one route alias the sig reader scopes: only "IN", where a route stands, is intranasal.
_SCOPED = {"in": "butorphanol 1 mg/spray IN q4h"}


@pytest.mark.parametrize(("alias", "route"), _vocab._ROUTE_ALIASES.items())
def test_every_route_alias_is_read_by_both_doors(alias: str, route: str) -> None:
    assert _vocab.resolve_route(alias) == route
    text = _SCOPED.get(alias, f"morphine 10 mg {alias} q6h")
    assert parse_expression(text).route == route


@pytest.mark.parametrize(("alias", "form"), _vocab._FORM_ALIASES.items())
def test_every_form_alias_is_read_by_both_doors(alias: str, form: str) -> None:
    assert _vocab.resolve_form(alias) == form
    assert parse_expression(f"morphine 10 mg {alias} q6h").form == form


@pytest.mark.parametrize(("alias", "release"), _vocab._RELEASE_ALIASES.items())
def test_every_release_alias_is_read_by_both_doors(alias: str, release: str) -> None:
    assert _vocab.resolve_release(alias) == release
    assert parse_expression(f"morphine 10 mg {alias} q6h").release == release

"""Names people type resolve to canonical ingredients, routes, forms and releases."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mme
from mme import _vocab
from mme._vocab import (
    DRUGS,
    FORMS,
    ROUTES,
    form_release,
    form_route,
    known_names,
    resolve_drug,
    resolve_form,
    resolve_release,
    resolve_route,
)

BRANDS = {
    "OxyContin": "oxycodone", "Percocet": "oxycodone", "Norco": "hydrocodone", "Vicodin": "hydrocodone",
    "Dilaudid": "hydromorphone", "MS Contin": "morphine", "Duragesic": "fentanyl", "Durogesic": "fentanyl",
    "Nucynta": "tapentadol", "Palexia": "tapentadol", "Ultram": "tramadol", "Butrans": "buprenorphine",
    "Norspan": "buprenorphine", "Belbuca": "buprenorphine", "Actiq": "fentanyl", "Fentora": "fentanyl",
    "Abstral": "fentanyl", "Subsys": "fentanyl", "Lazanda": "fentanyl", "Demerol": "meperidine",
    "Dolophine": "methadone", "Opana": "oxymorphone", "Skenan": "morphine", "Actiskenan": "morphine",
    "Oxynorm": "oxycodone", "Topalgic": "tramadol", "Contramal": "tramadol", "Dafalgan codeine": "codeine",
}  # fmt: skip


@pytest.mark.parametrize(("brand", "drug"), BRANDS.items())
def test_brand_names_resolve(brand: str, drug: str) -> None:
    assert resolve_drug(brand).drug == drug
    assert resolve_drug(f"  {brand.upper()} ").drug == drug


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("oxycodone hydrochloride", "oxycodone"),
        ("morphine sulfate", "morphine"),
        ("morphine sulphate", "morphine"),
        ("hydrocodone bitartrate", "hydrocodone"),
        ("pethidine", "meperidine"),
        ("dextropropoxyphene", "propoxyphene"),
        ("hydrocodone/acetaminophen", "hydrocodone"),
        ("oxycodone/paracetamol", "oxycodone"),
        ("codeine + acetaminophen", "codeine"),
        ("tramadol with acetaminophen", "tramadol"),
        ("morphine hcl", "morphine"),
    ],
)
def test_generic_salt_and_combination_names(name: str, drug: str) -> None:
    assert resolve_drug(name).drug == drug


def test_brands_carry_route_form_release() -> None:
    patch = resolve_drug("Duragesic")
    assert (patch.route, patch.form) == ("transdermal", "patch")
    assert resolve_drug("OxyContin").release == "ER"
    assert resolve_drug("Lazanda").route == "nasal"


@pytest.mark.parametrize(
    ("text", "route"),
    [("IV", "intravenous"), ("intravenous", "intravenous"), ("SL", "sublingual"), ("po", "oral"),
     ("patch", "transdermal"), ("nasal spray", "nasal"), ("SC", "subcutaneous"), ("IM", "intramuscular"),
     ("buccal", "buccal"), ("PR", "rectal")],
)  # fmt: skip
def test_routes_people_type(text: str, route: str) -> None:
    assert resolve_route(text) == route


@pytest.mark.parametrize(
    ("text", "form"),
    [("tab", "tablet"), ("ER tablet", "tablet"), ("caps", "capsule"), ("nasal spray", "spray"), ("patch", "patch"),
     ("troche", "lozenge"), ("oral solution", "solution"), ("supp", "suppository"), ("buccal film", "film")],
)  # fmt: skip
def test_forms_people_type(text: str, form: str) -> None:
    assert resolve_form(text) == form


def test_form_implies_route_and_release() -> None:
    assert form_route("nasal spray") == "nasal"
    assert form_route("patch") == "transdermal"
    assert form_route("tablet") is None
    assert form_release("ER tablet") == "ER"
    assert form_release("tablet") is None
    assert resolve_release("extended-release") == "ER"
    assert resolve_release("SR") == "ER"
    assert resolve_release("ir") == "IR"


def test_unknown_names_suggest_close_matches() -> None:
    with pytest.raises(mme.UnknownDrugError) as info:
        resolve_drug("hydromorphon")
    assert "hydromorphone" in info.value.suggestions
    with pytest.raises(mme.UnitError, match="Did you mean"):
        resolve_route("intravenus")
    with pytest.raises(mme.UnitError, match="Known forms"):
        resolve_form("gummy")
    with pytest.raises(mme.UnitError, match="unknown release type 'slow'; use IR or ER"):
        resolve_release("slow")


@pytest.mark.parametrize("name", ["morphine IV", "fentanyl nasal", "oxycodone hydrochloride tablets"])
def test_route_and_form_words_are_never_dropped_from_a_drug_name(name: str) -> None:
    """A drug name like "morphine IV" must not silently become oral morphine: route and form have their own arguments."""
    with pytest.raises(mme.UnknownDrugError, match=f"^unknown drug '{name}'"):
        resolve_drug(name)


def test_combinations_need_exactly_one_known_opioid() -> None:
    for name in ("oxycodone/morphine", "acetaminophen/ibuprofen", "oxycodone/unobtainium"):
        with pytest.raises(mme.UnknownDrugError, match=f"^unknown drug '{name}'"):
            resolve_drug(name)


def test_every_table_speaks_the_canonical_vocabulary() -> None:
    for table in mme.list_tables():
        for row in table.rows:
            assert row.drug in DRUGS
            assert set(row.routes) <= ROUTES
            assert set(row.forms) <= FORMS


def test_every_known_name_resolves() -> None:
    names = known_names()
    assert len(names) > 150
    for name in names:
        assert resolve_drug(name).drug in DRUGS


# -- one lexicon: each word list is read by every entry point -------------------------------------------


@pytest.mark.parametrize(("code", "times"), sorted(_vocab.TIMES_A_DAY_CODES.items()))
def test_every_frequency_code_reads_the_same_everywhere(code: str, times: int) -> None:
    """Was: 'bd', 'tds', 'qds' read in expressions but not as per_day (two copies of the codes had drifted)."""
    expected = 10 * times * 1.5
    assert mme.convert(f"oxycodone 10 mg {code}").mme_per_day == expected
    assert mme.daily_mme("oxycodone", "10 mg", per_day=code).mme_per_day == expected
    assert mme.daily_mme("oxycodone", "10 mg", per_day=code.upper()).mme_per_day == expected


@pytest.mark.parametrize("separator", ["/", " / ", "+", " & ", " and ", " with ", " w/ "])
def test_every_combination_separator_reads_the_same_everywhere(separator: str) -> None:
    """Was: 'oxycodone & acetaminophen' parsed, then failed as an unknown drug (three splitters had drifted)."""
    name = f"oxycodone{separator}acetaminophen"
    assert _vocab.resolve_drug(name).drug == "oxycodone"
    assert mme.convert(f"{name} 5/325 mg q6h").mme_per_day == 30.0
    assert mme.daily_mme(name, "5 mg", every="6 h").mme_per_day == 30.0


_NAMES = _vocab._suggested()


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="abcdefghilmnoprstuxyz 0123456789-/", max_size=30),
        st.sampled_from(_NAMES).map(lambda n: n[1:] + "x"),
        st.tuples(st.sampled_from(_NAMES), st.sampled_from(_NAMES)).map(" ".join),
        st.text(max_size=12),
    )
)
def test_suggested_names_are_difflibs_over_every_name(key: str) -> None:
    """The names difflib's cutoff leaves out before it is run are only those it would leave out itself: the same
    suggestions, in the same order, as difflib over all the names ("oxycodon" suggests oxycodone)."""
    assert _vocab.closest_drugs.__wrapped__(key) == tuple(difflib.get_close_matches(key, _NAMES, n=3, cutoff=0.6))


def test_an_unknown_name_suggests_the_near_ones() -> None:
    assert _vocab.closest_drugs.__wrapped__("oxycodon")[0] == "oxycodone"
    assert _vocab.closest_drugs.__wrapped__("zzzz") == ()

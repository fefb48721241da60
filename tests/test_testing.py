"""mme.testing: every strategy generates what it promises, the helpers fail readably, inputs shrink."""

from __future__ import annotations

import importlib
import math
import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import mme
import mme.testing as mt
from mme._units import amount
from mme._vocab import FORM_ROUTES, resolve_drug

ROOT = Path(__file__).resolve().parents[1]
TABLES = [t.slug for t in mme.list_tables()]
FIND = settings(database=None, max_examples=2000, derandomize=True, phases=[Phase.generate, Phase.shrink])
EXISTS = settings(FIND, phases=[Phase.generate])  # find an example, no need to shrink it
EACH_TABLE = settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])


def covered_by(table: mme.Table, name: str) -> bool:
    """The table has a row (or an exclusion) for the drug a name means, at the route/form it implies."""
    dn = resolve_drug(name)
    for row in table.rows_for(dn.drug):
        route_fits = dn.route is None or dn.route in row.routes
        form_fits = dn.form is None or not row.forms or dn.form in row.forms
        if route_fits and form_fits and (dn.form not in FORM_ROUTES or not FORM_ROUTES[dn.form].isdisjoint(row.routes)):
            return True
    return any(
        ex.drug == dn.drug and (not ex.routes or dn.route is None or dn.route in ex.routes) for ex in table.excluded
    )


# -- import isolation ----------------------------------------------------------------------------


def test_only_importing_mme_testing_imports_hypothesis() -> None:
    code = (
        "import mme, sys; assert 'hypothesis' not in sys.modules, 'import mme imported hypothesis'\n"
        "import mme.testing; assert 'hypothesis' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_hypothesis_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # what `import hypothesis` meets when it is missing
    monkeypatch.delitem(sys.modules, "mme.testing")
    with pytest.raises(ImportError, match=re.escape('pip install "mme[testing]"')):
        importlib.import_module("mme.testing")


def test_the_public_names_are_pinned_and_documented() -> None:
    """The names mme.testing offers, each defined in the package and documented."""
    assert set(mt.__all__) == {
        "DispensingArgs", "DispensingKind", "RegimenArgs", "RegimenKind", "assert_mme_equal", "assert_same_table",
        "concentrations", "daily_doses", "dispensing_records", "dispensings", "doses", "drug_names", "expressions",
        "histories", "invalid_doses", "patch_rates", "regimens", "results", "same_amount", "totals", "uncovered",
        "unknown_drugs", "FhirRegimen", "fhir_regimens", "medication_request", "medication_requests", "timings",
    }  # fmt: skip
    for name in mt.__all__:
        obj = getattr(mt, name)
        if callable(obj) and not name.endswith("Kind"):
            assert obj.__module__.startswith("mme.testing."), name
            assert obj.__doc__, name


# -- regimens, dispensings, records, histories, expressions: valid for their table ------------------


@pytest.mark.parametrize("table", TABLES)
@EACH_TABLE
@given(data=st.data())
def test_every_strategy_is_valid_for_each_table(table: str, data: st.DataObject) -> None:
    """Regimens, dispensings and expressions convert under their table; histories are one patient's."""
    regimen = data.draw(mt.regimens(table), label="regimen")
    result = mme.daily_mme(**regimen)
    assert result.table == table
    assert (result.mme_per_day is None) == regimen.excluded
    if result.mme_per_day is not None:
        assert 0 < result.mme_per_day < mme.IMPLAUSIBLE_MME_PER_DAY
    assert set(regimen) <= {"drug", "dose", "per_day", "every", "count", "volume", "route", "form", "release",
                            "variant", "table"}  # fmt: skip

    dispensing = data.draw(mt.dispensings(table), label="dispensing")
    result = mme.dispensing_mme(**dispensing)
    assert result.table == table
    assert (result.mme_per_day is None) == dispensing.excluded
    if result.mme_per_day is not None:
        assert 0 < result.mme_per_day < mme.IMPLAUSIBLE_MME_PER_DAY

    text = data.draw(mt.expressions(table), label="expression")
    assert mme.convert(text, table=table).table == table

    name = data.draw(mt.drug_names(table), label="name")
    assert covered_by(mme.get_table(table), name), name

    history = data.draw(mt.histories(table, max_size=3), label="history")
    assert 1 <= len(history) <= 3
    assert all(isinstance(d, mme.Dispensing) for d in history)
    assert len({d.patient_id for d in history}) == 1
    assert [d.fill_date for d in history] == sorted(d.fill_date for d in history)
    assert mme.exposure(history, table=table).table == table

    try:
        strategy = mt.uncovered(table)
    except InvalidArgument as exc:  # a table covering everything the others cover has nothing to draw
        assert "covers every drug/route" in str(exc)  # noqa: PT017
        return
    missing = data.draw(strategy, label="uncovered")
    assert missing.table == table
    with pytest.raises(mme.NotCoveredError) as caught:
        mme.daily_mme(**missing)
    assert caught.value.covered_by
    assert table not in caught.value.covered_by


@settings(max_examples=30)
@given(mt.regimens())
def test_regimens_of_any_table(regimen: mt.RegimenArgs) -> None:
    result = mme.daily_mme(**regimen)
    assert result.table == regimen.table


@settings(max_examples=30)
@given(mt.dispensings())
def test_dispensings_of_any_table(dispensing: mt.DispensingArgs) -> None:
    assert mme.dispensing_mme(**dispensing).table == dispensing.table


@settings(max_examples=25)
@given(mt.expressions())
def test_expressions_default_to_the_default_table(text: str) -> None:
    assert mme.convert(text).table == mme.DEFAULT_TABLE


@settings(max_examples=20)
@given(mt.dispensing_records(patient_id="P-1"))
def test_dispensing_records(record: mme.Dispensing) -> None:
    assert record.patient_id == "P-1"
    mme.dispensing_mme(
        record.drug, record.strength, quantity=record.quantity, days_supply=record.days_supply,
        package_ml=record.package_ml, route=record.route, form=record.form, release=record.release,
        variant=record.variant,
    )  # fmt: skip


def test_histories_produce_overlaps_and_gaps() -> None:
    def spans(history: list[mme.Dispensing]) -> list[tuple[int, int]]:
        return [(d.fill_date.toordinal(), d.fill_date.toordinal() + d.days_supply) for d in history]

    def overlap(h: list[mme.Dispensing]) -> bool:
        return any(b[0] < a[1] for a, b in zip(spans(h), spans(h)[1:], strict=False))

    def gap(h: list[mme.Dispensing]) -> bool:
        return any(b[0] > a[1] for a, b in zip(spans(h), spans(h)[1:], strict=False))

    assert find(mt.histories("cdc-2022"), overlap, settings=EXISTS)
    assert find(mt.histories("cdc-2022"), gap, settings=EXISTS)


@settings(max_examples=30)
@given(mt.regimens("cms-2018", drug="methadone"))
def test_cms_methadone_regimens_name_a_variant(regimen: mt.RegimenArgs) -> None:
    assert regimen.variant in ("flat", "tiers")
    assert mme.daily_mme(**regimen).variant == regimen.variant


def test_expressions_leave_out_rows_that_need_a_variant() -> None:
    with pytest.raises(InvalidArgument, match="no expressions"):
        mt.expressions("cms-2018", drug="methadone")


@settings(max_examples=40)
@given(mt.regimens("cdc-2022", include_excluded=False))
def test_include_excluded_false_leaves_out_excluded_drugs(regimen: mt.RegimenArgs) -> None:
    assert not regimen.excluded
    assert mme.daily_mme(**regimen).mme_per_day is not None


def test_excluded_drugs_are_included_by_default() -> None:
    regimen = find(mt.regimens("cdc-2022"), lambda r: r.excluded, settings=EXISTS)
    assert resolve_drug(regimen.drug).drug == "buprenorphine"
    assert mme.daily_mme(**regimen).mme_per_day is None


def test_excluded_patches_come_with_their_change_interval() -> None:
    """A Butrans patch under cdc-2022 with every="168 h" (its 7-day wear) has no MME: regimens draws it."""
    patch = find(
        mt.regimens("cdc-2022", kinds=["patch"]), lambda r: r.excluded and r.every is not None, settings=EXISTS
    )
    assert resolve_drug(patch.drug).drug == "buprenorphine"
    result = mme.daily_mme(**patch)
    assert result.mme_per_day is None
    assert result.excluded is not None
    assert "buprenorphine" in result.excluded.lower()
    butrans = mme.daily_mme("Butrans", "10 mcg/h", every="168 h", table="cdc-2022")
    assert (butrans.mme_per_day, butrans.form) == (None, "patch")


@pytest.mark.parametrize("kind", ["dose", "daily", "patch", "liquid"])
@settings(max_examples=15)
@given(data=st.data())
def test_regimen_kinds(kind: mt.RegimenKind, data: st.DataObject) -> None:
    regimen = data.draw(mt.regimens(kinds=[kind]))
    assert regimen.kind == kind
    result = mme.daily_mme(**regimen)
    if kind == "patch" and not regimen.excluded:
        assert result.daily_dose_unit == "mcg/h"
    assert (regimen.times_per_day is not None) == (kind in ("dose", "liquid"))
    assert ("volume" in regimen) == (kind == "liquid")


def test_frequencies_include_codes_intervals_and_timedeltas() -> None:
    assert find(mt.regimens("cdc-2022"), lambda r: isinstance(r.every, timedelta), settings=EXISTS)
    assert find(mt.regimens("cdc-2022"), lambda r: r.per_day in ("bid", "tid", "qid", "qd", "qhs"), settings=EXISTS)
    assert find(mt.regimens("cdc-2022"), lambda r: isinstance(r.every, str) and "h" in r.every, settings=EXISTS)


def test_regimen_is_a_frozen_mapping_of_keyword_arguments() -> None:
    regimen = mt.RegimenArgs(drug="oxycodone", dose="10 mg", every="6 h", table="cdc-2022", times_per_day=4.0)
    assert dict(regimen) == {"drug": "oxycodone", "dose": "10 mg", "every": "6 h", "table": "cdc-2022"}
    assert mme.daily_mme(**regimen).mme_per_day == pytest.approx(60)
    assert repr(regimen) == "RegimenArgs(drug='oxycodone', dose='10 mg', every='6 h', table='cdc-2022')"
    assert regimen.describe() == "mme.daily_mme(drug='oxycodone', dose='10 mg', every='6 h', table='cdc-2022')"
    assert hash(regimen) == hash(mt.RegimenArgs(drug="oxycodone", dose="10 mg", every="6 h", table="cdc-2022"))
    with pytest.raises(AttributeError, match="cannot assign to field 'dose'"):
        regimen.dose = "20 mg"  # type: ignore[misc]
    with pytest.raises(KeyError, match="per_day"):
        regimen["per_day"]
    dispensing = mt.DispensingArgs(drug="oxycodone", strength="10 mg", quantity=120, days_supply=30)
    assert mme.dispensing_mme(**dispensing).mme_per_day == pytest.approx(60)


def test_a_table_object_or_a_custom_table_file(tmp_path: Path) -> None:
    table = mme.get_table("cdc-2016")
    regimen = find(mt.regimens(table), lambda r: True, settings=EXISTS)
    assert regimen.table is table
    assert "table='cdc-2016'" in repr(regimen)
    text = (ROOT / "conversion_tables" / "cdc-2022.toml").read_text().replace('"cdc-2022"', '"my-clinic"')
    path = tmp_path / "my-clinic.toml"
    path.write_text(text)
    custom = find(mt.dispensings(str(path)), lambda d: True, settings=EXISTS)
    assert mme.dispensing_mme(**custom).table == "my-clinic"


def test_a_drug_a_table_does_not_cover_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgument, match="no regimens to generate for cdc-2016 and drug 'tramadol'"):
        mt.regimens("cdc-2016", drug="tramadol")
    with pytest.raises(mme.UnknownTableError, match=r"unknown table 'no-such-table'; available: .*cdc-2022"):
        mt.regimens("no-such-table")


def test_an_unknown_kind_or_count_is_named() -> None:
    """An unknown kind, or one kind given as text (iterated letter by letter), said "no regimens to generate for
    any shipped table"; `timings(5)` was a bare KeyError, `timings(2.5)` a TypeError."""
    with pytest.raises(InvalidArgument, match=r"^unknown regimen kind 'nope': use some of 'dose', 'daily'"):
        mt.regimens(kinds=["dose", "nope"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgument, match=r"^unknown dispensing kind 'dose': use some of 'unit', 'patch'"):
        mt.dispensings(kinds=["dose"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgument, match=r"^kinds must be a list of kinds, e.g. \['patch'\], not the text"):
        mt.dispensings(kinds="patch")  # type: ignore[arg-type]
    for per_day in (5, 24, 0, -1, 2.5, 2.0, True, [1]):
        with pytest.raises(InvalidArgument, match=r"^per_day must be one of 1, 2, 3, 4, 6, not "):
            mt.timings(per_day)  # type: ignore[arg-type]


# -- names and amounts -----------------------------------------------------------------------------


def test_drug_names_include_brands_salts_odd_case_and_spaces() -> None:
    assert find(mt.drug_names("cdc-2022"), lambda n: n.strip().lower() == "oxycontin", settings=EXISTS)
    assert find(mt.drug_names("cdc-2022"), lambda n: n != n.strip(), settings=EXISTS)
    assert find(mt.drug_names("cdc-2022"), lambda n: n.strip() == n.strip().upper(), settings=EXISTS)
    assert find(mt.drug_names("cdc-2022"), lambda n: "hcl" in n.lower(), settings=EXISTS)


def test_brands_only_where_the_table_covers_their_route() -> None:
    """CDC 2022 covers fentanyl only as a patch: Duragesic yes; Actiq (a lozenge) or Lazanda (a nasal spray) never."""
    assert find(mt.drug_names("cdc-2022"), lambda n: n.strip().lower() == "duragesic", settings=EXISTS)

    @settings(max_examples=100)
    @given(mt.drug_names("cdc-2022"))
    def never(name: str) -> None:
        assert name.strip().lower().replace("-", " ") not in ("actiq", "fentora", "subsys", "lazanda")

    never()


@settings(max_examples=50)
@given(mt.doses())
def test_doses_are_masses(dose: str) -> None:
    assert amount(dose).kind == "mass"


@settings(max_examples=30)
@given(mt.doses("cdc-2022", drug="oxycodone"), mt.patch_rates("cdc-2022"), mt.daily_doses("cdc-2022", drug="morphine"))
def test_amounts_convert(dose: str, rate: str, daily: str) -> None:
    assert mme.daily_mme("oxycodone", dose, per_day=4).mme_per_day
    assert mme.daily_mme("fentanyl", rate).daily_dose_unit == "mcg/h"
    assert amount(rate).kind == "rate"
    assert mme.daily_mme("morphine", daily).mme_per_day


@settings(max_examples=30)
@given(mt.concentrations("cdc-2022", drug="morphine"))
def test_concentrations_come_with_a_volume(pair: tuple[str, str]) -> None:
    conc, volume = pair
    assert amount(conc).kind == "conc"
    assert amount(volume, what="volume").kind == "volume"
    assert mme.daily_mme("morphine", conc, volume=volume, per_day=4).mme_per_day


@settings(max_examples=60)
@given(st.one_of(mt.doses(), mt.patch_rates(), mt.daily_doses(), mt.concentrations().map(lambda p: p[0])))
def test_same_amount_is_the_same_amount(dose: str) -> None:
    expected = amount(dose)
    for text in mt.same_amount(dose):
        again = amount(text)
        assert again.kind == expected.kind
        assert math.isclose(again.value, expected.value, rel_tol=1e-12), (dose, text)


def test_same_amount_examples() -> None:
    assert mt.same_amount("10 mg") == ("10 mg", "10000 mcg", "0.01 g")
    assert mt.same_amount("25 mcg/h") == ("25 mcg/h", "0.025 mg/h", "0.6 mg/day", "600 mcg/day")
    assert mt.same_amount("10 mg/5 mL") == ("2 mg/mL", "2000 mcg/mL", "10 mg/5 mL")


# -- what must fail ------------------------------------------------------------------------------------


#: What every error about a bad amount says to do: a positive amount, a unit (e.g. ...), what to use or give.
WHAT_TO_DO = r"positive|e\.g\.|such as|\buse\b|\bgive\b"


@settings(max_examples=50)
@given(mt.invalid_doses(), mt.regimens(), mt.dispensings())
def test_invalid_doses_always_raise_an_mme_error(
    bad: object, regimen: mt.RegimenArgs, dispensing: mt.DispensingArgs
) -> None:
    """As invalid_doses promises: a DoseError or a UnitError, whose message says what to write instead."""
    for call, args in (
        (mme.daily_mme, {**regimen, "dose": bad}),
        (mme.dispensing_mme, {**dispensing, "strength": bad}),
    ):
        with pytest.raises(mme.MMEError, match=WHAT_TO_DO) as caught:
            call(**args)
        if isinstance(caught.value, mme.NotCoveredError):  # a volume for a patch: asked for its rate
            assert "dosed by its rate" in str(caught.value)
        elif isinstance(caught.value, mme.AmbiguousDoseError):  # the product is asked before the strength's kind
            assert "Say the route and form" in str(caught.value)
        else:
            assert isinstance(caught.value, mme.DoseError | mme.UnitError)


def test_a_volume_for_a_strength_of_a_drug_with_several_liquids_asks_which_product_first() -> None:
    # fentanyl under cms-2018 comes as buccal and nasal sprays: which one is asked before the strength's kind
    with pytest.raises(mme.AmbiguousDoseError, match="Say the route and form"):
        mme.dispensing_mme("fentanyl", "7.5 mL", quantity=1, days_supply=3, table="cms-2018")


@settings(max_examples=30)
@given(mt.unknown_drugs(), mt.regimens())
def test_unknown_drugs_raise_unknown_drug_error(name: str, regimen: mt.RegimenArgs) -> None:
    with pytest.raises(mme.UnknownDrugError, match=re.escape(f"unknown drug {name!r}")) as caught:
        mme.daily_mme(**{**regimen, "drug": name})
    assert caught.value.name == name


def test_uncovered_examples() -> None:
    regimen = find(mt.uncovered("cdc-2016"), lambda r: resolve_drug(r.drug).drug == "tramadol", settings=EXISTS)
    assert regimen.route == "oral"
    buccal = find(mt.uncovered("cdc-2022"), lambda r: r.route == "buccal", settings=EXISTS)
    assert resolve_drug(buccal.drug).drug in ("fentanyl", "buprenorphine")


# -- from_type -----------------------------------------------------------------------------------------


@settings(max_examples=30)
@given(st.from_type(mme.DailyMME), st.from_type(mme.Total), st.from_type(mme.Dispensing))
def test_from_type_gives_real_results(result: mme.DailyMME, total: mme.Total, record: mme.Dispensing) -> None:
    """Each type draws real values: a result of a shipped table, a one-table total, a record that converts."""
    assert type(result) is mme.DailyMME
    assert result.table in TABLES
    assert (result.mme_per_day is None) == (result.excluded is not None)
    assert result.mme_per_day is None or 0 < result.mme_per_day < mme.IMPLAUSIBLE_MME_PER_DAY
    assert type(total) is mme.Total
    assert total.items
    assert {i.table for i in total.items} == {total.table}
    assert type(record) is mme.Dispensing
    converted = mme.dispensing_mme(
        record.drug, record.strength, quantity=record.quantity, days_supply=record.days_supply,
        package_ml=record.package_ml, route=record.route, form=record.form, release=record.release,
        variant=record.variant,
    )  # fmt: skip
    assert converted.table == mme.DEFAULT_TABLE


@settings(max_examples=20)
@given(mt.results("heal-2025"), mt.totals("cms-2018", max_items=2))
def test_results_and_totals_of_one_table(result: mme.DailyMME, total: mme.Total) -> None:
    assert result.table == "heal-2025"
    assert total.table == "cms-2018"
    assert 1 <= len(total.items) <= 2


# -- assertion helpers ---------------------------------------------------------------------------------


def test_assert_mme_equal_passes_within_tolerance() -> None:
    a = mme.daily_mme("oxycodone", "10 mg", every="6 h")
    b = mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30)
    mt.assert_mme_equal(a, b)
    mt.assert_mme_equal(a, 60.0)
    mt.assert_mme_equal(60.0, 60.0 + 1e-12)
    mt.assert_mme_equal(60, 61, abs=1.5)
    mt.assert_mme_equal(60, 61, rel=0.02)
    mt.assert_mme_equal(None, None)
    mt.assert_mme_equal(mme.total([a]), mme.total([b]))
    excluded = mme.daily_mme("buprenorphine", "8 mg", per_day=1)
    mt.assert_mme_equal(excluded, None)


def test_assert_mme_equal_shows_both_sides() -> None:
    a = mme.daily_mme("oxycodone", "10 mg", every="6 h")
    b = mme.daily_mme("oxycodone", "10 mg", every="8 h")
    with pytest.raises(AssertionError) as caught:
        mt.assert_mme_equal(a, b)
    message = str(caught.value)
    assert message.splitlines()[0].startswith("MME/day differ by -15")
    assert "left:  60.0 MME/day" in message
    assert "right: 45.0 MME/day" in message
    assert "drug oxycodone oral" in message
    assert "factor 1.5 (per mg)" in message
    assert "table cdc-2022 (MMWR Recomm Rep 2022;71(No. RR-3), Table)" in message
    with pytest.raises(AssertionError, match=r"differ by \+1 .*rel=1e-09"):
        mt.assert_mme_equal(60.0, 61.0)


def test_assert_mme_equal_none_against_a_number() -> None:
    excluded = mme.daily_mme("buprenorphine", "8 mg", per_day=1)
    with pytest.raises(AssertionError) as caught:
        mt.assert_mme_equal(excluded, 0.0)
    message = str(caught.value)
    assert message.startswith("one side has no MME (left is None), the other a number")
    assert "excluded: CDC 2022 excludes buprenorphine" in message
    assert "right: 0.0 MME/day" in message
    with pytest.raises(AssertionError, match=r"right is None"):
        mt.assert_mme_equal(45.0, None)


def test_assert_mme_equal_checks_the_table() -> None:
    a = mme.daily_mme("oxycodone", "10 mg", per_day=3, table="cdc-2022")
    b = mme.daily_mme("oxycodone", "10 mg", per_day=3, table="cdc-2016")
    assert a.mme_per_day == b.mme_per_day
    with pytest.raises(AssertionError) as caught:
        mt.assert_mme_equal(a, b)
    lines = str(caught.value).splitlines()
    assert lines[0] == "results come from different tables (cdc-2022 and cdc-2016):"
    assert lines[1] == "  left:  45.0 MME/day"
    assert lines[3].startswith("    table cdc-2022 (MMWR")
    assert lines[4] == "  right: 45.0 MME/day"
    assert lines[6].startswith("    table cdc-2016 (MMWR")
    mt.assert_mme_equal(a.mme_per_day, b.mme_per_day)  # plain numbers: no table to compare


def test_assert_same_table() -> None:
    a = mme.daily_mme("oxycodone", "10 mg", per_day=3, table="cms-2018")
    mt.assert_same_table(a, mme.total([a]))
    with pytest.raises(AssertionError, match="different tables"):
        mt.assert_same_table(a, mme.daily_mme("oxycodone", "10 mg", per_day=3))
    with pytest.raises(TypeError, match="compares DailyMME or Total results, not float"):
        mt.assert_same_table(a, 45.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a DailyMME, a Total, a number or None, not str"):
        mt.assert_mme_equal("45", 45.0)  # type: ignore[arg-type]


# -- shrinking -------------------------------------------------------------------------------------------

READABLE_DOSE = re.compile(r"^\d+(\.\d+)? (mg|mcg|mcg/h|mg/day|mcg/day)$")


def test_a_failing_dose_property_shrinks_to_a_round_mg_dose() -> None:
    assert find(mt.doses("cdc-2022", drug="oxycodone"), lambda d: amount(d).value >= 10, settings=FIND) == "10 mg"
    assert find(mt.doses(), lambda d: True, settings=FIND) == "1 mg"
    assert find(mt.patch_rates(), lambda d: amount(d).value >= 0.6, settings=FIND) == "25 mcg/h"


def test_a_failing_regimen_property_shrinks_to_a_readable_regimen() -> None:
    """Pretend the code under test breaks at 90 MME/day: the counterexample is small and plain."""

    def fails(r: mt.RegimenArgs) -> bool:
        return (mme.daily_mme(**r).mme_per_day or 0) >= 90

    regimen = find(mt.regimens("cdc-2022"), fails, settings=FIND)
    assert regimen.drug == regimen.drug.strip().lower()
    assert resolve_drug(regimen.drug).drug == regimen.drug  # the canonical name, no brand or salt
    assert READABLE_DOSE.match(regimen.dose), regimen
    assert len(regimen) <= 4, regimen  # drug, dose, table and at most one frequency
    assert regimen.count == 1
    assert 90 <= (mme.daily_mme(**regimen).mme_per_day or 0) < 150, regimen
    anywhere = find(mt.regimens(), fails, settings=FIND)
    assert READABLE_DOSE.match(anywhere.dose), anywhere


def test_a_failing_dispensing_property_shrinks_to_a_small_dispensing() -> None:
    found = find(mt.dispensings("cdc-2022"), lambda d: (mme.dispensing_mme(**d).mme_per_day or 0) >= 50, settings=FIND)
    assert READABLE_DOSE.match(found.strength), found
    assert found.days_supply <= 3, found


def test_a_failing_history_property_shrinks_to_one_short_record() -> None:
    def fails(h: list[mme.Dispensing]) -> bool:
        return max(mme.exposure(h).daily.values(), default=0.0) >= 90

    history = find(mt.histories(), fails, settings=FIND)
    assert len(history) <= 2, history
    for record in history:
        assert record.drug == record.drug.strip().lower(), history
        assert READABLE_DOSE.match(record.strength), history
        assert record.days_supply <= 3, history


# -- the documentation's example runs ------------------------------------------------------------------


def test_docs_testing_page_python_blocks_run() -> None:
    """docs/testing.md shows a downstream tool's property tests in full: run them as written."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    assert blocks, "docs/testing.md has python blocks"
    namespace: dict[str, object] = {"__name__": "docs_testing"}
    for code in blocks:
        exec(compile(code, "docs/testing.md", "exec"), namespace)
    assert any(name.startswith("test_") for name in namespace)


def test_module_docstring_example_runs() -> None:
    """The example in mme.testing's docstring is a complete property test: define it and run it."""
    doc = mt.__doc__ or ""
    code = doc.split("Example: a downstream tool's property test (pytest)::", 1)[1].split("\nSee docs/testing.md", 1)[0]
    namespace: dict[str, object] = {"__name__": "docstring_example"}
    exec(compile(_dedent(code), "mme/testing/__init__.py", "exec"), namespace)
    test = namespace["test_the_plugin_shows_mme_to_one_decimal"]
    assert callable(test)
    test()
    # 0.75 MME/day is shown as 0.8: the example compares with the rounded value, not within abs=0.05 (0.05000000000000004)
    test.hypothesis.inner_test(mt.RegimenArgs(drug="codeine", dose="5 mg/day", table="cms-2018"))  # type: ignore[attr-defined]


def _dedent(code: str) -> str:
    return textwrap.dedent(code.strip("\n"))


def test_totals_of_a_table_with_variants_add_each_drug_under_one() -> None:
    """`mme.total` refuses one drug under two variants (cms-2018's methadone 'flat' and 'tiers'), which a drawing of
    `mt.totals("cms-2018")` met (a MixedTablesError inside the strategy): it keeps each drug's first variant."""
    from mme.testing._strategies import _one_variant_each

    flat, tiers = (mme.convert("methadone 10 mg bid", table="cms-2018", variant=v) for v in ("flat", "tiers"))
    oxycodone = mme.convert("oxycodone 10 mg q6h", table="cms-2018")
    kept = _one_variant_each([flat, oxycodone, tiers, flat])
    assert kept == [flat, oxycodone, flat]
    assert mme.total(kept).mme_per_day == 2 * flat.mme_per_day + oxycodone.mme_per_day  # type: ignore[operator]

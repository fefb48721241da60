"""RxNorm codes: the product file (pinned, reproducible from its sources) and conversion by RxCUI.

Expected values are the engine's own results on the product's drug, strength, route and form, or
worked examples from the table sources (CDC's NDC documentation: 25 mcg/h x 10 patches / 30 days = 60;
oxycodone 10 mg x 120 / 30 days under cdc-ndc-2018 = 60).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mme
import mme.rxnorm as rx
from mme._parse import parse_product
from mme._rxnorm_build import DOSE_FORMS, read_name

from reference_data import CQF, OMTK_CSV, PRACTICE_FUSION, needs
from table_pins import RXNORM_PIN

has_omtk = needs(CQF, "CDC's OMTK data (cqf-opioid-mme-r4)")
has_pf = needs(PRACTICE_FUSION, "Practice Fusion's calculator data")

OMTK_HEADER = (
    "drugCode,drugName,doseFormCode,doseFormName,ingredientCode,ingredientName,strength,strengthValue,strengthUnit\n"
)


def test_shipped_file_is_pinned() -> None:
    assert hashlib.sha256(rx.SHIPPED.read_bytes()).hexdigest() == RXNORM_PIN


def test_shipped_file_records_its_sources_and_licences() -> None:
    header = json.loads(rx.SHIPPED.read_text(encoding="utf-8"))
    assert header["rxnorm_date"] == rx.rxnorm_date() == "2020-10-20"
    licences = " ".join(s["licence"] for s in header["sources"])
    assert "Apache-2.0" in licences
    assert "MIT" in licences
    assert "National Library of Medicine" in licences
    assert all(len(s["sha256"]) == 64 for s in header["sources"])


@has_omtk
@has_pf
def test_shipped_file_is_what_the_build_makes(tmp_path: Path) -> None:
    """The derived file is reproducible from its sources by the documented command."""
    out = tmp_path / "rx.json"
    counts = rx.build(OMTK_CSV, out, names=PRACTICE_FUSION / "rxnorm-opioids-all.tsv")
    assert out.read_bytes() == rx.SHIPPED.read_bytes()
    assert counts == {"omtk": 910, "names": 134, "skipped": 0}


@has_omtk
def test_every_omtk_rxcui_resolves_to_omtk_ingredients() -> None:
    with OMTK_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 912
    by_code: dict[str, list[tuple[str, Decimal, str]]] = {}
    for row in rows:
        by_code.setdefault(row["drugCode"], []).append(
            (row["ingredientCode"], Decimal(row["strengthValue"]), row["strengthUnit"])
        )
    for code, expected in by_code.items():
        prod = rx.product(code)
        got = sorted((i.rxcui or "", i.strength, i.unit) for i in prod.opioids)
        assert got == sorted(expected), code
        assert prod.dose_form in DOSE_FORMS


@has_pf
def test_every_practice_fusion_rxcui_resolves() -> None:
    with (PRACTICE_FUSION / "rxnorm-opioids-all.tsv").open(encoding="utf-8") as handle:
        names = list(csv.DictReader(handle, delimiter="\t"))
    assert len(names) == 1026
    for row in names:  # the two sources agree on the strengths of every product both hold (names vary by release)
        prod = rx.product(row["rxcui"])
        read = read_name(row["name"])
        assert read is not None
        assert sorted((Decimal(v), u) for _, v, u in read.components) == sorted(
            (i.strength, i.unit) for i in prod.ingredients
        )
    with (PRACTICE_FUSION / "calculator-test-data.tsv").open(encoding="utf-8-sig") as handle:
        corpus = {line.split("\t")[1] for line in handle if line.strip()}
    assert len(corpus) == 272
    assert all(rx.product(code).opioids for code in corpus)


def test_non_opioid_ingredients_are_recorded_never_counted() -> None:
    percocet = rx.product("1049640")  # acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet [Percocet]
    assert [(i.name, i.drug) for i in percocet.ingredients] == [
        ("acetaminophen", None),
        ("oxycodone hydrochloride", "oxycodone"),
    ]
    assert percocet.brand == "Percocet"
    got = rx.daily_mme("1049640", count=1, per_day=4)
    assert got == mme.daily_mme("oxycodone", "5 mg", per_day=4, route="oral", form="tablet", release="IR")
    assert got.mme_per_day == 30.0  # 5 mg x 4 x 1.5


def test_worked_examples_by_rxcui() -> None:
    # CDC NDC file documentation: fentanyl 25 mcg/h, 10 patches, 30 days supply -> 60; oxycodone 10 mg x 120 / 30 -> 60
    assert rx.dispensing_mme("245134", quantity=10, days_supply=30, table="cdc-ndc-2018").mme_per_day == 60.0
    assert rx.dispensing_mme("1049683", quantity=120, days_supply=30, table="cdc-ndc-2018").mme_per_day == 60.0
    # CDC 2022: fentanyl 25 mcg/h patch x 2.4 = 60, however often it is changed
    assert rx.daily_mme("245134").mme_per_day == 60.0
    assert rx.daily_mme("245134", every="72 h").mme_per_day == 60.0


def test_liquids_need_a_volume() -> None:
    with pytest.raises(mme.DoseError, match="volume"):
        rx.daily_mme("892589", per_day=4)
    by_volume = rx.daily_mme("892589", volume="5 mL", per_day=4)  # morphine 2 MG/ML: 10 mg x 4
    assert by_volume.mme_per_day == 40.0
    assert rx.daily_mme("892589", "5 mL", per_day=4) == by_volume
    with pytest.raises(mme.UnitError, match="count"):
        rx.daily_mme("1049683", volume="5 mL", per_day=4)


def test_a_dose_in_mg_is_read_as_given_and_a_fraction_of_a_unit_is_said() -> None:
    whole = rx.daily_mme("1049683", "20 mg", per_day=2)  # two 10 mg tablets
    assert whole.mme_per_day == 60.0
    assert whole.warnings == ()
    sixth = rx.daily_mme("1049593", "10 mg", every="12 h")  # CQF's case: 10 mg of a 60 mg ER tablet
    assert sixth.mme_per_day == 30.0
    assert any("0.167 units" in w for w in sixth.warnings)
    with pytest.raises(mme.DoseError, match="not both"):
        rx.daily_mme("1049683", "20 mg", count=2, per_day=2)


def test_a_dose_in_mg_of_a_combination_is_the_opioid_and_said() -> None:
    got = rx.daily_mme("1049640", "10 mg", per_day=4)  # acetaminophen 325 MG / oxycodone hydrochloride 5 MG
    assert got.mme_per_day == 60.0
    assert any("read as oxycodone's" in w for w in got.warnings)
    assert rx.daily_mme("1049683", "10 mg", per_day=4).warnings == ()


def test_two_opioid_ingredients_give_a_total_of_engine_items() -> None:
    got = rx.daily_mme("637540", count=1, per_day=4)  # oxycodone HCl 4.5 mg + terephthalate 0.38 mg
    assert isinstance(got, mme.Total)
    assert [i.daily_dose for i in got.items] == [18.0, 1.52]
    assert got.mme_per_day == pytest.approx((4.5 + 0.38) * 4 * 1.5)
    with pytest.raises(mme.DoseError, match="2 opioid ingredients"):
        rx.daily_mme("637540", "5 mg", per_day=4)


def test_excluded_products_have_no_mme_never_zero() -> None:
    suboxone = rx.daily_mme("1010603", count=1, per_day=1)
    assert suboxone.mme_per_day is None
    assert suboxone.excluded


def test_unknown_rxcui_says_the_rxnorm_date() -> None:
    with pytest.raises(mme.UnknownRxCUIError, match=r"RxNorm 2020-10-20.*mme rxnorm build") as caught:
        rx.product("99999999")
    assert isinstance(caught.value, LookupError)
    assert caught.value.rxnorm_date == "2020-10-20"


def test_ingredient_codes_convert_only_with_a_dose_in_mg() -> None:
    got = rx.daily_mme("7052", "20 mg", per_day=1)  # morphine
    assert got.mme_per_day == 20.0
    assert any("ingredient morphine" in w for w in got.warnings)
    with pytest.raises(mme.UnknownRxCUIError, match="ingredient morphine"):
        rx.daily_mme("7052", count=1, per_day=1)
    with pytest.raises(mme.DoseError, match="in mg"):
        rx.daily_mme("7052", "5 mL", per_day=1)


def test_opioids_without_a_factor_are_refused() -> None:
    assert rx.product("106500").opioids[0].drug == "alfentanil"
    with pytest.raises(mme.NotCoveredError, match="alfentanil"):
        rx.daily_mme("106500", volume="1 mL", per_day=1)


def test_injections_need_the_route() -> None:
    assert rx.product("238129").route is None  # 1 ML buprenorphine 0.3 MG/ML Injection
    assert rx.product("238129").volume_ml == Decimal(1)


@pytest.mark.parametrize(
    ("name", "parts", "form", "brand"),
    [
        (
            "72 HR fentanyl 0.075 MG/HR Transdermal System",
            (("fentanyl", "0.075", "MG/HR"),),
            "Transdermal System",
            None,
        ),
        (
            "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack [Subsys 1200 MCG]",
            (("fentanyl", "0.6", "MG/ACTUAT"),),
            "Mucosal Spray",
            "Subsys",
        ),
        (
            "80 ACTUAT fentanyl 0.04 MG/ACTUAT Transdermal System",
            (("fentanyl", "0.04", "MG/ACTUAT"),),
            "Transdermal System",
            None,
        ),
        (
            "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet [Roxicet]",
            (("Acetaminophen", "325", "MG"), ("Oxycodone Hydrochloride", "5", "MG")),
            "Oral Tablet",
            "Roxicet",
        ),
    ],
)
def test_the_name_reader_reads_rxnorm_names(
    name: str, parts: tuple[tuple[str, str, str], ...], form: str, brand: str | None
) -> None:
    read = read_name(name)
    assert read is not None
    assert (read.components, read.dose_form, read.brand) == (parts, form, brand)


@pytest.mark.parametrize(
    "name", ["Oxycodone 5 MG Oral Wafer", "oxycodone five MG Oral Tablet", "oxycodone 5 MEQ Oral Tablet"]
)
def test_the_name_reader_refuses_what_it_cannot_read_strictly(name: str) -> None:
    assert read_name(name) is None


def test_the_build_reader_and_the_sig_reader_agree_on_every_name_both_read() -> None:
    """The product file is read strictly by the build; `mme.convert` reads the same names through the sig
    reader. Where both read a name, they give the same opioid and strength (the sig reader reads 964 of the
    file's 1,044 names: it refuses RxNorm-only forms such as "Mucosal Spray" and packs, which the build keeps)."""
    units = {"MG": "mg", "MG/ML": "mg/mL", "MG/HR": "mg/h", "MG/ACTUAT": "mg"}
    both = 0
    for code in json.loads(rx.SHIPPED.read_text(encoding="utf-8"))["products"]:
        prod = rx.product(code)
        try:
            read = parse_product(prod.name)
        except mme.MMEError:
            continue
        if len(prod.opioids) != 1:  # two salts of one opioid: the sig reader adds them up (with a warning)
            continue
        (opioid,) = prod.opioids
        assert (read.drug, read.strength) == (opioid.drug, f"{opioid.strength:g} {units[opioid.unit]}"), prod.name
        both += 1
    assert both >= 900


def _omtk(tmp_path: Path, rows: str, name: str = "omtk_2025-01-06.csv") -> Path:
    path = tmp_path / name
    path.write_text(OMTK_HEADER + rows, encoding="utf-8")
    return path


def test_a_rebuilt_file_is_used_with_rxnorm_path(tmp_path: Path) -> None:
    omtk = _omtk(
        tmp_path, "5,oxycodone hydrochloride 15 MG Oral Tablet,317541,Oral Tablet,7804,Oxycodone,15 MG,15.0,MG\n"
    )
    names = tmp_path / "names.tsv"
    names.write_text(
        "rxcui\tname\n6\tAcetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet\n7\tOxycodone 5 MG Oral Wafer\n"
        "8\tMysteryamine 5 MG / Oxycodone Hydrochloride 5 MG Oral Tablet\n",
        encoding="utf-8",
    )
    out = tmp_path / "rx.json"
    assert rx.build(omtk, out, names=names) == {"omtk": 1, "names": 1, "skipped": 2}
    assert rx.daily_mme("5", count=1, per_day=2, rxnorm=out).mme_per_day == 45.0
    assert rx.product("6", rxnorm=out).opioids[0].rxcui == "7804"  # the ingredient code learnt from OMTK
    with pytest.raises(mme.UnknownRxCUIError, match="RxNorm 2025-01-06"):
        rx.product("1049621", rxnorm=out)


def test_the_build_refuses_what_it_cannot_check(tmp_path: Path) -> None:
    with pytest.raises(mme.TableError, match="RxNorm date"):
        rx.build(_omtk(tmp_path, "", name="omtk.csv"), tmp_path / "x.json")
    mismatch = _omtk(
        tmp_path, "5,oxycodone hydrochloride 15 MG Oral Tablet,317541,Oral Tablet,7804,Oxycodone,10 MG,10.0,MG\n"
    )
    with pytest.raises(mme.TableError, match="not found in the name"):
        rx.build(mismatch, tmp_path / "x.json")
    unreadable = _omtk(tmp_path, "5,oxycodone 15 MG Oral Wafer,1,Oral Wafer,7804,Oxycodone,15 MG,15.0,MG\n")
    with pytest.raises(mme.TableError, match="cannot read the name"):
        rx.build(unreadable, tmp_path / "x.json")


def test_sources_without_the_columns_are_table_errors(tmp_path: Path) -> None:
    wrong = tmp_path / "omtk_2025-01-06.csv"
    wrong.write_text("code,name\n1,x\n", encoding="utf-8")
    with pytest.raises(mme.TableError, match="missing columns drugCode"):
        rx.build(wrong, tmp_path / "x.json")
    with pytest.raises(mme.TableError, match="cannot read"):
        rx.build(tmp_path / "absent_2025-01-06.csv", tmp_path / "x.json")
    bad_number = _omtk(
        tmp_path, "5,oxycodone hydrochloride 15 MG Oral Tablet,317541,Oral Tablet,7804,Oxycodone,15 MG,lots,MG\n"
    )
    with pytest.raises(mme.TableError, match="not a number"):
        rx.build(bad_number, tmp_path / "x.json")
    short = _omtk(tmp_path, "5,oxycodone hydrochloride 15 MG Oral Tablet\n")
    with pytest.raises(mme.TableError, match="cannot read the name"):
        rx.build(short, tmp_path / "x.json")


def test_a_missing_or_foreign_file_is_a_table_error(tmp_path: Path) -> None:
    with pytest.raises(mme.TableError, match="mme rxnorm build"):
        rx.product("1", rxnorm=tmp_path / "absent.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(mme.TableError, match="format"):
        rx.product("1", rxnorm=foreign)
    foreign.write_text("not json", encoding="utf-8")
    with pytest.raises(mme.TableError, match="cannot read"):
        rx.product("1", rxnorm=foreign)


def _single_mg_products() -> list[str]:
    codes = json.loads(rx.SHIPPED.read_text(encoding="utf-8"))["products"]
    keep = []
    mme_drugs = {
        "codeine",
        "hydrocodone",
        "hydromorphone",
        "morphine",
        "oxycodone",
        "oxymorphone",
        "tapentadol",
        "tramadol",
        "methadone",
    }
    for code in codes:
        prod = rx.product(code)
        opioids = prod.opioids
        if prod.route == "oral" and len(opioids) == 1 and opioids[0].unit == "MG" and opioids[0].drug in mme_drugs:
            keep.append(code)
    return keep


@settings(max_examples=60, deadline=None)
@given(code=st.sampled_from(_single_mg_products()), count=st.integers(1, 3), per_day=st.integers(1, 6))
def test_a_product_converts_as_its_drug_and_strength(code: str, count: int, per_day: int) -> None:
    """Mapping only: by RxCUI equals the engine on the product's drug, strength, route and form (or both refuse)."""
    prod = rx.product(code)
    opioid = prod.opioids[0]
    args = {
        "per_day": per_day,
        "count": count,
        "route": prod.route,
        "form": prod.form,
        "table": "cms-2018",
        "variant": None,
    }
    try:
        expected = mme.daily_mme(opioid.drug or "", f"{opioid.strength} mg", release=prod.release, **args)  # type: ignore[arg-type]
    except mme.MMEError as exc:
        with pytest.raises(type(exc), match=f"^{re.escape(str(exc))}$"):  # the same refusal, word for word
            rx.daily_mme(code, count=count, per_day=per_day, route=prod.route, table="cms-2018")
        return
    assert rx.daily_mme(code, count=count, per_day=per_day, table="cms-2018") == expected


@pytest.mark.parametrize(
    ("code", "sig", "expected"),
    [
        ("1049621", "1 tab q6h", 30),  # oxycodone 5 mg tablet: 5 mg x 4 a day = 20 mg x 1.5
        ("1049621", "10 mg q6h", 60),  # 10 mg is 2 tablets: 40 mg x 1.5
        ("1049621", "1 cap(s) orally every 4-6 hours prn", 45),  # every 4 h at most: 30 mg x 1.5
        ("892589", "5 mL q4h", 60),  # morphine 2 MG/ML: 10 mg x 6 a day x 1
        ("245134", "1 patch q72h", 60),  # fentanyl 0.025 MG/HR: 25 mcg/h x 2.4
    ],
)
def test_convert_by_rxcui_takes_the_product_from_the_file_and_the_sig_from_the_text(
    code: str, sig: str, expected: int
) -> None:
    result = mme.convert(sig, rxcui=code)
    assert result.mme_per_day == expected
    assert result.drug == rx.product(code).opioids[0].drug


@given(count=st.integers(1, 4), hours=st.sampled_from([4, 6, 8, 12, 24]), code=st.sampled_from(["1049621", "892589"]))
@settings(max_examples=40, deadline=None)
def test_convert_by_rxcui_equals_the_product_regimen(count: int, hours: int, code: str) -> None:
    """A sig read against an RxCUI gives what `mme.rxnorm.daily_mme` gives for the same units and interval."""
    liquid = rx.product(code).opioids[0].unit == "MG/ML"
    sig = f"{count} mL q{hours}h" if liquid else f"{count} tabs q{hours}h"
    units = {"volume": f"{count} mL"} if liquid else {"count": count}
    assert mme.convert(sig, rxcui=code).mme_per_day == rx.daily_mme(code, every=f"{hours} h", **units).mme_per_day


def test_convert_by_rxcui_dispensing_needs_no_sig() -> None:
    by_code = mme.convert("", rxcui="1049621", quantity=120, days_supply=30, table="cdc-ndc-2018")
    assert (
        by_code.mme_per_day
        == rx.dispensing_mme("1049621", quantity=120, days_supply=30, table="cdc-ndc-2018").mme_per_day
    )
    assert by_code.mme_per_day == 30  # 5 mg x 120 / 30 days = 20 mg/day x 1.5


@pytest.mark.parametrize(
    ("code", "sig", "error", "message"),
    [
        # the product names the drug, the text is the sig
        ("1049621", "morphine 10 mg q4h", mme.ExpressionError, "cannot read 'morphine'"),
        # two oxycodone salts: mme.rxnorm.daily_mme gives their total
        ("637540", "1 tab q6h", mme.DoseError, "has 2 opioid ingredients"),
        ("1", "1 tab q6h", mme.UnknownRxCUIError, "RxCUI '1' is not in the RxNorm product file"),
    ],
)
def test_convert_by_rxcui_refuses_what_it_cannot_read_as_one_product(
    code: str, sig: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        mme.convert(sig, rxcui=code)


def test_convert_by_rxcui_writes_a_strength_the_table_doses_in_mcg_in_mcg() -> None:
    """RxNorm's "fentanyl 1.2 MG Oral Lozenge" is 1200 mcg: no unit-slip warning (pytest makes warnings errors)."""
    result = mme.convert("1 lozenge q6h", rxcui="261109", table="cms-2018")  # 1200 mcg x 4 a day x 0.13 per mcg
    assert result.mme_per_day == pytest.approx(624)
    assert result.expression is not None
    assert result.expression.dose == "1200 mcg"
    assert not result.warnings

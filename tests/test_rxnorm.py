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
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mme
import mme.rxnorm as rx
from mme._parse import parse_product
from mme._rxnorm_build import DOSE_FORMS, SKIPPED, UNITS, read_name

from reference_data import CDC_NDC, CDC_NDC_CSV, CQF, OMTK_CSV, PRACTICE_FUSION, needs
from table_pins import RXNORM_PIN

has_omtk = needs(CQF, "CDC's OMTK data (cqf-opioid-mme-r4)")
has_pf = needs(PRACTICE_FUSION, "Practice Fusion's calculator data")
has_cdc_ndc = needs(CDC_NDC, "CDC NDC reference files")

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
    # 910 OMTK products and 1,026 names read; 892 of the names are OMTK's RxCUIs, 134 are added
    assert counts == _counts(omtk=910, names=134, read=910 + 1026, kept=1044, held=892)


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


SUBSYS_PACKS = [("1740007", 1200), ("1740008", 1200), ("1740009", 1600), ("1740010", 1600)]


@pytest.mark.parametrize(("code", "mcg"), SUBSYS_PACKS)
def test_a_pack_counts_its_units_together(code: str, mcg: int) -> None:
    """Was half: "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack" (Subsys 1200 MCG) was counted as one 0.6 mg spray.
    A count or quantity of a pack counts packs, as the same claim written by drug and strength reads."""
    prod = rx.product(code)
    assert prod.pack == 2
    assert [i.strength for i in prod.opioids] == [Decimal(mcg) / 2000]  # RxNorm's, one spray's, in mg
    dose = f"{mcg} mcg"
    names = {"route": "sublingual", "form": "spray", "table": "cdc-ndc-2018"}
    by_name = mme.dispensing_mme("fentanyl", dose, quantity=30, days_supply=30, **names)  # type: ignore[arg-type]
    assert rx.dispensing_mme(code, quantity=30, days_supply=30, table="cdc-ndc-2018") == by_name
    regimen = mme.daily_mme("fentanyl", dose, per_day=4, **names)  # type: ignore[arg-type]
    assert rx.daily_mme(code, count=1, per_day=4, table="cdc-ndc-2018") == regimen
    counted = mme.convert("1 q6h", rxcui=code, table="cdc-ndc-2018")  # a bare count counts packs
    assert (
        counted.mme_per_day == mme.convert(f"fentanyl {dose} sublingual spray 1 q6h", table="cdc-ndc-2018").mme_per_day
    )
    assert f"a pack of 2 units: each one counted is the pack, {mcg} mcg" in counted.warnings
    # a count of sprays counts sprays (was twice: 2 sprays of Subsys 1200 read as 2 packs, 2,400 mcg a dose)
    sprays = mme.convert("2 sprays q6h", rxcui=code, table="cdc-ndc-2018")
    assert sprays.mme_per_day == counted.mme_per_day
    assert mme.convert("", rxcui=code, quantity=30, days_supply=30, table="cdc-ndc-2018").mme_per_day == (
        by_name.mme_per_day
    )
    assert rx.product("1237066").pack is None  # the 0.6 mg spray itself is no pack


def test_cli_show_says_what_a_pack_counts(capsys: pytest.CaptureFixture[str]) -> None:
    from mme._cli import main

    assert main(["rxnorm", "show", "1740008"]) == 0
    assert "a pack of 2: a count or quantity counts packs, their 2 units together" in capsys.readouterr().out
    assert main(["rxnorm", "show", "1237066"]) == 0
    assert "pack" not in capsys.readouterr().out.lower()


@has_cdc_ndc
def test_a_pack_by_rxcui_equals_the_same_claim_by_ndc() -> None:
    """CDC's 2018 file: NDC 20482001230, SUBSYS 1200 MCG/SPRAY x 0.18; 30 over 30 days is 216 MME/day."""
    ndc_file = mme.read_ndc_file(CDC_NDC / CDC_NDC_CSV[2018])
    by_ndc = mme.ndc_mme("20482001230", quantity=30, days_supply=30, ndc_file=ndc_file)
    assert by_ndc.mme_per_day == 216.0
    assert rx.dispensing_mme("1740008", quantity=30, days_supply=30, table="cdc-ndc-2018").mme_per_day == 216.0


def test_a_pack_written_as_its_rxnorm_name_counts_as_by_its_rxcui() -> None:
    """Was 108 by name: the pack's name typed as text read one 0.6 mg spray a unit; it is counted, and said, by the
    pack, as by its RxCUI."""
    name = "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack [Subsys 1200 MCG]"
    by_name = mme.convert(name, quantity=30, days_supply=30, table="cdc-ndc-2018")
    by_code = mme.convert("", rxcui="1740008", quantity=30, days_supply=30, table="cdc-ndc-2018")
    assert by_name.mme_per_day == by_code.mme_per_day == 216.0
    assert by_name.warnings == ("a pack of 2 units: each one counted is the pack, 1.2 mg",)


def test_a_pack_of_no_whole_number_of_units_is_refused() -> None:
    with pytest.raises(mme.ExpressionError, match=re.escape("a pack of 2.5 units (a pack holds a whole number)")):
        parse_product("{2.5 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack")
    assert read_name("{3 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack").pack == 3  # type: ignore[union-attr]


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


SYRINGE = "894912"  # 1 ML morphine sulfate 10 MG/ML Prefilled Syringe


def test_a_count_of_prefilled_syringes_is_their_stated_volume_and_said() -> None:
    """A count of a unit that holds one dose was refused as a liquid with no volume; its name states the volume."""
    for count in (1, 2, 0.5):
        got = rx.daily_mme(SYRINGE, count=count, every="4 h", route="IV", table="anzca-2021")
        by_volume = rx.daily_mme(SYRINGE, volume=f"{count} mL", every="4 h", route="IV", table="anzca-2021")
        assert got.mme_per_day == by_volume.mme_per_day == 180.0 * count  # 10 mg x 6 x 3 a syringe
        assert got.warnings == (
            f"a count of prefilled syringes is their whole volume: {count:g} x 1 mL of {rx.product(SYRINGE).name}",
        )
    cartridge = next(c for c, row in rx._file(None).products.items() if row[2] == "Cartridge" and row[4] == "2")
    got = rx.daily_mme(cartridge, count=1, per_day=1, route="IV", table="anzca-2021")
    assert (
        got.mme_per_day == rx.daily_mme(cartridge, volume="2 mL", per_day=1, route="IV", table="anzca-2021").mme_per_day
    )


def test_a_count_of_a_vial_is_refused_in_words_any_caller_can_act_on() -> None:
    """A vial (10 ML ... Injection) may hold several doses: its count is no dose; the message named a Python keyword."""
    with pytest.raises(mme.DoseError) as refused:
        rx.daily_mme("892489", count=1, every="4 h", route="IV", table="anzca-2021")
    assert str(refused.value) == (
        "RxCUI 892489 (10 ML morphine sulfate 1 MG/ML Injection [Duramorph]) is a liquid (1 MG/ML, 10 mL a unit, which "
        "may hold several doses): give the volume of a dose in mL, or the dose in mg"
    )


def test_two_salts_of_one_opioid_are_that_opioid_at_their_summed_strength() -> None:
    """Percodan's old formulation (oxycodone HCl 4.5 mg + terephthalate 0.38 mg) was a Total of two items here, one
    oxycodone on the sig path and a refusal in a frame: every path now reads one oxycodone of 4.88 mg."""
    got = rx.daily_mme("637540", count=1, per_day=4)
    assert isinstance(got, mme.DailyMME)
    assert got.daily_dose == pytest.approx(4.88 * 4)
    assert got.mme_per_day == pytest.approx(4.88 * 4 * 1.5)
    by_mg = rx.daily_mme("637540", "4.88 mg", per_day=4)  # a dose in mg is its oxycodone's, as of one opioid
    assert by_mg.mme_per_day == got.mme_per_day
    assert "the dose 4.88 mg was read as oxycodone's, the one opioid of" in by_mg.warnings[0]
    claim = rx.dispensing_mme("637540", quantity=120, days_supply=30)
    assert isinstance(claim, mme.DailyMME)
    assert claim.mme_per_day == got.mme_per_day


def test_two_opioids_in_one_unit_give_a_total_of_engine_items() -> None:
    oxycodone = rx.product("1049621")
    morphine = rx.product("892345").opioids[0]  # morphine sulfate 30 MG: a second opioid, of another factor
    both = oxycodone.model_copy(update={"ingredients": (*oxycodone.ingredients, morphine)})
    got = rx.daily_mme(both, count=1, per_day=4)
    assert isinstance(got, mme.Total)
    assert [i.daily_dose for i in got.items] == [20.0, 120.0]
    assert got.mme_per_day == (5 * 1.5 + 30) * 4
    with pytest.raises(mme.DoseError, match="2 opioid ingredients: give a count, not a dose"):
        rx.daily_mme(both, "5 mg", per_day=4)


def test_excluded_products_have_no_mme_never_zero() -> None:
    suboxone = rx.daily_mme("1010603", count=1, per_day=1)
    assert suboxone.mme_per_day is None
    assert suboxone.excluded


def test_unknown_rxcui_says_the_rxnorm_date() -> None:
    with pytest.raises(mme.UnknownRxCUIError, match=r"RxNorm 2020-10-20.*mme rxnorm build") as caught:
        rx.product("99999999")
    assert isinstance(caught.value, LookupError)
    assert caught.value.rxnorm_date == "2020-10-20"


def test_a_code_written_as_a_whole_float_is_that_integer() -> None:
    """Was "may be newer than the file": "1049621.0" (a column of codes read as floats) is RxCUI 1049621."""
    assert rx.product("1049621.0") == rx.product(" 1049621.00 ") == rx.product("1049621")
    assert rx.ingredient_drug("7052.0") == "morphine"
    for code in ("1049621.5", "1049621.05", ".5"):
        with pytest.raises(
            mme.UnknownRxCUIError, match=re.escape(f"RxCUI {code!r} is not in the RxNorm product file")
        ) as e:
            rx.product(code)
        assert str(e.value).endswith(": an RxCUI is a whole number (e.g. '1049621').")
    for code in ("abc", "", "١٠٤٩٦٢١"):  # no number at all, or not in the digits 0-9: never "newer than the file"
        with pytest.raises(mme.UnknownRxCUIError, match=r": an RxCUI is a whole number \(e\.g\. '1049621'\)\.$"):
            rx.product(code)


def test_an_rxcui_with_leading_zeros_is_that_integer() -> None:
    """Was "may be newer than the file": "01049621" (padded to RxNorm's 8 characters) is RxCUI 1049621, as RxNorm's
    concept IDs are integers and none is written with a leading zero (none in the product file is)."""
    assert rx.product("01049621") == rx.product("0001049621.0") == rx.product(1049621)
    assert rx.ingredient_drug("07052") == "morphine"
    assert mme.convert("1 tab q6h", rxcui="01049621").mme_per_day == 30
    assert not [code for code in json.loads(rx.SHIPPED.read_text(encoding="utf-8"))["products"] if code.startswith("0")]
    np = pytest.importorskip("numpy")
    assert rx.product(np.int64(1049621)) == rx.product("1049621")


@pytest.mark.parametrize("value", [None, True, False, [1049621], 1049621j])
def test_an_rxcui_of_another_type_is_an_argument_type_error(value: object) -> None:
    """None and True were "RxCUI 'None' is not in the RxNorm product file" (an `UnknownRxCUIError`): no RxCUI at
    all, but the wrong type of argument."""
    said = r"^an RxCUI is RxNorm's concept ID, a whole number \(1049621 or '1049621'\), not "
    calls: list[Callable[[Any], object]] = [rx.product, rx.ingredient_drug, lambda code: rx.daily_mme(code, count=1)]
    for call in calls:
        with pytest.raises(mme.ArgumentTypeError, match=said + re.escape(repr(value))):
            call(value)
    if value is not None:  # convert's rxcui=None is no RxCUI
        with pytest.raises(mme.ArgumentTypeError, match=said):
            mme.convert("1 tab q6h", rxcui=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("sig", [True, False, 0, -0.0, b"10", 10, None])
@pytest.mark.parametrize("rxcui", ["1049621", "7052"])  # a product, and an ingredient (its name)
def test_a_sig_that_is_not_text_is_an_argument_type_error(sig: object, rxcui: str) -> None:
    """A sig True was appended as "... oral tablet True", b'10' as "b'10'"; 0, -0.0 and False vanished."""
    with pytest.raises(
        mme.ArgumentTypeError, match=rf"^sig must be text such as '1 tab q6h', not {re.escape(repr(sig))}$"
    ):
        rx.expression(rxcui, sig)  # type: ignore[arg-type]


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
    "name",
    [
        "Oxycodone 5 MG Oral Wafer",  # a dose form RxNorm does not have
        "oxycodone five MG Oral Tablet",
        "oxycodone 5 MEQ Oral Tablet",
        "oxycodone hydrochloride 5 MG Oral Tablet q6h",  # a sig is no product name
        # the brand names another opioid: the build's own reader once kept it, the product reader refuses it
        "oxycodone hydrochloride 5 MG Oral Tablet [Dilaudid]",
    ],
)
def test_the_name_reader_refuses_what_it_cannot_read_strictly(name: str) -> None:
    assert read_name(name) is None


def test_the_build_reads_names_with_the_product_reader_of_convert() -> None:
    """One reader: every name of the file is read by `parse_product` (what `mme.convert` reads a product
    name with), which names the opioid the file counts, with the strength the file records."""
    codes = json.loads(rx.SHIPPED.read_text(encoding="utf-8"))["products"]
    for code in codes:
        prod = rx.product(code)
        read = parse_product(prod.name)
        assert {i.drug for i in prod.opioids} == {read.drug}, prod.name
        assert [(i.name, i.amount, i.unit) for i in read.ingredients] == [
            (i.name, float(i.strength), UNITS[i.unit]) for i in prod.ingredients
        ], prod.name
    assert len(codes) == 1044


def _counts(**counts: int) -> dict[str, int]:
    """What `build` returns: the counts given, every reason for a skip not given being 0."""
    return dict.fromkeys(SKIPPED, 0) | counts


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
    assert rx.build(omtk, out, names=names) == _counts(omtk=1, names=1, read=4, kept=2, unread=2)  # a wafer, a mystery
    assert rx.daily_mme("5", count=1, per_day=2, rxnorm=out).mme_per_day == 45.0
    assert rx.product("6", rxnorm=out).opioids[0].rxcui == "7804"  # the ingredient code learnt from OMTK
    with pytest.raises(mme.UnknownRxCUIError, match="RxNorm 2025-01-06"):
        rx.product("1049621", rxnorm=out)


def test_convert_reads_an_rxcui_from_the_product_file_given(tmp_path: Path) -> None:
    omtk = _omtk(
        tmp_path, "5,oxycodone hydrochloride 15 MG Oral Tablet,317541,Oral Tablet,7804,Oxycodone,15 MG,15.0,MG\n"
    )
    out = tmp_path / "rx.json"
    rx.build(omtk, out)
    assert mme.convert("1 tab q12h", rxcui="5", rxnorm=out).mme_per_day == 45.0  # 15 mg x 2 x 1.5
    with pytest.raises(mme.UnknownRxCUIError):
        mme.convert("1 tab q12h", rxcui="5")  # not in the shipped file


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


@pytest.mark.parametrize("code", ["637540", "724614"])  # aspirin with oxycodone HCl and oxycodone terephthalate
def test_two_salts_of_one_opioid_convert_by_sig_as_their_total(code: str) -> None:
    """A sig of Percodan's old formulations (two oxycodone salts) gives what the structured paths give."""
    salts = rx.product(code).opioids
    by_count = rx.daily_mme(code, count=2, every="6 h")
    assert len(salts) == 2
    assert mme.convert("2 tabs q6h", rxcui=code).mme_per_day == by_count.mme_per_day
    for hours in (5, 7, 9, 11):  # intervals of repeating decimals: the same figure to the last rounded digit
        assert (
            mme.convert(f"1 tab q{hours}h", rxcui=code).mme_per_day
            == rx.daily_mme(code, count=1, every=f"{hours} h").mme_per_day
        )
    assert by_count.mme_per_day == pytest.approx(float(sum(i.strength for i in salts)) * 2 * 4 * 1.5)
    claim = mme.convert("", rxcui=code, quantity=120, days_supply=30, table="cdc-ndc-2018")
    assert claim.mme_per_day == rx.dispensing_mme(code, quantity=120, days_supply=30, table="cdc-ndc-2018").mme_per_day


def test_a_sig_of_two_opioids_in_one_unit_is_refused_saying_what_converts_it() -> None:
    oxycodone = rx.product("1049621")
    morphine = rx.product("892345").opioids[0]  # morphine sulfate 30 MG: a second opioid, of another factor
    both = oxycodone.model_copy(update={"ingredients": (*oxycodone.ingredients, morphine)})
    assert rx.daily_mme(both, count=1, per_day=4).mme_per_day == (5 * 1.5 + 30) * 4
    with pytest.raises(mme.DoseError) as refused:
        rx.expression(both, "1 tab q6h")
    assert str(refused.value) == (
        f"{oxycodone.label} has 2 opioid ingredients (oxycodone and morphine), each with its own factor, which a sig "
        "does not add up: a count of its units does (a FHIR doseQuantity, mme.rxnorm.daily_mme)"
    )


@pytest.mark.parametrize(
    ("code", "sig", "error", "message"),
    [
        # the product names the drug, the text is the sig
        ("1049621", "morphine 10 mg q4h", mme.ExpressionError, "the sig 'morphine 10 mg q4h' names a drug of its own"),
        ("1", "1 tab q6h", mme.UnknownRxCUIError, "RxCUI '1' is not in the RxNorm product file"),
    ],
)
def test_convert_by_rxcui_refuses_what_it_cannot_read_as_one_product(
    code: str, sig: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        mme.convert(sig, rxcui=code)


def test_a_product_not_covered_by_the_table_does_not_ask_for_its_route_and_form() -> None:
    """Actiq under cdc-2022 ended "say the product's route and form", which RxNorm gave and the caller cannot say."""
    said = r"A form 'lozenge' is given by transmucosal only: RxCUI 261106 states its route and form, which the table"
    calls: list[Callable[[], object]] = [
        lambda: rx.daily_mme("261106", count=1, per_day=4),
        lambda: rx.daily_mme(rxcui="261106", count=1, per_day=4),
        lambda: rx.dispensing_mme("261106", quantity=30, days_supply=10),
        lambda: mme.convert("1 lozenge q6h", rxcui="261106"),
        lambda: mme.convert("1 q6h", rxcui="261106", table="heal-2025"),
    ]
    for call in calls:
        with pytest.raises(
            mme.NotCoveredError, match=said + r" does not cover\. Tables that cover it: cdc-ndc-2010"
        ) as e:
            call()
        assert "cdc-ndc-2018" in e.value.covered_by
    with pytest.raises(
        mme.NotCoveredError, match=re.escape("RxCUI 261106 (fentanyl 0.2 MG Oral Lozenge [Actiq]) states")
    ):
        rx.daily_mme(rx.product("261106"), count=1, per_day=4)
    with pytest.raises(mme.NotCoveredError, match="lozenge' is given by transmucosal only: say the product's route"):
        mme.convert("fentanyl 200 mcg lozenge q6h")  # the caller named the form


def test_convert_by_rxcui_writes_a_strength_the_table_doses_in_mcg_in_mcg() -> None:
    """RxNorm's "fentanyl 1.2 MG Oral Lozenge" is 1200 mcg: no unit-slip warning (pytest makes warnings errors)."""
    result = mme.convert("1 lozenge q6h", rxcui="261109", table="cms-2018")  # 1200 mcg x 4 a day x 0.13 per mcg
    assert result.mme_per_day == pytest.approx(624)
    assert result.expression is not None
    assert result.expression.dose == "1200 mcg"
    assert not result.warnings


# --- NLM's RxNorm release (RRF) -------------------------------------------------------------------

#: RXNCONSO.RRF lines as NLM writes them (RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|
#: SRL|SUPPRESS|CVF|), written here for the tests: (RXCUI, SAB, TTY, STR, SUPPRESS).
RRF_ROWS = [
    ("7804", "RXNORM", "IN", "oxycodone", "N"),
    ("4337", "RXNORM", "IN", "fentanyl", "N"),
    ("161", "RXNORM", "IN", "acetaminophen", "N"),  # not an opioid: no ingredient code recorded
    ("317541", "RXNORM", "DF", "Oral Tablet", "N"),
    ("1049621", "RXNORM", "SCD", "oxycodone hydrochloride 5 MG Oral Tablet", "N"),
    ("1049621", "RXNORM", "PSN", "oxyCODONE HCl 5 MG Oral Tablet", "N"),  # another name of the same concept
    ("1049621", "MTHSPL", "DP", "Oxycodone Hydrochloride 5 mg Oral Tablet", "N"),  # another source's atom
    ("1049640", "RXNORM", "SBD", "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet [Percocet]", "N"),
    ("1237052", "RXNORM", "GPCK", "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack", "N"),
    ("197361", "RXNORM", "SCD", "amlodipine 5 MG Oral Tablet", "N"),  # no opioid
    ("1049611", "RXNORM", "SCD", "oxycodone hydrochloride 15 MG Oral Tablet", "O"),  # obsolete
    ("1049616", "RXNORM", "SBD", "oxycodone hydrochloride 30 MG Oral Tablet [Roxicodone]", "E"),  # editor-suppressed
    ("9990001", "RXNORM", "SCD", "oxycodone hydrochloride 5 MG Oral Wafer", "N"),  # not RxNorm's structured form
    ("1049600", "RXNORM", "SCDF", "oxycodone Oral Tablet", "N"),  # a drug form: no strength, not a product
    ("3000000", "SRC", "RPT", "RXNORM", "N"),  # a row about the RxNorm source itself, of another SAB
]


def _rrf_line(rxcui: str, sab: str, tty: str, name: str, suppress: str) -> str:
    aui = f"{len(name)}{rxcui}"  # the atom's own id (RXAUI), and the source's, made up
    fields = [rxcui, "ENG", "", "", "", "", "", aui, aui, rxcui, "", sab, tty, rxcui, name, "", suppress, "4096"]
    return "|".join(fields) + "|\n"


def _release(tmp_path: Path, rows: list[tuple[str, str, str, str, str]] = RRF_ROWS, folder: str = "") -> Path:
    """An unzipped release as NLM ships it: RxNorm_full_MMDDYYYY/ with its Readme and rrf/RXNCONSO.RRF."""
    release = tmp_path / (folder or "RxNorm_full_01062025")
    (release / "rrf").mkdir(parents=True)
    (release / "rrf" / "RXNCONSO.RRF").write_text("".join(_rrf_line(*row) for row in rows), encoding="utf-8")
    return release


def test_an_rrf_release_builds_a_product_file_used_with_rxnorm_path(tmp_path: Path) -> None:
    release = _release(tmp_path)
    (release / "Readme_full_01062025.txt").write_text("RxNorm 01/06/2025 Full Monthly Release\n", encoding="utf-8")
    out = tmp_path / "rx.json"
    counts = rx.build(release, out)
    # 7 names of the kept term types from RXNORM: 3 kept, 2 suppressed, 1 no opioid, 1 wafer (the SCDF is no product)
    assert counts == _counts(rrf=3, read=7, kept=3, suppressed=2, unread=1, **{"no opioid": 1})
    assert rx.rxnorm_date(rxnorm=out) == "2025-01-06"
    oxycodone = rx.product("1049621", rxnorm=out)
    assert (oxycodone.name, oxycodone.dose_form, oxycodone.dose_form_code, oxycodone.source) == (
        "oxycodone hydrochloride 5 MG Oral Tablet",
        "Oral Tablet",
        "317541",
        "rrf",
    )
    assert [(i.rxcui, i.drug, i.strength, i.unit) for i in oxycodone.ingredients] == [
        ("7804", "oxycodone", Decimal(5), "MG")
    ]
    percocet = rx.product("1049640", rxnorm=out)
    assert [(i.rxcui, i.drug) for i in percocet.ingredients] == [(None, None), ("7804", "oxycodone")]
    assert percocet.brand == "Percocet"
    pack = rx.product("1237052", rxnorm=out)
    assert (pack.dose_form, pack.dose_form_code, pack.route) == ("Mucosal Spray", None, "sublingual")
    assert rx.ingredient_drug("4337", rxnorm=out) == "fentanyl"
    assert rx.ingredient_drug("161", rxnorm=out) is None
    # the same engine numbers as the shipped file: 5 mg x 4 a day x 1.5, and 325 mg of acetaminophen never counted
    assert mme.convert("1 tab q6h", rxcui="1049621", rxnorm=out).mme_per_day == 30
    assert rx.daily_mme("1049640", count=1, per_day=4, rxnorm=out) == rx.daily_mme("1049640", count=1, per_day=4)
    for skipped in ("197361", "1049611", "1049616", "9990001", "1049600"):  # not an opioid, suppressed, unread, a form
        with pytest.raises(mme.UnknownRxCUIError, match="RxNorm 2025-01-06"):
            rx.product(skipped, rxnorm=out)
    header = json.loads(out.read_text(encoding="utf-8"))
    (source,) = header["sources"]
    conso = release / "rrf" / "RXNCONSO.RRF"
    assert (source["file"], source["sha256"]) == ("RXNCONSO.RRF", hashlib.sha256(conso.read_bytes()).hexdigest())
    assert source["skipped"] == {"suppressed": 2, "no opioid": 1, "unread": 1, "unclassified": 0}
    assert "National Library of Medicine" in source["licence"]


def test_an_rrf_release_is_given_as_its_folder_its_rrf_folder_or_rxnconso(tmp_path: Path) -> None:
    release = _release(tmp_path)
    built: list[bytes] = []
    for source in (release, release / "rrf", release / "rrf" / "RXNCONSO.RRF"):
        out = tmp_path / f"rx{len(built)}.json"
        rx.build(source, out)
        built.append(out.read_bytes())
    assert built[0] == built[1] == built[2]


def test_the_release_date_is_read_never_invented(tmp_path: Path) -> None:
    unnamed = _release(tmp_path, folder="rxnorm")
    with pytest.raises(mme.TableError, match=r"does not name the release date.*--date"):
        rx.build(unnamed, tmp_path / "x.json")
    rx.build(unnamed, tmp_path / "x.json", rxnorm_date="2025-01-06")
    assert rx.rxnorm_date(rxnorm=tmp_path / "x.json") == "2025-01-06"
    with pytest.raises(mme.TableError, match="not YYYY-MM-DD"):
        rx.build(unnamed, tmp_path / "x.json", rxnorm_date="01/06/2025")
    (unnamed / "Readme_full_02032025.txt").write_text("", encoding="utf-8")
    assert rx.build(unnamed, tmp_path / "y.json")["kept"] == 3
    assert rx.rxnorm_date(rxnorm=tmp_path / "y.json") == "2025-02-03"
    (unnamed / "Readme_full_01062025.txt").write_text("", encoding="utf-8")  # two releases' Readmes: which one?
    with pytest.raises(mme.TableError, match="names 2025-01-06 and 2025-02-03"):
        rx.build(unnamed, tmp_path / "z.json")
    (tmp_path / "RxNorm_full_13452025" / "rrf").mkdir(parents=True)  # not a date
    (tmp_path / "RxNorm_full_13452025" / "rrf" / "RXNCONSO.RRF").write_text("", encoding="utf-8")
    with pytest.raises(mme.TableError, match="does not name the release date"):
        rx.build(tmp_path / "RxNorm_full_13452025", tmp_path / "w.json")


def test_a_bad_release_is_a_table_error_saying_what_to_give(tmp_path: Path) -> None:
    empty = tmp_path / "RxNorm_full_01062025"
    empty.mkdir()
    with pytest.raises(mme.TableError, match=r"no RXNCONSO.RRF here nor in its rrf folder: give the unzipped"):
        rx.build(empty, tmp_path / "x.json")
    other = empty / "RXNREL.RRF"
    other.write_text("", encoding="utf-8")
    with pytest.raises(mme.TableError, match=r"the product names are in RXNCONSO\.RRF"):
        rx.build(other, tmp_path / "x.json")
    with pytest.raises(mme.TableError, match="no such file"):
        rx.build(empty / "RXNCONSO.RRF", tmp_path / "x.json")
    short = _release(tmp_path / "short")
    conso = short / "rrf" / "RXNCONSO.RRF"
    conso.write_text(conso.read_text(encoding="utf-8") + "1|ENG|RXNORM|SCD|x|N|\n", encoding="utf-8")
    with pytest.raises(
        mme.TableError, match=rf"row {len(RRF_ROWS) + 1}: not the 18 columns of RXNCONSO.RRF \(RXCUI\|LAT"
    ):
        rx.build(short, tmp_path / "x.json")
    conso.write_bytes(_rrf_line(*RRF_ROWS[4]).encode() + b"\xff|ENG||||||||||RXNORM|SCD|1|x||N||\n")
    with pytest.raises(mme.TableError, match="cannot read it"):
        rx.build(short, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()  # nothing is written until every name is read


@settings(max_examples=25, deadline=None)
@given(
    picks=st.lists(st.tuples(st.sampled_from(RRF_ROWS), st.sampled_from("NOEY")), unique_by=lambda p: p[0]),
    seed=st.randoms(use_true_random=False),
)
def test_rrf_products_are_the_current_rxnorm_products_whatever_the_order(picks: list[Any], seed: Any) -> None:
    """Whatever rows a release has, in any order: a product is kept exactly when its RXNORM row is current."""
    import tempfile

    rows = [(rxcui, sab, tty, name, suppress) for (rxcui, sab, tty, name, _), suppress in picks]
    seed.shuffle(rows)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "rx.json"
        counts = rx.build(_release(Path(folder), rows), out)
        products = set(json.loads(out.read_text(encoding="utf-8"))["products"])
    readable = {"1049621", "1049640", "1237052", "1049611", "1049616"}  # the five opioid products in RxNorm's form
    expected = {r[0] for r in rows if r[1] == "RXNORM" and r[2] in ("SCD", "SBD", "GPCK") and r[4] == "N"} & readable
    assert products == expected
    assert counts["suppressed"] == sum(
        r[1] == "RXNORM" and r[2] in ("SCD", "SBD", "GPCK") and r[4] != "N" for r in rows
    )
    assert counts["read"] == counts["kept"] + sum(counts[reason] for reason in SKIPPED)


def test_cli_build_never_writes_over_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mme rxnorm build names.json --names names.json -o names.json`-like mistakes: the output was written with
    `write_text` over whatever it named, the source or the names file included, and not atomically."""
    from mme._cli import main

    release = _release(tmp_path)
    names = tmp_path / "names.json"
    names.write_text("rxcui\tname\n", encoding="utf-8")
    before = names.read_bytes()
    assert main(["rxnorm", "build", str(release), "--names", str(names), "-o", str(names)]) == 2
    assert "it is the input" in capsys.readouterr().err
    assert names.read_bytes() == before
    assert main(["rxnorm", "build", str(release), "-o", str(tmp_path / "rx.txt")]) == 2
    assert "must end in .json" in capsys.readouterr().err
    assert main(["rxnorm", "build", str(release), "-o", str(tmp_path / "absent" / "rx.json")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["names.json", release.name])  # no temporary left


def test_cli_builds_from_a_release_and_says_what_it_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mme._cli import main

    release = _release(tmp_path)
    out = tmp_path / "rx.json"
    assert main(["rxnorm", "build", str(release), "-o", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"{out}: 3 products (3 from RRF); 7 names read, 3 kept, 4 skipped: "
        "2 suppressed in RxNorm (SUPPRESS not N), 1 naming no opioid mme knows, 1 not read strictly\n"
    )
    assert main(["rxnorm", "show", "1049621", "--rxnorm", str(out)]) == 0
    assert "oxycodone hydrochloride 5 MG Oral Tablet (RxNorm 2025-01-06)" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert main(["rxnorm", "build", str(tmp_path / "empty"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no RXNCONSO.RRF here nor in its rrf folder" in err
    assert "Traceback" not in err


def test_the_build_checks_what_the_reader_says_against_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product reader refuses unknown components and reads strengths as written; were it ever to do
    otherwise, the build would skip the name rather than count an unknown (perhaps opioid) ingredient as a
    non-opioid, or record a strength the name does not state."""
    import mme._rxnorm_build as builder
    from mme._parse import Ingredient, Product

    name = "benzhydrocodone 6.12 MG / acetaminophen 325 MG Oral Tablet"  # Apadaz: a prodrug of hydrocodone
    parts = (Ingredient("benzhydrocodone", 6.12, "mg"), Ingredient("acetaminophen", 325.0, "mg"))
    monkeypatch.setattr(builder, "parse_product", lambda _: Product(name, "hydrocodone", "6.12 mg", parts))
    assert builder.read_name(name) is not None
    assert builder._from_name(name, {}) == "unclassified"
    misread = (Ingredient("benzhydrocodone", 6.0, "mg"), parts[1])
    monkeypatch.setattr(builder, "parse_product", lambda _: Product(name, "hydrocodone", "6 mg", misread))
    assert builder.read_name(name) is None


@pytest.mark.parametrize(("rxcui", "sig", "expected"), [("7052", "10 mg q4h", 60.0), ("10689", "50 mg q6h", 40.0)])
def test_an_ingredient_code_with_a_sig_in_mg_converts_as_daily_mme_does(rxcui: str, sig: str, expected: float) -> None:
    """`mme.convert("10 mg q4h", rxcui="7052")` was refused with "give the dose in mg", though the dose was in mg."""
    amount, every = sig.split(" q")
    assert rx.daily_mme(rxcui, amount, every=f"{every.removesuffix('h')} h").mme_per_day == expected
    assert mme.convert(sig, rxcui=rxcui).mme_per_day == expected
    with pytest.raises(mme.ExpressionError, match="a count with no strength"):
        mme.convert("1 tab q4h", rxcui=rxcui)

"""Reading the CDC NDC files (`mme._ndc`): NDC spellings, every edition's columns, lookups."""

from __future__ import annotations

import math
import re
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mme._errors import ArgumentTypeError, ExpressionError, MMEError, NdcError, NotCoveredError, TableError
from mme._ndc import NdcFile, NdcProduct, ndc_mme, normalize_ndc, read_ndc_file
from mme._tables import get_table

from reference_data import CDC_NDC, CDC_NDC_CSV, needs

XLSX_FILES = {
    2016: "MME Conversion Reference Table.xlsx",
    2017: "CDC_Oral_Morphine_Milligram_Equivalents_Sept_2017.xlsx",
    2018: "CDC_Oral_Morphine_Milligram_Equivalents_Sept_2018.xlsx",
}
ROWS = {2010: 12050, 2013: 12708, 2014: 13303, 2016: 13269, 2017: 13661, 2018: 14549}

needs_reference = needs(CDC_NDC, "CDC NDC reference files")
ELEVEN = re.compile(r"[0-9]{11}")


@cache
def csv_file(year: int) -> NdcFile:
    return read_ndc_file(CDC_NDC / CDC_NDC_CSV[year])


@cache
def xlsx_file(year: int) -> NdcFile:
    pytest.importorskip("openpyxl")
    return read_ndc_file(CDC_NDC / XLSX_FILES[year])


# -- normalize_ndc ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00002035102", "00002035102"),
        ("'00002035102'", "00002035102"),  # CDC's 2010 and 2013 CSVs quote the NDC
        (" 00002035102 ", "00002035102"),
        ("00002-0351-02", "00002035102"),
        ("0002-0351-02", "00002035102"),  # 4-4-2
        ("12345-678-90", "12345067890"),  # 5-3-2
        ("12345-6789-1", "12345678901"),  # 5-4-1
        ("2035102", "00002035102"),  # NDC_Numeric read as text
        (2035102, "00002035102"),  # NDC_Numeric as a number
        (54017613, "00054017613"),
        (35356060504, "35356060504"),
        (1234567890, "01234567890"),  # a number lost its leading zero: not a 10-digit NDC
        # a whole number with a decimal point is its digits, as mme.frames reads a float column (pandas' integers
        # with nulls): were refused here and in mme batch, read by mme.frames
        (2.035102e6, "00002035102"),
        (93002401.0, "00093002401"),
        ("93002401.0", "00093002401"),
        (Decimal("93002401.00"), "00093002401"),
    ],
)
def test_normalize_ndc(text: str | int | float, expected: str) -> None:
    assert normalize_ndc(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ndc",
        "0002035102",  # 10 digits without hyphens: which segment is short?
        "000020351020",  # 12 digits
        "123456",  # too short to be NDC_Numeric
        "0002-0351-2",  # 4-4-1
        "00002-0351-02-1",
        "00002--035102",
        "0002 0351 02",
        "00002.0351.02",
        "０００００２０３５１０２",  # full-width digits
        "-2035102",
        True,
        -2035102,
        0,
        10**11,
        2035102.5,
        "2035102.5",
        "2035102.",
        ".0",
        math.nan,
        math.inf,
        Decimal("sNaN"),
        "1234567890.0",  # 10 digits, as the text "1234567890" is
        None,
    ],
)
def test_normalize_ndc_refuses(text: object) -> None:
    with pytest.raises(NdcError, match="NDC"):
        normalize_ndc(text)  # type: ignore[arg-type]


def test_a_numpy_integer_is_read_as_an_int() -> None:
    """`numpy.int64(2035102)` (a pandas integer column's cell) was "not an NDC", where the int 2035102 reads."""
    np = pytest.importorskip("numpy")
    for kind in (np.int64, np.int32, np.uint64):
        assert normalize_ndc(kind(2035102)) == normalize_ndc(2035102) == "00002035102"
    with pytest.raises(NdcError, match=r"^not an NDC: 12; an NDC as a number has 7 to 11 digits$"):
        normalize_ndc(np.int64(12))
    with pytest.raises(NdcError, match=r"^not an NDC: np.True_; "):
        normalize_ndc(np.bool_(True))


@needs_reference
def test_an_ndc_claim_takes_a_numpy_integer() -> None:
    np = pytest.importorskip("numpy")
    import mme

    file = csv_file(2018)
    oxy = _first(file, drug="oxycodone", strength=10.0, form="tablet", unit="mg")
    claim: dict[str, Any] = {"quantity": 120, "days_supply": 30, "ndc_file": file}
    assert mme.ndc_mme(np.int64(int(oxy.ndc)), **claim) == mme.ndc_mme(oxy.ndc, **claim)


def test_ten_digits_without_hyphens_explains_why() -> None:
    with pytest.raises(NdcError, match=r"ambiguous.*4-4-2"):
        normalize_ndc("0002035102")


def test_a_bad_ndc_is_an_ndc_error_caught_as_before() -> None:
    """Was a plain ExpressionError: an NDC is no dose expression. Handlers of ExpressionError still catch it."""
    with pytest.raises(NdcError) as info:
        normalize_ndc("0002-351-2")
    assert type(info.value) is NdcError
    assert isinstance(info.value, ExpressionError)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ExpressionError, match="not an NDC: 'no'"):
        normalize_ndc("no")


digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


@given(digits)
def test_any_eleven_digits_round_trip(ndc: str) -> None:
    assert normalize_ndc(ndc) == ndc
    assert normalize_ndc(f"'{ndc}'") == ndc
    assert normalize_ndc(f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}") == ndc
    if int(ndc) >= 10**6:
        assert normalize_ndc(int(ndc)) == ndc  # NDC_Numeric
        if len(str(int(ndc))) <= 9:
            assert normalize_ndc(str(int(ndc))) == ndc  # NDC_Numeric read as text


@given(
    st.sampled_from([(4, 4, 2), (5, 3, 2), (5, 4, 1)]),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
)
def test_hyphenated_ten_digit_layouts(layout: tuple[int, int, int], labeler: str, product: str, package: str) -> None:
    a, b, c = layout
    parts = [labeler[:a], product[:b], package[:c]]  # the 10-digit segments
    padded = [p.zfill(n) for p, n in zip(parts, (5, 4, 2), strict=True)]
    assert normalize_ndc("-".join(parts)) == "".join(padded)
    assert sum(layout) == 10
    assert len("".join(padded)) == 11


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.binary(), st.booleans()))
def test_garbage_raises_only_mme_errors(value: Any) -> None:
    try:
        result = normalize_ndc(value)
    except MMEError as exc:
        error: MMEError = exc
    else:
        assert ELEVEN.fullmatch(result)
        return
    assert type(error) is NdcError
    assert re.match(r"(not an|ambiguous) NDC", str(error))


@given(st.text(alphabet="0123456789-' ", max_size=16))
def test_ndc_like_text_gives_eleven_digits_or_ndc_error(value: str) -> None:
    try:
        result = normalize_ndc(value)
    except NdcError:
        return
    assert ELEVEN.fullmatch(result)
    assert set(value) & set("123456789") <= set(result)


# -- reading the reference editions -----------------------------------------------------------------------


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", sorted(CDC_NDC_CSV))
def test_read_every_csv_edition(year: int) -> None:
    file = csv_file(year)
    assert len(file) == ROWS[year]
    assert all(ELEVEN.fullmatch(ndc) and p.ndc == ndc for ndc, p in file.products.items())
    products = list(file)
    assert all(isinstance(p, NdcProduct) for p in products)
    assert {p.unit for p in products} <= {"mg", "mcg", "mcg/h", "mg/mL", "mcg/spray", None}
    assert sum(p.factor is None for p in products) == {2010: 0, 2013: 0, 2014: 0, 2016: 1, 2017: 156, 2018: 225}[year]
    unnamed = [p for p in products if p.drug is None]
    assert [p.generic_name for p in unnamed] == (["Acetaminophen/Butabarbital Sodium"] if year == 2014 else [])
    assert all(p.form is not None for p in products)
    assert (year >= 2014) == all(p.product_name for p in products)


# (NDC as looked up) -> (drug, route, form, strength, unit, factor or None, long-acting)
KNOWN: dict[int, dict[str | int, tuple[object, ...]]] = {
    2010: {
        "00002-0351-02": ("propoxyphene", "oral", "tablet", 50.0, "mg", "0.23", False),
        "35356060504": ("buprenorphine", "transdermal", "patch", 10.0, "mcg/h", "42", True),
        "51772031101": ("fentanyl", "nasal", "spray", 100.0, "mcg", "0.16", False),
        "20482000130": ("fentanyl", "sublingual", "spray", 100.0, "mcg", "0.18", False),
        "'00574015904'": ("opium", "oral", "solution", 10.0, None, "1", False),
    },
    2013: {
        74146301: ("nalbuphine", None, "injection", 10.0, "mg/mL", "1", False),
        "42747022104": ("fentanyl", None, "tablet", 100.0, "mcg", "0.13", False),
    },
    2014: {
        "00172-4802-60": ("codeine", "oral", "capsule", 30.0, "mg", "0.15", False),
        "00054364962": ("levomethadyl", "oral", "solution", 10.0, "mg/mL", "8", True),
        "35356060504": ("buprenorphine", "transdermal", "patch", 10.0, "mcg/h", "12.6", True),
    },
    2016: {
        "00054017613": ("buprenorphine", "sublingual", "tablet", 2.0, "mg", "30", True),
        "58284010014": ("buprenorphine", "subcutaneous", "implant", None, "mg", None, True),
    },
    2017: {
        "35356060504": ("buprenorphine", "transdermal", "patch", 10.0, "mcg/h", None, True),
        "63481016160": ("buprenorphine", "buccal", "film", 75.0, "mcg", None, True),
        "58284010014": ("buprenorphine", "subcutaneous", "implant", 74.2, None, None, True),
    },
    2018: {
        "16590070305": ("fentanyl", "transdermal", "patch", 25.0, "mcg/h", "7.2", True),
        "10544059120": ("oxycodone", "oral", "tablet", 10.0, "mg", "1.5", True),
        "00054017613": ("buprenorphine", "sublingual", "tablet", 2.0, "mg", None, True),
    },
}


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(("year", "ndc"), [(y, n) for y, ndcs in KNOWN.items() for n in ndcs])
def test_lookup_known_ndcs(year: int, ndc: str | int) -> None:
    p = csv_file(year).lookup(ndc)
    drug, route, form, strength, unit, factor, long_acting = KNOWN[year][ndc]
    assert (p.drug, p.route, p.form, p.strength, p.unit) == (drug, route, form, strength, unit)
    assert p.factor == (None if factor is None else Decimal(str(factor)))
    assert p.long_acting is long_acting


@pytest.mark.reference
@needs_reference
def test_lookup_unknown_ndc_names_the_file() -> None:
    with pytest.raises(NotCoveredError, match=r"00000000001.*cdc_mme_ndc_2018\.csv") as info:
        csv_file(2018).lookup("00000000001")
    assert isinstance(info.value, LookupError)
    with pytest.raises(NdcError, match="not an NDC: 'not an ndc'"):
        csv_file(2018).lookup("not an ndc")


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", sorted(XLSX_FILES))
def test_xlsx_reads_the_same_as_its_csv_export(year: int) -> None:
    """The workbooks as CDC distributed them (about 1 s each to open) give the same products as their CSVs."""
    book, export = xlsx_file(year), csv_file(year)
    assert "[Opioids]" in book.name
    assert book.products.keys() == export.products.keys()
    differ = [ndc for ndc, p in book.products.items() if p != export.products[ndc]]
    assert not differ, f"{len(differ)} products differ, e.g. {book.products[differ[0]]} / {export.products[differ[0]]}"


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", sorted(CDC_NDC_CSV))
def test_products_agree_with_the_shipped_table(year: int) -> None:
    """An NDC's factor is the factor of the table row for its drug, route and form (or it is documented as left out)."""
    table = get_table(f"cdc-ndc-{year}")
    checked = 0
    for p in csv_file(year):
        if p.factor is None or p.drug is None or p.route is None or p.form is None:
            continue
        unit = {"mg/mL": "mg", "mcg/spray": "mcg"}.get(p.unit or "mg", p.unit or "mg")
        rows = [
            r
            for r in table.rows_for(p.drug)
            if p.route in r.routes and (not r.forms or p.form in r.forms) and r.unit == unit
        ]
        if not rows:
            assert (p.drug, p.factor) == ("buprenorphine", Decimal("42")) or (year, p.route, p.form) == (
                2016,
                "buccal",
                "film",
            ), p
            continue
        (row,) = rows
        assert row.factor == p.factor, p
        checked += 1
    assert checked > 0.95 * ROWS[year]


# -- errors -------------------------------------------------------------------------------------------------


def test_missing_openpyxl_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "mme\[xlsx\]"') as info:
        read_ndc_file(tmp_path / "cdc.xlsx")
    assert not isinstance(info.value, MMEError)  # a missing extra is an installation problem, not bad input


def test_workbook_without_an_opioid_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Benzos"
    book.save(tmp_path / "cdc.xlsx")
    with pytest.raises(TableError, match="no sheet 'opioids' or 'opioid'; sheets: Benzos"):
        read_ndc_file(tmp_path / "cdc.xlsx")


def test_workbook_with_numeric_ndc_and_float_factors(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "opioid"
    sheet.append(["NDC_Numeric", "Generic_Drug_Name", "Master_Form", "Strength", "UOM", "MME_Conversion_Factor"])
    sheet.append([2035102, "Acetaminophen/Propoxyphene Napsylate", "Tablet", 50, "MG", 0.23])
    sheet.append([None, None, None, None, None, None])
    book.save(tmp_path / "cdc.xlsx")
    file = read_ndc_file(tmp_path / "cdc.xlsx")
    assert len(file) == 1
    p = file.lookup("0002-0351-02")
    assert (p.drug, p.route, p.form, p.factor, p.product_name) == (
        "propoxyphene",
        "oral",
        "tablet",
        Decimal("0.23"),
        None,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("NDC,UOM\n00002035102,MG\n", "no column generic_drug_name, master_form, strength_per_unit"),
        ("NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n12,Codeine,Tablet,30,MG,0.15\n", "bad NDC"),
        (
            "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n00002035102,Codeine,Tablet,30,MG/TSP,0.15\n",
            "UOM",
        ),
        (
            "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n00002035102,Codeine,Tablet,30,MG,x\n",
            "MME_Conversion_Factor 'x'",
        ),
        (
            "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n"
            "00002035102,Codeine,Tablet,30,MG,0.15\n00002035102,Codeine,Tablet,30,MG,0.2\n",
            r"row 3: NDC 00002035102 is listed twice as different products: rows 2 and 3 differ in factor \(0.15 vs 0.2\)",
        ),
        (  # the same factor, twice the strength: the first row won, with no word
            "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n"
            "00002035102,Oxycodone,Tablet,10,MG,1.5\n00002035102,Oxycodone,Tablet,20,MG,1.5\n",
            r"rows 2 and 3 differ in strength \(10.0 vs 20.0\); keep the right one$",
        ),
        (  # another drug and form: an oxycodone tablet or a morphine solution?
            "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n"
            "00002035102,Oxycodone,Tablet,10,MG,1.5\n00002035102,Morphine,Solution,10,MG/ML,1.5\n",
            r"differ in generic_name \(Oxycodone vs Morphine\), drug \(oxycodone vs morphine\), form "
            r"\(tablet vs solution\), unit \(mg vs mg/mL\), master_form \(Tablet vs Solution\);",
        ),
        ("", "empty"),
    ],
)
def test_malformed_csv(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cdc.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=message) as info:
        read_ndc_file(path)
    assert str(path.name) in str(info.value)


def test_a_row_repeated_as_it_is_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "cdc.csv"
    row = "00002035102,Oxycodone,Tablet,10,MG,1.5\n"
    path.write_text("NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n" + row * 2, encoding="utf-8")
    file = read_ndc_file(path)
    assert len(file) == 1
    assert (file.lookup("00002035102").strength, file.lookup("00002035102").factor) == (10.0, Decimal("1.5"))


def test_not_a_cdc_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"expected \.xlsx or \.csv"):
        read_ndc_file(tmp_path / "cdc.pdf")
    with pytest.raises(TableError, match="cannot read"):
        read_ndc_file(tmp_path / "missing.csv")
    with pytest.raises(TableError, match=r"^'x\\x00\.csv': no file has a NUL character in its name$"):
        read_ndc_file("x\x00.csv")  # was ValueError: embedded null byte
    for wrong in (None, 5):  # were pathlib's TypeError
        with pytest.raises(ArgumentTypeError, match=r"^an NDC file is the path of a \.xlsx or \.csv file, not "):
            read_ndc_file(wrong)  # type: ignore[arg-type]


def test_a_path_given_for_the_read_ndc_file_says_to_read_it(tmp_path: Path) -> None:
    """A path as ``ndc_file`` was an AttributeError ('str' object has no attribute 'lookup'), in the frames too."""
    from mme import frames

    path = tmp_path / "cdc.csv"
    path.write_text(
        "NDC,GENNME,Master_Form,Strength_Per_Unit,UOM,MME_Conversion_Factor\n'00002035102',Codeine Sulfate,Tablet,30,MG,0.15\n"
    )
    message = r"^ndc_file must be an NDC file read by mme\.read_ndc_file\(path\), not (str|PosixPath): read it once"
    for wrong in (str(path), path):
        with pytest.raises(ArgumentTypeError, match=message):
            ndc_mme("00002035102", quantity=120, days_supply=30, ndc_file=wrong)  # type: ignore[arg-type]
    pd = pytest.importorskip("pandas")
    claims = pd.DataFrame({"ndc": ["00002035102"], "quantity": [120], "days_supply": [30]})
    with pytest.raises(ArgumentTypeError, match=message):
        frames.dispensing_mme(claims, ndc="ndc", ndc_file=str(path))  # type: ignore[arg-type]
    assert ndc_mme("00002035102", quantity=120, days_supply=30, ndc_file=read_ndc_file(path)).mme_per_day == 18.0


def test_a_variant_with_the_files_own_factors_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A variant chooses among the values a table prints; the file's own factors print one per NDC. variant="tiers"
    without table= was dropped unsaid: methadone 10 mg x 90 / 30 d kept the file's factor 3 (90 MME/day), where the
    caller asked for CMS 2018's tiers (30 mg/day is in the tier >20-<=40, factor 8: 240)."""
    from mme import AmbiguousDoseError, frames
    from mme._cli import main

    path = tmp_path / "cdc.csv"
    path.write_text(
        "NDC,GENNME,Master_Form,Strength_Per_Unit,UOM,MME_Conversion_Factor\n'00054457025',Methadone Hydrochloride,Tablet,10,MG,3\n"
    )
    file = read_ndc_file(path)
    message = r"^an NDC file's own factors print no variants: drop variant='tiers', or pass table= "
    with pytest.raises(AmbiguousDoseError, match=message):
        ndc_mme("00054457025", quantity=90, days_supply=30, ndc_file=file, variant="tiers")
    assert ndc_mme("00054457025", quantity=90, days_supply=30, ndc_file=file).mme_per_day == 90  # 10 x 3/day x 3
    tiers = ndc_mme("00054457025", quantity=90, days_supply=30, ndc_file=file, table="cms-2018", variant="tiers")
    assert tiers.mme_per_day == 240  # 30 mg/day: CMS 2018's tier >20-<=40 mg/day, factor 8
    pd = pytest.importorskip("pandas")
    claims = pd.DataFrame({"ndc": ["00054457025"], "quantity": [90], "days_supply": [30]})
    with pytest.raises(AmbiguousDoseError, match=message):
        frames.dispensing_mme(claims, ndc="ndc", ndc_file=file, variant="tiers")
    cohort = tmp_path / "claims.csv"
    cohort.write_text("ndc,quantity,days_supply\n00054457025,90,30\n")
    argv = ["batch", str(cohort), "-o", str(tmp_path / "out.csv"), "--ndc-col", "ndc", "--ndc-file", str(path),
            "--quantity-col", "quantity", "--days-supply-col", "days_supply", "--variant", "tiers"]  # fmt: skip
    assert main(argv) == 2  # a usage error, as a variant the table does not print
    assert "an NDC file's own factors print no variants" in capsys.readouterr().err


def test_products_are_frozen_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "cdc.csv"
    path.write_text(
        "NDC,GENNME,Master_Form,Strength_Per_Unit,UOM,MME_Conversion_Factor\n'00002035102',Codeine Sulfate,Tablet,30,MG,0.15\n"
    )
    file = read_ndc_file(path)
    p = file.lookup(2035102)
    assert p.factor == Decimal("0.15")
    assert str(p.factor) == "0.15"
    with pytest.raises(AttributeError, match="cannot assign to field 'factor'"):
        p.factor = Decimal("1")  # type: ignore[misc]
    with pytest.raises(TypeError, match="does not support item assignment"):
        file.products["00002035102"] = p  # type: ignore[index]
    assert file.lookup(2035102).factor == Decimal("0.15")


# -- claims by NDC ------------------------------------------------------------------------------------------


def _first(file: NdcFile, **want: Any) -> NdcProduct:
    return next(p for p in file if all(getattr(p, k) == v for k, v in want.items()))


@needs_reference
def test_ndc_claim_with_the_files_own_factor_and_with_a_table() -> None:
    import mme

    file = csv_file(2018)
    oxy = _first(file, drug="oxycodone", strength=10.0, form="tablet", unit="mg")
    own = mme.ndc_mme(oxy.ndc, quantity=120, days_supply=30, ndc_file=file)
    assert own.mme_per_day == pytest.approx(60)
    assert own.table == "cdc_mme_ndc_2018"
    assert own.factor == oxy.factor
    clinical = mme.ndc_mme(oxy.ndc, quantity=120, days_supply=30, ndc_file=file, table="cdc-2022")
    assert clinical.mme_per_day == pytest.approx(60)
    assert clinical.table == "cdc-2022"


@needs_reference
def test_ndc_patch_uses_the_dispensed_convention_and_agrees_with_the_rate_table() -> None:
    import mme

    file = csv_file(2018)
    patch = _first(file, drug="fentanyl", unit="mcg/h", strength=75.0)
    own = mme.ndc_mme(patch.ndc, quantity=10, days_supply=30, ndc_file=file)
    assert own.mme_per_day == pytest.approx(180)
    assert own.factor == Decimal("7.2")
    rate = mme.ndc_mme(patch.ndc, quantity=10, days_supply=30, ndc_file=file, table="cdc-2022")
    assert rate.mme_per_day == pytest.approx(own.mme_per_day)


# A Butrans row as the 2010 and 2013 files print it (factor 42, no derivation), and the documented patch factors.
PATCHES_CSV = """\
NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor
'35356060504',Buprenorphine,"Patch, Extended Release",10,MCG/HR,42
'00093690045',Fentanyl,"Patch, Extended Release",25,MCG/HR,7.2
'59011075004',Buprenorphine,"Patch, Extended Release",5,MCG/HR,12.6
"""


def test_a_patch_factor_without_a_documented_wear_period_is_refused_like_the_shipped_table(tmp_path: Path) -> None:
    import mme

    path = tmp_path / "cdc_mme_ndc_2010.csv"
    path.write_text(PATCHES_CSV, encoding="utf-8")
    file = read_ndc_file(path)
    with pytest.raises(NotCoveredError, match="without the wear period built into it") as own:
        mme.ndc_mme("35356060504", quantity=4, days_supply=28, ndc_file=file)  # before: 60 MME/day, 42 / 7 days
    assert "cdc-ndc-2014" in own.value.covered_by
    with pytest.raises(NotCoveredError, match="cdc-ndc-2010 has no factor for buprenorphine transdermal patch"):
        mme.ndc_mme("35356060504", quantity=4, days_supply=28, ndc_file=file, table="cdc-ndc-2010")
    # With a table that documents its wear period: 10 mcg/h x (4 patches / 28 days) x 12.6 = 18 = 10 x 1.8.
    later = mme.ndc_mme("35356060504", quantity=4, days_supply=28, ndc_file=file, table="cdc-ndc-2014")
    assert later.mme_per_day == pytest.approx(18)
    # The factors CDC derives keep their wear periods (the Documentation's examples: 60 and 9 MME/day).
    assert mme.ndc_mme("00093690045", quantity=10, days_supply=30, ndc_file=file).mme_per_day == pytest.approx(60)
    assert mme.ndc_mme("59011075004", quantity=4, days_supply=28, ndc_file=file).mme_per_day == pytest.approx(9)


def test_a_file_factor_out_of_range_is_a_table_error(tmp_path: Path) -> None:
    import mme

    path = tmp_path / "cdc.csv"
    path.write_text("NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n00002035102,Codeine,Tablet,30,MG,0\n")
    with pytest.raises(TableError, match=r"cdc\.csv, field 'MME_Conversion_Factor': NDC 00002035102: .*range"):
        mme.ndc_mme("00002035102", quantity=30, days_supply=30, ndc_file=read_ndc_file(path))


@needs_reference
def test_ndc_without_a_factor_gives_no_mme_with_reason() -> None:
    import mme

    file = csv_file(2018)
    bup = _first(file, drug="buprenorphine", form="tablet")
    result = mme.ndc_mme(bup.ndc, quantity=30, days_supply=30, ndc_file=file)
    assert result.mme_per_day is None
    assert "no MME conversion factor" in (result.excluded or "")


@needs_reference
def test_unknown_ndc_is_reported() -> None:
    import mme

    with pytest.raises(NotCoveredError, match="not listed"):
        mme.ndc_mme("99999-9999-99", quantity=1, days_supply=1, ndc_file=csv_file(2018))


@needs_reference
@pytest.mark.parametrize("year", sorted(CDC_NDC_CSV))
def test_file_factor_equals_the_shipped_edition_table(year: int) -> None:
    """For products with a factor and a known route, the file's factor and our edition table agree."""
    import mme

    file, slug = csv_file(year), f"cdc-ndc-{year}"
    checked = 0
    for product in file:
        if product.factor is None or product.drug is None or product.route is None or product.unit is None:
            continue
        if product.unit == "mg/mL" or product.strength is None:
            continue
        own = mme.ndc_mme(product.ndc, quantity=30, days_supply=30, ndc_file=file)
        try:
            table = mme.ndc_mme(product.ndc, quantity=30, days_supply=30, ndc_file=file, table=slug)
        except MMEError:
            continue  # left out of the table and documented there (e.g. a drug/form with two factors)
        assert table.mme_per_day == pytest.approx(own.mme_per_day, rel=1e-12), product
        checked += 1
        if checked >= 400:
            break
    assert checked >= 100


def test_a_liquid_quantity_that_looks_like_a_bottle_count_warns(tmp_path: Path) -> None:
    """CDC: "prescription data for some sprays sometimes list the quantity as the number of bottles"."""
    import mme

    path = tmp_path / "cdc.csv"
    path.write_text(
        "NDC,GENNME,Master_Form,Strength,UOM,MME_Conversion_Factor\n"
        "00054355063,Oxycodone Hydrochloride,Solution,5,MG/ML,1.5\n"
    )
    file = read_ndc_file(path)
    with pytest.warns(mme.ImplausibleDoseWarning, match="if it counts bottles") as caught:
        result = mme.ndc_mme("00054355063", quantity=1, days_supply=30, ndc_file=file)
    assert len(caught) == 1
    assert result.mme_per_day == pytest.approx(5 * 1 / 30 * 1.5)  # computed as given: 1 mL over 30 days
    assert any("package_ml" in w for w in result.warnings)
    with pytest.warns(mme.ImplausibleDoseWarning, match="if it counts bottles"):
        mme.dispensing_mme("butorphanol", "10 mg/mL", quantity=1, days_supply=30, table="cdc-ndc-2018")
    # as CDC's example corrects it: 10 mg/mL x 2.5 mL / 30 days x 7 = 5.8 MME/day, with no warning
    claims: list[dict[str, Any]] = [{"quantity": 1, "package_ml": 2.5}, {"quantity": 2.5}]
    for claim in claims:
        fixed = mme.dispensing_mme(
            "butorphanol", "10 mg/mL", days_supply=30, route="nasal", table="cdc-ndc-2018", **claim
        )
        assert fixed.mme_per_day == pytest.approx(10 * 2.5 / 30 * 7)
        assert not fixed.warnings
    # a quantity in mL of at least 1 mL a day reads as mL: 5 mg/mL x 120 mL / 30 days x 1.5 = 30
    assert not mme.ndc_mme("00054355063", quantity=120, days_supply=30, ndc_file=file).warnings


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(("year", "count"), [(2010, 6), (2013, 8)])
def test_every_butrans_ndc_of_2010_and_2013_is_refused_by_the_file_and_by_its_table(year: int, count: int) -> None:
    """The 2010 and 2013 files print 42 for Butrans without its wear period; the shipped tables leave it out."""
    import mme

    file = csv_file(year)
    patches = [p for p in file if p.drug == "buprenorphine" and p.form == "patch"]
    assert len(patches) == count  # the NDC rows the table's notes count
    assert {p.factor for p in patches} == {Decimal("42")}
    for product in patches:
        without_wear = rf"^NDC {product.ndc} .* prints 42 per mcg/h per dispensed patch without the wear period"
        not_in_table = rf"^cdc-ndc-{year} has no factor for buprenorphine transdermal patch\."
        for table, message in ((None, without_wear), (f"cdc-ndc-{year}", not_in_table)):
            with pytest.raises(NotCoveredError, match=message):
                mme.ndc_mme(product.ndc, quantity=4, days_supply=28, ndc_file=file, table=table)

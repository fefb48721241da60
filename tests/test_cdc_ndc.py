"""The six CDC NDC tables (`cdc-ndc-<year>`) against the CDC files they were derived from, NDC row by NDC row.

Each edition's opioid sheet is read from the shared reference folder (never copied into the project).
Every NDC row with a factor must map, by its drug, canonical route and form and unit, to exactly one
row of the table, with the same factor; every NDC row without a factor must be excluded by the table;
the few rows the table leaves out must be the documented ones. Rows are grouped by their distinct
(drug, route, form, unit, factor) first, so the whole file runs in well under a second per edition.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import NamedTuple

import pytest

from mme._tables import FactorRow, Table, get_table

from reference_data import CDC_NDC, CDC_NDC_CSV, needs

YEARS = sorted(CDC_NDC_CSV)

needs_reference = needs(CDC_NDC, "CDC NDC reference files")

# -- reading the files: every edition names its columns differently --------------------------------------

COLUMNS = {
    "ndc": ("ndc",),
    "product": ("product_name", "prodnme"),
    "generic": ("generic_drug_name", "gennme"),
    "drug": ("drug",),
    "master_form": ("master_form",),
    "uom": ("uom",),
    "factor": ("mme_conversion_factor",),
}


class NdcRow(NamedTuple):
    ndc: str
    product: str
    generic: str
    drug_column: str
    master_form: str
    uom: str
    factor: str


@cache
def read(year: int) -> tuple[NdcRow, ...]:
    with (CDC_NDC / CDC_NDC_CSV[year]).open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        index = {key: next((header.index(n) for n in names if n in header), None) for key, names in COLUMNS.items()}
        rows = []
        for line in reader:
            value = {k: (line[i].strip() if i is not None else "") for k, i in index.items()}
            rows.append(
                NdcRow(
                    ndc=value["ndc"].strip("'"),
                    product=value["product"],
                    generic=value["generic"],
                    drug_column=value["drug"],
                    master_form=value["master_form"],
                    uom=value["uom"].upper(),
                    factor=value["factor"],
                )
            )
    return tuple(rows)


@cache
def later_product_names() -> dict[str, str]:
    """NDC -> product name from the editions that print one (2010 and 2013 print none)."""
    names: dict[str, str] = {}
    for year in (2014, 2016, 2017, 2018):
        for row in read(year):
            names.setdefault(row.ndc, row.product)
    return names


# -- the mapping the tables' notes describe -----------------------------------------------------------------

OPIOIDS = (
    "buprenorphine",
    "butorphanol",
    "dihydrocodeine",
    "codeine",
    "fentanyl",
    "hydrocodone",
    "hydromorphone",
    "levomethadyl",
    "levorphanol",
    "meperidine",
    "methadone",
    "morphine",
    "nalbuphine",
    "opium",
    "oxycodone",
    "oxymorphone",
    "pentazocine",
    "propoxyphene",
    "tapentadol",
    "tramadol",
)

FORMS = {
    "Tablet": "tablet",
    "Tablet, Extended Release": "tablet",
    "Tablet, Disintegrating": "tablet",
    "Tablet for Suspension": "tablet",
    "Tablet for Solution": "tablet",
    "Capsule": "capsule",
    "Capsule, Extended Release": "capsule",
    "Capsule, Extended Release, 24": "capsule",
    "Solution": "solution",
    "Liquid": "solution",
    "Elixir": "solution",
    "Tincture": "solution",
    "Syrup": "syrup",
    "Suspension": "suspension",
    "Suspension, Extended Release": "suspension",
    "Suppository": "suppository",
    "Patch, Extended Release": "patch",
    "Lozenge/Troche": "lozenge",
    "Film": "film",
    "Spray": "spray",
    "Injectable": "injection",
    "Syringe": "injection",
    "Powder for Solution": "injection",
    "Implant": "implant",
    "Extended Release Subcutaneous": "injection",
}
ORAL_FORMS = {"tablet", "capsule", "solution", "syrup", "suspension"}
PARENTERAL = "intramuscular"  # one of the three parenteral routes; the tables' injection rows list all three
NO_ORAL_LIQUID = {"nalbuphine", "butorphanol", "levorphanol", "oxymorphone", "pentazocine"}
PREMIX = re.compile(r"sodium chlor|na cl|dextrose|bupivacaine|atropine", re.IGNORECASE)
UNITS = {"MG": "mg", "MG/ML": "mg", "MCG": "mcg", "MCG/SPRAY": "mcg", "MCG/HR": "mcg/h"}


def drug_of(row: NdcRow) -> str | None:
    """The canonical drug: the Drug column (2016 on), else the one opioid the generic name names."""
    if row.drug_column:
        return row.drug_column.split()[0].lower()
    name = row.generic.lower().replace("hydrocod bit", "hydrocodone")
    found = [d for d in OPIOIDS if re.search(rf"(?<![a-z]){d}", name)]
    return found[0] if len(found) == 1 else None


def product(year: int, row: NdcRow) -> str:
    return row.product.upper() if year >= 2014 else later_product_names().get(row.ndc, "").upper()


def route_form(year: int, drug: str, row: NdcRow) -> tuple[str, str] | None:
    """The canonical (route, form) of an NDC row, or None for morphine liposome (epidural: not a canonical route)."""
    form = FORMS[row.master_form]
    name = product(year, row)
    if "liposome" in row.generic.lower():
        return None
    if row.master_form == "Extended Release Subcutaneous" or form == "implant":
        return "subcutaneous", form
    if form == "injection" or (
        row.master_form == "Solution" and (drug in NO_ORAL_LIQUID or PREMIX.search(row.generic))
    ):
        return PARENTERAL, "injection"
    if form in ORAL_FORMS:
        if drug == "buprenorphine":
            return "sublingual", form
        if drug == "fentanyl":  # tablets: FENTORA buccal, ABSTRAL sublingual
            return ("sublingual" if "ABSTRAL" in name else "buccal"), form
        return "oral", form
    if form == "film" and drug == "buprenorphine":
        return ("buccal" if ("BELBUCA" in name or "BUNAVAIL" in name) else "sublingual"), form
    if form == "spray" and drug == "fentanyl":
        if name:
            return ("nasal" if "LAZANDA" in name else "sublingual"), form
        return ("nasal" if row.generic == "Fentanyl Citrate" else "sublingual"), form  # LAZANDA is the citrate
    return {
        "suppository": ("rectal", form),
        "patch": ("transdermal", form),
        "lozenge": ("transmucosal", form),
        "film": ("buccal", form),
        "spray": ("nasal", form),
    }[form]


# Rows with a factor that no table row covers, each explained in the table's notes: year -> key -> (count, words
# the notes must contain).
LEFT_OUT: dict[int, dict[str, tuple[int, tuple[str, ...]]]] = {
    2010: {"buprenorphine patch 42": (6, ("42", "wear_days")), "morphine liposome": (7, ("DepoDur",))},
    2013: {"buprenorphine patch 42": (8, ("42", "wear_days")), "morphine liposome": (7, ("DepoDur",))},
    2014: {
        "morphine liposome": (7, ("DepoDur",)),
        "no opioid named": (1, ("Acetaminophen/Butabarbital Sodium", "G-2")),
    },
    2016: {"buprenorphine buccal film": (13, ("BUNAVAIL", "BELBUCA", "0.03"))},
    2017: {},
    2018: {},
}
# NDC rows with an empty UOM: year -> (drug, master form) -> the unit of its table row.
EMPTY_UOM = {2010: {("opium", "Tincture"): "mg"}}


def left_out(year: int, drug: str | None, where: tuple[str, str] | None, row: NdcRow) -> str | None:
    if drug is None:
        return "no opioid named"
    if where is None:
        return "morphine liposome"
    if drug == "buprenorphine" and row.factor == "42":
        return "buprenorphine patch 42"
    if year == 2016 and drug == "buprenorphine" and where == ("buccal", "film"):
        return "buprenorphine buccal film"
    return None


class Tally(NamedTuple):
    with_factor: Counter[tuple[str, str, str, str, str]]  # (drug, route, form, unit, factor) -> NDC rows
    without_factor: Counter[tuple[str, str, str]]  # (drug, route, form) -> NDC rows
    left_out: Counter[str]


@cache
def tally(year: int) -> Tally:
    with_factor: Counter[tuple[str, str, str, str, str]] = Counter()
    without_factor: Counter[tuple[str, str, str]] = Counter()
    left: Counter[str] = Counter()
    for row in read(year):
        drug = drug_of(row)
        where = route_form(year, drug, row) if drug else None
        if row.factor and (reason := left_out(year, drug, where, row)):
            left[reason] += 1
            continue
        assert drug is not None
        assert where is not None
        if not row.factor:
            without_factor[(drug, *where)] += 1
            continue
        unit = UNITS.get(row.uom) or EMPTY_UOM[year][(drug, row.master_form)]
        with_factor[(drug, *where, unit, row.factor)] += 1
    return Tally(with_factor, without_factor, left)


def table(year: int) -> Table:
    return get_table(f"cdc-ndc-{year}")


def rows_for(t: Table, drug: str, route: str, form: str, unit: str) -> list[FactorRow]:
    return [
        r
        for r in t.rows
        if r.drug == drug and route in r.routes and (not r.forms or form in r.forms) and r.unit == unit
    ]


def stated_count(row: FactorRow) -> int:
    """The NDC row count a row's source states ("...; 1,841 NDC rows")."""
    found = re.findall(r"([\d,]+) NDC rows?\b", row.source)
    assert len(found) == 1, row.source
    return int(found[0].replace(",", ""))


# -- the tests -------------------------------------------------------------------------------------------


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", YEARS)
def test_every_ndc_row_with_a_factor_maps_to_one_row_with_that_factor(year: int) -> None:
    t = table(year)
    per_row: Counter[int] = Counter()
    for (drug, route, form, unit, factor), n in sorted(tally(year).with_factor.items()):
        matches = rows_for(t, drug, route, form, unit)
        assert len(matches) == 1, f"{t.slug}: {n} NDC rows of {drug} {route} {form} ({unit}) match {len(matches)} rows"
        (row,) = matches
        assert row.factor == Decimal(factor), f"{t.slug}: {drug} {route} {form}: file {factor}, table {row.factor}"
        assert str(row.factor) == factor, "the factor is written as the file prints it"
        assert not [e for e in t.excluded if e.drug == drug and route in (e.routes or (route,))]
        per_row[t.rows.index(row)] += n
    for i, row in enumerate(t.rows):
        assert per_row[i] > 0, f"{t.slug} row {i + 1} ({row.describe()}) matches no NDC row of the file"
        assert per_row[i] == stated_count(row), f"{t.slug} row {i + 1} ({row.describe()}): source count is off"


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", YEARS)
def test_every_ndc_row_without_a_factor_is_excluded(year: int) -> None:
    t = table(year)
    for (drug, route, form), n in tally(year).without_factor.items():
        exclusions = [
            e
            for e in t.excluded
            if e.drug == drug and (not e.routes or route in e.routes) and (not e.forms or form in e.forms)
        ]
        assert len(exclusions) == 1, f"{t.slug}: {n} NDC rows of {drug} {route} {form} have no factor and no exclusion"
        assert not rows_for(t, drug, route, form, "mg") + rows_for(t, drug, route, form, "mcg")
    assert sum(tally(year).without_factor.values()) == {2010: 0, 2013: 0, 2014: 0, 2016: 1, 2017: 156, 2018: 225}[year]


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", YEARS)
def test_left_out_rows_are_the_documented_ones(year: int) -> None:
    t = table(year)
    assert dict(tally(year).left_out) == {k: n for k, (n, _) in LEFT_OUT[year].items()}
    for _, words in LEFT_OUT[year].values():
        for word in words:
            assert word in t.notes, f"{t.slug} notes should explain what is left out ({word!r})"


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", [2010, 2013])
def test_fentanyl_sprays_are_told_apart_the_same_way_without_product_names(year: int) -> None:
    """2010 and 2013 print no product name: the generic name splits the sprays as the later product names do."""
    names = later_product_names()
    seen = 0
    for row in read(year):
        if drug_of(row) == "fentanyl" and row.master_form == "Spray" and row.ndc in names:
            by_generic = "LAZANDA" if row.generic == "Fentanyl Citrate" else "SUBSYS"
            assert names[row.ndc] == by_generic
            assert row.factor == {"LAZANDA": "0.16", "SUBSYS": "0.18"}[by_generic]
            seen += 1
    assert seen == 9


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("year", [2016, 2017, 2018])
def test_summary_table_agrees(year: int) -> None:
    """Each factor of the workbook's Summary Table is the table's factor for that drug."""
    t = table(year)
    path = CDC_NDC / "derived" / f"cdc_oral_mme_{year}_summary_table.csv"
    with path.open(newline="", encoding="utf-8") as f:
        lines = [line for line in csv.reader(f) if len(line) == 2 and line[1].strip()]
    checked = 0
    for name, value in lines[1:]:
        drug = name.split(",")[0].split()[0].lower()
        if value.strip() == "N/A":
            assert drug == "buprenorphine"
            assert any(e.drug == drug and not e.routes for e in t.excluded)
        elif "(MCG)" in name and drug == "buprenorphine":
            assert "BELBUCA" in t.notes  # buccal film 0.03: left out, see the notes
        else:
            assert Decimal(value) in {r.factor for r in t.rows_for(drug)}, f"{t.slug}: {name} {value}"
        checked += 1
    assert checked == 23


# -- table-only checks (no reference data needed) ---------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_analytic_dispensed_tables(year: int) -> None:
    t = table(year)
    assert (t.kind, t.patch_convention) == ("analytic", "dispensed")
    (patch,) = [r for r in t.rows_for("fentanyl") if r.is_patch]
    assert (patch.factor, patch.wear_days) == (Decimal("7.2"), 3)
    assert patch.rate_factor(Decimal("7.2")) == pytest.approx(2.4)


@pytest.mark.parametrize(
    ("year", "factor"), [(2010, None), (2013, None), (2014, "12.6"), (2016, "12.6"), (2017, None), (2018, None)]
)
def test_buprenorphine_patch(year: int, factor: str | None) -> None:
    t = table(year)
    rows = [r for r in t.rows_for("buprenorphine") if r.is_patch]
    if factor is None:
        assert not rows
        return
    (row,) = rows
    assert (row.factor, row.wear_days) == (Decimal(factor), 7)
    assert row.rate_factor(Decimal(factor)) == pytest.approx(1.8)


@pytest.mark.parametrize(
    ("year", "factor"), [(2010, "10"), (2013, "10"), (2014, "10"), (2016, "30"), (2017, None), (2018, None)]
)
def test_buprenorphine_sublingual(year: int, factor: str | None) -> None:
    t = table(year)
    rows = rows_for(t, "buprenorphine", "sublingual", "tablet", "mg")
    if factor is None:
        assert not t.rows_for("buprenorphine")
        (ex,) = t.excluded
        assert (ex.drug, ex.routes, ex.forms) == ("buprenorphine", (), ())
        assert "partial" in ex.reason
        return
    assert [r.factor for r in rows] == [Decimal(factor)]


@pytest.mark.parametrize(("year", "factor"), [(2010, "1"), (2013, "1"), (2014, "0.4"), (2016, "0.4"), (2018, "0.4")])
def test_tapentadol_as_printed(year: int, factor: str) -> None:
    assert [r.factor for r in table(year).rows_for("tapentadol")] == [Decimal(factor)]


@pytest.mark.parametrize("year", YEARS)
def test_transmucosal_fentanyl(year: int) -> None:
    t = table(year)
    expected = {
        ("transmucosal", "lozenge"): "0.13",
        ("buccal", "tablet"): "0.13",
        ("sublingual", "tablet"): "0.13",
        ("buccal", "film"): "0.18",
        ("sublingual", "spray"): "0.18",
        ("nasal", "spray"): "0.16",
    }
    for (route, form), factor in expected.items():
        (row,) = rows_for(t, "fentanyl", route, form, "mcg")
        assert row.factor == Decimal(factor)


@pytest.mark.parametrize("year", [2010, 2013, 2014])
def test_injectables_carry_a_caution(year: int) -> None:
    injection = [r for r in table(year).rows if "injection" in r.forms]
    assert {r.drug for r in injection} >= {"morphine", "nalbuphine", "meperidine", "hydromorphone"}
    for row in injection:
        assert row.routes == ("intramuscular", "intravenous", "subcutaneous")
        assert row.caution
        assert "not a parenteral-to-oral equianalgesic conversion" in row.caution


@pytest.mark.parametrize("year", [2016, 2017, 2018])
def test_no_injectable_rows_from_2016(year: int) -> None:
    assert not [r for r in table(year).rows if set(r.routes) & {"intravenous", "intramuscular", "subcutaneous"}]


# (expression, quantity, days supply, package mL) -> (drug, route, form, unit, strength, MME/day as printed)
EXAMPLES = {
    ("oxycodone 10 mg tablet", 120, 30, None): ("oxycodone", "oral", "tablet", "mg", 10, "60"),
    ("fentanyl 25 mcg/h patch", 10, 30, None): ("fentanyl", "transdermal", "patch", "mcg/h", 25, "60"),
    ("buprenorphine 5 mcg/h patch", 4, 28, None): ("buprenorphine", "transdermal", "patch", "mcg/h", 5, "9"),
    ("butorphanol 10 mg/mL nasal spray", 1, 30, 2.5): ("butorphanol", "nasal", "spray", "mg", 10, "5.8"),
}


@pytest.mark.parametrize(("year", "count"), [(2010, 0), (2013, 0), (2014, 0), (2016, 4), (2017, 3), (2018, 3)])
def test_worked_examples_follow_from_the_factors(year: int, count: int) -> None:
    """The Documentation's examples: strength x (units / days supply) x factor, rounded as printed."""
    t = table(year)
    assert len(t.examples) == count
    for ex in t.examples:
        key = (ex.expression, ex.quantity, ex.days_supply, ex.package_ml)
        drug, route, form, unit, strength, printed = EXAMPLES[key]  # type: ignore[index]
        assert ex.mme_per_day == printed
        (row,) = [r for r in rows_for(t, drug, route, form, unit) if r.is_patch == (unit == "mcg/h")]
        assert row.factor is not None
        units = ex.quantity * (ex.package_ml or 1)  # type: ignore[operator]
        mme = strength * units / ex.days_supply * float(row.factor)  # type: ignore[operator]
        decimals = len(printed.partition(".")[2])
        assert round(mme, decimals) == float(printed)

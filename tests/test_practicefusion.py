"""Practice Fusion's calculator corpora read through `mme.convert` (scripts/practicefusion.py prints the figures).

Their expected values are maximum MME/day under the CDC 2017 factors that cms-2018 prints. Where
`mme` differs on purpose, the row is counted apart, by a rule stated here, never excused one by one.
"""

from __future__ import annotations

import csv
import math
import re

import pytest

import mme
from mme._parse import parse_product
from mme._vocab import TIMES_OF_DAY

from reference_data import PRACTICE_FUSION, REFERENCE, needs

pytestmark = needs(PRACTICE_FUSION, "Practice Fusion's test corpora")


def _rows(name: str) -> list[list[str]]:
    with (PRACTICE_FUSION / name).open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r]


def _convert(text: str, rxcui: str | None = None) -> mme.DailyMME | None:
    try:
        try:
            return mme.convert(text, table="cms-2018", rxcui=rxcui)
        except mme.AmbiguousDoseError:
            return mme.convert(text, table="cms-2018", variant="tiers", rxcui=rxcui)  # methadone: CMS's tier scale
    except mme.MMEError:
        return None


def _agrees(result: mme.DailyMME, expected: float) -> bool:
    if result.mme_per_day is None:
        return expected == 0  # buprenorphine: Practice Fusion's factor 0, mme's "no MME" with the reason
    return math.isclose(result.mme_per_day, expected, abs_tol=0.051)


def _per_volume_read_per_ml(result: mme.DailyMME, expected: float, text: str) -> bool:
    """ "10 mg/0.5 ml" is 20 mg/mL; Practice Fusion's expected value reads it as 10 mg per mL."""
    volume = re.search(r"mg\s*/\s*([0-9]*\.?[0-9]+)\s*ml", text, re.IGNORECASE)
    return (
        volume is not None
        and float(volume[1]) not in (0.0, 1.0)
        and result.mme_per_day is not None
        and math.isclose(result.mme_per_day, expected / float(volume[1]), rel_tol=0.01)
    )


def _differs_on_purpose(result: mme.DailyMME, expected: float, rxcui_form: str | None = None) -> bool:
    """The documented differences (docs/expressions.md)."""
    expr = result.expression
    assert expr is not None
    assert result.mme_per_day is not None
    if _per_volume_read_per_ml(result, expected, expr.text):
        return True
    longer_than_a_day = (expr.every_hours or 0) > 24 or (expr.per_day or 1) < 1  # averaged, as CDC's CQL does
    rounded = abs(result.mme_per_day - expected) <= 0.01 * expected  # their per-mL strengths are rounded
    # a liquid display name on a tablet's RxCUI: their expected value reads the mL as 1 mg/mL of the tablet
    mislabelled = expr.volume is not None and rxcui_form in ("tablet", "capsule")
    patch_frequency = expr.form == "patch"  # a patch's change interval does not alter its rate
    return longer_than_a_day or rounded or mislabelled or patch_frequency


def _times_of_day_each_counted(result: mme.DailyMME, expected: float, sig: str) -> bool:
    """ "q am and hs" is two administrations; the exception file's value (their calculator refuses the row) counts one."""
    expr = result.expression
    assert expr is not None
    assert result.mme_per_day is not None
    words = set(re.findall(r"[a-z]+", sig.lower()))
    return (
        expr.per_day is not None
        and expr.per_day > 1
        and bool(words & set(TIMES_OF_DAY))
        and math.isclose(result.mme_per_day, expected * expr.per_day)
    )


def _form(names: dict[str, str], rxcui: str) -> str | None:
    try:
        return parse_product(names[rxcui]).form
    except (KeyError, mme.MMEError):
        return None


@pytest.mark.parametrize("name_column", ["display name", "RxNorm name"])
def test_the_calculator_corpus(name_column: str) -> None:
    names = {r[0]: r[1] for r in _rows("rxnorm-opioids-all.tsv")[1:]}
    rows = _rows("calculator-test-data.tsv")
    converted = 0
    wrong = []
    for _, rxcui, display, sig, expected in rows:
        text = f"{display if name_column == 'display name' else names[rxcui]} {sig}"
        result = _convert(text)
        if result is None:
            continue
        converted += 1
        if not _agrees(result, float(expected)) and not _differs_on_purpose(
            result, float(expected), _form(names, rxcui)
        ):
            # the display name's strength is not its RxCUI's, and the expected value follows the RxCUI
            by_code = _convert(f"{names[rxcui]} {sig}") if rxcui in names else None
            if by_code is None or not _agrees(by_code, float(expected)):
                wrong.append((text, result.mme_per_day, expected))
    assert converted / len(rows) >= 0.90
    assert wrong == []


def test_the_calculator_corpus_by_rxcui_and_sig() -> None:
    """The product from the RxNorm file (drug, strength, form), the sig from the corpus: as the display names."""
    names = {r[0]: r[1] for r in _rows("rxnorm-opioids-all.tsv")[1:]}
    rows = _rows("calculator-test-data.tsv")
    converted = 0
    wrong = []
    for _, rxcui, _, sig, expected in rows:
        result = _convert(sig, rxcui)
        if result is None:
            continue
        converted += 1
        if not _agrees(result, float(expected)) and not _differs_on_purpose(
            result, float(expected), _form(names, rxcui)
        ):
            wrong.append((rxcui, sig, result.mme_per_day, expected))
    assert converted / len(rows) >= 0.90  # 15,723 of 16,443 (95.6%)
    assert wrong == []


def test_the_exception_corpus_never_gives_a_wrong_number() -> None:
    wrong = []
    for _, _, display, sig, expected in _rows("calculator-expected-exception-test-data.tsv"):
        result = _convert(f"{display} {sig}")
        if result is None or _agrees(result, float(expected)):
            continue
        if not _differs_on_purpose(result, float(expected)) and not _times_of_day_each_counted(
            result, float(expected), sig
        ):
            wrong.append((display, sig, result.mme_per_day, expected))
    assert wrong == []


def _omtk_strengths() -> dict[str, tuple[str, float]]:
    """OMTK's ingredient rows by RxNorm name: the opioid and its strength in the unit written (MG, MG/ML, MG/HR...).

    A product with two salts of one opioid has a row for each; their strengths add up.
    """
    path = REFERENCE / "cqf-opioid-mme-r4" / "omtkdata_drug_ingredients_2020-10-20.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_name: dict[str, tuple[str, float]] = {}
    for row in rows:
        drug, value = row["ingredientName"].lower(), float(row["strengthValue"])
        if row["drugName"] in by_name:
            assert by_name[row["drugName"]][0] == drug
            value += by_name[row["drugName"]][1]
        by_name[row["drugName"]] = (drug, value)
    return by_name


@needs(REFERENCE / "cqf-opioid-mme-r4", "CDC's CQL library data")
def test_rxnorm_names_read_into_their_opioid_strength_and_unit() -> None:
    """OMTK's ingredient rows say which opioid, strength and unit each RxNorm name holds."""
    expected = _omtk_strengths()
    right = 0
    for name, (drug, value) in expected.items():
        try:
            product = parse_product(name)
        except mme.MMEError:
            continue
        assert product.drug == drug, name
        assert math.isclose(float(product.strength.split()[0]), value), name
        right += 1
    assert right / len(expected) >= 0.98


@needs(REFERENCE / "cqf-opioid-mme-r4", "CDC's CQL library data")
def test_practice_fusions_rxnorm_names_resolve() -> None:
    """Every opioid RxNorm name Practice Fusion lists: read, and right where OMTK has the name."""
    expected = _omtk_strengths()
    names = [r[1] for r in _rows("rxnorm-opioids-all.tsv")[1:]]
    right = 0
    for name in names:
        try:
            product = parse_product(name)
        except mme.MMEError:
            continue
        if name in expected:
            assert (product.drug, float(product.strength.split()[0])) == pytest.approx(expected[name]), name
        right += 1
    assert right / len(names) >= 0.98

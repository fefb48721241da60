"""Practice Fusion's calculator corpora read through `mme.convert` (scripts/practicefusion.py prints the figures).

Their expected values are maximum MME/day under the CDC 2017 factors that cms-2018 prints. Where
`mme` differs on purpose, the row is counted apart, by a reading the corpus script states and checks on
the row's own numbers (`why_unequal` in scripts/practicefusion.py), never excused one by one.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

import mme
from mme._parse import parse_product

from reference_data import PRACTICE_FUSION, REFERENCE, needs

pytestmark = needs(PRACTICE_FUSION, "Practice Fusion's test corpora")


def _script() -> ModuleType:
    """scripts/practicefusion.py, whose `why_unequal` states the readings in which mme differs on purpose."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "practicefusion.py"
    spec = importlib.util.spec_from_file_location("practicefusion", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SCRIPT = _script()


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


def _differs_on_purpose(result: mme.DailyMME, expected: float) -> bool:
    """One of the documented readings (docs/expressions.md), checked on the row's numbers by the corpus script."""
    return bool(_SCRIPT.why_unequal(result, expected) != "unexplained")


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
        if not _agrees(result, float(expected)) and not _differs_on_purpose(result, float(expected)):
            # the display name's strength is not its RxCUI's, and the expected value follows the RxCUI
            by_code = _convert(f"{names[rxcui]} {sig}") if rxcui in names else None
            if by_code is None or not _agrees(by_code, float(expected)):
                wrong.append((text, result.mme_per_day, expected))
    assert converted / len(rows) >= 0.90
    assert wrong == []


def test_the_calculator_corpus_by_rxcui_and_sig() -> None:
    """The product from the RxNorm file (drug, strength, form), the sig from the corpus: as the display names."""
    rows = _rows("calculator-test-data.tsv")
    converted = 0
    wrong = []
    for _, rxcui, _, sig, expected in rows:
        result = _convert(sig, rxcui)
        if result is None:
            continue
        converted += 1
        if not _agrees(result, float(expected)) and not _differs_on_purpose(result, float(expected)):
            wrong.append((rxcui, sig, result.mme_per_day, expected))
    assert converted / len(rows) >= 0.90  # 15,960 of 16,443 (97.1%)
    assert wrong == []


def test_the_exception_corpus_never_gives_a_wrong_number() -> None:
    wrong = []
    for _, _, display, sig, expected in _rows("calculator-expected-exception-test-data.tsv"):
        result = _convert(f"{display} {sig}")
        if result is None or _agrees(result, float(expected)):
            continue
        if not _differs_on_purpose(result, float(expected)):
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
        assert math.isclose(float(product.strength.split()[0]), value * (product.pack or 1)), name  # a pack's units
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
            drug, value = expected[name]
            strength = float(product.strength.split()[0])
            assert (product.drug, strength) == pytest.approx((drug, value * (product.pack or 1))), name  # a pack's
        right += 1
    assert right / len(names) >= 0.98

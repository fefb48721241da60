"""The third-party reference data the tests check against, read where it lives: beside the repository, never in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = Path(os.environ.get("MME_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"))
CDC_NDC = REFERENCE / "cdc-ndc"
HEAL = REFERENCE / "heal"
CQF = REFERENCE / "cqf-opioid-mme-r4"
OMTK_CSV = CQF / "omtkdata_drug_ingredients_2020-10-20.csv"
CQF_TESTS = CQF / "MMECalculatorTests"
PRACTICE_FUSION = REFERENCE / "practicefusion"

#: Each edition of CDC's NDC/MME file as CSV (2017: the opioid rows of that year's workbook).
CDC_NDC_CSV = {
    2010: "all_editions_csv/cdc_mme_ndc_2010.csv",
    2013: "all_editions_csv/cdc_mme_ndc_2013.csv",
    2014: "all_editions_csv/cdc_mme_ndc_2014.csv",
    2016: "all_editions_csv/cdc_mme_ndc_2016.csv",
    2017: "derived/cdc_oral_mme_2017_opioids.csv",
    2018: "all_editions_csv/cdc_mme_ndc_2018.csv",
}


def needs(folder: Path, what: str) -> pytest.MarkDecorator:
    """A mark that skips a test, saying why, when this part of the reference data is absent."""
    return pytest.mark.skipif(
        not folder.is_dir(), reason=f"{what} not found at {folder} (the shared/reference folder next to the repository)"
    )


#: Practice Fusion's MME calculator test corpora (MIT) and the RxNorm names it resolves codes with.
PRACTICE_FUSION = REFERENCE / "practicefusion"

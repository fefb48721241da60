"""Pinned checksums and row counts of the shipped conversion tables.

A published table never changes: these pins make any edit to a shipped file fail the tests.
When you add a table, append its sha256 (``sha256sum conversion_tables/<slug>.toml``) to
`SHIPPED_SHA256` in ``src/mme/_tables.py`` (the package builds a file with a pinned digest without
validating it again) and its number of ``[[rows]]`` to `ROW_COUNTS`; every shipped file must have a pin.
A correction is a new file with its own pin, never a new pin for an old file.
"""

from collections.abc import Mapping

from mme._tables import SHIPPED_SHA256

PINS: Mapping[str, str] = SHIPPED_SHA256

ROW_COUNTS: dict[str, int] = {
    "anzca-2014": 18,
    "anzca-2021": 18,
    "cdc-2016": 9,
    "cdc-2022": 10,
    "cdc-ndc-2010": 37,
    "cdc-ndc-2013": 37,
    "cdc-ndc-2014": 39,
    "cdc-ndc-2016": 28,
    "cdc-ndc-2017": 26,
    "cdc-ndc-2018": 26,
    "cms-2018": 20,
    "heal-2025": 22,
}

#: The shipped RxNorm product file (src/mme/data/rxnorm-products.json), derived by scripts/build_rxnorm.py.
#: A rebuild from a newer source is a reviewed change: update this pin with it.
RXNORM_PIN = "81edad2febcfd5dcbe67696250137fd6141fdfe29660da5f1417891918f0d199"

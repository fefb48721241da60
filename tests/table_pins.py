"""Pinned checksums and row counts of the shipped conversion tables, kept apart from the code under test.

A published table never changes. `tests/shipped_tables.txt` records, for every table file ever shipped, the sha256 of
its bytes and a digest of its factors (`factors_sha256`: each row's drug, routes, forms, release, unit, factor or
tiers, wear days, variant, default and warn_above, and each exclusion's drug, routes and forms). The tests compare
it with the files, with the tables as the package builds them, and with `SHIPPED_SHA256` in ``src/mme/_tables.py``
(the digests the package builds without validating again): a factor changed in a file, with its pin in the package
updated to match, still fails. The record is append-only: a table that ships adds a line (``python
tests/table_pins.py <slug>`` prints it) and no line is ever changed or removed; a correction is a new file with a
line of its own. The tests also read the record's git history, when there is one, for a changed or removed line.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from mme._tables import Exclusion, FactorRow, Table, Tier

RECORD = Path(__file__).with_name("shipped_tables.txt")
_SHA256 = re.compile(r"[0-9a-f]{64}")

#: What a result's number depends on, per row, tier and exclusion. The other fields (a row's `source` and `caution`,
#: a tier's `printed` band, an exclusion's `reason` and `source`) are text, pinned by the file's sha256 alone.
ROW_FIELDS = ("drug", "routes", "forms", "release", "unit", "factor", "tiers", "wear_days", "variant", "default",
              "warn_above")  # fmt: skip
TIER_FIELDS = ("above", "upto", "factor")
EXCLUSION_FIELDS = ("drug", "routes", "forms")
TEXT_FIELDS: Mapping[type, frozenset[str]] = {
    FactorRow: frozenset({"source", "caution"}),
    Tier: frozenset({"printed"}),
    Exclusion: frozenset({"reason", "source"}),
}


class Pin(NamedTuple):
    """One line of the record: a shipped table file's slug, the sha256 of its bytes and the digest of its factors."""

    slug: str
    sha256: str
    factors_sha256: str

    def line(self) -> str:
        return f"{self.slug} {self.sha256} {self.factors_sha256}"


def read_record(text: str) -> dict[str, Pin]:
    """The record's pins by slug; a malformed line or a slug recorded twice is an error, never skipped."""
    pins: dict[str, Pin] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        well_formed = len(fields) == 3 and all(_SHA256.fullmatch(digest) for digest in fields[1:])
        assert well_formed, f"tests/shipped_tables.txt, line {number}: not '<slug> <sha256> <factors sha256>': {line!r}"
        assert fields[0] not in pins, f"tests/shipped_tables.txt, line {number}: {fields[0]} is recorded twice"
        pins[fields[0]] = Pin(*fields)
    return pins


def _plain(value: object) -> object:
    """A field's value as JSON: a number as the string it is printed as ("1.50" stays "1.50"), a tier by its fields."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Tier):
        return [_plain(getattr(value, name)) for name in TIER_FIELDS]
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def factors(table: Table) -> str:
    """The table's factors, one JSON line per row and exclusion: what `factors_sha256` is the digest of."""
    lines = [json.dumps(["patch_convention", table.patch_convention])]
    lines += [json.dumps(["row", *(_plain(getattr(row, name)) for name in ROW_FIELDS)]) for row in table.rows]
    lines += [
        json.dumps(["excluded", *(_plain(getattr(e, name)) for name in EXCLUSION_FIELDS)]) for e in table.excluded
    ]
    return "\n".join(lines) + "\n"


def factors_sha256(table: Table) -> str:
    return hashlib.sha256(factors(table).encode("utf-8")).hexdigest()


def mismatches(pin: Pin, data: bytes, table: Table, shipped: Mapping[str, str]) -> list[str]:
    """How a shipped file (its bytes, the table the package builds of it and the package's pin) differs from the
    record: empty when it is the table that shipped."""
    slug = pin.slug
    found = []
    if hashlib.sha256(data).hexdigest() != pin.sha256:
        found.append(
            f"conversion_tables/{slug}.toml changed: its sha256 is not the one recorded when it shipped. A published "
            "table never changes: ship a correction as a new file (e.g. '<slug>-r2') with a note saying what changed "
            "and why."
        )
    if factors_sha256(table) != pin.factors_sha256:
        found.append(f"{slug}'s factors are not those recorded when it shipped (tests/table_pins.py, `factors`)")
    if shipped.get(slug) != pin.sha256:
        found.append(
            f"SHIPPED_SHA256[{slug!r}] in src/mme/_tables.py is {shipped.get(slug)!r}, not the sha256 recorded in "
            "tests/shipped_tables.txt: a pin is never changed"
        )
    return found


def removed_pins(log: str) -> list[str]:
    """The pins a `git log -p` of the record removes (changed or deleted), comments and blank lines aside."""
    return [
        line[1:]
        for line in log.splitlines()
        if line.startswith("-") and not line.startswith("---") and line[1:].strip() and not line[1:].startswith("#")
    ]


PINS: Mapping[str, Pin] = read_record(RECORD.read_text(encoding="utf-8"))

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


if __name__ == "__main__":  # the record's line for a new table: python tests/table_pins.py <slug>
    from mme._tables import _tables_folder, get_table

    for name in sys.argv[1:]:
        new = get_table(name)
        file_sha256 = hashlib.sha256((_tables_folder() / f"{name}.toml").read_bytes()).hexdigest()
        print(Pin(name, file_sha256, factors_sha256(new)).line())

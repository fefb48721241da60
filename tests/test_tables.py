"""The shipped conversion tables: pinned, sourced numbers, and a loader that refuses malformed files.

Expected values below are the numbers of the spec (TABLES.md, "Tables to ship first") and of the
survey it cites; checksums and row counts are pinned in `tests/table_pins.py`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import time
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import mme
from mme._errors import ArgumentTypeError, MMEError, TableError
from mme._tables import (
    MAX_TABLE_BYTES,
    SHIPPED_SHA256,
    Exclusion,
    FactorRow,
    Table,
    Tier,
    _first_overlap,
    _parse,
    _tables_folder,
    get_table,
    load_table,
    resolve_table,
    table_slugs,
)

from reference_data import HEAL, needs
from row_overlap import overlap
from table_pins import (
    EXCLUSION_FIELDS,
    PINS,
    RECORD,
    ROW_COUNTS,
    ROW_FIELDS,
    TEXT_FIELDS,
    TIER_FIELDS,
    factors_sha256,
    mismatches,
    read_record,
    removed_pins,
)

SLUGS = table_slugs()


def _file_bytes(slug: str) -> bytes:
    return (_tables_folder() / f"{slug}.toml").read_bytes()


def _row(table: Table, drug: str, route: str, form: str | None, unit: str, *, variant: str | None = None) -> FactorRow:
    """The one row of `table` for this drug/route/form/unit (and variant)."""
    found = [
        r
        for r in table.rows_for(drug)
        if route in r.routes
        and (form is None or not r.forms or form in r.forms)
        and r.unit == unit
        and r.variant == variant
    ]
    assert len(found) == 1, f"{table.slug}: {len(found)} rows for {drug} {route} {form} {unit} {variant}"
    return found[0]


# -- every shipped table ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_table_loads_and_slug_is_file_name(slug: str) -> None:
    table = get_table(slug)
    assert table.slug == slug
    assert (_tables_folder() / f"{slug}.toml").is_file()
    data = tomllib.loads(_file_bytes(slug).decode("utf-8"))  # the file, read apart from the loader
    assert len(table.rows) == len(data["rows"]) > 0
    assert (table.title, table.copy_read) == (data["title"], data["copy_read"])
    assert table.title.strip()
    assert table.copy_read.strip()
    assert [row.source for row in table.rows] == [raw["source"] for raw in data["rows"]]
    assert all(row.source.strip() for row in table.rows)


@pytest.mark.parametrize("slug", sorted(PINS))
def test_the_record_holds_every_shipped_file(slug: str) -> None:
    """Each file, the table the package builds of it and the package's pin are those recorded when it shipped."""
    assert slug in SLUGS, f"tests/shipped_tables.txt records {slug!r}, which is no longer shipped: tables never go"
    table = get_table(slug)
    assert mismatches(PINS[slug], _file_bytes(slug), table, SHIPPED_SHA256) == []
    assert table.sha256 == PINS[slug].sha256


def test_every_shipped_table_is_recorded() -> None:
    missing = [slug for slug in SLUGS if slug not in PINS]
    assert not missing, f"{missing} not in tests/shipped_tables.txt: add the line `python tests/table_pins.py` prints"
    assert set(SHIPPED_SHA256) == set(SLUGS), "every shipped file has its sha256 in SHIPPED_SHA256, and no other"


def test_a_changed_factor_with_its_package_pin_updated_is_caught_without_the_reference_data() -> None:
    """cdc-ndc-2018's levorphanol at 12 instead of 11 (a slip only the reference tests caught while the tests read the
    pins from the package): the record catches the file, the factor, and the package's pin updated to match."""
    text = _file_bytes("cdc-ndc-2018")
    assert text.count(b'factor = "11"\n') == 1
    edited = text.replace(b'factor = "11"\n', b'factor = "12"\n')
    table = _parse(edited, "cdc-ndc-2018.toml")  # as the package would build the edited file
    assert next(row.factor for row in table.rows if row.drug == "levorphanol") == Decimal(12)
    repinned = {**SHIPPED_SHA256, "cdc-ndc-2018": hashlib.sha256(edited).hexdigest()}
    found = mismatches(PINS["cdc-ndc-2018"], edited, table, repinned)
    assert [message.split(" ")[0] for message in found] == [
        "conversion_tables/cdc-ndc-2018.toml",
        "cdc-ndc-2018's",
        "SHIPPED_SHA256['cdc-ndc-2018']",
    ]
    assert mismatches(PINS["cdc-ndc-2018"], edited, table, SHIPPED_SHA256) == found[:2]
    notes = text.replace(b"\nnotes = ", b"\nnotes =  ", 1)  # a text edit changes the file, not its factors
    assert notes != text
    assert mismatches(PINS["cdc-ndc-2018"], notes, _parse(notes, "cdc-ndc-2018.toml"), SHIPPED_SHA256) == found[:1]


def test_the_factor_digest_reads_every_field_a_number_depends_on() -> None:
    """Every field of a row, tier and exclusion is in `factors` or is text (pinned by the file's sha256): a new field
    must be placed."""
    for model, fields in ((FactorRow, ROW_FIELDS), (Tier, TIER_FIELDS), (Exclusion, EXCLUSION_FIELDS)):
        assert set(model.model_fields) == set(fields) | TEXT_FIELDS[model], model.__name__
        assert not set(fields) & TEXT_FIELDS[model], model.__name__


def _changed(table: Table, index: int, **update: object) -> Table:
    rows = list(table.rows)
    rows[index] = rows[index].model_copy(update=update)
    return table.model_copy(update={"rows": tuple(rows)})


def test_every_factor_is_in_its_tables_digest() -> None:
    """Any one factor of any shipped table (a row's or a tier's) changed by 1 changes its table's recorded digest."""
    for slug in SLUGS:
        table = get_table(slug)
        for i, row in enumerate(table.rows):
            if row.factor is not None:
                assert factors_sha256(_changed(table, i, factor=row.factor + 1)) != PINS[slug].factors_sha256
            for j, tier in enumerate(row.tiers):
                tiers = list(row.tiers)
                tiers[j] = tier.model_copy(update={"factor": tier.factor + 1})
                assert factors_sha256(_changed(table, i, tiers=tuple(tiers))) != PINS[slug].factors_sha256
    cdc_2016 = get_table("cdc-2016")
    methadone = next(i for i, row in enumerate(cdc_2016.rows) if row.tiers)
    for update in ({"warn_above": Decimal(90)}, {"tiers": cdc_2016.rows[methadone].tiers[1:]}, {"default": True}):
        assert factors_sha256(_changed(cdc_2016, methadone, **update)) != PINS["cdc-2016"].factors_sha256, update
    cdc_2022 = get_table("cdc-2022")
    excluded = cdc_2022.model_copy(update={"excluded": (cdc_2022.excluded[0].model_copy(update={"forms": ("film",)}),)})
    assert factors_sha256(excluded) != PINS["cdc-2022"].factors_sha256


def test_the_record_is_read_strictly() -> None:
    pin = PINS["cdc-2022"]
    assert read_record(f"# comment\n\n{pin.line()}\n") == {"cdc-2022": pin}
    for text in (f"{pin.line()} extra", f"cdc-2022 {pin.sha256[:-1]} {pin.factors_sha256}", pin.line().upper()):
        with pytest.raises(AssertionError, match="line 1: not"):
            read_record(text)
    with pytest.raises(AssertionError, match="line 2: cdc-2022 is recorded twice"):
        read_record(f"{pin.line()}\n{pin.line()}")


def test_the_record_only_ever_grew() -> None:
    """No commit changed or removed a pin of tests/shipped_tables.txt (read in its git history, where there is one)."""
    try:
        log = subprocess.run(
            ["git", "log", "--format=commit %H", "-p", "--no-color", "--no-ext-diff", "--", RECORD.name],
            cwd=RECORD.parent, capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pytest.skip("no git history of tests/shipped_tables.txt here (not a git checkout)")
    assert removed_pins(log) == [], "a recorded pin was changed or removed: a published table never changes"


def test_a_removed_pin_is_found_in_the_history() -> None:
    pin = PINS["cdc-2022"]
    history = (
        "commit 2\ndiff --git a/x b/x\n--- a/tests/shipped_tables.txt\n+++ b/tests/shipped_tables.txt\n@@ -1 +1 @@\n"
        f"-# old comment\n+# new comment\n-{pin.line()}\n+{pin.slug} {'0' * 64} {pin.factors_sha256}\n"
        f"commit 1\n+{pin.line()}\n"
    )
    assert removed_pins(history) == [pin.line()]
    assert removed_pins(history.split("commit 1")[1]) == []


def _same(built: object, validated: object, where: str = "table") -> None:
    """`built` is `validated` field by field, down to each value's type and printed form (Decimal("1.50") is not
    Decimal("1.5"), 120 is not 120.0) and which fields were given (what `model_dump(exclude_unset=True)` reads)."""
    assert type(built) is type(validated), where
    if isinstance(validated, BaseModel):
        assert isinstance(built, BaseModel)
        assert built.model_fields_set == validated.model_fields_set, where
        for name in type(validated).model_fields:
            _same(getattr(built, name), getattr(validated, name), f"{where}.{name}")
    elif isinstance(validated, tuple):
        assert isinstance(built, tuple)
        assert len(built) == len(validated), where
        for i, (a, b) in enumerate(zip(built, validated, strict=True)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert repr(built) == repr(validated), where


@pytest.mark.parametrize("slug", SLUGS)
def test_a_pinned_file_is_built_as_validation_builds_it(slug: str) -> None:
    """A shipped file is built without pydantic's validators (they would be most of a command's start-up): for
    the pinned bytes, the result is exactly the model that validation makes, so the numbers cannot differ."""
    text = _file_bytes(slug)
    data = tomllib.loads(text.decode("utf-8"))
    validated = Table.model_validate({**data, "sha256": hashlib.sha256(text).hexdigest()})
    built = get_table(slug)
    _same(built, validated)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()


def test_a_file_that_is_not_pinned_is_validated(tmp_path: Path) -> None:
    """One changed byte and the digest is no longer pinned: the file is validated like any custom table."""
    text = _file_bytes("cdc-2022").decode("utf-8")
    copy = tmp_path / "cdc-2022.toml"
    copy.write_text(text, encoding="utf-8")
    assert load_table(copy) == get_table("cdc-2022")
    assert text.count('factor = "1.5"') == 1
    copy.write_text(text.replace('factor = "1.5"', 'factor = "1e3"'), encoding="utf-8")
    with pytest.raises(TableError, match="'1e3' is not a plain decimal"):
        load_table(copy)


def _with_oxycodone_2(text: str) -> str:
    """cdc-2022's text with oxycodone at 2 instead of the published 1.5."""
    assert text.count('factor = "1.5"') == 1
    return text.replace('factor = "1.5"', 'factor = "2"')


def test_a_file_with_a_shipped_slug_and_other_content_is_refused(tmp_path: Path) -> None:
    """A custom file named as a shipped table but with other numbers would give results that name the shipped table
    (and that `mme.total` adds to its items): it is refused on every path that reads a file, with the slug to use."""
    text = _file_bytes("cdc-2022").decode("utf-8")
    copy = tmp_path / "cdc-2022.toml"
    copy.write_text(_with_oxycodone_2(text), encoding="utf-8")
    own = r"'cdc-2022' is the slug of a shipped table, and this table is not that table .* e\.g\. 'cdc-2022-local'"
    with pytest.raises(TableError, match=own) as caught:
        load_table(copy)
    assert (caught.value.file, caught.value.field) == (str(copy), "slug")
    oxycodone = 1 + next(i for i, row in enumerate(get_table("cdc-2022").rows) if row.drug == "oxycodone")
    assert f"(rows[{oxycodone}] factor is 2, the shipped table's is 1.5)" in str(caught.value)  # what differs
    for table in (copy, str(copy)):
        with pytest.raises(TableError, match=own):
            resolve_table(table)
        with pytest.raises(TableError, match=own):
            mme.convert("oxycodone 10 mg bid", table=table)
    copy.write_text(text.replace('title = "', 'title = "My '), encoding="utf-8")  # any field, not only factors
    with pytest.raises(TableError, match=r"\(title is 'My Morphine .*, the shipped table's is 'Morphine "):
        load_table(copy)
    local = tmp_path / "cdc-2022-local.toml"  # the way out the message gives
    local.write_text(_with_oxycodone_2(text).replace('slug = "cdc-2022"', 'slug = "cdc-2022-local"'), encoding="utf-8")
    mine = mme.convert("oxycodone 10 mg bid", table=local)
    assert (mine.table, mine.mme_per_day) == ("cdc-2022-local", 40.0)
    with pytest.raises(mme.MixedTablesError, match="cdc-2022, cdc-2022-local"):
        mme.total([mine, mme.convert("oxycodone 10 mg bid", table="cdc-2022")])


def test_a_shipped_table_in_other_bytes_is_the_shipped_table(tmp_path: Path) -> None:
    """A copy of a shipped file with CRLF line endings, an extra final newline or "1.50" for "1.5" was refused as "not
    that table (its content differs)": its content is the shipped table's, and it loads as that table."""
    raw = _file_bytes("cdc-2022")
    copy = tmp_path / "cdc-2022.toml"
    for data in (raw.replace(b"\n", b"\r\n"), raw + b"\n", raw.replace(b'factor = "1.5"', b'factor = "1.50"')):
        assert data != raw
        copy.write_bytes(data)
        assert load_table(copy) is get_table("cdc-2022")
        result = mme.convert("oxycodone 10 mg bid", table=copy)
        assert (result.table, result.mme_per_day) == ("cdc-2022", 30.0)
        assert mme.total([result, mme.convert("oxycodone 10 mg bid", table="cdc-2022")]).mme_per_day == 60.0


def test_a_table_object_with_a_shipped_slug_must_be_the_shipped_table() -> None:
    """The same rule for a `mme.Table` built in code: one named as a shipped table is that table, or refused."""
    shipped = get_table("cdc-2022")
    oxycodone = next(i for i, row in enumerate(shipped.rows) if row.drug == "oxycodone")
    rows = list(shipped.rows)
    rows[oxycodone] = rows[oxycodone].model_copy(update={"factor": Decimal(2)})
    changed = shipped.model_copy(update={"rows": tuple(rows)})
    assert hash(changed) == hash(shipped)  # same slug and file digest: only the content tells them apart
    own = r"'cdc-2022' is the slug of a shipped table, and this table is not that table .* 'cdc-2022-local'"
    with pytest.raises(TableError, match=own) as caught:
        mme.convert("oxycodone 10 mg bid", table=changed)
    assert (caught.value.file, caught.value.field) == ("mme.Table 'cdc-2022'", "slug")
    with pytest.raises(TableError, match=own):
        mme.daily_mme("oxycodone", "10 mg", per_day=2, table=shipped.model_copy(update={"version": "local"}))
    fewer = shipped.model_copy(update={"rows": shipped.rows[:-1]})  # a row left out: the first rows all agree
    with pytest.raises(TableError, match=rf"\(rows has {len(shipped.rows) - 1} entries, the shipped table's has "):
        mme.convert("oxycodone 10 mg bid", table=fewer)
    copy = shipped.model_copy()  # equal to the shipped table, as one unpickled or kept across clear_caches() is
    assert copy is not shipped
    assert mme.convert("oxycodone 10 mg bid", table=copy).mme_per_day == 30.0
    local = changed.model_copy(update={"slug": "cdc-2022-local"})
    assert mme.convert("oxycodone 10 mg bid", table=local).mme_per_day == 40.0


def _fhir_request() -> dict[str, object]:
    """Oxycodone 5 mg, 1 tablet every 6 hours (30 MME/day by cdc-2022), named by its text."""
    return {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "medicationCodeableConcept": {"text": "oxycodone 5 mg oral tablet"},
        "dosageInstruction": [{"timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
                               "doseAndRate": [{"doseQuantity": {"value": 1, "code": "{tablet}"}}]}],
    }  # fmt: skip


def _with_factor(table: Table, factor: object, drug: str = "oxycodone") -> Table:
    rows = list(table.rows)
    k = next(i for i, row in enumerate(rows) if row.drug == drug)
    rows[k] = rows[k].model_copy(update={"factor": factor})
    return table.model_copy(update={"rows": tuple(rows)})


def _content_copies(shipped: Table) -> dict[str, Table]:
    """`mme.Table`s with the shipped table's content made in other ways than reading its file."""
    dump = shipped.model_dump()
    return {
        "model_copy": shipped.model_copy(),
        "model_validate of its dump": Table.model_validate(dump),
        "model_validate of its dump without sha256": Table.model_validate({**dump, "sha256": ""}),
        "another checksum": shipped.model_copy(update={"sha256": "0" * 64}),
        "a reformatted factor": _with_factor(shipped, Decimal("1.500")),
        "a reformatted factor, validated": Table.model_validate(
            _with_factor(shipped, Decimal("1.50")).model_dump() | {"sha256": ""}
        ),
        "rows as a list": shipped.model_copy(update={"rows": list(shipped.rows)}),
        "routes as lists": shipped.model_copy(
            update={"rows": tuple(row.model_copy(update={"routes": list(row.routes)}) for row in shipped.rows)}
        ),
    }


_COPIES = ["model_copy", "model_validate of its dump", "model_validate of its dump without sha256", "another checksum",
            "a reformatted factor", "a reformatted factor, validated", "rows as a list", "routes as lists"]  # fmt: skip


@pytest.mark.parametrize("how", _COPIES)
def test_a_table_object_with_the_shipped_content_is_the_shipped_table(how: str) -> None:
    """A `mme.Table` equal in content to a shipped table is that table, whatever its checksum (as a file in other
    bytes is): it was refused ("its file's checksum differs") when its sha256 was not the shipped file's. Every
    path that takes a table reads it as the shipped table."""
    import polars as pl

    from mme import fhir, frames

    shipped = get_table("cdc-2022")
    copies = _content_copies(shipped)
    assert list(copies) == _COPIES
    copy = copies[how]
    assert copy is not shipped
    assert resolve_table(copy) is shipped
    result = mme.convert("oxycodone 10 mg bid", table=copy)
    assert (result.table, result.mme_per_day) == ("cdc-2022", 30.0)
    assert mme.total([result, mme.convert("oxycodone 10 mg bid", table="cdc-2022")]).mme_per_day == 60.0
    assert mme.daily_mme("oxycodone", "10 mg", per_day=2, table=copy).mme_per_day == 30.0
    regimens = pl.DataFrame({"drug": ["oxycodone"], "dose": ["10 mg"], "per_day": [2]})
    assert frames.daily_mme(regimens, dose_unit=None, table=copy)["mme_per_day"].to_list() == [30.0]
    got = fhir.convert(_fhir_request(), table=copy)
    assert isinstance(got, mme.DailyMME)
    assert (got.table, got.mme_per_day) == ("cdc-2022", 30.0)


def test_a_table_object_and_a_file_with_another_factor_are_refused_in_the_same_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule and one message for a table with a shipped slug and other content, from a file or from code; every
    path that takes a table refuses it before converting anything."""
    import polars as pl

    from mme import fhir, frames
    from mme._cli import main

    shipped = get_table("cdc-2022")
    file = tmp_path / "cdc-2022.toml"
    file.write_text(_with_oxycodone_2(_file_bytes("cdc-2022").decode("utf-8")), encoding="utf-8")
    with pytest.raises(TableError) as from_file:
        load_table(file)
    message = str(from_file.value).removeprefix(f"{file}, field 'slug': ")
    assert message.startswith("'cdc-2022' is the slug of a shipped table, and this table is not that table (rows[")
    assert message.endswith(
        "factor is 2, the shipped table's is 1.5): results name only the slug, so give your table its own, e.g. "
        "'cdc-2022-local' (a file's slug is also its name, cdc-2022-local.toml; in code, "
        "table.model_copy(update={'slug': 'cdc-2022-local'}))"
    )
    changed = _with_factor(shipped, Decimal(2))
    assert mme.Table.model_validate(changed.model_dump()) == changed  # a valid table: only its slug is wrong
    regimens = pl.DataFrame({"drug": ["oxycodone"], "dose": ["10 mg"], "per_day": [2]})
    calls: dict[str, Callable[[Any], object]] = {
        "convert": lambda t: mme.convert("oxycodone 10 mg bid", table=t),
        "daily_mme": lambda t: mme.daily_mme("oxycodone", "10 mg", per_day=2, table=t),
        "frames": lambda t: frames.daily_mme(regimens, dose_unit=None, table=t),
        "fhir": lambda t: fhir.convert(_fhir_request(), table=t),
    }
    for name, call in calls.items():
        for table, where in ((changed, "mme.Table 'cdc-2022'"), (file, str(file)), (str(file), str(file))):
            with pytest.raises(TableError) as caught:
                call(table)
            assert str(caught.value) == f"{where}, field 'slug': {message}", name
    assert main(["convert", "oxycodone 10 mg bid", "--table", str(file)], out=io.StringIO()) != 0
    assert message in capsys.readouterr().err
    codeine = next(row for row in shipped.rows if row.drug == "codeine")
    assert codeine.factor == Decimal("0.15")
    with pytest.raises(TableError, match=r"factor is 0\.15 \(a float\), the shipped table's is 0\.15 \(a Decimal\)\)"):
        resolve_table(_with_factor(shipped, 0.15, "codeine"))  # a float that reads as the factor: said so
    assert resolve_table(_with_factor(shipped, 1.5)) is shipped  # 1.5 as a float is the factor exactly


@pytest.mark.parametrize(("slug", "count"), sorted(ROW_COUNTS.items()))
def test_pinned_row_count(slug: str, count: int) -> None:
    assert len(get_table(slug).rows) == count


_PLAIN_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]{1,4})?$")


def _numbers(table: Table) -> list[tuple[str, Decimal]]:
    out: list[tuple[str, Decimal]] = []
    for i, row in enumerate(table.rows, 1):
        if row.factor is not None:
            out.append((f"rows[{i}].factor", row.factor))
        for j, tier in enumerate(row.tiers, 1):
            out.append((f"rows[{i}].tiers[{j}].factor", tier.factor))
    return out


@pytest.mark.parametrize("slug", SLUGS)
def test_factors_are_positive_finite_plain_decimals(slug: str) -> None:
    table = get_table(slug)
    for where, value in _numbers(table):
        assert isinstance(value, Decimal), where
        assert value.is_finite(), where
        assert value > 0, where
        # no float artefacts (0.15000000000000002, 1e-1): a short plain decimal, as printed
        assert _PLAIN_DECIMAL.match(str(value)), f"{slug} {where} = {value}"


@pytest.mark.parametrize("slug", SLUGS)
def test_numbers_are_written_as_strings(slug: str) -> None:
    data = tomllib.loads(_file_bytes(slug).decode("utf-8"))
    for i, row in enumerate(data["rows"], 1):
        for key in ("factor", "warn_above"):
            if key in row:
                assert isinstance(row[key], str), f"{slug} rows[{i}].{key} must be a string"
        for j, tier in enumerate(row.get("tiers", ()), 1):
            for key in ("above", "upto", "factor"):
                if key in tier:
                    assert isinstance(tier[key], str), f"{slug} rows[{i}].tiers[{j}].{key} must be a string"
    table = get_table(slug)
    for raw, row in zip(data["rows"], table.rows, strict=True):
        if "factor" in raw:
            assert str(row.factor) == raw["factor"], "the factor is kept exactly as written"


@pytest.mark.parametrize("slug", SLUGS)
def test_examples_and_exclusions_are_sourced(slug: str) -> None:
    table = get_table(slug)
    for ex in table.examples:
        assert ex.expression.strip()
        assert ex.source.strip()
        assert Decimal(ex.mme_per_day) > 0
    for exclusion in table.excluded:
        assert exclusion.reason.strip()
        assert exclusion.source.strip()


# -- spot checks against the spec (TABLES.md) -----------------------------------------------------------

# (drug, route, form, unit, factor[, variant])
Spec = tuple[str, str, str | None, str, str, *tuple[str, ...]]
SPEC: dict[str, list[Spec]] = {
    "cdc-2022": [
        ("codeine", "oral", "tablet", "mg", "0.15"),
        ("fentanyl", "transdermal", "patch", "mcg/h", "2.4"),
        ("hydrocodone", "oral", "tablet", "mg", "1"),
        ("hydromorphone", "oral", "tablet", "mg", "5"),
        ("methadone", "oral", "tablet", "mg", "4.7"),
        ("morphine", "oral", "tablet", "mg", "1"),
        ("oxycodone", "oral", "tablet", "mg", "1.5"),
        ("oxymorphone", "oral", "tablet", "mg", "3"),
        ("tapentadol", "oral", "tablet", "mg", "0.4"),
        ("tramadol", "oral", "tablet", "mg", "0.2"),
    ],
    "cdc-2016": [
        ("codeine", "oral", "tablet", "mg", "0.15"),
        ("fentanyl", "transdermal", "patch", "mcg/h", "2.4"),
        ("hydrocodone", "oral", "tablet", "mg", "1"),
        ("hydromorphone", "oral", "tablet", "mg", "4"),
        ("morphine", "oral", "tablet", "mg", "1"),
        ("oxycodone", "oral", "tablet", "mg", "1.5"),
        ("oxymorphone", "oral", "tablet", "mg", "3"),
        ("tapentadol", "oral", "tablet", "mg", "0.4"),
    ],
    "cms-2018": [
        ("butorphanol", "nasal", "spray", "mg", "7"),
        ("codeine", "oral", "tablet", "mg", "0.15"),
        ("dihydrocodeine", "oral", "tablet", "mg", "0.25"),
        ("fentanyl", "transmucosal", "lozenge", "mcg", "0.13"),
        ("fentanyl", "buccal", "tablet", "mcg", "0.13"),
        ("fentanyl", "sublingual", "tablet", "mcg", "0.13"),
        ("fentanyl", "buccal", "film", "mcg", "0.18"),
        ("fentanyl", "sublingual", "spray", "mcg", "0.18"),
        ("fentanyl", "nasal", "spray", "mcg", "0.16"),
        ("fentanyl", "transdermal", "patch", "mcg/h", "7.2"),
        ("hydrocodone", "oral", "tablet", "mg", "1"),
        ("hydromorphone", "oral", "tablet", "mg", "4"),
        ("levorphanol", "oral", "tablet", "mg", "11"),
        ("meperidine", "oral", "tablet", "mg", "0.1"),
        ("methadone", "oral", "tablet", "mg", "3", "flat"),
        ("morphine", "oral", "tablet", "mg", "1"),
        ("opium", "rectal", "suppository", "mg", "1"),
        ("oxycodone", "oral", "tablet", "mg", "1.5"),
        ("oxymorphone", "oral", "tablet", "mg", "3"),
        ("pentazocine", "oral", "tablet", "mg", "0.37"),
        ("tapentadol", "oral", "tablet", "mg", "0.4"),
        ("tramadol", "oral", "tablet", "mg", "0.1"),
    ],
    "heal-2025": [
        ("buprenorphine", "buccal", "film", "mcg", "0.039"),
        ("buprenorphine", "transdermal", "patch", "mcg/h", "2.2"),
        ("buprenorphine", "sublingual", "tablet", "mg", "38.8"),
        ("buprenorphine", "sublingual", "film", "mg", "38.8"),
        ("fentanyl", "buccal", None, "mcg", "0.13"),
        ("fentanyl", "nasal", None, "mcg", "0.16"),
        ("fentanyl", "oral", None, "mcg", "0.18"),
        ("fentanyl", "transdermal", "patch", "mcg/h", "2.4"),
        ("hydromorphone", "oral", None, "mg", "5"),
        ("methadone", "oral", None, "mg", "4.7"),
        ("tapentadol", "oral", None, "mg", "0.3"),
        ("tramadol", "oral", None, "mg", "0.2"),
    ],
}
_ANZCA = [
    ("morphine", "oral", None, "mg", "1"),
    ("oxycodone", "oral", None, "mg", "1.5"),
    ("hydromorphone", "oral", None, "mg", "5"),
    ("codeine", "oral", None, "mg", "0.13"),
    ("propoxyphene", "oral", None, "mg", "0.1"),
    ("tramadol", "oral", None, "mg", "0.2"),
    ("buprenorphine", "sublingual", None, "mg", "40"),
    ("oxycodone", "rectal", None, "mg", "1.5"),
    ("buprenorphine", "transdermal", "patch", "mcg/h", "2"),
    ("fentanyl", "transdermal", "patch", "mcg/h", "3"),
    ("morphine", "intravenous", None, "mg", "3"),
    ("morphine", "subcutaneous", None, "mg", "3"),
    ("oxycodone", "intramuscular", None, "mg", "3"),
    ("hydromorphone", "subcutaneous", None, "mg", "15"),
    ("codeine", "intramuscular", None, "mg", "0.25"),
    ("meperidine", "intravenous", None, "mg", "0.4"),
    ("fentanyl", "intravenous", None, "mcg", "0.2"),
    ("sufentanil", "intravenous", None, "mcg", "2"),
]
SPEC["anzca-2014"] = [*_ANZCA, ("tapentadol", "oral", None, "mg", "0.4")]
SPEC["anzca-2021"] = [*_ANZCA, ("tapentadol", "oral", None, "mg", "0.3")]

KIND = {
    "cdc-2022": ("clinical", "rate"),
    "cdc-2016": ("clinical", "rate"),
    "cms-2018": ("analytic", "dispensed"),
    "heal-2025": ("research", "rate"),
    "anzca-2014": ("clinical", "rate"),
    "anzca-2021": ("clinical", "rate"),
}

# Methadone tiers, (above, upto, factor), on the daily methadone dose in mg.
METHADONE_TIERS = [("0", "20", "4"), ("20", "40", "8"), ("40", "60", "10"), ("60", None, "12")]


@pytest.mark.parametrize(("slug", "spec"), [(slug, spec) for slug, specs in SPEC.items() for spec in specs], ids=str)
def test_spot_check_factor(slug: str, spec: Spec) -> None:
    drug, route, form, unit, factor, *variant = spec
    row = _row(get_table(slug), drug, route, form, unit, variant=variant[0] if variant else None)
    assert row.factor == Decimal(factor)
    assert str(row.factor) == factor


@pytest.mark.parametrize(("slug", "kind"), sorted(KIND.items()))
def test_kind_and_patch_convention(slug: str, kind: tuple[str, str]) -> None:
    table = get_table(slug)
    assert (table.kind, table.patch_convention) == kind


def _tiers(row: FactorRow) -> list[tuple[str, str | None, str]]:
    return [(str(t.above), None if t.upto is None else str(t.upto), str(t.factor)) for t in row.tiers]


def test_cdc_2016_methadone_tiers() -> None:
    row = _row(get_table("cdc-2016"), "methadone", "oral", None, "mg")
    assert row.factor is None
    assert _tiers(row) == METHADONE_TIERS
    assert [t.printed for t in row.tiers] == ["1-20", "21-40", "41-60", ">=61-80"]
    assert row.warn_above == Decimal("80")
    # half-open bands: no daily dose falls between them
    assert [row.tier_for(d).factor for d in (0.5, 20, 20.5, 40, 40.01, 60, 60.5, 80, 200)] == [
        Decimal(f) for f in ("4", "4", "8", "8", "10", "10", "12", "12", "12")
    ]


def test_cms_2018_methadone_has_two_variants_and_no_default() -> None:
    table = get_table("cms-2018")
    rows = table.rows_for("methadone")
    assert sorted(r.variant or "" for r in rows) == ["flat", "tiers"]
    assert not any(r.default for r in rows)
    flat = _row(table, "methadone", "oral", None, "mg", variant="flat")
    tiers = _row(table, "methadone", "oral", None, "mg", variant="tiers")
    assert flat.factor == Decimal("3")
    assert not flat.tiers
    assert _tiers(tiers) == METHADONE_TIERS
    assert tiers.warn_above is None


def test_cms_2018_patch_is_dispensed_with_three_wear_days() -> None:
    row = _row(get_table("cms-2018"), "fentanyl", "transdermal", "patch", "mcg/h")
    assert row.wear_days == 3
    assert row.rate_factor(row.factor) == pytest.approx(2.4)  # type: ignore[arg-type]


def test_rate_tables_have_no_wear_days() -> None:
    for slug, (_, convention) in KIND.items():
        if convention == "rate":
            assert all(r.wear_days is None for r in get_table(slug).rows), slug


@pytest.mark.parametrize("slug", ["cdc-2022", "cms-2018"])
def test_buprenorphine_excluded_with_reason(slug: str) -> None:
    table = get_table(slug)
    assert not table.rows_for("buprenorphine")
    (ex,) = [e for e in table.excluded if e.drug == "buprenorphine"]
    assert not ex.routes
    assert not ex.forms
    assert "partial" in ex.reason


def test_cdc_2016_leaves_out_tramadol_and_buprenorphine() -> None:
    table = get_table("cdc-2016")
    assert "tramadol" not in table.drugs
    assert "buprenorphine" not in table.drugs
    assert not table.excluded  # not in the table, and no exclusion stated: simply not covered


@pytest.mark.parametrize("slug", ["anzca-2014", "anzca-2021"])
def test_anzca_gives_no_methadone(slug: str) -> None:
    table = get_table(slug)
    assert "methadone" not in table.drugs
    assert not table.excluded
    assert "methadone" in table.notes.lower()


def test_cms_2018_leaves_out_what_it_does_not_print() -> None:
    drugs = get_table("cms-2018").drugs
    assert "levomethadyl" not in drugs
    assert "propoxyphene" not in drugs


@pytest.mark.parametrize(
    ("slug", "expression", "mme_per_day"),
    [
        ("cdc-2016", "hydrocodone/acetaminophen 5/300 mg 1 tab qid", "20"),
        ("cdc-2016", "oxycodone ER 10 mg bid", "30"),
        ("anzca-2021", "oxycodone 40 mg/day", "60"),
    ],
)
def test_published_examples_are_recorded(slug: str, expression: str, mme_per_day: str) -> None:
    assert (expression, mme_per_day) in {(e.expression, e.mme_per_day) for e in get_table(slug).examples}


# -- NIH HEAL reference data -----------------------------------------------------------------------------

# HEAL API medication name -> (drug, route, form, unit) of its row in heal-2025.
HEAL_NAMES: dict[str, tuple[str, str, str | None, str]] = {
    "Buprenorphine buccal film (mcg) buccal": ("buprenorphine", "buccal", "film", "mcg"),
    "Buprenorphine patch (mcg/hr) transdermal": ("buprenorphine", "transdermal", "patch", "mcg/h"),
    "Buprenorphine tablet/film (mg) sublingual": ("buprenorphine", "sublingual", "tablet", "mg"),
    "butorphanol (mg)": ("butorphanol", "nasal", "spray", "mg"),
    "Codeine (mg)": ("codeine", "oral", None, "mg"),
    "Dihydrocodeine (mg)": ("dihydrocodeine", "oral", None, "mg"),
    "Fentanyl buccal (mcg)": ("fentanyl", "buccal", None, "mcg"),
    "Fentanyl nasal (mcg)": ("fentanyl", "nasal", None, "mcg"),
    "Fentanyl oral (mcg)": ("fentanyl", "oral", None, "mcg"),
    "Fentanyl patch (mcg/hr)": ("fentanyl", "transdermal", "patch", "mcg/h"),
    "Hydrocodone (mg)": ("hydrocodone", "oral", None, "mg"),
    "Hydrocodone LA (mg)": ("hydrocodone", "oral", None, "mg"),
    "Hydromorphone (mg)": ("hydromorphone", "oral", None, "mg"),
    "Hydromorphone (mg) LA": ("hydromorphone", "oral", None, "mg"),
    "Levorphanol tartrate (mg)": ("levorphanol", "oral", None, "mg"),
    "Meperidine HCL (mg)": ("meperidine", "oral", None, "mg"),
    "Methadone (mg)": ("methadone", "oral", None, "mg"),
    "Morphine (mg)": ("morphine", "oral", None, "mg"),
    "Morphine (mg) LA": ("morphine", "oral", None, "mg"),
    "Opium (mg)": ("opium", "oral", None, "mg"),
    "Oxycodone (mg)": ("oxycodone", "oral", None, "mg"),
    "Oxycodone (mg) LA": ("oxycodone", "oral", None, "mg"),
    "Oxymorphone (mg)": ("oxymorphone", "oral", None, "mg"),
    "Oxymorphone (mg) LA": ("oxymorphone", "oral", None, "mg"),
    "Pentazocine (mg)": ("pentazocine", "oral", None, "mg"),
    "tapentadol (mg)": ("tapentadol", "oral", None, "mg"),
    "tapentadol (mg) LA": ("tapentadol", "oral", None, "mg"),
    "tramadol (mg)": ("tramadol", "oral", None, "mg"),
    "tramadol (mg) LA": ("tramadol", "oral", None, "mg"),
}

needs_heal = needs(HEAL, "HEAL reference data")


def _heal_row(name: str) -> FactorRow:
    assert name in HEAL_NAMES, f"HEAL medication {name!r} has no mapping to a heal-2025 row"
    return _row(get_table("heal-2025"), *HEAL_NAMES[name])


@pytest.mark.reference
@needs_heal
def test_heal_sysdata_factors_match_the_table() -> None:
    with (HEAL / "heal_med_list_sysdata.csv").open(newline="", encoding="utf-8") as f:
        entries = list(csv.DictReader(f))
    assert len(entries) == 29
    assert {e["med_name"] for e in entries} == set(HEAL_NAMES)
    for entry in entries:
        assert _heal_row(entry["med_name"]).factor == Decimal(entry["cf"]), entry["med_name"]
    used = {id(_heal_row(name)) for name in HEAL_NAMES}
    assert used == {id(r) for r in get_table("heal-2025").rows}, "every heal-2025 row is a HEAL medication"


@pytest.mark.reference
@needs_heal
def test_heal_factors_are_written_as_the_api_prints_them() -> None:
    text = (HEAL / "api_recorded__all.json").read_text(encoding="utf-8")
    entries = json.loads(text, parse_float=str, parse_int=str)
    assert {e["med_name"] for e in entries} == set(HEAL_NAMES)
    for entry in entries:
        assert str(_heal_row(entry["med_name"]).factor) == entry["cf"], entry["med_name"]


@pytest.mark.reference
@needs_heal
def test_heal_recorded_medications_match_the_table_and_examples() -> None:
    recorded = sorted(HEAL.glob("api_recorded__mme_definitions__*.json"))
    assert recorded
    for path in recorded:
        for med in json.loads(path.read_text(encoding="utf-8"))["medications"]:
            row = _heal_row(med["medication_name"])
            assert row.factor == Decimal(str(med["factor"])), path.name
    for ex in get_table("heal-2025").examples:
        match = re.match(r"(api_recorded__\S+\.json), medications\[(\d)\]", ex.source)
        assert match, ex.source
        med = json.loads((HEAL / match[1]).read_text(encoding="utf-8"))["medications"][int(match[2])]
        assert Decimal(str(med["single_day_mme"])) == Decimal(ex.mme_per_day), ex.source


# -- the loader refuses malformed files ------------------------------------------------------------


def _header(slug: str = "mine", convention: str = "rate") -> str:
    return f"""format = 1
slug = "{slug}"
title = "t"
publisher = "p"
version = "v"
published = 2020-01-01
kind = "clinical"
patch_convention = "{convention}"
citation = "c"
url = "https://example.org"
copy_read = "r"

[[rows]]
drug = "morphine"
routes = ["oral"]
unit = "mg"
factor = "1"
source = "s"
"""


def _methadone(tiers: str) -> str:
    return f"""
[[rows]]
drug = "methadone"
routes = ["oral"]
unit = "mg"
tiers = [{tiers}]
source = "s"
"""


ROW2 = """
[[rows]]
drug = "oxycodone"
routes = ["oral"]
unit = "mg"
factor = "1.5"
source = "s"
"""

# (id, file text, row the error names or None, strings the message must contain)
MALFORMED: list[tuple[str, str, int | None, tuple[str, ...]]] = [
    ("toml_syntax", _header() + 'factor = "1\n', None, ("not valid TOML",)),
    ("float_factor", _header() + ROW2.replace('"1.5"', "1.5"), 2, ("field 'factor'", "string")),
    ("unknown_drug", _header() + ROW2.replace("oxycodone", "unobtainium"), 2, ("unobtainium", "canonical")),
    ("unknown_route", _header() + ROW2.replace('"oral"', '"ocular"'), 2, ("ocular", "route")),
    ("unknown_field", _header() + ROW2.replace("factor =", "facter ="), 2, ("facter",)),
    ("overlapping_rows", _header() + ROW2.replace("oxycodone", "morphine"), 2, ("overlaps rows[1]",)),
    (
        "gapped_tiers",
        _header() + _methadone('{above="0", upto="20", factor="4"}, {above="25", factor="8"}'),
        2,
        ("field 'tiers'", "contiguous"),
    ),
    (
        "overlapping_tiers",
        _header() + _methadone('{above="0", upto="20", factor="4"}, {above="10", factor="8"}'),
        2,
        ("field 'tiers'", "contiguous"),
    ),
    (
        "last_tier_not_open",
        _header() + _methadone('{above="0", upto="20", factor="4"}, {above="20", upto="40", factor="8"}'),
        2,
        ("field 'tiers'", "last tier", "open-ended"),
    ),
    (
        "tiers_not_from_zero",
        _header() + _methadone('{above="1", upto="20", factor="4"}, {above="20", factor="8"}'),
        2,
        ("field 'tiers'", "first tier", "above 0"),
    ),
    (
        "factor_and_tiers",
        _header() + _methadone('{above="0", factor="4"}').replace('unit = "mg"', 'unit = "mg"\nfactor = "3"'),
        2,
        ("field 'factor'", "exactly one of factor or tiers"),
    ),
    (
        "dispensed_patch_without_wear_days",
        _header(convention="dispensed")
        + ROW2.replace("oxycodone", "fentanyl")
        .replace('["oral"]', '["transdermal"]\nforms = ["patch"]')
        .replace('"mg"', '"mcg/h"')
        .replace('"1.5"', '"7.2"'),
        2,
        ("field 'wear_days'", "needs wear_days"),
    ),
    (
        "rate_patch_with_wear_days",
        _header()
        + ROW2.replace("oxycodone", "fentanyl")
        .replace('["oral"]', '["transdermal"]\nforms = ["patch"]')
        .replace('"mg"', '"mcg/h"\nwear_days = 3'),
        2,
        ("field 'wear_days'", "must not have wear_days"),
    ),
    ("row_missing_source", _header() + ROW2.replace('source = "s"\n', ""), 2, ("field 'source'", "required")),
    ("table_missing_title", _header().replace('title = "t"\n', ""), None, ("'title'", "required")),
    (
        "excluded_drug_with_row",
        _header() + '\n[[excluded]]\ndrug = "morphine"\nreason = "r"\nsource = "s"\n',
        1,
        ("field 'drug'", "morphine", "also has a factor row"),
    ),
    ("checksum_in_file", _header().replace("format = 1", 'format = 1\nsha256 = "00"'), None, ("'sha256'",)),
    ("wrong_format", _header().replace("format = 1", "format = 2"), None, ("'format'", "unsupported format")),
]


@pytest.mark.parametrize(("text", "row", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_table_raises_table_error(
    tmp_path: Path, text: str, row: int | None, expected: tuple[str, ...]
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    message = str(info.value)
    assert str(path) in message
    assert info.value.file == str(path)
    assert info.value.row == row
    if row is not None:
        assert f"row {row}," in message
        assert info.value.field is not None
        assert f"field {info.value.field!r}" in message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_slug_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header(slug="other"), encoding="utf-8")
    with pytest.raises(TableError, match=r"mine\.toml, field 'slug': slug 'other' does not match the file name"):
        load_table(path)


def test_valid_custom_table_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + ROW2, encoding="utf-8")
    table = load_table(path)
    assert table.slug == "mine"
    assert [str(r.factor) for r in table.rows] == ["1", "1.5"]
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="cannot read"):
        load_table(tmp_path / "absent.toml")


# -- numbers are plain decimals in a plausible range -----------------------------------------------

# Each is read by `Decimal` (or by TOML) as some number, never the one a reviewer sees printed.
NOT_PLAIN = [
    '"1_5"',  # Decimal("1_5") == 15: a factor 10 times too large
    '"１.５"',  # full-width digits
    '"١.٥"',  # Arabic-Indic digits
    '" 1.5 "',
    '"1.5\\n"',
    '"+1.5"',
    '"1.5e0"',
    '"1e-400"',  # Decimal: a positive number; float: 0
    '"1e308"',
    '"1,5"',
    '"1."',
    '".5"',
    '"0x1"',
    '"NaN"',
    '"Infinity"',
    '""',
]
NOT_A_STRING = ["1.5", "15", "true", "[]", '["1.5"]', "{}", "2020-01-01", "inf", "nan"]
OUT_OF_RANGE = ['"0"', '"0.000"', '"0.0009"', '"1000.001"', '"1' + "0" * 30 + '"']


@pytest.mark.parametrize("value", NOT_PLAIN + NOT_A_STRING + OUT_OF_RANGE)
def test_a_factor_is_a_plain_decimal_in_range(tmp_path: Path, value: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + ROW2.replace('"1.5"', value), encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), 2, "factor")
    expected = "string" if value in NOT_A_STRING else "plain decimal" if value in NOT_PLAIN else "plausible range"
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tiers.0.above", '{above = "0_0", upto = "20", factor = "4"}, {above = "20", factor = "8"}'),
        ("tiers.0.upto", '{above = "0", upto = "2e1", factor = "4"}, {above = "20", factor = "8"}'),
        ("tiers.1.factor", '{above = "0", upto = "20", factor = "4"}, {above = "20", factor = "1e308"}'),
        ("tiers.1.above", '{above = "0", upto = "20", factor = "4"}, {above = 20.0, factor = "8"}'),
        ("tiers.0.upto", '{above = "0", upto = "10001", factor = "4"}, {above = "10001", factor = "8"}'),
    ],
)
def test_tier_numbers_are_plain_decimals_in_range(tmp_path: Path, field: str, value: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + _methadone(value), encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.row, info.value.field) == (2, field)


@pytest.mark.parametrize("value", ['"8_0"', '"80 "', "80", '"10000.5"'])
def test_warn_above_is_a_plain_decimal_in_range(tmp_path: Path, value: str) -> None:
    path = tmp_path / "mine.toml"
    tiers = '{above = "0", upto = "20", factor = "4"}, {above = "20", factor = "8"}'
    path.write_text(_header() + _methadone(tiers) + f"warn_above = {value}\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.row, info.value.field) == (2, "warn_above")


PATCH = """
[[rows]]
drug = "fentanyl"
routes = ["transdermal"]
forms = ["patch"]
unit = "mcg/h"
factor = "7.2"
source = "s"
"""


@pytest.mark.parametrize("value", ['"3"', "3.0", "true", "0", "-3", "15", "1_5"])
def test_wear_days_is_a_whole_number_of_days(tmp_path: Path, value: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header(convention="dispensed") + PATCH + f"wear_days = {value}\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.row, info.value.field) == (2, "wear_days")


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", '"120"'])
def test_example_amounts_are_positive_finite_numbers(tmp_path: Path, value: str) -> None:
    example = f'\n[[examples]]\ntext = "t"\nexpression = "morphine 60 mg"\nmme_per_day = "60"\nquantity = {value}\n'
    path = tmp_path / "mine.toml"
    path.write_text(_header() + example + 'days_supply = 30\nsource = "s"\n', encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.row, info.value.field) == (1, "quantity")


def test_the_bounds_of_the_plausible_ranges_are_accepted(tmp_path: Path) -> None:
    tiers = '{above = "0", upto = "10000", factor = "0.001"}, {above = "10000", factor = "1000"}'
    text = _header(convention="dispensed") + ROW2.replace('"1.5"', '"0001.50"') + _methadone(tiers)
    path = tmp_path / "mine.toml"
    path.write_text(text + 'warn_above = "10000"\n' + PATCH + "wear_days = 14\n", encoding="utf-8")
    table = load_table(path)
    assert table.rows[1].factor == Decimal("1.5")
    assert [t.factor for t in table.rows[2].tiers] == [Decimal("0.001"), Decimal("1000")]
    assert table.rows[3].wear_days == 14


# -- the loader reads regular files of a bounded size, and checks overlaps in linear time ------------


NOT_REGULAR = "not a regular file (a directory, pipe or device): give a .toml file"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mine.toml"
    folder.mkdir()
    with pytest.raises(TableError, match=f"^{re.escape(f'{folder}: {NOT_REGULAR}')}$"):
        load_table(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "mine.toml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(TableError, match=f"^{re.escape(f'{fifo}: {NOT_REGULAR}')}$"):
        load_table(fifo)  # before the fix: open() blocks until a writer comes, i.e. forever
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    with pytest.raises(TableError, match=f"^/dev/zero: {re.escape(NOT_REGULAR)}$"):
        load_table("/dev/zero")  # before the fix: read until memory runs out


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + "#" * MAX_TABLE_BYTES, encoding="utf-8")
    with pytest.raises(
        TableError, match=f"^{re.escape(f'{path}: too large: a table file has at most ')}5,000,000 bytes$"
    ):
        load_table(path)


@pytest.mark.parametrize("most", [None, 10_000], ids=["whole reads", "short reads"])
def test_a_file_of_the_largest_size_loads_and_one_byte_more_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, most: int | None
) -> None:
    """`MAX_TABLE_BYTES` is the largest size read, also when reads come back short (a network file system): here
    in parts that reach it exactly, so the loader must read once more to see the byte too many."""
    if most is not None:
        read = os.read
        monkeypatch.setattr(os, "read", lambda fd, n: read(fd, min(n, most)))
    path = tmp_path / "mine.toml"
    header = _header().encode()
    path.write_bytes(header + b"#" * (MAX_TABLE_BYTES - len(header) - 1) + b"\n")
    assert path.stat().st_size == MAX_TABLE_BYTES
    assert load_table(path).rows[0].factor == Decimal("1")
    path.write_bytes(header + b"#" * (MAX_TABLE_BYTES - len(header)) + b"\n")
    with pytest.raises(TableError, match="too large"):
        load_table(path)


@pytest.mark.parametrize("nested", ["x = " + "[" * 100_000, "x = " + "{a = " * 100_000])
def test_deeply_nested_toml_is_a_table_error(tmp_path: Path, nested: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + nested + "\n", encoding="utf-8")
    with pytest.raises(TableError, match=f"^{re.escape(f'{path}: not a table: arrays or tables nested too deeply')}$"):
        load_table(path)


def _rows(n: int) -> list[FactorRow]:
    """n distinct rows that overlap none of the others: one per variant name."""
    return [
        FactorRow(drug="morphine", routes=("oral", "rectal"), unit="mg", factor="1", variant=f"v{i}", source="s")
        for i in range(n)
    ]


def test_the_overlap_check_is_linear() -> None:
    rows = _rows(100_000)
    start = time.perf_counter()
    assert _first_overlap(rows) is None  # before: 5 * 10^9 pairs compared, hours
    linear = time.perf_counter() - start
    assert linear < 30, f"{linear:.1f} s for 100,000 rows"
    clash = [*rows[:50_000], rows[123].model_copy(update={"forms": ("tablet",)}), *rows[50_000:]]
    assert _first_overlap(clash) == (123, 50_000)


def test_a_large_table_loads_in_seconds(tmp_path: Path) -> None:
    text = _header() + "".join(
        f'\n[[rows]]\ndrug = "oxycodone"\nroutes = ["oral"]\nunit = "mg"\nfactor = "1.5"\nvariant = "v{i}"\nsource = "s"\n'
        for i in range(30_000)
    )
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    assert len(text) < MAX_TABLE_BYTES
    start = time.perf_counter()
    assert len(load_table(path).rows) == 30_001
    assert time.perf_counter() - start < 30  # before: 16,000 rows took 32 s


_ROUTE = st.sampled_from(["oral", "rectal", "transdermal"])
_FORM = st.sampled_from(["tablet", "solution", "patch"])
_ROW = st.builds(
    FactorRow,
    drug=st.sampled_from(["morphine", "fentanyl"]),
    routes=st.lists(_ROUTE, min_size=1, max_size=3).map(tuple),
    forms=st.lists(_FORM, max_size=3).map(tuple),
    release=st.sampled_from([None, "IR", "ER"]),
    unit=st.sampled_from(["mg", "mcg/h"]),
    factor=st.just("1"),
    variant=st.sampled_from([None, "a"]),
    source=st.just("s"),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ROW, max_size=8))
def test_the_linear_overlap_check_agrees_with_comparing_every_pair(rows: list[FactorRow]) -> None:
    pairs = [(i, j) for j in range(len(rows)) for i in range(j) if overlap(rows[i], rows[j])]
    found = _first_overlap(rows)
    if not pairs:
        assert found is None
    else:  # the first row that overlaps an earlier one, with the first earlier row it overlaps
        assert found == min(pairs, key=lambda p: (p[1], p[0]))


# -- a table argument of the wrong type ----------------------------------------------------------------


@pytest.mark.parametrize("table", [None, 5, 2.5, b"cdc-2022", ["cdc-2022"], object()])
def test_a_table_argument_of_the_wrong_type_is_a_typed_error(table: object) -> None:
    for call in (
        lambda: resolve_table(table),  # type: ignore[arg-type]
        lambda: load_table(table),  # type: ignore[arg-type]
        lambda: mme.daily_mme("morphine", "10 mg", per_day=4, table=table),  # type: ignore[arg-type]
        lambda: get_table(table),  # type: ignore[arg-type]
    ):
        with pytest.raises(ArgumentTypeError, match="a table is a slug") as info:
            call()
        assert isinstance(info.value, MMEError)
        assert isinstance(info.value, TypeError)


def test_the_command_line_refuses_a_factor_it_would_misread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mme._cli import main

    path = tmp_path / "mine.toml"
    path.write_text(_header() + ROW2.replace('"1.5"', '"1_5"'), encoding="utf-8")
    out = io.StringIO()
    assert main(["convert", "oxycodone 10 mg qid", "--table", str(path)], out=out) == 1  # before: 600 MME/day
    assert out.getvalue() == ""
    assert "row 2, field 'factor': '1_5' is not a plain decimal" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "shown"),
    [("1234567890123456789x", "'1234567890123456789x'"), ("1234567890123456789xy", "'1234567890123456789x'...")],
)
def test_a_number_not_plainly_written_is_shown_up_to_20_characters(tmp_path: Path, written: str, shown: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_header() + ROW2.replace('"1.5"', f'"{written}"'), encoding="utf-8")
    message = (
        f"{path}, row 2, field 'factor': {shown} is not a plain decimal: write ASCII digits with at most one point, "
        'e.g. "0.15" (no sign, exponent, space, "_" or other digits)'
    )
    with pytest.raises(TableError, match=f"^{re.escape(message)}$"):
        load_table(path)


def test_a_table_of_the_wrong_type_names_its_type() -> None:
    with pytest.raises(
        ArgumentTypeError,
        match=r"^a table is a slug \('cdc-2022'\), the path of a table file or a mme\.Table, not int$",
    ):
        mme.get_table(42)  # type: ignore[arg-type]

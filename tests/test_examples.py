"""Every worked example printed by a source, stored in its table file, is reproduced."""

from __future__ import annotations

from decimal import Decimal

import pytest

import mme

EXAMPLES = [(table.slug, example) for table in mme.list_tables() for example in table.examples]


def printed_round(value: float, printed: str) -> Decimal:
    """Round as the source printed: to as many decimals as the printed number shows."""
    places = len(printed.split(".")[1]) if "." in printed else 0
    return round(Decimal(repr(value)), places)


@pytest.mark.parametrize(("slug", "example"), EXAMPLES, ids=[f"{s}:{e.text[:40]}" for s, e in EXAMPLES])
def test_worked_example(slug: str, example: mme.Example) -> None:
    result = mme.convert(
        example.expression,
        quantity=example.quantity,
        days_supply=example.days_supply,
        package_ml=example.package_ml,
        variant=example.variant,
        table=slug,
    )
    assert result.mme_per_day is not None, result.excluded
    assert printed_round(result.mme_per_day, example.mme_per_day) == Decimal(example.mme_per_day), str(result)
    assert result.table == slug


def test_every_tables_md_example_is_stored() -> None:
    """The examples TABLES.md lists for each table are in the table files (so they are tested above)."""
    stored = {(slug, e.mme_per_day) for slug, e in EXAMPLES}
    for expected in [
        ("cdc-2022", "20"),
        ("cdc-2022", "30"),
        ("cdc-2016", "20"),
        ("cdc-2016", "30"),
        ("anzca-2021", "60"),
    ]:
        assert expected in stored
    ndc = {slug for slug, _ in EXAMPLES if slug.startswith("cdc-ndc-")}
    assert {"cdc-ndc-2016", "cdc-ndc-2017", "cdc-ndc-2018"} <= ndc


def test_printed_round() -> None:
    assert printed_round(35 / 6, "5.8") == Decimal("5.8")
    assert printed_round(31.166666, "31.2") == Decimal("31.2")
    assert printed_round(60.0, "60") == Decimal("60")

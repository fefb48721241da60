"""Every worked example printed by a source, stored in its table file, is reproduced exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

import mme

EXAMPLES = [(table.slug, example) for table in mme.list_tables() for example in table.examples]

#: Examples whose source prints a rounded figure, by (slug, expression): compared after rounding to the printed
#: decimals. CDC's butorphanol example prints 5.8 for 2.5 mL x 10 mg/mL x 7 / 30 days = 5.8333... MME/day.
#: Every other printed figure is the exact result of the source's own arithmetic, and is compared exactly.
ROUNDED = {(slug, "butorphanol 10 mg/mL nasal spray") for slug in ("cdc-ndc-2016", "cdc-ndc-2017", "cdc-ndc-2018")}


def printed_round(value: Fraction, printed: str) -> Fraction:
    """Round as the source printed: to as many decimals as the printed number shows."""
    places = len(printed.split(".")[1]) if "." in printed else 0
    return round(value, places)


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
    assert result.mme_per_day_exact is not None, result.excluded
    printed = Fraction(example.mme_per_day)
    if (slug, example.expression) in ROUNDED:
        assert result.mme_per_day_exact != printed, "printed exactly: remove it from ROUNDED"
        assert printed_round(result.mme_per_day_exact, example.mme_per_day) == printed, str(result)
    else:
        assert result.mme_per_day_exact == printed, str(result)
    assert result.table == slug


def test_every_rounded_example_is_stored() -> None:
    assert {(slug, e.expression) for slug, e in EXAMPLES} >= ROUNDED


def test_every_tables_md_example_is_stored() -> None:
    """The examples TABLES.md lists for each table are in the table files, with their inputs and printed figures
    (so they are tested above)."""
    stored = {(slug, e.expression, e.quantity, e.days_supply, e.package_ml, e.mme_per_day) for slug, e in EXAMPLES}
    expected: set[tuple[str, str, float | None, float | None, float | None, str]] = {
        ("cdc-2022", "hydrocodone/acetaminophen 5/325 mg 1 tab qid", None, None, None, "20"),
        ("cdc-2022", "oxycodone ER 10 mg bid", None, None, None, "30"),
        ("cdc-2016", "hydrocodone/acetaminophen 5/300 mg 1 tab qid", None, None, None, "20"),
        ("cdc-2016", "oxycodone ER 10 mg bid", None, None, None, "30"),
        ("anzca-2021", "oxycodone 40 mg/day", None, None, None, "60"),
        ("cdc-ndc-2016", "buprenorphine 5 mcg/h patch", 4, 28, None, "9"),
    }
    for slug in ("cdc-ndc-2016", "cdc-ndc-2017", "cdc-ndc-2018"):
        expected |= {
            (slug, "oxycodone 10 mg tablet", 120, 30, None, "60"),
            (slug, "fentanyl 25 mcg/h patch", 10, 30, None, "60"),
            (slug, "butorphanol 10 mg/mL nasal spray", 1, 30, 2.5, "5.8"),
        }
    assert expected <= stored, sorted(expected - stored, key=str)


def test_printed_round() -> None:
    assert printed_round(Fraction(35, 6), "5.8") == Fraction("5.8")
    assert printed_round(Fraction("31.166666"), "31.2") == Fraction("31.2")
    assert printed_round(Fraction("59.6"), "60") == 60
    assert printed_round(Fraction("20.4"), "20") == 20

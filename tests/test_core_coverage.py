"""The core modules, line by line: every branch of the engine, loader, units, grammar and vocabulary.

The other test files pin published numbers; this one walks the paths they do not reach (custom
tables with variants, releases and patches of other drugs, the loader's own checks, unit edge cases,
overflowing numbers) and asserts what each path returns or raises. CI requires 100% line and branch
coverage of the core (see pyproject.toml, [tool.coverage.run]).
"""

from __future__ import annotations

import ast
import math
import numbers
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any

import pytest

import mme
from mme import _engine, _errors, _parse, _tables, _units, _vocab
from mme._engine import _per_day
from mme._errors import (
    AmbiguousDoseError,
    ArgumentTypeError,
    DoseError,
    ExpressionError,
    ImplausibleDoseWarning,
    MixedTablesError,
    NotCoveredError,
    TableError,
    TablesNotFoundError,
    UnitError,
    UnknownDrugError,
    UnknownTableError,
)
from mme._parse import parse_expression
from mme._tables import Exclusion, FactorRow, Table, Tier, get_table, list_tables, load_table
from mme._units import MG_PER_DAY_PER_MCG_PER_H, Amount, amount, format_number, positive, registry

# -- custom tables ------------------------------------------------------------------------------------


def header(slug: str = "mine", convention: str = "rate", notes: str = "") -> str:
    return f"""format = 1
slug = "{slug}"
title = "A test table"
publisher = "Tests, Inc."
version = "v1"
published = 2020-01-01
kind = "research"
patch_convention = "{convention}"
citation = "c"
url = "https://example.org"
copy_read = "r"
notes = "{notes}"
"""


def row(drug: str, *, routes: str = '["oral"]', unit: str = "mg", factor: str | None = '"1"', **extra: str) -> str:
    lines = [f'drug = "{drug}"', f"routes = {routes}", f'unit = "{unit}"']
    if factor is not None:
        lines.append(f"factor = {factor}")
    lines += [f"{k} = {v}" for k, v in extra.items()]
    lines.append('source = "s"')
    return "\n[[rows]]\n" + "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, slug: str = "mine") -> Path:
    path = tmp_path / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def value(result: mme.DailyMME) -> float:
    assert result.mme_per_day is not None, result.excluded
    return result.mme_per_day


# A table with released rows, variants with a default, a patch of a drug with no CDC wear period,
# and an excluded form.
CUSTOM = (
    header(notes="custom")
    + row("oxycodone", release='"IR"', factor='"1.5"')
    + row("oxycodone", release='"ER"', factor='"2"')
    + row("methadone", variant='"flat"', default="true", factor='"3"')
    + row(
        "methadone",
        variant='"tiers"',
        factor=None,
        tiers='[{above = "0", upto = "20", factor = "4"}, {above = "20", factor = "8"}]',
    )
    + row("sufentanil", routes='["transdermal"]', unit="mcg/h", forms='["patch"]', factor='"2"')
    + row("sufentanil", routes='["sublingual"]', unit="mcg", forms='["tablet"]', factor='"0.5"')
    + row("morphine", routes='["oral", "rectal"]', forms='["tablet", "suppository"]', factor='"1"')
    + '\n[[excluded]]\ndrug = "buprenorphine"\nforms = ["film"]\nreason = "partial agonist"\nsource = "s"\n'
)


@pytest.fixture
def custom(tmp_path: Path) -> str:
    return str(write(tmp_path, CUSTOM))


def test_release_selects_the_released_row(custom: str) -> None:
    assert value(mme.daily_mme("oxycodone", "10 mg", per_day=2, release="ER", table=custom)) == 40
    assert value(mme.daily_mme("oxycodone", "10 mg", per_day=2, release="IR", table=custom)) == 30
    assert value(mme.daily_mme("OxyContin", "10 mg", per_day=2, table=custom)) == 40  # the brand says ER
    assert value(mme.convert("oxycodone ER 10 mg bid", table=custom)) == 40
    with pytest.raises(AmbiguousDoseError, match="oxycodone oral IR; oxycodone oral ER"):
        mme.daily_mme("oxycodone", "10 mg", per_day=2, table=custom)


def test_the_other_end_of_a_range_is_the_same_product(custom: str) -> None:
    """The MME/day a ranged result gives for its other end keeps the product's release (a row of its own here), its
    variant (methadone's tiers, not the default flat factor) and its route (IV morphine, not oral)."""
    released = mme.convert("oxycodone ER 10 mg 1-2 tabs bid", table=custom)
    assert value(released) == 80  # 2 tabs x 10 mg x 2 a day x 2 (the ER row)
    assert "at the minimum of the range: 40 MME/day" in released.warnings  # the IR row would give 30
    tiered = mme.convert("methadone 10 mg 1-2 tabs q6h", table=custom, variant="tiers")
    assert value(tiered) == 640  # 80 mg/day x 8
    assert "at the minimum of the range: 320 MME/day" in tiered.warnings  # 40 mg/day x 8; flat would give 120
    iv = mme.convert("morphine 10 mg/mL IV 1-2 mL q4h", table="anzca-2021")
    assert (value(iv), iv.route) == (360, "intravenous")  # 2 mL x 10 mg/mL x 6 a day x 3
    assert "at the minimum of the range: 180 MME/day" in iv.warnings  # oral morphine would give 60


def test_default_variant_is_used_unless_another_is_chosen(custom: str) -> None:
    flat = mme.daily_mme("methadone", "10 mg", per_day=3, table=custom)
    assert (value(flat), flat.variant, flat.factor, flat.tier) == (90, "flat", Decimal("3"), None)
    tiered = mme.daily_mme("methadone", "10 mg", per_day=3, variant="tiers", table=custom)
    assert (value(tiered), tiered.variant, tiered.factor) == (240, "tiers", Decimal("8"))
    assert tiered.tier is not None
    assert tiered.tier.above == Decimal("20")
    assert ", tiers)" in str(tiered)
    with pytest.raises(AmbiguousDoseError, match=r"no variant 'nope' here; it prints: flat, tiers"):
        mme.daily_mme("methadone", "10 mg", per_day=3, variant="nope", table=custom)
    assert mme.daily_mme("oxycodone", "10 mg", per_day=2, release="ER", variant="flat", table=custom).variant is None
    with pytest.raises(AmbiguousDoseError, match=r"^mine prints no variant 'nope' \(its variants: flat, tiers\)$"):
        mme.daily_mme("oxycodone", "10 mg", per_day=2, release="ER", variant="nope", table=custom)


def test_patch_of_a_drug_without_a_wear_period_keeps_the_recorded_days_supply(custom: str) -> None:
    result = mme.dispensing_mme("sufentanil", "25 mcg/h", quantity=10, days_supply=30, table=custom)
    assert value(result) == pytest.approx(50)
    assert result.days_supply == 30
    assert result.warnings == ()
    assert result.daily_dose == pytest.approx(25)
    assert result.daily_dose_unit == "mcg/h"
    assert result.factor_basis == "per mcg/h of patch rate"


def test_mcg_rows_report_a_daily_dose_in_mcg(custom: str) -> None:
    result = mme.daily_mme("sufentanil", "15 mcg", per_day=4, route="sublingual", table=custom)
    assert result.daily_dose == pytest.approx(60)
    assert (result.daily_dose_unit, result.factor_basis) == ("mcg/day", "per mcg")
    assert value(result) == pytest.approx(30)
    with pytest.warns(ImplausibleDoseWarning, match="sufentanil is dosed in mcg here; mg was given"):
        slip = mme.daily_mme("sufentanil", "5 mg", per_day=1, route="sublingual", table=custom)
    assert any("did you mean mcg?" in w for w in slip.warnings)


MG_SPELLINGS = ["mg", "MG", "Mg", "milligram", "milligrams", "Milligrams", "MILLIGRAM", "mg/tab"]


@pytest.mark.parametrize("unit", MG_SPELLINGS)
def test_mg_of_a_drug_dosed_in_mcg_warns_however_mg_is_spelt(unit: str) -> None:
    warning = f"fentanyl is dosed in mcg here; {unit} was given: did you mean mcg?"
    with pytest.warns(ImplausibleDoseWarning) as caught:
        regimen = mme.daily_mme("fentanyl", f"1 {unit}", per_day=5, route="intravenous", table="anzca-2021")
    with pytest.warns(ImplausibleDoseWarning) as caught_too:
        dispensing = mme.dispensing_mme(
            "fentanyl", f"1 {unit}", quantity=5, days_supply=1, route="intravenous", table="anzca-2021"
        )
    assert [str(w.message) for w in [*caught, *caught_too]] == [warning, warning]
    assert regimen.warnings == dispensing.warnings == (warning,)


@pytest.mark.parametrize("per", ["/mL", "/ml", " per mL", "/5 mL"])
@pytest.mark.parametrize("unit", ["mg", "MG", "milligrams"])
def test_mg_of_a_liquid_dosed_in_mcg_warns_however_it_is_spelt(unit: str, per: str) -> None:
    with pytest.warns(ImplausibleDoseWarning) as caught:
        result = mme.daily_mme(
            "fentanyl", f"1 {unit}{per}", volume="25 mL", per_day=1, route="intravenous", table="anzca-2021"
        )
    warning = f"fentanyl is dosed in mcg here; {unit} was given: did you mean mcg?"
    assert [str(w.message) for w in caught] == [warning]
    assert result.warnings == (warning,)


def test_a_concentration_outside_the_closed_list_is_refused() -> None:
    with pytest.raises(UnitError, match=r"unknown unit '1/mL\*mg': use mg, mcg"):
        mme.daily_mme("fentanyl", "1 1/mL*mg", volume="25 mL", per_day=1, route="intravenous", table="anzca-2021")


def test_a_hand_built_amount_with_an_unknown_unit_is_no_slip() -> None:
    given = Amount(1.0, "mass", "1/mL*mg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImplausibleDoseWarning)
        result = mme.daily_mme("fentanyl", given, per_day=1, route="intravenous", table="anzca-2021")
    assert (result.daily_dose, result.warnings) == (1000.0, ())


def test_excluded_form_gives_no_mme_and_an_unspecified_route(custom: str) -> None:
    result = mme.daily_mme("buprenorphine", "150 mcg", per_day=2, form="film", table=custom)
    assert result.mme_per_day is None
    assert result.excluded == "partial agonist"
    assert result.route == "unspecified"  # the exclusion names no single route
    assert result.factor_basis == "excluded"
    assert str(result) == "buprenorphine unspecified film: no MME under mine (partial agonist)"


def test_a_form_limited_exclusion_applies_when_no_row_fits(custom: str) -> None:
    unnamed = mme.daily_mme("buprenorphine", "150 mcg", per_day=2, table=custom)
    assert (unnamed.mme_per_day, unnamed.excluded) == (None, "partial agonist")
    with pytest.raises(NotCoveredError, match="mine has no factor for buprenorphine tablet"):
        mme.daily_mme("buprenorphine", "150 mcg", per_day=2, form="tablet", table=custom)


def test_dispensing_an_excluded_patch_still_counts_its_wear_days() -> None:
    result = mme.dispensing_mme("buprenorphine", "10 mcg/h", quantity=4, days_supply=30, table="cdc-2022")
    assert (result.mme_per_day, result.days_supply, result.factor_basis) == (None, 28, "excluded")
    assert result.warnings == (
        "days supply replaced by patches x 7 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)",
    )
    assert result.excluded


def test_not_covered_error_says_whether_tables_were_searched() -> None:
    assert str(NotCoveredError("x has no factor.")) == "x has no factor."
    assert str(NotCoveredError("x.", [])).endswith(
        "x. No shipped table covers it; a custom table can (see docs/table-format.md)."
    )
    searched = NotCoveredError("x.", ["a", "b"])
    assert (str(searched), searched.covered_by) == ("x. Tables that cover it: a, b.", ("a", "b"))


def test_known_names_are_every_accepted_name() -> None:
    names = _vocab.known_names()
    assert names == tuple(sorted(names))
    assert {"oxycodone", "oxycontin", "morphine sulfate", "ms contin"} <= set(names)
    assert all(_vocab.resolve_drug(n).drug in _vocab.DRUGS for n in names)


def test_a_row_with_several_routes_reports_the_first_when_none_is_given(custom: str) -> None:
    result = mme.daily_mme("morphine", "10 mg", per_day=3, table=custom)
    assert (result.route, value(result)) == ("oral", 30)
    assert mme.daily_mme("morphine", "10 mg", per_day=3, route="rectal", table=custom).route == "rectal"


def test_custom_table_is_read_once_until_it_changes(tmp_path: Path) -> None:
    path = write(tmp_path, header() + row("morphine"))
    first = _tables.resolve_table(path)
    assert _tables.resolve_table(str(path)) is first
    assert _tables.resolve_table(first) is first
    with pytest.raises(UnknownTableError, match=r"unknown table '.*absent\.toml' \(no such file\); available: "):
        _tables.resolve_table(tmp_path / "absent.toml")
    # a folder or device is not a table, and says why, as load_table does (it was "unknown table")
    with pytest.raises(TableError, match=rf"^{re.escape(str(tmp_path))}: not a regular file \(a directory, pipe"):
        _tables.resolve_table(tmp_path)
    with pytest.raises(TableError, match=r"^/dev/null: not a regular file \(a directory, pipe or device\)"):
        mme.daily_mme("oxycodone", "10 mg", per_day=1, table="/dev/null")
    with pytest.raises(TableError, match=r"^'x\\x00': no file has a NUL character in its name$"):
        mme.load_table("x\x00")  # was ValueError: embedded null byte
    with pytest.raises(UnknownTableError, match=r"unknown table '.*absent' \(no such file\); available: "):
        _tables.resolve_table(tmp_path / "absent")  # a path: a file that is not there


# -- remembered conversions -------------------------------------------------------------------------


def test_a_remembered_conversion_is_the_same_result_and_warns_on_every_call() -> None:
    mme.clear_caches()
    results = []
    for _ in range(2):
        with pytest.warns(ImplausibleDoseWarning) as caught:
            results.append(mme.convert("morphine 20000 mg/day"))
        # 20,000 mg/day x 1 (cdc-2022's oral morphine factor): the warning is owed by each call
        assert [str(w.message) for w in caught] == [results[-1].warnings[-1]]
        assert results[-1].warnings[-1].startswith("the result is above 10,000 MME/day, which is implausible")
    assert results[0] is results[1]
    assert _engine._recent.cache_info().hits == 1


def test_a_table_file_changed_between_conversions_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, header() + row("morphine"))
    assert value(mme.convert("morphine 10 mg qid", table=str(path))) == 40  # 10 mg x 4 x factor 1
    path.write_text(header() + row("morphine", factor='"3"'), encoding="utf-8")
    later = path.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(later, later))  # a second later, whatever the file system's clock resolution
    assert value(mme.convert("morphine 10 mg qid", table=str(path))) == 120  # 10 mg x 4 x factor 3
    table = load_table(path)
    assert mme.convert("morphine 10 mg qid", table=table) is mme.convert("morphine 10 mg qid", table=table)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mme.convert("oxycodone 10 mg q6h"),
        lambda: mme.convert("Percocet 5/325 1-2 tabs q4-6h prn", range="min"),
        lambda: mme.convert("oxycodone 10 mg", quantity=120, days_supply=30),
        lambda: mme.convert("buprenorphine 0.2 mg SL tid"),
        lambda: mme.daily_mme("methadone", "10 mg", per_day=3, table="cdc-2016"),
        lambda: mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30),
    ],
    ids=["convert", "range", "dispensing", "excluded", "tiered", "patch"],
)
def test_a_result_built_without_validation_is_what_validation_builds(call: Callable[[], mme.DailyMME]) -> None:
    result = call()
    assert result.model_fields_set == set(mme.DailyMME.model_fields)  # every field given, none defaulted
    assert mme.DailyMME.model_validate(result.model_dump()) == result
    assert mme.DailyMME.model_validate_json(result.model_dump_json()) == result


# -- the engine's paths ------------------------------------------------------------------------------


def test_a_release_that_leaves_one_route_owes_no_route_default(tmp_path: Path) -> None:
    """oxycodone ER only orally, IR only rectally: an ER dose with no route can only be oral, in both paths."""
    released = header() + row("oxycodone", release='"ER"', factor='"1.5"')
    released += row("oxycodone", routes='["rectal"]', release='"IR"')
    table = load_table(write(tmp_path, released))
    for result in (
        mme.daily_mme("oxycodone", "10 mg", per_day=2, release="ER", table=table),
        mme.dispensing_mme("oxycodone", "10 mg", quantity=60, days_supply=30, release="ER", table=table),
    ):
        assert (result.route, result.mme_per_day, result.warnings) == ("oral", 30.0, ())  # 20 mg/day x 1.5
    assert mme.daily_mme("oxycodone", "10 mg", per_day=2, table=table).warnings == (  # no release: both rows fit
        "no route given: read as oral; mine also has oxycodone by rectal: give the route to choose",
    )


def test_total_collects_every_items_warnings() -> None:
    with pytest.warns(ImplausibleDoseWarning):
        slip = mme.daily_mme("fentanyl", "1 mg", per_day=5, route="intravenous", table="anzca-2021")
    dispensed = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=10, table="anzca-2021")
    clean = mme.daily_mme("morphine", "10 mg", per_day=1, route="oral", table="anzca-2021")
    total = mme.total([slip, clean, dispensed])
    assert total.warnings == (
        "fentanyl is dosed in mcg here; mg was given: did you mean mcg?",
        "days supply replaced by patches x 3 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)",
    )
    assert mme.total([dispensed]).warnings == dispensed.warnings


def test_total_of_nothing_and_of_mixed_tables() -> None:
    with pytest.raises(DoseError, match="at least one item"):
        mme.total([])
    a = mme.daily_mme("morphine", "10 mg", per_day=1)
    b = mme.daily_mme("morphine", "10 mg", per_day=1, table="cdc-2016")
    with pytest.raises(MixedTablesError, match=r"different tables \(cdc-2016, cdc-2022\)"):
        mme.total([a, b])


def test_total_of_wrong_types_names_what_it_was_given() -> None:
    wrong = r"^total\(\) adds results \(of convert, daily_mme, dispensing_mme\) under thresholds \(numbers\), not "
    with pytest.raises(ArgumentTypeError, match=wrong + "5, 7$"):
        mme.total(5, thresholds=7)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=wrong + r"\(5,\)$"):
        mme.total([5])  # type: ignore[list-item]
    for half in (SimpleNamespace(mme_per_day=60.0), SimpleNamespace(table="cdc-2022")):  # a result has both
        with pytest.raises(ArgumentTypeError, match=wrong):
            mme.total([half])  # type: ignore[list-item]
    with pytest.raises(ArgumentTypeError, match=r"^a threshold must be a number, not '50'$"):
        mme.total([mme.daily_mme("morphine", "10 mg", per_day=1)], thresholds=["50"])  # type: ignore[list-item]


def test_total_of_excluded_items_only_is_no_mme() -> None:
    excluded = mme.convert("buprenorphine 10 mcg/h patch")
    total = mme.total([excluded, excluded])
    assert total.mme_per_day is None
    assert total.reached == ()
    assert total.excluded == (excluded, excluded)
    assert str(total).endswith("total: no MME [cdc-2022]; thresholds reached: none")


def test_total_text_lists_every_item_then_the_total() -> None:
    items = [mme.convert("oxycodone 10 mg q6h"), mme.convert("Butrans 10 mcg/h"), mme.convert("morphine 30 mg/day")]
    assert str(mme.total(items)) == (
        "oxycodone oral: 40 mg/day x 1.5 (per mg) = 60 MME/day [cdc-2022]\n"
        f"{items[1]}\n"
        "morphine oral: 30 mg/day x 1 (per mg) = 30 MME/day [cdc-2022]\n"
        "total: 90 MME/day [cdc-2022]; thresholds reached: >= 50, >= 90"
    )
    assert str(items[1]).startswith("buprenorphine transdermal patch: no MME under cdc-2022 (")


def test_total_text_and_thresholds() -> None:
    item = mme.daily_mme("morphine", "90 mg/day")
    assert str(mme.total([item])).endswith("total: 90 MME/day [cdc-2022]; thresholds reached: >= 50, >= 90")
    strict = mme.total([item], thresholds=[50, 90], inclusive=False)
    assert strict.reached == (50.0,)
    assert str(strict).endswith("thresholds reached: > 50")
    assert mme.total([item], thresholds=(100,)).reached == ()
    assert mme.thresholds_reached(None) == ()
    assert mme.thresholds_reached(50) == (50.0,)
    assert mme.thresholds_reached(50, inclusive=False) == ()
    assert mme.thresholds_reached(49.99) == ()


def test_results_print_whole_numbers_without_decimals() -> None:
    assert format_number(60.0, 2) == "60"
    assert format_number(10.0, 2) == "10"
    assert format_number(100.0, 2) == "100"
    assert format_number(28.8, 2) == "28.8"
    assert format_number(1 / 3, 2) == "0.33"
    assert format_number(2.5, 2) == "2.5"
    assert format_number(0.001, 2) == "0"


def test_str_of_a_result_shows_release_form_tier_and_variant() -> None:
    result = mme.daily_mme("methadone", "10 mg", per_day=3, variant="tiers", table="cms-2018")
    assert result.tier is not None
    printed = result.tier.printed or str(result.tier)
    assert str(result) == f"methadone oral: 30 mg/day x 8 (per mg, tier {printed}, tiers) = 240 MME/day [cms-2018]"
    oxy = mme.daily_mme("OxyContin", "10 mg", per_day=2)
    assert str(oxy) == "oxycodone ER oral tablet: 20 mg/day x 1.5 (per mg) = 30 MME/day [cdc-2022]"


@pytest.mark.parametrize(
    ("per_day", "every", "expected"),
    [
        (None, None, None),
        ("bid", None, 2.0),
        (" B.I.D. ", None, 2.0),
        ("q d", None, 1.0),
        (3, None, 3.0),
        (2.5, None, 2.5),
        (None, 6, 4.0),
        (None, 8.0, 3.0),
        (None, "6 h", 4.0),
        (None, "q6h", 4.0),
        (None, "every 12 hours", 2.0),
        (None, "Q 4 HRS", 6.0),
        (None, "1 day", 1.0),
        (None, "2 days", 0.5),
        (None, "3d", 1 / 3),
        (None, "48", 0.5),
        (None, "1.5 h", 16.0),
        (None, timedelta(hours=6), 4.0),
        (None, timedelta(days=2), 0.5),
    ],
)
def test_per_day_reads_codes_numbers_intervals(per_day: object, every: object, expected: float | None) -> None:
    assert _per_day(per_day, every) == (pytest.approx(expected) if expected is not None else None)  # type: ignore[arg-type]


def test_every_needs_a_quantity_with_both_to_and_magnitude() -> None:
    with pytest.raises(ArgumentTypeError, match=r"every \(hours\) must be a number"):
        _per_day(None, SimpleNamespace(magnitude=6))  # not a pint Quantity: no .to()
    with pytest.raises(ArgumentTypeError, match=r"every \(hours\) must be a number"):
        _per_day(None, SimpleNamespace(to=lambda unit: 6))


def test_every_as_a_pint_quantity() -> None:
    ureg = registry()
    assert mme.daily_mme("oxycodone", "10 mg", every=ureg.Quantity(6, "hour")).mme_per_day == pytest.approx(60)  # type: ignore[arg-type]
    assert mme.daily_mme("oxycodone", "10 mg", every=ureg.Quantity(0.5, "day")).mme_per_day == pytest.approx(30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("per_day", "every", "message"),
    [
        ("bid", "6 h", "give per_day or every, not both"),
        (2, 6, "give per_day or every, not both"),
        ("sometimes", None, r"unknown frequency 'sometimes': use a number or one of qd, od, daily"),
        (0, None, "per_day must be a positive finite number"),
        (-2, None, "per_day must be a positive finite number"),
        (math.inf, None, "per_day must be a positive finite number"),
        (True, None, "per_day must be a number, not True"),
        (None, "soon", r"cannot read the interval 'soon': write e\.g\. '6 h'"),
        (None, "6 weeks", "cannot read the interval"),
        (None, "0 h", r"every \(hours\) must be a positive finite number"),
        (None, 0, r"every \(hours\) must be a positive finite number"),
        (None, -6, r"every \(hours\) must be a positive finite number"),
        (None, timedelta(0), r"every \(hours\) must be a positive finite number"),
        (None, [6], r"every \(hours\) must be a number, not \[6\]"),
    ],
)
def test_per_day_errors(per_day: object, every: object, message: str) -> None:
    error = ArgumentTypeError if "must be a number, not" in message else DoseError
    with pytest.raises(error, match=message):
        _per_day(per_day, every)  # type: ignore[arg-type]


def test_regimen_unit_errors() -> None:
    with pytest.raises(UnitError, match=r"the dose is a concentration: give the volume per administration"):
        mme.daily_mme("morphine", "2 mg/mL", every="4 h")
    with pytest.raises(UnitError, match=r"volume must be a volume such as '5 mL', not '5 mg'"):
        mme.daily_mme("morphine", "2 mg/mL", volume="5 mg", every="4 h")
    with pytest.raises(UnitError, match="volume only goes with a concentration dose"):
        mme.daily_mme("morphine", "10 mg", volume="5 mL", every="4 h")
    with pytest.raises(UnitError, match=r"the dose is a volume: give the concentration as the dose"):
        mme.daily_mme("morphine", "5 mL", every="4 h")
    assert value(mme.daily_mme("morphine", "2 mg/mL", volume="5 mL", every="4 h")) == pytest.approx(60)
    assert value(mme.daily_mme("morphine", "2 mg/mL", volume=(5, "mL"), every="4 h")) == pytest.approx(60)


def test_a_concentration_dose_is_checked_like_a_mass() -> None:
    with pytest.raises(DoseError) as info:
        mme.daily_mme("morphine", "2 mg/mL", volume="0 mL", every="4 h")
    assert str(info.value) == "volume must be a positive finite number"
    with pytest.raises(UnitError) as unit_info:
        mme.daily_mme("morphine", "2 mg/mL", volume=5, every="4 h")  # type: ignore[arg-type]
    assert str(unit_info.value) == "volume 5 has no unit: write e.g. '5 mg' or pass (value, 'mg')"
    with pytest.warns(ImplausibleDoseWarning) as caught:  # mg of a drug dosed in mcg, from a liquid
        result = mme.daily_mme("fentanyl", "1 mg/mL", volume="5 mL", per_day=1, route="intravenous", table="anzca-2021")
    assert [str(w.message) for w in caught] == ["fentanyl is dosed in mcg here; mg was given: did you mean mcg?"]
    assert result.warnings == ("fentanyl is dosed in mcg here; mg was given: did you mean mcg?",)
    assert (result.daily_dose, result.daily_dose_unit) == (5000.0, "mcg/day")


def test_regimen_frequency_errors() -> None:
    with pytest.raises(DoseError, match=r"how often is the dose taken\? Give per_day"):
        mme.daily_mme("oxycodone", "10 mg")
    with pytest.raises(DoseError, match=r"the dose is already a daily total: drop per_day/every"):
        mme.daily_mme("oxycodone", "40 mg/day", per_day=2)
    with pytest.raises(DoseError, match="count must be a positive finite number"):
        mme.daily_mme("oxycodone", "10 mg", per_day=2, count=0)


def test_daily_totals_and_counts_multiply() -> None:
    assert value(mme.daily_mme("oxycodone", "40 mg/day")) == pytest.approx(60)
    assert value(mme.daily_mme("oxycodone", "40 mg/day", count=2)) == pytest.approx(120)
    assert value(mme.daily_mme("oxycodone", "5 mg", per_day=4, count=2)) == pytest.approx(60)
    assert value(mme.daily_mme("oxycodone", "5 mg", every=6, count=2)) == pytest.approx(60)
    patch = mme.daily_mme("fentanyl", "25 mcg/h", every="72 h", count=2)  # a change interval does not alter the rate
    assert value(patch) == pytest.approx(120)
    assert patch.daily_dose == pytest.approx(50)
    assert patch.daily_dose_unit == "mcg/h"


def test_patch_needs_a_rate() -> None:
    with pytest.raises(NotCoveredError, match=r"A fentanyl patch is dosed by its rate: give mcg/h") as info:
        mme.daily_mme("fentanyl", "25 mg", per_day=1, form="patch")
    assert info.value.covered_by == ()
    assert "No shipped table covers it" not in str(info.value)  # the unit is what is wrong, not the table


def test_not_covered_names_the_tables_that_cover_it() -> None:
    with pytest.raises(NotCoveredError) as info:
        mme.daily_mme("tramadol", "50 mg", per_day=2, table="cdc-2016")
    assert "cdc-2022" in info.value.covered_by
    assert "cdc-2016" not in info.value.covered_by
    assert "cdc-2016 has no factor for tramadol. It has no factor for tramadol at all." in str(info.value)
    assert "Tables that cover it: " in str(info.value)


def test_nothing_covers_a_route_a_drug_never_takes() -> None:
    with pytest.raises(NotCoveredError) as info:
        mme.daily_mme("morphine", "10 mg", per_day=2, route="transdermal")
    assert info.value.covered_by == ()
    assert str(info.value) == (
        "cdc-2022 has no factor for morphine transdermal. It covers: morphine oral. "
        "No shipped table covers it; a custom table can (see docs/table-format.md)."
    )


def test_route_less_input_prefers_the_one_oral_row() -> None:
    result = mme.daily_mme("oxycodone", "10 mg", per_day=3, table="anzca-2021")  # oral, rectal and parenteral rows
    assert result.route == "oral"
    assert value(result) == pytest.approx(45)
    with pytest.raises(AmbiguousDoseError, match=r"cdc-ndc-2018 has several factors for fentanyl: .*Say the route"):
        mme.daily_mme("fentanyl", "100 mcg", per_day=1, table="cdc-ndc-2018")  # no oral row among five


def test_dispensing_unit_errors() -> None:
    with pytest.raises(UnitError, match="package_ml only goes with a concentration strength"):
        mme.dispensing_mme("oxycodone", "10 mg", quantity=10, days_supply=5, package_ml=5)
    with pytest.raises(UnitError, match=r"is a volume: give the concentration \('10 mg/mL'\)"):
        mme.dispensing_mme("morphine", "5 mL", quantity=10, days_supply=5)
    with pytest.raises(UnitError, match=r"oxycodone here is not a patch: give mg per unit"):
        mme.dispensing_mme("oxycodone", "10 mg/day", quantity=10, days_supply=5)
    with pytest.raises(DoseError, match="quantity must be a positive finite number"):
        mme.dispensing_mme("oxycodone", "10 mg", quantity=0, days_supply=5)
    with pytest.raises(DoseError, match="days_supply must be a positive finite number"):
        mme.dispensing_mme("oxycodone", "10 mg", quantity=10, days_supply=-1)
    with pytest.raises(DoseError, match="package_ml must be a positive finite number"):
        mme.dispensing_mme("morphine", "2 mg/mL", quantity=1, days_supply=5, package_ml=0)


def test_dispensing_arithmetic() -> None:
    tablets = mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30, table="cdc-ndc-2018")
    assert tablets.daily_dose == pytest.approx(40)
    assert tablets.days_supply == 30
    assert value(tablets) == pytest.approx(60)
    liquid = mme.dispensing_mme("morphine", "2 mg/mL", quantity=150, days_supply=5, table="cdc-ndc-2018")
    assert value(liquid) == pytest.approx(60)
    bottles = mme.dispensing_mme("morphine", "2 mg/mL", quantity=3, days_supply=5, package_ml=50, table="cdc-ndc-2018")
    assert value(bottles) == pytest.approx(60)
    patch = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30, table="cdc-ndc-2018")
    assert value(patch) == pytest.approx(60)
    assert (patch.days_supply, patch.warnings) == (30, ())
    near = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30.000000001, table="cdc-ndc-2018")
    assert near.warnings == ()
    off = mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=28, table="cdc-ndc-2018")
    assert off.warnings == (
        "days supply replaced by patches x 3 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)",
    )
    assert off.days_supply == 30


def test_convert_dispensing_needs_both_numbers() -> None:
    with pytest.raises(DoseError, match="give both quantity and days_supply"):
        mme.convert("oxycodone 10 mg tablet", quantity=10)
    with pytest.raises(DoseError, match="give both quantity and days_supply"):
        mme.convert("oxycodone 10 mg tablet", days_supply=10)
    with pytest.raises(DoseError, match="package_ml only applies to a dispensing"):
        mme.convert("morphine 2 mg/mL 5 mL q4h", package_ml=5)
    result = mme.convert("morphine 2 mg/mL", quantity=3, days_supply=5, package_ml=50, table="cdc-ndc-2018")
    assert value(result) == pytest.approx(60)


def test_implausible_total_warns() -> None:
    with pytest.warns(ImplausibleDoseWarning, match=r"^the result is above 10,000 MME/day, which is implausible"):
        result = mme.daily_mme("morphine", "4000 mg", per_day=3)
    assert value(result) == pytest.approx(12_000)
    assert result.warnings == (
        "the result is above 10,000 MME/day, which is implausible: check the unit (mcg typed as mg?) and the amounts",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert value(mme.daily_mme("morphine", "10000 mg/day")) == pytest.approx(10_000)  # not above: no warning


def test_mcg_typed_as_mg_warns_only_from_5_mg_a_day() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low = mme.daily_mme("fentanyl", "4.99 mg/day", route="intravenous", table="anzca-2021")
        assert low.warnings == ()
        micro = mme.daily_mme("fentanyl", "5000 mcg/day", route="intravenous", table="anzca-2021")
        assert micro.warnings == ()
    with pytest.warns(ImplausibleDoseWarning, match="fentanyl is dosed in mcg here; milligram was given"):
        mme.daily_mme("fentanyl", "5 milligram", per_day=1, route="intravenous", table="anzca-2021")
    with pytest.warns(ImplausibleDoseWarning, match="fentanyl is dosed in mcg here;  mg  was given"):
        mme.daily_mme("fentanyl", (5, " mg "), per_day=1, route="intravenous", table="anzca-2021")


def test_warn_above_the_last_tier() -> None:
    result = mme.daily_mme("methadone", "100 mg/day", table="cdc-2016")
    assert result.warnings == (
        "the daily amount is above 80 mg/day, where the source defines no factor; its last tier (12) was applied",
    )
    assert mme.daily_mme("methadone", "80 mg/day", table="cdc-2016").warnings == ()


# -- the loader --------------------------------------------------------------------------------------


def test_list_tables_gives_every_shipped_table_once_by_slug() -> None:
    tables = list_tables()
    assert [t.slug for t in tables] == sorted({t.slug for t in tables}) == list(_tables.table_slugs())
    assert all(t is get_table(t.slug) for t in tables)
    rows = [(t.slug, r) for t in tables for r in t.rows]  # how the engine walks every row (covered_by)
    assert {slug for slug, _ in rows} == set(_tables.table_slugs())


CORE = ("_engine", "_tables", "_units", "_parse", "_vocab", "_errors")


@pytest.mark.parametrize("module", CORE)
def test_every_core_function_and_class_is_used_by_the_package(module: str) -> None:
    """Coverage cannot tell a helper the package uses from one only the tests call: this can."""
    package = Path(mme.__file__).parent
    # Every name mentioned (not as an attribute), counted in one pass: mutmut's mutated sources are megabytes.
    mentions = Counter(w for p in package.rglob("*.py") for w in re.findall(r"(?<![.\w])\w+", p.read_text("utf-8")))
    tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    unused = [name for name in names if mentions[name] < 2]  # the definition itself is one mention
    assert unused == []


def test_table_str_and_drugs() -> None:
    table = get_table("cdc-2022")
    assert str(table) == f"cdc-2022: {table.title} ({table.publisher}, {table.version})"
    assert table.drugs == tuple(sorted({r.drug for r in table.rows}))
    assert "buprenorphine" not in table.drugs
    assert hash(table) == hash(("cdc-2022", table.sha256))


def test_row_description_names_forms_release_and_variant() -> None:
    full = FactorRow(
        drug="oxycodone", routes=("oral", "rectal"), forms=("tablet", "suppository"), release="ER", unit="mg",
        factor=Decimal("1.5"), variant="v", source="s",
    )  # fmt: skip
    assert full.describe() == "oxycodone oral/rectal tablet/suppository ER [v]"
    bare = FactorRow(drug="oxycodone", routes=("oral",), unit="mg", factor=Decimal("1.5"), source="s")
    assert bare.describe() == "oxycodone oral"
    assert (bare.is_patch, bare.rate_factor(Decimal("1.5"))) == (False, 1.5)
    patch = FactorRow(
        drug="fentanyl", routes=("transdermal",), unit="mcg/h", factor=Decimal("7.2"), wear_days=3, source="s"
    )
    assert patch.is_patch
    assert patch.rate_factor(Decimal("7.2")) == pytest.approx(2.4)


def test_tier_bounds_are_half_open() -> None:
    tier = Tier(above=Decimal("20"), upto=Decimal("40"), factor=Decimal("8"))
    assert [tier.contains(x) for x in (20, 20.01, 40, 40.01)] == [False, True, True, False]
    assert str(tier) == "(20, 40] mg/day -> 8"
    last = Tier(above=Decimal("80"), factor=Decimal("12"))
    assert (last.contains(80), last.contains(1e9), str(last)) == (False, True, "> 80 mg/day -> 12")


def test_tier_for_picks_the_band() -> None:
    methadone = next(r for r in get_table("cdc-2016").rows if r.drug == "methadone")
    assert [methadone.tier_for(x).factor for x in (1, 20, 21, 40, 41, 60, 61, 1000)] == [
        Decimal(f) for f in ("4", "4", "8", "8", "10", "10", "12", "12")
    ]


TIERS = 'tiers = [{above = "0", upto = "0", factor = "4"}, {above = "0", factor = "8"}]'

LOADER_ERRORS: list[tuple[str, str, int | None, str | None, str]] = [
    ("bad_form", header() + row("morphine", forms='["pill"]'), 1, "forms", "'pill' is not a canonical form"),
    ("wear_days_not_patch", header() + row("morphine", wear_days="3"), 1, "wear_days", "only applies to patch rows"),
    ("empty_tier", header() + row("methadone", factor=None, tiers=TIERS.removeprefix("tiers = ")), 1, "tiers",
     "empty tier (0, 0] mg/day -> 4"),
    ("excluded_bad_drug", header() + row("morphine") + '[[excluded]]\ndrug = "aspirin"\nreason = "r"\nsource = "s"\n',
     1, "drug", "'aspirin' is not a canonical ingredient"),
    ("excluded_bad_route", header() + row("morphine")
     + '[[excluded]]\ndrug = "buprenorphine"\nroutes = ["ocular"]\nreason = "r"\nsource = "s"\n',
     1, "routes", "not canonical: ['ocular']"),
    ("excluded_bad_form", header() + row("morphine")
     + '[[excluded]]\ndrug = "buprenorphine"\nforms = ["pill"]\nreason = "r"\nsource = "s"\n',
     1, "routes", "not canonical: ['pill']"),
    ("bad_example", header() + row("morphine") + '[[examples]]\ntext = "t"\nexpression = "e"\nsource = "s"\n',
     1, "mme_per_day", "Field required"),
    ("nan_factor", header() + row("morphine", factor='"NaN"'), 1, "factor", ""),
    ("zero_factor", header() + row("morphine", factor='"0"'), 1, "factor", "0 is outside the plausible range 0.001 to 1000"),
    ("negative_tier", header() + row("methadone", factor=None, tiers='[{above = "-1", factor = "4"}]'), 1,
     "tiers.0.above", "'-1' is not a plain decimal"),
    ("bad_slug", header(slug="Not A Slug"), None, "slug", "String should match pattern"),
    ("no_rows", header(), None, "rows", "Field required"),
    ("second_row_overlaps", header() + row("oxycodone") + row("morphine") + row("oxycodone", routes='["oral", "rectal"]'),
     3, "routes", "overlaps rows[1] (oxycodone oral / oxycodone oral/rectal)"),
    ("bad_date", header().replace("2020-01-01", '"yesterday"'), None, "published", "valid date"),
    ("bytes", "\ufeff\x00", None, None, "not valid TOML"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "row_", "field", "message"), [e[1:] for e in LOADER_ERRORS], ids=[e[0] for e in LOADER_ERRORS]
)
def test_loader_names_row_and_field(
    tmp_path: Path, text: str, row_: int | None, field: str | None, message: str
) -> None:
    slug = "Not A Slug" if "Not A Slug" in text else "mine"
    path = write(tmp_path, text, slug=slug)
    with pytest.raises(TableError) as info:
        load_table(path)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), row_, field)
    assert message in str(info.value)
    where = str(path) + (f", row {row_}" if row_ is not None else "") + (f", field {field!r}" if field else "")
    assert str(info.value).startswith(where + ": ")


def test_loader_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_bytes(b'format = 1\ntitle = "\xff"\n')
    with pytest.raises(TableError, match="not valid TOML: 'utf-8' codec can't decode"):
        load_table(path)


def test_loader_refuses_a_format_it_does_not_know(tmp_path: Path) -> None:
    path = write(tmp_path, header().replace("format = 1\n", ""))
    with pytest.raises(TableError, match=r"field 'format': unsupported format None; expected 1"):
        load_table(path)


def test_table_model_checks_across_rows() -> None:
    text = header() + row("morphine")
    import tomllib

    data = tomllib.loads(text)
    ok = Table.model_validate(data)
    assert (ok.slug, ok.sha256, ok.rows[0].factor) == ("mine", "", Decimal("1"))
    with pytest.raises(ValueError, match="excluded"):
        Table.model_validate({**data, "excluded": [{"drug": "morphine", "reason": "r", "source": "s"}]})
    fine = Table.model_validate(
        {**data, "excluded": [{"drug": "morphine", "routes": ["rectal"], "reason": "r", "source": "s"}]}
    )
    assert fine.excluded == (Exclusion(drug="morphine", routes=("rectal",), reason="r", source="s"),)
    with pytest.raises(ValueError, match="also has a factor row"):
        Table.model_validate(
            {**data, "excluded": [{"drug": "morphine", "forms": ["tablet"], "reason": "r", "source": "s"}]}
        )


def test_rows_of_different_variants_releases_or_patchness_do_not_overlap(tmp_path: Path) -> None:
    text = (
        header()
        + row("oxycodone", release='"IR"')
        + row("oxycodone", release='"ER"')
        + row("oxycodone", routes='["rectal"]')
        + row("methadone", variant='"a"')
        + row("methadone", variant='"b"')
        + row("fentanyl", routes='["transdermal"]', unit="mcg", forms='["film"]')
        + row("fentanyl", routes='["transdermal"]', unit="mcg/h", forms='["patch"]')
        + row("morphine", forms='["tablet"]')
        + row("morphine", forms='["solution"]')
    )
    assert len(load_table(write(tmp_path, text)).rows) == 9
    for clash in (
        row("oxycodone"),  # no release: meets both IR and ER
        row("methadone", variant='"a"', forms='["tablet"]'),
        row("morphine"),  # no forms: every form
        row("morphine", forms='["tablet", "capsule"]'),
    ):
        with pytest.raises(TableError, match="overlaps"):
            load_table(write(tmp_path, text + clash))


def test_tables_folder_prefers_the_installed_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conversion_tables").mkdir()  # a checkout's folder too: the package's own comes first
    (tmp_path / "src" / "mme" / "conversion_tables").mkdir(parents=True)
    monkeypatch.setattr(_tables, "__file__", str(tmp_path / "src" / "mme" / "_tables.py"))
    assert _tables._tables_folder() == tmp_path / "src" / "mme" / "conversion_tables"


def test_tables_folder_missing_is_a_broken_installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tables, "__file__", str(tmp_path / "src" / "mme" / "_tables.py"))
    with pytest.raises(TablesNotFoundError, match=r"reinstall mme \(pip install --force-reinstall mme\)"):
        _tables._tables_folder()
    (tmp_path / "conversion_tables").mkdir()  # the checkout layout: <root>/conversion_tables, <root>/src/mme
    assert _tables._tables_folder() == tmp_path / "conversion_tables"


def test_shipped_file_whose_slug_differs_from_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, header(slug="other") + row("morphine"), slug="zz-renamed")
    monkeypatch.setattr(_tables, "_shipped", lambda: {"zz-renamed": path})
    with pytest.raises(TableError) as info:
        get_table("zz-renamed")
    assert str(info.value) == (
        "conversion_tables/zz-renamed.toml, field 'slug': slug 'other' does not match the file name"
    )
    with pytest.raises(UnknownTableError, match=r"unknown table 'cdc-2022'; available: zz-renamed"):
        _tables._shipped_table.__wrapped__("cdc-2022")  # the uncached function: only zz-renamed is "shipped" here


def test_get_table_unknown_lists_the_shipped_slugs() -> None:
    with pytest.raises(UnknownTableError) as info:
        get_table("cdc-2099")
    assert info.value.available == _tables.table_slugs()
    assert info.value.slug == "cdc-2099"


# -- units ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "canonical", "shown"),
    [
        ("10 mg", "mass", 10.0, "10 mg"),
        ("0.5 g", "mass", 500.0, "500 mg"),
        ("100 mcg", "mass", 0.1, "0.1 mg"),
        ("100 µg", "mass", 0.1, "0.1 mg"),
        ("100 μg", "mass", 0.1, "0.1 mg"),
        ("25 mcg/h", "rate", 0.6, "0.6 mg/day"),
        ("40 mg/day", "rate", 40.0, "40 mg/day"),
        ("2 mg/mL", "conc", 2.0, "2 mg/mL"),
        ("10 mg/5 mL", "conc", 2.0, "2 mg/mL"),
        ("10 mg / 2.5 ml", "conc", 4.0, "4 mg/mL"),
        ("5 mL", "volume", 5.0, "5 mL"),
        ("100 mcg/spray", "mass", 0.1, "0.1 mg"),
        ("5 mg/tab", "mass", 5.0, "5 mg"),
        ("5 mg / Tablets", "mass", 5.0, "5 mg"),
        ("2,5 mg", "mass", 2.5, "2.5 mg"),
        (".5 mg", "mass", 0.5, "0.5 mg"),
        ("1e1 mg", "mass", 10.0, "10 mg"),
        ("+3 mg", "mass", 3.0, "3 mg"),
    ],
)
def test_amount_reads_text(text: str, kind: str, canonical: float, shown: str) -> None:
    got = amount(text)
    assert got.kind == kind
    assert got.value == pytest.approx(canonical)
    assert str(got) == shown


def test_amount_from_pairs_quantities_and_amounts() -> None:
    assert amount((10, "mg")) == Amount(10.0, "mass", "mg")
    assert amount((2.5, "mcg/h")).value == pytest.approx(0.06)
    given = Amount(3.0, "mass", "mg")
    assert amount(given) is given
    quantity = registry().Quantity(25, "microgram / hour")
    got = amount(quantity)
    assert got.kind == "rate"
    assert got.value == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ("10", UnitError, "a unit is required"),
        ("mg", UnitError, r"cannot read an amount in 'mg'"),
        ("10 xyzzy", UnitError, r"unknown unit 'xyzzy': use mg, mcg"),
        ("10 mg/", UnitError, "unknown unit"),
        ("10 m", UnitError, r"unknown unit 'm': use mg"),
        ("10 mg/0 mL", UnitError, "the volume in a concentration must be positive"),
        ("10 mg/0.0 mL", UnitError, "the volume in a concentration must be positive"),
        ("0 mg", DoseError, "dose must be a positive finite number"),
        (
            "1,000 mcg",
            DoseError,
            r"'1,000' is ambiguous \(a thousands separator or a decimal comma\?\): write 1000 or 1\.000",
        ),
        ("-2,500 mg", DoseError, "'-2,500' is ambiguous"),
        ("-1 mg", DoseError, "must be a positive finite number"),
        ("nan mg", DoseError, "must be a positive finite number"),
        ("inf mg", DoseError, "must be a positive finite number"),
        ((True, "mg"), ArgumentTypeError, "dose must be a number, not True"),
        (("10", "mg"), ArgumentTypeError, "dose must be a number, not '10'"),
        (10, UnitError, r"dose 10 has no unit: write e\.g\. '10 mg' or pass \(value, 'mg'\)"),
        (10.5, UnitError, "has no unit"),
        (
            True,
            ArgumentTypeError,
            r"^dose must be text such as '10 mg', a \(number, unit\) pair or a pint Quantity, not True$",
        ),
        (None, ArgumentTypeError, "dose must be text such as '10 mg'"),
        ((10, "mg", "x"), ArgumentTypeError, "must be text such as"),
        ((10, 5), ArgumentTypeError, "must be text such as"),
    ],
)
def test_amount_errors(given: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        amount(given)


def test_amount_names_what_it_reads() -> None:
    with pytest.raises(DoseError, match="strength must be a positive finite number"):
        amount("0 mg", what="strength")
    with pytest.raises(UnitError, match="volume 5 has no unit"):
        amount(5, what="volume")


def test_positive_and_the_patch_constant() -> None:
    assert positive(3, "n") == 3.0
    assert isinstance(positive(3, "n"), float)
    with pytest.raises(ArgumentTypeError, match="n must be a number, not False"):
        positive(False, "n")
    with pytest.raises(DoseError, match=r"n must be a positive finite number"):
        positive(-0.0, "n")
    assert pytest.approx(24 / 1000) == MG_PER_DAY_PER_MCG_PER_H


def test_unit_factors_have_no_float_noise() -> None:
    assert _units._unit("mcg/hr") == ("rate", 0.024, 1.0)
    assert _units._unit("ug") == ("mass", 0.001, 1.0)
    assert _units._unit("mg/5mL") == ("conc", 0.2, 1.0)
    # a ratio with no decimal: two whole numbers, divided once (x 0.0666666666667 was 5e-12 off)
    assert _units._unit("mg/15 mL") == ("conc", 1.0, 15.0)
    assert _units._unit("mcg/3 mL") == ("conc", 1.0, 3000.0)
    assert _units._unit("mg/0.3 mL") == ("conc", 10.0, 3.0)


def test_registry_is_private_and_shared() -> None:
    import pint

    assert registry() is registry()
    assert registry() is not pint.get_application_registry()  # type: ignore[no-untyped-call]


# -- the grammar's rarer paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per_day", "every_hours"),
    [
        ("oxycodone 10 mg 2 times per 24 h", 2.0, None),
        ("oxycodone 10 mg 3x/24 hours", 3.0, None),
        ("oxycodone 10 mg 3 x / 24h", 3.0, None),
        ("oxycodone 10 mg 2 times per 12 h", None, None),
    ],
)
def test_per_24_hours_is_a_day(text: str, per_day: float | None, every_hours: float | None) -> None:
    if per_day is None:
        with pytest.raises(ExpressionError, match="cannot read '2 times'"):
            parse_expression(text)
        return
    expr = parse_expression(text)
    assert (expr.per_day, expr.every_hours) == (per_day, every_hours)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("oxycodone 10 mg q1e308 weeks", r"frequency 'q1e308 weeks' must be positive and finite"),
        ("oxycodone 10 mg every 1e307 days", "must be positive and finite"),
        ("oxycodone 10 mg 1e-300/1e300 tab q6h", r"count '1e-300/1e300' must be positive and finite"),
        ("oxycodone 10 mg 1e300/1e-300 tab q6h", "must be positive and finite"),
        ("morphine 1e300 mg/1e-300 mL 5 mL q4h", r"the dose '1e300 mg/1e-300 mL' is not a positive finite amount"),
    ],
)
def test_numbers_that_overflow_are_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("oxycodone/acetaminophen 5 mg/325000 mcg/h q6h", "mg/h"),  # acetaminophen outweighs the opioid
        ("oxycodone/acetaminophen/caffeine 5 mg/325 mg/30 mcg/h", "mg/h"),
        ("oxycodone/acetaminophen 0.005 g/325000 mcg/h", "g/h"),
    ],
)
def test_a_rate_read_for_another_components_unit_is_refused(text: str, unit: str) -> None:
    """The "/h" is checked against the last amount's unit (mcg); the opioid's own (mg, g) only in `finish`."""
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert str(info.value).startswith(f"unknown unit {unit!r} in {text!r}")


def test_the_unit_check_guards_the_grammar_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """`finish` refuses a unit outside UNITS: it keeps `_MASS` (the words) and UNITS (the contract) in step."""
    assert parse_expression("morphine 1 mg q4h").dose == "1 mg"
    monkeypatch.setitem(_parse._MASS, "gr", "gr")  # grains: a unit word added without its UNITS entry
    with pytest.raises(ExpressionError, match=r"unknown unit 'gr'"):
        parse_expression("morphine 1 gr q4h")


# -- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("tramadol sulfate", "tramadol"),
        ("Codeine HCl", "codeine"),
        ("oxycodone hydrochloride hcl", "oxycodone"),
        ("morphine sulfate", "morphine"),
        ("OXYCONTIN®", "oxycodone"),
        ("hydrocodone/acetaminophen", "hydrocodone"),
        ("acetaminophen + codeine", "codeine"),
        ("oxycodone w/ aspirin", "oxycodone"),
    ],
)
def test_resolve_drug(name: str, drug: str) -> None:
    assert _vocab.resolve_drug(name).drug == drug


@pytest.mark.parametrize("name", ["oxycodone/morphine", "oxycodone/unobtainium", "tramadol tablets", "aspirin"])
def test_resolve_drug_refuses(name: str) -> None:
    with pytest.raises(UnknownDrugError, match=f"unknown drug {name!r}"):
        _vocab.resolve_drug(name)


def test_unknown_drug_suggests_close_names() -> None:
    with pytest.raises(UnknownDrugError) as info:
        _vocab.resolve_drug("oxycodon")
    assert "oxycodone" in info.value.suggestions
    assert "Did you mean: " in str(info.value)
    with pytest.raises(UnknownDrugError) as info:
        _vocab.resolve_drug("zzzzzzzz")
    assert info.value.suggestions == ()
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "route"),
    [("IV", "intravenous"), ("nasal spray", "nasal"), ("patch", "transdermal"), ("Patches", "transdermal"),
     ("suppository", "rectal"), ("oral spray", "sublingual"), ("by mouth", "oral")],
)  # fmt: skip
def test_resolve_route(text: str, route: str) -> None:
    assert _vocab.resolve_route(text) == route


def test_unknown_route_form_release() -> None:
    with pytest.raises(UnitError, match=r"unknown route 'ocular'\. Known routes: buccal, intramuscular"):
        _vocab.resolve_route("ocular")
    with pytest.raises(UnitError, match=r"unknown route 'orall'\. Did you mean: oral"):
        _vocab.resolve_route("orall")
    with pytest.raises(UnitError, match=r"unknown form 'pill'"):
        _vocab.resolve_form("pill")
    with pytest.raises(UnitError, match=r"unknown release type 'fast'; use IR or ER"):
        _vocab.resolve_release("fast")


def test_forms_with_a_release_word() -> None:
    assert _vocab.resolve_form("ER tablet") == "tablet"
    assert _vocab.resolve_form("tabs") == "tablet"
    with pytest.raises(UnitError, match="unknown form 'er'"):
        _vocab.resolve_form("ER")  # a lone release word is not a form
    assert _vocab.form_route("ER td patch") == "transdermal"
    assert _vocab.form_route("SR patch") == "transdermal"
    assert _vocab.form_route("ER tablet") is None
    assert _vocab.form_route("nasal spray") == "nasal"
    assert _vocab.form_route("pill") is None
    assert _vocab.form_release("ER tablet") == "ER"
    assert _vocab.form_release("tablet") is None
    assert _vocab.form_release("big tablet") is None


def test_resolve_release() -> None:
    assert [_vocab.resolve_release(t) for t in ("ER", "la", "Extended Release", "IR", "immediate-release")] == [
        "ER", "ER", "ER", "IR", "IR",
    ]  # fmt: skip
    # The only spelling that reaches the upper-case fallback: a dotless i ("ır".upper() == "IR").
    assert _vocab.resolve_release("ır") == "IR"


# -- bugs these tests found (fixed; kept as regression tests) ------------------------------------------


@pytest.mark.parametrize("dose", ["10 Mg", "10 mg/ML"])
def test_upper_case_unit_is_not_a_mega_prefix(dose: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleDoseWarning)
        try:
            got = amount(dose)
        except UnitError:
            return  # refusing is fine
    assert got.value == pytest.approx(10)  # reading it as mg or mg/mL is fine too; 1e10 or 1e-8 is not


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("oxycodone 1e308 g q6h", "dose must be a positive finite number"),  # 1e311 mg
        ("oxycodone 1e300 mg q1e-300h", "the daily amount overflows: check the dose and the frequency"),
        ("oxycodone 5e-324 mcg q6h", "dose must be a positive finite number"),  # 5e-327 mg
    ],
)
def test_overflowing_doses_are_refused_not_inf_or_zero(text: str, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleDoseWarning)
        with pytest.raises(DoseError, match=f"^{message}"):
            mme.convert(text)


def test_a_too_long_table_name_is_an_unknown_table() -> None:
    with pytest.raises(UnknownTableError, match=r"^unknown table 'x{60}'\.\.\. \(5,005 characters\); available: "):
        _tables.resolve_table("x" * 5000 + ".toml")


# -- what errors say, word for word ---------------------------------------------------------------

MESSAGES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("both", lambda: _per_day("bid", 6), DoseError, "give per_day or every, not both"),
    ("frequency", lambda: _per_day("sometimes", None), DoseError,
     "unknown frequency 'sometimes': use a number or one of qd, od, daily, qday, bid, bd, bds, tid, tds, qid, qds, qhs, qam, qpm"),
    ("interval", lambda: _per_day(None, "soon"), DoseError,
     "cannot read the interval 'soon': write e.g. '6 h', 'q6h' or a number of hours"),
    ("concentration", lambda: mme.daily_mme("morphine", "2 mg/mL", every="4 h"), UnitError,
     "the dose is a concentration: give the volume per administration (volume='5 mL')"),
    ("volume_kind", lambda: mme.daily_mme("morphine", "2 mg/mL", volume="5 mg", every="4 h"), UnitError,
     "volume must be a volume such as '5 mL', not '5 mg'"),
    ("volume_alone", lambda: mme.daily_mme("morphine", "10 mg", volume="5 mL", every="4 h"), UnitError,
     "volume only goes with a concentration dose such as '2 mg/mL'"),
    ("dose_volume", lambda: mme.daily_mme("morphine", "5 mL", every="4 h"), UnitError,
     "the dose is a volume: give the concentration as the dose ('2 mg/mL') and the volume apart"),
    ("daily_total", lambda: mme.daily_mme("oxycodone", "40 mg/day", per_day=2), DoseError,
     "the dose is already a daily total: drop per_day/every"),
    ("how_often", lambda: mme.daily_mme("oxycodone", "10 mg"), DoseError,
     "how often is the dose taken? Give per_day (2, 'bid') or every ('6 h'), or a daily total ('40 mg/day')"),
    ("package", lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=10, days_supply=5, package_ml=5),
     UnitError, "package_ml only goes with a concentration strength such as '10 mg/mL'"),
    ("strength_volume", lambda: mme.dispensing_mme("morphine", "5 mL", quantity=10, days_supply=5), UnitError,
     "the strength is a volume: give the concentration ('10 mg/mL')"),
    ("rate_not_patch", lambda: mme.dispensing_mme("oxycodone", "10 mg/day", quantity=10, days_supply=5), UnitError,
     "a rate (mg/day) was given, but oxycodone here is not a patch: give mg per unit"),
    ("total_empty", lambda: mme.total([]), DoseError, "nothing to add: total() needs at least one item"),
    ("half_dispensing", lambda: mme.convert("oxycodone 10 mg", quantity=3), DoseError,
     "give both quantity and days_supply (a dispensing), or neither (a regimen)"),
    ("package_regimen", lambda: mme.convert("oxycodone 10 mg q6h", package_ml=3), DoseError,
     "package_ml only applies to a dispensing (with quantity and days_supply)"),
    ("ambiguous", lambda: mme.daily_mme("fentanyl", "100 mcg", per_day=1, table="cdc-ndc-2018"), AmbiguousDoseError,
     "cdc-ndc-2018 has several factors for fentanyl: fentanyl transmucosal lozenge; fentanyl buccal/sublingual "
     "tablet; fentanyl buccal film; fentanyl sublingual spray; fentanyl nasal spray. Say the route and form "
     "(e.g. route='nasal', form='spray')."),
    ("variant", lambda: mme.daily_mme("methadone", "10 mg", per_day=3, table="cms-2018", variant="x"),
     AmbiguousDoseError, "cms-2018 has no variant 'x' here; it prints: flat, tiers"),
    ("patch_mass", lambda: mme.daily_mme("fentanyl", "25 mg", per_day=1, form="patch"), NotCoveredError,
     "cdc-2022 has no factor for fentanyl transdermal patch dosed by an amount. It covers: fentanyl transdermal patch. "
     "A fentanyl patch is dosed by its rate: give mcg/h (e.g. '25 mcg/h')."),
    ("not_covered", lambda: mme.daily_mme("morphine", "10 mg", per_day=2, route="nasal", form="spray",
     release="ER"), NotCoveredError,
     "cdc-2022 has no factor for morphine ER nasal spray. It covers: morphine oral. No shipped table covers it; a "
     "custom table can (see docs/table-format.md)."),
    ("zero_volume", lambda: amount("10 mg/0 mL"), UnitError, "'mg/0 mL': the volume in a concentration must be positive"),
    ("no_unit", lambda: amount("10"), UnitError, "a unit is required, e.g. '10 mg', '25 mcg/h', '2 mg/mL'"),
    ("not_drug", lambda: amount("10 kg"), UnitError,
     "unknown unit 'kg': use mg, mcg (µg, ug), g; mcg/h, mg/h, mg/day; mg/mL, mg/5 mL; mL, L"),
    ("unknown_unit", lambda: amount("10 xyzzy"), UnitError,
     "unknown unit 'xyzzy': use mg, mcg (µg, ug), g; mcg/h, mg/h, mg/day; mg/mL, mg/5 mL; mL, L"),
    ("zero", lambda: amount("0 mg"), DoseError, "dose must be a positive finite number"),
    ("unreadable", lambda: amount("mg"), UnitError,
     "cannot read an amount in 'mg': write a number and a unit, e.g. '10 mg'"),
    ("bare_number", lambda: amount(10), UnitError, "dose 10 has no unit: write e.g. '10 mg' or pass (value, 'mg')"),
    ("wrong_type", lambda: amount(None), ArgumentTypeError,
     "dose must be text such as '10 mg', a (number, unit) pair or a pint Quantity, not None"),
    ("not_a_number", lambda: positive("3", "count"), ArgumentTypeError, "count must be a number, not '3'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [m[1:] for m in MESSAGES],
    ids=[m[0] for m in MESSAGES],
)
def test_error_messages_word_for_word(call: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_not_covered_lists_the_tables_own_rows_and_the_others() -> None:
    with pytest.raises(NotCoveredError) as info:
        mme.daily_mme("morphine", "10 mg", per_day=2, route="rectal", table="anzca-2021")
    assert "cdc-ndc-2010" in info.value.covered_by
    assert str(info.value) == (
        "anzca-2021 has no factor for morphine rectal. It covers: morphine intravenous/subcutaneous/intramuscular; "
        f"morphine oral. Tables that cover it: {', '.join(info.value.covered_by)}."
    )


@pytest.mark.parametrize("strength", ["5 mL", "0.005 L", (5, "mL")])
def test_a_volume_strength_has_one_message_however_it_is_written(strength: str | tuple[float, str]) -> None:
    """The message depends on the key, not on the row's value: `mme.frames` says it word for word."""
    with pytest.raises(UnitError) as info:
        mme.dispensing_mme("morphine", strength, quantity=10, days_supply=5)
    assert str(info.value) == "the strength is a volume: give the concentration ('10 mg/mL')"


def test_no_default_variant_explains_each_choice() -> None:
    rows = [r for r in get_table("cms-2018").rows if r.drug == "methadone"]
    with pytest.raises(AmbiguousDoseError) as info:
        mme.daily_mme("methadone", "10 mg", per_day=3, table="cms-2018")
    assert str(info.value) == (
        "cms-2018 prints several values for methadone and names no default, so you must choose a variant "
        "(variant= in Python, --variant on the command line): "
        + "; ".join(f"{r.variant!r}: {r.source}" for r in rows)
        + "."
    )


def test_unknown_table_lists_the_shipped_ones() -> None:
    with pytest.raises(UnknownTableError) as info:
        _tables.resolve_table("nope")
    assert str(info.value) == f"unknown table 'nope'; available: {', '.join(_tables.table_slugs())}"


def test_loader_messages_word_for_word(tmp_path: Path) -> None:
    cases = [
        (header().replace("format = 1", "format = 2"), "field 'format': unsupported format 2; expected 1"),
        (header().replace("format = 1", 'format = "1"'), "field 'format': unsupported format '1'; expected 1"),
        (header().replace("format = 1", 'format = 1\nsha256 = "00"'),
         "field 'sha256': the checksum is computed by the loader, not written in the file"),
        (header() + row("morphine", factor="0.15"),
         "row 1, field 'factor': write the number as a string exactly as the source prints it, e.g. \"0.15\""),
        (header() + row("morphine", factor=None, tiers='[{above = "1", factor = "4"}]'),
         "row 1, field 'tiers': the first tier must start above 0"),
        (header() + row("morphine", factor=None, tiers='[{above = "0", upto = "20", factor = "4"}]'),
         "row 1, field 'tiers': the last tier must be open-ended (no upto): no daily dose may fall outside the bands"),
        (header() + row("morphine", factor=None, tiers='[{above = "0", upto = "20", factor = "4"}, {above = "30", factor = "8"}]'),
         "row 1, field 'tiers': tiers must be contiguous half-open bands: (0, 20] mg/day -> 4 is followed by > 30 mg/day -> 8"),
        (header() + row("morphine", factor=None, tiers='[{above = "0", factor = "4"}, {above = "30", factor = "8"}]'),
         "row 1, field 'tiers': tiers must be contiguous half-open bands: > 0 mg/day -> 4 is followed by > 30 mg/day -> 8"),
        (header() + row("morphine", factor=None), "row 1, field 'factor': give exactly one of factor or tiers"),
        (header() + row("morphine", routes='["ocular"]'),
         f"row 1, field 'routes': 'ocular' is not a canonical route ({', '.join(sorted(_vocab.ROUTES))})"),
        (header() + row("aspirin"),
         f"row 1, field 'drug': 'aspirin' is not a canonical ingredient ({', '.join(sorted(_vocab.DRUGS))})"),
        (header(convention="dispensed") + row("fentanyl", routes='["transdermal"]', unit="mcg/h"),
         "row 1, field 'wear_days': a patch row of a dispensed-convention table needs wear_days"),
        (header() + row("morphine") + '[[excluded]]\ndrug = "morphine"\nroutes = ["oral"]\nreason = "r"\nsource = "s"\n',
         "row 1, field 'drug': morphine also has a factor row (morphine oral)"),
    ]  # fmt: skip
    for text, message in cases:
        path = write(tmp_path, text)
        with pytest.raises(TableError) as info:
            load_table(path)
        assert str(info.value) == f"{path}, {message}"
    absent = tmp_path / "absent.toml"
    with pytest.raises(TableError) as info:
        load_table(absent)
    assert str(info.value) == f"{absent}: cannot read: No such file or directory"
    mismatch = write(tmp_path, header(slug="other") + row("morphine"))
    with pytest.raises(TableError) as info:
        load_table(mismatch)
    assert str(info.value) == f"{mismatch}, field 'slug': slug 'other' does not match the file name"
    assert (info.value.file, info.value.row, info.value.field) == (str(mismatch), None, "slug")


# -- NotCoveredError.covered_by names exactly the tables that convert the input ------------------------

COVER_CASES = [
    ("tramadol", "50 mg", None, None), ("buprenorphine", "0.3 mg", "subcutaneous", None),
    ("buprenorphine", "10 mcg/h", None, "patch"), ("fentanyl", "100 mcg", "intravenous", None),
    ("fentanyl", "25 mg", None, "patch"), ("morphine", "10 mg", "rectal", None),
    ("morphine", "10 mg", "intravenous", "injection"), ("codeine", "30 mg", "rectal", None),
    ("oxycodone", "10 mg", "rectal", "suppository"), ("methadone", "10 mg", None, None),
    ("levorphanol", "2 mg", None, None), ("sufentanil", "30 mcg", "sublingual", "tablet"),
    ("hydromorphone", "2 mg", "intravenous", None), ("pentazocine", "50 mg", None, None),
    ("fentanyl", "200 mcg", "nasal", "spray"), ("butorphanol", "1 mg", "nasal", "spray"),
    ("buprenorphine", "10 mcg/h", "transdermal", None), ("fentanyl", "200 mcg", "nasal", "tablet"),
    ("buprenorphine", "0.3 mg", None, "tablet"), ("buprenorphine", "150 mcg", None, "film"),
    ("buprenorphine", "0.3 mg", None, None), ("buprenorphine", "10 mcg/h", None, None),
]  # fmt: skip


def _regimen(drug: str, dose: str, route: str | None, form: str | None, table: str) -> mme.DailyMME:
    per_day = None if dose.endswith("/h") else 2
    return mme.daily_mme(drug, dose, per_day=per_day, route=route, form=form, table=table)


def _converts(drug: str, dose: str, route: str | None, form: str | None, table: str) -> bool:
    try:
        return _regimen(drug, dose, route, form, table).mme_per_day is not None
    except AmbiguousDoseError:
        return True  # it has factors: the caller must only say which
    except (NotCoveredError, DoseError, UnitError):
        return False


@pytest.mark.parametrize(("drug", "dose", "route", "form"), COVER_CASES)
def test_covered_by_lists_exactly_the_tables_that_convert(
    drug: str, dose: str, route: str | None, form: str | None
) -> None:
    slugs = _tables.table_slugs()
    named: dict[str, tuple[str, ...]] = {}  # table -> the tables its NotCoveredError names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleDoseWarning)
        for table in slugs:
            try:
                _regimen(drug, dose, route, form, table)
            except NotCoveredError as error:
                named[table] = error.covered_by
            except (AmbiguousDoseError, UnitError):  # several factors; a factor the unit does not fit (an hourly rate)
                pass
        assert named
        for table, covered_by in named.items():
            assert covered_by == tuple(s for s in slugs if s != table and _converts(drug, dose, route, form, s)), table


@pytest.fixture
def trampolines_are_the_engine_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under mutmut every core function is called through a trampoline that lives in mutmut's own file: those
    frames stand for the engine's functions, so the search for the caller skips them too (without mutmut: no-op).
    The tests below then run, and kill `_caller_level`'s and `_implausible`'s mutants, under mutmut as well."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from mutmut.mutation import trampoline

        monkeypatch.setattr(_engine, "_OWN_CODE", (*_engine._OWN_CODE, str(Path(trampoline.__file__).parent)))


@pytest.mark.usefixtures("trampolines_are_the_engine_s")
def test_implausible_dose_warning_points_at_the_callers_line() -> None:
    with pytest.warns(ImplausibleDoseWarning) as caught:
        mme.daily_mme("morphine", "20000 mg/day")
    assert [(Path(w.filename).name, w.lineno) for w in caught] == [(Path(__file__).name, _line_of("20000 mg/day"))]


def _line_of(text: str) -> int:
    """The line of this file that calls the engine with `text` (where the warning must point)."""
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if f'"{text}")' in line and "mme." in line)


@pytest.mark.usefixtures("trampolines_are_the_engine_s")
def test_the_caller_s_level_counts_from_the_frame_that_warns() -> None:
    """Two frames of the package's own, then this test: level 3, counted from the innermost as 1."""
    code = compile(
        "def inner(frame_of):\n    return frame_of()\n\ndef outer(frame_of):\n    return inner(frame_of)\n",
        str(Path(_engine.__file__).with_name("_pretend.py")),  # code that the search takes for the package's
        "exec",
    )
    namespace: dict[str, Callable[..., object]] = {}
    exec(code, namespace)
    frame = namespace["outer"](lambda: sys._getframe(1))  # inner's frame
    assert isinstance(frame, FrameType)
    assert _engine._caller_level(frame) == 3
    assert _engine._caller_level(sys._getframe()) == 1  # this test is no frame of the package
    assert _engine._caller_level(None) == 1


@pytest.mark.usefixtures("trampolines_are_the_engine_s")
@pytest.mark.parametrize(
    "call",
    [
        lambda: mme.convert("morphine 20000 mg/day"),
        lambda: mme.dispensing_mme("morphine", "20 g", quantity=30, days_supply=30),
    ],
    ids=["convert", "dispensing_mme"],
)
def test_implausible_dose_warning_points_at_the_callers_line_from_every_entry_point(call: Callable[[], object]) -> None:
    with pytest.warns(ImplausibleDoseWarning) as caught:
        call()
    assert {Path(w.filename).name for w in caught} == {Path(__file__).name}  # "20 g": a grams slip, and the total


# -- the grammar: counts, volumes and frequencies, message by message ------------------------------

_COUNT_READ = (
    "a number after the dose is a count with a form (2 tabs), a volume (5 mL), an amount (5 mg) or a frequency "
    "(3 times a day)"
)

GRAMMAR_ERRORS = [
    ("oxycodone ER 10 mg 1 IR tab q12h", "two releases: 'ER' and 'IR' ('IR')"),
    ("oxycodone 10 mg q6h 2/", f"cannot read '2/': {_COUNT_READ}"),
    ("oxycodone 10 mg 1/tab q6h", f"cannot read '1/': {_COUNT_READ}"),
    ("oxycodone 10 mg 2 to tab q6h", f"cannot read '2 to': {_COUNT_READ}"),
    ("oxycodone 10 mg 2", f"cannot read '2': {_COUNT_READ}"),
    ("oxycodone 10 mg 0 tab q6h", "a count must be positive, not '0'"),
    ("oxycodone 10 mg 1/0 tab q6h", "a count must be positive, not '0'"),
    ("morphine 2 mg/mL 5 mL 5 mL q4h", "two volumes: '5 mL' and '5 mL'"),
    ("oxycodone 10 mg 2 tabs 1 tab", "two doses: '2 tabs' and '1 tab'"),
]


@pytest.mark.parametrize(("text", "problem"), GRAMMAR_ERRORS)
def test_grammar_errors_word_for_word(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert str(info.value) == f"{problem} in {text!r}. Expected: {_parse.GRAMMAR}"


@pytest.mark.parametrize(
    ("text", "count", "per_day", "form", "release"),
    [
        ("oxycodone 10 mg 3 times each day", 1.0, 3.0, None, None),
        ("oxycodone 10 mg 2 times every day", 1.0, 2.0, None, None),
        ("oxycodone 10 mg 1 ER tab bid", 1.0, 2.0, "tablet", "ER"),
        ("oxycodone 10 mg 1/2 tab bid", 0.5, 2.0, "tablet", None),
        ("oxycodone 10 mg 3/2 tabs bid", 1.5, 2.0, "tablet", None),
    ],
)
def test_counts_and_daily_frequencies(
    text: str, count: float, per_day: float, form: str | None, release: str | None
) -> None:
    expr = parse_expression(text)
    assert (expr.count, expr.per_day, expr.every_hours, expr.form, expr.release) == (
        count,
        per_day,
        None,
        form,
        release,
    )


# -- the grammar, more readings and messages (each pins a path the table of readings does not) -------

MORE_READINGS: list[tuple[str, tuple[object, ...]]] = [
    # text -> (drug, dose, count, volume, per_day, every_hours, route, form, release)
    ("oxycodone 1e15 mg q6h", ("oxycodone", "1000000000000000 mg", 1.0, None, None, 6.0, None, None, None)),
    ("oxycodone 999999999999999 mg q6h", ("oxycodone", "999999999999999 mg", 1.0, None, None, 6.0, None, None, None)),
    ("oxycodone 10 mg per os q6h", ("oxycodone", "10 mg", 1.0, None, None, 6.0, "oral", None, None)),
    ("hydrocodone/acetaminophen 5 mg/325 mg 2 tabs q6h",
     ("hydrocodone/acetaminophen", "5 mg", 2.0, None, None, 6.0, None, "tablet", None)),
    ("acetaminophen/caffeine/codeine 300 mg/15/30 mg q4h",
     ("acetaminophen/caffeine/codeine", "30 mg", 1.0, None, None, 4.0, None, None, None)),
    ("oxycodone10mg q6h", ("oxycodone", "10 mg", 1.0, None, None, 6.0, None, None, None)),
    ("(oxycodone) 10 mg q6h", ("oxycodone", "10 mg", 1.0, None, None, 6.0, None, None, None)),
    ("oxycodone ER, 10 mg bid", ("oxycodone", "10 mg", 1.0, None, 2.0, None, None, None, "ER")),
    ("oxycodone 10 mg every other day", ("oxycodone", "10 mg", 1.0, None, None, 48.0, None, None, None)),
    ("oxycodone 10 mg q day", ("oxycodone", "10 mg", 1.0, None, None, 24.0, None, None, None)),
    ("oxycodone 10 mg every week", ("oxycodone", "10 mg", 1.0, None, None, 168.0, None, None, None)),
    ("oxycodone 10 mg every hour", ("oxycodone", "10 mg", 1.0, None, None, 1.0, None, None, None)),
    ("oxycodone 10 mg 4 hourly", ("oxycodone", "10 mg", 1.0, None, None, 4.0, None, None, None)),
    ("oxycodone 10 mg toutes les 6 heures", ("oxycodone", "10 mg", 1.0, None, None, 6.0, None, None, None)),
    ("buprenorphine 2 mg under the tongue tid", ("buprenorphine", "2 mg", 1.0, None, 3.0, None, "sublingual", None, None)),
    ("oxycodone 10 mg q 4 - 6 h", ("oxycodone", "10 mg", 1.0, None, None, 4.0, None, None, None)),
    ("oxycodone 10 mg 2 x/day", ("oxycodone", "10 mg", 1.0, None, 2.0, None, None, None, None)),
    ("oxycodone 10 mg every day", ("oxycodone", "10 mg", 1.0, None, 1.0, None, None, None, None)),
    ("oxycodone 10 mg at bedtime", ("oxycodone", "10 mg", 1.0, None, 1.0, None, None, None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fields"), MORE_READINGS)
def test_more_readings(text: str, fields: tuple[object, ...]) -> None:
    e = parse_expression(text)
    assert (e.drug, e.dose, e.count, e.volume, e.per_day, e.every_hours, e.route, e.form, e.release) == fields


MORE_GRAMMAR_ERRORS = [
    ("oxycodone 0 mg q6h", "the dose must be positive, not '0'"),
    ("hydrocodone/acetaminophen 5/0 mg q6h", "the dose must be positive, not '0'"),
    ("morphine 10 mg/0 mL 5 mL q4h", "the volume of a concentration must be positive, not '0'"),
    ("oxycodone 10 mg 0 times a day", "a frequency must be positive, not '0'"),
    ("oxycodone 10 mg x0/day", "a frequency must be positive, not '0'"),
    ("oxycodone 10 mg q0h", "an interval must be positive, not '0'"),
    ("oxycodone 10 mg q4-0h", "an interval must be positive, not '0'"),
    ("oxycodone 10 mg 0-hourly", "an interval must be positive, not '0'"),
    ("", "empty dose expression"),
    ("oxycodone mg", "no amount (a number and a unit)"),
    ("oxycodone/morphine 5/5 mg q6h", "'oxycodone/morphine' has 2 opioid components (oxycodone, morphine): write one per expression"),
    ("OxyContin 5/325 mg q6h",
     "'OxyContin' does not name its components, so which amount of '5/325 mg' is the opioid's is unknown (write the "
     "components, e.g. 'oxycodone/acetaminophen 5/325 mg', or one amount)"),
    ("oxycodone 1,000 mg q6h", "ambiguous number '1,000' in 'oxycodone 1,000 mg q6h': write 1000 (no thousands separator) or 1 (decimal point). Expected: GRAMMAR"),
    ("oxycodone 1,000E0 mg q6h", "ambiguous number '1,000E0' in 'oxycodone 1,000E0 mg q6h': write 1000 (no thousands separator) or 1 (decimal point). Expected: GRAMMAR"),
    ("oxycodone 1,000e0 mg q6h", "ambiguous number '1,000e0' in 'oxycodone 1,000e0 mg q6h': write 1000 (no thousands separator) or 1 (decimal point). Expected: GRAMMAR"),
    ("oxycodone 40 mg/day q6h", "a daily total ('40 mg/day') takes no frequency, but 'q6h' is given"),
    ("morphine 1e-300 mg/1e300 mL 5 mL q4h", "the dose '1e-300 mg/1e300 mL' is not a positive finite amount"),
    ("oxycodone 10 # q6h", "no unit after '10'"),
    ("oxycodone 10/mg q6h", "no unit after '10'"),
    ("oxycodone 10 every 6 hours", "no unit after '10'"),
    ("oxycodone 10 prn", "no unit after '10'"),
    ("fentanyl IV 100 mcg nasal spray", "two routes: 'intravenous' and 'nasal' ('nasal spray')"),
    ("IV oral morphine 2 mg q2h", "two routes: 'intravenous' and 'oral' ('oral')"),
    ("fentanyl tablet 100 mcg/spray", "two forms: 'tablet' and 'spray' ('spray')"),
    ("oxycodone 10 mg/xyz q6h", "unknown unit 'mg/xyz q'"),
    ("hydrocodone/acetaminophen 5 mg/325/mg q6h", "unknown unit 'mg/325/'"),
    ("-10 mg oxycodone", "negative number '-10'"),
    ("oxycodone 10 mg q4 to h", "cannot read 'q'"),
    ("oxycodone 10 mg tous 6 heures", "cannot read 'tous'"),
    ("oxycodone 10 mg -q6h", "cannot read '-'"),  # a dash joined to a word: a standing one separates (test_sigs)
    ("oxycodone 10 mg q6h-", "cannot read '-'"),
    ("oxycodone 10 mg ER- bid", "cannot read '-'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), MORE_GRAMMAR_ERRORS)
def test_more_grammar_errors_word_for_word(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    if problem.endswith("Expected: GRAMMAR"):
        assert str(info.value) == problem.replace("GRAMMAR", _parse.GRAMMAR)
    else:
        assert str(info.value) == f"{problem} in {text!r}. Expected: {_parse.GRAMMAR}"


def test_an_expression_is_text() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(5)  # type: ignore[arg-type]
    assert str(info.value) == f"a dose expression is text, not int. Expected: {_parse.GRAMMAR}"


# -- everything an expression says reaches the result --------------------------------------------------


def test_convert_passes_every_part_of_the_expression_on(custom: str) -> None:
    regimen = mme.convert("oxycodone ER 10 mg 2 tabs po bid", table=custom)
    assert (regimen.drug, regimen.route, regimen.form, regimen.release) == ("oxycodone", "oral", "tablet", "ER")
    assert (regimen.daily_dose, value(regimen)) == (40.0, 80.0)  # 10 mg x 2 tabs x 2 a day, ER factor 2
    liquid = mme.convert("morphine 2 mg/mL 5 mL q4h", table="cdc-2022")
    assert (liquid.daily_dose, value(liquid)) == (60.0, 60.0)
    tiers = mme.convert("methadone 10 mg tid", variant="tiers", table="cms-2018")
    assert (tiers.variant, value(tiers)) == ("tiers", 240.0)
    sprays = mme.convert("fentanyl nasal spray 100 mcg 2 sprays q4h", table="cms-2018")
    assert (sprays.route, sprays.form) == ("nasal", "spray")
    assert sprays.daily_dose == pytest.approx(1200)  # 100 mcg x 2 sprays x 6 a day


def test_convert_passes_every_part_on_to_a_dispensing(custom: str) -> None:
    er = mme.convert("oxycodone ER 10 mg tablet", quantity=60, days_supply=30, table=custom)
    assert (er.drug, er.route, er.form, er.release, er.days_supply) == ("oxycodone", "oral", "tablet", "ER", 30)
    assert value(er) == 40.0
    tiers = mme.convert("methadone 10 mg tablet", quantity=90, days_supply=30, variant="tiers", table="cms-2018")
    assert (tiers.variant, value(tiers)) == ("tiers", 240.0)
    spray = mme.convert("fentanyl nasal spray 100 mcg/spray", quantity=40, days_supply=10, table="cms-2018")
    assert (spray.route, spray.form, spray.daily_dose) == ("nasal", "spray", 400.0)


def test_dispensing_passes_route_form_release_and_variant_on(custom: str) -> None:
    er = mme.dispensing_mme(
        "oxycodone", "10 mg", quantity=60, days_supply=30, release="ER", route="po", form="tab", table=custom
    )
    assert (er.route, er.form, er.release, value(er)) == ("oral", "tablet", "ER", 40.0)
    flat = mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30, table=custom)
    assert (flat.variant, value(flat)) == ("flat", 90.0)
    tiers = mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30, variant="tiers", table=custom)
    assert (tiers.variant, value(tiers)) == ("tiers", 240.0)
    rectal = mme.dispensing_mme("morphine", "10 mg", quantity=30, days_supply=10, route="rectal", table=custom)
    assert rectal.route == "rectal"
    with pytest.raises(
        NotCoveredError, match=r"^mine has no factor for morphine solution\. It covers: morphine oral/rectal"
    ):
        mme.dispensing_mme("morphine", "10 mg", quantity=30, days_supply=10, form="solution", table=custom)
    released = mme.dispensing_mme("oxycodone", "10 mg", quantity=60, days_supply=30, form="ER tablet", table=custom)
    assert (released.release, value(released)) == ("ER", 40.0)
    with pytest.raises(DoseError) as info:
        mme.dispensing_mme("oxycodone", "0 mg", quantity=60, days_supply=30)
    assert str(info.value) == "strength must be a positive finite number"


def test_a_mass_strength_never_picks_a_patch_row(custom: str) -> None:
    tablet = mme.dispensing_mme("sufentanil", "30 mcg", quantity=30, days_supply=10, table=custom)
    assert (tablet.route, tablet.daily_dose_unit, tablet.daily_dose, value(tablet)) == (
        "sublingual",
        "mcg/day",
        90.0,
        45.0,
    )


def test_results_carry_the_rows_caution() -> None:
    row = next(r for r in get_table("cdc-2022").rows if r.drug == "methadone")
    assert row.caution
    assert mme.daily_mme("methadone", "10 mg", per_day=3).caution == row.caution
    assert mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30).caution == row.caution
    assert mme.daily_mme("oxycodone", "10 mg", per_day=3).caution is None


def test_an_excluded_result_keeps_what_was_said(custom: str) -> None:
    result = mme.daily_mme("buprenorphine", "150 mcg", per_day=2, form="film", release="ER", table=custom)
    assert (result.release, result.form, result.tier, result.variant, result.caution) == (
        "ER",
        "film",
        None,
        None,
        None,
    )
    implant = mme.daily_mme("buprenorphine", "74.2 mg", per_day=1, form="implant", table="cdc-ndc-2016")
    assert (implant.mme_per_day, implant.route) == (None, "subcutaneous")  # the exclusion's one route


def test_a_dispensed_patch_uses_the_rows_own_wear_period(tmp_path: Path) -> None:
    text = header(convention="dispensed") + row(
        "sufentanil", routes='["transdermal"]', unit="mcg/h", factor='"14"', wear_days="7"
    )
    table = str(write(tmp_path, text))
    result = mme.dispensing_mme("sufentanil", "10 mcg/h", quantity=4, days_supply=30, table=table)
    assert result.days_supply == 28
    assert result.warnings == (
        "days supply replaced by patches x 7 days of wear, as CDC's NDC files instruct (if two patches are worn at a time, the MME/day is twice this)",
    )
    assert value(result) == pytest.approx(20.0)  # 10 mcg/h x 14 / 7 days


def test_a_changed_custom_table_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, header() + row("morphine"))
    first = _tables.resolve_table(path)
    path.write_text(header() + row("morphine", factor='"2"'), encoding="utf-8")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert _tables.resolve_table(path).rows[0].factor == Decimal("2")
    assert first.rows[0].factor == Decimal("1")


def test_tables_missing_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tables, "__file__", str(tmp_path / "src" / "mme" / "_tables.py"))
    with pytest.raises(TablesNotFoundError) as info:
        _tables._tables_folder()
    assert (
        str(info.value)
        == "the bundled conversion tables are missing: reinstall mme (pip install --force-reinstall mme)"
    )


def test_amount_of_objects_that_look_like_quantities() -> None:
    with pytest.raises(ArgumentTypeError) as info:
        amount(SimpleNamespace(magnitude=5))  # no units: not a quantity
    assert str(info.value) == (
        "dose must be text such as '10 mg', a (number, unit) pair or a pint Quantity, not namespace(magnitude=5)"
    )
    with pytest.raises(ArgumentTypeError) as dose_info:
        amount(SimpleNamespace(magnitude="5", units="mg"), what="strength")
    assert str(dose_info.value) == "strength must be a number, not '5'"
    for unitless in (SimpleNamespace(magnitude=5, units=""), registry().Quantity(5, "")):
        with pytest.raises(UnitError) as unit_info:
            amount(unitless)
        assert str(unit_info.value) == "a unit is required, e.g. '10 mg', '25 mcg/h', '2 mg/mL'"


# -- the decorated functions (scripts/mutation.py --decorated mutates them) --------------------------


@pytest.mark.parametrize(
    ("said", "described"),
    [
        ({"release": "ER"}, "fentanyl ER"),
        ({"route": "buccal"}, "fentanyl buccal"),
        ({"form": "spray"}, "fentanyl spray"),
    ],
)
def test_ambiguity_names_what_was_said(said: dict[str, str], described: str) -> None:
    with pytest.raises(AmbiguousDoseError) as info:
        mme.daily_mme(
            "fentanyl", "100 mcg", per_day=1, table="cdc-ndc-2018",
            route=said.get("route"), form=said.get("form"), release=said.get("release"),
        )  # fmt: skip
    assert str(info.value).startswith(f"cdc-ndc-2018 has several factors for {described}: ")


def test_a_limited_exclusion_does_not_swallow_another_route() -> None:
    with pytest.raises(NotCoveredError, match=r"^cdc-ndc-2016 has no factor for buprenorphine oral implant\. "):
        mme.daily_mme("buprenorphine", "74 mg", per_day=1, route="oral", form="implant", table="cdc-ndc-2016")
    implant = mme.daily_mme("buprenorphine", "74 mg", per_day=1, route="sc", form="implant", table="cdc-ndc-2016")
    assert implant.mme_per_day is None


def test_a_malformed_shipped_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, header(slug="zz-bad") + row("morphine", factor="1"), slug="zz-bad")
    monkeypatch.setattr(_tables, "_shipped", lambda: {"zz-bad": path})
    with pytest.raises(TableError) as info:
        get_table("zz-bad")
    assert (info.value.file, info.value.row, info.value.field) == ("conversion_tables/zz-bad.toml", 1, "factor")


def test_more_loader_messages_word_for_word(tmp_path: Path) -> None:
    cases = [
        (header() + row("morphine", forms='["pill"]'),
         f"row 1, field 'forms': 'pill' is not a canonical form ({', '.join(sorted(_vocab.FORMS))})"),
        (header() + row("fentanyl", routes='["transdermal"]', unit="mcg/h", wear_days="3"),
         "row 1, field 'wear_days': a patch row of a rate-convention table must not have wear_days"),
    ]  # fmt: skip
    for text, message in cases:
        path = write(tmp_path, text)
        with pytest.raises(TableError) as info:
            load_table(path)
        assert str(info.value) == f"{path}, {message}"


def test_an_exclusion_of_other_forms_sits_beside_a_row(tmp_path: Path) -> None:
    text = (
        header()
        + row("buprenorphine", routes='["sublingual"]', forms='["tablet"]', factor='"30"')
        + '[[excluded]]\ndrug = "buprenorphine"\nroutes = ["sublingual"]\nforms = ["film"]\nreason = "r"\nsource = "s"\n'
    )
    table = load_table(write(tmp_path, text))
    assert (len(table.rows), len(table.excluded)) == (1, 1)
    film = mme.daily_mme("buprenorphine", "2 mg", per_day=1, route="sl", form="film", table=table)
    assert film.mme_per_day is None
    assert value(mme.daily_mme("buprenorphine", "2 mg", per_day=1, route="sl", form="tablet", table=table)) == 60


def test_a_concentration_per_volume_below_one_ml() -> None:
    half = amount("10 mg/0.5 mL")
    assert (half.kind, half.value) == ("conc", 20.0)
    assert amount("10 mg/1 mL").value == 10.0


# -- the overflow checks ----------------------------------------------------------------------------


def test_overflows_are_dose_errors_word_for_word() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: _per_day(None, 1e-320), "every (hours) 1e-320 is too short: more doses a day than a number holds"),
        (lambda: mme.convert("oxycodone 1e300 mg q1e-300h"),
         "the daily amount overflows: check the dose and the frequency"),
        (lambda: mme.daily_mme("hydromorphone", "1e308 mg/day"),
         "the daily amount overflows: check the dose and the frequency"),
        (lambda: amount("1e308 g"), "dose must be a positive finite number"),
        (lambda: amount("1e308 g", what="strength"), "strength must be a positive finite number"),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(DoseError) as info:
            call()
        assert str(info.value) == message


def test_only_toml_files_are_tables(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text(header() + row("morphine"), encoding="utf-8")
    with pytest.raises(TableError, match=r"^.*mine\.txt: not a table file: give a \.toml file$"):
        _tables.resolve_table(path)  # it exists: what is wrong with it, not "unknown table"


def test_a_path_like_giving_bytes_is_no_table() -> None:
    class BytesPath:
        def __fspath__(self) -> bytes:
            return b"mine.toml"

    with pytest.raises(mme.ArgumentTypeError, match="not BytesPath"):
        mme.load_table(BytesPath())  # type: ignore[arg-type]


def test_a_whole_liquid_quantity_under_a_ml_a_day_warns_that_it_may_count_bottles() -> None:
    with pytest.warns(
        mme.ImplausibleDoseWarning,
        match=r"^the quantity, read as mL, is a whole number under 1 mL a day: if it counts bottles",
    ):
        result = mme.dispensing_mme("butorphanol", "10 mg/mL", quantity=2, days_supply=30, table="cdc-ndc-2018")
    assert result.mme_per_day == pytest.approx(10 * 2 / 30 * 7)  # computed as given
    assert not mme.dispensing_mme(
        "butorphanol", "10 mg/mL", quantity=30, days_supply=30, route="nasal", table="cdc-ndc-2018"
    ).warnings


SPRAYS_WARNING = (
    r"^the quantity, read as sprays, is not a whole number or under one spray a day: if it is in mL or counts"
)


@pytest.mark.parametrize(
    ("expression", "quantity", "days"),
    [("butorphanol 1 mg nasal spray", 2.5, 30), ("butorphanol 1 mg nasal spray", 1, 30),
     ("Lazanda 100 mcg nasal spray", 1, 2), ("fentanyl 300 mcg nasal spray", 3, 30)],
)  # fmt: skip
def test_a_spray_claim_that_may_be_in_ml_or_bottles_warns(expression: str, quantity: float, days: float) -> None:
    """Was silent: 2.5 (mL, CDC's example) or 1 (a bottle) of butorphanol 1 mg per spray read as that many sprays,
    about a tenth of the dose. The number is computed as given: how many sprays a bottle holds is not known."""
    with pytest.warns(mme.ImplausibleDoseWarning, match=SPRAYS_WARNING):
        result = mme.convert(expression, quantity=quantity, days_supply=days, table="cdc-ndc-2018")
    factor = result.factor
    assert factor is not None
    strength = float(expression.split()[1])  # per spray
    assert result.mme_per_day == pytest.approx(strength * quantity / days * float(factor))  # computed as given


def test_a_spray_claim_of_whole_sprays_at_least_one_a_day_is_not_warned() -> None:
    t = "cdc-ndc-2018"
    assert not mme.convert("butorphanol 1 mg nasal spray", quantity=30, days_supply=30, table=t).warnings
    assert not mme.convert("Lazanda 100 mcg nasal spray", quantity=8, days_supply=2, table=t).warnings
    # a single-dose sublingual spray (Subsys) is counted by its units
    assert not mme.convert("Subsys 600 mcg", quantity=10, days_supply=30, table=t).warnings
    # the advice taken: CDC's 2.5 mL of 10 mg/mL over 30 days
    advised = mme.dispensing_mme("butorphanol", "10 mg/mL", quantity=2.5, days_supply=30, route="nasal", table=t)
    assert advised.mme_per_day == pytest.approx(35 / 6)
    assert not advised.warnings


def test_a_column_error_says_its_message_unquoted() -> None:
    """A KeyError's str() quotes its message; a ColumnError, also a KeyError, prints it as written."""
    error = mme.ColumnError("column(s) 'quantity' not in the frame")
    assert (str(error), str(KeyError("x"))) == ("column(s) 'quantity' not in the frame", "'x'")
    assert isinstance(error, KeyError)
    assert str(mme.ColumnError()) == ""


def test_unknown_rxcui_messages_word_for_word() -> None:
    newer = mme.UnknownRxCUIError("99", "2020-10-20")
    assert str(newer) == (
        "RxCUI '99' is not in the RxNorm product file (RxNorm 2020-10-20): it may be newer than the file, or not an "
        "opioid product. Rebuild the file from a newer release (`mme rxnorm build`) and pass rxnorm=PATH, or convert "
        "by drug and strength."
    )
    assert (newer.rxcui, newer.rxnorm_date, newer.ingredient) == ("99", "2020-10-20", None)
    ingredient = mme.UnknownRxCUIError("7052", "2020-10-20", ingredient="morphine")
    assert str(ingredient).endswith(
        "it is the ingredient morphine, not a product: give the dose in mg, or a product's RxCUI."
    )
    assert isinstance(ingredient, LookupError)


# -- edges: excerpts, the length cap, exact rounding --------------------------------------------------


def test_excerpts_are_short() -> None:
    assert _errors.excerpt("x" * 61) == repr("x" * 60) + "... (61 characters)"
    assert _errors.excerpt(["x" * 200]) == repr(["x" * 200])[:120] + "..."
    assert _errors.excerpt(None) == "None"


def test_text_longer_than_the_cap_is_refused() -> None:
    assert _errors.bounded("x" * _errors.MAX_TEXT, "dose", UnitError) == "x" * _errors.MAX_TEXT
    with pytest.raises(DoseError, match=r"^every 'xxx.*\.\.\. \(1,001 characters\) is too long: at most 1,000"):
        _errors.bounded("x" * (_errors.MAX_TEXT + 1), "every", DoseError)
    with pytest.raises(UnknownDrugError, match=r"^unknown drug 'oxy"):
        _vocab.resolve_drug("oxy" * 400)
    salted, longer = "oxycodone" + " hcl" * 247, "oxycodone" + " hcl" * 248  # 997 and 1,001 characters
    assert _vocab.drug_name(salted) == _vocab.resolve_drug(salted) == _vocab.resolve_drug("oxycodone")
    assert _vocab.drug_name(longer) is None  # past the cap no drug, as resolve_drug says


def test_rounding_is_once_half_to_even_and_saturates() -> None:
    assert _units.rounded(Decimal("0.0000000005")) == 0.0  # a tie: to the even 0
    assert _units.rounded(Decimal("0.0000000015")) == 0.000000002  # a tie: to the even 2
    assert _units.rounded(Decimal(1), Decimal(3)) == 0.333333333
    assert _units.rounded(Decimal("1e400")) == math.inf
    with pytest.raises(DoseError, match=r"^quantity \d{120}\.\.\. is too large: it is no finite number"):
        positive(2**1100, "quantity")


def test_salt_words_after_an_unknown_name_resolve_nothing() -> None:
    with pytest.raises(UnknownDrugError, match=r"^unknown drug 'oxycodine hcl hcl'"):
        _vocab.resolve_drug("oxycodine hcl hcl")
    assert _vocab.resolve_drug("oxycodone hcl hcl").drug == "oxycodone"


def test_numbers_are_read_as_written() -> None:
    assert amount((Decimal("0.1"), "mg")).ratio() == (Decimal("0.1"), Decimal(1))
    assert amount((0.1, "mg")).ratio() == (Decimal("0.1"), Decimal(1))  # the float's shortest repr
    assert _units._parse_text("2,5 mg") == (2.5, "mg")  # the float reading, for mme.frames


def test_convert_by_rxcui_reads_the_text_as_the_sig_of_the_product() -> None:
    result = mme.convert("2 tabs q6h", rxcui="1049621")  # oxycodone 5 mg tablets: 2 x 5 mg x 4 a day x 1.5
    assert result.mme_per_day == 60
    assert result.expression is not None
    assert (result.expression.drug, result.expression.dose, result.form) == ("oxycodone", "5 mg", "tablet")


def test_a_hyphen_between_a_known_and_an_unknown_word_is_no_combination() -> None:
    """'oxycodone-frobnicol' is not read as two components: the whole name is looked up, and is unknown."""
    with pytest.raises(mme.UnknownDrugError, match=r"^unknown drug 'oxycodone-frobnicol'\. Did you mean: .*oxycodone"):
        mme.convert("oxycodone-frobnicol 5 mg q6h")


# -- the plan of a key: what `mme.frames` reads, with the scalar functions' checks and texts ----------------


def _plan(drug: str, unit: str, table: str = "cdc-2022", **options: Any) -> _engine.Plan:
    return _engine.plan(get_table(table), None, drug, unit, None, None, None, **options)


@pytest.mark.parametrize(
    ("drug", "unit", "options", "stage", "message"),
    [
        ("oxycodon", "mg", {}, _engine.Stage.NAMES, "unknown drug 'oxycodon'"),
        ("oxycodone", "furlongs", {}, _engine.Stage.NAMES, "unknown unit 'furlongs'"),
        ("morphine", "mg/mL", {"regimen": True}, _engine.Stage.DOSE_KIND, _engine.CONC_DOSE),
        ("morphine", "mL", {"regimen": True}, _engine.Stage.DOSE_KIND, _engine.VOLUME_DOSE),
        ("morphine", "mg", {"regimen": True, "frequency": "fortnightly"}, _engine.Stage.DOSE_KIND,
         "unknown frequency 'fortnightly'"),
        ("tramadol", "mg", {"table": "cdc-2016"}, _engine.Stage.MATCH, "cdc-2016 has no factor for tramadol"),
        ("morphine", "mL", {}, _engine.Stage.STRENGTH_KIND, _engine.VOLUME_STRENGTH),
    ],
)  # fmt: skip
def test_a_plan_stops_where_the_scalar_functions_do(
    drug: str, unit: str, options: dict[str, Any], stage: _engine.Stage, message: str
) -> None:
    """Keys that only `mme.frames` brings to the plan unread (a unit spelling, a frequency code), and the rest."""
    key = _plan(drug, unit, **options)
    assert (key.stage, key.message[: len(message)]) == (stage, message)
    assert key.drug == ("" if drug == "oxycodon" else drug)  # canonical, as far as the name is known
    with pytest.raises(_errors.MMEError) as first:
        key.stop(stage)
    with pytest.raises(type(first.value)) as second:
        key.stop(stage)
    assert first.value is not second.value  # a fresh error each time (a cached one's traceback would grow)
    assert str(first.value) == str(second.value) == key.message
    key.stop(_engine.Stage.OK)  # not where it stops: no error


def test_a_plan_reads_the_unit_and_the_frequency_code_frames_give_it() -> None:
    patch = _plan("fentanyl", "mcg/h")
    # 1 mcg/h is 0.024 mg/day; the factor multiplies mcg/h: the daily amount is divided back by 0.024
    assert (patch.stage, patch.kind, patch.unit_mult, patch.div) == (_engine.Stage.OK, "rate", 0.024, 0.024)
    assert (patch.rate, patch.flat, patch.wear) == (True, False, 3.0)
    assert _plan("oxycodone", "mg", regimen=True, frequency="bid").per_day == 2.0
    assert _plan("oxycodone", "g").unit_mult == 1000.0


def test_a_plan_from_a_row_reads_the_unit_itself() -> None:
    """An NDC file brings its own row; the plan reads the NDC's unit as `plan` reads a key's."""
    row = next(r for r in get_table("cdc-2022").rows_for("hydromorphone") if "oral" in r.routes)
    key = _engine.planned(row, "hydromorphone", "mg/mL")
    assert (key.stage, key.kind, key.conc, key.row) == (_engine.Stage.OK, "conc", True, row)
    assert key.tiers == ((math.inf, float(row.factor or 0), float(row.factor or 0)),)


class _Float(float):
    """A float whose repr is not its number, as NumPy's float64 ('np.float64(4.0)')."""

    def __repr__(self) -> str:
        return f"_Float({float(self)!r})"


class _Integer:
    """An integer type that is not an int, as NumPy's int64: an `Integral` by registration."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __int__(self) -> int:
        return self.n

    def __index__(self) -> int:
        return self.n


numbers.Integral.register(_Integer)


def test_numbers_of_other_types_are_read_as_the_int_or_float_they_hold() -> None:
    """A float subclass whose repr is not its number raised decimal's InvalidOperation (NumPy's float64 as per_day,
    a frame's cell); an integer type that is not an int was refused (NumPy's int64 as a quantity)."""
    four = mme.daily_mme("oxycodone", "10 mg", per_day=4)
    assert mme.daily_mme("oxycodone", "10 mg", per_day=_Float(4)) == four
    assert mme.daily_mme("oxycodone", "10 mg", per_day=_Integer(4)) == four  # type: ignore[arg-type]
    assert mme.daily_mme("oxycodone", (_Float(10), "mg"), per_day=4) == four
    dispensed = mme.dispensing_mme("oxycodone", "10 mg", quantity=_Integer(120), days_supply=_Float(30))  # type: ignore[arg-type]
    assert dispensed == mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30)
    with pytest.raises(mme.ArgumentTypeError, match=r"^per_day must be a number, not True$"):
        mme.daily_mme("oxycodone", "10 mg", per_day=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mme.daily_mme("methadone", "10 mg", per_day=3, variant=["a"], table="cms-2018"),  # type: ignore[arg-type]
        lambda: mme.convert("methadone 10 mg tid", variant=["a"], table="cms-2018"),  # type: ignore[arg-type]
        lambda: mme.total(None),  # type: ignore[arg-type]
        lambda: mme.total(["oxycodone 10 mg q6h"]),  # type: ignore[list-item]
        lambda: mme.total([mme.convert("oxycodone 10 mg q6h")], thresholds=None),  # type: ignore[arg-type]
        lambda: mme.total([mme.convert("oxycodone 10 mg q6h")], thresholds=["ninety"]),  # type: ignore[list-item]
    ],
    ids=["variant a list", "convert's variant a list", "no items", "text items", "no thresholds", "a word"],
)
def test_arguments_of_the_wrong_type_are_argument_type_errors(call: Any) -> None:
    """They raised TypeError (unhashable list), AttributeError ('str' has no 'table') or ValueError (float('ninety'))."""
    with pytest.raises(mme.ArgumentTypeError, match=r" (must be|not) "):
        call()


def test_a_header_naming_a_column_twice_is_said_once_for_every_file_reader() -> None:
    """`mme batch`/`summarize` and `mme.taper.read_csv` read headers with this one check."""
    from mme._errors import named_twice

    assert named_twice(["drug", "qty", "drug", "drug"]) == (
        "the column 'drug' appears 3 times in its header: rename or remove all but one"
    )
    assert named_twice(["drug", "qty", "days"]) is None
    assert named_twice(["", "drug", ""]) is None  # unnamed columns name nothing twice


def test_text_that_is_not_utf8_names_its_line_and_byte() -> None:
    from mme._errors import utf8_text

    assert utf8_text(b"\xef\xbb\xbfdrug\n", "f.csv", mme.CohortError) == "drug\n"  # a byte order mark read past
    with pytest.raises(mme.CohortError, match=r"^f\.csv is not UTF-8 text \(line 3, byte 6\): save it as UTF-8$"):
        utf8_text(b"a\nbcd\n\xe9t\xe9\n", "f.csv", mme.CohortError)


def test_methadone_items_of_a_custom_table_not_at_hand_by_slug_say_they_were_tiered_alone(custom: str) -> None:
    """A table loaded from a file is not found again by its slug: its items keep their tiers, and say so."""
    items = [mme.daily_mme("methadone", "5 mg", per_day=2, variant="tiers", table=custom) for _ in range(2)]
    summed = mme.total(items)
    assert summed.mme_per_day == 2 * value(items[0])  # each 10 mg/day under 20: factor 4, not the 20 mg/day's 8
    said = "methadone's tier is chosen by the total daily methadone dose of the items, 20 mg/day: tiered alone"
    assert all(any(w.startswith(said) for w in i.warnings) for i in summed.items)


@pytest.mark.parametrize("units", ["0.5", "0", "1.5"])
def test_a_pack_of_no_whole_number_of_units_is_refused(units: str) -> None:
    with pytest.raises(
        mme.ExpressionError, match=f"^a pack of {re.escape(units)} units \\(a pack holds a whole number\\)"
    ):
        mme.convert(
            f"{{{units} (fentanyl 0.6 MG/ACTUAT Mucosal Spray) }} Pack",
            quantity=10,
            days_supply=10,
            table="cdc-ndc-2018",
        )


def test_an_unknown_rxcui_says_why_it_is_not_there_when_told() -> None:
    error = mme.UnknownRxCUIError("1049621.5", "2020-10-20", why="an RxCUI is a whole number.")
    assert (
        str(error)
        == "RxCUI '1049621.5' is not in the RxNorm product file (RxNorm 2020-10-20): an RxCUI is a whole number."
    )


def test_each_tiered_drug_of_a_custom_table_says_it_was_tiered_alone(tmp_path: Path) -> None:
    two = header(slug="two") + "".join(
        row(drug, factor=None, tiers='[{above = "0", upto = "20", factor = "4"}, {above = "20", factor = "8"}]')
        for drug in ("methadone", "levorphanol")
    )
    table = str(write(tmp_path, two, slug="two"))
    alone = "tiered alone (its table is not at hand by its slug)"
    methadone, levorphanol = (
        mme.daily_mme(drug, "5 mg", per_day=2, table=table) for drug in ("methadone", "levorphanol")
    )
    one_then_two = mme.total([methadone, levorphanol, levorphanol])  # methadone alone: nothing to tier together
    assert one_then_two.items[0] is methadone
    assert all(any(w.endswith(alone) for w in i.warnings) for i in one_then_two.items[1:])
    two_each = mme.total([methadone, methadone, levorphanol, levorphanol])
    assert all(any(w.endswith(alone) for w in i.warnings) for i in two_each.items)
    again = mme.total(two_each.items)  # the word is not repeated; one item alone again says nothing of a sum
    assert [sum(w.endswith(alone) for w in i.warnings) for i in again.items] == [1] * 4
    assert mme.total(two_each.items[:1]).items == (methadone,)


@pytest.mark.parametrize("text", ["1_0", "\u0663", "ten", "1,000", "nan", ""])
def test_a_number_written_as_text_is_only_digits(text: str) -> None:
    """The one rule every path reads a number written as text by (options, cohort cells): the digits 0-9."""
    with pytest.raises(DoseError, match=r"must be a number in the digits 0-9 \(e\.g\. 10 or 2\.5\)"):
        _units.number_text(text, "value")
    assert _units.number_text(" 2.5 ", "value") == Decimal("2.5")


def test_a_number_written_as_text_is_refused_naming_the_option_and_the_text() -> None:
    # the message names what was given (not None) and the text as typed; a text too long is a DoseError naming it
    with pytest.raises(
        DoseError, match=r"^quantity must be a number in the digits 0-9 \(e\.g\. 10 or 2\.5\), not 'ten'$"
    ):
        _units.number_text("ten", "quantity")
    with pytest.raises(
        DoseError, match=r"^quantity '1{60}'\.\.\. \(1,001 characters\) is too long: at most 1,000 characters are read$"
    ):
        _units.number_text("1" * 1001, "quantity")


def test_a_number_argument_is_refused_naming_the_argument() -> None:
    # the type's refusal and the overflow's both name the argument (not None)
    with pytest.raises(ArgumentTypeError, match=r"^quantity must be a number, not 'ten'$"):
        _units.number_argument("ten", "quantity")
    with pytest.raises(DoseError, match=r"^quantity 1000000.* is too large: it is no finite number$"):
        _units.number_argument(10**400, "quantity")


def test_only_a_real_number_of_a_narrow_float_type_is_read_by_its_text() -> None:
    """`_is_short_float` asks three things at once: a real number, of float kind, narrower than 8 bytes."""
    import numpy as np

    # an array of 32-bit ints is no number: refused by its type (read by its text, "[1]" would be a ValueError)
    with pytest.raises(ArgumentTypeError, match=r"^dose must be a number, not array\(\[1\], dtype=int32\)$"):
        _units.number_argument(np.array([1], dtype=np.int32), "dose")

    class Floating(float):
        """A float whose dtype says "float" but not its width: read as a float, not by its text."""

        dtype = SimpleNamespace(kind="f")

    assert _units.number_argument(Floating(0.1), "dose") == 0.1


@pytest.mark.parametrize("thresholds", ["50", b"90", 50])
def test_thresholds_must_be_a_collection_of_numbers(thresholds: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"thresholds must be numbers \(MME/day\), e\.g\. \[50, 90\]"):
        mme.thresholds_reached(60.0, thresholds)  # type: ignore[arg-type]


@pytest.mark.parametrize("thresholds", ["50", 50])
def test_thresholds_that_are_no_collection_are_refused_naming_what_was_given(thresholds: object) -> None:
    # `total` refuses them itself, naming the items and the thresholds; `thresholds_reached` names the thresholds
    item = mme.daily_mme("oxycodone", "10 mg", every="6 h")
    with pytest.raises(ArgumentTypeError, match=rf"^total\(\) adds results .*, {re.escape(repr(thresholds))}$"):
        mme.total([item], thresholds=thresholds)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=rf"e\.g\. \[50, 90\], not {re.escape(repr(thresholds))}$"):
        mme.thresholds_reached(60.0, thresholds)  # type: ignore[arg-type]


def test_a_threshold_under_1_is_a_threshold_and_a_negative_mme_is_named() -> None:
    # any finite threshold above 0 is one (0.5 MME/day is not refused as 1 or less would be)
    assert mme.thresholds_reached(0.7, [0.5]) == (0.5,)
    with pytest.raises(DoseError, match=r"^the daily MME must be a finite number, 0 or more \(or None\), not -1\.0$"):
        mme.thresholds_reached(-1.0)


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Co-codamol 30mg/500mg tablets", "co codamol"),  # a name of two words
        ("Solpadol 30mg/500mg", "solpadol"),  # a brand the vocabulary reads
        ("Meptid 200mg", "meptid"),  # an opioid it does not convert
        ("Oxycodonhydrochlorid 5 mg Tabletten", "oxycodone"),  # a stem inside a longer word
        ("Morphin 10 mg Tabletten", "morphine"),  # spelt as it sounds
        ("morhpine 10 mg tablet", "morphine"),  # two letters swapped
        ("oxycodon 5 mg", "oxycodone"),
        ("Fentnyl 25 mcg/h patch", "fentanyl"),  # a letter dropped: close as it sounds
        ("Celbuca 150 mcg film", "belbuca"),  # close as written, not as it sounds
        ("Zapain 30/500", "zapain"),
        ("Toradol 10 mg", None),  # spelt close to tramadol, and no opioid
        ("Methanol poisoning", None),  # close to Metadol, and no drug
        ("Dolphin bite", None),  # close to Dolophine
        ("Doliprane 1000 mg", None),  # the end of Codoliprane: the product it is built on, not a slip
        ("Codoliprane 500/30", "codoliprane"),
        ("Apomorphine 1 mg", None),  # another drug, though "morphine" is inside it
        ("Hydrocortone 10 mg", None),  # another drug nearly spelt hydrocodone
        ("Oxygesic 10 mg", "oxygesic"),  # another country's brand, not read
        ("M-long 60 mg", "m long"),
        ("Panamax 500 mg", None),  # paracetamol; Panamax Co holds codeine
        ("paracetamol 500 mg", None),  # a known non-opioid is never a misspelt one
        ("senna 7.5 mg", None),  # five letters: too few to tell a slip ("Skenan")
        ("atorvastatin 20 mg", None),
        ("", None),
    ],
)
def test_a_name_that_does_not_read_is_an_opioid_only_where_it_names_or_nearly_spells_one(
    name: str, found: str | None
) -> None:
    """What decides that a medication whose name does not read is no opioid (FHIR): never a guess that it is not."""
    assert _vocab.opioid_named(name) == found


def test_a_brand_given_with_a_name_is_an_opioid_name() -> None:
    assert _vocab.opioid_named("Fictinal 10 mg", frozenset({"fictinal"})) == "fictinal"
    assert _vocab.opioid_named("Fictinal 10 mg") is None
    # a product file's brands are matched whole, never nearly: "analgesic" is not Animalgesics misspelt
    assert _vocab.opioid_named("Animalgesics", frozenset({"animalgesics"})) == "animalgesics"
    assert _vocab.opioid_named("Analgesic balm", frozenset({"animalgesics"})) is None


@pytest.mark.parametrize(
    ("name", "opioid"),
    [("oxycodone 5 mg", "oxycodone"),  # a name the vocabulary holds
     ("hydromorphonum 2 mg", "hydromorphone"),  # a Latin ending: the name inside the word
     ("Morphin 10 mg", "morphine"), ("codeína 30 mg", "codeine"),  # other languages' spellings, folded
     ("morhpine 10 mg", "morphine"), ("oxycodne 5 mg", "oxycodone"), ("tapentadl 50 mg", "tapentadol"),  # slips
     ("Paracetamol 500 mg", None), ("Toradol 10 mg", None),  # a non-opioid, and a brand close to tramadol
     ("Senna 7.5 mg", None), ("abc", None)],  # five letters or fewer: too few to tell a slip
)  # fmt: skip
def test_an_opioid_named_or_nearly_spelt_is_found_and_no_other(name: str, opioid: str | None) -> None:
    """What decides that a medication's name that does not read is no opioid: the core gate counts it."""
    assert _vocab.opioid_named(name) == opioid


@pytest.mark.parametrize(
    ("mg", "refused"),
    [(325.0, True), (65.0, True), (130.0, True), (5.0, False), (13.0, False), (20.0, False), (97.5, False)],
)
def test_an_amount_of_a_liquid_combination_that_is_whole_ml_of_another_component_is_refused(
    mg: float, refused: bool
) -> None:
    """Acetaminophen 65 mg/mL, oxycodone 1 mg/mL: 325 mg (5 mL of acetaminophen) read as 325 mL's oxycodone gave
    1950 MME/day. mL are measured, not counted, so a tablet's most at once (12) is not a liquid's: 13 mg is 13 mL."""
    why = _parse.another_components(mg, 1.0, [65.0, 1.0], per_ml=True)
    assert (why is not None) == refused
    if why is not None:
        assert why.startswith(f"may be the amount of another component than the opioid ({mg:g} mL of 1 mg/mL")
    assert _parse.another_components(13.0, 1.0, [65.0, 1.0]) is not None  # 13 tablets: more than one takes

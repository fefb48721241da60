"""Fuzzing the core with hypothesis: whatever comes in, an answer or an `MMEError`, never a crash.

* the dose-expression grammar and `mme.convert`: any text gives a valid reading/result or an
  `MMEError`; a result always comes from an expression whose drug resolves and whose amount is
  positive and finite (never a number from garbage);
* the table loader: random bytes and random damage to the shipped table files give a `TableError`
  or a `Table` that keeps every promise of the format;
* the command line: random arguments exit 0, 1 or 2 with a message, never a traceback.

Each test is kept to a few hundred examples (``deadline=None``) so the suite stays fast
(``MME_FUZZ_EXAMPLES`` raises it for a deep run); the profile (``ci``: derandomised, no database)
comes from tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import tempfile
import tomllib
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import mme
from mme._cli import main
from mme._engine import IN_A_TEXT, VOLUME_DOSE, VOLUME_STRENGTH
from mme._errors import MMEError, MMEWarning, TableError
from mme._parse import Expression, parse_expression
from mme._tables import DOSE_RANGE, FACTOR_RANGE, Table, _tables_folder, load_table, table_slugs
from mme._units import amount
from mme._vocab import (
    DAY_WORDS,
    DRUGS,
    FORMS,
    HOUR_WORDS,
    MASS_UNITS,
    ROUTES,
    VOLUME_UNITS,
    known_names,
    resolve_drug,
)

from expression_checks import check_expression
from row_overlap import overlap

#: Examples per test; MME_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py for a deep run.
EXAMPLES = int(os.environ.get("MME_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLUGS = table_slugs()

# -- text that looks like dose expressions --------------------------------------------------------

_WORDS = [
    *("oxycodone", "morphine", "fentanyl", "methadone", "buprenorphine", "hydrocodone/acetaminophen", "tramadol"),
    *("OxyContin", "Butrans", "Duragesic", "Percocet", "codeine/morphine", "acetaminophen", "unobtainium", "with"),
    *("0", "1", "2", "5", "6", "10", "24", "25", "72", "5/325", "1/2", "½", "2,5", ".5", "1,000", "1e308", "1e-320"),
    *("-5", "nan", "inf", "infinity", "mg", "mcg", "µg", "g", "kg", "mL", "mcg/h", "mg/mL", "mg/5 mL", "mg/0 mL"),
    *("mg/day", "mcg/day", "/", "per", "h", "hr", "day", "days", "week", "x", "times", "a", "q", "every", "q6h"),
    *("q4-6h", "q72h", "bid", "tid", "qid", "qd", "daily", "weekly", "qod", "once", "twice", "hourly", "prn"),
    *("tab", "tabs", "patch", "patches", "spray", "film", "lozenge", "suppository", "solution", "injection"),
    *("po", "IV", "SL", "IM", "sc", "buccal", "nasal", "rectal", "transdermal", "nasal spray", "ER", "IR", "LA"),
    *("IN", "in", "the", "morning", "each nostril", "in each nostril", "mg/12 hr", "Duragesic-50", "Butrans 10"),
    *(",", ";", "(", ")", "-", "−", "+", "&", "#", "%", "\t", "\n", "\x00", "é", "ı", "ß", "🙂"),
]  # fmt: skip

_EXPRESSIONS = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(_WORDS), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=10).map(" ".join),
)
_NUMBERS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1.0, 3.0, 10.0, 30.0, 1e-300, 1e300]),
    st.integers(-5, 400),
)


def _parse_or_none(text: str) -> Expression | None:
    try:
        return parse_expression(text)
    except MMEError:
        return None


@FUZZ
@given(_EXPRESSIONS)
def test_parser_reads_or_raises_an_mme_error(text: str) -> None:
    expr = _parse_or_none(text)
    if expr is not None:
        check_expression(expr, text)


@contextlib.contextmanager
def _only_mme_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record warnings (the suite turns them into errors) and check they are all the library's own."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    for w in caught:
        assert issubclass(w.category, MMEWarning), f"unexpected warning {w.category.__name__}: {w.message}"


def _check_result(result: mme.DailyMME, text: str, table: str) -> None:
    """A result comes from an expression that reads, a drug that resolves and a positive amount."""
    expr = parse_expression(text)  # it must have parsed, the same way
    check_expression(expr, text)
    assert resolve_drug(expr.drug).drug == result.drug
    assert result.drug in DRUGS
    assert amount(expr.dose).value > 0
    assert result.table == table
    assert result.daily_dose > 0
    assert math.isfinite(result.daily_dose)
    if result.mme_per_day is None:
        assert result.excluded
        assert result.factor is None
    else:
        assert result.excluded is None
        assert result.mme_per_day > 0
        assert math.isfinite(result.mme_per_day)  # an overflow is a DoseError, never inf
        assert result.factor is not None
        assert result.factor > 0
    assert result.route in ROUTES or result.route == "unspecified"


@FUZZ
@given(_EXPRESSIONS, st.sampled_from(SLUGS))
def test_convert_gives_a_valid_result_or_an_mme_error(text: str, table: str) -> None:
    with _only_mme_warnings():
        try:
            result = mme.convert(text, table=table)
        except MMEError:
            return
    _check_result(result, text, table)


@FUZZ
@given(_EXPRESSIONS, st.sampled_from(SLUGS), _NUMBERS, _NUMBERS, _NUMBERS)
def test_convert_dispensing_gives_a_valid_result_or_an_mme_error(
    text: str, table: str, quantity: float | None, days_supply: float | None, package_ml: float | None
) -> None:
    with _only_mme_warnings():
        try:
            result = mme.convert(text, quantity=quantity, days_supply=days_supply, package_ml=package_ml, table=table)
        except MMEError:
            return
    _check_result(result, text, table)
    if quantity is not None:  # a dispensing: both numbers were given, positive and finite
        assert days_supply is not None
        assert result.days_supply is not None
        assert quantity > 0
        assert days_supply > 0
        assert math.isfinite(quantity)
        assert math.isfinite(days_supply)


@st.composite
def _valid_regimens(draw: st.DrawFn) -> str:
    """Well-formed regimens of names `resolve_drug` knows: the engine must answer or refuse by name."""
    name = draw(st.sampled_from(known_names()))
    dose = draw(st.sampled_from(["10 mg", "0.5 mg", "25 mcg/h", "100 mcg", "40 mg/day", "2 mg/mL 5 mL", "1 g"]))
    rest = draw(st.sampled_from(["", "q6h", "bid", "1 tab q4h", "2 sprays nasal", "patch", "IV q4h", "SL tid"]))
    return f"{name} {dose} {rest}".strip()


ARGUMENT_NAMED = {*IN_A_TEXT.values(), VOLUME_DOSE, VOLUME_STRENGTH}  # as said of a text


@FUZZ
@given(_valid_regimens(), st.sampled_from(SLUGS))
@example("tramal sr 10 mg IV q4h", "anzca-2014")  # named "'tramal ER intravenous'", which was not typed
def test_every_known_name_converts_or_is_refused_with_a_reason(text: str, table: str) -> None:
    with _only_mme_warnings():
        try:
            result = mme.convert(text, table=table)
        except MMEError as error:
            kind, message = type(error), str(error)
        else:
            _check_result(result, text, table)
            return
    assert kind is not MMEError, message  # a refusal of a kind the caller can tell apart
    quoted = re.findall(r"'([^']*)'", message)
    # it names what it refuses: the table, the text refused, or the argument ("the dose": the row's own checks
    # name it, not its value, so that `mme.frames` says the same)
    assert table in message or message in ARGUMENT_NAMED or any(q and q in text for q in quoted), message


# -- table files: random bytes and damaged copies of the shipped ones -----------------------------

_SHIPPED = {slug: (_tables_folder() / f"{slug}.toml").read_text(encoding="utf-8") for slug in SLUGS}


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _load_text(folder: Path, slug: str, data: bytes) -> Table | None:
    path = folder / f"{slug}.toml"
    path.write_bytes(data)
    try:
        table = load_table(path)
    except TableError as error:
        file, message = error.file, str(error)
    else:
        _check_table(table, slug)
        return table
    assert file == str(path)
    assert message.startswith(str(path))
    return None


def _check_table(table: Table, slug: str) -> None:
    """A table that loads keeps the format's promises."""
    assert table.slug == slug
    assert len(table.sha256) == 64
    assert table.rows
    for row in table.rows:
        assert row.drug in DRUGS
        assert set(row.routes) <= ROUTES
        assert set(row.forms) <= FORMS
        assert (row.factor is None) != (not row.tiers)
        if row.factor is not None:
            assert row.factor > 0
            assert row.factor.is_finite()
        if row.tiers:
            assert row.tiers[0].above == 0
            assert row.tiers[-1].upto is None
            for dose in (1e-9, 0.5, 20, 20.000001, 40, 60.5, 80, 1e6):
                tier = row.tier_for(dose)  # bands cover (0, inf): never an AssertionError
                assert tier.contains(dose)
                assert tier.factor > 0
        if row.is_patch:
            assert (table.patch_convention == "dispensed") == (row.wear_days is not None)
    for i, a in enumerate(table.rows):
        for b in table.rows[i + 1 :]:
            assert not overlap(a, b)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["mine", *SLUGS]))
def test_random_bytes_are_a_table_error(scratch: Path, data: bytes, slug: str) -> None:
    assert _load_text(scratch, slug, data) is None  # no random bytes make a table with rows


_VALUES = st.one_of(
    st.integers(-10, 100).map(str),
    st.decimals(min_value=Decimal(-5), max_value=Decimal(200), places=2).map(lambda d: f'"{d}"'),
    st.sampled_from(['"0"', '"-1"', '"NaN"', '"inf"', '"1e400"', "1.5", "true", "[]", '["oral"]', "{}", '""', '"x"']),
    st.sampled_from(['"mcg/h"', '"mg"', '"transdermal"', '"patch"', '"methadone"', "2020-01-01", '"IR"', '"ER"']),
)


@st.composite
def _damaged(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped table's text under a slug of its own (a shipped slug is refused for any other content), with a few
    random edits: lines deleted, duplicated or swapped, a value replaced by one of another type, a [[rows]] block
    duplicated, tier bounds changed."""
    shipped = draw(st.sampled_from(SLUGS))
    slug = f"{shipped}-local"
    lines = _SHIPPED[shipped].replace(f'slug = "{shipped}"\n', f'slug = "{slug}"\n', 1).splitlines()
    assert f'slug = "{slug}"' in lines
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "row", "tier", "truncate"]))
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "value":
            assignments = [k for k, line in enumerate(lines) if " = " in line and not line.startswith("#")]
            if assignments:
                k = draw(st.sampled_from(assignments))
                key = lines[k].split(" = ", 1)[0]
                lines[k] = f"{key} = {draw(_VALUES)}"
        elif edit == "row":
            starts = [k for k, line in enumerate(lines) if line.strip() == "[[rows]]"]
            if starts:
                start = draw(st.sampled_from(starts))
                end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("[[")), len(lines))
                lines[end:end] = lines[start:end]
        elif edit == "tier":
            bounds = [k for k, line in enumerate(lines) if "above" in line or "upto" in line]
            if bounds:
                k = draw(st.sampled_from(bounds))
                new = draw(st.sampled_from(['"0"', '"10"', '"20"', '"20.5"', '"40"', '"-1"', '"1e9"', "20", '"x"']))
                lines[k] = re.sub(r'(above|upto) = "[^"]*"', rf"\1 = {new}", lines[k], count=1)
        else:
            lines = lines[: max(1, i)]
        if not lines:
            lines = [""]
    return slug, "\n".join(lines) + "\n"


@FUZZ
@given(_damaged())
def test_damaged_shipped_tables_are_a_table_error_or_a_valid_table(scratch: Path, case: tuple[str, str]) -> None:
    slug, text = case
    _load_text(scratch, slug, text.encode("utf-8"))


@FUZZ
@given(st.sampled_from(SLUGS), st.data())
def test_changing_a_factor_of_a_shipped_table_is_refused(scratch: Path, slug: str, data: st.DataObject) -> None:
    """Any edit of a factor's digits, under the shipped slug, is a TableError: it fails validation, or it is refused
    as not the shipped table, so no result can name the shipped table with another factor. The same table built in
    code (a `mme.Table` of the same content) is refused in the same words: one rule for files and objects."""
    text = _SHIPPED[slug]
    positions = [i for i, line in enumerate(text.splitlines()) if line.startswith("factor = ")]
    assume(positions)
    lines = text.splitlines()
    k = data.draw(st.sampled_from(positions))
    new = data.draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2))
    assume(new != Decimal(lines[k].split('"')[1]))  # "1.50" for "1.5" is the same table
    lines[k] = f'factor = "{new}"'
    edited = ("\n".join(lines) + "\n").encode("utf-8")
    assert _load_text(scratch, slug, edited) is None
    path = scratch / f"{slug}.toml"
    with pytest.raises(TableError) as from_file:
        load_table(path)
    table = Table.model_validate(tomllib.loads(edited.decode("utf-8")))  # a factor in range: a valid table
    with pytest.raises(TableError) as from_code:
        mme.convert("morphine 10 mg bid", table=table)
    assert f"factor is {new}, the shipped table's is " in str(from_code.value)
    assert str(from_code.value).removeprefix(f"mme.Table {slug!r}") == str(from_file.value).removeprefix(str(path))


# -- custom tables: random values in every field of a row --------------------------------------------

_NUMBER_TEXT = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(alphabet="0123456789._-+eE ١٢３\n", max_size=12),
    st.sampled_from(["1_5", "１.５", " 1.5 ", "1e-400", "1e308", "0", "0.001", "1000", "10000", "00.50", "7.2"]),
)
_SCALAR = st.one_of(
    _NUMBER_TEXT.map(json.dumps),  # a TOML basic string (JSON escapes are TOML escapes)
    st.text(max_size=8).map(json.dumps),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(lambda f: "nan" if math.isnan(f) else repr(f)),  # repr: inf, -inf, 1e+308: TOML floats
    st.booleans().map(lambda b: str(b).lower()),
    st.sampled_from(["2020-01-01", '"oral"', '"patch"', '"mcg/h"', '"IR"', '"fentanyl"', "1_5"]),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(["above", "upto", "factor", "printed", "x"]), inner, max_size=4).map(
            lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=6,
)
_ROW_FIELDS = ["drug", "routes", "forms", "release", "unit", "factor", "tiers", "wear_days", "variant", "default",
               "warn_above", "caution"]  # fmt: skip
_BASE_ROWS = {
    "morphine": {"drug": '"morphine"', "routes": '["oral"]', "unit": '"mg"', "factor": '"1"'},
    "patch": {"drug": '"fentanyl"', "routes": '["transdermal"]', "forms": '["patch"]', "unit": '"mcg/h"',
              "factor": '"7.2"', "wear_days": "3"},
    "methadone": {"drug": '"methadone"', "routes": '["oral"]', "unit": '"mg"', "warn_above": '"80"',
                  "tiers": '[{above = "0", upto = "20", factor = "4"}, {above = "20", factor = "8"}]'},
}  # fmt: skip


@st.composite
def _custom_table(draw: st.DrawFn) -> str:
    """A dispensed-convention table whose rows start valid and get random values in random fields."""
    blocks = []
    for base in draw(st.lists(st.sampled_from(sorted(_BASE_ROWS)), min_size=1, max_size=3)):
        fields = dict(_BASE_ROWS[base])
        for name in draw(st.lists(st.sampled_from(_ROW_FIELDS), max_size=3)):
            fields[name] = draw(_VALUE)
        blocks.append("[[rows]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items()) + 'source = "s"\n')
    header = (
        'format = 1\nslug = "mine"\ntitle = "t"\npublisher = "p"\nversion = "v"\npublished = 2020-01-01\n'
        'kind = "analytic"\npatch_convention = "dispensed"\ncitation = "c"\nurl = "u"\ncopy_read = "r"\n\n'
    )
    return header + "\n".join(blocks)


@FUZZ
@given(_custom_table())
def test_random_field_values_in_a_custom_table_are_a_table_error_or_plausible_numbers(scratch: Path, text: str) -> None:
    """Only a TableError, never another exception; and no 0, negative, infinite or implausible number loads."""
    table = _load_text(scratch, "mine", text.encode("utf-8"))
    if table is None:
        return
    for row in table.rows:
        for factor in [row.factor] if row.factor is not None else [t.factor for t in row.tiers]:
            assert FACTOR_RANGE[0] <= factor <= FACTOR_RANGE[1]
            assert re.fullmatch(r"[0-9]+(\.[0-9]+)?", str(factor))  # the digits written, as written
        for bound in [t.above for t in row.tiers] + [t.upto for t in row.tiers] + [row.warn_above]:
            assert bound is None or DOSE_RANGE[0] <= bound <= DOSE_RANGE[1]
        assert row.wear_days is None or (type(row.wear_days) is int and 1 <= row.wear_days <= 14)


# -- the command line ---------------------------------------------------------------------------------

_OPTIONS = st.one_of(
    st.sampled_from(["--json", "--strict", "--help", "--version", "-h", "--", "-", "--nope"]),
    st.tuples(
        st.sampled_from(["--table", "--variant", "--quantity", "--days-supply", "--package-ml", "--threshold"]),
        st.one_of(
            st.sampled_from([*SLUGS, "nope", "tiers", "flat", "0", "-1", "nan", "inf", "10", "30", "x.toml", ""]),
            st.text(max_size=8),
        ),
    ).map(list),
)
_ARGS = st.lists(st.one_of(_EXPRESSIONS.filter(lambda t: len(t) < 60), _OPTIONS), max_size=6)


def _flatten(parts: list[str | list[str]]) -> list[str]:
    return [p for part in parts for p in ([part] if isinstance(part, str) else part)]


@settings(FUZZ, max_examples=EXAMPLES * 2 // 3)
@given(st.sampled_from(["convert", "tables", "show", "frobnicate", "--json", ""]), _ARGS)
@example("convert", [["--variant", "anzca-2014"]])  # refused with no usage line, unlike every other usage error
@example("convert", [["--table", "nope", "--variant", "x"], "oxycodone 10 mg q6h"])
def test_cli_exits_0_1_or_2_and_never_shows_a_traceback(command: str, parts: list[str | list[str]]) -> None:
    argv = [command, *_flatten(parts)] if command else _flatten(parts)
    out, err, printed = io.StringIO(), io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("error")  # the command silences the library's warnings; nothing else may warn
        code = main(argv, out=out)
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err.getvalue()
    if code == 1:
        assert err.getvalue().startswith("mme: error: ")
        assert out.getvalue() == ""
    if code == 2:
        assert "usage:" in err.getvalue()
    if code == 0 and argv and argv[0] == "convert" and not printed.getvalue():
        text = out.getvalue()
        if "--json" in argv:
            payload = json.loads(text)
            assert "mme_per_day" in payload
        else:
            assert "total: " in text
            assert "not a dosing tool" in text


_NOT_OPTIONS = _EXPRESSIONS.filter(lambda t: len(t) < 60 and not t.startswith("-"))  # "-x" is an option to argparse


@settings(FUZZ, max_examples=EXAMPLES // 2)
@given(st.lists(_NOT_OPTIONS, min_size=1, max_size=3), st.sampled_from(SLUGS))
def test_cli_convert_agrees_with_the_library(expressions: list[str], table: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["convert", *expressions, "--table", table, "--json"], out=out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MMEWarning)
        try:
            items = [mme.convert(e, table=table) for e in expressions]
        except MMEError as error:
            refused = f"mme: error: {error}\n"
        else:
            refused = ""
    if refused:
        assert (code, err.getvalue()) == (1, refused)
        return
    assert code == 0
    payload = json.loads(out.getvalue())
    expected = mme.total(items).model_dump(mode="json") if len(items) > 1 else items[0].model_dump(mode="json")
    assert payload == expected


# -- units: a closed list, read or refused ---------------------------------------------------------------

_UNIT_PARTS = ["mg", "mcg", "µg", "ug", "g", "kg", "lb", "grain", "mL", "L", "cc", "h", "hr", "day", "d", "s", "min"]


@FUZZ
@given(
    st.lists(st.one_of(st.sampled_from(_UNIT_PARTS), st.sampled_from(["/", " ", "*", "(", ")", " per ", "5", "^2"])),
             max_size=8).map("".join),
    st.sampled_from(["1", "0.5", "2.5", "1e-3"]),
)  # fmt: skip
def test_a_unit_is_one_of_the_closed_list_or_a_unit_error(unit: str, number: str) -> None:
    try:
        got = amount(f"{number} {unit}")
    except (mme.UnitError, mme.DoseError):  # any other error fails the test
        return
    words = set(unit.lower().replace("/", " ").replace(" per ", " ").split())
    closed = {*MASS_UNITS, *VOLUME_UNITS, *HOUR_WORDS, *DAY_WORDS, "5"}  # the lexicon's spellings ("mg/5 mL")
    assert words <= closed, unit
    assert math.isfinite(got.value)
    assert got.value > 0

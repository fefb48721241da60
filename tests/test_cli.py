"""The `mme` command, called in-process through `main(argv)`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import mme
from mme._cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.mark.parametrize(
    ("argv", "mme_per_day"),
    [
        (["oxycodone 10 mg q6h"], 60),
        (["fentanyl 25 mcg/h patch"], 60),
        (["methadone 10 mg tid", "--table", "cdc-2016"], 240),
        (["hydrocodone/acetaminophen 5/325 mg 1 tab qid"], 20),
        (["oxycodone 10 mg tablet", "--quantity", "120", "--days-supply", "30", "--table", "cdc-ndc-2018"], 60),
        (["fentanyl 25 mcg/h patch", "--quantity", "10", "--days-supply", "30", "--table", "cms-2018"], 60),
        (["methadone 10 mg tid", "--table", "cms-2018", "--variant", "tiers"], 240),
    ],
)
def test_convert_issue_examples(argv: list[str], mme_per_day: float) -> None:
    code, text = run("convert", *argv, "--json")
    assert code == 0
    assert json.loads(text)["mme_per_day"] == pytest.approx(mme_per_day)


def test_convert_text_names_number_factor_table_and_caveat() -> None:
    code, text = run("convert", "oxycodone 10 mg q6h")
    assert code == 0
    assert "60 MME/day" in text
    assert "x 1.5" in text
    assert "cdc-2022" in text
    assert "not a dosing tool" in text


def test_convert_several_items_gives_each_and_the_total() -> None:
    code, text = run("convert", "oxycodone 10 mg q6h", "fentanyl 25 mcg/h patch")
    assert code == 0
    assert text.count("= 60 MME/day") == 2
    assert "total: 120 MME/day" in text
    code, text = run("convert", "oxycodone 10 mg q6h", "fentanyl 25 mcg/h patch", "--json")
    payload = json.loads(text)
    assert payload["mme_per_day"] == pytest.approx(120)
    assert len(payload["items"]) == 2
    assert payload["reached"] == [50.0, 90.0]


def test_thresholds_are_configurable_and_strict() -> None:
    _, text = run("convert", "oxycodone 10 mg q8h", "--threshold", "50", "--strict")
    assert "45 MME/day" in text
    assert "thresholds reached: none" in text
    _, text = run("convert", "morphine 50 mg/day", "--threshold", "50", "--strict")
    assert "thresholds reached: none" in text
    _, text = run("convert", "morphine 50 mg/day", "--threshold", "50")
    assert "thresholds reached: >= 50" in text


def test_excluded_drug_is_shown_not_zero() -> None:
    code, text = run("convert", "oxycodone 10 mg q6h", "buprenorphine 10 mcg/h patch")
    assert code == 0
    assert "no MME" in text
    assert "total: 60 MME/day" in text


def test_warnings_and_cautions_are_printed() -> None:
    _, text = run("convert", "methadone 100 mg/day", "--table", "cdc-2016")
    assert "warning:" in text
    _, text = run("convert", "methadone 10 mg tid")
    assert "caution:" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "oxycodon 10 mg q6h"],
        ["convert", "oxycodone 10 mg"],
        ["convert", "oxycodone -10 mg q6h"],
        ["convert", "tramadol 50 mg bid", "--table", "cdc-2016"],
        ["convert", "oxycodone 10 mg q6h", "--table", "nope"],
        ["convert", "oxycodone 10 mg tablet", "--quantity", "10"],
        ["convert", "oxycodone 10 mg tablet", "--quantity", "10", "--days-supply", "0"],
        ["convert", "methadone 10 mg tid", "--table", "cms-2018"],
        ["tables", "show", "nope"],
    ],
)
def test_errors_exit_1_with_a_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(*argv)
    assert code == 1
    assert text == ""
    err = capsys.readouterr().err
    assert err.startswith("mme: error: ")
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run()[0] == 2
    assert run("convert")[0] == 2
    assert run("frobnicate")[0] == 2
    assert "usage" in capsys.readouterr().err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--help")[0] == 0
    out = capsys.readouterr().out
    assert 'mme convert "fentanyl 25 mcg/h patch"' in out
    assert "not a dosing tool" in out


def test_version_lists_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--version")[0] == 0
    out = capsys.readouterr().out
    assert out.startswith(f"mme {mme.__version__} (tables: ")
    for table in mme.list_tables():
        assert table.slug in out


def test_tables_lists_every_table_one_line_each() -> None:
    code, text = run("tables")
    assert code == 0
    lines = text.splitlines()
    assert len(lines) == len(mme.list_tables())
    assert any(line.startswith("cdc-2022") and "(default)" in line for line in lines)


def test_tables_show_rows_caveats_and_source() -> None:
    code, text = run("tables", "show", "cdc-2016")
    assert code == 0
    assert "(20, 40] mg/day -> 8" in text
    assert "hydromorphone oral" in text
    assert "source:" in text
    assert "caveat:" in text
    code, text = run("tables", "show", "cms-2018")
    assert "per dispensed patch (3-day wear)" in text
    assert "no MME" in text


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mme", "convert", "oxycodone 10 mg q6h", "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out)["mme_per_day"] == 60

"""The `mme` command, called in-process through `main(argv)`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import itertools
import json
import math
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mme
from mme._cli import build_parser, main
from mme._tables import _shipped_table

ROOT = Path(__file__).resolve().parents[1]


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
        (["--rxcui", "1049621", "2 tabs q6h"], 60),  # oxycodone 5 mg tablets: 40 mg/day x 1.5
        (["--rxcui", "1049621", "--quantity", "120", "--days-supply", "30", "--table", "cdc-ndc-2018"], 30),
        (["--rxcui", "637540", "1 tab q6h"], 29.28),  # Percodan's two oxycodone salts: 4.5 + 0.38 mg x 4 x 1.5
    ],
)
def test_convert_issue_examples(argv: list[str], mme_per_day: float) -> None:
    code, text = run("convert", *argv, "--json")
    assert code == 0
    assert json.loads(text)["mme_per_day"] == pytest.approx(mme_per_day)


def test_convert_without_an_expression_or_an_rxcui_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("convert")[0] == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:")
    assert "give an EXPRESSION" in err


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
    assert all(line.count("(") == line.count(")") for line in lines)  # a publisher cut inside its brackets had "("
    heal = next(line for line in lines if line.startswith("heal-2025"))
    assert "(Adams, Sward, Perkins, Hurley); API at" in heal


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


def test_tables_show_names_lists_what_the_table_reads() -> None:
    """`mme tables show SLUG --names`: the table, then the names `mme names --table SLUG` lists, indented."""
    code, text = run("tables", "show", "cdc-2016", "--names")
    assert code == 0
    _, listed = run("names", "--table", "cdc-2016")
    table_part, _, names_part = text.partition("\nnames it reads (mme names --table lists the same):\n")
    assert "source:" in table_part
    assert names_part.splitlines() == ["  " + line for line in listed.splitlines()]
    assert "  oxycontin: oxycodone [ER oral tablet]" in names_part.splitlines()
    assert "names it reads" not in run("tables", "show", "cdc-2016")[1]


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mme", "convert", "oxycodone 10 mg q6h", "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out)["mme_per_day"] == 60


# -- files: checked before the work, written atomically, never over the input ------------------------------------

CLAIMS = """\
rx,drug,strength,strength_unit,quantity,days_supply,note
1,oxycodone,10,mg,120,30,=1+1
2,fentanyl,25,mcg/h,10,30,+cmd
3,oxycodone,5,mg,60,30,@SUM(A1)
4,oxycodone,5,mg,60,30,plain
5,morphine,30,mg,60,30,-x
"""
FORMULA_NOTES = 4  # the notes of rows 1, 2, 3 and 5 begin with =, +, @ and -


def fails(argv: list[str], capsys: pytest.CaptureFixture[str], status: int, *words: str) -> str:
    """The command exits with `status` and one line on stderr that contains `words`."""
    code, text = run(*argv)
    err = capsys.readouterr().err
    assert code == status, err
    assert text == ""
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err
    return err


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    return path


def test_version_and_help_parse_no_table() -> None:
    mme.clear_caches()
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--version"]) == 0
    with pytest.raises(SystemExit) as help_exit, contextlib.redirect_stdout(io.StringIO()):
        build_parser().parse_args(["--help"])
    assert help_exit.value.code == 0
    assert _shipped_table.cache_info().currsize == 0


START_UP = """
import contextlib, io, json, sys, tomllib
import pydantic
loads, read = tomllib.loads, []
tomllib.loads = lambda text, **options: read.append(text) or loads(text, **options)
import mme, mme._cli
with contextlib.redirect_stdout(io.StringIO()):
    status = mme._cli.main(sys.argv[1:])
models = [m for m in vars(mme).values() if isinstance(m, type) and issubclass(m, pydantic.BaseModel)]
built = [m.__name__ for m in models if m.__pydantic_complete__]
print(json.dumps({"status": status, "tables": len(read), "pint": "pint" in sys.modules, "validators": built}))
"""


@pytest.mark.parametrize(
    ("argv", "tables"),
    [(["--version"], 0), (["--help"], 0), (["convert", "--help"], 0), (["convert", "oxycodone 10 mg q6h"], 1)],
)
def test_a_one_off_command_reads_only_what_it_needs(argv: list[str], tables: int) -> None:
    """In a fresh process, as a user runs it: the version and help read no table, a conversion reads its one table,
    and none imports pint or builds a pydantic validator (the first one built makes pydantic scan every installed
    distribution for plugins). Each would cost a one-off command a large part of its start-up."""
    done = subprocess.run([sys.executable, "-c", START_UP, *argv], check=True, capture_output=True, text=True)
    assert json.loads(done.stdout) == {"status": 0, "tables": tables, "pint": False, "validators": []}


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["convert", "oxycodone 10 mg bid", "--tab", "cdc-2016"], "unrecognized arguments: --tab cdc-2016"),
        (["fhir", "request.json", "--tab", "cdc-2016"], "unrecognized arguments: --tab cdc-2016"),
        (["rxnorm", "show", "1049621", "--rx", "x.json"], "unrecognized arguments: --rx x.json"),
        (["tables", "show", "cdc-2022", "--nam"], "unrecognized arguments: --nam"),
        (["--vers"], "the following arguments are required: command"),
    ],
)
def test_an_option_is_read_only_as_spelled_in_full(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--tab cdc-2016` was read as `--table cdc-2016`: an option added later sharing the prefix would change what
    the same command line means."""
    assert run(*argv)[0] == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["convert", "oxycodone 10 mg q6h", "--threshold", "nan"], "--threshold"),
        (["convert", "oxycodone 10 mg q6h", "--threshold", "inf"], "--threshold"),
        (["convert", "oxycodone 10 mg q6h", "--threshold", "-50"], "--threshold"),
        (["batch", "in.csv", "-o", "out.csv", "--chunk-size", "0"], "--chunk-size"),
        # Python's float() and int() read these; no other path reads them (a cell, an expression, a dose)
        (["convert", "oxycodone 10 mg q6h", "--threshold", "\u0665\u0660"], "--threshold"),
        (["convert", "oxycodone 10 mg", "--quantity", "\u0663\u0660", "--days-supply", "10"], "--quantity"),
        (["convert", "oxycodone 10 mg", "--quantity", "30", "--days-supply", "1_0"], "--days-supply"),
        (
            ["convert", "oxycodone 10 mg/mL", "--quantity", "3", "--days-supply", "1", "--package-ml", "1_0"],
            "--package-ml",
        ),
        (["taper", "in.csv", "--timepoints", "a,b", "--reduction", "0_5"], "--reduction"),
        (["batch", "in.csv", "-o", "out.csv", "--chunk-size", "1_000"], "--chunk-size"),
        (["batch", "in.csv", "-o", "out.csv", "--chunk-size", "\u0663"], "--chunk-size"),
        # Polars could not hold it: "internal error (OverflowError: int too big to convert)"
        (["batch", "in.csv", "-o", "out.csv", "--chunk-size", "99999999999999999999"], "from 1 to 1,000,000,000"),
        (["batch", "in.csv", "-o", "out.csv", "--chunk-size", "1000000001"], "--chunk-size"),
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "klingon"], "not a known text encoding"),
        # codecs of Python that no file is written in: each was an internal error (exit 70) once the file was read
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "rot13"], "not a known text encoding: 'rot13'"),
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "base64"], "not a known text encoding: 'base64'"),
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "hex"], "not a known text encoding: 'hex'"),
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "zlib"], "not a known text encoding: 'zlib'"),
        (["batch", "in.csv", "-o", "out.csv", "--encoding", "undefined"], "not a known text encoding: 'undefined'"),
        (
            ["summarize", "in.csv", "--start", "2024-01-01", "--end", "2024-01-31", "--encoding", "quopri"],
            "not a known text encoding: 'quopri'",
        ),
        # every row failed, in the library's words ("drop variant='nope'"), after the file was read
        (
            ["batch", "in.csv", "-o", "out.csv", "--variant", "nope"],
            "argument --variant: cdc-2022 prints no variant 'nope'; it prints one value for each row: leave --variant out",
        ),
        (
            [
                "summarize",
                "in.csv",
                "--start",
                "2024-01-01",
                "--end",
                "2024-01-31",
                "--table",
                "cms-2018",
                "--variant",
                "x",
            ],
            "argument --variant: cms-2018 prints no variant 'x'; choose one of flat, tiers",
        ),
        (["taper", "in.csv", "--timepoints", "a,b", "--variant", "tiers"], "cdc-2022 prints no variant 'tiers'"),
        (["convert", "methadone 10 mg tid", "--table", "cms-2018", "--variant", "Tiers"], "choose one of flat, tiers"),
        (["convert", "methadone 10 mg", "--variant", "v" * 5000], "v'... (5,000 characters); it prints one"),
        # an empty output name was found unwritable only after every row was converted
        (["batch", "in.csv", "-o", ""], "an empty file name"),
        (["summarize", "in.csv", "-o", " ", "--start", "2024-01-01", "--end", "2024-01-31"], "an empty file name"),
    ],
)
def test_arguments_are_checked_when_parsed(argv: list[str], word: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*argv)[0] == 2
    err = capsys.readouterr().err
    assert word in err
    assert err.startswith(f"usage: mme {argv[0]} ")  # refused as argparse refuses a usage, with the command's usage
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["batch", "summarize"])
def test_inputs_that_are_not_readable_files(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--start", "2024-01-01", "--end", "2024-01-31"] if command == "summarize" else []
    out = ["-o", str(tmp_path / "out.csv")]
    fails([command, str(tmp_path), *out, *extra], capsys, 1, "not a regular file")
    fails([command, "/dev/null", *out, *extra], capsys, 1, "not a regular file")
    fails([command, str(tmp_path / "missing.csv"), *out, *extra], capsys, 1, "No such file")
    (empty := tmp_path / "empty.csv").write_text("")
    fails([command, str(empty), *out, *extra], capsys, 1, "empty")


def test_encoding_of_a_csv_input(claims: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(CLAIMS.replace("plain", "pâte").encode("latin-1"))
    out = tmp_path / "out.csv"
    fails(["batch", str(latin), "-o", str(out)], capsys, 1, "--encoding")
    assert not out.exists()
    code, _ = run("batch", str(latin), "-o", str(out), "--encoding", "latin-1")
    assert "5 converted" in capsys.readouterr().err
    assert code == 0
    assert "pâte" in out.read_text()
    fails(["batch", str(claims), "-o", str(out), "--encoding", "utf-16"], capsys, 1, "not utf-16 text")


@pytest.mark.parametrize(
    ("output", "status", "word"),
    [
        ("missing/out.csv", 1, "does not exist"),
        ("out.xlsx", 2, ".csv, .parquet"),
        ("out.csv/", 2, ".csv, .parquet"),
        (".", 2, ".csv, .parquet"),
        ("a_folder.csv", 1, "not a regular file"),
    ],
)
def test_outputs_are_checked_before_the_work(
    output: str,
    status: int,
    word: str,
    claims: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mme.frames

    (claims.parent / "a_folder.csv").mkdir()
    monkeypatch.chdir(claims.parent)
    monkeypatch.setattr(mme.frames, "dispensing_mme", lambda *_, **__: pytest.fail("the work started"))
    fails(["batch", str(claims), "-o", output], capsys, status, word)


def test_writing_to_a_device_is_refused(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(["batch", str(claims), "-o", "/dev/full"], capsys, 2, ".csv")
    (link := claims.parent / "full.csv").symlink_to("/dev/full")
    fails(["summarize", str(claims), "--start", "2024-01-01", "--end", "2024-01-31", "-o", str(link)],
          capsys, 1, "not a regular file")  # fmt: skip


def same_files(claims: Path) -> list[Path]:
    """Names of `claims` itself: the path, a symbolic link and a hard link to it, a path through '..'."""
    (link := claims.parent / "link.csv").symlink_to(claims)
    os.link(claims, hard := claims.parent / "hard.csv")
    (claims.parent / "sub").mkdir()
    return [claims, link, hard, claims.parent / "sub" / ".." / claims.name]


def test_an_output_that_is_the_input_is_refused(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for target in same_files(claims):
        fails(["batch", str(claims), "-o", str(target)], capsys, 2, "it is the input")
        fails(["summarize", str(claims), "--start", "2024-01-01", "--end", "2024-01-31", "-o", str(target)],
              capsys, 2, "it is the input")  # fmt: skip
        assert claims.read_text() == CLAIMS
    ndc = claims.parent / "ndc.csv"
    ndc.write_text("x\n")
    fails(["batch", str(claims), "-o", str(ndc), "--ndc-col", "rx", "--ndc-file", str(ndc)], capsys, 2, "the input")
    assert ndc.read_text() == "x\n"


def test_stdout_open_on_an_input_is_refused(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mme batch in.csv -o - >> in.csv` appended its output to its input (4 lines became 8): stdout is checked as
    -o is, by the file it is open on, for every command that reads a file and writes to stdout."""
    cohort = claims.parent / "cohort.csv"
    cohort.write_text("patient_id,timepoint,mme_per_day\na,baseline,90\na,end,30\n")
    (link := claims.parent / "link.csv").symlink_to(claims)
    window = ["--start", "2024-01-01", "--end", "2024-01-31"]
    for argv, source in (
        (["batch", str(claims), "-o", "-"], claims), (["summarize", str(link), *window], claims),
        (["taper", str(cohort), "--timepoints", "baseline,end"], cohort), (["fhir", str(cohort)], cohort),
    ):  # fmt: skip
        before = source.read_text()
        with source.open("a") as stdout:
            code = main(argv, out=stdout)
        err = capsys.readouterr().err
        assert (code, source.read_text()) == (2, before), err
        assert err.endswith(f": error: cannot write stdout: it is the input {argv[1]}; choose another output file\n")
    with (claims.parent / "other.csv").open("a") as stdout:  # another file is written as before
        assert main(["batch", str(claims), "-o", "-"], out=stdout) == 0
    assert (claims.parent / "other.csv").read_text().count("\n") == 6


def test_stdout_open_on_the_file_stdin_reads_is_refused(tmp_path: Path) -> None:
    """`mme fhir - < x.ndjson >> x.ndjson` grew the file without end (9 GB in 11 minutes): each refusal written was
    read back as a resource, and refused again. Stdin ("-") is an input, checked by the file it is open on."""
    source = tmp_path / "x.ndjson"
    source.write_text('{"resourceType": "MedicationRequest"}\n')
    command = [sys.executable, "-m", "mme", "fhir", "-"]
    with source.open("rb") as stdin, source.open("ab") as stdout:
        done = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=60, check=False)
    assert (done.returncode, source.read_text()) == (2, '{"resourceType": "MedicationRequest"}\n')
    assert done.stderr.decode().endswith(
        "mme fhir: error: cannot write stdout: it is the file stdin reads; choose another output file\n"
    )
    with source.open("rb") as stdin, (tmp_path / "out.txt").open("ab") as stdout:  # another file is written
        done = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.txt").read_text().startswith("line 1, MedicationRequest (no id): ")


def test_a_closed_stdout_is_said_so(
    claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mme batch in.csv -o - >&-` (and summarize, taper, fhir, convert, names, --version) was exit 70, "internal
    error (AttributeError: 'NoneType' object has no attribute 'flush')": with stdout closed, `sys.stdout` is None."""
    cohort = claims.parent / "cohort.csv"
    cohort.write_text("patient_id,timepoint,mme_per_day\na,baseline,90\na,end,30\n")
    monkeypatch.setattr(sys, "stdout", None)
    for argv in (
        ["batch", str(claims), "-o", "-"], ["summarize", str(claims), "--start", "2024-01-01", "--end", "2024-01-31"],
        ["taper", str(cohort), "--timepoints", "baseline,end"], ["fhir", str(cohort)], ["convert", "oxycodone 5 mg q6h"],
        ["names"], ["--version"],
    ):  # fmt: skip
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.endswith(": error: cannot write to stdout: it is closed (>&-); send it to a file, or to /dev/null\n")
        assert len(err.splitlines()) == 1, err
    target = claims.parent / "out.csv"  # an output file is written as before
    assert main(["batch", str(claims), "-o", str(target), "--quiet"]) == 0
    assert target.read_text().startswith("rx,drug,")


def test_an_output_name_as_long_as_the_system_allows_is_written(
    claims: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 250-character -o name (the limit is 255) was refused: "File name too long" was its temporary file's."""
    for suffix in (".csv", ".parquet"):
        target = claims.parent / ("é" * 60 + "a" * (250 - 120 - len(suffix)) + suffix)  # 250 bytes in UTF-8
        assert len(target.name.encode()) == 250
        assert run("batch", str(claims), "-o", str(target), "--quiet")[0] == 0, capsys.readouterr().err
        assert target.stat().st_size > 0
    assert sorted(p.name.startswith(".") for p in claims.parent.iterdir()) == [False] * 3


def test_taper_refuses_to_plot_over_its_cohort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cohort = tmp_path / "cohort.png"
    cohort.write_text("patient_id,timepoint,mme_per_day\na,baseline,90\na,end,30\n")
    fails(["taper", str(cohort), "--timepoints", "baseline,end", "--plot", str(cohort)], capsys, 2, "the input")
    fails(["taper", str(cohort), "--timepoints", "baseline,end", "--plot", str(tmp_path / "p.svg")], capsys, 2, ".png")
    fails(["taper", str(tmp_path), "--timepoints", "baseline,end"], capsys, 1, "not a regular file")
    assert cohort.read_text().startswith("patient_id")


def test_a_column_problem_refuses_the_command_and_an_mme_error_is_not_one(
    claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ColumnError is a usage error (exit 2), said once, unquoted; any other MMEError is an error of the run (1)."""
    from mme import frames

    argv = ["batch", str(claims), "-o", str(claims.parent / "out.csv")]
    for error, status, said in ((mme.ColumnError("no column 'x'"), 2, "mme batch: error: no column 'x'\n"),
                                (mme.DoseError("bad"), 1, "mme: error: bad\n")):  # fmt: skip

        def refuse(*_: object, error: Exception = error, **__: object) -> None:
            raise error

        monkeypatch.setattr(frames, "dispensing_mme", refuse)
        assert main(argv) == status
        assert capsys.readouterr().err.endswith(said)


@pytest.mark.parametrize("command", ["batch", "summarize"])
def test_batch_and_summarize_refuse_a_missing_column_alike(
    command: str, claims: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = ["--start", "2024-01-01", "--end", "2024-03-31"] if command == "summarize" else []
    argv = [command, str(claims), "-o", str(claims.parent / "out.csv"), "--drug-col", "medication", *window]
    fails(argv, capsys, 2, f"mme {command}: error: ", "medication")


@pytest.mark.parametrize("command", ["batch", "summarize"])
@pytest.mark.parametrize(
    ("column", "values"),
    [("strength", [[10], [5]]), ("strength", [b"10", b"5"]), ("days_supply", [dt.timedelta(30), dt.timedelta(7)])],
)
def test_a_parquet_column_of_lists_bytes_or_durations_is_refused_before_any_output(
    command: str, column: str, values: list[object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Were internal errors (exit 70) from Polars' cast, and with -o - the CSV header was already written."""
    import polars as pl

    rows = {"patient_id": ["1", "2"], "fill_date": ["2024-01-01"] * 2, "drug": ["oxycodone", "morphine"],
            "strength": [10, 5], "strength_unit": ["mg"] * 2, "quantity": [120, 60], "days_supply": [30, 7]}  # fmt: skip
    path = tmp_path / "claims.parquet"
    pl.DataFrame(rows | {column: values}).write_parquet(path)
    window = ["--start", "2024-01-01", "--end", "2024-03-31"] if command == "summarize" else []
    for output in ("-", str(tmp_path / "out.csv"), str(tmp_path / "out.parquet")):
        fails([command, str(path), "-o", output, *window], capsys, 2, f"column {column!r} holds ", "convert the column")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.parquet"]


def test_a_column_csv_cannot_hold_is_refused_before_any_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A column passed through (a note in bytes) failed after the CSV header was written: exit 70."""
    import polars as pl

    rows = {"drug": ["oxycodone"], "strength": [10], "strength_unit": ["mg"], "quantity": [120], "days_supply": [30],
            "note": [b"scanned"]}  # fmt: skip
    path = tmp_path / "claims.parquet"
    pl.DataFrame(rows).write_parquet(path)
    for output in ("-", str(tmp_path / "out.csv")):
        fails(["batch", str(path), "-o", output], capsys, 2, "cannot write the column 'note' (Binary) to CSV: write "
              "Parquet")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.parquet"]
    assert main(["batch", str(path), "-o", str(tmp_path / "out.parquet")]) == 0
    assert pl.read_parquet(tmp_path / "out.parquet")["note"].to_list() == [b"scanned"]


@pytest.mark.parametrize("command", ["batch", "summarize"])
def test_a_column_named_twice_is_refused(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Polars renamed the second 'drug' to 'drug_duplicated_0' and the first was read: which one is the drug?"""
    path = tmp_path / "twice.csv"
    path.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply,drug\n"
                    "1,2024-01-01,oxycodone,10,mg,120,30,morphine\n")  # fmt: skip
    window = ["--start", "2024-01-01", "--end", "2024-03-31"] if command == "summarize" else []
    fails([command, str(path), "-o", str(tmp_path / "out.csv"), *window], capsys, 1,
          f"mme {command}: error: cannot read {path}: the column 'drug' appears 2 times in its header")  # fmt: skip
    assert not (tmp_path / "out.csv").exists()


def test_a_wide_header_is_checked_in_one_pass() -> None:
    """`named_twice` counted each name through the whole header: 100,000 columns took 207 s. It reads each name once."""
    from collections.abc import Sequence

    from mme._errors import named_twice

    class Header(Sequence[str]):
        reads = 0

        def __init__(self, names: list[str]) -> None:
            self.names = names

        def __len__(self) -> int:
            return len(self.names)

        def __getitem__(self, i: Any) -> Any:
            Header.reads += 1
            return self.names[i]

    names = [f"c{i}" for i in range(2_000)]
    assert named_twice(Header(names)) is None
    assert (
        named_twice(Header([*names, "c7"]))
        == "the column 'c7' appears 2 times in its header: rename or remove all but one"
    )
    assert Header.reads <= 2 * (2 * len(names) + 3)  # each name once a call (and the end of the iteration)


def test_formula_cells_cost_no_expression_per_column(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search built one expression per text column (about 1 ms each: 100,000 columns spent most of a 207 s
    run so); it gives Polars one expression over them all at each step, whatever the number of columns."""
    import narwhals as nw
    import polars as pl

    from mme._cli import _formula_cells

    given: list[int] = []
    select, with_columns = pl.DataFrame.select, pl.DataFrame.with_columns

    def counted(method: Any) -> Any:
        def call(frame: Any, *exprs: Any, **named: Any) -> Any:
            flat = [e for x in exprs for e in (x if isinstance(x, list | tuple) or hasattr(x, "__next__") else [x])]
            given.append(len(flat) + len(named))
            return method(frame, *flat, **named)

        return call

    monkeypatch.setattr(pl.DataFrame, "select", counted(select))
    monkeypatch.setattr(pl.DataFrame, "with_columns", counted(with_columns))
    native = pl.DataFrame({f"c{i}": ["=1", "a", None] for i in range(500)})
    got, count = _formula_cells(nw.from_native(native, eager_only=True), escape=True)
    assert (count, got.row(0)[:2], got.row(1)[:2]) == (500, ("'=1", "'=1"), ("a", "a"))
    assert given
    assert max(given) == 1


HEADER = "patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply"
ROW = "p1,2024-01-01,oxycodone,10,mg,120,30"


@pytest.mark.parametrize("command", ["batch", "summarize"])
@pytest.mark.parametrize(
    ("content", "said"),
    [
        # "column(s) 'days_supply' not in the frame (columns: patient_id, ..., days_supply": the file is one line
        (f"{HEADER}\r{ROW}\r".encode(), "its lines end in a carriage return alone (an old Mac export): save it with "
         "LF or CRLF line endings"),
        # "found more fields than defined in 'Schema'", Polars' words
        (f"{HEADER}\n{ROW}\n{ROW}\r{ROW}\n{ROW}\n".encode(), "line 3 holds a carriage return inside it, not at its "
         "end (a line break of an old Mac export, or pasted into a cell): remove it, or quote the cell that holds it"),
        # "line 2 has more cells than the header: quote a cell that holds ','"
        (b"parquet", "it is not CSV text: a Parquet file (name it .parquet)"),
        (b"binary", "it is not CSV text: it holds NUL bytes (a binary file? UTF-16 text needs --encoding)"),
        # Polars named the second column of no name '_duplicated_0', and wrote it to the output
        (f"{HEADER},,,\n{ROW},x, ,y\n".encode(), "columns 8, 10 have no name in its header and hold values: name them, "
         "or remove them"),
        # the column named exactly 'drug' was read, the other carried along
        (f"{HEADER},Drug\n{ROW},morphine\n".encode(), "its header has 'drug' and 'Drug': which one is --drug-col? "
         "rename or remove all but one"),
        (f"{HEADER.replace('drug', ' drug ')},drug\n{ROW},morphine\n".encode(), "its header has ' drug ' and 'drug': which one is --drug-col? rename or remove all but one"),
    ],
)  # fmt: skip
def test_a_file_read_wrong_is_said_so(
    command: str, content: bytes, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import polars as pl

    path = tmp_path / "fills.csv"
    path.write_bytes(Path(sys.executable).read_bytes()[:4096] if content == b"binary" else content)
    if content == b"parquet":
        pl.read_csv(io.StringIO(f"{HEADER}\n{ROW}\n")).write_parquet(path)
    window = ["--start", "2024-01-01", "--end", "2024-03-31"] if command == "summarize" else []
    fails([command, str(path), "-o", str(tmp_path / "out.csv"), *window], capsys, 1,
          f"mme {command}: error: cannot read {path}: {said}")  # fmt: skip
    assert not (tmp_path / "out.csv").exists()


def test_empty_columns_of_no_name_are_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An Excel export keeps columns that once held something (lines end in ",,,"): the file was refused as a whole,
    "columns 8, 9, 10 have no name". Columns of no name that hold no value in any row are dropped and counted; one
    that holds values (R's row names, a pandas index) is kept."""
    import polars as pl

    path, out = tmp_path / "fills.csv", tmp_path / "out.csv"
    path.write_text(f'{HEADER},,,\n{ROW},,,\n{ROW}, ,"",\n')
    assert run("batch", str(path), "-o", str(out))[0] == 0
    assert capsys.readouterr().err.endswith(
        f"2 rows: 2 converted, 0 excluded, 0 failed, 0 with warnings, 3 empty column(s) of no name dropped -> {out}\n"
    )
    assert pl.read_csv(out).columns[:8] == [*HEADER.split(","), "mme_per_day"]
    window = ["--start", "2024-01-01", "--end", "2024-01-30"]
    assert run("summarize", str(path), *window)[0] == 0
    assert capsys.readouterr().err.endswith("excluded in the window, 3 empty column(s) of no name dropped\n")
    path.write_text(f",{HEADER},,\n1,{ROW},,\n\n2,{ROW},,\n")  # row names kept; and a blank row
    assert run("batch", str(path), "-o", str(out))[0] == 0
    assert capsys.readouterr().err.endswith(
        ", 1 blank row(s) skipped, 2 empty column(s) of no name dropped -> " + f"{out}\n"
    )
    assert pl.read_csv(out, infer_schema=False).columns[:2] == ["", "patient_id"]


def test_a_carriage_return_inside_a_line_is_found_across_blocks(tmp_path: Path) -> None:
    """The file is read a MiB at a time: a carriage return at a block's end is alone or not by the next block."""
    from mme._cli import _carriage_return

    path = tmp_path / "x.csv"
    lines = b"a\n" * ((1 << 19) - 1)  # the first block's last byte is the carriage return
    for tail, found in ((b"a\rb\n", 1 << 19), (b"a\r\nb\n", None), (b"a\r\r\n", 1 << 19), (b"a\n", None)):
        path.write_bytes(lines + tail)
        assert _carriage_return(str(path)) == found, tail


def test_columns_alike_only_where_an_option_reads_one_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Note' and 'note' are carried along as they are; 'drug' and 'Drug' read by --drug-col Drug are refused."""
    path = tmp_path / "fills.csv"
    path.write_text(f"{HEADER},note,Note,\n{ROW},a,b,c\n")
    assert run("batch", str(path), "-o", str(tmp_path / "out.csv"))[0] == 0
    capsys.readouterr()
    path.write_text(f"{HEADER},Drug\n{ROW},morphine\n")
    fails(["batch", str(path), "-o", "-", "--drug-col", "Drug"], capsys, 1, "which one is --drug-col?")


@pytest.mark.parametrize("given", [";", "tab", "|"])
def test_a_comma_separated_csv_read_with_another_separator_says_so(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comma-separated file read with --separator ';' (left over from another file) was refused as a file missing
    every column, exit 2, naming one column that holds the whole header, and no word of the separator."""
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    fails(["batch", str(path), "-o", "-", "--separator", given], capsys, 1, "its header is one column",
          "give --separator ','")  # fmt: skip
    fails(["summarize", str(path), "--start", "2024-01-01", "--end", "2024-01-31", "--separator", given], capsys, 1,
          "give --separator ','")  # fmt: skip


@pytest.mark.parametrize(("separator", "given"), [(";", ";"), ("\t", "tab"), ("\t", "\\t"), ("|", "|")])
def test_a_csv_separated_otherwise_says_how_and_is_read_with_separator(
    separator: str, given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS.replace(",", separator))
    out = tmp_path / "out.csv"
    fails(["batch", str(path), "-o", str(out)], capsys, 1, "its header is one column",
          f"give --separator {separator!r}")  # fmt: skip
    assert run("batch", str(path), "-o", str(out), "--separator", given)[0] == 0
    capsys.readouterr()
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))  # written with commas
    # oxycodone 10 mg x 120 / 30 days x 1.5, fentanyl 25 mcg/h x 2.4, oxycodone 5 mg x 60 / 30 x 1.5 (twice),
    # morphine 30 mg x 60 / 30 x 1
    assert [row["mme_per_day"] for row in rows] == ["60.0", "60.0", "15.0", "15.0", "60.0"]


@pytest.mark.parametrize("command", ["batch", "summarize"])
def test_a_row_with_more_cells_than_the_header_is_named(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Polars said "found more fields than defined in 'Schema'", with no line, and to try --encoding."""
    path = tmp_path / "claims.csv"
    path.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n"
                    "1,2024-01-01,oxycodone,10,mg,120,30\n"
                    '2,2024-01-01,"oxycodone, IR",10,mg,120,30\n'  # quoted: one cell
                    "3,2024-01-01,hydrocodone/apap 5/325, tab,5,mg,120,30\n")  # fmt: skip
    window = ["--start", "2024-01-01", "--end", "2024-03-31"] if command == "summarize" else []
    err = fails([command, str(path), "-o", str(tmp_path / "out.csv"), *window], capsys, 1,
                f"cannot read {path}: line 4 has more cells than the header: quote a cell that holds ','")  # fmt: skip
    assert "--encoding" not in err


def test_columns_that_differ_in_case_or_spaces_are_named_not_guessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("Drug,Strength,strength_unit,Quantity, Days Supply\noxycodone,10,mg,120,30\n")
    err = fails(["batch", str(path), "-o", str(tmp_path / "out.csv")], capsys, 2, "--drug-col 'Drug'",
                "--strength-col 'Strength'", "--quantity-col 'Quantity'", "--days-supply-col ' Days Supply'")  # fmt: skip
    assert "keyword arguments" not in err  # the library's words: the command has options


def test_clinical_commands_refuse_like_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Were "mme fhir: no such file" and "mme rxnorm build: give...", written by hand beside the common refusal."""
    fails(["fhir", str(tmp_path / "absent.json")], capsys, 1, "mme fhir: error: no such file: ", "absent.json")
    fails(["fhir", str(tmp_path)], capsys, 1, f"mme fhir: error: {tmp_path} is a folder: give the .json or .ndjson")
    fails(["rxnorm", "build", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "rx.json")], capsys, 1,
          "mme rxnorm: error: no such file: ", "absent.csv")  # fmt: skip
    fails(["rxnorm", "build", str(tmp_path)], capsys, 2, "mme rxnorm: error: give the file to write")  # an argument


@pytest.mark.parametrize("previous", [None, "the previous complete file\n"])
def test_a_failed_write_leaves_nothing_or_the_previous_file(
    previous: str | None, claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import polars as pl

    def crash(self: pl.DataFrame, file: io.BufferedWriter, **_: object) -> None:
        file.write(b"rx,mme_per_day\n1,7")  # a truncated row: 72 would read back as 7
        raise OSError(errno.ENOSPC, "No space left on device")

    out = claims.parent / "out.csv"
    if previous is not None:
        out.write_text(previous)
    monkeypatch.setattr(pl.DataFrame, "write_csv", crash)
    fails(["batch", str(claims), "-o", str(out)], capsys, 1, "No space left on device")
    assert (out.read_text() if out.exists() else None) == previous
    assert sorted(p.name for p in claims.parent.iterdir()) == sorted(["claims.csv", *(["out.csv"] if previous else [])])


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="a folder where no file can be made: Linux's /proc")
def test_an_output_that_cannot_be_written_is_named_as_given(
    claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was "error: /proc/.x.csv.7lcpzpke.csv: No such file or directory": the temporary file, not the output."""
    import polars as pl

    err = fails(["batch", str(claims), "-o", "/proc/x.csv"], capsys, 1, "mme batch: error: cannot write /proc/x.csv: ")
    assert ".x.csv." not in err

    def full(self: pl.LazyFrame, file: str, **_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", file)

    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", full)
    out = claims.parent / "out.parquet"
    err = fails(["batch", str(claims), "-o", str(out)], capsys, 1, f"cannot write {out}: No space left")
    assert ".out.parquet." not in err
    assert sorted(p.name for p in claims.parent.iterdir()) == ["claims.csv"]


def test_a_read_only_output_is_refused_and_a_replaced_one_keeps_its_mode(
    claims: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only file (0444) was replaced without a word, and every replaced file got the umask's mode: a private
    (0600) output of patients' data became readable by all (0644)."""
    out = claims.parent / "out.csv"
    out.write_text("kept\n")
    out.chmod(0o444)
    fails(["batch", str(claims), "-o", str(out)], capsys, 1, f"cannot write {out}: the file is read-only")
    assert out.read_text() == "kept\n"
    out.chmod(0o600)
    assert run("batch", str(claims), "-o", str(out))[0] == 0
    assert "mme_per_day" in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in claims.parent.iterdir()) == ["claims.csv", "out.csv"]


def test_command_line_messages_name_options_not_python_keywords(
    claims: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mme.frames` names its keywords (ndc_file=mme.read_ndc_file(...)); the command names its options. The second
    was a TypeError: an internal error (exit 70)."""
    out = str(claims.parent / "out.csv")
    err = fails(["batch", str(claims), "-o", out, "--ndc-col", "drug"], capsys, 2, "pass --ndc-file")
    assert "ndc_file=" not in err
    err = fails(["batch", str(claims), "-o", out, "--rxcui-col", "drug", "--form-col", "drug"], capsys, 2,
                "with --rxcui-col, the drug, strength, form and release come from the RxNorm product", "--route-col")  # fmt: skip
    assert "=..." not in err


def test_an_unclosed_quote_is_said_so_not_blamed_on_the_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "claims.csv"
    path.write_text('drug,strength,strength_unit,quantity,days_supply\n"oxycodone,10,mg,120,30\n')
    err = fails(["batch", str(path), "-o", "-"], capsys, 1, 'a cell opens a quote (") that does not close')
    assert "--encoding" not in err


def test_outputs_are_complete_and_keep_the_usual_permissions(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import polars as pl

    for name in ("out.csv", "out.parquet"):
        out = claims.parent / name
        assert run("batch", str(claims), "-o", str(out))[0] == 0
        frame = pl.read_csv(out) if name.endswith(".csv") else pl.read_parquet(out)
        assert frame["mme_per_day"].to_list() == [60.0, 60.0, 15.0, 15.0, 60.0]
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert "out.parquet" in capsys.readouterr().err
    assert sorted(p.name for p in claims.parent.iterdir()) == ["claims.csv", "out.csv", "out.parquet"]


def test_formula_cells_are_written_as_read_and_reported(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import polars as pl

    out = claims.parent / "out.csv"
    assert run("batch", str(claims), "-o", str(out))[0] == 0
    err = capsys.readouterr().err
    assert f"formulas (beginning with = + - @ tab or CR): {FORMULA_NOTES}, written as read (--escape-formulas" in err
    assert pl.read_csv(out)["note"].to_list() == ["=1+1", "+cmd", "@SUM(A1)", "plain", "-x"]

    assert run("batch", str(claims), "-o", str(out), "--escape-formulas")[0] == 0
    assert f"CR): {FORMULA_NOTES}, written with a leading ' (--escape-formulas)" in capsys.readouterr().err
    assert pl.read_csv(out)["note"].to_list() == ["'=1+1", "'+cmd", "'@SUM(A1)", "plain", "'-x"]
    fails(["batch", str(claims), "-o", str(claims.parent / "o.parquet"), "--escape-formulas"], capsys, 2, "CSV")


_FORMULA_TEXT = st.one_of(
    st.none(), st.text(max_size=4), st.text(st.sampled_from("=+-@\t\r09/:?AZaz é\x00\n"), max_size=3)
)


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(st.lists(_FORMULA_TEXT, min_size=3, max_size=3), min_size=1, max_size=4), escape=st.booleans())
def test_formula_cells_are_the_cells_that_begin_so_whatever_the_text(
    columns: list[list[str | None]], escape: bool
) -> None:
    """Exactly the text cells whose first character is = + - @ tab or CR are counted (and escaped), in every column:
    a column is searched only where some cell begins with neither a digit nor a letter, and none is missed so."""
    import narwhals as nw
    import polars as pl

    from mme._cli import _formula_cells

    names = ["^c.*$", *(f"c{i}" for i in range(1, len(columns)))]  # a name read as written, not as a pattern
    native = pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String))
    got, count = _formula_cells(nw.from_native(native, eager_only=True), escape=escape)

    def risky(cell: str | None) -> bool:
        return cell is not None and cell[:1] != "" and cell[0] in "=+-@\t\r"

    assert count == sum(risky(cell) for column in columns for cell in column)
    escaped = [[f"'{cell}" if escape and risky(cell) else cell for cell in column] for column in columns]
    assert [got[name].to_list() for name in names] == escaped


def test_summarize_escapes_patient_ids_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fills = tmp_path / "fills.csv"
    fills.write_text(
        "patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n"
        "=cmd|' /C calc'!A0,2024-01-01,oxycodone,10,mg,120,30\n"
        "b,2024-01-01,oxycodone,10,mg,120,30\n"
    )
    code, text = run("summarize", str(fills), "--start", "2024-01-01", "--end", "2024-01-30", "--escape-formulas")
    assert code == 0
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["'=cmd|' /C calc'!A0", "b"]
    assert "CR): 1, written with a leading '" in capsys.readouterr().err


def test_without_the_cli_extra_one_line_says_how_to_install_it(
    claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["cli"]
    line = "python -m pip install " + " ".join(f'"{r}"' for r in extra)
    monkeypatch.setitem(sys.modules, "polars", None)
    err = fails(["batch", str(claims), "-o", str(claims.parent / "out.csv")], capsys, 1, "polars", line)
    assert err.rstrip().endswith(line)
    for command in ("batch", "summarize"):
        with pytest.raises(SystemExit) as help_exit, contextlib.redirect_stdout(io.StringIO()) as help_:
            build_parser().parse_args([command, "--help"])
        assert help_exit.value.code == 0
        assert '"mme[cli]"' in " ".join(help_.getvalue().split())


def test_the_process_command_line_leaves_what_it_imported_out_of_the_collector_scans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run as the process's own command (no arguments given: the entry point), `main` freezes the objects alive
    so far, which the process keeps until it exits; called with arguments (from Python), it leaves the collector
    alone."""
    import gc

    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    monkeypatch.setattr(sys, "argv", ["mme", "tables"])
    with contextlib.redirect_stdout(io.StringIO()):
        assert main() == 0
    assert frozen == [1]
    assert run("tables")[0] == 0
    assert frozen == [1]


def test_an_unexpected_error_is_one_line_and_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mme._cli

    def bug(*_: object) -> int:
        raise RecursionError("maximum recursion depth exceeded\n" + "x" * 10_000)

    monkeypatch.setattr(mme._cli, "_tables", bug)
    err = fails(["tables"], capsys, mme._cli.INTERNAL_ERROR, "internal error (RecursionError")
    assert len(err) < 400


_CELLS = st.one_of(
    st.sampled_from(["oxycodone", "fentanyl", "Butrans", "unobtainium", "mg", "mcg/h", "mg/mL", "kg", "10", "0"]),
    st.sampled_from(["-1", "1e308", "1e-320", "nan", "inf", "ten", "", " ", "1,5", "=1+1", "@x", "\t", '"', "é"]),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(*[_CELLS] * 6), max_size=6), escape=st.booleans())
def test_batch_of_random_cells_gives_numbers_or_reasons(
    rows: list[tuple[str, ...]], escape: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever the cells: exit 0, 1 or 2, one line per problem and no traceback; a written MME/day is finite
    and above 0, or missing with its reason."""
    import polars as pl

    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    with src.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["drug", "strength", "strength_unit", "quantity", "days_supply", "note"])
        writer.writerows(rows)
    dst.unlink(missing_ok=True)
    code, _ = run("batch", str(src), "-o", str(dst), *(["--escape-formulas"] if escape else []))
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code:
        assert len(err.splitlines()) == 1, err
        assert not dst.exists()
        return
    out = pl.read_csv(dst, infer_schema=False)
    assert len(out) == len(rows)
    for value, reason, excluded in out.select("mme_per_day", "mme_error", "mme_excluded").iter_rows():
        if value is None:
            assert reason or excluded, err
        else:
            assert math.isfinite(float(value)), (value, err)
            assert float(value) > 0, (value, err)


_FILE_OPTIONS = st.lists(
    st.one_of(
        st.sampled_from(["--quiet", "--escape-formulas", "--text-strength", "--no-clip", "--help", "-o", "--nope"]),
        st.tuples(
            st.sampled_from(["-o", "--chunk-size", "--encoding", "--table", "--drug-col", "--start", "--end"]),
            st.sampled_from(["out.csv", "out.parquet", "out.xlsx", "in.csv", "missing/o.csv", ".", "0", "-1", "2"]),
        ).map(list),
        st.tuples(st.sampled_from(["--encoding", "--chunk-size", "--start", "-o"]), st.text(max_size=8)).map(list),
    ),
    max_size=5,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["batch", "summarize"]), options=_FILE_OPTIONS)
def test_file_commands_with_random_arguments_never_show_a_traceback(
    command: str, options: list[str | list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    Path("in.csv").write_text(CLAIMS)
    argv = [command, "in.csv", *(o for part in options for o in ([part] if isinstance(part, str) else part))]
    with contextlib.redirect_stdout(io.StringIO()):
        code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    assert Path("in.csv").read_text() == CLAIMS
    if code == 1:
        assert len(err.splitlines()) == 1, err


def test_summarize_prints_the_reasons_of_failed_fills(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import polars as pl

    fills = tmp_path / "fills.csv"
    fills.write_text(
        "patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n"
        "a,2024-01-01,oxycodone,10,mg,120,30\nb,2024-01-01,bogus,10,mg,120,30\n"
    )
    out = tmp_path / "s.csv"
    code, _ = run("summarize", str(fills), "--start", "2024-01-01", "--end", "2024-01-30", "-o", str(out))
    err = capsys.readouterr().err
    assert code == 0
    assert "1 patient(s) with a failed fill (no totals): unknown drug 'bogus'" in err
    assert "1 failed" in err.splitlines()[-1]
    summary = pl.read_csv(out).sort("patient_id")
    assert summary["total_mme"].to_list() == [1800.0, None]  # 10 mg x 120 x 1.5 in the window; b has no total
    code, _ = run(
        "summarize", str(fills), "--start", "2024-01-01", "--end", "2024-01-30", "--drop-failed", "-o", str(out)
    )
    assert code == 0
    assert (
        "1 patient(s) with a failed fill (left out; no totals where no other fill counts): unknown drug 'bogus'"
        in capsys.readouterr().err
    )
    dropped = pl.read_csv(out).sort("patient_id")
    assert dropped["n_failed"].to_list() == [0, 1]
    assert dropped["total_mme"].to_list() == [1800.0, None]  # b's only fill left out: unknown, not 0 (was 0.0)


class _Full(io.StringIO):
    """Standard output on a full disk (`> /dev/full`)."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_standard_output_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "oxycodone 10 mg q6h"], out=_Full()) == 1
    err = capsys.readouterr().err
    assert err == "mme convert: error: No space left on device\n"


# -- batch streams: a chunk at a time, the same output as the whole file at once -----------------------------

# Rows by tens, so that with --chunk-size 10 one chunk converts every row, one fails every row, one has only
# excluded rows, and the others mix them: each chunk's result columns must keep one type and one layout.
_STREAM_ROWS = (
    ["oxycodone,10,mg,120,30,plain"] * 10
    + ["unobtainium,5,mg,10,10,", "oxycodone,-1,mg,10,10,", "oxycodone,,mg,10,10,", "morphine,30,mg,60,0,"] * 2
    + ["oxycodone,10,mg,120,-5,", "oxycodone,10,mg,0,30,"]
    + ["buprenorphine,2,mg,30,30,=1+1"] * 10
    + ["fentanyl,25,mcg/h,10,30,@x", "hydromorphone,2,mg,120,30,", "Butrans,10,mcg/h,4,28,", ",5,mg,1,1,"] * 7
)
_STREAM_CSV = "rx,drug,strength,strength_unit,quantity,days_supply,note\n" + "".join(
    f"{i},{row}\n" for i, row in enumerate(_STREAM_ROWS)
)


def _stream_input(folder: Path, suffix: str) -> Path:
    import polars as pl

    path = folder / "claims.csv"
    path.write_text(_STREAM_CSV)
    if suffix == ".parquet":
        pl.read_csv(path).write_parquet(path := folder / "claims.parquet")
    return path


def _read_output(path: Path) -> Any:
    import polars as pl

    return pl.read_csv(path) if path.suffix == ".csv" else pl.read_parquet(path)


@pytest.mark.parametrize("source", [".csv", ".parquet"])
@pytest.mark.parametrize("target", [".csv", ".parquet"])
def test_batch_in_chunks_writes_what_the_whole_file_gives(
    source: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Chunks of 10 and of 7 rows give what the whole file in one chunk gives, which is what
    `mme.frames.dispensing_mme` gives for the whole file read at once: the same bytes (CSV) or frame and types
    (Parquet), rows in input order, bad cells as failed rows, and the same summary."""
    import polars as pl

    import mme.frames

    src, out = _stream_input(tmp_path, source), tmp_path / f"out{target}"
    written: list[Any] = []
    summaries: list[str] = []
    for size in (len(_STREAM_ROWS), 10, 7):
        code, _ = run("batch", str(src), "-o", str(out), "--chunk-size", str(size), "--quiet")
        summaries.append(capsys.readouterr().err)
        assert code == 0, summaries[-1]
        written.append(out.read_bytes() if target == ".csv" else _read_output(out))
    assert summaries[0] == summaries[1] == summaries[2]
    # 10 + 14 fentanyl and hydromorphone rows convert; 10 + 7 buprenorphine (Butrans) are excluded; 8 + 2 bad
    # cells and 7 missing drugs fail
    assert "58 rows: 24 converted, 17 excluded, 17 failed, 0 with warnings" in summaries[0]
    whole = mme.frames.dispensing_mme(  # a CSV's cells are read as text, as written
        pl.read_csv(src, infer_schema=False) if source == ".csv" else pl.read_parquet(src)
    )
    if target == ".csv":
        assert written[0] == written[1] == written[2] == whole.write_csv().encode()
    else:
        assert all(frame.equals(whole) and frame.schema == whole.schema for frame in written)
    got = _read_output(out)
    assert [int(rx) for rx in got["rx"]] == list(range(len(_STREAM_ROWS)))  # text, from a CSV
    no_reason = pl.col("mme_error").is_null() & pl.col("mme_excluded").is_null()
    assert got.filter(pl.col("mme_per_day").is_null() & no_reason).is_empty()


def test_batch_reads_converts_and_writes_a_chunk_at_a_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk reaches the conversion alone, and the chunks before the one being written meanwhile are already in
    the output file by then: memory holds two chunks, not the file. The progress line counts the chunks."""
    import mme.frames

    convert = mme.frames.dispensing_mme
    seen: list[tuple[int, int]] = []  # (rows converted, bytes already written), one per call

    def counted(frame: Any, **options: Any) -> Any:
        written = sum(p.stat().st_size for p in tmp_path.glob(".out.csv.*"))
        seen.append((len(frame), written))
        return convert(frame, **options)

    monkeypatch.setattr(mme.frames, "dispensing_mme", counted)
    src = _stream_input(tmp_path, ".csv")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _ = run("batch", str(src), "-o", str(tmp_path / "out.csv"), "--chunk-size", "10")
    err = capsys.readouterr().err
    assert code == 0, err
    assert [rows for rows, _ in seen] == [10, 10, 10, 10, 10, 8]
    written = [size for _, size in seen]
    assert written[0] == 0
    assert all(before < after for before, after in zip(written, written[2:], strict=False)), written
    assert "\rmme batch: 10/58 rows (17%)" in err
    assert "\rmme batch: 58/58 rows (100%)\n" in err


def test_blank_rows_of_a_csv_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Blank lines (and lines of separators alone) were rows of nulls: 4 failed rows "drug is missing" and 4 empty
    rows in batch's output, a patient of no id in summarize's. They are skipped and counted, as `mme.taper` skips
    them."""
    import polars as pl

    src = tmp_path / "fills.csv"
    src.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n\n"
                   "p1,2024-01-01,oxycodone,10,mg,120,30\n\n,,,,,,\n\r\n")  # fmt: skip
    out = tmp_path / "out.csv"
    assert run("batch", str(src), "-o", str(out))[0] == 0
    assert capsys.readouterr().err.endswith(
        f"mme batch: 1 rows: 1 converted, 0 excluded, 0 failed, 0 with warnings, 4 blank row(s) skipped -> {out}\n"
    )
    assert pl.read_csv(out)["mme_per_day"].to_list() == [60.0]
    code, text = run("summarize", str(src), "--start", "2024-01-01", "--end", "2024-01-30")
    assert (code, [line.split(",")[0] for line in text.splitlines()]) == (0, ["patient_id", "p1"])
    assert capsys.readouterr().err == (
        "mme summarize: 1 patients, 1 rows, 0 failed, 0 excluded in the window, 4 blank row(s) skipped\n"
    )
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patient_id,timepoint,mme_per_day\n\na,t0,90\n,,\n")
    from mme import taper

    assert [r.patient_id for r in taper.read_csv(cohort)] == ["a"]


def test_rows_of_spaces_or_quoted_empty_cells_are_blank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A line of one space failed ("drug is missing") and a line of quoted empty cells was "unknown drug ''" in
    batch; in summarize both were a patient of no id ("3 patients" for 2). A row is blank when every cell is empty
    once trimmed; a row with one value is a row."""
    import polars as pl

    src = tmp_path / "fills.csv"
    src.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n \n"
                   'p1,2024-01-01,oxycodone,10,mg,120,30\n"","","","","","",""\n \t, ,"  ",,,,\n'
                   "p2,2024-01-01,oxycodone,10,mg,60,30\n")  # fmt: skip
    out = tmp_path / "out.csv"
    assert run("batch", str(src), "-o", str(out))[0] == 0
    assert capsys.readouterr().err.endswith(
        f"mme batch: 2 rows: 2 converted, 0 excluded, 0 failed, 0 with warnings, 3 blank row(s) skipped -> {out}\n"
    )
    assert pl.read_csv(out)["mme_per_day"].to_list() == [60.0, 30.0]
    code, text = run("summarize", str(src), "--start", "2024-01-01", "--end", "2024-01-30")
    assert (code, [line.split(",")[0] for line in text.splitlines()]) == (0, ["patient_id", "p1", "p2"])
    assert capsys.readouterr().err == (
        "mme summarize: 2 patients, 2 rows, 0 failed, 0 excluded in the window, 3 blank row(s) skipped\n"
    )
    src.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n ,,, ,,,30\n")
    assert run("batch", str(src), "-o", str(out))[0] == 0  # a value: a row, failed with its reason
    assert "1 failed" in capsys.readouterr().err
    cohort = tmp_path / "cohort.csv"  # the rule `mme.taper` reads by
    cohort.write_text('patient_id,timepoint,mme_per_day\n \na,t0,90\n"","",""\n , ,\t\n')
    from mme import taper

    assert [r.patient_id for r in taper.read_csv(cohort)] == ["a"]


_BLANK_TEXT = st.one_of(st.none(), st.text(st.sampled_from(" \t\u00a0\u3000!~\x7f\u00e9a0"), max_size=3))


_FULL_TEXT = st.text(st.sampled_from(" \u00a0!~\x7fa0"), max_size=2)  # never null
_PRINTABLE_FIRST = _FULL_TEXT.filter(lambda text: text[:1] in tuple("!~a0"))


@settings(max_examples=300, deadline=None)
@given(
    first=st.one_of(
        *(st.lists(cells, min_size=4, max_size=4) for cells in (_BLANK_TEXT, _FULL_TEXT, _PRINTABLE_FIRST))
    ),
    others=st.lists(st.lists(_BLANK_TEXT, min_size=4, max_size=4), max_size=2),
)
def test_a_chunk_loses_exactly_its_rows_whose_cells_are_all_spaces_or_empty(
    first: list[str | None], others: list[list[str | None]]
) -> None:
    """Whichever test settles a chunk (its first column alone, a comparison per cell, or the search), the rows kept
    are those with a cell that holds something other than spaces, in order, and the others are counted."""
    import polars as pl

    from mme._cli import _without_blank_rows

    columns = [first, *others]
    names = [f"c{i}" for i in range(len(columns))]
    chunk = pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String))
    rows = list(zip(*columns, strict=True))
    valued = [row for row in rows if any(cell is not None and cell.strip() for cell in row)]
    kept, blank = _without_blank_rows(chunk, "fills.csv")
    assert (kept.rows(), blank) == (valued, len(rows) - len(valued))


def test_a_row_is_blank_by_unicode_spaces_and_a_value_may_begin_with_any_other_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows whose cells begin with a space, a letter beyond ASCII, "~" or DEL hold values, and a row of spaces (no-break,
    ideographic and em spaces too) is blank: alone in a file, among rows of plain cells, and in chunks of one row."""
    import polars as pl

    header = "id,drug,strength,strength_unit,quantity,days_supply\n"
    valued = [" 1, oxycodone,10,mg,120,30", "\u00e92,\u00e9,,,,", "~3,,,,,", "\x7f,,,,,"]
    blank = ["\u00a0,\u3000,,,,", '"\u2003\t",,,,,', "  ,  ,,,,"]
    src, out = tmp_path / "fills.csv", tmp_path / "out.csv"
    for lines, chunks in ((valued, []), ([*valued, *blank], []), ([*blank, *valued], ["--chunk-size", "1"])):
        src.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        assert run("batch", str(src), "-o", str(out), *chunks)[0] == 0
        skipped = f", {len(lines) - len(valued)} blank row(s) skipped" if len(lines) > len(valued) else ""
        assert capsys.readouterr().err.endswith(
            f"4 rows: 1 converted, 0 excluded, 3 failed, 0 with warnings{skipped} -> {out}\n"
        )
        assert pl.read_csv(out, infer_schema=False)["id"].to_list() == [" 1", "\u00e92", "~3", "\x7f"]


def test_result_columns_in_the_input_are_said_to_be_replaced(claims: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A re-run on batch's own output replaced its mme_per_day (999 became 60.0) without a word."""
    import polars as pl

    rerun = claims.parent / "rerun.csv"
    pl.read_csv(claims).with_columns(mme_per_day=pl.lit(999), mme_error=pl.lit("x")).write_csv(rerun)
    out = claims.parent / "out.csv"
    assert run("batch", str(rerun), "-o", str(out))[0] == 0
    err = capsys.readouterr().err
    assert err.startswith("mme batch: the input's columns mme_per_day, mme_error are replaced by this run's\n")
    assert pl.read_csv(out)["mme_per_day"].to_list()[0] == 60.0
    assert run("batch", str(claims), "-o", str(out))[0] == 0
    assert "replaced" not in capsys.readouterr().err


def test_the_progress_line_is_for_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written to a log, the progress line was a "\\r" update per chunk (300 for 300,000 rows by 1,000)."""
    src = _stream_input(tmp_path, ".csv")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert run("batch", str(src), "-o", str(tmp_path / "out.csv"), "--chunk-size", "10")[0] == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines()[-1].startswith("mme batch: 58 rows: ")


@pytest.mark.parametrize("target", [".csv", ".parquet"])
def test_a_batch_that_fails_midway_leaves_no_output(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after some chunks are written (here the disk fills up at the third) leaves no output file, not
    the chunks before it."""
    import mme.frames

    convert, calls = mme.frames.dispensing_mme, itertools.count(1)

    def full_at_the_third(frame: Any, **options: Any) -> Any:
        if next(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return convert(frame, **options)

    monkeypatch.setattr(mme.frames, "dispensing_mme", full_at_the_third)
    src = _stream_input(tmp_path, ".csv")
    fails(["batch", str(src), "-o", str(tmp_path / f"out{target}"), "--chunk-size", "10", "--quiet"], capsys, 1,
          "No space left on device")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv"]


@pytest.mark.parametrize("target", [".csv", ".parquet", "-"])
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGQUIT"])
def test_sigterm_during_a_batch_leaves_no_output_as_ctrl_c_does(
    name: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (`kill`, `timeout`, a container stopping) ended the process where it was: the partial temporary
    file stayed beside the target (95 MB in the report). It is now handled as Ctrl-C: removed, exit 143. So are
    SIGHUP (a terminal closed, an ssh session dropped: exit 129) and SIGQUIT (131), which left the file too."""
    import signal

    import mme.frames

    if not hasattr(signal, name):  # pragma: no cover - Windows has no SIGHUP or SIGQUIT
        pytest.skip(f"no {name} here")
    number = getattr(signal, name)
    convert, calls = mme.frames.dispensing_mme, itertools.count(1)

    def terminated_at_the_third(frame: Any, **options: Any) -> Any:
        if next(calls) == 3:
            os.kill(os.getpid(), number)
        return convert(frame, **options)

    monkeypatch.setattr(mme.frames, "dispensing_mme", terminated_at_the_third)
    src = _stream_input(tmp_path, ".csv")
    output = target if target == "-" else str(tmp_path / f"out{target}")
    ignored: list[int] = []

    def caller(number: int, _: object) -> None:  # a program's own handler, around the call
        ignored.append(number)

    before = signal.signal(number, caller)
    try:
        code, _ = run("batch", str(src), "-o", output, "--chunk-size", "10", "--quiet")
        assert signal.getsignal(number) is caller  # the caller's handler again
    finally:
        signal.signal(number, before)
    assert (code, capsys.readouterr().err, ignored) == (128 + number, "mme batch: terminated\n", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv"]


def test_a_signal_the_caller_ignores_stays_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nohup mme batch ...` ignores SIGHUP so that the run outlives its terminal: the command keeps it ignored."""
    import signal

    import mme.frames

    hup = getattr(signal, "SIGHUP", None)
    if hup is None:  # pragma: no cover - Windows
        pytest.skip("no SIGHUP here")
    convert = mme.frames.dispensing_mme

    def hung_up(frame: Any, **options: Any) -> Any:
        os.kill(os.getpid(), hup)
        return convert(frame, **options)

    monkeypatch.setattr(mme.frames, "dispensing_mme", hung_up)
    before = signal.signal(hup, signal.SIG_IGN)
    try:
        code, _ = run("batch", str(_stream_input(tmp_path, ".csv")), "-o", str(tmp_path / "o.csv"), "--quiet")
        assert signal.getsignal(hup) == signal.SIG_IGN
    finally:
        signal.signal(hup, before)
    assert code == 0
    assert (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("failing", [1, 2, 6])
def test_a_chunk_that_fails_to_be_written_while_the_next_is_converted_leaves_no_output(
    failing: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV chunk is written while the next is converted: the disk filling up as the first, a middle or the last
    one is written gives the same refusal as in the foreground, and no output file."""
    import polars as pl

    write, calls = pl.DataFrame.write_csv, itertools.count(1)

    def full(frame: Any, *args: Any, **kwargs: Any) -> Any:
        if next(calls) == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(frame, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    src = _stream_input(tmp_path, ".csv")
    fails(["batch", str(src), "-o", str(tmp_path / "out.csv"), "--chunk-size", "10", "--quiet"], capsys, 1,
          "No space left on device")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv"]
    assert next(calls) == failing + 1  # no chunk is written after the one that failed


def test_a_csv_output_is_synced_to_disk_a_chunk_at_a_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk is synced once written, so that the sync of the whole file, before it is renamed into place,
    waits for the last one only."""
    synced: list[int] = []
    sync = os.fsync

    def counted(fd: int) -> None:
        synced.append(os.fstat(fd).st_size)
        sync(fd)

    monkeypatch.setattr(os, "fsync", counted)
    src = _stream_input(tmp_path, ".csv")
    code, _ = run("batch", str(src), "-o", str(tmp_path / "out.csv"), "--chunk-size", "10", "--quiet")
    assert code == 0, capsys.readouterr().err
    assert len(synced) == 6 + 1  # 58 rows: 6 chunks, then the whole file
    assert all(before < after for before, after in itertools.pairwise(synced[:-1]))
    assert synced[-2] == synced[-1] == (tmp_path / "out.csv").stat().st_size


def test_batch_of_a_file_with_a_header_and_no_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "claims.csv"
    src.write_text(_STREAM_CSV.splitlines()[0] + "\n")
    for target in ("out.csv", "out.parquet"):
        assert run("batch", str(src), "-o", str(tmp_path / target))[0] == 0
        assert "0 rows: 0 converted" in capsys.readouterr().err
        out = _read_output(tmp_path / target)
        assert out.columns[:7] == ["rx", "drug", "strength", "strength_unit", "quantity", "days_supply", "note"]
        assert "mme_per_day" in out.columns
        assert len(out) == 0


def test_a_bad_byte_far_into_a_file_is_reported_where_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV in another encoding is decoded a block at a time: the offset reported is the file's, past the first
    block."""
    src = tmp_path / "claims.csv"
    head = _STREAM_CSV.encode()
    filler = b"1,oxycodone,10,mg,120,30,plain\n" * ((1_500_000 - len(head)) // 31 + 1)
    src.write_bytes(head + filler + b"2,oxycodone,10,mg,120,30,p\xe2te\n")
    where = len(head) + len(filler) + len(b"2,oxycodone,10,mg,120,30,p")
    assert where > 1 << 20
    fails(["batch", str(src), "-o", str(tmp_path / "out.csv"), "--encoding", "ascii"], capsys, 1,
          f"not ascii text (ordinal not in range(128) at byte {where})")  # fmt: skip
    assert not (tmp_path / "out.csv").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(*[_CELLS] * 6), max_size=12), size=st.integers(1, 13))
def test_batch_gives_the_same_run_whatever_the_chunk_size(
    rows: list[tuple[str, ...]], size: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever the cells and the chunk size: the exit status, the output file and the summary of a run in chunks
    are those of the run in one chunk (a refused run's message may count what it saw in the chunk that failed)."""
    src = tmp_path / "in.csv"
    with src.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["drug", "strength", "strength_unit", "quantity", "days_supply", "note"])
        writer.writerows(rows)
    runs = []
    for chunk_size in (len(rows) + 1, size):
        out = tmp_path / "out.csv"
        out.unlink(missing_ok=True)
        code, _ = run("batch", str(src), "-o", str(out), "--chunk-size", str(chunk_size), "--quiet")
        err = capsys.readouterr().err
        runs.append((code, out.read_bytes() if out.exists() else None, err if code == 0 else None))
    assert runs[0] == runs[1]


def test_a_bad_cell_far_down_a_csv_fails_its_row_not_the_run(tmp_path: Path) -> None:
    """Was: Polars guessed the columns' types from the first 100 rows, and 'ten' on row 301 stopped the run."""
    source = tmp_path / "late.csv"
    good = "oxycodone,10,mg,120,30\n"
    header = "drug,strength,strength_unit,quantity,days_supply\n"
    source.write_text(header + good * 300 + "oxycodone,ten,mg,120,30\noxycodone,10,kg,120,30\n")
    out = tmp_path / "out.csv"
    code, _ = run("batch", str(source), "-o", str(out), "--quiet")
    assert code == 0
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["mme_per_day"] for r in rows[-3:]] == ["60.0", "", ""]
    assert rows[-2]["mme_error"] == "strength must be a positive finite number"
    assert rows[-1]["mme_error"].startswith("unknown unit 'kg'")


@pytest.mark.parametrize("source", [".csv", ".parquet"])
def test_batch_to_stdout_writes_what_a_csv_file_gets(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o -` writes the CSV to stdout, chunk by chunk, the same bytes a file gets; the summary stays on stderr."""
    src, out = _stream_input(tmp_path, source), tmp_path / "out.csv"
    code, _ = run("batch", str(src), "-o", str(out), "--chunk-size", "7", "--quiet", "--escape-formulas")
    to_file = capsys.readouterr().err
    assert code == 0
    code, printed = run("batch", str(src), "-o", "-", "--chunk-size", "7", "--quiet", "--escape-formulas")
    assert code == 0
    assert printed.encode() == out.read_bytes()
    assert capsys.readouterr().err == to_file.replace(f" -> {out}", "")


def test_summarize_to_stdout_with_a_dash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fills = tmp_path / "fills.csv"
    fills.write_text("patient_id,fill_date,drug,strength,strength_unit,quantity,days_supply\n"
                     "a,2024-01-01,oxycodone,10,mg,120,30\n")  # fmt: skip
    window = ["--start", "2024-01-01", "--end", "2024-01-30"]
    assert run("summarize", str(fills), *window, "-o", "-") == run("summarize", str(fills), *window)
    assert not (tmp_path / "-").exists()


def test_batch_to_a_pipe_closed_early_stops_quietly(tmp_path: Path) -> None:
    """`mme batch big.csv -o - | head -1`: the reader leaves; the command stops, saying nothing more."""
    src = tmp_path / "big.csv"
    src.write_text("drug,strength,strength_unit,quantity,days_supply\n" + "oxycodone,5,mg,120,30\n" * 20_000)
    command = [sys.executable, "-m", "mme", "batch", str(src), "-o", "-", "--chunk-size", "500", "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(b"drug,strength")
        process.stdout.close()
        assert process.stderr is not None
        err = process.stderr.read().decode()
    assert process.returncode == 1
    assert err == ""


@pytest.mark.parametrize(
    "content",
    [
        {"format": 1, "products": {}},  # no rxnorm_date
        {"format": 1, "rxnorm_date": "2020-01-01", "products": {"1049621": ["x"]}},  # a row of another length
        {"format": 1, "rxnorm_date": "2020-01-01", "products": {"1049621": ["x", "1", "Nowhere", None, None, [], ""]}},
    ],
)
def test_a_malformed_rxnorm_file_is_a_clear_error_not_an_internal_one(
    content: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Were "internal error (KeyError: 'rxnorm_date')" and "(ValueError: not enough values to unpack...)", exit 70."""
    path = tmp_path / "rx.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    err = fails(["convert", "--rxcui", "1049621", "1 tab q6h", "--rxnorm", str(path)], capsys, 1, str(path))
    assert "rebuild it with `mme rxnorm build`" in err
    assert "internal error" not in err
    assert "Error" not in err  # no exception class named


def test_ndc_refusals_in_a_file_say_what_to_do_in_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed NDC was "unknown NDC 'abc': not an NDC: 'abc'; ...", and an ambiguous one advised passing an int,
    which a file's column (read as text) cannot be."""
    ndc_file = tmp_path / "ndc.csv"
    ndc_file.write_text(
        "NDC,NDC_Numeric,PRODNME,GENNME,Master_Form,Class,Drug,LongShortActing,DEAClassCode,Strength_Per_Unit,UOM,"
        'MME_Conversion_Factor\n00093002401,93002401,OXYCODONE HCL,Oxycodone Hydrochloride,"Tablet, Extended '
        'Release",Opioid,Oxycodone LA,LA,2,10,MG,1.5\n'
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "patient_id,fill_date,ndc,quantity,days_supply\n1,2024-01-01,abc,1,1\n2,2024-01-01,0009300240,1,1\n"
        "3,2024-01-01,00093002401,60,30\n"
    )
    said = [
        "not an NDC: 'abc'; give the 11-digit NDC",
        "ambiguous NDC '0009300240': 10 digits without hyphens could be 4-4-2, 5-3-2 or 5-4-1; give the 11-digit NDC "
        "(00002035102, or 00002-0351-02), or the 10-digit NDC with its hyphens in 4-4-2, 5-3-2 or 5-4-1 layout "
        "(0002-0351-02). (If it is an 11-digit NDC that lost its leading zero in a column of numbers, write the zero in "
        "the file.)",
    ]
    code, out = run("batch", str(claims), "-o", "-", "--ndc-col", "ndc", "--ndc-file", str(ndc_file))
    import polars as pl

    frame = pl.read_csv(io.StringIO(out))
    assert code == 0
    assert frame["mme_error"].to_list()[0].startswith(said[0])
    assert frame["mme_error"].to_list()[1:] == [said[1], None]
    assert frame["mme_per_day"].to_list()[2] == 30
    assert "unknown NDC" not in capsys.readouterr().err
    window = ["--start", "2024-01-01", "--end", "2024-01-31"]
    code, out = run("summarize", str(claims), "-o", "-", *window, "--ndc-col", "ndc", "--ndc-file", str(ndc_file))
    reasons = pl.read_csv(io.StringIO(out))["failed_reason"].to_list()
    assert reasons[1] == said[1]
    assert "passed as an int" not in out
    with pytest.raises(mme.NdcError, match=re.escape("(An 11-digit NDC stored as a number that lost its leading")):
        mme.normalize_ndc("0009300240")  # the API's caller can pass the int


def test_summarize_and_taper_warn_of_ids_that_look_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV's ids are text: two cells "NaN" were one patient "NaN" of 120 MME/day, silently. They still are (a text
    id is an id), with a warning naming them; an empty cell fails its row."""
    import polars as pl

    path, out = tmp_path / "fills.csv", tmp_path / "out.csv"
    fill = "oxycodone,10,mg,120,30,2024-01-0"
    rows = [f"NaN,{fill}1", f"NaN,{fill}2", f" nan ,{fill}2", f"1,{fill}2", f",{fill}2", f"Nancy,{fill}2"]
    path.write_text("patient_id,drug,strength,strength_unit,quantity,days_supply,fill_date\n" + "\n".join(rows) + "\n")
    assert run("summarize", str(path), "--start", "2024-01-01", "--end", "2024-01-31", "-o", str(out))[0] == 0
    err = capsys.readouterr().err
    assert err.startswith(
        "mme summarize: warning: 3 row(s) have a patient_id that looks like a missing value written as text: "
        "' nan ' (1), 'NaN' (2); each is counted as the patient of that name: if the ids are missing, leave the cells "
        "empty (their rows fail)\n"
    )
    result = {r["patient_id"]: r for r in pl.read_csv(out, infer_schema=False).to_dicts()}
    assert (result["NaN"]["max_daily_mme"], result[None]["failed_reason"]) == ("120.0", "patient_id is missing")
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patient_id,timepoint,mme_per_day\nNA,t0,10\nNA,t1,5\nnull,t0,100\n1,t0,100\n1,t1,50\n")
    assert run("taper", str(cohort), "--timepoints", "t0,t1")[0] == 0
    assert capsys.readouterr().err.startswith(
        f"mme taper: warning: {cohort}: 3 row(s) have a patient_id that looks like a missing value written as text: "
        "'NA' (2), 'null' (1); each"
    )
    with pytest.warns(mme.MMEWarning, match=r"3 row\(s\) have a patient_id that looks like a missing value"):
        mme.taper.read_csv(cohort)

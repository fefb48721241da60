"""The set-up of mutation testing (scripts/mutation.py, [tool.mutmut] in pyproject.toml) works before a long run.

mutmut first collects and runs the core tests with its own pytest options; a failure there ends the run with
no verdict, after minutes of copying. These tests check that step's preconditions in seconds.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mme
from mme import _tables

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]


def test_the_core_tests_collect_with_mutmuts_pytest_options() -> None:
    """Regression: with test-id escaping off, a bytes parameter (tests/test_tables.py) failed the collection."""
    selection = MUTMUT["pytest_add_cli_args_test_selection"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *MUTMUT["pytest_add_cli_args"], *selection],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "test_a_table_argument_of_the_wrong_type_is_a_typed_error[cdc-2022]" in run.stdout  # the bytes one
    assert {line.partition("::")[0] for line in run.stdout.splitlines() if "::" in line} == set(selection)


def test_the_mutation_plugin_empties_the_caches_before_each_test(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("mutation_fresh_caches", ROOT / "scripts/mutation_fresh_caches.py")
    assert spec is not None
    assert spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    mme.get_table("cdc-2016")
    assert _tables._shipped_table.cache_info().currsize > 0
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    plugin.pytest_runtest_setup(item=None)
    assert _tables._shipped_table.cache_info().currsize == 0


def test_a_run_restricted_by_patterns_re_tests_only_their_survivors(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--rerun-survivors` with patterns re-tested every survivor of the core (hours), not those of the function named."""
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts" / "mutation.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "mutation_script", script)  # its dataclasses look their module up
    spec.loader.exec_module(script)
    names = ["mme._parse.x_cap_at__mutmut_2", "mme._engine.x_total__mutmut_1", "mme._parse.x_cap_at__mutmut_10"]
    assert script.matching(names, ["mme._parse.x_cap_at__mutmut_*"]) == [names[2], names[0]]
    assert script.matching(names, []) == sorted(names)

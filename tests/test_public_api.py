"""The public surface is small, explicit and pinned."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import mme

PUBLIC = {
    "AmbiguousDoseError", "ArgumentTypeError", "CDC_THRESHOLDS", "DEFAULT_TABLE", "DailyMME", "DoseError", "Example", "Exclusion",
    "ExpressionError", "FactorRow", "IMPLAUSIBLE_MME_PER_DAY", "ImplausibleDoseWarning", "MMEError", "MMEWarning",
    "MixedTablesError", "NotCoveredError", "Table", "TableError", "TablesNotFoundError", "Tier", "Total", "UnitError",
    "UnknownDrugError", "UnknownTableError", "__version__", "convert", "daily_mme", "dispensing_mme", "get_table",
    "list_tables", "load_table", "thresholds_reached", "total",
    "NdcFile", "NdcProduct", "ndc_mme", "normalize_ndc", "read_ndc_file", "Dispensing", "ExcludedFill", "Exposure", "Summary", "exposure", "summarize", "summarize_by_patient",
}  # fmt: skip


def test_all_is_pinned() -> None:
    """Adding a public name is a decision: update PUBLIC with it (ruff's RUF022 keeps the order)."""
    assert set(mme.__all__) == PUBLIC
    assert len(mme.__all__) == len(PUBLIC)


def test_everything_exported_exists() -> None:
    for name in mme.__all__:
        assert hasattr(mme, name), name


def test_no_other_public_names() -> None:
    public = {n for n in dir(mme) if not n.startswith("_")}
    submodules = {m.name for m in pkgutil.iter_modules(mme.__path__) if not m.name.startswith("_")}
    assert public - set(mme.__all__) <= submodules


def test_modules_are_private_except_the_documented_ones() -> None:
    names = {m.name for m in pkgutil.iter_modules(mme.__path__)}
    assert {n for n in names if not n.startswith("_")} <= {"frames", "heal", "taper", "testing"}


def test_errors_share_one_base_and_a_builtin() -> None:
    for name in mme.__all__:
        obj = getattr(mme, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, mme.MMEError), name
            builtins = LookupError | ValueError | TypeError | FileNotFoundError
            assert obj is mme.MMEError or issubclass(obj, builtins), name


def test_default_table_is_a_named_constant() -> None:
    assert mme.DEFAULT_TABLE == "cdc-2022"
    assert mme.get_table(mme.DEFAULT_TABLE).slug == "cdc-2022"


def test_importing_mme_is_light() -> None:
    code = "import mme, sys; print(sorted(m for m in ('hypothesis', 'narwhals', 'scipy', 'matplotlib', 'pint') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["heal", "taper", "frames", "testing"])
def test_submodules_import(name: str) -> None:
    assert importlib.import_module(f"mme.{name}").__all__

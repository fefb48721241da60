"""The public surface is small, explicit and pinned."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import mme

PUBLIC = {
    "AmbiguousDoseError", "ArgumentTypeError", "CDC_THRESHOLDS", "DEFAULT_TABLE", "DailyMME", "DoseError", "Example", "Exclusion",
    "ExpressionError", "FactorRow", "IMPLAUSIBLE_MME_PER_DAY", "ImplausibleDoseWarning", "MMEError", "MMEWarning",
    "MixedTablesError", "NotCoveredError", "Table", "TableError", "TablesNotFoundError", "Tier", "Total", "UnitError",
    "UnknownDrugError", "UnknownRxCUIError", "UnknownTableError", "__version__", "convert", "daily_mme", "dispensing_mme",
    "get_table", "list_tables", "load_table", "thresholds_reached", "total", "clear_caches",
    "CohortError", "ColumnError", "NdcError", "UnknownTermError",
    "FailedFill", "NdcFile", "NdcProduct", "ndc_mme", "normalize_ndc", "read_ndc_file", "Dispensing", "ExcludedFill", "Exposure", "Summary", "exposure", "summarize", "summarize_by_patient",
}  # fmt: skip


def test_all_is_pinned() -> None:
    """Adding a public name is a decision: update PUBLIC with it (ruff's RUF022 keeps the order)."""
    assert set(mme.__all__) == PUBLIC
    assert len(mme.__all__) == len(PUBLIC)


def test_everything_exported_is_mme_s_own_and_documented() -> None:
    for name in mme.__all__:
        obj = getattr(mme, name)
        if callable(obj):
            assert obj.__module__.startswith("mme."), (
                name
            )  # defined in a private module, not re-exported from a dependency
            assert obj.__doc__, name


def test_no_other_public_names() -> None:
    public = {n for n in dir(mme) if not n.startswith("_")}
    submodules = {m.name for m in pkgutil.iter_modules(mme.__path__) if not m.name.startswith("_")}
    assert public - set(mme.__all__) <= submodules


def test_modules_are_private_except_the_documented_ones() -> None:
    names = {m.name for m in pkgutil.iter_modules(mme.__path__)}
    assert {n for n in names if not n.startswith("_")} <= {"fhir", "frames", "heal", "rxnorm", "taper", "testing"}


def test_errors_share_one_base_and_a_builtin() -> None:
    for name in mme.__all__:
        obj = getattr(mme, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, mme.MMEError), name
            builtins = LookupError | ValueError | TypeError | FileNotFoundError
            assert obj is mme.MMEError or issubclass(obj, builtins), name


def test_the_whole_error_tree_is_exported() -> None:
    """Every error and warning class of the library is reachable as `mme.<name>` (CohortError was only in mme.taper)."""
    import mme._errors

    classes = {name for name, obj in vars(mme._errors).items() if isinstance(obj, type) and issubclass(obj, Exception)}
    assert classes == set(mme._errors.__all__)
    assert classes <= set(mme.__all__)


def test_default_table_is_a_named_constant() -> None:
    assert mme.DEFAULT_TABLE == "cdc-2022"
    assert mme.get_table(mme.DEFAULT_TABLE).slug == "cdc-2022"


def test_importing_mme_is_light() -> None:
    code = "import mme, sys; print(sorted(m for m in ('hypothesis', 'narwhals', 'scipy', 'matplotlib', 'pint') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


SUBMODULES = {
    "heal": {"HealDefinitions", "HealMedication", "HealResult", "MEDICATIONS", "Medication", "MedicationMME", "TABLE",
             "calculate"},
    "taper": {"Category", "Cell", "Change", "CohortError", "CohortSummary", "Count", "DEFINITIONS", "Definition",
              "DoseMatrix", "PairedTest", "PatientDoses", "QUANTILE_METHOD", "Record", "RecordLike", "Rule", "SD_METHOD",
              "SYNTHETIC_LABEL", "TimepointSummary", "changes", "dose_matrix", "from_dispensings", "paired_tests",
              "plot_trajectories", "read_csv", "summarize_cohort", "synthetic_cohort"},
}  # fmt: skip


@pytest.mark.parametrize("name", ["heal", "taper", "frames", "testing", "rxnorm", "fhir"])
def test_submodules_import_and_export_what_they_define(name: str) -> None:
    module = importlib.import_module(f"mme.{name}")
    assert len(set(module.__all__)) == len(module.__all__)
    for attr in module.__all__:
        obj = getattr(module, attr)
        if isinstance(obj, type) or inspect.isfunction(obj):
            assert obj.__module__.startswith("mme."), attr
            assert obj.__doc__, attr


@pytest.mark.parametrize(("name", "public"), SUBMODULES.items())
def test_submodule_public_names_are_pinned(name: str, public: set[str]) -> None:
    """Splitting a module into private parts keeps its public names (mme.testing's are pinned in its tests)."""
    assert set(importlib.import_module(f"mme.{name}").__all__) == public


def test_importing_any_module_reads_no_table() -> None:
    """Tables are read when first used, never at import (the CLI's --help, `import mme.heal`...)."""
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        opened = []
        sys.addaudithook(lambda event, args: event == "open" and str(args[0]).endswith(".toml") and opened.append(str(args[0])))
        import mme
        names = sorted(m.name for m in pkgutil.walk_packages(mme.__path__, "mme.") if m.name != "mme.__main__")
        for name in names:
            importlib.import_module(name)
        print(len(names), opened)
        mme.get_table("cdc-2022")
        print(len(opened))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split("\n")
    modules, opened = out[0].split(" ", 1)
    assert int(modules) >= 15, "every module of mme was imported"
    assert opened == "[]", f"importing read {opened}"
    assert out[1] == "1", "the audit hook sees a table being read"


def test_claims_history_and_ndc_names_are_imported_on_first_use() -> None:
    """`import mme` leaves out the claims-history and NDC modules, which a one-off conversion never uses; their
    names still come from `mme`, as the very objects the modules define, and a name that is not exported fails."""
    code = (
        "import mme, sys; before = sorted(m for m in ('mme._history', 'mme._ndc') if m in sys.modules); "
        "from mme import Dispensing, read_ndc_file; import mme._history, mme._ndc; "
        "print(before, Dispensing is mme._history.Dispensing, read_ndc_file is mme._ndc.read_ndc_file)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["[]", "True", "True"]
    with pytest.raises(AttributeError, match="module 'mme' has no attribute 'normalise_ndc'"):
        mme.normalise_ndc  # noqa: B018

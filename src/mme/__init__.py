"""mme: opioid doses in morphine milligram equivalents (MME/day), from versioned, sourced tables.

    >>> import mme
    >>> mme.daily_mme("oxycodone", "10 mg", every="6 h").mme_per_day
    60.0
    >>> mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30, table="cdc-ndc-2018").mme_per_day
    60.0

MME estimates overdose risk; the factors are not a dosing tool for switching opioids.
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._caches import clear_caches
from ._engine import (
    CDC_THRESHOLDS,
    IMPLAUSIBLE_MME_PER_DAY,
    DailyMME,
    Total,
    convert,
    daily_mme,
    dispensing_mme,
    thresholds_reached,
    total,
)
from ._errors import (
    AmbiguousDoseError,
    ArgumentTypeError,
    CohortError,
    ColumnError,
    DoseError,
    ExpressionError,
    ImplausibleDoseWarning,
    MixedTablesError,
    MMEError,
    MMEWarning,
    NdcError,
    NotCoveredError,
    TableError,
    TablesNotFoundError,
    UnitError,
    UnknownDrugError,
    UnknownRxCUIError,
    UnknownTableError,
    UnknownTermError,
)
from ._tables import DEFAULT_TABLE, Example, Exclusion, FactorRow, Table, Tier, get_table, list_tables, load_table

if _TYPE_CHECKING:  # imported on first use, by `__getattr__`
    from ._history import (
        Dispensing,
        ExcludedFill,
        Exposure,
        FailedFill,
        Summary,
        exposure,
        summarize,
        summarize_by_patient,
    )
    from ._ndc import NdcFile, NdcProduct, ndc_mme, normalize_ndc, read_ndc_file

__version__ = "0.1.0"

__all__ = [
    "CDC_THRESHOLDS",
    "DEFAULT_TABLE",
    "IMPLAUSIBLE_MME_PER_DAY",
    "AmbiguousDoseError",
    "ArgumentTypeError",
    "CohortError",
    "ColumnError",
    "DailyMME",
    "Dispensing",
    "DoseError",
    "Example",
    "ExcludedFill",
    "Exclusion",
    "Exposure",
    "ExpressionError",
    "FactorRow",
    "FailedFill",
    "ImplausibleDoseWarning",
    "MMEError",
    "MMEWarning",
    "MixedTablesError",
    "NdcError",
    "NdcFile",
    "NdcProduct",
    "NotCoveredError",
    "Summary",
    "Table",
    "TableError",
    "TablesNotFoundError",
    "Tier",
    "Total",
    "UnitError",
    "UnknownDrugError",
    "UnknownRxCUIError",
    "UnknownTableError",
    "UnknownTermError",
    "__version__",
    "clear_caches",
    "convert",
    "daily_mme",
    "dispensing_mme",
    "exposure",
    "get_table",
    "list_tables",
    "load_table",
    "ndc_mme",
    "normalize_ndc",
    "read_ndc_file",
    "summarize",
    "summarize_by_patient",
    "thresholds_reached",
    "total",
]

#: Imported on first use of one of their names: a one-off conversion needs neither claims histories nor NDC files.
_ON_FIRST_USE = ("_history", "_ndc")


def __getattr__(name: str) -> object:
    for module in _ON_FIRST_USE if name in __all__ else ():
        found = _import_module(f"{__name__}.{module}")
        if name in found.__all__:
            globals()[name] = value = getattr(found, name)
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

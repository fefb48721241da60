"""The columns `mme.frames` writes, and the prefix of the temporary ones it uses on the way."""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw

MME_PER_DAY: Final = "mme_per_day"
MME_FACTOR: Final = "mme_factor"
MME_DAYS_SUPPLY: Final = "mme_days_supply"
MME_EXCLUDED: Final = "mme_excluded"
MME_ERROR: Final = "mme_error"
MME_WARNING: Final = "mme_warning"
#: Between two warnings of one row in `MME_WARNING`, in the order the result's ``warnings`` lists them.
WARNING_SEPARATOR: Final = " | "

#: The columns `dispensing_mme` adds, in order (`daily_mme` adds the same but the days supply).
DISPENSING_COLUMNS: Final = (MME_PER_DAY, MME_FACTOR, MME_DAYS_SUPPLY, MME_EXCLUDED, MME_ERROR, MME_WARNING)
REGIMEN_COLUMNS: Final = (MME_PER_DAY, MME_FACTOR, MME_EXCLUDED, MME_ERROR, MME_WARNING)

#: The columns `summarize` returns after the patient id, as in `mme.Summary`.
SUMMARY_COLUMNS: Final = (
    "total_mme",
    "total_days_supply",
    "on_therapy_days",
    "window_days",
    "mme_per_days_supply",
    "mme_per_therapy_day",
    "mme_per_window_day",
    "max_daily_mme",
    "n_dispensings",
    "n_excluded",
    "n_failed",
    "failed_reason",
    "excluded_reason",
)

Frame = nw.LazyFrame[Any]
_AnyFrame = nw.DataFrame[Any] | nw.LazyFrame[Any]

_T: Final = "__mme_"  # prefix of the temporary columns
_ROW: Final = f"{_T}row"
_NULL: Final = "\u2400"  # stands for a null key part (joins never match nulls)


def _col(name: str) -> nw.Expr:
    return nw.col(f"{_T}{name}")

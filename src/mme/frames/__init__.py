"""MME/day for whole tables of dispensings and regimens, on the dataframe library you already use.

One code path, through narwhals (``pip install "mme[frames]"``), for pandas, Polars (eager and
lazy), PyArrow, DuckDB relations, Dask and PySpark; the frame comes back in its own type::

    import polars as pl
    import mme.frames

    claims = pl.read_parquet("claims.parquet")  # drug, strength, strength_unit, quantity, days_supply
    out = mme.frames.dispensing_mme(claims, table="cdc-ndc-2018")
    out.filter(pl.col("mme_error").is_not_null())  # rows that failed, with the reason
    mme.frames.summarize(fills, start=date(2024, 1, 1), end=date(2024, 3, 31))  # per patient, 4 definitions

Nothing loops over rows. The distinct (drug, unit, form, route, release) combinations of the frame
(a few hundred at most) are resolved once each through the scalar engine's own steps (name
resolution, unit parsing, row matching, exclusions, patch wear days, dose tiers), into a small
lookup frame in the frame's own backend (and connection or session); it is joined to the data,
and MME/day is computed with column expressions, tiers included. Every row gets the result
`mme.dispensing_mme` gives for it, or the reason it has none:

``mme_per_day``
    MME/day, rounded once to 9 decimal places, half to even, as the scalar engine rounds it (by
    the library, not the backend's ``round``, whose ties differ); null when the row is excluded
    or failed.
``mme_factor``
    the factor as the table prints it (the tier's factor for tiered rows).
``mme_days_supply``
    the days supply the result stands for: for patches, patches x wear days, as CDC's NDC files instruct.
``mme_excluded``
    why the table gives the drug no MME (null otherwise).
``mme_error``
    why the row could not be converted: unknown drug or unit, not covered by the table,
    a non-positive or non-numeric amount ("ten" in a text column), a result that overflows...
    (null otherwise). A bad row never stops the batch, and no row is ever dropped.
``mme_warning``
    the warnings the scalar result's ``warnings`` has, word for word and in its order, joined by
    ``" | "`` (`WARNING_SEPARATOR`); null when there are none: a unit slip, a route taken by
    default, a liquid quantity that may count bottles, a patch days supply replaced by CDC's rule,
    a dose above the last tier, an implausible result. Their texts name the rule, not the row's
    numbers, which are in the row.

``outputs=["mme_per_day"]`` (any of the six) adds only those, and skips the work behind the others.

Messages are the scalar engine's, except that errors about one row's numbers do not repeat
the number ("quantity must be a positive finite number": the value is in the row). pandas
cannot tell NaN from a missing value: there, a NaN ``package_ml`` or ``per_day`` means "not given".

Rows come back in the input's order on every backend that has one (pandas, Polars eager and
lazy, PyArrow). Lazy frames stay lazy (only the distinct keys are collected, a small query).
DuckDB relations and Spark frames have no row order: every input column comes back, so keep
an id column (or add one, e.g. ``row_number() OVER ()``) and sort by it when order matters.
A DuckDB relation, a Spark or Dask frame and a Polars LazyFrame are run again when read: if the data
has gained a product since it was converted (on DuckDB also a strength, quantity or days supply beyond
those it had), reading it stops with an error (convert it again).
"""

from __future__ import annotations

from ._convert import daily_mme, dispensing_mme
from ._schema import (
    DISPENSING_COLUMNS,
    MME_DAYS_SUPPLY,
    MME_ERROR,
    MME_EXCLUDED,
    MME_FACTOR,
    MME_PER_DAY,
    MME_WARNING,
    REGIMEN_COLUMNS,
    SUMMARY_COLUMNS,
    WARNING_SEPARATOR,
)
from ._summary import summarize

__all__ = [
    "DISPENSING_COLUMNS",
    "MME_DAYS_SUPPLY",
    "MME_ERROR",
    "MME_EXCLUDED",
    "MME_FACTOR",
    "MME_PER_DAY",
    "MME_WARNING",
    "REGIMEN_COLUMNS",
    "SUMMARY_COLUMNS",
    "WARNING_SEPARATOR",
    "daily_mme",
    "dispensing_mme",
    "summarize",
]

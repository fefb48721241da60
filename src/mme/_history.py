"""A patient's dispensing history: MME day by day, and the four summaries of Dasgupta et al. 2021.

Every fill first goes through `dispensing_mme`, so the history uses the engine's one
arithmetic (and its patch rule). A fill then covers ``fill_date .. fill_date + days - 1``
at its MME/day, where ``days`` is the days supply the engine returns (for patches,
patches x wear days, as CDC's NDC files instruct). Overlapping fills add up.

A fill the engine cannot convert is *failed*, never 0: by default a summary it touches has no
totals (None) and lists it with the reason; ``on_failed="drop"`` leaves such fills out instead.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import pairwise
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from ._engine import CDC_THRESHOLDS, TableLike, dispensing_mme, thresholds_reached
from ._errors import ArgumentTypeError, DoseError, MMEError, excerpt, flag, listed
from ._tables import DEFAULT_TABLE, Table, resolve_table
from ._units import exact_number, number_text, reported
from ._vocab import resolve_drug

__all__ = [
    "Dispensing",
    "ExcludedFill",
    "Exposure",
    "FailedFill",
    "Summary",
    "exposure",
    "summarize",
    "summarize_by_patient",
]

Metric = Literal["mme_per_days_supply", "mme_per_therapy_day", "mme_per_window_day", "max_daily_mme"]
METRICS: Final[tuple[Metric, ...]] = get_args(Metric)
"""The four definitions, the only `Summary` fields a threshold in MME/day is judged against."""
OnFailed = Literal["propagate", "drop"]
"""What a failed fill in the window does to a summary: no totals ("propagate"), or nothing ("drop")."""


MAX_DAYS_SUPPLY: Final = 10_000_000
"""The most days a fill may cover (27,000 years: no claim, but calendar days stay whole numbers on every backend)."""


DATE_TEXT: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]+)?)?(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?$"
)
"""A date as text: YYYY-MM-DD, or an ISO 8601 date and time as a database exports it ("2024-01-01 00:00:00",
"2024-01-02T23:30-05:00"), read as the date written, its calendar day where it was recorded. One rule for a
`Dispensing`, a frame's cells and ``mme summarize --start``: "20240101", "2024-W01-1", "1704067200" (seconds since
1970) and hour 25 are not dates."""


def calendar_day(value: object) -> object:
    """A date as `DATE_TEXT` and `mme.frames` read one: a datetime is its calendar day (in its own time zone), text
    must be `DATE_TEXT`; a number is refused (a date only by a convention the data does not carry: YYYYMMDD?
    seconds since 1970?). A missing value (None, NaN, pandas' NaT) is `NO_DATE`. Anything else is left for the caller
    to refuse."""
    if _missing_value(value):  # before a datetime: pandas' NaT is one, and its date() a TypeError
        raise ValueError(NO_DATE)
    if isinstance(value, int | float | Decimal):
        raise ValueError(f"{value!r} is a number, not a date: give a date or YYYY-MM-DD text")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(DATE_TEXT, text):
            raise ValueError(f"{excerpt(value)} is not a date: write YYYY-MM-DD (a time after it is read as that day)")
        return date.fromisoformat(text[:10])  # 2024-02-30 is a ValueError too
    return value


def cell_day(value: object) -> date | None:
    """A cell of a column of Python objects (pandas' ``object``: dates, datetimes and text mixed, as a spreadsheet
    gives them) read as `calendar_day` reads a fill's date; None, a failed row, for anything that is no date (a
    number is no date: an Excel serial 45292 is not 45,292 days since 1970)."""
    try:
        day = calendar_day(value)
    except ValueError:
        return None
    return day if isinstance(day, date) else None


KEY_SPACE: Final = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
"""What `str.strip()` removes (no character past U+3000 is space): the spaces trimmed from a patient id, as from the
other cells, on every path (`Dispensing`, `mme.frames.summarize`, `mme summarize`, `mme.taper`): "p1 " from a padded
CHAR export is the patient "p1"."""


EXACT_FLOAT: Final = 2.0**53
"""A float code below it in size is a whole number exactly: 101.0 is the id (or code) 101 (`key_text`, `mme.frames`)."""


def key_text(value: object) -> object:
    """A patient id as text trimmed of `KEY_SPACE`. A missing value (None, NaN of any kind, pandas' NA and NaT) is
    refused, NO_PATIENT, on every path, as pandas refuses it in a frame: "nan" would make one patient of every fill
    without an id. A whole float is its integer (101.0 is "101": an id column that gained a missing value becomes
    floats), an int (NumPy's too) its digits; anything else is left for the model to read or refuse."""
    if isinstance(value, str):
        return value.strip(KEY_SPACE)
    if _missing_value(value):
        raise ValueError(NO_PATIENT)
    if isinstance(value, float) or _is_float(value):  # NumPy's floats too: np.float32(1.1) is "1.1"
        number = float(value)  # type: ignore[arg-type]
        return str(int(number)) if number.is_integer() and abs(number) < EXACT_FLOAT else str(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):  # NumPy's ints, as Python's
        return str(int(value))
    return value


def cell_key(value: object) -> str | None:
    """A cell of a column of Python objects (pandas' ``object``: ids as numbers and text mixed) read as `key_text`
    reads a patient id: 101, 101.0 and " 101" are the patient "101"; None, a failed row, for a missing value or one
    `mme.Dispensing` refuses (True, bytes)."""
    try:
        key = key_text(value)
    except ValueError:
        return None
    return key if isinstance(key, str) and key else None


def _is_float(value: object) -> bool:
    return getattr(getattr(value, "dtype", None), "kind", None) == "f"


def _missing_value(value: object) -> bool:
    """None, a float, NumPy or Decimal NaN, or pandas' NA or NaT (pandas is loaded wherever one was made)."""
    if value is None:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, float) or _is_float(value):
        return math.isnan(value)  # type: ignore[arg-type]
    pandas = sys.modules.get("pandas")
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def written_number(value: object, what: str) -> Decimal:
    """A number field of a record (`mme.Dispensing`, `mme.taper.Record`), as written and as every path reads it: text
    by `number_text` ("1_0" and "٣" are no number), NumPy's numbers as the values they hold (a float32 by its shortest
    text, 3.3), no bool (True is not 1) or bytes. A wrong type is a `ValueError`, so that pydantic reports it as the
    field's, as any other."""
    try:
        return number_text(value, what) if isinstance(value, str) else exact_number(value, what)
    except ArgumentTypeError as exc:
        raise ValueError(str(exc)) from None


def _number_field(value: object, info: ValidationInfo) -> object:
    """A number field as every path reads one (`written_number`): "1_0" and True are refused, np.float32(3.3) is 3.3."""
    return None if value is None else float(written_number(value, info.field_name or "value"))


_NUMBER: Final = BeforeValidator(_number_field)


class Dispensing(BaseModel):
    """One pharmacy fill, as claims and PDMP records give it.

    ``days_supply`` is a whole number of days (30.0 is read as 30; 30.5 is refused):
    exposure is laid on calendar days, and a fraction of a day has no calendar meaning.
    ``strength`` is per unit ("10 mg", "25 mcg/h", "10 mg/mL" with ``quantity`` in mL, or
    in bottles of ``package_ml``). Numbers are read as in a frame's cells: text in the digits 0-9 ("1_0" and True are
    no number), a NumPy float32 as written (3.3). A numeric ``patient_id`` is read as text, and surrounding spaces are trimmed
    from it as from the other cells (`KEY_SPACE`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True, defer_build=True)

    patient_id: Annotated[str, BeforeValidator(key_text)] = Field(min_length=1)
    drug: str = Field(min_length=1)
    strength: str = Field(min_length=1)
    quantity: Annotated[float, _NUMBER] = Field(gt=0, allow_inf_nan=False)
    days_supply: Annotated[int, _NUMBER] = Field(gt=0, le=MAX_DAYS_SUPPLY)
    fill_date: Annotated[date, BeforeValidator(calendar_day)]
    form: str | None = None
    route: str | None = None
    release: str | None = None
    package_ml: Annotated[float | None, _NUMBER] = Field(default=None, gt=0, allow_inf_nan=False)
    variant: str | None = None
    """Which of several printed values to use, where a table names no default (CMS 2018 methadone)."""
    ndc: str | None = None


class ExcludedFill(BaseModel):
    """A fill that adds nothing (no MME numerator, no days, no on-therapy day), and why."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    dispensing: Dispensing
    reason: str


class FailedFill(BaseModel):
    """A fill the engine could not convert (unknown drug or unit, not covered, overflow...), and why."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    dispensing: Dispensing
    reason: str


class Exposure(BaseModel):
    """MME on each covered calendar day (days with no counted fill are absent), in date order."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    daily: dict[date, float]
    excluded: tuple[ExcludedFill, ...]
    table: str
    table_version: str


class Summary(BaseModel):
    """One patient's dispensings over one window, under the four definitions of Dasgupta et al. 2021.

    Ratios are None when both sides are 0 (nothing counted); `max_daily_mme` is then 0. With a
    failed fill in the window (and ``on_failed="propagate"``, the default) the totals and all four
    definitions are None: the fill's MME is unknown, and 0 would be a wrong number. Where every fill in
    the window is excluded (listed in `excluded` with the reason), the MME total and the four definitions
    are None too: an excluded drug has no MME, which 0 would hide among patients with no opioid.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    patient_id: str
    start: date
    end: date
    table: str
    table_version: str
    include_buprenorphine: bool
    clip_to_window: bool
    on_failed: OnFailed
    total_mme: float | None
    total_days_supply: int | None
    on_therapy_days: int | None
    window_days: int
    mme_per_days_supply: float | None
    """Definition 1: total_mme / total_days_supply (overlapping days count twice)."""
    mme_per_therapy_day: float | None
    """Definition 2: total_mme / on_therapy_days (unique calendar days covered)."""
    mme_per_window_day: float | None
    """Definition 3: total_mme / window_days."""
    max_daily_mme: float | None
    """Definition 4: the highest single calendar day, overlapping fills summed."""
    excluded: tuple[ExcludedFill, ...]
    failed: tuple[FailedFill, ...]
    """Fills in the window that could not be converted, with the reason (counted whether dropped or not)."""
    n_dispensings: int
    """Fills counted (the ones in `excluded` and `failed` are not included)."""

    @property
    def n_failed(self) -> int:
        return len(self.failed)

    def reached(
        self, metric: Metric, thresholds: Iterable[float] = CDC_THRESHOLDS, *, inclusive: bool = True
    ) -> tuple[float, ...]:
        """The thresholds one definition reaches (``>=`` by default, ``>`` with ``inclusive=False``).

        Where every fill in the window is excluded, the patient has no MME and reaches nothing: ``()``. Where a failed
        fill leaves the MME unknown, it may be above any threshold: a `DoseError` says so and why, never ``()``
        (which would count the patient as below 50).
        """
        if not isinstance(metric, str):
            raise ArgumentTypeError(f"metric is one of {', '.join(METRICS)}, not {excerpt(metric)}")
        if metric not in METRICS:  # total_mme or window_days are no MME/day: judged against 90 they would mislead
            raise DoseError(f"unknown metric {excerpt(metric)}: thresholds are judged on {', '.join(METRICS)}")
        value: float | None = getattr(self, metric)
        if value is None and self.failed:
            first = self.failed[0]
            raise DoseError(
                f"{metric} is unknown, so no threshold can be judged: {self.n_failed} fill(s) in the window failed "
                f"(first: {first.dispensing.drug} {first.dispensing.strength} filled {first.dispensing.fill_date}: "
                f"{first.reason}); fix them, or summarize with on_failed='drop' to count the other fills"
            )
        return thresholds_reached(value, thresholds, inclusive=inclusive)


@dataclass(frozen=True, slots=True)
class _Span:
    """Days ``first .. stop - 1`` (date ordinals) at ``rate`` MME/day."""

    first: int
    stop: int
    rate: Fraction
    """Exact: the engine's MME/day before it was rounded (10/3, not 3.333333333), summed exactly and rounded once where
    a summary reports it: three fills of 10/3, 10/3 and 250/3 MME/day make a day of 90, not 89.999999999."""

    @property
    def days(self) -> int:
        return self.stop - self.first


@dataclass(frozen=True, slots=True)
class _Left:
    """An excluded fill: why, and its days ``first .. stop - 1``, judged in or out of a window as a counted fill's."""

    reason: str
    first: int
    stop: int


_BUP_LEFT_OUT = "buprenorphine left out (include_buprenorphine=False)"
NOT_WHOLE_DAYS = "the patches dispensed x their days of wear is not a whole number of days: check the quantity"
"""Why a patch fill fails whose days supply (patches x wear days: 2.5 patches of 3 days) has a fraction: days are
calendar days. (Another fill's days supply is the one given, a whole number: `DAYS_SUPPLY_NOT_WHOLE` otherwise.)"""
TOO_MANY_DAYS = f"the days supply is over {MAX_DAYS_SUPPLY:,} days: check the quantity and the days supply"
"""Why a fill whose days supply (for patches, patches x wear days) is beyond any claim fails."""
FILL_OVERFLOWS = "the fill's MME (MME/day x days) overflows"
PAST_LAST_DATE = (
    "a fill's days supply runs past 9999-12-31, the last date a day can be listed by: check its days supply"
)
"""Why `exposure`, which lists the days by date, refuses a fill (`summarize` counts days, not dates: it sums it)."""
_AFTER_LAST_DATE: Final = date.max.toordinal() + 1
TOTAL_OVERFLOWS = "the MME summed over the fills (a total or a day's) overflows: check the fills' amounts"
"""Why a summary has no numbers where each fill's MME is finite but their sum is not (a typed error, never inf)."""
# What `Dispensing` refuses, said of a row of a frame (`mme.frames.summarize` fails the row, not the run).
NO_PATIENT = "patient_id is missing"
MISSING_WORDS: Final = ("nan", "na", "n/a", "#n/a", "<na>", "null", "none")
"""Ids (any case) that are more likely a missing value written as text (pandas writes NaN, R NA, a database NULL)
than a patient: read from a file, they are text and a patient of that name, with a warning (`looks_missing`)."""


def looks_missing(ids: Iterable[str]) -> str | None:
    """The warning owed by ids in `MISSING_WORDS`, if any: a patient "NaN" may be every fill whose id was lost."""
    found = Counter(i for i in ids if i.strip(KEY_SPACE).lower() in MISSING_WORDS)
    if not found:
        return None
    said = ", ".join(f"{excerpt(i)} ({n:,})" for i, n in sorted(found.items()))
    return (
        f"{found.total():,} row(s) have a patient_id that looks like a missing value written as text: {said}; each "
        "is counted as the patient of that name: if the ids are missing, leave the cells empty (their rows fail)"
    )


NO_DATE = "fill_date is missing or not a date (YYYY-MM-DD)"
DAYS_SUPPLY_NOT_WHOLE = "days_supply must be a whole number of days"
DAYS_SUPPLY_TOO_LONG = f"days_supply must be at most {MAX_DAYS_SUPPLY:,} days"


RATIOS: dict[Metric, str] = {
    "mme_per_days_supply": "total_days_supply",
    "mme_per_therapy_day": "on_therapy_days",
    "mme_per_window_day": "window_days",
}
"""Definitions 1-3: ``total_mme`` over this `Summary` field; 0/0 (nothing counted) is None, never 0."""


def _reported(value: Fraction) -> float:
    """A summary's number: exact sums of the fills' MME rounded once, as the engine rounds each result (no
    0.30000000000000004 for fills of 0.1 and 0.2 MME/day)."""
    return reported(value, overflow=TOTAL_OVERFLOWS)


def _dispensings(dispensings: Iterable[Dispensing]) -> tuple[Dispensing, ...]:
    """The fills given, each a `Dispensing` (anything else is an `ArgumentTypeError`, not an attribute missing)."""
    wrong = "dispensings are mme.Dispensing(...) records, not"
    items = listed(dispensings, wrong)
    if not all(isinstance(d, Dispensing) for d in items):
        raise ArgumentTypeError(f"{wrong} {excerpt(dispensings)}")
    return items


def _one_patient(dispensings: Sequence[Dispensing]) -> str | None:
    ids = {d.patient_id for d in dispensings}
    if len(ids) > 1:
        shown = ", ".join(sorted(ids)[:5]) + (", ..." if len(ids) > 5 else "")
        raise DoseError(f"dispensings of {len(ids)} patients ({shown}) were mixed: use summarize_by_patient()")
    return ids.pop() if ids else None


def _dates(start: date, end: date) -> tuple[date, date]:
    """The window's first and last days: dates, a datetime read as its calendar day (in its own time zone), as a
    fill's date is (`calendar_day`)."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise ArgumentTypeError(f"start and end are dates (datetime.date), not {excerpt(start)}, {excerpt(end)}")
    return tuple(d.date() if isinstance(d, datetime) else d for d in (start, end))  # type: ignore[return-value]


def _window(start: date, end: date, on_failed: str, **flags: object) -> tuple[int, int]:
    """The window's days as date ordinals ``lo .. hi - 1``, once its arguments are checked (`mme.frames` too), the
    ``flags`` (include_buprenorphine, clip_to_window) first: a summary computed whole is not refused at the end."""
    for name, value in flags.items():
        flag(value, name)
    start, end = _dates(start, end)
    if end < start:
        raise DoseError(f"the window ends ({end}) before it starts ({start})")
    if on_failed not in ("propagate", "drop"):
        raise DoseError(f"on_failed must be 'propagate' or 'drop', not {on_failed!r}")
    return start.toordinal(), end.toordinal() + 1


def _in_window(first: Any, stop: Any, lo: int, hi: int, *, clip: bool) -> Any:
    """Whether a fill of days ``first .. stop - 1`` counts in the window ``lo .. hi - 1``: with ``clip``, if it
    overlaps it (for its days inside only), else if its first day is in it (for all its days).

    Comparisons and ``&`` only: the same rule for ints here and for columns in `mme.frames`.
    """
    return (first < hi) & (stop > lo) if clip else (first >= lo) & (first < hi)


def _clip(first: Any, stop: Any, lo: int, hi: int, *, larger: Any = max, smaller: Any = min) -> tuple[Any, Any]:
    """The days of a fill ``first .. stop - 1`` inside the window ``lo .. hi - 1``: its clipped span.

    ``larger`` and ``smaller`` are `max` and `min` here, their column forms in `mme.frames`: one rule for both.
    """
    return larger(first, lo), smaller(stop, hi)


def _is_buprenorphine(drug: str) -> bool:
    try:
        return resolve_drug(drug).drug == "buprenorphine"
    except MMEError:
        return False  # an unknown name: the engine says so


def _fills(
    dispensings: Sequence[Dispensing], table: Table, include_buprenorphine: bool
) -> list[tuple[Dispensing, _Span | _Left | MMEError]]:
    """Each dispensing with its span, why it is excluded (and its days), or the error that failed it."""
    out: list[tuple[Dispensing, _Span | _Left | MMEError]] = []
    for d in dispensings:
        left_out = not include_buprenorphine and _is_buprenorphine(d.drug)
        first = d.fill_date.toordinal()
        try:
            r = dispensing_mme(
                d.drug, d.strength, quantity=d.quantity, days_supply=d.days_supply, package_ml=d.package_ml,
                route=d.route, form=d.form, release=d.release, variant=d.variant, table=table,
            )  # fmt: skip
        except MMEError as exc:  # left out before matching: the table need not cover it
            out.append((d, _Left(_BUP_LEFT_OUT, first, first + d.days_supply) if left_out else exc))
            continue
        days = r.days_supply if r.days_supply is not None else float(d.days_supply)
        if left_out or r.mme_per_day is None or r.mme_per_day_exact is None:
            # where it lies in time as a counted fill would (4 patches of 7 days cover 28, whatever days were
            # recorded); days no counted fill could have (2.5 patches of 3 days) leave the ones recorded
            lies = int(days) if days.is_integer() and days <= MAX_DAYS_SUPPLY else d.days_supply
            why = _BUP_LEFT_OUT if left_out else r.excluded or "excluded by the table"
            out.append((d, _Left(why, first, first + lies)))
            continue
        reason = (
            NOT_WHOLE_DAYS if not days.is_integer()
            else TOO_MANY_DAYS if days > MAX_DAYS_SUPPLY
            else FILL_OVERFLOWS if not math.isfinite(r.mme_per_day * days)
            else None
        )  # fmt: skip
        if reason is not None:
            out.append((d, DoseError(reason)))
            continue
        out.append((d, _Span(first, first + int(days), r.mme_per_day_exact)))
    return out


def _segments(spans: Sequence[_Span]) -> list[_Span]:
    """The covered stretches of days with a constant summed MME/day: a sweep over fill starts and ends.

    Each level is the exact sum of the fills active on it, so results do not depend on input order.
    """
    points = sorted({p for s in spans for p in (s.first, s.stop)})
    pending = sorted(spans, key=lambda s: s.first)
    active: list[_Span] = []
    out: list[_Span] = []
    i = 0
    for a, b in pairwise(points):
        while i < len(pending) and pending[i].first <= a:
            active.append(pending[i])
            i += 1
        active = [s for s in active if s.stop > a]
        if active:
            out.append(_Span(a, b, sum((s.rate for s in active), Fraction(0))))
    return out


def exposure(
    dispensings: Iterable[Dispensing], *, table: TableLike = DEFAULT_TABLE, include_buprenorphine: bool = True
) -> Exposure:
    """One patient's MME on each calendar day, overlapping fills summed (the series behind Definition 4)."""
    flag(include_buprenorphine, "include_buprenorphine")
    items = _dispensings(dispensings)
    _one_patient(items)
    tab = resolve_table(table)
    fills = _fills(items, tab, include_buprenorphine)
    if errors := [f for _, f in fills if isinstance(f, MMEError)]:
        raise errors[0]  # a series with a hole would understate every day the fill covers
    spans = [f for _, f in fills if isinstance(f, _Span)]
    if any(s.stop > _AFTER_LAST_DATE for s in spans):
        raise DoseError(PAST_LAST_DATE)
    daily = {
        date.fromordinal(day): _reported(seg.rate) for seg in _segments(spans) for day in range(seg.first, seg.stop)
    }
    excluded = tuple(ExcludedFill(dispensing=d, reason=f.reason) for d, f in fills if isinstance(f, _Left))
    return Exposure(daily=daily, excluded=excluded, table=tab.slug, table_version=tab.version)


def summarize(
    dispensings: Iterable[Dispensing],
    *,
    start: date,
    end: date,
    table: TableLike = DEFAULT_TABLE,
    include_buprenorphine: bool = True,
    clip_to_window: bool = True,
    on_failed: OnFailed = "propagate",
) -> Summary:
    """One patient's MME/day over the window ``start .. end`` (both included), four ways.

    ``start`` and ``end`` are dates; a datetime is read as its calendar day (in its own time zone), as a fill's is.

    A fill covers ``fill_date .. fill_date + days - 1`` at its `dispensing_mme` MME/day,
    ``days`` being the engine's days supply (patches: patches x wear days). Its MME is
    MME/day x days. Which fills count, and how much of each:

    * ``clip_to_window=True`` (default): every fill overlapping the window counts for its
      days inside the window only; its MME and its days supply are both cut to those days.
    * ``clip_to_window=False``: fills whose ``fill_date`` is in the window count whole (all
      their days and MME, even past ``end``); fills started before ``start`` do not count.
      On-therapy days and the maximum then run over those fills' whole coverage.

    Then, over the counted fills: ``total_mme`` = sum of their MME; ``total_days_supply`` =
    sum of their days; ``on_therapy_days`` = calendar days covered by at least one of them;
    ``window_days`` = (end - start).days + 1. Definition 1 = total_mme / total_days_supply,
    2 = total_mme / on_therapy_days, 3 = total_mme / window_days, 4 = the highest day's summed
    MME/day (0.0 when nothing counts). 0/0 is None. Sums are exact (each fill's MME/day as the engine computes
    it, before it is rounded: 13 x 2 mg hydromorphone over 3 days is 130 MME, not 43.333333333 x 3) and each number
    is rounded once, as the engine rounds a result: input order is moot.
    Excluded fills (no factor in the table, or buprenorphine when ``include_buprenorphine=False``)
    count for nothing, numerator or denominator, and are listed in ``excluded`` if they would
    otherwise have counted (judged by their days as a counted fill is: a patch's are patches x wear days, whatever
    days supply was recorded; where the engine gives no whole number of days, the recorded ones). A patient whose fills in the window are
    all excluded has no MME: ``total_mme`` and the four definitions are None (the days are 0).

    A fill the engine refuses (unknown drug or unit, not covered, an overflowing amount) is listed
    in ``failed`` with the reason, judged in or out of the window as excluded fills are. Its MME is
    unknown, so with ``on_failed="propagate"`` (the default) the totals and the four definitions
    are None; ``on_failed="drop"`` computes them from the other fills, as if the failed ones did not exist,
    when some other fill counts (where none does, the patient's MME is as unknown as with "propagate").
    Mixed patients, no dispensings, ``end < start`` or a sum that overflows (each fill's MME finite, their
    total or one day's not) raise `DoseError`.
    """
    items = _dispensings(dispensings)
    patient = _one_patient(items)
    if patient is None:
        raise DoseError("nothing to summarize: summarize() needs at least one dispensing")
    start, end = _dates(start, end)
    lo, hi = _window(start, end, on_failed, include_buprenorphine=include_buprenorphine, clip_to_window=clip_to_window)
    tab = resolve_table(table)
    spans: list[_Span] = []
    excluded: list[ExcludedFill] = []
    failures: list[FailedFill] = []
    for d, fill in _fills(items, tab, include_buprenorphine):
        if isinstance(fill, MMEError):
            first = d.fill_date.toordinal()
            if _in_window(first, first + d.days_supply, lo, hi, clip=clip_to_window):
                failures.append(FailedFill(dispensing=d, reason=str(fill)))
        elif isinstance(fill, _Left):
            if _in_window(fill.first, fill.stop, lo, hi, clip=clip_to_window):
                excluded.append(ExcludedFill(dispensing=d, reason=fill.reason))
        elif _in_window(fill.first, fill.stop, lo, hi, clip=clip_to_window):
            spans.append(_Span(*_clip(fill.first, fill.stop, lo, hi), fill.rate) if clip_to_window else fill)
    segments = _segments(spans)
    exact_total = sum((s.rate * s.days for s in spans), Fraction(0))
    total_mme = _reported(exact_total)
    days = {"total_days_supply": sum(s.days for s in spans), "on_therapy_days": sum(s.days for s in segments)}
    days["window_days"] = window_days = hi - lo
    known = not failures or (on_failed == "drop" and bool(spans))  # failed and nothing else: unknown, never 0
    has_mme = known and (bool(spans) or not excluded)  # excluded and nothing else: no MME, never 0
    highest = _reported(max((s.rate for s in segments), default=Fraction(0)))
    return Summary(
        patient_id=patient, start=start, end=end, table=tab.slug, table_version=tab.version,
        include_buprenorphine=include_buprenorphine, clip_to_window=clip_to_window, on_failed=on_failed,
        total_mme=total_mme if has_mme else None, total_days_supply=days["total_days_supply"] if known else None,
        on_therapy_days=days["on_therapy_days"] if known else None, window_days=window_days,
        **{name: _reported(exact_total / days[d]) if days[d] and has_mme else None
           for name, d in RATIOS.items()},
        max_daily_mme=highest if has_mme else None,
        excluded=tuple(excluded), failed=tuple(failures), n_dispensings=len(spans),
    )  # fmt: skip


def summarize_by_patient(
    dispensings: Iterable[Dispensing],
    *,
    start: date,
    end: date,
    table: TableLike = DEFAULT_TABLE,
    include_buprenorphine: bool = True,
    clip_to_window: bool = True,
    on_failed: OnFailed = "propagate",
) -> dict[str, Summary]:
    """`summarize` for each patient, over the same window, keyed by patient_id in sorted order."""
    _window(start, end, on_failed, include_buprenorphine=include_buprenorphine, clip_to_window=clip_to_window)
    groups: dict[str, list[Dispensing]] = {}
    for d in _dispensings(dispensings):
        groups.setdefault(d.patient_id, []).append(d)
    one = partial(
        summarize, start=start, end=end, table=table,
        include_buprenorphine=include_buprenorphine, clip_to_window=clip_to_window, on_failed=on_failed,
    )  # fmt: skip
    return {pid: one(groups[pid]) for pid in sorted(groups)}

"""The core of `mme.taper`: cohort records, the patient x time point matrix, change from baseline, the summary."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import statistics
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from mme._engine import TOTAL_OVERFLOWS, DailyMME, TableLike, _inclusive, convert, total
from mme._errors import (
    ArgumentTypeError,
    CohortError,
    DoseError,
    MMEError,
    MMEWarning,
    excerpt,
    flag,
    listed,
    named_twice,
    utf8_text,
)
from mme._history import key_text, looks_missing, written_number
from mme._tables import DEFAULT_TABLE, Table, resolve_table
from mme._units import exact, number_argument

from ._render import _cell_text, _num, _pct, _render, _table_text

if TYPE_CHECKING:  # pragma: no cover
    from mme._history import Dispensing

#: How the median and quartiles are computed (stated in every summary).
QUANTILE_METHOD = "linear interpolation between order statistics (R type 7, numpy 'linear', statistics 'inclusive')"


#: How the SD is computed (stated in every summary).
SD_METHOD = "sample SD (ddof=1)"


#: Values this close (relative) to a threshold count as equal to it, so 15 of 30 mg/day is exactly 50%.
_REL_TOL = 1e-9


Category = Literal["cessation", "reduction", "stable", "increase"]


Status = Literal["observed", "lost", "not_countable", "failed"]


Definition = Literal["days_supply", "therapy_days", "window", "max_daily"]


#: The dispensing-history definitions and the `mme._history.Summary` field each one reads.
DEFINITIONS: dict[str, str] = {
    "days_supply": "mme_per_days_supply",
    "therapy_days": "mme_per_therapy_day",
    "window": "mme_per_window_day",
    "max_daily": "max_daily_mme",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Record(_Frozen):
    """One long record: a patient's medication (or MME/day) at a named time point.

    Exactly one of ``medication`` (a dose expression of the `mme convert` grammar, or ``"none"``
    for no opioid) and ``mme_per_day`` (already converted, taken as given) is set. Several records
    for one patient and time point add up. A numeric ``patient_id`` is read as text, trimmed of surrounding
    spaces as `mme.Dispensing` trims it ("p1 " is "p1").
    """

    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)

    patient_id: Annotated[str, BeforeValidator(key_text)] = Field(min_length=1)
    timepoint: str = Field(min_length=1)
    medication: str | None = None
    mme_per_day: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @field_validator("mme_per_day", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> float | None:
        return None if value is None else _given(value)

    @model_validator(mode="after")
    def _one_value(self) -> Record:
        if (self.medication is None) == (self.mme_per_day is None):
            raise ValueError("give exactly one of medication (an expression or 'none') and mme_per_day")
        if self.medication is not None and not self.medication.strip():
            raise ValueError("medication is empty: write the expression, or 'none' for no opioid")
        return self

    @property
    def is_none(self) -> bool:
        """True for an explicit "no opioid" record (a real zero)."""
        return self.medication is not None and self.medication.strip().lower() == "none"


RecordLike = Record | Mapping[str, Any] | tuple[str, str, str | float]


def _record(raw: RecordLike, where: str) -> Record:
    try:
        if isinstance(raw, Record):
            return raw
        if isinstance(raw, Mapping):
            data = {k: v for k, v in raw.items() if v is not None and v != ""}
            if "mme_per_day" in data:  # its reason said once, not after pydantic's "mme_per_day: "
                data["mme_per_day"] = _given(data["mme_per_day"])
            return Record.model_validate(data)
        patient_id, timepoint, value = raw
        if isinstance(value, str):
            return Record(patient_id=str(patient_id), timepoint=str(timepoint), medication=value)
        return Record(patient_id=str(patient_id), timepoint=str(timepoint), mme_per_day=_given(value))
    except ValidationError as exc:
        raise CohortError(f"{where}: cannot read the record {excerpt(raw)}: {_reasons(exc)}") from exc
    except (ValueError, TypeError) as exc:
        raise CohortError(f"{where}: cannot read the record {excerpt(raw)}: {exc}") from exc


def _reasons(exc: ValidationError) -> str:
    """pydantic's text is a page: each reason on one line, after the field it is about unless it names it first."""
    said = []
    for e in exc.errors():
        field, message = ".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, ")
        said.append(message if message.startswith(field) else f"{field}: {message}")
    return "; ".join(said)


def _given(value: object) -> float:
    """A given MME/day read by the engine's one number rule (`mme._units`): text in the digits 0-9 as a cell is read
    ("1_000" and "nan" are no number), NumPy's numbers as the values they hold (a float32 by its shortest text, 10.1),
    no bool (True is not 1 MME/day) or bytes; finite and 0 or more (-0 is 0); a positive number too small for a float
    (1E-400) refused, not read as 0, a cessation."""
    written = written_number(value, "mme_per_day")
    number = float(written)
    shown = written if isinstance(value, str | Decimal) else excerpt(value)  # text as read: 1E+400
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(f"mme_per_day must be a finite number, 0 or more, not {shown}")
    if number == 0 and (written != 0 or (not isinstance(value, str) and value != 0)):  # a Fraction: its nearest float
        raise ValueError(f"mme_per_day {shown} is positive but too small for a float: it would read as 0 (a cessation)")
    return number + 0.0


def read_csv(path: str | Path) -> tuple[Record, ...]:
    """Long records from a CSV with a header: ``patient_id,timepoint,medication`` or ``...,mme_per_day``.

    A file may carry both value columns if each row fills exactly one. Read with the `csv` module only.
    What it cannot read without guessing is a `CohortError` naming the line: text that is not UTF-8, a
    column named twice (which one holds the dose?), a row with more cells than the header (an unquoted
    comma splits a sig: "oxycodone 10 mg q6h, 2 tabs").
    """
    path = Path(path)
    text = utf8_text(path.read_bytes(), str(path), CohortError)
    with _cells_up_to(len(text)):
        return _records(csv.reader(io.StringIO(text, newline="")), path)


@contextlib.contextmanager
def _cells_up_to(size: int) -> Iterator[None]:
    """The csv module's limit on a cell (128 KiB) raised to the whole text's size, while it is read: a long cell
    (a pasted note) is a medication that fails its time point, not a `_csv.Error` that stops the cohort."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, size))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _records(reader: Any, path: Path) -> tuple[Record, ...]:
    fields = [f.strip() for f in next(reader, [])]
    missing = {"patient_id", "timepoint"} - set(fields)
    if missing or not {"medication", "mme_per_day"} & set(fields):
        raise CohortError(
            f"{path}: the header must be patient_id,timepoint,medication or patient_id,timepoint,mme_per_day "
            f"(found {','.join(fields) or 'nothing'})"
        )
    if (twice := named_twice(fields)) is not None:
        raise CohortError(f"{path}: {twice}")
    records = []
    for row in reader:
        line = reader.line_num  # the row's last line (a quoted cell may hold line breaks)
        if not any(cell.strip() for cell in row):  # blank, as `mme batch` and `mme summarize` skip: no cell holds text
            continue
        if any(cell.strip() for cell in row[len(fields) :]):
            raise CohortError(
                f"{path}: line {line} has {len(row)} cells for {len(fields)} columns: quote a cell that holds "
                'a comma ("oxycodone 10 mg, 2 tabs q6h")'
            )
        clean = dict(zip(fields, (cell.strip() for cell in row), strict=False))
        keep = {k: clean.get(k, "") for k in ("patient_id", "timepoint", "medication", "mme_per_day") if k in fields}
        records.append(_record(keep, f"{path}, line {line}"))
    if warning := looks_missing(r.patient_id for r in records):
        warnings.warn(f"{path}: {warning}", MMEWarning, stacklevel=3)
    return tuple(records)


def _patient_ids(given: Iterable[object], name: str) -> list[str]:
    """Patient ids read as a record's or a `mme.Dispensing`'s are (trimmed of spaces; 101 and 101.0 are "101"), so
    the raw ids of one data set name the same patients everywhere; two that read as one patient are refused, and so
    is text, whose letters would be patients."""
    if isinstance(given, str | bytes):
        raise ArgumentTypeError(f"{name} is a list of patient ids, not {excerpt(given)}")
    out: dict[str, object] = {}
    for raw in given:
        try:
            pid = key_text(raw)
        except ValueError as exc:
            raise CohortError(f"{name}: {exc}: every one is a patient id") from None
        if not isinstance(pid, str):
            raise ArgumentTypeError(f"{name}: a patient id is text or a whole number, not {excerpt(raw)}")
        if pid in out:
            raise CohortError(
                f"{name} gives patient {excerpt(pid)} twice ({excerpt(out[pid])}, {excerpt(raw)}): ids are trimmed of "
                "spaces as a record's are; keep one"
            )
        out[pid] = raw
    return list(out)


class Cell(_Frozen):
    """One patient at one time point."""

    mme_per_day: float | None
    """The sum over countable items; 0 for "none"; None when lost, not countable or failed."""
    status: Status
    """``observed`` (a number, 0 included), ``lost`` (no record: lost to follow-up; at baseline, baseline
    missing), ``not_countable`` (records exist but the table gives none of them an MME) or ``failed`` (a record
    cannot be read: see ``error``)."""
    items: tuple[str, ...] = ()
    """What was recorded, with each item's MME/day (``"none"`` for no opioid)."""
    excluded: tuple[str, ...] = ()
    """Items the table excludes (not counted, never turned into 0), with the table's reason."""
    error: str | None = None
    """Why a ``failed`` cell has no value (an expression that cannot be converted): never counted as 0."""

    @property
    def partial(self) -> bool:
        """An observed value that leaves out excluded items."""
        return self.status == "observed" and bool(self.excluded)


class PatientDoses(_Frozen):
    """One patient's cells, aligned with the matrix's time points."""

    patient_id: str
    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()
    """Anything a reader must know about this patient's values (excluded drugs, warnings)."""

    @property
    def doses(self) -> tuple[float | None, ...]:
        return tuple(c.mme_per_day for c in self.cells)


class DoseMatrix(_Frozen):
    """Patients x time points, in MME/day; the first time point is the baseline."""

    timepoints: tuple[str, ...] = Field(min_length=1)
    patients: tuple[PatientDoses, ...]
    table: str | None
    """The table medications are read under, converted or not (None when every value was given in MME/day)."""
    table_version: str | None = None
    source: Literal["regimens", "dispensings"] = "regimens"
    definition: str | None = None
    """For dispensing histories: which `summarize` field gives the value, and the windows."""
    label: str | None = None
    """A caption carried into summaries (e.g. the SYNTHETIC label)."""

    @property
    def baseline(self) -> str:
        return self.timepoints[0]

    def index(self, timepoint: str) -> int:
        try:
            return self.timepoints.index(timepoint)
        except ValueError:
            raise CohortError(
                f"unknown time point {timepoint!r}; the matrix has {', '.join(self.timepoints)}"
            ) from None

    def column(self, timepoint: str) -> tuple[float | None, ...]:
        """Every patient's value at one time point (None: lost or not countable)."""
        i = self.index(timepoint)
        return tuple(p.cells[i].mme_per_day for p in self.patients)

    def value(self, patient_id: str, timepoint: str) -> float | None:
        i = self.index(timepoint)
        for p in self.patients:
            if p.patient_id == patient_id:
                return p.cells[i].mme_per_day
        raise CohortError(f"unknown patient {patient_id!r}")

    def complete_cases(self) -> DoseMatrix:
        """The patients observed at every time point (a complete-case population)."""
        kept = tuple(p for p in self.patients if all(c.status == "observed" for c in p.cells))
        return self.model_copy(update={"patients": kept})

    def __str__(self) -> str:
        width = max([len(p.patient_id) for p in self.patients] + [10])
        cols = [max(len(t), 9) for t in self.timepoints]
        head = "patient".ljust(width) + "".join(f"  {t:>{w}}" for t, w in zip(self.timepoints, cols, strict=True))
        lines = [self.label] if self.label else []
        lines += [
            f"MME/day ({_table_text(self.table, self.table_version)}); '-' lost to follow-up, '?' not countable"
            + (", '!' failed (see notes)" if any(c.status == "failed" for p in self.patients for c in p.cells) else ""),
            head,
        ]
        for p in self.patients:
            cells = "".join(f"  {_cell_text(c):>{w}}" for c, w in zip(p.cells, cols, strict=True))
            lines.append(p.patient_id.ljust(width) + cells)
        for p in self.patients:
            lines.extend(f"note {p.patient_id}: {n}" for n in p.notes)
        return "\n".join(lines)


def _timepoint(value: object) -> str:
    """A time point of the list as a record's is read: text, or a number as its digits (month 3 is "3")."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ArgumentTypeError(f"a time point is text or a number, not {excerpt(value)}")


def dose_matrix(
    records: Iterable[RecordLike],
    timepoints: Sequence[str],
    *,
    table: TableLike = DEFAULT_TABLE,
    variant: str | None = None,
    patients: Sequence[str] | None = None,
    label: str | None = None,
) -> DoseMatrix:
    """The patient x time point matrix of MME/day from chart regimens (long records).

    ``records`` are `Record`s, mappings with the CSV's keys, or ``(patient_id, timepoint, value)``
    tuples where a string value is an expression (or ``"none"``) and a number is MME/day.
    ``timepoints`` are in order, the first being the baseline; a record at another time point is an
    error. ``patients`` lists the enrolled patients (in order) when some have no record at all, each id read as a
    record's is (" p1" is "p1"); by default, the patients in order of first appearance. Expressions are converted with
    `mme.convert` under ``table``; a cell's items add up with `mme.total`.
    """
    if isinstance(timepoints, str | bytes):  # its letters would be the time points: "ab" is a and b
        raise ArgumentTypeError(
            f'timepoints is a list of time points, e.g. ["baseline", "3m"], not {excerpt(timepoints)}'
        )
    order = tuple(map(_timepoint, timepoints))
    if not order:
        raise CohortError("give at least one time point (the first is the baseline)")
    if len(set(order)) != len(order):
        raise CohortError(f"time points repeat: {', '.join(order)}")
    tab = resolve_table(table)
    grouped: dict[str, dict[str, list[Record]]] = {}
    for number, raw in enumerate(records, start=1):
        rec = _record(raw, f"record {number}")
        if rec.timepoint not in order:
            raise CohortError(
                f"record {number} ({excerpt(rec.patient_id)}): time point {excerpt(rec.timepoint)} is not one of "
                f"{', '.join(order)}"
            )
        grouped.setdefault(rec.patient_id, {}).setdefault(rec.timepoint, []).append(rec)
    ids = _patient_ids(patients, "`patients`") if patients is not None else list(grouped)
    if patients is not None:
        enrolled = set(ids)
        unknown = [pid for pid in grouped if pid not in enrolled]
        if unknown:
            raise CohortError(f"records for patients not in `patients`: {', '.join(unknown[:5])}")
    cache: dict[str, DailyMME | str] = {}  # an expression's result, or why it cannot be converted
    rows = []
    for pid in ids:
        cells: list[Cell] = []
        notes: list[str] = []
        for tp in order:
            cell, cell_notes = _cell(grouped.get(pid, {}).get(tp, []), tab, variant, cache)
            cells.append(cell)
            notes.extend(f"{tp}: {n}" for n in cell_notes)
        rows.append(PatientDoses(patient_id=pid, cells=tuple(cells), notes=tuple(notes)))
    # the table, wherever a medication is read under it: converted, excluded or failed ("values given in MME/day"
    # was said of a file whose every medication failed)
    used_table = any(
        r.medication is not None and not r.is_none for p in grouped.values() for rs in p.values() for r in rs
    )
    return DoseMatrix(
        timepoints=order,
        patients=tuple(rows),
        table=tab.slug if used_table else None,
        table_version=tab.version if used_table else None,
        source="regimens",
        label=label,
    )


def _cell(
    recs: list[Record], table: Table, variant: str | None, cache: dict[str, DailyMME | str]
) -> tuple[Cell, list[str]]:
    """One time point's value; a record that cannot be read fails the cell (no value, never a partial sum)."""
    if not recs:
        return Cell(mme_per_day=None, status="lost"), []
    nones = [r for r in recs if r.is_none]
    if nones and len(nones) != len(recs):
        return _failed("'none' (no opioid) recorded together with medications; fix the records")
    if nones:
        return Cell(mme_per_day=0.0, status="observed", items=("none",)), []
    if any(r.mme_per_day == 0 for r in recs) and any(r.mme_per_day != 0 for r in recs):
        return _failed("0 MME/day (no opioid) given together with medications or doses; fix the records")
    given = [r.mme_per_day for r in recs if r.mme_per_day is not None]
    expressions = [r.medication for r in recs if r.medication is not None]
    items: list[str] = [f"{_num(v, 2)} MME/day (given)" for v in given]
    converted: list[DailyMME] = []
    notes: list[str] = []
    for text in expressions:
        key = f"{text}\x00{variant}"
        if key not in cache:
            try:
                cache[key] = convert(text, table=table, variant=variant)
            except MMEError as exc:
                cache[key] = f"{excerpt(text)}: {exc}"
        item = cache[key]
        if isinstance(item, str):
            return _failed(item)
        converted.append(item)
        shown = "excluded" if item.mme_per_day is None else f"{_num(item.mme_per_day, 2)} MME/day"
        items.append(f"{text} = {shown}")
        notes.extend(f"{text}: {w}" for w in item.warnings)
    excluded = tuple(f"{text}: excluded by {table.slug}: {item.excluded}"
                     for text, item in zip(expressions, converted, strict=True) if item.mme_per_day is None)  # fmt: skip
    counted = total(converted).mme_per_day if converted else None
    if counted is None and not given:
        notes.append(
            f"no MME: every item is excluded under {table.slug}; value left missing, not 0 ({'; '.join(excluded)})"
        )
        return Cell(mme_per_day=None, status="not_countable", items=tuple(items), excluded=excluded), notes
    try:  # added as the decimals they are: 0.1 + 0.2 is 0.3
        value = float(sum((Fraction(exact(v)) for v in (*given, counted or 0.0)), Fraction(0)))
    except OverflowError:  # past the largest float: a typed error, never a bare OverflowError
        raise DoseError(TOTAL_OVERFLOWS) from None
    if excluded:
        notes.append(f"value counts the other items only; not counted: {'; '.join(excluded)}")
    return Cell(mme_per_day=value, status="observed", items=tuple(items), excluded=excluded), notes


def _failed(error: str) -> tuple[Cell, list[str]]:
    return Cell(mme_per_day=None, status="failed", error=error), [f"failed, no value (not 0): {error}"]


class Rule(_Frozen):
    """How changes are categorised, with the comparison operators spelled out.

    A value it cannot use is an `MMEError`, not pydantic's ValidationError: a threshold out of range (50 for 50%) a
    `CohortError`, one that is no number ("0.5", True) an `ArgumentTypeError`, as the core reads numbers.
    """

    reduction_over: float = 0.5
    """A reduction is a relative fall of more than this fraction of baseline (0.15, 0.30, 0.50 are usual)."""
    inclusive: bool = False
    """False: reduction ``> reduction_over`` ("more than 50%"); True: ``>=`` ("at least 50%")."""
    increase_over: float = 0.0
    """An increase is a relative rise strictly greater than this fraction (any rise by default)."""
    report: tuple[float, ...] = (0.15, 0.30, 0.50)
    """Further reduction thresholds counted in the summary (same operator; cessation included)."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise CohortError(_reasons(exc)) from None

    @field_validator("inclusive", mode="before")
    @classmethod
    def _a_bool(cls, value: object) -> object:
        _inclusive(value)  # "no" would read as False and "yes" as True: an ArgumentTypeError, as in mme.total
        return value

    @field_validator("reduction_over", mode="before")
    @classmethod
    def _a_fraction(cls, value: object) -> float:
        number = number_argument(value, "reduction_over")
        if not 0 < number < 1:
            raise ValueError(f"reduction_over is a fraction between 0 and 1 (0.5 for 50%), not {excerpt(value)}")
        return number

    @field_validator("increase_over", mode="before")
    @classmethod
    def _a_rise(cls, value: object) -> float:
        number = number_argument(value, "increase_over")
        if not (math.isfinite(number) and number >= 0):
            raise ValueError(
                f"increase_over is a fraction of the baseline, 0 or more (0.1 for 10%), not {excerpt(value)}"
            )
        return number

    @field_validator("report", mode="before")
    @classmethod
    def _fractions(cls, value: object) -> tuple[float, ...]:
        numbers = [
            number_argument(t, "report") for t in listed(value, "report is a list of fractions (0.15 for 15%), not")
        ]
        if not all(0 < t < 1 for t in numbers):
            raise ValueError("report thresholds are fractions between 0 and 1 (0.15 for 15%)")
        return tuple(numbers)

    @property
    def operator(self) -> str:
        return ">=" if self.inclusive else ">"

    def reduction_text(self, threshold: float | None = None) -> str:
        t = self.reduction_over if threshold is None else threshold
        words = "at least" if self.inclusive else "more than"
        return f"reduction {self.operator} {_pct(t)} ({words} {_pct(t)} of baseline)"

    def describe(self) -> str:
        return (
            f"cessation: 0 MME/day at the time point (baseline > 0); {self.reduction_text()}, cessation excluded; "
            f"increase: rise > {_pct(self.increase_over)} of baseline (any rise from a zero baseline); stable: otherwise"
        )

    def reduced(self, baseline: float, dose: float, threshold: float | None = None) -> bool:
        """The relative reduction meets the threshold under this rule's operator (cessation included)."""
        t = self.reduction_over if threshold is None else threshold
        if baseline <= 0:
            return False
        fall = (baseline - dose) / baseline
        if math.isclose(fall, t, rel_tol=_REL_TOL, abs_tol=_REL_TOL):
            return self.inclusive
        return fall > t

    def categorize(self, baseline: float, dose: float) -> Category:
        if dose == 0 and baseline > 0:
            return "cessation"
        if self.reduced(baseline, dose):
            return "reduction"
        if baseline == 0:
            return "increase" if dose > 0 else "stable"
        rise = (dose - baseline) / baseline
        if rise > self.increase_over and not math.isclose(rise, self.increase_over, rel_tol=_REL_TOL, abs_tol=_REL_TOL):
            return "increase"
        return "stable"


class Change(_Frozen):
    """One patient's change from baseline at one time point (observed at both)."""

    patient_id: str
    timepoint: str
    baseline: float
    dose: float
    absolute: float
    """``dose - baseline`` in MME/day (negative: a reduction)."""
    percent: float | None
    """``100 * (dose - baseline) / baseline``: -100 for a patient who stops; None when baseline is 0."""
    category: Category

    @property
    def ratio(self) -> float | None:
        """``dose / baseline`` (None when baseline is 0)."""
        return None if self.baseline == 0 else self.dose / self.baseline


def changes(matrix: DoseMatrix, *, rule: Rule | None = None, timepoint: str | None = None) -> tuple[Change, ...]:
    """Every patient's change from baseline at each later time point (or one), patients observed at both."""
    rule = rule or Rule()
    targets = matrix.timepoints[1:] if timepoint is None else (timepoint,)
    out = []
    for tp in targets:
        i = matrix.index(tp)
        for p in matrix.patients:
            base, dose = p.cells[0].mme_per_day, p.cells[i].mme_per_day
            if base is None or dose is None:
                continue
            absolute, percent = _change(base, dose)
            out.append(
                Change(
                    patient_id=p.patient_id,
                    timepoint=tp,
                    baseline=base,
                    dose=dose,
                    absolute=absolute,
                    percent=percent,
                    category=rule.categorize(base, dose),
                )
            )
    return tuple(out)


def _change(base: float, dose: float) -> tuple[float, float | None]:
    """``dose - baseline`` and its percent of the baseline, computed on the decimals the values are and rounded once:
    0.2 - 0.3 is -0.1 (floats give -0.09999999999999998), so equal decimal changes are equal (their SD is 0, and a
    paired test sees them tied). A percent past the largest float (a baseline of 5e-324) is infinite, as in floats."""
    b, d = Fraction(exact(base)), Fraction(exact(dose))
    if b == 0:
        return float(d - b), None
    try:
        return float(d - b), float(100 * (d - b) / b)
    except OverflowError:  # only a rise can pass the largest float: a fall is at most -100%
        return float(d - b), math.inf


class Count(_Frozen):
    """A count with both denominators spelled out."""

    key: str
    """``cessation``, ``reduction``, ``stable``, ``increase`` (the partition), or ``reduced_0.5`` (a threshold's
    count, cessation included)."""
    label: str
    n: int
    n_all: int
    """Denominator 1: all patients in the matrix."""
    n_observed: int
    """Denominator 2: patients observed at baseline and at this time point."""

    @property
    def percent_of_all(self) -> float | None:
        return None if self.n_all == 0 else 100 * self.n / self.n_all

    @property
    def percent_of_observed(self) -> float | None:
        return None if self.n_observed == 0 else 100 * self.n / self.n_observed


class PairedTest(_Frozen):
    """Paired comparison of one time point against baseline (patients observed at both)."""

    timepoint: str
    baseline: str
    n: int
    """Pairs used: patients observed at both points."""
    mean_difference: float | None
    """Mean of ``dose - baseline``."""
    t_statistic: float | None
    t_pvalue: float | None
    """Two-sided paired t-test (scipy.stats.ttest_rel); None when n < 2 or every difference is equal."""
    wilcoxon_statistic: float | None
    wilcoxon_pvalue: float | None
    """Two-sided Wilcoxon signed-rank (scipy.stats.wilcoxon, zero_method='wilcox': zero differences dropped,
    method='auto'); None when no difference is non-zero."""
    wilcoxon_n: int
    """Non-zero differences the Wilcoxon test ranked."""
    method: str
    scipy_version: str


class TimepointSummary(_Frozen):
    """One time point of the cohort summary."""

    timepoint: str
    n_patients: int
    n_observed: int
    n_lost: int
    """No record at this time point (lost to follow-up; at baseline, a missing baseline)."""
    n_not_countable: int
    """Records exist but every item is excluded by the table (value missing, not 0)."""
    n_failed: int = 0
    """Records exist but one cannot be read, e.g. an expression that cannot be converted (value missing, not 0)."""
    n_partial: int
    """Observed values that leave out excluded items (counted items only)."""
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    n_paired: int = 0
    """Patients observed at baseline and here (the population of every line below)."""
    mean_change: float | None = None
    sd_change: float | None = None
    n_ratio: int = 0
    """Paired patients with baseline > 0: the population of both ratios and of the mean percent change."""
    ratio_of_means: float | None = None
    """``mean(dose) / mean(baseline)`` over the n_ratio patients."""
    mean_of_ratios: float | None = None
    """``mean(dose_i / baseline_i)`` over the n_ratio patients (mean percent change = 100 * (this - 1))."""
    counts: tuple[Count, ...] = ()
    test: PairedTest | None = None

    def count(self, key: str) -> Count:
        """One count by key: ``cessation``, ``reduction``, ``stable``, ``increase``, ``reduced_0.5``..."""
        for c in self.counts:
            if c.key == key:
                return c
        raise CohortError(f"no count {key!r} at {self.timepoint}; keys: {', '.join(c.key for c in self.counts)}")


class CohortSummary(_Frozen):
    """The study table: dose at each time point, change from baseline, categories, optional paired tests."""

    label: str | None
    table: str | None
    table_version: str | None
    source: str
    definition: str | None
    baseline: str
    n_patients: int
    rule: Rule
    rule_text: str
    quantile_method: str = QUANTILE_METHOD
    sd_method: str = SD_METHOD
    rows: tuple[TimepointSummary, ...]
    notes: tuple[str, ...] = ()

    def row(self, timepoint: str) -> TimepointSummary:
        for r in self.rows:
            if r.timepoint == timepoint:
                return r
        raise CohortError(f"unknown time point {timepoint!r}")

    def __str__(self) -> str:
        return _render(self)


def _quantile(sorted_values: Sequence[float], q: Fraction) -> float:
    """R type 7 / numpy 'linear': position (n - 1) * q between order statistics, interpolated on the decimals the
    values are and rounded once (the median of 4.3 and 36.7 is 20.5, where floats give 20.500000000000004)."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    low, high = (Fraction(exact(sorted_values[i])) for i in (lo, min(lo + 1, len(sorted_values) - 1)))
    return float(low + (high - low) * (pos - lo))


def _mean(values: Sequence[float]) -> float:
    """The mean, exact then rounded once, as a cell's sum is: the mean of values up to the largest float is one too
    (`statistics.fmean` overflowed adding two of them)."""
    return float(sum(map(Fraction, values), Fraction(0)) / len(values))


def too_large(timepoint: str) -> DoseError:
    """The error of a time point whose summary (an SD, a ratio, a paired test) passes the largest float."""
    return DoseError(
        f"the MME/day values at {excerpt(timepoint)} are too large to summarise: a mean, SD, ratio or paired test "
        f"passes the largest float ({sys.float_info.max:.4g}); check the values"
    )


def _too_large_at(timepoint: str, found: Sequence[Change], baseline: str) -> DoseError:
    """`too_large`, or, when a dose over a baseline value passes the largest float (a baseline of 5e-324 MME/day),
    the error that names that baseline: the values at `timepoint` are not what is wrong."""
    tiny = [c for c in found if c.baseline > 0 and not math.isfinite(c.dose / c.baseline)]
    if not tiny:
        return too_large(timepoint)
    c = min(tiny, key=lambda c: c.baseline)
    return DoseError(
        f"the change from {excerpt(baseline)} to {excerpt(timepoint)} cannot be summarised: the {excerpt(baseline)} "
        f"value of patient {excerpt(c.patient_id)}, {c.baseline} MME/day, is so small that a ratio over it passes "
        f"the largest float ({sys.float_info.max:.4g}); check the {excerpt(baseline)} values"
    )


def _describe_values(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "sd": None, "median": None, "q1": None, "q3": None}
    ordered = sorted(values)
    return {
        "mean": _mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else None,
        "median": _quantile(ordered, Fraction(1, 2)),
        "q1": _quantile(ordered, Fraction(1, 4)),
        "q3": _quantile(ordered, Fraction(3, 4)),
    }


def summarize_cohort(
    matrix: DoseMatrix,
    *,
    reduction_over: float = 0.5,
    inclusive: bool = False,
    increase_over: float = 0.0,
    report: Sequence[float] = (0.15, 0.30, 0.50),
    tests: bool = False,
    label: str | None = None,
) -> CohortSummary:
    """Summarise a dose matrix per time point: n observed/lost, mean ± SD, median [IQR], change, categories.

    ``reduction_over`` and ``inclusive`` define the reduction category ("more than 50%" is
    ``0.5, inclusive=False``); ``report`` adds counts of reductions over further thresholds
    (cessation included). With ``tests=True``, paired t and Wilcoxon tests against baseline are
    added (needs ``pip install "mme[stats]"``).
    """
    flag(tests, "tests")
    rule = Rule(reduction_over=reduction_over, inclusive=inclusive, increase_over=increase_over, report=report)
    from ._stats import paired_tests  # built on this module: imported when used

    tested = {t.timepoint: t for t in paired_tests(matrix)} if tests else {}
    n_all = len(matrix.patients)
    rows = []
    for i, tp in enumerate(matrix.timepoints):
        cells = [p.cells[i] for p in matrix.patients]
        values = [c.mme_per_day for c in cells if c.mme_per_day is not None]
        row: dict[str, Any] = {
            "timepoint": tp, "n_patients": n_all, "n_observed": len(values),
            "n_lost": sum(c.status == "lost" for c in cells),
            "n_not_countable": sum(c.status == "not_countable" for c in cells),
            "n_failed": sum(c.status == "failed" for c in cells),
            "n_partial": sum(c.partial for c in cells),
        }  # fmt: skip
        found = changes(matrix, rule=rule, timepoint=tp) if i > 0 else []
        try:
            row.update(_describe_values(values))
            if i > 0:
                row.update(_change_row(found, rule, n_all))
        except OverflowError:
            raise _too_large_at(tp, found, matrix.baseline) from None
        if any(isinstance(v, float) and not math.isfinite(v) for v in row.values()):
            raise _too_large_at(tp, found, matrix.baseline)
        if i > 0:
            row["test"] = tested.get(tp)
        rows.append(TimepointSummary(**row))
    notes = [f"{p.patient_id}: {n}" for p in matrix.patients for n in p.notes]
    return CohortSummary(
        label=label if label is not None else matrix.label, table=matrix.table, table_version=matrix.table_version,
        source=matrix.source, definition=matrix.definition, baseline=matrix.baseline, n_patients=n_all, rule=rule,
        rule_text=rule.describe(), rows=tuple(rows), notes=tuple(notes),
    )  # fmt: skip


def _change_row(found: Sequence[Change], rule: Rule, n_all: int) -> dict[str, Any]:
    diffs = [c.absolute for c in found]
    ratio_pop = [c for c in found if c.baseline > 0]
    n_obs = len(found)

    def count(key: str, label: str, n: int) -> Count:
        return Count(key=key, label=label, n=n, n_all=n_all, n_observed=n_obs)

    labels: dict[Category, str] = {
        "cessation": "cessation (0 MME/day)",
        "reduction": f"{rule.reduction_text()}, not ceased",
        "stable": "stable",
        "increase": f"increase > {_pct(rule.increase_over)}",
    }
    counts = [count(key, label, sum(c.category == key for c in found)) for key, label in labels.items()]
    for t in sorted({*rule.report, rule.reduction_over}):
        n = sum(rule.reduced(c.baseline, c.dose, t) for c in found)
        counts.append(count(f"reduced_{t:g}", f"{rule.reduction_text(t)}, incl. cessation", n))
    mean_base = _mean([c.baseline for c in ratio_pop]) if ratio_pop else None
    return {
        "n_paired": n_obs,
        "mean_change": _mean(diffs) if diffs else None,
        "sd_change": statistics.stdev(diffs) if len(diffs) > 1 else None,
        "n_ratio": len(ratio_pop),
        "ratio_of_means": _mean([c.dose for c in ratio_pop]) / mean_base if mean_base else None,
        "mean_of_ratios": _mean([c.dose / c.baseline for c in ratio_pop]) if ratio_pop else None,
        "counts": tuple(counts),
    }


def _fill_text(d: Dispensing, reason: str) -> str:
    return f"{d.drug} {d.strength} filled {d.fill_date}: {reason}"


def _window(tp: str, span: object) -> tuple[int, int]:
    """A window as two whole day offsets: a fraction of a day, a bool or text has no day to start on."""
    if not isinstance(span, tuple | list) or len(span) != 2:
        raise CohortError(
            f"window {excerpt(tp)}: give two day offsets (first, last), e.g. (-90, -1), not {excerpt(span)}"
        )
    first, last = span
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in span):
        raise ArgumentTypeError(
            f"window {excerpt(tp)}: day offsets are whole numbers of days (int), e.g. (-90, -1), not {excerpt(span)}"
        )
    if last < first:
        raise CohortError(f"window {tp!r}: last day {last} is before first day {first}")
    return first, last


def _date(value: object, what: str) -> date:
    """A date, a datetime read as its calendar day (as `mme.summarize` reads ``start`` and ``end``); text is refused
    rather than compared with dates."""
    if not isinstance(value, date):
        raise ArgumentTypeError(f"{what} must be a datetime.date, e.g. date(2020, 1, 31), not {excerpt(value)}")
    return value.date() if isinstance(value, datetime) else value


def _by_patient(days: Mapping[str, date], name: str, what: str) -> dict[str, date]:
    """Dates keyed by patient id, each key read by `_patient_ids`."""
    if not isinstance(days, Mapping):
        raise ArgumentTypeError(f"{name} is a mapping of each patient id to a date, e.g. {{'A': date(2020, 1, 31)}}, "
                                f"not {excerpt(days)}")  # fmt: skip
    ids = _patient_ids(days, name)
    return {pid: _date(day, f"{what} of patient {excerpt(pid)}") for pid, day in zip(ids, days.values(), strict=True)}


def from_dispensings(
    dispensings: Iterable[Dispensing],
    windows: Mapping[str, tuple[int, int]],
    anchors: Mapping[str, date],
    *,
    definition: Definition,
    table: TableLike = DEFAULT_TABLE,
    followed_until: Mapping[str, date] | None = None,
    include_buprenorphine: bool = True,
    clip_to_window: bool = True,
    label: str | None = None,
) -> DoseMatrix:
    """The patient x time point matrix from dispensing histories, one window per time point.

    ``anchors`` maps every patient of the cohort (in order) to an anchor date (e.g. the admission);
    each `mme._history.Dispensing` names its patient. ``windows`` maps each time point (in order,
    the first being the baseline) to day offsets ``(first, last)`` from the anchor, both days
    included: ``{"baseline": (-90, -1), "3m": (61, 120)}``. ``definition`` names the
    `mme._history.summarize` field that gives the value: ``"days_supply"`` (mme_per_days_supply),
    ``"therapy_days"`` (mme_per_therapy_day), ``"window"`` (mme_per_window_day) or ``"max_daily"``
    (max_daily_mme).

    * A patient whose follow-up (``followed_until``) ends before a window's last day is lost
      there (None). Patients absent from ``followed_until`` are followed throughout; a key that is not
      one of ``anchors`` (a typo, another case) is an error, never "followed throughout".
    * A window without any dispensing is 0 (no opioid dispensed): claims cannot tell "no opioid"
      from "no claim", so pass ``followed_until`` to mark the end of follow-up.
    * Fills the table excludes (buprenorphine under CDC 2022) never become 0: a window whose only
      fills are excluded is None (``not_countable``) with the reason; otherwise the value counts
      the other fills and the exclusion is listed in the notes.
    * A fill the engine cannot convert (unknown drug or unit, an overflowing amount) fails its
      window: None (``failed``) with the reason in ``error``, whatever else was filled, never 0.
    """
    from mme import _history

    flag(include_buprenorphine, "include_buprenorphine")  # up front: a cohort with no fill in a window checks none
    flag(clip_to_window, "clip_to_window")
    if definition not in DEFINITIONS:
        raise CohortError(f"unknown definition {definition!r}: choose one of {', '.join(DEFINITIONS)}")
    field = DEFINITIONS[definition]
    if not isinstance(windows, Mapping):
        raise ArgumentTypeError(
            f"windows is a mapping of each time point to its window, e.g. {{'baseline': (-90, -1)}}, not {excerpt(windows)}"
        )
    order = tuple(windows)
    if not order:
        raise CohortError("give at least one time point window (the first is the baseline)")
    spans_by = {tp: _window(tp, span) for tp, span in windows.items()}
    anchor_by = _by_patient(anchors, "`anchors`", "anchor")
    until_by = _by_patient(followed_until or {}, "`followed_until`", "followed_until")
    if strays := [pid for pid in until_by if pid not in anchor_by]:  # a typo would read as followed throughout
        raise CohortError(
            f"followed_until names patients with no anchor date: {', '.join(map(excerpt, strays[:5]))}"
            f"{' ...' * (len(strays) > 5)}; its keys are the anchors' patient ids, spelled the same"
        )
    tab = resolve_table(table)
    grouped: dict[str, list[Dispensing]] = {pid: [] for pid in anchor_by}
    for d in _history._dispensings(dispensings):
        if d.patient_id not in grouped:
            raise CohortError(f"dispensing for patient {d.patient_id!r}, who has no anchor date")
        grouped[d.patient_id].append(d)
    rows = []
    for pid, anchor in anchor_by.items():
        cells: list[Cell] = []
        notes: list[str] = []
        for tp in order:
            first, last = spans_by[tp]
            try:
                start, end = anchor + timedelta(days=first), anchor + timedelta(days=last)
            except OverflowError:
                raise CohortError(
                    f"window {excerpt(tp)} ({first}..{last} days) from the anchor of patient {excerpt(pid)} ({anchor}) "
                    "falls outside the calendar (years 1-9999): give day offsets that fit"
                ) from None
            until = until_by.get(pid)
            if until is not None and until < end:
                cells.append(Cell(mme_per_day=None, status="lost"))
                continue
            span = f"{field} over {start}..{end}"
            if not grouped[pid]:
                cells.append(Cell(mme_per_day=0.0, status="observed", items=(f"{span}: no dispensing",)))
                continue
            summary = _history.summarize(
                grouped[pid], start=start, end=end, table=tab, include_buprenorphine=include_buprenorphine,
                clip_to_window=clip_to_window,
            )  # fmt: skip
            excluded = tuple(_fill_text(e.dispensing, e.reason) for e in summary.excluded)
            if summary.failed:  # the MME is unknown: never 0, never the other fills' sum
                error = "; ".join(_fill_text(f.dispensing, f.reason) for f in summary.failed)
                notes.append(f"{tp}: failed, no value (not 0): {error}")
                cells.append(Cell(mme_per_day=None, status="failed", items=(span,), excluded=excluded, error=error))
                continue
            if summary.n_dispensings == 0 and excluded:
                notes.append(f"{tp}: no MME: every fill in the window is excluded; value left missing, not 0 "
                             f"({'; '.join(excluded)})")  # fmt: skip
                cells.append(Cell(mme_per_day=None, status="not_countable", items=(span,), excluded=excluded))
                continue
            value = cast("float | None", getattr(summary, field))
            if excluded:
                notes.append(f"{tp}: value counts the other fills only; not counted: {'; '.join(excluded)}")
            if value is None:  # 0/0: no fill in the window (failed and excluded fills are handled above)
                value = 0.0
            items = (f"{span}: {summary.n_dispensings} fill(s), {_num(value, 2)} MME/day",)
            cells.append(Cell(mme_per_day=float(value), status="observed", items=items, excluded=excluded))
        rows.append(PatientDoses(patient_id=pid, cells=tuple(cells), notes=tuple(notes)))
    spans = "; ".join(f"{tp} days {a}..{b}" for tp, (a, b) in spans_by.items())
    return DoseMatrix(
        timepoints=order, patients=tuple(rows), table=tab.slug, table_version=tab.version, source="dispensings",
        definition=f"{definition} ({field}); windows from the anchor date: {spans}; clip_to_window={clip_to_window}; "
        f"include_buprenorphine={include_buprenorphine}",
        label=label,
    )  # fmt: skip

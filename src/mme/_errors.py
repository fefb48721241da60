"""Errors and warnings raised by `mme`.

Every error is an `MMEError`; each also inherits the builtin it resembles, so
``except LookupError`` or ``except ValueError`` keeps working in callers' code::

    MMEError
    ├── UnknownDrugError (LookupError)      a name no table knows
    ├── UnknownTableError (LookupError)     a slug that is not shipped nor loaded
    ├── UnknownRxCUIError (LookupError)     an RxCUI the RxNorm product file does not hold
    ├── NotCoveredError (LookupError)       the table has no factor for this drug/route/form
    ├── AmbiguousDoseError (ValueError)     several rows fit: say the route, form or variant
    ├── DoseError (ValueError)              negative, zero, NaN or infinite amounts
    ├── UnitError (ValueError)              unknown unit, or a unit of the wrong dimension
    │   └── UnknownTermError (LookupError)  an unknown route, form or release type
    ├── ExpressionError (ValueError)        a dose expression the grammar cannot read
    │   └── NdcError                        a malformed or ambiguous NDC
    ├── MixedTablesError (ValueError)       results from different tables added together
    ├── TableError (ValueError)             a malformed table file (names file, row, field), a borrowed slug
    ├── ArgumentTypeError (TypeError)       an argument of the wrong type (None where text is due...)
    ├── CohortError (ValueError)            mme.taper: cohort records that cannot be read without guessing
    ├── ColumnError (KeyError)              mme.frames: a column missing, reserved or not fitting the options
    └── TablesNotFoundError (FileNotFoundError)

Warnings are `MMEWarning`; `ImplausibleDoseWarning` flags inputs that are valid
but probably mistyped (mcg entered as mg, more than 10,000 MME/day).

Messages quote at most a short `excerpt` of what was typed, and text inputs longer than
`MAX_TEXT` characters are refused before they are read: a huge input costs no time and
makes no huge message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "AmbiguousDoseError",
    "ArgumentTypeError",
    "CohortError",
    "ColumnError",
    "DoseError",
    "ExpressionError",
    "ImplausibleDoseWarning",
    "MMEError",
    "MMEWarning",
    "MixedTablesError",
    "NdcError",
    "NotCoveredError",
    "TableError",
    "TablesNotFoundError",
    "UnitError",
    "UnknownDrugError",
    "UnknownRxCUIError",
    "UnknownTableError",
    "UnknownTermError",
]


class MMEError(Exception):
    """Base class of every error raised by `mme`."""


class UnknownDrugError(MMEError, LookupError):
    """A drug name that no vocabulary entry matches, or a product known and never converted (``reason`` says why);
    ``listed`` says where the names that are known are listed (the tables', or another vocabulary's)."""

    def __init__(
        self, name: str, suggestions: Sequence[str] = (), reason: str = "",
        listed: str = "`mme tables show <slug>` lists what a table covers",
    ) -> None:  # fmt: skip
        self.name = name
        self.suggestions = tuple(suggestions)
        if reason:
            super().__init__(f"{excerpt(name)} is not converted: {reason}")
            return
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown drug {excerpt(name)}.{hint} {listed}.")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownTableError(MMEError, LookupError):
    """A table slug that is neither shipped nor loaded."""

    def __init__(self, slug: str, available: Sequence[str] = (), *, why: str | None = None) -> None:
        """``why`` a path given is no table ("no such file"), when it names a file or a folder."""
        self.slug = slug
        self.available = tuple(available)
        shown = repr(slug) if len(slug) <= MAX_TEXT else excerpt(slug)  # a path is shown whole, a flood is not
        super().__init__(f"unknown table {shown}{f' ({why})' if why else ''}; available: {', '.join(self.available)}")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownRxCUIError(MMEError, LookupError):
    """An RxCUI that the RxNorm product file does not hold; says the file's RxNorm date."""

    def __init__(self, rxcui: str, rxnorm_date: str, *, ingredient: str | None = None, why: str | None = None) -> None:
        """``why`` it is not there, when known ("an RxCUI is a whole number."); an ingredient's code says so."""
        self.rxcui = rxcui
        self.rxnorm_date = rxnorm_date
        self.ingredient = ingredient
        if why is None and ingredient is not None:
            why = f"it is the ingredient {ingredient}, not a product: give the dose in mg, or a product's RxCUI."
        elif why is None:
            why = (
                "it may be newer than the file, or not an opioid product. Rebuild the file from a newer release "
                "(`mme rxnorm build`) and pass rxnorm=PATH, or convert by drug and strength."
            )
        super().__init__(f"RxCUI {rxcui!r} is not in the RxNorm product file (RxNorm {rxnorm_date}): {why}")

    def __str__(self) -> str:
        return str(self.args[0])


class NotCoveredError(MMEError, LookupError):
    """The chosen table has no factor for this drug, route and form."""

    def __init__(self, message: str, covered_by: Sequence[str] | None = None) -> None:
        self.covered_by = tuple(covered_by or ())
        if self.covered_by:
            message += f" Tables that cover it: {', '.join(self.covered_by)}."
        elif covered_by is not None:
            message += " No shipped table covers it; a custom table can (see docs/table-format.md)."
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class AmbiguousDoseError(MMEError, ValueError):
    """Several table rows fit the input; the caller must say which one."""


class DoseError(MMEError, ValueError):
    """An amount that cannot be a dose: negative, zero, NaN or infinite."""


class UnitError(MMEError, ValueError):
    """A unit that is unknown or of the wrong dimension for this input."""


class ExpressionError(MMEError, ValueError):
    """A dose expression that the grammar cannot read."""


class UnknownTermError(UnitError, LookupError):
    """A route, form or release type that the vocabulary does not know.

    Also a `UnitError`, which it was before it had a name of its own, so existing handlers still catch it.
    """


class NdcError(ExpressionError):
    """An NDC that is malformed or ambiguous (10 digits without hyphens).

    Also an `ExpressionError`, which it was before it had a name of its own, so existing handlers still catch it.
    """


class MixedTablesError(MMEError, ValueError):
    """Results computed with different tables cannot be added together."""


class TableError(MMEError, ValueError):
    """A table file that does not follow the format (names the file, row and field), or a table of your own that takes
    a shipped table's slug: its results would name the shipped table."""

    def __init__(self, file: str, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.file = file
        self.row = row
        self.field = field
        where = file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class ArgumentTypeError(MMEError, TypeError):
    """An argument of the wrong type: None, a list or an object where a number or text is due."""


class TablesNotFoundError(MMEError, FileNotFoundError):
    """The bundled conversion tables cannot be found (a broken installation)."""


class CohortError(MMEError, ValueError):
    """Cohort records that cannot be read without guessing (contradictory, unknown time point, bad value)."""


#: How `mme.frames` says to name columns (the command line says it in options).
COLUMN_KEYWORDS = "map yours with the keyword arguments (drug=..., strength=..., quantity=...)"
#: How `mme.frames.daily_mme`, whose keywords are a regimen's, says it.
REGIMEN_KEYWORDS = (
    "map yours with the keyword arguments (drug=..., dose=..., dose_unit=..., per_day=...; dose_unit=None for a "
    "dose column of text such as '10 mg')"
)


class ColumnError(MMEError, KeyError):
    """`mme.frames`: a column the call names is not in the frame, a name is reserved, columns and options
    do not fit together (an NDC column without its file), or a lazy result is read after its data gained a key."""

    def __str__(self) -> str:  # the message as it is: KeyError's would quote it
        return str(self.args[0]) if self.args else ""


#: The longest text input (a dose, a unit, a drug name, an expression) read, in characters.
MAX_TEXT = 1_000
_EXCERPT = 60


def excerpt(value: object) -> str:
    """`repr` of an input, cut to a short excerpt: a message never echoes a huge input whole."""
    if isinstance(value, str) and len(value) > _EXCERPT:
        return repr(value[:_EXCERPT]) + f"... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= 2 * _EXCERPT else text[: 2 * _EXCERPT] + "..."


def flag(value: object, name: str, meaning: str = "True or False") -> None:
    """A bool argument is a bool: any text is true ("no" too), and 1, np.bool_ or None would be taken as one silently."""
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be {meaning}, not {excerpt(value)}")


def listed(values: object, message: str) -> tuple[Any, ...]:
    """``values`` as a tuple, or an `ArgumentTypeError` saying ``message`` where they are no collection: a number, or a
    0-d array or a pint Quantity, which say they are iterable and then raise a bare TypeError."""
    try:
        return tuple(values)  # type: ignore[arg-type]
    except TypeError:
        raise ArgumentTypeError(f"{message} {excerpt(values)}") from None


def bounded(text: str, what: str, error: type[MMEError]) -> str:
    """`text` unchanged if at most `MAX_TEXT` characters long, else ``error`` saying so."""
    if len(text) > MAX_TEXT:
        raise error(f"{what} {excerpt(text)} is too long: at most {MAX_TEXT:,} characters are read")
    return text


def named_twice(header: Sequence[str], where: str = "its header") -> str | None:
    """What is wrong with a file's header (or a frame's columns, `where`) that names a column twice (which one holds
    the value?), if it does."""
    counts = Counter(header)  # one pass: a header of 100,000 names took 207 s counted name by name
    twice = next((name for name, n in counts.items() if name and n > 1), None)
    if twice is None:
        return None
    return f"the column {twice!r} appears {counts[twice]} times in {where}: rename or remove all but one"


def named_file(path: Path) -> Path:
    """``path``, if a file can have its name; a NUL in it (no file system allows one) is a `TableError`."""
    if "\x00" in str(path):
        raise TableError(repr(str(path)), "no file has a NUL character in its name")
    return path


def utf8_text(data: bytes, where: str, error: type[MMEError]) -> str:
    """``data`` read as UTF-8 (a byte order mark is read past); other bytes are ``error`` naming their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{where} is not UTF-8 text (line {line}, byte {exc.start}): save it as UTF-8") from None


class MMEWarning(UserWarning):
    """Base class of the warnings `mme` emits."""


class ImplausibleDoseWarning(MMEWarning):
    """A valid but implausible input: probably a typing or unit mistake."""

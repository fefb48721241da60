"""Conversion tables: the validated models, the loader and discovery.

One TOML file per published version lives in ``conversion_tables/`` (format in
``docs/table-format.md``). Files are read lazily, once, validated into frozen models;
a malformed file raises `TableError` naming the file, the row and the field.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import stat
import tomllib
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ._errors import ArgumentTypeError, TableError, TablesNotFoundError, UnknownTableError, named_file
from ._vocab import DRUGS, FORMS, ROUTES

__all__ = [
    "DEFAULT_TABLE",
    "Example",
    "Exclusion",
    "FactorRow",
    "Table",
    "Tier",
    "get_table",
    "list_tables",
    "load_table",
    "resolve_table",
]

#: The table used when none is named. Changing it is a breaking change (a major release).
DEFAULT_TABLE = "cdc-2022"

FORMAT_VERSION = 1


#: The plausible range of a conversion factor (per mg, per mcg or per mcg/h): the shipped ones lie in 0.039-40.
FACTOR_RANGE = (Decimal("0.001"), Decimal("1000"))
#: The plausible range of a daily dose bound (tier bounds, ``warn_above``), in mg/day.
DOSE_RANGE = (Decimal("0"), Decimal("10000"))
#: The plausible range of ``wear_days``: one patch is worn for days, not weeks.
WEAR_DAYS_RANGE = (1, 14)
#: The largest table file read, in bytes (the shipped ones are under 30 kB).
MAX_TABLE_BYTES = 5_000_000

_M = TypeVar("_M", bound=BaseModel)
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _published(value: object, low: Decimal, high: Decimal) -> Decimal:
    """A number written as the source prints it: a plain ASCII decimal string, within a plausible range.

    A TOML float has already lost the printed digits; a string such as "1_5", "1e-400" or " 1.5 "
    would be read by `Decimal` as another number than the one printed, so only digits and one point pass.
    (A module-level function bound with `partial`, not a closure built at import, so that its mutants run.)
    """
    if isinstance(value, Decimal):  # a model built in code (an NDC file's own factor)
        value = str(value)
    if not isinstance(value, str):
        raise ValueError('write the number as a string exactly as the source prints it, e.g. "0.15"')
    if not _PLAIN_DECIMAL.fullmatch(value):
        shown = repr(value[:20]) + ("..." if len(value) > 20 else "")
        raise ValueError(
            f"{shown} is not a plain decimal: write ASCII digits with at most one point, "
            'e.g. "0.15" (no sign, exponent, space, "_" or other digits)'
        )
    number = Decimal(value)
    if not low <= number <= high:
        raise ValueError(f"{value} is outside the plausible range {low} to {high}: check the source")
    return number


Factor = Annotated[Decimal, BeforeValidator(partial(_published, low=FACTOR_RANGE[0], high=FACTOR_RANGE[1]))]
DailyDose = Annotated[Decimal, BeforeValidator(partial(_published, low=DOSE_RANGE[0], high=DOSE_RANGE[1]))]


class _Frozen(BaseModel):
    # No validator is built until a table file is validated: the shipped files are not (see `SHIPPED_SHA256`).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Tier(_Frozen):
    """One band of a dose-tiered factor: applies when ``above < daily dose <= upto``, the daily dose as a result
    reports it (rounded to 9 decimals: docs/methadone.md), so that every path, binary floats too, chooses alike."""

    above: DailyDose
    upto: DailyDose | None = None
    factor: Factor
    printed: str | None = None
    """The band as the source prints it (e.g. "21-40"), kept for the record."""

    def contains(self, daily_dose: float) -> bool:
        return float(self.above) < daily_dose and (self.upto is None or daily_dose <= float(self.upto))

    def __str__(self) -> str:
        band = f"({self.above}, {self.upto}]" if self.upto is not None else f"> {self.above}"
        return f"{band} mg/day -> {self.factor}"


class FactorRow(_Frozen):
    """One conversion factor: which drug, routes and forms it covers, and per which unit."""

    drug: str
    routes: tuple[str, ...] = Field(min_length=1)
    forms: tuple[str, ...] = ()
    """Empty means every form given by this route."""
    release: Literal["IR", "ER"] | None = None
    unit: Literal["mg", "mcg", "mcg/h"]
    """What the factor multiplies: daily mg, daily mcg, or patch rate in mcg/h."""
    factor: Factor | None = None
    tiers: tuple[Tier, ...] = ()
    wear_days: int | None = Field(default=None, strict=True, ge=WEAR_DAYS_RANGE[0], le=WEAR_DAYS_RANGE[1])
    """Dispensed-patch convention: the factor is per mcg/h per dispensed patch worn this many days."""
    variant: str | None = None
    """Name of one of several values the source prints for the same drug (the caller chooses)."""
    default: bool = False
    """The variant the source names as its default."""
    warn_above: DailyDose | None = None
    """Daily dose (mg) above which the source defines nothing: the last tier applies, with a warning."""
    source: str = Field(min_length=1)
    caution: str | None = None

    @model_validator(mode="after")
    def _check(self) -> FactorRow:
        if self.drug not in DRUGS:
            raise ValueError(f"drug: {self.drug!r} is not a canonical ingredient ({', '.join(sorted(DRUGS))})")
        for r in self.routes:
            if r not in ROUTES:
                raise ValueError(f"routes: {r!r} is not a canonical route ({', '.join(sorted(ROUTES))})")
        for f in self.forms:
            if f not in FORMS:
                raise ValueError(f"forms: {f!r} is not a canonical form ({', '.join(sorted(FORMS))})")
        if (self.factor is None) == (not self.tiers):
            raise ValueError("factor: give exactly one of factor or tiers")
        if self.tiers:
            _check_tiers(self.tiers)
        if self.wear_days is not None and self.unit != "mcg/h":
            raise ValueError("wear_days: only applies to patch rows (unit mcg/h)")
        return self

    @property
    def is_patch(self) -> bool:
        return self.unit == "mcg/h"

    def rate_factor(self, factor: Decimal) -> float:
        """The factor per unit of *daily* amount (or of patch rate): one meaning for both patch conventions."""
        return float(factor) / self.wear_days if self.wear_days else float(factor)

    def tier_for(self, daily_dose: float) -> Tier:
        for tier in self.tiers:
            if tier.contains(daily_dose):
                return tier
        raise AssertionError("tiers cover (0, inf) by construction")  # pragma: no cover

    def describe(self) -> str:
        where = "/".join(self.routes) + (f" {'/'.join(self.forms)}" if self.forms else "")
        if self.release:
            where += f" {self.release}"
        return f"{self.drug} {where}" + (f" [{self.variant}]" if self.variant else "")


def _check_tiers(tiers: tuple[Tier, ...]) -> None:
    if tiers[0].above != 0:
        raise ValueError("tiers: the first tier must start above 0")
    for low, high in itertools.pairwise(tiers):
        if low.upto is None or low.upto != high.above:
            raise ValueError(f"tiers: tiers must be contiguous half-open bands: {low} is followed by {high}")
    for tier in tiers:
        if tier.upto is not None and tier.upto <= tier.above:
            raise ValueError(f"tiers: empty tier {tier}")
    if tiers[-1].upto is not None:
        raise ValueError("tiers: the last tier must be open-ended (no upto): no daily dose may fall outside the bands")


class Exclusion(_Frozen):
    """A drug (or some of its routes/forms) the table deliberately gives no MME, with its reason."""

    drug: str
    routes: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    reason: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Exclusion:
        if self.drug not in DRUGS:
            raise ValueError(f"drug: {self.drug!r} is not a canonical ingredient")
        if bad := [r for r in self.routes if r not in ROUTES] + [f for f in self.forms if f not in FORMS]:
            raise ValueError(f"routes: not canonical: {bad}")
        return self


class Example(_Frozen):
    """A worked example printed by the source; every one is a test."""

    text: str
    expression: str
    """The input in the `mme convert` grammar."""
    mme_per_day: str
    """The result as printed; the tests compare it exactly, rounding only a figure the source prints rounded."""
    quantity: float | None = Field(default=None, strict=True, gt=0, allow_inf_nan=False)
    days_supply: float | None = Field(default=None, strict=True, gt=0, allow_inf_nan=False)
    package_ml: float | None = Field(default=None, strict=True, gt=0, allow_inf_nan=False)
    variant: str | None = None
    source: str


class Table(_Frozen):
    """One published conversion table, as shipped in ``conversion_tables/<slug>.toml``."""

    format: Literal[1]
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    publisher: str
    version: str
    published: date
    kind: Literal["clinical", "analytic", "research"]
    patch_convention: Literal["rate", "dispensed"]
    citation: str
    url: str
    copy_read: str
    notes: str = ""
    caveats: tuple[str, ...] = ()
    rows: tuple[FactorRow, ...]
    excluded: tuple[Exclusion, ...] = ()
    examples: tuple[Example, ...] = ()
    sha256: str = ""
    """Checksum of the file the table was read from (filled in by the loader)."""

    @model_validator(mode="after")
    def _check(self) -> Table:
        for i, row in enumerate(self.rows, 1):
            if row.is_patch and (self.patch_convention == "dispensed") != (row.wear_days is not None):
                need = "needs wear_days" if self.patch_convention == "dispensed" else "must not have wear_days"
                raise ValueError(
                    f"rows[{i}]: wear_days: a patch row of a {self.patch_convention}-convention table {need}"
                )
        if clash := _first_overlap(self.rows):
            i, j = clash
            a, b = self.rows[i], self.rows[j]
            raise ValueError(f"rows[{j + 1}]: routes: overlaps rows[{i + 1}] ({a.describe()} / {b.describe()})")
        claims = _Claims()
        for i, row in enumerate(self.rows):
            claims.claim([(row.drug, route) for route in row.routes], row.forms, i)
        for i, ex in enumerate(self.excluded, 1):
            hit = claims.clash([(ex.drug, route) for route in ex.routes or sorted(ROUTES)], ex.forms)
            if hit is not None:
                raise ValueError(f"excluded[{i}]: drug: {ex.drug} also has a factor row ({self.rows[hit].describe()})")
        return self

    def __hash__(self) -> int:  # cheap: tables are cache keys in the engine's hot path
        return hash((self.slug, self.sha256))

    def rows_for(self, drug: str) -> tuple[FactorRow, ...]:
        return tuple(r for r in self.rows if r.drug == drug)

    @property
    def drugs(self) -> tuple[str, ...]:
        """Ingredients with a factor in this table."""
        return tuple(sorted({r.drug for r in self.rows}))

    def __str__(self) -> str:
        return f"{self.slug}: {self.title} ({self.publisher}, {self.version})"


class _Claims:
    """Which rows claim which cells, so that overlaps are found in linear time, not by comparing every pair.

    A cell is a key (drug, route...) and a form; a row with no forms claims every form of its keys.
    """

    def __init__(self) -> None:
        self.every: dict[Hashable, int] = {}  # key -> the first row claiming every form
        self.some: dict[Hashable, int] = {}  # key -> the first row claiming some form
        self.form: dict[tuple[Hashable, str], int] = {}  # (key, form) -> the first row claiming it

    def clash(self, keys: Sequence[Hashable], forms: Sequence[str]) -> int | None:
        """The first earlier row claiming a cell of these keys and forms (no forms: any form), if any."""
        hits = [(self.every if forms else self.some).get(key) for key in keys]  # `some` includes `every`
        hits += [self.form.get((key, form)) for key in keys for form in forms]
        return min((hit for hit in hits if hit is not None), default=None)

    def claim(self, keys: Sequence[Hashable], forms: Sequence[str], index: int) -> None:
        for key in keys:
            if not forms:
                self.every.setdefault(key, index)
            self.some.setdefault(key, index)
            for form in forms:
                self.form.setdefault((key, form), index)


def _first_overlap(rows: Sequence[FactorRow]) -> tuple[int, int] | None:
    """The first row (by index) that overlaps an earlier one, and that earlier row; None if no two overlap.

    Two rows overlap when they share drug, variant and patch-ness, and their releases (none: both),
    routes and forms (none: every form) meet: then a dose could get either factor.
    """
    claims = _Claims()
    for j, row in enumerate(rows):
        keys = [
            (row.drug, row.variant, row.is_patch, route, release)
            for route in row.routes
            for release in ((row.release,) if row.release else ("IR", "ER"))
        ]
        if (i := claims.clash(keys, row.forms)) is not None:
            return i, j
        claims.claim(keys, row.forms, j)
    return None


def _tables_folder() -> Path:
    """The bundled tables: inside the installed package, or at the top of a source checkout. Found from this file's
    path, as `mme.rxnorm` finds its data: importlib.resources would import zipfile, tempfile and more on every command."""
    packaged = Path(__file__).parent / "conversion_tables"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "conversion_tables"  # editable install from src/
    if checkout.is_dir():
        return checkout
    raise TablesNotFoundError(
        "the bundled conversion tables are missing: reinstall mme (pip install --force-reinstall mme)"
    )


def _parse(text: bytes, name: str) -> Table:
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TableError(name, f"not valid TOML: {exc}") from exc
    except RecursionError:
        raise TableError(name, "not a table: arrays or tables nested too deeply") from None
    if data.get("format") != FORMAT_VERSION:
        raise TableError(name, f"unsupported format {data.get('format')!r}; expected {FORMAT_VERSION}", field="format")
    if "sha256" in data:
        raise TableError(name, "the checksum is computed by the loader, not written in the file", field="sha256")
    sha256 = hashlib.sha256(text).hexdigest()
    if sha256 in _VALIDATED:
        return _validated(data, sha256)
    try:
        return Table.model_validate({**data, "sha256": sha256})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc, message = err["loc"], err["msg"].removeprefix("Value error, ")
        row: int | None = None
        if len(loc) > 1 and loc[0] in ("rows", "excluded", "examples") and isinstance(loc[1], int):
            row, loc = loc[1] + 1, loc[2:]  # 1-based, as a reviewer counts [[rows]] in the file
        elif match := re.match(r"(?:rows|excluded)\[(\d+)\]: ", message):  # a check across rows
            row, message = int(match[1]), message[match.end() :]
        if match := re.match(r"([a-z_]+): ", message):  # validators name their field first
            loc, message = (match[1],), message[match.end() :]
        field = ".".join(str(p) for p in loc) or None
        raise TableError(name, message, row=row, field=field) from exc


#: The sha256 of every shipped table file. A published table never changes (a correction is a new file): the tests
#: check each against their own append-only record (tests/shipped_tables.txt), and that each of these files passes
#: `Table.model_validate` and that `_validated` builds the very same model.
SHIPPED_SHA256: Final[Mapping[str, str]] = MappingProxyType(
    {
        "anzca-2014": "8a6c2c75933416dd5bc73a243869688b8bd3a66452882d59196e9d04baf7a2bd",
        "anzca-2021": "ebdfccb82cd6341191de6ce475830c0ff819fa9f1a2ae1dfd2308cf8db69e80f",
        "cdc-2016": "014e2831b983057dc96516d2846390920ab935d7ce7a15d072a2b93a0221a9bc",
        "cdc-2022": "8e2efa324e842cfecb0cc40b44a303454449859271ad240caba13163313413c9",
        "cdc-ndc-2010": "be51ef6db88b17cb31bb0b3f09b0d2f8897ec3c83081e81b50a123ca3198bd81",
        "cdc-ndc-2013": "24c367a5b98268b7c44de9ab79d2001dfa0b00a6b3cc04a51f9888b460eb13ef",
        "cdc-ndc-2014": "47325bdaa68f7cf110ca0a5696f12bd81443f943b7be5dd4a7c322e60e311508",
        "cdc-ndc-2016": "10c60473db5b78c76d5e3017f169bf38da8891e39fc9c0c2a325d5cabfa162d3",
        "cdc-ndc-2017": "5c32739f749da8a92b0b36b79f5f82812069a30cfc31c31656c72e49bcda5e0f",
        "cdc-ndc-2018": "dfec39b95c36dd15f30cab9f65e79c4f7dea3a9483189aa7cf77177fc1c19204",
        "cms-2018": "759814c17d6a59b44da1d1dd726d3e10c561205adc9f1d313247cb24b9dbe2c1",
        "heal-2025": "a24098d1c8e8bc5c460c0714fe341a3b6af82403e7eaf98db7e369cbcc0f82c9",
    }
)
_VALIDATED = frozenset(SHIPPED_SHA256.values())


def _validated(data: dict[str, Any], sha256: str) -> Table:
    """The `Table` that `Table.model_validate` makes of a file already validated (its digest is in `SHIPPED_SHA256`),
    built without pydantic's validators: building them would be most of a one-off command's time."""
    tiers = _many(Tier, above=Decimal, upto=Decimal, factor=Decimal)
    rows = _many(FactorRow, routes=tuple, forms=tuple, factor=Decimal, warn_above=Decimal, tiers=tiers)
    excluded = _many(Exclusion, routes=tuple, forms=tuple)
    examples = _many(Example, quantity=float, days_supply=float, package_ml=float)
    return _built(Table, {**data, "sha256": sha256}, caveats=tuple, rows=rows, excluded=excluded, examples=examples)


def _built(model: type[_M], fields: dict[str, Any], **convert: Callable[[Any], object]) -> _M:
    """`model` of validated `fields`, the named ones converted as validation converts them (e.g. "7.2" to a Decimal)."""
    values: dict[str, Any] = {k: convert[k](v) if k in convert else v for k, v in fields.items()}
    return model.model_construct(**values)


def _many(model: type[_M], **convert: Callable[[Any], object]) -> Callable[[list[dict[str, Any]]], tuple[_M, ...]]:
    return lambda items: tuple(_built(model, fields, **convert) for fields in items)


def load_table(path: str | os.PathLike[str]) -> Table:
    """Read and validate a table file of your own (same format as the shipped ones)."""
    path = _path(path)
    table = _parse(_read(path), str(path))
    if table.slug != path.stem:
        raise TableError(str(path), f"slug {table.slug!r} does not match the file name", field="slug")
    return _as_shipped(table, str(path))


def _as_shipped(table: Table, name: str) -> Table:
    """The table to use for `table`: the shipped one when it has a shipped slug and that table's content, whatever its
    file's bytes or checksum (CRLF line endings, "1.50" for "1.5", a `model_copy`); itself when its slug is its own.

    Any other table with a shipped slug is a `TableError`, from a file and from code alike: its results would name
    a table whose numbers they do not use, and `mme.total` would add them to the shipped table's.
    """
    if table.slug not in SHIPPED_SHA256:
        return table
    shipped = get_table(table.slug)
    if table is shipped or table == shipped or (differs := _difference(table, shipped)) is None:
        return shipped
    slug, local = table.slug, f"{table.slug}-local"
    raise TableError(
        name,
        f"{slug!r} is the slug of a shipped table, and this table is not that table ({differs}): results name only "
        f"the slug, so give your table its own, e.g. {local!r} (a file's slug is also its name, {local}.toml; "
        f"in code, table.model_copy(update={{'slug': {local!r}}}))",
        field="slug",
    )


def _difference(mine: object, shipped: BaseModel, where: str = "") -> str | None:
    """The first field in which a table (or a row of it) differs from the shipped one, in the file's words ("rows[3]
    factor is 2, the shipped table's is 1.5"); None when they are the same table, whatever their bytes or checksum.

    Content is compared field by field, not by `==`: a list where the model has a tuple (as `model_copy(update=...)`
    leaves it) is the same content."""
    for name in type(shipped).model_fields:
        a, b = getattr(mine, name, None), getattr(shipped, name)
        a = tuple(a) if isinstance(a, list) else a
        if name == "sha256" or a == b:
            continue
        if isinstance(a, tuple) and isinstance(b, tuple) and all(isinstance(x, BaseModel) for x in (*a, *b)):
            for i, (x, y) in enumerate(zip(a, b, strict=False), 1):
                if (found := _difference(x, y, f"{where}{name}[{i}] ")) is not None:
                    return found
            if len(a) == len(b):
                continue
            return f"{where}{name} has {len(a)} entries, the shipped table's has {len(b)}"
        return f"{where}{name} is {_shown(a, b)}, the shipped table's is {_shown(b, a)}"
    return None


def _shown(value: object, other: object) -> str:
    """A field's value as a file writes it, with its type when the other value reads the same ("0.15 (a float)")."""
    text, twin = (str(v) if isinstance(v, Decimal | date) else repr(v) for v in (value, other))
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"{shown} (a {type(value).__name__})" if text == twin else shown


def _path(path: object) -> Path:
    try:
        if isinstance(path, str | os.PathLike):
            return Path(path)
    except TypeError:  # an os.PathLike giving bytes
        pass
    raise _wrong_type(path)


def _wrong_type(table: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"a table is a slug ({DEFAULT_TABLE!r}), the path of a table file or a mme.Table, not {type(table).__name__}"
    )


_NOT_REGULAR = "not a regular file (a directory, pipe or device): give a .toml file"


def _read(path: Path) -> bytes:
    """The bytes of a regular file of at most `MAX_TABLE_BYTES`; a pipe or device is refused, never read."""
    named_file(path)
    try:
        # Non-blocking: opening a FIFO must not wait for a writer. The opened file is checked, not the name.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise TableError(str(path), _NOT_REGULAR)
            text = b""
            while len(text) <= MAX_TABLE_BYTES and (chunk := os.read(fd, MAX_TABLE_BYTES + 1 - len(text))):
                text += chunk
        finally:
            os.close(fd)
    except OSError as exc:
        raise TableError(str(path), f"cannot read: {exc.strerror}") from exc
    if len(text) > MAX_TABLE_BYTES:  # checked on what was read: the file may grow after fstat
        raise TableError(str(path), f"too large: a table file has at most {MAX_TABLE_BYTES:,} bytes")
    return text


@cache
def _shipped() -> dict[str, Path]:
    return {f.name.removesuffix(".toml"): f for f in _tables_folder().iterdir() if f.name.endswith(".toml")}


def get_table(slug: str) -> Table:
    """A shipped table by its slug (read once, then cached; `mme.clear_caches()` forgets it)."""
    if not isinstance(slug, str):
        raise _wrong_type(slug)
    return _shipped_table(slug)


@cache
def _shipped_table(slug: str) -> Table:
    files = _shipped()
    if slug not in files:
        raise UnknownTableError(slug, sorted(files))
    file = files[slug]
    table = _parse(file.read_bytes(), f"conversion_tables/{file.name}")
    if table.slug != slug:
        raise TableError(
            f"conversion_tables/{file.name}", f"slug {table.slug!r} does not match the file name", field="slug"
        )
    return table


def list_tables() -> tuple[Table, ...]:
    """Every shipped table, sorted by slug."""
    return tuple(get_table(slug) for slug in sorted(_shipped()))


@cache
def table_slugs() -> tuple[str, ...]:
    return tuple(sorted(_shipped()))


def resolve_table(table: str | os.PathLike[str] | Table) -> Table:
    """A table from a slug, a path to a custom table file, or a `Table` itself (one with a shipped slug must be that
    shipped table: see `_as_shipped`)."""
    if isinstance(table, Table):
        return _as_shipped(table, f"mme.Table {table.slug!r}")
    if isinstance(table, str) and table in _shipped():
        return get_table(table)
    path = _path(table)
    try:
        found = path.exists()
        if found and path.suffix == ".toml" and path.is_file():
            return _load_cached(path.resolve(), path.stat().st_mtime_ns)
        why = _no_table_file(path)
    except OSError:  # a name too long or otherwise impossible as a path is no table either
        found, why = False, None
    if found:  # a file or folder is there: what is wrong with it, rather than "unknown table"
        raise TableError(str(path), "not a table file: give a .toml file" if path.is_file() else _NOT_REGULAR)
    raise UnknownTableError(str(table), table_slugs(), why=why)


def _no_table_file(path: Path) -> str | None:
    """Why a name that is not there is no table: one written as a path ("tables/mine.toml", "mine.toml") names a file
    that is missing; a name that is neither (a slug mistyped) is only unknown."""
    return "no such file" if path.suffix == ".toml" or len(path.parts) > 1 else None


@cache
def _load_cached(path: Path, mtime_ns: int) -> Table:
    return load_table(path)

"""Conversion tables: the validated models, the loader and discovery.

One TOML file per published version lives in ``conversion_tables/`` (format in
``docs/table-format.md``). Files are read lazily, once, validated into frozen models;
a malformed file raises `TableError` naming the file, the row and the field.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ._errors import TableError, TablesNotFoundError, UnknownTableError
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


def _published_decimal(value: object) -> object:
    """Factors are decimal strings as printed; a float would already have lost the printed digits."""
    if not isinstance(value, str | Decimal):
        raise ValueError('write the number as a string exactly as the source prints it, e.g. "0.15"')
    return value


PublishedDecimal = Annotated[Decimal, BeforeValidator(_published_decimal), Field(allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(_Frozen):
    """One band of a dose-tiered factor: applies when ``above < daily dose <= upto``."""

    above: PublishedDecimal = Field(ge=0)
    upto: PublishedDecimal | None = None
    factor: PublishedDecimal = Field(gt=0)
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
    factor: PublishedDecimal | None = Field(default=None, gt=0)
    tiers: tuple[Tier, ...] = ()
    wear_days: int | None = Field(default=None, gt=0)
    """Dispensed-patch convention: the factor is per mcg/h per dispensed patch worn this many days."""
    variant: str | None = None
    """Name of one of several values the source prints for the same drug (the caller chooses)."""
    default: bool = False
    """The variant the source names as its default."""
    warn_above: PublishedDecimal | None = None
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
    """The result as printed; compared after rounding to the printed number of decimals."""
    quantity: float | None = None
    days_supply: float | None = None
    package_ml: float | None = None
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
        for i, a in enumerate(self.rows):
            for j in range(i + 1, len(self.rows)):
                b = self.rows[j]
                if _overlap(a, b):
                    raise ValueError(f"rows[{j + 1}]: routes: overlaps rows[{i + 1}] ({a.describe()} / {b.describe()})")
        for i, ex in enumerate(self.excluded, 1):
            for row in self.rows:
                if row.drug == ex.drug and _sets_meet(row.routes, ex.routes) and _sets_meet(row.forms, ex.forms):
                    raise ValueError(f"excluded[{i}]: drug: {ex.drug} also has a factor row ({row.describe()})")
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


def _sets_meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Empty means "any": two route (or form) lists meet unless both are given and disjoint."""
    return not a or not b or bool(set(a) & set(b))


def _overlap(a: FactorRow, b: FactorRow) -> bool:
    if a.drug != b.drug or a.variant != b.variant or a.is_patch != b.is_patch:
        return False
    releases_meet = a.release is None or b.release is None or a.release == b.release
    return releases_meet and _sets_meet(a.routes, b.routes) and _sets_meet(a.forms, b.forms)


def _tables_folder() -> Traversable:
    """The bundled tables: inside the installed package, or at the top of a source checkout."""
    packaged = resources.files("mme") / "conversion_tables"
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
    if data.get("format") != FORMAT_VERSION:
        raise TableError(name, f"unsupported format {data.get('format')!r}; expected {FORMAT_VERSION}", field="format")
    if "sha256" in data:
        raise TableError(name, "the checksum is computed by the loader, not written in the file", field="sha256")
    try:
        return Table.model_validate({**data, "sha256": hashlib.sha256(text).hexdigest()})
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


def load_table(path: str | Path) -> Table:
    """Read and validate a table file of your own (same format as the shipped ones)."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise TableError(str(path), f"cannot read: {exc.strerror}") from exc
    table = _parse(text, str(path))
    if table.slug != path.stem:
        raise TableError(str(path), f"slug {table.slug!r} does not match the file name", field="slug")
    return table


@cache
def _shipped() -> dict[str, Traversable]:
    return {f.name.removesuffix(".toml"): f for f in _tables_folder().iterdir() if f.name.endswith(".toml")}


@cache
def get_table(slug: str) -> Table:
    """A shipped table by its slug (read once, then cached; `mme.clear_caches()` forgets it)."""
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


def table_slugs() -> tuple[str, ...]:
    return tuple(sorted(_shipped()))


def resolve_table(table: str | Path | Table) -> Table:
    """A table from a slug, a path to a custom table file, or a `Table` itself."""
    if isinstance(table, Table):
        return table
    if isinstance(table, str) and table in _shipped():
        return get_table(table)
    path = Path(table)
    try:
        if path.suffix == ".toml" and path.is_file():
            return _load_cached(path.resolve(), path.stat().st_mtime_ns)
    except OSError:  # a name too long or otherwise impossible as a path is no table either
        pass
    raise UnknownTableError(str(table), table_slugs())


@cache
def _load_cached(path: Path, mtime_ns: int) -> Table:
    return load_table(path)

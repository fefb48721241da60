"""The keyword arguments the strategies generate: frozen mappings to splat into `mme.daily_mme` and `mme.dispensing_mme`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias

from mme._tables import DEFAULT_TABLE, Table

from ._coverage import RegimenKind, _table_label

DispensingKind: TypeAlias = Literal["unit", "patch", "liquid"]
"""A dispensing's strength: per unit (tablet, film, spray...), a patch rate, or a concentration."""


class _Kwargs(Mapping[str, Any]):
    """A frozen dataclass that is also a mapping of the keyword arguments it holds (None left out)."""

    _always: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[Mapping[str, object]] = {}
    _metadata: ClassVar[frozenset[str]] = frozenset()
    _function: ClassVar[str] = ""

    def _names(self) -> list[str]:
        names = []
        for f in fields(self):  # type: ignore[arg-type]
            if f.name in self._metadata:
                continue
            value = getattr(self, f.name)
            if f.name in self._always or (value is not None and self._defaults.get(f.name, None) != value):
                names.append(f.name)
        return names

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={_table_label(v)!r}" if k == "table" else f"{k}={v!r}" for k, v in ((k, self[k]) for k in self)
        )
        return f"{type(self).__name__}({args})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis' pretty printer
        printer.text(repr(self))

    def describe(self) -> str:
        """The call this stands for, e.g. ``mme.daily_mme('oxycodone', '10 mg', every='6 h', table='cdc-2022')``."""
        return f"mme.{self._function}({repr(self).split('(', 1)[1]}"


@dataclass(frozen=True, repr=False)
class RegimenArgs(_Kwargs):
    """Keyword arguments for `mme.daily_mme`, valid for ``table``: ``mme.daily_mme(**regimen)``.

    Only the arguments that are set are keys of the mapping (``dict(regimen)``); ``kind``,
    ``times_per_day`` and ``excluded`` describe the draw and are not arguments.
    """

    drug: str
    dose: str
    per_day: float | str | None = None
    every: float | str | timedelta | None = None
    count: float = 1
    volume: str | None = None
    route: str | None = None
    form: str | None = None
    release: str | None = None
    variant: str | None = None
    table: str | Path | Table = DEFAULT_TABLE
    kind: RegimenKind = field(default="dose", compare=False)
    """What the dose is: per administration, a daily total, a patch rate, or a liquid concentration."""
    times_per_day: float | None = field(default=None, compare=False)
    """Administrations a day (None for daily totals and patches, which take no frequency)."""
    excluded: bool = field(default=False, compare=False)
    """The table excludes this drug: the result has ``mme_per_day`` None."""

    _always = ("drug", "dose", "table")
    _defaults: ClassVar[Mapping[str, object]] = {"count": 1}
    _metadata = frozenset({"kind", "times_per_day", "excluded"})
    _function = "daily_mme"


@dataclass(frozen=True, repr=False)
class DispensingArgs(_Kwargs):
    """Keyword arguments for `mme.dispensing_mme`, valid for ``table``: ``mme.dispensing_mme(**dispensing)``."""

    drug: str
    strength: str
    quantity: float
    days_supply: float
    package_ml: float | None = None
    route: str | None = None
    form: str | None = None
    release: str | None = None
    variant: str | None = None
    table: str | Path | Table = DEFAULT_TABLE
    kind: DispensingKind = field(default="unit", compare=False)
    excluded: bool = field(default=False, compare=False)

    _always = ("drug", "strength", "quantity", "days_supply", "table")
    _metadata = frozenset({"kind", "excluded"})
    _function = "dispensing_mme"

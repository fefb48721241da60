"""The resolved keys as attributes that travel with every row: a join to a small lookup frame, or Polars' gather by codes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final

import narwhals as nw

from mme._engine import Owed, days_replaced

from ._keys import _EARLY, _Keys, _Resolved, _unmark
from ._schema import _SEP, _T, DISPENSING_COLUMNS, MME_ERROR, MME_EXCLUDED, MME_FACTOR, MME_WARNING, Frame, _AnyFrame

#: How a warning's row condition travels (`mme._engine.Owed.when`): 0 when the key owes no such warning.
WHEN_CODES: Final = {"always": 1, "daily>=": 2, "daily>": 3, "unit<": 4}


@dataclass(frozen=True)
class _Need:
    """Which optional attributes a run needs."""

    regimen: bool = False
    conc: bool = False
    bup: bool = False
    outputs: tuple[str, ...] = DISPENSING_COLUMNS


@dataclass(frozen=True)
class _Attribute:
    """One resolved attribute that travels with the rows (``__mme_<name>``)."""

    name: str
    get: Callable[[_Resolved], Any]
    dtype: Any
    default: float | bool | None


def _attributes_needed(values: Sequence[_Resolved], keys: _Keys, need: _Need) -> tuple[list[_Attribute], int]:
    """The attributes this run's outputs need (only those travel with every row), and the number of tiers."""
    n_tiers = max((len(r.tiers) for r in values), default=1)

    def tier(r: _Resolved, i: int) -> tuple[float, float, float]:
        upto, factor, printed = r.tiers[min(i, len(r.tiers) - 1)]
        return min(upto, 1e308), factor * r.mul / r.div, printed  # x 1000 for mcg, / 0.024 for mcg/h, as the engine

    A = _Attribute
    attrs = [A("st", lambda r: r.status, nw.Int8, _EARLY), A("rate", lambda r: r.rate, nw.Boolean, False)]
    if MME_EXCLUDED in need.outputs or MME_ERROR in need.outputs:  # why excluded, or why not converted
        attrs.append(A("msg", lambda r: r.message or None, nw.String, None))
    if need.bup:
        attrs.append(A("bup", lambda r: r.drug == "buprenorphine", nw.Boolean, False))
    warned = MME_WARNING in need.outputs
    if need.conc or (warned and not need.regimen):
        attrs.append(A("conc", lambda r: r.conc, nw.Boolean, False))
    if warned:
        attrs.append(A("w_route", lambda r: r.route_note, nw.String, None))
        for name in ("slip", "above"):
            attrs += _owed_attributes(name, attrgetter(name))
        if not need.regimen:
            attrs.append(A("w_days", lambda r: days_replaced(r.wear) if r.rate and r.wear else None, nw.String, None))
    if need.regimen:
        attrs.append(A("flat", lambda r: r.flat, nw.Boolean, False))
    else:  # the days supply (patches x wear days), checked for overflow even when it is not an output
        attrs.append(A("wear", lambda r: r.wear if r.rate else 0.0, nw.Float64, 0.0))
    if f"{_T}k_per_day" in keys.names:
        attrs.append(A("ppd", lambda r: r.per_day, nw.Float64, 0.0))
    if keys.strength_in_key:
        attrs.append(A("ks", lambda r: r.strength, nw.Float64, 1.0))
    # the strength in the engine's unit first (mg, mg/day, mg/mL), as the engine reads it: 1e308 mcg is 1e305 mg
    attrs.append(A("um", lambda r: r.unit_mult, nw.Float64, 1.0))
    if n_tiers == 1:
        attrs.append(A("cf0", lambda r: tier(r, 0)[1], nw.Float64, 0.0))
    else:
        for i in range(n_tiers):
            if i < n_tiers - 1:
                attrs.append(A(f"up{i}", lambda r, i=i: tier(r, i)[0], nw.Float64, 1e308))  # type: ignore[misc]
            attrs.append(A(f"cf{i}", lambda r, i=i: tier(r, i)[1], nw.Float64, 0.0))  # type: ignore[misc]
    if MME_FACTOR in need.outputs:
        for i in range(n_tiers):
            attrs.append(A(f"pf{i}", lambda r, i=i: tier(r, i)[2], nw.Float64, 0.0))  # type: ignore[misc]
    return attrs, n_tiers


def _owed_attributes(name: str, get: Callable[[_Resolved], Owed | None]) -> list[_Attribute]:
    """A warning a key may owe, as three attributes: its text, its row condition's code and limit."""

    def part(r: _Resolved, i: int) -> Any:
        owed = get(r)
        return None if owed is None else (owed.text, WHEN_CODES[owed.when], owed.limit)[i]

    return [
        _Attribute(f"w_{name}", lambda r: part(r, 0), nw.String, None),
        _Attribute(f"{name}_when", lambda r: part(r, 1) or 0, nw.Int8, 0),
        _Attribute(f"{name}_limit", lambda r: part(r, 2) or 0.0, nw.Float64, 0.0),
    ]


def _lookup(data: _AnyFrame, keys: _Keys, need: _Need) -> tuple[_AnyFrame, int]:
    """The distinct keys of `data` with their resolved attributes, as a frame of `data`'s own backend.

    Returns the frame and the number of tier columns.
    """
    # a group-by rather than .unique(), which SQL backends (DuckDB, Spark) run as a window over every row
    distinct = data.lazy().group_by(*keys.names).agg(nw.len().alias(f"{_T}n")).drop(f"{_T}n")
    collected = distinct.collect()
    base: _AnyFrame
    if isinstance(data, nw.DataFrame):
        base = collected  # an eager frame: the distinct keys, computed, in its own type
    elif collected.implementation is data.implementation:
        base = collected.lazy()  # Polars lazy: reuse them
    else:
        base = distinct  # DuckDB (the relation's own connection), Dask, Spark (its session): stays in the backend
    resolved = {_SEP.join(map(str, row)): keys.resolve(tuple(_unmark(v) for v in row)) for row in collected.rows()}
    old = list(resolved)
    values = list(resolved.values())
    needed, n_tiers = _attributes_needed(values, keys, need)
    attrs = [
        nw.col(f"{_T}key")
        .replace_strict(old, [a.get(r) for r in values], default=nw.lit(a.default, a.dtype), return_dtype=a.dtype)
        .alias(f"{_T}{a.name}")
        for a in needed
    ]
    key = nw.concat_str([nw.col(k) for k in keys.names], separator=_SEP).alias(f"{_T}key")
    return base.with_columns(key).with_columns(attrs).drop(f"{_T}key"), n_tiers


_MAX_CODES: Final = 1 << 16  # key combinations addressed directly by their code; more go through a map


def _polars_attributes(frame: _AnyFrame, keys: _Keys, need: _Need) -> tuple[Frame, int] | None:
    """Polars' fast path: the attributes gathered by key codes instead of a join (same values as `_lookup`).

    Each key column's distinct values get small integer codes (an Enum; 0 for null), the codes
    combine arithmetically into one per row, and each attribute is an array indexed by it; an
    attribute that is the same for every key of the frame is a literal. Row order is kept by
    construction. None when a key column is not text (the generic path reads it as text first).
    """
    import polars as pl

    native = frame.to_native()
    schema = native.collect_schema()
    if any(schema[c] != pl.String for c in keys.sources):
        return None
    sources = list(dict.fromkeys(keys.sources))
    # the distinct key combinations (a group-by: one pass), and each column's values among them, coded from 1
    combinations = native.lazy().group_by(sources).agg(pl.len()).collect().select(sources).rows()
    categories = {c: sorted({row[i] for row in combinations if row[i] is not None}) for i, c in enumerate(sources)}
    numbers = {c: {v: i + 1 for i, v in enumerate(values)} for c, values in categories.items()}
    sizes = [len(categories[c]) + 1 for c in keys.sources]
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    code = pl.lit(0, pl.Int64)
    for c, stride in zip(keys.sources, strides, strict=True):
        part = (pl.col(c).cast(pl.Enum(categories[c])).to_physical().cast(pl.Int64) + 1).fill_null(0)
        code = code + part * stride
    code_name = f"{_T}code"
    data = native.with_columns(code.alias(code_name))
    keyed = [dict(zip(sources, row, strict=True)) for row in combinations]
    parts = [tuple(row[c] for c in keys.sources) for row in keyed]
    codes = [
        sum(
            (0 if v is None else numbers[c][v]) * stride
            for c, v, stride in zip(keys.sources, key, strides, strict=True)
        )
        for key in parts
    ]
    values = [keys.resolve(key) for key in parts]
    needed, n_tiers = _attributes_needed(values, keys, need)
    direct = math.prod(sizes) <= _MAX_CODES
    index = pl.col(code_name) if direct else pl.col(code_name).replace_strict(codes, range(len(codes)))
    dtypes = {nw.Int8: pl.Int8, nw.Boolean: pl.Boolean, nw.Float64: pl.Float64, nw.String: pl.String}
    exprs = []
    for a in needed:
        got = [a.get(r) for r in values]
        dtype = dtypes[a.dtype]
        if len(set(got)) <= 1:  # the same for every row (or no rows)
            expr = pl.lit(got[0] if got else a.default, dtype)
        else:
            array: list[Any] = [a.default] * math.prod(sizes) if direct else got
            if direct:
                for at, v in zip(codes, got, strict=True):
                    array[at] = v
            expr = pl.lit(pl.Series(array, dtype=dtype)).gather(index)
        exprs.append(expr.alias(f"{_T}{a.name}"))
    return nw.from_native(data.lazy().with_columns(exprs)), n_tiers


def _left_join(data: Any, lookup: Any, on: list[str]) -> Any:
    """`data` left-joined to `lookup`, in `data`'s row order where the backend can keep it.

    Polars' join (eager and lazy) only keeps the order when asked; other eager backends are checked by the caller.
    """
    if data.implementation is nw.Implementation.POLARS:
        joined = data.to_native().join(lookup.to_native(), on=on, how="left", maintain_order="left")
        return nw.from_native(joined)
    return data.join(lookup, on=on, how="left")

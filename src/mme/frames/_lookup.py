"""The resolved keys as attributes that travel with every row: a join to a small lookup frame, or Polars' gather by codes."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from operator import attrgetter
from typing import Any, Final, TypeVar

import narwhals as nw

from mme._engine import Owed, Stage, days_replaced, patch_changed
from mme._errors import ColumnError

from ._keys import _Keyed, _Keys, _unmark
from ._schema import (
    _T,
    DISPENSING_COLUMNS,
    MME_ERROR,
    MME_EXCLUDED,
    MME_FACTOR,
    MME_WARNING,
    WARNING_SEPARATOR,
    Frame,
    _AnyFrame,
    _col,
)

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
    get: Callable[[_Keyed], Any]
    dtype: Any
    default: float | bool | None


def _attributes_needed(values: Sequence[_Keyed], keys: _Keys, need: _Need) -> tuple[list[_Attribute], int]:
    """The attributes this run's outputs need (only those travel with every row), and the number of tiers."""
    n_tiers = max((len(r.tiers) for r in values), default=1)

    def tier(r: _Keyed, i: int) -> tuple[float, float, float]:
        upto, factor, printed = r.tiers[min(i, len(r.tiers) - 1)]
        return min(upto, 1e308), _per_daily(r, factor), printed

    A = _Attribute
    attrs = [A("st", lambda r: int(r.stage), nw.Int8, int(Stage.NAMES)), A("rate", lambda r: r.rate, nw.Boolean, False)]
    if MME_EXCLUDED in need.outputs or MME_ERROR in need.outputs:  # why excluded, or why not converted
        attrs.append(A("msg", lambda r: r.message or None, nw.String, None))
    if need.bup:
        attrs.append(A("bup", lambda r: r.drug == "buprenorphine", nw.Boolean, False))
    warned = MME_WARNING in need.outputs
    if need.conc or (warned and not need.regimen):
        attrs.append(A("conc", lambda r: r.conc, nw.Boolean, False))
    if warned and not need.regimen:
        attrs.append(A("sprays", lambda r: r.sprays, nw.Boolean, False))
    if warned:
        attrs.append(A("w_route", lambda r: r.route_note, nw.String, None))
        for name in ("slip", "above"):
            attrs += _owed_attributes(name, attrgetter(name))
        if not need.regimen:
            attrs.append(A("w_days", lambda r: days_replaced(r.wear) if r.rate and r.wear else None, nw.String, None))
        else:  # a patch changed more or less often than its wear
            attrs.append(A("wear", lambda r: r.wear if r.patch else 0.0, nw.Float64, 0.0))
            attrs += [A(name, partial(_changed, sooner=sooner), nw.String, None) for name, sooner in _CHANGED]
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
    attrs.append(A("ud", lambda r: r.unit_div, nw.Float64, 1.0))
    # and the daily amount in the table row's unit (mcg/day, mcg/h), which the engine also checks for overflow
    attrs.append(A("ru", lambda r: r.mul / r.div, nw.Float64, 1.0))
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


def _per_daily(r: _Keyed, factor: float) -> float:
    """A tier's factor per unit of the daily amount: x 1000 for mcg, / 0.024 for mcg/h, as the engine."""
    return factor * r.mul / r.div


_CHANGED: Final = (("w_sooner", True), ("w_later", False))


def _changed(r: _Keyed, *, sooner: bool) -> str | None:
    return patch_changed(r.wear, sooner=sooner) if r.patch and r.wear else None


def _owed_attributes(name: str, get: Callable[[_Keyed], Owed | None]) -> list[_Attribute]:
    """A warning a key may owe, as three attributes: its text, its row condition's code and limit."""

    def part(r: _Keyed, i: int) -> Any:
        owed = get(r)
        return None if owed is None else (owed.text, WHEN_CODES[owed.when], owed.limit)[i]

    return [
        _Attribute(f"w_{name}", lambda r: part(r, 0), nw.String, None),
        _Attribute(f"{name}_when", lambda r: part(r, 1) or 0, nw.Int8, 0),
        _Attribute(f"{name}_limit", lambda r: part(r, 2) or 0.0, nw.Float64, 0.0),
    ]


#: Each attribute's values among a frame's keys (by attribute name).
Values = dict[str, frozenset[Any]]


@dataclass(frozen=True)
class _Known:
    """What the keys of a frame say about every row: each attribute's values among them, and the attributes that
    are the same for all as literals (not columns), so that the checks and warnings no row can need are left out."""

    values: Values
    literals: dict[str, nw.Expr]
    #: The attributes that vary by key, by key code (`_T` + "code", a column): where a fast path keeps them.
    arrays: dict[str, list[Any]] | None = None
    #: The keys themselves.
    keys: tuple[_Keyed, ...] = ()

    def counted_factors(self, *, every: bool = False) -> list[float]:
        """The factors per unit of daily amount of the keys that convert (`every`: of every key), every tier's."""
        return [_per_daily(r, f) for r in self.keys if every or r.stage == Stage.OK for _, f, _ in r.tiers]

    def attr(self, name: str) -> nw.Expr:
        """The attribute `name` of each row's key: its column, or the literal."""
        return self.literals[name] if name in self.literals else _col(name)

    def can(self, name: str, *value: object) -> bool:
        """Whether some key's attribute `name` is one of `value` (True when it is not known)."""
        return name not in self.values or not self.values[name].isdisjoint(value)

    def only(self, name: str, *value: object) -> bool:
        """Whether every key's attribute `name` is one of `value` (False when it is not known)."""
        return name in self.values and self.values[name] <= set(value)

    def some(self, name: str) -> bool:
        """Whether some key's attribute `name` is something: not null, False or 0 (True when it is not known)."""
        return name not in self.values or any(v not in (None, 0) for v in self.values[name])

    def of(self, name: str, code: int) -> Any:
        """The attribute `name` of the key coded `code` (where `arrays` are kept)."""
        assert self.arrays is not None
        return self.arrays[name][code] if name in self.arrays else next(iter(self.values[name]))


def _by_code(
    values: Sequence[_Keyed], needed: list[_Attribute], codes: Iterable[int] = (), size: int = 0
) -> tuple[dict[_Attribute, list[Any]], _Known]:
    """Each attribute of the keys `values`: a literal where every key has the same one (or there is no key);
    else its values in the keys' order, or, given each key's code, in an array of `size` indexed by code."""
    arrays: dict[_Attribute, list[Any]] = {}
    literals: dict[str, nw.Expr] = {}
    seen: Values = {}
    for a in needed:
        got = [a.get(r) for r in values]
        seen[a.name] = frozenset(got or [a.default])
        if len(seen[a.name]) == 1:
            literals[a.name] = nw.lit(got[0] if got else a.default, a.dtype)
        elif not size:
            arrays[a] = got
        else:
            arrays[a] = [a.default] * size
            for code, v in zip(codes, got, strict=True):
                arrays[a][code] = v
    return arrays, _Known(seen, literals, keys=tuple(values))


_F = TypeVar("_F", nw.DataFrame[Any], nw.LazyFrame[Any])


def _joined(data: _F, keys: _Keys, need: _Need, rows: list[tuple[Any, ...]] | None = None) -> tuple[_F, int, _Known]:
    """`data` (with its key columns) and the resolved attributes of each row's key: a left join to a frame
    of the distinct keys in `data`'s own backend, and the attributes that are the same for every key as literals.
    DuckDB takes the distinct keys as `rows` where they were read already.

    Returns the frame, the number of tier columns and what the keys say about every row (`_Known`).
    """
    if data.implementation is nw.Implementation.DUCKDB:
        return _duckdb_joined(data, keys, need, rows)  # type: ignore[arg-type,return-value]
    # a group-by rather than .unique(), which SQL backends (DuckDB, Spark) run as a window over every row
    distinct = data.lazy().group_by(*keys.names).agg(nw.len().alias(f"{_T}n")).drop(f"{_T}n")
    collected = distinct.collect()
    rows = collected.rows()
    values = [keys.resolve(tuple(_unmark(v) for v in row)) for row in rows]
    needed, n_tiers = _attributes_needed(values, keys, need)
    arrays, known = _by_code(values, needed)
    columns, dtypes, table = _table(keys.names, rows, arrays)
    if data.implementation in _SPARK:  # in the data's own session
        return nw.from_native(_spark_joined(data.to_native(), keys.names, columns, dtypes, table)), n_tiers, known
    if isinstance(data, nw.LazyFrame):  # Polars lazy, Dask: a query, run again when read
        return _lazy_joined(data, keys.names, (columns, dtypes, table), collected.implementation), n_tiers, known
    lookup = _frame_of(columns, dtypes, table, collected.implementation)
    return _left_join(data, lookup, keys.names), n_tiers, known


#: The lookup's column set on every key's row: null after the left join where a row's key was not read.
_HIT: Final = f"{_T}hit"


def _lazy_joined(
    data: nw.LazyFrame[Any], on: list[str], table: tuple[list[str], list[Any], list[tuple[Any, ...]]], backend: Any
) -> nw.LazyFrame[Any]:
    """`data` left-joined to the lookup `table`; reading it stops with `UNREAD_KEY` if a row matched no key (as
    on DuckDB): a key the data gained since would take the attributes that are literals."""
    columns, dtypes, rows = table
    marked = _frame_of([*columns, _HIT], [*dtypes, nw.Boolean], [(*row, True) for row in rows], backend)
    native = _left_join(data, marked.lazy(backend=data.implementation), on).to_native()
    if data.implementation is nw.Implementation.POLARS:
        schema = native.drop(_HIT).collect_schema()
        checked = native.map_batches(_polars_checked, schema=schema, streamable=True)
    else:  # Dask: each partition
        checked = native.map_partitions(_pandas_checked, meta=native._meta.drop(columns=_HIT))
    result: nw.LazyFrame[Any] = nw.from_native(checked)
    return result


def _polars_checked(batch: Any) -> Any:
    if batch[_HIT].is_null().any():
        raise ColumnError(UNREAD_KEY)
    return batch.drop(_HIT)


def _pandas_checked(batch: Any) -> Any:
    if batch[_HIT].isna().any():
        raise ColumnError(UNREAD_KEY)
    return batch.drop(columns=_HIT)


_SQL_TYPES: Final = {nw.Int8: "TINYINT", nw.Boolean: "BOOLEAN", nw.Float64: "DOUBLE", nw.String: "VARCHAR"}


def _sql(value: object, dtype: Any) -> str:
    """`value` as a DuckDB literal of `dtype`; numbers through their text, which DuckDB reads back exactly."""
    if value is None:
        return f"NULL::{_SQL_TYPES[dtype]}"
    text = value if isinstance(value, str) else repr(value)
    return "'" + text.replace("'", "''") + f"'::{_SQL_TYPES[dtype]}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(
    names: list[str], rows: list[tuple[Any, ...]], attributes: dict[_Attribute, list[Any]]
) -> tuple[list[str], list[Any], list[tuple[Any, ...]]]:
    """The lookup's column names, narwhals types and rows: the distinct keys `rows` and their `attributes`."""
    columns = [*names, *(f"{_T}{a.name}" for a in attributes)]
    types = [nw.String] * len(names) + [a.dtype for a in attributes]
    return columns, types, [(*row, *(got[i] for got in attributes.values())) for i, row in enumerate(rows)]


def _frame_of(names: list[str], types: list[Any], rows: list[tuple[Any, ...]], backend: Any) -> nw.DataFrame[Any]:
    """`rows` as an eager frame of `backend`."""
    columns = {n: [row[i] for row in rows] for i, n in enumerate(names)}
    return nw.from_dict(columns, dict(zip(names, types, strict=True)), backend=backend)


_SINCE: Final = "(the data changed since): convert the current data again"
#: What a lazy query raises when it meets a key that was not in its data when the keys were read (a table that
#: gained rows since): that row would otherwise get another key's attributes, those that were the same for every key.
UNREAD_KEY: Final = (
    "mme.frames: a row has a drug, unit, form, route, release, NDC or RxCUI that was not in the data when it was "
    f"converted {_SINCE}"
)
#: A DuckDB relation's column that says whether a row's numbers are as read (`_rows._as_read`), checked in the join.
AS_READ: Final = f"{_T}as_read"
#: What a DuckDB relation raises when it meets a number beyond those its data had when they were read
#: (`_rows._ranges`): the checks that no row could then fail are left out.
UNREAD_NUMBER: Final = (
    f"mme.frames: a row has a strength, quantity or days supply beyond those its data had when converted {_SINCE}"
)


def _duckdb_keys(keys: _Keys, schema: dict[str, nw.dtypes.DType]) -> list[nw.Expr]:
    """DuckDB's key columns: a text column as it is, nulls kept (`_duckdb_joined` matches keys as values, a null to a
    null: no marker is written on every row), other columns as every backend reads them (`_keys._as_text`)."""
    sources = zip(keys.sources, keys.names, keys.exprs, strict=True)
    return [nw.col(source).alias(name) if schema[source] == nw.String else expr for source, name, expr in sources]


def _duckdb_joined(
    data: Frame, keys: _Keys, need: _Need, rows: list[tuple[Any, ...]] | None = None
) -> tuple[Frame, int, _Known]:
    """DuckDB's `_joined`, in two statements on the data's own connection (each relation built costs a bind of the
    whole query so far): the distinct keys, fetched as rows (unless given: `_rows._bounds` reads them with the
    numbers' ranges), then the data left-joined to them as a VALUES list.

    A row whose key is not in the list (the relation is a query, run again when read) stops the query with
    `UNREAD_KEY`: the attributes that are literals would be wrong for it; one whose numbers are not as read
    (a column `AS_READ`, false) with `UNREAD_NUMBER`: checks were left out for them."""
    relation, name = data.to_native(), f"{_T}data"
    key_columns = list(map(_quoted, keys.names))
    if rows is None:  # not read with the ranges
        rows = relation.query(name, f"SELECT {', '.join(key_columns)} FROM {name} GROUP BY ALL").fetchall()
    values = [keys.resolve(tuple(_unmark(v) for v in row)) for row in rows]
    needed, n_tiers = _attributes_needed(values, keys, need)
    arrays, known = _by_code(values, needed)
    names, types, table = _table(keys.names, rows, arrays)
    names, types = [*names, _HIT], [*types, nw.Boolean]  # set on every key's row, null after the join where none is
    body = [(*row, True) for row in table] or [tuple(None for _ in types)]  # VALUES needs a row: a typed one, no hit
    lookup = ", ".join("(" + ", ".join(map(_sql, row, types)) + ")" for row in body)
    data_, lookup_ = f"{_T}d", f"{_T}l"
    attributes = "".join(f", {lookup_}.{_quoted(n)}" for n in names[len(key_columns) : -1])
    on = " AND ".join(f"{data_}.{k} IS NOT DISTINCT FROM {lookup_}.{k}" for k in key_columns)  # null keys match
    stops = f"WHEN {lookup_}.{_quoted(_HIT)} IS NULL THEN error({_sql(UNREAD_KEY, nw.String)})"
    every = f"{data_}.*"
    if AS_READ in data.columns:
        stops += f" WHEN NOT {data_}.{_quoted(AS_READ)} THEN error({_sql(UNREAD_NUMBER, nw.String)})"
        every += f" EXCLUDE ({_quoted(AS_READ)})"
    joined = relation.query(name, (
        f"SELECT {every}{attributes} FROM {name} AS {data_} LEFT JOIN (VALUES {lookup}) "
        f"AS {lookup_}({', '.join(map(_quoted, names))}) ON {on} WHERE CASE {stops} ELSE TRUE END"
    ))  # fmt: skip
    return nw.from_native(joined), n_tiers, known


def _spark_joined(frame: Any, on: list[str], names: list[str], types: list[Any], rows: list[tuple[Any, ...]]) -> Any:
    """`frame` left-joined to `rows` as a frame of its own Spark session. A row whose key is not among them (the
    frame is a query, run again when read) stops the query with `UNREAD_KEY`, as on DuckDB."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spark = {nw.Int8: T.ByteType(), nw.Boolean: T.BooleanType(), nw.Float64: T.DoubleType(), nw.String: T.StringType()}
    schema = T.StructType(
        [T.StructField(n, spark[t]) for n, t in zip([*names, _HIT], [*types, nw.Boolean], strict=True)]
    )
    lookup = frame.sparkSession.createDataFrame([(*row, True) for row in rows], schema)
    unread = F.when(F.col(_HIT).isNull(), F.raise_error(F.lit(UNREAD_KEY))).otherwise(F.lit(True))
    return frame.join(lookup, on=on, how="left").where(unread).drop(_HIT)


_SPARK: Final = frozenset({nw.Implementation.PYSPARK, nw.Implementation.PYSPARK_CONNECT})


_MAX_CODES: Final = 1 << 16  # key combinations addressed directly by their code; more go through a map
_MAX_COMBINED: Final = 1 << 62  # combined codes are int64: beyond, the codes would wrap, so the join is used


def _polars_attributes(frame: _AnyFrame, keys: _Keys, need: _Need) -> tuple[Frame, int, _Known] | None:
    """Polars' fast path: the attributes gathered by key codes instead of a join (same values as `_lookup`).

    Each key column's distinct values get small integer codes (an Enum; 0 for null), the codes
    combine arithmetically into one per row, and each attribute is an array indexed by it; an
    attribute that is the same for every key of the frame is a literal. Row order is kept by
    construction. None when a key column is not text (the generic path reads it as text first), or when
    the combined codes would not fit in int64.
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
    if math.prod(sizes) > _MAX_COMBINED:
        return None
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    coded = {c: pl.col(c).cast(pl.Enum(categories[c]), strict=False) for c in sources}  # null: null, or unread
    code = pl.lit(0, pl.Int64)
    for c, stride in zip(keys.sources, strides, strict=True):
        code = code + (coded[c].to_physical().cast(pl.Int64) + 1).fill_null(0) * stride
    code_name = f"{_T}code"
    data = native.lazy().with_columns(code.alias(code_name))
    if isinstance(native, pl.LazyFrame):  # a query, run again when read: a key it gained since stops it
        unread = pl.any_horizontal(pl.col(c).is_not_null() & coded[c].is_null() for c in sources)
        hit = pl.when(unread).then(pl.lit(None, pl.Boolean)).otherwise(pl.lit(value=True))
        schema = data.collect_schema()
        data = data.with_columns(hit.alias(_HIT)).map_batches(_polars_checked, schema=schema, streamable=True)
    keyed = [dict(zip(sources, row, strict=True)) for row in combinations]
    parts = [tuple(row[c] for c in keys.sources) for row in keyed]
    codes = [
        sum(
            (0 if v is None else numbers[c][v]) * stride
            for c, v, stride in zip(keys.sources, key, strides, strict=True)
        )
        for key in parts
    ]
    values = [keys.resolve(tuple(map(_unmark, key))) for key in parts]
    needed, n_tiers = _attributes_needed(values, keys, need)
    direct = math.prod(sizes) <= _MAX_CODES
    index = pl.col(code_name) if direct else pl.col(code_name).replace_strict(codes, range(len(codes)))
    arrays, known = _by_code(values, needed, codes, math.prod(sizes)) if direct else _by_code(values, needed)
    dtypes = {nw.Int8: pl.Int8, nw.Boolean: pl.Boolean, nw.Float64: pl.Float64, nw.String: pl.String}
    texts = len(values) <= _MAX_TEXT_KEYS  # then the texts are read by key (`_polars_texts`), not gathered per row
    exprs = [
        pl.lit(pl.Series(array, dtype=dtypes[a.dtype])).gather(index).alias(f"{_T}{a.name}")
        for a, array in arrays.items()
        if not (texts and a.dtype == nw.String)
    ]
    if texts:  # each row's key by its position in `values`
        position = index
        if direct:
            by_code = [0] * math.prod(sizes)
            for at, combined in enumerate(codes):
                by_code[combined] = at
            position = pl.lit(pl.Series(by_code, dtype=pl.Int64)).gather(index)
        exprs.append(position.cast(pl.Int64).alias(f"{_T}key"))
        by_position = {a.name: [a.get(r) for r in values] for a in needed}
        known = replace(known, arrays=by_position)
    return nw.from_native(data.lazy().with_columns(exprs)), n_tiers, known


def _pandas_attributes(frame: _AnyFrame, keys: _Keys, need: _Need) -> tuple[Frame, int, _Known] | None:
    """pandas' fast path: the attributes taken by key codes instead of a merge (same values as `_joined`).

    Each key column is factorized (a code per distinct value, -1 for null), the codes combine
    arithmetically into one per row, and each attribute is an array taken at it; an attribute that
    is the same for every key of the frame is a literal. None when a key column holds anything but
    text (the generic path reads it as text first), or when the combined codes would not fit in int64.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(frame, nw.DataFrame):
        return None
    native = frame.to_native()
    sources = list(dict.fromkeys(keys.sources))
    factorized = {c: pd.factorize(native[c]) for c in sources}
    if not all(isinstance(v, str) for codes, uniques in factorized.values() for v in uniques):
        return None
    sizes = {c: len(uniques) + 1 for c, (_, uniques) in factorized.items()}
    total = math.prod(sizes.values())
    if total > _MAX_COMBINED:
        return None
    code = np.zeros(len(native), dtype=np.int64)
    for c in sources:  # mixed radix: the first column's code is the most significant
        code *= sizes[c]
        code += factorized[c][0] + 1
    if total <= _MAX_CODES:
        present, index = np.flatnonzero(np.bincount(code, minlength=total)), code
    else:
        index, present = pd.factorize(code)

    def key(combined: int) -> tuple[str | None, ...]:
        value = {}
        for c in reversed(sources):
            combined, at = divmod(combined, sizes[c])
            value[c] = None if at == 0 else factorized[c][1][at - 1]
        return tuple(_unmark(value[c]) for c in keys.sources)

    values = [keys.resolve(key(int(p))) for p in present]
    needed, n_tiers = _attributes_needed(values, keys, need)
    arrays, known = _by_code(values, needed, present, total) if total <= _MAX_CODES else _by_code(values, needed)
    texts = _arrow_strings()  # then the texts are read by code (`_pandas_texts`), not copied to every row
    columns = {
        f"{_T}{a.name}": nw.new_series(a.name, array, a.dtype, backend=frame.implementation)
        .to_native()
        .array.take(index)
        for a, array in arrays.items()
        if not (texts and a.dtype == nw.String)
    }
    columns[f"{_T}key"] = index
    # as Series, which pandas keeps as they are (arrays it copies); the frame's own columns are not copied either
    series = {name: pd.Series(values, index=native.index, copy=False) for name, values in columns.items()}
    frame = nw.from_native(native.assign(**series), eager_only=True)
    if texts:
        known = replace(known, arrays={a.name: array for a, array in arrays.items()})
    return frame.lazy(), n_tiers, known


@dataclass(frozen=True)
class _TextParts:
    """A text output in parts, each a text or (True) the key's attribute of that name: owed where a bit of the
    row's mask is set, or with `one`, the one part at the mask's position (None: no text)."""

    parts: list[tuple[str, bool] | None]
    one: bool = False

    @property
    def width(self) -> int:
        """The number of masks."""
        return len(self.parts) if self.one else 1 << len(self.parts)


def _arrow_strings() -> bool:
    """Whether pandas keeps text in Arrow (pandas 3 with pyarrow): then `_pandas_texts` can build it."""
    string = nw.new_series("s", [], nw.String, backend=nw.Implementation.PANDAS).to_native().dtype
    return getattr(string, "storage", None) == "pyarrow"


def _text_by_code(known: _Known, texts: _TextParts) -> Callable[[int], str | None]:
    """The text of a key and the parts it owes, given as key x `texts.width` + the row's mask."""

    def text(combined: int) -> str | None:
        key, mask = divmod(combined, texts.width)
        parts = [texts.parts[mask]] if texts.one else [p for i, p in enumerate(texts.parts) if mask >> i & 1]
        owed = [known.of(p[0], key) if p[1] else p[0] for p in parts if p is not None]
        return WARNING_SEPARATOR.join(t for t in owed if t is not None) or None

    return text


_MAX_TEXT_KEYS: Final = 128  # Polars: texts by key for up to this many keys (tables of keys x masks of up to 8 parts)


def _polars_texts(frame: Frame, known: _Known, texts: dict[str, _TextParts]) -> Frame:
    """`frame` with the text outputs `texts`, from their masks (`_T` + "mask_" + name): a table of the text of
    every key and parts owed, gathered by key and mask."""
    import polars as pl

    exprs = []
    for name, parts in texts.items():
        width = parts.width
        text = _text_by_code(known, parts)
        n_keys = len(next(iter((known.arrays or {"": [None]}).values())))  # every attribute, by key position
        table = pl.Series([text(c) for c in range(n_keys * width)], dtype=pl.String)
        index = pl.col(f"{_T}key") * width + pl.col(f"{_T}mask_{name}")
        exprs.append(pl.lit(table).gather(index).alias(name))
    out: Frame = nw.from_native(frame.to_native().with_columns(exprs))
    return out


def _pandas_texts(frame: nw.DataFrame[Any], known: _Known, texts: dict[str, _TextParts]) -> nw.DataFrame[Any]:
    """`frame` with the text outputs `texts`, from their masks (`_T` + "mask_" + name): each text is built once per
    distinct key and owed parts, joined by `WARNING_SEPARATOR`, and taken only where owed (text owed by every row
    would be copied to every row: the cost of pandas' Arrow strings)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    native = frame.to_native()
    code = native[f"{_T}key"].to_numpy()
    string = nw.new_series("s", [], nw.String, backend=nw.Implementation.PANDAS).to_native().dtype
    columns = {}
    for name, parts in texts.items():
        mask = native[f"{_T}mask_{name}"].to_numpy()
        rows = np.flatnonzero(mask)
        width = parts.width
        distinct, at_rows = np.unique(code[rows] * width + mask[rows], return_inverse=True)

        text = _text_by_code(known, parts)
        at = np.full(len(code), -1, dtype=np.int64)
        at[rows] = at_rows
        column = pa.array([text(int(c)) for c in distinct], pa.large_string()).take(pa.array(at, mask=at < 0))
        columns[name] = pd.Series(pd.array(column, dtype=string), index=native.index)
    return frame.with_columns(nw.from_native(pd.DataFrame(columns), eager_only=True)[n] for n in columns)


def _fast_attributes(frame: _AnyFrame, keys: _Keys, need: _Need) -> tuple[Frame, int, _Known] | None:
    """The backend's own way to the attributes, if it has one (None: the generic join, `_joined`)."""
    if frame.implementation is nw.Implementation.POLARS:
        return _polars_attributes(frame, keys, need)
    if frame.implementation is nw.Implementation.PANDAS:
        return _pandas_attributes(frame, keys, need)
    return None


def _left_join(data: Any, lookup: Any, on: list[str]) -> Any:
    """`data` left-joined to `lookup`, in `data`'s row order where the backend can keep it.

    Polars' join (eager and lazy) only keeps the order when asked; other eager backends are checked by the caller.
    """
    if data.implementation is nw.Implementation.POLARS:
        joined = data.to_native().join(lookup.to_native(), on=on, how="left", maintain_order="left")
        return nw.from_native(joined)
    return data.join(lookup, on=on, how="left")

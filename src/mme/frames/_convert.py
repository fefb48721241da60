"""The public batch conversions: `dispensing_mme` and `daily_mme`."""

from __future__ import annotations

import functools
import importlib.util
import re
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import narwhals as nw
from narwhals.typing import IntoFrameT

from mme._engine import TableLike
from mme._errors import REGIMEN_KEYWORDS, AmbiguousDoseError, ArgumentTypeError, ColumnError, named_twice
from mme._ndc import NdcFile, file_variant
from mme._tables import DEFAULT_TABLE, Table, resolve_table

from ._keys import _Columns
from ._rows import _annotate
from ._schema import DISPENSING_COLUMNS, REGIMEN_COLUMNS, Frame, _AnyFrame

if TYPE_CHECKING:  # imported where RxCUIs are read: a run without them does not load the RxNorm module
    from mme.rxnorm import RxnormLike

# -- public: dispensings ----------------------------------------------------------------------------------


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _dask_notice() -> str | None:
    """narwhals' notice that its Dask support moves to ``narwhals-dask``: None where it gives none (narwhals-dask is
    installed, or narwhals is older than the notice)."""
    from narwhals import _namespace

    notice = getattr(_namespace, "DASK_PLUGIN_WARNING", None)
    return notice if isinstance(notice, str) and importlib.util.find_spec("narwhals_dask") is None else None


def _dask_notice_once(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """narwhals gives its notice on Dask at each of its steps, three times a call, from mme's own lines: it is given
    once a call here, where the call was made."""

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        frame = args[0] if args else kwargs.get("frame")
        notice = _dask_notice() if type(frame).__module__.split(".")[0] == "dask" else None
        if notice is None:
            return function(*args, **kwargs)
        warnings.warn(notice, FutureWarning, stacklevel=2)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", re.escape(notice[:40]), FutureWarning)
            return function(*args, **kwargs)

    return run


def _table(table: TableLike | None, ndc: str | None, variant: str | None) -> Table | None:
    """The table to use: None means the default one, or with NDCs the NDC file's own factors (`mme.ndc_mme`), which
    print no variants."""
    if table is None and ndc is not None:
        if variant is not None:
            raise AmbiguousDoseError(file_variant(variant))
        return None
    return resolve_table(DEFAULT_TABLE if table is None else table)


def _outputs(requested: Sequence[str], offered: Sequence[str]) -> tuple[str, ...]:
    """The result columns asked for, checked, in the order asked."""
    names = tuple(dict.fromkeys([requested] if isinstance(requested, str) else requested))
    unknown = [n for n in names if n not in offered]
    if unknown or not names:
        raise ColumnError(f"outputs must name one or more of {', '.join(offered)}; got {list(names)}")
    return names


def _start(frame: Any) -> tuple[_AnyFrame, nw.DataFrame[Any] | None]:
    """The input as a narwhals frame, and the same again if it is eager. A frame that names a column twice (pandas,
    PyArrow and Spark allow it) is a `ColumnError`, as such a file's header is: which one holds the value?"""
    try:
        native = nw.from_native(frame)
    except nw.exceptions.DuplicateError:
        names = getattr(frame, "column_names", None) or frame.columns  # a PyArrow table's, or a frame's
        raise ColumnError(named_twice([str(name) for name in names], "the frame") or "a column appears twice") from None
    if isinstance(native, nw.DataFrame):
        return native, native
    if isinstance(native, nw.LazyFrame):
        return native, None
    raise ArgumentTypeError(f"expected a dataframe, got {type(frame).__name__}")  # pragma: no cover


def _finish(before: _AnyFrame, after: Frame, added: Sequence[str], eager: nw.DataFrame[Any] | None) -> Any:
    """The input's columns (result columns of an earlier run replaced), then the results, in the input's type."""
    after = after.select(*[c for c in before.collect_schema() if c not in added], *added)
    if eager is None:
        return after.to_native()
    return after.collect(backend=eager.implementation).to_native()


@_dask_notice_once
def dispensing_mme(
    frame: IntoFrameT,
    *,
    table: TableLike | None = None,
    drug: str = "drug",
    strength: str = "strength",
    strength_unit: str | None = "strength_unit",
    quantity: str = "quantity",
    days_supply: str = "days_supply",
    form: str | None = None,
    route: str | None = None,
    release: str | None = None,
    package_ml: str | None = None,
    variant: str | None = None,
    ndc: str | None = None,
    ndc_file: NdcFile | None = None,
    rxcui: str | None = None,
    rxnorm: RxnormLike = None,
    outputs: Sequence[str] = DISPENSING_COLUMNS,
) -> IntoFrameT:
    """MME/day of every dispensing in a frame: strength x quantity / days supply x factor, per row.

    The keywords name your columns: ``drug`` (any name `mme.dispensing_mme` reads: generic,
    salt, brand, combination), ``strength`` per unit with its unit in ``strength_unit``
    ("mg", "mcg/h", "mg/mL"; or ``strength_unit=None`` when the strength column holds text
    such as "10 mg"), ``quantity``, ``days_supply``; optionally ``form``, ``route``,
    ``release`` and ``package_ml`` columns. ``table`` is a slug, a table file or a `mme.Table`
    (default: the default table); ``variant`` chooses among values a table prints (e.g. CMS 2018
    methadone), for every row.

    With ``ndc="ndc"`` and ``ndc_file`` (from `mme.read_ndc_file`) each row is a claim by NDC,
    read as `mme.ndc_mme` reads it: drug, strength, unit, form and route from the CDC file, and
    the file's own factor unless a ``table`` is given. Unknown NDCs are reported in ``mme_error``.

    With ``rxcui="rxcui"`` each row is a claim by RxNorm code, read as `mme.rxnorm.dispensing_mme`
    reads it: the opioid, strength, form, route and release from the product file ``rxnorm`` (a
    path; default the shipped one), quantity in units, or in mL for liquids. A ``route`` column
    may name an injection's route (RxNorm does not). Unknown codes, products without a counted
    opioid, and products of two different opioids (which a row does not add up) are reported
    in ``mme_error``; each distinct code is looked up once.

    Returns the frame, same type, with ``mme_per_day``, ``mme_factor``, ``mme_days_supply``,
    ``mme_excluded``, ``mme_error`` and ``mme_warning`` added (see the module documentation); a result column
    already in the frame is replaced. ``outputs`` names the ones to add, when you need fewer:
    ``outputs=["mme_per_day"]`` skips the work behind the others (rows with no MME are still null).
    """
    tab = _table(table, ndc, variant)
    columns = _Columns(
        drug=drug, strength=strength, strength_unit=strength_unit, quantity=quantity, days_supply=days_supply,
        form=form, route=route, release=release, package_ml=package_ml, ndc=ndc, rxcui=rxcui,
    )  # fmt: skip
    added = _outputs(outputs, DISPENSING_COLUMNS)
    data, eager = _start(frame)
    out = _annotate(data, columns, tab, variant, ndc_file, outputs=added, rxnorm=rxnorm)
    return _finish(data, out, added, eager)  # type: ignore[no-any-return]


@_dask_notice_once
def daily_mme(
    frame: IntoFrameT,
    *,
    table: TableLike = DEFAULT_TABLE,
    drug: str = "drug",
    dose: str = "dose",
    dose_unit: str | None = "dose_unit",
    per_day: str | None = "per_day",
    count: str | None = None,
    form: str | None = None,
    route: str | None = None,
    release: str | None = None,
    variant: str | None = None,
    rxcui: str | None = None,
    rxnorm: RxnormLike = None,
    outputs: Sequence[str] = REGIMEN_COLUMNS,
) -> IntoFrameT:
    """MME/day of every regimen in a frame (the clinical path of `mme.daily_mme`), per row.

    ``dose`` per administration with ``dose_unit`` (or ``dose_unit=None`` for text doses such as
    "10 mg"), ``per_day`` administrations a day (a number, or a text column of codes: "bid",
    "tid"...; null for daily totals such as "40 mg/day" and patch rates), ``count`` units per
    administration (default 1). Adds ``mme_per_day``, ``mme_factor``, ``mme_excluded``,
    ``mme_error`` and ``mme_warning`` (or the ``outputs`` named). Concentrations (which need a volume per
    administration) are reported as errors.

    With ``rxcui="rxcui"`` each row is a regimen of an RxNorm product, as `mme.rxnorm.daily_mme`
    reads it with ``count=``: ``count`` units (tablets, patches, sprays; default 1) per
    administration, the strength from the product file ``rxnorm`` (default the shipped one); no
    dose column. Liquids, which need a volume per dose, are reported as errors.
    """
    tab = resolve_table(table)
    columns = _Columns(
        drug=drug, strength=dose, strength_unit=dose_unit, quantity=None, days_supply=None,
        form=form, route=route, release=release, per_day=per_day, count=count, rxcui=rxcui, keywords=REGIMEN_KEYWORDS,
    )  # fmt: skip
    added = _outputs(outputs, REGIMEN_COLUMNS)
    data, eager = _start(frame)
    out = _annotate(data, columns, tab, variant, None, regimen=True, outputs=added, rxnorm=rxnorm)
    return _finish(data, out, added, eager)  # type: ignore[no-any-return]

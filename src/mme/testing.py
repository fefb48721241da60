"""Hypothesis strategies and assertion helpers for the test suites of tools that call `mme`.

EHR plug-ins, pharmacy systems and research pipelines that compute MME/day with `mme` can
test their own code on thousands of *valid* inputs instead of a handful of examples::

    pip install "mme[testing]"          # hypothesis is an optional extra

Importing `mme` never imports hypothesis; only ``import mme.testing`` does.

Strategies
    Each takes an optional ``table`` (a slug such as ``"cms-2018"``, a path to a table file of
    your own, or a `mme.Table`) and generates only inputs that table covers. Where the output
    names its table (`regimens`, `dispensings`, `results`, `totals`, `uncovered`),
    ``table=None`` means any shipped table; where it cannot (`expressions`,
    `dispensing_records`, `histories`), ``table=None`` means `mme.DEFAULT_TABLE`, the table
    `mme` uses when none is named.

    - `drug_names`: names as people type them (canonical, salt, brand, combination; odd case
      and spaces). A brand implies a route/form/release: only brands the table covers.
    - `doses`, `daily_doses`, `patch_rates`, `concentrations`: amounts with units ("10 mg",
      "10000 mcg", "0.01 g", "25 mcg/h", ("10 mg/5 mL", "5 mL")); `same_amount` renders one
      amount in every unit.
    - `regimens`: keyword arguments for `mme.daily_mme` (`RegimenArgs`, a frozen mapping:
      ``mme.daily_mme(**regimen)``), with per_day/every in every accepted form (2, "bid",
      "6 h", "q6h", ``timedelta(hours=6)``), variants where a table needs one, and, unless
      ``include_excluded=False``, drugs the table excludes (their result has no MME).
    - `dispensings`: keyword arguments for `mme.dispensing_mme` (`DispensingArgs`).
    - `dispensing_records` and `histories`: `mme.Dispensing` records with fill dates, and one
      patient's history of them with refills, overlaps and gaps (for `mme.summarize`).
    - `expressions`: dose expressions for `mme.convert` and the ``mme convert`` command.
    - `results` and `totals`: real `mme.DailyMME` and `mme.Total` computed by the engine; they are
      also registered, so ``st.from_type(mme.DailyMME)`` and ``st.from_type(mme.Total)`` work.
    - `invalid_doses`, `unknown_drugs`, `uncovered`: inputs that must raise `mme.MMEError`,
      `mme.UnknownDrugError` and `mme.NotCoveredError`.

    Everything is built from small lists of sensible values, so a failing test shrinks to a
    readable input ("oxycodone", "1 mg", per_day=1) and a history to one or two records. The
    amounts stay well below `mme.IMPLAUSIBLE_MME_PER_DAY`, so no `mme.ImplausibleDoseWarning`
    is raised (safe under ``-W error``).

Assertions
    `assert_mme_equal` compares two results (or numbers) with a tolerance and checks that both
    used the same table and version; `assert_same_table` checks only the table. Failures are
    `AssertionError` with a multi-line message naming the drug, factor, table and both values.

Example: a downstream tool's property test (pytest)::

    import mme
    from hypothesis import given, settings
    from mme.testing import assert_mme_equal, regimens


    def shown_mme(order: dict) -> str:
        # the code under test: what an EHR plug-in shows next to an order
        result = mme.daily_mme(**order)
        if result.mme_per_day is None:
            return f"no MME ({result.table})"
        return f"{result.mme_per_day:.1f} MME/day ({result.table})"


    @settings(max_examples=50)
    @given(regimens(table="cms-2018"))
    def test_the_plugin_shows_mme_to_one_decimal(regimen: mme.testing.RegimenArgs) -> None:
        shown = shown_mme(dict(regimen))
        result = mme.daily_mme(**regimen)
        assert shown.endswith("(cms-2018)")
        if result.mme_per_day is None:  # an excluded drug (buprenorphine)
            assert shown.startswith("no MME")
        else:
            # shown to one decimal: off by at most half a unit of it (0.75 shows as 0.8, 0.05 off)
            assert_mme_equal(float(shown.split()[0]), result.mme_per_day, abs=0.05 + 1e-9)

See docs/testing.md for more.

MME estimates overdose risk; these inputs test software, they are not dosing advice.
"""

from __future__ import annotations

import builtins
import itertools
import math
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias, TypeVar

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('mme.testing needs hypothesis, an optional extra: pip install "mme[testing]"') from exc

from ._engine import DailyMME, Total, daily_mme, dispensing_mme, total
from ._errors import MMEError
from ._history import Dispensing
from ._tables import DEFAULT_TABLE, Exclusion, FactorRow, Table, list_tables, resolve_table
from ._units import MG_PER_DAY_PER_MCG_PER_H, amount
from ._vocab import (
    PATCH_WEAR_DAYS,
    DrugName,
    form_route,
    is_form_word,
    is_release_word,
    is_route_word,
    known_names,
    non_opioid,
    resolve_drug,
    resolve_form,
    resolve_route,
)

__all__ = [
    "DispensingArgs",
    "DispensingKind",
    "RegimenArgs",
    "RegimenKind",
    "assert_mme_equal",
    "assert_same_table",
    "concentrations",
    "daily_doses",
    "dispensing_records",
    "dispensings",
    "doses",
    "drug_names",
    "expressions",
    "histories",
    "invalid_doses",
    "patch_rates",
    "regimens",
    "results",
    "same_amount",
    "totals",
    "uncovered",
    "unknown_drugs",
]

_T = TypeVar("_T")
TableArg: TypeAlias = str | Path | Table | None
RegimenKind: TypeAlias = Literal["dose", "daily", "patch", "liquid"]
"""A regimen's dose: per administration ("10 mg" bid), a daily total ("40 mg/day"), a patch rate, a liquid."""
DispensingKind: TypeAlias = Literal["unit", "patch", "liquid"]
"""A dispensing's strength: per unit (tablet, film, spray...), a patch rate, or a concentration."""

_Unit = Literal["mg", "mcg", "mcg/h"]
_Family = Literal["dose", "daily", "patch", "liquid"]

#: Generated inputs stay below this many MME/day (the engine warns above 10,000).
_MAX_MME_PER_DAY = 2000.0
#: The engine asks "did you mean mcg?" when a mcg-dosed drug gets >= 5 mg/day written in mg.
_MCG_AS_MG_WARNING_MG = 5.0

# Sensible values, smallest first: hypothesis shrinks a sampled_from towards its first element.
_MG = ("1", "2", "2.5", "5", "7.5", "10", "15", "20", "25", "30", "40", "50", "60", "80", "100", "150", "200", "300")
_MCG = ("5", "10", "12.5", "25", "50", "75", "100", "200", "300", "400", "600", "800", "1200", "1600")
_RATE = ("5", "10", "12", "12.5", "20", "25", "37.5", "50", "62.5", "75", "87.5", "100")
_DAILY_MG = ("5", "10", "15", "20", "30", "40", "60", "80", "90", "100", "120", "160", "200", "240", "300", "400")
_DAILY_MCG = ("50", "100", "200", "400", "600", "800", "1200", "1600", "2400", "3200")
_CONC_MG = ("1", "2", "5", "10", "20")  # mg/mL
_CONC_MCG = ("10", "25", "50", "100")  # mcg/mL
_VOLUME_ML = ("0.5", "1", "2", "2.5", "5", "10", "15")
_DAYS = ("1", "2", "3", "5", "7", "10", "14", "15", "20", "28", "30", "60", "90")
_UNITS_PER_DAY = ("1", "2", "3", "4", "6", "0.5")
_ML_PER_DAY = ("1", "2", "5", "10", "15", "20", "30")
_PACKAGE_ML = ("5", "10", "30", "100", "118", "473")

_LIQUID_FORMS = frozenset({"solution", "suspension", "syrup", "injection"})
_LIQUID_ROUTES = frozenset({"oral", "intravenous", "subcutaneous", "intramuscular"})
_PER_UNIT_SUFFIX = {"tablet": "tab", "capsule": "capsule", "spray": "spray", "film": "film", "lozenge": "lozenge"}
_COUNT_WORDS = {
    "tablet": ("tab", "tablet"),
    "capsule": ("cap", "capsule"),
    "spray": ("spray",),
    "film": ("film",),
    "lozenge": ("lozenge",),
    "patch": ("patch",),
    "suppository": ("suppository",),
}
_PLURAL = {
    "tab": "tabs",
    "tablet": "tablets",
    "cap": "caps",
    "capsule": "capsules",
    "spray": "sprays",
    "film": "films",
    "lozenge": "lozenges",
    "patch": "patches",
    "suppository": "suppositories",
}
_ROUTE_WORDS = ("po", "iv", "sl", "td", "pr", "sc", "sq", "im", "bucc", "intranasal", "otm")
_RELEASE_WORDS = {"ER": ("ER", "LA", "SR", "XR", "CR", "extended-release"), "IR": ("IR",)}
_COMBINATIONS = {
    "hydrocodone": ("hydrocodone/acetaminophen", "hydrocodone/ibuprofen", "Hydrocodone Bitartrate/APAP"),
    "oxycodone": ("oxycodone/acetaminophen", "oxycodone/aspirin", "oxycodone/naloxone", "oxycodone + paracetamol"),
    "codeine": ("codeine/acetaminophen", "acetaminophen with codeine", "codeine/paracetamol"),
    "tramadol": ("tramadol/acetaminophen", "tramadol/paracetamol"),
    "dihydrocodeine": ("dihydrocodeine/paracetamol",),
    "buprenorphine": ("buprenorphine/naloxone",),
    "pentazocine": ("pentazocine/naloxone",),
}

# Frequencies: (per_day, every, administrations a day), simplest first.
_Frequency = tuple[float | str | None, float | str | timedelta | None, float]
_FREQUENCIES: tuple[_Frequency, ...] = (
    *((n, None, float(n)) for n in (1, 2, 3, 4, 6)),
    *((code, None, n) for code, n in (("qd", 1.0), ("bid", 2.0), ("tid", 3.0), ("qid", 4.0), ("qhs", 1.0))),
    *((code, None, n) for code, n in (("daily", 1.0), ("od", 1.0), ("qam", 1.0), ("qpm", 1.0), ("BID", 2.0))),
    *((code, None, n) for code, n in (("b.i.d.", 2.0), ("T.I.D.", 3.0), (" Qid ", 4.0), ("QD", 1.0), (2.0, 2.0))),
    *(
        (None, every, 24 / hours)
        for hours in (24, 12, 8, 6, 4)
        for every in (
            hours,
            f"{hours} h",
            f"q{hours}h",
            f"every {hours} hours",
            f"{hours} hrs",
            f"q{hours}hr",
            float(hours),
            timedelta(hours=hours),
        )
    ),
    (None, "1 day", 1.0),
    (None, timedelta(days=1), 1.0),
)
# Expression frequencies: (text, administrations a day).
_TEXT_FREQUENCIES: tuple[tuple[str, float], ...] = (
    ("qd", 1.0),
    ("bid", 2.0),
    ("tid", 3.0),
    ("qid", 4.0),
    ("daily", 1.0),
    ("qhs", 1.0),
    ("b.i.d.", 2.0),
    ("BID", 2.0),
    ("tds", 3.0),
    ("twice a day", 2.0),
    ("3 times a day", 3.0),
    ("once daily", 1.0),
    *((text, 24 / h) for h in (24, 12, 8, 6, 4) for text in (f"q{h}h", f"q {h} h", f"every {h} hours", f"q{h}hr")),
)


# -- small helpers --------------------------------------------------------------------------------

_BOOLEANS = st.booleans()
_PICKS: dict[tuple[tuple[type, object], ...], st.SearchStrategy[Any]] = {}


def _pick(options: Sequence[_T]) -> st.SearchStrategy[_T]:
    """``st.sampled_from(options)``, built once per distinct options: strategies are drawn from in hot loops."""
    key = tuple((type(o), o) for o in options)
    strategy = _PICKS.get(key)
    if strategy is None:
        strategy = _PICKS[key] = st.sampled_from(tuple(options))
    return strategy


@cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=low, max_value=high)


def _dec(text: str | float) -> Decimal:
    return Decimal(text) if isinstance(text, str) else Decimal(repr(float(text)))


def _num(value: Decimal) -> str:
    """A decimal as people write it: 10, 2.5, 0.01 (never 1E+1)."""
    return format(value.normalize(), "f")


def _table_label(table: str | Path | Table) -> str:
    return table.slug if isinstance(table, Table) else str(table)


# -- the keyword arguments the strategies generate --------------------------------------------------


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


# -- what a table covers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One thing a table gives a factor for (or excludes): drug, route, form, release, variant."""

    drug: str
    route: str | None
    form: str | None
    release: str | None
    variant: str | None
    unit: _Unit
    mme_per_unit: float
    """Largest MME/day per unit of daily amount (mg/day, mcg/day or mcg/h), to keep doses plausible."""
    excluded: bool
    wear_days: int | None
    names: tuple[str, ...]
    liquid: bool


@dataclass(frozen=True, repr=False, eq=False)
class _Covered:
    """A target of one table, with what may be left unsaid for each kind of dose."""

    table: Table
    ref: str | Path | Table
    target: _Target
    drops: Mapping[str, tuple[frozenset[str], ...]]
    """Per family: the sets of route/form/release/variant arguments that may be omitted (most first)."""

    def __repr__(self) -> str:  # short: hypothesis shows strategy arguments in its messages
        t = self.target
        what = " ".join(str(x) for x in (t.drug, t.route, t.form, t.release, t.variant) if x)
        return f"<{self.table.slug}: {what}{' (excluded)' if t.excluded else ''}>"


class _Pool(tuple[_T, ...]):
    """What a strategy draws from, with a short repr (hypothesis prints strategy arguments)."""

    label: str

    def __new__(cls, items: Iterable[_T], label: str) -> _Pool[_T]:
        pool = super().__new__(cls, items)
        pool.label = label
        return pool

    def __repr__(self) -> str:
        return f"<{self.label}: {len(self)} choices>"


@cache
def _names_by_drug() -> dict[str, tuple[tuple[str, DrugName], ...]]:
    """Every typed name that resolves, by ingredient: the canonical name first, then salts, then brands."""
    groups: dict[str, list[tuple[str, DrugName]]] = {}
    for name in known_names():
        resolved = resolve_drug(name)
        groups.setdefault(resolved.drug, []).append((name, resolved))
    for drug, combos in _COMBINATIONS.items():
        for combo in combos:
            try:
                if resolve_drug(combo) == DrugName(drug):
                    groups.setdefault(drug, []).append((combo, DrugName(drug)))
            except MMEError:  # the vocabulary changed: skip what no longer resolves
                continue
    return {drug: tuple(sorted(items, key=_name_order)) for drug, items in groups.items()}


@cache
def _all_names() -> tuple[str, ...]:
    """Every name: canonical ones first, then salts and other plain names, then brands (shorter first)."""
    items = [item for group in _names_by_drug().values() for item in group]
    return tuple(name for name, _ in sorted(items, key=_name_order))


def _name_order(item: tuple[str, DrugName]) -> tuple[int, int, str]:
    name, dn = item
    brand = (dn.route, dn.form, dn.release) != (None, None, None)
    return (0 if name == dn.drug else 2 if brand else 1, len(name), name)


def _compatible(dn: DrugName, target: _Target) -> bool:
    """A name fits a target when the route/form/release it implies is the target's (or any)."""
    if dn.route is not None and dn.route != target.route:
        return False
    if dn.form is not None and target.form is not None and dn.form != target.form:
        return False
    if dn.form is not None and target.form is None and target.unit == "mcg/h":
        return False
    return dn.release is None or target.release is None or dn.release == target.release


def _typed_drug_name(name: str) -> bool:
    """Names an expression can start with: no digits, no route/form/release word at either end."""
    words = name.split()
    if not words or re.search(r"[\d#]", name):
        return False
    return not any(is_route_word(w) or is_form_word(w) or is_release_word(w) for w in (words[0], words[-1]))


def _max_factor(row: FactorRow) -> float:
    factors = [t.factor for t in row.tiers] if row.tiers else [row.factor]
    return max(row.rate_factor(f) for f in factors if f is not None)


@cache
def _excluded_templates(drug: str) -> tuple[tuple[str | None, str | None, _Unit, float], ...]:
    """Routes, forms and units other tables give an excluded drug: (route, form, unit, MME per unit)."""
    found: dict[tuple[str | None, str | None, _Unit], float] = {}
    for table in list_tables():
        for row in table.rows_for(drug):
            for route in row.routes:
                for form in row.forms or (None,):
                    key = (route, form, row.unit)
                    found[key] = max(found.get(key, 0.0), _max_factor(row))
    return tuple((r, f, u, m) for (r, f, u), m in sorted(found.items(), key=lambda kv: str(kv[0])))


def _targets_of(table: Table, include_excluded: bool) -> list[_Target]:
    names = _names_by_drug()
    targets: list[_Target] = []

    def add(
        drug: str,
        route: str | None,
        form: str | None,
        release: str | None,
        variant: str | None,
        unit: _Unit,
        mme_per_unit: float,
        excluded: bool,
        wear: int | None,
    ) -> None:
        liquid = unit != "mcg/h" and (
            form in _LIQUID_FORMS if form is not None else (route is None or route in _LIQUID_ROUTES)
        )
        draft = _Target(drug, route, form, release, variant, unit, mme_per_unit, excluded, wear, (), liquid)
        fitting = tuple(n for n, dn in names.get(drug, ()) if _compatible(dn, draft))
        targets.append(
            _Target(drug, route, form, release, variant, unit, mme_per_unit, excluded, wear, fitting or (drug,), liquid)
        )

    for row in table.rows:
        wear = row.wear_days or (PATCH_WEAR_DAYS.get(row.drug) if row.is_patch else None)
        for route in row.routes:
            for form in row.forms or (None,):
                add(row.drug, route, form, row.release, row.variant, row.unit, _max_factor(row), False, wear)
    if include_excluded:
        for ex in table.excluded:
            for ex_route, ex_form, unit, mme_per_unit in _exclusion_targets(ex):
                wear = PATCH_WEAR_DAYS.get(ex.drug) if unit == "mcg/h" else None
                add(ex.drug, ex_route, ex_form, None, None, unit, mme_per_unit, True, wear)
    return targets


def _exclusion_targets(ex: Exclusion) -> list[tuple[str | None, str | None, _Unit, float]]:
    """What to dose an excluded drug as: its listed routes/forms, else those other tables give it."""
    templates = [
        (route, form if form is not None or not ex.forms else named, unit, mme_per_unit)
        for route, form, unit, mme_per_unit in _excluded_templates(ex.drug)
        if (not ex.routes or route in ex.routes) and (not ex.forms or form is None or form in ex.forms)
        for named in (ex.forms or (None,))
        if form is None or named in (None, form)
    ]
    largest: dict[tuple[str | None, str | None, _Unit], float] = {}
    for route, form, unit, mme_per_unit in templates:
        largest[route, form, unit] = max(largest.get((route, form, unit), 0.0), mme_per_unit)
    templates = [(route, form, unit, m) for (route, form, unit), m in largest.items()]
    if not ex.routes and not ex.forms:
        templates.insert(0, (None, None, "mg", max((m for _, _, u, m in templates if u == "mg"), default=1.0)))
    if not templates:
        routes: Sequence[str | None] = ex.routes or (None,)
        forms: Sequence[str | None] = ex.forms or (None,)
        templates = [(r, f, "mcg/h" if f == "patch" else "mg", 1.0) for r in routes for f in forms]
    return templates


def _families(target: _Target) -> tuple[_Family, ...]:
    if target.unit == "mcg/h":
        return ("patch",)
    return ("dose", "daily", "liquid") if target.liquid else ("dose", "daily")


def _probe_kwargs(target: _Target, family: _Family) -> dict[str, Any]:
    if family == "patch":
        return {"dose": "25 mcg/h"}
    unit = "mcg" if target.unit == "mcg" else "mg"
    if family == "daily":
        return {"dose": f"10 {unit}/day"}
    if family == "liquid":
        return {"dose": f"1 {unit}/mL", "volume": "1 mL", "per_day": 1}
    return {"dose": f"10 {unit}", "per_day": 1}


def _result_key(result: DailyMME) -> tuple[object, ...]:
    return (
        result.factor,
        result.factor_basis,
        result.variant,
        result.excluded,
        result.tier,
        result.daily_dose_unit,
        result.mme_per_day,
    )


def _drops(table: Table, target: _Target, family: _Family) -> tuple[frozenset[str], ...]:
    """Which of route/form/release/variant may be left out and still reach the same row (most first).

    The explicit arguments are always kept as an option, even if the engine refuses them: the
    tests of this module then show the disagreement instead of hiding it.
    """
    explicit = {k: getattr(target, k) for k in ("route", "form", "release", "variant") if getattr(target, k)}
    base = _probe_kwargs(target, family)

    def run(kwargs: dict[str, Any]) -> DailyMME:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return daily_mme(target.drug, **base, **kwargs, table=table)

    try:
        expected = _result_key(run(explicit))
    except MMEError:
        return (frozenset(),)
    options: list[frozenset[str]] = []
    for size in range(len(explicit), 0, -1):
        for combo in itertools.combinations(sorted(explicit), size):
            try:
                if _result_key(run({k: v for k, v in explicit.items() if k not in combo})) == expected:
                    options.append(frozenset(combo))
            except MMEError:
                continue
    return (*options, frozenset())


@cache
def _covered(table: Table, ref: str | Path | Table, include_excluded: bool) -> tuple[_Covered, ...]:
    return tuple(
        _Covered(table, ref, target, {family: _drops(table, target, family) for family in _families(target)})
        for target in _targets_of(table, include_excluded)
    )


def _resolve(table: TableArg) -> tuple[tuple[Table, str | Path | Table], ...]:
    if table is None:
        return tuple((t, t.slug) for t in list_tables())
    return ((resolve_table(table), table),)


def _default(table: TableArg) -> str | Path | Table:
    return DEFAULT_TABLE if table is None else table


def _choices(
    table: TableArg,
    *,
    drug: str | None = None,
    include_excluded: bool = True,
    families: Collection[_Family] | None = None,
    what: str = "inputs",
    keep: Callable[[_Covered], bool] | None = None,
) -> _Pool[_Covered]:
    """The covered targets of one table (or of every shipped one), filtered; InvalidArgument if none."""
    wanted = resolve_drug(drug).drug if drug is not None else None
    found: list[_Covered] = []
    for tab, ref in _resolve(table):
        for covered in _covered(tab, ref, include_excluded):
            if wanted is not None and covered.target.drug != wanted:
                continue
            if families is not None and not set(_families(covered.target)) & set(families):
                continue
            if keep is not None and not keep(covered):
                continue
            found.append(covered)
    where = "any shipped table" if table is None else _table_label(table)
    if not found:
        raise InvalidArgument(f"no {what} to generate for {where}" + (f" and drug {drug!r}" if drug else ""))
    return _Pool(found, f"{what} of {where}" + (f", {drug}" if drug else ""))


# -- amounts ------------------------------------------------------------------------------------------


def _fits(daily: Decimal, target: _Target) -> bool:
    return float(daily) * max(target.mme_per_unit, 1e-9) <= _MAX_MME_PER_DAY


def _mass_texts(value: Decimal, target: _Target, daily: Decimal) -> list[str]:
    """One amount per administration in the units people write (target unit mg or mcg)."""
    if target.unit == "mcg":
        texts = [f"{_num(value)} mcg", f"{_num(value)}mcg", f"{_num(value)} µg", f"{_num(value)} micrograms"]
        if float(daily) / 1000 < _MCG_AS_MG_WARNING_MG:
            texts.append(f"{_num(value / 1000)} mg")
    else:
        texts = [
            f"{_num(value)} mg",
            f"{_num(value)}mg",
            f"{_num(value * 1000)} mcg",
            f"{_num(value / 1000)} g",
            f"{_num(value)} milligrams",
            f"{_num(value * 1000)} µg",
        ]
        if value != value.to_integral_value():
            texts.append(f"{_num(value).replace('.', ',')} mg")
    suffix = _PER_UNIT_SUFFIX.get(target.form or "")
    if suffix:
        texts.append(f"{texts[0]}/{suffix}")
    return texts


def _daily_texts(value: Decimal, target: _Target) -> list[str]:
    if target.unit == "mcg":
        return [f"{_num(value)} mcg/day", f"{_num(value)} µg/day", f"{_num(value)} mcg/d"]
    return [f"{_num(value)} mg/day", f"{_num(value)} mg/d", f"{_num(value * 1000)} mcg/day", f"{_num(value)}mg/day"]


def _rate_texts(value: Decimal) -> list[str]:
    return [
        f"{_num(value)} mcg/h",
        f"{_num(value)} mcg/hr",
        f"{_num(value)} µg/h",
        f"{_num(value)} mcg/hour",
        f"{_num(value / 1000)} mg/h",
    ]


def _conc_texts(value: Decimal, target: _Target) -> list[str]:
    if target.unit == "mcg":
        return [f"{_num(value)} mcg/mL", f"{_num(value)} mcg/ml", f"{_num(value * 5)} mcg/5 mL"]
    return [
        f"{_num(value)} mg/mL",
        f"{_num(value * 5)} mg/5 mL",
        f"{_num(value)} mg/ml",
        f"{_num(value * 1000)} mcg/mL",
        f"{_num(value * 5)} mg/5mL",
    ]


def _volume_texts(value: Decimal) -> list[str]:
    return [f"{_num(value)} mL", f"{_num(value)} ml", f"{_num(value)}mL"]


def same_amount(dose: str) -> tuple[str, ...]:
    """The same amount written in every unit `mme` reads for its kind.

    >>> same_amount("10 mg")
    ('10 mg', '10000 mcg', '0.01 g')
    >>> same_amount("25 mcg/h")
    ('25 mcg/h', '0.025 mg/h', '0.6 mg/day', '600 mcg/day')
    >>> same_amount("10 mg/5 mL")
    ('2 mg/mL', '2000 mcg/mL', '10 mg/5 mL')
    """
    parsed = amount(dose)
    value = _dec(parsed.value)
    if parsed.kind == "mass":
        return (f"{_num(value)} mg", f"{_num(value * 1000)} mcg", f"{_num(value / 1000)} g")
    if parsed.kind == "volume":
        return (f"{_num(value)} mL", f"{_num(value / 1000)} L")
    if parsed.kind == "conc":
        return (f"{_num(value)} mg/mL", f"{_num(value * 1000)} mcg/mL", f"{_num(value * 5)} mg/5 mL")
    texts = []
    try:
        per_hour = value / _dec(MG_PER_DAY_PER_MCG_PER_H)
        if per_hour * _dec(MG_PER_DAY_PER_MCG_PER_H) == value and len(_num(per_hour)) < 12:
            texts += [f"{_num(per_hour)} mcg/h", f"{_num(per_hour / 1000)} mg/h"]
    except InvalidOperation:  # pragma: no cover - a finite positive amount always divides
        pass
    return (*texts, f"{_num(value)} mg/day", f"{_num(value * 1000)} mcg/day")


# -- name decoration ----------------------------------------------------------------------------------

_CASES: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    str.title,
    str.upper,
    str.capitalize,
    lambda s: "".join(c.upper() if i % 2 else c for i, c in enumerate(s)),
)
_SPACES = ("", " ", "  ", "\t")


@cache
@st.composite
def _typed(draw: st.DrawFn, name: str, *, spaces: bool = True) -> str:
    """A name as typed: odd case, hyphens for spaces, surrounding white space (plain shrinks first)."""
    text = draw(_pick(_CASES))(name)
    if " " in text and draw(_BOOLEANS):
        text = text.replace(" ", "-")
    if spaces:
        text = draw(_pick(_SPACES)) + text + draw(_pick(_SPACES))
    return text


# -- strategies: names ----------------------------------------------------------------------------------


def drug_names(table: TableArg = None, *, include_excluded: bool = True) -> st.SearchStrategy[str]:
    """Drug names as users type them that resolve to a drug ``table`` covers (or excludes).

    Canonical names ("oxycodone"), salts ("Oxycodone HCl"), combinations
    ("hydrocodone/acetaminophen") and brands; a brand is only drawn if the table covers the
    route/form/release it implies (no "Actiq" for a table with only fentanyl patches). Odd case,
    hyphens and surrounding spaces included. ``table=None``: any shipped table.
    """
    rank = {name: i for i, name in enumerate(_all_names())}
    names = sorted(
        {n for c in _choices(table, include_excluded=include_excluded, what="drug names") for n in c.target.names},
        key=lambda n: rank.get(n, len(rank)),
    )
    return st.sampled_from(names).flatmap(_typed)


def unknown_drugs() -> st.SearchStrategy[str]:
    """Names that resolve to no drug (`mme.UnknownDrugError`): misspellings, non-opioids, made-up words."""

    def unknown(name: str) -> bool:
        try:
            resolve_drug(name)
        except MMEError:
            return True
        return False

    curated = st.sampled_from(
        (
            "acetaminophen",
            "ibuprofen",
            "gabapentin",
            "naloxone",
            "aspirin",
            "diazepam",
            "pregabalin",
            "oxycodon",
            "morfine",
            "fentanil",
            "tramadole",
            "hydrocodeine",
            "acetaminophen/ibuprofen",
            "xyzzy",
            "OxyContinn",
            "naltrexone",
            "paracetamol",
            "ketamine",
            "lidocaine",
            "morphine-ish drug",
        )
    )
    made_up = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12)
    return st.one_of(curated, made_up).filter(unknown)


# -- strategies: amounts ----------------------------------------------------------------------------------


def _frequency() -> st.SearchStrategy[_Frequency]:
    return _pick(_FREQUENCIES)


@cache
@st.composite
def _dose_text(draw: st.DrawFn, covered: _Covered, times: float, count: float) -> str:
    target = covered.target
    values = [v for v in map(Decimal, _MCG if target.unit == "mcg" else _MG) if _fits(v * _dec(times * count), target)]
    value = draw(_pick(values or [Decimal(_MCG[0] if target.unit == "mcg" else _MG[0])]))
    daily = value * _dec(times * count)
    return draw(_pick(_mass_texts(value, target, daily)))


@cache
@st.composite
def _daily_text(draw: st.DrawFn, covered: _Covered) -> str:
    target = covered.target
    pool = _DAILY_MCG if target.unit == "mcg" else _DAILY_MG
    values = [v for v in map(Decimal, pool) if _fits(v, target)] or [Decimal(pool[0])]
    return draw(_pick(_daily_texts(draw(_pick(values)), target)))


@cache
@st.composite
def _rate_text(draw: st.DrawFn, covered: _Covered, count: float) -> str:
    values = [v for v in map(Decimal, _RATE) if _fits(v * _dec(count), covered.target)] or [Decimal(_RATE[0])]
    return draw(_pick(_rate_texts(draw(_pick(values)))))


@cache
@st.composite
def _liquid_texts(draw: st.DrawFn, covered: _Covered, times: float) -> tuple[str, str]:
    target = covered.target
    mcg = target.unit == "mcg"
    pairs = [
        (c, v)
        for c in map(Decimal, _CONC_MCG if mcg else _CONC_MG)
        for v in map(Decimal, _VOLUME_ML)
        if _fits(c * v * _dec(times), target)
        and (not mcg or float(c * v * _dec(times)) / 1000 < _MCG_AS_MG_WARNING_MG)  # see _MCG_AS_MG_WARNING_MG
    ]
    conc, volume = draw(_pick(pairs or [(Decimal(1), Decimal(1))]))
    return draw(_pick(_conc_texts(conc, target))), draw(_pick(_volume_texts(volume)))


def _amount_choices(table: TableArg, drug: str | None, family: _Family) -> _Pool[_Covered]:
    return _choices(table, drug=drug, include_excluded=False, families=(family,), what=f"{family} amounts")


def doses(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Amounts per administration: "10 mg", "10mg", "10000 mcg", "0.01 g", "2,5 mg", "100 mcg/spray".

    The amounts suit a drug ``table`` covers (mcg-sized for mcg-dosed rows) and stay plausible at
    up to 6 administrations a day. Shrinks towards "1 mg".
    """
    choices = _amount_choices(table, drug, "dose")
    return st.sampled_from(choices).flatmap(lambda c: _dose_text(c, 6.0, 2.0))


def daily_doses(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Daily totals, which take no frequency: "40 mg/day", "40 mg/d", "40000 mcg/day", "400 mcg/day"."""
    return st.sampled_from(_amount_choices(table, drug, "daily")).flatmap(_daily_text)


def patch_rates(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[str]:
    """Patch delivery rates: "25 mcg/h", "25 mcg/hr", "25 µg/h", "0.025 mg/h" (a table with a patch row)."""
    return st.sampled_from(_amount_choices(table, drug, "patch")).flatmap(lambda c: _rate_text(c, 2.0))


def concentrations(table: TableArg = None, *, drug: str | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """A concentration and the volume taken: ("2 mg/mL", "5 mL"), ("10 mg/5 mL", "5 ml"), ("50 mcg/mL", "2 mL")."""
    return st.sampled_from(_amount_choices(table, drug, "liquid")).flatmap(lambda c: _liquid_texts(c, 6.0))


def invalid_doses() -> st.SearchStrategy[str | float | tuple[float, str]]:
    """Doses no call accepts (`mme.MMEError`: `mme.DoseError` or `mme.UnitError`), whatever the drug.

    A volume where an amount of drug is needed ("5 mL"), units of another dimension ("10 m",
    "10 h", "10 mg/kg"), unknown units, negative, zero, NaN and infinite amounts, and numbers
    without a unit (text or float).
    """
    values = st.sampled_from(_MG)
    texts = st.one_of(
        values.map(lambda v: f"-{v} mg"),
        values.map(lambda v: f"{v} mL"),
        values.map(lambda v: f"{v}"),
        st.tuples(
            values, st.sampled_from(("m", "h", "mg/kg", "mmol", "cm", "kg*m", "mL/h", "xyz", "furlong", "%", "mg/0 mL"))
        ).map(lambda p: f"{p[0]} {p[1]}"),
        st.sampled_from(
            (
                "0 mg",
                "0 mcg/h",
                "-0.5 mg",
                "nan mg",
                "inf mg",
                "-inf mg",
                "1e400 mg",
                "NaN mcg/h",
                "mg",
                "",
                "   ",
                "ten mg",
                "10 mg mg",
                "0 mg/mL",
            )
        ),
    )
    numbers = st.sampled_from((10.0, 0.0, -5.0, math.nan, math.inf))
    tuples = st.sampled_from(((-10.0, "mg"), (0.0, "mg"), (math.nan, "mg"), (math.inf, "mcg/h"), (10.0, "mL")))
    return st.one_of(texts, numbers, tuples)


# -- strategies: regimens ---------------------------------------------------------------------------------


def _names_for(target: _Target, family: _Family) -> tuple[str, ...]:
    """A liquid is not dosed under a brand that implies a tablet or a capsule."""
    if family != "liquid":
        return target.names
    return tuple(n for n in target.names if resolve_drug(n).form in (None, *_LIQUID_FORMS)) or (target.drug,)


def _keep_args(covered: _Covered, drop: frozenset[str]) -> dict[str, str | None]:
    t = covered.target
    return {k: (None if k in drop else getattr(t, k)) for k in ("route", "form", "release", "variant")}


def _drop_options(
    covered: _Covered, family: _Family, keep: frozenset[str] = frozenset(), drop: frozenset[str] = frozenset()
) -> list[frozenset[str]]:
    """The probed ways to leave arguments out, less those that leave out ``keep`` or keep ``drop``."""
    must = {k for k in drop if getattr(covered.target, k) is not None}
    return [d for d in covered.drops[family] if not d & keep and must <= d]


def _can_drop(covered: _Covered, drop: frozenset[str], families: Collection[_Family]) -> bool:
    return all(_drop_options(covered, f, drop=drop) for f in families)


@cache
@st.composite
def _regimen(
    draw: st.DrawFn,
    choices: tuple[_Covered, ...],
    families: Collection[_Family] | None,
    keep: frozenset[str] = frozenset(),
) -> RegimenArgs:
    covered = draw(_pick(choices))
    target = covered.target
    family: _Family = draw(_pick([f for f in _families(target) if families is None or f in families]))
    drop = draw(_pick(_drop_options(covered, family, keep=keep)))
    name = draw(_typed(draw(_pick(_names_for(target, family)))))
    kwargs: dict[str, Any] = _keep_args(covered, drop)
    times: float | None = None
    kind: RegimenKind = family
    if family == "patch":
        count = draw(_pick((1, 2)))
        dose = draw(_rate_text(covered, count))
        # The change interval does not alter the rate (an excluded patch accepts it too).
        if target.wear_days and draw(_BOOLEANS):
            hours = 24 * target.wear_days
            intervals = (
                f"{hours} h",
                hours,
                timedelta(days=target.wear_days),
                f"q{hours}h",
                f"{target.wear_days} days",
            )
            kwargs["every"] = draw(_pick(intervals))
    elif family == "daily":
        count, dose = 1, draw(_daily_text(covered))
    else:
        per_day, every, times = draw(_frequency())
        kwargs["per_day"], kwargs["every"] = per_day, every
        if family == "liquid":
            count = 1
            dose, kwargs["volume"] = draw(_liquid_texts(covered, times))
        else:
            count = draw(_pick((1, 2)))
            dose = draw(_dose_text(covered, times, count))
    return RegimenArgs(
        drug=name,
        dose=dose,
        count=count,
        table=covered.ref,
        kind=kind,
        times_per_day=times,
        excluded=target.excluded,
        **kwargs,
    )


def regimens(
    table: TableArg = None,
    *,
    drug: str | None = None,
    include_excluded: bool = True,
    kinds: Collection[RegimenKind] | None = None,
) -> st.SearchStrategy[RegimenArgs]:
    """Keyword arguments for `mme.daily_mme` that ``table`` accepts: ``mme.daily_mme(**regimen)``.

    Doses per administration with ``per_day`` (1, 2.0, "bid", "T.I.D.", "qhs"...) or ``every``
    (6, "6 h", "q6h", "every 6 hours", ``timedelta(hours=6)``), sometimes ``count=2``; daily
    totals ("40 mg/day"); patch rates (with or without the change interval); concentrations with
    a ``volume``. ``route``/``form``/``release``/``variant`` are given when the table needs them
    (CMS 2018 methadone: ``variant="flat"`` or ``"tiers"``) and sometimes when it does not.

    ``include_excluded``: also draw drugs the table excludes (buprenorphine under CDC 2022); their
    result has ``mme_per_day`` None (``regimen.excluded`` says so). ``drug`` keeps one ingredient
    (any name that resolves); ``kinds`` keeps some of "dose", "daily", "patch", "liquid".
    """
    families = None if kinds is None else frozenset(kinds)
    choices = _choices(table, drug=drug, include_excluded=include_excluded, families=families, what="regimens")
    return _regimen(choices, families)


# -- strategies: dispensings --------------------------------------------------------------------------------


_FAMILY_OF: dict[DispensingKind, _Family] = {"unit": "dose", "patch": "patch", "liquid": "liquid"}
_VARIANT = frozenset({"variant"})


def _dispensing_families(target: _Target) -> tuple[DispensingKind, ...]:
    if target.unit == "mcg/h":
        return ("patch",)
    return ("unit", "liquid") if target.liquid else ("unit",)


@cache
@st.composite
def _dispensing(
    draw: st.DrawFn,
    choices: tuple[_Covered, ...],
    kinds: Collection[DispensingKind] | None,
) -> DispensingArgs:
    covered = draw(_pick(choices))
    target = covered.target
    kind = draw(_pick([k for k in _dispensing_families(target) if kinds is None or k in kinds]))
    family = _FAMILY_OF[kind]
    drop = draw(_pick(_drop_options(covered, family)))
    kwargs: dict[str, Any] = _keep_args(covered, drop)
    name = draw(_typed(draw(_pick(_names_for(target, family)))))
    days = Decimal(draw(_pick(_DAYS)))
    package_ml: float | None = None
    if kind == "patch":
        strength = draw(_rate_text(covered, 1.0))
        patches = draw(_ints(1, 15))
        quantity = Decimal(patches)
        if target.wear_days and draw(_ints(0, 3)):  # worn continuously (else a recorded days supply)
            days = Decimal(patches * target.wear_days)
    elif kind == "unit":
        per_day = Decimal(draw(_pick(_UNITS_PER_DAY)))
        strength = draw(_dose_text(covered, float(per_day), 1.0))
        quantity = max(per_day * days, Decimal(1))
    else:
        ml_per_day = Decimal(draw(_pick(_ML_PER_DAY)))
        conc_pool = _CONC_MCG if target.unit == "mcg" else _CONC_MG
        concs = [c for c in map(Decimal, conc_pool) if _fits(c * ml_per_day, target)] or [Decimal(conc_pool[0])]
        conc = draw(_pick(concs))
        strength = draw(_pick(_conc_texts(conc, target)))
        quantity = ml_per_day * days
        if draw(_BOOLEANS):  # bottles of package_ml mL: keep the daily amount within bounds
            package = Decimal(draw(_pick(_PACKAGE_ML)))
            bottles = Decimal(draw(_ints(1, 3)))
            fitting = [d for d in map(Decimal, _DAYS) if _fits(conc * package * bottles / d, target)]
            if fitting:
                days = draw(_pick(fitting))
                quantity, package_ml = bottles, float(package)
    return DispensingArgs(
        drug=name,
        strength=strength,
        quantity=_plain(quantity),
        days_supply=_plain(days),
        package_ml=package_ml,
        table=covered.ref,
        kind=kind,
        excluded=target.excluded,
        **kwargs,
    )


def _plain(value: Decimal) -> float:
    """An int when whole (120 tablets), else a float (7.5 mL)."""
    return int(value) if value == value.to_integral_value() else float(value)


def dispensings(
    table: TableArg = None,
    *,
    drug: str | None = None,
    include_excluded: bool = True,
    kinds: Collection[DispensingKind] | None = None,
) -> st.SearchStrategy[DispensingArgs]:
    """Keyword arguments for `mme.dispensing_mme` that ``table`` accepts: ``mme.dispensing_mme(**d)``.

    Strength per unit x quantity over a days supply (quantity = units a day x days); patches
    (mostly worn continuously: days supply = patches x wear days, sometimes another recorded days
    supply, which the engine replaces); liquids in mL, or in bottles of ``package_ml`` mL.
    ``kinds`` keeps some of "unit", "patch", "liquid".
    """
    families = None if kinds is None else frozenset(kinds)

    def keep(c: _Covered) -> bool:
        return bool([k for k in _dispensing_families(c.target) if families is None or k in families])

    choices = _choices(table, drug=drug, include_excluded=include_excluded, keep=keep, what="dispensings")
    return _dispensing(choices, families)


def _record(args: DispensingArgs, patient_id: str, fill_date: date) -> Dispensing:
    return Dispensing(
        patient_id=patient_id, drug=args.drug, strength=args.strength, quantity=args.quantity,
        days_supply=int(args.days_supply), fill_date=fill_date, form=args.form, route=args.route,
        release=args.release, package_ml=args.package_ml, variant=args.variant, ndc=None,
    )  # fmt: skip


def _record_choices(table: TableArg, drug: str | None, include_excluded: bool) -> _Pool[_Covered]:
    def keep(c: _Covered) -> bool:
        return bool(_dispensing_families(c.target))

    return _choices(_default(table), drug=drug, include_excluded=include_excluded, keep=keep, what="records")


_PATIENT_IDS = ("P001", "P002", "patient-42", "0000123456", "A-17")
_FIRST_FILL = date(2024, 1, 1)


def dispensing_records(
    table: TableArg = None,
    *,
    drug: str | None = None,
    patient_id: str | None = None,
    include_excluded: bool = True,
) -> st.SearchStrategy[Dispensing]:
    """One `mme.Dispensing` with a fill date, valid for ``table`` (None: `mme.DEFAULT_TABLE`).

    patient_id, drug (as typed), strength ("10 mg", "25 mcg/h", "10 mg/5 mL"), quantity, a whole
    days_supply, fill_date, and route/form/release/variant where the table needs them (ndc None).
    Records name no table: ``table=None`` means `mme.DEFAULT_TABLE`, the one `mme` uses unasked.
    """
    choices = _record_choices(table, drug, include_excluded)
    ids = st.just(patient_id) if patient_id is not None else st.sampled_from(_PATIENT_IDS)
    dates = st.integers(min_value=0, max_value=730).map(lambda d: _FIRST_FILL + timedelta(days=d))
    return st.builds(_record, _dispensing(choices, None), ids, dates)


_GAPS = (0, -1, -3, -7, 1, 3, 7, 14, 30, 90)
"""Days between the end of one fill's supply and the next fill: on time, early (overlap), late (gap)."""


@cache
@st.composite
def _history(
    draw: st.DrawFn, choices: _Pool[_Covered], patient_id: str | None, min_size: int, max_size: int
) -> list[Dispensing]:
    pid = patient_id if patient_id is not None else draw(_pick(_PATIENT_IDS))
    fill = _FIRST_FILL + timedelta(days=draw(_ints(0, 365)))
    # (a refill of the previous dispensing?, the dispensing, days to the next fill): st.lists shrinks well
    steps = draw(
        st.lists(
            st.tuples(_BOOLEANS, _dispensing(choices, None), _pick(_GAPS)),
            min_size=min_size,
            max_size=max_size,
        )
    )
    records: list[Dispensing] = []
    previous: DispensingArgs | None = None
    for refill, drawn, gap in steps:
        args = previous if refill and previous is not None else drawn
        records.append(_record(args, pid, fill))
        fill += timedelta(days=max(0, math.ceil(float(args.days_supply)) + gap))
        previous = args
    return records


def histories(
    table: TableArg = None,
    *,
    drug: str | None = None,
    patient_id: str | None = None,
    min_size: int = 1,
    max_size: int = 6,
    include_excluded: bool = True,
) -> st.SearchStrategy[list[Dispensing]]:
    """One patient's dispensing records in fill-date order, with overlaps (early refills) and gaps.

    Each record is what `dispensing_records` draws, all for the same patient and valid for
    ``table`` (None: `mme.DEFAULT_TABLE`). Shrinks to a single record.
    """
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size} and {max_size}")
    return _history(_record_choices(table, drug, include_excluded), patient_id, min_size, max_size)


# -- strategies: expressions ----------------------------------------------------------------------------------


@cache
@st.composite
def _expression(draw: st.DrawFn, choices: tuple[_Covered, ...]) -> str:
    covered = draw(_pick(choices))
    target = covered.target
    family: _Family = draw(_pick(_families(target)))
    drop = draw(_pick(_drop_options(covered, family, drop=_VARIANT)))
    keep = _keep_args(covered, drop)
    names = [n for n in _names_for(target, family) if _typed_drug_name(n)] or [target.drug]
    name = draw(_typed(draw(_pick(names)), spaces=False))
    parts = [name]
    release = keep["release"]
    if release is not None:
        parts.append(draw(_pick(_RELEASE_WORDS[release])))
    form = keep["form"]
    implied_form = form or resolve_drug(name).form
    if family == "patch":
        count = draw(_pick((1, 2)))
        parts.append(_expr_rate(draw, covered, count))
        parts.append(f"{count} patches" if count > 1 else draw(_pick(("patch", "1 patch"))))
        form = None  # said by the count word
        if target.wear_days and draw(_BOOLEANS):
            parts.append(draw(_pick((f"q{24 * target.wear_days}h", f"every {target.wear_days} days"))))
    elif family == "daily":
        parts.append(draw(_daily_text(covered)))
    else:
        text, times = draw(_pick(_TEXT_FREQUENCIES))
        if family == "liquid":
            conc, volume = draw(_liquid_texts(covered, times))
            parts += [conc, volume]
        else:
            count = 1
            count_words = _COUNT_WORDS.get(implied_form or "")
            if count_words and draw(_BOOLEANS):
                count = draw(_pick((1, 2)))
            dose = draw(_dose_text(covered, times, count)).split("/")[0]
            partner = _combination(name)
            if partner is not None and re.fullmatch(r"[\d.]+ mg", dose) and draw(_BOOLEANS):  # "5/325 mg"
                opioid_first, other = partner
                amounts = (dose.removesuffix(" mg"), draw(_pick(_NON_OPIOID_MG[other])))
                dose = "/".join(amounts if opioid_first else amounts[::-1]) + " mg"
            parts.append(dose)
            if count_words and (count > 1 or draw(_BOOLEANS)):
                word = draw(_pick(count_words))
                parts.append(f"{count} {_PLURAL[word] if count > 1 else word}")
                form = None  # said by the count word
        parts.append(text)
    route = keep["route"]
    if form is not None:
        words = [w for w in _form_words(form) if form_route(w) in (None, target.route)] or [form]
        parts.append(draw(_pick(words)))
    if route is not None and not (form is not None and form_route(parts[-1]) == route):
        parts.append(draw(_pick(_route_words(route))))
    return " ".join(parts)


_COMPONENT_SPLIT = re.compile(r"\s*(?:/|\+|&|\bwith\b|\band\b|\bw/)\s*", re.IGNORECASE)
_NON_OPIOID_MG = {
    "acetaminophen": ("325", "300", "500"),
    "paracetamol": ("500", "325"),
    "apap": ("325", "300"),
    "ibuprofen": ("200", "400"),
    "aspirin": ("325",),
    "naloxone": ("0.5", "1", "2", "5"),
}


def _combination(name: str) -> tuple[bool, str] | None:
    """(opioid first?, the other component) of a two-part combination whose usual amounts are known."""
    parts = [p.strip().lower() for p in _COMPONENT_SPLIT.split(name)]
    if len(parts) != 2:
        return None
    for first, other in ((True, parts[1]), (False, parts[0])):
        opioid = parts[0] if first else parts[1]
        if other in _NON_OPIOID_MG and non_opioid(other):
            try:
                resolve_drug(opioid)
            except MMEError:
                continue
            return first, other
    return None


def _expr_rate(draw: st.DrawFn, covered: _Covered, count: int) -> str:
    text = draw(_rate_text(covered, float(count)))
    if text.endswith(" mg/h"):  # the grammar reads rates in mcg/h only
        return f"{_num(Decimal(text.split()[0]) * 1000)} mcg/h"
    return text


@cache
def _route_words(route: str) -> tuple[str, ...]:
    return (route, *(w for w in _ROUTE_WORDS if _resolves_route(w, route)))


def _resolves_route(word: str, route: str) -> bool:
    try:
        return resolve_route(word) == route
    except MMEError:
        return False


@cache
def _form_words(form: str) -> tuple[str, ...]:
    candidates = (form, *(f"{w}" for w in ("tab", "tabs", "caps", "liquid", "nasal spray", "buccal film", "troche")))
    found = []
    for word in candidates:
        try:
            if resolve_form(word) == form:
                found.append(word)
        except MMEError:
            continue
    return tuple(found)


def expressions(
    table: TableArg = None, *, drug: str | None = None, include_excluded: bool = True
) -> st.SearchStrategy[str]:
    """Dose expressions in the `mme convert` grammar that ``table`` reads: ``mme.convert(text, table=table)``.

    ``DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM]``: "oxycodone 10 mg q6h",
    "OxyContin 20 mg bid", "fentanyl 25 mcg/h 1 patch", "morphine 10 mg/5 mL 5 mL q4h",
    "oxycodone 40 mg/day", "fentanyl 100 mcg tid buccal". An expression names no table nor variant:
    ``table=None`` means `mme.DEFAULT_TABLE`, and rows that need a variant are left out.
    """

    def usable(c: _Covered) -> bool:
        return _can_drop(c, _VARIANT, _families(c.target))

    choices = _choices(_default(table), drug=drug, include_excluded=include_excluded, keep=usable, what="expressions")
    return _expression(choices)


# -- strategies: what must fail ---------------------------------------------------------------------------------


def _uncovered_choices(table: Table) -> list[_Covered]:
    """Targets of other shipped tables whose drug/route ``table`` neither covers nor excludes."""

    def known(drug: str, route: str | None) -> bool:
        if any(route in r.routes for r in table.rows_for(drug)):
            return True
        return any(ex.drug == drug and (not ex.routes or route in ex.routes) for ex in table.excluded)

    found: list[_Covered] = []
    for other in list_tables():
        if other.slug == table.slug:
            continue
        for covered in _covered(other, other.slug, False):
            t = covered.target
            if t.route is not None and not known(t.drug, t.route):
                found.append(covered)
    return found


@cache
@st.composite
def _uncovered(draw: st.DrawFn, pairs: tuple[tuple[str | Path | Table, tuple[_Covered, ...]], ...]) -> RegimenArgs:
    ref, choices = draw(_pick(pairs))
    regimen = draw(_regimen(choices, None, frozenset({"route"})))  # the pair is drug/route: say the route
    return replace(regimen, table=ref, excluded=False)


def uncovered(table: TableArg = None) -> st.SearchStrategy[RegimenArgs]:
    """Regimens for a drug/route another shipped table covers but ``table`` does not: `mme.NotCoveredError`.

    E.g. tramadol under ``cdc-2016``, buccal fentanyl under ``cdc-2022``. The route is always
    given. ``table=None``: any shipped table that lacks something another covers.
    """
    pairs = []
    for tab, ref in _resolve(table):
        found = _uncovered_choices(tab)
        if found:
            pairs.append((ref, _Pool(found, f"uncovered by {tab.slug}")))
    if not pairs:
        where = "any shipped table" if table is None else _table_label(table)
        raise InvalidArgument(f"{where} covers every drug/route that another shipped table covers")
    return _uncovered(_Pool(pairs, "tables with something uncovered"))


# -- strategies: results -------------------------------------------------------------------------------------


def results(table: TableArg = None, *, include_excluded: bool = True) -> st.SearchStrategy[DailyMME]:
    """Real `mme.DailyMME` results: the engine run on `regimens` and `dispensings` of ``table``."""
    return st.one_of(
        regimens(table, include_excluded=include_excluded).map(lambda r: daily_mme(**r)),
        dispensings(table, include_excluded=include_excluded).map(lambda d: dispensing_mme(**d)),
    )


def totals(table: TableArg = None, *, max_items: int = 4, include_excluded: bool = True) -> st.SearchStrategy[Total]:
    """Real `mme.Total` results: `mme.total` of 1 to ``max_items`` results computed under one table."""
    if max_items < 1:
        raise InvalidArgument(f"max_items must be at least 1, not {max_items}")
    return st.one_of(
        [
            st.lists(results(ref, include_excluded=include_excluded), min_size=1, max_size=max_items).map(total)
            for _, ref in _resolve(table)
        ]
    )


# -- assertions ----------------------------------------------------------------------------------------------

Result: TypeAlias = DailyMME | Total


def _value(x: Result | float | None) -> float | None:
    if isinstance(x, DailyMME | Total):
        return x.mme_per_day
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"expected a DailyMME, a Total, a number or None, not {type(x).__name__}")
    return float(x)


def _describe(x: Result | float | None) -> str:
    """One side of a failed comparison: the value, then what it was computed from."""
    if isinstance(x, DailyMME):
        what = " ".join(p for p in (x.drug, x.release, x.route, x.form) if p)
        if x.mme_per_day is None:
            value, factor = "no MME" + (f" (excluded: {x.excluded})" if x.excluded else ""), "no factor"
        else:
            details = [x.factor_basis]
            if x.tier is not None:
                details.append(f"tier '{x.tier.printed or x.tier}'")
            if x.variant:
                details.append(f"variant {x.variant}")
            value, factor = f"{x.mme_per_day!r} MME/day", f"factor {x.factor} ({', '.join(details)})"
        return (
            f"{value}\n    drug {what}; {x.daily_dose!r} {x.daily_dose_unit}; {factor}\n"
            f"    table {x.table} ({x.table_version})"
        )
    if isinstance(x, Total):
        value = "no MME" if x.mme_per_day is None else f"{x.mme_per_day!r} MME/day"
        drugs = ", ".join(i.drug for i in x.items)
        return f"{value} (total of {len(x.items)}: {drugs})\n    table {x.table} ({x.table_version})"
    return "no MME (None)" if x is None else f"{x!r} MME/day"


def _table_of(x: Result | float | None) -> str | None:
    return x.table if isinstance(x, DailyMME | Total) else None


def _tables_differ(a: Result | float | None, b: Result | float | None) -> bool:
    """Both are results, from different tables (or versions)."""
    if isinstance(a, DailyMME | Total) and isinstance(b, DailyMME | Total):
        return (a.table, a.table_version) != (b.table, b.table_version)
    return False


def assert_same_table(a: Result, b: Result) -> None:
    """Fail (AssertionError) unless both results were computed with the same table slug and version."""
    for x in (a, b):
        if not isinstance(x, DailyMME | Total):
            raise TypeError(f"assert_same_table compares DailyMME or Total results, not {type(x).__name__}")
    if (a.table, a.table_version) != (b.table, b.table_version):
        raise AssertionError(
            "results come from different tables:\n"
            f"  left:  {a.table} ({a.table_version})\n"
            f"  right: {b.table} ({b.table_version})"
        )


def assert_mme_equal(
    a: Result | float | None, b: Result | float | None, *, rel: float = 1e-9, abs: float = 1e-9
) -> None:
    """Fail (AssertionError) unless ``a`` and ``b`` are the same MME/day within ``rel``/``abs``.

    Each side is a `mme.DailyMME`, a `mme.Total`, a number or None (no MME). When both are
    results, they must also come from the same table slug and version. None equals only None.
    The message shows both values, drug, factor and table.
    """
    va, vb = _value(a), _value(b)
    if _tables_differ(a, b):
        raise AssertionError(
            f"results come from different tables ({_table_of(a)} and {_table_of(b)}):\n"
            f"  left:  {_describe(a)}\n  right: {_describe(b)}"
        )
    if va is None and vb is None:
        return
    if va is None or vb is None:
        which = "left" if va is None else "right"
        raise AssertionError(
            f"one side has no MME ({which} is None), the other a number:\n"
            f"  left:  {_describe(a)}\n  right: {_describe(b)}"
        )
    if math.isclose(va, vb, rel_tol=rel, abs_tol=abs) or (math.isinf(va) and va == vb):
        return
    diff = vb - va
    relative = diff / max(builtins.abs(va), builtins.abs(vb)) if (va or vb) else 0.0
    raise AssertionError(
        f"MME/day differ by {diff:+.6g} ({relative:+.3g} relative; tolerance rel={rel:g}, abs={abs:g}):\n"
        f"  left:  {_describe(a)}\n  right: {_describe(b)}"
    )


# -- from_type ---------------------------------------------------------------------------------------------


def _register() -> None:
    """``st.from_type`` support; resolved lazily, so importing this module reads no table."""
    st.register_type_strategy(DailyMME, lambda _: results())
    st.register_type_strategy(Total, lambda _: totals())
    st.register_type_strategy(Dispensing, lambda _: dispensing_records())


_register()

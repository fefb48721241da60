"""What a table covers, probed once per table: the targets strategies draw from and what each may leave unsaid.

A target is one (drug, route, form, release, variant) a table gives a factor for, or excludes,
with the names that reach it. Which arguments may be omitted is asked of the engine itself
(`_drops`), so the strategies follow the engine instead of restating its matching rules.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mme._engine import DailyMME, daily_mme
from mme._errors import MMEError
from mme._tables import DEFAULT_TABLE, Exclusion, FactorRow, Table, list_tables, resolve_table
from mme._vocab import (
    FORM_ROUTES,
    PATCH_WEAR_DAYS,
    DrugName,
    combination,
    is_form_word,
    is_release_word,
    is_route_word,
    known_names,
    resolve_drug,
)

_T = TypeVar("_T")


TableArg: TypeAlias = str | Path | Table | None


_Unit = Literal["mg", "mcg", "mcg/h"]


RegimenKind: TypeAlias = Literal["dose", "daily", "patch", "liquid"]
"""A regimen's dose: per administration ("10 mg" bid), a daily total ("40 mg/day"), a patch rate, a liquid."""


_LIQUID_FORMS = frozenset({"solution", "suspension", "syrup", "injection"})


_LIQUID_ROUTES = frozenset({"oral", "intravenous", "subcutaneous", "intramuscular"})


_COMBINATIONS = {
    "hydrocodone": ("hydrocodone/acetaminophen", "hydrocodone/ibuprofen", "Hydrocodone Bitartrate/APAP"),
    "oxycodone": ("oxycodone/acetaminophen", "oxycodone/aspirin", "oxycodone/naloxone", "oxycodone + paracetamol"),
    "codeine": ("codeine/acetaminophen", "acetaminophen with codeine", "codeine/paracetamol"),
    "tramadol": ("tramadol/acetaminophen", "tramadol/paracetamol"),
    "dihydrocodeine": ("dihydrocodeine/paracetamol",),
    "buprenorphine": ("buprenorphine/naloxone",),
    "pentazocine": ("pentazocine/naloxone",),
}


_BOOLEANS = st.booleans()


def _pick(options: Sequence[_T]) -> st.SearchStrategy[_T]:
    """``st.sampled_from(options)``, built once per distinct options: strategies are drawn from in hot loops."""
    return _sampled(tuple((type(o), o) for o in options))  # typed keys: 1 and 1.0 and True stay apart


@cache
def _sampled(typed: tuple[tuple[type, Any], ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(tuple(o for _, o in typed))


@cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=low, max_value=high)


def _table_label(table: str | Path | Table) -> str:
    return table.slug if isinstance(table, Table) else str(table)


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
    if dn.form in FORM_ROUTES and target.route not in FORM_ROUTES[dn.form]:  # an injection is never oral
        return False
    if dn.form is not None and target.form is None and target.unit == "mcg/h":
        return False
    return dn.release is None or target.release is None or dn.release == target.release


def _typed_drug_name(name: str) -> bool:
    """Names an expression can start with, with any amount: no digits, no route/form/release word at either
    end, no combination brand (whose one amount must be a strength it comes in)."""
    words = name.split()
    if not words or re.search(r"[\d#]", name) or combination(name) is not None:
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


def _families(target: _Target) -> tuple[RegimenKind, ...]:
    if target.unit == "mcg/h":
        return ("patch",)
    return ("dose", "daily", "liquid") if target.liquid else ("dose", "daily")


def _probe_kwargs(target: _Target, family: RegimenKind) -> dict[str, Any]:
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


def _drops(table: Table, target: _Target, family: RegimenKind) -> tuple[frozenset[str], ...]:
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


def kinds_kept(kinds: Collection[str] | None, every: tuple[str, ...], what: str) -> frozenset[str] | None:
    """The ``kinds=`` of a strategy as a set (None: all); InvalidArgument for a kind not in ``every``, and for one
    text ("patch" as kinds is the letters p, a, t...), rather than "nothing to generate"."""
    if kinds is None:
        return None
    if isinstance(kinds, str):
        raise InvalidArgument(f"kinds must be a list of kinds, e.g. [{kinds!r}], not the text {kinds!r}")
    unknown = sorted(map(repr, set(kinds) - set(every)))
    if unknown:
        raise InvalidArgument(f"unknown {what} kind {', '.join(unknown)}: use some of {', '.join(map(repr, every))}")
    return frozenset(kinds)


def _choices(
    table: TableArg,
    *,
    drug: str | None = None,
    include_excluded: bool = True,
    families: Collection[RegimenKind] | None = None,
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

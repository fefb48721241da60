"""The public strategies built on the covered targets and the amounts: names, regimens, dispensings,
records, histories, expressions, inputs that must fail, and real results (registered for ``st.from_type``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast, get_args

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mme._engine import DailyMME, Total, daily_mme, dispensing_mme, total
from mme._errors import MMEError
from mme._history import Dispensing
from mme._tables import Table, list_tables
from mme._vocab import (
    COMPONENT_SEPARATOR,
    FREQUENCY_WORDS,
    PER_DAY_CODES,
    form_route,
    non_opioid,
    resolve_drug,
    resolve_form,
    resolve_route,
)

from ._amounts import (
    _CONC_MCG,
    _CONC_MG,
    _DAYS,
    _ML_PER_DAY,
    _PACKAGE_ML,
    _UNITS_PER_DAY,
    _conc_texts,
    _daily_text,
    _dose_text,
    _fits,
    _liquid_texts,
    _num,
    _rate_text,
)
from ._args import DispensingArgs, DispensingKind, RegimenArgs
from ._coverage import (
    _BOOLEANS,
    _LIQUID_FORMS,
    RegimenKind,
    TableArg,
    _all_names,
    _choices,
    _Covered,
    _covered,
    _default,
    _families,
    _ints,
    _pick,
    _Pool,
    _resolve,
    _table_label,
    _Target,
    _typed_drug_name,
    kinds_kept,
)

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


# Frequencies: (per_day, every, administrations a day), simplest first.
_Frequency = tuple[float | str | None, float | str | timedelta | None, float]


_FREQUENCIES: tuple[_Frequency, ...] = (
    *((n, None, float(n)) for n in (1, 2, 3, 4, 6)),
    *((code, None, float(n)) for code, n in PER_DAY_CODES.items()),  # every code of the lexicon
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


_COUNT_DAYS = ("a day", "per day")  # "2 tabs a day": the count is the day's, not each administration's
# Expression frequencies: (text, administrations a day): the lexicon's frequency words, and frequencies in numbers.
_TEXT_FREQUENCIES: tuple[tuple[str, float], ...] = (
    *((code, fixed.per_day) for code, fixed in FREQUENCY_WORDS.items() if fixed.per_day and code not in _COUNT_DAYS),
    ("qhs", 1.0),
    ("b.i.d.", 2.0),
    ("BID", 2.0),
    ("tds", 3.0),
    ("twice a day", 2.0),
    ("3 times a day", 3.0),
    ("once daily", 1.0),
    *((text, 24 / h) for h in (24, 12, 8, 6, 4) for text in (f"q{h}h", f"q {h} h", f"every {h} hours", f"q{h}hr")),
)


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


def _frequency() -> st.SearchStrategy[_Frequency]:
    return _pick(_FREQUENCIES)


def _names_for(target: _Target, family: RegimenKind) -> tuple[str, ...]:
    """A liquid is not dosed under a brand that implies a tablet or a capsule."""
    if family != "liquid":
        return target.names
    return tuple(n for n in target.names if resolve_drug(n).form in (None, *_LIQUID_FORMS)) or (target.drug,)


def _keep_args(covered: _Covered, drop: frozenset[str]) -> dict[str, str | None]:
    t = covered.target
    return {k: (None if k in drop else getattr(t, k)) for k in ("route", "form", "release", "variant")}


def _drop_options(
    covered: _Covered, family: RegimenKind, keep: frozenset[str] = frozenset(), drop: frozenset[str] = frozenset()
) -> list[frozenset[str]]:
    """The probed ways to leave arguments out, less those that leave out ``keep`` or keep ``drop``."""
    must = {k for k in drop if getattr(covered.target, k) is not None}
    return [d for d in covered.drops[family] if not d & keep and must <= d]


def _can_drop(covered: _Covered, drop: frozenset[str], families: Collection[RegimenKind]) -> bool:
    return all(_drop_options(covered, f, drop=drop) for f in families)


@cache
@st.composite
def _regimen(
    draw: st.DrawFn,
    choices: tuple[_Covered, ...],
    families: Collection[RegimenKind] | None,
    keep: frozenset[str] = frozenset(),
) -> RegimenArgs:
    covered = draw(_pick(choices))
    target = covered.target
    family: RegimenKind = draw(_pick([f for f in _families(target) if families is None or f in families]))
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
    families = cast("frozenset[RegimenKind] | None", kinds_kept(kinds, get_args(RegimenKind), "regimen"))
    choices = _choices(table, drug=drug, include_excluded=include_excluded, families=families, what="regimens")
    return _regimen(choices, families)


_FAMILY_OF: dict[DispensingKind, RegimenKind] = {"unit": "dose", "patch": "patch", "liquid": "liquid"}


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
        implied = resolve_drug(name)  # a brand may say the form ("Lazanda": a nasal spray)
        form = kwargs.get("form") or implied.form or target.form
        route = kwargs.get("route") or implied.route or target.route
        sprays = form == "spray" and route != "sublingual"  # whole sprays, one a day at least (`SPRAYS`)
        per_day = Decimal(draw(_pick([n for n in _UNITS_PER_DAY if not sprays or float(n) >= 1])))
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
    families = cast("frozenset[DispensingKind] | None", kinds_kept(kinds, get_args(DispensingKind), "dispensing"))

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


@cache
@st.composite
def _expression(draw: st.DrawFn, choices: tuple[_Covered, ...]) -> str:
    covered = draw(_pick(choices))
    target = covered.target
    family: RegimenKind = draw(_pick(_families(target)))
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
    parts = [p.strip().lower() for p in COMPONENT_SEPARATOR.split(name)]
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
            st.lists(results(ref, include_excluded=include_excluded), min_size=1, max_size=max_items)
            .map(_one_variant_each)
            .map(total)
            for _, ref in _resolve(table)
        ]
    )


def _one_variant_each(items: list[DailyMME]) -> list[DailyMME]:
    """Results `mme.total` adds: each drug under one variant (cms-2018's methadone 'flat' and 'tiers' are refused)."""
    first: dict[str, str | None] = {}
    return [i for i in items if first.setdefault(i.drug, i.variant) == i.variant]


def _register() -> None:
    """``st.from_type`` support; resolved lazily, so importing this module reads no table."""
    st.register_type_strategy(DailyMME, lambda _: results())
    st.register_type_strategy(Total, lambda _: totals())
    st.register_type_strategy(Dispensing, lambda _: dispensing_records())


_register()

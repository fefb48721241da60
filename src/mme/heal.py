"""The NIH HEAL MME Online Calculator (Adams et al., PAIN 2025), reproduced locally and exactly.

The calculator takes, per medication, one of its 29 names, a dose in that name's unit,
doses per 24 hours and days of medication; and per patient, on-therapy days and an
observation window, both supplied by the user (it reads no dates)::

    single_day_mme = dose x doses_per_24_hours x factor;  mme = single_day_mme x days_of_medication
    mme1 = total_mme / total_days        (total_days = sum of days_of_medication)
    mme2 = total_mme / therapy_days
    mme3 = total_mme / observation_window_days
    mme4 = sum of single_day_mme         (every medication, whatever its dates)

Every metric is given with and without buprenorphine; 0/0 is None and 0/x is 0, as the
API answers: a buprenorphine-only list has 0 MME without buprenorphine (``no_mme`` says why),
where `mme.summarize` has None. Factors come from the ``heal-2025`` table; this module only says which row
each HEAL name uses. For MME computed from dated fills, use `mme.summarize` instead.

    >>> from mme import heal
    >>> r = heal.calculate([heal.Medication(medication_name="Hydrocodone (mg)", dose=10,
    ...     doses_per_24_hours=4, days_of_medication=7)], therapy_days=7, observation_window_days=14)
    >>> r.with_buprenorphine.mme2
    40.0
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from ._engine import _SHOWN_DECIMALS, IMPLAUSIBLE, IMPLAUSIBLE_MME_PER_DAY, _match, shown
from ._errors import (
    ArgumentTypeError,
    DoseError,
    ExpressionError,
    ImplausibleDoseWarning,
    MMEError,
    MMEWarning,
    TableError,
    UnknownDrugError,
    excerpt,
)
from ._parse import unsold_patch
from ._tables import FactorRow, get_table
from ._units import not_positive, number_argument, positive

__all__ = [
    "MEDICATIONS",
    "TABLE",
    "HealDefinitions",
    "HealMedication",
    "HealResult",
    "Medication",
    "MedicationMME",
    "calculate",
]

#: The table whose factors the calculator uses.
TABLE = "heal-2025"

# HEAL name -> (drug, route, form, release): which heal-2025 row each name uses. No factor here.
_NAMES: dict[str, tuple[str, str, str | None, Literal["ER"] | None]] = {
    "Buprenorphine buccal film (mcg) buccal": ("buprenorphine", "buccal", "film", None),
    "Buprenorphine patch (mcg/hr) transdermal": ("buprenorphine", "transdermal", "patch", None),
    "Buprenorphine tablet/film (mg) sublingual": ("buprenorphine", "sublingual", None, None),
    "butorphanol (mg)": ("butorphanol", "nasal", "spray", None),
    "Codeine (mg)": ("codeine", "oral", None, None),
    "Dihydrocodeine (mg)": ("dihydrocodeine", "oral", None, None),
    "Fentanyl buccal (mcg)": ("fentanyl", "buccal", None, None),
    "Fentanyl nasal (mcg)": ("fentanyl", "nasal", None, None),
    "Fentanyl oral (mcg)": ("fentanyl", "oral", None, None),
    "Fentanyl patch (mcg/hr)": ("fentanyl", "transdermal", "patch", None),
    "Hydrocodone (mg)": ("hydrocodone", "oral", None, None),
    "Hydrocodone LA (mg)": ("hydrocodone", "oral", None, "ER"),
    "Hydromorphone (mg)": ("hydromorphone", "oral", None, None),
    "Hydromorphone (mg) LA": ("hydromorphone", "oral", None, "ER"),
    "Levorphanol tartrate (mg)": ("levorphanol", "oral", None, None),
    "Meperidine HCL (mg)": ("meperidine", "oral", None, None),
    "Methadone (mg)": ("methadone", "oral", None, None),
    "Morphine (mg)": ("morphine", "oral", None, None),
    "Morphine (mg) LA": ("morphine", "oral", None, "ER"),
    "Opium (mg)": ("opium", "oral", None, None),
    "Oxycodone (mg)": ("oxycodone", "oral", None, None),
    "Oxycodone (mg) LA": ("oxycodone", "oral", None, "ER"),
    "Oxymorphone (mg)": ("oxymorphone", "oral", None, None),
    "Oxymorphone (mg) LA": ("oxymorphone", "oral", None, "ER"),
    "Pentazocine (mg)": ("pentazocine", "oral", None, None),
    "tapentadol (mg)": ("tapentadol", "oral", None, None),
    "tapentadol (mg) LA": ("tapentadol", "oral", None, "ER"),
    "tramadol (mg)": ("tramadol", "oral", None, None),
    "tramadol (mg) LA": ("tramadol", "oral", None, "ER"),
}
_UNIT_IN_NAME = {"mg": "(mg)", "mcg": "(mcg)", "mcg/h": "(mcg/hr)"}


class HealMedication(BaseModel):
    """One of the calculator's medication names and the heal-2025 row that gives its factor."""

    model_config = ConfigDict(frozen=True)

    name: str
    drug: str
    route: str
    form: str | None
    release: Literal["ER"] | None
    """"ER" for the LA names (same factor as the plain name); None when HEAL does not say."""
    row: FactorRow

    @property
    def factor(self) -> Decimal:
        assert self.row.factor is not None  # checked when the list is built
        return self.row.factor

    @property
    def dose_unit(self) -> Literal["mg", "mcg", "mcg/h"]:
        return self.row.unit

    @property
    def is_buprenorphine(self) -> bool:
        return self.drug == "buprenorphine"


@cache
def _catalogue() -> Mapping[str, HealMedication]:
    table = get_table(TABLE)
    out: dict[str, HealMedication] = {}
    for name, (drug, route, form, release) in _NAMES.items():
        kind = "rate" if "(mcg/hr)" in name else "mass"
        row = _match(table, drug, route, form, release, None, kind)
        if not isinstance(row, FactorRow) or row.factor is None or _UNIT_IN_NAME[row.unit] not in name:
            raise TableError(f"conversion_tables/{TABLE}.toml", f"no single factor in {_UNIT_IN_NAME} for {name!r}")
        out[name] = HealMedication(name=name, drug=drug, route=route, form=form, release=release, row=row)
    return MappingProxyType(out)


@cache
def _folded() -> dict[str, str]:
    """Each name with case and spacing folded -> the name."""
    return {" ".join(name.lower().split()): name for name in _catalogue()}


class _Medications(Mapping[str, HealMedication]):
    """The catalogue, built from the table on first use: importing this module reads no table."""

    def __getitem__(self, name: str) -> HealMedication:
        return _catalogue()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_catalogue())

    def __len__(self) -> int:
        return len(_catalogue())

    def __repr__(self) -> str:
        return f"<the {len(_NAMES)} medication names of the HEAL calculator>"


#: The calculator's 29 medication names, each with the heal-2025 row (and factor) it uses.
MEDICATIONS: Mapping[str, HealMedication] = _Medications()


def _known_name(text: str) -> str:
    """The calculator's exact name; case and spacing are forgiven, anything else gets suggestions."""
    if text in MEDICATIONS:
        return text
    folded = " ".join(text.lower().split())
    names = _folded()
    if folded in names:
        return names[folded]
    first = folded.split(" ")[0] if folded else ""
    close = difflib.get_close_matches(folded, names, n=6, cutoff=0.6)
    same_drug = [key for key in names if first and key.split(" ")[0] == first]
    raise UnknownDrugError(
        text, [names[k] for k in dict.fromkeys(close + same_drug)] or list(MEDICATIONS),
        listed="`mme.heal.MEDICATIONS` lists the calculator's names (its own, not a table's rows)",
    )  # fmt: skip


def _typed(exc: ValidationError) -> MMEError:
    """pydantic's error as the one `mme` raises for the same input: a missing or unknown key or a wrong type is an
    `ArgumentTypeError`, an amount that is not a positive finite number a `DoseError` (as `mme.daily_mme`), text
    that is not JSON an `ExpressionError` (as `mme.fhir`)."""
    errors = exc.errors()
    for e in errors:
        if isinstance(err := e.get("ctx", {}).get("error"), MMEError):
            return err
    if bad_json := [e["msg"] for e in errors if e["type"] == "json_invalid"]:  # as `mme.fhir` refuses such text
        return ExpressionError(f"a medication's text is not valid JSON: {bad_json[0].removeprefix('Invalid JSON: ')}")
    keys = [str(e["loc"][0]) if e["loc"] else "" for e in errors]
    if all(e["type"] in {"greater_than", "finite_number"} for e in errors):
        return DoseError("; ".join(not_positive(k) for k in dict.fromkeys(keys)))
    extra = [k for k, e in zip(keys, errors, strict=True) if e["type"] == "extra_forbidden"]
    missing = [k for k, e in zip(keys, errors, strict=True) if e["type"] == "missing"]
    told = [f"unknown key(s) {', '.join(map(repr, extra))}"] if extra else []
    told += [f"missing {', '.join(missing)}"] if missing else []
    told += [
        f"{k}: {e['msg']}" if k else e["msg"] for k, e in zip(keys, errors, strict=True) if k not in extra + missing
    ]
    return ArgumentTypeError(f"a medication has {', '.join(Medication.model_fields)}: {'; '.join(told)}")


class _Typed:
    """Within it, pydantic's ValidationError is raised as the `MMEError` `_typed` makes of it."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if isinstance(exc, ValidationError):
            raise _typed(exc) from None


class Medication(BaseModel):
    """One medication as the calculator takes it; ``dose`` is in the unit its name states.

    Input it cannot take is an `MMEError` like the core's, not pydantic's ValidationError, by every way of building
    one (the class, ``model_validate``, ``model_validate_json``, ``model_validate_strings``): a dose of 0 or NaN is
    a `DoseError`; a missing or unknown key, or a wrong type (text where a number is due), an `ArgumentTypeError`;
    text that is not JSON an `ExpressionError`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, /, **data: Any) -> None:
        with _Typed():
            super().__init__(**data)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """`pydantic.BaseModel.model_validate`, with the errors `Medication` raises."""
        with _Typed():
            return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any) -> Self:
        """`pydantic.BaseModel.model_validate_json`, with the errors `Medication` raises."""
        with _Typed():
            return super().model_validate_json(json_data, *args, **kwargs)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """`pydantic.BaseModel.model_validate_strings`, with the errors `Medication` raises."""
        with _Typed():
            return super().model_validate_strings(obj, *args, **kwargs)

    medication_name: str
    dose: float = Field(gt=0, allow_inf_nan=False)
    doses_per_24_hours: float = Field(gt=0, allow_inf_nan=False)
    days_of_medication: float = Field(gt=0, allow_inf_nan=False)

    @field_validator("medication_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _known_name(value)  # raises UnknownDrugError (an MMEError), not a ValidationError

    @field_validator("dose", "doses_per_24_hours", "days_of_medication", mode="before")
    @classmethod
    def _number(cls, value: object, info: ValidationInfo) -> float:
        """A number, as the core reads one: True or "30" is an `ArgumentTypeError` (pydantic would read 1 and 30)."""
        return number_argument(value, str(info.field_name))


class MedicationMME(Medication):
    """A medication with its factor and MME, as the calculator returns it."""

    factor: Decimal
    single_day_mme: float
    mme: float
    warnings: tuple[str, ...] = ()
    """What `mme.convert` warns of for the same dose (the calculator says nothing): a patch rate above any patch sold,
    more than `mme.IMPLAUSIBLE_MME_PER_DAY` MME/day (also an `mme.ImplausibleDoseWarning`, as the engine raises it)."""


class HealDefinitions(BaseModel):
    """The four MME/day definitions for one grouping (with or without buprenorphine)."""

    model_config = ConfigDict(frozen=True)

    therapy_days: float
    observation_window_days: float
    total_mme: float
    total_days: float
    mme1: float | None
    """total_mme / total_days; None when no medication is in the grouping (0/0)."""
    mme2: float
    mme3: float
    mme4: float
    no_mme: str | None = None
    """Why the grouping has no MME though its numbers are 0 (no medication in it: a buprenorphine-only list
    without buprenorphine), as the calculator answers; None when a medication counts. `mme.summarize` gives None
    there: filter on this before pooling the zeros with patients whose MME is 0."""


class HealResult(BaseModel):
    """What the calculator's ``mme_definitions`` endpoint answers."""

    model_config = ConfigDict(frozen=True)

    medications: tuple[MedicationMME, ...]
    with_buprenorphine: HealDefinitions
    without_buprenorphine: HealDefinitions
    table: str = TABLE
    table_version: str

    @model_validator(mode="after")
    def _consistent(self) -> HealResult:
        """A saved result is loaded only if its figures are its medications' as `calculate` computes them (with the
        factors saved, under another heal-2025 version than this one); `calculate` builds its own without this."""
        current = self.table_version == get_table(TABLE).version
        for m in self.medications:
            factor = MEDICATIONS[m.medication_name].factor if current else m.factor
            if (m.factor, m.single_day_mme, m.mme) != (factor, *_priced(m, factor)):
                raise DoseError(
                    f"this result contradicts itself: {m.medication_name} has factor {m.factor}, single_day_mme "
                    f"{m.single_day_mme!r} and mme {m.mme!r}; its dose, doses and days make {factor}, "
                    f"{' and '.join(map(repr, _priced(m, factor)))}"
                )
        kept = [m for m in self.medications if not MEDICATIONS[m.medication_name].is_buprenorphine]
        groups = {
            "with": (list(self.medications), self.with_buprenorphine),
            "without": (kept, self.without_buprenorphine),
        }
        for label, (meds, saved) in groups.items():
            days = (
                positive(saved.therapy_days, "therapy_days"),
                positive(saved.observation_window_days, "observation_window_days"),
            )
            computed = _definitions(meds, *days)  # figures compared, not words: 0.1.0 saved no `no_mme`
            figures = {"no_mme"}
            if saved.model_dump(exclude=figures) != computed.model_dump(exclude=figures) or (
                saved.no_mme is not None and computed.no_mme is None  # "no MME" beside a medication that counts
            ):
                raise DoseError(
                    f"this result contradicts itself: its figures {label} buprenorphine are not its medications'"
                )
        return self


_OVERFLOW = "the MME overflows: check the dose, doses_per_24_hours and days_of_medication"


_UNDERFLOW = "the MME rounds to 0 in floating point: check the dose, doses_per_24_hours and days_of_medication"


_NO_MEDICATION = (
    "no medication in this grouping (every one is buprenorphine): no MME, reported as 0 as the calculator does"
)


def _definitions(meds: list[MedicationMME], therapy_days: float, window_days: float) -> HealDefinitions:
    try:
        total_mme = math.fsum(m.mme for m in meds)
        mme4 = math.fsum(m.single_day_mme for m in meds)
    except OverflowError:  # each finite, their sum not
        raise DoseError(f"the medications' summed MME overflows: {_OVERFLOW.split(': ', 1)[1]}") from None
    total_days = math.fsum(m.days_of_medication for m in meds)
    if total_mme and not (total_mme / total_days and total_mme / therapy_days and total_mme / window_days):
        raise DoseError(
            "the MME per day rounds to 0 in floating point: check therapy_days, observation_window_days and the doses"
        )
    return HealDefinitions(
        therapy_days=therapy_days, observation_window_days=window_days, total_mme=total_mme, total_days=total_days,
        mme1=total_mme / total_days if total_days else None, mme2=total_mme / therapy_days,
        mme3=total_mme / window_days, mme4=mme4, no_mme=None if meds else _NO_MEDICATION,
    )  # fmt: skip


def _priced(m: Medication, factor: Decimal) -> tuple[float, float]:
    """A medication's single-day MME and MME, as the calculator computes them."""
    single_day = m.dose * m.doses_per_24_hours * float(factor)
    return single_day, single_day * m.days_of_medication


def _implausible(m: Medication, single_day: float) -> tuple[str, ...]:
    """The engine's checks of a valid but probably mistyped dose, on one medication as the calculator takes it."""
    drug = _NAMES[m.medication_name][0]
    unsold = unsold_patch(drug, m.dose) if MEDICATIONS[m.medication_name].dose_unit == "mcg/h" else None
    patch = [f"{unsold}: check the dose (one patch's rate, in mcg/h)"] if unsold else []
    return (*patch, *([IMPLAUSIBLE] if single_day > IMPLAUSIBLE_MME_PER_DAY else []))


def _implausible_total(with_bup: HealDefinitions, without: HealDefinitions) -> str | None:
    """The engine's check of a result, on the list's MME/day figures: a total above `IMPLAUSIBLE_MME_PER_DAY` of
    medications each below it (one above says so itself) is as implausible as one result above it."""
    groups = [("", with_bup)] if without == with_bup else [("with buprenorphine ", with_bup), ("without it ", without)]
    above = {
        label: [
            (name, value)
            for name in ("mme1", "mme2", "mme3", "mme4")
            if (value := getattr(d, name) or 0) > IMPLAUSIBLE_MME_PER_DAY
        ]
        for label, d in groups
    }
    if not any(above.values()):
        return None
    said = "; ".join(f"{label}{', '.join(n for n, _ in figures)}" for label, figures in above.items() if figures)
    most = max(v for figures in above.values() for _, v in figures)
    figure = shown(most, (IMPLAUSIBLE_MME_PER_DAY,), inclusive=False, places=_SHOWN_DECIMALS)  # above it, as printed
    return f"{said} ({figure} MME/day at most): {IMPLAUSIBLE}"


def _check(label: str, d: HealDefinitions) -> list[str]:
    """On-therapy days can exceed neither the summed days supply nor the window: say so, as the API does not."""
    if not d.total_days:
        return []
    over = [f"total_days ({d.total_days:g})"] if d.therapy_days > d.total_days else []
    if d.therapy_days > d.observation_window_days:
        over.append(f"the observation window ({d.observation_window_days:g})")
    return [f"{label}: therapy_days ({d.therapy_days:g}) exceeds {' and '.join(over)}"] if over else []


def calculate(
    medications: Iterable[Medication | Mapping[str, object]],
    *,
    therapy_days: float,
    observation_window_days: float,
    therapy_days_without: float | None = None,
    observation_window_days_without: float | None = None,
) -> HealResult:
    """The calculator's answer for one patient, computed locally with the same formulas and factors.

    ``therapy_days`` (unique calendar days on therapy) and ``observation_window_days`` apply to
    both groupings unless the ``*_without`` values are given for the one without buprenorphine.
    Like the API, therapy days above the total days supply or the window are accepted; an
    `MMEWarning` says so. MME/day figures above `mme.IMPLAUSIBLE_MME_PER_DAY` (a medication's, else the list's) are
    computed and raised as an `ImplausibleDoseWarning`, as the engine raises one result's.
    """
    if isinstance(medications, str | bytes | Mapping | BaseModel) or not isinstance(medications, Iterable):
        raise ArgumentTypeError(f"medications must be a list of heal.Medication or dicts, not {excerpt(medications)}")
    meds = [m if isinstance(m, Medication) else Medication.model_validate(m) for m in medications]
    if not meds:
        raise DoseError("nothing to calculate: give at least one medication")
    therapy = positive(therapy_days, "therapy_days")
    window = positive(observation_window_days, "observation_window_days")
    therapy_wo = therapy if therapy_days_without is None else positive(therapy_days_without, "therapy_days_without")
    window_wo = (
        window
        if observation_window_days_without is None
        else positive(observation_window_days_without, "observation_window_days_without")
    )
    results = []
    for m in meds:
        factor = MEDICATIONS[m.medication_name].factor
        single_day, mme = _priced(m, factor)
        if not math.isfinite(mme):
            raise DoseError(f"{m.medication_name}: {_OVERFLOW}")
        if mme == 0:  # positive inputs: an underflow, never a real 0
            raise DoseError(f"{m.medication_name}: {_UNDERFLOW}")
        implausible = _implausible(m, single_day)
        if IMPLAUSIBLE in implausible:  # raised as the engine raises it; a patch's rate is said in the result only
            warnings.warn(f"{m.medication_name}: {IMPLAUSIBLE}", ImplausibleDoseWarning, stacklevel=2)
        results.append(
            MedicationMME(
                **{k: getattr(m, k) for k in Medication.model_fields}, factor=factor, single_day_mme=single_day,
                mme=mme, warnings=implausible,
            )
        )  # fmt: skip
    with_bup = _definitions(results, therapy, window)
    kept = [m for m in results if not MEDICATIONS[m.medication_name].is_buprenorphine]
    without = _definitions(kept, therapy_wo, window_wo)
    total = None if any(IMPLAUSIBLE in m.warnings for m in results) else _implausible_total(with_bup, without)
    if total:
        warnings.warn(total, ImplausibleDoseWarning, stacklevel=2)
    problems = _check("with buprenorphine", with_bup)
    if without != with_bup:
        problems += _check("without buprenorphine", without)
    if problems:
        warnings.warn("; ".join(problems) + " (accepted, as the calculator does)", MMEWarning, stacklevel=2)
    return HealResult.model_construct(
        medications=tuple(results), with_buprenorphine=with_bup, without_buprenorphine=without,
        table_version=get_table(TABLE).version,
    )  # fmt: skip

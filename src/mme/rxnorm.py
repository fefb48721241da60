"""RxNorm codes: an RxCUI's product (ingredients, strengths, dose form) and its MME/day through the engine.

The shipped product file (``mme/data/rxnorm-products.json``) is derived by ``scripts/build_rxnorm.py``
from CDC's OMTK drug-ingredient file and the VSAC "Opioids, All" names; it records its sources, their
licences and its RxNorm date. A newer RxNorm release is rebuilt with ``mme rxnorm build`` and passed as
``rxnorm=PATH``. This module only maps a product to the engine's drug, strength, route and form: every
number is made by `mme.daily_mme` or `mme.dispensing_mme`.

    >>> import mme.rxnorm
    >>> mme.rxnorm.product("1049621").name
    'oxycodone hydrochloride 5 MG Oral Tablet'
    >>> mme.rxnorm.daily_mme("1049621", count=2, every="6 h").mme_per_day
    60.0

MME estimates overdose risk; it is not a dosing tool for switching opioids.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict

from . import _vocab
from ._engine import DailyMME, DoseLike, TableLike, Total, _candidates, _names, stated_by, total
from ._engine import daily_mme as _daily_mme
from ._engine import dispensing_mme as _dispensing_mme
from ._errors import (
    ArgumentTypeError,
    DoseError,
    MMEError,
    NotCoveredError,
    TableError,
    UnitError,
    UnknownRxCUIError,
    excerpt,
)
from ._parse import another_components
from ._rxnorm_build import DOSE_FORMS, FORMAT, build, read_name
from ._tables import DEFAULT_TABLE, resolve_table
from ._units import amount
from ._vocab import DRUGS

__all__ = [
    "SHIPPED",
    "Ingredient",
    "Product",
    "brand_words",
    "build",
    "daily_mme",
    "dispensing_mme",
    "dose_form_name",
    "expression",
    "ingredient_drug",
    "product",
    "rxnorm_date",
]

#: The product file shipped with the package (the default ``rxnorm=``).
SHIPPED = _vocab.SHIPPED_PRODUCTS

RxnormLike = str | Path | None
StrengthUnit = Literal["MG", "MG/ML", "MG/HR", "MG/ACTUAT"]
#: RxNorm's strength units in the engine's words, in mg and in mcg (a spray's strength is per actuation: per unit).
_MG_UNIT: dict[str, str] = {"MG": "mg", "MG/ML": "mg/mL", "MG/ACTUAT": "mg", "MG/HR": "mg/h"}
_MCG_UNIT: dict[str, str] = {"MG": "mcg", "MG/ML": "mcg/mL", "MG/ACTUAT": "mcg", "MG/HR": "mcg/h"}


class Ingredient(BaseModel):
    """One ingredient of a product, as RxNorm states its strength; ``drug`` is None when it is not counted."""

    model_config = ConfigDict(frozen=True)

    name: str
    """As RxNorm writes it ("oxycodone hydrochloride")."""
    drug: str | None
    """The opioid it counts as (``mme``'s name), or None for a non-opioid (acetaminophen, naloxone...)."""
    strength: Decimal
    unit: StrengthUnit
    rxcui: str | None = None
    """The ingredient's RxCUI, when the source gives it."""


class Product(BaseModel):
    """An RxNorm clinical or branded drug: its ingredients and what its dose form means for the engine."""

    model_config = ConfigDict(frozen=True)

    rxcui: str
    """Empty for a product described by its ingredients (a FHIR Medication without a product code)."""
    name: str
    dose_form: str | None
    dose_form_code: str | None
    route: str | None
    """None for injections: IV, IM and SC differ, so the caller says which (``route=``)."""
    form: str | None
    release: Literal["IR", "ER"] | None
    brand: str | None
    volume_ml: Decimal | None
    """The volume of one unit when RxNorm states it ("1 ML ... Injection")."""
    ingredients: tuple[Ingredient, ...]
    source: str
    rxnorm_date: str
    pack: int | None = None
    """The units one pack holds ("{2 (fentanyl 0.6 MG/ACTUAT ...) } Pack": 2), None when it is not a pack. A count or
    quantity of a pack counts packs, each holding its units' strength together (Subsys 1200 MCG: 1.2 mg), as CDC's
    NDC file counts them; the ingredients' strengths are one unit's, as RxNorm states them."""

    @property
    def label(self) -> str:
        """How messages name it: "RxCUI 1049621 (oxycodone ...)", or the name alone when it has no RxCUI."""
        return f"RxCUI {self.rxcui} ({self.name})" if self.rxcui else self.name

    @property
    def opioids(self) -> tuple[Ingredient, ...]:
        """The ingredients that count (non-opioids are recorded, never counted)."""
        return tuple(i for i in self.ingredients if i.drug is not None)


@dataclass(frozen=True)
class _File:
    path: str
    mtime: float
    rxnorm_date: str
    products: dict[str, list[Any]]
    ingredients: dict[str, str]

    @property
    def dose_forms(self) -> dict[str, str]:
        """RxNorm dose form codes -> names, as the file's products carry them."""
        return {row[1]: row[2] for row in self.products.values() if row[1]}


@lru_cache(maxsize=8)
def _read(path: str, _mtime: float) -> _File:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TableError(
            path, f"cannot read the RxNorm product file: {exc}. Rebuild it with `mme rxnorm build`."
        ) from exc
    products, codes = (data.get("products"), data.get("ingredient_codes", {})) if isinstance(data, dict) else (0, 0)
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("rxnorm_date"), str)
        or not isinstance(products, dict)
        or not all(isinstance(row, list) and len(row) == _ROW for row in products.values())
        or not isinstance(codes, dict)
    ):
        raise TableError(path, f"not an RxNorm product file of format {FORMAT}: rebuild it with `mme rxnorm build`")
    return _File(path, _mtime, data["rxnorm_date"], products, codes)


_ROW = 7  # a product's fields: name, dose form code, dose form, brand, volume, ingredients, source


def _file(rxnorm: RxnormLike) -> _File:
    path = Path(rxnorm) if rxnorm is not None else SHIPPED
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise TableError(str(path), "no RxNorm product file here: build one with `mme rxnorm build`") from exc
    return _read(str(path), mtime)


@lru_cache(maxsize=8)
def _brands(path: str, mtime: float) -> frozenset[str]:
    return frozenset(
        brand.lower() for row in _read(path, mtime).products.values() if (brand := row[3]) and brand.isalpha()
    )


def brand_words(*, rxnorm: RxnormLike = None) -> frozenset[str]:
    """The one-word brands of a product file's products, lowercased ("roxybond"): every one names an opioid, so a
    medication named by one with a code the file lacks is an unknown opioid, never "not an opioid"."""
    file = _file(rxnorm)
    return _brands(file.path, file.mtime)


def rxnorm_date(*, rxnorm: RxnormLike = None) -> str:
    """The RxNorm release date of a product file (the shipped one by default)."""
    return _file(rxnorm).rxnorm_date


@lru_cache(maxsize=4096)
def _product(rxcui: str, path: str, mtime: float) -> Product:
    file = _read(path, mtime)
    row = file.products.get(rxcui)
    if row is None:
        if _FRACTION.fullmatch(rxcui) or not (rxcui.isascii() and rxcui.isdigit()):  # "1.5", "abc", ""
            raise UnknownRxCUIError(rxcui, file.rxnorm_date, why="an RxCUI is a whole number (e.g. '1049621').")
        drug = file.ingredients.get(rxcui)
        raise UnknownRxCUIError(rxcui, file.rxnorm_date, ingredient=drug)
    try:
        return _row_product(rxcui, row, file.rxnorm_date, path)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:  # a file edited by hand, or of another build
        if isinstance(exc, MMEError):
            raise
        raise TableError(path, f"RxCUI {rxcui}: its row does not read: rebuild it with `mme rxnorm build`") from exc


def _row_product(rxcui: str, row: list[Any], date: str, path: str) -> Product:
    name, code, dose_form, brand, volume, ingredients, source = row
    route, form, release = DOSE_FORMS[dose_form]
    pack = None
    if name.startswith("{"):  # a pack: the name says how many units it holds
        read = read_name(name)
        if read is None:
            raise TableError(path, f"RxCUI {rxcui}: cannot read the pack {name!r}: rebuild it with `mme rxnorm build`")
        pack = read.pack
    return Product(
        rxcui=rxcui,
        name=name,
        dose_form=dose_form,
        dose_form_code=code,
        route=route,
        form=form,
        release=release,
        brand=brand,
        volume_ml=Decimal(volume) if volume else None,
        ingredients=tuple(
            Ingredient(rxcui=i_code, name=written, drug=drug, strength=Decimal(value), unit=unit)
            for i_code, written, drug, value, unit in ingredients
        ),
        source=source,
        rxnorm_date=date,
        pack=pack,
    )


_WHOLE = re.compile(r"(\d+)\.0*")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_FRACTION = re.compile(r"\d*\.\d*[1-9]\d*")


def _code(rxcui: str | int) -> str:
    """An RxCUI as its digits: one written as a whole float ("1049621.0", a CSV column of numbers read as floats)
    is that integer, and so is one with leading zeros ("01049621", padded to RxNorm's 8 characters): RxNorm's
    concept IDs are integers, written without them. None, True or a list is no RxCUI (`ArgumentTypeError`)."""
    if isinstance(rxcui, bool) or not isinstance(rxcui, str | int | float | Decimal | numbers.Integral):
        raise ArgumentTypeError(
            f"an RxCUI is RxNorm's concept ID, a whole number (1049621 or '1049621'), not {excerpt(rxcui)}"
        )
    text = str(rxcui).strip()
    text = whole[1] if (whole := _WHOLE.fullmatch(text)) else text
    return (text.lstrip("0") or "0") if text.isascii() and text.isdigit() else text


def product(rxcui: str | int, *, rxnorm: RxnormLike = None) -> Product:
    """The product an RxCUI names; an unknown RxCUI raises `mme.UnknownRxCUIError` with the file's RxNorm date."""
    file = _file(rxnorm)
    return _product(_code(rxcui), file.path, file.mtime)


def ingredient_drug(rxcui: str | int, *, rxnorm: RxnormLike = None) -> str | None:
    """The opioid an ingredient-level RxCUI names (7052 -> morphine), or None."""
    return _file(rxnorm).ingredients.get(_code(rxcui))


def dose_form_name(code: str, *, rxnorm: RxnormLike = None) -> str | None:
    """The RxNorm dose form a dose form code names (317541 -> Oral Tablet), when the file's products use it."""
    return _file(rxnorm).dose_forms.get(str(code).strip())


def _as_product(rxcui: str | int | Product, rxnorm: RxnormLike) -> Product:
    return rxcui if isinstance(rxcui, Product) else product(rxcui, rxnorm=rxnorm)


def _counted(prod: Product) -> tuple[Ingredient, ...]:
    opioids = prod.opioids
    if not opioids:
        raise NotCoveredError(f"{prod.label} has no opioid ingredient: it has no MME.")
    for ing in opioids:
        if ing.drug not in DRUGS:
            raise NotCoveredError(f"{prod.label}: {ing.drug} is an opioid that the conversion tables give no factor.")
    return opioids


def _merged(opioids: tuple[Ingredient, ...]) -> Ingredient | None:
    """A product's opioids as one, when they are salts of one opioid in one unit: that opioid at their summed
    strength (Percodan's old formulation: oxycodone hydrochloride 4.5 mg and oxycodone terephthalate 0.38 mg are
    4.88 mg of oxycodone), so that every path reads it alike; None for two opioids, whose factors differ."""
    first, *others = opioids
    if any(i.drug != first.drug or i.unit != first.unit for i in others):
        return None
    if not others:
        return first
    strength = sum((i.strength for i in others), first.strength)
    return first.model_copy(update={"name": " / ".join(i.name for i in opioids), "strength": strength})


def _read_as(prod: Product) -> tuple[Ingredient, ...]:
    """The opioids a product's MME is made of: salts of one opioid as one (`_merged`), else each (a `mme.Total`)."""
    opioids = _counted(prod)
    merged = _merged(opioids)
    return opioids if merged is None else (merged,)


def _one_opioid(prod: Product, reader: str, instead: str) -> Ingredient:
    """The one opioid (`_merged`) that ``reader``, which has one factor (a sig, a frame's row), reads ``prod`` as;
    a product of two opioids is refused (`mme.DoseError`) saying what converts it (``instead``)."""
    opioids = _counted(prod)
    merged = _merged(opioids)
    if merged is None:
        drugs = " and ".join(dict.fromkeys(i.drug or "" for i in opioids))
        raise DoseError(
            f"{prod.label} has {len(opioids)} opioid ingredients ({drugs}), each with its own factor, which {reader} "
            f"does not add up: {instead}"
        )
    return merged


def _unit_strength(prod: Product, ing: Ingredient, table: TableLike, route: str | None) -> tuple[Decimal, str]:
    """The strength of one counted unit in the engine's words: a pack's is its units' together (`Product.pack`).
    RxNorm states every strength in mg; a patch's, and one that ``table`` doses in mcg (fentanyl sprays, lozenges),
    is given in mcg, exactly (0.075 MG/HR is 75 mcg/h), so that it is not taken for a unit slip."""
    value = ing.strength * (prod.pack or 1)
    if ing.unit == "MG/HR" or _in_mcg(prod, ing.drug or "", table, route):
        return value * 1000, _MCG_UNIT[ing.unit]
    return value, _MG_UNIT[ing.unit]


def _in_mcg(prod: Product, drug: str, table: TableLike, route: str | None) -> bool:
    """Whether ``table`` doses the product's opioid, route and form in mcg."""
    try:
        _, route_, form, release = _names(drug, route, prod.form, prod.release)
    except MMEError:
        return False  # the engine says why
    return any(r.unit in ("mcg", "mcg/h") for r in _candidates(resolve_table(table), drug, route_, form, release, None))


def _strength(prod: Product, ing: Ingredient, table: TableLike, route: str | None) -> tuple[float, str]:
    """`_unit_strength` as the engine's functions take it."""
    value, unit = _unit_strength(prod, ing, table, route)
    return float(value), unit


#: RxNorm dose forms that hold one dose: a count of them is their whole volume, as the product's name states it.
_ONE_DOSE = frozenset({"Prefilled Syringe", "Cartridge", "Auto-Injector"})


def _no_volume(prod: Product, ing: Ingredient) -> str:
    """Why a regimen of a liquid needs its volume per dose (in words that fit each caller: Python, FHIR, a frame)."""
    held = f", {prod.volume_ml.normalize():f} mL a unit, which may hold several doses" if prod.volume_ml else ""
    return f"{prod.label} is a liquid ({ing.strength} MG/ML{held}): give the volume of a dose in mL, or the dose in mg"


def _one_dose_ml(prod: Product) -> Decimal | None:
    """The volume of one unit of a product that holds one dose (`_ONE_DOSE`: a prefilled syringe of "1 ML"), which
    a count of its units is; None for another product (a vial may hold several doses)."""
    return prod.volume_ml if prod.dose_form in _ONE_DOSE else None


def _whole_units(prod: Product, ing: Ingredient, count: float) -> tuple[str, str]:
    """`_one_dose_ml` as a volume per unit, and the note that a count was read as it; a liquid of another form needs
    its volume (`mme.DoseError`)."""
    if (volume := _one_dose_ml(prod)) is None:
        raise DoseError(_no_volume(prod, ing))
    each = f"{volume.normalize():f} mL"
    return each, f"a count of {str(prod.dose_form).lower()}s is their whole volume: {count:g} x {each} of {prod.name}"


def _combine(items: list[DailyMME]) -> DailyMME | Total:
    return items[0] if len(items) == 1 else total(items)


def _with_notes(result: DailyMME, notes: list[str]) -> DailyMME:
    return result.model_copy(update={"warnings": result.warnings + tuple(notes)}) if notes else result


def _stated(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A conversion of a product, whose route and form the product states: a table without them says so, and does
    not ask the caller to say them."""

    @functools.wraps(function)
    def converted(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except NotCoveredError as exc:
            rxcui = args[0] if args else kwargs["rxcui"]
            source = rxcui.label if isinstance(rxcui, Product) else f"RxCUI {_code(rxcui)}"  # type: ignore[arg-type]
            raise stated_by(exc, source) from None

    return converted


@_stated
def daily_mme(
    rxcui: str | int | Product,
    dose: DoseLike | None = None,
    *,
    per_day: float | str | None = None,
    every: float | str | timedelta | None = None,
    count: float = 1,
    volume: DoseLike | None = None,
    route: str | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
    rxnorm: RxnormLike = None,
) -> DailyMME | Total:
    """MME/day of a regimen of an RxNorm product: ``count`` units (tablets, patches, sprays) or ``volume`` mL
    per administration, or an explicit ``dose`` of its opioid in mg; how often as in `mme.daily_mme`.

    A liquid needs ``volume``, except a unit that holds one dose (a prefilled syringe, cartridge or auto-injector
    whose name states its volume, "1 ML ... Prefilled Syringe"): a count of them is their volume (said).
    An ingredient-level RxCUI (7052, morphine) converts only with an explicit ``dose`` in mg. A product
    of two opioids gives a `mme.Total`; others, salts of one opioid too (Percodan's two oxycodone salts), a
    `mme.DailyMME`. A `Product` may be given instead of an RxCUI (one built from a FHIR Medication's
    ingredients, for example).
    """
    if not isinstance(rxcui, Product) and dose is not None:
        key = _code(rxcui)
        if (drug := ingredient_drug(key, rxnorm=rxnorm)) is not None:
            return _ingredient_dose(key, drug, dose, per_day, every, route, variant, table)
    prod = _as_product(rxcui, rxnorm)
    opioids = _read_as(prod)
    common: dict[str, Any] = {
        "per_day": per_day,
        "every": every,
        "route": route or prod.route,
        "form": prod.form,
        "release": prod.release,
        "variant": variant,
        "table": table,
    }
    if dose is not None:
        given = amount(dose)
        if given.kind == "volume" and volume is None:
            dose, volume = None, dose  # "5 mL" of a liquid is its volume
        elif len(opioids) > 1:
            raise DoseError(f"{prod.label} has {len(opioids)} opioid ingredients: give a count, not a dose")
        elif count != 1:
            raise DoseError("give a dose or a count of units, not both")
        else:
            ing = opioids[0]
            if given.kind == "mass" and (others := _other_components(prod, _MG_UNIT[ing.unit], named=False)):
                strengths = [float(i.strength) for i in (ing, *others)]
                liquid = ing.unit == "MG/ML"
                if (why := another_components(given.value, float(ing.strength), strengths, per_ml=liquid)) is not None:
                    raise DoseError(f"the dose {given.value:g} mg of {prod.label} {why}")
            result = _daily_mme(ing.drug or "", dose, volume=volume, **common)
            notes = _fraction_note(prod, ing, given.value, given.kind)
            if len(prod.ingredients) > 1 and given.kind == "mass":
                notes.append(f"the dose {given.value:g} mg was read as {ing.drug}'s, the one opioid of {prod.name}")
            return _with_notes(result, notes)
    items = []
    for ing in opioids:
        strength = _strength(prod, ing, table, common["route"])
        if ing.unit == "MG/ML" and volume is None:
            each, note = _whole_units(prod, ing, count)
            items.append(_with_notes(_daily_mme(ing.drug or "", strength, volume=each, count=count, **common), [note]))
        elif ing.unit == "MG/ML":
            items.append(_daily_mme(ing.drug or "", strength, volume=volume, count=count, **common))
        else:
            if volume is not None:
                raise UnitError(f"{prod.label} is dosed in units, not mL: give count=")
            items.append(_daily_mme(ing.drug or "", strength, count=count, **common))
    return _combine(items)


def _ingredient_dose(
    rxcui: str, drug: str, dose: DoseLike, per_day: Any, every: Any, route: str | None, variant: str | None, table: Any
) -> DailyMME:
    if amount(dose).kind not in ("mass", "rate"):  # a rate (an infusion's mg/h) is its own timing
        raise DoseError(f"RxCUI {rxcui} is the ingredient {drug}, not a product: give the dose in mg (or a rate)")
    result = _daily_mme(drug, dose, per_day=per_day, every=every, route=route, variant=variant, table=table)
    note = f"RxCUI {rxcui} is the ingredient {drug}, not a product: route {result.route} and form not stated"
    return _with_notes(result, [note])


def expression(
    rxcui: str | int | Product, sig: str = "", *, rxnorm: RxnormLike = None, table: TableLike = DEFAULT_TABLE
) -> str:
    """A product in the dose-expression grammar's words, then a sig: what ``mme.convert(sig, rxcui=...)`` reads.

    The product decides the opioid, strength, route, form and release; the sig says how many and how often
    ("1 tab q6h", "5 mL q4h"), and may add the route of an injection. RxNorm states every strength in mg; one
    that ``table`` doses in mcg (fentanyl lozenges, patches) is written in mcg, as exactly, so that it is not
    taken for a unit slip.

        >>> expression("1049621", "1 tab q6h")
        'oxycodone IR 5 mg oral tablet 1 tab q6h'

    An ingredient's RxCUI (7052, morphine) is its name: the sig then gives the dose in mg, as `daily_mme` takes it.
    """
    if not isinstance(sig, str):  # str() of it would be appended: True as "... tablet True", 0 as nothing
        raise ArgumentTypeError(f"sig must be text such as '1 tab q6h', not {excerpt(sig)}")
    if not isinstance(rxcui, Product) and (drug := ingredient_drug(rxcui, rxnorm=rxnorm)) is not None:
        return f"{drug} {sig}" if sig else drug
    prod = _as_product(rxcui, rxnorm)
    ing = _one_opioid(prod, "a sig", "a count of its units does (a FHIR doseQuantity, mme.rxnorm.daily_mme)")
    value, unit = _unit_strength(prod, ing, table, prod.route)
    value /= prod.pack or 1  # a pack is written as RxNorm names it, "{2 (...) } Pack", of units of this strength
    name, strength = ing.drug or "", f"{value.normalize():f}"  # counted: `_counted` checked its drug
    if others := _other_components(prod, unit):
        # "oxycodone/acetaminophen 5/325 mg": the sig's "325 mg" may then be told from the opioid's amount
        name = "/".join([name, *(_vocab.without_salt(i.name) for i in others)])
        strength = "/".join([strength, *(f"{i.strength.normalize():f}" for i in others)])
    text = " ".join(w for w in (name, prod.release, f"{strength} {unit}", prod.route, prod.form) if w)
    if prod.pack:  # the sig's count of sprays or tablets counts units, a bare count (or none) packs, as in text
        text = f"{{{prod.pack} ({text}) }} Pack"
    return f"{text} {sig}" if sig else text


def _other_components(prod: Product, unit: str, *, named: bool = True) -> tuple[Ingredient, ...]:
    """The non-opioid components of a product whose opioid is dosed per unit in ``unit`` "mg" (or per mL in "mg/mL"),
    each in mg per unit (or per mL): those an amount in mg may be of instead of the opioid
    (`mme._parse.another_components`); none for other products. ``named``: only when the sig reader knows each by
    name (it reads them in `expression`'s text); a FHIR Medication may give one by a code alone."""
    others = tuple(i for i in prod.ingredients if i.drug is None)
    per = {"mg": "MG", "mg/mL": "MG/ML"}.get(unit)
    if per is None or prod.pack or not all(i.unit == per and (_vocab.non_opioid(i.name) or not named) for i in others):
        return ()
    return others


def _fraction_note(prod: Product, ing: Ingredient, value_mg: float, kind: str) -> list[str]:
    """A dose in mg that is not a whole or half number of units is read as given, and said."""
    if kind != "mass" or ing.unit not in ("MG", "MG/ACTUAT"):
        return []
    units = value_mg / float(ing.strength)
    if math.isclose(units * 2, round(units * 2)):
        return []
    return [f"the dose {value_mg:g} mg is {units:.3g} units of {prod.name}: read as given"]


@_stated
def dispensing_mme(
    rxcui: str | int | Product,
    *,
    quantity: float,
    days_supply: float,
    package_ml: float | None = None,
    route: str | None = None,
    variant: str | None = None,
    table: TableLike = DEFAULT_TABLE,
    rxnorm: RxnormLike = None,
) -> DailyMME | Total:
    """MME/day of a dispensing of an RxNorm product (claims): ``quantity`` is in units (tablets, patches,
    sprays), or in mL when the strength is per mL (or bottles of ``package_ml`` mL)."""
    prod = _as_product(rxcui, rxnorm)
    items = [
        _dispensing_mme(
            ing.drug or "",
            _strength(prod, ing, table, route or prod.route),
            quantity=quantity,
            days_supply=days_supply,
            package_ml=package_ml,
            route=route or prod.route,
            form=prod.form,
            release=prod.release,
            variant=variant,
            table=table,
        )
        for ing in _read_as(prod)
    ]
    return _combine(items)

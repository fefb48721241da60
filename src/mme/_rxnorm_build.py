"""Build the RxNorm product file from CDC's OMTK drug-ingredient CSV and, optionally, a list of RxNorm names.

OMTK (CDC's Opioid Management Terminology Knowledgebase, the data behind the CQL MME calculator) gives,
per RxCUI, each *opioid* ingredient with its strength and unit, and the RxNorm dose form. It lists no
non-opioid ingredient, so those are read from the RxNorm name, whose clinical-drug form is structured
("acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet"), by the product reader of `mme.convert`
(`parse_product`): one reader for every name. Every OMTK row is read back from its name and must agree
with OMTK's own columns, or the build fails.

A names-only list (RxCUI, RxNorm name; e.g. the NIH VSAC value set "Opioids, All") adds the RxCUIs OMTK
lacks, when their names read strictly and every ingredient is classified (an opioid `mme` knows, an opioid
it has no factor for, or a listed non-opioid); the others are skipped and counted, never guessed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import MMEError, TableError, UnknownDrugError
from ._parse import parse_product
from ._vocab import OTHER_OPIOIDS, Release, non_opioid, resolve_drug

__all__ = ["DOSE_FORMS", "FORMAT", "build"]

FORMAT = 1

#: RxNorm dose form -> (route, form, release) in the engine's words. Injections name no route (IV, IM, SC
#: differ): the caller says it. A dose form missing here fails the build, so none is guessed at run time.
DOSE_FORMS: dict[str, tuple[str | None, str | None, Release | None]] = {
    "Oral Tablet": ("oral", "tablet", "IR"),
    "Oral Capsule": ("oral", "capsule", "IR"),
    "Oral Solution": ("oral", "solution", "IR"),
    "Oral Suspension": ("oral", "suspension", "IR"),
    "Tablet for Oral Suspension": ("oral", "tablet", "IR"),
    "Effervescent Oral Tablet": ("oral", "tablet", "IR"),
    "Disintegrating Oral Tablet": ("oral", "tablet", "IR"),
    "Extended Release Oral Tablet": ("oral", "tablet", "ER"),
    "Extended Release Oral Capsule": ("oral", "capsule", "ER"),
    "Extended Release Suspension": ("oral", "suspension", "ER"),
    "Sublingual Tablet": ("sublingual", "tablet", None),
    "Sublingual Film": ("sublingual", "film", None),
    "Buccal Film": ("buccal", "film", None),
    "Buccal Tablet": ("buccal", "tablet", None),
    "Oral Lozenge": ("transmucosal", "lozenge", None),
    "Mucosal Spray": ("sublingual", "spray", None),  # RxNorm's form for Subsys, a sublingual spray
    "Metered Dose Nasal Spray": ("nasal", "spray", None),
    "Nasal Spray": ("nasal", "spray", None),
    "Transdermal System": ("transdermal", "patch", None),
    "Rectal Suppository": ("rectal", "suppository", None),
    "Drug Implant": ("subcutaneous", "implant", None),
    "Injection": (None, "injection", None),
    "Injectable Solution": (None, "injection", None),
    "Injectable Suspension": (None, "injection", None),
    "Prefilled Syringe": (None, "injection", None),
    "Cartridge": (None, "injection", None),
    "Auto-Injector": (None, "injection", None),
}


#: RxNorm's strength units -> the product reader's (a spray's strength is per actuation: per unit, as a tablet's).
UNITS = {"MG": "mg", "MG/ML": "mg/mL", "MG/HR": "mg/h", "MG/ACTUAT": "mg"}

_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_FORM = "|".join(re.escape(f) for f in sorted(DOSE_FORMS, key=len, reverse=True))


@dataclass(frozen=True)
class _Name:
    """An RxNorm clinical or branded drug name, read: components, dose form, brand, volume per unit."""

    components: tuple[tuple[str, str, str], ...]  # (ingredient as written, strength, unit)
    dose_form: str
    brand: str | None
    volume_ml: str | None


def read_name(name: str) -> _Name | None:
    """An RxNorm drug name read by the product reader of `mme.convert` (`parse_product`), or None.

    The reader says what the product is; the builder keeps, as RxNorm writes them, what the engine does not
    need: each strength with its unit ("0.6 MG/ACTUAT"), the dose form (one of `DOSE_FORMS`), the volume of
    a unit ("1 ML ..."). The name must be RxNorm's structured form of what was read ("NAME STRENGTH UNIT",
    joined by " / ", then the dose form): anything else is None, never a guess.
    """
    try:
        read = parse_product(name)
    except MMEError:
        return None
    parts = " / ".join(rf"{re.escape(i.name)} ({_NUMBER}) ({_UNIT})" for i in read.ingredients)
    found = re.search(rf"(?:({_NUMBER}) ML )?{parts} ({_FORM})(?= \[|\)|$)", name)
    if found is None:
        return None
    volume, *strengths, form = found.groups()
    components = tuple(zip([i.name for i in read.ingredients], strengths[::2], strengths[1::2], strict=True))
    if [(float(v), UNITS[u]) for _, v, u in components] != [(i.amount, i.unit) for i in read.ingredients]:
        return None
    return _Name(components, form, read.brand, volume)


def _opioid(ingredient: str) -> str | None:
    """The `mme` drug an ingredient name means ("oxycodone hydrochloride" -> oxycodone), by its longest known prefix."""
    words = ingredient.lower().split()
    for n in range(len(words), 0, -1):
        prefix = " ".join(words[:n])
        try:
            return resolve_drug(prefix).drug
        except UnknownDrugError:
            continue
    return None


def _classify(ingredient: str) -> tuple[str | None, bool] | None:
    """(drug, is_opioid) for a names-only ingredient, or None when unclassified (the product is skipped)."""
    if drug := _opioid(ingredient):
        return drug, True
    base = ingredient.lower().split()[0]
    if base in OTHER_OPIOIDS:  # an opioid no table has a factor for: recorded, never converted
        return base, True
    if non_opioid(base):
        return None, False
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: The columns of CDC's OMTK drug-ingredient export, which a rebuilt file's CSV must have.
OMTK_COLUMNS = (
    "drugCode", "drugName", "doseFormCode", "doseFormName", "ingredientCode", "ingredientName", "strengthValue",
    "strengthUnit",
)  # fmt: skip


def _rows(path: Path, columns: tuple[str, ...], delimiter: str) -> list[dict[str, str]]:
    """The rows of a CSV/TSV that has the given columns, or a TableError that names the missing ones."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise TableError(str(path), f"missing columns {', '.join(missing)} (needs {', '.join(columns)})")
            return [{key: value or "" for key, value in row.items()} for row in reader]  # short rows: ""
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(str(path), f"cannot read it: {exc}") from exc


def _omtk_products(path: Path) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Products from the OMTK CSV, each checked against its own name; and the ingredient RxCUIs by drug."""
    rows: dict[str, list[dict[str, str]]] = {}
    for row in _rows(path, OMTK_COLUMNS, ","):
        rows.setdefault(row["drugCode"], []).append(row)
    products: dict[str, list[Any]] = {}
    ingredient_codes: dict[str, str] = {}
    for rxcui, ingredients in rows.items():
        name = ingredients[0]["drugName"]
        read = read_name(name)
        pack = ingredients[0]["doseFormName"] == "Pack"
        if read is None or not (pack or read.dose_form == ingredients[0]["doseFormName"]):
            raise TableError(str(path), f"RxCUI {rxcui}: cannot read the name {name!r} strictly")
        opioid_rows = list(ingredients)
        out = []
        for written, value, unit in read.components:
            match = next(
                (
                    r
                    for r in opioid_rows
                    if r["strengthUnit"] == unit
                    and _number(r["strengthValue"], path, rxcui) == float(value)
                    and written.lower().startswith(r["ingredientName"].lower())
                ),
                None,
            )
            if match is None:
                out.append([None, written, None, value, unit])
                continue
            opioid_rows.remove(match)
            drug = _opioid(match["ingredientName"]) or match["ingredientName"].lower()
            ingredient_codes[drug] = match["ingredientCode"]
            out.append([match["ingredientCode"], written, drug, value, unit])
        if opioid_rows:
            raise TableError(str(path), f"RxCUI {rxcui}: OMTK ingredients not found in the name {name!r}")
        code = None if pack else ingredients[0]["doseFormCode"]  # a pack's form is its inner drug's
        products[rxcui] = [name, code, read.dose_form, read.brand, read.volume_ml, out, "omtk"]
    return products, ingredient_codes


def _number(text: str, path: Path, rxcui: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise TableError(str(path), f"RxCUI {rxcui}: strengthValue {text!r} is not a number") from None


def _name_products(path: Path, known: dict[str, list[Any]], codes: dict[str, str]) -> tuple[dict[str, list[Any]], int]:
    """Products from a names-only TSV (rxcui, name) for RxCUIs OMTK lacks; the number skipped."""
    products: dict[str, list[Any]] = {}
    skipped = 0
    for row in _rows(path, ("rxcui", "name"), "\t"):
        rxcui, name = row["rxcui"].strip(), row["name"].strip()
        if rxcui in known:
            continue
        read = read_name(name)
        classes = [_classify(written) for written, _, _ in read.components] if read else []
        known_classes = [c for c in classes if c is not None]
        if read is None or len(known_classes) < len(classes) or not any(opioid for _, opioid in known_classes):
            skipped += 1
            continue
        out = [
            [codes.get(drug) if drug else None, written, drug, value, unit]
            for (written, value, unit), (drug, _) in zip(read.components, known_classes, strict=True)
        ]
        products[rxcui] = [name, None, read.dose_form, read.brand, read.volume_ml, out, "names"]
    return products, skipped


def build(omtk: Path, out: Path, *, names: Path | None = None, rxnorm_date: str | None = None) -> dict[str, int]:
    """Write the product file; returns counts (from OMTK, from names, names skipped)."""
    omtk, out = Path(omtk), Path(out)
    date = rxnorm_date or (m[0] if (m := re.search(r"\d{4}-\d{2}-\d{2}", omtk.name)) else None)
    if date is None:
        raise TableError(str(omtk), "the file name carries no RxNorm date (YYYY-MM-DD): give it (--date)")
    products, codes = _omtk_products(omtk)
    sources: list[dict[str, Any]] = [
        {
            "file": omtk.name,
            "sha256": _sha256(omtk),
            "products": len(products),
            "what": "CDC Opioid Management Terminology Knowledgebase (OMTKData), drug ingredients: opioid "
            "ingredients, strengths and dose forms per RxCUI (cqframework/opioid-mme-r4)",
            "licence": "Apache-2.0; RxNorm content courtesy of the U.S. National Library of Medicine",
            "date": date,
        }
    ]
    counts = {"omtk": len(products), "names": 0, "skipped": 0}
    if names is not None:
        names = Path(names)
        extra, skipped = _name_products(names, products, codes)
        products |= extra
        counts |= {"names": len(extra), "skipped": skipped}
        sources.append(
            {
                "file": names.name,
                "sha256": _sha256(names),
                "products": len(extra),
                "skipped": skipped,
                "what": "RxNorm names of the NIH VSAC value set 'Opioids, All' (practicefusion/mmecalculator), "
                "read strictly; names that do not read strictly are skipped",
                "licence": "MIT (Practice Fusion); RxNorm content courtesy of the U.S. National Library of Medicine",
            }
        )
    header = {
        "format": FORMAT,
        "rxnorm_date": date,
        "sources": sources,
        "ingredient_codes": {code: drug for drug, code in sorted(codes.items(), key=lambda kv: int(kv[1]))},
        "columns": ["name", "dose_form_code", "dose_form", "brand", "volume_ml", "ingredients", "source"],
        "ingredient_columns": ["rxcui", "as_written", "drug (null: not counted)", "strength", "unit"],
    }
    lines = [json.dumps(header, indent=1)[:-2] + ',\n "products": {']
    body = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(products.items(), key=_order)]
    out.write_text("\n".join(lines) + "\n" + ",\n".join(body) + "\n }\n}\n", encoding="utf-8")
    return counts


def _order(item: tuple[str, Any]) -> tuple[int, str]:
    return int(item[0]), item[0]

"""Build the RxNorm product file from NLM's RxNorm release (RRF) or CDC's OMTK CSV, and a list of RxNorm names.

Every name is read by the product reader of `mme.convert` (`parse_product`): one reader of RxNorm names.

NLM's release: RXNCONSO.RRF, streamed once; the current (SUPPRESS=N) RxNorm-sourced (SAB=RXNORM) clinical
and branded drugs and packs whose names name an opioid, with the opioid ingredient and dose form codes.

OMTK (CDC's Opioid Management Terminology Knowledgebase, the data behind the CQL MME calculator) gives,
per RxCUI, each *opioid* ingredient with its strength and unit, and the RxNorm dose form. It lists no
non-opioid ingredient, so those are read from the RxNorm name, whose clinical-drug form is structured
("acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet"). Every OMTK row is read back from its
name and must agree with OMTK's own columns, or the build fails.

A names-only list (RxCUI, RxNorm name; e.g. the NIH VSAC value set "Opioids, All") adds the RxCUIs the
source lacks. A name from RRF or the list is kept when it reads strictly and every ingredient is classified
(an opioid `mme` knows, an opioid it has no factor for, or a known non-opioid); the others are skipped and
counted by reason, never guessed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ._errors import MMEError, TableError, UnknownDrugError
from ._parse import parse_product
from ._vocab import DOSE_FORMS, DRUGS, OPIOID_WORDS, OTHER_OPIOIDS, non_opioid, resolve_drug

__all__ = ["DOSE_FORMS", "FORMAT", "build"]

FORMAT = 1

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
    pack: int | None = None
    """The units a one-product pack holds ("{2 (...) } Pack": 2)."""


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
    return _Name(components, form, read.brand, volume, read.pack)


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


#: The RxNorm term types taken from an RRF release: clinical and branded drugs and packs, the concepts that
#: prescriptions, claims and FHIR resources code, whose names state each ingredient's strength and the dose
#: form. Not the drug forms and groups (SCDF, SBDF, SCDG...: no strength), the components (SCDC, SBDC: not
#: a product), nor the other names of a concept (PSN, SY, TMSY: the same RxCUI, a looser name).
PRODUCT_TTYS = frozenset({"SCD", "SBD", "GPCK", "BPCK"})
_PACKS = frozenset({"GPCK", "BPCK"})  # a pack's dose form is its inner drug's: no dose form code, as in OMTK

#: The columns of NLM's RXNCONSO.RRF, in order; every line ends with "|".
RXNCONSO_COLUMNS = (
    "RXCUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "RXAUI", "SAUI", "SCUI", "SDUI", "SAB", "TTY", "CODE", "STR",
    "SRL", "SUPPRESS", "CVF",
)  # fmt: skip
_RXCUI, _SAB, _TTY, _STR, _SUPPRESS = (RXNCONSO_COLUMNS.index(c) for c in ("RXCUI", "SAB", "TTY", "STR", "SUPPRESS"))

#: Why a name read is not in the product file: the keys of `build`'s counts, and what they mean.
SKIPPED = {
    "suppressed": "suppressed in RxNorm (SUPPRESS not N)",
    "held": "of an RxCUI already read",
    "no opioid": "naming no opioid mme knows",
    "unread": "not read strictly",
    "unclassified": "with an ingredient neither an opioid nor a known non-opioid",
}

_OPIOID_WORDS = OPIOID_WORDS | OTHER_OPIOIDS
_INGREDIENTS = DRUGS | OTHER_OPIOIDS  # RxNorm's ingredient (IN) names of the opioids, as `mme` names them
_RELEASE = re.compile(r"(?:rxnorm|readme)_[a-z_]*?(\d{2})(\d{2})(\d{4})(?:\.txt)?", re.IGNORECASE)


def _names_opioid(name: str) -> bool:
    """Whether a name has a word that names an opioid (`mme`'s, or one no table has a factor for)."""
    return not _OPIOID_WORDS.isdisjoint(re.findall(r"[a-z]+", name.lower()))


def _from_name(name: str, codes: dict[str, str]) -> list[Any] | str:
    """A product row from its RxNorm name, or why it is skipped (a key of `SKIPPED`)."""
    read = read_name(name)
    if read is None:
        return "unread" if _names_opioid(name) else "no opioid"
    classes = [_classify(written) for written, _, _ in read.components]
    known = [c for c in classes if c is not None]
    if len(known) < len(classes) or not any(opioid for _, opioid in known):
        return "unclassified"
    out = [
        [codes.get(drug) if drug else None, written, drug, value, unit]
        for (written, value, unit), (drug, _) in zip(read.components, known, strict=True)
    ]
    return [name, None, read.dose_form, read.brand, read.volume_ml, out]


def _name_products(
    rows: list[tuple[str, str]], known: dict[str, list[Any]], codes: dict[str, str], tag: str, counts: Counter[str]
) -> dict[str, list[Any]]:
    """Products from (RxCUI, RxNorm name) pairs for RxCUIs not known yet; each one skipped is counted by reason."""
    products: dict[str, list[Any]] = {}
    for rxcui, name in rows:
        row = "held" if rxcui in known or rxcui in products else _from_name(name, codes)
        if isinstance(row, str):
            counts[row] += 1
        else:
            products[rxcui] = [*row, tag]
    return products


def _rxnconso(source: Path) -> Path:
    """RXNCONSO.RRF of a release: the file itself, or in the folder given or its rrf/ folder."""
    if source.is_dir():
        found = [p for p in (source / "RXNCONSO.RRF", source / "rrf" / "RXNCONSO.RRF") if p.is_file()]
        if not found:
            raise TableError(
                str(source), "no RXNCONSO.RRF here nor in its rrf folder: give the unzipped RxNorm release folder "
                "(RxNorm_full_MMDDYYYY) or its rrf/RXNCONSO.RRF"
            )  # fmt: skip
        return found[0]
    if source.name.upper() != "RXNCONSO.RRF":
        raise TableError(str(source), "the product names are in RXNCONSO.RRF: give that file or the release folder")
    if not source.is_file():
        raise TableError(str(source), "no such file: give the unzipped RxNorm release folder or its rrf/RXNCONSO.RRF")
    return source


def _release_date(conso: Path) -> str:
    """The release date the folder names (RxNorm_full_01062025, Readme_full_01062025.txt) -> "2025-01-06"."""
    folders = [conso.parent, conso.parent.parent] if conso.parent.name.lower() == "rrf" else [conso.parent]
    names = [f.name for f in folders] + [p.name for f in folders for p in sorted(f.glob("[Rr][Ee][Aa][Dd][Mm][Ee]*"))]
    dates = set()
    for name in names:
        if found := _RELEASE.fullmatch(name):
            month, day, year = map(int, found.groups())
            try:
                dates.add(date(year, month, day).isoformat())
            except ValueError:
                continue
    if len(dates) != 1:
        which = f"names {' and '.join(sorted(dates))}" if dates else "does not name the release date"
        raise TableError(str(conso), f"the release folder {which}: give the RxNorm date (--date YYYY-MM-DD)")
    return dates.pop()


def _rrf(conso: Path, counts: Counter[str]) -> tuple[list[tuple[str, str, str]], dict[str, str], dict[str, str], str]:
    """One pass over RXNCONSO.RRF, streamed: the current product names that name an opioid (RxCUI, name,
    TTY), the opioid ingredient codes (TTY IN) by drug, the dose form codes (TTY DF) by name, the sha256."""
    digest = hashlib.sha256()
    candidates: list[tuple[str, str, str]] = []
    codes: dict[str, str] = {}
    forms: dict[str, str] = {}
    try:
        with conso.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                digest.update(raw)
                if raw.count(b"|") != len(RXNCONSO_COLUMNS):
                    raise TableError(
                        str(conso), f"not the {len(RXNCONSO_COLUMNS)} columns of RXNCONSO.RRF "
                        f"({'|'.join(RXNCONSO_COLUMNS)}|)", row=number,
                    )  # fmt: skip
                if b"|RXNORM|" not in raw:
                    continue
                fields = raw.decode("utf-8").split("|")
                rxcui, tty, name, current = fields[_RXCUI], fields[_TTY], fields[_STR], fields[_SUPPRESS] == "N"
                if fields[_SAB] != "RXNORM":
                    continue
                if tty in PRODUCT_TTYS:
                    counts["read"] += 1
                    if not current:
                        counts["suppressed"] += 1
                    elif not _names_opioid(name):
                        counts["no opioid"] += 1
                    else:
                        candidates.append((rxcui, name, tty))
                elif current and tty == "IN" and name.lower() in _INGREDIENTS:
                    codes[name.lower()] = rxcui
                elif current and tty == "DF":
                    forms[name] = rxcui
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(str(conso), f"cannot read it: {exc}") from exc
    return candidates, codes, forms, digest.hexdigest()


def _rrf_products(
    source: Path, rxnorm_date: str | None, counts: Counter[str]
) -> tuple[dict[str, list[Any]], dict[str, str], dict[str, Any]]:
    """Products from an RxNorm RRF release, the ingredient codes, and the source's record."""
    conso = _rxnconso(source)
    when = rxnorm_date or _release_date(conso)
    candidates, codes, forms, sha256 = _rrf(conso, counts)
    products = _name_products([(rxcui, name) for rxcui, name, _ in candidates], {}, codes, "rrf", counts)
    packs = {rxcui for rxcui, _, tty in candidates if tty in _PACKS}
    for rxcui, row in products.items():
        row[1] = None if rxcui in packs else forms.get(row[2])
    record = {
        "file": conso.name,
        "sha256": sha256,
        "products": len(products),
        "skipped": {key: counts[key] for key in ("suppressed", "no opioid", "unread", "unclassified")},
        "what": "NLM RxNorm release (RRF): the current RxNorm-sourced (SAB=RXNORM, SUPPRESS=N) clinical and branded "
        f"drugs and packs (TTY {', '.join(sorted(PRODUCT_TTYS))}) that name an opioid, names read strictly; the "
        "ingredient (IN) and dose form (DF) codes",
        "licence": "RxNorm content courtesy of the U.S. National Library of Medicine",
        "date": when,
    }
    return products, codes, record


def _omtk_source(
    source: Path, rxnorm_date: str | None, counts: Counter[str]
) -> tuple[dict[str, list[Any]], dict[str, str], dict[str, Any]]:
    """Products from an OMTK-shaped CSV, the ingredient codes, and the source's record."""
    when = rxnorm_date or (m[0] if (m := re.search(r"\d{4}-\d{2}-\d{2}", source.name)) else None)
    if when is None:
        raise TableError(str(source), "the file name carries no RxNorm date (YYYY-MM-DD): give it (--date)")
    products, codes = _omtk_products(source)
    counts["read"] += len(products)
    record = {
        "file": source.name,
        "sha256": _sha256(source),
        "products": len(products),
        "what": "CDC Opioid Management Terminology Knowledgebase (OMTKData), drug ingredients: opioid "
        "ingredients, strengths and dose forms per RxCUI (cqframework/opioid-mme-r4)",
        "licence": "Apache-2.0; RxNorm content courtesy of the U.S. National Library of Medicine",
        "date": when,
    }
    return products, codes, record


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source: Path, out: Path, *, names: Path | None = None, rxnorm_date: str | None = None) -> dict[str, int]:
    """Write the product file from an OMTK-shaped CSV or an RxNorm RRF release (its folder, or RXNCONSO.RRF),
    and optionally a names-only TSV; return the counts: products by source ("omtk" or "rrf", "names"), names
    "read" and "kept", and the names skipped by reason (the keys of `SKIPPED`)."""
    source, out = Path(source), Path(out)
    if rxnorm_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", rxnorm_date):
        raise TableError(str(source), f"the RxNorm date {rxnorm_date!r} is not YYYY-MM-DD")
    counts: Counter[str] = Counter()
    rrf = source.is_dir() or source.suffix.upper() == ".RRF"
    products, codes, first = (_rrf_products if rrf else _omtk_source)(source, rxnorm_date, counts)
    sources = [first]
    kept = {"rrf" if rrf else "omtk": len(products)}
    if names is not None:
        names = Path(names)
        rows = [(row["rxcui"].strip(), row["name"].strip()) for row in _rows(names, ("rxcui", "name"), "\t")]
        counts["read"] += len(rows)
        before = Counter(counts)
        extra = _name_products(rows, products, codes, "names", counts)
        products |= extra
        kept["names"] = len(extra)
        sources.append(
            {
                "file": names.name,
                "sha256": _sha256(names),
                "products": len(extra),
                "skipped": sum(counts[k] - before[k] for k in ("no opioid", "unread", "unclassified")),
                "what": "RxNorm names of the NIH VSAC value set 'Opioids, All' (practicefusion/mmecalculator), "
                "read strictly; names that do not read strictly are skipped",
                "licence": "MIT (Practice Fusion); RxNorm content courtesy of the U.S. National Library of Medicine",
            }
        )
    header = {
        "format": FORMAT,
        "rxnorm_date": first["date"],
        "sources": sources,
        "ingredient_codes": {code: drug for drug, code in sorted(codes.items(), key=lambda kv: int(kv[1]))},
        "columns": ["name", "dose_form_code", "dose_form", "brand", "volume_ml", "ingredients", "source"],
        "ingredient_columns": ["rxcui", "as_written", "drug (null: not counted)", "strength", "unit"],
    }
    lines = [json.dumps(header, indent=1)[:-2] + ',\n "products": {']
    body = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(products.items(), key=_order)]
    out.write_text("\n".join(lines) + "\n" + ",\n".join(body) + "\n }\n}\n", encoding="utf-8")
    return {**kept, "read": counts["read"], "kept": len(products), **{key: counts[key] for key in SKIPPED}}


def summary(counts: dict[str, int]) -> str:
    """What a build did, in one line: products by source, names read, kept and skipped by reason."""
    sources = ", ".join(
        f"{counts[k]:,} from {k.upper() if k != 'names' else k}" for k in ("omtk", "rrf", "names") if k in counts
    )
    skipped = ", ".join(f"{counts[k]:,} {what}" for k, what in SKIPPED.items() if counts[k])
    return (
        f"{counts['kept']:,} products ({sources}); {counts['read']:,} names read, {counts['kept']:,} kept, "
        f"{counts['read'] - counts['kept']:,} skipped" + (f": {skipped}" if skipped else "")
    )


def _order(item: tuple[str, Any]) -> tuple[int, str]:
    return int(item[0]), item[0]

"""The CDC opioid NDC files ("Oral MME conversion file"), read as users download them.

CDC published its NDC-level list of opioids with MME conversion factors in several editions
(2010 to 2018), as ``.xlsx`` workbooks (sheet ``Opioids``, or ``opioid`` in the early ones) and as
CSV exports, each naming its columns a little differently. `read_ndc_file` reads any of them into
one schema; `NdcFile.lookup` finds a product by NDC in any common spelling (`normalize_ndc`).

The factor of a product is the file's own, verbatim (a `Decimal`; `None` where the file gives
none, e.g. buprenorphine from 2017). Drug, route and form are canonical names (`mme._vocab`),
read from the file's Drug, generic name, Master_Form and product name columns; they are `None`
where the file does not tell (CDC itself notes that oral and injectable solutions could not
always be told apart: a ``Solution`` is read as oral unless the drug has no oral liquid or the
generic name names an infusion premix).
"""

from __future__ import annotations

import contextlib
import csv
import numbers
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType

from pydantic import ValidationError

from ._engine import DailyMME, TableLike, dispensed, dispensing_mme, planned
from ._errors import (
    AmbiguousDoseError,
    ArgumentTypeError,
    NdcError,
    NotCoveredError,
    TableError,
    UnknownDrugError,
    excerpt,
    named_file,
)
from ._tables import Exclusion, FactorRow, list_tables
from ._units import amount
from ._vocab import DRUGS, resolve_drug

__all__ = ["NdcFile", "NdcProduct", "ndc_mme", "normalize_ndc", "read_ndc_file"]

# -- NDC spellings ------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")
_WHOLE = re.compile(r"(?<=[0-9])\.0+$")
# 10-digit hyphenated layouts -> the segment that gets a leading zero to make 5-4-2.
_LAYOUTS: dict[tuple[int, ...], int | None] = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2, (5, 4, 2): None}
_MIN_NUMERIC = 10**6  # the smallest labeler code is 00002: an NDC has at least 7 significant digits
#: What the ambiguous NDC's refusal adds for a caller who can pass an int (`normalize_ndc`, `ndc_mme`).
AS_AN_INT = "(An 11-digit NDC stored as a number that lost its leading zero can be passed as an int.)"
#: The same for an NDC read from a file as text (`mme batch --ndc-col`), which cannot be passed as an int.
IN_A_FILE = "(If it is an 11-digit NDC that lost its leading zero in a column of numbers, write the zero in the file.)"
_HELP = (
    "give the 11-digit NDC (00002035102, or 00002-0351-02), or the 10-digit NDC with its hyphens "
    "in 4-4-2, 5-3-2 or 5-4-1 layout (0002-0351-02)"
)


def normalize_ndc(ndc: str | int | float) -> str:
    """The 11-digit (5-4-2) form of an NDC, without hyphens.

    Accepts 11 digits (``"00002035102"``, also quoted as in CDC's CSVs: ``"'00002035102'"``),
    hyphenated 11 digits (``"00002-0351-02"``), 10 digits with hyphens in 4-4-2, 5-3-2 or 5-4-1
    layout (the short segment gets a leading zero: ``"0002-0351-02"`` -> ``"00002035102"``), and
    numbers whose leading zeros were lost (CDC's ``NDC_Numeric``: ``2035102`` or ``"2035102"``).
    A 10-digit NDC without hyphens is ambiguous (which segment is short?) and is refused. A whole
    number written with a decimal point (``93002401.0``, or the text ``"93002401.0"``, as pandas
    writes an integer column with nulls) is read as its digits, as `mme.frames` reads a float column. A NumPy
    or pandas integer (``numpy.int64(2035102)``, a cell of an integer column) is read as the int it is.

    Raises `NdcError` (an `ExpressionError`) for anything else.
    """
    if isinstance(ndc, float | Decimal):  # its digits if it is a whole number, as a frame's float column is read
        with contextlib.suppress(ValueError, ArithmeticError):  # NaN, inf
            if ndc == int(ndc) and abs(ndc) < 2**53:
                return normalize_ndc(str(int(ndc)))
        raise NdcError(f"not an NDC: {ndc!r}; {_HELP}")
    if isinstance(ndc, numbers.Integral) and not isinstance(ndc, bool):  # a NumPy or pandas integer reads as an int
        ndc = int(ndc)
    if isinstance(ndc, bool) or not isinstance(ndc, str | int):
        raise NdcError(f"not an NDC: {ndc!r}; {_HELP}")
    if isinstance(ndc, int):
        if not _MIN_NUMERIC <= ndc < 10**11:
            raise NdcError(f"not an NDC: {ndc!r}; an NDC as a number has 7 to 11 digits")
        return f"{ndc:011d}"
    text = _WHOLE.sub("", ndc.strip().strip("'\"").strip())  # "93002401.0": a float column written as text
    if "-" in text:
        parts = text.split("-")
        layout = tuple(len(p) for p in parts)
        if len(parts) == 3 and all(_DIGITS.fullmatch(p) for p in parts) and layout in _LAYOUTS:
            short = _LAYOUTS[layout]
            if short is not None:
                parts[short] = "0" + parts[short]
            return "".join(parts)
        raise NdcError(f"not an NDC: {ndc!r}; {_HELP}")
    if _DIGITS.fullmatch(text):
        if len(text) == 11:
            return text
        if len(text) == 10:
            raise NdcError(
                f"ambiguous NDC {ndc!r}: 10 digits without hyphens could be 4-4-2, 5-3-2 or 5-4-1; {_HELP}. {AS_AN_INT}"
            )
        if 7 <= len(text) <= 9 and int(text) >= _MIN_NUMERIC:
            return text.zfill(11)
    raise NdcError(f"not an NDC: {ndc!r}; {_HELP}")


# -- products -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NdcProduct:
    """One NDC of a CDC file, in one schema whatever the edition."""

    ndc: str
    """The 11-digit NDC."""
    product_name: str | None
    """Product name (None in the 2010 and 2013 files, which print none)."""
    generic_name: str
    drug: str | None
    """Canonical opioid ingredient, or None if the file names none."""
    form: str | None
    """Canonical form (tablet, solution, patch...), or None if the file's Master_Form is not known."""
    route: str | None
    """Canonical route, or None where the file does not tell (e.g. a fentanyl tablet with no product name)."""
    strength: float | None
    """Strength per unit of the opioid component (None where the file gives none, e.g. implants)."""
    unit: str | None
    """Unit of `strength`: "mg", "mcg", "mcg/h", "mg/mL" or "mcg/spray"."""
    factor: Decimal | None
    """MME conversion factor as the file prints it; None where the file gives none."""
    long_acting: bool | None
    """LA (True) or SA (False) as the file says, None if it does not."""
    master_form: str
    """The file's Master_Form, as printed."""


_UNITS = {"MG": "mg", "MCG": "mcg", "MCG/HR": "mcg/h", "MG/ML": "mg/mL", "MCG/SPRAY": "mcg/spray"}

# Master_Form -> canonical form.
_FORMS = {
    "tablet": "tablet",
    "tablet, extended release": "tablet",
    "tablet, disintegrating": "tablet",
    "tablet for suspension": "tablet",
    "tablet for solution": "tablet",
    "capsule": "capsule",
    "capsule, extended release": "capsule",
    "capsule, extended release, 24": "capsule",
    "solution": "solution",
    "liquid": "solution",
    "elixir": "solution",
    "tincture": "solution",
    "syrup": "syrup",
    "suspension": "suspension",
    "suspension, extended release": "suspension",
    "suppository": "suppository",
    "patch, extended release": "patch",
    "lozenge/troche": "lozenge",
    "film": "film",
    "spray": "spray",
    "injectable": "injection",
    "syringe": "injection",
    "powder for solution": "injection",
    "extended release subcutaneous": "injection",
    "implant": "implant",
}
_ORAL_FORMS = frozenset({"tablet", "capsule", "solution", "syrup", "suspension"})
_NO_ORAL_LIQUID = frozenset({"nalbuphine", "butorphanol", "levorphanol", "oxymorphone", "pentazocine"})
_PREMIX = re.compile(r"sodium chlor|na cl|dextrose|bupivacaine|atropine", re.IGNORECASE)
_NAMED = [(d, re.compile(rf"(?<![a-z]){d}")) for d in sorted(DRUGS)]


def _drug(drug_column: str, generic: str) -> str | None:
    """The canonical drug: the Drug column (2016 on: "Morphine LA"), else the generic name's one opioid."""
    for name in (drug_column.split(maxsplit=1)[0] if drug_column else "", generic):
        if not name:
            continue
        try:
            return resolve_drug(name).drug
        except UnknownDrugError:
            pass
    text = generic.lower().replace("hydrocod bit", "hydrocodone")  # "Carbinoxamine Mal/Hydrocod Bit/PSE HCl"
    found = [d for d, pattern in _NAMED if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def _route_form(
    drug: str | None, master_form: str, generic: str, product: str, unit: str | None
) -> tuple[str | None, str | None]:
    form = _FORMS.get(master_form.lower())
    if form is None or drug is None:
        return None, form
    name = product.upper()
    if "liposome" in generic.lower():  # DepoDur: epidural, not a canonical route
        return None, "suspension"
    if form == "implant" or master_form.lower() == "extended release subcutaneous":
        return "subcutaneous", form
    if form == "injection" or (
        form == "solution"
        and master_form.lower() == "solution"
        and (drug in _NO_ORAL_LIQUID or _PREMIX.search(generic))
    ):
        return None, "injection"  # intramuscular, intravenous or subcutaneous: the file does not say
    if form in _ORAL_FORMS:
        if drug == "buprenorphine":
            return "sublingual", form
        if drug == "fentanyl":
            return ("sublingual" if "ABSTRAL" in name else "buccal" if "FENTORA" in name else None), form
        return "oral", form
    if form == "film" and drug == "buprenorphine":
        buccal = "BELBUCA" in name or "BUNAVAIL" in name or unit == "mcg"
        return ("buccal" if buccal else "sublingual"), form
    if form == "spray" and drug == "fentanyl":
        if "LAZANDA" in name or (not name and generic == "Fentanyl Citrate"):
            return "nasal", form
        if "SUBSYS" in name or (not name and generic == "Fentanyl"):
            return "sublingual", form
        return None, form
    return {
        "suppository": "rectal",
        "patch": "transdermal",
        "lozenge": "transmucosal",
        "film": "buccal",
        "spray": "nasal",
    }.get(form), form


# -- files --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NdcFile:
    """A CDC NDC file: its products (`NdcProduct`) by 11-digit NDC, in the file's order."""

    name: str
    """The file's name (and sheet, for a workbook)."""
    products: Mapping[str, NdcProduct]

    @property
    def slug(self) -> str:
        """Results computed with the file's own factors name the file."""
        return Path(self.name.split(" [")[0]).stem

    @property
    def version(self) -> str:
        return f"factors as printed in {self.name}"

    def lookup(self, ndc: str | int | float) -> NdcProduct:
        """The product with this NDC (any spelling `normalize_ndc` reads); `NotCoveredError` if it is not listed."""
        key = normalize_ndc(ndc)
        try:
            return self.products[key]
        except KeyError:
            raise NotCoveredError(f"NDC {key} is not listed in {self.name} ({len(self.products)} NDCs).") from None

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[NdcProduct]:
        return iter(self.products.values())


# Our field -> the names editions give it (lower case).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "ndc": ("ndc",),
    "ndc_numeric": ("ndc_numeric",),
    "product": ("product_name", "prodnme"),
    "generic": ("generic_drug_name", "gennme"),
    "master_form": ("master_form",),
    "drug": ("drug",),
    "long_short": ("longshortacting",),
    "dea_class": ("dea_class",),
    "strength": ("strength_per_unit", "strength"),
    "uom": ("uom",),
    "factor": ("mme_conversion_factor",),
}
_REQUIRED = ("generic", "master_form", "strength", "uom", "factor")


def ndc_file_of(value: object) -> NdcFile:
    """``value`` if it is a read `NdcFile`; a path (an easy slip) or anything else is an `ArgumentTypeError`: the
    file is read once, by `read_ndc_file`, not again for every claim."""
    if not isinstance(value, NdcFile):
        raise ArgumentTypeError(
            f"ndc_file must be an NDC file read by mme.read_ndc_file(path), not {type(value).__name__}: "
            "read it once and pass what it returns"
        )
    return value


def read_ndc_file(path: str | Path, *, sheet: str | None = None) -> NdcFile:
    """Read a CDC NDC/MME file: ``.xlsx`` (sheet "Opioids" or "opioid") or ``.csv``, any edition.

    Reading ``.xlsx`` needs openpyxl (``pip install "mme[xlsx]"``). Raises `TableError` naming
    the file for a file it cannot read (missing columns, no opioid sheet, bad numbers).
    """
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(f"an NDC file is the path of a .xlsx or .csv file, not {type(path).__name__}")
    path = named_file(Path(path))
    suffix = path.suffix.lower()
    header: Sequence[object]
    rows: Sequence[Sequence[object]]
    if suffix in (".xlsx", ".xlsm"):
        name, header, rows = _read_xlsx(path, sheet)
    elif suffix in (".csv", ".txt"):
        name, header, rows = path.name, *_read_csv(path)
    else:
        raise TableError(str(path), "not a CDC NDC file: expected .xlsx or .csv")
    return NdcFile(name, MappingProxyType(_products(name, header, rows)))


def _read_csv(path: Path) -> tuple[Sequence[object], Sequence[Sequence[object]]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(newline="", encoding=encoding) as f:
                lines = list(csv.reader(f))
            break
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise TableError(str(path), f"cannot read: {exc.strerror}") from exc
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise TableError(str(path), "cannot decode the file (neither UTF-8 nor Windows-1252)")
    if not lines:
        raise TableError(str(path), "empty file")
    return lines[0], lines[1:]


def _read_xlsx(path: Path, sheet: str | None) -> tuple[str, Sequence[object], Sequence[Sequence[object]]]:
    try:
        import openpyxl  # optional dependency (mme[xlsx]), imported when needed
    except ImportError as exc:
        raise ImportError('reading .xlsx files needs openpyxl: pip install "mme[xlsx]"') from exc
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise TableError(str(path), f"cannot read the workbook: {exc}") from exc
    try:
        names: list[str] = list(workbook.sheetnames)
        wanted = [sheet] if sheet else ["opioids", "opioid"]
        found = [n for w in wanted for n in names if n.lower() == w.lower()]
        if not found:
            raise TableError(str(path), f"no sheet {' or '.join(map(repr, wanted))}; sheets: {', '.join(names)}")
        rows: list[tuple[object, ...]] = list(workbook[found[0]].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise TableError(f"{path}[{found[0]}]", "empty sheet")
    return f"{path.name} [{found[0]}]", list(rows[0]), rows[1:]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _products(name: str, header: Sequence[object], rows: Iterable[Sequence[object]]) -> dict[str, NdcProduct]:
    columns = [_text(h).lower() for h in header]
    index = {key: next((columns.index(n) for n in names if n in columns), None) for key, names in _COLUMNS.items()}
    missing = [_COLUMNS[k][0] for k in _REQUIRED if index[k] is None]
    if index["ndc"] is None and index["ndc_numeric"] is None:
        missing.insert(0, "NDC")
    if missing:
        raise TableError(name, f"not a CDC NDC file: no column {', '.join(missing)} (columns: {', '.join(columns)})")
    drugs: dict[tuple[str, str], str | None] = {}
    products: dict[str, NdcProduct] = {}
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, 2):
        if not any(_text(v) for v in row):
            continue
        cells = {key: row[i] if i is not None and i < len(row) else None for key, i in index.items()}
        try:
            raw = cells["ndc"]
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            if _text(raw):
                ndc = normalize_ndc(raw if isinstance(raw, int) else _text(raw))
            else:
                ndc = normalize_ndc(int(_text(cells["ndc_numeric"])))
        except (NdcError, ValueError) as exc:
            raise TableError(name, f"bad NDC: {exc}", row=line) from exc
        product = _product(name, line, ndc, cells, drugs)
        if ndc in products and products[ndc] != product:  # which row is right? A repeat of the same row is harmless
            raise TableError(
                name, f"NDC {ndc} is listed twice as different products: rows {first_line[ndc]} and {line} differ in "
                f"{_differences(products[ndc], product)}; keep the right one", row=line,
            )  # fmt: skip
        products.setdefault(ndc, product)
        first_line.setdefault(ndc, line)
    return products


def _differences(first: NdcProduct, second: NdcProduct) -> str:
    """What two rows of one NDC say differently: "strength (10.0 vs 20.0), factor (1.5 vs 3)"."""
    return ", ".join(
        f"{f.name} ({getattr(first, f.name)} vs {getattr(second, f.name)})"
        for f in fields(NdcProduct)
        if getattr(first, f.name) != getattr(second, f.name)
    )


def _number(name: str, line: int, what: str, value: object) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise TableError(name, f"{what} {text!r} is not a number", row=line)
    return number


def _product(
    name: str, line: int, ndc: str, cells: Mapping[str, object], drugs: dict[tuple[str, str], str | None]
) -> NdcProduct:
    generic = _text(cells["generic"])
    drug_column = _text(cells["drug"])
    if (drug_column, generic) not in drugs:
        drugs[(drug_column, generic)] = _drug(drug_column, generic)
    drug = drugs[(drug_column, generic)]
    uom = _text(cells["uom"]).upper()
    if uom and uom not in _UNITS:
        raise TableError(name, f"unknown UOM {uom!r} (known: {', '.join(_UNITS)})", row=line)
    unit = _UNITS.get(uom)
    product = _text(cells["product"])
    master_form = _text(cells["master_form"])
    route, form = _route_form(drug, master_form, generic, product, unit)
    strength = _number(name, line, "Strength_Per_Unit", cells["strength"])
    factor = _number(name, line, "MME_Conversion_Factor", cells["factor"])
    acting = (_text(cells["long_short"]) or _text(cells["dea_class"]) or drug_column.rpartition(" ")[2]).upper()
    return NdcProduct(
        ndc=ndc,
        product_name=product or None,
        generic_name=generic,
        drug=drug,
        form=form,
        route=route,
        strength=None if strength is None else float(strength),
        unit=unit,
        factor=factor,
        long_acting=True if acting == "LA" else False if acting.startswith("SA") else None,
        master_form=master_form,
    )


_PARENTERAL = ("intravenous", "intramuscular", "subcutaneous")
_ROW_UNIT = {"mg": "mg", "mg/mL": "mg", "mcg": "mcg", "mcg/spray": "mcg", "mcg/h": "mcg/h"}


def _file_row(product: NdcProduct, file: str) -> FactorRow | Exclusion:
    """The product's own factor as a one-product row, so the engine's arithmetic applies unchanged."""
    assert product.drug is not None
    source = f"NDC {product.ndc} ({product.generic_name}, {product.master_form}) in {file}"
    if product.factor is None:
        return Exclusion(drug=product.drug, reason=f"{file} gives no MME conversion factor for this NDC", source=source)
    routes = (product.route,) if product.route else _PARENTERAL if product.form == "injection" else ("oral",)
    unit = _ROW_UNIT[product.unit or "mg"]
    wear = _documented_wear(product.drug, product.factor) if unit == "mcg/h" else None
    if unit == "mcg/h" and wear is None:
        raise NotCoveredError(
            f"{source}: the file prints {product.factor} per mcg/h per dispensed patch without the wear period "
            f"built into it, and no shipped table documents one for a {product.drug} patch factor of "
            f"{product.factor}: MME/day would rest on a guess. Pass table= with a factor for this patch.",
            [t.slug for t in list_tables() if any(r.drug == product.drug and r.is_patch for r in t.rows)],
        )
    try:
        return FactorRow.model_validate(
            {"drug": product.drug, "routes": routes, "forms": (product.form,) if product.form else (), "unit": unit,
             "factor": str(product.factor), "wear_days": wear, "source": source}
        )  # fmt: skip
    except ValidationError as exc:
        raise TableError(file, f"NDC {product.ndc}: {exc.errors()[0]['msg']}", field="MME_Conversion_Factor") from None


def _documented_wear(drug: str, factor: Decimal) -> int | None:
    """The wear period built into a dispensed-patch factor, where a shipped table documents it for this factor.

    CDC's 2016-2018 Documentation derives 7.2 = 2.4 per mcg/h x 3 days (fentanyl, note 1a) and
    12.6 = 1.8 per mcg/h x 7 days (buprenorphine, note 1b). The 2010 and 2013 files print 42 for
    Butrans with no derivation: its wear period is not known, and is not guessed.
    """
    found = {
        row.wear_days
        for table in list_tables()
        if table.patch_convention == "dispensed"
        for row in table.rows_for(drug)
        if row.is_patch and row.factor == factor
    }
    return found.pop() if len(found) == 1 else None


def file_variant(variant: str, *, table: str = "table=", named: str = "variant=") -> str:
    """Why a variant cannot go with an NDC file's own factors (one per NDC): a table's values are what it chooses
    among, and dropped unsaid it would leave the file's factor where the caller asked for another (methadone's 3 for
    CMS 2018's tiers). ``table`` and ``named`` are how the caller spells the two arguments."""
    return (
        f"an NDC file's own factors print no variants: drop {named}{excerpt(variant)}, or pass {table.rstrip()} to read the "
        f"NDC's drug under a table that prints it (e.g. {table}cms-2018 with {named}tiers for methadone's tiers)"
    )


def ndc_mme(
    ndc: str | int | float,
    *,
    quantity: float,
    days_supply: float,
    ndc_file: NdcFile,
    table: TableLike | None = None,
    package_ml: float | None = None,
    variant: str | None = None,
) -> DailyMME:
    """MME/day of a claim identified by NDC: strength and form from the file, factor from ``table``.

    By default the factor printed in the file itself (with the CDC files' dispensed-patch
    convention: days supply = patches x wear days); with ``table`` (a slug, path or `Table`)
    that table's factor for the product's drug, route and form. Unknown NDCs raise
    `NotCoveredError`; an NDC the file gives no factor returns a result with no MME and the reason.
    """
    if table is None and variant is not None:
        raise AmbiguousDoseError(file_variant(variant))
    product = ndc_file_of(ndc_file).lookup(ndc)
    if product.drug is None or product.strength is None or product.unit is None:
        raise NotCoveredError(f"NDC {product.ndc} ({product.generic_name}) has no opioid strength in {ndc_file.name}")
    strength = f"{product.strength!r} {product.unit}"
    if table is not None:
        return dispensing_mme(
            product.drug, strength, quantity=quantity, days_supply=days_supply, package_ml=package_ml,
            route=product.route, form=product.form, variant=variant, table=table,
        )  # fmt: skip
    row = _file_row(product, ndc_file.name)
    route = product.route or (row.routes[0] if len(row.routes) == 1 else None)
    return dispensed(
        ndc_file, planned(row, product.drug, product.unit), product.drug, route, product.form, None,
        amount(strength, what="strength"), quantity, days_supply, package_ml,
    )  # fmt: skip

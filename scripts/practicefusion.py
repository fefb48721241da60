"""Measure the dose-expression reader on Practice Fusion's calculator corpora (MIT; see docs/expressions.md).

Prints, for `calculator-test-data.tsv` read as "display name + sig" and as "RxNorm name + sig" under
cms-2018 (methadone tiers): how many rows convert, how many of those equal the expected maximum MME/day,
the others by the documented reading that sets them apart (`why_unequal`: each checked, else "unexplained"),
and the refusals counted by family with an example; for the exception file, how many give a number
different from the expected one; for `sig-test-data.tsv`, how many sigs read as Practice Fusion reads
them; and the cost of `convert` on a long sig (remembered) and on each distinct text of the corpus (read afresh).

    python scripts/practicefusion.py [FOLDER]   # FOLDER holds the .tsv files
"""

from __future__ import annotations

import argparse
import collections
import csv
import functools
import math
import re
import statistics
import time
import timeit
from pathlib import Path

import mme
from mme._parse import Expression, parse_expression, parse_product
from mme._vocab import TIMES_OF_DAY

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "practicefusion"
TABLE = "cms-2018"


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r]


def rxnorm_names(folder: Path) -> dict[str, str]:
    return {r[0]: r[1] for r in rows(folder / "rxnorm-opioids-all.tsv")[1:]}


def mme_of(text: str) -> float | str:
    """MME/day, "excluded", or the error's family."""
    try:
        result = _result(text)
    except mme.MMEError as e:
        return f"{type(e).__name__}: {family(str(e))}"
    return "excluded" if result.mme_per_day is None else result.mme_per_day


def family(message: str) -> str:
    """The error message without the quoted parts and the grammar reminder: one family of refusals."""
    message = message.split(" in '", maxsplit=1)[0].split(". Expected", maxsplit=1)[0]
    return re.sub(r"'[^']*'|\"[^\"]*\"|[0-9.]+", "…", message)[:90]


def agrees(got: float | str, expected: str) -> bool:
    if got == "excluded":
        return float(expected) == 0  # Practice Fusion gives buprenorphine factor 0; mme gives no MME
    return isinstance(got, float) and math.isclose(got, float(expected), rel_tol=1e-6, abs_tol=0.051)


#: A liquid's label per N mL ("10 mg-325 mg/15 mL", "100 mg/5ml"): the amounts in mg, then N.
#: A liquid's label ("10 mg-325 mg/15 mL", "100 mg/5ml", "20 MG/ML"): the amounts in mg, then the mL (none: 1).
_LABEL = re.compile(r"((?:[0-9]*\.?[0-9]+\s*mg\s*-?\s*)+)/\s*([0-9]*\.?[0-9]+)?\s*ml\b", re.IGNORECASE)
_SPOON = re.compile(r"a medicinal \w+ is ([0-9.]+) mL")  # the warning of a volume given in spoons
_DOSING_DAY = re.compile(r"a day with a dose has ([0-9.e+]+) MME")
_TIMES_OF_DAY = frozenset(TIMES_OF_DAY)
_AFTER_ONE = re.compile(
    r"\b1 (?:tab|tablet|cap|capsule)s?\s+[0-9]+(?:-[0-9]+)?\s+(?:daily|per day|a day)", re.IGNORECASE
)


def _times(expr: Expression) -> float:
    return expr.per_day if expr.per_day is not None else 24 / (expr.every_hours or 24)


def why_unequal(result: mme.DailyMME, expected: float) -> str:
    """Why a converted row differs from Practice Fusion's expected value: one of the readings docs/expressions.md
    documents, each checked on the row's own numbers, or "unexplained"."""
    got, expr = result.mme_per_day, result.expression
    assert got is not None  # a converted row
    assert expr is not None
    close = functools.partial(math.isclose, rel_tol=1e-6, abs_tol=0.051)
    day = next((float(m[1]) for w in result.warnings if (m := _DOSING_DAY.search(w))), None)
    if day is not None and close(day, expected):
        return "taken less than once a day: expected is the MME of a day with a dose, which the warning gives"
    if any(w.startswith("patch changed more often") for w in result.warnings) and close(got * _times(expr), expected):
        return "a patch's change frequency: expected counts each change as one more patch worn (warned)"
    spoon = next((float(m[1]) for w in result.warnings if (m := _SPOON.search(w))), None)
    if spoon is not None and close(got / spoon, expected):
        return "a spoon: mme reads a teaspoon as 5 mL, a tablespoon as 15 mL (warned); expected reads either as 1 mL"
    label = _LABEL.search(expr.text)
    if expr.volume and label and result.factor is not None:
        # by hand: one of the label's amounts / its mL x the mL taken a day x the factor
        ml = float(expr.volume.split()[0]) * expr.count * _times(expr)
        per = float(label[2] or 1)
        by_hand = (float(mg) / per * ml * float(result.factor) for mg in re.findall(r"[0-9]*\.?[0-9]+", label[1]))
        if any(close(got, x) for x in by_hand):
            return "a liquid: mme's mg per mL x mL, redone by hand from the label; expected reads the label otherwise"
    if expr.cap and any("capped at the stated maximum" in w for w in result.warnings):
        uncapped = _result(expr.text.replace(expr.cap, "")).mme_per_day  # the same sig, its maximum left out
        if uncapped is not None and close(uncapped, expected):
            return "a stated maximum ('max 5/day'): mme caps the regimen (warned), expected does not"
    if (
        expr.count == 1
        and expr.per_day is not None
        and _AFTER_ONE.search(expr.text)
        and close(got, expected * expr.per_day)
    ):
        return "'1 tablet 2-3 daily': how many a day after a count of one (the same as times a day); expected reads one"
    words = set(re.findall(r"[a-z]+", expr.text.lower()))
    if expr.per_day is not None and expr.per_day > 1 and words & _TIMES_OF_DAY and close(got, expected * expr.per_day):
        return "times of day ('q am and hs'), each counted: expected counts one"
    return "unexplained"


def _result(text: str) -> mme.DailyMME:
    """`mme.convert` under cms-2018, with CMS's methadone tiers where the table asks which variant."""
    try:
        return mme.convert(text, table=TABLE)
    except mme.AmbiguousDoseError as e:
        if "variant" not in str(e):
            raise
        return mme.convert(text, table=TABLE, variant="tiers")


def corpus(label: str, cases: list[tuple[str, str]]) -> None:
    """Converted and equal rows, the refusals by family, the unequal ones by `why_unequal`."""
    converted = equal = 0
    refused: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    unequal: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    for text, expected in cases:
        got = mme_of(text)
        if isinstance(got, str) and got != "excluded":
            refused[got] += 1
            examples.setdefault(got, text)
            continue
        converted += 1
        if agrees(got, expected):
            equal += 1
        else:
            assert isinstance(got, float)  # "excluded" agrees or is refused above
            why = why_unequal(_result(text), float(expected))
            unequal[why] += 1
            if why == "unexplained":
                wrong.append(f"{text!r}: {got} (expected {expected})")
    n = len(cases)
    print(
        f"{label}: {n} rows, converted {converted} ({converted / n:.1%}), equal {equal} ({equal / max(converted, 1):.1%} of converted)"
    )
    for msg, count in refused.most_common(12):
        print(f"  {count:5d}  {msg}  e.g. {examples[msg]!r}")
    for why, count in unequal.most_common():
        print(f"  unequal {count:5d}  {why}")
    for line in wrong[:10]:
        print(f"  UNEXPLAINED {line}")


_PRODUCT_OF = {"tablet": "oxycodone 1 mg tablet", "pill": "oxycodone 1 mg tablet", "capsule": "oxycodone 1 mg capsule",
               "ml": "morphine 1 mg/mL solution", "mg": "oxycodone 1 mg tablet", "film": "buprenorphine 1 mg film",
               "patch": "fentanyl 1 mcg/h patch", "suppository": "morphine 1 mg suppository",
               "spray": "fentanyl 1 mcg nasal spray", "lozenge": "fentanyl 1 mcg lozenge", "": "oxycodone 1 mg tablet"}  # fmt: skip


_SINGULAR = {"tablets": "tablet", "capsules": "capsule", "pills": "pill", "patches": "patch", "films": "film",
             "sprays": "spray", "suppositories": "suppository", "lozenges": "lozenge"}  # fmt: skip
_MG_IN = {"mg": 1.0, "mc": 0.001, "g": 1000.0, "gr": 1000.0}  # by a unit's first two letters
_STATED = re.compile(r"\b([0-9.]+) *(?:tab|cap|ml\b)[a-z()]* *\(([0-9.]+) *(mg|mcg|grams?|g)\)", re.IGNORECASE)


def sig_cases(folder: Path) -> None:
    """Practice Fusion's sig cases (PASS rows): the most units taken on one day, as they report it.

    Each sig is read after a 1-unit product of the form its expected unit names ("2 tablets" after
    "oxycodone 1 mg tablet"); fewer than one administration a day counts one, as they do.
    """
    passed = [r for r in rows(folder / "sig-test-data.tsv") if r[0].strip("\ufeff") == "PASS"]
    same = 0
    for r in passed:
        number, _, unit = r[4].partition(" ")
        product = _PRODUCT_OF.get(_SINGULAR.get(unit, unit))
        if product is None:
            continue
        stated = _STATED.search(r[2])  # "1 tablet (10 mg)", "10 ml (12.5 mg)": a product of 10 mg, 1.25 mg/mL
        if stated and product.endswith(("tablet", "capsule", "solution")):
            per_unit = float(stated[2]) / float(stated[1]) * _MG_IN[stated[3].lower()[0:2]]
            product = product.replace(" 1 mg", f" {per_unit:g} mg", 1)
        try:
            e = parse_expression(f"{product} {r[2]}")
        except mme.MMEError:
            continue
        times = max(_times(e), 1)
        amount = float(e.volume.split()[0]) if e.volume else e.count
        same += (e.per_day, e.every_hours) != (None, None) and math.isclose(amount * times, float(number))
    print(
        f"sig-test-data: {len(passed)} PASS rows, read as Practice Fusion reads them: {same} ({same / len(passed):.1%})"
    )


def rxnorm_products(folder: Path) -> None:
    """RxNorm names read into the right opioid ingredient, strength and unit (OMTK's columns say which).

    A product with two salts of one opioid has an OMTK row for each; their strengths add up.
    """
    omtk = folder.parent / "cqf-opioid-mme-r4" / "omtkdata_drug_ingredients_2020-10-20.csv"
    with omtk.open(encoding="utf-8", newline="") as f:
        expected: dict[str, tuple[str, str, float]] = {}  # drugCode -> (name, ingredient, strength as written)
        for r in csv.DictReader(f):
            old = expected.get(r["drugCode"], ("", "", 0.0))
            expected[r["drugCode"]] = (r["drugName"], r["ingredientName"].lower(), old[2] + float(r["strengthValue"]))
    for label, cases in (
        ("OMTK drug names", [(name, (drug, value)) for name, drug, value in expected.values()]),
        (
            "rxnorm-opioids-all names",
            [(name, expected[code][1:] if code in expected else None) for code, name in rxnorm_names(folder).items()],
        ),
    ):
        right = checked = 0
        misses: collections.Counter[str] = collections.Counter()
        for name, want in cases:
            try:
                product = parse_product(name)
            except mme.MMEError as e:
                misses[family(str(e))] += 1
                continue
            if want is None:
                right += 1  # resolved; OMTK has no row to check it against
                continue
            checked += 1
            per_unit = want[1] * (product.pack or 1)  # OMTK gives a pack's units' strength; the product, the pack's
            ok = product.drug == want[0] and math.isclose(float(product.strength.split()[0]), per_unit)
            right += ok
            if not ok:
                misses[f"different: {product.drug} {product.strength} vs {want[0]} {want[1]}"] += 1
        print(f"{label}: {len(cases)} names, right {right} ({right / len(cases):.1%}; {checked} checked against OMTK)")
        for msg, n in misses.most_common(6):
            print(f"  {n:5d}  {msg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT, help="the folder of the .tsv files")
    folder = parser.parse_args().folder
    names = rxnorm_names(folder)
    data = rows(folder / "calculator-test-data.tsv")
    corpus("display name + sig", [(f"{r[2]} {r[3]}", r[4]) for r in data])
    corpus("RxNorm name + sig", [(f"{names[r[1]]} {r[3]}", r[4]) for r in data if r[1] in names])
    exceptions = rows(folder / "calculator-expected-exception-test-data.tsv")
    corpus("exception file (display name + sig)", [(f"{r[2]} {r[3]}", r[4]) for r in exceptions])
    sig_cases(folder)
    rxnorm_products(folder)
    long_sig = "acetaminophen-HYDROcodone 325 mg-7.5 mg oral tablet 1-2 tab(s) orally every 4 to 6 hours, as needed for breakthrough pain x 5 days"
    n = 2000
    cost = min(timeit.repeat(lambda: mme.convert(long_sig), number=n, repeat=5)) / n
    print(f"convert on a long sig ({len(long_sig)} chars), remembered: {cost * 1e6:.1f} us")
    texts = list(dict.fromkeys(f"{r[2]} {r[3]}" for r in data))
    costs = []
    for text in texts:  # each distinct text once, so none is remembered; CPU time: a busy machine's pauses are not ours
        start = time.thread_time()
        mme_of(text)
        costs.append(time.thread_time() - start)
    print(
        f"convert on display name + sig, each of {len(texts)} distinct texts read afresh (CPU time): median "
        f"{statistics.median(costs) * 1e6:.1f} us, mean {statistics.fmean(costs) * 1e6:.1f} us"
    )


if __name__ == "__main__":
    main()

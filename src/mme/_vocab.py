"""Canonical ingredients, routes, forms and release types, and the names people type for them.

Tables speak only canonical names; everything a user types goes through `resolve_*`.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from ._errors import MAX_TEXT, UnknownDrugError, UnknownTermError, bounded, excerpt

__all__ = [
    "DRUGS",
    "FORMS",
    "PATCH_MOST_MCG_H",
    "PATCH_WEAR_DAYS",
    "RELEASES",
    "ROUTES",
    "DrugName",
    "Release",
    "resolve_drug",
    "resolve_form",
    "resolve_release",
    "resolve_route",
]

Release = Literal["IR", "ER"]

#: Every opioid ingredient that appears in a shipped table.
DRUGS: frozenset[str] = frozenset(
    {
        "buprenorphine",
        "butorphanol",
        "codeine",
        "dihydrocodeine",
        "fentanyl",
        "hydrocodone",
        "hydromorphone",
        "levomethadyl",
        "levorphanol",
        "meperidine",
        "methadone",
        "morphine",
        "nalbuphine",
        "opium",
        "oxycodone",
        "oxymorphone",
        "pentazocine",
        "propoxyphene",
        "sufentanil",
        "tapentadol",
        "tramadol",
    }
)

ROUTES: frozenset[str] = frozenset(
    {
        "oral",
        "transdermal",
        "buccal",
        "sublingual",
        "transmucosal",
        "nasal",
        "rectal",
        "intravenous",
        "subcutaneous",
        "intramuscular",
    }
)

FORMS: frozenset[str] = frozenset(
    {
        "tablet",
        "capsule",
        "solution",
        "suspension",
        "syrup",
        "patch",
        "film",
        "lozenge",
        "spray",
        "suppository",
        "injection",
        "implant",
    }
)

#: Forms counted as solid units, never measured by volume: a count of one beside a strength per mL contradicts it.
SOLID_FORMS: frozenset[str] = frozenset({"tablet", "capsule", "patch", "film", "lozenge", "suppository", "implant"})

RELEASES: frozenset[str] = frozenset({"IR", "ER"})
#: Each release, as a message says it.
RELEASE_WORDS: dict[Release, str] = {"IR": "immediate-release", "ER": "extended-release"}

#: How long one patch is worn, in days: CDC's NDC file documentation ("Days Supply for fentanyl
#: patches = # of patches X 3"; 2016 edition: "for buprenorphine patches = # of patches x 7").
PATCH_WEAR_DAYS: dict[str, int] = {"fentanyl": 3, "buprenorphine": 7}
#: The highest rate (mcg/h) one patch of each drug is sold in: fentanyl 100 (Duragesic, US label on DailyMed;
#: Durogesic, EU SmPC), buprenorphine 70 (Transtec, EU SmPC; Butrans is sold up to 20, US label; Norspan up to 40,
#: Australian product information). A higher rate per patch is no product: a slip, or several patches' total.
PATCH_MOST_MCG_H: dict[str, float] = {"fentanyl": 100.0, "buprenorphine": 70.0}


@dataclass(frozen=True, slots=True)
class DrugName:
    """What a typed name means: the ingredient, and the route/form/release a brand implies."""

    drug: str
    route: str | None = None
    form: str | None = None
    release: Release | None = None


_SPACES = re.compile(r"[\s_\-]+")


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower().replace("®", "").replace("™", ""))


def _name_key(text: str) -> str:
    """A drug's name as looked up: accents dropped ("méthadone", "paracétamol", as French prescriptions write
    them), since no two names differ only by them."""
    key = _key(text)
    if key.isascii():
        return key
    return "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))


_ROUTE_ALIASES: dict[str, str] = {r: r for r in ROUTES} | {
    "po": "oral",
    "p o": "oral",
    "by mouth": "oral",
    "per os": "oral",
    "td": "transdermal",
    "topical": "transdermal",
    "skin": "transdermal",
    "sl": "sublingual",
    "under the tongue": "sublingual",
    "bucc": "buccal",
    "otm": "transmucosal",
    "oral transmucosal": "transmucosal",
    "intranasal": "nasal",
    "in": "nasal",
    "nose": "nasal",
    "pr": "rectal",
    "iv": "intravenous",
    "i.v.": "intravenous",
    "sc": "subcutaneous",
    "sq": "subcutaneous",
    "subcut": "subcutaneous",
    "s.c.": "subcutaneous",
    "im": "intramuscular",
    "i.m.": "intramuscular",
}

_FORM_ALIASES: dict[str, str] = {f: f for f in FORMS} | {
    "tab": "tablet",
    "tabs": "tablet",
    "tabl": "tablet",  # pharmacy labels' abbreviations ("1 TABL"); "tbl" and "tbs" are in AMBIGUOUS_WORDS
    "tabls": "tablet",
    "tablets": "tablet",
    "cap": "capsule",
    "caps": "capsule",
    "capsules": "capsule",
    "liquid": "solution",
    "oral solution": "solution",
    "solution buvable": "solution",  # French: an oral solution
    "elixir": "solution",
    "drops": "solution",
    "patches": "patch",
    "transdermal patch": "patch",
    "transdermal patches": "patch",
    "td patch": "patch",
    "td patches": "patch",
    "system": "patch",
    "systems": "patch",
    "films": "film",
    "buccal film": "film",
    "buccal films": "film",
    "troche": "lozenge",
    "troches": "lozenge",
    "lozenges": "lozenge",
    "lollipop": "lozenge",
    "lollipops": "lozenge",
    "sprays": "spray",
    "pulvérisation": "spray",  # French
    "pulvérisations": "spray",
    "nasal spray": "spray",
    "nasal sprays": "spray",
    "oral spray": "spray",
    "oral sprays": "spray",
    "sublingual spray": "spray",
    "sublingual sprays": "spray",
    "suppositories": "suppository",
    "supp": "suppository",
    "supps": "suppository",
    "implants": "implant",
    "injectable": "injection",
    "inj": "injection",
}

# A form that implies a route (a patch is transdermal), and the route some typed forms carry.
#: Unit spellings, each once, with the canonical unit each means: the sig reader and `mme._units` read these.
MASS_UNITS: dict[str, str] = {
    **dict.fromkeys(("mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"), "mg"),
    **dict.fromkeys(
        ("mcg", "mcgs", "µg", "μg", "ug", "microg", "microgram", "micrograms", "microgramme", "microgrammes"), "mcg"
    ),
    **dict.fromkeys(("g", "gm", "gram", "grams", "gramme", "grammes"), "g"),
}
VOLUME_UNITS: dict[str, str] = {
    **dict.fromkeys(("ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters", "cc", "ccs"), "mL"),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters"), "L"),  # the engine's; no sig doses in litres
}
#: Spoons a liquid's sig may give its volume in, with the mL of the standard medicinal measure (5 mL a teaspoon,
#: 15 mL a tablespoon: USP; FDA, dosage delivery devices for orally ingested liquids, 2011): read with a note,
#: as a household spoon holds more or less.
SPOONS: dict[str, str] = {
    **dict.fromkeys(("tsp", "tsps", "teaspoon", "teaspoons", "teaspoonful", "teaspoonfuls"), "teaspoon"),
    **dict.fromkeys(("tbsp", "tbsps", "tablespoon", "tablespoons", "tablespoonful", "tablespoonfuls"), "tablespoon"),
    # French: "cuillère à café" (a coffee spoon, 5 mL), "cuillère à soupe" (a soup spoon, 15 mL), "c. à café"
    **{f"{spoon} à café": "teaspoon" for spoon in ("cuillère", "cuillères", "cuillerée", "cuillerées", "c")},
    **{f"{spoon} à soupe": "tablespoon" for spoon in ("cuillère", "cuillères", "cuillerée", "cuillerées", "c")},
    # their abbreviations, "c.à.c." or "càc" and "c.à.s." or "càs" ("cas" alone is French "case": "en cas de douleur")
    **dict.fromkeys(("càc", "c à c"), "teaspoon"),
    **dict.fromkeys(("càs", "c à s"), "tablespoon"),
}
SPOON_ML: dict[str, float] = {"teaspoon": 5.0, "tablespoon": 15.0}
#: Abbreviations that say two things in a sig, either reading possibly wrong: refused, saying what they may be and
#: what to write instead. A label may use "tbs" for a tablet or a tablespoon ("1 tbs"); "ss" is Latin semis, one half
#: ("tab ss", "i ss"), or a sliding scale, and is on ISMP's list of error-prone abbreviations (misread as "55").
AMBIGUOUS_WORDS: dict[str, str] = {
    **dict.fromkeys(("tb", "tbl", "tbls", "tbs"), "may be a tablespoon or a tablet: write 'tbsp' (or the mL) or 'tab'"),
    "ss": "may be one half (semis) or a sliding scale: write the count in numbers (e.g. '1/2 tab', '1 1/2 tabs')",
}
HOUR_WORDS: frozenset[str] = frozenset({"h", "hr", "hrs", "hour", "hours", "heure", "heures"})
DAY_WORDS: frozenset[str] = frozenset({"d", "day", "days", "jour", "jours", "j"})
#: Minutes, read only in an interval with its number ("q30min", "every 30 minutes").
MINUTE_WORDS: frozenset[str] = frozenset({"min", "mins", "minute", "minutes"})
#: Daily frequency codes as prescribers abbreviate them (US and UK): administrations a day.
TIMES_A_DAY_CODES: dict[str, int] = {
    **dict.fromkeys(("qd", "od", "daily", "qday"), 1),
    **dict.fromkeys(("bid", "bd", "bds"), 2),  # "bds", "b.d.s.": UK charts' bis die sumendum
    **dict.fromkeys(("tid", "tds"), 3),
    **dict.fromkeys(("qid", "qds"), 4),
}
#: The same, with the once-a-day codes that also say the time ("qhs"): what ``per_day=`` accepts.
PER_DAY_CODES: dict[str, int] = {**TIMES_A_DAY_CODES, "qhs": 1, "qam": 1, "qpm": 1}


class Fixed(NamedTuple):
    """A frequency said in fixed words: administrations a day, or the hours between them."""

    per_day: float | None = None
    every: float | None = None


#: Frequencies said in fixed words or codes, each once (the parser reads them; ``per_day=`` reads the codes).
FREQUENCY_WORDS: dict[str, Fixed] = {
    **{code: Fixed(per_day=float(n)) for code, n in TIMES_A_DAY_CODES.items()},
    **dict.fromkeys(("every day", "each day", "q daily", "once a day", "once daily"), Fixed(per_day=1.0)),
    **dict.fromkeys(("a day", "per day", "par jour"), Fixed(per_day=1.0)),  # "2 tabs a day": the count is the day's
    **dict.fromkeys(("qod", "every other day", "alternate days", "every alternate day"), Fixed(every=48.0)),
    **dict.fromkeys(("weekly", "qweek", "once weekly", "once a week", "every week"), Fixed(every=168.0)),
    "hourly": Fixed(every=1.0),
}
#: What separates the components of a combination: "oxycodone/acetaminophen", "... & ...", "... with ...".
COMPONENT_SEPARATOR = re.compile(r"\s*(?:/|\+|&|\bwith\b|\band\b|\bw/)\s*", re.IGNORECASE)
FORM_ROUTE: dict[str, str] = {
    "patch": "transdermal",
    "suppository": "rectal",
    "lozenge": "transmucosal",
    "implant": "subcutaneous",  # Probuphine, inserted under the skin of the arm
}
PARENTERAL: frozenset[str] = frozenset({"intravenous", "subcutaneous", "intramuscular"})
#: Routes through the mouth's or nose's lining: products differ too much for any of them to be a default.
TRANSMUCOSAL: frozenset[str] = frozenset({"buccal", "sublingual", "transmucosal", "nasal"})
#: Swallowed or held in the mouth: a tablet, a capsule, a liquid or a film is never injected, worn or inserted.
BY_MOUTH: frozenset[str] = frozenset({"oral"} | TRANSMUCOSAL - {"nasal"})
#: Forms that only a table row naming them fits: a row naming no form is for the usual products of its route (an
#: injection's factor is no implant's, which releases over months).
NAMED_ONLY_FORMS: frozenset[str] = frozenset({"implant"})
#: The routes each form can be given by: a table row for other routes never fits it (a row naming no form included).
FORM_ROUTES: dict[str, frozenset[str]] = (
    {form: frozenset({route}) for form, route in FORM_ROUTE.items()}
    | dict.fromkeys(("tablet", "capsule", "solution", "suspension", "syrup", "film"), BY_MOUTH)
    | {"spray": BY_MOUTH | {"nasal"}, "injection": PARENTERAL}
)
_FORM_PHRASE_ROUTE: dict[str, str] = {
    "nasal spray": "nasal",
    "nasal sprays": "nasal",
    "oral spray": "sublingual",
    "oral sprays": "sublingual",
    "mucosal spray": "sublingual",  # RxNorm's form of Subsys, a sublingual spray
    "mucosal sprays": "sublingual",
    "sublingual spray": "sublingual",
    "sublingual sprays": "sublingual",
    "buccal film": "buccal",
    "buccal films": "buccal",
    "transdermal patch": "transdermal",
    "transdermal patches": "transdermal",
    "td patch": "transdermal",
    "td patches": "transdermal",
    "oral solution": "oral",
    "solution buvable": "oral",
    "oral suspension": "oral",
    "transdermal film": "transdermal",
    "transdermal films": "transdermal",
    "transdermal system": "transdermal",
    "transdermal systems": "transdermal",
}

_RELEASE_ALIASES: dict[str, Release] = {
    "ir": "IR",
    "immediate release": "IR",
    "immediate-release": "IR",
    "sa": "IR",
    "short acting": "IR",
    "er": "ER",
    "xr": "ER",
    "sr": "ER",
    "cr": "ER",
    "la": "ER",
    "mr": "ER",
    "xl": "ER",
    "extended release": "ER",
    "extended-release": "ER",
    "long acting": "ER",
    "modified release": "ER",
    "controlled release": "ER",
    "sustained release": "ER",
    "prolonged release": "ER",  # the EU's and the BNF's word: "prolonged-release tablets"
}

# Generic and salt names, and brand names (US, UK, AU, FR). Brands carry the route/form/release they imply.
_DRUG_ALIASES: dict[str, DrugName] = {d: DrugName(d) for d in DRUGS}
_DRUG_ALIASES |= {
    name: DrugName(drug)
    for drug, names in {
        "buprenorphine": ["buprenorphine hydrochloride", "buprenorphine hcl"],
        "butorphanol": ["butorphanol tartrate"],
        "codeine": ["codeine phosphate", "codeine sulfate", "codeine sulphate"],
        "dihydrocodeine": ["dihydrocodeine bitartrate", "dihydrocodeine tartrate"],
        "fentanyl": ["fentanyl citrate", "fentanyl cit"],  # "FENTANYL CIT", as claims files truncate it
        "hydrocodone": ["hydrocodone bitartrate", "dihydrocodeinone"],
        "hydromorphone": ["hydromorphone hydrochloride", "hydromorphone hcl", "dihydromorphinone"],
        "levomethadyl": ["levomethadyl acetate", "laam"],
        "levorphanol": ["levorphanol tartrate"],
        "meperidine": ["pethidine", "meperidine hydrochloride", "meperidine hcl", "pethidine hydrochloride"],
        "methadone": ["methadone hydrochloride", "methadone hcl"],
        "morphine": ["morphine sulfate", "morphine sulphate", "morphine hydrochloride", "morphine hcl", "morphine sul"],
        "nalbuphine": ["nalbuphine hydrochloride", "nalbuphine hcl"],
        "opium": ["opium tincture", "belladonna/opium"],
        "oxycodone": ["oxycodone hydrochloride", "oxycodone hcl", "oxycodone myristate"],
        "oxymorphone": ["oxymorphone hydrochloride", "oxymorphone hcl"],
        "pentazocine": ["pentazocine hydrochloride", "pentazocine lactate"],
        "propoxyphene": ["dextropropoxyphene", "propoxyphene napsylate", "propoxyphene hydrochloride"],
        "sufentanil": ["sufentanil citrate"],
        "tapentadol": ["tapentadol hydrochloride", "tapentadol hcl"],
        "tramadol": ["tramadol hydrochloride", "tramadol hcl"],
    }.items()
    for name in names
}
_DRUG_ALIASES |= {  # French: the salt first ("sulfate de morphine"), looked up without accents
    name: DrugName(drug)
    for drug, names in {
        "morphine": ["sulfate de morphine", "chlorhydrate de morphine"],
        "oxycodone": ["chlorhydrate d'oxycodone"],
        "hydromorphone": ["chlorhydrate d'hydromorphone"],
        "methadone": ["chlorhydrate de methadone"],
        "tramadol": ["chlorhydrate de tramadol"],
        "codeine": ["phosphate de codeine"],
        "fentanyl": ["citrate de fentanyl"],
    }.items()
    for name in names
}
_BRANDS: dict[str, DrugName] = {
    # oxycodone
    "oxycontin": DrugName("oxycodone", "oral", "tablet", "ER"),
    "roxybond": DrugName("oxycodone", "oral", "tablet", "IR"),  # abuse-deterrent IR tablets (US label, DailyMed)
    "xtampza": DrugName("oxycodone", "oral", "capsule", "ER"),
    "xtampza er": DrugName("oxycodone", "oral", "capsule", "ER"),
    "xartemis": DrugName("oxycodone", "oral", "tablet", "ER"),  # with acetaminophen: COMBINATIONS
    "roxicodone": DrugName("oxycodone", "oral", "tablet", "IR"),
    "oxynorm": DrugName("oxycodone", "oral", None, "IR"),
    "oxaydo": DrugName("oxycodone", "oral", "tablet", "IR"),
    "percocet": DrugName("oxycodone", "oral", "tablet", "IR"),
    "endocet": DrugName("oxycodone", "oral", "tablet", "IR"),
    "percodan": DrugName("oxycodone", "oral", "tablet", "IR"),
    "targin": DrugName("oxycodone", "oral", "tablet", "ER"),
    "targinact": DrugName("oxycodone", "oral", "tablet", "ER"),
    "endone": DrugName("oxycodone", "oral", "tablet", "IR"),
    "longtec": DrugName("oxycodone", "oral", "tablet", "ER"),
    "shortec": DrugName("oxycodone", "oral", "capsule", "IR"),
    "proladone": DrugName("oxycodone", "rectal", "suppository"),
    # added with their product information: Oxynormoro, orodispersible tablets (France, ANSM's base de données
    # publique des médicaments); Sophidone LP, capsules (ibid.); Dicodin LP, tablets (ibid.); Ordine, oral
    # liquid (Australia, TGA product information); Biodone Forte, oral liquid 5 mg/mL (ibid.)
    "oxynormoro": DrugName("oxycodone", "oral", "tablet", "IR"),
    # combinations (COMBINATIONS gives their components and strengths): the forms their labels give
    "tylox": DrugName("oxycodone", "oral", "capsule", "IR"),
    "prolate": DrugName("oxycodone", "oral", None, "IR"),  # tablets, and an oral solution
    "targiniq": DrugName("oxycodone", "oral", "tablet", "ER"),
    "targiniq er": DrugName("oxycodone", "oral", "tablet", "ER"),
    "troxyca": DrugName("oxycodone", "oral", "capsule", "ER"),
    "troxyca er": DrugName("oxycodone", "oral", "capsule", "ER"),
    # hydrocodone
    "norco": DrugName("hydrocodone", "oral", "tablet", "IR"),
    "vicodin": DrugName("hydrocodone", "oral", "tablet", "IR"),
    "lortab": DrugName("hydrocodone", "oral", "tablet", "IR"),
    "lorcet": DrugName("hydrocodone", "oral", "tablet", "IR"),
    "vicoprofen": DrugName("hydrocodone", "oral", "tablet", "IR"),
    "zohydro": DrugName("hydrocodone", "oral", "capsule", "ER"),
    "zohydro er": DrugName("hydrocodone", "oral", "capsule", "ER"),
    "hysingla": DrugName("hydrocodone", "oral", "tablet", "ER"),
    "hysingla er": DrugName("hydrocodone", "oral", "tablet", "ER"),
    "tussicaps": DrugName("hydrocodone", "oral", "capsule", "ER"),  # with chlorpheniramine: COMBINATIONS
    # hydromorphone
    "dilaudid": DrugName("hydromorphone", release="IR"),  # tablets, liquid, injection: no ER line
    "exalgo": DrugName("hydromorphone", "oral", "tablet", "ER"),
    "jurnista": DrugName("hydromorphone", "oral", "tablet", "ER"),
    "palladone": DrugName("hydromorphone", "oral", "capsule"),
    "sophidone": DrugName("hydromorphone", "oral", "capsule", "ER"),
    "sophidone lp": DrugName("hydromorphone", "oral", "capsule", "ER"),
    # morphine
    "ms contin": DrugName("morphine", "oral", "tablet", "ER"),
    "mst continus": DrugName("morphine", "oral", "tablet", "ER"),
    "mst": DrugName("morphine", "oral", "tablet", "ER"),  # MST Continus as UK charts write it (BNF)
    "msir": DrugName("morphine", "oral", None, "IR"),  # morphine sulfate immediate-release (US): tablets or solution
    "kadian": DrugName("morphine", "oral", "capsule", "ER"),
    "avinza": DrugName("morphine", "oral", "capsule", "ER"),
    "embeda": DrugName("morphine", "oral", "capsule", "ER"),
    "kapanol": DrugName("morphine", "oral", "capsule", "ER"),
    "zomorph": DrugName("morphine", "oral", "capsule", "ER"),
    "mxl": DrugName("morphine", "oral", "capsule", "ER"),  # once-daily capsules (UK; BNF, morphine, medicinal forms)
    "sevredol": DrugName("morphine", "oral", "tablet", "IR"),
    "oramorph": DrugName("morphine", "oral", "solution", "IR"),
    "skenan": DrugName("morphine", "oral", "capsule", "ER"),
    "skenan lp": DrugName("morphine", "oral", "capsule", "ER"),
    "actiskenan": DrugName("morphine", "oral", "capsule", "IR"),
    "moscontin": DrugName("morphine", "oral", "tablet", "ER"),
    "oramorph sr": DrugName("morphine", "oral", "tablet", "ER"),
    "arymo": DrugName("morphine", "oral", "tablet", "ER"),
    "ordine": DrugName("morphine", "oral", "solution", "IR"),
    "morphabond": DrugName("morphine", "oral", "tablet", "ER"),
    # fentanyl
    "duragesic": DrugName("fentanyl", "transdermal", "patch"),
    "durogesic": DrugName("fentanyl", "transdermal", "patch"),
    "durogesic dtrans": DrugName("fentanyl", "transdermal", "patch"),  # the matrix patch (UK, AU product information)
    "denpax": DrugName("fentanyl", "transdermal", "patch"),
    "dutran": DrugName("fentanyl", "transdermal", "patch"),
    "fenpatch": DrugName("fentanyl", "transdermal", "patch"),
    "matrifen": DrugName("fentanyl", "transdermal", "patch"),
    # UK patches (BNF, fentanyl and buprenorphine, medicinal forms): Fencino, Opiodur, Victanyl; Butec, Reletrans,
    # Sevodyne (7-day buprenorphine)
    "fencino": DrugName("fentanyl", "transdermal", "patch"),
    "opiodur": DrugName("fentanyl", "transdermal", "patch"),
    "victanyl": DrugName("fentanyl", "transdermal", "patch"),
    "mezolar": DrugName("fentanyl", "transdermal", "patch"),  # Mezolar Matrix (UK SmPC, eMC)
    "mezolar matrix": DrugName("fentanyl", "transdermal", "patch"),
    # transmucosal immediate-release fentanyl (TIRF): no extended-release line
    "actiq": DrugName("fentanyl", "transmucosal", "lozenge", "IR"),
    "fentora": DrugName("fentanyl", "buccal", "tablet", "IR"),
    "effentora": DrugName("fentanyl", "buccal", "tablet", "IR"),
    "abstral": DrugName("fentanyl", "sublingual", "tablet", "IR"),
    "subsys": DrugName("fentanyl", "sublingual", "spray", "IR"),
    "onsolis": DrugName("fentanyl", "buccal", "film", "IR"),
    "lazanda": DrugName("fentanyl", "nasal", "spray", "IR"),
    "pecfent": DrugName("fentanyl", "nasal", "spray", "IR"),
    "instanyl": DrugName("fentanyl", "nasal", "spray", "IR"),
    "breakyl": DrugName("fentanyl", "buccal", "film", "IR"),  # buccal film (EU SmPC)
    "recivit": DrugName("fentanyl", "sublingual", "tablet", "IR"),  # sublingual tablets (UK SmPC, eMC)
    "sublimaze": DrugName("fentanyl", None, "injection"),
    # buprenorphine
    "butrans": DrugName("buprenorphine", "transdermal", "patch"),
    "norspan": DrugName("buprenorphine", "transdermal", "patch"),
    "butec": DrugName("buprenorphine", "transdermal", "patch"),
    "reletrans": DrugName("buprenorphine", "transdermal", "patch"),
    "sevodyne": DrugName("buprenorphine", "transdermal", "patch"),
    "transtec": DrugName("buprenorphine", "transdermal", "patch"),
    "belbuca": DrugName("buprenorphine", "buccal", "film"),
    "subutex": DrugName("buprenorphine", "sublingual", "tablet"),
    "suboxone": DrugName("buprenorphine", "sublingual"),  # sublingual films, and tablets (UK, AU; US until 2013)
    "zubsolv": DrugName("buprenorphine", "sublingual", "tablet"),
    "temgesic": DrugName("buprenorphine", "sublingual", "tablet"),
    "sublocade": DrugName("buprenorphine", "subcutaneous", "injection"),
    "probuphine": DrugName("buprenorphine", "subcutaneous", "implant"),
    # tapentadol
    "nucynta": DrugName("tapentadol", "oral", "tablet", "IR"),
    "nucynta er": DrugName("tapentadol", "oral", "tablet", "ER"),
    "palexia": DrugName("tapentadol", "oral", "tablet", "IR"),
    "palexia ir": DrugName("tapentadol", "oral", "tablet", "IR"),
    "palexia sr": DrugName("tapentadol", "oral", "tablet", "ER"),
    "palexia retard": DrugName("tapentadol", "oral", "tablet", "ER"),  # prolonged-release (Swiss, German information)
    # tramadol
    "ultram": DrugName("tramadol", "oral", "tablet", "IR"),
    "ultram er": DrugName("tramadol", "oral", "tablet", "ER"),
    "ultracet": DrugName("tramadol", "oral", "tablet", "IR"),
    "conzip": DrugName("tramadol", "oral", "capsule", "ER"),
    "tramal": DrugName("tramadol", "oral", None, "IR"),
    "zydol": DrugName("tramadol", "oral", "capsule", "IR"),
    "zamadol": DrugName("tramadol", "oral", "capsule", "IR"),  # UK SmPC (eMC)
    "zamadol sr": DrugName("tramadol", "oral", "capsule", "ER"),  # prolonged-release capsules (UK SmPC, eMC)
    "qdolo": DrugName("tramadol", "oral", "solution", "IR"),  # oral solution 5 mg/mL (US label, DailyMed)
    "durotram": DrugName("tramadol", "oral", "tablet", "ER"),
    "durotram xr": DrugName("tramadol", "oral", "tablet", "ER"),
    "tramal sr": DrugName("tramadol", "oral", "tablet", "ER"),
    "zydol sr": DrugName("tramadol", "oral", "tablet", "ER"),
    "zydol xl": DrugName("tramadol", "oral", "tablet", "ER"),
    "topalgic lp": DrugName("tramadol", "oral", "tablet", "ER"),
    "contramal lp": DrugName("tramadol", "oral", "tablet", "ER"),
    # prolonged-release (French base de données publique des médicaments): Monoalgic LP tablets, Zamudol LP capsules
    "monoalgic": DrugName("tramadol", "oral", "tablet", "ER"),
    "monoalgic lp": DrugName("tramadol", "oral", "tablet", "ER"),
    "zamudol": DrugName("tramadol", "oral", "capsule"),
    "topalgic": DrugName("tramadol", "oral", "capsule", "IR"),
    "contramal": DrugName("tramadol", "oral", "capsule", "IR"),
    "ixprim": DrugName("tramadol", "oral", "tablet", "IR"),
    "zaldiar": DrugName("tramadol", "oral", "tablet", "IR"),
    # codeine
    "dafalgan codeine": DrugName("codeine", "oral", "tablet", "IR"),
    "codoliprane": DrugName("codeine", "oral", "tablet", "IR"),
    "tylenol with codeine": DrugName("codeine", "oral", "tablet", "IR"),
    "tylenol 3": DrugName("codeine", "oral", "tablet", "IR"),
    "tylenol #3": DrugName("codeine", "oral", "tablet", "IR"),
    "panadeine": DrugName("codeine", "oral", "tablet", "IR"),
    "panadeine forte": DrugName("codeine", "oral", "tablet", "IR"),
    "co codamol": DrugName("codeine", "oral", "tablet", "IR"),
    "co-codamol": DrugName("codeine", "oral", "tablet", "IR"),
    # combinations (COMBINATIONS gives their components and strengths): the forms their labels give
    "tylex": DrugName("codeine", "oral", "capsule", "IR"),
    "kapake": DrugName("codeine", "oral", None, "IR"),  # tablets and capsules
    "codipar": DrugName("codeine", "oral", None, "IR"),  # tablets, capsules and effervescent tablets
    "solpadeine plus": DrugName("codeine", "oral", None, "IR"),  # tablets, capsules and soluble tablets
    "fioricet with codeine": DrugName("codeine", "oral", "capsule", "IR"),
    "fiorinal with codeine": DrugName("codeine", "oral", "capsule", "IR"),
    "tuxarin": DrugName("codeine", "oral", "tablet", "ER"),
    "tuxarin er": DrugName("codeine", "oral", "tablet", "ER"),
    # dihydrocodeine
    "dhc continus": DrugName("dihydrocodeine", "oral", "tablet", "ER"),
    "co dydramol": DrugName("dihydrocodeine", "oral", "tablet", "IR"),
    "dicodin": DrugName("dihydrocodeine", "oral", "tablet", "ER"),
    "dicodin lp": DrugName("dihydrocodeine", "oral", "tablet", "ER"),
    "synalgos dc": DrugName("dihydrocodeine", "oral", "capsule", "IR"),  # with aspirin and caffeine: COMBINATIONS
    "trezix": DrugName("dihydrocodeine", "oral", "capsule", "IR"),  # with acetaminophen and caffeine: COMBINATIONS
    # meperidine, methadone, oxymorphone, levorphanol, pentazocine
    "demerol": DrugName("meperidine", release="IR"),
    "dolophine": DrugName("methadone", "oral", "tablet"),
    "methadose": DrugName("methadone", "oral"),
    "diskets": DrugName("methadone", "oral", "tablet"),  # dispersible tablets, 40 mg (US label, DailyMed)
    "physeptone": DrugName("methadone", "oral"),
    "biodone forte": DrugName("methadone", "oral", "solution"),
    "opana": DrugName("oxymorphone", "oral", "tablet", "IR"),
    "opana er": DrugName("oxymorphone", "oral", "tablet", "ER"),
    "levo dromoran": DrugName("levorphanol", "oral", "tablet"),
    "talwin": DrugName("pentazocine"),
    "talwin nx": DrugName("pentazocine", "oral", "tablet"),  # with naloxone: COMBINATIONS
    "darvon": DrugName("propoxyphene", "oral", "capsule"),
    "darvocet": DrugName("propoxyphene", "oral", "tablet"),
    "di gesic": DrugName("propoxyphene", "oral", "tablet"),
    "doloxene": DrugName("propoxyphene", "oral", "capsule"),
    "stadol": DrugName("butorphanol"),
    "stadol ns": DrugName("butorphanol", "nasal", "spray"),  # Stadol NS: butorphanol nasal spray (US label, DailyMed)
    "butorphanol ns": DrugName("butorphanol", "nasal", "spray"),
    "nubain": DrugName("nalbuphine", None, "injection"),
    "dsuvia": DrugName("sufentanil", "sublingual", "tablet", "IR"),
}
_DRUG_ALIASES |= {_key(k): v for k, v in _BRANDS.items()}

# Non-opioid components of combination products: ignored in "hydrocodone/acetaminophen".
_NON_OPIOIDS: frozenset[str] = frozenset(
    {
        "acetaminophen",
        "acetamin",  # as pharmacy and claims files truncate it: "HYDROCODONE-ACETAMIN 10-325 MG"
        "paracetamol",
        "apap",
        "aspirin",
        "asa",
        "ibuprofen",
        "naloxone",
        "naltrexone",
        "caffeine",
        "butalbital",
        "carisoprodol",
        "promethazine",
        "guaifenesin",
        "chlorpheniramine",
        "pseudoephedrine",
        "phenylephrine",
        "homatropine",
        "belladonna",
        "celecoxib",
        "diclofenac",
        "naproxen",
        "dexketoprofen",
        "chlorphenamine",
        "brompheniramine",
        "pyrilamine",
        "triprolidine",
        "dexchlorpheniramine",
        "benzonatate",
        "bupivacaine",
        "ropivacaine",
        "atropine",
        "belladonna alkaloids",
        "guaiacolsulfonate",
        "kaolin",
        "dexbrompheniramine",
        "chlorcyclizine",
        "bromodiphenhydramine",
        "phenylpropanolamine",
        "doxylamine",  # Mersyndol (Australia)
        "buclizine",  # Migraleve Pink (UK)
    }
)

#: Opioids that no shipped table converts: a name with one is read (so that it is not mistaken for a
#: non-opioid component) and then refused as unknown to the tables, never given a number.
OTHER_OPIOIDS: frozenset[str] = frozenset(
    {"alfentanil", "remifentanil", "meptazinol", "dextromoramide", "diamorphine", "heroin", "paregoric",
     "loperamide", "diphenoxylate", "difenoxin", "dipipanone", "tilidine", "piritramide", "ketobemidone"}
)  # fmt: skip


#: Non-opioid analgesics a combination pairs with an opioid: each product has more of them than of the opioid.
ANALGESICS: frozenset[str] = frozenset(
    {"acetaminophen", "acetamin", "paracetamol", "apap", "aspirin", "asa", "ibuprofen"}
)


def non_opioid(name: str) -> bool:
    """Whether a component of a combination product is a known non-opioid (acetaminophen...), salt or not."""
    return without_salt(name) in _NON_OPIOIDS


@lru_cache(maxsize=4096)
def without_salt(name: str) -> str:
    """A name without its trailing salt words: "promethazine hydrochloride" -> "promethazine"."""
    words = _name_key(name).split()
    while len(words) > 1 and words[-1] in _SALT_WORDS:
        words.pop()
    return " ".join(words)


#: Products known and never converted, with the reason: powdered opium, which French combinations hold (Lamaline =
#: paracétamol 300 mg + poudre d'opium 10 mg + caféine 30 mg; Izalgi = paracétamol 500 mg + poudre d'opium 25 mg:
#: ANSM's base de données publique des médicaments), is about a tenth morphine, and no shipped table says whether its
#: opium factor is per mg of opium or of morphine.
UNCONVERTED: dict[str, str] = dict.fromkeys(
    ("lamaline", "izalgi"),
    "its opioid is powdered opium (about a tenth morphine), and no shipped table has a factor for it: their opium "
    "rows are for opium tincture (mg of morphine per mL) and opium suppositories, or do not say whether the mg is of "
    "opium or of morphine, a tenfold difference",
)


@lru_cache(maxsize=4096)
def unconverted(name: str) -> str | None:
    """Why the product ``name`` names is never converted, if it is one of UNCONVERTED."""
    return UNCONVERTED.get(_name_key(name))


@lru_cache(maxsize=4096)
def resolve_drug(name: str) -> DrugName:
    """The ingredient a typed name means; combination products resolve to their opioid component."""
    if len(name) > MAX_TEXT:
        raise UnknownDrugError(name)
    if (why := unconverted(name)) is not None:
        raise UnknownDrugError(name, reason=why)
    found = drug_name(name)
    if found is None:
        raise UnknownDrugError(name, closest_drugs(_key(name)))
    return found


@lru_cache(maxsize=1024)
def closest_drugs(key: str) -> tuple[str, ...]:
    """The known names closest to `key`, for an unknown drug's message: remembered, since the search is slow and
    a batch repeats its unknown names. A truncation ("oxycod", "fentanyl cit") is read, never suggested.

    difflib's own search, over the names that can pass its cutoff: those whose letters in common with `key` (a
    multiset, difflib's ``quick_ratio``, which bounds its ratio) reach it. Counted for every name at once, by letter,
    that leaves a few of the 390 names: 0.1 ms for "drug123", where difflib alone took 1 ms."""
    names, letters = _suggested_names()
    shared = [0] * len(names)
    for letter, count in Counter(key).items():
        for i, n in letters.get(letter, ()):
            shared[i] += min(n, count)
    # difflib's own arithmetic (``_calculate_ratio``), so that a name at the cutoff is judged as difflib judges it
    near = [name for name, m in zip(names, shared, strict=True) if 2.0 * m / (len(name) + len(key)) >= _CUTOFF]
    return tuple(difflib.get_close_matches(key, near, n=3, cutoff=_CUTOFF))


_CUTOFF: Final = 0.6


@lru_cache(maxsize=1)
def _suggested_names() -> tuple[tuple[str, ...], dict[str, list[tuple[int, int]]]]:
    """The names an unknown drug's message may suggest, and by each letter the (name's index, times it has it)."""
    names = tuple(_suggested())
    letters: dict[str, list[tuple[int, int]]] = {}
    for i, name in enumerate(names):
        for letter, count in Counter(name).items():
            letters.setdefault(letter, []).append((i, count))
    return names, letters


@lru_cache(maxsize=1)
def _suggested() -> list[str]:
    """The names an unknown one is compared with: all but truncations ("oxycod"; "fentanyl cit", "morphine sul":
    a salt's word cut short)."""
    salts = _SALT_WORDS | _TRAILING_WORDS
    cut = {
        n for n in _DRUG_ALIASES if any(w.startswith(n.rsplit(" ", 1)[-1]) and w != n.rsplit(" ", 1)[-1] for w in salts)
    }
    return [n for n in _DRUG_ALIASES if n not in TRUNCATED and n not in cut]


@lru_cache(maxsize=4096)
def drug_name(name: str) -> DrugName | None:
    """`resolve_drug` without the closest names it suggests (their search is slow): for the sig reader, which asks
    of many words whether they name a drug."""
    if len(name) > MAX_TEXT:
        return None
    key = _name_key(name)
    if key in _DRUG_ALIASES:
        return _DRUG_ALIASES[key]
    parts = [p.strip() for p in COMPONENT_SEPARATOR.split(key) if p.strip()]
    if len(parts) > 1:
        found = [drug_name(p) for p in parts]  # each with its salt, as typed ("hydrocodone bit/acetamin")
        opioids = [f for f in found if f is not None]
        unknown = [p for p, f in zip(parts, found, strict=True) if f is None and p not in _NON_OPIOIDS]
        if len(opioids) == 1 and not unknown:
            return opioids[0]
    words = key.split()
    trailing = len(words)  # words[trailing:] are all salt words: one pass, linear in the words
    while trailing > 1 and words[trailing - 1] in _TRAILING_WORDS:
        trailing -= 1
    for n in range(min(len(words) - 1, _LONGEST_ALIAS), max(trailing, 1) - 1, -1):  # the longest known prefix
        prefix = " ".join(words[:n])
        if prefix in _DRUG_ALIASES:
            return _DRUG_ALIASES[prefix]
    return None


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


#: The RxNorm product file shipped with the package.
SHIPPED_PRODUCTS = Path(__file__).parent / "data" / "rxnorm-products.json"


class RxBrand(NamedTuple):
    """What RxNorm's products of a brand say of it: its drug, the drug's strengths (value and RxNorm's unit, "MG",
    "MG/ML") and whether it is only injected."""

    drug: str
    strengths: frozenset[tuple[float, str]]
    injected: bool
    """Whether every product of it is an injection ("[Infumorph]", intrathecal or epidural): its route is not oral."""


@lru_cache(maxsize=1)
def _rxnorm_brands() -> dict[str, RxBrand]:
    data = json.loads(SHIPPED_PRODUCTS.read_text(encoding="utf-8"))
    rows: dict[str, list[list[Any]]] = {}
    for row in data["products"].values():
        if row[3]:
            rows.setdefault(_name_key(row[3]), []).append(row)
    brands = {}
    for key, products in rows.items():
        parts = [part for row in products for part in row[5] if part[2] is not None]  # its drug's: not its partner's
        brands[key] = RxBrand(
            parts[0][2],
            frozenset((float(p[3]), p[4].upper()) for p in parts),
            all(DOSE_FORMS[row[2]][1] == "injection" for row in products),
        )
    return brands


def rxnorm_brand(name: str) -> RxBrand | None:
    """RxNorm's products of the brand ``name`` (the shipped product file's), or None if it names none."""
    return _rxnorm_brands().get(_name_key(name))


def known_brand(name: str) -> bool:
    """Whether ``name`` is a drug's name or brand: one the lexicon reads, or one of RxNorm's brands (the shipped
    product file's), which RxNorm prints in brackets ("[Ryzolt]") and many of which the lexicon does not read (cough
    syrups, injections). A bracket naming none is read as a sig's words, never dropped as an unknown brand."""
    return drug_name(name) is not None or rxnorm_brand(name) is not None


#: Salt words after an opioid's name, with the abbreviations claims files print ("MORPHINE SULF ER", "HYDROCODONE BIT").
_TRAILING_WORDS: frozenset[str] = frozenset(
    {"hydrochloride", "hcl", "sulfate", "sulphate", "sulf", "bitartrate", "bit", "tartrate"}
)
_LONGEST_ALIAS = max(len(name.split()) for name in _DRUG_ALIASES)


def _resolve(kind: str, text: str, key: str, table: dict[str, str], choices: frozenset[str]) -> str:
    """`key` (`text` as read, within the length cap) looked up in `table`, or an error naming `text`."""
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, table, n=3, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownTermError(f"unknown {kind} {excerpt(text)}.{hint} Known {kind}s: {', '.join(sorted(choices))}.")


@lru_cache(maxsize=4096)
def releases_of(name: str, own: Release) -> frozenset[Release]:
    """The releases the product line ``name`` names (sold in ``own``) comes in: each its name also takes with a
    release word ("Nucynta": IR, and ER as "Nucynta ER"; "Roxicodone": IR only)."""
    key = _key(name)
    lines = (_DRUG_ALIASES.get(f"{key} {word}") for word in _RELEASE_ALIASES)
    return frozenset({own, *(line.release for line in lines if line is not None and line.release)})


def resolve_route(text: str) -> str:
    """The canonical route for a typed one ("IV", "SL", "patch"...)."""
    key = _key(bounded(text, "route", UnknownTermError))
    if key in _FORM_PHRASE_ROUTE:
        return _FORM_PHRASE_ROUTE[key]
    if key in _FORM_ALIASES and _FORM_ALIASES[key] in FORM_ROUTE:
        return FORM_ROUTE[_FORM_ALIASES[key]]
    return _resolve("route", text, key, _ROUTE_ALIASES, ROUTES)


def resolve_form(text: str) -> str:
    """The canonical form for a typed one ("tab", "ER tablet", "nasal spray"...)."""
    key = _key(bounded(text, "form", UnknownTermError))
    words = key.split()
    if words and words[0] in _RELEASE_ALIASES and len(words) > 1:
        key = " ".join(words[1:])
    return _resolve("form", key, key, _FORM_ALIASES, FORMS)


def form_route(text: str) -> str | None:
    """The route a typed form implies, if any ("nasal spray" -> nasal, "patch" -> transdermal)."""
    key = _key(text)
    words = key.split()
    if words and words[0] in _RELEASE_ALIASES and len(words) > 1:
        key = " ".join(words[1:])
    if key in _FORM_PHRASE_ROUTE:
        return _FORM_PHRASE_ROUTE[key]
    form = _FORM_ALIASES.get(key)
    return FORM_ROUTE.get(form) if form else None


def form_release(text: str) -> Release | None:
    """The release a typed form implies ("ER tablet" -> ER)."""
    words = _key(text).split()
    return _RELEASE_ALIASES.get(words[0]) if len(words) > 1 else None


def resolve_release(text: str) -> Release:
    """The canonical release type: "ER" (extended, LA, SR, CR, XR, MR) or "IR"."""
    key = _key(bounded(text, "release", UnknownTermError))
    if key in _RELEASE_ALIASES:
        return _RELEASE_ALIASES[key]
    if key.upper() in RELEASES:
        return key.upper()  # type: ignore[return-value]
    raise UnknownTermError(f"unknown release type {excerpt(text)}; use IR or ER (LA, SR, CR, XR, MR are read as ER).")


def is_release_word(word: str) -> bool:
    return _key(word) in _RELEASE_ALIASES


def is_route_word(word: str) -> bool:
    return _key(word) in _ROUTE_ALIASES


def is_form_word(word: str) -> bool:
    return _key(word) in _FORM_ALIASES


def known_names() -> tuple[str, ...]:
    """Every name `resolve_drug` accepts, for suggestions and test strategies."""
    return tuple(sorted(_DRUG_ALIASES))


#: The one-word names `resolve_drug` accepts: a text with one of these words names an opioid `mme` knows.
OPIOID_WORDS: frozenset[str] = frozenset(name for name in _DRUG_ALIASES if " " not in name)

#: Opioid products and molecules that no name the reader takes stands for, known only so that a medication named
#: by one is never taken for a non-opioid (UK, Canadian and US names: BNF, Health Canada DPD, DailyMed):
#: Meptid (meptazinol), Diconal (dipipanone/cyclizine), Metadol (methadone), DF118 and Remedeine (dihydrocodeine),
#: Syndol (codeine), co-proxamol (dextropropoxyphene), papaveretum (opium alkaloids), Apadaz and benzhydrocodone
#: (a hydrocodone prodrug), Olinvyk and oliceridine, pholcodine (an opioid cough suppressant).
#: Other countries' opioid brands, so that none is left out of a total as "no opioid" (the German and Austrian
#: Fachinformation, Italy's AIFA, the UK's eMC, Australia's TGA product information): Oxygesic (oxycodone), Paracodin
#: (dihydrocodeine), Capros and M-long (morphine), Valoron N (tilidine/naloxone), Dipidolor (piritramide), Ossicodone
#: (oxycodone, Italian), Espranor (buprenorphine), Codis (aspirin/codeine), Codalgin Forte, Codapane Forte, Prodeine
#: Forte, Panamax Co and Dymadon Co (paracetamol/codeine), Aspalgin (aspirin/codeine), Anamorph and Momex
#: (morphine), Digesic (dextropropoxyphene/paracetamol). Panamax and Dymadon alone are paracetamol.
UNREAD_OPIOID_NAMES: frozenset[str] = frozenset(
    {"meptid", "diconal", "metadol", "df118", "remedeine", "syndol", "co proxamol", "coproxamol", "papaveretum",
     "apadaz", "benzhydrocodone", "olinvyk", "oliceridine", "pholcodine", "dextropropoxyphene",
     "oxygesic", "paracodin", "capros", "m long", "valoron", "dipidolor", "ossicodone", "espranor", "codis",
     "codalgin", "codapane", "prodeine", "panamax co", "dymadon co", "aspalgin", "anamorph", "momex", "digesic"}
)  # fmt: skip

#: Other drugs whose names hold or nearly spell an opioid's, never taken for one: apomorphine (a dopamine agonist),
#: Hydrocortone (hydrocortisone), Endoxan (cyclophosphamide), co-tenidone (atenolol/chlortalidone), Dolobene
#: (heparin gel), Tussin (guaifenesin), methanol (a poison, as in "methanol poisoning"), dolphin (a word: "dolphin
#: bite", not Dolophine).
RESEMBLING: frozenset[str] = frozenset(
    {"apomorphine", "hydrocortone", "endoxan", "tenidone", "dolobene", "tussin", "methanol", "dolphin"}
)


def _folded(word: str) -> str:
    """A word spelt as it sounds, so that other languages' spellings of an opioid meet it: "morfina", "Morphin" and
    "morphine" are all "morfin"; "codeína" and "Kodein" are "kodein"."""
    for written, said in (("ph", "f"), ("th", "t"), ("ch", "k"), ("c", "k"), ("y", "i"), ("qu", "k")):
        word = word.replace(written, said)
    return word.rstrip("aeo") or word


#: A word of six letters or more this close (difflib's ratio, as written or folded) to an opioid's name is taken
#: for it misspelt: 0.85 catches two letters swapped or one missing or changed ("morhpine", "oxycodon", "metadol")
#: and none of some 350 common non-opioids' names and brands (at 0.8, "Toradol" spelt tramadol, "Motrin" morphine,
#: "Effexor" Effentora).
NEAR_OPIOID = 0.85


@lru_cache(maxsize=4096)
def opioid_named(text: str, brands: frozenset[str] = frozenset()) -> str | None:
    """The opioid name (or brand) a medication's name holds or nearly spells, or None when none of its words is,
    contains or resembles one: what decides that a name that does not read is no opioid (never a guess that it
    is not). A word that is a known non-opioid (paracetamol, naloxone) is never taken for a misspelt opioid."""
    words = re.findall(r"[a-z0-9]+", _name_key(text)[:MAX_TEXT])
    phrases = {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    known = {name for name in _DRUG_ALIASES if name not in TRUNCATED} | OTHER_OPIOIDS | UNREAD_OPIOID_NAMES
    if found := sorted(phrases & (known | brands)):
        return found[0]
    # Near spellings only of the names the vocabulary knows: a product file's brands are many, and some are near
    # common words ("Animalgesics", "analgesic"). A name that ends with the word is another product built on it
    # ("Codoliprane", Doliprane with codeine), not its misspelling.
    whole = {_folded(n): n for n in known if " " not in n and len(n) >= 5}
    for word_ in words:
        if len(word_) < 5 or word_ in _NON_OPIOIDS or word_ in RESEMBLING:
            continue
        folded = _folded(word_)
        if inside := [name for stem, name in whole.items() if len(stem) >= 6 and stem in folded]:
            return min(inside)
        if len(word_) < 6:  # five letters leave too few to tell a slip from another name ("senna", "Skenan")
            continue
        close = difflib.get_close_matches(folded, whole, n=1, cutoff=NEAR_OPIOID)
        near = [whole[close[0]]] if close else difflib.get_close_matches(word_, whole.values(), n=1, cutoff=NEAR_OPIOID)
        if near and not (near[0].endswith(word_) and len(near[0]) >= len(word_) + 2):
            return near[0]
    return None


# --- prescriptions as written: combination products and the words of a sig -----------------------

#: Combination brands: their components in written order and the strengths (mg, same order) the
#: brand is documented in, so that a strength reads whichever order it is typed in ("Norco 10/325",
#: "Norco 325 mg-10 mg") and an undocumented one is refused. Brands whose name fixes the strength
#: (Tylenol with Codeine #3, Panadeine Forte) have one. Sources: US labels on DailyMed (Norco; Vicodin
#: 5/300, ES 7.5/300, HP 10/300; Lortab; Percocet; Endocet; Roxicet; Tylenol with Codeine No. 3 =
#: acetaminophen 300 mg + codeine phosphate 30 mg, No. 4 = 300 + 60; Vicoprofen 7.5/200; Ultracet
#: 37.5/325; Suboxone; Embeda = morphine sulfate + naltrexone hydrochloride 20/0.8, 30/1.2, 50/2, 60/2.4,
#: 80/3.2, 100/4 extended-release capsules), the BNF (co-codamol 8/500, 15/500, 30/500; co-dydramol 10/500, 20/500,
#: 30/500), the Australian product information (Panadeine = paracetamol 500 mg + codeine phosphate
#: 8 mg; Panadeine Forte = 500 + 30; Targin 5/2.5, 10/5, 20/10, 40/20, and 2.5/1.25, 15/7.5, 30/15 as the ARTG
#: (30/15, entry 216280) and the UK and Irish Targinact and Targin leaflets list them), the French SmPC (Dafalgan
#: codéiné = paracétamol 500 mg + codéine 30 mg; Zaldiar, Ixprim 37.5/325). Strengths sold before
#: 2014 (acetaminophen 500 mg and more) are listed where the label documented them. Brands sold in
#: compositions not checked here name their components only by spelling them out.
#: RxNorm's branded drugs (rxnav.nlm.nih.gov) document Lorcet (Plus, HD) 5/325, 7.5/325, 10/325; Verdrocet
#: 2.5/325; Xodol 5/300, 7.5/300, 10/300; Primlev 5/300, 7.5/300, 10/300; Nalocet 2.5/300; Ibudone 5/200, 10/200;
#: Reprexain 2.5/200, 5/200, 10/200 (hydrocodone/ibuprofen); Xartemis XR 7.5/325 (extended-release); TussiCaps
#: 10/8, 5/4 (hydrocodone/chlorpheniramine polistirex, extended-release capsules). The UK's summaries of product
#: characteristics (eMC) document Solpadol and Zapain (co-codamol 30/500) and Tramacet (tramadol/paracetamol
#: 37.5/325); the French base de données publique des médicaments, Efferalgan codéiné (500/30) and Codoliprane
#: (400/20, 500/30).
#: Added with the same sources. US labels on DailyMed: Tylox = oxycodone hydrochloride 5 mg + acetaminophen 500 mg
#: capsules; Percodan and Endodan = oxycodone hydrochloride 4.8355 mg + aspirin 325 mg; Prolate tablets 5/300, 7.5/300, 10/300;
#: Targiniq ER 10/5, 20/10, 40/20 (oxycodone/naloxone); Troxyca ER 10/1.2, 20/2.4, 30/3.6, 40/4.8, 60/7.2, 80/9.6
#: (oxycodone/naltrexone, capsules); Tussigon = hydrocodone bitartrate 5 mg + homatropine methylbromide 1.5 mg;
#: Tuxarin ER = codeine phosphate 54.3 mg + chlorpheniramine maleate 8 mg; Fioricet with Codeine = butalbital 50 mg
#: + acetaminophen 300 mg + caffeine 40 mg + codeine phosphate 30 mg (capsules); Fiorinal with Codeine = butalbital
#: 50 + aspirin 325 + caffeine 40 + codeine phosphate 30 (capsules); Talwin NX = pentazocine 50 mg + naloxone
#: 0.5 mg; Seglentis = celecoxib 56 mg + tramadol hydrochloride 44 mg; Synalgos-DC = aspirin 356.4 mg + caffeine
#: 30 mg + dihydrocodeine bitartrate 16 mg (capsules); Trezix = acetaminophen 320.5 mg + caffeine 30 mg +
#: dihydrocodeine bitartrate 16 mg (capsules); acetaminophen and codeine phosphate tablets No. 3 = 300/30, No. 4 =
#: 300/60 (as Tylenol with Codeine); Zubsolv sublingual tablets = buprenorphine 0.7/naloxone 0.18, 1.4/0.36,
#: 2.9/0.71, 5.7/1.4, 8.6/2.1, 11.4/2.9 mg (buprenorphine as hydrochloride); hydrocodone bitartrate and acetaminophen tablets 2.5/325, 5/300, 5/325,
#: 7.5/300, 7.5/325, 10/300, 10/325 ("HC/APAP", as claims files write it). The UK's SmPCs (eMC) and the BNF: Tylex
#: = codeine phosphate 30 mg + paracetamol 500 mg (capsules); Kapake 15/500 (Ireland, HPRA) and 30/500; Codipar
#: 15/500; Solpadeine Plus = paracetamol 500 mg + codeine phosphate 8 mg + caffeine 30 mg; Solpadeine Max = 500 +
#: 12.8 + 30; Migraleve Pink = paracetamol 500 mg + codeine phosphate 8 mg + buclizine hydrochloride 6.25 mg,
#: Migraleve Yellow = 500 + 8; co-codaprin 8/400 (codeine phosphate/aspirin); Nurofen Plus = ibuprofen 200 mg +
#: codeine phosphate 12.8 mg (also Australia). The French base de données publique des médicaments (ANSM):
#: Prontalgine = paracétamol 400 mg + caféine 50 mg + phosphate de codéine 20 mg; Claradol codéine 500/20; Klipal
#: codéine 300/25 and 600/50. The Australian product information (TGA): Panadeine Extra = paracetamol 500 mg +
#: codeine phosphate 15 mg; Mersyndol = paracetamol 450 mg + codeine phosphate 9.75 mg + doxylamine succinate
#: 5 mg, Mersyndol Forte = 450 + 30 + 5.
_HYDROCODONE_APAP = ((5.0, 325.0), (7.5, 325.0), (10.0, 325.0))
_OXYCODONE_APAP = ((2.5, 325.0), (5.0, 325.0), (7.5, 325.0), (10.0, 325.0))
COMBINATIONS: dict[str, tuple[tuple[str, ...], tuple[tuple[float, ...], ...]]] = {
    "norco": (("hydrocodone", "acetaminophen"), _HYDROCODONE_APAP),
    "vicodin": (("hydrocodone", "acetaminophen"), ((5.0, 300.0), (5.0, 500.0))),
    "vicodin es": (("hydrocodone", "acetaminophen"), ((7.5, 300.0), (7.5, 750.0))),
    "vicodin hp": (("hydrocodone", "acetaminophen"), ((10.0, 300.0), (10.0, 660.0))),
    "lortab": (
        ("hydrocodone", "acetaminophen"),
        (*_HYDROCODONE_APAP, (2.5, 500.0), (5.0, 500.0), (7.5, 500.0), (10.0, 500.0)),
    ),
    "percocet": (("oxycodone", "acetaminophen"), (*_OXYCODONE_APAP, (7.5, 500.0), (10.0, 650.0))),
    "endocet": (("oxycodone", "acetaminophen"), (*_OXYCODONE_APAP[1:], (7.5, 500.0), (10.0, 650.0))),
    "roxicet": (("oxycodone", "acetaminophen"), ((5.0, 325.0), (5.0, 500.0))),
    "vicoprofen": (("hydrocodone", "ibuprofen"), ((7.5, 200.0),)),
    **dict.fromkeys(("lorcet", "lorcet plus", "lorcet hd"), (("hydrocodone", "acetaminophen"), _HYDROCODONE_APAP)),
    "verdrocet": (("hydrocodone", "acetaminophen"), ((2.5, 325.0),)),
    "xodol": (("hydrocodone", "acetaminophen"), ((5.0, 300.0), (7.5, 300.0), (10.0, 300.0))),
    "primlev": (("oxycodone", "acetaminophen"), ((5.0, 300.0), (7.5, 300.0), (10.0, 300.0))),
    "nalocet": (("oxycodone", "acetaminophen"), ((2.5, 300.0),)),
    "ibudone": (("hydrocodone", "ibuprofen"), ((5.0, 200.0), (10.0, 200.0))),
    "reprexain": (("hydrocodone", "ibuprofen"), ((2.5, 200.0), (5.0, 200.0), (10.0, 200.0))),
    "xartemis": (("oxycodone", "acetaminophen"), ((7.5, 325.0),)),
    "tylox": (("oxycodone", "acetaminophen"), ((5.0, 500.0),)),
    **dict.fromkeys(("percodan", "endodan"), (("oxycodone", "aspirin"), ((4.8355, 325.0),))),
    "prolate": (("oxycodone", "acetaminophen"), ((5.0, 300.0), (7.5, 300.0), (10.0, 300.0))),
    **dict.fromkeys(
        ("targiniq", "targiniq er"), (("oxycodone", "naloxone"), ((10.0, 5.0), (20.0, 10.0), (40.0, 20.0)))
    ),
    **dict.fromkeys(
        ("troxyca", "troxyca er"),
        (
            ("oxycodone", "naltrexone"),
            ((10.0, 1.2), (20.0, 2.4), (30.0, 3.6), (40.0, 4.8), (60.0, 7.2), (80.0, 9.6)),
        ),
    ),
    **dict.fromkeys(
        ("hc/apap", "hc apap"),
        (
            ("hydrocodone", "acetaminophen"),
            ((2.5, 325.0), (5.0, 300.0), *_HYDROCODONE_APAP, (7.5, 300.0), (10.0, 300.0)),
        ),
    ),
    "tussigon": (("hydrocodone", "homatropine"), ((5.0, 1.5),)),
    **dict.fromkeys(("tuxarin", "tuxarin er"), (("codeine", "chlorpheniramine"), ((54.3, 8.0),))),
    **dict.fromkeys(
        ("fioricet with codeine", "fioricet w/ codeine", "fioricet w/codeine"),
        (("butalbital", "acetaminophen", "caffeine", "codeine"), ((50.0, 300.0, 40.0, 30.0),)),
    ),
    **dict.fromkeys(
        ("fiorinal with codeine", "fiorinal w/ codeine", "fiorinal w/codeine"),
        (("butalbital", "aspirin", "caffeine", "codeine"), ((50.0, 325.0, 40.0, 30.0),)),
    ),
    "talwin nx": (("pentazocine", "naloxone"), ((50.0, 0.5),)),
    "seglentis": (("celecoxib", "tramadol"), ((56.0, 44.0),)),
    "synalgos dc": (("aspirin", "caffeine", "dihydrocodeine"), ((356.4, 30.0, 16.0),)),
    "trezix": (("acetaminophen", "caffeine", "dihydrocodeine"), ((320.5, 30.0, 16.0),)),
    "tussicaps": (("hydrocodone", "chlorpheniramine"), ((10.0, 8.0), (5.0, 4.0))),
    **dict.fromkeys(("ultracet", "zaldiar", "ixprim", "tramacet"), (("tramadol", "acetaminophen"), ((37.5, 325.0),))),
    **dict.fromkeys(
        (
            "tylenol with codeine 3",
            "tylenol 3",
            "tylenol with codeine no 3",
            "tylenol codeine 3",
            "tylenol w/ codeine 3",
            "tylenol w/codeine 3",
            "acetaminophen codeine 3",
            "acetaminophen with codeine 3",
            "acetaminophen cod 3",
        ),
        (("acetaminophen", "codeine"), ((300.0, 30.0),)),
    ),
    **dict.fromkeys(
        (
            "tylenol with codeine 4",
            "tylenol 4",
            "tylenol with codeine no 4",
            "tylenol codeine 4",
            "tylenol w/ codeine 4",
            "tylenol w/codeine 4",
            "acetaminophen codeine 4",
            "acetaminophen with codeine 4",
            "acetaminophen cod 4",
        ),
        (("acetaminophen", "codeine"), ((300.0, 60.0),)),
    ),
    "co codamol": (("codeine", "paracetamol"), ((8.0, 500.0), (15.0, 500.0), (30.0, 500.0))),
    **dict.fromkeys(("solpadol", "zapain", "tylex"), (("codeine", "paracetamol"), ((30.0, 500.0),))),
    "kapake": (("codeine", "paracetamol"), ((15.0, 500.0), (30.0, 500.0))),
    "codipar": (("codeine", "paracetamol"), ((15.0, 500.0),)),
    "solpadeine plus": (("paracetamol", "codeine", "caffeine"), ((500.0, 8.0, 30.0),)),
    "solpadeine max": (("paracetamol", "codeine", "caffeine"), ((500.0, 12.8, 30.0),)),
    "migraleve pink": (("paracetamol", "codeine", "buclizine"), ((500.0, 8.0, 6.25),)),
    "migraleve yellow": (("paracetamol", "codeine"), ((500.0, 8.0),)),
    "co codaprin": (("codeine", "aspirin"), ((8.0, 400.0),)),
    "nurofen plus": (("ibuprofen", "codeine"), ((200.0, 12.8),)),
    "co dydramol": (("dihydrocodeine", "paracetamol"), ((10.0, 500.0), (20.0, 500.0), (30.0, 500.0))),
    "panadeine": (("paracetamol", "codeine"), ((500.0, 8.0),)),
    "panadeine forte": (("paracetamol", "codeine"), ((500.0, 30.0),)),
    "panadeine extra": (("paracetamol", "codeine"), ((500.0, 15.0),)),
    "mersyndol": (("paracetamol", "codeine", "doxylamine"), ((450.0, 9.75, 5.0),)),
    "mersyndol forte": (("paracetamol", "codeine", "doxylamine"), ((450.0, 30.0, 5.0),)),
    # French names are looked up without their accents: "Dafalgan codéiné", "Dafalgan codéine", "Dafalgan codeine"
    **dict.fromkeys(("dafalgan codeine", "efferalgan codeine"), (("paracetamol", "codeine"), ((500.0, 30.0),))),
    "prontalgine": (("paracetamol", "caffeine", "codeine"), ((400.0, 50.0, 20.0),)),
    "claradol codeine": (("paracetamol", "codeine"), ((500.0, 20.0),)),
    "klipal codeine": (("paracetamol", "codeine"), ((300.0, 25.0), (600.0, 50.0))),
    "codoliprane": (("paracetamol", "codeine"), ((400.0, 20.0), (500.0, 30.0))),
    **dict.fromkeys(
        ("targin", "targinact"),
        (
            ("oxycodone", "naloxone"),
            ((2.5, 1.25), (5.0, 2.5), (10.0, 5.0), (15.0, 7.5), (20.0, 10.0), (30.0, 15.0), (40.0, 20.0)),
        ),
    ),
    "suboxone": (("buprenorphine", "naloxone"), ((2.0, 0.5), (4.0, 1.0), (8.0, 2.0), (12.0, 3.0))),
    "zubsolv": (
        ("buprenorphine", "naloxone"),
        ((0.7, 0.18), (1.4, 0.36), (2.9, 0.71), (5.7, 1.4), (8.6, 2.1), (11.4, 2.9)),
    ),
    "embeda": (
        ("morphine", "naltrexone"),
        ((20.0, 0.8), (30.0, 1.2), (50.0, 2.0), (60.0, 2.4), (80.0, 3.2), (100.0, 4.0)),
    ),
}


def _numbered(name: str) -> tuple[str, ...]:
    """How "tylenol 3" is typed: "Tylenol #3", "Tylenol No. 3"."""
    head, _, n = name.rpartition(" ")
    typed = (name, f"{head} #{n}", f"{head} # {n}", f"{head} no. {n}", f"{head} no.{n}", f"{head} no {n}")
    return typed if n.isdigit() else (name,)


_DRUG_ALIASES |= {
    typed: DrugName(next(c for c in components if c not in _NON_OPIOIDS), "oral", "tablet", "IR")
    for name, (components, _) in COMBINATIONS.items()
    for typed in _numbered(name)
    if typed not in _DRUG_ALIASES
}


class Combination(NamedTuple):
    """A combination brand: its components in written order, and its documented strengths (mg, same order)."""

    components: tuple[str, ...]
    strengths: tuple[tuple[float, ...], ...]


@lru_cache(maxsize=4096)
def combination(name: str) -> Combination | None:
    """The combination brand ``name`` names, if it names one ("Norco", "Tylenol #3", "co-codamol")."""
    key = re.sub(r"\s*#\s*|\s+no\.?\s*(?=\d)", " ", _name_key(name))
    found = COMBINATIONS.get(key)
    return None if found is None else Combination(*found)


_RELEASE_ALIASES |= {"lp": "ER", "li": "IR", "er 12 hour": "ER", "m/r": "ER"}  # "m/r": the BNF's modified-release
_ROUTE_ALIASES |= {
    "orally": "oral",
    "oral route": "oral",
    "transdermal route": "transdermal",  # "by transdermal route" (an EHR's route field)
    "via g tube": "oral",
    "per g tube": "oral",
    "via peg": "oral",
    "per peg": "oral",
    "via peg tube": "oral",  # else "via peg" is read, and "tube" is left over
    "per peg tube": "oral",
    "sublingually": "sublingual",
    "buccally": "buccal",
    "topically": "transdermal",
    "transdermally": "transdermal",
    "rectally": "rectal",
    "intranasally": "nasal",
    "intravenously": "intravenous",
    "subcutaneously": "subcutaneous",
    "intramuscularly": "intramuscular",
    "per rectum": "rectal",
    "par voie orale": "oral",
    "transdermique": "transdermal",  # "dispositif transdermique"
    "transdermiques": "transdermal",
    "gastrostomy tube": "oral",
    "g tube": "oral",
    "peg tube": "oral",
    "feeding tube": "oral",
    "ng tube": "oral",
    "nasogastric tube": "oral",
    "oral syringe": "oral",
    "gingival": "buccal",  # French: Effentora's "comprimé gingival", a buccal tablet (ANSM)  # "via oral syringe": a liquid measured and given by mouth
    "s/c": "subcutaneous",  # UK and AU charts
    "subq": "subcutaneous",
    "sub q": "subcutaneous",  # "sub-Q"
    "sub cut": "subcutaneous",
    "csci": "subcutaneous",  # continuous subcutaneous infusion, by its hourly or daily amount
    "sous cutané": "subcutaneous",  # French, "sous-cutané"
    "sous cutanée": "subcutaneous",
    "en sous cutané": "subcutaneous",
    "en sous cutanée": "subcutaneous",
    "imi": "intramuscular",  # AU: intramuscular injection
    "ivp": "intravenous",  # IV push
    "iv push": "intravenous",
    "iv bolus": "intravenous",
    "slow iv": "intravenous",
    "ivpb": "intravenous",  # IV piggyback: an intermittent infusion, each dose as said
    "ivse": "intravenous",  # French: "intraveineuse à la seringue électrique", by a syringe pump
}
_FORM_ALIASES |= {
    "concentrate": "solution",
    "mixture": "solution",  # the BNF's oral liquid: "methadone mixture 1 mg/mL"
    "linctus": "solution",  # a syrupy oral liquid: "codeine linctus 15 mg/5 mL"
    "concentrated solution": "solution",  # "morphine 20 mg/mL concentrated solution", an EHR's form
    "concentrated oral solution": "solution",
    "transdermal film": "patch",
    "transdermal films": "patch",
    "prefilled syringe": "injection",
    "cartridge": "injection",
    "injectable suspension": "injection",
    "oral suspension": "suspension",
    "transdermal system": "patch",
    "transdermal systems": "patch",
    "oral concentrate": "solution",
    "injectable solution": "injection",
    "syrups": "syrup",
    "gélule": "capsule",
    "gélules": "capsule",
    "gelule": "capsule",
    "gelules": "capsule",
    "caplet": "tablet",  # UK: a capsule-shaped tablet
    "caplets": "tablet",
    "patchs": "patch",  # French plural: "2 patchs"
    "gél": "capsule",  # as French prescriptions shorten gélule(s)
    "géls": "capsule",
    "dispositif": "patch",  # French: "dispositif transdermique", a patch
    "dispositifs": "patch",
    "comprimé": "tablet",
    "comprimés": "tablet",
    "comprime": "tablet",
    "comprimes": "tablet",
    "cp": "tablet",
    "cps": "tablet",
    "sachet": "solution",
    "mucosal spray": "spray",
    "mucosal sprays": "spray",
    "drug implant": "implant",
    "drug implants": "implant",
    "auto injector": "injection",
    "injection solution": "injection",
    "infusion": "injection",  # by its hourly or daily amount ("1 mg/h IV infusion"), or a dose each time
    "infusions": "injection",
    "syringe driver": "injection",  # UK and AU: a continuous infusion by a pump, under the skin or into a vein
}

#: EHR dose-form codes (First Databank's, as EHRs print them in a product name: "morphine sulfate 15 mg tb12"),
#: never said in the plural. An extended-release code names the form only: no shipped table gives a release its
#: own factor.
FORM_CODES: dict[str, str] = {
    "soln": "solution",
    "conc": "solution",
    "susp": "suspension",
    "syrp": "syrup",
    "elix": "solution",
    "tb12": "tablet",
    "tb24": "tablet",
    "tbcr": "tablet",
    "cp12": "capsule",
    "cp24": "capsule",
    "cpcr": "capsule",
    "sol": "solution",  # claims files: "MORPHINE SUL 10MG/5ML SOL"
    "liq": "solution",
    "syr": "syrup",
    "pt72": "patch",  # a patch worn 72 hours ("FENTANYL 25MCG/HR PT72")
    "ptwk": "patch",  # a patch worn a week ("BUTRANS 10 MCG/HR PTWK")
}
_FORM_ALIASES |= FORM_CODES

#: Words of a sig that say who does what and carry no dose: "take", "apply", "chew and swallow".
SIG_VERBS: frozenset[str] = frozenset(
    {
        "take",
        "takes",
        "give",
        "apply",
        "place",
        "change",
        "dissolve",
        "chew",
        "swallow",
        "inhale",
        "insert",
        "use",
        "administer",
        "suck",
        "instill",
        "inject",
        "replace",  # a patch: "replace every 72 hours"
        "prendre",
        "appliquer",
        "changer",  # French: "changer tous les 3 jours"
        "t",
    }
)
#: UK label wording after a count ("one to be taken twice a day", "one patch to be applied every 72 hours"): a verb,
#: no dose.
TO_BE_GIVEN: frozenset[str] = frozenset(
    {f"to be {done}" for done in ("taken", "given", "applied", "used", "placed", "dissolved", "chewed", "sucked",
                                  "swallowed", "inhaled", "inserted", "sprayed", "administered", "injected",
                                  "changed", "replaced")}
    | {"à prendre", "à changer", "à appliquer", "à avaler", "à sucer"}  # French: "1 patch à changer tous les 3 jours"
)  # fmt: skip
#: Drops, whose volume depends on the dropper (and, for some products, is printed on the label only): never read as
#: a volume or a count; the sig must give mL or mg.
DROPS: frozenset[str] = frozenset({"drop", "drops", "gtt", "gtts", "goutte", "gouttes"})
#: Number words a sig spells out.
NUMBER_WORDS: dict[str, float] = {
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "half": 0.5,
    "un": 1.0,
    "une": 1.0,
    "deux": 2.0,
    "trois": 3.0,
    "quatre": 4.0,
    # a prescriber's Roman numerals, "i-ii tabs po q4h prn"; never "iv", which is intravenous
    "i": 1.0,
    "ii": 2.0,
    "iii": 3.0,
}
#: Tens an EHR spells in a number it repeats in words, "every 72 (seventy-two) hours": read only there.
TENS: dict[str, float] = {
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
}
#: Ordinals that say an interval ("every second day", "every third day"), never a count.
ORDINALS: dict[str, float] = {"second": 2.0, "third": 3.0, "fourth": 4.0, "fifth": 5.0, "sixth": 6.0}
#: Fractions typed as one character, each read as the fraction it writes: "½ tab" is "1/2 tab".
VULGAR_FRACTIONS: dict[str, tuple[float, float]] = {
    "½": (1.0, 2.0),
    "⅓": (1.0, 3.0),
    "⅔": (2.0, 3.0),
    "¼": (1.0, 4.0),
    "¾": (3.0, 4.0),
}
#: Count nouns that mean "one unit of the product", whatever its form: "1 ea", "2 doses".
PRODUCT_UNITS: frozenset[str] = frozenset({"ea", "each", "dose", "doses", "unit", "units"})
#: What a maximum counts when it counts administrations, whatever each holds: "max 4 doses a day".
ADMINISTRATIONS: frozenset[str] = frozenset({"dose", "doses", "prise", "prises"})
#: Count nouns for one tablet or capsule, whichever the product is: "1 pill po bid".
PILLS: frozenset[str] = frozenset({"pill", "pills"})
#: A clock time's half of the day, after its hour: "9am", "9 p.m." (also times of day alone: "1 tab am and pm").
CLOCK_HALVES: frozenset[str] = frozenset({"am", "pm"})
#: What joins clock times said together: "at 9am and 9pm", "08:00, 20:00", "à 8h et 20h".
CLOCK_JOINERS: frozenset[str] = frozenset({",", "and", "&", "et", "at", "à"})
#: Times of day, each a distinct administration: "morning and evening" is twice a day.
TIMES_OF_DAY: dict[str, str] = {
    **dict.fromkeys(
        (
            "morning",
            "am",
            "mane",
            "matin",
            "le matin",
            "qam",
            "every morning",
            "in the morning",
            "om",
            "on waking",
            "upon waking",
            "on rising",
            "upon rising",
            "on awakening",
        ),
        "morning",
    ),  # "om": AU charts, omni mane
    **dict.fromkeys(("noon", "midi", "le midi", "at noon", "lunch", "at lunch", "midday", "at midday"), "noon"),
    **dict.fromkeys(("breakfast", "petit déjeuner"), "morning"),
    **dict.fromkeys(("dinner", "supper", "dîner"), "evening"),
    **dict.fromkeys(("afternoon", "in the afternoon", "every afternoon"), "afternoon"),
    **dict.fromkeys(
        ("evening", "pm", "soir", "le soir", "qpm", "q pm", "every evening", "in the evening", "vespere", "vesp"),
        "evening",
    ),  # "vespere", "vesp.": UK charts' Latin, in the evening
    **dict.fromkeys(
        (
            "bedtime",
            "night",
            "hs",
            "qhs",
            "nocte",
            "noct",  # "noct.", nocte shortened
            "qn",
            "nightly",
            "at bedtime",
            "at night",
            "every night",
            "at hs",
            "every bedtime",
            "before bed",
            "at bed time",
            "au coucher",  # French
            "on retiring",  # UK wording: on going to bed
            "upon retiring",
            "on going to bed",
            "on going to sleep",
            "on",  # UK/AU charts' "o.n.", omni nocte, as "om" is omni mane; only where it stands as a time (`_parse`)
        ),
        "night",
    ),
}
#: Phrases that mean "when needed": read, and kept as a flag.
AS_NEEDED: frozenset[str] = frozenset(
    {
        "prn",
        "as needed",
        "as required",
        "when required",
        "if needed",
        "when needed",
        "si besoin",
        "si douleur",
        "si douleurs",
        "en cas de douleur",
        "si accès douloureux",
        "en cas d'accès douloureux",
        "as needed for",
        "prn for",
        "if required",
        "when necessary",
    }
)
#: Words that change a regimen over time or offer alternatives: never read past.
MULTI_STEP: frozenset[str] = frozenset(
    {
        "then",
        "taper",
        "tapering",
        "wean",
        "increase",
        "increasing",
        "decrease",
        "decreasing",
        "reduce",
        "titrate",
        "puis",
        "or",
        "ou",
        "alternate",
        "alternating",
        "double",
    }
)
#: Where a nasal dose goes when it is given in both nostrils: each administration is twice the dose said.
EACH_NOSTRIL: frozenset[str] = frozenset(
    {"in each nostril", "into each nostril", "each nostril", "in both nostrils", "into both nostrils", "both nostrils",
     "per nostril", "in each nare", "each nare", "dans chaque narine", "chaque narine", "bilaterally"}
)  # fmt: skip
#: One nostril ("1 spray in one nostril", "into either nostril", "in alternating nostrils", "dans une narine"): the
#: words before "nostril" after "in", "into" or "dans"; each spray said goes in one nostril, the count as said.
ONE_NOSTRIL: frozenset[str] = frozenset({"one", "1", "a", "either", "alternating", "alternate", "une"})
NOSTRIL_WORDS: frozenset[str] = frozenset({"nostril", "nostrils", "nare", "nares", "narine", "narines"})
#: The rates (mcg/h) patches come in, by which a brand is named alone: "Duragesic 50", "Butrans-10".
PATCH_RATES: dict[str, frozenset[float]] = {
    "fentanyl": frozenset({12.0, 12.5, 25.0, 37.5, 50.0, 62.5, 75.0, 87.5, 100.0}),
    "buprenorphine": frozenset({5.0, 7.5, 10.0, 15.0, 20.0, 35.0, 52.5, 70.0}),
}
#: Phrases that keep the doses to waking hours: an interval ("q4h while awake") then allows fewer doses than
#: round the clock, how many fewer depending on the hours the patient is awake.
WAKING_HOURS: frozenset[str] = frozenset(
    {"awake", "while awake", "whilst awake", "when awake", "if awake", "daytime", "daytime only", "during the day", "during the daytime", "in the daytime",
     "during waking hours", "waking hours", "during the waking day", "pendant la journée", "dans la journée",
     "en journée"}
)  # fmt: skip
#: Words saying the doses are taken on a schedule, not as needed ("q6h around the clock", "ATC", "RTC", an infusion's
#: "continuous"): no dose.
SCHEDULED: frozenset[str] = frozenset(
    {"around the clock", "round the clock", "atc", "rtc", "continuous", "scheduled", "regularly", "regular", "routinely", "routine",
     "standing", "en continu"}
)  # fmt: skip
#: Words that end a sig's meaningful part: what follows names no dose ("with food", "for pain").
NO_DOSE_LEADS: frozenset[str] = frozenset({"for", "with", "after", "before", "on", "until", "pour", "avec", "while"})
#: Words after which a number over a number is a date or how long ("until 4/24", "for 48/24"), never how often.
DATE_LEADS: frozenset[str] = NO_DOSE_LEADS | {"from", "starting", "start", "till", "through", "thru"}
#: Words and phrases that, in text otherwise read as naming no dose, send the dose elsewhere ("dose per pain
#: team", "see notes"): the sig then does not say the dose it gives.
DOSE_ELSEWHERE: frozenset[str] = frozenset(
    {"dose", "doses", "dosing", "dosage", "see notes", "see note", "see instructions", "see directions"}
)
#: Phrases that leave the dose to someone's directions: ignored where a frequency is given, refused alone.
AS_DIRECTED: frozenset[str] = frozenset(
    {"as directed", "use as directed", "selon prescription", "as per pain team", "as per protocol"}
)
#: How a unit must not be handled, after "do not" ("Do not crush or chew", an extended-release unit): no dose.
HANDLING: frozenset[str] = frozenset({"crush", "chew", "cut", "break", "split", "open", "dissolve"})
#: Words and phrases that give more than the dose said ("may repeat once", "an extra tab", "can be doubled", "twice if
#: severe", "a second tab", "sooner if severe", "no limit"): never text that names no dose, as a reason after "prn" is
#: ("additional" and "second" only before what they add: "prn additional pain", "second-line" are reasons; "often"
#: only after "more": "often needed at night" is a reason). After "not" or "no" and before "than" they limit the
#: dose ("not more often than q4h", "no sooner than 4 hours"), and add none.
MORE_DOSES: frozenset[str] = frozenset(
    {"repeat", "repeated", "repeatable", "extra", "another", "double", "doubled", "doubling", "twice", "thrice",
     "triple", "tripled", "renouveler", "renouvelé", "renouvelée", "répéter", "répété", "doubler", "doublé", "doublée",
     "more often", "more frequent", "more frequently", "sooner", "earlier", "shorter", "unlimited", "escalate",
     "escalated", "escalating", "second dose", "second tab", "second tabs", "second tablet", "second capsule",
     "second cap", "second pill", "second spray", "second patch", "an additional", "additional dose", "additional tab",
     "additional tabs", "additional tablet", "additional tablets", "additional capsule", "additional cap", "no limit",
     "encore", "en plus", "supplémentaire", "supplémentaires"}
)  # fmt: skip
#: Words before a word of `MORE_DOSES` and "than" that make it a limit: "not more often than", "no sooner than".
LIMITING: frozenset[str] = frozenset({"not", "no"})
#: Words that give a single dose ("1 tab stat", "10 mg IV now", "once only"), which has no daily rate: refused,
#: saying so, where nothing else reads them ("once a day" is a frequency).
SINGLE_DOSE: frozenset[str] = frozenset({"stat", "statim", "now", "once", "single"})
#: Words that allow what follows ("may take 2", "can use"): with a verb, another dose.
MAY: frozenset[str] = frozenset({"may", "can", "peut", "possible"})
#: Days of the week, in text that names no dose ("on Mondays", "prn MWF"): a regimen of some days, not of every
#: day. With their abbreviations ("Mon Wed Fri") and charts' "MWF", "TTh" and "TIW" (three times a week).
WEEKDAYS: frozenset[str] = frozenset(
    {f"{day}{s}" for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                             "weekday", "weekend") for s in ("", "s")}
    | {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
    | {"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "mwf", "tth", "tiw", "biw"}
)  # fmt: skip
#: Days said without a number before them, in text that names no dose ("on dialysis days", "les jours de
#: dialyse"): a regimen of some days, as weekdays are ("for 5 days", a number of days, is a duration).
SOME_DAYS: frozenset[str] = frozenset({"days", "jours"})
#: Brands whose labelled strength is of another form of the drug than most products', said on every result read from
#: them, as the sources disagree: Xtampza ER's label states oxycodone base (9 mg = 10 mg oxycodone hydrochloride);
#: RxNorm, and CDC's CQL calculator data, carry 9 mg, CDC's NDC files 10 mg.
STRENGTH_BASIS: dict[str, str] = {
    "xtampza": "Xtampza ER strengths are oxycodone base (9 mg = 10 mg oxycodone hydrochloride, by its label): the "
    "factor was applied to the strength as written, as RxNorm gives it; CDC's NDC files count the hydrochloride, "
    "about 11% more",
}
#: Words that lead a quantity dispensed ("#30", "disp 30", "Qty: 30"): what was supplied, never a dose.
DISPENSED: frozenset[str] = frozenset({"#", "disp", "dispense", "dispensed", "qty", "quantity", "quantité", "qté"})
#: Refills ("refills: 0", "2 refills", "no refills"): what may be supplied again, never a dose; and the
#: dispense-as-written code of an e-prescription ("DAW 0", "DAW: 1"), whether another product may be supplied.
REFILLS: frozenset[str] = frozenset(
    {"refill", "refills", "rf", "rfl", "renouvellement", "renouvellements", "repeats", "repeat", "rpt", "rpts", "daw"}
)  # "repeats", "rpt": Australia's refills (PBS)
#: Where a patch is applied ("apply 1 patch to upper torso"): said like a route, it names no dose.
APPLICATION_SITES: frozenset[str] = frozenset(
    {"upper torso", "upper arm", "upper arms", "upper body", "upper chest", "upper back", "torso", "chest", "skin",
     "intact skin"}
)  # fmt: skip
#: Meals, in text that names no dose ("with meals"): times of day whose number it does not say.
MEALS: frozenset[str] = frozenset({"meal", "meals", "repas"})
#: Qualifiers a product name carries in brackets that change no dose ("opana er (crush resistant)", "morphine
#: sulfate (PF)": preservative-free, "(bulk)": a compounding supply), with the release one says: a biphasic
#: tramadol releases over 24 hours ("tramadol hcl er (biphasic)").
NAME_QUALIFIERS: dict[str, Release | None] = {
    "biphasic": "ER",
    **dict.fromkeys(("crush resistant", "abuse deterrent", "tamper resistant", "pf", "preservative free", "bulk")),
}
#: Salts RxNorm and labels name an opioid with, beyond those listed with the generic names above.
SALTS: dict[str, tuple[str, ...]] = {
    "hydrocodone": ("polistirex", "bitartrate hemipentahydrate"),
    "codeine": ("polistirex", "phosphate hemihydrate"),
    "morphine": ("sulfate pentahydrate", "sulfate liposomal"),
    "dihydrocodeine": ("bitartrate",),
    "oxycodone": ("terephthalate",),
}
_DRUG_ALIASES |= {f"{d} {salt}": DrugName(d) for d, salts in SALTS.items() for salt in salts}
#: Opioids' names as pharmacy and claims files truncate them ("OXYCOD/APAP 5-325", "ACETAMINOPHEN-COD #3"): read in a
#: name, but never words that tell a text names an opioid (OPIOID_WORDS), as "cod" is also a fish ("cod liver oil").
TRUNCATED: dict[str, str] = {"cod": "codeine", "oxycod": "oxycodone"}
_DRUG_ALIASES |= {short: DrugName(drug) for short, drug in TRUNCATED.items()}
#: Salt words a non-opioid component may carry ("promethazine hydrochloride").
_SALT_WORDS: frozenset[str] = frozenset(
    {"hydrochloride", "hcl", "sulfate", "sulphate", "sulf", "bitartrate", "bit", "tartrate", "polistirex", "citrate",
     "phosphate", "maleate", "methylbromide", "hydrobromide", "sodium", "potassium", "tannate", "napsylate", "succinate"}
)  # fmt: skip


@lru_cache(maxsize=8192)
def word(key: str) -> tuple[Literal["route", "form", "release"], str, str | None] | None:
    """What a typed word or phrase is: (field, canonical value, the route a form phrase says), read once."""
    if is_form_word(key):
        return "form", resolve_form(key), form_route(key)
    if is_route_word(key):
        return "route", resolve_route(key), None
    if is_release_word(key):
        return "release", resolve_release(key), None
    return None


#: Every route, form and release word or phrase, as the parser's tokens spell it.
TERMS: frozenset[str] = frozenset(
    _key(k).replace(".", "") for aliases in (_FORM_ALIASES, _ROUTE_ALIASES, _RELEASE_ALIASES) for k in aliases
)

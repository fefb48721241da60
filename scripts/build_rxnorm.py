"""Rebuild the shipped RxNorm product file from CDC's OMTK CSV and the VSAC "Opioids, All" names.

    python scripts/build_rxnorm.py OMTK.csv [NAMES.tsv] [-o src/mme/data/rxnorm-products.json]

The same build as `mme rxnorm build`. After a rebuild, update the file's pin in tests/table_pins.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mme._rxnorm_build import summary
from mme.rxnorm import SHIPPED, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("omtk", type=Path, help="omtkdata_drug_ingredients_<date>.csv")
    parser.add_argument("names", type=Path, nargs="?", help="RxCUI and RxNorm name, tab-separated (rxcui, name)")
    parser.add_argument("-o", "--output", type=Path, default=SHIPPED)
    parser.add_argument("--date", help="the RxNorm date, when the OMTK file name does not carry it")
    args = parser.parse_args()
    counts = build(args.omtk, args.output, names=args.names, rxnorm_date=args.date)
    print(f"{args.output}: {summary(counts)}")


if __name__ == "__main__":
    main()

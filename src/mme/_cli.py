"""The `mme` command: one-off conversions and the table catalogue, through the public API only."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO

import mme

CAVEAT = (
    "MME estimates overdose risk and is not a dosing tool: do not use it to convert a patient from one opioid to "
    "another (CDC, CMS, NIH HEAL)."
)

EXAMPLES = """\
examples:
  mme convert "oxycodone 10 mg q6h"                          # 60 MME/day (CDC 2022)
  mme convert "fentanyl 25 mcg/h patch"                      # 60
  mme convert "methadone 10 mg tid" --table cdc-2016         # 240
  mme convert "hydrocodone/acetaminophen 5/325 mg 1 tab qid" # 20
  mme convert "oxycodone 10 mg tablet" --quantity 120 --days-supply 30 --table cdc-ndc-2018  # 60
  mme convert "oxycodone 10 mg q6h" "fentanyl 25 mcg/h patch"  # each item and the total: 120
  mme convert "oxycodone 10 mg q6h" --json
  mme tables
  mme tables show cdc-2022
  mme taper cohort.csv --timepoints baseline,discharge,3m,12m --plot taper.png
"""

Handler = Callable[[argparse.Namespace, TextIO], int]


def _version() -> str:
    return f"mme {mme.__version__} (tables: {', '.join(t.slug for t in mme.list_tables())})"


def _convert(args: argparse.Namespace, out: TextIO) -> int:
    options = {"table": args.table, "variant": args.variant}
    dispensing = {"quantity": args.quantity, "days_supply": args.days_supply, "package_ml": args.package_ml}
    if args.quantity is None and args.days_supply is None and args.package_ml is None:
        dispensing = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # warnings are printed from the results themselves
        items = [mme.convert(text, **dispensing, **options) for text in args.expressions]
    result = mme.total(items, thresholds=args.threshold or mme.CDC_THRESHOLDS, inclusive=not args.strict)
    if args.json:
        payload = result.model_dump(mode="json") if len(items) > 1 else items[0].model_dump(mode="json")
        json.dump(payload, out, indent=2)
        out.write("\n")
        return 0
    out.write(f"{result}\n")
    for item in items:
        for note in item.warnings:
            out.write(f"warning: {note}\n")
        if item.caution:
            out.write(f"caution: {item.caution}\n")
    out.write(f"note: {CAVEAT}\n")
    return 0


def _tables(args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "show":
        return _show_table(args.slug, out)
    for table in mme.list_tables():
        default = " (default)" if table.slug == mme.DEFAULT_TABLE else ""
        out.write(
            f"{table.slug:<14} {table.kind:<9} {table.published}  {table.publisher.split(',')[0]}: {table.version}{default}\n"
        )
    return 0


def _show_table(slug: str | None, out: TextIO) -> int:
    table = mme.get_table(slug or mme.DEFAULT_TABLE)
    out.write(f"{table.title}\n{table.publisher}, {table.version} ({table.published})\n")
    out.write(
        f"slug {table.slug}; kind {table.kind}; patch convention {table.patch_convention}; sha256 {table.sha256}\n\n"
    )
    for row in table.rows:
        if row.tiers:
            factor = "; ".join(str(t) for t in row.tiers)
        else:
            factor = f"{row.factor} per {row.unit}" + (
                f" per dispensed patch ({row.wear_days}-day wear)" if row.wear_days else ""
            )
        out.write(f"  {row.describe():<45} {factor}\n")
    for ex in table.excluded:
        out.write(f"  {ex.drug:<45} no MME: {ex.reason}\n")
    out.write(f"\nsource: {table.citation}\n{table.url}\nread from: {table.copy_read}\n")
    if table.notes:
        out.write(f"notes: {table.notes}\n")
    for caveat in table.caveats:
        out.write(f"caveat: {caveat}\n")
    return 0


def _taper(args: argparse.Namespace, out: TextIO) -> int:
    """Tapering outcomes of a cohort from a long CSV (see docs/tapering.md)."""
    from mme import taper

    timepoints = [t.strip() for t in args.timepoints.split(",") if t.strip()]
    if not 0 < args.reduction < 1:
        sys.stderr.write(f"mme taper: error: --reduction must be a fraction between 0 and 1 (got {args.reduction})\n")
        return 2
    try:
        records = taper.read_csv(args.cohort)
    except OSError as exc:
        sys.stderr.write(f"mme taper: error: cannot read {args.cohort}: {exc.strerror or exc}\n")
        return 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # warnings are kept in the per-patient notes
        matrix = taper.dose_matrix(records, timepoints, table=args.table)
    options = {"reduction_over": args.reduction, "inclusive": args.inclusive, "label": args.label}
    try:
        summary = taper.summarize_cohort(matrix, tests=True, **options)
    except ImportError as exc:  # no scipy: the table without p-values
        summary = taper.summarize_cohort(matrix, **options)
        sys.stderr.write(f"mme taper: no p-values: {exc}\n")
    if args.plot:
        try:
            taper.plot_trajectories(matrix, args.plot)
        except ImportError as exc:
            sys.stderr.write(f"mme taper: error: {exc}\n")
            return 1
    if args.json:
        json.dump(summary.model_dump(mode="json"), out, indent=2)
        out.write("\n")
    else:
        out.write(f"{summary}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mme",
        description=f"Opioid doses in morphine milligram equivalents (MME/day). {CAVEAT}",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)

    convert = commands.add_parser(
        "convert", help="convert dose expressions to MME/day", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Convert each expression (DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM]) "
        "and add them up. With --quantity and --days-supply the amount is a dispensed strength per unit.",
    )  # fmt: skip
    convert.add_argument("expressions", nargs="+", metavar="EXPRESSION")
    convert.add_argument(
        "--table", default=mme.DEFAULT_TABLE, help="table slug or a custom table file (default %(default)s)"
    )
    convert.add_argument(
        "--variant", help="choose one of several values a table prints (e.g. CMS 2018 methadone: flat, tiers)"
    )
    convert.add_argument("--quantity", type=float, help="units dispensed (tablets, patches, mL, bottles)")
    convert.add_argument("--days-supply", type=float, help="days supply of the dispensing")
    convert.add_argument("--package-ml", type=float, help="mL per bottle when --quantity counts bottles (sprays)")
    convert.add_argument(
        "--threshold", type=float, action="append", help="MME/day threshold to check (repeatable; default 50 and 90)"
    )
    convert.add_argument("--strict", action="store_true", help="thresholds are reached at > instead of >=")
    convert.add_argument("--json", action="store_true", help="machine-readable output")
    convert.set_defaults(handler=_convert)

    tables = commands.add_parser("tables", help="list the shipped tables, or show one")
    tables.add_argument("action", nargs="?", choices=["show"], help="show one table's rows, caveats and source")
    tables.add_argument("slug", nargs="?", help="table slug (default: the default table)")
    tables.set_defaults(handler=_tables)

    taper_ = commands.add_parser(
        "taper", help="tapering outcomes of a cohort: MME/day per time point, change, categories, paired tests",
        description="Summarise a long CSV (patient_id,timepoint,medication with an expression or 'none'; or "
        "patient_id,timepoint,mme_per_day). A patient with no row at a time point is lost to follow-up there.",
    )  # fmt: skip
    taper_.add_argument("cohort", metavar="COHORT.csv")
    taper_.add_argument("--timepoints", required=True, help="time points in order, the first is the baseline (a,b,c)")
    taper_.add_argument("--table", default=mme.DEFAULT_TABLE, help="table slug or file (default %(default)s)")
    taper_.add_argument("--reduction", type=float, default=0.5, help="reduction threshold (default %(default)s)")
    taper_.add_argument("--inclusive", action="store_true", help="a reduction is >= the threshold (default: >)")
    taper_.add_argument("--label", help="a caption printed above the table")
    taper_.add_argument("--plot", metavar="FILE.png", help="save individual trajectories and the mean ± SD")
    taper_.add_argument("--json", action="store_true", help="machine-readable output")
    taper_.set_defaults(handler=_taper)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a conversion error, 2 a usage error)."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Handler = args.handler
    try:
        return handler(args, out)
    except mme.MMEError as exc:
        sys.stderr.write(f"mme: error: {exc}\n")
        return 1

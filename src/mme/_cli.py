"""The `mme` command: one-off conversions and the table catalogue, through the public API only."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal, TextIO

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
  mme batch claims.csv -o claims_mme.parquet --table cdc-ndc-2018   # MME/day of every row (CSV or Parquet)
  mme summarize claims.csv --start 2024-01-01 --end 2024-03-31      # the four definitions per patient
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


# -- batch work on tables of dispensings (mme.frames; needs narwhals and polars or pandas) -------------------


def _read_frame(path: str, text_columns: Sequence[str]) -> Any:
    """A CSV or Parquet file as an eager narwhals frame, with Polars if installed, else pandas."""
    import importlib.util

    import narwhals as nw

    backend: Literal["polars", "pandas"] = "polars" if importlib.util.find_spec("polars") else "pandas"
    if path.lower().endswith((".parquet", ".pq")):
        return nw.read_parquet(path, backend=backend)
    if backend == "polars":
        import polars as pl

        return nw.read_csv(path, backend=backend, schema_overrides=dict.fromkeys(text_columns, pl.String))
    return nw.read_csv(path, backend=backend, dtype=dict.fromkeys(text_columns, str))


def _write_frame(frame: Any, path: str | None, out: TextIO) -> None:
    if path is None:
        out.write(frame.write_csv())
    elif path.lower().endswith((".parquet", ".pq")):
        frame.write_parquet(path)
    else:
        frame.write_csv(path)


def _column_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "drug": args.drug_col, "strength": args.strength_col,
        "strength_unit": None if args.text_strength else args.unit_col, "quantity": args.quantity_col,
        "days_supply": args.days_supply_col, "form": args.form_col, "route": args.route_col,
        "release": args.release_col, "package_ml": args.package_ml_col, "variant": args.variant,
        "ndc": args.ndc_col, "ndc_file": mme.read_ndc_file(args.ndc_file) if args.ndc_file else None,
    }  # fmt: skip


def _tally(frame: Any, column: str, err: TextIO, label: str) -> int:
    """Count the non-null values of a result column, and print the commonest ones."""
    import narwhals as nw

    counts = (
        frame.filter(~nw.col(column).is_null()).group_by(column).agg(nw.len().alias("n")).sort("n", descending=True)
    )
    total = int(counts["n"].sum()) if len(counts) else 0
    for value, n in counts.head(5).iter_rows():
        err.write(f"  {n:>10,} {label}: {value}\n")
    if len(counts) > 5:
        err.write(f"  {'...':>10} and {len(counts) - 5} other reasons\n")
    return total


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    """MME/day of every row of a CSV/Parquet file of dispensings, in chunks, with a progress line."""
    import narwhals as nw

    from mme import frames

    err = sys.stderr
    text = [c for c in (args.drug_col, args.unit_col, args.ndc_col, args.form_col, args.route_col) if c]
    try:
        options = _column_options(args)
        data = _read_frame(args.input, text)
    except OSError as exc:
        err.write(f"mme batch: error: cannot read {exc.filename or args.input}: {exc.strerror or exc}\n")
        return 1
    n, size = len(data), max(1, args.chunk_size)
    progress = not args.quiet and n > size
    parts = []
    try:
        for start in range(0, max(n, 1), size):
            chunk = frames.dispensing_mme(data[start : start + size].to_native(), table=args.table, **options)
            parts.append(nw.from_native(chunk))
            if progress:
                done = min(start + size, n)
                err.write(f"\rmme batch: {done:,}/{n:,} rows ({done / n:.0%})")
                err.flush()
    except mme.MMEError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        err.write(f"{chr(10) if progress else ''}mme batch: error: {exc.args[0] if exc.args else exc}\n")
        return 2
    if progress:
        err.write("\n")
    result = nw.concat(parts) if len(parts) > 1 else parts[0]
    _write_frame(result, args.output, out)
    excluded = _tally(result, frames.MME_EXCLUDED, err, "excluded")
    failed = _tally(result, frames.MME_ERROR, err, "failed")
    written = f" -> {args.output}" if args.output else ""
    err.write(f"mme batch: {n:,} rows: {n - excluded - failed:,} converted, {excluded:,} excluded, {failed:,} failed")
    err.write(f"{written}\n")
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def _summarize(args: argparse.Namespace, out: TextIO) -> int:
    """The four daily-MME definitions per patient over a window, from a CSV/Parquet file of dispensings."""
    import narwhals as nw

    from mme import frames

    text = [c for c in (args.patient_col, args.drug_col, args.unit_col, args.ndc_col, args.form_col) if c]
    try:
        options = _column_options(args)
        data = _read_frame(args.input, text)
    except OSError as exc:
        sys.stderr.write(f"mme summarize: error: cannot read {exc.filename or args.input}: {exc.strerror or exc}\n")
        return 1
    try:
        result = frames.summarize(
            data.to_native(), start=args.start, end=args.end, table=args.table, patient_id=args.patient_col,
            fill_date=args.fill_date_col, include_buprenorphine=not args.exclude_buprenorphine,
            clip_to_window=not args.no_clip, **options,
        )  # fmt: skip
    except mme.MMEError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        sys.stderr.write(f"mme summarize: error: {exc.args[0] if exc.args else exc}\n")
        return 2
    frame = nw.from_native(result)
    _write_frame(frame, args.output, out)
    _tally(frame, "failed_reason", sys.stderr, "patients with a failed fill (no totals)")
    sys.stderr.write(
        f"mme summarize: {len(frame):,} patients, {len(data):,} rows, {int(frame['n_failed'].sum()):,} failed, "
        f"{int(frame['n_excluded'].sum()):,} excluded in the window\n"
    )
    return 0


def _add_column_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--table", help="table slug or file (default: the default table; with --ndc-col, the "
                         "NDC file's own factors)")  # fmt: skip
    command.add_argument("--variant", help="choose one of several values a table prints, for every row")
    columns = command.add_argument_group("columns", "the names of your columns")
    for option, default in (("drug", "drug"), ("strength", "strength"), ("unit", "strength_unit"),
                            ("quantity", "quantity"), ("days-supply", "days_supply")):  # fmt: skip
        columns.add_argument(f"--{option}-col", default=default, help="(default %(default)s)")
    for option in ("form", "route", "release", "package-ml"):
        columns.add_argument(f"--{option}-col", help="optional")
    columns.add_argument("--text-strength", action="store_true", help="the strength column holds text: '10 mg'")
    columns.add_argument("--ndc-col", help="a column of NDCs: drug, strength and form from --ndc-file")
    columns.add_argument("--ndc-file", help="the CDC NDC file (.csv or .xlsx) to look NDCs up in")


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

    batch = commands.add_parser(
        "batch", help="MME/day of every dispensing in a CSV or Parquet file",
        description="Add mme_per_day, mme_factor, mme_days_supply, mme_excluded and mme_error to every row. "
        "Rows that cannot be converted are kept, with the reason; a summary goes to stderr.",
    )  # fmt: skip
    batch.add_argument("input", metavar="INPUT", help="a .csv or .parquet file of dispensings")
    batch.add_argument("-o", "--output", required=True, help="the .csv or .parquet file to write")
    batch.add_argument("--chunk-size", type=int, default=1_000_000, help="rows per chunk (default %(default)s)")
    batch.add_argument("--quiet", action="store_true", help="no progress line")
    _add_column_options(batch)
    batch.set_defaults(handler=_batch)

    summarize = commands.add_parser(
        "summarize", help="the four daily-MME definitions per patient over a window",
        description="Total days supply, on-therapy days, fixed window and maximum daily dose (Dasgupta et al. "
        "2021), one row per patient, as CSV on stdout or in -o FILE (.csv or .parquet).",
    )  # fmt: skip
    summarize.add_argument("input", metavar="INPUT", help="a .csv or .parquet file of dispensings")
    summarize.add_argument("--start", type=_iso_date, required=True, help="first day of the window (YYYY-MM-DD)")
    summarize.add_argument("--end", type=_iso_date, required=True, help="last day of the window (YYYY-MM-DD)")
    summarize.add_argument("-o", "--output", help="the .csv or .parquet file to write (default: stdout)")
    summarize.add_argument("--patient-col", default="patient_id", help="(default %(default)s)")
    summarize.add_argument("--fill-date-col", default="fill_date", help="(default %(default)s)")
    summarize.add_argument("--exclude-buprenorphine", action="store_true", help="leave buprenorphine out")
    summarize.add_argument("--no-clip", action="store_true", help="count fills filled in the window whole")
    _add_column_options(summarize)
    summarize.set_defaults(handler=_summarize)
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

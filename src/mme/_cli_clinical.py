"""The `mme fhir` and `mme rxnorm` commands: clinical input (FHIR R4 resources, RxNorm codes)."""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import mme

from ._cli import _add_variant, _atomic, _check_not_an_input, _check_output, _Refused

__all__ = ["add_commands"]


def _write(result: Any, out: TextIO) -> None:
    out.write(f"{result}\n")
    _notes(result, out)


def _notes(result: Any, out: TextIO) -> None:
    """A result's warnings and cautions, a line each, as every command prints them."""
    items = result.items if isinstance(result, mme.Total) else (result,)
    for item in items:
        for note in item.warnings:
            out.write(f"warning: {note}\n")
        if item.caution:
            out.write(f"caution: {item.caution}\n")


def _fhir(args: argparse.Namespace, out: TextIO) -> int:
    import mme.fhir

    options = {"table": args.table, "rxnorm": args.rxnorm, "variant": args.variant}
    if folder := next((name for name in args.files if Path(name).is_dir()), None):
        raise _Refused(f"{folder} is a folder: give the .json or .ndjson files in it", 1)  # a file's problem: 1
    if missing := [name for name in args.files if name != "-" and not Path(name).is_file()]:
        raise _Refused(f"no such file: {', '.join(missing)}", 1)  # as batch, summarize and taper exit
    _check_not_an_input(None, args.files, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # printed from the results themselves
        for name in args.files:
            if name == "-":
                _ndjson(io.TextIOWrapper(sys.stdin.buffer, "utf-8", "surrogateescape"), args, out, options)
                continue
            if name.endswith(".ndjson"):
                with Path(name).open(encoding="utf-8", errors="surrogateescape") as lines:  # a bad line fails alone
                    _ndjson(lines, args, out, options)
                continue
            result = mme.fhir.convert(Path(name), **options)
            if args.json:
                out.write(result.model_dump_json(indent=2) + "\n")
            else:
                _write(result, out)
    if not args.json:
        out.write(f"note: {args.caveat}\n")
    return 0


def _ndjson(lines: TextIO, args: argparse.Namespace, out: TextIO, options: dict[str, Any]) -> None:
    """One output line per resource; a failed one says why and carries no number (never 0)."""
    import json

    import mme.fhir

    done = failed = 0
    with lines:
        for label, result, error in mme.fhir.iter_convert(lines, **options):
            done += 1
            failed += result is None
            if args.json:
                payload = {
                    "resource": label,
                    "result": result.model_dump(mode="json") if result else None,
                    "error": error,
                }
                out.write(json.dumps(payload) + "\n")
            else:
                out.write(f"{label}: {error or str(result).replace(chr(10), '; ')}\n")
                if result is not None:
                    _notes(result, out)
    sys.stderr.write(f"mme fhir: {done - failed} of {done} resources converted, {failed} refused (with the reason)\n")


def _rxnorm(args: argparse.Namespace, out: TextIO) -> int:
    import mme.rxnorm

    if args.action == "build":
        if not args.output:
            raise _Refused("give the file to write: mme rxnorm build RRF_FOLDER|RXNCONSO.RRF|OMTK.csv -o FILE")
        if not Path(args.source).exists():
            raise _Refused(f"no such file: {args.source}", 1)  # a file's problem, as in every command
        _check_output(args.output, [args.source, args.names and str(args.names)], (".json",))
        with _atomic(args.output) as temporary:
            counts = mme.rxnorm.build(Path(args.source), Path(temporary), names=args.names, rxnorm_date=args.date)
        from ._rxnorm_build import summary  # only here: building the file is rare, and its imports are not small

        out.write(f"{args.output}: {summary(counts)}\n")
        return 0
    product = mme.rxnorm.product(args.source, rxnorm=args.rxnorm)
    out.write(f"{product.rxcui}: {product.name} (RxNorm {product.rxnorm_date})\n")
    route = product.route or "route not stated (say it: IV, IM, SC)"
    out.write(f"  {product.dose_form}: {route}, {product.form}{', ' + product.release if product.release else ''}\n")
    for ingredient in product.ingredients:
        counted = f"counted as {ingredient.drug}" if ingredient.drug else "not counted"
        out.write(f"  {ingredient.name} {ingredient.strength} {ingredient.unit}: {counted}\n")
    if product.pack:
        out.write(
            f"  a pack of {product.pack}: a count or quantity counts packs, their {product.pack} units together\n"
        )
    return 0


def add_commands(commands: Any, caveat: str) -> None:
    """Add `mme fhir` and `mme rxnorm` to the command line's subcommands."""
    fhir = commands.add_parser(
        "fhir",
        help="MME/day of FHIR R4 MedicationRequest/Statement/Dispense resources or Bundles (JSON or NDJSON)",
        description="Convert FHIR R4 JSON files (a resource or a Bundle) or NDJSON bulk exports (.ndjson, or - for "
        f"stdin: one line out per resource, refused ones with the reason). {caveat}",
    )
    fhir.add_argument("files", nargs="+", metavar="FILE", help="a .json resource or Bundle, a .ndjson export, or -")
    fhir.add_argument("--table", default=mme.DEFAULT_TABLE, help="table slug or file (default %(default)s)")
    fhir.add_argument("--rxnorm", help="an RxNorm product file built with `mme rxnorm build` (default: shipped)")
    fhir.add_argument("--json", action="store_true", help="machine-readable output (NDJSON for .ndjson input)")
    _add_variant(fhir, ", for every resource")
    fhir.set_defaults(handler=_fhir, caveat=caveat)

    rxnorm = commands.add_parser(
        "rxnorm",
        help="show an RxCUI's product, or build an RxNorm product file",
        description="`mme rxnorm show RXCUI` prints a product; `mme rxnorm build SOURCE -o FILE [--names TSV]` "
        "builds a product file, to pass as --rxnorm / rxnorm=PATH, from NLM's RxNorm release (the unzipped folder "
        "or its rrf/RXNCONSO.RRF: the current clinical and branded drugs and packs that name an opioid) or from an "
        "OMTK-shaped CSV (CDC's OMTKData). It says how many names were read, kept and skipped, and why.",
    )
    rxnorm.add_argument("action", choices=["show", "build"])
    rxnorm.add_argument(
        "source", metavar="RXCUI|SOURCE", help="show: an RxCUI; build: an RRF folder, RXNCONSO.RRF or OMTK.csv"
    )
    rxnorm.add_argument("-o", "--output", help="build: the product file to write")
    rxnorm.add_argument("--names", type=Path, help="build: a TSV of rxcui and RxNorm name, for RxCUIs the source lacks")
    rxnorm.add_argument(
        "--date",
        help="build: the RxNorm date YYYY-MM-DD, when the release folder or the CSV's file name does not give it",
    )
    rxnorm.add_argument("--rxnorm", help="show: the product file to read (default: shipped)")
    rxnorm.set_defaults(handler=_rxnorm)

"""The `mme` command: one-off conversions, the table catalogue and file work, through the public API.

Every problem ends in one line on stderr and a non-zero exit, never a traceback; arguments and files are
checked before the work starts. Output files are written beside their target and renamed into place, so the
target holds nothing, its previous content or the complete output, and never the input it was read from.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import gc
import importlib.util
import itertools
import math
import os
import re
import signal
import stat
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO, cast

import mme
from mme._tables import table_slugs

from . import _vocab
from ._errors import COLUMN_KEYWORDS, MMEError, excerpt, named_twice
from ._history import KEY_SPACE, MISSING_WORDS, looks_missing
from ._ndc import AS_AN_INT, IN_A_FILE, file_variant
from ._parse import Expression
from ._units import number_text

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
  mme convert --rxcui 1049621 "2 tabs q6h"                   # RxCUI 1049621 is oxycodone 5 mg tablets: 60
  mme convert "oxycodone 10 mg q6h" --json
  mme tables
  mme tables show cdc-2022
  mme taper cohort.csv --timepoints baseline,discharge,3m,12m --plot taper.png
  mme batch claims.csv -o claims_mme.parquet --table cdc-ndc-2018   # MME/day of every row (CSV or Parquet)
  mme summarize claims.csv --start 2024-01-01 --end 2024-03-31      # the four definitions per patient
  mme fhir request.json                                     # a FHIR MedicationRequest, Statement, Dispense or Bundle
  mme rxnorm show 1049621                                   # an RxCUI's product
"""

Handler = Callable[[argparse.Namespace, TextIO], int]


def _gist(message: str) -> str:
    """The first line of a message (a library's may go on for a page): the command prints one line."""
    return (message.strip().splitlines() or [""])[0]


class _Refused(Exception):
    """A problem with the command's arguments or files: its message is printed as one line, `status` is the exit."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(_gist(message))
        self.status = status


INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in mme, not in the input
#: The signals that end a run as Ctrl-C does: SIGTERM (`kill`, `timeout`, a service or container stopping), SIGHUP
#: (a terminal closed, an ssh session dropped) and SIGQUIT (Ctrl-\). Windows has SIGTERM alone.
STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))


class _Terminated(KeyboardInterrupt):
    """A signal of STOPPING, raised where the command is, as Ctrl-C is: a file being written is removed on the way
    out, never left half-written beside its target. The exit status is 128 + its number, as a shell reports it."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.status = 128 + number


def _terminate(number: int, _: object) -> NoReturn:
    raise _Terminated(number)


CLOSED = "cannot write to stdout: it is closed (>&-); send it to a file, or to /dev/null"


class _ClosedStdout:
    """What the command writes to when the process has no stdout (`mme ... >&-`, so `sys.stdout` is None): the
    first use, which for a command that reads a file is the check of stdout against its inputs, before the work,
    is refused in one line."""

    def _refuse(self, *_: object) -> NoReturn:
        raise _Refused(CLOSED, 1)

    write = flush = fileno = _refuse


class _Version(argparse.Action):
    """--version, which names the shipped tables from their file names (nothing is parsed until it is asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        if sys.stdout is None:
            parser.exit(1, f"mme: error: {CLOSED}\n")
        sys.stdout.write(f"mme {mme.__version__} (tables: {', '.join(table_slugs())})\n")
        parser.exit()


def _finite_positive(text: str) -> float:
    try:
        value = float(number_text(text, "value"))
    except MMEError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"not a finite number above 0: {text[:40]!r}")
    return value


def _number(text: str) -> float:
    """A number option, read as every number written as text is (`mme._units.number_text`): "1_0" and "٣" are not."""
    try:
        return float(number_text(text, "value"))
    except MMEError:
        raise argparse.ArgumentTypeError(f"not a number in the digits 0-9 (e.g. 10 or 2.5): {text[:40]!r}") from None


MAX_CHUNK = 1_000_000_000  # rows; more than any machine holds at once, and less than Polars' counts overflow at


def _chunk_size(text: str) -> int:
    digits = text.strip()
    value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 20 else 0
    if not 1 <= value <= MAX_CHUNK:
        raise argparse.ArgumentTypeError(f"not a whole number from 1 to {MAX_CHUNK:,}: {text[:40]!r}")
    return value


def _separator(text: str) -> str:
    text = "\t" if text.lower() in ("tab", "\\t") else text
    if len(text.encode()) != 1 or text in '"\r\n':
        raise argparse.ArgumentTypeError(f"not one ASCII character other than a quote or a line break: {text[:40]!r}")
    return text


def _output(text: str) -> str | None:
    """An output file's name; "-" (and no -o) is CSV on stdout. An empty name is refused before the work, not
    after it (it would be neither stdout nor a file)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name: give a .csv or .parquet file, or - for CSV on stdout")
    return None if text == "-" else text


def _encoding(text: str) -> str:
    """A text encoding's name. Python's codecs also hold transforms of bytes to bytes (base64, zlib) or of text to
    text (rot13), which no file is written in, and "undefined", which decodes nothing: decoding a byte refuses them
    as it does an unknown name (an empty text is not decoded at all)."""
    try:
        b"\0".decode(text, errors="replace")
        return codecs.lookup(text).name
    except (LookupError, UnicodeError):
        raise argparse.ArgumentTypeError(
            f"not a known text encoding: {text[:40]!r} (e.g. utf-8, latin-1, cp1252)"
        ) from None


def _convert(args: argparse.Namespace, out: TextIO) -> int:
    options = {"table": args.table, "variant": args.variant, "rxcui": args.rxcui, "rxnorm": args.rxnorm}
    if not args.expressions and args.rxcui is None:
        sys.stderr.write(f"{args.usage}mme convert: error: give an EXPRESSION (with --rxcui, a sig or a dispensing)\n")
        return 2
    dispensing = {"quantity": args.quantity, "days_supply": args.days_supply, "package_ml": args.package_ml}
    if args.quantity is None and args.days_supply is None and args.package_ml is None:
        dispensing = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # warnings are printed from the results themselves
        items = [mme.convert(text, **dispensing, **options, range=args.range) for text in args.expressions or [""]]
    result = mme.total(items, thresholds=args.threshold or mme.CDC_THRESHOLDS, inclusive=not args.strict)
    if args.json:
        import json  # deferred, as every import a plain conversion does not use: it is a one-off command's start-up

        payload = result.model_dump(mode="json") if len(items) > 1 else items[0].model_dump(mode="json")
        json.dump(payload, out, indent=2)
        out.write("\n")
        return 0
    out.write(f"{result}\n")
    for item in result.items:  # as the total has them (methadone tiered by its total daily dose)
        if args.explain and item.expression is not None:
            out.write(_explain(item.expression))
        for note in item.warnings:
            out.write(f"warning: {note}\n")
        if item.caution:
            out.write(f"caution: {item.caution}\n")
    out.write(f"note: {CAVEAT}\n")
    return 0


def _explain(expr: Expression) -> str:
    """What was read of one expression, part by part."""
    often = f"{expr.per_day:g} a day" if expr.per_day else f"every {expr.every_hours:g} h" if expr.every_hours else "-"
    parts = {
        "drug": expr.drug, "strength": expr.dose, "count": f"{expr.count:g}", "volume": expr.volume,
        "how often": often, "route": expr.route, "form": expr.form, "release": expr.release,
        "as needed": "yes" if expr.as_needed else None, "ranges": ", ".join(expr.ranges) or None,
        "maximum": expr.cap, "ignored": "; ".join(expr.ignored) or None,
    }  # fmt: skip
    lines = [f"  {k}: {v}" for k, v in parts.items() if v is not None]
    return f"read {expr.text!r}:\n" + "\n".join(lines) + "\n"


def _names(args: argparse.Namespace, out: TextIO) -> int:
    _write_names(mme.get_table(args.table) if args.table else None, out)
    return 0


def _write_names(table: mme.Table | None, out: TextIO, indent: str = "") -> None:
    """Every accepted drug name with what it resolves to; with a table, only those of the drugs it covers."""
    covered = None if table is None else {*table.drugs, *(e.drug for e in table.excluded)}
    for name in _vocab.known_names():
        meaning = _vocab.resolve_drug(name)
        if covered is not None and meaning.drug not in covered:
            continue
        implied = " ".join(x for x in (meaning.release, meaning.route, meaning.form) if x)
        combination = _vocab.combination(name)
        parts = f" (components {'/'.join(combination[0])})" if combination else ""
        out.write(f"{indent}{name}: {meaning.drug}{f' [{implied}]' if implied else ''}{parts}\n")


def _tables(args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "show":
        return _show_table(args.slug, out, names=args.names)
    for table in mme.list_tables():
        default = " (default)" if table.slug == mme.DEFAULT_TABLE else ""
        out.write(
            f"{table.slug:<14} {table.kind:<9} {table.published}  {_before_comma(table.publisher)}: {table.version}{default}\n"
        )
    return 0


def _before_comma(text: str) -> str:
    """The text up to its first comma outside brackets: a publisher's name, its "(Adams: ..., ...)" kept whole."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            return text[:i]
    return text


def _show_table(slug: str | None, out: TextIO, *, names: bool = False) -> int:
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
    if names:
        out.write("\nnames it reads (mme names --table lists the same):\n")
        _write_names(table, out, "  ")
    return 0


def _taper(args: argparse.Namespace, out: TextIO) -> int:
    """Tapering outcomes of a cohort from a long CSV (see docs/tapering.md)."""
    from mme import taper

    timepoints = [t.strip() for t in args.timepoints.split(",") if t.strip()]
    if not 0 < args.reduction < 1:
        raise _Refused(f"--reduction must be a fraction between 0 and 1 (got {args.reduction})")
    _check_input(args.cohort)
    _check_not_an_input(None, [args.cohort, _table_file(args)], out)
    if args.plot:
        _check_output(args.plot, [args.cohort, _table_file(args)], (".png",))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", mme.MMEWarning)
        records = taper.read_csv(args.cohort)
    for warning in caught:  # ids such as "NaN": said once, before the table
        sys.stderr.write(f"mme taper: warning: {warning.message}\n")
    if not records:  # no patient to summarise: a header alone said "values given in MME/day" of no value at all
        raise _Refused(f"cannot read {args.cohort}: it holds no records, only a header", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # warnings are kept in the per-patient notes
        matrix = taper.dose_matrix(records, timepoints, table=args.table, variant=args.variant)
    failed = Counter(c.error for p in matrix.patients for c in p.cells if c.error is not None)
    if failed:  # said as batch and summarize say their failed rows; the rest of the cohort is computed
        _print_reasons(failed, sys.stderr, "failed")
        sys.stderr.write(f"mme taper: {failed.total():,} patient time point(s) failed: no value, never 0 (see notes)\n")
    options = {"reduction_over": args.reduction, "inclusive": args.inclusive, "label": args.label}
    try:
        summary = taper.summarize_cohort(matrix, tests=True, **options)
    except ImportError as exc:  # no scipy: the table without p-values
        summary = taper.summarize_cohort(matrix, **options)
        sys.stderr.write(f"mme taper: no p-values: {exc}\n")
    if args.plot:
        try:
            with _atomic(args.plot) as temporary:
                taper.plot_trajectories(matrix, temporary)
        except ImportError as exc:
            raise _Refused(str(exc), 1) from None
    if args.json:
        import json

        json.dump(summary.model_dump(mode="json"), out, indent=2)
        out.write("\n")
    else:
        out.write(f"{summary}\n")
    return 0


# -- files: checked before the work, written atomically ---------------------------------------------------

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
FAILED_REASON = "failed_reason"  # mme.frames.summarize's column
FORMULA_START = "=+-@\t\r"  # what a spreadsheet may run as a formula at the start of a text cell (OWASP)
FORMULA_PATTERN = "^[" + "".join(f"\\x{ord(c):02x}" for c in FORMULA_START) + "]"  # a regex: 2x slicing's speed


def _table_file(args: argparse.Namespace) -> str | None:
    """--table when it names a custom table file rather than a shipped table's slug."""
    return args.table if args.table and Path(args.table).is_file() else None


def _check_input(path: str) -> None:
    """A readable regular file (not a directory, a device or a FIFO that would block)."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            with open(path, "rb"):
                return
    except OSError as exc:
        raise _Refused(f"cannot read {path}: {exc.strerror or exc}", 1) from None
    raise _Refused(f"cannot read {path}: not a regular file", 1)


def _check_output(path: str, inputs: Sequence[str | None], suffixes: Sequence[str]) -> None:
    """An output that can be written where asked, and that is none of the inputs (after resolving links)."""
    if not path.lower().endswith(tuple(suffixes)):
        raise _Refused(f"cannot write {path}: the file name must end in {', '.join(suffixes)}")
    target = Path(path)
    _check_not_an_input(path, inputs)
    if target.exists() and not target.is_file():
        raise _Refused(f"cannot write {path}: not a regular file", 1)
    if target.exists() and not (os.access(path, os.W_OK) and os.stat(path).st_mode & 0o222):  # root may write it
        raise _Refused(f"cannot write {path}: the file is read-only; make it writable, or choose another file", 1)
    folder = target.parent
    if not folder.is_dir():
        raise _Refused(f"cannot write {path}: the folder {folder} does not exist", 1)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _Refused(f"cannot write {path}: the folder {folder} is not writable", 1)


TEMPORARY_STEM = 100  # bytes of the output's name kept in its temporary file's name: . + 100 + . + 8 + suffix


def _check_not_an_input(output: str | None, inputs: Sequence[str | None], stream: IO[Any] | None = None) -> None:
    """Refuse an output that is one of the inputs: the same path after resolving links, the same file by another
    name (a hard link), or, with no `output` name, a `stream` (stdout: `mme batch in.csv -o - >> in.csv`) open on
    the same file. Either would overwrite or grow the input as it is read. An input "-" is stdin, by the file it
    is open on (`mme fhir - < x.ndjson >> x.ndjson` read back each line it wrote, without end)."""
    written = _open_on(stream) if output is None else _stat(output)
    if output is None and (written is None or not stat.S_ISREG(written.st_mode)):
        return
    for source in filter(None, inputs):
        read = _open_on(sys.stdin) if source == "-" else _stat(source)
        same = (read is not None and written is not None and os.path.samestat(read, written)) or (
            output is not None and source != "-" and os.path.realpath(source) == os.path.realpath(output)
        )
        if same:
            name = "the file stdin reads" if source == "-" else f"the input {source}"
            raise _Refused(f"cannot write {output or 'stdout'}: it is {name}; choose another output file")


def _stat(path: str) -> os.stat_result | None:
    """The file a path names; None for none yet."""
    return os.stat(path) if Path(path).exists() else None


def _open_on(stream: IO[Any] | None) -> os.stat_result | None:
    """The file a stream is open on; None for none (closed), or an in-memory text."""
    with contextlib.suppress(OSError, ValueError):  # a pipe's stat is returned; an in-memory text has no fileno
        return os.fstat(stream.fileno()) if stream is not None else None
    return None


@contextlib.contextmanager
def _atomic(path: str) -> Iterator[str]:
    """A temporary file beside `path` to write; renamed onto `path` once complete, removed on any failure."""
    import tempfile  # deferred, with shutil, bz2, lzma and random: a one-off conversion writes no file

    target = Path(path)
    # a name of 255 bytes is legal: its temporary file's (hidden, unique, beside it) may not pass 255 either
    stem = target.name.encode()[:TEMPORARY_STEM].decode(errors="ignore")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=target.suffix, dir=target.parent)
    except OSError as exc:  # named as the user's output: the temporary file is ours
        raise _Refused(f"cannot write {path}: {exc.strerror or exc}", 1) from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        mode = 0o666 & ~umask  # what a plain open() makes, and keeps of a file it overwrites:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(os.stat(path).st_mode)  # a file replaced keeps its mode (0600 stays private)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and exc.filename == temporary:  # the user's output is named, not ours
            raise _Refused(f"cannot write {path}: {exc.strerror or exc}", 1) from None
        raise


def _install_line() -> str:
    """The pip command that installs the 'cli' extra's requirements (read from the package's own metadata)."""
    import importlib.metadata  # deferred, with what it imports (email, zipfile, csv...): only this message reads it

    extra = []
    for requirement in importlib.metadata.requires("mme") or ():
        name, _, marker = requirement.partition(";")
        if marker.replace(" ", "").replace("'", '"') == 'extra=="cli"':
            extra.append(f'"{name.strip()}"')
    return f"python -m pip install {' '.join(extra)}"


def _need_frame_engine() -> None:
    missing = [name for name in ("narwhals", "polars") if importlib.util.find_spec(name) is None]
    if missing:
        raise _Refused(
            f"reading and writing files needs {' and '.join(missing)} (the 'cli' extra): {_install_line()}", 1
        )


def _is_parquet(path: str) -> bool:
    """Whether an input is read as Parquet (else as CSV), by its name."""
    return path.lower().endswith((".parquet", ".pq"))


@contextlib.contextmanager
def _reading(args: argparse.Namespace, source: str) -> Iterator[None]:
    """Polars' complaints about the input file (`source`: it, or its UTF-8 copy), as one line that names it."""
    import polars as pl

    path, csv = args.input, not _is_parquet(source)
    try:
        yield
    except pl.exceptions.NoDataError:
        raise _Refused(f"cannot read {path}: the file is empty (a CSV needs at least its header line)", 1) from None
    except pl.exceptions.PolarsError as exc:
        if csv and (what := _not_text(source)):
            raise _Refused(f"cannot read {path}: it is not CSV text: {what}", 1) from None
        if csv and (line := _carriage_return(source)):
            raise _Refused(
                f"cannot read {path}: line {line} holds a carriage return inside it, not at its end (a line break "
                "of an old Mac export, or pasted into a cell): remove it, or quote the cell that holds it", 1
            ) from None  # fmt: skip
        if csv and (line := _ragged(source, args.separator)):
            raise _Refused(
                f"cannot read {path}: line {line} has more cells than the header: quote a cell that holds "
                f"{args.separator!r} (\"oxycodone 10 mg, 2 tabs\"), or give the file's --separator", 1
            ) from None  # fmt: skip
        hint = ""
        if csv and "not properly escaped" in str(exc):  # Polars says it last, under a page of dtype advice
            hint = '; a cell opens a quote (") that does not close: close it, or write a quote in a cell as ""'
        elif csv and args.encoding == "utf-8" and "utf-8" in str(exc).lower():
            hint = "; if it is not UTF-8, give --encoding (e.g. latin-1, cp1252)"
        raise _Refused(f"cannot read {path}: {_gist(str(exc))[:200] or type(exc).__name__}{hint}", 1) from None


BINARY = {b"PAR1": "a Parquet file (name it .parquet)", b"PK\x03\x04": "a zip or Excel file (save it as CSV)"}


def _not_text(source: str) -> str | None:
    """What a file Polars failed to read as CSV is, when it is no text at all (its cells would be read as ragged)."""
    with open(source, "rb") as file:
        start = file.read(1 << 16)
    found = next((what for magic, what in BINARY.items() if start.startswith(magic)), None)
    return found or ("it holds NUL bytes (a binary file? UTF-16 text needs --encoding)" if b"\0" in start else None)


def _carriage_return(source: str) -> int | None:
    """The first line of a file that holds a carriage return not followed by a line feed (Polars reads it as a line
    break, and then says "found more fields than defined in 'Schema'"), read a block at a time."""
    line, pending = 1, False
    with open(source, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            if pending and not block.startswith(b"\n"):
                return line
            if found := re.search(rb"\r[^\n]", block):
                return line + block.count(b"\n", 0, found.start())
            line, pending = line + block.count(b"\n"), block.endswith(b"\r")
    return None


def _ragged(source: str, separator: str) -> int | None:
    """The first line of a UTF-8 CSV whose record has more cells than its header (Polars does not say where)."""
    import csv

    with open(source, newline="", encoding="utf-8-sig", errors="replace") as file:
        reader = csv.reader(file, delimiter=separator)
        width = len(next(reader, []))
        return next((reader.line_num for row in reader if len(row) > width), None)


@contextlib.contextmanager
def _utf8(path: str, encoding: str) -> Iterator[str]:
    """`path` itself when it is UTF-8, else a temporary UTF-8 copy (Polars reads only UTF-8), made a block at a
    time so that memory does not grow with the file."""
    if encoding == "utf-8":
        yield path
        return
    import tempfile

    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as source, tempfile.NamedTemporaryFile(prefix="mme-", suffix=".csv") as copy:
        read = 0
        for block in itertools.chain(iter(lambda: source.read(1 << 20), b""), [b""]):
            pending = len(decoder.getstate()[0])
            try:
                copy.write(decoder.decode(block, final=not block).encode())
            except UnicodeError as exc:  # UTF-16 and UTF-32 without a byte order mark are not UnicodeDecodeErrors
                why = (
                    f"{exc.reason} at byte {read - pending + exc.start}" if isinstance(exc, UnicodeDecodeError) else exc
                )
                raise _Refused(f"cannot read {path}: not {encoding} text ({why})", 1) from None
            read += len(block)
        copy.flush()
        yield copy.name


def _scan(source: str, args: argparse.Namespace) -> tuple[Any, int]:
    """A Polars LazyFrame of a UTF-8 CSV (`source`, the input or its UTF-8 copy) or of a Parquet file, and how many
    empty columns of no name it left out (`_without_empty_unnamed`).

    Every CSV column is read as text: a type guessed from the first rows would stop the run at a
    bad cell further down, where `mme.frames` fails that row alone; and cells are written back as read.
    """
    import polars as pl

    if _is_parquet(source):
        frame = pl.scan_parquet(source)
        _check_names(frame.collect_schema().names(), args)
        return frame, 0
    with open(source, "rb") as file:
        start = file.read(1 << 16)
    if b"\r" in start and b"\n" not in start:
        raise _Refused(
            f"cannot read {args.input}: its lines end in a carriage return alone (an old Mac export): save it with "
            "LF or CRLF line endings", 1
        )  # fmt: skip
    header = pl.read_csv(source, has_header=False, n_rows=1, infer_schema=False, separator=args.separator).row(0)
    names = [str(name or "").removeprefix("\ufeff") for name in header]
    _check_header(names, args)
    frame = pl.scan_csv(source, infer_schema=False, separator=args.separator)
    if "" in names:
        return _without_empty_unnamed(frame, [i for i, name in enumerate(names) if not name], args)
    return frame, 0


def _without_empty_unnamed(frame: Any, unnamed: list[int], args: argparse.Namespace) -> tuple[Any, int]:
    """A scanned CSV without its columns of no name that hold no value in any row, and how many there were (an
    Excel export keeps columns that once held something: lines end in ",,,"). Two or more that hold values are
    refused: Polars names all but the first '_duplicated_0'..., and which one is which? One pass over the file,
    all columns at once."""
    import polars as pl

    polars_names = frame.collect_schema().names()
    columns = [polars_names[i] for i in unnamed]
    checks = [pl.col(name).str.contains(r"\S").any().alias(str(i)) for i, name in enumerate(columns)]
    holding = frame.select(checks).collect().row(0)
    kept = [str(i + 1) for i, holds in zip(unnamed, holding, strict=True) if holds]
    if len(kept) > 1:
        raise _Refused(
            f"cannot read {args.input}: columns {', '.join(kept[:5])}{', ...' * (len(kept) > 5)} have no name in "
            "its header and hold values: name them, or remove them", 1
        )  # fmt: skip
    empty = [name for name, holds in zip(columns, holding, strict=True) if not holds]
    return frame.drop(empty), len(empty)


def _check_header(names: list[str], args: argparse.Namespace) -> None:
    """A CSV header that would be read wrong: a column named twice (Polars renames the second: which one holds
    the drug?), or one column whose name holds another separator."""
    if (twice := named_twice(names)) is not None:
        raise _Refused(f"cannot read {args.input}: {twice}", 1)
    other = [sep for sep in ",;\t|" if len(names) == 1 and sep in names[0] and sep != args.separator]
    if other:
        raise _Refused(
            f"cannot read {args.input}: its header is one column, {names[0][:60]!r}: if {other[0]!r} separates "
            f"its columns, give --separator {other[0]!r}", 1
        )  # fmt: skip
    _check_names(names, args)


def _check_names(names: Sequence[str], args: argparse.Namespace) -> None:
    """Refuse two columns that differ only in case or surrounding spaces where an option names one of them
    ('drug' and 'Drug', or 'drug '): which one holds the drug?"""
    folded: dict[str, list[str]] = {}
    for name in names:
        folded.setdefault(name.strip().casefold(), []).append(name)
    for key, value in vars(args).items():
        alike = folded.get(value.strip().casefold(), []) if key.endswith("_col") and value else []
        if len(alike) > 1:
            option = f"--{key.removesuffix('_col').replace('_', '-')}-col"
            raise _Refused(
                f"cannot read {args.input}: its header has {' and '.join(map(repr, alike))}: which one is {option}? "
                "rename or remove all but one", 1
            )  # fmt: skip


def _squashed(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


@contextlib.contextmanager
def _columns_of(names: Sequence[str], args: argparse.Namespace) -> Iterator[None]:
    """`mme.frames`' ColumnError in the command's words, naming the file's columns that differ from an option's
    only in case, spaces or punctuation ('Days Supply' for --days-supply-col days_supply)."""
    try:
        yield
    except mme.ColumnError as exc:
        asked = {key: value for key, value in vars(args).items() if key.endswith("_col") and value}
        near = [
            f"--{key.removesuffix('_col').replace('_', '-')}-col {name!r}"
            for key, column in asked.items() if column not in names
            for name in names if _squashed(name) == _squashed(column)
        ]  # fmt: skip
        message = str(exc).replace(COLUMN_KEYWORDS, "name yours with the --...-col options (see --help)")
        message = _KEYWORD.sub(lambda m: _option(m[1], args) or m[0], message)
        raise _Refused(message + (f"; yours may be {', '.join(near)}" if near else "")) from None


_KEYWORD = re.compile(r"\b([a-z_]+)=(?:mme\.\w+\(\.\.\.\)|\.\.\.)")  # `ndc=...`, `ndc_file=mme.read_ndc_file(...)`


def _option(keyword: str, args: argparse.Namespace) -> str | None:
    """The command's option for an `mme.frames` keyword: --ndc-col for ndc=..., --ndc-file for ndc_file=..."""
    for dest in (f"{keyword}_col", keyword):
        if dest in vars(args):
            return "--" + dest.replace("_", "-")
    return None


def _read_frame(args: argparse.Namespace) -> tuple[Any, str]:
    """The input, a CSV (in --encoding) or Parquet file, as an eager narwhals frame read by Polars, and what was left
    out of a CSV, said as the summary says it (`_skipped`)."""
    import narwhals as nw

    _check_input(args.input)
    with _utf8(args.input, args.encoding) as source, _reading(args, source):
        scanned, columns = _scan(source, args)
        frame, blank = _without_blank_rows(scanned.collect(), source)
        return nw.from_native(frame, eager_only=True), _skipped(blank, columns)


def _without_blank_rows(chunk: Any, source: str) -> tuple[Any, int]:
    """A chunk of a CSV without its blank rows, and how many there were. A row is blank when every cell is empty
    once trimmed: a blank line, separators alone, a line of spaces or of quoted empty cells ("",""). Polars reads
    them as rows, which failed as fills of no drug (or made a patient of no id). Tested on the whole chunk at once
    (as a lazy filter, the test took a minute on 3,000 columns). A cell that begins with a printable ASCII character
    holds a value: where the first column has one in every row (an id column has), that column's comparisons settle
    the chunk alone; else where every row has one, a comparison per cell settles it, at a sixth of a search's cost;
    the search for any character that is not a space (Unicode's) reads only the chunks that may hold a blank row."""
    import polars as pl

    if _is_parquet(source) or not chunk.width:
        return chunk, 0
    first = chunk.to_series(0)
    if not first.null_count() and ((first >= "!") & (first < "\x7f")).all():
        return chunk, 0
    cells = pl.all()
    if chunk.select(pl.any_horizontal(((cells >= "!") & (cells < "\x7f")).fill_null(value=False)).all()).item():
        return chunk, 0
    kept = chunk.select(pl.any_horizontal(cells.str.contains(r"\S").fill_null(value=False))).to_series()
    blank = len(kept) - int(kept.sum())
    return (chunk.filter(kept) if blank else chunk), blank


def _chunks(frame: Any, size: int, args: argparse.Namespace, source: str, tally: _Tally) -> Iterator[Any]:
    """The rows of a scanned file, in order, `size` at a time, blank rows skipped and counted in `tally` (a file
    with no rows gives one empty chunk). Polars starts reading at once, in the background, while the conversion's
    modules are imported."""
    with _reading(args, source):
        batches = frame.collect_batches(chunk_size=size)

    def each() -> Iterator[Any]:
        with _reading(args, source):
            empty = True
            for chunk in batches:
                empty = False
                kept, blank = _without_blank_rows(chunk, source)
                tally.blank += blank
                yield kept
            if empty:
                yield frame.clear().collect()

    return each()


def _formula_cells(frame: Any, *, escape: bool) -> tuple[Any, int]:
    """How many text cells a spreadsheet would run as formulas; with `escape`, the frame with a leading
    apostrophe on each of them (OWASP's rule for CSV injection).

    One Polars expression over all the text columns at each step, not one per column: a file of 100,000 columns
    spent most of its run building expressions."""
    import narwhals as nw
    import polars as pl
    from polars import selectors

    def columns(names: list[str]) -> Any:  # by name as written: pl.col would read "^id.*$" as a pattern
        return selectors.by_name(names).as_expr()

    native = frame.to_native()
    # only the columns where some cell may begin so are searched (most hold numbers or words)
    text = [cells.name for cells in native.iter_columns() if cells.dtype == pl.String and _may_begin_a_formula(cells)]
    if not text:
        return frame, 0
    count = int(native.select(pl.sum_horizontal(columns(text).str.contains(FORMULA_PATTERN).sum())).item())
    if escape and count:
        native = native.with_columns(columns(text).str.replace(f"^({FORMULA_PATTERN[1:]})", "'$1"))
    return nw.from_native(native, eager_only=True), count


def _may_begin_a_formula(cells: Any) -> bool:
    """Whether some cell of a text column (a Polars Series) may begin with a character of FORMULA_START, all of
    which sort below "0" or from ":" to "@": not where every cell sorts from "A" up, nor where every one begins
    with a digit. The column's least cell tells, at a fraction of a search's cost (100,000 columns of 20 cells:
    0.2 s, where comparing each cell took 8 s); only where it leaves it open (it sorts from "0" below "A") are the
    cells compared with ":", at a third of the cost of reading the greatest cell."""
    lo = cells.min()
    if lo is None or lo >= "A":
        return False
    return bool(lo < "0" or not (cells < ":").all())


def _write_frame(frame: Any, args: argparse.Namespace, out: TextIO) -> str:
    """Write the result (CSV on stdout without -o) and say what was written, formula-like cells included."""
    if args.output and not args.output.lower().endswith(".csv"):
        with _atomic(args.output) as temporary:
            frame.write_parquet(temporary)
        return _written(args, 0)
    frame, formulas = _formula_cells(frame, escape=args.escape_formulas)
    if args.output:
        with _atomic(args.output) as temporary:
            frame.write_csv(temporary)
    else:
        out.write(frame.write_csv())
    return _written(args, formulas)


def _written(args: argparse.Namespace, formulas: int) -> str:
    """The end of the run's summary line: where the output went, and how many cells look like formulas."""
    destination = f" -> {args.output}" if args.output else ""
    if not formulas:
        return destination
    what = f"text cells a spreadsheet may run as formulas (beginning with = + - @ tab or CR): {formulas:,}"
    if args.escape_formulas:
        return f"{destination}; {what}, written with a leading ' (--escape-formulas)"
    return f"{destination}; {what}, written as read (--escape-formulas prefixes them with ')"


def _column_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "drug": args.drug_col, "strength": args.strength_col,
        "strength_unit": None if args.text_strength else args.unit_col, "quantity": args.quantity_col,
        "days_supply": args.days_supply_col, "form": args.form_col, "route": args.route_col,
        "release": args.release_col, "package_ml": args.package_ml_col, "variant": args.variant,
        "ndc": args.ndc_col, "ndc_file": mme.read_ndc_file(args.ndc_file) if args.ndc_file else None,
        "rxcui": args.rxcui_col, "rxnorm": args.rxnorm,
    }  # fmt: skip


def _reasons(frame: Any, column: str) -> Counter[str]:
    """How many times each non-null value of a result column occurs."""
    return Counter(dict(frame[column].drop_nulls().value_counts().iter_rows()))  # a column, not the frame, filtered


def _print_reasons(counts: Counter[str], err: TextIO, label: str) -> None:
    """Print the commonest reasons (ties in alphabetical order, whatever the chunks)."""
    for value, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]:
        err.write(f"  {n:>10,} {label}: {value}\n")
    if len(counts) > 5:
        err.write(f"  {'...':>10} and {len(counts) - 5} other reasons\n")


def _check_files(args: argparse.Namespace, out: TextIO) -> None:
    """Everything about batch's and summarize's files that can be known before the work starts."""
    _need_frame_engine()
    inputs = [args.input, args.ndc_file, args.rxnorm, _table_file(args)]
    for source in filter(None, inputs[:3]):
        _check_input(source)
    if args.output:
        _check_output(args.output, inputs, TABLE_SUFFIXES)
    else:
        _check_not_an_input(None, inputs, out)
    if args.escape_formulas and args.output and not args.output.lower().endswith(".csv"):
        raise _Refused("--escape-formulas applies to CSV output (a Parquet file keeps the cells as they are)")


@dataclass
class _Tally:
    """What a batch run has converted so far, for its progress line and its summary."""

    rows: int = 0
    blank: int = 0
    """Blank rows of a CSV, skipped (`_without_blank_rows`)."""
    columns: int = 0
    """Empty columns of no name of a CSV, dropped (`_without_empty_unnamed`)."""
    formulas: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    warned: int = 0
    """Rows with one warning or more."""
    warnings: Counter[str] = field(default_factory=Counter)


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    """MME/day of every row of a CSV/Parquet file of dispensings, streamed: each chunk of rows is read, converted
    and appended to the output in turn (a CSV chunk while the next is converted), so memory holds a chunk or two,
    not the file."""
    _check_files(args, out)
    import polars as pl

    err, tally = sys.stderr, _Tally()
    options = _column_options(args)
    with _utf8(args.input, args.encoding) as source:
        with _reading(args, source):
            data, tally.columns = _scan(source, args)
            # the progress line, rewritten in place, is for a terminal: in a log it would be a line per chunk
            shown = not args.quiet and sys.stderr.isatty()
            total = int(data.select(pl.len()).collect().item()) if shown else 0
        progress = total > args.chunk_size
        chunks = _chunks(data, args.chunk_size, args, source, tally)
        converted = _converted(chunks, args, options, tally, total if progress else 0)
        try:
            if args.output is None:
                tally.formulas = _write_csv(converted, out, escape=args.escape_formulas)
            else:
                with _atomic(args.output) as temporary:
                    tally.formulas = _write_chunks(converted, temporary, escape=args.escape_formulas)
        finally:
            err.write("\n" if progress and tally.rows else "")
    excluded, failed = tally.excluded.total(), tally.failed.total()
    _print_reasons(tally.excluded, err, "excluded")
    _print_reasons(tally.failed, err, "failed")
    _print_reasons(tally.warnings, err, "warning")
    err.write(f"mme batch: {tally.rows:,} rows: {tally.rows - excluded - failed:,} converted, {excluded:,} excluded, ")
    err.write(
        f"{failed:,} failed, {tally.warned:,} with warnings{_skipped(tally.blank, tally.columns)}{_written(args, tally.formulas)}\n"
    )
    return 0


def _skipped(rows: int, columns: int) -> str:
    """What a summary line says of the blank rows and the empty columns of no name that were left out."""
    return (f", {rows:,} blank row(s) skipped" if rows else "") + (
        f", {columns:,} empty column(s) of no name dropped" if columns else ""
    )


def _converted(
    chunks: Iterator[Any], args: argparse.Namespace, options: dict[str, Any], tally: _Tally, total: int
) -> Iterator[Any]:
    """Each chunk with its MME/day, counted in `tally` (and, with a `total`, a progress line on stderr)."""
    import narwhals as nw

    from mme import frames

    for i, chunk in enumerate(chunks):
        # columns are alike in every chunk: the first one raises a ColumnError, before any output
        with _columns_of(chunk.columns, args):
            result = nw.from_native(frames.dispensing_mme(chunk, table=args.table, **options), eager_only=True)
        result = _for_a_file(result, frames.MME_ERROR, args)
        if i == 0 and (replaced := [name for name in frames.DISPENSING_COLUMNS if name in chunk.columns]):
            sys.stderr.write(f"mme batch: the input's columns {', '.join(replaced)} are replaced by this run's\n")
        tally.excluded.update(_reasons(result, frames.MME_EXCLUDED))
        tally.failed.update(_reasons(result, frames.MME_ERROR))
        for joined, n in _reasons(result, frames.MME_WARNING).items():  # each warning of a row, once
            tally.warned += n
            tally.warnings.update(dict.fromkeys(joined.split(frames.WARNING_SEPARATOR), n))
        tally.rows += len(result)
        if total:
            read = tally.rows + tally.blank
            sys.stderr.write(f"\rmme batch: {read:,}/{total:,} rows ({read / total:.0%})")
            sys.stderr.flush()
        yield result.to_native()


def _for_a_file(frame: Any, column: str, args: argparse.Namespace) -> Any:
    """`frame` whose refusals in `column` advise a file's NDCs (text, never an int) as the API's advise the caller's."""
    import narwhals as nw

    if not args.ndc_col:
        return frame
    return frame.with_columns(nw.col(column).str.replace_all(AS_AN_INT, IN_A_FILE, literal=True))


def _write_chunks(chunks: Iterator[Any], path: str, *, escape: bool) -> int:
    """Write Polars frames of one schema to `path` as they come, CSV or Parquet (one row group or more each); return
    how many CSV cells a spreadsheet may run as formulas (`_formula_cells`, prefixed with `escape`)."""
    if path.lower().endswith(".csv"):
        with open(path, "wb") as file:
            return _write_csv(chunks, file, escape=escape, sync=True)
    from polars.io.plugins import register_io_source

    first = next(chunks)
    stream = register_io_source(lambda *_: itertools.chain([first], chunks), schema=first.schema, validate_schema=True)
    stream.sink_parquet(path)
    return 0


def _write_csv(chunks: Iterator[Any], file: IO[Any], *, escape: bool, sync: bool = False) -> int:
    """`_write_chunks` for CSV, to an open file (synced to disk after each chunk with `sync`) or to stdout.

    A chunk is searched for formula-like cells as it is converted, then written (and synced) on a thread of its own
    while the next is converted and searched (Polars lets go of the GIL as it works): the two threads' shares of the
    work are near even, memory holds two chunks, the last one is all that is left to sync when the file is complete,
    and a failure on either side ends the run once the work in flight is done."""
    from concurrent.futures import Future, ThreadPoolExecutor

    import narwhals as nw

    def write(chunk: Any, header: bool) -> None:
        try:
            chunk.write_csv(file, include_header=header)
            file.flush()
        except OSError as exc:  # Polars says a closed pipe (`mme batch ... -o - | head`) as a plain OSError
            if isinstance(exc, BrokenPipeError) or "os error 32" in str(exc):
                raise BrokenPipeError(32, "Broken pipe") from None
            raise
        if sync:
            os.fsync(file.fileno())

    formulas = 0
    with ThreadPoolExecutor(1) as writer:
        written: Future[None] | None = None
        for i, chunk in enumerate(chunks):
            if i == 0:
                _check_csv_columns(chunk.schema)
            frame, found = _formula_cells(nw.from_native(chunk, eager_only=True), escape=escape)
            formulas += found
            if written:
                written.result()  # the previous chunk's failure is raised here
            written = writer.submit(write, frame.to_native(), i == 0)
        if written:
            written.result()
    return formulas


def _check_csv_columns(schema: Any) -> None:
    """Refuse, before any output, a Polars column that CSV cannot hold: the writer would fail after the header."""
    import polars as pl

    for name, dtype in schema.items():
        if dtype.is_nested() or dtype in (pl.Binary, pl.Duration, pl.Object):
            raise _Refused(f"cannot write the column {name!r} ({dtype}) to CSV: write Parquet (-o FILE.parquet)")


def _iso_date(text: str) -> date:
    """A date as a cell is read (`mme._history.DATE_TEXT`): 20240101 or 2024-W01-1 is refused, as in a cell."""
    from ._history import calendar_day  # deferred: a one-off conversion reads no dispensings

    try:
        return cast("date", calendar_day(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def _summarize(args: argparse.Namespace, out: TextIO) -> int:
    """The four daily-MME definitions per patient over a window, from a CSV/Parquet file of dispensings."""
    _check_files(args, out)
    import narwhals as nw

    from mme import frames

    options = _column_options(args)
    data, skipped = _read_frame(args)
    with _columns_of(data.columns, args):
        result = frames.summarize(
            data.to_native(), start=args.start, end=args.end, table=args.table, patient_id=args.patient_col,
            fill_date=args.fill_date_col, include_buprenorphine=not args.exclude_buprenorphine,
            clip_to_window=not args.no_clip, on_failed="drop" if args.drop_failed else "propagate", **options,
        )  # fmt: skip
    ids = data[args.patient_col]
    if ids.dtype == nw.String:  # "NaN" written for a lost id: said, since it is read as a patient
        suspects = ids.filter(ids.str.strip_chars(KEY_SPACE).str.to_lowercase().is_in(MISSING_WORDS))
        if warning := looks_missing(suspects.to_list()):
            sys.stderr.write(f"mme summarize: warning: {warning}\n")
    frame = _for_a_file(nw.from_native(result, eager_only=True), FAILED_REASON, args)
    written = _write_frame(frame, args, out)
    outcome = "left out; no totals where no other fill counts" if args.drop_failed else "no totals"
    _print_reasons(_reasons(frame, FAILED_REASON), sys.stderr, f"patient(s) with a failed fill ({outcome})")
    sys.stderr.write(
        f"mme summarize: {len(frame):,} patients, {len(data):,} rows, {int(frame['n_failed'].sum()):,} failed, "
        f"{int(frame['n_excluded'].sum()):,} excluded in the window{skipped}{written}\n"
    )
    return 0


FILES_HELP = (
    "Needs narwhals and polars, the 'cli' extra: python -m pip install \"mme[cli]\" (from a checkout: "
    'python -m pip install ".[cli]"). The output is written beside its target and renamed into place; it may '
    "not be the input."
)


def _add_variant(command: argparse.ArgumentParser, scope: str) -> None:
    """One ``--variant`` for every command that converts: without it a cms-2018 methadone dose cannot be read."""
    command.add_argument(
        "--variant", help=f"choose one of several values a table prints (e.g. CMS 2018 methadone: flat, tiers){scope}"
    )
    command.set_defaults(variant_of=command)  # `_check_variant` refuses a variant as argparse refuses a usage


def _add_column_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--encoding", type=_encoding, default="utf-8", help="of a CSV input (default %(default)s)")
    command.add_argument("--separator", type=_separator, default=",", help="of a CSV input's columns, e.g. ';' or "
                         "tab (default %(default)r; the output's is ',')")  # fmt: skip
    command.add_argument("--escape-formulas", action="store_true", help="prefix text cells that begin with = + - @ "
                         "tab or CR with ' in CSV output, so spreadsheets show them as text (default: written as read)")  # fmt: skip
    command.add_argument("--table", help="table slug or file (default: the default table; with --ndc-col, the "
                         "NDC file's own factors)")  # fmt: skip
    _add_variant(command, ", for every row")
    columns = command.add_argument_group("columns", "the names of your columns")
    for option, default in (("drug", "drug"), ("strength", "strength"), ("unit", "strength_unit"),
                            ("quantity", "quantity"), ("days-supply", "days_supply")):  # fmt: skip
        columns.add_argument(f"--{option}-col", default=default, help="(default %(default)s)")
    for option in ("form", "route", "release", "package-ml"):
        columns.add_argument(f"--{option}-col", help="optional")
    columns.add_argument("--text-strength", action="store_true", help="the strength column holds text: '10 mg'")
    columns.add_argument("--ndc-col", help="a column of NDCs: drug, strength and form from --ndc-file")
    columns.add_argument("--ndc-file", help="the CDC NDC file (.csv or .xlsx) to look NDCs up in")
    columns.add_argument("--rxcui-col", help="a column of RxNorm codes (RxCUIs): drug, strength and form from the "
                         "RxNorm product file (quantity in units, or mL for liquids)")  # fmt: skip
    columns.add_argument("--rxnorm", help="with --rxcui-col: an RxNorm product file built with `mme rxnorm build` "
                         "(default: shipped)")  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """A parser that reads options only as spelled in full: with prefixes read (`--tab` for `--table`), an option
    added later that shares a prefix would change what a command line written before it means. Each command's
    parser is one too (argparse makes them of the main parser's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mme",
        description=f"Opioid doses in morphine milligram equivalents (MME/day). {CAVEAT}",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="show the version and the shipped tables, and exit")
    commands = parser.add_subparsers(dest="command", required=True)

    convert = commands.add_parser(
        "convert", help="convert dose expressions to MME/day", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Convert each expression (DRUG [ER|IR] AMOUNT UNIT [COUNT FORM] [FREQUENCY] [ROUTE/FORM]) "
        "and add them up. With --quantity and --days-supply the amount is a dispensed strength per unit.",
    )  # fmt: skip
    convert.add_argument("expressions", nargs="*", metavar="EXPRESSION")
    convert.add_argument(
        "--rxcui", help="an RxNorm product code: it gives drug, strength and form; each EXPRESSION is then a sig"
    )
    convert.add_argument("--rxnorm", help="an RxNorm product file built with `mme rxnorm build` (default: shipped)")
    convert.add_argument(
        "--table", default=mme.DEFAULT_TABLE, help="table slug or a custom table file (default %(default)s)"
    )
    _add_variant(convert, "")
    convert.add_argument("--quantity", type=_number, help="units dispensed (tablets, patches, mL, bottles)")
    convert.add_argument("--days-supply", type=_number, help="days supply of the dispensing")
    convert.add_argument("--package-ml", type=_number, help="mL per bottle when --quantity counts bottles (sprays)")
    convert.add_argument(
        "--threshold",
        type=_finite_positive,
        action="append",
        help="MME/day threshold to check (repeatable; default 50 and 90)",
    )
    convert.add_argument("--strict", action="store_true", help="thresholds are reached at > instead of >=")
    convert.add_argument("--json", action="store_true", help="machine-readable output")
    convert.add_argument(
        "--explain",
        action="store_true",
        help='print what was read of each expression (--json always has it, as each item\'s "expression")',
    )
    convert.add_argument(
        "--range", choices=["max", "min"], default="max", help="read ranges (1-2 tabs, q4-6h) at their max or min"
    )
    convert.set_defaults(handler=_convert, usage=convert.format_usage())

    names = commands.add_parser("names", help="list the accepted drug names, brands, salts and combinations")
    names.add_argument("--table", help="only the drugs this table covers")
    names.set_defaults(handler=_names)

    tables = commands.add_parser("tables", help="list the shipped tables, or show one")
    tables.add_argument("action", nargs="?", choices=["show"], help="show one table's rows, caveats and source")
    tables.add_argument("slug", nargs="?", help="table slug (default: the default table)")
    tables.add_argument("--names", action="store_true", help="with show: also every drug name it reads")
    tables.set_defaults(handler=_tables)

    taper_ = commands.add_parser(
        "taper", help="tapering outcomes of a cohort: MME/day per time point, change, categories, paired tests",
        description="Summarise a long CSV (patient_id,timepoint,medication with an expression or 'none'; or "
        "patient_id,timepoint,mme_per_day). A patient with no row at a time point is lost to follow-up there.",
    )  # fmt: skip
    taper_.add_argument("cohort", metavar="COHORT.csv")
    taper_.add_argument("--timepoints", required=True, help="time points in order, the first is the baseline (a,b,c)")
    taper_.add_argument("--table", default=mme.DEFAULT_TABLE, help="table slug or file (default %(default)s)")
    _add_variant(taper_, ", for every record")
    taper_.add_argument("--reduction", type=_number, default=0.5, help="reduction threshold (default %(default)s)")
    taper_.add_argument("--inclusive", action="store_true", help="a reduction is >= the threshold (default: >)")
    taper_.add_argument("--label", help="a caption printed above the table")
    taper_.add_argument("--plot", metavar="FILE.png", help="save individual trajectories and the mean ± SD")
    taper_.add_argument("--json", action="store_true", help="machine-readable output")
    taper_.set_defaults(handler=_taper)

    batch = commands.add_parser(
        "batch", help="MME/day of every dispensing in a CSV or Parquet file",
        description="Add mme_per_day, mme_factor, mme_days_supply, mme_excluded and mme_error to every row. "
        f"Rows that cannot be converted are kept, with the reason; a summary goes to stderr. {FILES_HELP}",
    )  # fmt: skip
    batch.add_argument("input", metavar="INPUT", help="a .csv or .parquet file of dispensings")
    batch.add_argument(
        "-o", "--output", type=_output, required=True, help="the .csv or .parquet file to write, or - for CSV on stdout"
    )
    batch.add_argument(
        "--chunk-size",
        type=_chunk_size,
        default=500_000,
        help="rows read, converted and written at a time: memory grows with it, not with the file (default %(default)s)",
    )
    batch.add_argument("--quiet", action="store_true", help="no progress line")
    _add_column_options(batch)
    batch.set_defaults(handler=_batch)

    summarize = commands.add_parser(
        "summarize", help="the four daily-MME definitions per patient over a window",
        description="Total days supply, on-therapy days, fixed window and maximum daily dose (Dasgupta et al. "
        f"2021), one row per patient, as CSV on stdout or in -o FILE (.csv or .parquet). {FILES_HELP}",
    )  # fmt: skip
    summarize.add_argument("input", metavar="INPUT", help="a .csv or .parquet file of dispensings")
    summarize.add_argument("--start", type=_iso_date, required=True, help="first day of the window (YYYY-MM-DD)")
    summarize.add_argument("--end", type=_iso_date, required=True, help="last day of the window (YYYY-MM-DD)")
    summarize.add_argument(
        "-o", "--output", type=_output, help="the .csv or .parquet file to write (default, or -: CSV on stdout)"
    )
    summarize.add_argument("--patient-col", default="patient_id", help="(default %(default)s)")
    summarize.add_argument("--fill-date-col", default="fill_date", help="(default %(default)s)")
    summarize.add_argument("--exclude-buprenorphine", action="store_true", help="leave buprenorphine out")
    summarize.add_argument("--no-clip", action="store_true", help="count fills filled in the window whole")
    summarize.add_argument("--drop-failed", action="store_true", help="leave out fills that cannot be converted, "
                           "counted in n_failed; a patient with no other fill in the window still gets no totals "
                           "(default: a patient with one in the window gets no totals)")  # fmt: skip
    _add_column_options(summarize)
    summarize.set_defaults(handler=_summarize)

    from ._cli_clinical import add_commands  # mme fhir, mme rxnorm

    add_commands(commands, CAVEAT)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a conversion or file error, 2 a usage error, 70 a bug,
    130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT).

    Whatever happens, the user reads one line on stderr, never a traceback."""
    if argv is None:
        # the process's own command line: what it has imported lives until the process exits, so the collector
        # leaves it out of its scans (a full one took 30 ms of a file's conversion, and another one at exit)
        gc.freeze()
    out = out or sys.stdout or cast("TextIO", _ClosedStdout())
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_variant(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Handler = args.handler
    handled = []  # Python runs signal handlers in the main thread; a signal ignored (`nohup`) stays ignored
    if threading.current_thread() is threading.main_thread():
        handled = [number for number in STOPPING if signal.getsignal(number) != signal.SIG_IGN]
    previous = {number: signal.signal(number, _terminate) for number in handled}
    try:
        return _run(handler, args, out)
    finally:
        for number, before in previous.items():
            signal.signal(number, signal.SIG_DFL if before is None else before)


def _check_variant(args: argparse.Namespace) -> None:
    """--variant, which must be one the table prints: a name it does not print failed every row, in the library's
    words (drop variant='nope'). Without --table, batch and summarize read an NDC file's own factors, which print
    none: --variant was dropped unsaid there."""
    if getattr(args, "variant", None) is None:
        return
    if args.table is None and getattr(args, "ndc_col", None):
        args.variant_of.error(f"argument --variant: {file_variant(args.variant, table='--table ', named='--variant ')}")
    from ._tables import resolve_table

    try:
        table = resolve_table(args.table or mme.DEFAULT_TABLE)
    except (mme.MMEError, OSError):  # the command says what is wrong with its table, as it would without --variant
        return
    printed = sorted({row.variant for row in table.rows if row.variant})
    if args.variant not in printed:
        choose = (
            f"choose one of {', '.join(printed)}"
            if printed
            else "it prints one value for each row: leave --variant out"
        )
        args.variant_of.error(f"argument --variant: {table.slug} prints no variant {excerpt(args.variant)}; {choose}")


def _run(handler: Handler, args: argparse.Namespace, out: TextIO) -> int:
    """The command, and every way it can end as one line on stderr and its exit code."""
    try:
        return handler(args, out)
    except (_Refused, mme.ColumnError) as exc:  # columns that do not fit the file are a usage error too
        refused = exc if isinstance(exc, _Refused) else _Refused(str(exc))
        sys.stderr.write(f"mme {args.command}: error: {refused}\n")
        return refused.status
    except mme.MMEError as exc:
        sys.stderr.write(f"mme: error: {exc}\n")
        return 1
    except BrokenPipeError:  # the reader went away (`mme ... | head`): nothing more to say to it
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"mme {args.command}: error: {where}{exc.strerror or exc}\n")
        return 1
    except _Terminated as exc:
        with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
            sys.stderr.write(f"mme {args.command}: terminated\n")
        return exc.status
    except KeyboardInterrupt:
        sys.stderr.write(f"mme {args.command}: interrupted\n")
        return 130
    except Exception as exc:  # the last guard: a bug, reported in one line
        sys.stderr.write(
            f"mme {args.command}: internal error ({type(exc).__name__}: {_gist(str(exc))[:200]}); "
            "please report it with the command that caused it\n"
        )
        return INTERNAL_ERROR

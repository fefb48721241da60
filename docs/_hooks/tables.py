"""MkDocs hook: the documentation pages generated from the shipped conversion tables.

Nothing numeric about a table is copied by hand into the docs; it is rendered here, at build
time, from ``mme.list_tables()`` (that is, from ``conversion_tables/*.toml``):

* ``tables.md``, a generated page: the catalogue, then for every table its metadata, every
  factor row with its unit basis, tiers, wear days, variants, exclusions with reasons, the
  source of each row, the caveats and the worked examples (each recomputed by the engine; a
  disagreement is a build warning, so ``mkdocs build --strict`` fails on it).
* Markers that a hand-written page may hold, alone on a line:

  ``<!-- mme:rows DRUG [patch] -->``
      that drug's rows in every shipped table, side by side (``patch``: patch rows only).
  ``<!-- mme:caveats -->``
      every table's caveats, verbatim.
  ``<!-- mme:api NAME ... -->``
      a mkdocstrings ``::: NAME`` section for each NAME that exists (``mme.summarize``,
      ``mme.frames``...); a name that does not exist yet is left out (logged at INFO), so a page
      can document a module as soon as it lands without breaking ``--strict`` before.
  ``<!-- mme:see NAME ... -->``
      a line of links to the API reference for each NAME that exists (the others are left out,
      so a page may name a module before it lands).
  ``<!-- mme:docstring MODULE -->``
      a module's docstring as Markdown: ``Title::`` blocks become code blocks, ``TERM`` lines
      followed by an indented text become a definition list, ``Examples:`` a console session
      (used for the dose-expression grammar, written in ``mme._parse``).

Pages listed in ``OPTIONAL_PAGES`` are dropped from the nav while their file does not exist.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import logging
import re
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File, Files

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

    import mme as mme_module

log = logging.getLogger("mkdocs.hooks.tables")

#: Pages written with modules that may not exist yet: left out of the nav until their file exists.
OPTIONAL_PAGES = ("tapering.md", "testing.md")

GENERATED_PAGE = "tables.md"
_MARKER = re.compile(r"^<!--\s*mme:(?P<kind>rows|caveats|api|see|docstring)\b(?P<args>[^>]*?)\s*-->[ \t]*$", re.M)


def _mme() -> mme_module:
    import mme

    return mme


# -- hooks ----------------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    src = Path(config.config_file_path).resolve().parent / "src"
    if src.is_dir() and str(src) not in sys.path:
        sys.path.insert(0, str(src))  # the checkout's mme, as mkdocstrings reads it
    docs = Path(config.docs_dir)
    missing = {page for page in OPTIONAL_PAGES if not (docs / page).is_file()}
    if missing and config.nav:
        config.nav = _drop_pages(config.nav, missing)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, GENERATED_PAGE, content=render_tables_page()))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    def expand(match: re.Match[str]) -> str:
        args = match["args"].split()
        if match["kind"] == "rows":
            return render_rows_across_tables(args[0], patch_only="patch" in args[1:])
        if match["kind"] == "caveats":
            return render_all_caveats()
        if match["kind"] == "docstring":
            return render_docstring(args[0])
        if match["kind"] == "see":
            return render_see(args, page.file.src_uri)
        return render_api(args, page.file.src_uri)

    return _MARKER.sub(expand, markdown)


def _drop_pages(nav: Any, missing: set[str]) -> Any:
    if isinstance(nav, list):
        kept = [_drop_pages(item, missing) for item in nav if not (isinstance(item, str) and item in missing)]
        return [item for item in kept if item not in ({}, [])]
    if isinstance(nav, dict):
        return {
            key: _drop_pages(value, missing)
            for key, value in nav.items()
            if not (isinstance(value, str) and value in missing)
        }
    return nav


# -- Markdown helpers -----------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def text(value: object) -> str:
    """Plain text made safe for Markdown (and for a table cell): no markup, no HTML."""
    escaped = html.escape(" ".join(str(value).split()), quote=False)
    return _SPECIAL.sub(r"\\\1", escaped)


def code(value: object) -> str:
    """Inline code, safe in a table cell."""
    inner = html.escape(str(value), quote=False).replace("|", "&#124;")
    return f"<code>{inner}</code>"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def number(value: Decimal) -> str:
    """A decimal as printed (``Decimal("7.2") / 3`` -> ``2.4``), without exponent or trailing zeros."""
    return format(value.normalize(), "f")


# -- rows -----------------------------------------------------------------------------------------


def where(row: Any) -> str:
    parts = ["/".join(row.routes)]
    if row.forms:
        parts.append("/".join(row.forms))
    if row.release:
        parts.append(row.release)
    return " ".join(parts)


def basis(row: Any) -> str:
    """What the factor multiplies, in words: the row's unit basis."""
    if row.unit == "mg":
        return "per mg of daily dose"
    if row.unit == "mcg":
        return "per mcg of daily dose"
    if row.wear_days:
        return f"per mcg/h per dispensed patch worn {row.wear_days} days"
    return "per mcg/h of patch rate"


def factor_cell(row: Any) -> str:
    if row.tiers:
        bands = []
        for tier in row.tiers:
            band = (
                f"({number(tier.above)}, {number(tier.upto)}]" if tier.upto is not None else f"> {number(tier.above)}"
            )
            printed = f" (printed {text(tier.printed)})" if tier.printed else ""
            bands.append(f"{band} mg/day: **{number(tier.factor)}**{printed}")
        if row.warn_above is not None:
            bands.append(f"above {number(row.warn_above)} mg/day the source defines nothing: last band, with a warning")
        return "<br>".join(bands)
    assert row.factor is not None
    cell = f"**{number(row.factor)}**"
    if row.wear_days:
        cell += f" (= {number(row.factor / row.wear_days)} per mcg/h of rate)"
    return cell


def drug_cell(row: Any) -> str:
    cell = text(row.drug)
    if row.variant:
        cell += f"<br>variant {code(row.variant)}" + (" (default)" if row.default else " (no default: choose)")
    return cell


def source_cell(row: Any) -> str:
    cell = text(row.source)
    if row.caution:
        cell += f"<br>*Caution:* {text(row.caution)}"
    return cell


def render_rows(tab: Any) -> str:
    header = ["Drug", "Route, form, release", "Factor", "Unit basis", "Source"]
    rows = [[drug_cell(r), text(where(r)), factor_cell(r), text(basis(r)), source_cell(r)] for r in tab.rows]
    return table(header, rows)


def render_exclusions(tab: Any) -> str:
    rows = [[text(ex.drug), text(where_excluded(ex)), text(ex.reason), text(ex.source)] for ex in tab.excluded]
    return table(["Drug", "Routes, forms", "Reason (no MME, never 0)", "Source"], rows)


def where_excluded(ex: Any) -> str:
    parts = ["/".join(ex.routes) or "all routes", "/".join(ex.forms) or "all forms"]
    return ", ".join(parts)


# -- worked examples ------------------------------------------------------------------------------


def printed_decimals(printed: str) -> int:
    return len(printed.split(".")[1]) if "." in printed else 0


def command_line(slug: str, example: Any) -> str:
    parts = ["mme convert", f'"{example.expression}"']
    for flag, value in (
        ("--quantity", example.quantity),
        ("--days-supply", example.days_supply),
        ("--package-ml", example.package_ml),
    ):
        if value is not None:
            parts.append(f"{flag} {value:g}")
    if example.variant:
        parts.append(f"--variant {example.variant}")
    parts.append(f"--table {slug}")
    return " ".join(parts)


def engine_value(slug: str, example: Any) -> str:
    """The engine's answer to a worked example; a disagreement with the source is a build warning."""
    mme = _mme()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            result = mme.convert(
                example.expression,
                quantity=example.quantity,
                days_supply=example.days_supply,
                package_ml=example.package_ml,
                variant=example.variant,
                table=slug,
            )
    except mme.MMEError as exc:
        log.warning("%s: worked example %r fails: %s", slug, example.text, exc)
        return f"error: {text(exc)}"
    if result.mme_per_day is None:
        log.warning("%s: worked example %r gives no MME: %s", slug, example.text, result.excluded)
        return "no MME"
    places = printed_decimals(example.mme_per_day)
    if round(Decimal(repr(result.mme_per_day)), places) != Decimal(example.mme_per_day):
        log.warning("%s: worked example %r: source %s, mme %r", slug, example.text, example.mme_per_day, result)
    return text(f"{result.mme_per_day:.6g}")


def render_examples(tab: Any) -> str:
    rows = [
        [
            text(ex.text),
            code(command_line(tab.slug, ex)),
            f"**{text(ex.mme_per_day)}**",
            engine_value(tab.slug, ex),
            text(ex.source),
        ]
        for ex in tab.examples
    ]
    return table(["Example", "Command", "Source prints", "mme gives", "Where printed"], rows)


# -- pages ----------------------------------------------------------------------------------------


def render_table(tab: Any) -> str:
    mme = _mme()
    default = " (the default table)" if tab.slug == mme.DEFAULT_TABLE else ""
    convention = {
        "rate": "rate: a patch factor multiplies the patch rate in mcg/h and gives MME/day",
        "dispensed": "dispensed: a patch factor is per mcg/h per dispensed patch, its wear period built in",
    }[tab.patch_convention]
    meta = [
        ["Title", text(tab.title)],
        ["Publisher", text(tab.publisher)],
        ["Version", text(tab.version)],
        ["Published", text(tab.published.isoformat())],
        ["Kind", text(tab.kind)],
        ["Patch convention", text(convention)],
        ["Citation", text(tab.citation)],
        ["URL", f"<{tab.url}>" if re.fullmatch(r"https?://\S+", tab.url) else text(tab.url)],
        ["Copy read", text(tab.copy_read)],
        ["File", f"{code(f'conversion_tables/{tab.slug}.toml')}, sha256 {code(tab.sha256)}"],
    ]
    out = [f"## {tab.slug} {{#{tab.slug}}}\n", f"**{text(tab.title)}**{default}\n", table(["Field", "Value"], meta)]
    if tab.notes:
        out.append(f"**Notes.** {text(tab.notes)}\n")
    out.append(f"### Factors ({len(tab.rows)} rows) {{#{tab.slug}-factors}}\n")
    out.append(render_rows(tab))
    out.append(f"### Excluded: no MME {{#{tab.slug}-excluded}}\n")
    out.append(
        render_exclusions(tab)
        if tab.excluded
        else "The table excludes nothing. A drug, route or form it does not list is *not covered*: "
        "a dose of it raises `NotCoveredError`, which names the tables that cover it.\n"
    )
    out.append(f"### Caveats {{#{tab.slug}-caveats}}\n")
    out.append(
        "\n".join(f"> {text(c)}\n>" for c in tab.caveats).rstrip(">").rstrip() + "\n"
        if tab.caveats
        else "The file records no caveat of its own.\n"
    )
    out.append(f"### Worked examples {{#{tab.slug}-examples}}\n")
    out.append(render_examples(tab) if tab.examples else "The source prints no worked example.\n")
    return "\n".join(out)


def render_tables_page() -> str:
    mme = _mme()
    tables = mme.list_tables()
    catalogue = [
        [
            f"[{text(t.slug)}](#{t.slug})" + (" (default)" if t.slug == mme.DEFAULT_TABLE else ""),
            text(t.title),
            text(t.publisher),
            text(t.published.isoformat()),
            text(t.kind),
            text(t.patch_convention),
            str(len(t.rows)),
        ]
        for t in tables
    ]
    head = (
        "# Conversion tables\n\n"
        "<!-- Generated at build time by docs/_hooks/tables.py from conversion_tables/*.toml: do not edit. -->\n\n"
        f"Every table `mme` ships ({len(tables)}), rendered from its file when this site was built: "
        "nothing here is copied by hand. `mme tables` lists them and `mme tables show SLUG` prints one; "
        "the file format is described in [Table format](table-format.md) and adding a version in "
        "[Maintaining tables](maintaining.md).\n\n"
        "Factors are the source's numbers, verbatim, each with its unit basis: *per mg* or *per mcg of "
        "daily dose*, *per mcg/h of patch rate* (rate convention) or *per mcg/h per dispensed patch* "
        "(dispensed convention, the wear period built in; see [Patches](patches.md)). Tiers are half-open "
        "bands on the daily dose of that drug (see [Methadone](methadone.md)). A worked example's "
        "*mme gives* column is recomputed by the engine at every build.\n\n"
        '!!! warning "MME estimates overdose risk; it is not a dosing tool"\n'
        "    None of these factors may be used to convert a patient from one opioid to another. "
        "See [Caveats](caveats.md).\n\n"
    )
    catalogue_table = table(["Slug", "Title", "Publisher", "Published", "Kind", "Patch convention", "Rows"], catalogue)
    return head + catalogue_table + "\n" + "\n".join(render_table(t) for t in tables)


def render_rows_across_tables(drug: str, *, patch_only: bool = False) -> str:
    """One drug's rows in every shipped table: factor, unit basis, variants; or why there is none."""
    mme = _mme()
    rows: list[list[str]] = []
    for tab in mme.list_tables():
        link = f"[{text(tab.slug)}](tables.md#{tab.slug})"
        found = [r for r in tab.rows_for(drug) if r.is_patch or not patch_only]
        for r in found:
            rows.append([link, drug_cell(r), text(where(r)), factor_cell(r), text(basis(r))])
        excluded = [ex for ex in tab.excluded if ex.drug == drug]
        for ex in excluded:
            rows.append([link, text(drug), text(where_excluded(ex)), f"no MME: {text(ex.reason)}", " "])
        if not found and not excluded:
            what = f"{drug} patch" if patch_only else drug
            rows.append([link, text(drug), " ", f"not covered: the table has no {text(what)} factor", " "])
    return table(["Table", "Drug", "Route, form, release", "Factor", "Unit basis"], rows)


def render_all_caveats() -> str:
    out = []
    for tab in _mme().list_tables():
        out.append(f"### {tab.slug} {{#caveats-{tab.slug}}}\n")
        out.append(
            f"{text(tab.title)} ({text(tab.publisher)}, {text(tab.version)}). [Full table](tables.md#{tab.slug}).\n"
        )
        out.append(
            "\n".join(f"- {text(c)}" for c in tab.caveats) + "\n"
            if tab.caveats
            else "No caveat recorded in the file.\n"
        )
    return "\n".join(out)


def exists(name: str) -> bool:
    """Whether a module (``mme.frames``) or a module attribute (``mme.summarize``) exists, without importing."""
    if importlib.util.find_spec(name.rsplit(".", 1)[0]) is None:
        return False
    try:
        if importlib.util.find_spec(name) is not None:
            return True
    except ModuleNotFoundError:
        pass
    except ImportError:
        return False
    module_name, _, attr = name.rpartition(".")
    return hasattr(importlib.import_module(module_name), attr)


def render_api(names: list[str], page: str) -> str:
    out = []
    for name in names:
        if exists(name):
            out.append(f"::: {name}\n    options:\n      heading_level: 3\n      show_root_heading: true\n")
        else:
            log.info("%s: %s does not exist yet; its API section is left out", page, name)
    return "\n".join(out)


def render_see(names: list[str], page: str) -> str:
    present = [name for name in names if exists(name)]
    for name in set(names) - set(present):
        log.info("%s: %s does not exist yet; no link to it", page, name)
    return "API: " + ", ".join(f"[`{name}`][{name}]" for name in present) + "." if present else ""


def render_docstring(module_name: str) -> str:
    """A module docstring written in the reST-like style of this project, as Markdown."""
    doc = importlib.import_module(module_name).__doc__ or ""
    lines = doc.expandtabs().splitlines()
    out: list[str] = []
    i = 0

    def indented_block(start: int) -> tuple[list[str], int]:
        """The indented lines from `start` (blank lines inside included), dedented, and where they end."""
        block: list[str] = []
        j = start
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
            block.append(lines[j][4:])
            j += 1
        while block and not block[-1].strip():
            block.pop()
        return block, j

    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.rstrip().endswith("::") or line.strip() in ("Example:", "Examples:"):
            session = not line.rstrip().endswith("::")
            out += [line.rstrip()[:-1] if not session else line.rstrip(), ""]
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block, i = indented_block(j)
            out += ["```pycon" if session else "```text", *block, "```", ""]
            continue
        if line.strip() and not line.startswith(" ") and following.startswith("    ") and following.strip():
            block, i = indented_block(i + 1)
            out += [line.strip(), ":   " + block[0], *("    " + b if b.strip() else "" for b in block[1:]), ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"

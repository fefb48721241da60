"""Every code example in the documentation runs, so none can rot.

Collected from ``README.md`` and every ``docs/**/*.md`` page:

* **```python blocks** run in order, the blocks of one page sharing one namespace (and one
  temporary working directory). Each block is one test; running one block alone first runs the
  blocks before it on its page. An expression statement with a trailing *value comment*
  is checked::

      mme.daily_mme("oxycodone", "10 mg", every="6 h").mme_per_day   # 60.0
      total.reached        # (50.0,): the prose after a colon or semicolon is not checked

  The comment is checked when it, or its part before a ``:`` or ``;``, is a Python literal: the
  expression's ``repr`` must equal the literal's ``repr`` (so ``# 60.0`` is not ``60`` and
  ``# 'x'`` is a string). Any other comment (``# tier 8 -> 240 MME/day``) is prose and is not
  checked; nor are comments on assignments or other statements.
* **Doctest sessions** (```pycon blocks, or ```python blocks whose first line starts with
  ``>>>``) are run with `doctest` (``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``) in the page's
  namespace, so their shown output is compared.
* **```console blocks**: each ``$ mme ...`` line is run in-process through
  ``mme._cli.main(argv)`` and what it writes (stdout and stderr) is compared with the lines
  shown under it, exactly (trailing spaces aside), except that a line holding only ``...``
  matches any number of lines, and ``...`` within a line matches any text on that line. Other ``$`` commands in a console block (``$ pip install``) are
  not run and their output is not checked.
* **Files**: a fenced block with a ``title="name"`` attribute (e.g. ```toml title="x.toml")
  is written to the page's working directory before the page's examples run, so an example
  can load the custom table shown on the same page.

Opting out, only for what cannot run here, on the line just before the fence:

* ``<!-- requires: NAME -->``: skipped while NAME, a package `mme` does not depend on
  (``pandas``), is not installed. A NAME of `mme` itself (``mme.frames``, ``mme.summarize``,
  ``table SLUG``) must exist: a documented API that was removed or renamed is a failure, never
  a skip.
* ``<!-- skip: reason -->``: never run (use sparingly: it is the one way a block can rot).
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import io
import re
import shlex
import textwrap
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mme._cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)]

PYTHON = {"python", "py", "python3"}
DOCTEST = {"pycon", "doctest"}
CONSOLE = {"console", "shell-session"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<kind>skip|requires)\s*(?::\s*(?P<arg>.*?))?\s*-->\s*$")
_TITLE = re.compile(r"""title\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def rel(path: Path) -> str:
    """A page's path as shown in reports: relative to the checkout when it is inside it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


@dataclass(frozen=True)
class Block:
    """One fenced block of a page: its language, attributes, code, first code line and opt-out marker."""

    page: Path
    lang: str
    title: str | None
    code: str
    line: int  # 1-based line number of the first code line in the page
    marker: tuple[str, str] | None = None

    @property
    def where(self) -> str:
        return f"{rel(self.page)}:{self.line}"

    @property
    def is_doctest(self) -> bool:
        return self.lang in DOCTEST or (self.lang in PYTHON and self.code.lstrip().startswith(">>>"))


def parse_blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page (fences may be indented, e.g. inside admonitions)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"].strip()
        lang = info.split(maxsplit=1)[0].lstrip(".{").rstrip("}").lower() if info else ""
        title = _TITLE.search(info)
        marker = None
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and (found := _MARKER.match(lines[j])):
            marker = (found["kind"], (found["arg"] or "").strip())
        body: list[str] = []
        k = i + 1
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while k < len(lines) and not closing.match(lines[k]):
            body.append(lines[k][len(indent) :] if lines[k].startswith(indent) else lines[k].lstrip())
            k += 1
        code = textwrap.dedent("\n".join(body)) + "\n"
        blocks.append(Block(page, lang, title and (title[1] or title[2]), code, i + 2, marker))
        i = k + 1
    return blocks


# -- requirements -------------------------------------------------------------------------------


class DocumentedAPIMissing(AssertionError):
    """A page shows or requires a part of `mme` (module, name or table) that does not exist."""


def missing(name: str) -> str | None:
    """Why NAME (a module, a module attribute, or ``table SLUG``) is unavailable, or None if it is there.

    Only a package outside `mme` may be missing (the reason is returned, to skip); a missing
    part of `mme` raises `DocumentedAPIMissing`, so the page's test fails.
    """
    if name.startswith("table "):
        import mme

        slug = name.removeprefix("table ").strip()
        if slug not in {t.slug for t in mme.list_tables()}:
            raise DocumentedAPIMissing(f"table {slug!r} is documented but not shipped")
        return None
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            absent = exc.name or ""
            if module_name == absent or module_name.startswith(absent + "."):
                continue  # this module (or its package) is not there: try the name as an attribute
            if absent.split(".")[0] == "mme":
                raise  # a module of mme imports a missing part of mme: a bug, not a reason to skip
            return f"{name} needs {absent!r}, which is not installed"
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                raise DocumentedAPIMissing(f"{name} is documented but {'.'.join(parts[:cut])} has no {attr!r}")
            obj = getattr(obj, attr)
        return None
    return f"{name} is not installed"  # (mme itself always imports: its missing parts raise above)


def skip_reason(block: Block) -> str | None:
    if block.marker is None:
        return None
    kind, arg = block.marker
    if kind == "skip":
        return f"{block.where}: marked <!-- skip -->" + (f": {arg}" if arg else "")
    names = arg.replace(",", " ").split()
    wanted = [f"table {slug}" for slug in names[1:]] if names[:1] == ["table"] else names
    for name in wanted:
        if why := missing(name):
            return f"{block.where}: requires {name}: {why}"
    return None


# -- python blocks ------------------------------------------------------------------------------


def value_comment(comment: str) -> str | None:
    """The repr a trailing ``# value`` comment expects, or None when the comment is prose."""
    text = comment.lstrip("#").strip()
    cuts = [len(text), *reversed([m.start() for m in re.finditer(r"[:;]", text)])]
    for cut in cuts:
        candidate = text[:cut].strip()
        if not candidate:
            continue
        try:
            value = ast.literal_eval(candidate)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if value is Ellipsis:
            return None
        return repr(value)
    return None


def _comments(code: str) -> dict[int, tuple[int, str]]:
    """Line (1-based, in the block) -> (column, text) of each comment."""
    found: dict[int, tuple[int, str]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = (tok.start[1], tok.string)
    return found


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    filename = str(block.page)
    tree = ast.parse(block.code, filename=filename)
    comments = _comments(block.code)
    for stmt in tree.body:
        expected = None
        if isinstance(stmt, ast.Expr) and stmt.end_lineno in comments:
            column, comment = comments[stmt.end_lineno]
            if stmt.end_col_offset is not None and column >= stmt.end_col_offset:
                expected = value_comment(comment)
        ast.increment_lineno(stmt, block.line - 1)
        if expected is None:
            exec(compile(ast.Module(body=[stmt], type_ignores=[]), filename, "exec"), namespace)
            continue
        assert isinstance(stmt, ast.Expr)
        value = eval(compile(ast.Expression(body=stmt.value), filename, "eval"), namespace)
        source = ast.unparse(stmt.value)
        assert repr(value) == expected, (
            f"{rel(block.page)}:{stmt.lineno}: {source} is {value!r}; the comment says {expected}"
        )


def run_doctest(block: Block, namespace: dict[str, Any]) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.code, namespace, block.where, str(block.page), block.line - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)  # DocTest works on a copy: later blocks see what this one defined
    if runner.failures:
        pytest.fail(f"{block.where}: doctest failed\n{report.getvalue()}", pytrace=False)


def write_files(page: Path, folder: Path) -> None:
    for block in parse_blocks(page):
        if block.title:
            (folder / block.title).write_text(block.code, encoding="utf-8")


@dataclass
class PageState:
    """A page's shared namespace and working directory, and how many of its blocks have run."""

    folder: Path
    done: int = 0
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__docs__"})


_STATES: dict[Path, PageState] = {}


def python_blocks(page: Path) -> list[Block]:
    return [b for b in parse_blocks(page) if b.lang in PYTHON | DOCTEST]


def run_block(block: Block, namespace: dict[str, Any]) -> None:
    if block.is_doctest:
        run_doctest(block, namespace)
    else:
        run_python(block, namespace)


# -- console blocks -----------------------------------------------------------------------------


def console_segments(block: Block) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of a console block with the output lines shown under it."""
    segments: list[tuple[str, list[str]]] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            segments.append((line[2:], []))
        elif segments:
            segments[-1][1].append(line)
    return segments


def output_matches(expected: list[str], actual: str) -> bool:
    """Line by line; a line holding only ``...`` matches any number of lines, ``...`` in a line any text."""
    want = [line.rstrip() for line in expected]
    while want and not want[-1]:
        want.pop()
    got = [line.rstrip() for line in actual.splitlines()]
    while got and not got[-1]:
        got.pop()
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else r"[^\n]*?".join(map(re.escape, line.split("..."))) + r"\n"
        for line in want
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in got)) is not None


def run_mme(command: str) -> str:
    argv = shlex.split(command, comments=True)[1:]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(argv)
    return out.getvalue()


# -- collection ---------------------------------------------------------------------------------


def _ids(blocks: list[Block]) -> list[str]:
    return [b.where for b in blocks]


PYTHON_BLOCKS = [b for page in PAGES for b in python_blocks(page)]
CONSOLE_BLOCKS = [
    b
    for page in PAGES
    for b in parse_blocks(page)
    if b.lang in CONSOLE and any(cmd.startswith("mme ") for cmd, _ in console_segments(b))
]


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=_ids(PYTHON_BLOCKS))
def test_python_example(
    block: Block, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    if why := skip_reason(block):
        pytest.skip(why)
    blocks = python_blocks(block.page)
    index = blocks.index(block)
    state = _STATES.get(block.page)
    if state is None or state.done > index:
        state = PageState(tmp_path_factory.mktemp(block.page.stem))
        write_files(block.page, state.folder)
    _STATES.pop(block.page, None)  # restored only if every block up to this one succeeds
    monkeypatch.chdir(state.folder)
    for earlier in blocks[state.done : index]:
        if skip_reason(earlier):
            continue
        try:
            run_block(earlier, state.namespace)
        except BaseException as exc:
            pytest.fail(f"an earlier block of the page failed, {earlier.where}: {exc!r}", pytrace=False)
    run_block(block, state.namespace)
    state.done = index + 1
    _STATES[block.page] = state


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=_ids(CONSOLE_BLOCKS))
def test_console_example(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if why := skip_reason(block):
        pytest.skip(why)
    write_files(block.page, tmp_path)
    monkeypatch.chdir(tmp_path)
    for command, shown in console_segments(block):
        if not command.startswith("mme "):
            continue
        actual = run_mme(command)
        assert output_matches(shown, actual), (
            f"{block.where}: `{command}` printed\n{actual}\nbut the page shows\n" + "\n".join(shown)
        )


# -- the collector itself -----------------------------------------------------------------------


def test_pages_are_collected() -> None:
    names = {rel(p) for p in PAGES}
    assert "README.md" in names
    assert "docs/index.md" in names
    assert any(b.page.name == "README.md" for b in PYTHON_BLOCKS)
    assert any(b.page.name == "README.md" for b in CONSOLE_BLOCKS)


def test_value_comments() -> None:
    assert value_comment("# 60.0") == "60.0"
    assert value_comment("# (50.0,): thresholds reached at >= (inclusive=False for >)") == "(50.0,)"
    assert value_comment("# 'a: b'") == "'a: b'"
    assert value_comment("# None; excluded") == "None"
    assert value_comment("# tier 8 -> 240 MME/day") is None
    assert value_comment("# 60 MME/day; buprenorphine listed as excluded") is None
    assert value_comment("# ...") is None


def test_output_matching() -> None:
    assert output_matches(["a", "...", "d"], "a\nb\nc\nd\n")
    assert output_matches(["a", "...", "b"], "a\nb\n")
    assert output_matches(["a  "], "a\n\n")
    assert not output_matches(["a", "b"], "a\nb\nc\n")
    assert not output_matches(["a"], "b\n")
    assert output_matches(["error: x (...)"], "error: x (a long reason)\n")
    assert not output_matches(["error: x (...)"], "error: y (a long reason)\n")
    assert not output_matches(["a ... b"], "a\nb\n")


def test_value_comment_failure_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("x\n\n```python\n1 + 1  # 3\n```\n", encoding="utf-8")
    (block,) = parse_blocks(page)
    assert block.line == 4
    with pytest.raises(AssertionError, match="is 2; the comment says 3"):
        run_python(Block(page, block.lang, None, block.code, block.line), {})


def test_markers_and_titles(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- requires: mme.no_such_module -->\n```python\nimport mme.no_such_module\n```\n\n"
        '<!-- skip: needs a network -->\n\n```python\n1\n```\n\n```toml title="t.toml"\nx = 1\n```\n',
        encoding="utf-8",
    )
    needs, skipped, toml = parse_blocks(page)
    assert needs.marker == ("requires", "mme.no_such_module")
    assert missing("mme.total") is None
    assert missing("table cdc-2022") is None
    assert missing("no_such_package_xyz") == "no_such_package_xyz is not installed"
    assert skipped.marker == ("skip", "needs a network")
    assert toml.title == "t.toml"
    assert toml.code == "x = 1\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("mme.no_such_module", "mme.no_such_module is documented but mme has no 'no_such_module'"),
        ("mme.no_such_name", "mme.no_such_name is documented but mme has no 'no_such_name'"),
        ("mme.heal.no_such_name", "mme.heal has no 'no_such_name'"),
        ("table no-such-table", "table 'no-such-table' is documented but not shipped"),
    ],
)
def test_a_removed_documented_api_fails_the_page(tmp_path: Path, name: str, message: str) -> None:
    """A block requiring a part of mme that is gone fails (it used to be skipped, hiding the rot)."""
    page = tmp_path / "page.md"
    page.write_text(f"<!-- requires: {name} -->\n```python\n1\n```\n", encoding="utf-8")
    (block,) = parse_blocks(page)
    with pytest.raises(DocumentedAPIMissing, match=re.escape(message)):
        skip_reason(block)


def test_doctest_blocks_share_the_page_namespace(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```pycon\n>>> x = 40\n>>> x + 2\n42\n```\n\n```python\nx  # 40\n```\n", encoding="utf-8")
    session, code = parse_blocks(page)
    assert session.is_doctest
    assert not code.is_doctest
    namespace: dict[str, Any] = {}
    run_block(session, namespace)
    run_block(code, namespace)
    assert namespace["x"] == 40


def test_the_rounding_ties_the_researchers_page_states_hold_under_the_tables_it_names() -> None:
    """The page gave 0.0000009375 (a tie) for a tramadol fill without a table: under the default table, tramadol
    0.2, it is 0.000001875. Each stated value is computed here under the table the sentence names."""
    import warnings
    from decimal import Decimal

    import mme

    text = " ".join((DOCS / "researchers.md").read_text(encoding="utf-8").split())
    said = re.search(r"under (\S+) \(tramadol ([\d.]+) MME per mg\), 0\.0375 mcg of tramadol x 2\.5 over 10 days is "
                     r"exactly ([\d.]+) MME/day, which the engine rounds to even \(([\d.]+)\).*?\(Under (\S+), tramadol "
                     r"([\d.]+), the same fill is ([\d.]+): no tie\.\)", text)  # fmt: skip
    assert said is not None
    tie_table, tie_factor, exact, rounded, other_table, other_factor, other = said.groups()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.MMEWarning)  # mcg of tramadol: "did you mean mg?"
        for table, factor, value in ((tie_table, tie_factor, rounded), (other_table, other_factor, other)):
            fill = mme.dispensing_mme("tramadol", "0.0375 mcg", quantity=2.5, days_supply=10, table=table)
            assert (fill.factor, fill.mme_per_day) == (Decimal(factor), float(value))
    assert Decimal("0.0375") / 1000 * Decimal("2.5") / 10 * Decimal(tie_factor) == Decimal(exact)  # the tie, exactly

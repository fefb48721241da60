"""Every module's doctests run: an example in a docstring is checked like any other test."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import mme

MODULES = sorted(m.name for m in pkgutil.walk_packages(mme.__path__, "mme.") if m.name != "mme.__main__")


@pytest.mark.parametrize("name", ["mme", *MODULES])
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    examples = sum(len(test.examples) for test in finder.find(module))
    assert module.__file__ is not None
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert (examples > 0) == (">>> " in source), "a module with examples has them found and run"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests of {name} failed (see stdout)"

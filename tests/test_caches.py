"""mme.clear_caches() empties every memo of the package, found here independently: by reading the source."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from hypothesis import given, settings

import mme
import mme.heal
import mme.testing as mt

SRC = Path(mme.__file__).parent


def cached_functions() -> list[tuple[str, str]]:
    """(module, function) for every module-level function of mme decorated with functools.cache or lru_cache."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(_is_cache(d) for d in node.decorator_list):
                found.append((module, node.name))
    return found


def _is_cache(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in {"cache", "lru_cache"}


def sizes() -> dict[str, int]:
    out = {}
    for module, name in cached_functions():
        function = getattr(importlib.import_module(module), name)
        out[f"{module}.{name}"] = function.cache_info().currsize
    return out


@settings(max_examples=5, database=None)
@given(mt.regimens("cdc-2022"))
def _use_the_strategies(regimen: mt.RegimenArgs) -> None:
    mme.daily_mme(**regimen)


def test_clear_caches_empties_every_cache() -> None:
    assert len(cached_functions()) >= 10  # tables, rows, units, names, HEAL's catalogue, the strategies' pools
    mme.convert("oxycodone 10 mg q6h")
    mme.dispensing_mme("fentanyl", "25 mcg/h", quantity=10, days_supply=30)
    assert mme.heal.MEDICATIONS["Hydrocodone (mg)"].drug == "hydrocodone"
    _use_the_strategies()
    filled = {name for name, size in sizes().items() if size}
    assert {"mme._tables._shipped_table", "mme._engine._match", "mme.heal._catalogue"} <= filled
    mme.clear_caches()
    assert {name: size for name, size in sizes().items() if size} == {}


def test_a_cleared_table_is_read_again() -> None:
    before = mme.get_table("cdc-2022")
    assert mme.get_table("cdc-2022") is before
    mme.clear_caches()
    again = mme.get_table("cdc-2022")
    assert again is not before
    assert again == before

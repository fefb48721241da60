"""One switch for every memo of the package: tables read, rows matched, units and names parsed, HEAL's catalogue."""

from __future__ import annotations

import sys

__all__ = ["clear_caches"]


def clear_caches() -> None:
    """Forget every table read and every memoised lookup of `mme`: the next call reads and computes afresh.

    Shipped tables are read once and lookups are memoised for speed; call this after changing a
    shipped table file in place, or between tests that must run the code behind the caches
    (mutation testing). Everything of every imported `mme` module with a ``cache_clear`` (each
    ``functools.cache``/``lru_cache`` function, the sig reader's phrase indexes) is cleared, so a new
    cache needs no registration here.
    """
    for name, module in list(sys.modules.items()):
        if name != "mme" and not name.startswith("mme."):
            continue
        for obj in list(vars(module).values()):
            clear = None if isinstance(obj, type) else getattr(obj, "cache_clear", None)  # an index's, not its class's
            if callable(clear) and getattr(obj, "__module__", None) == name:  # its own, not one it imported
                clear()

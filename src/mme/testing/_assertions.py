"""Comparing results in tests: `assert_mme_equal` and `assert_same_table`, with messages that say why."""

from __future__ import annotations

import builtins
import math
from typing import TypeAlias

from mme._engine import DailyMME, Total

Result: TypeAlias = DailyMME | Total


def _value(x: Result | float | None) -> float | None:
    if isinstance(x, DailyMME | Total):
        return x.mme_per_day
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"expected a DailyMME, a Total, a number or None, not {type(x).__name__}")
    return float(x)


def _describe(x: Result | float | None) -> str:
    """One side of a failed comparison: the value, then what it was computed from."""
    if isinstance(x, DailyMME):
        what = " ".join(p for p in (x.drug, x.release, x.route, x.form) if p)
        if x.mme_per_day is None:
            value, factor = "no MME" + (f" (excluded: {x.excluded})" if x.excluded else ""), "no factor"
        else:
            details = [x.factor_basis]
            if x.tier is not None:
                details.append(f"tier '{x.tier.printed or x.tier}'")
            if x.variant:
                details.append(f"variant {x.variant}")
            value, factor = f"{x.mme_per_day!r} MME/day", f"factor {x.factor} ({', '.join(details)})"
        return (
            f"{value}\n    drug {what}; {x.daily_dose!r} {x.daily_dose_unit}; {factor}\n"
            f"    table {x.table} ({x.table_version})"
        )
    if isinstance(x, Total):
        value = "no MME" if x.mme_per_day is None else f"{x.mme_per_day!r} MME/day"
        drugs = ", ".join(i.drug for i in x.items)
        return f"{value} (total of {len(x.items)}: {drugs})\n    table {x.table} ({x.table_version})"
    return "no MME (None)" if x is None else f"{x!r} MME/day"


def _table_of(x: Result | float | None) -> str | None:
    return x.table if isinstance(x, DailyMME | Total) else None


def _tables_differ(a: Result | float | None, b: Result | float | None) -> bool:
    """Both are results, from different tables (or versions)."""
    if isinstance(a, DailyMME | Total) and isinstance(b, DailyMME | Total):
        return (a.table, a.table_version) != (b.table, b.table_version)
    return False


def assert_same_table(a: Result, b: Result) -> None:
    """Fail (AssertionError) unless both results were computed with the same table slug and version."""
    for x in (a, b):
        if not isinstance(x, DailyMME | Total):
            raise TypeError(f"assert_same_table compares DailyMME or Total results, not {type(x).__name__}")
    if (a.table, a.table_version) != (b.table, b.table_version):
        raise AssertionError(
            "results come from different tables:\n"
            f"  left:  {a.table} ({a.table_version})\n"
            f"  right: {b.table} ({b.table_version})"
        )


def assert_mme_equal(
    a: Result | float | None, b: Result | float | None, *, rel: float = 1e-9, abs: float = 1e-9
) -> None:
    """Fail (AssertionError) unless ``a`` and ``b`` are the same MME/day within ``rel``/``abs``.

    Each side is a `mme.DailyMME`, a `mme.Total`, a number or None (no MME). When both are
    results, they must also come from the same table slug and version. None equals only None.
    The message shows both values, drug, factor and table.
    """
    va, vb = _value(a), _value(b)
    if _tables_differ(a, b):
        raise AssertionError(
            f"results come from different tables ({_table_of(a)} and {_table_of(b)}):\n"
            f"  left:  {_describe(a)}\n  right: {_describe(b)}"
        )
    if va is None and vb is None:
        return
    if va is None or vb is None:
        which = "left" if va is None else "right"
        raise AssertionError(
            f"one side has no MME ({which} is None), the other a number:\n"
            f"  left:  {_describe(a)}\n  right: {_describe(b)}"
        )
    if math.isclose(va, vb, rel_tol=rel, abs_tol=abs) or (math.isinf(va) and va == vb):
        return
    diff = vb - va
    relative = diff / max(builtins.abs(va), builtins.abs(vb)) if (va or vb) else 0.0
    raise AssertionError(
        f"MME/day differ by {diff:+.6g} ({relative:+.3g} relative; tolerance rel={rel:g}, abs={abs:g}):\n"
        f"  left:  {_describe(a)}\n  right: {_describe(b)}"
    )

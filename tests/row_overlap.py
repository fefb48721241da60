"""The definition of two overlapping table rows, pair by pair: the reference the loader's linear check is tested against."""

from __future__ import annotations

from mme._tables import FactorRow


def _meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Empty means "any": two route (or form) lists meet unless both are given and disjoint."""
    return not a or not b or bool(set(a) & set(b))


def overlap(a: FactorRow, b: FactorRow) -> bool:
    """Whether one dose could match both rows: same drug, variant and patch-ness; releases, routes and forms meet."""
    if a.drug != b.drug or a.variant != b.variant or a.is_patch != b.is_patch:
        return False
    releases_meet = a.release is None or b.release is None or a.release == b.release
    return releases_meet and _meet(a.routes, b.routes) and _meet(a.forms, b.forms)

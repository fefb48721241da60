"""Trajectory figures for `mme.taper` (the optional ``mme[plot]`` extra: matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mme._errors import CohortError, excerpt

from ._core import DoseMatrix, _describe_values
from ._render import _table_text

if TYPE_CHECKING:  # pragma: no cover
    pass


def plot_trajectories(
    matrix: DoseMatrix,
    path: str | Path,
    *,
    band: Literal["sd", "ci95"] = "sd",
    title: str | None = None,
    dpi: int = 120,
) -> Path:
    """Save a PNG: each patient's trajectory (thin grey lines) and the cohort mean with a band.

    ``band="sd"`` shades mean ± SD (ddof=1); ``"ci95"`` shades mean ± 1.96 SD/sqrt(n) (normal
    approximation). Time points are equally spaced in order. Uses matplotlib's Agg canvas
    directly (no display, no global backend change). Needs ``pip install "mme[plot]"``.
    """
    if band not in ("sd", "ci95"):  # any other word drew the CI: "SD" would get mean ± 1.96 SD/sqrt(n)
        raise CohortError(
            f"unknown band {excerpt(band)}: choose 'sd' (mean ± SD) or 'ci95' (mean ± 1.96 SD/sqrt(n), a 95% CI)"
        )
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError('figures need matplotlib: pip install "mme[plot]"') from exc
    path = Path(path)
    xs = list(range(len(matrix.timepoints)))
    fig = Figure(figsize=(7, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for p in matrix.patients:
        ys = [math.nan if v is None else v for v in p.doses]
        ax.plot(xs, ys, color="0.6", linewidth=0.6, alpha=0.6, marker="o", markersize=2)
    means, lows, highs = [], [], []
    for tp in matrix.timepoints:
        d = _describe_values([v for v in matrix.column(tp) if v is not None])
        n = sum(v is not None for v in matrix.column(tp))
        mean, sd = d["mean"], d["sd"]
        spread = (sd if band == "sd" else 1.96 * sd / math.sqrt(n)) if sd is not None else 0.0
        means.append(math.nan if mean is None else mean)
        lows.append(math.nan if mean is None else mean - spread)
        highs.append(math.nan if mean is None else mean + spread)
    band_label = "mean ± SD" if band == "sd" else "mean, 95% CI (normal approximation)"
    ax.fill_between(xs, lows, highs, color="tab:blue", alpha=0.2, linewidth=0)
    ax.plot(xs, means, color="tab:blue", linewidth=2.5, marker="o", label=band_label)
    counts = [sum(v is not None for v in matrix.column(tp)) for tp in matrix.timepoints]
    ax.set_xticks(xs, [f"{tp}\nn = {n}" for tp, n in zip(matrix.timepoints, counts, strict=True)])
    ax.plot([], [], color="0.6", linewidth=0.6, label="one patient (gaps: lost or not countable)")
    ax.set_ylabel(f"MME/day ({_table_text(matrix.table, None)})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or matrix.label or "Opioid dose over time, one line per patient", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=dpi)
    return path

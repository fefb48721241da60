"""The plain-text tables of `mme.taper` (``str(matrix)``, ``str(summary)``) and the number formats they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mme._units import format_number

if TYPE_CHECKING:  # pragma: no cover
    from ._core import Cell, CohortSummary


def _cell_text(cell: Cell) -> str:
    if cell.status == "lost":
        return "-"
    if cell.status == "not_countable":
        return "?"
    if cell.status == "failed":
        return "!"
    assert cell.mme_per_day is not None
    return _num(cell.mme_per_day, 1) + ("*" if cell.partial else "")


def _table_text(table: str | None, version: str | None) -> str:
    if table is None:
        return "values given in MME/day"
    return f"table {table}" + (f", {version}" if version else "")


def _num(x: float, digits: int = 0) -> str:
    if abs(x) >= 1e15:  # as `mme._units.format_number` writes it: 1e+308, not 309 digits
        return format_number(x)
    text = f"{x:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pct(fraction: float) -> str:
    return f"{_num(100 * fraction, 1)}%"


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _frac(n: int, d: int) -> str:
    return f"{n}/{d} ({_num(100 * n / d)}%)" if d else f"{n}/0"


def _grid(header: Sequence[str], body: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    widths = [max(len(r[j]) for r in [header, *body]) for j in range(len(header))]

    def fmt(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if j < left else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True)))

    return [fmt(header).rstrip(), *(fmt(r).rstrip() for r in body)]


def _render(s: CohortSummary) -> str:
    lines = [s.label] if s.label else []
    lines.append(
        f"Daily opioid dose, MME/day; {s.n_patients} patient{'s' * (s.n_patients != 1)}; baseline: {s.baseline}"
    )
    lines.append(f"conversion: {_table_text(s.table, s.table_version)}")
    if s.definition:
        lines.append(f"from dispensings: {s.definition}")
    has_tests = any(r.test is not None for r in s.rows)
    failed = sum(r.n_failed for r in s.rows)  # a column of its own only when some value failed
    header = ["time point", "observed", "lost", "not countable", *(["failed"] if failed else []), "mean ± SD"]
    header += ["median [IQR]"]
    header += ["p paired t", "p Wilcoxon"] if has_tests else []
    body = []
    for r in s.rows:
        mean = "n/a" if r.mean is None else _num(r.mean) + (f" ± {_num(r.sd)}" if r.sd is not None else "")
        median = "n/a" if r.median is None else f"{_num(r.median)} [{_num(r.q1 or 0)}-{_num(r.q3 or 0)}]"
        line = [r.timepoint, str(r.n_observed), str(r.n_lost), str(r.n_not_countable)]
        line += [*([str(r.n_failed)] if failed else []), mean, median]
        if has_tests:
            line += ["", ""] if r.test is None else [_p(r.test.t_pvalue), _p(r.test.wilcoxon_pvalue)]
        body.append(line)
    lines += _grid(header, body)
    later = s.rows[1:]
    if later:
        lines += [
            "",
            "Change from baseline, patients observed at both points (percent change = 100 x (dose - baseline) / baseline):",
        ]
        body = []
        for r in later:
            change = (
                "n/a"
                if r.mean_change is None
                else _num(r.mean_change) + (f" ± {_num(r.sd_change)}" if r.sd_change is not None else "")
            )
            rom = "n/a" if r.ratio_of_means is None else f"{r.ratio_of_means:.2f}"
            mor = "n/a" if r.mean_of_ratios is None else f"{r.mean_of_ratios:.2f}"
            pct = "n/a" if r.mean_of_ratios is None else f"{_num(100 * (r.mean_of_ratios - 1))}%"
            body.append([r.timepoint, str(r.n_paired), change, str(r.n_ratio), rom, mor, pct])
        lines += _grid(
            [
                "time point",
                "paired",
                "mean change ± SD",
                "n (baseline > 0)",
                "ratio of means",
                "mean of ratios",
                "mean % change",
            ],
            body,
        )
        labels = [c.label for c in later[0].counts]
        for title, attr in (
            ("all patients", "n_all"),
            ("patients observed at baseline and the time point", "n_observed"),
        ):
            lines += ["", f"Categories, n/N (%), denominator N = {title}:"]
            body = [
                [lab] + [_frac(r.counts[j].n, getattr(r.counts[j], attr)) for r in later]
                for j, lab in enumerate(labels)
            ]
            lines += _grid(["", *(r.timepoint for r in later)], body)
        lines.append(f"rule: {s.rule_text}")
    partial = sum(r.n_partial for r in s.rows)
    lines.append(f"SD: {s.sd_method}; median [IQR]: {s.quantile_method}")
    lines.append(
        "ratio of means = mean(dose) / mean(baseline); mean of ratios = mean(dose_i / baseline_i); same patients"
    )
    if has_tests:
        first = next(r.test for r in s.rows if r.test is not None)
        lines.append(f"tests (scipy): {first.method}")
    if partial or any(r.n_not_countable for r in s.rows):
        lines.append(
            f"excluded drugs: {partial} observed value(s) count only the items the table covers; "
            f"{sum(r.n_not_countable for r in s.rows)} value(s) not countable (missing, not 0); see notes"
        )
    if failed:
        lines.append(f"failed: {failed} value(s) whose records cannot be read (missing, not 0); see notes")
    lines += [f"note {n}" for n in s.notes]
    return "\n".join(lines)

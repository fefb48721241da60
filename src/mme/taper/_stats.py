"""Paired tests against baseline for `mme.taper` (the optional ``mme[stats]`` extra: scipy)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ._core import DoseMatrix, PairedTest, _mean, changes, too_large

if TYPE_CHECKING:  # pragma: no cover
    pass


def _scipy_stats() -> Any:
    try:
        from scipy import stats
    except ImportError as exc:
        raise ImportError('paired tests need scipy: pip install "mme[stats]"') from exc
    return stats


def paired_tests(matrix: DoseMatrix) -> tuple[PairedTest, ...]:
    """Paired t-test and Wilcoxon signed-rank test of each later time point against baseline.

    Only patients observed at both points enter (n reported). Needs ``pip install "mme[stats]"``.
    """
    stats = _scipy_stats()
    import scipy

    method = (
        "ttest_rel (two-sided); wilcoxon (two-sided, zero_method='wilcox' drops zero differences, method='auto'); "
        "on the exact differences dose - baseline"
    )
    out = []
    for tp in matrix.timepoints[1:]:
        diffs = [c.absolute for c in changes(matrix, timepoint=tp)]  # exact: equal decimal changes are equal
        t_stat = t_p = w_stat = w_p = None
        nonzero = sum(d != 0 for d in diffs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # scipy notes switching to the normal approximation
            # numpy's squares of values past 1e154 overflow: the p-value would be computed from an infinite variance
            warnings.filterwarnings("error", "overflow", RuntimeWarning)
            try:
                if len(diffs) > 1 and max(diffs) != min(diffs):
                    res = stats.ttest_rel(diffs, [0.0] * len(diffs))  # ttest_rel(dose, baseline) on these d
                    t_stat, t_p = float(res.statistic), float(res.pvalue)
                if nonzero > 0:
                    res = stats.wilcoxon(diffs, zero_method="wilcox", method="auto")
                    w_stat, w_p = float(res.statistic), float(res.pvalue)
            except (RuntimeWarning, OverflowError):
                raise too_large(tp) from None
        out.append(
            PairedTest(
                timepoint=tp,
                baseline=matrix.baseline,
                n=len(diffs),
                mean_difference=_mean(diffs) if diffs else None,
                t_statistic=t_stat,
                t_pvalue=t_p,
                wilcoxon_statistic=w_stat,
                wilcoxon_pvalue=w_p,
                wilcoxon_n=nonzero,
                method=method,
                scipy_version=scipy.__version__,
            )
        )
    return tuple(out)

"""Hypothesis strategies and assertion helpers for the test suites of tools that call `mme`.

EHR plug-ins, pharmacy systems and research pipelines that compute MME/day with `mme` can
test their own code on thousands of *valid* inputs instead of a handful of examples::

    pip install "mme[testing]"          # hypothesis is an optional extra

Importing `mme` never imports hypothesis; only ``import mme.testing`` does.

Strategies
    Each takes an optional ``table`` (a slug such as ``"cms-2018"``, a path to a table file of
    your own, or a `mme.Table`) and generates only inputs that table covers. Where the output
    names its table (`regimens`, `dispensings`, `results`, `totals`, `uncovered`),
    ``table=None`` means any shipped table; where it cannot (`expressions`,
    `dispensing_records`, `histories`), ``table=None`` means `mme.DEFAULT_TABLE`, the table
    `mme` uses when none is named.

    - `drug_names`: names as people type them (canonical, salt, brand, combination; odd case
      and spaces). A brand implies a route/form/release: only brands the table covers.
    - `doses`, `daily_doses`, `patch_rates`, `concentrations`: amounts with units ("10 mg",
      "10000 mcg", "0.01 g", "25 mcg/h", ("10 mg/5 mL", "5 mL")); `same_amount` renders one
      amount in every unit.
    - `regimens`: keyword arguments for `mme.daily_mme` (`RegimenArgs`, a frozen mapping:
      ``mme.daily_mme(**regimen)``), with per_day/every in every accepted form (2, "bid",
      "6 h", "q6h", ``timedelta(hours=6)``), variants where a table needs one, and, unless
      ``include_excluded=False``, drugs the table excludes (their result has no MME).
    - `dispensings`: keyword arguments for `mme.dispensing_mme` (`DispensingArgs`).
    - `dispensing_records` and `histories`: `mme.Dispensing` records with fill dates, and one
      patient's history of them with refills, overlaps and gaps (for `mme.summarize`).
    - `expressions`: dose expressions for `mme.convert` and the ``mme convert`` command.
    - `results` and `totals`: real `mme.DailyMME` and `mme.Total` computed by the engine; they are
      also registered, so ``st.from_type(mme.DailyMME)`` and ``st.from_type(mme.Total)`` work.
    - `invalid_doses`, `unknown_drugs`, `uncovered`: inputs that must raise `mme.MMEError`,
      `mme.UnknownDrugError` and `mme.NotCoveredError`.

    Everything is built from small lists of sensible values, so a failing test shrinks to a
    readable input ("oxycodone", "1 mg", per_day=1) and a history to one or two records. The
    amounts stay well below `mme.IMPLAUSIBLE_MME_PER_DAY`, so no `mme.ImplausibleDoseWarning`
    is raised (safe under ``-W error``).

Assertions
    `assert_mme_equal` compares two results (or numbers) with a tolerance and checks that both
    used the same table and version; `assert_same_table` checks only the table. Failures are
    `AssertionError` with a multi-line message naming the drug, factor, table and both values.

Example: a downstream tool's property test (pytest)::

    import mme
    from hypothesis import given, settings
    from mme.testing import assert_mme_equal, regimens


    def shown_mme(order: dict) -> str:
        # the code under test: what an EHR plug-in shows next to an order
        result = mme.daily_mme(**order)
        if result.mme_per_day is None:
            return f"no MME ({result.table})"
        return f"{result.mme_per_day:.1f} MME/day ({result.table})"


    @settings(max_examples=50)
    @given(regimens(table="cms-2018"))
    def test_the_plugin_shows_mme_to_one_decimal(regimen: mme.testing.RegimenArgs) -> None:
        shown = shown_mme(dict(regimen))
        result = mme.daily_mme(**regimen)
        assert shown.endswith("(cms-2018)")
        if result.mme_per_day is None:  # an excluded drug (buprenorphine)
            assert shown.startswith("no MME")
        else:
            assert_mme_equal(float(shown.split()[0]), round(result.mme_per_day, 1))

See docs/testing.md for more.

MME estimates overdose risk; these inputs test software, they are not dosing advice.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('mme.testing needs hypothesis, an optional extra: pip install "mme[testing]"') from exc

from ._amounts import concentrations, daily_doses, doses, invalid_doses, patch_rates, same_amount
from ._args import DispensingArgs, DispensingKind, RegimenArgs
from ._assertions import assert_mme_equal, assert_same_table
from ._coverage import RegimenKind
from ._fhir import FhirRegimen, fhir_regimens, medication_request, medication_requests, timings
from ._strategies import (
    dispensing_records,
    dispensings,
    drug_names,
    expressions,
    histories,
    regimens,
    results,
    totals,
    uncovered,
    unknown_drugs,
)

__all__ = [
    "DispensingArgs",
    "DispensingKind",
    "FhirRegimen",
    "RegimenArgs",
    "RegimenKind",
    "assert_mme_equal",
    "assert_same_table",
    "concentrations",
    "daily_doses",
    "dispensing_records",
    "dispensings",
    "doses",
    "drug_names",
    "expressions",
    "fhir_regimens",
    "histories",
    "invalid_doses",
    "medication_request",
    "medication_requests",
    "patch_rates",
    "regimens",
    "results",
    "same_amount",
    "timings",
    "totals",
    "uncovered",
    "unknown_drugs",
]

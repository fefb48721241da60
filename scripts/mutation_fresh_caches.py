"""pytest plugin for mutation testing (loaded by scripts/mutation.py): empty the core's caches before each test.

mutmut forks every mutant's test run from a process that already ran the suite, and the core
memoises its work (tables read, rows matched, units and names parsed; `mme.clear_caches()` forgets
it all). Without this plugin a mutated function behind a cache is never called for inputs the
unmutated code already answered, so mutants survive that the tests would kill, and tests are not
associated with the functions they really exercise. Emptying the caches before each test costs
little (reading every table takes about 40 ms) and makes each test run the code under test.

It also records the mutants whose pytest run ended in a usage error (a test id not found, for
instance): mutmut counts such a run as a kill, so scripts/mutation.py reports them as not tested.
"""

from __future__ import annotations

import os

import pytest

#: Where mutants whose run was a pytest usage error are listed (set by scripts/mutation.py).
USAGE_ERRORS = "MME_MUTATION_USAGE_ERRORS"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    import mme

    mme.clear_caches()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if exitstatus == pytest.ExitCode.USAGE_ERROR and "__mutmut_" in mutant and (path := os.environ.get(USAGE_ERRORS)):
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{mutant}\n")

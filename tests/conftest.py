"""Shared pytest configuration: hypothesis profiles.

* ``dev`` (the default): hypothesis' defaults (random exploration, example database) without the
  per-example deadline: the first conversion builds pint's unit registry, and a loaded machine
  would turn that one slow example into a flaky ``DeadlineExceeded``.
* ``ci``: also deterministic (``derandomize=True``: the same examples on every run, so a red CI
  run is reproducible and never flaky) and without an example database. Loaded when the ``CI``
  environment variable is set (GitHub Actions, GitLab CI and most others set it).

``HYPOTHESIS_PROFILE=<name>`` chooses a profile explicitly.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """A bytes parameter's id as pytest escapes it (``b"\\xff"`` gives ``\\xff``), whatever the configuration.

    With test-id escaping off (mutation testing turns it off, see pyproject.toml), pytest takes the bytes
    themselves as the id and collection fails joining them to the other ids."""
    return val.decode("ascii", "backslashreplace") if isinstance(val, bytes) else None

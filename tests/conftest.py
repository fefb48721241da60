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

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

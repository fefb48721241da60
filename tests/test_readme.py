"""The README's quick start stays true: CI runs its test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the quick start has a bash block"
    return [line for line in block[1].splitlines() if line and not line.startswith("#")]


def test_quick_start_is_two_commands_one_converting_one_testing() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "mme convert" in commands[0]
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick_start_commands()[1] in ci


def test_ci_runs_the_readme_test_command_in_a_fresh_virtual_environment() -> None:
    """Not in the machine's own interpreter, whose packages would hide what the README's command misses."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    venv = next(i for i, line in enumerate(ci) if re.match(r"python -m venv (?!.*--system-site-packages)", line))
    activated = next(i for i, line in enumerate(ci) if line.startswith("export") and "/bin:$PATH" in line)
    assert venv < activated < ci.index(quick_start_commands()[1])
    assert not any(re.match(r"\s*python -m pip install", line) for line in ci[: ci.index(quick_start_commands()[1])])

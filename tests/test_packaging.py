"""The tables travel with the package: built sdist -> wheel, installed in a fresh environment."""

from __future__ import annotations

import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import mme

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.name for p in (ROOT / "conversion_tables").glob("*.toml"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.mark.slow
def test_wheel_contains_exactly_the_package_and_the_tables(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tables = sorted(n.removeprefix("mme/conversion_tables/") for n in names if n.startswith("mme/conversion_tables/"))
    assert tables == SHIPPED
    assert "mme/py.typed" in names
    assert all(n.startswith(("mme/", "mme-")) for n in names), names


@pytest.mark.slow
def test_sdist_contains_the_tables(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert {Path(n).name for n in names if "/conversion_tables/" in n} == set(SHIPPED)
    assert not [n for n in names if "/tests/" in n or "/benchmarks/" in n]


def installed(artifact: Path, tmp_path: Path, *options: str) -> Path:
    """The python of a fresh environment with `artifact` installed, so that mme itself can only come from the
    artifact. It borrows pydantic, pint and hatchling (offline) from the environment running the tests: a `.pth`
    file lists this interpreter's site directories, which may be a virtual environment's, not the base
    interpreter's that `--system-site-packages` would show. Their own `.pth` files (an editable mme) are not read."""
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = env / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    borrowed = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    (Path(purelib) / "borrowed.pth").write_text("".join(f"{d}\n" for d in borrowed))
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", *options, str(artifact)], check=True
    )
    return python


@pytest.mark.slow
def test_installed_wheel_converts_from_a_fresh_environment(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    python = installed(wheel, tmp_path)
    code = (
        "import mme, sys; r = mme.daily_mme('oxycodone', '10 mg', every='6 h'); "
        "assert mme.__file__.startswith(sys.prefix), mme.__file__; "
        "print(r.mme_per_day, len(mme.list_tables()))"
    )
    run = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.split() == ["60.0", str(len(SHIPPED))]
    cli = subprocess.run([python, "-m", "mme", "--version"], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert cli.stdout.startswith(f"mme {mme.__version__}")
    assert "cdc-2022" in cli.stdout


@pytest.mark.slow
def test_sdist_installs_in_a_fresh_environment(dist: Path, tmp_path: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    python = installed(sdist, tmp_path, "--no-build-isolation")
    code = "import mme, sys; assert mme.__file__.startswith(sys.prefix); print(mme.convert('fentanyl 25 mcg/h patch').mme_per_day)"
    run = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.strip() == "60.0"


def test_version_is_single_sourced() -> None:
    from importlib.metadata import version

    assert version("mme") == mme.__version__

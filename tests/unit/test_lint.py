"""The code passes ruff and mypy with the configuration in pyproject.toml (`make lint`)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: The pure modules that mypy checks with every per-module flag of --strict.
STRICT_MODULES = {
    "chalicelib.*.domain.*",
    "chalicelib.core.errors",
    "chalicelib.core.organisations",
    "chalicelib.core.principal",
    "chalicelib.core.clock",
}


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    run = _run(str(ruff), "check", "app.py", "chalicelib", "devtools", "tests")
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_finds_nothing_in_chalicelib():
    # Files, cache directory and levels come from pyproject.toml; the cache keeps reruns fast.
    run = _run(sys.executable, "-m", "mypy")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "unused section" not in run.stdout + run.stderr, run.stdout + run.stderr  # a strict module pattern matches nothing


def test_the_pure_modules_get_every_per_module_flag_of_strict():
    """`strict = true` cannot be used in an override: mypy would apply it to every module.
    So the override spells the flags out, and this keeps them in step with mypy's --strict."""
    from mypy.main import process_options
    from mypy.options import PER_MODULE_OPTIONS

    _, default = process_options(["x.py"])
    _, strict = process_options(["--strict", "x.py"])
    flags = {name: getattr(strict, name) for name in PER_MODULE_OPTIONS
             if name in dir(strict) and getattr(strict, name) != getattr(default, name)}
    assert flags, "mypy's --strict changed no per-module flag: the check below would prove nothing"
    overrides = PYPROJECT["tool"]["mypy"]["overrides"]
    assert all("strict" not in override for override in overrides)
    [pure] = [override for override in overrides if STRICT_MODULES & set(override["module"])]
    assert set(pure["module"]) == STRICT_MODULES
    assert {name: pure.get(name) for name in flags} == flags

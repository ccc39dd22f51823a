"""Pyflakes-level lint (unused imports and names, undefined names, syntax) over the tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_code_has_no_unused_or_undefined_names():
    ruff = Path(sys.executable).parent / "ruff"
    run = subprocess.run([str(ruff), "check", "--select", "F,E9", "--line-length", "140", "app.py", "chalicelib", "devtools", "tests"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout

"""Run the administrator functions locally: ``python -m chalicelib.admin FUNCTION '<json>'``.

The functions themselves live in each system's ``admin.py`` (``chalicelib.core.admin``
registers them). ``FUNCTIONS`` holds them all by name; asking for it imports the app,
which registers every system's (on first use, so that the runner can quiet the logs
before anything is imported).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "FUNCTIONS":
        import app  # noqa: F401 - the composition root registers every system's functions
        from chalicelib.core.admin import FUNCTIONS

        return FUNCTIONS
    raise AttributeError(name)

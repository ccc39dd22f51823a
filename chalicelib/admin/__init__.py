"""Run the administrator functions locally: ``python -m chalicelib.admin FUNCTION '<json>'``.

The functions themselves live in each system's ``admin.py`` (``chalicelib.core.admin``
registers them); importing the app registers every system's, and ``FUNCTIONS`` then
holds them all by name.
"""

from __future__ import annotations

import app  # noqa: F401 - the composition root registers every system's functions
from chalicelib.core.admin import FUNCTIONS

__all__ = ["FUNCTIONS"]

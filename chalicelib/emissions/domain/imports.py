"""What a performance sheet upload must say: the fiscal year it is for.

A ``performance_sheet`` document is announced with the purpose ``performance_sheet:FY2025``
(the documents system keeps purposes as free ``<word>:<id>`` text; this system defines
and checks the form it reads). The sheet itself names its organisation and fiscal year
too, and the reader refuses a sheet of another year than the one announced.
"""

from __future__ import annotations

import re

from chalicelib.emissions.domain.quantities import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR

SHEET_KIND = "performance_sheet"
_PURPOSE = re.compile(r"^performance_sheet:FY(?P<year>[0-9]{4})$")


def sheet_purpose(fiscal_year: int) -> str:
    """The purpose to announce a sheet of this fiscal year with."""
    return f"{SHEET_KIND}:FY{fiscal_year}"


def fiscal_year_of_purpose(purpose: str | None) -> int | None:
    """The fiscal year a sheet was announced for, or ``None`` if the purpose does not say one."""
    match = _PURPOSE.match(purpose or "")
    if match is None or not FIRST_FISCAL_YEAR <= int(match["year"]) <= LAST_FISCAL_YEAR:
        return None
    return int(match["year"])

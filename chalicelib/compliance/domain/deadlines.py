"""Report deadlines per phase: a target's calculation report of a base or commitment
year is due by the phase's deadline for that year. Listed for administrators: reports
not submitted by a deadline that has passed (overdue), and those submitted after it (late)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Filing:
    """What a target filed for a year: its latest report's state (None: no report at all)."""

    org_id: str
    fiscal_year: int
    report_id: str | None
    status: str | None
    submitted_on: date | None


@dataclass(frozen=True)
class Lateness:
    org_id: str
    fiscal_year: int
    due: date
    report_id: str | None
    status: str
    #: "overdue": not submitted and the deadline has passed; "late": submitted after it.
    kind: str
    days: int


def lateness(filing: Filing, due: date, today: date) -> Lateness | None:
    status = filing.status or "not_started"
    if filing.submitted_on is None:
        if today <= due:
            return None
        return Lateness(filing.org_id, filing.fiscal_year, due, filing.report_id, status, "overdue", (today - due).days)
    if filing.submitted_on <= due:
        return None
    return Lateness(filing.org_id, filing.fiscal_year, due, filing.report_id, status, "late", (filing.submitted_on - due).days)

"""Demo calculation reports: past fiscal years' accepted reports written in bulk (for the
past phases' allocation and results), and Kanto Steelworks' current report under
verification by the demo verification body (user ``verifier``, ``sakura-verif``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEMO_VERIFIER_ORG = "sakura-verif"
DEMO_REPORT_ORG = "kanto-steel"
DEMO_REPORT_USER = "kanto"
DEMO_VERIFIER_USER = "verifier"
SEEDED_AT = "2010-09-30T00:00:00+09:00"


@dataclass(frozen=True)
class ReviewedRow:
    org_id: str
    fiscal_year: int
    t_co2: int


def _rows(rows: Iterable[Any]) -> list[ReviewedRow]:
    out = []
    for row in rows:
        if isinstance(row, ReviewedRow):
            out.append(row)
        elif isinstance(row, Mapping):
            out.append(ReviewedRow(str(row["org_id"]), int(row["fiscal_year"]), int(row["t_co2"])))
        else:
            org_id, fiscal_year, t_co2 = row
            out.append(ReviewedRow(str(org_id), int(fiscal_year), int(t_co2)))
    return out


def seed_reviewed_reports(env: Mapping[str, str] | None, rows: Iterable[Any]) -> int:
    """Write administrator-accepted reports directly (batch writes, no transitions one by one):
    each row ``(org_id, fiscal_year, t_co2)`` (a tuple, a mapping or a ``ReviewedRow``) becomes
    a report with one version, verified and accepted at ``t_co2`` whole tonnes, with its
    history (submitted, verified, accepted). ``env``: the app environment to point the adapters
    at first (``None``: as they are). Returns the number of reports written; a report already
    there is overwritten (demo data only)."""
    from chalicelib import container
    from chalicelib.emissions.adapters import (
        ReportHeadItem,
        ReportTransitionItem,
        ReportVersionItem,
        head_item,
        index_item,
        transition_item,
        version_item,
    )
    from chalicelib.emissions.domain.reports import Transition, report_id_of
    from chalicelib.emissions.ports import ReportHead, ReportVersionRecord

    if env:
        from devtools.stack import use_environment

        use_environment(dict(env))
    container.table()
    reviewed = _rows(rows)
    for row in reviewed:
        if row.t_co2 < 0 or not 1990 <= row.fiscal_year <= 2100:
            raise ValueError(f"not a reviewed report: {row}")
    with ReportHeadItem.batch_write() as batch:
        for row in reviewed:
            report_id = report_id_of(row.org_id, row.fiscal_year)
            verification = {"opinion": "verified", "verified_t_co2": row.t_co2, "reasons": [], "misstatements": [], "improvements": [],
                            "verifier_org": DEMO_VERIFIER_ORG, "by": DEMO_VERIFIER_USER, "at": SEEDED_AT}
            review = {"decision": "accepted", "t_co2": row.t_co2, "by": "admin:demo", "at": SEEDED_AT, "reason": None}
            figures = {"org_id": row.org_id, "fiscal_year": row.fiscal_year, "total_t": row.t_co2, "t_co2": str(row.t_co2),
                       "t_co2_exact": str(row.t_co2), "months": [], "sites": [], "sources": [], "excluded": [], "missing": [],
                       "factor_versions": [], "seeded": True}
            batch.save(head_item(ReportHead(report_id, row.org_id, row.fiscal_year, 1, "accepted", 5, SEEDED_AT, SEEDED_AT,
                                            ever_submitted=True, reviewed_t_co2=row.t_co2, reviewed_basis="accepted",
                                            reviewed_version=1)))
            batch.save(index_item(row.org_id, row.fiscal_year, report_id))
            item: ReportVersionItem = version_item(ReportVersionRecord(
                report_id, row.org_id, row.fiscal_year, 1, "accepted", "demo", SEEDED_AT, row.t_co2, figures, {}, SEEDED_AT,
                verification, review, None))
            batch.save(item)
            steps = [("create", None, "draft", "demo", "participant"), ("submit", "draft", "submitted", "demo", "participant"),
                     ("begin_verification", "submitted", "under_verification", DEMO_VERIFIER_USER, "verifier"),
                     ("record_opinion", "under_verification", "verified", DEMO_VERIFIER_USER, "verifier"),
                     ("accept", "verified", "accepted", "admin:demo", "admin")]
            for sequence, (action, before, after, by, role) in enumerate(steps):
                record: ReportTransitionItem = transition_item(row.org_id, row.fiscal_year, Transition(
                    report_id, sequence, 1, action, before, after, by, role, SEEDED_AT))
                batch.save(record)
    return len(reviewed)


def load() -> dict[str, Any]:
    """Kanto Steelworks' report of the demo's current fiscal year (its FY2025 monitoring data,
    loaded by ``demo.load_emissions``) made, submitted and under verification by the demo
    verification body: the verifier's portal has a report to download, paper and verify."""
    from chalicelib import container
    from chalicelib.core.principal import Role
    from chalicelib.core.settings import get_settings
    from chalicelib.emissions.adapters import ReportFiles, ReportStore
    from chalicelib.emissions.reporting import Caller, Reports
    from devtools.demo import DEMO_FISCAL_YEAR, _call

    _call("assign_verifier", {"org_id": DEMO_REPORT_ORG, "verifier_org": DEMO_VERIFIER_ORG, "fiscal_years": [DEMO_FISCAL_YEAR],
                              "requested_by": "demo"})
    reports = Reports(container.store(ReportStore), container.emissions_service(),
                      files=ReportFiles(container.s3_client(), get_settings().documents_bucket), documents=container.document_store(),
                      organisations=container.organisations())
    participant = Caller(DEMO_REPORT_USER, Role.PARTICIPANT, DEMO_REPORT_ORG)
    report = reports.create(participant, DEMO_FISCAL_YEAR)
    reports.submit(participant, report["id"])
    return reports.begin_verification(Caller(DEMO_VERIFIER_USER, Role.VERIFIER, DEMO_VERIFIER_ORG), report["id"])

"""What other systems read of the reports, on moto: ``reviewed_emissions`` gives only an
accepted or determined figure, ``report_states`` every report of a year; the demo helper
``seed_reviewed_reports`` writes accepted reports in bulk."""

from __future__ import annotations

from chalicelib.emissions.domain.reports import ReportState, ReviewedEmissions


def test_seeded_reports_are_reviewed_and_listed(local_aws):
    from chalicelib import container
    from devtools.demo_reports import seed_reviewed_reports

    rows = [("org-a", 2008, 1200), {"org_id": "org-b", "fiscal_year": 2008, "t_co2": 950}, ("org-a", 2007, 1100)]
    assert seed_reviewed_reports(local_aws, rows) == 3
    service = container.emissions_service()
    assert service.reviewed_emissions("org-a", 2008) == ReviewedEmissions("org-a", 2008, 1200, "accepted", "FY2008-org-a", 1)
    assert service.reviewed_emissions("org-b", 2008).t_co2 == 950
    assert service.reviewed_emissions("org-b", 2007) is None
    assert service.report_states(2008) == [
        ReportState("org-a", "FY2008-org-a", 1, "accepted", "2010-09-30T00:00:00+09:00"),
        ReportState("org-b", "FY2008-org-b", 1, "accepted", "2010-09-30T00:00:00+09:00"),
    ]
    assert service.report_states(2009) == []
    versions, history = container.store(__import__("chalicelib.emissions.adapters", fromlist=["ReportStore"]).ReportStore).history("org-a", 2008)
    assert [v.status for v in versions] == ["accepted"]
    assert [t.action for t in history] == ["create", "submit", "begin_verification", "record_opinion", "accept"]

"""The demo's report: Kanto Steelworks' current-year report under verification by the demo
verifier, who sees it, its files and its evidence through the API."""

from __future__ import annotations

import requests


def test_the_demo_report_is_under_verification_by_the_demo_verifier(api, demo):
    from devtools import demo_reports
    from devtools.demo import DEMO_FISCAL_YEAR, load_emissions

    load_emissions()
    report = demo_reports.load()
    assert (report["id"], report["status"], report["version"]) == (f"FY{DEMO_FISCAL_YEAR}-kanto-steel", "under_verification", 1)
    assert [h["action"] for h in report["history"]] == ["create", "submit", "begin_verification"]
    token = api.login(demo["verifier"])
    status, listed = api.call("GET", "/emissions/reports", token=token)
    assert status == 200 and [r["id"] for r in listed["reports"]] == [report["id"]]
    status, link = api.call("GET", f"/emissions/reports/{report['id']}/files/pdf", token=token)
    assert status == 200 and requests.get(link["url"], timeout=30).content.startswith(b"%PDF-")
    status, evidence = api.call("GET", f"/emissions/reports/{report['id']}/evidence", token=token)
    assert status == 200 and len(evidence["documents"]) == 1 and evidence["documents"][0]["download"] is not None
    status, _ = api.call("GET", f"/emissions/reports/{report['id']}", token=api.login(demo["minato"]))
    assert status == 404

"""The ledger's path loads no other system's libraries: a fresh interpreter imports
``app``, shows a balance and makes a transfer (twice each, through the routes, on moto)
and has loaded no module of openpyxl (performance sheets) or fpdf (reports)."""

from __future__ import annotations

import os

from devtools.bench_first_request import FOREIGN, probe
from tests.conftest import admin, executed


def test_a_balance_view_and_a_transfer_load_neither_openpyxl_nor_fpdf(api, demo, local_aws):
    admin("set_market", {"action": "force_open", "reason": "import path"})
    account = admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    receiver = admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
    executed("issue_units", {"account": account, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                          "amount": 100, "reason": "import path", "idempotency_key": f"path-{account}"})
    token = api.login(demo["aozora"])
    figures = probe({**os.environ, **local_aws}, token, account, receiver)
    assert set(FOREIGN) == {"openpyxl", "fpdf"}
    assert figures["foreign"] == []
    assert figures["first transfer"] > 0 and figures["warm transfer"] > 0  # both requests ran (201, or probe raised)
    _, balance = api.call("GET", f"/accounts/{receiver}/balance", token=token)
    assert balance["balance"] == 2

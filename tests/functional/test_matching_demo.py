"""The notice board's demo data: a living board after the whole demo is loaded."""

from __future__ import annotations

import pytest

from chalicelib import container
from chalicelib.core.principal import Principal, Role
from devtools import demo as demo_data


@pytest.fixture(scope="module")
def loaded(local_aws):
    return {user["username"]: user for user in demo_data.load(ledger=True)}


def test_the_demo_board_lives(loaded):
    service = container.matching()
    aozora = Principal("aozora", Role.PARTICIPANT, "aozora-trading")
    board = service.board(aozora, {})
    sides = {item["side"] for item in board["items"]}
    assert sides == {"sell", "buy"} and len(board["items"]) == 4
    deals = service.deals(aozora)["items"]
    awaiting = [deal for deal in deals if deal["status"] == "confirmed"]
    assert len(awaiting) == 1 and awaiting[0]["next_actions"] == ["mark_paid"] and len(awaiting[0]["versions"]) == 2
    thread = service.inquiry_view(aozora, awaiting[0]["inquiry_id"])
    assert thread["lister"]["org_id"] == "kanto-steel" and len(thread["messages"]) == 2
    statistics = service.statistics({})
    traded = [row for row in statistics["rows"] if row["deals"]]
    assert len(traded) >= 15 and statistics["total"]["average_price_yen"] is not None
    assert service.notifications(aozora)["unread"] >= 1
    assert admin_audit()["ok"]


def admin_audit():
    from chalicelib.admin import FUNCTIONS

    return FUNCTIONS["audit_ledger"]({}, None)

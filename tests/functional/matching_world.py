"""Helpers of the notice board's functional tests: the demo's traders signed in, and a
listing, thread and deal brought to any step over HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.admin import FUNCTIONS
from tests.conftest import executed


def admin(name: str, event: dict[str, Any]) -> dict[str, Any]:
    result = FUNCTIONS[name](event, None)
    assert "error" not in result, result
    return result


def valid_until(days: int = 30) -> str:
    from chalicelib.core.clock import now_jst

    return (now_jst().date() + timedelta(days=days)).isoformat()


def today() -> date:
    from chalicelib.core.clock import now_jst

    return now_jst().date()


class Board:
    """The demo's traders on the API: kanto (target, sells), aozora (trading, buys), minato
    (target, not a party), the verifier and the administrator."""

    def __init__(self, api: Any, demo: dict[str, Any], units: int = 1000) -> None:
        self.api = api
        self.accounts = {name: demo[name]["accounts"][0] for name in ("kanto", "minato", "aozora")}
        admin("set_market", {"action": "force_open", "reason": "notice board tests"})
        executed("issue_units", {"account": self.accounts["kanto"], "unit_type": "JPA", "issued_period": "01",
                              "adopted_period": "01", "amount": units, "reason": "notice board tests"})
        self.tokens: dict[str, str | None] = {name: api.login(demo[name]) for name in ("kanto", "minato", "aozora", "verifier", "admin")}
        self.tokens["none"] = None

    def call(self, who: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.api.call(method, path, body, token=self.tokens[who], headers=headers)

    def ok(self, who: str, method: str, path: str, body: Any = None, status: int | None = None) -> Any:
        got, answer = self.call(who, method, path, body)
        assert got == (status or (201 if method == "POST" and answer and "id" in answer and got == 201 else 200)), answer
        return answer

    def listing(self, who: str = "kanto", **fields: Any) -> dict[str, Any]:
        body = {"side": "sell", "unit_type": "JPA", "period": "01", "quantity": 100, "min_lot": 10, "price_yen": 1200,
                "valid_until": valid_until(), "notes": "Bank transfer within 5 business days"} | fields
        status, answer = self.call(who, "POST", "/listings", body)
        assert status == 201, answer
        return answer

    def inquiry(self, listing_id: str, who: str = "aozora", text: str = "Is the lot still available?") -> dict[str, Any]:
        status, answer = self.call(who, "POST", f"/listings/{listing_id}/inquiries", {"message": text})
        assert status == 201, answer
        return answer

    def propose(self, inquiry_id: str, quantity: int = 50, price: int = 1200, who: str = "aozora") -> dict[str, Any]:
        status, answer = self.call(who, "POST", "/deals", {"inquiry_id": inquiry_id, "quantity": quantity, "price_yen": price})
        assert status == 201, answer
        return answer

    def deal(self, step: str = "proposed", quantity: int = 50, price: int = 1200, listing_id: str | None = None) -> dict[str, Any]:
        """A deal between kanto (seller) and aozora (buyer) at ``step``."""
        listing_id = listing_id or self.listing()["id"]
        inquiry = self.inquiry(listing_id)
        deal = self.propose(inquiry["id"], quantity, price)
        steps = [("kanto", "confirm", {"version": deal["version"]}), ("aozora", "paid", None), ("kanto", "received", None)]
        order = ["proposed", "confirmed", "paid", "received"]
        for who, action, body in steps[: order.index(step)]:
            status, deal = self.call(who, "POST", f"/deals/{deal['id']}/{action}", body)
            assert status == 200, deal
        return deal

    def settle(self, deal: dict[str, Any], key: str, who: str = "kanto", **override: Any) -> tuple[int, Any]:
        body = {"from_account": self.accounts["kanto"], "to_account": self.accounts["aozora"],
                "lines": [{"unit_type": deal["unit_type"], "amount": deal["quantity"]}], "deal_id": deal["id"]} | override
        return self.call(who, "POST", "/transfers", body, headers={"Idempotency-Key": key})

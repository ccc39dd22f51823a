"""DynamoDB requests per notice-board operation, counted with botocore event hooks.

A board page (20 rows) at 10 and 10,000 open listings (seeded with batch writes), in
price order for one side and unit type, in date order, and across every side and unit
type; one proposal; one confirmation; and one settlement against the same transfer
without a deal (the settlement may cost the transfer's requests plus at most one).
``GET /notifications`` (and one read) for a user who has read 10 and 1,000 of the
organisation's notifications: it reads the markers of the listed ones only, so it stays flat.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import timedelta
from typing import Any

from devtools.bench_ledger import DynamoCounter

SIZES = [10, 10_000]
PAGE = "20"
#: How many of the organisation's notifications the user has read (5 newer ones stay unread).
READ_HISTORY = [10, 1_000]
UNREAD = 5


def _seed_board(count: int) -> None:
    from chalicelib.core.clock import now_jst
    from chalicelib.matching.adapters import batch_put, seeded_listing
    from chalicelib.matching.domain.board import Listing

    today = now_jst().date()
    items = []
    for index in range(count):
        side, unit_type = ("sell", "buy")[index % 2], ("JPA", "jCER")[(index // 2) % 2]
        created = f"2026-06-{1 + index % 28:02d}T10:00:00.{index:06d}+09:00"
        items += seeded_listing(Listing(
            listing_id=f"LSEED{index:011d}", org_id=f"seed-org-{index % 50}", side=side, unit_type=unit_type, period="01",
            quantity=100, open_quantity=100, min_lot=10, price_yen=1000 + index % 500, valid_until=(today + timedelta(days=60)).isoformat(),
            notes="", status="open", created_at=created, updated_at=created, created_by="seed"))
    batch_put(items)


def measure() -> list[dict[str, Any]]:
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for size in SIZES:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            rows += _one_size(size)
        for count in READ_HISTORY:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            rows += _notifications(count)
    return rows


def _notifications(read_count: int) -> list[dict[str, Any]]:
    """The organisation's ``read_count + UNREAD`` notifications, the user's markers on the
    oldest ``read_count``; then one listing and one read."""
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.matching.adapters import batch_put, seeded_notification
    from chalicelib.matching.ports import Notification
    from chalicelib.matching.service import NOTIFICATIONS_SHOWN
    from devtools.dynamo_hooks import registry_clients

    kanto = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
    items = []
    for index in range(read_count + UNREAD):
        notice = Notification(f"20260601T100000{index:06d}-{index:08x}", "kanto-steel", "inquiry", "New inquiry", "新しい引合い",
                              "inquiry", f"IBENCH{index:010d}", f"2026-06-01T10:00:00.{index:06d}+09:00")
        items += seeded_notification(notice, read_by=("kanto",) if index < read_count else ())
    batch_put(items)
    service = container.matching()
    counter = DynamoCounter()
    for client in registry_clients():
        counter.attach(client)
    rows: list[dict[str, Any]] = []

    def record(name: str, run: Any) -> Any:
        counter.reset()
        result = run()
        rows.append({"operation": name, "notifications_read": read_count, "requests": counter.total,
                     "calls": dict(counter.requests), "read": counter.read, "written": counter.written})
        return result

    listed = record("GET /notifications", lambda: service.notifications(kanto))
    if len(listed["items"]) != min(NOTIFICATIONS_SHOWN, read_count + UNREAD) or listed["unread"] != UNREAD:
        raise RuntimeError(f"GET /notifications listed {len(listed['items'])}, {listed['unread']} unread (expected {UNREAD})")
    record("POST /notifications/{id}/read", lambda: service.mark_read(kanto, listed["items"][0]["id"]))
    return rows


def _one_size(size: int) -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.matching import adapters as _matching_models  # noqa: F401 - their connections are counted too
    from chalicelib.matching.service import ListingCommand, ProposalCommand
    from chalicelib.registry.domain.blocks import transaction_id
    from chalicelib.registry.service import Initiator, TransferCommand, lines_of
    from devtools import demo
    from devtools.approvals import executed
    from devtools.dynamo_hooks import registry_clients

    rows: list[dict[str, Any]] = []
    users = {user["username"]: user for user in demo.load(ledger=False)}
    kanto_account, aozora_account = users["kanto"]["accounts"][0], users["aozora"]["accounts"][0]
    demo._call("set_market", {"action": "force_open", "reason": "bench"})
    issued = executed("issue_units", {"account": kanto_account, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                      "amount": 10_000, "reason": "bench"})  # the console proposes; a second administrator approves
    if "error" in issued:
        raise RuntimeError(f"issue_units: {issued['error']}")
    _seed_board(size)
    service, ledger = container.matching(), container.ledger()
    counter = DynamoCounter()
    for client in registry_clients():
        counter.attach(client)
    kanto = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
    aozora = Principal("aozora", Role.PARTICIPANT, "aozora-trading")
    listing = service.post_listing(kanto, ListingCommand("sell", "JPA", 1000, 10, 1200, demo_until(), "01"))
    thread = service.open_inquiry(aozora, listing["id"], "bench")

    def record(name: str, run: Any) -> Any:
        counter.reset()
        result = run()
        rows.append({"operation": name, "listings": size, "requests": counter.total, "calls": dict(counter.requests),
                     "read": counter.read, "written": counter.written})
        return result

    record("board page, price, one side/type", lambda: service.board(aozora, {"side": "sell", "unit_type": "JPA", "limit": PAGE}))
    page = service.board(aozora, {"side": "sell", "unit_type": "JPA", "limit": PAGE})
    record("board next page", lambda: service.board(aozora, {"side": "sell", "unit_type": "JPA", "limit": PAGE,
                                                             "cursor": page["next_cursor"] or ""} if page["next_cursor"] else
                                                    {"side": "sell", "unit_type": "JPA", "limit": PAGE}))
    record("board page, date order", lambda: service.board(aozora, {"sort": "date", "side": "buy", "unit_type": "jCER",
                                                                    "limit": PAGE}))
    record("board page, every side/type", lambda: service.board(aozora, {"limit": PAGE}))
    deal = record("proposal", lambda: service.propose(aozora, ProposalCommand(thread["id"], 50, 1210)))
    record("confirmation", lambda: service.confirm(kanto, deal["id"], deal["version"]))
    service.mark_paid(aozora, deal["id"])
    service.mark_received(kanto, deal["id"])
    record("transfer (no deal)", lambda: ledger.transfer(TransferCommand.from_request(
        {"from_account": kanto_account, "to_account": aozora_account, "lines": [{"unit_type": "JPA", "amount": 50}]},
        f"bench-{uuid.uuid4()}", Initiator.of(kanto))))

    def settle() -> Any:
        key = f"bench-{uuid.uuid4()}"
        deal_ref, linked = container.deal_settlement().settlement(
            deal["id"], initiator_org="kanto-steel", receiver=aozora_account, lines=[("JPA", 50)],
            transaction_id=transaction_id("kanto-steel", key))
        return ledger.transfer(TransferCommand(sender=kanto_account, receiver=aozora_account,
                                               lines=lines_of([{"unit_type": "JPA", "amount": 50}]), idempotency_key=key,
                                               initiator=Initiator.of(kanto), deal_ref=deal_ref, linked=linked))

    record("settlement (transfer + deal)", settle)
    return rows


def demo_until() -> str:
    from chalicelib.core.clock import now_jst

    return (now_jst().date() + timedelta(days=30)).isoformat()


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    results = measure()
    notes = [row for row in results if "notifications_read" in row]
    results = [row for row in results if "listings" in row]
    print("DynamoDB cost per notice-board operation (botocore hooks; items are DynamoDB items)")
    print(f"{'operation':<32}{'listings':>9}{'requests':>10}{'read':>7}{'written':>9}  calls")
    for row in results:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['operation']:<32}{row['listings']:>9}{row['requests']:>10}{row['read']:>7}{row['written']:>9}  {calls}")
    pages = {}
    for row in results:
        if row["operation"].startswith("board"):
            pages.setdefault(row["operation"], set()).add(row["requests"])
    flat = all(len(counts) == 1 for counts in pages.values())
    print(f"\nboard page requests at {SIZES}: {({k: sorted(v) for k, v in pages.items()})} (flat: {flat})")
    by = {(r["operation"], r["listings"]): r["requests"] for r in results}
    extra = {size: by[("settlement (transfer + deal)", size)] - by[("transfer (no deal)", size)] for size in SIZES}
    print(f"settlement requests beyond the transfer's: {extra} (target: at most 1)")
    print(f"\n{'operation':<32}{'user read':>9}{'requests':>10}{'read':>7}{'written':>9}  calls")
    for row in notes:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['operation']:<32}{row['notifications_read']:>9}{row['requests']:>10}{row['read']:>7}{row['written']:>9}  {calls}")
    listing = sorted({row["requests"] for row in notes if row["operation"] == "GET /notifications"})
    notes_flat = len(listing) == 1
    print(f"GET /notifications requests at {READ_HISTORY} read: {listing} (flat: {notes_flat})")
    return 0 if flat and notes_flat and all(value <= 1 for value in extra.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The notice board's demo data: a living board on ``make run``.

Open sell and buy listings, a thread the lister answered, a confirmed deal awaiting the
buyer's payment, and a month of settled deals so that the statistics chart has a line.
The month's history is batch-written (``seed_settled_deals``): deals settled in the past,
as the statistics read them, without replaying their transfers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.core.clock import JST, now_jst

#: A month of settled deals: (days ago, quantity, yen per t, seller, buyer).
SETTLED_MONTH: list[tuple[int, int, int, str, str]] = [
    (29, 120, 1180, "kanto-steel", "aozora-trading"), (27, 60, 1195, "minato-foods", "aozora-trading"),
    (26, 200, 1210, "kanto-steel", "minato-foods"), (24, 40, 1205, "aozora-trading", "minato-foods"),
    (22, 150, 1220, "kanto-steel", "aozora-trading"), (21, 80, 1215, "minato-foods", "kanto-steel"),
    (19, 300, 1230, "kanto-steel", "aozora-trading"), (17, 90, 1240, "aozora-trading", "minato-foods"),
    (15, 110, 1235, "minato-foods", "aozora-trading"), (14, 70, 1250, "kanto-steel", "minato-foods"),
    (12, 250, 1245, "kanto-steel", "aozora-trading"), (10, 50, 1260, "aozora-trading", "kanto-steel"),
    (8, 130, 1255, "minato-foods", "aozora-trading"), (7, 180, 1270, "kanto-steel", "minato-foods"),
    (5, 60, 1265, "aozora-trading", "minato-foods"), (3, 220, 1280, "kanto-steel", "aozora-trading"),
    (2, 40, 1275, "minato-foods", "kanto-steel"), (1, 100, 1290, "kanto-steel", "aozora-trading"),
]


def seed_settled_deals(env: Mapping[str, str] | None, deals: Iterable[Mapping[str, Any]]) -> list[str]:
    """Batch-write historical settled deals ``{"date", "quantity", "price_yen",
    "seller_org", "buyer_org"}`` (for past-phase demo data and the statistics). ``env`` is
    the stack's environment (``devtools.stack.app_environment``); ``None`` keeps the
    current one. The deal ids derive from the deal, so seeding again writes the same items."""
    from chalicelib import container
    from chalicelib.matching.adapters import batch_put, seeded_settlement
    from chalicelib.matching.domain.board import Deal, Proposal

    if env is not None and any(os.environ.get(key) != value for key, value in env.items()):
        from devtools.stack import use_environment

        use_environment(dict(env))
    container.table()
    items = []
    ids = []
    for index, deal in enumerate(deals):
        day = deal["date"] if isinstance(deal["date"], date) else date.fromisoformat(str(deal["date"]))
        quantity, price = int(deal["quantity"]), int(deal["price_yen"])
        seller, buyer = str(deal["seller_org"]), str(deal["buyer_org"])
        digest = hashlib.sha256(f"{day}|{quantity}|{price}|{seller}|{buyer}|{index}".encode()).hexdigest()[:14].upper()
        deal_id = f"DH{digest}"
        at = datetime(day.year, day.month, day.day, 15, 0, tzinfo=JST).isoformat(timespec="microseconds")
        proposal = Proposal(1, quantity, price, buyer, "demo", at)
        items += seeded_settlement(Deal(
            deal_id=deal_id, inquiry_id="", listing_id="", seller_org=seller, buyer_org=buyer, unit_type="JPA", period="01",
            quantity=quantity, price_yen=price, status="settled", proposed_by=buyer, version=1, versions=(proposal,),
            created_at=at, updated_at=at, confirmed_at=at, paid_at=at, received_at=at, settled_at=at,
            transaction_id=None,
        ))
        ids.append(deal_id)
    batch_put(items)
    return ids


def load_matching(today: date | None = None) -> dict[str, Any]:
    """The living board (after the demo ledger: Kanto Steelworks and Minato Foods hold JPA)."""
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.matching.service import ListingCommand, ProposalCommand

    today = today or now_jst().date()
    service = container.matching()
    kanto = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
    minato = Principal("minato", Role.PARTICIPANT, "minato-foods")
    aozora = Principal("aozora", Role.PARTICIPANT, "aozora-trading")
    until = (today + timedelta(days=60)).isoformat()

    def listing(who: Principal, side: str, quantity: int, lot: int, price: int, notes: str) -> str:
        command = ListingCommand(side=side, unit_type="JPA", period="01", quantity=quantity, min_lot=lot, price_yen=price,
                                 valid_until=until, notes=notes)
        return str(service.post_listing(who, command)["id"])

    sell = listing(kanto, "sell", 300, 50, 1250, "銀行振込（5営業日以内）。Bank transfer within 5 business days.")
    listing(minato, "sell", 100, 20, 1270, "分割可。Lots of 20 t or more.")
    listing(aozora, "buy", 150, 50, 1200, "FY2026 compliance; quick settlement preferred.")
    listing(kanto, "buy", 80, 10, 1180, "")
    # A thread the lister answered (so the inquirer sees Kanto Steelworks' name), and a
    # confirmed deal awaiting the buyer's payment.
    thread = service.open_inquiry(aozora, sell, "100 t at 1,230 yen/t possible? / 100 t を 1,230 円/t で可能でしょうか。")
    service.add_message(kanto, thread["id"], "Yes, 100 t at 1,240 yen/t. / 1,240 円/t であれば 100 t 可能です。")
    proposed = service.propose(aozora, ProposalCommand(thread["id"], 100, 1235))
    countered = service.propose(kanto, ProposalCommand(thread["id"], 100, 1240))
    confirmed = service.confirm(aozora, proposed["id"], countered["version"])
    history = seed_settled_deals(None, [
        {"date": today - timedelta(days=ago), "quantity": quantity, "price_yen": price, "seller_org": seller, "buyer_org": buyer}
        for ago, quantity, price, seller, buyer in SETTLED_MONTH
    ])
    return {"sell_listing": sell, "thread": thread["id"], "deal": confirmed["id"], "settled": len(history)}

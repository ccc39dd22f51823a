"""The notice board's rules at the service level, on the in-memory fakes of its ports
(``tests/unit/fakes/matching.py``): listings against holdings, proposals and their
versions, confirmations that never take more than is open (also when another
confirmation got there first), the deal's steps, settlement's refusals, expiry with
catch-up, statistics and the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.principal import Principal, Role
from chalicelib.core.transactions import CommitFailed
from chalicelib.matching.domain import errors as e
from chalicelib.matching.domain.board import check_listing_numbers
from chalicelib.matching.domain.figures import SettledTrade, TradeFigures
from chalicelib.matching.ports import TradingPeriod
from chalicelib.matching.service import ListingCommand, Matching, ProposalCommand
from tests.unit.fakes.matching import FakeHoldings, FakeMailer, FakeMatchingStore, FakeOrganisations, FakeRecipients

TODAY = date(2026, 6, 1)
SELLER, BUYER, OTHER = (Principal(name, Role.PARTICIPANT, f"{name}-org") for name in ("seller", "buyer", "other"))


class World:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 10, 0, tzinfo=JST)
        self.store = FakeMatchingStore()
        self.holdings = FakeHoldings({("seller-org", "JPA"): 500}, {"seller-org": "JP-120-1-0-56", "buyer-org": "JP-121-1-0-47",
                                                                    "other-org": "JP-120-2-0-53"})
        self.service = Matching(self.store, holdings=self.holdings, organisations=FakeOrganisations(), clock=lambda: self.now)

    def listing(self, quantity: int = 100, min_lot: int = 10, price: int = 1200, until: str = "2026-06-30") -> str:
        return self.service.post_listing(SELLER, ListingCommand("sell", "JPA", quantity, min_lot, price, until, "01"))["id"]

    def deal(self, listing_id: str, buyer: Principal = BUYER, quantity: int = 50) -> dict:
        thread = self.service.open_inquiry(buyer, listing_id, "hello")
        return self.service.propose(buyer, ProposalCommand(thread["id"], quantity, 1200))


@pytest.fixture
def world() -> World:
    return World()


def test_a_sell_listing_is_bounded_by_what_is_held(world):
    with pytest.raises(e.NotEnoughHeld):
        world.listing(quantity=501)
    world.holdings.accounts.pop("seller-org")
    with pytest.raises(e.NoHoldingAccount):
        world.listing(quantity=10)


@pytest.mark.parametrize(("quantity", "lot", "price", "until"), [
    (0, 1, 1, "2026-06-02"), (10, 11, 1, "2026-06-02"), (10, 0, 1, "2026-06-02"), (10, 1, 0, "2026-06-02"),
    (10, 1, 1, "2026-05-31"), (10, 1, 1, "2027-06-03"), (10, 1, 1, "not-a-date"),
])
def test_listing_numbers_that_do_not_fit_are_refused(quantity, lot, price, until):
    with pytest.raises(e.InvalidListing):
        check_listing_numbers(quantity, lot, price, until, TODAY)


def test_a_counter_proposal_is_the_next_version_and_only_the_other_side_confirms(world):
    deal = world.deal(world.listing())
    counter = world.service.propose(SELLER, ProposalCommand(deal["inquiry_id"], 60, 1250))
    assert (counter["id"], counter["version"], [v["by"] for v in counter["versions"]]) == (deal["id"], 2, ["buyer", "seller"])
    with pytest.raises(e.NotYourTurn):
        world.service.confirm(SELLER, deal["id"], 2)
    with pytest.raises(e.StaleVersion):
        world.service.confirm(BUYER, deal["id"], 1)
    confirmed = world.service.confirm(BUYER, deal["id"], 2)
    assert (confirmed["status"], confirmed["quantity"], confirmed["amount_yen"]) == ("confirmed", 60, 75_000)
    assert world.service.get_listing(SELLER, deal["listing_id"])["open_quantity"] == 40


def test_a_confirmation_beaten_to_the_last_lots_is_refused_and_nothing_goes_below_zero(world):
    listing_id = world.listing(quantity=50)
    first, second = world.deal(listing_id, BUYER, 50), world.deal(listing_id, OTHER, 50)
    # The other buyer's deal is confirmed between this confirmation's reads and its write.
    world.store.meanwhile(lambda: world.service.confirm(SELLER, second["id"], 1))
    with pytest.raises((e.ListingSoldOut, e.ListingNotOpen)):
        world.service.confirm(SELLER, first["id"], 1)
    listing = world.store.listings[listing_id]
    assert listing.open_quantity == 0 and listing.status == "filled"
    assert world.store.deals_by_id[first["id"]].status == "proposed"


def test_the_steps_belong_to_their_side(world):
    deal = world.deal(world.listing())
    world.service.confirm(SELLER, deal["id"], 1)
    with pytest.raises(e.NotYourTurn):
        world.service.mark_paid(SELLER, deal["id"])
    with pytest.raises(e.DealStateConflict):
        world.service.mark_received(SELLER, deal["id"])
    world.service.mark_paid(BUYER, deal["id"])
    with pytest.raises(e.NotYourTurn):
        world.service.mark_received(BUYER, deal["id"])
    received = world.service.mark_received(SELLER, deal["id"])
    assert received["next_actions"] == ["settle"] and received["transfer"]["to_account"] == "JP-121-1-0-47"
    with pytest.raises(e.DealNotFound):
        world.service.deal_view(OTHER, deal["id"])


def test_settlement_refuses_what_the_deal_does_not_name_and_settles_once(world):
    deal = world.deal(world.listing())
    with pytest.raises(e.SettlementRefused):  # not paid and received yet
        world.service.settlement(deal["id"], initiator_org="seller-org", receiver="JP-121-1-0-47", lines=[("JPA", 50)],
                                 transaction_id="TX1")
    world.service.confirm(SELLER, deal["id"], 1)
    world.service.mark_paid(BUYER, deal["id"])
    world.service.mark_received(SELLER, deal["id"])
    for receiver, lines in (("JP-120-2-0-53", [("JPA", 50)]), ("JP-121-1-0-47", [("JPA", 49)]), ("JP-121-1-0-47", [("jCER", 50)])):
        with pytest.raises(e.SettlementRefused):
            world.service.settlement(deal["id"], initiator_org="seller-org", receiver=receiver, lines=lines, transaction_id="TX1")
    with pytest.raises(e.DealNotFound):
        world.service.settlement(deal["id"], initiator_org="buyer-org", receiver="JP-121-1-0-47", lines=[("JPA", 50)],
                                 transaction_id="TX1")
    ref, writes = world.service.settlement(deal["id"], initiator_org="seller-org", receiver="JP-121-1-0-47", lines=[("JPA", 50)],
                                           transaction_id="TX1")
    [(label, check, apply)] = writes
    assert ref == deal["id"] and label == f"deal:{deal['id']}" and check()
    apply()
    assert not check()  # a second settlement's condition fails in its transaction
    # The same transfer retried (same transaction id) still gets its writes: the ledger replays it.
    assert world.service.settlement(deal["id"], initiator_org="seller-org", receiver="JP-121-1-0-47", lines=[("JPA", 50)],
                                    transaction_id="TX1")[0] == deal["id"]
    with pytest.raises(e.SettlementRefused):
        world.service.settlement(deal["id"], initiator_org="seller-org", receiver="JP-121-1-0-47", lines=[("JPA", 50)],
                                 transaction_id="TX2")
    assert world.service.settled_between(TODAY, TODAY) == TradeFigures(1, 50, 60_000)


def test_expiry_catches_up_and_refuses_new_deals(world):
    early, late = world.listing(until="2026-06-02"), world.listing(until="2026-06-05")
    keep = world.listing(until="2026-07-01")
    thread = world.service.open_inquiry(BUYER, late, "still?")
    world.now += timedelta(days=10)
    assert world.service.expire_due() == {"expired": 2}
    assert [world.store.listings[x].status for x in (early, late, keep)] == ["expired", "expired", "open"]
    assert world.service.expire_due() == {"expired": 0}
    with pytest.raises(e.ListingNotOpen):
        world.service.propose(BUYER, ProposalCommand(thread["id"], 20, 1200))


def test_the_inquirer_learns_the_listers_name_once_it_answers(world):
    thread = world.service.open_inquiry(BUYER, world.listing(), "hello")
    assert thread["lister"] is None
    world.service.add_message(SELLER, thread["id"], "hi")
    assert world.service.inquiry_view(BUYER, thread["id"])["lister"]["org_id"] == "seller-org"


def test_statistics_group_by_phase_and_round_half_up(world):
    world.store.settled += [SettledTrade("D1", date(2026, 4, 10), 1, 1000), SettledTrade("D2", date(2026, 4, 11), 1, 1001),
                            SettledTrade("D3", date(2026, 5, 2), 3, 999)]

    class Phases:
        def trading_periods(self):
            return [TradingPeriod("P1", date(2026, 4, 1), date(2026, 4, 30)), TradingPeriod("P2", date(2026, 5, 1), date(2027, 3, 31))]

    service = Matching(world.store, holdings=world.holdings, organisations=FakeOrganisations(), phases=Phases(), clock=lambda: world.now)
    rows = service.statistics({"from": "2026-04-01", "to": "2026-05-31", "group": "phase"})["rows"]
    assert [(r["key"], r["deals"], r["volume_t"], r["average_price_yen"]) for r in rows] == [("P1", 2, 2, 1001), ("P2", 1, 3, 999)]
    assert TradeFigures(0, 0, 0).average_price_yen is None


def test_every_event_goes_to_the_outbox_and_is_sent_once(world):
    deal = world.deal(world.listing())
    world.service.confirm(SELLER, deal["id"], 1)
    kinds = sorted(n.kind for n in world.store.notes.values())
    assert kinds == ["confirmed", "inquiry", "proposal"]
    mailer = FakeMailer()
    assert world.service.send_pending(mailer, FakeRecipients()) == {"sent": 3}
    assert world.service.send_pending(mailer, FakeRecipients()) == {"sent": 0} and len(mailer.sent) == 3
    assert world.service.notifications(SELLER)["unread"] == 2


# --- read state is each user's -------------------------------------------------------------

SELLER_TOO = Principal("seller2", Role.PARTICIPANT, "seller-org")


def test_a_notification_read_by_one_user_stays_unread_for_the_other_users_of_the_organisation(world):
    world.deal(world.listing())  # an inquiry and a proposal: two notifications for the seller's organisation
    mine, theirs = world.service.notifications(SELLER), world.service.notifications(SELLER_TOO)
    assert mine["unread"] == theirs["unread"] == 2 and [n["id"] for n in mine["items"]] == [n["id"] for n in theirs["items"]]
    newest = mine["items"][0]["id"]
    read = world.service.mark_read(SELLER, newest)
    assert read["id"] == newest and read["read"]
    after = world.service.notifications(SELLER)
    assert after["unread"] == 1 and [n["read"] for n in after["items"]] == [True, False]
    other = world.service.notifications(SELLER_TOO)
    assert other["unread"] == 2 and not any(n["read"] for n in other["items"])
    assert world.store.reads == {("seller-org", "seller", newest)}


def test_reading_twice_answers_the_same_and_writes_one_marker(world):
    world.deal(world.listing())
    newest = world.service.notifications(SELLER)["items"][0]["id"]
    first = world.service.mark_read(SELLER, newest)
    assert world.service.mark_read(SELLER, newest) == first
    assert world.store.reads == {("seller-org", "seller", newest)} and world.service.notifications(SELLER)["unread"] == 1


def test_another_organisations_notification_is_not_found_and_nothing_is_written(world):
    world.deal(world.listing())
    newest = world.service.notifications(SELLER)["items"][0]["id"]
    for principal, notification_id in ((BUYER, newest), (OTHER, newest), (SELLER, "N-MISSING"), (SELLER, "N" * 61)):
        with pytest.raises(e.NotificationNotFound):
            world.service.mark_read(principal, notification_id)
    assert world.store.reads == set() and world.service.notifications(SELLER)["unread"] == 2


def test_a_read_cancelled_by_a_transaction_in_flight_is_retried(world):
    world.deal(world.listing())
    newest = world.service.notifications(SELLER)["items"][0]["id"]
    conflicts = iter([CommitFailed(failed=()), CommitFailed(failed=())])
    original = world.store.mark_read

    def flaky(org_id, username, notification_id):
        for conflict in conflicts:
            raise conflict
        return original(org_id, username, notification_id)

    world.store.mark_read = flaky
    assert world.service.mark_read(SELLER, newest)["read"] and world.service.notifications(SELLER)["unread"] == 1

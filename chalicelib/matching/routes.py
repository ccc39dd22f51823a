"""The notice board's routes: listings, inquiries, deals, statistics and notifications.

Participants (target and trading) post, inquire, propose and take a deal's steps for
their own organisation; verifiers and administrators read the board; administrators read
any thread or deal; statistics and one's own notifications are for every signed-in user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import container
from chalicelib.core.http.operations import ApiBlueprint
from chalicelib.core.http.requests import current_correlation_id, resolve
from chalicelib.core.http.responses import json_response
from chalicelib.core.principal import Principal, Role
from chalicelib.matching.domain import errors as e

if TYPE_CHECKING:
    from chalicelib.matching.schemas import (
        DealDecision,
        InquiryRequest,
        ListingChange,
        ListingRequest,
        MessageRequest,
        ProposalRequest,
    )

api = ApiBlueprint(__name__, "matching", schemas="chalicelib.matching.schemas")

TRADERS = {Role.PARTICIPANT}
BOARD_READERS = {Role.PARTICIPANT, Role.VERIFIER, Role.ADMIN}
DEAL_READERS = {Role.PARTICIPANT, Role.ADMIN}
_LISTING_ERRORS = (e.InvalidListing, e.NotEnoughHeld, e.NoHoldingAccount)
_DEAL_ERRORS = (e.DealNotFound, e.DealStateConflict, e.NotYourTurn, e.StaleVersion, e.ListingNotOpen, e.ListingSoldOut,
                e.NoHoldingAccount, e.BusyListing)


def _created(model: str, payload: dict[str, Any]) -> Response:
    body = resolve(f"chalicelib.matching.schemas:{model}").model_validate(payload).model_dump(mode="json", by_alias=True)
    return json_response(201, body, current_correlation_id())


@api.route("/listings", "POST", summary="Post a sell or buy listing on the notice board", body="ListingRequest",
           response="ListingView", status=201, roles=TRADERS, errors_=_LISTING_ERRORS)
def create_listing(principal: Principal, body: ListingRequest) -> Response:
    from chalicelib.matching.service import ListingCommand

    listing = container.matching().post_listing(principal, ListingCommand(**body.model_dump()))
    return _created("ListingView", listing)


@api.route("/listings", summary="The board: open listings (side, unit_type, min_price, max_price, sort=price|date, "
                                 "order, limit, cursor; mine=true for the caller's own listings)",
           response="ListingPage", roles=BOARD_READERS,
           query=("side", "unit_type", "min_price", "max_price", "sort", "order", "limit", "cursor", "mine"),
           errors_=(e.InvalidBoardQuery, e.InvalidBoardCursor))
def list_listings(principal: Principal, query: dict[str, str]) -> Any:
    return container.matching().board(principal, query)


@api.route("/listings/{listing_id}", summary="One listing (never its lister's name)", response="ListingView",
           roles=BOARD_READERS, errors_=(e.ListingNotFound,))
def get_listing(principal: Principal, listing_id: str) -> Any:
    return container.matching().get_listing(principal, listing_id)


@api.route("/listings/{listing_id}", "PATCH", summary="Change a listing's price, quantity, minimum lot, notes or validity",
           body="ListingChange", response="ListingView", roles=TRADERS,
           errors_=(e.ListingNotFound, e.NotYourListing, e.ListingNotOpen, *_LISTING_ERRORS, e.BusyListing))
def change_listing(principal: Principal, listing_id: str, body: ListingChange) -> Any:
    changes = body.model_dump(exclude_none=True)
    return container.matching().change_listing(principal, listing_id, changes)


@api.route("/listings/{listing_id}/withdraw", "POST", summary="Withdraw a listing from the board", response="ListingView",
           roles=TRADERS, errors_=(e.ListingNotFound, e.NotYourListing, e.ListingNotOpen, e.BusyListing))
def withdraw_listing(principal: Principal, listing_id: str) -> Any:
    return container.matching().withdraw(principal, listing_id)


@api.route("/listings/{listing_id}/inquiries", "POST", summary="Open a thread with the lister (or write in the one open)",
           body="InquiryRequest", response="InquiryView", status=201, roles=TRADERS,
           errors_=(e.ListingNotFound, e.ListingNotOpen, e.OwnListing))
def create_inquiry(principal: Principal, listing_id: str, body: InquiryRequest) -> Response:
    return _created("InquiryView", container.matching().open_inquiry(principal, listing_id, body.message))


@api.route("/inquiries", summary="The caller's organisation's threads", response="InquiryList", roles=DEAL_READERS)
def list_inquiries(principal: Principal) -> Any:
    return container.matching().inquiries(principal)


@api.route("/inquiries/{inquiry_id}", summary="One thread with its messages", response="InquiryView", roles=DEAL_READERS,
           errors_=(e.InquiryNotFound,))
def get_inquiry(principal: Principal, inquiry_id: str) -> Any:
    return container.matching().inquiry_view(principal, inquiry_id)


@api.route("/inquiries/{inquiry_id}/messages", "POST", summary="Write in a thread", body="MessageRequest",
           response="MessageView", status=201, roles=TRADERS, errors_=(e.InquiryNotFound,))
def create_message(principal: Principal, inquiry_id: str, body: MessageRequest) -> Response:
    return _created("MessageView", container.matching().add_message(principal, inquiry_id, body.text))


@api.route("/deals", "POST", summary="Propose quantity and price in a thread (the next version of a pending proposal)",
           body="ProposalRequest", response="DealView", status=201, roles=TRADERS,
           errors_=(e.InquiryNotFound, e.ListingNotFound, e.InvalidDeal, *_DEAL_ERRORS))
def create_deal(principal: Principal, body: ProposalRequest) -> Response:
    from chalicelib.matching.service import ProposalCommand

    deal = container.matching().propose(principal, ProposalCommand(body.inquiry_id, body.quantity, body.price_yen))
    return _created("DealView", deal)


@api.route("/deals", summary="The caller's organisation's deals", response="DealList", roles=DEAL_READERS)
def list_deals(principal: Principal) -> Any:
    return container.matching().deals(principal)


@api.route("/deals/{deal_id}", summary="One deal with every version of its proposal and its steps", response="DealView",
           roles=DEAL_READERS, errors_=(e.DealNotFound,))
def get_deal(principal: Principal, deal_id: str) -> Any:
    return container.matching().deal_view(principal, deal_id)


@api.route("/deals/{deal_id}/confirm", "POST", summary="Confirm the other side's proposal (the version read)",
           body="DealDecision", response="DealView", roles=TRADERS, errors_=_DEAL_ERRORS)
def confirm_deal(principal: Principal, deal_id: str, body: DealDecision) -> Any:
    return container.matching().confirm(principal, deal_id, body.version)


@api.route("/deals/{deal_id}/decline", "POST", summary="Decline the other side's proposal (the version read)",
           body="DealDecision", response="DealView", roles=TRADERS, errors_=_DEAL_ERRORS)
def decline_deal(principal: Principal, deal_id: str, body: DealDecision) -> Any:
    return container.matching().decline(principal, deal_id, body.version)


@api.route("/deals/{deal_id}/paid", "POST", summary="The buyer marks the deal paid (payment is made outside the system)",
           response="DealView", roles=TRADERS, errors_=_DEAL_ERRORS)
def mark_deal_paid(principal: Principal, deal_id: str) -> Any:
    return container.matching().mark_paid(principal, deal_id)


@api.route("/deals/{deal_id}/received", "POST", summary="The seller confirms receipt of the payment", response="DealView",
           roles=TRADERS, errors_=_DEAL_ERRORS)
def mark_deal_received(principal: Principal, deal_id: str) -> Any:
    return container.matching().mark_received(principal, deal_id)


@api.route("/market/statistics", summary="Settled deals: number, volume and volume-weighted average price per day or phase",
           response="Statistics", query=("from", "to", "group"), errors_=(e.InvalidStatisticsQuery,))
def get_statistics(principal: Principal, query: dict[str, str]) -> Any:
    return container.matching().statistics(query)


@api.route("/notifications", summary="The latest notifications of the caller's organisation, with the unread count",
           response="NotificationList")
def list_notifications(principal: Principal) -> Any:
    return container.matching().notifications(principal)


@api.route("/notifications/{notification_id}/read", "POST", summary="Mark a notification read", response="NotificationView",
           errors_=(e.NotificationNotFound,))
def read_notification(principal: Principal, notification_id: str) -> Any:
    return container.matching().mark_read(principal, notification_id)

"""Notice board failures, one class per rule that can refuse a request."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, Forbidden, JvetsError, NotFound, Unprocessable


class ListingNotFound(NotFound):
    code = "LISTING_NOT_FOUND"
    message_en = "Listing {listing_id} was not found."
    message_ja = "掲示 {listing_id} が見つかりません。"


class InquiryNotFound(NotFound):
    code = "INQUIRY_NOT_FOUND"
    message_en = "Inquiry {inquiry_id} was not found."
    message_ja = "引合い {inquiry_id} が見つかりません。"


class DealNotFound(NotFound):
    code = "DEAL_NOT_FOUND"
    message_en = "Deal {deal_id} was not found."
    message_ja = "取引 {deal_id} が見つかりません。"


class NotificationNotFound(NotFound):
    code = "NOTIFICATION_NOT_FOUND"
    message_en = "Notification {notification_id} was not found."
    message_ja = "通知 {notification_id} が見つかりません。"


class NotYourListing(Forbidden):
    """Only the lister's organisation changes or withdraws a listing."""

    code = "NOT_YOUR_LISTING"
    message_en = "Only the organisation that posted listing {listing_id} may change it."
    message_ja = "掲示 {listing_id} を変更できるのは掲示した組織だけです。"


class OwnListing(Unprocessable):
    code = "OWN_LISTING"
    message_en = "You cannot inquire about your own organisation's listing."
    message_ja = "自社の掲示には引合いできません。"


class InvalidListing(Unprocessable):
    """A listing's numbers do not fit together (lot above quantity, past validity, ...)."""

    code = "INVALID_LISTING"
    message_en = "The listing is not valid: {reason}."
    message_ja = "掲示内容が正しくありません: {reason_ja}。"


class NotEnoughHeld(Unprocessable):
    code = "NOT_ENOUGH_HELD"
    message_en = "A sell listing may not offer more than your account holds of {unit_type}: {held} t held, {quantity} t offered."
    message_ja = "売り掲示の数量は保有量を超えられません（{unit_type}: 保有 {held} t、掲示 {quantity} t）。"


class NoHoldingAccount(Unprocessable):
    code = "NO_HOLDING_ACCOUNT"
    message_en = "Your organisation has no open holding account to trade from or to."
    message_ja = "取引に使える開設済みの保有口座がありません。"


class ListingNotOpen(Conflict):
    """Withdrawn, expired and filled listings take no new inquiries, deals or changes."""

    code = "LISTING_NOT_OPEN"
    message_en = "Listing {listing_id} is {status}: it takes no new inquiries or deals."
    message_ja = "掲示 {listing_id} は{status_ja}のため、新たな引合い・取引はできません。"


class ListingSoldOut(Conflict):
    """Another deal took the listing's open quantity first."""

    code = "LISTING_SOLD_OUT"
    message_en = "Listing {listing_id} no longer has {quantity} t open (open now: {open_quantity} t)."
    message_ja = "掲示 {listing_id} の残数量が不足しています（必要 {quantity} t、残り {open_quantity} t）。"


class InvalidDeal(Unprocessable):
    code = "INVALID_DEAL"
    message_en = "The proposal is not valid: {reason}."
    message_ja = "提案内容が正しくありません: {reason_ja}。"


class DealStateConflict(Conflict):
    """The deal is not in the state this step needs (or was changed meanwhile)."""

    code = "DEAL_STATE_CONFLICT"
    message_en = "Deal {deal_id} is {status}: it cannot be {action} now."
    message_ja = "取引 {deal_id} は現在「{status}」のため、{action_ja}できません。"


class NotYourTurn(Forbidden):
    code = "NOT_YOUR_STEP"
    message_en = "This step of deal {deal_id} belongs to the other party."
    message_ja = "取引 {deal_id} のこの手続きは相手方が行います。"


class StaleVersion(Conflict):
    code = "DEAL_VERSION_CHANGED"
    message_en = "Deal {deal_id} now has version {current}: read it again before confirming."
    message_ja = "取引 {deal_id} は更新されています（版 {current}）。内容を確認してから再度操作してください。"


class SettlementRefused(Conflict):
    """A transfer names a deal it cannot settle."""

    code = "DEAL_NOT_SETTLEABLE"
    message_en = "Deal {deal_id} cannot be settled by this transfer: {reason}."
    message_ja = "この移転では取引 {deal_id} を決済できません: {reason_ja}。"


class InvalidStatisticsQuery(JvetsError):
    code = "INVALID_STATISTICS_QUERY"
    message_en = "Give from and to as dates (YYYY-MM-DD, at most 3 years apart) and group as day or phase."
    message_ja = "from と to は日付（YYYY-MM-DD、3年以内）、group は day か phase で指定してください。"


class InvalidBoardQuery(JvetsError):
    code = "INVALID_BOARD_QUERY"
    message_en = "The board's filter is not valid: {reason}."
    message_ja = "掲示板の条件が正しくありません: {reason_ja}。"


class InvalidBoardCursor(JvetsError):
    code = "INVALID_CURSOR"
    message_en = "This page is not valid for this search. Search again from the first page."
    message_ja = "ページ指定が正しくありません。最初のページから照会し直してください。"


class BusyListing(Conflict):
    code = "CONCURRENT_UPDATE"
    message_en = "Too many changes at once. Please retry."
    message_ja = "同時に多くの更新がありました。再度お試しください。"

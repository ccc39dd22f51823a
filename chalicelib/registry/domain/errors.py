"""Registry failures, one class per rule that can refuse a request."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, JvetsError, NotFound, ServiceUnavailable, Unprocessable


class InvalidAccountNumber(JvetsError):
    """The account number is malformed or its check digits are wrong."""

    code = "INVALID_ACCOUNT_NUMBER"
    message_en = "The account number {number!r} is not valid: {reason}."
    message_ja = "口座番号「{number}」が正しくありません（{reason_ja}）。"


class AccountNotFound(NotFound):
    """No such account, or the caller may not see it (indistinguishable on purpose)."""

    code = "ACCOUNT_NOT_FOUND"
    message_en = "Account {number} was not found."
    message_ja = "口座 {number} が見つかりません。"


class AccountNotOpen(Conflict):
    """The account is blocked or closed."""

    code = "ACCOUNT_NOT_OPEN"
    message_en = "Account {number} is {status}."
    message_ja = "口座 {number} は{status_ja}です。"


class StatusChangeNotAllowed(Conflict):
    """Only an open account can be blocked, and only a blocked one unblocked."""

    code = "STATUS_CHANGE_NOT_ALLOWED"
    message_en = "Account {number} is {status}: it cannot become {wanted}."
    message_ja = "口座 {number} は{status_ja}のため、{wanted_ja}にできません。"


class AccountNotEmpty(Conflict):
    """An account that still holds units cannot be closed."""

    code = "ACCOUNT_NOT_EMPTY"
    message_en = "Account {number} still holds {balance} t-CO2."
    message_ja = "口座 {number} にはまだ {balance} t-CO2 が残っています。"


class AccountTypeNotAllowed(Unprocessable):
    """The account type does not fit the holder organisation."""

    code = "ACCOUNT_TYPE_NOT_ALLOWED"
    message_en = "An account of type {type} cannot be held by {holder_kind} organisations."
    message_ja = "口座種別 {type} は、この種類の組織（{holder_kind}）には開設できません。"




class SingletonAccountExists(Conflict):
    """Only one party holding (100) and one retirement (300) account may exist."""

    code = "ACCOUNT_EXISTS"
    message_en = "An account of type {type} already exists: {number}."
    message_ja = "口座種別 {type} の口座は既に存在します（{number}）。"


class ConcurrentUpdate(ServiceUnavailable):
    """Others kept changing the same records while we retried; the caller may retry."""

    code = "CONCURRENT_UPDATE"
    message_en = "The record was changed by another request. Please retry."
    message_ja = "他の処理と競合しました。再度お試しください。"


class UnknownReceiver(Unprocessable):
    """The receiving account number is well formed but no such account exists."""

    code = "UNKNOWN_RECEIVER"
    message_en = "There is no account {number}. Check the receiver's account number."
    message_ja = "移転先口座 {number} は存在しません。口座番号をご確認ください。"


class ReceiverNotAllowed(Unprocessable):
    """Units cannot be sent to this kind of account by this operation."""

    code = "RECEIVER_NOT_ALLOWED"
    message_en = "Account {number} cannot receive units by {operation}."
    message_ja = "口座 {number} には{operation_ja}で移転できません。"


class SameAccount(JvetsError):
    """The sender and the receiver are the same account."""

    code = "SAME_ACCOUNT"
    message_en = "The sender and the receiver must be different accounts."
    message_ja = "移転元と移転先に同じ口座は指定できません。"


class InsufficientUnits(Conflict):
    """The account does not hold enough units matching a line."""

    code = "INSUFFICIENT_UNITS"
    message_en = "Line {line}: {requested} t-CO2 requested but only {available} t-CO2 of matching units are held."
    message_ja = "{line}行目: {requested} t-CO2 を指定しましたが、該当するクレジットの保有量は {available} t-CO2 です。"


class ReserveBreach(Conflict):
    """The movement would take the account below its commitment reserve."""

    code = "RESERVE_BREACH"
    message_en = "Moving {requested} t-CO2 would go below the commitment reserve: at most {transferable} t-CO2 may be moved."
    message_ja = "{requested} t-CO2 を移転するとコミットメントリザーブを下回ります。移転可能量は {transferable} t-CO2 です。"


class TooManyBlocks(Unprocessable):
    """The movement needs more serial blocks than one atomic write can hold."""

    code = "TOO_MANY_BLOCKS"
    message_en = ("This would move {blocks} serial blocks; one transaction holds at most {max_blocks}. "
                  "At most {max_amount} t-CO2 of line {line} fit: transfer the rest separately.")
    message_ja = ("{blocks} 個のシリアルブロックの移転が必要ですが、1回の取引は {max_blocks} 個までです。"
                  "{line}行目は最大 {max_amount} t-CO2 まで移転できます。残りは複数回に分けて移転してください。")


class MarketClosed(Conflict):
    """Transfers are only possible while the trading window is open."""

    code = "MARKET_CLOSED"
    message_en = "Transfers are not accepted now: {notice}"
    message_ja = "現在は移転できません。{notice_ja}"


class IdempotencyMismatch(Conflict):
    """The Idempotency-Key was already used for a different request."""

    code = "IDEMPOTENCY_MISMATCH"
    message_en = "This request was already sent with different content (the same Idempotency-Key). Start again from the input."
    message_ja = "この依頼は別の内容で既に送信されています（同じ Idempotency-Key）。入力画面からやり直してください。"


class TransactionNotFound(NotFound):
    """No such transaction, or the caller may not see it."""

    code = "TRANSACTION_NOT_FOUND"
    message_en = "Transaction {transaction_id} was not found."
    message_ja = "取引 {transaction_id} が見つかりません。"


class UnitsNoLongerHeld(Conflict):
    """The units to correct have moved on from the account that received them."""

    code = "UNITS_NO_LONGER_HELD"
    message_en = "Account {number} no longer holds the serial block {serials} of transaction {transaction_id}."
    message_ja = "口座 {number} は取引 {transaction_id} のシリアルブロック {serials} をもう保有していません。"


class AlreadyCorrected(Conflict):
    """A transaction is corrected at most once."""

    code = "ALREADY_CORRECTED"
    message_en = "Transaction {transaction_id} was already corrected by {corrected_by}."
    message_ja = "取引 {transaction_id} は既に取引 {corrected_by} で訂正済みです。"


class NotCorrectable(Unprocessable):
    """This transaction cannot be corrected this way."""

    code = "NOT_CORRECTABLE"
    message_en = "Transaction {transaction_id} cannot be corrected: {reason}."
    message_ja = "取引 {transaction_id} は訂正できません（{reason_ja}）。"


class InvalidCursor(JvetsError):
    """The paging cursor was not issued for this query."""

    code = "INVALID_CURSOR"
    message_en = "This page is not valid for this search. Search again from the first page."
    message_ja = "ページ指定が正しくありません。最初のページから照会し直してください。"


class InvalidDateRange(JvetsError):
    """The date range is malformed or reversed."""

    code = "INVALID_DATE_RANGE"
    message_en = "Give dates as YYYY-MM-DD with from on or before to."
    message_ja = "日付は YYYY-MM-DD 形式で、開始日は終了日以前を指定してください。"


class InvalidLimit(JvetsError):
    """The page size is not a whole number in range."""

    code = "INVALID_LIMIT"
    message_en = "The limit must be a whole number from {minimum} to {maximum}."
    message_ja = "表示件数は {minimum} から {maximum} までの整数で指定してください。"


class LinkedConditionFailed(Conflict):
    """A condition that another system added to a movement's transaction failed, so
    nothing moved (see ``LinkedWrite``). The caller that added it says what it means."""

    code = "LINKED_CONDITION_FAILED"
    message_en = "Nothing moved: {labels} no longer holds."
    message_ja = "移転は行われませんでした（{labels} の条件が成立しません）。"

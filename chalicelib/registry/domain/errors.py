"""Registry failures, one class per rule that can refuse a request."""

from __future__ import annotations

from chalicelib.errors import Conflict, JvetsError, NotFound


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


class AccountNotEmpty(Conflict):
    """An account that still holds units cannot be closed."""

    code = "ACCOUNT_NOT_EMPTY"
    message_en = "Account {number} still holds {balance} t-CO2."
    message_ja = "口座 {number} にはまだ {balance} t-CO2 が残っています。"


class AccountTypeNotAllowed(JvetsError):
    """The account type does not fit the holder organisation."""

    code = "ACCOUNT_TYPE_NOT_ALLOWED"
    message_en = "An account of type {type} cannot be held by {holder_kind} organisations."
    message_ja = "口座種別 {type} は、この種類の組織（{holder_kind}）には開設できません。"


class OrganisationNotFound(NotFound):
    """No such organisation."""

    code = "ORGANISATION_NOT_FOUND"
    message_en = "Organisation {org_id} was not found."
    message_ja = "組織 {org_id} が見つかりません。"


class OrganisationExists(Conflict):
    """An organisation with this id already exists."""

    code = "ORGANISATION_EXISTS"
    message_en = "Organisation {org_id} already exists."
    message_ja = "組織 {org_id} は既に登録されています。"


class SingletonAccountExists(Conflict):
    """Only one party holding (100) and one retirement (300) account may exist."""

    code = "ACCOUNT_EXISTS"
    message_en = "An account of type {type} already exists: {number}."
    message_ja = "口座種別 {type} の口座は既に存在します（{number}）。"


class ConcurrentUpdate(Conflict):
    """Someone else changed the same record at the same moment; retry."""

    code = "CONCURRENT_UPDATE"
    message_en = "The record was changed by another request. Please retry."
    message_ja = "他の処理と競合しました。再度お試しください。"

"""Refusals of the registry's controls: four-eyes proposals and trusted receivers."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class ProposalNotFound(NotFound):
    """No such proposal (or the caller may not see proposals)."""

    code = "PROPOSAL_NOT_FOUND"
    message_en = "Proposal {proposal_id} was not found."
    message_ja = "提案 {proposal_id} が見つかりません。"


class UnknownProposalKind(Unprocessable):
    code = "UNKNOWN_PROPOSAL_KIND"
    message_en = "There is no kind of proposal named {kind!r}; known kinds: {known}."
    message_ja = "提案の種類「{kind}」はありません（使用できる種類: {known}）。"


class OwnProposal(Forbidden):
    """Four eyes: whoever proposed may neither approve nor reject."""

    code = "OWN_PROPOSAL"
    message_en = "You proposed {proposal_id} yourself: another administrator must decide it."
    message_ja = "提案 {proposal_id} はご自身の提案です。別の管理者が承認または却下してください。"


class ApprovalNeedsMfa(Forbidden):
    """Approvals are made only in a session that passed a second factor."""

    code = "APPROVAL_NEEDS_MFA"
    message_en = "Sign in with your authenticator's code to decide proposals."
    message_ja = "提案の承認・却下には多要素認証でのログインが必要です。"


class ProposalNotPending(Conflict):
    code = "PROPOSAL_NOT_PENDING"
    message_en = "Proposal {proposal_id} is already {status}; nothing was done."
    message_ja = "提案 {proposal_id} は既に{status_ja}のため、処理しませんでした。"


class ProposalExpired(Conflict):
    code = "PROPOSAL_EXPIRED"
    message_en = "Proposal {proposal_id} expired at {lapses_at}; nothing was done. Propose it again if it is still needed."
    message_ja = "提案 {proposal_id} は {lapses_at} に期限切れとなったため、処理しませんでした。必要なら再度提案してください。"


class ProposalSuperseded(Conflict):
    """What it proposes was done meanwhile by another proposal (e.g. the same correction)."""

    code = "PROPOSAL_SUPERSEDED"
    message_en = "What proposal {proposal_id} proposes was done meanwhile by another proposal; it stays pending: reject it."
    message_ja = "提案 {proposal_id} の内容は別の提案により既に実行されています。この提案は承認待ちのままです。却下してください。"


class MarketHaltedByApproval(Conflict):
    """A halt ends only by an approved proposal to resume trading."""

    code = "MARKET_HALTED"
    message_en = "Trading is halted; only an approved proposal to resume trading can end the halt."
    message_ja = "取引は停止中です。停止の解除には再開の提案の承認が必要です。"


class AlreadyTrusted(Conflict):
    code = "ALREADY_TRUSTED"
    message_en = "Account {number} is already on the trusted list of {account}."
    message_ja = "口座 {number} は既に口座 {account} の信頼済み移転先です。"


class NotTrusted(NotFound):
    code = "TRUSTED_ACCOUNT_NOT_FOUND"
    message_en = "Account {number} is not on the trusted list of {account}."
    message_ja = "口座 {number} は口座 {account} の信頼済み移転先ではありません。"


class TrustNotNeeded(Unprocessable):
    code = "TRUST_NOT_NEEDED"
    message_en = "Account {number} needs no trust: {why}."
    message_ja = "口座 {number} は信頼済み移転先への登録は不要です（{why_ja}）。"


class TrustedListFull(Unprocessable):
    code = "TRUSTED_LIST_FULL"
    message_en = "The trusted list of {account} already holds {limit} accounts; remove one first."
    message_ja = "口座 {account} の信頼済み移転先は既に {limit} 件です。先に削除してください。"


class DelayedTransferNotFound(NotFound):
    code = "DELAYED_TRANSFER_NOT_FOUND"
    message_en = "Delayed transfer {transfer_id} was not found."
    message_ja = "保留中の移転 {transfer_id} が見つかりません。"


class DelayedTransferNotPending(Conflict):
    code = "DELAYED_TRANSFER_NOT_PENDING"
    message_en = "Transfer {transfer_id} is already {status}; nothing was done."
    message_ja = "移転 {transfer_id} は既に{status_ja}のため、処理しませんでした。"


class LinkedTransferNeedsTrust(Unprocessable):
    """A transfer carrying another system's writes (a deal's settlement) cannot wait."""

    code = "RECEIVER_NOT_TRUSTED"
    message_en = "Account {number} is not a trusted receiver of {account}: a settlement cannot be delayed; add it to the trusted list first."
    message_ja = "口座 {number} は口座 {account} の信頼済み移転先ではありません。決済は保留できないため、先に信頼済み移転先に登録してください。"

"""Compliance failures, one class per rule that can refuse a request."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, JvetsError, NotFound, Unprocessable


class PhaseNotFound(NotFound):
    """No such phase, or the caller takes no part in it (both look the same)."""

    code = "PHASE_NOT_FOUND"
    message_en = "Phase {phase_id} was not found."
    message_ja = "フェーズ {phase_id} が見つかりません。"


class PhaseExists(Conflict):
    """A phase is defined once; a different definition under the same id is refused."""

    code = "PHASE_EXISTS"
    message_en = "Phase {phase_id} is already defined differently."
    message_ja = "フェーズ {phase_id} は既に別の内容で定義されています。"


class InvalidPhase(JvetsError):
    """The phase's timeline or participants break a rule of the scheme."""

    code = "INVALID_PHASE"
    message_en = "The phase is not valid: {reason}"
    message_ja = "フェーズの定義が正しくありません: {reason_ja}"


class BaseYearsNotReviewed(Unprocessable):
    """Allocation needs an accepted or determined figure for every base year of every target."""

    code = "BASE_YEARS_NOT_REVIEWED"
    message_en = "{count} base-year figures are not accepted or determined yet; nothing was issued."
    message_ja = "基準年度の排出量のうち {count} 件が未承認（受理・決定前）のため、何も発行していません。"


class NoOperatorAccount(Unprocessable):
    """A target's allowances go to its open operator holding account (type 120)."""

    code = "NO_OPERATOR_ACCOUNT"
    message_en = "{count} target participants have no open operator holding account; nothing was issued."
    message_ja = "{count} 件の目標保有参加者に開設済みの事業者保有口座がないため、何も発行していません。"


class NothingToAssign(Unprocessable):
    """The committed reduction must leave a positive assigned amount."""

    code = "NOTHING_TO_ASSIGN"
    message_en = "The committed reduction of {count} target participants is not below their base-year emissions; nothing was issued."
    message_ja = "{count} 件の目標保有参加者で削減約束量が基準年度排出量以上のため、何も発行していません。"


class TrueUpTooEarly(Unprocessable):
    """The true-up runs only after the adjustment period."""

    code = "TRUE_UP_TOO_EARLY"
    message_en = "The adjustment period of phase {phase_id} ends on {adjustment_end}; the true-up runs after it."
    message_ja = "フェーズ {phase_id} の調整期間は {adjustment_end} までです。償却確認はその後に実行できます。"


class InvalidReportFormat(JvetsError):
    """The phase report is answered as JSON or CSV."""

    code = "INVALID_FORMAT"
    message_en = "Ask for format=json or format=csv."
    message_ja = "format には json または csv を指定してください。"


class AlreadyAllocated(Conflict):
    """An allocation proposal approved after the participant's allocation was issued."""

    code = "ALREADY_ALLOCATED"
    message_en = "{org_id} already has its allocation of phase {phase_id}; nothing was issued."
    message_ja = "{org_id} はフェーズ {phase_id} の割当を既に受けています。何も発行していません。"


class AllocationChanged(Conflict):
    """The reviewed base-year figures changed between the proposal and its approval."""

    code = "ALLOCATION_CHANGED"
    message_en = "The assigned amount of {org_id} is now {assigned_t} t, not the {proposed_t} t proposed; propose it again."
    message_ja = "{org_id} の割当量は提案時の {proposed_t} t ではなく {assigned_t} t になっています。改めて提案してください。"


class NotATarget(Unprocessable):
    """Only a target participant of the phase receives an allocation."""

    code = "NOT_A_TARGET"
    message_en = "{org_id} is not a target participant of phase {phase_id}."
    message_ja = "{org_id} はフェーズ {phase_id} の目標保有参加者ではありません。"

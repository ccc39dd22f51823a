"""Emissions management failures, one class per rule that can refuse a request."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, Forbidden, JvetsError, NotFound, Unprocessable


class SiteNotFound(NotFound):
    """No such site in the organisation, or the caller may not see it."""

    code = "SITE_NOT_FOUND"
    message_en = "Site {site_id} was not found."
    message_ja = "事業所 {site_id} が見つかりません。"


class SourceNotFound(NotFound):
    """No such emission source in the organisation, or the caller may not see it."""

    code = "SOURCE_NOT_FOUND"
    message_en = "Emission source {source_id} was not found."
    message_ja = "排出源 {source_id} が見つかりません。"


class EmissionsOrganisationNotFound(NotFound):
    """The organisation asked for does not exist or is not the caller's."""

    code = "ORGANISATION_NOT_FOUND"
    message_en = "Organisation {org_id} was not found."
    message_ja = "組織 {org_id} が見つかりません。"


class OrganisationRequired(JvetsError):
    """An administrator reads another organisation's data by naming it."""

    code = "ORG_ID_REQUIRED"
    message_en = "Name the organisation to read with ?org_id=."
    message_ja = "参照する組織を ?org_id= で指定してください。"


class InvalidMonth(JvetsError):
    """A month is written YYYY-MM."""

    code = "INVALID_MONTH"
    message_en = "The month {month!r} is not a month: write it as YYYY-MM."
    message_ja = "月「{month}」が正しくありません。YYYY-MM 形式で指定してください。"


class InvalidFiscalYear(JvetsError):
    """A fiscal year is a four-digit year (April to March)."""

    code = "INVALID_FISCAL_YEAR"
    message_en = "Give the fiscal year as four digits, e.g. ?fiscal_year=2025 (April 2025 to March 2026)."
    message_ja = "年度は4桁の西暦で指定してください（例: ?fiscal_year=2025 は2025年4月〜2026年3月）。"


class InvalidQuantity(JvetsError):
    """A quantity is a decimal string: digits with at most one decimal point."""

    code = "INVALID_QUANTITY"
    message_en = ("The quantity {quantity!r} is not valid: write a non-negative decimal number as text, "
                  "at most {max_integer} digits before and {max_decimals} after the point.")
    message_ja = ("数量「{quantity}」が正しくありません。0以上の数値を文字列で、整数部 {max_integer} 桁以内、"
                  "小数部 {max_decimals} 桁以内で指定してください。")


class UnitNotAccepted(JvetsError):
    """The unit is not one the source's factor can be converted from (details name them)."""

    code = "UNIT_NOT_ACCEPTED"
    message_en = "The unit {unit!r} cannot be used for {factor_key}: use one of {accepted}."
    message_ja = "単位「{unit}」は {factor_key} には使えません。次のいずれかを指定してください: {accepted}。"


class UnknownFactor(JvetsError):
    """No emission factor has this key."""

    code = "UNKNOWN_FACTOR"
    message_en = "There is no emission factor {factor_key}."
    message_ja = "排出係数 {factor_key} は存在しません。"


class NoFactorForMonth(Unprocessable):
    """No version of the source's factor is valid in the month."""

    code = "NO_FACTOR_FOR_MONTH"
    message_en = "No version of the emission factor {factor_key} is valid in {month}."
    message_ja = "{month} に有効な排出係数 {factor_key} がありません。"


class FactorVersionOverlaps(Conflict):
    """A new version of a factor may not overlap the validity of an existing one."""

    code = "FACTOR_VERSION_OVERLAPS"
    message_en = "The new version of {factor_key} overlaps version {version} ({valid_from} to {valid_to})."
    message_ja = "{factor_key} の新しい版は既存の版 {version}（{valid_from}〜{valid_to}）と有効期間が重なります。"


class InvalidFactorVersion(JvetsError):
    """A factor version's figures or dates are not usable."""

    code = "INVALID_FACTOR_VERSION"
    message_en = "The factor version is not valid: {reason}."
    message_ja = "排出係数の版が正しくありません（{reason_ja}）。"


class SourceIncomplete(JvetsError):
    """A registered source needs every field its rules ask for (details name them)."""

    code = "SOURCE_INCOMPLETE"
    message_en = "The source cannot be registered as it is: {problems}."
    message_ja = "この排出源は登録できません（{problems}）。"


class SourceNumberTaken(Conflict):
    """Source numbers are unique within an organisation."""

    code = "SOURCE_NUMBER_TAKEN"
    message_en = "Source number {number} is already used in this organisation."
    message_ja = "排出源番号 {number} は既に使われています。"


class SourceNotRegistered(Conflict):
    """Monitoring data is kept for registered sources only (not drafts)."""

    code = "SOURCE_NOT_REGISTERED"
    message_en = "Source {source_id} is a draft: register it before entering monitoring data."
    message_ja = "排出源 {source_id} は一時保存中です。登録してからモニタリングデータを入力してください。"


class SourceRetired(Conflict):
    """A source retired from a month takes no monitoring data from that month on."""

    code = "SOURCE_RETIRED"
    message_en = "Source {source_id} is retired from {retired_from}: no data for {month}."
    message_ja = "排出源 {source_id} は {retired_from} から廃止されているため、{month} のデータは入力できません。"


class SourceInUse(Conflict):
    """A source with monitoring data cannot be deleted, nor its factor or unit family changed."""

    code = "SOURCE_IN_USE"
    message_en = "Source {source_id} has monitoring data: {what} is not possible. Retire it from a month instead."
    message_ja = "排出源 {source_id} にはモニタリングデータがあるため、{what_ja}できません。廃止月を設定してください。"


class MonitoringAfterRetirement(Conflict):
    """A source cannot be retired from a month that already has monitoring data."""

    code = "MONITORING_AFTER_RETIREMENT"
    message_en = "Source {source_id} has monitoring data for {month}, on or after {retired_from}."
    message_ja = "排出源 {source_id} には {retired_from} 以降（{month}）のモニタリングデータがあります。"


class EvidenceNotAccepted(Unprocessable):
    """The evidence must be an accepted evidence document of the same organisation."""

    code = "EVIDENCE_NOT_ACCEPTED"
    message_en = "Document {document_id} is not an accepted evidence document of this organisation."
    message_ja = "書類 {document_id} はこの組織の受領済みの証憑ではありません。"


class ConcurrentChange(Conflict):
    """Someone else changed the same records first; read again and retry."""

    code = "CONCURRENT_CHANGE"
    message_en = "The record was changed by another request. Read it again and retry."
    message_ja = "他の処理によって更新されました。再度読み込んでからやり直してください。"


class ImportRefused(Unprocessable):
    """An import is accepted whole or not at all (details list each bad row)."""

    code = "IMPORT_REFUSED"
    message_en = "The import was refused: {count} rows are not valid."
    message_ja = "取込を受け付けませんでした（不正な行が {count} 件あります）。"


class ImportStale(Conflict):
    """The sources changed while an import was written; nothing became current."""

    code = "IMPORT_STALE"
    message_en = "The emission sources changed during the import {import_id}: run it again."
    message_ja = "取込 {import_id} の実行中に排出源が変更されました。もう一度取り込んでください。"


class SheetPurposeInvalid(Unprocessable):
    """A performance sheet is announced for a fiscal year: ``performance_sheet:FY2025``."""

    code = "SHEET_PURPOSE_INVALID"
    message_en = ("The performance sheet was announced without its fiscal year: announce it with the purpose "
                  "performance_sheet:FY<year> (e.g. performance_sheet:FY2025) and upload it again.")
    message_ja = ("実績管理表の用途に年度が指定されていません。用途を performance_sheet:FY<年度>"
                  "（例: performance_sheet:FY2025）として申告し、再度アップロードしてください。")


class SheetFileUnavailable(Unprocessable):
    """The accepted sheet's object could not be found in the bucket."""

    code = "SHEET_FILE_UNAVAILABLE"
    message_en = "The uploaded sheet could not be read: upload it again."
    message_ja = "アップロードされた実績管理表を読み取れませんでした。再度アップロードしてください。"


# --- calculation reports, verification and review ------------------------------------------


class ReportNotFound(NotFound):
    """No such report, or the caller may not see it (a verifier sees only what is assigned to it)."""

    code = "REPORT_NOT_FOUND"
    message_en = "Report {report_id} was not found."
    message_ja = "報告書 {report_id} が見つかりません。"


class InvalidReportTransition(Conflict):
    """The report's status does not allow this action by this kind of user."""

    code = "INVALID_REPORT_TRANSITION"
    message_en = "The report cannot {action} while it is {status}."
    message_ja = "報告書の状態（{status}）では {action} を行えません。"


class ReportLocked(Conflict):
    """A verified, accepted or determined report is locked; only a granted cancellation reopens it."""

    code = "REPORT_LOCKED"
    message_en = "The report is {status} and locked: {action} is not possible. Request an approval cancellation instead."
    message_ja = "報告書は {status} のため確定しており、{action} はできません。承認取消を申請してください。"


class ReportChanged(Conflict):
    """Another request changed the report first; read it again."""

    code = "REPORT_CHANGED"
    message_en = "The report was changed by another request: read it again and retry."
    message_ja = "報告書が他の処理によって更新されました。再度読み込んでからやり直してください。"


class ReportIncomplete(Unprocessable):
    """A report with months missing monitoring data cannot be submitted."""

    code = "REPORT_INCOMPLETE"
    message_en = "The report lacks monitoring data for {missing} source-months: enter them and make a new draft."
    message_ja = "報告書にモニタリングデータのない月が {missing} 件あります。入力してから新しい下書きを作成してください。"


class ReasonRequired(JvetsError):
    """Returning, determining and cancellations need a reason (at most 2000 characters)."""

    code = "REASON_REQUIRED"
    message_en = "Give a reason (up to 2000 characters) to {action}."
    message_ja = "{action} には理由（2000文字以内）が必要です。"


class CancellationAlreadyRequested(Conflict):
    """An approval cancellation request is already waiting for the administrator."""

    code = "CANCELLATION_ALREADY_REQUESTED"
    message_en = "An approval cancellation request is already waiting for the administrator."
    message_ja = "承認取消の申請が既に事務局の判断を待っています。"


class NoCancellationRequested(Conflict):
    """Only a waiting approval cancellation request can be granted or refused."""

    code = "NO_CANCELLATION_REQUESTED"
    message_en = "No approval cancellation request is waiting for this report ({status})."
    message_ja = "この報告書（{status}）には判断待ちの承認取消申請がありません。"


class InvalidOpinion(Unprocessable):
    """A verification report that contradicts itself (details name each problem)."""

    code = "INVALID_OPINION"
    message_en = "The verification report is not consistent: {count} problems."
    message_ja = "検証報告の内容に不整合があります（{count} 件）。"


class OpinionNotVerified(Conflict):
    """A report the verifier did not verify cannot be accepted as it is: determine or return it."""

    code = "OPINION_NOT_VERIFIED"
    message_en = "The verifier did not verify this report: determine the emissions or return it for amends."
    message_ja = "この報告書は検証されていません。排出量を決定するか、修正のため差し戻してください。"


class NotVerificationBody(Unprocessable):
    """A verifier is assigned from an organisation of kind verification_body."""

    code = "NOT_VERIFICATION_BODY"
    message_en = "Organisation {org_id} is not a verification body."
    message_ja = "組織 {org_id} は検証機関ではありません。"


class VerificationInProgress(Conflict):
    """The verifier cannot be changed while the report is under verification."""

    code = "VERIFICATION_IN_PROGRESS"
    message_en = "The report of {org_id} for FY{fiscal_year} is under verification: the verifier cannot change now."
    message_ja = "{org_id} の {fiscal_year} 年度の報告書は検証中のため、検証機関を変更できません。"


class ReportTooLarge(Unprocessable):
    """A report's pinned figures must fit in one record."""

    code = "REPORT_TOO_LARGE"
    message_en = "The report's figures are too large to keep ({size} bytes compressed)."
    message_ja = "報告書の数値が大きすぎて保存できません（圧縮後 {size} バイト）。"


class ReportFileNotFound(NotFound):
    """No such file of the report, or the caller may not see it."""

    code = "REPORT_FILE_NOT_FOUND"
    message_en = "File {name} of report {report_id} was not found."
    message_ja = "報告書 {report_id} のファイル {name} が見つかりません。"


class CancellationPending(Conflict):
    """While an approval cancellation request waits, the administrator decides it first."""

    code = "CANCELLATION_PENDING"
    message_en = "An approval cancellation request is waiting: grant or refuse it before you {action}."
    message_ja = "承認取消の申請が判断待ちです。{action} の前に申請を許可または却下してください。"


class DeterminationNeedsEmissions(JvetsError):
    """The administrator determines the emissions in whole t-CO2: a determination without them
    is refused (a missing field, like a missing reason)."""

    code = "T_CO2_REQUIRED"
    message_en = "Give the determined emissions in whole t-CO2 to determine this report."
    message_ja = "排出量を決定するには、決定する排出量（t-CO2、整数）を入力してください。"


class UnknownReviewDecision(Unprocessable):
    """A review or cancellation decision the scheme does not know."""

    code = "UNKNOWN_DECISION"
    message_en = "Decision {decision} is not one of {allowed}."
    message_ja = "判断 {decision} は指定できません（{allowed} のいずれか）。"


class ReviewNeedsMfa(Forbidden):
    """An administrator's review decides allocation and compliance: only in a session that
    passed a second factor."""

    code = "REVIEW_NEEDS_MFA"
    message_en = "Sign in with your authenticator's code to review reports."
    message_ja = "報告書の審査には多要素認証でのログインが必要です。"

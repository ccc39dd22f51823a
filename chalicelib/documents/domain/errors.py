"""The documents system's failures."""

from __future__ import annotations

from chalicelib.core.errors import JvetsError, NotFound


class DocumentNotFound(NotFound):
    """No such document, or the caller may not see it."""

    code = "DOCUMENT_NOT_FOUND"
    message_en = "Document {document_id} was not found."
    message_ja = "書類 {document_id} は見つかりません。"


class FileTypeNotAllowed(JvetsError):
    """The content type is not one this kind of document may have."""

    code = "FILE_TYPE_NOT_ALLOWED"
    message_en = "A {kind} document must be one of: {allowed}."
    message_ja = "この種類の書類（{kind}）に使える形式は次のとおりです: {allowed}。"


class FileTooLarge(JvetsError):
    """The announced size is over the kind's limit."""

    code = "FILE_TOO_LARGE"
    message_en = "A {kind} document may be at most {limit} bytes."
    message_ja = "この種類の書類（{kind}）は {limit} バイトまでです。"


class FileNameNotAllowed(JvetsError):
    """The file name could be read as a path, or does not fit its type."""

    code = "FILE_NAME_NOT_ALLOWED"
    message_en = "The file name must end in .{extension} and may not contain path separators or control characters."
    message_ja = "ファイル名は .{extension} で終わり、パス区切りや制御文字を含まないものにしてください。"


class PurposeNotAllowed(JvetsError):
    """The purpose is not of the form ``<what>:<id>[:<id>...]``."""

    code = "PURPOSE_NOT_ALLOWED"
    message_en = "Say what the document is for as a word and up to three ids separated by colons, e.g. monitoring:S-01:2026-04."
    message_ja = "用途は英小文字の語と最大3つの識別子をコロンで区切って指定してください（例: monitoring:S-01:2026-04）。"

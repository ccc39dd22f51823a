"""Document rules: what may be announced, which keys are ours, what must arrive."""

from __future__ import annotations

import pytest

from chalicelib.documents.domain.documents import (
    JPEG,
    PDF,
    XLSX,
    Arrival,
    Document,
    DocumentKind,
    DocumentStatus,
    FileNameNotAllowed,
    FileTooLarge,
    FileTypeNotAllowed,
    arrival_problems,
    check_announcement,
    clean_filename,
    content_disposition,
    object_key,
    parse_key,
)

ID = "0123456789abcdef0123456789abcdef"


def document(**changes):
    base = dict(document_id=ID, org_id="kanto-steel", kind=DocumentKind.EVIDENCE, filename="bill.pdf",
                content_type="application/pdf", size=100, status=DocumentStatus.AWAITING_UPLOAD,
                created_at="2026-11-29T10:00:00+09:00", created_by="kanto")
    return Document(**{**base, **changes})


def arrival(**changes):
    base = dict(key=object_key("kanto-steel", ID, "application/pdf"), version_id="v1", size=100,
                content_type="application/pdf", first_bytes=b"%PDF-1.7")
    return Arrival(**{**base, **changes})


def test_keys_are_chosen_by_the_server_and_parsed_strictly():
    key = object_key("kanto-steel", ID, XLSX.content_type)
    assert key == f"uploads/kanto-steel/{ID}.xlsx"
    assert parse_key(key) == ("kanto-steel", ID)
    for bad in (f"uploads/kanto-steel/{ID}.exe", f"uploads/Kanto/{ID}.pdf", f"uploads/kanto-steel/{ID[:-1]}.pdf",
                f"uploads/kanto-steel/x/{ID}.pdf", f"uploads/../{ID}.pdf", f"other/kanto-steel/{ID}.pdf",
                f"uploads/kanto-steel/{ID}.pdf/"):
        assert parse_key(bad) is None, bad


@pytest.mark.parametrize(("kind", "content_type", "size", "error"), [
    (DocumentKind.EVIDENCE, "application/zip", 10, FileTypeNotAllowed),
    (DocumentKind.PERFORMANCE_SHEET, "application/pdf", 10, FileTypeNotAllowed),
    (DocumentKind.EVIDENCE, "application/pdf", 20 * 1024 * 1024 + 1, FileTooLarge),
    (DocumentKind.PERFORMANCE_SHEET, XLSX.content_type, 10 * 1024 * 1024 + 1, FileTooLarge),
])
def test_announcements_are_checked_against_the_kind(kind, content_type, size, error):
    with pytest.raises(error):
        check_announcement(kind, "x." + ("xlsx" if "sheet" in content_type else "pdf"), content_type, size)


def test_the_largest_allowed_file_is_accepted():
    file_type, name = check_announcement(DocumentKind.EVIDENCE, "請求書.PDF", "application/pdf", 20 * 1024 * 1024)
    assert (file_type, name) == (PDF, "請求書.PDF")


@pytest.mark.parametrize("name", ["../bill.pdf", "a\\b.pdf", "bill\n.pdf", "bill\u202e.pdf", "bill.exe", ".pdf.", "pdf", "",
                                  "x" * 197 + ".pdf"])
def test_file_names_that_could_mislead_are_refused(name):
    with pytest.raises(FileNameNotAllowed):
        clean_filename(name, PDF)


def test_file_names_are_normalised_and_jpeg_has_two_extensions():
    assert clean_filename("  ｶﾞ.pdf ", PDF) == "ｶﾞ.pdf"
    assert clean_filename("photo.jpeg", JPEG) == "photo.jpeg" and clean_filename("photo.JPG", JPEG) == "photo.JPG"
    assert clean_filename("か\u3099.pdf", PDF) == "が.pdf"  # NFC


def test_what_arrived_must_be_what_was_announced():
    assert arrival_problems(document(), arrival()) == []
    assert arrival_problems(document(), arrival(size=99)) == ["size_mismatch"]
    assert arrival_problems(document(), arrival(content_type="application/pdf; charset=binary")) == []
    assert arrival_problems(document(), arrival(content_type="text/html")) == ["content_type_mismatch"]
    assert arrival_problems(document(), arrival(first_bytes=b"MZ\x90\x00")) == ["signature_mismatch"]
    assert arrival_problems(document(size=0), arrival(size=0, first_bytes=b"")) == ["empty", "signature_mismatch"]
    big = 20 * 1024 * 1024 + 1
    assert arrival_problems(document(size=big), arrival(size=big)) == ["too_large"]
    for status in (DocumentStatus.ACCEPTED, DocumentStatus.REJECTED):
        assert arrival_problems(document(status=status), arrival()) == ["not_awaiting"]


def test_a_document_view_explains_its_reasons_in_both_languages():
    view = document(status=DocumentStatus.REJECTED, reasons=("signature_mismatch",)).view()
    (reason,) = view["reasons"]
    assert reason["code"] == "signature_mismatch" and reason["message"] and reason["message_ja"]


def test_downloads_keep_japanese_names():
    header = content_disposition('電力 "請求書".pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E9%9B%BB%E5%8A%9B%20%22%E8%AB%8B%E6%B1%82%E6%9B%B8%22.pdf" in header
    assert '"' not in header.split('filename="')[1].split('";')[0]

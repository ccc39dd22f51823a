"""Documents: a participant announces a file, uploads it to S3 with the presigned POST
the API hands out, and the document-arrival function checks what arrived.

Real parts: the app through ``chalice.test``, moto's S3 and DynamoDB behind the embedded
server, uploads as HTTP multipart POSTs to moto (as a browser sends them) and the
arrival function called with S3's own event shape, as the bucket notification calls it.
moto's S3 ignores presigned-POST conditions, so the policy the app generates is checked
separately, and the arrival check is what the tests lean on.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote_plus

import pytest
import requests

from chalicelib.documents.triggers import document_arrived
from tests.conftest import scan_registry

PDF = b"%PDF-1.7\n" + b"0" * 1000 + b"\n%%EOF\n"
PDF_SIZE = len(PDF)
XLSX = b"PK\x03\x04" + b"\x00" * 600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def tokens(api, demo):
    return {name: api.login(demo[name]) for name in ("kanto", "minato", "verifier", "admin")}


def announce(api, token, *, kind="evidence", filename="電力請求書_2026-04.pdf", content_type="application/pdf", size=PDF_SIZE):
    return api.call("POST", "/documents", {"kind": kind, "filename": filename, "content_type": content_type, "size": size},
                    token=token)


def upload(form, content: bytes, content_type: str | None = None) -> requests.Response:
    fields = dict(form["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    return requests.post(form["url"], data=fields, files={"file": ("upload.bin", content)}, timeout=30)


def s3_event(bucket: str, key: str, version_id: str | None, size: int, event_name: str = "ObjectCreated:Post") -> dict:
    """The event S3 sends to the function (keys arrive URL-encoded)."""
    record = {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "ap-northeast-1", "eventName": event_name,
              "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                     "object": {"key": quote_plus(key), "size": size, **({"versionId": version_id} if version_id else {})}}}
    return {"Records": [record]}


def latest_version(aws_client, bucket: str, key: str) -> str | None:
    versions = aws_client("s3").list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    latest = [v for v in versions if v["Key"] == key and v["IsLatest"]]
    return latest[0]["VersionId"] if latest else None


def deliver(aws_client, local_aws, key: str, size: int):
    bucket = local_aws["DOCUMENTS_BUCKET"]
    return document_arrived(s3_event(bucket, key, latest_version(aws_client, bucket, key), size), None)["outcomes"]


def versions_at(aws_client, local_aws, key: str) -> list[dict]:
    listing = aws_client("s3").list_object_versions(Bucket=local_aws["DOCUMENTS_BUCKET"], Prefix=key)
    return [v for v in listing.get("Versions", []) if v["Key"] == key]


# --- announcing -------------------------------------------------------------------------------------


def test_an_announced_document_waits_for_exactly_one_file_at_a_key_the_server_chose(api, tokens, local_aws):
    status, body = announce(api, tokens["kanto"])
    assert status == 201, body
    document, form = body["document"], body["upload"]
    assert document["status"] == "awaiting_upload"
    assert document["org_id"] == "kanto-steel" and document["created_by"] == "kanto"
    assert document["filename"] == "電力請求書_2026-04.pdf"
    assert form["fields"]["key"] == f"uploads/kanto-steel/{document['id']}.pdf"
    assert form["expires_in"] == 900
    # The policy S3 enforces: this key, this type, exactly this many bytes, 15 minutes.
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": form["fields"]["key"]} in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", len(PDF), len(PDF)] in conditions
    assert {"bucket": local_aws["DOCUMENTS_BUCKET"]} in conditions


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"content_type": "application/zip"}, "FILE_TYPE_NOT_ALLOWED", "content_type"),
    ({"kind": "performance_sheet"}, "FILE_TYPE_NOT_ALLOWED", "content_type"),  # a sheet is .xlsx only
    ({"size": 20 * 1024 * 1024 + 1}, "FILE_TOO_LARGE", "size"),
    ({"filename": "../../etc/passwd.pdf"}, "FILE_NAME_NOT_ALLOWED", "filename"),
    ({"filename": "請求書.exe"}, "FILE_NAME_NOT_ALLOWED", "filename"),
    ({"filename": "bill\x00.pdf"}, "FILE_NAME_NOT_ALLOWED", "filename"),
    ({"kind": "payslip"}, "VALIDATION_ERROR", None),
    ({"size": 0}, "VALIDATION_ERROR", None),
    ({"size": "12"}, "VALIDATION_ERROR", None),
])
def test_an_announcement_that_breaks_a_rule_is_refused_and_writes_nothing(api, tokens, local_aws, change, code, field):
    before = scan_registry(local_aws)
    body = {"kind": "evidence", "filename": "bill.pdf", "content_type": "application/pdf", "size": 100, **change}
    status, answer = api.call("POST", "/documents", body, token=tokens["kanto"])
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert answer["error"]["message_ja"]
    if field:
        assert answer["error"]["field"] == field
    assert scan_registry(local_aws) == before


@pytest.mark.parametrize("caller", ["verifier", "admin"])
def test_only_participants_announce_documents(api, tokens, caller):
    status, answer = announce(api, tokens[caller])
    assert (status, answer["error"]["code"]) == (403, "FORBIDDEN")


# --- arrival ---------------------------------------------------------------------------------------


def test_the_announced_file_is_accepted_and_only_its_organisation_and_administrators_see_it(api, tokens, aws_client, local_aws):
    document, form = announce(api, tokens["kanto"])[1].values()
    assert upload(form, PDF).status_code == 204
    (outcome,) = deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    assert outcome["outcome"] == "accepted"

    status, seen = api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])
    assert status == 200
    assert seen["status"] == "accepted" and seen["received_at"] and seen["reasons"] == []
    downloaded = requests.get(seen["download"]["url"], timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert "filename*=UTF-8''%E9%9B%BB%E5%8A%9B" in downloaded.headers["Content-Disposition"]

    assert api.call("GET", f"/documents/{document['id']}", token=tokens["admin"])[0] == 200
    for other in ("minato", "verifier"):
        status, answer = api.call("GET", f"/documents/{document['id']}", token=tokens[other])
        assert (status, answer["error"]["code"]) == (404, "DOCUMENT_NOT_FOUND")

    # The same event delivered again (S3 delivers at least once) changes nothing.
    (again,) = deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    assert again["outcome"] == "accepted"
    assert len(versions_at(aws_client, local_aws, form["fields"]["key"])) == 1


def test_a_second_upload_with_the_same_form_is_deleted_and_the_accepted_file_stays(api, tokens, aws_client, local_aws):
    document, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, PDF)
    deliver(aws_client, local_aws, key, len(PDF))
    accepted_version = latest_version(aws_client, local_aws["DOCUMENTS_BUCKET"], key)

    forged = b"%PDF-1.7\n" + b"1" * (len(PDF) - 9)  # same size and type, other contents
    upload(form, forged)  # the presigned POST can be replayed until it expires
    (outcome,) = deliver(aws_client, local_aws, key, len(forged))
    assert (outcome["outcome"], outcome["reasons"]) == ("deleted", ["not_awaiting"])
    assert [v["VersionId"] for v in versions_at(aws_client, local_aws, key)] == [accepted_version]
    seen = api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])[1]
    assert requests.get(seen["download"]["url"], timeout=30).content == PDF


@pytest.mark.parametrize(("content", "content_type", "reasons"), [
    (b"MZ" + b"\x90" * (len(PDF) - 2), None, ["signature_mismatch"]),        # an executable named .pdf
    (PDF[:-10], None, ["size_mismatch"]),                                     # not what was announced
    (PDF, "text/html", ["content_type_mismatch"]),                            # served back as HTML? never
])
def test_a_file_that_is_not_what_was_announced_is_deleted_and_the_reason_kept(
        api, tokens, aws_client, local_aws, content, content_type, reasons):
    document, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, content, content_type)  # moto does not enforce the policy; S3 would refuse some of these
    (outcome,) = deliver(aws_client, local_aws, key, len(content))
    assert (outcome["outcome"], outcome["reasons"]) == ("rejected", reasons)
    assert versions_at(aws_client, local_aws, key) == []
    status, seen = api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])
    assert seen["status"] == "rejected" and seen["download"] is None
    assert [r["code"] for r in seen["reasons"]] == reasons
    assert all(r["message_ja"] for r in seen["reasons"])


def test_an_object_no_document_waits_for_is_deleted(aws_client, local_aws):
    bucket = local_aws["DOCUMENTS_BUCKET"]
    s3 = aws_client("s3")
    for key in ("uploads/kanto-steel/" + "0" * 32 + ".pdf", "uploads/kanto-steel/evil.pdf", "uploads/x/../y.pdf"):
        s3.put_object(Bucket=bucket, Key=key, Body=PDF, ContentType="application/pdf")
        (outcome,) = deliver(aws_client, local_aws, key, len(PDF))
        assert (outcome["outcome"], outcome["reasons"]) == ("deleted", ["unexpected"])
        assert versions_at(aws_client, local_aws, key) == []


def test_an_upload_into_another_organisations_folder_is_deleted(api, tokens, aws_client, local_aws):
    """A key naming Minato's folder with Kanto's document id is not Kanto's document."""
    document, form = announce(api, tokens["kanto"])[1].values()
    key = f"uploads/minato-foods/{document['id']}.pdf"
    aws_client("s3").put_object(Bucket=local_aws["DOCUMENTS_BUCKET"], Key=key, Body=PDF, ContentType="application/pdf")
    (outcome,) = deliver(aws_client, local_aws, key, len(PDF))
    assert outcome["outcome"] == "deleted"
    assert api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])[1]["status"] == "awaiting_upload"


def test_events_the_function_does_not_handle_are_ignored(local_aws):
    event = s3_event(local_aws["DOCUMENTS_BUCKET"], "uploads/kanto-steel/" + "a" * 32 + ".pdf", None, 1,
                     event_name="ObjectRemoved:Delete")
    assert document_arrived(event, None)["outcomes"][0]["outcome"] == "ignored"
    event = s3_event(local_aws["DOCUMENTS_BUCKET"], "portal/index.html", None, 1)
    assert document_arrived(event, None)["outcomes"][0]["outcome"] == "ignored"


def test_a_performance_sheet_must_be_a_workbook(api, tokens, aws_client, local_aws):
    status, body = announce(api, tokens["minato"], kind="performance_sheet", filename="実績管理表_2026.xlsx",
                            content_type=XLSX_TYPE, size=len(XLSX))
    assert status == 201, body
    upload(body["upload"], XLSX)
    (outcome,) = deliver(aws_client, local_aws, body["upload"]["fields"]["key"], len(XLSX))
    assert outcome["outcome"] == "accepted"


@pytest.mark.parametrize("document_id", ["0" * 32, "not-an-id", "A" * 32])
def test_unknown_or_malformed_document_ids_are_not_found(api, tokens, document_id):
    status, answer = api.call("GET", f"/documents/{document_id}", token=tokens["kanto"])
    assert (status, answer["error"]["code"]) == (404, "DOCUMENT_NOT_FOUND")


# --- failures: S3 delivers at least once and Lambda retries a failed invocation -------------------


class _Failing:
    """botocore hook: answer ``times`` attempts of one operation with a 500."""

    def __init__(self, times: int, body: bytes, content_type: str) -> None:
        self.times, self.body, self.content_type, self.fired = times, body, content_type, 0

    def __call__(self, request, **kwargs):
        from botocore.awsrequest import AWSResponse

        if self.fired >= self.times:
            return None
        self.fired += 1
        body = self.body

        class Raw:
            def stream(self, **_):
                yield body

        return AWSResponse(request.url, 500, {"Content-Type": self.content_type}, Raw())


def test_a_failed_delete_is_finished_when_the_event_is_delivered_again(api, tokens, aws_client, local_aws):
    from chalicelib import container
    from chalicelib.core.errors import ServiceUnavailable

    document, form = announce(api, tokens["kanto"])[1].values()
    key = form["fields"]["key"]
    upload(form, b"MZ" + b"\x90" * (len(PDF) - 2))
    # Every attempt fails (botocore retries some of them).
    failing = _Failing(100, b"<Error><Code>InternalError</Code><Message>injected</Message></Error>", "application/xml")
    events = container.s3_client().meta.events
    events.register("before-send.s3.DeleteObject", failing)
    try:
        with pytest.raises(ServiceUnavailable):  # the invocation fails: Lambda retries it
            deliver(aws_client, local_aws, key, len(PDF))
    finally:
        events.unregister("before-send.s3.DeleteObject", failing)
    assert failing.fired >= 3
    assert api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])[1]["status"] == "rejected"
    assert len(versions_at(aws_client, local_aws, key)) == 1  # refused, but still there

    (outcome,) = deliver(aws_client, local_aws, key, len(PDF))  # the retry
    assert outcome["outcome"] == "deleted"
    assert versions_at(aws_client, local_aws, key) == []


def test_a_failed_settle_leaves_the_document_waiting_until_the_retry_accepts_it(api, tokens, aws_client, local_aws):
    from chalicelib.core.errors import ServiceUnavailable
    from devtools.dynamo_hooks import registry_clients

    document, form = announce(api, tokens["kanto"])[1].values()
    upload(form, PDF)
    failing = _Failing(100, json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                      "message": "injected"}).encode(), "application/x-amz-json-1.0")
    clients = registry_clients()
    for client in clients:
        client.meta.events.register("before-send.dynamodb.UpdateItem", failing)
    try:
        with pytest.raises(ServiceUnavailable):
            deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    finally:
        for client in clients:
            client.meta.events.unregister("before-send.dynamodb.UpdateItem", failing)
    assert api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])[1]["status"] == "awaiting_upload"
    (outcome,) = deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    assert outcome["outcome"] == "accepted"


# --- what other systems hear -----------------------------------------------------------------------


@pytest.fixture
def heard():
    """A subscriber as another system declares one in its own package."""
    from chalicelib.core import events
    from chalicelib.documents.domain.events import DocumentAccepted

    received: list[DocumentAccepted] = []

    def listener(event: DocumentAccepted) -> None:
        received.append(event)

    events.subscribe(DocumentAccepted)(listener)
    yield received
    events.bus.unsubscribe(DocumentAccepted, listener)


def test_an_accepted_document_is_published_with_what_it_was_announced_for(api, tokens, aws_client, local_aws, heard):
    status, body = api.call("POST", "/documents", {"kind": "performance_sheet", "filename": "実績管理表_2026.xlsx",
                                                   "content_type": XLSX_TYPE, "size": len(XLSX),
                                                   "purpose": "performance_sheet:FY2026"}, token=tokens["kanto"])
    assert status == 201, body
    document, form = body["document"], body["upload"]
    assert document["purpose"] == "performance_sheet:FY2026"
    upload(form, XLSX)
    (outcome,) = deliver(aws_client, local_aws, form["fields"]["key"], len(XLSX))
    assert outcome["outcome"] == "accepted" and "accepted_document" not in outcome
    (event,) = heard
    assert (event.document_id, event.org_id, event.kind, event.key, event.purpose) == (
        document["id"], "kanto-steel", "performance_sheet", form["fields"]["key"], "performance_sheet:FY2026")
    assert event.version_id == latest_version(aws_client, local_aws["DOCUMENTS_BUCKET"], form["fields"]["key"])
    # S3 delivers at least once: the same event again publishes again (subscribers are idempotent).
    deliver(aws_client, local_aws, form["fields"]["key"], len(XLSX))
    assert [e.document_id for e in heard] == [document["id"]] * 2


def test_a_refused_upload_is_not_published(api, tokens, aws_client, local_aws, heard):
    document, form = announce(api, tokens["kanto"])[1].values()
    upload(form, b"MZ" + b"\x90" * (len(PDF) - 2))
    (outcome,) = deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    assert outcome["outcome"] == "rejected" and heard == []


def test_a_failing_subscriber_fails_the_invocation_so_that_s3_delivers_again(api, tokens, aws_client, local_aws, heard):
    from chalicelib.core import events
    from chalicelib.documents.domain.events import DocumentAccepted

    def broken(event: DocumentAccepted) -> None:
        raise RuntimeError("parser down")

    events.subscribe(DocumentAccepted)(broken)
    try:
        document, form = announce(api, tokens["kanto"])[1].values()
        upload(form, PDF)
        with pytest.raises(events.SubscriberFailed):
            deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))
    finally:
        events.bus.unsubscribe(DocumentAccepted, broken)
    assert [e.document_id for e in heard] == [document["id"]]  # the other subscriber still heard it
    assert api.call("GET", f"/documents/{document['id']}", token=tokens["kanto"])[1]["status"] == "accepted"
    deliver(aws_client, local_aws, form["fields"]["key"], len(PDF))  # the retry
    assert [e.document_id for e in heard] == [document["id"]] * 2


@pytest.mark.parametrize("purpose", ["../etc", "Monitoring:S-01", "monitoring:a:b:c:d", "monitoring:" + "x" * 65])
def test_a_purpose_must_be_a_word_and_ids(api, tokens, purpose):
    status, body = api.call("POST", "/documents", {"kind": "evidence", "filename": "a.pdf", "content_type": "application/pdf",
                                                   "size": 100, "purpose": purpose}, token=tokens["kanto"])
    assert (status, body["error"]["code"], body["error"]["field"]) == (400, "PURPOSE_NOT_ALLOWED", "purpose")

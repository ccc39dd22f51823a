"""Abuse: oversized and deeply nested bodies, bad bytes, huge arrays, header injection,
path traversal, and markup in every free-text field. Each gets a 4xx with a code or is
stored and returned as inert text; nothing reaches a 5xx."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import admin, executed, scan_registry, trusted

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;"\'`'


@pytest.fixture(scope="module")
def world(api, demo):
    kanto = demo["kanto"]["accounts"][0]
    admin("set_market", {"action": "force_open", "reason": "abuse"})
    executed("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 50, "reason": "abuse"})
    return {"kanto": kanto, "minato": demo["minato"]["accounts"][0], "token": api.login(demo["kanto"])}


def _transfer(world, **override):
    return {"from_account": world["kanto"], "to_account": world["minato"], "lines": [{"unit_type": "JPA", "amount": 1}], **override}


BODIES = {
    "one mebibyte": (json.dumps({"pad": "x" * 1_048_576}).encode(), "BODY_TOO_LARGE"),
    "100k nested arrays": (b"[" * 100_000 + b"]" * 100_000, "BODY_TOO_LARGE"),
    "30k nested arrays within the limit": (b"[" * 30_000 + b"]" * 30_000, "MALFORMED_JSON"),
    "nested objects within the limit": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "MALFORMED_JSON"),
    "latin-1 bytes": ("{\"from_account\": \"é\"}".encode("latin-1"), "MALFORMED_JSON"),
    "lone surrogate escape": (b'{"from_account": "\\ud800"}', "VALIDATION_ERROR"),
    "NUL bytes": (b"\x00" * 100, "MALFORMED_JSON"),
    "10,000 lines": (json.dumps({"from_account": "x", "to_account": "y", "lines": [{"unit_type": "JPA", "amount": 1}] * 10_000}).encode(),
                     "BODY_TOO_LARGE"),
    "10,000 compact lines": (json.dumps({"from_account": "x", "to_account": "y", "lines": [1] * 10_000}).encode(), "VALIDATION_ERROR"),
    "huge integer": (b'{"from_account": "x", "to_account": "y", "lines": [{"unit_type": "JPA", "amount": ' + b"9" * 5000 + b"}]}", "MALFORMED_JSON"),
    "NaN amount": (b'{"from_account": "x", "to_account": "y", "lines": [{"unit_type": "JPA", "amount": NaN}]}', "VALIDATION_ERROR"),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_hostile_bodies_get_a_400_with_a_code_and_write_nothing(api, world, local_aws, name):
    raw, code = BODIES[name]
    before = scan_registry(local_aws)
    status, answer = api.call("POST", "/transfers", raw=raw, token=world["token"], headers={"Idempotency-Key": f"abuse-{uuid.uuid4()}"})
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert len(answer["error"].get("details") or []) <= 20
    assert scan_registry(local_aws) == before


@pytest.mark.parametrize("key", ["abc\r\nX-Injected: yes-123", "key\nSet-Cookie: a=b", "a" * 129, "ключ-ключ-ключ", "key;rm -rf /",
                                 "../../../etc/passwd"])
def test_idempotency_keys_outside_the_safe_alphabet_are_refused(api, world, key):
    status, answer = api.call("POST", "/transfers", _transfer(world), token=world["token"], headers={"Idempotency-Key": key})
    assert (status, answer["error"]["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/transactions/..%2F..%2Fetc%2Fpasswd", 404, "TRANSACTION_NOT_FOUND"),
        ("/transactions/TX%00", 404, "TRANSACTION_NOT_FOUND"),
        ("/transactions/" + "A" * 120, 404, "TRANSACTION_NOT_FOUND"),
        ("/accounts/..%2F..%2Fetc/balance", 400, "INVALID_ACCOUNT_NUMBER"),
        ("/accounts/JP-120-1-0-56%00/balance", 400, "INVALID_ACCOUNT_NUMBER"),
        ("/accounts/%3Cscript%3E/transactions", 400, "INVALID_ACCOUNT_NUMBER"),
    ],
)
def test_traversal_and_odd_ids_in_paths_are_refused_with_a_code(api, world, path, status, code):
    got, answer = api.call("GET", path, token=world["token"])
    assert (got, answer["error"]["code"]) == (status, code)
    assert "<script>" not in json.dumps(answer)


def test_markup_in_every_free_text_field_is_stored_and_returned_as_inert_text(api, demo, world):
    org = admin("create_organisation", {"org_id": "markup-co", "name": MARKUP, "name_ja": MARKUP + "株式会社", "kind": "trading"})
    assert org["name"] == MARKUP
    account = admin("open_account", {"org_id": "markup-co", "type": 121})["number"]
    admin("create_user", {"username": "markup", "email": "m@example.jp", "org_id": "markup-co", "role": "participant",
                          "password": "Markup-Pass-2026!"})
    issued = executed("issue_units", {"account": account, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 5,
                                   "reason": MARKUP})
    assert issued["transaction"]["reason"] == MARKUP
    executed("set_market", {"action": "halt", "reason": MARKUP})
    try:
        response = api.client.http.get("/market")
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.body)["reason"] == MARKUP
    finally:
        executed("set_market", {"action": "resume"})  # only an approved resume ends a halt
        admin("set_market", {"action": "force_open", "reason": "abuse"})
    token = api.login({"username": "markup", "password": "Markup-Pass-2026!"})
    _, me = api.call("GET", "/me", token=token)
    assert (me["org_name"], me["org_name_ja"]) == (MARKUP, MARKUP + "株式会社")
    trusted(account, world["kanto"], "markup-co", "markup")
    body = {"from_account": account, "to_account": world["kanto"], "lines": [{"unit_type": "JPA", "amount": 2}]}
    status, sent = api.call("POST", "/transfers", body, token=token, headers={"Idempotency-Key": f"markup-{uuid.uuid4()}"})
    assert status == 201 and sent["transaction"]["from_name"] == MARKUP, sent
    _, history = api.call("GET", f"/accounts/{world['kanto']}/transactions", token=world["token"])
    assert MARKUP in [row["from_name"] for row in history["items"]]
    corrected = executed("correct_transaction", {"transaction_id": sent["transaction"]["id"], "reason": MARKUP})
    assert corrected["transaction"]["reason"] == MARKUP


def test_the_audit_is_clean_after_the_abuse(world):
    result = admin("audit_ledger", {})
    assert result["ok"], result["problems"]

"""Bad input gets a 4xx with a code and writes nothing; the OpenAPI document covers
every route."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from tests.conftest import scan_registry

LOGIN = "/auth/login"


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b"{", "application/json", 400, "MALFORMED_JSON"),
        (b"\xff\xfe\xfd", "application/json", 400, "MALFORMED_JSON"),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400, "MALFORMED_JSON"),
        (b"[" * 50 + b"]" * 50, "application/json", 400, "VALIDATION_ERROR"),
        (json.dumps({"username": "kanto", "password": "x" * 70_000}).encode(), "application/json", 400, "BODY_TOO_LARGE"),
        (b'{"username": "kanto", "password": "p", "admin": true}', "application/json", 400, "VALIDATION_ERROR"),
        (b'{"username": 1, "password": "p"}', "application/json", 400, "VALIDATION_ERROR"),
        (b'{"username": "kanto"}', "application/json", 400, "VALIDATION_ERROR"),
        (b"[]", "application/json", 400, "VALIDATION_ERROR"),
        (b"", "application/json", 400, "VALIDATION_ERROR"),
        (b'{"username": "kanto", "password": "p"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
def test_bad_bodies_get_a_4xx_with_a_code_and_write_nothing(api, demo, local_aws, raw, content_type, status, code):
    before = scan_registry(local_aws)
    got_status, body = api.call("POST", LOGIN, raw=raw, headers={"Content-Type": content_type})
    assert (got_status, body["error"]["code"]) == (status, code)
    assert set(body["error"]) >= {"code", "message", "message_ja"}
    assert scan_registry(local_aws) == before


def test_a_validation_error_names_the_field(api, demo):
    _, body = api.call("POST", LOGIN, {"username": "kanto", "password": "p", "role": "admin"})
    assert body["error"]["field"] == "role"


def test_a_wrong_method_gets_405_in_the_error_shape(api, demo):
    status, body = api.call("DELETE", "/health")
    assert (status, body["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_responses_carry_a_correlation_id(api, demo):
    response = api.client.http.get("/health", headers={"X-Correlation-Id": "abc-123"})
    assert response.headers["X-Correlation-Id"] == "abc-123"


def test_the_openapi_document_is_valid_openapi_3_1(api):
    status, document = api.call("GET", "/openapi.json")
    assert status == 200
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_of_the_app_is_in_the_openapi_document_and_nothing_else(api):
    from app import app

    _, document = api.call("GET", "/openapi.json")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routed = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == routed


def test_protected_routes_declare_the_token_and_public_ones_do_not(api):
    _, document = api.call("GET", "/openapi.json")
    public = {("/auth/login", "post"), ("/auth/refresh", "post"), ("/auth/new-password", "post"),
              ("/auth/mfa", "post"), ("/auth/mfa/setup", "post"), ("/health", "get"), ("/openapi.json", "get"), ("/market", "get")}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert ("security" in operation) == ((path, method) not in public), (path, method)


def test_request_models_in_the_document_forbid_unknown_fields(api):
    _, document = api.call("GET", "/openapi.json")
    assert document["components"]["schemas"]["LoginRequest"]["additionalProperties"] is False

"""Request bodies: size limit, JSON, strict pydantic validation."""

from __future__ import annotations

import json

import pytest

from chalicelib.core.errors import BodyTooLarge, MalformedJson, ValidationFailed
from chalicelib.core.http.requests import MAX_BODY_BYTES, parse_body
from chalicelib.identity.schemas import LoginRequest


def test_a_valid_body_is_parsed():
    body = parse_body(b'{"username":"kanto","password":"pw"}', LoginRequest)
    assert body.username == "kanto"


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"\xff\xfe\x00", b'{"username": "a", "password": "b"', b"[" * 100_000 + b"]" * 100_000],
)
def test_malformed_bodies_are_refused_as_malformed_json(raw):
    if len(raw) > MAX_BODY_BYTES:
        with pytest.raises(BodyTooLarge):
            parse_body(raw, LoginRequest)
        return
    with pytest.raises(MalformedJson):
        parse_body(raw, LoginRequest)


def test_deeply_nested_json_within_the_size_limit_is_refused_not_crashed():
    raw = b"[" * 30_000 + b"]" * 30_000
    with pytest.raises((MalformedJson, ValidationFailed)):
        parse_body(raw, LoginRequest)


def test_bodies_over_64_kib_are_refused():
    raw = json.dumps({"username": "a", "password": "x" * MAX_BODY_BYTES}).encode()
    with pytest.raises(BodyTooLarge) as refused:
        parse_body(raw, LoginRequest)
    assert refused.value.code == "BODY_TOO_LARGE"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "kanto"}, "password"),
        ({"username": "kanto", "password": "pw", "role": "admin"}, "role"),
        ({"username": 5, "password": "pw"}, "username"),
        ({"username": "kanto", "password": ["pw"]}, "password"),
        ({"username": "ka nto", "password": "pw"}, "username"),
        ({"username": "", "password": "pw"}, "username"),
    ],
)
def test_wrong_types_missing_and_unknown_fields_name_the_field(data, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_body(json.dumps(data).encode(), LoginRequest)
    assert refused.value.field == field
    assert refused.value.to_dict()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("raw", [b"", b"null", b"[]", b'"text"', b"42"])
def test_a_body_that_is_not_an_object_is_a_validation_error(raw):
    with pytest.raises(ValidationFailed):
        parse_body(raw, LoginRequest)

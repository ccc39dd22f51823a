"""Logs are JSON with a correlation id and never carry passwords or tokens."""

from __future__ import annotations

import io
import json
import logging

from chalicelib.core.observability import logger


def test_requests_log_json_lines_with_correlation_id_and_no_secrets(api, demo):
    kanto = demo["kanto"]
    buffer = io.StringIO()
    handler = logger.registered_handler
    previous_stream, previous_level = handler.setStream(buffer), logger.log_level
    logger.setLevel(logging.INFO)
    try:
        response = api.client.http.post(
            "/auth/login",
            headers={"Content-Type": "application/json", "X-Correlation-Id": "corr-42"},
            body=json.dumps({"username": "kanto", "password": kanto["password"]}).encode(),
        )
        token = json.loads(response.body)["id_token"]
        api.call("GET", "/me", token=token)
        api.call("GET", "/me", token=token[:-4] + "AAAA")
    finally:
        handler.setStream(previous_stream)
        logger.setLevel(previous_level)
    output = buffer.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    requests = [line for line in lines if line.get("message") == "request"]
    assert [r["route"] for r in requests] == ["/auth/login", "/me"]
    assert requests[0]["correlation_id"] == "corr-42" and requests[0]["status"] == 200
    assert requests[1]["username"] == "kanto" and requests[1]["correlation_id"] != "corr-42"
    assert any(line.get("message") == "token refused" and line["reason"] == "bad signature" for line in lines)
    assert kanto["password"] not in output
    assert token[:40] not in output and token[-40:] not in output

"""DynamoDB failures injected through botocore at each call of a transfer, a retirement
and a correction: throttling, TransactionConflict, InternalServerError, a timeout
before the request is sent and a timeout after the write was applied.

For each: the caller gets either the completed result or a 503 with Retry-After and a
code; a retry with the same Idempotency-Key ends in exactly one movement; the audit
stays clean.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from devtools.approvals import approve
from devtools.dynamo_hooks import registry_clients
from tests.conftest import admin, executed

PREFIX = "com.amazonaws.dynamodb.v20120810#"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def _error(request, status: int, kind: str, message: str, **extra) -> AWSResponse:
    body = json.dumps({"__type": PREFIX + kind, "message": message, **extra}).encode()
    return AWSResponse(request.url, status, {"x-amzn-RequestId": "injected", "Content-Type": "application/x-amz-json-1.0"}, _Raw(body))


@dataclass
class Fault:
    operation: str  # DynamoDB operation name
    occurrence: int  # which call of that operation (1-based) in the use case
    kind: str  # throttle | internal | conflict | timeout_before | timeout_after
    times: int  # how many consecutive attempts fail (botocore retries up to 3 attempts)
    seen: Counter = field(default_factory=Counter)
    fired: int = 0

    def _target(self, operation: str) -> bool:
        return operation == self.operation and self.seen[operation] == self.occurrence and self.fired < self.times

    def before_send(self, request, event_name, **kwargs):
        operation = event_name.rsplit(".", 1)[-1]
        if request.context.get("retries", {}).get("attempt", 1) == 1:
            self.seen[operation] += 1
        if not self._target(operation) or self.kind == "timeout_after":
            return None
        self.fired += 1
        if self.kind == "throttle":
            return _error(request, 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
        if self.kind == "internal":
            return _error(request, 500, "InternalServerError", "Internal server error")
        if self.kind == "conflict":
            items = json.loads(request.body)["TransactItems"] if request.body else []
            reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] + [{"Code": "None"}] * (len(items) - 1)
            return _error(request, 400, "TransactionCanceledException", "Transaction cancelled [TransactionConflict]", CancellationReasons=reasons)
        raise ReadTimeoutError(endpoint_url=request.url)

    def after_call(self, model, **kwargs):
        if self.kind == "timeout_after" and self._target(model.name):
            self.fired += 1
            raise ReadTimeoutError(endpoint_url="after the write")


@pytest.fixture
def inject():
    armed: list[tuple[object, Fault]] = []

    def arm(fault: Fault) -> Fault:
        for client in registry_clients():
            client.meta.events.register("before-send.dynamodb", fault.before_send)
            client.meta.events.register("after-call.dynamodb", fault.after_call)
            armed.append((client, fault))
        return fault

    yield arm
    for client, fault in armed:
        client.meta.events.unregister("before-send.dynamodb", fault.before_send)
        client.meta.events.unregister("after-call.dynamodb", fault.after_call)


@pytest.fixture(scope="module")
def world(api, demo):
    kanto, minato = demo["kanto"]["accounts"][0], demo["minato"]["accounts"][0]
    admin("set_market", {"action": "force_open", "reason": "faults"})
    executed("issue_units", {"account": kanto,
             "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 100_000, "reason": "faults"})
    return {"kanto": kanto, "minato": minato, "token": api.login(demo["kanto"])}


CALLS = {
    # sender and receiver (one BatchGetItem), the sender's blocks as far as needed, the write
    "transfer": [("BatchGetItem", 1), ("Query", 1), ("TransactWriteItems", 1)],
    "retirement": [("BatchGetItem", 1), ("Query", 1), ("TransactWriteItems", 1)],
    # the original, the holder, the target, the blocks it moved (by key), the write
    "correction": [("GetItem", 1), ("GetItem", 2), ("GetItem", 3), ("BatchGetItem", 1), ("TransactWriteItems", 1)],
}
KINDS = [("throttle", 1), ("throttle", 99), ("internal", 1), ("internal", 99), ("conflict", 1), ("conflict", 99),
         ("timeout_before", 1), ("timeout_before", 99), ("timeout_after", 1)]
CASES = [(use_case, op, n, kind, times) for use_case, calls in CALLS.items() for op, n in calls for kind, times in KINDS
         if kind != "conflict" or op == "TransactWriteItems"]


def _proposal(proposal_id):
    from chalicelib import container

    return container.proposals().get(proposal_id)


def _balance(api, world):
    _, body = api.call("GET", f"/accounts/{world['kanto']}/balance", token=world["token"])
    return body["balance"]


def _rows_of(api, world, transaction_id):
    _, history = api.call("GET", f"/accounts/{world['kanto']}/transactions?limit=200", token=world["token"])
    count = sum(1 for row in history["items"] if row["id"] == transaction_id)
    while history["next_cursor"]:
        _, history = api.call("GET", f"/accounts/{world['kanto']}/transactions?limit=200&cursor={history['next_cursor']}", token=world["token"])
        count += sum(1 for row in history["items"] if row["id"] == transaction_id)
    return count


@pytest.mark.parametrize(("use_case", "operation", "occurrence", "kind", "times"), CASES,
                         ids=[f"{c[0]}-{c[1]}#{c[2]}-{c[3]}x{c[4]}" for c in CASES])
def test_a_fault_ends_in_exactly_one_movement(api, world, inject, use_case, operation, occurrence, kind, times):
    key = f"fault-{uuid.uuid4()}"
    if use_case == "correction":
        body = {"from_account": world["kanto"], "to_account": world["minato"], "lines": [{"unit_type": "JPA", "amount": 2}]}
        sent = api.call("POST", "/transfers", body, token=world["token"], headers={"Idempotency-Key": key})[1]["transaction"]
        before = _balance(api, world)
        proposal = admin("correct_transaction", {"transaction_id": sent["id"], "reason": "fault test"})["proposal"]
        fault = inject(Fault(operation, occurrence, kind, times))
        first = approve(proposal["id"])  # the approval is what executes it
        fault.times = 0
        if "error" in first:
            # Refused with a retryable code, or the write landed before the failure and
            # the approval is already recorded: never anything else.
            assert first["error"]["code"] in {"SERVICE_UNAVAILABLE", "CONCURRENT_UPDATE", "PROPOSAL_NOT_PENDING"}, first
        retried = approve(proposal["id"])
        if "error" in first and "error" not in retried:
            transaction_id = retried["result"]["transaction"]["id"]
        else:
            assert retried["error"]["code"] == "PROPOSAL_NOT_PENDING", retried  # executed once
            transaction_id = _proposal(proposal["id"])["transaction_id"]
            if "error" not in first:
                assert first["result"]["transaction"]["id"] == transaction_id
        assert _balance(api, world) == before + 2
    else:
        path = "/transfers" if use_case == "transfer" else "/retirements"
        body = ({"from_account": world["kanto"], "to_account": world["minato"], "lines": [{"unit_type": "JPA", "amount": 3}]}
                if use_case == "transfer" else {"account": world["kanto"], "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 3}]})
        before = _balance(api, world)
        fault = inject(Fault(operation, occurrence, kind, times))
        response = api.client.http.post(path, headers={"Content-Type": "application/json", "Authorization": f"Bearer {world['token']}",
                                                       "Idempotency-Key": key}, body=json.dumps(body).encode())
        fault.times = 0
        answer = json.loads(response.body)
        assert response.status_code in (201, 503), answer
        if response.status_code == 503:
            assert response.headers["Retry-After"]
            assert answer["error"]["code"] in {"SERVICE_UNAVAILABLE", "CONCURRENT_UPDATE"}
        status, retried = api.call("POST", path, body, token=world["token"], headers={"Idempotency-Key": key})
        assert status == 201, retried
        transaction_id = retried["transaction"]["id"]
        if response.status_code == 201:
            assert answer["transaction"]["id"] == transaction_id
        assert _balance(api, world) == before - 3
    assert fault.fired >= 1, "the fault never fired: the case tests nothing"
    assert _rows_of(api, world, transaction_id) == 1


def test_the_audit_is_clean_after_every_fault(world):
    result = admin("audit_ledger", {})
    assert result["ok"], result["problems"]

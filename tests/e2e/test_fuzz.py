"""Schemathesis against the running local stack's own OpenAPI document.

Every operation, authenticated as a participant, with a bounded number of generated
requests (valid and invalid). No 5xx; every status, content type and body conforms to
the document; the ledger's audit is clean afterwards.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

import app  # noqa: F401 - registers the routes
from chalicelib.core.http.operations import OPERATIONS
from devtools.running import RunningStack

pytestmark = pytest.mark.e2e
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Status codes seen per operation (printed, and proof that requests were made).
SEEN: dict[str, Counter] = {}


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("fuzz")).start()
    running.admin("set_market", {"action": "force_open", "reason": "fuzzing"})
    running.token = running.login("kanto")
    yield running
    audit = running.admin("audit_ledger", {})
    running.stop()
    assert audit["ok"], audit["problems"]


@pytest.fixture(scope="module")
def api_schema(fuzz_stack):
    return schemathesis.openapi.from_url(f"{fuzz_stack.info['api_url']}/openapi.json")


# schemathesis's pytest plugin does not run on pytest 9: drive its strategies with
# hypothesis directly, one test per documented operation.
ROUTES = sorted({(op.method, op.path) for op in OPERATIONS})


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_the_api_answers_every_generated_request_as_documented(api_schema, fuzz_stack, method, path):
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {fuzz_stack.token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def fuzz(case):
        response = case.call_and_validate(base_url=fuzz_stack.info["api_url"], headers=headers, checks=CHECKS)
        seen[response.status_code] += 1

    seen = SEEN.setdefault(f"{method} {path}", Counter())
    fuzz()
    print(f"{method} {path}: {sum(seen.values())} requests, statuses {dict(sorted(seen.items()))}")
    assert sum(seen.values()) >= 1
    assert not any(status >= 500 for status in seen)

"""Shared fixtures: an embedded, serialized moto server provisioned from ``infra/``,
the Chalice app under ``chalice.test.Client``, and the demo data."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The app and the adapters read these; nothing may reach a real AWS endpoint.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Any]:
    from devtools.motoserver import MotoServer

    with MotoServer() as server:
        yield server


@pytest.fixture(scope="module")
def local_aws(moto_server: Any) -> Iterator[dict[str, str]]:
    """A freshly provisioned emulation per test module, adapters pointed at it."""
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    moto_server.reset()
    environment = app_environment(moto_server.endpoint, provision(moto_server.endpoint, stage="local"))
    saved = {key: os.environ.get(key) for key in environment}
    use_environment(environment)
    yield environment
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def demo(local_aws: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The demo organisations, accounts and users, by username."""
    from devtools import demo as demo_data

    return {user["username"]: user for user in demo_data.load(ledger=False)}


@pytest.fixture(scope="module")
def client(local_aws: dict[str, str]) -> Iterator[Any]:
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


class Api:
    """Small helper over ``chalice.test.Client`` that speaks JSON."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.client.http.request(method, path, headers=sent, body=payload)
        text = response.body.decode() if response.body else ""
        return response.status_code, (json.loads(text) if text else None)

    def login(self, user: dict[str, Any]) -> str:
        """Sign in; a user with an authenticator (every administrator) gives its code."""
        status, body = self.call("POST", "/auth/login", {"username": user["username"], "password": user["password"]})
        if status == 401 and body["error"]["code"] == "MFA_REQUIRED":
            from devtools.totp import code

            session = body["error"]["details"][0]["session"]
            status, body = self.call("POST", "/auth/mfa", {"username": user["username"], "session": session,
                                                           "code": code(user["totp_secret"])})
        assert status == 200, body
        return body["id_token"]


@pytest.fixture(scope="module")
def api(client: Any) -> Api:
    return Api(client)


def scan_registry(environment: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of the registry table (to prove that a refusal wrote nothing)."""
    import boto3

    dynamodb = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name="ap-northeast-1")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": environment["REGISTRY_TABLE"], "ConsistentRead": True}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture(scope="session")
def aws_client(moto_server: Any) -> Any:
    """``aws_client("dynamodb")`` -> a boto3 client on the embedded moto server."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="ap-northeast-1")
    return lambda service: session.client(service, endpoint_url=moto_server.endpoint)


def admin(name: str, event: Any) -> dict[str, Any]:
    """Run an administrator function and insist that it succeeded."""
    from chalicelib.admin import FUNCTIONS

    result = FUNCTIONS[name](event, None)
    assert "error" not in result, result
    return result


def token_from_another_pool(aws_client: Any, pool_name: str, username: str, org_id: str, group: str) -> str:
    """An ID token, signed by moto's key with the real issuer form, from a pool that is not ours."""
    idp = aws_client("cognito-idp")
    schema = [{"Name": "org_id", "AttributeDataType": "String", "Mutable": True}]
    pool = idp.create_user_pool(PoolName=pool_name, Schema=schema)["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    client_id = client["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool, GroupName=group)
    idp.admin_create_user(UserPoolId=pool, Username=username, UserAttributes=[{"Name": "custom:org_id", "Value": org_id}])
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password="Other-Pool-Pass-2026!", Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": "Other-Pool-Pass-2026!"})
    return result["AuthenticationResult"]["IdToken"]


def executed(name: str, event: Any) -> dict[str, Any]:
    """Propose with a console function (which may only propose) and approve as the demo's
    second administrator; insist that both succeeded and return what was executed."""
    from devtools.approvals import executed as run

    result = run(name, event)
    assert "error" not in result, result
    return result


def trusted(account: str, receiver: str, org_id: str, username: str) -> None:
    """Put ``receiver`` on ``account``'s trusted list as added eight days ago (so it counts)."""
    from datetime import timedelta

    from chalicelib import container
    from chalicelib.core.clock import now_jst
    from chalicelib.core.principal import Principal, Role
    from chalicelib.registry.trusted import TrustedTransfers

    moment = now_jst() - timedelta(days=8)
    service = TrustedTransfers(container.ledger(), container.transfers().store, container.control_settings(), clock=lambda: moment)
    service.add(Principal(username, Role.PARTICIPANT, org_id), account, receiver)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``pytest -n`` (``make test`` runs up to four workers): each test file runs
    whole, in order, on one worker (a file's tests may build on its module fixtures'
    state), and the infrastructure tests all on one worker, because they share the
    packaged stages (built once per worker), chalice's deployment cache and checkov's
    virtualenv. (xdist's own ``xdist_group`` marks do not reach pytest 9's node ids.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/infra/" if path.startswith("tests/infra/") else path

    return ByFile(config, log)


#: The browser tests' axe-core violations by screen (``tests/browser/conftest.py`` fills
#: it). Kept here because this conftest is the one the xdist controller loads.
axe_results: dict[str, dict[str, int]] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its axe-core results to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["axe"] = {name: dict(counts) for name, counts in axe_results.items()}


def pytest_testnodedown(node: Any, error: Any) -> None:
    axe_results.update(getattr(node, "workeroutput", {}).get("axe", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if axe_results:
        totals: dict[str, int] = {}
        for counts in axe_results.values():
            for impact, count in counts.items():
                totals[impact] = totals.get(impact, 0) + count
        terminalreporter.write_line(
            f"axe-core: {len(axe_results)} screens checked in both languages; violations by impact: {totals or 'none'}"
        )

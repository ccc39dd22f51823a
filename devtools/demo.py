"""Demo data for the local stack: the scheme administrator, a verification body and
three participant organisations, each with a user and an account."""

from __future__ import annotations

from typing import Any

from chalicelib.admin import FUNCTIONS

ORGANISATIONS: list[dict[str, str]] = [
    {
        "org_id": "moe",
        "name": "Ministry of the Environment, JVETS Secretariat",
        "name_ja": "環境省 自主参加型国内排出量取引制度 事務局",
        "kind": "administrator",
    },
    {
        "org_id": "sakura-verif",
        "name": "Sakura Verification Services Co., Ltd.",
        "name_ja": "さくら検証サービス株式会社",
        "kind": "verification_body",
    },
    {
        "org_id": "kanto-steel",
        "name": "Kanto Steelworks Co., Ltd.",
        "name_ja": "関東製鋼株式会社",
        "kind": "target_subsidised",
    },
    {
        "org_id": "minato-foods",
        "name": "Minato Foods Co., Ltd.",
        "name_ja": "みなと食品株式会社",
        "kind": "target",
    },
    {
        "org_id": "aozora-trading",
        "name": "Aozora Trading Co., Ltd.",
        "name_ja": "あおぞら商事株式会社",
        "kind": "trading",
    },
]

#: (org_id, account type) in the order they are opened.
ACCOUNTS: list[tuple[str, int]] = [
    ("moe", 100),
    ("moe", 300),
    ("kanto-steel", 120),
    ("minato-foods", 120),
    ("aozora-trading", 121),
]

USERS: list[dict[str, str]] = [
    {"username": "admin", "password": "Admin-Demo-2026!", "role": "admin", "org_id": "moe"},
    {"username": "verifier", "password": "Verify-Demo-2026!", "role": "verifier", "org_id": "sakura-verif"},
    {"username": "kanto", "password": "Kanto-Demo-2026!", "role": "participant", "org_id": "kanto-steel"},
    {"username": "minato", "password": "Minato-Demo-2026!", "role": "participant", "org_id": "minato-foods"},
    {"username": "aozora", "password": "Aozora-Demo-2026!", "role": "participant", "org_id": "aozora-trading"},
]


class DemoLoadError(RuntimeError):
    pass


def _call(name: str, event: dict[str, Any]) -> dict[str, Any]:
    result = FUNCTIONS[name](event, None)
    if "error" in result:
        raise DemoLoadError(f"{name}({event.get('org_id') or event.get('username')}): {result['error']}")
    return result


def load(ledger: bool = True) -> list[dict[str, Any]]:
    """Create the demo organisations, accounts and users (and, with ``ledger``, a living
    registry: allocations, transfers, a correction and a retirement); return the logins."""
    for organisation in ORGANISATIONS:
        _call("create_organisation", organisation)
    accounts: dict[str, list[str]] = {}
    for org_id, account_type in ACCOUNTS:
        opened = _call("open_account", {"org_id": org_id, "type": account_type})
        accounts.setdefault(org_id, []).append(opened["number"])
    users = []
    for user in USERS:
        _call("create_user", {**user, "email": f"{user['username']}@example.jp"})
        users.append({**user, "accounts": accounts.get(user["org_id"], [])})
        if user["role"] == "admin":
            users[-1]["totp_secret"] = enrol_totp(user["username"], user["password"])
    if ledger:
        load_ledger(accounts)
    return users


def enrol_totp(username: str, password: str) -> str:
    """Enrol an authenticator for the user, as they would at their first sign-in
    (administrators must); returns the shared secret the demo prints."""
    from chalicelib import container
    from devtools.totp import code

    directory = container.directory()
    tokens = directory.sign_in(username, password)
    secret = directory.begin_totp(tokens["access_token"])
    directory.finish_totp(tokens["access_token"], code(secret))
    return secret


def load_ledger(accounts: dict[str, list[str]]) -> None:
    """Bring the demo registry to life, replaying the seed's screens: Kanto Steelworks
    ends with 1,125 t held, 800 t reserve and 325 t transferable."""
    from chalicelib import container
    from chalicelib.registry.service import Initiator, RetireCommand, TransferCommand

    ledger = container.ledger()
    kanto, minato, aozora = accounts["kanto-steel"][0], accounts["minato-foods"][0], accounts["aozora-trading"][0]

    def issue(account: str, unit_type: str, amount: int, key: str, project: str | None = None) -> None:
        event = {"account": account, "unit_type": unit_type, "issued_period": "01", "adopted_period": "01",
                 "amount": amount, "reason": "Demo allocation", "idempotency_key": f"demo-{key}"}
        if project:
            event["project"] = project
        _call("issue_units", event)

    def move(username: str, org_id: str, body: dict[str, Any], key: str, retirement: bool = False) -> dict[str, Any]:
        initiator = Initiator(username=username, org_id=org_id)
        if retirement:
            return ledger.retire(RetireCommand.from_request(body, f"demo-{key}", initiator)).transaction
        return ledger.transfer(TransferCommand.from_request(body, f"demo-{key}", initiator)).transaction

    previous_mode = ledger.store.market().mode
    _call("set_market", {"action": "force_open", "reason": "Loading demo data"})
    try:
        issue(aozora, "JPA", 100, "aozora-jpa")
        issue(kanto, "JPA", 1000, "kanto-jpa")
        issue(minato, "JPA", 600, "minato-jpa")
        move("aozora", "aozora-trading", {"from_account": aozora, "to_account": kanto, "lines": [{"unit_type": "JPA", "amount": 100}]}, "t1")
        back = move("kanto", "kanto-steel", {"from_account": kanto, "to_account": aozora, "lines": [{"unit_type": "JPA", "amount": 50}]}, "t2")
        issue(kanto, "jCER", 50, "kanto-jcer", project="CDM-0001")
        move("kanto", "kanto-steel", {"from_account": kanto, "to_account": minato, "lines": [{"unit_type": "jCER", "amount": 25}]}, "t3")
        _call("correct_transaction", {"transaction_id": back["id"], "reason": "Sent to the wrong account (demo)"})
        move("minato", "minato-foods", {"account": minato, "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 200}]}, "r1",
             retirement=True)
        _call("set_commitment_reserve", {"account": kanto, "commitment_reserve": 800})
        _call("set_commitment_reserve", {"account": minato, "commitment_reserve": 300})
    finally:
        _call("set_market", {"action": "auto" if previous_mode == "auto" else previous_mode, "reason": ""})

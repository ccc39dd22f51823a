"""Demo data for the local stack: the scheme administrator, a verification body and
three participant organisations, each with a user and an account."""

from __future__ import annotations

from typing import Any

from chalicelib.admin.functions import FUNCTIONS

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


def load() -> list[dict[str, Any]]:
    """Create the demo organisations, accounts and users; return the demo logins."""
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
    return users

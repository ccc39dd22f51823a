"""Demo data for the local stack: the scheme administrator, a verification body and
three participant organisations, each with a user and an account."""

from __future__ import annotations

from typing import Any

from chalicelib.admin import FUNCTIONS
from devtools import demo_compliance, demo_reports
from devtools.demo_matching import load_matching

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
    # The second pair of eyes: approves what the first administrator proposes.
    {"username": "admin2", "password": "Admin2-Demo-2026!", "role": "admin", "org_id": "moe"},
    {"username": "verifier", "password": "Verify-Demo-2026!", "role": "verifier", "org_id": "sakura-verif"},
    {"username": "kanto", "password": "Kanto-Demo-2026!", "role": "participant", "org_id": "kanto-steel"},
    {"username": "minato", "password": "Minato-Demo-2026!", "role": "participant", "org_id": "minato-foods"},
    {"username": "aozora", "password": "Aozora-Demo-2026!", "role": "participant", "org_id": "aozora-trading"},
]


#: The demo's delays (hours), shorter than the EU registry's 7 days and 26 hours that the
#: settings default to, so that the trusted list's screens can be seen changing.
DEMO_DELAYS = {"TRUSTED_RECEIVER_DELAY_HOURS": "0.1", "TRANSFER_DELAY_HOURS": "1"}
#: Participant accounts that trust each other from the start (set up "eight days ago").
TRUSTING = ("kanto-steel", "minato-foods", "aozora-trading")


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
    trust_each_other(accounts)
    if ledger:
        load_ledger(accounts)
        load_emissions()
        demo_reports.load()
        demo_compliance.load()
        load_matching()
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


def _executed(name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Proposed with the console function, approved by the second administrator."""
    from devtools.approvals import executed

    result = executed(name, event)
    if "error" in result:
        raise DemoLoadError(f"{name}: {result['error']}")
    return result


def _trusted_transfers(days_ago: float = 0) -> Any:
    from datetime import timedelta

    from chalicelib import container
    from chalicelib.core.clock import now_jst
    from chalicelib.registry.trusted import TrustedTransfers

    moment = now_jst() - timedelta(days=days_ago)
    return TrustedTransfers(container.ledger(), container.transfers().store, container.control_settings(),
                            clock=lambda: moment)


def _holder(org_id: str) -> Any:
    from chalicelib.core.principal import Principal, Role

    username = next(user["username"] for user in USERS if user["org_id"] == org_id)
    return Principal(username, Role.PARTICIPANT, org_id)


def trust_each_other(accounts: dict[str, list[str]]) -> None:
    """The demo participants' trusted lists, set up eight days ago (so they count)."""
    service = _trusted_transfers(days_ago=8)
    for org_id in TRUSTING:
        for other in TRUSTING:
            if other != org_id:
                service.add(_holder(org_id), accounts[org_id][0], accounts[other][0])


def load_ledger(accounts: dict[str, list[str]]) -> None:
    """Bring the demo registry to life, replaying the seed's screens: Kanto Steelworks
    ends with 1,125 t held, 800 t reserve and 325 t transferable."""
    from chalicelib import container
    from chalicelib.registry.service import Initiator, RetireCommand, TransferCommand

    ledger = container.ledger()
    kanto, minato, aozora = accounts["kanto-steel"][0], accounts["minato-foods"][0], accounts["aozora-trading"][0]

    def issue(account: str, unit_type: str, amount: int, key: str, project: str | None = None) -> None:
        event = {"account": account, "unit_type": unit_type, "issued_period": "01", "adopted_period": "01",
                 "amount": amount, "reason": "Demo allocation", "idempotency_key": f"demo-{key}", "requested_by": "admin"}
        if project:
            event["project"] = project
        _executed("issue_units", event)

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
        _executed("correct_transaction", {"transaction_id": back["id"], "reason": "Sent to the wrong account (demo)"})
        move("minato", "minato-foods", {"account": minato, "compliance_period": "01", "lines": [{"unit_type": "JPA", "amount": 200}]}, "r1",
             retirement=True)
        _executed("set_commitment_reserve", {"account": kanto, "commitment_reserve": 800, "reason": "Demo commitment"})
        _executed("set_commitment_reserve", {"account": minato, "commitment_reserve": 300, "reason": "Demo commitment"})
        # Minato takes Aozora off its trusted list and sends it 10 t: held for the delay;
        # then adds Aozora back, which counts only after the trust delay.
        trusted = _trusted_transfers()
        trusted.remove(_holder("minato-foods"), minato, aozora)
        held = trusted.submit(TransferCommand.from_request(
            {"from_account": minato, "to_account": aozora, "lines": [{"unit_type": "JPA", "amount": 10}]}, "demo-held-1",
            Initiator(username="minato", org_id="minato-foods")))
        if not hasattr(held, "delayed_transfer"):
            raise DemoLoadError("the demo's transfer to an untrusted account was not held")
        trusted.add(_holder("minato-foods"), minato, aozora)
        # A proposal left for the second administrator to decide in the portal.
        _call("issue_units", {"account": aozora, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                              "amount": 200, "reason": "Demo: additional allocation awaiting approval",
                              "idempotency_key": "demo-pending-aozora", "requested_by": "admin"})
    finally:
        _call("set_market", {"action": "auto" if previous_mode == "auto" else previous_mode, "reason": ""})


#: Factor versions the demo adds for heat and non-energy sources (the shipped list has fuels and electricity).
DEMO_FACTORS: list[dict[str, str]] = [
    {"key": "steam_industrial", "name_ja": "産業用蒸気", "name_en": "Industrial steam (purchased)", "unit": "GJ",
     "t_co2_per_unit": "0.060", "valid_from": "2006-04-01", "source": "SHK 2006: 他人から供給された熱（産業用蒸気）0.060 t-CO2/GJ"},
    {"key": "waste_plastics", "name_ja": "廃プラスチック類の焼却", "name_en": "Incineration of waste plastics", "unit": "t",
     "t_co2_per_unit": "2.77", "valid_from": "2006-04-01", "source": "SHK 2006: 廃プラスチック類の焼却 2.77 t-CO2/t"},
]
DEMO_FISCAL_YEAR = 2025
#: Kanto Steelworks' sources: (number, site, fields, monthly quantity as text or None when excluded).
DEMO_SOURCES: list[tuple[int, int, dict[str, Any], str | None]] = [
    (1, 0, {"name_ja": "受電設備（本社工場）", "name_en": "Grid electricity, head works", "categories": ["purchased_electricity"],
            "factor_key": "electricity_default", "unit": "kWh", "basis": "delivery_slips"}, "1250000"),
    (2, 0, {"name_ja": "ガスボイラー", "name_en": "Gas boiler", "categories": ["fuel_combustion"], "factor_key": "city_gas",
            "unit": "1000Nm3", "basis": "fire_service_notification"}, "85.5"),
    (3, 0, {"name_ja": "コージェネレーション（ガスエンジン）", "name_en": "Cogeneration gas engine", "categories": ["fuel_combustion"],
            "factor_key": "city_gas", "unit": "Nm3", "basis": "air_pollution_permit", "cogeneration": True}, "120000"),
    (4, 1, {"name_ja": "加熱炉（A重油）", "name_en": "Reheating furnace (heavy oil A)", "categories": ["fuel_combustion"],
            "factor_key": "heavy_oil_a", "unit": "L", "basis": "air_pollution_permit"}, "42000"),
    (5, 1, {"name_ja": "購入蒸気", "name_en": "Purchased steam", "categories": ["purchased_heat"], "factor_key": "steam_industrial",
            "unit": "GJ", "basis": "delivery_slips", "external_supply": True}, "950.25"),
    (6, 1, {"name_ja": "廃プラスチック焼却炉", "name_en": "Waste plastics incinerator", "categories": ["non_energy"],
            "factor_key": "waste_plastics", "unit": "kg", "basis": "other", "basis_text": "産業廃棄物管理票（マニフェスト）"}, "3200"),
    (7, 0, {"name_ja": "非常用発電機", "name_en": "Emergency generator", "categories": ["fuel_combustion"], "factor_key": "diesel",
            "unit": "L", "basis": "fire_service_notification", "excluded": True, "exclusion_reason": "軽微な排出源（年間の試運転のみ）"}, None),
]


def load_emissions(org_id: str = "kanto-steel", username: str = "kanto") -> dict[str, Any]:
    """Kanto Steelworks' emissions management: two sites, seven sources over every
    category (one excluded minor source, one cogeneration), a full fiscal year of
    monitoring data (FY2025) and an accepted evidence document for April's electricity."""
    from decimal import Decimal

    from chalicelib import container
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.domain.quantities import months_of
    from chalicelib.emissions.service import Emissions, MonitoringCommand, SiteCommand, SourceCommand

    service = Emissions(container.store(EmissionsStore), documents=container.document_store(), organisations=container.organisations())
    known = service.factors()
    for factor in DEMO_FACTORS:
        if factor["key"] not in known:
            _call("add_emission_factor", {**factor, "requested_by": "demo"})
    sites = [service.create_site(org_id, SiteCommand("本社工場", "Head works", "神奈川県川崎市"), username)["id"],
             service.create_site(org_id, SiteCommand("千葉工場", "Chiba works", "千葉県市原市"), username)["id"]]
    evidence = accepted_evidence(org_id, username, "電力請求書_2025-04.pdf")
    sources = []
    for number, site, fields, quantity in DEMO_SOURCES:
        command = SourceCommand(number=number, status="registered", site_id=sites[site], **{**fields, "categories": tuple(fields["categories"])})
        source = service.create_source(org_id, command, username)
        sources.append(source["id"])
        if quantity is None:
            continue
        for index, month in enumerate(months_of(DEMO_FISCAL_YEAR)):
            # A little seasonal variation, exact in decimals.
            amount = Decimal(quantity) * (Decimal(100 + (index % 6) * 2) / Decimal(100))
            text = format(amount.normalize(), "f")
            service.put_monitoring(org_id, MonitoringCommand(source["id"], month, text, fields["unit"],
                                                             evidence if number == 1 and index == 0 else None), username)
    return {"sites": sites, "sources": sources, "evidence": evidence}


def accepted_evidence(org_id: str, username: str, filename: str) -> str:
    """An evidence PDF announced, uploaded and checked on arrival exactly as in AWS
    (the stack's own delivery of S3 events starts after the demo data is loaded)."""
    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.core.settings import get_settings
    from chalicelib.documents import service as documents
    from chalicelib.documents.triggers import document_arrived
    from devtools.s3_events import s3_record

    content = b"%PDF-1.7\n% demo electricity bill\n" + b"0" * 512 + b"\n%%EOF\n"
    principal = Principal(username, Role.PARTICIPANT, org_id)
    announced = documents.announce(principal, documents.Announcement("evidence", filename, "application/pdf", len(content),
                                                                     "monitoring:S-01:2025-04"),
                                   documents=container.document_store(), objects=container.object_store())
    key = announced["upload"]["fields"]["key"]
    bucket = get_settings().documents_bucket
    put = container.s3_client().put_object(Bucket=bucket, Key=key, Body=content, ContentType="application/pdf")
    outcome = document_arrived({"Records": [s3_record("ObjectCreated:Put", bucket, key, len(content), put["ETag"], put.get("VersionId"))]}, None)
    if outcome["outcomes"][0]["outcome"] != "accepted":
        raise DemoLoadError(f"demo evidence not accepted: {outcome}")
    return str(announced["document"]["id"])

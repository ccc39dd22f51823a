"""devtools.load's seeding: the registry's own service and adapter write a year into a
private copy of the table; the result passes the ledger's audit, and the copy applies
PynamoDB's update expressions exactly as moto does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.load import Desk, SeedTable, _update, generate_year


def _account(number: str, account_type: int, org_id: str) -> dict[str, Any]:
    from chalicelib.registry.adapters.models import AccountItem

    item = AccountItem(*AccountItem.key(number), number=number, account_type=account_type, holder_org_id=org_id,
                       holder_name=f"Holder {org_id}", holder_name_ja=f"保有者 {org_id}", status="open", created_at="2025-04-01")
    return dict(item.serialize())


@pytest.fixture()
def year(local_aws: dict[str, str]) -> Iterator[tuple[SeedTable, list[Desk]]]:
    from chalicelib.core.settings import get_settings
    from chalicelib.registry.adapters.models import MarketItem
    from chalicelib.registry.domain.accounts import AccountNumber

    desks = [Desk("desk-a", "alice", []), Desk("desk-b", "bob", [])]
    items = [_account(str(AccountNumber.build(300, 1)), 300, "moe")]
    # Every copy of the market item, as the administrator's force-open writes them.
    items += [dict(MarketItem(*MarketItem.key(copy), mode="force_open", status="open", closes_at="9999-12-31T23:59:59+09:00",
                              reason="test", updated_at="2025-04-01").serialize()) for copy in range(get_settings().market_copies)]
    for index in range(8):
        desk = desks[index % 2]
        number = str(AccountNumber.build(121, index + 1))
        desk.accounts.append(number)
        items.append(_account(number, 121, desk.org_id))
    yield SeedTable(local_aws["REGISTRY_TABLE"], items), desks


def _audit(table: SeedTable) -> dict[str, Any]:
    from chalicelib.core.table import TableItem
    from chalicelib.registry.adapters.ledger import LedgerStore
    from chalicelib.registry.domain.invariants import audit

    class Copy(LedgerStore):
        def scan(self) -> Iterator[TableItem]:
            for raw in table.items.values():
                yield TableItem.from_raw_data(raw)

    return audit(Copy().snapshot())


def test_a_seeded_year_passes_the_ledger_audit(year: tuple[SeedTable, list[Desk]]) -> None:
    table, desks = year

    counts = generate_year(table, desks, 400, progress=lambda _: None)

    assert counts["issuance"] == 8
    assert counts["transfer"] + counts["retirement"] == 400
    assert counts["retirement"] > 0
    result = _audit(table)
    assert result["problems"] == []
    assert result["transactions"] == 408
    written, deleted = table.changes()
    assert deleted == []
    assert sum(1 for item in written if item["sk"]["S"].startswith("H#")) == 2 * 408 - 8  # an issuance has one row


def test_the_audit_sees_a_seeded_year_that_was_tampered_with(year: tuple[SeedTable, list[Desk]]) -> None:
    table, desks = year
    generate_year(table, desks, 50, progress=lambda _: None)
    account = next(item for key, item in table.items.items() if key[1] == "ACCT" and item["account_type"]["N"] == "121")
    account["balance"] = {"N": str(int(account["balance"]["N"]) + 1)}

    assert not _audit(table)["ok"]


def test_a_put_that_must_create_but_finds_an_item_stops_the_seeding(year: tuple[SeedTable, list[Desk]]) -> None:
    table, _ = year
    existing = next(iter(table.items.values()))
    with pytest.raises(RuntimeError, match="overwrite"):
        table.transact([{"Put": {"TableName": table.name, "Item": existing, "ConditionExpression": "attribute_not_exists (#0)",
                                 "ExpressionAttributeNames": {"#0": "pk"}}}])


def _updates() -> list[Any]:
    from chalicelib.registry.adapters.models import AccountItem, CounterItem

    return [
        (AccountItem, [AccountItem.balance.add(5), AccountItem.version.add(1), AccountItem.last_hash.set("h"),
                       AccountItem.seq.set(AccountItem.seq + 1), AccountItem.cum_out.set(AccountItem.cum_out - 2)]),
        (AccountItem, [AccountItem.holder_name.remove(), AccountItem.cum_in.add(3)]),
        (AccountItem, [AccountItem.holder_name_ja.set(AccountItem.holder_name_ja | "x"), AccountItem.status.set("closed")]),
        (CounterItem, CounterItem.advance_to(7)),
    ]


@pytest.mark.parametrize("case", range(4))
def test_update_expressions_apply_as_moto_applies_them(local_aws: dict[str, str], case: int) -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from pynamodb.transactions import TransactWrite

    from chalicelib.core.table import transaction_connection

    model, actions = _updates()[case]
    number = "JP-121-1"
    start = _account(number, 121, "org") if model.__name__ == "AccountItem" else {"pk": {"S": "COUNTER"}, "sk": {"S": "x"}}
    if model.__name__ == "AccountItem":
        start["seq"], start["cum_out"] = {"N": "4"}, {"N": "10"}
    key = (start["pk"]["S"], start["sk"]["S"])
    transaction = TransactWrite(connection=transaction_connection())
    transaction.update(model(*key), actions=actions)
    request = transaction._update_items[0]
    backend = DynamoDBBackend("ap-northeast-1", "000000000021")
    backend.create_table(request["TableName"], schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         throughput=None, attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
                         global_indexes=None, indexes=None, streams=None, billing_mode="PAY_PER_REQUEST", sse_specification=None,
                         tags=[], deletion_protection_enabled=None, warm_throughput=None)
    backend.put_item(request["TableName"], dict(start))
    backend.update_item(request["TableName"], request["Key"], request["UpdateExpression"], request.get("ExpressionAttributeNames", {}),
                        request.get("ExpressionAttributeValues", {}))
    item = dict(start)

    _update(item, request["UpdateExpression"], request.get("ExpressionAttributeNames", {}), request.get("ExpressionAttributeValues", {}))

    assert item == backend.get_item(request["TableName"], request["Key"]).to_json()["Attributes"]


def test_an_update_the_copy_cannot_evaluate_stops_the_seeding() -> None:
    with pytest.raises(RuntimeError, match="cannot evaluate"):
        _update({}, "SET #0 = list_append(#0, :0)", {"#0": "a"}, {":0": {"L": []}})

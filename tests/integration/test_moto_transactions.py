"""devtools.moto_transactions: moto's TransactWriteItems saves and restores only the items
a transaction touches, with the same outcome as moto's whole-table copies.

Three layers: the patched backend against moto's own (unpatched) function on random
transactions (hypothesis); a cancelled transaction over HTTP on the embedded server with a
global secondary index; and the copies counted, on a small and a large table."""

from __future__ import annotations

import copy
import threading
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools import moto_transactions

REGION = "ap-northeast-1"

moto_transactions.install()


# --- the patched function against moto's own, on the same random transactions ---------------

def _backend(account: str) -> Any:
    from moto.dynamodb.models import DynamoDBBackend

    backend = DynamoDBBackend(REGION, account)
    backend.create_table(
        "t", schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], throughput=None,
        attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
              {"AttributeName": "g", "AttributeType": "S"}],
        global_indexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}],
        indexes=None, streams={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}, billing_mode="PAY_PER_REQUEST",
        sse_specification=None, tags=[], deletion_protection_enabled=None, warm_throughput=None)
    backend.create_table(
        "h", schema=[{"AttributeName": "id", "KeyType": "HASH"}], throughput=None,
        attr=[{"AttributeName": "id", "AttributeType": "S"}], global_indexes=None, indexes=None, streams=None,
        billing_mode="PAY_PER_REQUEST", sse_specification=None, tags=[], deletion_protection_enabled=None, warm_throughput=None)
    return backend


def _state(backend: Any) -> dict[str, Any]:
    """Everything a client can see of the tables: items, the index, counts and stream records."""
    table, other = backend.tables["t"], backend.tables["h"]
    index, _, _ = table.scan({}, None, None, index_name="by-g")
    return {
        "t": [item.to_json() for item in table.all_items()],
        "h": [item.to_json() for item in other.all_items()],
        "by-g": [item.to_json() for item in index],
        "counts": (len(table), len(other)),
        "stream": [(record.record["eventName"], record.record["dynamodb"].get("Keys")) for record in table.stream_shard.items],
    }


def _run(function: Any, backend: Any, actions: list[dict[str, Any]]) -> Any:
    try:
        function(backend, copy.deepcopy(actions))
    except Exception as error:  # noqa: BLE001 - the outcome compared is whatever moto raises
        return type(error).__name__, getattr(error, "description", str(error))
    return None


PKS, SKS = ["a", "b"], ["1", "2", "3"]
keys = st.tuples(st.sampled_from(PKS), st.sampled_from(SKS))
conditions = st.sampled_from([None, "attribute_exists(pk)", "attribute_not_exists(pk)", "v = :c0", "v = :c1"])


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


@st.composite
def actions(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck", "OtherTable", "BadKey"]))
    pk, sk = draw(keys)
    condition = draw(conditions)
    values: dict[str, Any] = {}
    if kind == "OtherTable":
        return {"Update": {"TableName": "h", "Key": {"id": {"S": pk}}, "UpdateExpression": "ADD n :one",
                           "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    if kind == "BadKey":  # moto refuses it mid-transaction (a validation error, rolled back)
        return {"Update": {"TableName": "t", "Key": {"pk": {"S": pk}}, "UpdateExpression": "SET v = :one",
                           "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    op: dict[str, Any] = {"TableName": "t"}
    if kind == "Put":
        op["Item"] = {**_key(pk, sk), "v": {"N": str(draw(st.integers(0, 1)))}, "g": {"S": draw(st.sampled_from("xy"))}}
    else:
        op["Key"] = _key(pk, sk)
    if kind == "Update":
        if draw(st.booleans()):
            op["UpdateExpression"] = "SET v = :v, g = :g"
            values.update({":v": {"N": str(draw(st.integers(0, 1)))}, ":g": {"S": draw(st.sampled_from("xy"))}})
        else:
            op["UpdateExpression"] = "REMOVE g"
    if kind == "ConditionCheck" and condition is None:
        condition = "attribute_exists(pk)"
    if condition is not None:
        op["ConditionExpression"] = condition
        values.update({name: {"N": name[-1]} for name in (":c0", ":c1") if name in condition})
        if draw(st.booleans()):
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if values:
        op["ExpressionAttributeValues"] = values
    return {kind: op}


initial_items = st.dictionaries(keys, st.tuples(st.integers(0, 1), st.sampled_from(["x", "y", None])), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=initial_items, transaction=st.lists(actions(), min_size=1, max_size=6))
def test_every_transaction_ends_as_with_moto_own_whole_table_copies(initial: dict[Any, Any], transaction: list[Any]) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    patched, own = _backend("000000000001"), _backend("000000000002")
    for backend in (patched, own):
        for (pk, sk), (v, g) in initial.items():
            backend.put_item("t", {**_key(pk, sk), "v": {"N": str(v)}, **({"g": {"S": g}} if g else {})})
        backend.put_item("h", {"id": {"S": "a"}, "n": {"N": "5"}})
    original = DynamoDBBackend.transact_write_items.__wrapped__

    outcome = _run(DynamoDBBackend.transact_write_items, patched, transaction)
    expected = _run(original, own, transaction)

    assert outcome == expected  # same exception, same message, same cancellation reasons (and items)
    assert _state(patched) == _state(own)


def test_a_cancelled_transaction_over_every_kind_of_action_leaves_the_tables_as_they_were() -> None:
    backend = _backend("000000000003")
    backend.put_item("t", {**_key("a", "1"), "v": {"N": "0"}, "g": {"S": "x"}})
    backend.put_item("t", {**_key("a", "2"), "v": {"N": "0"}, "g": {"S": "x"}})
    backend.put_item("t", {**_key("b", "1"), "v": {"N": "0"}})
    before = _state(backend)
    transaction = [
        {"Put": {"TableName": "t", "Item": {**_key("c", "1"), "v": {"N": "1"}, "g": {"S": "y"}}}},  # a new partition
        {"Put": {"TableName": "t", "Item": {**_key("a", "3"), "g": {"S": "y"}}}},  # a new item in a partition
        {"Put": {"TableName": "t", "Item": {**_key("a", "1"), "v": {"N": "9"}}}},  # replaces one, leaves the index
        {"Update": {"TableName": "t", "Key": _key("b", "1"), "UpdateExpression": "SET g = :g",
                    "ExpressionAttributeValues": {":g": {"S": "y"}}}},  # enters the index
        {"Update": {"TableName": "t", "Key": _key("b", "2"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "3"}}}},  # created by an update
        {"Delete": {"TableName": "t", "Key": _key("a", "2")}},
        {"Update": {"TableName": "h", "Key": {"id": {"S": "z"}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "t", "Key": _key("b", "3"), "ConditionExpression": "attribute_exists(pk)"}},
    ]
    from moto.dynamodb.exceptions import TransactionCanceledException

    with pytest.raises(TransactionCanceledException) as cancelled:
        backend.transact_write_items(transaction)

    assert '"Code": "ConditionalCheckFailed"' in cancelled.value.description
    assert _state(backend) == before
    assert set(backend.tables["t"].items) == {_dynamo("a"), _dynamo("b")}  # no empty partition left for "c"


def _dynamo(value: str) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": value})


# --- over HTTP, on the embedded server -------------------------------------------------------

def _client(server: Any) -> Any:
    return boto3.client("dynamodb", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _indexed_table(ddb: Any, name: str, items: int) -> None:
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    for start in range(0, items, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"p{i % 10}"}, "sk": {"S": f"s{i:06d}"}, "v": {"N": "0"}, "g": {"S": "held"}}}}
            for i in range(start, min(items, start + 25))]})


def _scan(ddb: Any, name: str) -> list[dict[str, Any]]:
    return sorted(ddb.scan(TableName=name, ConsistentRead=True)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def _index(ddb: Any, name: str, value: str) -> list[dict[str, Any]]:
    page = ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": value}})
    return sorted(page["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def _transfer(name: str, source: str, target: str, fail: bool) -> list[dict[str, Any]]:
    """Moves an item from one partition to another, as the ledger moves a block."""
    return [
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "p0"}, "sk": {"S": source}}, "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "p1"}, "sk": {"S": target}, "v": {"N": "1"}, "g": {"S": "moved"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": name, "Key": {"pk": {"S": "p2"}, "sk": {"S": "s000002"}}, "UpdateExpression": "SET g = :g ADD v :one",
                    "ExpressionAttributeValues": {":g": {"S": "moved"}, ":one": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "p3"}, "sk": {"S": "s000003"}},
                            "ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"N": "1" if fail else "0"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]


def test_a_cancelled_transaction_over_http_leaves_items_and_the_index_unchanged_with_the_same_reasons(moto_server: Any) -> None:
    ddb = _client(moto_server)
    _indexed_table(ddb, "emulation-rollback", 100)
    before, held = _scan(ddb, "emulation-rollback"), _index(ddb, "emulation-rollback", "held")

    with pytest.raises(ddb.exceptions.TransactionCanceledException) as cancelled:
        ddb.transact_write_items(TransactItems=_transfer("emulation-rollback", "s000000", "new-1", fail=True))

    assert [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]] == [
        "None", "None", "None", "ConditionalCheckFailed"]
    assert cancelled.value.response["CancellationReasons"][3]["Item"] == {
        "pk": {"S": "p3"}, "sk": {"S": "s000003"}, "v": {"N": "0"}, "g": {"S": "held"}}
    assert _scan(ddb, "emulation-rollback") == before
    assert _index(ddb, "emulation-rollback", "held") == held
    assert _index(ddb, "emulation-rollback", "moved") == []

    ddb.transact_write_items(TransactItems=_transfer("emulation-rollback", "s000000", "new-1", fail=False))
    after = {(i["pk"]["S"], i["sk"]["S"]) for i in _index(ddb, "emulation-rollback", "moved")}
    assert after == {("p1", "new-1"), ("p2", "s000002")}
    assert len(_scan(ddb, "emulation-rollback")) == 100


def test_cancelled_transactions_restoring_a_shared_item_lose_no_concurrent_increment(moto_server: Any) -> None:
    """Each cancelled transaction increments the shared counter before its condition fails,
    so its rollback restores that item: the server's serialization keeps every committed
    increment of the other clients."""
    ddb = _client(moto_server)
    ddb.create_table(TableName="emulation-shared", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="emulation-shared", Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    increment = {"Update": {"TableName": "emulation-shared", "Key": {"pk": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    failing = {"ConditionCheck": {"TableName": "emulation-shared", "Key": {"pk": {"S": "absent"}},
                                  "ConditionExpression": "attribute_exists(pk)"}}
    committed, cancelled, errors = [], [], []
    start = threading.Barrier(12)

    def work(index: int) -> None:
        client = _client(moto_server)
        start.wait()
        for attempt in range(25):
            fail = (index + attempt) % 2 == 0
            try:
                client.transact_write_items(TransactItems=[increment, failing] if fail else [increment])
                committed.append(1)
            except client.exceptions.TransactionCanceledException:
                cancelled.append(1)
            except Exception as error:  # noqa: BLE001 - reported below  # pragma: no cover
                errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(committed) == len(cancelled) == 150
    item = ddb.get_item(TableName="emulation-shared", Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert int(item["n"]["N"]) == 150


# --- what is copied --------------------------------------------------------------------------

class _CopySpy:
    """Counts every deep copy of a moto table or item (copy.deepcopy recurses through itself)."""

    def __init__(self) -> None:
        self.tables = self.items = 0
        self._deepcopy = copy.deepcopy

    def __call__(self, value: Any, memo: Any = None, *rest: Any) -> Any:
        from moto.dynamodb.models.dynamo_type import Item
        from moto.dynamodb.models.table import Table

        self.tables += isinstance(value, Table)
        self.items += isinstance(value, Item)
        return self._deepcopy(value, memo, *rest)


@pytest.mark.parametrize("size", [100, 5_000])
def test_a_transaction_copies_only_the_items_it_touches_whatever_the_table_size(moto_server: Any, monkeypatch: Any, size: int) -> None:
    ddb = _client(moto_server)
    name = f"emulation-copies-{size}"
    _indexed_table(ddb, name, size)
    spy = _CopySpy()
    monkeypatch.setattr(copy, "deepcopy", spy)
    moto_transactions.stats.reset()

    ddb.transact_write_items(TransactItems=_transfer(name, "s000000", "new-1", fail=False))
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=_transfer(name, "s000010", "new-2", fail=True))

    assert spy.tables == 0
    # Per transaction: the saved copies of the 3 existing items it names (the put's target is
    # new), plus moto's own undo copy of the one item its Update changes.
    assert spy.items == 2 * (3 + 1)
    assert moto_transactions.stats.items_copied == 6
    assert moto_transactions.stats.tables_copied == 0
    assert moto_transactions.stats.rollbacks == 1


def test_install_is_idempotent_and_keeps_moto_function_underneath() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    patched = DynamoDBBackend.transact_write_items
    moto_transactions.install()
    assert DynamoDBBackend.transact_write_items is patched
    assert moto_transactions.installed()
    assert not getattr(patched.__wrapped__, "_touched_items_only", False)

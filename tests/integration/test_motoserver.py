import logging
import threading
import urllib.error
import urllib.request

import boto3
import pytest

from devtools.motoserver import MotoServer

REGION = "ap-northeast-1"


def _client(server, service):
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_port_zero_is_replaced_by_the_real_port_after_start():
    server = MotoServer(port=0)
    try:
        assert server.start() is server
        assert server.port > 0
        assert server.endpoint == f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_the_context_manager_serves_inside_and_stops_on_exit():
    with MotoServer() as server:
        endpoint = server.endpoint
        s3 = _client(server, "s3")
        s3.create_bucket(Bucket="context-manager-check", CreateBucketConfiguration={"LocationConstraint": REGION})
        assert "context-manager-check" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2)


def test_request_count_counts_every_request(moto_server):
    before = moto_server.request_count
    s3 = _client(moto_server, "s3")
    for _ in range(3):
        s3.list_buckets()
    assert moto_server.request_count - before == 3


def test_werkzeug_does_not_log_each_request(moto_server, caplog):
    with caplog.at_level(logging.DEBUG, logger="werkzeug"):
        _client(moto_server, "s3").list_buckets()
    assert [r for r in caplog.records if r.name == "werkzeug"] == []


def test_reset_wipes_all_state():
    with MotoServer() as server:
        sqs = _client(server, "sqs")
        sqs.create_queue(QueueName="to-be-wiped")
        assert sqs.list_queues().get("QueueUrls")
        server.reset()
        assert not sqs.list_queues().get("QueueUrls")


def test_a_server_leaves_no_state_to_the_next_one_in_the_process():
    """moto's backends are the process's: ``make bench`` runs servers one after another."""
    with MotoServer() as first:
        _client(first, "sqs").create_queue(QueueName="left-behind")
    with MotoServer() as second:
        assert not _client(second, "sqs").list_queues().get("QueueUrls")


def _counter_table(server, table):
    ddb = _client(server, "dynamodb")
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    return ddb


def _increment(client, table):
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "counter"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ]
    )


def _counter(ddb, table):
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "counter"}}, ConsistentRead=True)
    return int(item["Item"]["n"]["N"])


def test_concurrent_transactions_are_serialized_so_no_increment_is_lost(moto_server):
    table = "motoserver-concurrency"
    ddb = _counter_table(moto_server, table)
    threads_n, per_thread = 16, 20
    clients = [_client(moto_server, "dynamodb") for _ in range(threads_n)]
    start = threading.Barrier(threads_n)
    errors = []

    def work(client):
        try:
            start.wait()
            for _ in range(per_thread):
                _increment(client, table)
        except Exception as exc:  # noqa: BLE001 - whatever fails in the thread is reported below  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert _counter(ddb, table) == threads_n * per_thread


def test_cancelled_transactions_do_not_roll_back_concurrent_committed_ones(moto_server):
    # moto snapshots every table a transaction touches and restores the
    # snapshot when the transaction is cancelled; unserialized, that restore
    # wipes increments committed meanwhile (typically 2-8 of 320 are lost).
    table = "motoserver-cancellations"
    ddb = _counter_table(moto_server, table)
    threads_n, per_thread = 16, 20
    stop = threading.Event()
    cancelled, errors = [], []

    def cancel(client):
        checks = [
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": f"missing-{i}"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
            for i in range(50)
        ]
        while not stop.is_set():
            try:
                client.transact_write_items(TransactItems=checks)
            except client.exceptions.TransactionCanceledException:
                cancelled.append(1)

    def work(client):
        try:
            for _ in range(per_thread):
                _increment(client, table)
        except Exception as exc:  # noqa: BLE001 - whatever fails in the thread is reported below  # pragma: no cover
            errors.append(exc)

    cancellers = [
        threading.Thread(target=cancel, args=(_client(moto_server, "dynamodb"),))
        for _ in range(2)
    ]
    workers = [
        threading.Thread(target=work, args=(_client(moto_server, "dynamodb"),))
        for _ in range(threads_n)
    ]
    for thread in cancellers + workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    stop.set()
    for thread in cancellers:
        thread.join(timeout=30)

    assert errors == []
    assert cancelled
    assert _counter(ddb, table) == threads_n * per_thread


def test_transactions_do_not_pile_up_copies_of_tables_in_moto(moto_server):
    from moto.core.model_instances import model_data

    ddb = _client(moto_server, "dynamodb")
    ddb.create_table(TableName="leak-check", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    for start in range(0, 200, 25):
        ddb.batch_write_item(RequestItems={"leak-check": [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(start, start + 25)]})
    for _ in range(20):
        ddb.transact_write_items(TransactItems=[{"Update": {"TableName": "leak-check", "Key": {"pk": {"S": "k1"}},
                                                            "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    tracked = sum(len(model.instances_tracked) for model in model_data["dynamodb"].values())
    assert tracked < 50  # without the fix: 20 transactions x 200 items


def test_a_cancelled_transaction_of_several_actions_on_one_table_leaves_nothing(moto_server):
    ddb = _client(moto_server, "dynamodb")
    ddb.create_table(TableName="rollback-check", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="rollback-check", Item={"pk": {"S": "b"}, "v": {"N": "1"}})
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "rollback-check", "Item": {"pk": {"S": "a"}}}},
            {"Update": {"TableName": "rollback-check", "Key": {"pk": {"S": "c"}}, "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Update": {"TableName": "rollback-check", "Key": {"pk": {"S": "b"}}, "UpdateExpression": "SET v = :two",
                        "ConditionExpression": "v = :zero", "ExpressionAttributeValues": {":two": {"N": "2"}, ":zero": {"N": "0"}}}},
        ])
    except ddb.exceptions.TransactionCanceledException:
        pass
    else:
        raise AssertionError("the condition should have cancelled the transaction")
    items = ddb.scan(TableName="rollback-check")["Items"]
    assert items == [{"pk": {"S": "b"}, "v": {"N": "1"}}]

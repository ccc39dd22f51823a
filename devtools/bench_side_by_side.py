"""A transfer through the API against the least a transfer can cost (part of ``make bench``).

On one local stack (``make run``: chalice local over the moto server), alternating:

- ``api``: ``POST /transfers`` of 1 t over HTTP, as the portal sends it;
- ``service``: the same transfer through ``Ledger.transfer`` in this process (no HTTP,
  no token check), to split what the API adds from what the ledger does;
- ``raw``: the least a transfer can cost on the same emulation, table and data: one
  Query of the block it needs (Limit 1) and one ``TransactWriteItems`` over raw boto3
  writing the same items with the same conditions, except the chain link (which needs
  the sender's account read first): the market copy checked, the block split with its
  version condition, the arriving block, both history rows, both day totals, the
  record, the sender's reserve and the receiver's status.

It prints the medians, the ratio api / raw (goal <= 1.5) and the DynamoDB requests each
makes, so that what dominates is visible.

    python -m devtools.bench_side_by_side [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROUNDS = 30
GOAL = 1.5


def _raw_transfer(client: Any, table: str, sender: str, receiver: str, copy: int) -> float:
    """One Query and one TransactWriteItems: the least a 1 t transfer can cost. Answers
    the TransactWriteItems' own duration (ms): how long the transaction holds its items."""
    page = client.query(TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :blk)", ConsistentRead=True,
                        ExpressionAttributeValues={":pk": {"S": f"ACCT#{sender}"}, ":blk": {"S": "BLK#JPA#"}}, Limit=1)
    block = page["Items"][0]
    start, end, version = int(block["serial_start"]["N"]), int(block["serial_end"]["N"]), int(block["version"]["N"])
    tx_id = f"RAW{uuid.uuid4().hex[:17].upper()}"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000+09:00")
    day = stamp[:10]
    moved = {**block, "pk": {"S": f"ACCT#{receiver}"}, "sk": {"S": f"BLK#JPA#{block['issued_period']['S']}#{start:015d}#{tx_id}.1"},
             "block_id": {"S": f"{tx_id}.1"}, "owner": {"S": receiver}, "serial_end": {"N": str(start)}, "amount": {"N": "1"},
             "version": {"N": "0"}, "acquired_by": {"S": tx_id}}

    def history(number: str, amount_in: int, amount_out: int) -> dict[str, Any]:
        return {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)", "Item": {
            "pk": {"S": f"ACCT#{number}"}, "sk": {"S": f"H#{stamp}#{tx_id}"}, "type": {"S": "history"},
            "transaction_id": {"S": tx_id}, "created_at": {"S": stamp}, "date": {"S": day}, "kind": {"S": "transfer"},
            "status": {"S": "completed"}, "amount_in": {"N": str(amount_in)}, "amount_out": {"N": str(amount_out)},
            "correction": {"BOOL": False}, "seq": {"N": "0"}}}}

    def day_total(number: str, amount_in: int, amount_out: int) -> dict[str, Any]:
        return {"Update": {"TableName": table, "Key": {"pk": {"S": f"ACCT#{number}"}, "sk": {"S": f"DAY#{day}"}},
                           "UpdateExpression": "ADD amount_in :i, amount_out :o SET #t = :t",
                           "ExpressionAttributeNames": {"#t": "type"},
                           "ExpressionAttributeValues": {":i": {"N": str(amount_in)}, ":o": {"N": str(amount_out)},
                                                         ":t": {"S": "day_total"}}}}

    started = time.perf_counter()
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": f"MARKET#{copy}"}, "sk": {"S": "STATE"}},
                            "ConditionExpression": "#s = :open AND closes_at > :now", "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":open": {"S": "open"}, ":now": {"S": stamp[:19] + "+09:00"}}}},
        {"Update": {"TableName": table, "Key": {"pk": block["pk"], "sk": block["sk"]},
                    "UpdateExpression": "SET serial_start = :s, amount = :a, version = :v2",
                    "ConditionExpression": "version = :v AND #o = :owner", "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":s": {"N": str(start + 1)}, ":a": {"N": str(end - start)},
                                                  ":v": {"N": str(version)}, ":v2": {"N": str(version + 1)},
                                                  ":owner": {"S": sender}}}},
        {"Put": {"TableName": table, "Item": moved, "ConditionExpression": "attribute_not_exists(pk)"}},
        history(sender, 0, 1), history(receiver, 1, 0),
        {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)", "Item": {
            "pk": {"S": f"TXN#{tx_id}"}, "sk": {"S": "TXN"}, "type": {"S": "transaction"}, "transaction_id": {"S": tx_id},
            "kind": {"S": "transfer"}, "status": {"S": "completed"}, "created_at": {"S": stamp}, "core": {"S": "{}"},
            "chain": {"S": "{}"}, "fingerprint": {"S": "raw"}, "initiated_by": {"S": "raw"}, "initiator_org": {"S": "raw"},
            "idempotency_key": {"S": tx_id}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": f"ACCT#{sender}"}, "sk": {"S": "ACCT"}},
                    "UpdateExpression": "ADD balance :m, transferable :m, cum_out :one",
                    "ConditionExpression": "#s = :open AND transferable >= :one", "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":m": {"N": "-1"}, ":one": {"N": "1"}, ":open": {"S": "open"}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": f"ACCT#{receiver}"}, "sk": {"S": "ACCT"}},
                    "UpdateExpression": "ADD balance :one, transferable :one, cum_in :one, in_count :one",
                    "ConditionExpression": "#s = :open", "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":open": {"S": "open"}}}},
        day_total(sender, 0, 1), day_total(receiver, 1, 0),
    ])
    return (time.perf_counter() - started) * 1000


def measure(rounds: int = ROUNDS) -> dict[str, Any]:
    import boto3

    from chalicelib import container
    from chalicelib.core.principal import Principal, Role
    from chalicelib.registry.adapters.ledger import market_copy
    from chalicelib.registry.service import Initiator, TransferCommand, lines_of
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.running import RunningStack
    from devtools.stack import use_environment

    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as local:
        stack = RunningStack(Path(local)).start()
        try:
            environment = stack.info["environment"]
            use_environment(environment)
            stack.admin("set_market", {"action": "force_open", "reason": "side by side"})
            numbers = [stack.admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"] for _ in range(4)]
            for number in numbers[::2]:
                stack.approved("issue_units", {"account": number, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                            "amount": 100_000, "reason": "side by side", "idempotency_key": f"sbs-{number}"})
            (api_from, api_to, raw_from, raw_to) = numbers[0], numbers[1], numbers[2], numbers[3]
            token = stack.login("aozora")
            session = requests.Session()
            url = f"{stack.info['api_url']}/transfers"
            ledger = container.ledger()
            initiator = Initiator.of(Principal(username="bench", role=Role.PARTICIPANT, org_id="aozora-trading"))
            client = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name=environment["AWS_REGION"],
                                  aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
                                  aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"])
            table = environment["REGISTRY_TABLE"]
            copy = market_copy(raw_from, container.ledger_store().copies)

            def api() -> None:
                response = session.post(url, timeout=60, json={"from_account": api_from, "to_account": api_to,
                                                               "lines": [{"unit_type": "JPA", "amount": 1}]},
                                        headers={"Authorization": token, "Idempotency-Key": f"sbs-{uuid.uuid4()}"})
                if response.status_code != 201:
                    raise RuntimeError(response.text)

            def service() -> None:
                ledger.transfer(TransferCommand(sender=api_from, receiver=api_to, lines=lines_of([{"unit_type": "JPA", "amount": 1}]),
                                                idempotency_key=f"sbs-{uuid.uuid4()}", initiator=initiator))

            writes: list[float] = []

            def raw() -> None:
                writes.append(_raw_transfer(client, table, raw_from, raw_to, copy))

            runs = {"api": api, "service": service, "raw": raw}
            for run in runs.values():  # warm every path first
                run()
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, run in runs.items():
                    started = time.perf_counter()
                    run()
                    times[name].append((time.perf_counter() - started) * 1000)
            counter = DynamoCounter()
            for one in registry_clients():
                counter.attach(one)
            counter.attach(client)
            requests_made: dict[str, Counter[str]] = {}
            for name in ("service", "raw"):
                counter.reset()
                runs[name]()
                requests_made[name] = Counter(counter.requests)
        finally:
            stack.stop()
            os.environ.clear()
            os.environ.update(saved)
            container.reset()
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"medians": medians, "ratio": medians["api"] / medians["raw"], "rounds": rounds, "requests": requests_made,
            "transaction": statistics.median(writes)}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    argv = sys.argv[1:] if argv is None else argv
    result = measure(int(argv[0]) if argv else ROUNDS)
    medians = result["medians"]
    print(f"a 1 t transfer, {result['rounds']} rounds alternating, median ms on the local stack (moto server)")
    for name, label in (("api", "POST /transfers over HTTP (chalice local)"), ("service", "Ledger.transfer in process"),
                        ("raw", "raw boto3: one Query + one TransactWriteItems")):
        calls = ", ".join(f"{k} {v}" for k, v in sorted(result["requests"].get(name, {}).items()))
        print(f"  {label:<48} {medians[name]:8.1f}   {calls}")
    print(f"  of raw: the TransactWriteItems alone (10 actions) {result['transaction']:.1f} ms (the duration the Scale section uses)")
    print(f"  ratio api / raw {result['ratio']:.2f} (goal <= {GOAL}: {'ok' if result['ratio'] <= GOAL else 'not met'}); "
          f"service / raw {medians['service'] / medians['raw']:.2f}; HTTP, token check and routing "
          f"{medians['api'] - medians['service']:.1f} ms of {medians['api'] - medians['raw']:.1f} ms more than raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())

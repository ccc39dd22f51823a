"""An in-process moto DynamoDB backend with one small table (``pk``/``sk`` strings, a
number ``v`` and a ``by-g`` index on its parity), for comparing a moto patch's answers
with moto's own (``test_moto_queries.py``, ``test_moto_scans.py``)."""

from __future__ import annotations

from typing import Any

REGION = "ap-northeast-1"


def backend(table: str, account: str, items: list[tuple[str, str, int]]) -> Any:
    from moto.dynamodb.models import DynamoDBBackend

    dynamodb = DynamoDBBackend(REGION, account)
    dynamodb.create_table(
        table, schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], throughput=None,
        attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
              {"AttributeName": "g", "AttributeType": "S"}],
        global_indexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                            {"AttributeName": "sk", "KeyType": "RANGE"}],
                         "Projection": {"ProjectionType": "ALL"}}],
        indexes=None, streams=None, billing_mode="PAY_PER_REQUEST", sse_specification=None, tags=[],
        deletion_protection_enabled=None, warm_throughput=None)
    for pk, sk, v in items:
        dynamodb.put_item(table, {"pk": {"S": pk}, "sk": {"S": sk}, "v": {"N": str(v)}, "g": {"S": "even" if v % 2 == 0 else "odd"}})
    return dynamodb

"""The botocore clients the registry's adapters use, for event hooks (benchmarks count
requests on them; fault tests inject failures into them)."""

from __future__ import annotations

from typing import Any


def registry_clients() -> list[Any]:
    """Every distinct DynamoDB client: PynamoDB keeps one connection per model class,
    and transactions use their own."""
    from chalicelib import container
    from chalicelib.core.table import TableItem, transaction_connection
    from chalicelib.documents.adapters import DocumentItem  # noqa: F401 - every item kind has its connection
    from chalicelib.registry.adapters.models import AccountItem  # noqa: F401

    container.registry_store()  # binds the models
    candidates = [transaction_connection().client] + [
        model._get_connection().connection.client for model in (TableItem, *TableItem.__subclasses__())
    ]
    return list({id(client): client for client in candidates}.values())

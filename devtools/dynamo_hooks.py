"""The botocore clients the registry's adapters use, for event hooks (benchmarks count
requests on them; fault tests inject failures into them)."""

from __future__ import annotations

from typing import Any


def registry_clients() -> list[Any]:
    """Every distinct DynamoDB client: PynamoDB keeps one connection per model class,
    and transactions use their own."""
    from chalicelib import container
    from chalicelib.registry.adapters.models import RegistryItem, transaction_connection

    container.registry_store()  # binds the models
    candidates = [transaction_connection().client] + [
        model._get_connection().connection.client for model in (RegistryItem, *RegistryItem.__subclasses__())
    ]
    return list({id(client): client for client in candidates}.values())

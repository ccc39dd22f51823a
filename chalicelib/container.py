"""Per-container wiring of adapters (built lazily once, as Chalice's samples do).

Nothing here runs at import: the first request builds what it needs, later requests in
the same container reuse it. Tests call ``reset()`` after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache

from chalicelib.settings import get_settings, reset_settings


@lru_cache(maxsize=1)
def registry_store():
    from chalicelib.registry.adapters.models import bind
    from chalicelib.registry.adapters.store import RegistryStore

    bind(get_settings())
    return RegistryStore()


@lru_cache(maxsize=1)
def token_verifier():
    from chalicelib.identity.tokens import TokenVerifier

    settings = get_settings()
    return TokenVerifier(issuer=settings.issuer, client_id=settings.user_pool_client_id, jwks_url=settings.jwks_url)


@lru_cache(maxsize=1)
def cognito_client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    session = botocore.session.get_session()
    return session.create_client(
        "cognito-idp",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10),
    )


@lru_cache(maxsize=1)
def directory():
    from chalicelib.identity.cognito import CognitoDirectory

    settings = get_settings()
    return CognitoDirectory(cognito_client(), settings.user_pool_id, settings.user_pool_client_id)


@lru_cache(maxsize=1)
def s3_client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    session = botocore.session.get_session()
    # SigV4 presigned URLs, and path-style addressing for the local emulation's endpoint.
    addressing = {"addressing_style": "path"} if settings.aws_endpoint_url else {}
    return session.create_client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(signature_version="s3v4", s3=addressing, retries={"mode": "standard", "max_attempts": 3},
                      connect_timeout=3, read_timeout=10),
    )


@lru_cache(maxsize=1)
def document_store():
    from chalicelib.documents.adapters import DocumentStore

    registry_store()  # binds the models
    return DocumentStore()


def object_store(bucket: str | None = None):
    """The documents bucket (its name from the settings, or from an S3 event)."""
    from chalicelib.documents.adapters import ObjectStore

    return ObjectStore(s3_client(), bucket or get_settings().documents_bucket)


def reset() -> None:
    """Forget settings and adapters (tests call this after changing the environment)."""
    reset_settings()
    for factory in (registry_store, token_verifier, cognito_client, directory, ledger_store, ledger, s3_client, document_store):
        factory.cache_clear()


@lru_cache(maxsize=1)
def ledger_store():
    from chalicelib.registry.adapters.ledger_store import LedgerStore

    registry_store()  # binds the models
    return LedgerStore()


@lru_cache(maxsize=1)
def ledger():
    from chalicelib.registry.ledger import Ledger

    return Ledger(registry_store(), ledger_store())

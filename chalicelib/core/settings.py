"""Run-time settings, read from the environment once per container.

Locally the stack runner sets these; in AWS the packaged template does. Nothing here
talks to AWS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    registry_table: str
    documents_bucket: str
    user_pool_id: str
    user_pool_client_id: str
    #: Set only for the local emulation; ``None`` means real AWS endpoints.
    aws_endpoint_url: str | None
    #: Where the pool's signing keys are published; derived from the issuer in AWS.
    jwks_url: str
    #: Copies of the trading-window item (each transfer checks the one its sender hashes to).
    market_copies: int = 16

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    stage = os.environ.get("STAGE", "local")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-northeast-1"
    pool = os.environ.get("USER_POOL_ID", "")
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
    return Settings(
        stage=stage,
        region=region,
        registry_table=os.environ.get("REGISTRY_TABLE", f"jvets-{stage}-registry"),
        documents_bucket=os.environ.get("DOCUMENTS_BUCKET", ""),
        user_pool_id=pool,
        user_pool_client_id=os.environ.get("USER_POOL_CLIENT_ID", ""),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        jwks_url=os.environ.get("COGNITO_JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        market_copies=max(1, min(64, int(os.environ.get("MARKET_COPIES") or 16))),
    )


def reset_settings() -> None:
    """Forget cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()

"""Verification of Cognito ID tokens against the pool's published keys (JWKS).

The same code runs in AWS and locally (moto publishes a JWKS for its pools too). Keys
are cached per container; an unknown ``kid`` triggers at most one refresh a minute.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any, Callable

import jwt

from chalicelib.identity.errors import InvalidToken
from chalicelib.identity.mfa import has_totp
from chalicelib.identity.principal import Principal, role_from_groups

JwksFetcher = Callable[[str], dict[str, Any]]
_REFRESH_INTERVAL = 60.0
_LEEWAY_SECONDS = 5


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL from settings
        return json.loads(response.read())


class TokenVerifier:
    """Checks signature, expiry, issuer, audience and ``token_use`` of an ID token."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        fetch: JwksFetcher = fetch_jwks,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            if kid not in self._keys and self._clock() - self._fetched_at >= _REFRESH_INTERVAL:
                try:
                    document = self._fetch(self._jwks_url)
                except (OSError, ValueError) as error:
                    raise InvalidToken(reason="signing keys unavailable") from error
                self._keys = {
                    item["kid"]: jwt.PyJWK(item).key for item in document.get("keys", []) if "kid" in item
                }
                self._fetched_at = self._clock()
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(reason="unknown signing key")
        return key

    def verify(self, token: str, *, admin_needs_mfa: bool = True) -> Principal:
        """The caller the token names. An administrator's token must carry the MFA
        claim (``chalicelib.identity.mfa``); only sign-in itself, which then asks the
        administrator to enrol, looks at such a token with ``admin_needs_mfa=False``."""
        if not token or not token.strip():
            raise InvalidToken(reason="missing token")
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(reason="malformed token") from error
        if header.get("alg") != "RS256":
            raise InvalidToken(reason="unexpected algorithm")
        key = self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken(reason="expired") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidToken(reason="issued for another client") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken(reason="issued by another user pool") from error
        except jwt.InvalidSignatureError as error:
            raise InvalidToken(reason="bad signature") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(reason="invalid token") from error
        if claims.get("token_use") != "id":
            raise InvalidToken(reason="not an ID token")
        role = role_from_groups(claims.get("cognito:groups") or [])
        org_id = claims.get("custom:org_id")
        username = claims.get("cognito:username")
        if role is None or not org_id or not username:
            raise InvalidToken(reason="the user has no role or organisation")
        principal = Principal(username=username, role=role, org_id=org_id, sub=claims["sub"], mfa=has_totp(claims))
        if admin_needs_mfa and principal.is_admin and not principal.mfa:
            raise InvalidToken(reason="administrator signed in without MFA")
        return principal

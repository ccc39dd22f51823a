"""The Cognito ID-token authorizer of every non-public route, and the caller it passes on."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint

from chalicelib.core import errors
from chalicelib.core.http.responses import JSON_HEADERS, error_body
from chalicelib.core.observability import logger
from chalicelib.core.principal import Principal

security = Blueprint(__name__)


def _deny(error: errors.JvetsError) -> None:
    """Refuse a token: API Gateway's contract is an exception named "Unauthorized".

    Under ``chalice local`` and ``chalice.test`` the local gateway's own exception lets
    us answer 401 with our error body (the deployed stack maps API Gateway's
    UNAUTHORIZED response to the same body).
    """
    try:
        from chalice.local import NotAuthorizedError  # only present outside Lambda
    except ImportError:
        raise Exception("Unauthorized") from error  # noqa: TRY002 - API Gateway contract
    body = json.dumps(error_body(error), ensure_ascii=False).encode()
    headers = {"x-amzn-ErrorType": "UnauthorizedException", "Access-Control-Allow-Origin": "*", **JSON_HEADERS}
    raise NotAuthorizedError(headers, body) from error


@security.authorizer(ttl_seconds=0)
def jwt_authorizer(auth_request: Any) -> Any:
    """Verify the Cognito ID token (signature, expiry, issuer, client, token_use)."""
    from chalice import AuthResponse

    from chalicelib.container import token_verifier

    try:
        principal = token_verifier().verify(auth_request.token or "")
    except errors.JvetsError as error:
        logger.info("token refused", extra={"code": error.code, "reason": error.params.get("reason")})
        _deny(error)
    return AuthResponse(routes=["*"], principal_id=principal.username, context=principal.to_context())


def current_principal(request: Any) -> Principal:
    context = (request.context or {}).get("authorizer") or {}
    try:
        return Principal.from_context(context)
    except (KeyError, ValueError) as error:
        raise errors.Unauthenticated() from error

"""The user pool's pre-token-generation trigger, run where moto issues ID tokens.

moto does not invoke Cognito triggers, so without this the local stack would issue
tokens without the MFA claim (``chalicelib.identity.domain.mfa``) and no administrator could
work. This patch applies the same rule, ``claims_override``, to every ID token moto
signs (sign-in, MFA answer and refresh), reading the user's MFA state from moto's own
record of the user, exactly as the deployed trigger reads it with AdminGetUser.

It also turns on moto's real TOTP check (``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP``):
a wrong code is refused locally as in AWS. moto uses one fixed secret for every user,
which is what ``AssociateSoftwareToken`` returns; ``devtools.totp`` makes codes for it.
And it lets moto's GlobalSignOut find the user's pool (sign-out with the user's own
access token, as the API does it).
"""

from __future__ import annotations

import os
from typing import Any

from chalicelib.identity.domain.mfa import SOFTWARE_TOKEN_MFA, claims_override

__all__ = ["install"]


def _enabled_mfas(user: Any) -> list[str]:
    enabled = []
    if getattr(user, "software_token_mfa_enabled", False):
        enabled.append(SOFTWARE_TOKEN_MFA)
    if getattr(user, "sms_mfa_enabled", False):
        enabled.append("SMS_MFA")
    return enabled


def _global_sign_out_finds_the_pool() -> None:
    """GlobalSignOut is an unsigned call (the access token is the credential), so moto
    cannot tell its region and looks in us-east-1's backend only, where no token of
    ours is: it refuses every token. Look the token up in every region, as moto's own
    GetUser does and as Cognito does."""
    from moto.cognitoidp.responses import CognitoIdpResponse

    if getattr(CognitoIdpResponse.global_sign_out, "_finds_the_pool", False):
        return

    def global_sign_out(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        access_token = self._get_param("AccessToken")
        backend = self._get_region_agnostic_backend()._find_backend_by_access_token(access_token)
        backend.global_sign_out(access_token)
        return EmptyResult()

    global_sign_out._finds_the_pool = True  # type: ignore[attr-defined]
    CognitoIdpResponse.global_sign_out = global_sign_out  # type: ignore[method-assign]


def install() -> None:
    """Patch moto's Cognito once per process (moto's backends are process-global)."""
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    _global_sign_out_finds_the_pool()
    from moto.cognitoidp.models import CognitoIdpUserPool

    if getattr(CognitoIdpUserPool.create_jwt, "_runs_token_trigger", False):
        return
    original = CognitoIdpUserPool.create_jwt

    def create_jwt(self: Any, client_id: str, username: str, token_use: str,
                   expires_in: int = 60 * 60, extra_data: dict[str, Any] | None = None) -> Any:
        if token_use == "id":  # noqa: S105 - Cognito's kind of token (id, access), not a secret
            details = claims_override(_enabled_mfas(self._get_user(username)))
            claims = {k: v for k, v in (extra_data or {}).items() if k not in details.get("claimsToSuppress", [])}
            claims.update(details.get("claimsToAddOrOverride", {}))
            extra_data = claims
        return original(self, client_id, username, token_use, expires_in=expires_in, extra_data=extra_data)

    create_jwt._runs_token_trigger = True  # type: ignore[attr-defined]
    CognitoIdpUserPool.create_jwt = create_jwt  # type: ignore[method-assign]

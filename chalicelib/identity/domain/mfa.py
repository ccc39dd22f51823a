"""Multi-factor authentication: the rules, without Cognito.

The user pool has MFA *optional* (TOTP only): Cognito cannot require it for one group
only. Administrators are held to it by two pieces that together make the rule hold:

1. Cognito's pre-token-generation trigger (``token_claims``) adds the claim
   ``jvets:mfa = "totp"`` to an ID token only when the user has TOTP enabled. A user
   with TOTP enabled gets a SOFTWARE_TOKEN_MFA challenge at every sign-in, so the claim
   means "this session passed a TOTP code" (a refresh keeps it only while TOTP stays
   enabled: the trigger runs again). Users cannot write claims, and a user who turns
   TOTP off loses the claim at the next token.
2. The token verifier refuses an administrator's token without that claim, and sign-in
   answers an administrator who has not enrolled yet with MFA_SETUP_REQUIRED and the
   secret to enrol, instead of tokens.

The local stack runs the same rule where moto issues ID tokens
(``devtools/cognito_triggers.py``), because moto does not invoke Cognito triggers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

#: The claim the trigger adds, and its one value.
MFA_CLAIM = "jvets:mfa"
TOTP = "totp"
#: Cognito's name of TOTP in ``UserMFASettingList`` and in challenges.
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 - a Cognito setting's name, not a password
#: The issuer an authenticator app shows next to the code.
OTP_ISSUER = "JVETS Registry"


def claims_override(enabled_mfas: Iterable[str]) -> dict[str, Any]:
    """The ``claimsOverrideDetails`` of a pre-token-generation answer (event version 1)
    for a user whose enabled MFA methods are ``enabled_mfas``."""
    if SOFTWARE_TOKEN_MFA in set(enabled_mfas):
        return {"claimsToAddOrOverride": {MFA_CLAIM: TOTP}}
    # Suppressing a claim the user cannot have is harmless and states the rule.
    return {"claimsToSuppress": [MFA_CLAIM]}


def has_totp(claims: dict[str, Any]) -> bool:
    return claims.get(MFA_CLAIM) == TOTP


def otpauth_uri(secret: str, username: str, issuer: str = OTP_ISSUER) -> str:
    """The ``otpauth://`` URI authenticator apps read (as a QR code or a link)."""
    label = quote(f"{issuer}:{username}", safe=":@")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"

"""Cognito user pool triggers.

``token_claims`` is the pool's pre-token-generation trigger (event version 1): it runs
at every sign-in and refresh, before Cognito signs the ID token, and adds the MFA claim
only for a user whose TOTP is enabled (``chalicelib.identity.domain.mfa``). If it fails, Cognito
issues no token: the rule fails closed.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import container
from chalicelib.identity.domain.mfa import claims_override

blueprint = Blueprint(__name__)


@blueprint.lambda_function(name="token_claims")
def token_claims(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.identity.adapters import CognitoDirectory

    # The pool comes from the event: this function cannot have the pool's id in its
    # environment (the pool names the function as its trigger, a cycle in CloudFormation).
    directory = CognitoDirectory(container.cognito_client(), event["userPoolId"], "")
    enabled = directory.enabled_mfas(event["userName"])
    event["response"] = {**(event.get("response") or {}), "claimsOverrideDetails": claims_override(enabled)}
    return event

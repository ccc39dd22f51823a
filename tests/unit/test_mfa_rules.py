"""The MFA rule shared by the deployed Cognito trigger and the local emulation."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.identity.domain.mfa import MFA_CLAIM, claims_override, has_totp, otpauth_uri
from devtools.totp import code


@pytest.mark.parametrize(("enabled", "expected"), [
    (["SOFTWARE_TOKEN_MFA"], {"claimsToAddOrOverride": {MFA_CLAIM: "totp"}}),
    (["SMS_MFA", "SOFTWARE_TOKEN_MFA"], {"claimsToAddOrOverride": {MFA_CLAIM: "totp"}}),
    (["SMS_MFA"], {"claimsToSuppress": [MFA_CLAIM]}),
    ([], {"claimsToSuppress": [MFA_CLAIM]}),
])
def test_the_claim_follows_enabled_totp_only(enabled, expected):
    assert claims_override(enabled) == expected


def test_the_claim_is_read_strictly():
    assert has_totp({MFA_CLAIM: "totp"})
    assert not any(has_totp({MFA_CLAIM: value}) for value in ("TOTP", "", None, True, "sms"))
    assert not has_totp({})


def test_the_otpauth_uri_is_what_authenticator_apps_read():
    uri = urlparse(otpauth_uri("JBSWY3DPEHPK3PXP", "admin"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/JVETS%20Registry:admin")
    query = parse_qs(uri.query)
    assert query == {"secret": ["JBSWY3DPEHPK3PXP"], "issuer": ["JVETS Registry"], "algorithm": ["SHA1"],
                     "digits": ["6"], "period": ["30"]}


def test_codes_follow_rfc_6238():
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890" (base32 below), 8 digits
    # there: the last 6 digits are the 6-digit code.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert code(secret, 59) == "287082"
    assert code(secret, 1111111109) == "081804"
    assert code(secret, 1234567890) == "005924"
    assert len(code(secret)) == 6 and code(secret, time.time()) == code(secret)

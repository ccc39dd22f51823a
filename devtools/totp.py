"""TOTP codes (RFC 6238, as Cognito's software tokens use them) for demo users and tests.

    python -m devtools.totp [SECRET]    prints the current code (default: the demo
                                        administrator's secret from .local/stack.json)
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

__all__ = ["code"]


#: A code with less of its 30-second step left than this is not used: as a person waits
#: for the next code, so do scripts, because the check (moto's, with no window either side)
#: may run in the next step.
MIN_REMAINING = 5.0


def code(secret: str, at: float | None = None) -> str:
    """The 6-digit code of ``secret`` (base32, Cognito's form) at time ``at``; without
    ``at``, the current code, waiting for the next one when this one is about to expire."""
    if at is None:
        left = 30 - time.time() % 30
        if left < MIN_REMAINING:
            time.sleep(left + 0.05)
    padded = secret + "=" * (-len(secret) % 8)
    totp = TOTP(base64.b32decode(padded, casefold=True), 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 - RFC 6238 TOTP is HMAC-SHA1
    return totp.generate(int(time.time() if at is None else at)).decode()


def main(argv: list[str]) -> int:
    if argv:
        secret = argv[0]
    else:
        local = Path(os.environ.get("JVETS_LOCAL_DIR", Path(__file__).resolve().parents[1] / ".local"))
        try:
            logins = json.loads((local / "stack.json").read_text())["users"]
        except (OSError, KeyError, ValueError):
            print("no running stack: pass the secret (python -m devtools.totp SECRET)", file=sys.stderr)
            return 2
        secrets = [login["totp_secret"] for login in logins if login.get("totp_secret")]
        if not secrets:
            print("no demo user has an authenticator secret", file=sys.stderr)
            return 2
        secret = secrets[0]
    print(code(secret))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

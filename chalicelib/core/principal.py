"""The authenticated caller, as every service receives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Role(str, Enum):
    PARTICIPANT = "participant"
    VERIFIER = "verifier"
    ADMIN = "admin"


#: When a user is (wrongly) in several groups, the least powerful role wins.
_ROLE_ORDER = (Role.PARTICIPANT, Role.VERIFIER, Role.ADMIN)


def role_from_groups(groups: list[str] | tuple[str, ...]) -> Role | None:
    for role in _ROLE_ORDER:
        if role.value in groups:
            return role
    return None


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    org_id: str
    sub: str = ""
    #: The session passed a TOTP code (always true for an administrator past the verifier).
    mfa: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def to_context(self) -> dict[str, str]:
        """Flat string values: what an API Gateway authorizer may pass on."""
        return {"username": self.username, "role": self.role.value, "org_id": self.org_id, "sub": self.sub,
                "mfa": "totp" if self.mfa else ""}

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Principal:
        return cls(
            username=str(context["username"]),
            role=Role(context["role"]),
            org_id=str(context["org_id"]),
            sub=str(context.get("sub", "")),
            mfa=context.get("mfa") == "totp",
        )

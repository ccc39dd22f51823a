"""Participant organisations, verification bodies and the scheme administrator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.registry.domain.accounts import AccountType


class OrganisationKind(str, Enum):
    ADMINISTRATOR = "administrator"
    VERIFICATION_BODY = "verification_body"
    #: Target participant with a subsidy for CO2-reducing equipment and a commitment.
    TARGET_SUBSIDISED = "target_subsidised"
    #: Target participant with a reduction commitment only.
    TARGET = "target"
    #: Trading participant: trades, has no target.
    TRADING = "trading"


PARTICIPANT_KINDS = frozenset({OrganisationKind.TARGET_SUBSIDISED, OrganisationKind.TARGET, OrganisationKind.TRADING})

#: Which account types each kind of organisation may hold.
ACCOUNT_TYPES_BY_KIND: dict[OrganisationKind, frozenset[AccountType]] = {
    OrganisationKind.ADMINISTRATOR: frozenset(
        {AccountType.PARTY_HOLDING, AccountType.VOLUNTARY_CANCELLATION, AccountType.RETIREMENT}
    ),
    OrganisationKind.VERIFICATION_BODY: frozenset(),
    OrganisationKind.TARGET_SUBSIDISED: frozenset({AccountType.OPERATOR_HOLDING}),
    OrganisationKind.TARGET: frozenset({AccountType.OPERATOR_HOLDING}),
    OrganisationKind.TRADING: frozenset({AccountType.PERSON_HOLDING}),
}

#: Which role the users of each kind of organisation have.
ROLE_BY_KIND: dict[OrganisationKind, str] = {
    OrganisationKind.ADMINISTRATOR: "admin",
    OrganisationKind.VERIFICATION_BODY: "verifier",
    OrganisationKind.TARGET_SUBSIDISED: "participant",
    OrganisationKind.TARGET: "participant",
    OrganisationKind.TRADING: "participant",
}


@dataclass(frozen=True)
class Organisation:
    org_id: str
    name: str
    name_ja: str
    kind: OrganisationKind
    created_at: str = ""

    def may_hold(self, account_type: int) -> bool:
        return AccountType(account_type) in ACCOUNT_TYPES_BY_KIND[self.kind]

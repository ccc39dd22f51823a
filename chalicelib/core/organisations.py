"""The organisation directory's domain: participants, verification bodies and the
scheme administrator. Every system reads organisations; the identity system's
administrator function creates them (``chalicelib.identity.admin``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.core.errors import Conflict, NotFound


class OrganisationKind(str, Enum):
    ADMINISTRATOR = "administrator"
    VERIFICATION_BODY = "verification_body"
    #: Target participant with a subsidy for CO2-reducing equipment and a commitment.
    TARGET_SUBSIDISED = "target_subsidised"
    #: Target participant with a reduction commitment only.
    TARGET = "target"
    #: Trading participant: trades, has no target.
    TRADING = "trading"


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


class OrganisationNotFound(NotFound):
    """No such organisation."""

    code = "ORGANISATION_NOT_FOUND"
    message_en = "Organisation {org_id} was not found."
    message_ja = "組織 {org_id} が見つかりません。"


class OrganisationExists(Conflict):
    """An organisation with this id already exists."""

    code = "ORGANISATION_EXISTS"
    message_en = "Organisation {org_id} already exists."
    message_ja = "組織 {org_id} は既に登録されています。"

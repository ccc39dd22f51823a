"""The identity system's administrator functions: organisations and their users
(``chalicelib.core.admin`` explains the declaration)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.admin import AdminFunctions
from chalicelib.core.clock import iso_now

if TYPE_CHECKING:
    from chalicelib.identity.schemas import CreateOrganisation, CreateUser

admin = AdminFunctions(__name__, schemas="chalicelib.identity.schemas")
blueprint = admin.blueprint


@admin.function("CreateOrganisation")
def create_organisation(event: CreateOrganisation) -> dict[str, Any]:
    from chalicelib.identity import service

    command = service.NewOrganisation(org_id=event.org_id, name=event.name, name_ja=event.name_ja, kind=event.kind)
    return service.create_organisation(command, organisations=container.organisations(), now=iso_now())


@admin.function("CreateUser")
def create_user(event: CreateUser) -> dict[str, Any]:
    from chalicelib.identity import service

    command = service.NewUser(username=event.username, email=event.email, org_id=event.org_id, role=event.role,
                              password=event.password)
    return service.create_user(command, organisations=container.organisations(), pool=container.directory())

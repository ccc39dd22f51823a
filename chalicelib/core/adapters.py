"""The organisation directory in the table: ``ORG#<id>`` / ``ORG``."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import GetError, PutError

from chalicelib.core.organisations import Organisation, OrganisationExists, OrganisationKind
from chalicelib.core.table import TableItem, response_code, unavailable


class OrganisationItem(TableItem, discriminator="organisation"):
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_ja = UnicodeAttribute()
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(org_id: str) -> tuple[str, str]:
        return f"ORG#{org_id}", "ORG"


def _organisation(item: OrganisationItem) -> Organisation:
    return Organisation(
        org_id=item.org_id,
        name=item.name,
        name_ja=item.name_ja,
        kind=OrganisationKind(item.kind),
        created_at=item.created_at,
    )


class OrganisationDirectory:
    """Organisations: created once, read by every system."""

    def create(self, organisation: Organisation) -> Organisation:
        item = OrganisationItem(
            *OrganisationItem.key(organisation.org_id),
            org_id=organisation.org_id,
            name=organisation.name,
            name_ja=organisation.name_ja,
            kind=organisation.kind.value,
            created_at=organisation.created_at,
        )
        try:
            # Create-only: an existing organisation is never overwritten.
            item.save(condition=OrganisationItem.pk.does_not_exist())
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                raise OrganisationExists(org_id=organisation.org_id) from error
            raise unavailable(error) from error
        return organisation

    def get(self, org_id: str) -> Organisation | None:
        try:
            item = OrganisationItem.get(*OrganisationItem.key(org_id))
        except OrganisationItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error
        return _organisation(item)

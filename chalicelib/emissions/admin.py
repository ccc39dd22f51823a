"""The emissions system's administrator functions: emission factor versions and
corrections of monitoring data (``chalicelib.core.admin`` explains the declaration)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import container
from chalicelib.core.admin import AdminFunctions

if TYPE_CHECKING:
    from chalicelib.emissions.schemas import AddEmissionFactor, CorrectMonitoring
    from chalicelib.emissions.service import Emissions

admin = AdminFunctions(__name__, schemas="chalicelib.emissions.schemas")
blueprint = admin.blueprint


def _emissions() -> Emissions:
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.service import Emissions

    return Emissions(container.store(EmissionsStore), documents=container.document_store(), organisations=container.organisations())


@admin.function("AddEmissionFactor")
def add_emission_factor(event: AddEmissionFactor) -> dict[str, Any]:
    from chalicelib.emissions.service import FactorCommand

    command = FactorCommand(event.key, event.name_ja, event.name_en, event.unit, event.t_co2_per_unit, event.valid_from, event.valid_to,
                            event.source)
    return {"factor": _emissions().add_factor(command, f"admin:{event.requested_by}")}


@admin.function("CorrectMonitoring")
def correct_monitoring(event: CorrectMonitoring) -> dict[str, Any]:
    from chalicelib.emissions.domain.errors import EmissionsOrganisationNotFound
    from chalicelib.emissions.service import MonitoringCommand

    if container.organisations().get(event.org_id) is None:
        raise EmissionsOrganisationNotFound(org_id=event.org_id)
    command = MonitoringCommand(event.source_id, event.month, event.quantity, event.unit, event.evidence_document_id, event.reason)
    value = _emissions().put_monitoring(event.org_id, command, f"admin:{event.requested_by}", action="correct_monitoring")
    return {"value": value}

"""The composition root: per-container wiring of every system's adapters.

Only entry points (routes, administrator functions, triggers, schedules and the
authorizer) import this module. Nothing here runs at import: the first request builds
what it needs, later requests in the same container reuse it (as Chalice's samples do).
Tests call ``reset()`` after changing the environment; it forgets every ``@component``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.core.settings import get_settings, reset_settings

if TYPE_CHECKING:
    from chalicelib.compliance.service import ComplianceService
    from chalicelib.core.adapters import OrganisationDirectory
    from chalicelib.documents.adapters import DocumentStore, ObjectStore
    from chalicelib.identity.adapters import CognitoDirectory, TokenVerifier
    from chalicelib.registry.adapters.accounts import RegistryStore
    from chalicelib.registry.adapters.ledger import LedgerStore
    from chalicelib.registry.adapters.proposals import ProposalStore
    from chalicelib.registry.proposals import ControlSettings, Proposals
    from chalicelib.registry.service import Ledger
    from chalicelib.registry.trusted import TrustedTransfers

T = TypeVar("T")
_COMPONENTS: list[Any] = []


def component(factory: Callable[[], T]) -> Callable[[], T]:
    """Build once per container; ``reset()`` forgets it."""
    cached = lru_cache(maxsize=1)(factory)
    _COMPONENTS.append(cached)
    return cached


def reset() -> None:
    """Forget settings and every component (tests call this after changing the environment)."""
    reset_settings()
    for cached in _COMPONENTS:
        cached.cache_clear()


def _client(service: str, **config: Any) -> Any:
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    return botocore.session.get_session().create_client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10, **config),
    )


# --- the kernel ---------------------------------------------------------------------------------


@component
def table() -> Any:
    """The table's models bound to the configured table and endpoint."""
    from chalicelib.core.table import bind

    return bind(get_settings())


@cache
def store(kind: type[T]) -> T:
    """A system's store over the table (a class built without arguments), once per
    container: a new system's routes ask for theirs with ``container.store(TheirStore)``,
    so adding one touches that system's package only."""
    table()
    return kind()


_COMPONENTS.append(store)


def organisations() -> OrganisationDirectory:
    from chalicelib.core.adapters import OrganisationDirectory

    return store(OrganisationDirectory)


# --- identity -----------------------------------------------------------------------------------


@component
def token_verifier() -> TokenVerifier:
    from chalicelib.identity.adapters import TokenVerifier

    settings = get_settings()
    return TokenVerifier(issuer=settings.issuer, client_id=settings.user_pool_client_id, jwks_url=settings.jwks_url)


@component
def cognito_client() -> Any:
    return _client("cognito-idp")


@component
def directory() -> CognitoDirectory:
    from chalicelib.identity.adapters import CognitoDirectory

    settings = get_settings()
    return CognitoDirectory(cognito_client(), settings.user_pool_id, settings.user_pool_client_id)


# --- registry -----------------------------------------------------------------------------------


def registry_store() -> RegistryStore:
    from chalicelib.registry.adapters.accounts import RegistryStore

    return store(RegistryStore)


def ledger_store() -> LedgerStore:
    from chalicelib.registry.adapters.ledger import LedgerStore

    return store(LedgerStore)


@component
def ledger() -> Ledger:
    from chalicelib.registry.service import Ledger

    return Ledger(registry_store(), ledger_store())


# --- documents ----------------------------------------------------------------------------------


@component
def s3_client() -> Any:
    # SigV4 presigned URLs, and path-style addressing for the local emulation's endpoint.
    addressing = {"addressing_style": "path"} if get_settings().aws_endpoint_url else {}
    return _client("s3", signature_version="s3v4", s3=addressing)


def document_store() -> DocumentStore:
    from chalicelib.documents.adapters import DocumentStore

    return store(DocumentStore)


def object_store(bucket: str | None = None) -> ObjectStore:
    """The documents bucket (its name from the settings, or from an S3 event)."""
    from chalicelib.documents.adapters import ObjectStore

    return ObjectStore(s3_client(), bucket or get_settings().documents_bucket)


# --- emissions (reports: what allocation, true-up and the overdue list read) -----------------


def emissions_service() -> Any:
    """The emissions use cases with their reports (``EmissionsService.reviewed_emissions``,
    ``report_states``): what other systems' ports are wired to."""
    from chalicelib.emissions.adapters import EmissionsStore, ReportStore
    from chalicelib.emissions.service import EmissionsService

    return EmissionsService(store(EmissionsStore), documents=document_store(), organisations=organisations(), reports=store(ReportStore))


# --- compliance ---------------------------------------------------------------------------------


def compliance_emissions() -> Any:
    """The emissions system's reviewed figures and report states, for compliance."""
    return emissions_service()


def compliance_trades() -> Any:
    """The notice board's settled deals (``settled_between``), for the phase report."""
    return matching()


def compliance() -> ComplianceService:
    from chalicelib.compliance.adapters import ComplianceStore, LedgerBridge
    from chalicelib.compliance.service import ComplianceService

    return ComplianceService(store(ComplianceStore), registry=LedgerBridge(ledger(), registry_store()),
                             emissions=compliance_emissions(), trades=compliance_trades(), organisations=organisations())


# --- matching (the notice board) ------------------------------------------------------------


class _RegistryHoldings:
    """The notice board's ``Holdings`` port on the registry: an organisation's first open
    holding account (type 120 or 121) and what it holds of a unit type (and period)."""

    def holding(self, org_id: str, unit_type: str, period: str | None) -> Any:
        from chalicelib.matching.ports import Holding

        return Holding(*ledger().holding(org_id, unit_type, period))


class _PhaseCalendar:
    """The notice board's ``PhaseCalendar`` port on the compliance system. It asks
    ``compliance()`` at call time: compliance itself is built with ``matching()`` (its
    trade statistics), so building one inside the other would never end."""

    def trading_periods(self) -> list[Any]:
        return list(compliance().trading_periods())


@component
def matching() -> Any:
    from chalicelib.matching.adapters import MatchingStore
    from chalicelib.matching.service import Matching

    return Matching(store(MatchingStore), holdings=_RegistryHoldings(), organisations=organisations(),
                    phases=_PhaseCalendar())


@component
def deal_settlement() -> Any:
    """The registry's ``DealSettlement`` port: the notice board's settlement writes."""
    return matching()


@component
def ses_client() -> Any:
    return _client("ses")


# --- registry controls: four-eyes proposals, trusted receivers ------------------------------------


def proposal_store() -> ProposalStore:
    from chalicelib.registry.adapters.proposals import ProposalStore

    return store(ProposalStore)


@component
def control_settings() -> ControlSettings:
    import os

    from chalicelib.registry.proposals import ControlSettings

    return ControlSettings.from_environment(os.environ)


@component
def proposals() -> Proposals:
    """Every system's kinds of proposal: the registry's own here; another system's kind
    is one more ``register`` line (e.g. the compliance system's phase allocation)."""
    from chalicelib.compliance.proposals import KIND, AllocationExecutor
    from chalicelib.registry.proposals import Proposals, register_registry_kinds

    service = register_registry_kinds(Proposals(proposal_store(), control_settings()), ledger(), proposal_store())
    service.register(KIND, AllocationExecutor(compliance()))
    return service


@component
def transfers() -> TrustedTransfers:
    from chalicelib.registry.adapters.trust import TrustStore
    from chalicelib.registry.trusted import TrustedTransfers

    return TrustedTransfers(ledger(), store(TrustStore), control_settings())

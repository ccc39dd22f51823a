"""In-memory implementations of our own ports, for the services' unit tests.

Fakes stand in only for the ports the systems declare themselves (``registry.ports``,
``emissions.ports``, the Protocols of ``identity.service`` and ``documents.service``,
``core.events.Publish``); the adapters that implement them for real are tested on moto
(tests/integration and tests/functional).
"""

from tests.unit.fakes.documents import FakeDocumentStore, FakeObjectStore
from tests.unit.fakes.emissions import EmissionsMemory, FakeEmissionsStore
from tests.unit.fakes.events import RecordingPublish
from tests.unit.fakes.identity import FakeUserAdministration, FakeUserPool, FakeVerifier
from tests.unit.fakes.registry import FakeAccounts, FakeLedgerStore, FakeLinkedWrite, FakeOrganisations, Memory

__all__ = [
    "EmissionsMemory", "FakeAccounts", "FakeDocumentStore", "FakeEmissionsStore", "FakeLedgerStore", "FakeLinkedWrite",
    "FakeObjectStore", "FakeOrganisations", "FakeUserAdministration", "FakeUserPool", "FakeVerifier", "Memory", "RecordingPublish",
]

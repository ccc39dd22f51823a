"""What a store tells its service when a conditional transaction is cancelled.

Every system's stores write a state change as one ``TransactWriteItems`` whose conditions
make the rule hold; when one fails, the store raises ``CommitFailed`` naming the
conditions by label, and the service decides what that means (read again and retry, a
replay, or a typed refusal). Pure: no storage library is imported here, so ports and
fakes can use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommitFailed(Exception):
    """The transaction was cancelled; ``failed`` names the conditions that failed (a
    linked write by its own label). Empty when it was cancelled by a conflict with
    another transaction in flight, which a retry may clear."""

    failed: tuple[str, ...]

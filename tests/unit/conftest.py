"""Fixtures of the unit tier: a registry on in-memory fakes, audited after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.registry_world import World


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The write loop's backoffs, recorded instead of slept (the tier stays fast)."""
    from chalicelib.registry import service

    attempts: list[int] = []
    monkeypatch.setattr(service, "_backoff", attempts.append)
    return attempts


@pytest.fixture
def world(backoffs: list[int]) -> Iterator[World]:
    """A fresh registry; whatever the test did, the ledger audit must be clean afterwards."""
    registry = World()
    yield registry
    result = registry.audit()
    assert result["ok"], result["problems"]

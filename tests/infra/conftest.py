"""Packaging fixtures: each stage is packaged once per session (``chalice package``
in a child process with dummy credentials; nothing reaches AWS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devtools.package import STAGES, Package, package


@pytest.fixture(scope="session")
def package_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Package]:
    """``package_of("prod")`` -> the packaged stage (built on first use)."""
    built: dict[str, Package] = {}

    def get(stage: str) -> Package:
        if stage not in built:
            built[stage] = package(stage, tmp_path_factory.mktemp(f"package-{stage}"))
        return built[stage]

    return get


@pytest.fixture(scope="session", params=STAGES)
def packaged(request: pytest.FixtureRequest, package_of: Callable[[str], Package]) -> Package:
    return package_of(request.param)


@pytest.fixture(scope="session")
def template_of(package_of: Callable[[str], Package]) -> Callable[[str], dict[str, Any]]:
    cache: dict[str, dict[str, Any]] = {}

    def get(stage: str) -> dict[str, Any]:
        if stage not in cache:
            cache[stage] = package_of(stage).template()
        return cache[stage]

    return get


@pytest.fixture(scope="session")
def template(packaged: Package, template_of: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The generated SAM template of each stage (parametrized over dev and prod)."""
    return template_of(packaged.stage)


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == kind}



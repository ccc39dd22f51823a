"""The package shape, held against the code's import graph (every import, including the
lazy ones inside functions).

- Every system has the same shape: ``domain/`` (pure rules), ``service.py``,
  ``adapters``, ``routes.py`` with ``schemas.py``, ``admin.py``, ``triggers.py``.
- No system imports another system's adapters (the kernel's are everyone's).
- Only entry points (routes, administrator functions, triggers, schedules, the
  authorizer) import the container.
- No two packages import each other, and the kernel imports no system.
- A ``domain/`` imports no AWS, storage, web or validation library, and nothing of its
  system but its own domain and the kernel's pure modules.

The rules are checked by one function over a graph, and that function is tested on
graphs that break each rule, so the test can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
SYSTEMS = ("registry", "identity", "documents", "emissions", "compliance", "matching")
#: Systems still to be built (their packages exist and hold only a docstring).
PLANNED: tuple[str, ...] = ()
KERNEL = "core"
ENTRY_POINT_MODULES = ("routes", "admin", "triggers")
ENTRY_POINTS_OF_THE_KERNEL = {"chalicelib.core.http.authorizer"}
#: What a domain may import from the kernel: plain values and rules, no I/O.
PURE_KERNEL = {"chalicelib.core.errors", "chalicelib.core.organisations", "chalicelib.core.clock"}
IMPURE = ("boto3", "botocore", "pynamodb", "chalice", "pydantic", "aws_lambda_powertools", "jwt", "requests", "urllib.request")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # "from chalicelib import container" imports the module chalicelib.container.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {i for i in imports_of(path) if i in modules or not i.startswith("chalicelib")}
            for name, path in modules.items()}


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "chalicelib" else None


def _is_entry_point(module: str) -> bool:
    return module.rpartition(".")[2] in ENTRY_POINT_MODULES or module in ENTRY_POINTS_OF_THE_KERNEL


def violations(edges: dict[str, set[str]]) -> list[str]:
    problems: list[str] = []
    packages: dict[str, set[str]] = {}
    for module, targets in edges.items():
        source = _top(module)
        for target in targets:
            destination = _top(target)
            if target.startswith("chalicelib.container") and module != "chalicelib.container" and not _is_entry_point(module):
                problems.append(f"{module} imports the container but is not an entry point")
            if (destination and destination != source and destination != KERNEL
                    and ".adapters" in target and source not in (None, "container")):
                problems.append(f"{module} imports another system's adapters: {target}")
            if source == KERNEL and destination not in (None, KERNEL, "container"):
                problems.append(f"the kernel imports a system: {module} -> {target}")
            if ".domain" in module and module.startswith("chalicelib."):
                own = ".".join(module.split(".")[:2]) + ".domain"
                impure = any(target == i or target.startswith(i + ".") for i in IMPURE)
                foreign = target.startswith("chalicelib.") and not (target.startswith(own) or target in PURE_KERNEL)
                if impure or foreign:
                    problems.append(f"the domain {module} imports {target}")
            if source and destination and source != destination and "container" not in (source, destination):
                packages.setdefault(source, set()).add(destination)
    for source, destinations in sorted(packages.items()):
        for destination in sorted(destinations):
            if source < destination and source in packages.get(destination, set()):
                problems.append(f"the packages {source} and {destination} import each other")
    return problems


def test_the_code_keeps_the_rules():
    assert violations(graph()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"chalicelib.registry.service": {"chalicelib.container"}}, "not an entry point"),
        ({"chalicelib.identity.service": {"chalicelib.registry.adapters.accounts"}}, "another system's adapters"),
        ({"chalicelib.core.table": {"chalicelib.registry.domain.blocks"}}, "the kernel imports a system"),
        ({"chalicelib.registry.domain.blocks": {"pynamodb.models"}}, "the domain"),
        ({"chalicelib.registry.domain.blocks": {"chalicelib.registry.service"}}, "the domain"),
        ({"chalicelib.registry.domain.blocks": {"chalicelib.core.table"}}, "the domain"),
        ({"chalicelib.registry.service": {"chalicelib.documents.service"},
          "chalicelib.documents.domain.events": {"chalicelib.registry.domain.blocks"}}, "import each other"),
    ],
)
def test_each_rule_fails_on_a_graph_that_breaks_it(edges, expected):
    assert any(expected in problem for problem in violations(edges)), violations(edges)


def test_entry_points_and_the_kernel_may_import_what_they_need():
    allowed = {
        "chalicelib.registry.routes": {"chalicelib.container", "chalicelib.core.http.operations"},
        "chalicelib.core.http.authorizer": {"chalicelib.container"},
        "chalicelib.registry.adapters.accounts": {"chalicelib.core.adapters"},
        "chalicelib.registry.domain.accounts": {"chalicelib.core.organisations", "chalicelib.registry.domain.errors"},
    }
    assert violations(allowed) == []


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_system_has_the_one_shape(system):
    root = PACKAGE / system
    assert (root / "domain" / "__init__.py").exists()
    assert (root / "domain" / "errors.py").exists()
    for module in ("ports.py", "service.py", "routes.py", "schemas.py", "triggers.py"):
        assert (root / module).exists(), f"{system}/{module}"
    assert (root / "adapters.py").exists() or (root / "adapters" / "__init__.py").exists()


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_system_declares_its_errors_with_their_status_in_its_own_domain(system):
    """No central table maps errors to statuses: each class carries its own."""
    import importlib

    from chalicelib.core.errors import JvetsError

    module = importlib.import_module(f"chalicelib.{system}.domain.errors")
    declared = [value for value in vars(module).values()
                if isinstance(value, type) and issubclass(value, JvetsError) and value.__module__ == module.__name__]
    assert declared
    for error in declared:
        assert 400 <= error.status < 600 and error.code and error.message_en and error.message_ja, error


def test_the_planned_systems_are_empty_until_built():
    for system in PLANNED:
        assert [p.name for p in (PACKAGE / system).iterdir() if p.suffix == ".py"] == ["__init__.py"]

"""Administrator functions: Lambda functions the administrator invokes from the console.

Each system declares its own in its ``admin.py``, once, where it is defined::

    admin = AdminFunctions(__name__, schemas="chalicelib.registry.schemas")

    @admin.function("IssueUnits")
    def issue_units(event: IssueUnits) -> dict[str, Any]:
        ...

The decorator validates the JSON event against the named model (unknown fields refused,
no type coercion), runs the function and answers JSON: its result, or
``{"error": {"code", "message", "message_ja"}}`` on a refusal (a bug is logged and
answered as ``INTERNAL_ERROR``). It registers the function as a Lambda function of the
system's blueprint (Lambda's handler is ``chalicelib.<system>.admin.<name>``) and in
``FUNCTIONS``, which ``python -m chalicelib.admin`` runs locally.

Models and services load only when a function runs, so that importing the app (every
Lambda function's cold start) does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.core.errors import InternalError, JvetsError
from chalicelib.core.observability import logger

AdminFunction = Callable[..., dict[str, Any]]

#: Every administrator function of every system, by name.
FUNCTIONS: dict[str, AdminFunction] = {}


class DeclaredTwice(ValueError):
    """Two administrator functions of one name: a wiring bug, found at import."""

    def __init__(self, name: str) -> None:
        super().__init__(f"administrator function {name} is declared twice")


class AdminFunctions:
    """One system's administrator functions, on their own Chalice blueprint."""

    def __init__(self, import_name: str, schemas: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.schemas = schemas

    def function(self, model: str) -> Callable[[Callable[[Any], dict[str, Any]]], AdminFunction]:
        reference = f"{self.schemas}:{model}"

        def decorator(run: Callable[[Any], dict[str, Any]]) -> AdminFunction:
            name = run.__name__
            if name in FUNCTIONS:
                raise DeclaredTwice(name)

            def handler(event: Any, context: Any = None) -> dict[str, Any]:
                from chalicelib.core.http.requests import validate

                logger.append_keys(admin_function=name)
                try:
                    result = run(validate(event, reference))
                except JvetsError as error:
                    logger.info("admin function refused", extra={"code": error.code})
                    return {"error": error.to_dict()}
                except Exception:  # noqa: BLE001 - report a bug as a typed error, log the cause
                    logger.exception("admin function failed")
                    return {"error": InternalError().to_dict()}
                logger.info("admin function completed")
                return result

            handler.__name__ = name
            handler.__qualname__ = name
            handler.__doc__ = run.__doc__
            FUNCTIONS[name] = handler
            registered: AdminFunction = self.blueprint.lambda_function(name=name)(handler)
            return registered

        return decorator

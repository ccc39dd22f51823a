"""Administrator functions (console-invoked Lambda functions) and their local CLI.

Every Lambda function of the app imports ``app.py``; the administrator functions'
models and services load only when one of them runs, so that the API's cold start
does not pay for them.
"""

from __future__ import annotations

from typing import Any, Callable

from chalice import Blueprint

#: The administrator functions, in the order the README lists them.
NAMES = (
    "create_organisation",
    "create_user",
    "open_account",
    "close_account",
    "set_commitment_reserve",
    "issue_units",
    "correct_transaction",
    "set_market",
    "audit_ledger",
)

blueprint = Blueprint(__name__)


def _lazy(name: str) -> Callable[[Any, Any], dict[str, Any]]:
    def handler(event: Any, context: Any = None) -> dict[str, Any]:
        from chalicelib.admin.functions import FUNCTIONS

        return FUNCTIONS[name](event, context)

    handler.__name__ = name
    return handler


for _name in NAMES:
    # Lambda resolves the handler "chalicelib.admin.<name>": bind each one here.
    globals()[_name] = blueprint.lambda_function(name=_name)(_lazy(_name))

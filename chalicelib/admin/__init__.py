"""Administrator functions (console-invoked Lambda functions) and their local CLI."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.admin.functions import FUNCTIONS

blueprint = Blueprint(__name__)
for _name, _handler in FUNCTIONS.items():
    # Lambda resolves the handler "chalicelib.admin.<name>": bind each one here.
    globals()[_name] = blueprint.lambda_function(name=_name)(_handler)

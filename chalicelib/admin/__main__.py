"""Run an administrator function against the running local stack.

    python -m chalicelib.admin FUNCTION '<json>'

Reads ``.local/stack.json`` (written by ``make run``), runs the same handler the Lambda
function runs, prints the JSON result and exits 1 with the error JSON on a refusal.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

_LOCAL = Path(os.environ.get("JVETS_LOCAL_DIR", Path(__file__).resolve().parents[2] / ".local"))
STACK_FILE = _LOCAL / "stack.json"


def _environment(stack: dict) -> dict[str, str]:
    return {key: str(value) for key, value in stack["environment"].items()}


def main(argv: list[str]) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from chalicelib.admin import FUNCTIONS

    if len(argv) not in (1, 2) or argv[0] not in FUNCTIONS:
        print(f"usage: python -m chalicelib.admin FUNCTION ['<json>']\nfunctions: {', '.join(sorted(FUNCTIONS))}", file=sys.stderr)
        return 2
    if not STACK_FILE.exists():
        body = {"code": "STACK_NOT_RUNNING", "message": f"{STACK_FILE} not found: start the stack with `make run`.",
                "message_ja": "ローカル環境が起動していません（make run）。"}
        print(json.dumps({"error": body}, ensure_ascii=False))
        return 1
    try:
        event = json.loads(argv[1]) if len(argv) == 2 else {}
    except ValueError as error:
        print(json.dumps({"error": {"code": "MALFORMED_JSON", "message": str(error), "message_ja": "JSONが正しくありません。"}}, ensure_ascii=False))
        return 1
    os.environ.update(_environment(json.loads(STACK_FILE.read_text())))
    result = FUNCTIONS[argv[0]](event, None)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if isinstance(result, dict) and "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The compliance system's triggers: none yet (allocation and the true-up are run by the
administrator, who decides when a phase's figures are final)."""

from __future__ import annotations

from chalice import Blueprint

blueprint = Blueprint(__name__)

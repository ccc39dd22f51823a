"""The notice board's schedules: listings past their validity expire, and the outbox's
notifications are e-mailed.

Both are idempotent and catch up: the expiry takes every open listing whose last valid
day is before today (so a missed run is made good by the next), and the sender takes
whatever the outbox still holds (an entry leaves it only once its e-mail was sent).
Locally ``devtools/stack.py`` drives both, and the local mailer logs instead of sending.
"""

from __future__ import annotations

import os
from typing import Any

from chalice import Blueprint, Cron, Rate

from chalicelib import container
from chalicelib.core.observability import logger

blueprint = Blueprint(__name__)

#: The verified SES identity notifications are sent from.
DEFAULT_SENDER = "no-reply@jvets.example.jp"


def expire_due_listings(event: Any = None) -> dict[str, Any]:
    result = container.matching().expire_due()
    logger.info("listings expired", extra=result)
    return result


def send_pending_notifications(event: Any = None, *, local: bool | None = None) -> dict[str, Any]:
    from chalicelib.core.settings import get_settings
    from chalicelib.matching.adapters import CognitoRecipients, LogMailer, SesMailer

    settings = get_settings()
    local = settings.stage == "local" if local is None else local
    mailer = LogMailer(logger) if local else SesMailer(container.ses_client(),
                                                         os.environ.get("NOTIFICATIONS_FROM", DEFAULT_SENDER))
    recipients = CognitoRecipients(container.cognito_client(), settings.user_pool_id)
    result = container.matching().send_pending(mailer, recipients)
    logger.info("notifications sent", extra=result)
    return result


# 00:05 JST (15:05 UTC) every day: a listing is valid through its last day.
@blueprint.schedule(Cron(5, 15, "*", "*", "?", "*"), name="expire_listings")
def expire_listings(event: Any) -> dict[str, Any]:
    return expire_due_listings(event)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="send_notifications")
def send_notifications(event: Any) -> dict[str, Any]:
    return send_pending_notifications(event)

"""``chalice local`` serves only HTTP routes: the local stack drives the notice board's
schedules here, with the same functions the cloud's schedules call (the listings'
expiry, and the outbox's e-mails, which the local mailer logs)."""

from __future__ import annotations

import sys
import threading


class MatchingScheduler:
    def __init__(self, interval: float = 30.0) -> None:
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="matching-schedules", daemon=True)

    @staticmethod
    def run_once() -> None:
        from chalicelib.matching.triggers import expire_due_listings, send_pending_notifications

        for schedule in (expire_due_listings, send_pending_notifications):
            try:
                schedule()
            except Exception as error:  # noqa: BLE001 - keep the schedule alive, say why
                print(f"notice board schedule {schedule.__name__} failed: {error}", file=sys.stderr)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.run_once()

    def start(self) -> MatchingScheduler:
        self.run_once()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

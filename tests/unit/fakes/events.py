"""A ``Publish`` that records what a service published, in order."""

from __future__ import annotations

from typing import Any


class RecordingPublish:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: object) -> None:
        self.events.append(event)

    def of(self, event_type: type) -> list[Any]:
        return [event for event in self.events if isinstance(event, event_type)]

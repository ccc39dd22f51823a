"""In-process events: one system tells the others that something happened, without
knowing who listens.

A system declares its events as frozen dataclasses in its ``domain/events.py`` and
publishes them from its services through a ``Publish`` it is given. Another system
subscribes in its own package (its ``triggers.py``), so the publisher never changes when
a subscriber is added::

    @events.subscribe(DocumentAccepted)
    def parse_performance_sheet(event: DocumentAccepted) -> None: ...

Delivery is synchronous, in the publisher's Lambda invocation, in subscription order.
Every subscriber runs even when one fails; the failures are raised together afterwards
(``SubscriberFailed``), so the invocation fails and its event source delivers again:
subscribers must be idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from chalicelib.core.observability import logger

Event = TypeVar("Event")
Handler = Callable[[Any], None]


class Publish(Protocol):
    def __call__(self, event: object) -> None: ...


class SubscriberFailed(Exception):
    """One or more subscribers raised; ``failures`` names them."""

    def __init__(self, failures: list[tuple[str, BaseException]]) -> None:
        self.failures = failures
        super().__init__(", ".join(f"{name}: {type(error).__name__}" for name, error in failures))


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[Event]) -> Callable[[Callable[[Event], None]], Callable[[Event], None]]:
        def decorator(handler: Callable[[Event], None]) -> Callable[[Event], None]:
            if handler not in self._handlers[event_type]:
                self._handlers[event_type].append(handler)
            return handler

        return decorator

    def unsubscribe(self, event_type: type, handler: Handler) -> None:
        if handler in self._handlers.get(event_type, []):
            self._handlers[event_type].remove(handler)

    def subscribers(self, event_type: type) -> list[Handler]:
        return list(self._handlers.get(event_type, []))

    def publish(self, event: object) -> None:
        failures: list[tuple[str, BaseException]] = []
        for handler in self.subscribers(type(event)):
            name = f"{handler.__module__}.{handler.__qualname__}"
            try:
                handler(event)
            except Exception as error:  # noqa: BLE001 - every subscriber runs; failures raised together
                logger.exception("event subscriber failed", extra={"event": type(event).__name__, "subscriber": name})
                failures.append((name, error))
        if failures:
            raise SubscriberFailed(failures)


#: The process's bus: systems subscribe to it at import, entry points publish on it.
bus = EventBus()
subscribe = bus.subscribe
publish = bus.publish

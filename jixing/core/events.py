"""Domain events: actions publish what happened; receivers (the notifications app) act on it.

An action calls ``publish("funds.claim.returned", obj=claim, actor=by, reason=...)`` after its
state change. Nothing is delivered until the surrounding transaction commits
(``transaction.on_commit``): a rolled-back action tells no one. Receivers register with
``subscribe`` (from an ``AppConfig.ready``), so a lower app never imports the app that listens
(layers: core at the bottom).

Bulk work (one import committing thousands of rows) wraps itself in ``with batch(label):``;
the events it publishes reach receivers together, once, after commit, so a receiver can
collapse them into one digest per person instead of thousands of messages.

Event data must be plain JSON values and must not carry personal data (ID numbers, phones):
receivers store it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    object_type: str  # "app_label.modelname"
    object_id: str
    actor_id: int | None
    data: dict[str, Any]
    occurred_at: dt.datetime
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


# A receiver gets the events that committed together and the batch label ("" for one event).
Receiver = Callable[[Sequence[Event], str], None]

_receivers: list[Receiver] = []
_collector: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar("jixing_event_batch", default=None)


def subscribe(receiver: Receiver) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def unsubscribe(receiver: Receiver) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)


def publish(name: str, *, obj: models.Model, actor: Any = None, **data: Any) -> Event:
    """Announce ``name`` about ``obj``; delivered to receivers when the transaction commits."""
    event = Event(
        name=name,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
        data=data,
        occurred_at=timezone.now(),
    )
    collector = _collector.get()
    if collector is not None:
        # Registered per event, so an event published inside a rolled-back savepoint is dropped.
        transaction.on_commit(lambda: collector.append(event))
    else:
        transaction.on_commit(lambda: dispatch([event], batch_label=""))
    return event


@contextmanager
def batch(label: str) -> Iterator[None]:
    """Collect the events published inside; hand them to receivers together after commit."""
    events: list[Event] = []
    token = _collector.set(events)
    try:
        yield
    finally:
        _collector.reset(token)
    # Runs after the per-event appends above (on_commit keeps registration order).
    transaction.on_commit(lambda: dispatch(events, batch_label=label) if events else None)


def dispatch(events: Sequence[Event], *, batch_label: str) -> None:
    """Hand events to every receiver; one failing receiver does not stop the others (and never
    undoes the committed action): it is logged with the event names, nothing personal."""
    for receiver in list(_receivers):
        try:
            receiver(events, batch_label)
        except Exception:
            logger.exception("event receiver %s failed for %s", getattr(receiver, "__name__", receiver),
                             sorted({e.name for e in events}))

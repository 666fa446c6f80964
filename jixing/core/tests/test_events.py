"""Domain events: delivered after commit, never for a rolled-back action, batched for bulk work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from django.db import transaction

from jixing.core import events
from jixing.registry.models import Region

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(reference) -> Iterator[list[tuple[list[str], str]]]:
    got: list[tuple[list[str], str]] = []

    def receiver(evs: Sequence[events.Event], batch: str) -> None:
        got.append(([e.name for e in evs], batch))

    events.subscribe(receiver)
    yield got
    events.unsubscribe(receiver)


def region() -> Region:
    return Region.objects.get(code="370102")


def test_it_delivers_only_after_the_transaction_commits(heard) -> None:
    with transaction.atomic():
        events.publish("x.happened", obj=region())
        assert not any(names == ["x.happened"] for names, _ in heard)
    assert (["x.happened"], "") in heard


def test_it_tells_no_one_of_a_rolled_back_action(heard) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("x.rolled_back", obj=region())
        raise RuntimeError
    assert not any("x.rolled_back" in names for names, _ in heard)


def test_it_hands_a_batch_over_once_without_events_of_rolled_back_savepoints(heard) -> None:
    with transaction.atomic(), events.batch("导入 persons.xlsx"):
        events.publish("x.one", obj=region())
        try:
            with transaction.atomic():
                events.publish("x.undone", obj=region())
                raise ValueError
        except ValueError:
            pass
        events.publish("x.two", obj=region())
    batches = [(names, label) for names, label in heard if label]
    assert batches == [(["x.one", "x.two"], "导入 persons.xlsx")]


def test_it_keeps_going_when_a_receiver_fails(heard, caplog) -> None:
    def broken(evs: Sequence[events.Event], batch: str) -> None:
        raise KeyError("boom")

    events._receivers.insert(0, broken)
    try:
        events.publish("x.after_broken", obj=region())
    finally:
        events.unsubscribe(broken)
    assert (["x.after_broken"], "") in heard
    assert "failed for ['x.after_broken']" in caplog.text

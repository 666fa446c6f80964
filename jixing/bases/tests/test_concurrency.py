"""No double booking under concurrent acceptance (PostgreSQL): two staff accepting two
overlapping requests that fit only one at a time — exactly one is accepted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from jixing.bases import actions
from jixing.bases.models import Booking, BookingStatus

from .conftest import book

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="select_for_update does nothing on SQLite; run with DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("rounds", range(3))
def test_it_accepts_one_of_two_overlapping_requests_when_two_accept_at_once(scene, rounds) -> None:
    first, second = book(scene, scene.p.ivan, stations=7), book(scene, scene.quinn, stations=7)

    def accept(pk: int) -> Callable[[], Any]:
        return lambda: actions.accept_booking(Booking.objects.select_related("base").get(pk=pk), by=scene.bella)

    results = race(accept(first.pk), accept(second.pk))
    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert Booking.objects.filter(status=BookingStatus.ACCEPTED).count() == 1

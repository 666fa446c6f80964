"""Exactly once under real concurrency (SECURITY.md G3): two transactions in two threads pay
or approve the same claim at the same moment on PostgreSQL; row locks let one through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from jixing.core.testing import make_personas
from jixing.funds import actions, ledger
from jixing.funds.models import AccountKind, ClaimStatus, PaymentOrder, Posting, PostingKind
from jixing.funds.tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="select_for_update does nothing on SQLite; run with DATABASE_URL=postgres://… "
                              "(the SQLite guard is the unique constraint, tested in test_payments)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads, each on its own connection."""
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


@pytest.fixture
def world(reference):
    personas = make_personas()
    w = f.world(personas, trainees=2)
    return w, f.claim_in(w, ClaimStatus.PAYABLE)


@pytest.mark.parametrize("same_key", [False, True])
def test_it_pays_once_when_two_payments_race(world, same_key) -> None:
    w, claim = world
    keys = ["RACE-KEY-A", "RACE-KEY-A" if same_key else "RACE-KEY-B"]
    results = race(*[
        (lambda k=k: actions.issue_payment_order(claim, by=w.p.grace, idempotency_key=k)) for k in keys
    ])
    orders = [r for r in results if isinstance(r, tuple)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert PaymentOrder.objects.count() == 1
    assert Posting.objects.filter(kind=PostingKind.PAYMENT).count() == 1
    assert ledger.budget_account(w.budget, AccountKind.PAID).balance == Decimal("1200.00")
    if same_key:
        # both callers get the one order: one created it, the other replayed it
        assert len(orders) == 2 and {o.pk for o, _c in orders} == {PaymentOrder.objects.get().pk}
        assert sorted(c for _o, c in orders) == [False, True]
    else:
        assert len(orders) == 1 and len(errors) == 1 and isinstance(errors[0], actions.Conflict)
    assert ledger.verify().ok


def test_it_commits_the_budget_once_when_two_approvals_race(reference) -> None:
    personas = make_personas()
    w = f.world(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    bill = f.second_city_officer()
    results = race(lambda: actions.city_approve(claim, by=personas.bob), lambda: actions.city_approve(claim, by=bill))
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert Posting.objects.filter(kind=PostingKind.COMMITMENT).count() == 1
    assert ledger.budget_account(w.budget, AccountKind.COMMITTED).balance == Decimal("1200.00")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE


def test_it_never_overdraws_a_budget_when_allocations_race(reference) -> None:
    personas = make_personas()
    b = f.budget(personas, amount="1000")
    lixia, shizhong = f.region("370102"), f.region("370103")
    results = race(lambda: actions.allocate(b, by=personas.grace, region=lixia, amount="700"),
                   lambda: actions.allocate(b, by=personas.grace, region=shizhong, amount="700"))
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert ledger.budget_account(b, AccountKind.AVAILABLE).balance == Decimal("300.00")
    assert ledger.verify().ok

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
def payable_claim(reference):
    personas = make_personas()
    w = f.funded_class(personas, trainees=2)
    return w, f.claim_in(w, ClaimStatus.PAYABLE)


@pytest.mark.parametrize("same_key", [False, True])
def test_it_pays_once_when_two_payments_race(payable_claim, same_key) -> None:
    w, claim = payable_claim
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
    w = f.funded_class(personas, trainees=2)
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


# ---------------------------------------------------------------- batches, exports, reconciliation (issue 11 defect 4)


def _payable_claims(personas: Any, n: int) -> list[Any]:
    w = f.funded_class(personas, trainees=1)
    claims = [f.claim_in(w, ClaimStatus.PAYABLE)]
    for i in range(1, n):
        claims.append(f.claim_in(f.another_funded_class(w, 1 + i % 2), ClaimStatus.PAYABLE))
    return claims


def _api_post(user: Any, path: str, **headers: str) -> tuple[int, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.post(path, **headers)
    return response.status_code, response.json()


def test_it_makes_one_batch_when_eight_officers_create_at_once(reference) -> None:
    from jixing.funds.models import PaymentBatch

    personas = make_personas()
    claims = _payable_claims(personas, 4)
    expected = sum((c.amount for c in claims), Decimal("0"))
    results = race(*[(lambda: _api_post(personas.grace, "/api/v1/funds/payment-batches")) for _ in range(8)])
    statuses = sorted(r[0] for r in results)
    assert statuses == [201] + [422] * 7, results  # the others find nothing left to pay: no 500, no empty batch
    batch = PaymentBatch.objects.get()
    assert batch.order_count == 4 == batch.orders.count()
    assert batch.total_amount == expected == sum((o.amount for o in batch.orders.all()), Decimal("0"))
    assert PaymentOrder.objects.count() == 4 and PaymentOrder.objects.filter(batch__isnull=True).count() == 0
    assert ledger.budget_account(claims[0].budget, AccountKind.PAID).balance == expected
    assert ledger.verify().ok


def test_it_replays_the_first_batch_to_eight_callers_with_one_key(reference) -> None:
    from jixing.funds.models import PaymentBatch

    personas = make_personas()
    _payable_claims(personas, 3)
    results = race(*[(lambda: actions.create_payment_batch(by=personas.grace, idempotency_key="NIGHTLY-2026-12-02"))
                     for _ in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.batch.pk for r in results} == {PaymentBatch.objects.get().pk}
    assert sorted(r.replay for r in results) == [False] + [True] * 7
    assert PaymentOrder.objects.count() == 3


def test_it_applies_one_return_file_once_when_five_readers_race(reference, tmp_path) -> None:
    from jixing.funds import bankfiles
    from jixing.funds.models import BankReturn, OrderStatus, PaymentBatch

    personas = make_personas()
    claims = _payable_claims(personas, 3)
    batch = actions.create_payment_batch(by=personas.grace).batch
    assert batch is not None
    bankfiles.export_payment_file(batch, by=personas.grace)
    content = bankfiles.return_file_for(batch, fail={batch.orders.order_by("number").first().number})
    path = tmp_path / "return.csv"
    path.write_bytes(content)
    parsed = bankfiles.parse_return_file(path, path.name)
    results = race(*[
        (lambda: actions.reconcile_bank_return(batch, by=personas.grace, rows=parsed.rows, file_name=path.name,
                                               file_sha256=parsed.sha256)) for _ in range(5)
    ])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.replay for r in results) == [False, True, True, True, True]
    assert BankReturn.objects.count() == 1 and {r.bank_return.pk for r in results} == {BankReturn.objects.get().pk}
    assert PaymentOrder.objects.filter(status=OrderStatus.SUCCEEDED).count() == 2
    assert PaymentOrder.objects.filter(status=OrderStatus.FAILED).count() == 1
    assert Posting.objects.filter(kind=PostingKind.PAYMENT_FAILED).count() == 1
    paid = sum((c.amount for c in claims), Decimal("0")) - PaymentOrder.objects.get(status=OrderStatus.FAILED).amount
    assert ledger.budget_account(claims[0].budget, AccountKind.PAID).balance == paid
    assert PaymentBatch.objects.get().status == "mismatch"  # the failed payment is an issue to resolve
    assert ledger.verify().ok


def test_it_exports_a_batch_once_when_two_exports_race(reference, tmp_path) -> None:
    from jixing.core.models import AuditEvent
    from jixing.funds import bankfiles
    from jixing.funds.models import BatchStatus, PaymentBatch

    personas = make_personas()
    _payable_claims(personas, 2)
    batch = actions.create_payment_batch(by=personas.grace).batch
    assert batch is not None
    dirs = [tmp_path / "a", tmp_path / "b"]
    for d in dirs:
        d.mkdir()
    results = race(*[(lambda d=d: bankfiles.export_to_directory(batch, by=personas.grace, fmt="csv", directory=d))
                     for d in dirs])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r[0].sha256 for r in results} == {PaymentBatch.objects.get().file_sha256}
    assert PaymentBatch.objects.get().status == BatchStatus.EXPORTED
    assert AuditEvent.objects.filter(event="funds.payment_batch.exported").count() == 1

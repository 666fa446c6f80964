"""Recoveries (追回, seed 二(六)): never more than was paid, instalments back into the budget,
overdue listing, write-off with a reason; every step a balanced posting."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jixing.funds import actions, ledger
from jixing.funds.models import (
    AccountKind,
    ClaimStatus,
    Posting,
    PostingKind,
    RecoveryOrder,
    RecoveryStatus,
)
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db


def paid_world(personas, claims: int = 2):
    w = f.funded_class(personas, trainees=2)
    made = [f.claim_in(w, ClaimStatus.PAYABLE)]
    for _ in range(claims - 1):
        made.append(f.claim_in(f.another_funded_class(w), ClaimStatus.PAYABLE))
    f.paid_batch(w)
    for c in made:
        c.refresh_from_db()
        assert c.status == ClaimStatus.PAID
    return w, made


def bal(w, kind):
    return ledger.budget_account(w.budget, kind).balance


def test_it_recovers_from_a_claim_into_the_budget(personas) -> None:
    w, (claim, _other) = paid_world(personas)
    deadline = f.today() + dt.timedelta(days=30)
    order = actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount="600", claim=claim,
                                          reason="经核查1名学员为虚假学员", deadline=deadline, case_ref="JC-2026-001")
    assert order.status == RecoveryStatus.OPEN and order.county_id == "370102"
    assert (bal(w, AccountKind.PAID), bal(w, AccountKind.RECEIVABLE)) == (D("1800.00"), D("600.00"))
    actions.record_recovery_instalment(order, by=personas.grace, amount="200", reference="YH-R-1")
    order.refresh_from_db()
    assert order.status == RecoveryStatus.PARTIALLY_RECEIVED and order.outstanding == D("400.00")
    available_before = bal(w, AccountKind.AVAILABLE)
    actions.record_recovery_instalment(order, by=personas.grace, amount="400", reference="YH-R-2")
    order.refresh_from_db()
    assert order.status == RecoveryStatus.RECEIVED
    assert bal(w, AccountKind.AVAILABLE) == available_before + D("400.00")
    assert bal(w, AccountKind.RECEIVABLE) == D("0.00")
    kinds = list(Posting.objects.filter(kind__startswith="recovery").values_list("kind", flat=True).order_by("id"))
    assert kinds == [PostingKind.RECOVERY_RAISED, PostingKind.RECOVERY_RECEIVED, PostingKind.RECOVERY_RECEIVED]
    assert ledger.verify().ok
    with pytest.raises(ValidationError):
        actions.record_recovery_instalment(order, by=personas.grace, amount="1")


@pytest.mark.parametrize(("amount", "with_claim"), [("1200.01", True), ("2400.01", False)])
def test_it_refuses_a_recovery_larger_than_what_was_paid(personas, amount, with_claim) -> None:
    _w, (claim, _other) = paid_world(personas)
    postings = Posting.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount=amount,
                                      claim=claim if with_claim else None, reason="虚假培训骗取补贴",
                                      deadline=f.today() + dt.timedelta(days=10))
    assert "超过" in " ".join(exc.value.messages)
    assert not RecoveryOrder.objects.exists() and Posting.objects.count() == postings


def test_it_counts_what_is_already_being_recovered(personas) -> None:
    _w, (claim, _other) = paid_world(personas)
    kw = {"by": personas.bob, "payer": personas.institution, "claim": claim, "reason": "虚假培训骗取补贴",
          "deadline": f.today() + dt.timedelta(days=10)}
    actions.create_recovery_order(amount="1000", **kw)
    with pytest.raises(ValidationError):
        actions.create_recovery_order(amount="200.01", **kw)
    actions.create_recovery_order(amount="200", **kw)


def test_it_spreads_a_recovery_without_a_claim_over_the_payers_paid_claims(personas) -> None:
    w, claims = paid_world(personas)
    order = actions.create_recovery_order(by=personas.grace, payer=personas.institution, amount="2000",
                                          reason="机构整体虚假培训，全部追回", deadline=f.today() + dt.timedelta(days=10))
    parts = list(order.parts.order_by("id"))
    assert [(p.claim_id, p.amount) for p in parts] == [(claims[0].pk, D("1200.00")), (claims[1].pk, D("800.00"))]
    actions.write_off_recovery(order, by=personas.grace, reason="机构已注销，无可执行财产")
    order.refresh_from_db()
    assert order.status == RecoveryStatus.WRITTEN_OFF and order.written_off_amount == D("2000.00")
    assert bal(w, AccountKind.WRITTEN_OFF) == D("2000.00") and bal(w, AccountKind.RECEIVABLE) == 0
    assert ledger.verify().ok


def test_it_refuses_a_claim_paid_to_someone_else(personas) -> None:
    _w, (claim, _other) = paid_world(personas)
    other_org, _kate = f.enterprise_user(personas)
    with pytest.raises(ValidationError):
        actions.create_recovery_order(by=personas.bob, payer=other_org, amount="10", claim=claim,
                                      reason="虚假培训骗取补贴", deadline=f.today())


def test_it_lets_only_officers_in_scope_raise_recoveries(personas) -> None:
    _w, (claim, _other) = paid_world(personas)
    for user in (personas.carol, personas.ivan, personas.trent, personas.audrey):
        with pytest.raises(PermissionDenied):
            actions.create_recovery_order(by=user, payer=personas.institution, amount="10", claim=claim,
                                          reason="虚假培训骗取补贴", deadline=f.today())
    order = actions.create_recovery_order(by=personas.dave, payer=personas.institution, amount="10", claim=claim,
                                          reason="虚假培训骗取补贴", deadline=f.today())
    with pytest.raises(PermissionDenied):
        actions.record_recovery_instalment(order, by=personas.dave, amount="10")


def test_it_marks_overdue_recoveries_for_escalation(personas, client) -> None:
    _w, (claim, _other) = paid_world(personas)
    order = actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount="300", claim=claim,
                                          reason="虚假培训骗取补贴", deadline=f.today() + dt.timedelta(days=3))
    out = io.StringIO()
    call_command("mark_overdue_recoveries", "--json", stdout=out)
    assert json.loads(out.getvalue())["marked"] == 0
    later = dt.datetime.combine(f.today() + dt.timedelta(days=4), dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        out = io.StringIO()
        call_command("mark_overdue_recoveries", "--json", stdout=out)
        assert json.loads(out.getvalue()) | {"seconds": 0} == {"ok": True, "marked": 1, "overdue": 1, "seconds": 0}
        order.refresh_from_db()
        assert order.status == RecoveryStatus.OVERDUE
        client.force_login(personas.bob)
        page = client.get("/funds/recoveries/overdue/").content.decode()
        assert order.number in page
        # money still comes in after the deadline
        actions.record_recovery_instalment(order, by=personas.grace, amount="300")
        order.refresh_from_db()
        assert order.status == RecoveryStatus.RECEIVED


def test_it_runs_the_overdue_task(personas) -> None:
    from jixing.funds.tasks import mark_overdue_recoveries

    _w, (claim, _other) = paid_world(personas)
    actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount="300", claim=claim,
                                  reason="虚假培训骗取补贴", deadline=f.today())
    with time_machine.travel(dt.datetime.combine(f.today() + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC), tick=False):
        result = mark_overdue_recoveries.enqueue()
    assert result.return_value == 1


def test_it_creates_recoveries_through_the_api(personas, client) -> None:
    _w, (claim, _other) = paid_world(personas)
    client.force_login(personas.bob)
    body = {"payer_organisation_id": personas.institution.pk, "claim_id": claim.pk, "amount": "5000.00",
            "reason": "虚假培训骗取补贴", "deadline": (f.today() + dt.timedelta(days=5)).isoformat()}
    too_much = client.post("/api/v1/funds/recoveries", body, content_type="application/json")
    assert too_much.status_code == 422
    ok = client.post("/api/v1/funds/recoveries", {**body, "amount": "500.00"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["amount"] == "500.00"


def test_it_records_instalments_through_the_api(personas, client) -> None:
    w, (claim, _other) = paid_world(personas)
    order = actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount="300", claim=claim,
                                          reason="虚假培训骗取补贴", deadline=f.today() + dt.timedelta(days=5))
    client.force_login(personas.bob)
    assert client.post(f"/api/v1/funds/recoveries/{order.pk}/instalments", {"amount": "100.00"},
                       content_type="application/json").status_code == 403
    client.force_login(personas.grace)
    response = client.post(f"/api/v1/funds/recoveries/{order.pk}/instalments", {"amount": "100.00", "reference": "YH-9"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["received_amount"] == "100.00"
    too_much = client.post(f"/api/v1/funds/recoveries/{order.pk}/instalments", {"amount": "200.01"},
                           content_type="application/json")
    assert too_much.status_code == 422
    assert bal(w, AccountKind.RECEIVABLE) == D("200.00")

"""Key-project milestone payments (揭榜领题, seed 二(一); issue 16 Build 2): the province's
decision on a milestone fixes what of its tranche is payable (training.topic_actions); funds
records the tranche as released and withheld, once per milestone, with an audit row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from jixing.core import audit
from jixing.training.topics import KeyMilestone, MilestoneStatus

from ..models import MilestonePayment, MilestonePaymentStatus


def _status(released: Decimal, withheld: Decimal) -> str:
    if not withheld:
        return MilestonePaymentStatus.RELEASED
    return MilestonePaymentStatus.PARTLY_WITHHELD if released else MilestonePaymentStatus.WITHHELD


def record_milestone_payment(milestone: KeyMilestone, *, by: Any, event_id: str = "") -> MilestonePayment | None:
    """Release the payable part of a decided milestone's tranche and withhold the rest.

    Idempotent: a milestone has one payment row (a replayed event returns it unchanged). A
    milestone not (or no longer) accepted or failed records nothing and returns None."""
    with transaction.atomic():
        milestone = KeyMilestone.objects.select_for_update(of=("self",)).select_related("application").get(pk=milestone.pk)
        existing = MilestonePayment.objects.filter(milestone=milestone).first()
        if existing is not None:
            return existing
        if milestone.status not in (MilestoneStatus.ACCEPTED, MilestoneStatus.FAILED) or milestone.payable_amount is None:
            return None
        application = milestone.application
        if application.project_id is None:  # an awarded application always has its project
            return None
        tranche = milestone.amount
        released = milestone.payable_amount
        withheld = tranche - released
        payment = MilestonePayment.objects.create(
            milestone=milestone, project_id=application.project_id, organisation_id=application.applicant_id,
            tranche=tranche, released=released, withheld=withheld, status=_status(released, withheld),
            is_final=milestone.is_final, reason=milestone.decision_note, decided_by=milestone.decided_by or by,
            event_id=event_id[:40])
        audit.record(f"funds.milestone_payment.{payment.status}", actor=by, obj=payment, after={
            "milestone": milestone.pk, "project": application.project_id, "tranche": str(tranche),
            "released": str(released), "withheld": str(withheld), "final": milestone.is_final})
    return payment


def record_decided_milestone_payments(*, by: Any = None) -> int:
    """Record the payment of every decided milestone that has none yet (the sweep behind the
    event: a listener that failed is only logged, so a scheduled run or the demo catches up).
    Returns how many were recorded."""
    decided = KeyMilestone.objects.filter(status__in=[MilestoneStatus.ACCEPTED, MilestoneStatus.FAILED],
                                          funds_payment__isnull=True).order_by("pk")
    return sum(1 for milestone in decided if record_milestone_payment(milestone, by=by, event_id="sweep") is not None)

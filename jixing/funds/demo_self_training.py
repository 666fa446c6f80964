"""Demo: the approved, claimable 自主参训 records the plan demo made get a draft claim by their person."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from jixing.core.demo import DemoContext
from jixing.plan.models import SelfArrangedTraining, SelfTrainingStatus

from . import actions
from .models import PayeeAccount


def seed_self_training_claims(ctx: DemoContext) -> None:
    made = 0
    records = SelfArrangedTraining.objects.filter(status=SelfTrainingStatus.APPROVED, claimable=True,
                                                  subsidy_lines__isnull=True).select_related("person", "submitted_by")
    for record in records[:3]:
        account = PayeeAccount.objects.active().filter(person=record.person).first()
        try:
            actions.create_self_training_claim(by=record.submitted_by, record=record, payee_account=account)
        except (ValidationError, PermissionDenied):  # e.g. a cap already reached: the refusal is the demo
            continue
        made += 1
    ctx.counts["self_training_claims"] = made

"""自主参训 claims (seed 一(五)): approved self-arranged trainings and the claims paying them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from jixing.core.access import get_for_user
from jixing.core.permissions import require_api_roles
from jixing.plan.models import SelfArrangedTraining

from .. import actions, queries
from ..models import Claim, PayeeAccount
from .claims import _CLAIM_RELATED, ClaimDetailOut
from .common import router


class SelfTrainingClaimableOut(Schema):
    id: int = Field(description="the plan self-arranged training's id")
    person: str
    course: str
    provider: str
    ends_on: dt.date = Field(description="last training day: the year counted toward the caps")
    occupation: int | None
    claimable: bool | None
    claimable_amount: Decimal | None
    reasons: list[str] = Field(description="the decision stored on approval, in the reader's language")
    claim: str | None = Field(None, description="number of the live claim paying it, if any")


class SelfTrainingClaimIn(Schema):
    """Any ``amount``, ``status`` or ``budget`` in the body is ignored: the amount is the record's."""

    payee_account_id: int | None = None


@router.get("/self-trainings", response=list[SelfTrainingClaimableOut])
def self_training_list(request: HttpRequest) -> Any:
    """Approved self-arranged trainings in the caller's scope (a person: their own), with the
    claim decision stored on approval and the live claim paying each."""
    require_api_roles(request, *queries.SELF_TRAINING_READERS)
    rows = queries.self_training_rows(request.user, queries.self_trainings_to_claim(request.user)[:500])
    return [{
        "id": row.record.pk, "person": row.record.person.name, "course": row.record.course,
        "provider": row.record.provider, "ends_on": row.record.ends_on, "occupation": row.record.occupation_id,
        "claimable": row.record.claimable, "claimable_amount": row.record.claimable_amount, "reasons": row.reasons,
        "claim": row.claim.number if row.claim is not None else None,
    } for row in rows]


@router.post("/self-trainings/{record_id}/claim", response={201: ClaimDetailOut})
def self_training_claim(request: HttpRequest, record_id: int, payload: SelfTrainingClaimIn) -> Any:
    """A draft claim paying one approved, claimable self-arranged training to the person, once."""
    require_api_roles(request, *queries.SELF_TRAINING_CLAIMERS)
    record = get_for_user(SelfArrangedTraining.objects.select_related("person", "occupation"), request.user, record_id)
    account = None
    if payload.payee_account_id is not None:
        account = PayeeAccount.objects.visible_to(request.user).filter(pk=payload.payee_account_id).first()
        if account is None:
            raise ValidationError({"payee_account_id": _("Choose one of the person's own bank accounts.")})
    claim = actions.create_self_training_claim(by=request.user, record=record, payee_account=account)
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))

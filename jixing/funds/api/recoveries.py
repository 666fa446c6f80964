"""Recoveries API (追回): orders and instalments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import require_api_roles
from jixing.registry.models import Organisation, Person

from .. import actions, queries
from ..models import Claim, RecoveryOrder
from ..queries import RECOVERY_MAKERS, RECOVERY_READERS
from .common import router

# ---------------------------------------------------------------- recoveries


class RecoveryIn(Schema):
    payer_organisation_id: int | None = None
    payer_person_id: int | None = None
    claim_id: int | None = None
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    reason: str = Field(max_length=1000)
    deadline: dt.date
    case_ref: str = Field("", max_length=60)


class RecoveryOut(Schema):
    id: int
    number: str
    payer: str
    claim: str | None
    amount: Decimal
    received_amount: Decimal
    written_off_amount: Decimal
    deadline: dt.date
    status: str
    case_ref: str

    @staticmethod
    def resolve_payer(obj: RecoveryOrder) -> str:
        return str(obj.payer.name)

    @staticmethod
    def resolve_claim(obj: RecoveryOrder) -> str | None:
        return obj.claim.number if obj.claim is not None else None


@router.get("/recoveries", response=list[RecoveryOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_recoveries(request: HttpRequest, status: str = "", overdue: bool = False) -> Any:
    require_api_roles(request, *RECOVERY_READERS)
    if overdue:
        return queries.overdue_recoveries(request.user)
    return queries.recoveries_for(request.user, status=status)


@router.post("/recoveries", response={201: RecoveryOut})
def create_recovery(request: HttpRequest, payload: RecoveryIn) -> Any:
    require_api_roles(request, *RECOVERY_MAKERS)
    claim = get_for_user(Claim.objects.all(), request.user, payload.claim_id) if payload.claim_id else None
    payer: Organisation | Person | None = None
    if payload.payer_organisation_id:
        payer = Organisation.objects.visible_to(request.user).filter(pk=payload.payer_organisation_id).first()
    elif payload.payer_person_id:
        payer = Person.objects.visible_to(request.user).filter(pk=payload.payer_person_id).first()
    if payer is None:
        raise ValidationError({"payer": _("Give the paid organisation or person.")})
    order = actions.create_recovery_order(by=request.user, payer=payer, amount=payload.amount, reason=payload.reason,
                                          deadline=payload.deadline, claim=claim, case_ref=payload.case_ref)
    return Status(201, RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim").get(pk=order.pk))


class InstalmentIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    received_on: dt.date | None = None
    reference: str = Field("", max_length=64)


@router.post("/recoveries/{recovery_id}/instalments", response={201: RecoveryOut})
def record_instalment(request: HttpRequest, recovery_id: int, payload: InstalmentIn) -> Any:
    """Money received back from the payer (finance officers); it returns to the budget."""
    require_api_roles(request, Role.FINANCE_OFFICER)
    order = get_for_user(RecoveryOrder.objects.all(), request.user, recovery_id)
    actions.record_recovery_instalment(order, by=request.user, amount=payload.amount, received_on=payload.received_on,
                                       reference=payload.reference)
    return Status(201, RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim").get(pk=order.pk))

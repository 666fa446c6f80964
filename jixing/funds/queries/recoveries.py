"""Recovery orders: lists, overdue ones and claims a recovery may be raised on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from jixing.registry.models import Organisation, Person

from ..models import ZERO, Claim, ClaimStatus, RecoveryOrder
from .claims import paid_to_claim, recovered_from_claim
from .common import today

# ---------------------------------------------------------------- recoveries


def recoveries_for(user: Any, *, status: str = "") -> QuerySet[RecoveryOrder]:
    qs = RecoveryOrder.objects.visible_to(user).select_related("payer_organisation", "payer_person", "claim", "county")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def overdue_recoveries(user: Any, day: dt.date | None = None) -> QuerySet[RecoveryOrder]:
    day = day or today()
    return recoveries_for(user).filter(Q(status="overdue") | Q(status__in=["open", "partially_received"], deadline__lt=day)).order_by("deadline")


def recoverable_claims(payer: Organisation | Person) -> list[tuple[Claim, Decimal]]:
    """Paid claims of a payer with what can still be recovered from each (paid − raised)."""
    field_name = "organisation" if isinstance(payer, Organisation) else "person"
    claims = list(Claim.objects.filter(**{field_name: payer}, status=ClaimStatus.PAID).order_by("id"))
    paid = paid_to_claim(c.pk for c in claims)
    raised = recovered_from_claim(c.pk for c in claims)
    out = []
    for c in claims:
        left = paid.get(c.pk, ZERO) - raised.get(c.pk, ZERO)
        if left > 0:
            out.append((c, left))
    return out

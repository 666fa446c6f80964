"""Key-project milestone payments API (揭榜领题): released and withheld tranches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import paginate

from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import require_api_roles

from ..queries.milestones import MILESTONE_READERS, milestone_payments_for
from .common import router


class MilestonePaymentOut(Schema):
    id: int
    milestone: int = Field(alias="milestone_id")
    project: str = Field(alias="project.code")
    organisation: int = Field(alias="organisation_id")
    tranche: Decimal
    released: Decimal
    withheld: Decimal
    status: str
    is_final: bool
    reason: str


@router.get("/milestone-payments", response=list[MilestonePaymentOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_milestone_payments(request: HttpRequest) -> Any:
    require_api_roles(request, *MILESTONE_READERS)
    return milestone_payments_for(request.user)

"""Staff education fund statistics API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from jixing.core.api_contract import Year
from jixing.core.permissions import require_api_roles

from .. import queries
from ..queries import STAFF_EDUCATION_READERS
from .common import router

# ---------------------------------------------------------------- staff education funds


class StaffEducationStatsOut(Schema):
    year: int
    reports: int
    extracted: Decimal
    spent: Decimal
    spent_frontline: Decimal
    frontline_share: Decimal | None
    below_minimum: int


@router.get("/staff-education/stats", response=StaffEducationStatsOut)
def staff_education_stats(request: HttpRequest, year: Year) -> Any:
    require_api_roles(request, *STAFF_EDUCATION_READERS)
    stats = queries.staff_education_stats(request.user, year=year)
    return {**stats.__dict__, "frontline_share": stats.frontline_share}

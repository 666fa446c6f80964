"""`/api/v1/stats/intake/…`: department training records and the breakdown by fund source and
department (issue 16 build 4). Imports go through the shared `POST /api/v1/imports/department_trainings`."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from jixing.core.api_contract import Year
from jixing.core.permissions import AuthedRequest, require_api_roles

from . import intake_queries, rollup
from .api import _scope_and_year
from .intake_views import INTAKE_ROLES

router = Router(tags=["stats"])


class RecordOut(Schema):
    id: int
    department: str
    name: str
    masked_id_number: str
    programme: str
    occupation: str
    fund_source: str
    county: str
    start_date: dt.date
    end_date: dt.date
    status: str
    duplicate_reason: str
    lines: list[str]


class BreakdownOut(Schema):
    code: str
    name: str
    count: int


class BreakdownsOut(Schema):
    fund_sources: list[BreakdownOut]
    departments: list[BreakdownOut]


@router.get("/records", response=list[RecordOut])
def records(request: AuthedRequest, status: str = "", limit: int = 100, offset: int = 0) -> list[RecordOut]:
    require_api_roles(request, *INTAKE_ROLES)
    qs = intake_queries.department_trainings(request.user, status=status)[max(0, offset): max(0, offset) + min(max(limit, 1), 500)]
    return [RecordOut(
        id=r.pk, department=r.department.short_name, name=r.name, masked_id_number=r.masked_id_number,
        programme=r.programme, occupation=r.occupation.name, fund_source=r.fund_source.code, county=r.county_id,
        start_date=r.start_date, end_date=r.end_date, status=r.status, duplicate_reason=r.duplicate_reason,
        lines=r.line_codes if r.status == "counted" else [],
    ) for r in qs]


@router.get("/breakdown", response=BreakdownsOut)
def breakdown(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> BreakdownsOut:
    scope, year = _scope_and_year(request, region, year)
    rollup.refresh()
    return BreakdownsOut(
        fund_sources=[BreakdownOut(**r) for r in intake_queries.fund_source_breakdown(scope, year=year)],
        departments=[BreakdownOut(**r) for r in intake_queries.department_breakdown(scope, year=year)],
    )

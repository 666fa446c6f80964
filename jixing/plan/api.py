"""Plan API: the ten actions with their departments and the targets with their source
sentences and city allocations. The policy is public knowledge: every signed-in role may read it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from jixing.core.permissions import ANY_ROLE, require_api_roles

from . import queries
from .models import Action, Target

router = Router(tags=["plan"])


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str


class ActionOut(Schema):
    number: int
    code: str
    name: str
    summary: str
    departments: list[DepartmentOut]

    @staticmethod
    def resolve_departments(obj: Action) -> list[Any]:
        return list(obj.departments.all())


class TargetAllocationOut(Schema):
    city: str = Field(description="GB/T 2260 city code.")
    year: int | None = Field(description="Null for the whole period.")
    value: Decimal


class TargetOut(Schema):
    code: str
    action: int | None = Field(description="Action number, null for overall targets.")
    name: str
    unit: str
    value: Decimal
    period: str
    comparison: str
    seed_quote: str
    allocations: list[TargetAllocationOut]

    @staticmethod
    def resolve_action(obj: Target) -> int | None:
        return obj.action.number if obj.action else None

    @staticmethod
    def resolve_allocations(obj: Target) -> list[dict[str, Any]]:
        return [{"city": a.city_id, "year": a.year, "value": a.value} for a in obj.allocations.all()]


@router.get("/actions", response=list[ActionOut])
def list_actions(request: HttpRequest) -> Any:
    require_api_roles(request, ANY_ROLE)
    return queries.actions_with_departments()


@router.get("/targets", response=list[TargetOut])
def list_targets(request: HttpRequest) -> Any:
    require_api_roles(request, ANY_ROLE)
    return Target.objects.select_related("action").prefetch_related("allocations").order_by("id")


from .chains_api import router as chains_router  # noqa: E402

router.add_router("/", chains_router)

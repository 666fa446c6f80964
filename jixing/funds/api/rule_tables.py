"""Rule tables API: list, publish, compute a subsidy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from jixing.accounts.models import Role
from jixing.core.permissions import require_api_roles
from jixing.registry.models import Occupation, Region, SkillLevel, TargetGroup

from .. import actions, queries, rules
from ..models import SubsidyRuleTable
from ..queries import RULE_READERS
from .claims import ReasonOut
from .common import router

# ---------------------------------------------------------------- rules


class RateIn(Schema):
    item: str = Field(max_length=30)
    amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    payee_kind: str = Field("", max_length=20)
    certificate_type: str = Field("", max_length=20)
    level: int | None = Field(None, ge=1, le=8)
    occupation: str | None = Field(None, max_length=60, description="occupation key")
    target_group: str | None = Field(None, max_length=40, description="target group code")
    note: str = Field("", max_length=200)


class UpliftIn(Schema):
    kind: str = Field(max_length=20)
    item: str = Field("", max_length=30)
    target_group: str | None = Field(None, max_length=40)
    percent: Decimal = Field(Decimal("0"), ge=0, le=200, max_digits=5, decimal_places=2)
    fixed_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    note: str = Field("", max_length=200)


class RuleTableIn(Schema):
    city: str = Field(max_length=6)
    valid_from: dt.date
    name: str = Field(max_length=150)
    basis: str = Field("", max_length=200)
    public_notice_days: int = Field(7, ge=0, le=60)
    rates: list[RateIn] = Field(min_length=1, max_length=500)
    uplifts: list[UpliftIn] = Field(default_factory=list, max_length=100)
    shortage_occupations: list[str] = Field(default_factory=list, max_length=500, description="occupation keys")


class RuleTableOut(Schema):
    id: int
    city: str
    version: int
    valid_from: dt.date
    name: str
    rates: int
    uplifts: int

    @staticmethod
    def resolve_city(obj: SubsidyRuleTable) -> str:
        return obj.city_id

    @staticmethod
    def resolve_rates(obj: SubsidyRuleTable) -> int:
        return obj.rates.count()

    @staticmethod
    def resolve_uplifts(obj: SubsidyRuleTable) -> int:
        return obj.uplifts.count()


def _lookup(model: Any, field: str, value: str | int | None, name: str) -> Any:
    if value in (None, ""):
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise ValidationError({name: _("Unknown value: %(value)s") % {"value": value}})
    return found


@router.get("/rules", response=list[RuleTableOut])
def list_rule_tables(request: HttpRequest, city: str = "") -> Any:
    require_api_roles(request, *RULE_READERS)
    return list(queries.rule_tables_for(request.user, city=city)[:500])


@router.post("/rules", response={201: RuleTableOut})
def publish_rule_table(request: HttpRequest, payload: RuleTableIn) -> Any:
    """Publish a new version of a city's subsidy standards (city or provincial HRSS officers).
    Earlier versions stay as they are; claims use the version in force on their date."""
    require_api_roles(request, Role.HRSS_OFFICER)
    city = _lookup(Region, "code", payload.city, "city")
    rates = [{
        "item": r.item, "amount": r.amount, "payee_kind": r.payee_kind, "certificate_type": r.certificate_type,
        "level": _lookup(SkillLevel, "order", r.level, "level"), "occupation": _lookup(Occupation, "key", r.occupation, "occupation"),
        "target_group": _lookup(TargetGroup, "code", r.target_group, "target_group"), "note": r.note,
    } for r in payload.rates]
    uplifts = [{
        "kind": u.kind, "item": u.item, "target_group": _lookup(TargetGroup, "code", u.target_group, "target_group"),
        "percent": u.percent, "fixed_amount": u.fixed_amount, "note": u.note,
    } for u in payload.uplifts]
    shortage = [_lookup(Occupation, "key", key, "shortage_occupations") for key in payload.shortage_occupations]
    table = actions.publish_rule_table(
        by=request.user, city=city, valid_from=payload.valid_from, name=payload.name, basis=payload.basis,
        public_notice_days=payload.public_notice_days, rates=rates, uplifts=uplifts, shortage_occupations=shortage,
    )
    return Status(201, table)


class ComputeIn(Schema):
    city: str = Field(max_length=6, description="city code, e.g. 370100")
    item: str = Field(max_length=30)
    payee_kind: str = Field(max_length=20)
    certificate_type: str = Field("", max_length=20)
    level: int | None = Field(None, ge=1, le=8, description="SkillLevel order 1..8")
    occupation: str | None = Field(None, max_length=60, description="occupation key")
    target_groups: list[str] = Field(default_factory=list, max_length=20)
    employed_within_6_months: bool | None = None
    on_date: dt.date | None = None


class ComputeOut(Schema):
    eligible: bool
    amount: Decimal
    rule_version: int | None
    reasons: list[ReasonOut]


@router.post("/rules/compute", response=ComputeOut)
def compute(request: HttpRequest, payload: ComputeIn) -> Any:
    """What the city's standard in force on ``on_date`` gives for a case, with the reasoning."""
    require_api_roles(request, *RULE_READERS)
    table = queries.table_in_force(payload.city, payload.on_date or timezone.localdate())
    case = rules.SubsidyCase(
        item=payload.item, payee_kind=payload.payee_kind, certificate_type=payload.certificate_type, level=payload.level,
        occupation=payload.occupation, target_groups=frozenset(payload.target_groups),
        employed_within_6_months=payload.employed_within_6_months,
    )
    with translation.override(translation.get_language() or "zh-hans"):
        decision = rules.compute_subsidy(queries.rule_table_data(table) if table else None, case)
    return {"eligible": decision.eligible, "amount": decision.amount, "rule_version": decision.table_version,
            "reasons": decision.reasons_json()}

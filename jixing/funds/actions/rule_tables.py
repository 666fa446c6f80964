"""Subsidy rule tables: publish and copy a city's versioned table (鲁人社字〔2025〕37号 leaves amounts to cities)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.money import yuan
from jixing.registry.models import Occupation, Region, RegionLevel

from ..models import SubsidyRate, SubsidyRuleTable, SubsidyUplift
from .common import _in_scope, _user_level

RATE_FIELDS = ("item", "payee_kind", "certificate_type", "level", "occupation", "target_group", "amount", "note")
UPLIFT_FIELDS = ("kind", "item", "target_group", "percent", "fixed_amount", "note")


def _require_rule_maker(user: Any, city: Region | None) -> Region:
    if city is None or city.level != RegionLevel.CITY:  # the API passes None for an empty code
        raise ValidationError({"city": _("Subsidy standards are set per city.")})
    if getattr(user, "role", None) != Role.HRSS_OFFICER or _user_level(user) not in (RegionLevel.CITY, RegionLevel.PROVINCE):
        raise PermissionDenied(_("Only a city (or provincial) HRSS officer may publish subsidy standards."))
    if not _in_scope(user, city.code):
        raise PermissionDenied(_("Only a city (or provincial) HRSS officer may publish subsidy standards."))
    return city


def publish_rule_table(
    *, by: Any, city: Region | None, valid_from: dt.date, name: str, basis: str = "", public_notice_days: int = 7,
    rates: Iterable[Mapping[str, Any]] = (), uplifts: Iterable[Mapping[str, Any]] = (),
    shortage_occupations: Iterable[Occupation] = (),
    education_enrolled_from: dt.date | None = None, education_tuition_cap: bool = False,
) -> SubsidyRuleTable:
    """A new version of a city's standards. Earlier versions stay as they were. 求学圆梦's
    start date defaults to 2024-09-01 (the 2025 notices) and pays without a tuition cap."""
    city = _require_rule_maker(by, city)
    if not 0 <= int(public_notice_days) <= 60:
        raise ValidationError({"public_notice_days": _("Between 0 and 60 days.")})
    if SubsidyRuleTable.objects.filter(city=city, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("A version starting on this day already exists; choose another day.")})
    with transaction.atomic():
        last = SubsidyRuleTable.objects.select_for_update().filter(city=city).order_by("-version").first()
        table = SubsidyRuleTable.objects.create(
            city=city, version=(last.version + 1) if last else 1, valid_from=valid_from, name=name[:150] or city.name,
            basis=basis[:200], public_notice_days=int(public_notice_days), created_by=by,
        )
        for row in rates:
            rate = SubsidyRate(table=table, **{k: row[k] for k in RATE_FIELDS if k in row})
            rate.amount = yuan(rate.amount)
            rate.full_clean(exclude=["table"])
            rate.save()
        for row in uplifts:
            uplift = SubsidyUplift(table=table, **{k: row[k] for k in UPLIFT_FIELDS if k in row})
            uplift.full_clean(exclude=["table"])
            uplift.save()
        table.shortage_occupations.set(list(shortage_occupations))
        if education_enrolled_from is not None or education_tuition_cap:
            table.education_enrolled_from = education_enrolled_from or table.education_enrolled_from
            table.education_tuition_cap = bool(education_tuition_cap)
            table.save(update_fields=["education_enrolled_from", "education_tuition_cap", "updated_at"])
        audit.record("funds.rule_table.publish", actor=by, obj=table,
                     after={"city": city.code, "version": table.version, "valid_from": valid_from.isoformat(),
                            "rates": table.rates.count(), "uplifts": table.uplifts.count()})
    return table


def copy_rule_table(table: SubsidyRuleTable, *, by: Any, valid_from: dt.date, name: str = "", basis: str = "") -> SubsidyRuleTable:
    """A new version that starts as a copy of ``table`` (then adjusted in the admin or API
    before any claim uses it)."""
    rates = [{k: getattr(r, k) for k in RATE_FIELDS} for r in table.rates.all()]
    uplifts = [{k: getattr(u, k) for k in UPLIFT_FIELDS} for u in table.uplifts.all()]
    return publish_rule_table(
        by=by, city=table.city, valid_from=valid_from, name=name or table.name, basis=basis or table.basis,
        public_notice_days=table.public_notice_days, rates=rates, uplifts=uplifts,
        shortage_occupations=list(table.shortage_occupations.all()),
        education_enrolled_from=table.education_enrolled_from, education_tuition_cap=table.education_tuition_cap,
    )


def _mark_tables_used(table_ids: Iterable[int]) -> None:
    ids = [i for i in set(table_ids) if i]
    if ids:
        SubsidyRuleTable.objects.filter(pk__in=ids, first_used_at__isnull=True).update(first_used_at=timezone.now())

"""Writes of school programmes (seed 一(八)): 预备技师（技师）班, "短平快" programmes and the
职业训练院 designation. A provider's own staff keep its programmes; the HRSS officer of the
school's region (or above) designates a training college."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.roles import Role
from jixing.registry.models import Organisation, OrganisationKind

from . import rules
from .schools import SchoolProgramme, TrainingCollegeDesignation

PROGRAMME_FIELDS = ("kind", "name", "occupation", "level", "cohort_year", "cohort_size", "duration_days",
                    "full_time", "in_enrolment_plan", "target_group")


def _require_own_staff(user: Any, provider: Organisation) -> None:
    if getattr(user, "role", None) != Role.INSTITUTION or getattr(user, "organisation_id", None) != provider.pk:
        raise PermissionDenied(_("Only the school's own staff may keep its programmes."))


def _check(provider: Organisation, values: Mapping[str, Any]) -> None:
    decision = rules.check_programme(rules.ProgrammeFacts(
        kind=values["kind"], provider_kind=provider.kind, level_order=values["level"].order,
        duration_days=values["duration_days"], full_time=values["full_time"],
        in_enrolment_plan=values["in_enrolment_plan"],
    ))
    if not decision.ok:
        raise ValidationError({"__all__": list(decision.reasons)})


def _snapshot(programme: SchoolProgramme) -> dict[str, str]:
    return {key: str(getattr(programme, key)) for key in PROGRAMME_FIELDS}


def save_programme(*, by: Any, provider: Organisation, data: Mapping[str, Any],
                   programme: SchoolProgramme | None = None) -> SchoolProgramme:
    _require_own_staff(by, provider)
    values = {key: data[key] for key in PROGRAMME_FIELDS if key in data}
    if programme is not None:
        if programme.provider_id != provider.pk or programme.is_archived:
            raise ValidationError(_("An archived programme cannot be changed."))
        values = {**{key: getattr(programme, key) for key in PROGRAMME_FIELDS}, **values}
    _check(provider, values)
    with transaction.atomic():
        before = _snapshot(programme) if programme is not None else {}
        target = programme or SchoolProgramme(provider=provider)
        for key, value in values.items():
            setattr(target, key, value)
        target.full_clean()
        target.save()
        after = _snapshot(target)
        audit.record("bases.programme.saved", actor=by, obj=target,
                     before={k: v for k, v in before.items() if after.get(k) != v} or None,
                     after={k: v for k, v in after.items() if before.get(k) != v})
    return target


def archive_programme(programme: SchoolProgramme, *, by: Any, reason: str) -> SchoolProgramme:
    _require_own_staff(by, programme.provider)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        programme.archived_at, programme.archived_by, programme.archive_reason = timezone.now(), by, reason.strip()
        programme.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
        audit.record("bases.programme.archived", actor=by, obj=programme, detail={"reason": reason.strip()})
    return programme


def designate_training_college(*, by: Any, school: Organisation, name: str, designated_on: dt.date,
                               document: str) -> TrainingCollegeDesignation:
    """一(八) "支持有条件的技工院校建设职业训练院": the HRSS officer of the school's region records it."""
    if getattr(by, "role", None) != Role.HRSS_OFFICER or not Organisation.objects.visible_to(by).filter(pk=school.pk).exists():
        raise PermissionDenied(_("Only an HRSS officer of the school's region may designate a training college."))
    if school.kind != OrganisationKind.TECHNICAL_SCHOOL:
        raise ValidationError({"school": [_("Only a technical school may be designated a training college.")]})
    if not name.strip() or not document.strip():
        raise ValidationError({"document": [_("Give the name and the decision's document number.")]})
    if TrainingCollegeDesignation.objects.filter(school=school).exists():
        raise ValidationError({"school": [_("This school is already designated.")]})
    with transaction.atomic():
        designation = TrainingCollegeDesignation.objects.create(
            school=school, name=name.strip(), designated_on=designated_on, document=document.strip(), designated_by=by)
        audit.record("bases.training_college.designated", actor=by, obj=designation,
                     after={"school": school.pk, "document": designation.document})
    return designation

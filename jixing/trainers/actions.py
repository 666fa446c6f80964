"""Trainer and 马兰花 writes. Atomic, keyword-only ``by``, one audit row each; refusals are
``ValidationError`` (with the field named) or ``PermissionDenied``.

Who: an institution registers its own trainers, their qualifications and training records; the
provincial HRSS office runs the competitions and accredits 马兰花 trainers and course versions;
an HRSS officer (own region) or the organising institution records 马兰花 activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.access import code_within
from jixing.core.numbering import save_with_serial
from jixing.core.workflow import move
from jixing.evaluation.engineer_models import EngineerCertificate
from jixing.evaluation.models import Certificate
from jixing.registry.models import Organisation, Person, Region
from jixing.training.models import Teacher

from . import rules
from .models import (
    AccreditationStatus,
    Competition,
    CompetitionEntry,
    MalanhuaAccreditation,
    MalanhuaActivity,
    MalanhuaCourseVersion,
    TrainerCategory,
    TrainerProfile,
    TrainerQualification,
    TrainerTrainingRecord,
)

PROVINCE_REGION = "370000"
ACCREDITATION_YEARS = 3  # assumption (docs/trainers.md): a 马兰花 accreditation runs three years


def _require_institution(by: Any, organisation_id: int | None = None) -> None:
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions register their trainers."))
    if organisation_id is not None and by.organisation_id != organisation_id:
        raise PermissionDenied


def _require_province(by: Any) -> None:
    if getattr(by, "role", None) != Role.HRSS_OFFICER or getattr(by, "region_id", None) != PROVINCE_REGION:
        raise PermissionDenied(_("Only the provincial HRSS office does this."))


# ------------------------------------------------------------------ profiles


def register_trainer(*, by: Any, person: Person, category: str) -> TrainerProfile:
    """The institution registers a teacher as a trainer (the ``training.Teacher`` is made if new)."""
    _require_institution(by)
    if category not in TrainerCategory.values:
        raise ValidationError({"category": [_("Unknown trainer category.")]})
    with transaction.atomic():
        if TrainerProfile.objects.filter(organisation_id=by.organisation_id, person=person).exists():
            raise ValidationError({"id_number": [_("%(name)s is already registered with your institution.")
                                                 % {"name": person.name}]})
        teacher, created = Teacher.objects.get_or_create(organisation_id=by.organisation_id, person=person)
        if created:
            audit.record("training.teacher.add", actor=by, obj=teacher)
        profile = TrainerProfile.objects.create(organisation_id=by.organisation_id, person=person, teacher=teacher,
                                                category=category, registered_by=by)
        audit.record("trainers.profile.register", actor=by, obj=profile,
                     after={"person": person.masked_id_number, "category": category})
    return profile


def archive_trainer(profile: TrainerProfile, *, by: Any, reason: str) -> TrainerProfile:
    _require_institution(by, profile.organisation_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    with transaction.atomic():
        profile = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.archived_at is not None:
            raise ValidationError(_("The trainer is already archived."))
        profile.archived_at, profile.archive_reason = timezone.now(), reason[:300]
        profile.save(update_fields=["archived_at", "archive_reason", "updated_at"])
        audit.record("trainers.profile.archive", actor=by, obj=profile, detail={"reason": reason[:300]})
    return profile


def add_qualification(profile: TrainerProfile, *, by: Any, number: str) -> TrainerQualification:
    """Link a certificate by its number; verified on entry: it exists, is valid and is the trainer's."""
    _require_institution(by, profile.organisation_id)
    number = (number or "").strip()
    cert = Certificate.objects.filter(number=number).first()
    engineer = None if cert else EngineerCertificate.objects.filter(number=number).first()
    found = cert or engineer
    if found is None:
        raise ValidationError({"number": [_("No certificate has number %(number)s.") % {"number": number[:40]}]})
    if found.person_id != profile.person_id:
        raise ValidationError({"number": [_("Certificate %(number)s is not held by %(name)s.")
                                          % {"number": number, "name": profile.person.name}]})
    if found.status != "valid":
        raise ValidationError({"number": [_("Certificate %(number)s is revoked.") % {"number": number}]})
    with transaction.atomic():
        if TrainerQualification.objects.filter(profile=profile, certificate=cert, engineer_certificate=engineer).exists():
            raise ValidationError({"number": [_("Certificate %(number)s is already linked.") % {"number": number}]})
        qualification = TrainerQualification.objects.create(profile=profile, certificate=cert,
                                                            engineer_certificate=engineer,
                                                            verified_at=timezone.now(), added_by=by)
        audit.record("trainers.qualification.add", actor=by, obj=qualification, after={"number": number})
    return qualification


def record_trainer_training(profile: TrainerProfile, *, by: Any, course: str, provider: str, hours: Decimal,
                            started_on: dt.date, ended_on: dt.date) -> TrainerTrainingRecord:
    _require_institution(by, profile.organisation_id)
    errors: dict[str, list[str]] = {}
    if not (course or "").strip():
        errors["course"] = [_("Give the course.")]
    if not (provider or "").strip():
        errors["provider"] = [_("Give the provider.")]
    if not Decimal("0") < Decimal(hours) <= Decimal("2000"):
        errors["hours"] = [_("Hours must be more than 0 and at most 2000.")]
    if ended_on < started_on:
        errors["ended_on"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = TrainerTrainingRecord.objects.create(profile=profile, course=course.strip()[:200],
                                                      provider=provider.strip()[:200], hours=hours,
                                                      started_on=started_on, ended_on=ended_on, recorded_by=by)
        audit.record("trainers.training.record", actor=by, obj=record,
                     after={"course": record.course, "hours": str(hours)})
    return record


# ------------------------------------------------------------------ competitions


def create_competition(*, by: Any, name: str, category: str, tier: str, held_on: dt.date,
                       organiser: str) -> Competition:
    _require_province(by)
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the name.")]})
    with transaction.atomic():
        if Competition.objects.filter(name=name.strip(), held_on=held_on).exists():
            raise ValidationError({"name": [_("This competition is already recorded.")]})
        competition = Competition(name=name.strip()[:200], category=category, tier=tier, held_on=held_on,
                                  organiser=(organiser or "").strip()[:200], created_by=by)
        competition.full_clean()
        competition.save()
        audit.record("trainers.competition.create", actor=by, obj=competition,
                     after={"category": category, "tier": tier, "held_on": str(held_on)})
    return competition


def record_result(competition: Competition, *, by: Any, profile: TrainerProfile, award: str,
                  rank: int | None = None) -> CompetitionEntry:
    """Record a trainer's result; the grade rule (rules.grade_after_result) may raise the grade."""
    _require_province(by)
    if competition.results_closed:
        raise ValidationError(_("The results of this competition are closed."))
    with transaction.atomic():
        profile = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
        if CompetitionEntry.objects.filter(competition=competition, profile=profile).exists():
            raise ValidationError({"profile": [_("%(name)s already has a result in this competition.")
                                               % {"name": profile.person.name}]})
        decision = rules.grade_after_result(grade=profile.grade, trainer_category=profile.category,
                                            competition_category=competition.category, tier=competition.tier,
                                            award=award)
        entry = CompetitionEntry(competition=competition, profile=profile, rank=rank, award=award,
                                 grade_before=decision.grade_before, grade_after=decision.grade_after,
                                 decision=list(decision.reasons), recorded_by=by)
        entry.full_clean(exclude=["competition", "profile"])
        entry.save()
        if decision.raised:
            profile.grade = decision.grade_after
            profile.save(update_fields=["grade", "updated_at"])
        audit.record("trainers.competition.result", actor=by, obj=entry, before={"grade": decision.grade_before},
                     after={"award": award, "grade": decision.grade_after})
    return entry


# ------------------------------------------------------------------ 马兰花


def accredit_malanhua(profile: TrainerProfile, *, by: Any, accredited_on: dt.date) -> MalanhuaAccreditation:
    """Accredit a trainer for the 马兰花 courses: an entrepreneurship mentor with a verified qualification."""
    _require_province(by)
    errors = []
    if profile.category != TrainerCategory.ENTREPRENEURSHIP:
        errors.append(_("Only entrepreneurship mentors are accredited for 马兰花."))
    if not profile.is_active:
        errors.append(_("The trainer profile is archived."))
    if not profile.qualifications.exists():
        errors.append(_("The trainer has no verified qualification."))
    if errors:
        raise ValidationError(errors)
    valid_to = accredited_on.replace(year=accredited_on.year + ACCREDITATION_YEARS)
    with transaction.atomic():
        if MalanhuaAccreditation.objects.active().filter(profile=profile).exists():
            raise ValidationError(_("%(name)s is already accredited.") % {"name": profile.person.name})
        accreditation = MalanhuaAccreditation(profile=profile, accredited_on=accredited_on, valid_to=valid_to,
                                              accredited_by=by)
        save_with_serial(accreditation, "number", f"MLH{accredited_on.year}", width=5)
        audit.record("trainers.malanhua.accredit", actor=by, obj=accreditation,
                     after={"number": accreditation.number, "valid_to": str(valid_to)})
    return accreditation


def revoke_malanhua(accreditation: MalanhuaAccreditation, *, by: Any, reason: str) -> MalanhuaAccreditation:
    _require_province(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    with transaction.atomic():
        accreditation = MalanhuaAccreditation.objects.select_for_update().get(pk=accreditation.pk)
        accreditation.revoked_reason = reason[:300]
        accreditation.save(update_fields=["revoked_reason", "updated_at"])
        move(accreditation, AccreditationStatus.REVOKED, by=by, reason=reason[:300], event="trainers.malanhua.revoke")
    return accreditation


def add_course_version(*, by: Any, course: str, version: str, hours: int, released_on: dt.date, stage: str = "",
                       changes: str = "") -> MalanhuaCourseVersion:
    _require_province(by)
    with transaction.atomic():
        if MalanhuaCourseVersion.objects.filter(course=course.strip(), version=version.strip()).exists():
            raise ValidationError({"version": [_("This version of the course is already recorded.")]})
        row = MalanhuaCourseVersion(course=course.strip()[:120], version=version.strip()[:20], hours=hours,
                                    released_on=released_on, stage=stage.strip()[:120], changes=changes.strip(),
                                    created_by=by)
        row.full_clean()
        row.save()
        audit.record("trainers.malanhua.course_version", actor=by, obj=row,
                     after={"course": row.course, "version": row.version, "hours": hours})
    return row


def record_activity(*, by: Any, kind: str, title: str, county: Region, held_on: dt.date, person_times: int,
                    trainers: Iterable[TrainerProfile], course_version: MalanhuaCourseVersion | None = None,
                    organiser: Organisation | None = None) -> MalanhuaActivity:
    """A 创业训练营 or 创培在身边 activity with its person-times; its trainers must hold an active
    马兰花 accreditation valid on the day."""
    role = getattr(by, "role", None)
    if role == Role.INSTITUTION:
        organiser = Organisation.objects.get(pk=by.organisation_id)
    elif role == Role.HRSS_OFFICER:
        if not by.region_id or not Region.objects.filter(code_within("code", by.region_id), pk=county.pk).exists():
            raise PermissionDenied
    else:
        raise PermissionDenied
    trainers = list(trainers)
    errors: dict[str, list[str]] = {}
    if not trainers:
        errors["trainers"] = [_("Name at least one accredited trainer.")]
    accredited = set(MalanhuaAccreditation.objects.active()
                     .filter(profile__in=trainers, accredited_on__lte=held_on, valid_to__gte=held_on)
                     .values_list("profile_id", flat=True))
    missing = [t.person.name for t in trainers if t.pk not in accredited]
    if missing:
        errors["trainers"] = [_("Not accredited for 马兰花 on the day: %(names)s.") % {"names": "、".join(missing)}]
    if not 1 <= person_times <= 100000:
        errors["person_times"] = [_("Person-times must be from 1 to 100000.")]
    if not (title or "").strip():
        errors["title"] = [_("Give the title.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = MalanhuaActivity.objects.create(kind=kind, title=title.strip()[:200], county=county,
                                                   organiser=organiser, held_on=held_on, person_times=person_times,
                                                   course_version=course_version, recorded_by=by)
        activity.trainers.set(trainers)
        audit.record("trainers.malanhua.activity", actor=by, obj=activity,
                     after={"kind": kind, "person_times": person_times, "county": county.pk})
    return activity

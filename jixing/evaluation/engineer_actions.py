"""Writes of the 数字技术工程师 ladder: sessions, candidates, scores, the officer's lock that issues
the certificates. Atomic, keyword-only ``by``, one audit row each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.numbering import save_with_serial
from jixing.core.workflow import move
from jixing.registry.models import Organisation, OrganisationKind, Person
from jixing.training.models import Enrollment

from . import engineer_rules
from .engineer_models import (
    ENGINEER_LEVEL_ORDER,
    DigitalField,
    EngineerCandidate,
    EngineerCertificate,
    EngineerLevel,
    EngineerSession,
    EngineerSessionStatus,
)

# Assessment sites are evaluation bodies or colleges named by 人社部 (考核站点); assumption: the
# kinds an evaluation body, a vocational college or a technical school are recorded as.
SITE_KINDS = frozenset({OrganisationKind.EVALUATION_INSTITUTION, OrganisationKind.VOCATIONAL_COLLEGE,
                        OrganisationKind.TECHNICAL_SCHOOL})


def _require_site_member(by: Any, organisation_id: int) -> None:
    if getattr(by, "role", None) not in (Role.EVALUATOR, Role.INSTITUTION) or by.organisation_id != organisation_id:
        raise PermissionDenied


def held_engineer_order(person_id: int, field_id: int) -> int | None:
    levels = (EngineerCertificate.objects.valid().filter(person_id=person_id, field_id=field_id)
              .values_list("level", flat=True))
    orders = [ENGINEER_LEVEL_ORDER[EngineerLevel(level)] for level in levels]
    return max(orders) if orders else None


def create_engineer_session(*, by: Any, organisation: Organisation, field: DigitalField, level: str,
                            date: dt.date, site: str) -> EngineerSession:
    _require_site_member(by, organisation.pk)
    errors: dict[str, list[str]] = {}
    if organisation.kind not in SITE_KINDS:
        errors.setdefault("organisation", []).append(_("Only an evaluation body or a college can be an assessment site."))
    if level not in EngineerLevel.values:
        errors.setdefault("level", []).append(_("Unknown engineer level."))
    if not (site or "").strip():
        errors.setdefault("site", []).append(_("Give the site."))
    if errors:
        raise ValidationError(errors)
    session = EngineerSession(organisation=organisation, field=field, level=level, date=date,
                              site=site.strip()[:200], created_by=by)
    with transaction.atomic():
        save_with_serial(session, "code", f"GCS-{date.year}-", width=5)
        audit.record("evaluation.engineer_session.create", actor=by, obj=session,
                     after={"field": field.key, "level": level, "date": str(date)})
    return session


def add_engineer_candidate(session: EngineerSession, *, by: Any, person: Person,
                           enrollment: Enrollment | None = None) -> EngineerCandidate:
    _require_site_member(by, session.organisation_id)
    if enrollment is not None and enrollment.person_id != person.pk:
        raise ValidationError({"enrollment": [_("The enrollment belongs to another person.")]})
    with transaction.atomic():
        session = EngineerSession.objects.select_for_update().get(pk=session.pk)
        decision = engineer_rules.check_engineer_candidacy(engineer_rules.EngineerCandidacyFacts(
            level_order=ENGINEER_LEVEL_ORDER[EngineerLevel(session.level)],
            held_order=held_engineer_order(person.pk, session.field_id),
            session_open=session.status == EngineerSessionStatus.PLANNED,
        ))
        if not decision.ok:
            raise ValidationError(decision.reasons)
        if EngineerCandidate.objects.filter(session=session, person=person).exists():
            raise ValidationError(_("%(name)s is already a candidate of this session.") % {"name": person.name})
        candidate = EngineerCandidate.objects.create(session=session, person=person, enrollment=enrollment,
                                                     conditions=decision.as_json(), added_by=by)
        audit.record("evaluation.engineer_candidate.add", actor=by, obj=candidate,
                     after={"session": session.code, "person": person.masked_id_number})
    return candidate


def record_engineer_score(candidate: EngineerCandidate, *, by: Any, score: Decimal | str) -> EngineerCandidate:
    _require_site_member(by, candidate.session.organisation_id)
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": [_("Enter a score from 0 to 100.")]}) from None
    if not value.is_finite() or not Decimal("0") <= value <= Decimal("100"):
        raise ValidationError({"score": [_("Enter a score from 0 to 100.")]})
    with transaction.atomic():
        candidate = EngineerCandidate.objects.select_for_update().select_related("session").get(pk=candidate.pk)
        if candidate.session.status != EngineerSessionStatus.PLANNED:
            raise ValidationError(_("The session is locked: scores can no longer change."))
        before = {"score": str(candidate.score) if candidate.score is not None else None}
        candidate.score = value.quantize(Decimal("0.01"))
        candidate.passed = engineer_rules.engineer_passed(candidate.score)
        candidate.save(update_fields=["score", "passed", "updated_at"])
        audit.record("evaluation.engineer_candidate.score", actor=by, obj=candidate, before=before,
                     after={"score": str(candidate.score), "passed": candidate.passed})
    return candidate


def lock_engineer_session(session: EngineerSession, *, by: Any) -> list[EngineerCertificate]:
    """An HRSS officer of the site's region reviews the scores and locks the session; every
    passed candidate receives the certificate (maker ≠ checker)."""
    if getattr(by, "role", None) != Role.HRSS_OFFICER or not EngineerSession.objects.visible_to(by).filter(pk=session.pk).exists():
        raise PermissionDenied
    if session.created_by_id == by.pk:
        raise PermissionDenied(_("The creator of the session cannot also review it."))
    issued: list[EngineerCertificate] = []
    with transaction.atomic():
        session = EngineerSession.objects.select_for_update().get(pk=session.pk)
        candidates = list(session.candidates.select_related("person"))
        if session.status == EngineerSessionStatus.PLANNED and any(c.score is None for c in candidates):
            raise ValidationError(_("Enter every candidate's score before the lock."))
        move(session, EngineerSessionStatus.LOCKED, by=by, event="evaluation.engineer_session.lock")
        session.reviewed_by = by
        session.reviewed_at = timezone.now()
        session.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
        today = timezone.localdate()
        for candidate in candidates:
            if not candidate.passed:
                continue
            cert = EngineerCertificate(person=candidate.person, field=session.field, level=session.level,
                                       session=session, candidate=candidate, issued_on=today)
            save_with_serial(cert, "number", f"SZGCS{today.year}{session.field_id:02d}", width=6)
            issued.append(cert)
    return issued


def cancel_engineer_session(session: EngineerSession, *, by: Any, reason: str) -> EngineerSession:
    _require_site_member(by, session.organisation_id)
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason."))
    with transaction.atomic():
        session = EngineerSession.objects.select_for_update().get(pk=session.pk)
        move(session, EngineerSessionStatus.CANCELLED, by=by, reason=reason.strip()[:300],
             event="evaluation.engineer_session.cancel")
    return session


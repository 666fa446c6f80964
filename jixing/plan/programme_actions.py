"""Writes for named programmes' self-arranged training (自主参训, seed 一(五)): a young trainee
records a course they arranged themselves, with evidence; an HRSS officer of their county's
region approves or rejects it; on approval the claim decision is computed from the city's rule
in force on the last training day and stored with its reasons (funds reads it to pay)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.attachments import check_upload, store_upload
from jixing.core.workflow import move
from jixing.registry.models import Occupation, Person

from .access import can_review
from .chain_rules import CityRuleFacts, SelfTrainingFacts, self_training_claim
from .programme_models import Programme, SelfArrangedTraining, SelfTrainingCityRule, SelfTrainingStatus

REASON_MIN = 5


def city_rule_on(city_code: str, day: dt.date) -> SelfTrainingCityRule | None:
    return (SelfTrainingCityRule.objects.filter(city_id=city_code, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from").first())


def _parse(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for field, label in (("provider", _("training provider")), ("course", _("course"))):
        value = str(data.get(field) or "").strip()
        if not value:
            errors[field] = [_("Enter the %(field)s.") % {"field": label}]
        out[field] = value[:120]
    for field in ("starts_on", "ends_on"):
        raw: Any = data.get(field)
        if isinstance(raw, str):
            try:
                raw = dt.date.fromisoformat(raw)
            except ValueError:
                raw = None
        if not isinstance(raw, dt.date):
            errors[field] = [_("Enter a date as YYYY-MM-DD.")]
        out[field] = raw
    if isinstance(out.get("starts_on"), dt.date) and isinstance(out.get("ends_on"), dt.date):
        if out["ends_on"] < out["starts_on"]:
            errors["ends_on"] = [_("The last training day cannot be before the first.")]
        if out["ends_on"] > timezone.localdate():
            errors["ends_on"] = [_("Record a training once it has ended.")]
    try:
        out["hours"] = int(data.get("hours") or 0)
    except (TypeError, ValueError):
        out["hours"] = 0
    if out["hours"] <= 0:
        errors["hours"] = [_("Enter the training hours (a whole number above zero).")]
    try:
        out["fee"] = Decimal(str(data.get("fee", ""))).quantize(Decimal("0.01"))
        if out["fee"] < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["fee"] = [_("Enter the fee paid in yuan (0 or more, at most two decimals).")]
    out["certificate_number"] = str(data.get("certificate_number") or "").strip()[:60]
    out["occupation"] = data.get("occupation") if isinstance(data.get("occupation"), Occupation) else None
    out["programme"] = data.get("programme") if isinstance(data.get("programme"), Programme) else None
    if errors:
        raise ValidationError(errors)
    return out


def submit_self_training(*, by: Any, data: dict[str, Any], evidence: UploadedFile | None) -> SelfArrangedTraining:
    """The trainee files their own record (seed 一(五): 青年……自主参加技能培训)."""
    if getattr(by, "role", None) != Role.TRAINEE or not getattr(by, "person_id", None):
        raise PermissionDenied(_("A trainee records their own self-arranged training."))
    person = Person.objects.get(pk=by.person_id)
    values = _parse(data)
    check_upload(evidence, field="evidence")
    assert evidence is not None
    if SelfArrangedTraining.objects.filter(person=person, provider=values["provider"], course=values["course"],
                                           starts_on=values["starts_on"]).exists():
        raise ValidationError({"course": _("You have already recorded this course starting on this day.")})
    with transaction.atomic():
        record = SelfArrangedTraining(person=person, county=person.current_region, submitted_by=by, **values)
        record.evidence_name, record.evidence_sha256 = store_upload(evidence, record.evidence)
        record.save()
        audit.record("plan.self_training.submit", actor=by, obj=record,
                     detail={"evidence": record.evidence_sha256, "fee": str(record.fee)})
    return record


def review_self_training(record: SelfArrangedTraining, *, by: Any, approve: bool, reason: str) -> SelfArrangedTraining:
    if not can_review(by, record):
        raise PermissionDenied(_("Only an HRSS officer of the trainee's region reviews this record."))
    if len(reason.strip()) < REASON_MIN and not approve:
        raise ValidationError({"reason": _("Give the reason for the rejection (at least %(n)d characters).") % {"n": REASON_MIN}})
    with transaction.atomic():
        record = SelfArrangedTraining.objects.select_for_update().get(pk=record.pk)
        if record.status != SelfTrainingStatus.SUBMITTED:
            raise ValidationError(_("This record has already been reviewed."))
        record.reviewed_by, record.reviewed_at, record.review_reason = by, timezone.now(), reason.strip()
        if approve:
            person = record.person
            city = f"{record.county_id[:4]}00"
            rule = city_rule_on(city, record.ends_on)
            decision = self_training_claim(
                SelfTrainingFacts(age_on_start=person.age_on(record.starts_on), fee=record.fee,
                                  person_blocked=person.is_blocked_on(record.ends_on)),
                None if rule is None else CityRuleFacts(rule.claimable, rule.max_amount, rule.max_age))
            record.claimable, record.claimable_amount = decision.claimable, decision.amount
            record.claim_reasons, record.city_rule = list(decision.reasons), rule
        # status first: the table allows a claim decision only on an approved record
        move(record, SelfTrainingStatus.APPROVED if approve else SelfTrainingStatus.REJECTED, by=by,
             reason=reason.strip(), event="plan.self_training.review")
        record.save(update_fields=["reviewed_by", "reviewed_at", "review_reason", "claimable", "claimable_amount",
                                   "claim_reasons", "city_rule", "updated_at"])
    return record

"""Claim lists, review queues and a person's own subsidies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from jixing.accounts.models import Role
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.registry.models import RegionLevel
from jixing.training.models import Enrollment

from ..models import (
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    OrderStatus,
    PayeeKind,
    PaymentOrder,
    RecoveryPart,
    StudyRecord,
    SubsidyItem,
)
from .common import REVIEWERS, today
from .eligibility import LineDraft, evaluate_enrollments, evaluate_study

# ---------------------------------------------------------------- claims


def claims_for(user: Any, *, status: str = "", item: str = "", q: str = "") -> QuerySet[Claim]:
    qs = Claim.objects.visible_to(user).select_related("organisation", "person", "county", "project", "fund_source")
    if status:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(subsidy_item=item)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(organisation__name__icontains=q) | Q(project__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def review_queue(user: Any) -> QuerySet[Claim]:
    """Claims waiting for this officer's level: county review, city approval, province approval.
    HRSS officers review every item but 求学圆梦, which trade-union officers review."""
    role = getattr(user, "role", None)
    if role not in REVIEWERS or not user.region_id:
        return Claim.objects.none()
    level = user.region.level
    statuses: list[str] = []
    if level in (RegionLevel.COUNTY, RegionLevel.CITY):
        statuses.append(ClaimStatus.SUBMITTED)
    if level == RegionLevel.CITY:
        statuses.append(ClaimStatus.COUNTY_REVIEWED)
    if level == RegionLevel.PROVINCE:
        statuses.append(ClaimStatus.CITY_APPROVED)
    qs = claims_for(user).filter(status__in=statuses)
    qs = qs.filter(subsidy_item=SubsidyItem.EDUCATION) if role == Role.UNION_OFFICER else qs.exclude(subsidy_item=SubsidyItem.EDUCATION)
    return qs.order_by("submitted_at", "id")


def line_counts(claim: Claim) -> dict[str, int]:
    lines = claim.lines.all()
    return {"live": lines.filter(status=LineStatus.LIVE).count(), "excluded": lines.filter(status=LineStatus.EXCLUDED).count()}


def my_subsidies(user: Any) -> QuerySet[ClaimLine]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return ClaimLine.objects.none()
    return (
        ClaimLine.objects.filter(person_id=person_id)
        .select_related("claim", "training_class", "certificate", "study", "claim__organisation")
        .order_by("-created_at")
    )


def my_outside_certificates_to_claim(user: Any) -> list[OutsideCertificate]:
    """Certificates from the imported national register whose ID number is the trainee's, within
    12 months and not yet claimed for 技能提升补贴 (the claim itself re-checks every part)."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is None or not person.id_number_hash:
        return []
    since = today() - dt.timedelta(days=366)
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person.pk, subsidy_item=SubsidyItem.SKILL_UPGRADE)
        .values_list("outside_certificate_id", flat=True)
    )
    return [
        c for c in OutsideCertificate.objects.filter(id_number_hash=person.id_number_hash, issued_on__gte=since)
        .select_related("occupation", "level").order_by("-issued_on")
        if c.pk not in claimed
    ]


def my_living_allowances_to_claim(user: Any) -> list[tuple[Enrollment, LineDraft]]:
    """A trainee's completed enrollments not yet claimed for 生活费补贴, each judged as the
    person's own line (the claim itself judges again)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person_id, subsidy_item=SubsidyItem.LIVING_ALLOWANCE)
        .values_list("enrollment_id", flat=True)
    )
    enrollments = (
        Enrollment.objects.filter(person_id=person_id, status="completed")
        .exclude(pk__in=[pk for pk in claimed if pk is not None])
        .select_related("person", "training_class__project")
        .order_by("-pk")
    )
    return [
        (e, evaluate_enrollments(e.training_class.project, [e], item=SubsidyItem.LIVING_ALLOWANCE,
                                 payee_kind=PayeeKind.PERSON)[0])
        for e in enrollments
    ]


def my_certificates_to_claim(user: Any) -> list[Certificate]:
    """A trainee's valid certificates within 12 months, not yet claimed for 技能提升补贴."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    since = today() - dt.timedelta(days=366)
    claimed = set(
        ClaimLine.objects.live().filter(person_id=person_id, subsidy_item=SubsidyItem.SKILL_UPGRADE)
        .values_list("certificate_id", flat=True)
    )
    return [
        c for c in Certificate.objects.valid().filter(person_id=person_id, issued_on__gte=since)
        .select_related("occupation", "level").order_by("-issued_on")
        if c.pk not in claimed
    ]


def my_studies(user: Any) -> list[tuple[StudyRecord, ClaimLine | None, LineDraft | None]]:
    """A trainee's study records, each with its live 求学圆梦 line if it has been claimed, else
    what a claim today would find (every check with its reason, and the amount)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    studies = list(StudyRecord.objects.filter(person_id=person_id).select_related("employer", "person")
                   .order_by("-enrolled_on", "-id"))
    lines = {
        ln.study_id: ln for ln in ClaimLine.objects.live().filter(study__in=studies, subsidy_item=SubsidyItem.EDUCATION)
        .select_related("claim")
    }
    out: list[tuple[StudyRecord, ClaimLine | None, LineDraft | None]] = []
    for s in studies:
        line = lines.get(s.pk)
        out.append((s, line, None if line is not None else evaluate_study(s.person, s)))
    return out


def paid_to_claim(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        PaymentOrder.objects.filter(claim_id__in=list(claim_ids), status=OrderStatus.SUCCEEDED)
        .values("claim_id").annotate(total=Sum("amount"))
    )
    return {r["claim_id"]: r["total"] for r in rows}


def recovered_from_claim(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = RecoveryPart.objects.filter(claim_id__in=list(claim_ids)).values("claim_id").annotate(total=Sum("amount"))
    return {r["claim_id"]: r["total"] for r in rows}

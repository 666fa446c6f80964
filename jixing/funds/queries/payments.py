"""Payment batches and the claims ready to pay."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from jixing.core.access import within_region

from ..models import Claim, ClaimStatus, IssueKind, PaymentBatch, ReconciliationIssue

# ---------------------------------------------------------------- payments


def batches_for(user: Any) -> QuerySet[PaymentBatch]:
    return PaymentBatch.objects.visible_to(user).select_related("region", "created_by").annotate(
        open_issues=Count("issues", filter=Q(issues__resolved_at__isnull=True))
    ).order_by("-created_at", "-id")


def open_issues_blocking(region_code: str) -> QuerySet[ReconciliationIssue]:
    return ReconciliationIssue.objects.open().filter(batch__region_id=region_code)


def payable_claims(region_code: str) -> QuerySet[Claim]:
    return Claim.objects.filter(
        within_region("county", region_code), status=ClaimStatus.PAYABLE,
    ).order_by("id")


ISSUE_LABELS = dict(IssueKind.choices)

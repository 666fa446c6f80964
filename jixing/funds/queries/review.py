"""Who reviews a claim next: the facts of a claim and an officer for ``rules.review_step``,
read once here so the review actions and the claim page decide alike (issue 14 Build 4)."""

from __future__ import annotations

from typing import Any

from jixing.core.access import union_prefix

from .. import rules
from ..models import Claim, SubsidyItem
from .common import in_region_scope


def reviewed_by_union(claim: Claim) -> bool:
    """求学圆梦 is the trade union's (群团组织相关资金; 德州/青岛 notices 2025): its officers review
    these claims at the same levels, and HRSS officers do not."""
    return claim.subsidy_item == SubsidyItem.EDUCATION


def claim_review_facts(claim: Claim) -> rules.ClaimReviewFacts:
    ids = (claim.created_by_id, claim.submitted_by_id, claim.county_reviewed_by_id,
           claim.city_approved_by_id, claim.province_approved_by_id)
    return rules.ClaimReviewFacts(status=claim.status, union_review=reviewed_by_union(claim),
                                  reviewer_ids=frozenset(pk for pk in ids if pk))


def reviewer_facts(user: Any, claim: Claim) -> rules.ReviewerFacts:
    if reviewed_by_union(claim):
        prefix = union_prefix(user)
        in_scope = prefix is not None and claim.county_id.startswith(prefix)
    else:
        in_scope = in_region_scope(user, claim.county_id)
    level = user.region.level if getattr(user, "region_id", None) else ""
    return rules.ReviewerFacts(user_id=user.pk, role=getattr(user, "role", "") or "", level=level, in_scope=in_scope)


def review_decision(user: Any, claim: Claim, *, stage: str | None = None) -> rules.ReviewDecision:
    """May ``user`` take the claim's next review step (or ``stage``) now, and if not, why not."""
    return rules.review_step(claim_review_facts(claim), reviewer_facts(user, claim), stage=stage)

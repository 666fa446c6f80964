"""Persons paid a 求学圆梦 education subsidy (for the frontline_education target)."""

from __future__ import annotations

from jixing.core.access import within_region

from ..models import ClaimLine, LineStatus, OrderStatus, SubsidyItem


def education_subsidised_persons(*, year: int, region_prefix: str | None = None) -> set[int]:
    """Persons paid a 求学圆梦 education subsidy whose bank payment succeeded in ``year``
    (target ``frontline_education``: 每年补贴不少于1万名一线职工学历与能力提升)."""
    lines = ClaimLine.objects.filter(
        status=LineStatus.LIVE, study__isnull=False, claim__subsidy_item=SubsidyItem.EDUCATION,
        claim__payment_orders__status=OrderStatus.SUCCEEDED, claim__payment_orders__returned_at__year=year,
    )
    if region_prefix:
        lines = lines.filter(within_region("claim__county", region_prefix))
    return set(lines.values_list("person_id", flat=True).distinct())

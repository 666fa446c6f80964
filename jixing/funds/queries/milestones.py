"""Key-project milestone payments (揭榜领题) for pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jixing.accounts.models import Role

from ..models import MilestonePayment

# The province and cities follow key projects' money; the institution sees its own.
MILESTONE_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.SECTOR_OFFICER})


def milestone_payments_for(user: Any) -> QuerySet[MilestonePayment]:
    return (MilestonePayment.objects.visible_to(user)
            .select_related("project", "organisation", "milestone", "decided_by").order_by("-created_at", "-pk"))

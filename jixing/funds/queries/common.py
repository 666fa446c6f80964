"""Who may read which funds pages, and small helpers every funds read uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.access import scope_for

from ..models import SubsidyItem

# Who may open which pages (the querysets then narrow to each user's scope).
BUDGET_READERS = frozenset({Role.FINANCE_OFFICER, Role.HRSS_OFFICER, Role.AUDITOR})
BUDGET_WRITERS = frozenset({Role.FINANCE_OFFICER})
CLAIM_READERS = frozenset({
    Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.TRAINEE,
    Role.UNION_OFFICER,
})
CLAIM_MAKERS = frozenset({Role.INSTITUTION})
REVIEWERS = frozenset({Role.HRSS_OFFICER, Role.UNION_OFFICER})
PAYMENT_READERS = frozenset({Role.FINANCE_OFFICER, Role.AUDITOR})
PAYMENT_WRITERS = frozenset({Role.FINANCE_OFFICER})
RECOVERY_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})
RECOVERY_MAKERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER})
RULE_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.SECTOR_OFFICER})
STAFF_EDUCATION_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})
PAYEE_HOLDERS = frozenset({Role.INSTITUTION, Role.TRAINEE})

# Items that count as "a subsidised training" for the per-person caps (DESIGN.md key rules;
# subsidy_rules.md 2.1: 职业培训补贴, 技能提升补贴, 学徒制 and 创业培训 each count once a year,
# 累计不超过3次; the same occupation and level only once). Living allowances and evaluation
# subsidies ride on a training and are not counted separately.
# Used only when no rule table is in force (the line then fails on the missing table anyway).
DEFAULT_DECLARED_SHARE = Decimal("0.200")

TRAINING_ITEMS = frozenset({
    SubsidyItem.VOCATIONAL_TRAINING, SubsidyItem.SKILL_UPGRADE, SubsidyItem.APPRENTICESHIP, SubsidyItem.ENTREPRENEURSHIP,
    # 自主参训 counts toward the same caps, by the last training day's year and its occupation
    SubsidyItem.SELF_TRAINING,
})
# 生活费补贴 is the trainee's: claimed by the trainee, paid to their social security card account.
ORGANISATION_ITEMS = (
    SubsidyItem.VOCATIONAL_TRAINING, SubsidyItem.APPRENTICESHIP, SubsidyItem.ENTREPRENEURSHIP, SubsidyItem.EVALUATION,
)


def city_code(region_code: str) -> str:
    return region_code[:4] + "00"


def today() -> dt.date:
    return timezone.localdate()


def scope_region_code(user: Any) -> str | None:
    scope = scope_for(user)
    return user.region_id if scope.region_prefix and getattr(user, "region_id", None) else None


def in_region_scope(user: Any, region_code: str) -> bool:
    """Whether an officer's region covers ``region_code`` (province-wide roles cover all;
    a sector department's officer covers none of the funds regions)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    prefix = scope.region_prefix
    return bool(prefix) and not scope.department_id and region_code.startswith(prefix or "")

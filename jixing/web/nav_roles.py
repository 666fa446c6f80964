"""Role groups used by navigation and views."""

from __future__ import annotations

from jixing.accounts.models import Role

OFFICERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER})
READERS = OFFICERS | {Role.AUDITOR}
ORGS = frozenset({Role.INSTITUTION, Role.EVALUATOR})
EVERYONE = frozenset(Role.values)

"""Which roles may open which statistics pages and endpoints; the querysets then narrow each role to its scope and
the actions check object-level rights (hiding a link is not access control)."""

from __future__ import annotations

from jixing.accounts.models import Role

STATS_ROLES = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)
QUEUE_ROLES = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR)

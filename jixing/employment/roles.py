"""Which roles may open which employment pages and endpoints; the querysets then narrow each
role to its scope, and the actions check object-level rights (hiding a link is not access control)."""

from __future__ import annotations

from jixing.accounts.models import Role

DEMAND_READERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR, Role.INSTITUTION})
DEMAND_DETAIL_READERS = DEMAND_READERS | {Role.TRAINEE}
DEMAND_WRITERS = frozenset({Role.HRSS_OFFICER, Role.INSTITUTION})  # institution: enterprises only (actions)
REFERRERS = frozenset({Role.HRSS_OFFICER, Role.INSTITUTION})  # institution: training organisations
RESULT_RECORDERS = frozenset({Role.HRSS_OFFICER, Role.INSTITUTION})  # institution: the employer
REFERRAL_READERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.TRAINEE})
PLACEMENT_READERS = REFERRAL_READERS
PLACEMENT_REPORTERS = frozenset({Role.INSTITUTION, Role.TRAINEE})
VERIFIERS = frozenset({Role.HRSS_OFFICER})
OUTCOME_READERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})
PAY_READERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR, Role.INSTITUTION})
PAY_REPORTERS = frozenset({Role.INSTITUTION})  # enterprises only (actions)
INSURANCE_READERS = frozenset({Role.HRSS_OFFICER, Role.AUDITOR})
INSURANCE_WRITERS = frozenset({Role.HRSS_OFFICER})
TRAINEES = frozenset({Role.TRAINEE})

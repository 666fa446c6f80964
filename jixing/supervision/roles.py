"""Which roles may open which supervision pages and endpoints; the querysets then narrow each role to its scope and
the actions check object-level rights (hiding a link is not access control)."""

from __future__ import annotations

from jixing.accounts.models import Role

OFFICER = Role.HRSS_OFFICER
READERS = (Role.HRSS_OFFICER, Role.AUDITOR)
ORGS = (Role.INSTITUTION, Role.EVALUATOR)
EVERY_VIEWER = (*READERS, *ORGS)
#: Who acts on findings and cases, and may be approved to edit rule settings.
OFFICER_ROLES = frozenset({OFFICER})

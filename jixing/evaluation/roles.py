"""Which roles may open which evaluation pages and endpoints; the querysets then narrow each role to its scope and
the actions check object-level rights (hiding a link is not access control)."""

from __future__ import annotations

from jixing.accounts.models import Role

ORG = (Role.EVALUATOR, Role.INSTITUTION)
READERS = (Role.HRSS_OFFICER, Role.AUDITOR, *ORG)
CERTIFICATE_READERS = (Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.EVALUATOR)

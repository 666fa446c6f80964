"""Which roles may open which notification pages; the querysets then narrow each role to its scope and
the actions check object-level rights (hiding a link is not access control)."""

from __future__ import annotations

from jixing.accounts.models import Role

LOG_READERS = (Role.HRSS_OFFICER, Role.AUDITOR, Role.SECURITY_ADMIN)

"""Evaluation menu entries (the views check roles themselves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

ORG = frozenset({Role.EVALUATOR, Role.INSTITUTION})

ITEMS = [
    NavItem(label=_("Evaluation review"), url_name="evaluation:review_queue", roles=frozenset({Role.HRSS_OFFICER}), order=40),
    NavItem(label=_("Evaluation filings"), url_name="evaluation:filing_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, *ORG}), order=41),
    NavItem(label=_("Evaluation sessions"), url_name="evaluation:session_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, *ORG}), order=42),
    NavItem(label=_("Direct recognition"), url_name="evaluation:recognition_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=43),
    NavItem(label=_("Ladder appointments"), url_name="evaluation:appointment_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, *ORG}), order=43),
    NavItem(label=_("Certificates"), url_name="evaluation:certificate_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, *ORG}), order=44),
    NavItem(label=_("My certificates"), url_name="evaluation:certificate_list", roles=frozenset({Role.TRAINEE}), order=44),
    NavItem(label=_("Digital technology engineers"), url_name="evaluation:engineer_home",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, *ORG}), order=45),
    NavItem(label=_("Verify a certificate"), url_name="evaluation:verify",
            roles=frozenset({Role.HRSS_OFFICER, Role.EVALUATOR, Role.INSTITUTION, Role.TRAINEE}), order=49),
]

"""Trainer menu entries (the views check roles and scope themselves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

ITEMS = [
    NavItem(label=_("Trainers"), url_name="trainers:trainer_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=36),
    NavItem(label=_("Trainer competitions"), url_name="trainers:competition_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=37),
    NavItem(label=_("马兰花 entrepreneurship training"), url_name="trainers:malanhua",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=38),
]

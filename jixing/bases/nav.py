"""Menu entries of training bases and school programmes (the views check roles and scope)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.core.nav import NavItem
from jixing.core.roles import Role

from .models import READER_ROLES


def _runs_programmes(user: Any) -> bool:
    org = getattr(user, "organisation", None)
    return org is not None and org.kind in {"technical_school", "vocational_college", "private_institution"}


ITEMS = [
    NavItem(label=_("Public training bases"), url_name="bases:base_list", roles=frozenset(READER_ROLES), order=38),
    NavItem(label=_("Base bookings"), url_name="bases:booking_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=39),
    NavItem(label=_("Add a programme"), url_name="bases:programme_create", roles=frozenset({Role.INSTITUTION}),
            order=39, when=_runs_programmes),
]

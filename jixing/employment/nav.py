"""Menu entries of the employment service (the views check access again)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

from . import roles
from .access import is_enterprise_user

ITEMS = [
    NavItem(label=_("Job demands"), url_name="employment:demand_list", roles=roles.DEMAND_READERS, order=60),
    NavItem(label=_("Recommended posts"), url_name="employment:recommended", roles=roles.TRAINEES, order=60),
    NavItem(label=_("Referrals"), url_name="employment:referral_list", roles=roles.REFERRAL_READERS, order=61),
    NavItem(label=_("Placements"), url_name="employment:placement_list", roles=roles.PLACEMENT_READERS, order=62),
    NavItem(label=_("Placement verification"), url_name="employment:verification_queue", roles=roles.VERIFIERS,
            order=63),
    NavItem(label=_("Employment outcomes"), url_name="employment:outcomes", roles=roles.OUTCOME_READERS, order=64),
    NavItem(label=_("Pay by skill level"), url_name="employment:pay", roles=roles.PAY_READERS, order=65,
            when=lambda user: user.role != Role.INSTITUTION or is_enterprise_user(user)),
    NavItem(label=_("Social-insurance data"), url_name="employment:insurance", roles=roles.INSURANCE_READERS, order=66),
]

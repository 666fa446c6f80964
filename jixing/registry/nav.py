from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.core.nav import NavItem

from .queries import ORGANISATION_READERS, PERSON_READERS

ITEMS = [
    NavItem(label=_("Persons"), url_name="registry:person_list", roles=PERSON_READERS, order=20),
    NavItem(label=_("Organisations"), url_name="registry:organisation_list", roles=ORGANISATION_READERS, order=25),
]

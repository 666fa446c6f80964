from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "jixing.employment"
    label = "employment"
    verbose_name = _("employment")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "jixing.plan"
    label = "plan"
    verbose_name = _("plan")

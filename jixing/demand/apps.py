from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "jixing.demand"
    label = "demand"
    verbose_name = _("job demands")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "jixing.stats"
    label = "stats"
    verbose_name = _("stats")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the built-in scheduler, its run history, heartbeats and the health endpoints.

    It sits beside ``web`` at the top of the layers: jobs name management commands and tasks
    by string (settings.JIXING_SCHEDULE), so nothing here imports the business apps."""

    name = "jixing.ops"
    label = "ops"
    verbose_name = _("operations")

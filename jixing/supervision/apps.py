from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jixing.supervision"
    label = "supervision"
    verbose_name = _("supervision")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasesConfig(AppConfig):
    """Public training bases shared by other institutions (seed 一(九)) and the programmes of
    technical schools and training institutions (seed 一(八)): the providers' capacity."""

    name = "jixing.bases"
    label = "bases"
    verbose_name = _("training bases and schools")

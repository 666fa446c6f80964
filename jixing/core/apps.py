from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jixing.core"
    label = "core"
    verbose_name = _("core")

    def ready(self) -> None:
        from jixing.core import checks  # noqa: F401  (registers the security system checks)
        from jixing.core.logging import install_record_factory

        install_record_factory()

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jixing.core"
    label = "core"
    verbose_name = _("core")
    default = True  # this module also holds TasksDatabaseConfig

    def ready(self) -> None:
        from jixing.core import checks  # noqa: F401  (registers the security system checks)
        from jixing.core.logging import install_record_factory

        install_record_factory()


class TasksDatabaseConfig(AppConfig):
    """django-tasks' database backend under a Chinese name in the admin (its own is English,
    untranslatable); settings list this config instead of ``django_tasks_db``."""

    default = False
    name = "django_tasks_db"
    label = "django_tasks_database"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        from django_tasks_db import signal_handlers  # noqa: F401

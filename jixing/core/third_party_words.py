"""Words of third-party apps that ship no zh-hans catalogue, translated in core's (issue 15:
the admin showed "Task Results", "Ready/Running"). Django merges every app's catalogue, so a
msgid translated here is translated wherever django-tasks asks for it. Nothing imports this
module; ``makemessages`` reads it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WORDS = (
    _("Task Result"), _("Task Results"), _("status"), _("enqueued at"), _("started at"), _("finished at"),
    _("priority"), _("task path"), _("worker id"), _("queue name"), _("backend name"), _("run after"),
    _("return value"), _("exception class path"), _("traceback"), _("args kwargs"),
    pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running"), pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)

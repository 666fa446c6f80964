"""R08: placeholder until the models it reads land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from .base import Hit, Rule, register


@register
class PendingR08(Rule):
    code = "R08"
    kind = "evaluation_anomalies"
    title = _("evaluation_anomalies")
    description = _("evaluation_anomalies")

    @classmethod
    def available(cls) -> tuple[bool, str]:
        return False, "models not landed yet"

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        return []

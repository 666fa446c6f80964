"""R09: placeholder until the models it reads land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from .base import Hit, Rule, register


@register
class PendingR09(Rule):
    code = "R09"
    kind = "claim_without_basis"
    title = _("claim_without_basis")
    description = _("claim_without_basis")

    @classmethod
    def available(cls) -> tuple[bool, str]:
        return False, "models not landed yet"

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        return []

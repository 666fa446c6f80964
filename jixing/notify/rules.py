"""Pure decisions for outbound messages: templates, numbers, quiet hours, rate limits,
retries and digests. No ORM here; each decision carries its reason."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Mainland China mobile numbers: 11 digits starting 13–19 (MIIT numbering plan).
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class TemplateError(ValueError):
    """A template cannot be filled; the message says which parameter (never retried)."""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render(code: str, text: str, declared: list[str], params: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders. The text may use only declared parameters, and every one
    it uses must be given and not empty."""
    used = placeholders(text)
    undeclared = sorted(used - set(declared))
    if undeclared:
        raise TemplateError(_("Template %(code)s uses undeclared parameter(s) %(names)s.")
                            % {"code": code, "names": ", ".join(undeclared)})
    missing = sorted(name for name in used if params.get(name) in (None, ""))
    if missing:
        raise TemplateError(_("Template %(code)s is missing parameter(s) %(names)s.")
                            % {"code": code, "names": ", ".join(missing)})
    return text.format_map({name: str(params[name]) for name in used})


def is_mainland_mobile(number: str) -> bool:
    return bool(MAINLAND_MOBILE.match(number or ""))


@dataclass(frozen=True)
class QuietHours:
    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, value: str) -> QuietHours | None:
        """"22:00-08:00" → QuietHours; "" → None (no quiet hours)."""
        if not value:
            return None
        try:
            a, b = value.split("-")
            return cls(dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip()))
        except ValueError as exc:
            raise ValueError(f"quiet hours must look like 22:00-08:00, not {value!r}") from exc

    def contains(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def ends_after(self, local: dt.datetime) -> dt.datetime:
        """The first moment at or after ``local`` (timezone-aware, local time) outside quiet hours."""
        if not self.contains(local.time()):
            return local
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > local else end + dt.timedelta(days=1)


def backoff(attempts: int, *, base_seconds: int = 60, cap_seconds: int = 6 * 3600) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes, at most six hours."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Gate:
    ok: bool
    reason: str = ""


def rate_gate(sent_today: int, limit: int, channel_label: str) -> Gate:
    if sent_today >= limit:
        return Gate(False, _("Daily limit reached: %(n)d %(channel)s already sent today (limit %(limit)d).")
                    % {"n": sent_today, "channel": channel_label, "limit": limit})
    return Gate(True)


def digest_users(counts: Mapping[int, int], threshold: int) -> set[int]:
    """Users told of more than ``threshold`` events of one batch get one digest instead."""
    return {user for user, n in counts.items() if n > threshold}

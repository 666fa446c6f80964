"""Rotating QR check-in codes (issue 13).

The code a session's page shows is ``<step>.<mac>``: ``step`` is the current 30-second time
step (``conf.qr_step_seconds``) and ``mac`` a keyed hash (HMAC-SHA256 under a key derived from
``SECRET_KEY``) of the session and the step, so a code cannot be made for another session or
another time without the key. A code is accepted in its own step and the next one
(``rules.step_accepted``): a photo of the screen shared in a chat group stops working within
a minute. The QR image is rendered on the server as SVG by ``segno``; nothing comes from a CDN.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
from dataclasses import dataclass

import segno
from django.utils.crypto import salted_hmac

from . import conf, rules

SALT = "jixing.training.qr_check_in"
MAC_CHARS = 24  # 96 bits of the HMAC-SHA256


def token_for(session_id: int, step: int) -> str:
    mac = salted_hmac(SALT, f"{session_id}:{step}", algorithm="sha256").hexdigest()[:MAC_CHARS]
    return f"{step}.{mac}"


def current_token(session_id: int, now: dt.datetime) -> str:
    return token_for(session_id, rules.time_step(now, conf.qr_step_seconds()))


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    code: str  # "ok", "malformed", "forged", "expired"
    step: int | None = None


def check_token(session_id: int, token: str, now: dt.datetime) -> TokenCheck:
    """Is ``token`` a code of this session, shown now or one step ago?"""
    step_text, _, mac = (token or "").partition(".")
    if not step_text.isdigit() or len(mac) != MAC_CHARS:
        return TokenCheck(False, "malformed")
    step = int(step_text)
    if not hmac.compare_digest(token_for(session_id, step), f"{step}.{mac}"):
        return TokenCheck(False, "forged", step)
    if not rules.step_accepted(step, rules.time_step(now, conf.qr_step_seconds())):
        return TokenCheck(False, "expired", step)
    return TokenCheck(True, "ok", step)


def svg(url: str) -> str:
    """The QR code of ``url`` as a standalone SVG document (black on white, 4-module quiet zone)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=False, svgns=True,
                                     title="QR", dark="#000", light="#fff")
    return out.getvalue().decode()

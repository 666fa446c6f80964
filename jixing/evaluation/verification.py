"""Public certificate verification (DESIGN.md: "public — verify a certificate by number").

Anyone (an employer, the holder) checks a certificate by its number AND the holder's name;
the answer shows only masked personal data. Each attempt is audited, and attempts are
rate-limited per client IP through the Django cache so the endpoint cannot be used to
enumerate certificate numbers. The page and the API share this module (and the limit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.masking import mask_name
from jixing.core.models import AuditOutcome

from . import numbering
from .models import Certificate

RATE_WINDOW_SECONDS = 60


def rate_limit() -> int:
    """Attempts per IP per minute (setting JIXING_VERIFY_PER_MINUTE, default 20)."""
    return int(getattr(settings, "JIXING_VERIFY_PER_MINUTE", 20))


@dataclass(frozen=True)
class Verified:
    found: bool
    valid: bool
    message: str
    number: str = ""
    holder: str = ""  # masked name; no part of the ID number is public (docs/security.md, "Masking rule")
    occupation: str = ""
    level: str = ""  # eight-level name
    national_level: str = ""  # 五级/初级工 …
    issuer: str = ""
    issued_on: str = ""
    mode: str = ""
    status: str = ""
    revoked_on: str = ""


def throttled(ip: str | None) -> bool:
    """Count this attempt; True when the IP is over the limit for the current minute."""
    bucket = int(time.time() // RATE_WINDOW_SECONDS)
    key = f"evaluation:verify:{ip or 'unknown'}:{bucket}"
    cache.add(key, 0, RATE_WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS + 5)
        count = 1
    return count > rate_limit()


def verify(number: str, name: str) -> Verified:
    """Look the certificate up and audit the attempt (one row, anonymous actor, IP from the
    request context). A wrong name answers exactly like an unknown number."""
    number = numbering.normalise_number(number)
    name = (name or "").strip()
    not_found = Verified(found=False, valid=False, message=_(
        "No certificate matches this number and name. Check both and try again."))
    cert = None
    if numbering.is_well_formed(number) and name:
        cert = (
            Certificate.objects.select_related("person", "occupation", "level", "issuer")
            .filter(number=number).first()
        )
        if cert is not None and cert.person.name != name:
            cert = None
    detail = {"number": number[:40], "name": mask_name(name)[:20]}
    if cert is None:
        audit.record("certificate.verify", object_type="evaluation.certificate", outcome=AuditOutcome.FAILED,
                     detail=detail, actor_label="public")
        if number and not numbering.is_well_formed(number):
            return Verified(found=False, valid=False, message=_(
                "A certificate number is one capital letter (Y or S) followed by 21 digits."))
        return not_found
    audit.record("certificate.verify", object_type="evaluation.certificate", object_id=cert.pk,
                 outcome=AuditOutcome.OK, detail={**detail, "status": cert.status}, actor_label="public")
    valid = cert.is_valid
    return Verified(
        found=True, valid=valid,
        message=_("The certificate is genuine and valid.") if valid else _("This certificate has been revoked and is no longer valid."),
        number=cert.number, holder=mask_name(cert.person.name),
        occupation=cert.occupation.name, level=cert.level.name, national_level=cert.level.national_label,
        issuer=cert.issuer.name, issued_on=cert.issued_on.isoformat(), mode=str(cert.get_mode_display()),
        status=str(cert.get_status_display()),
        revoked_on=cert.revoked_at.date().isoformat() if cert.revoked_at else "",
    )


def too_many_message() -> str:
    return _("Too many verification attempts from your network. Please wait a minute and try again.")

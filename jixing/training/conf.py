"""Training settings with their defaults (override in the environment-driven settings module).

- ``JIXING_TRAINING_YEARLY_SUBSIDY_CAP`` (3): subsidised trainings per person per calendar year.
- ``JIXING_TRAINING_MIN_AGE`` (16).
- ``JIXING_TRAINING_RETIREMENT_REFORM`` (True): apply the 2024 gradual retirement decision.
- ``JIXING_TRAINING_FEMALE_RETIREMENT_BASE`` (55): 55 (cadres / statistical working age) or
  50 (women workers); see ``rules`` for why 55 is the default.
- ``JIXING_TRAINING_CHECKIN_EARLY_MINUTES`` (30): a check-in this early still belongs to the session.
- ``JIXING_TRAINING_CHECKIN_LATE_MINUTES`` (30): the QR check-in page stays open this long after the end.
- ``JIXING_FACE_CHECK_PROVIDER``: dotted path of a ``FaceCheckProvider``; the fake is used
  only outside production.
- ``JIXING_FACE_CHECK_MIN_SCORE`` (80): a face check below this score is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .rules import EligibilityPolicy, RetirementPolicy


def _get(name: str, default: object) -> object:
    return getattr(settings, name, default)


def eligibility_policy() -> EligibilityPolicy:
    female_base = int(_get("JIXING_TRAINING_FEMALE_RETIREMENT_BASE", 55))  # type: ignore[call-overload]
    if female_base not in (50, 55):
        raise ImproperlyConfigured("JIXING_TRAINING_FEMALE_RETIREMENT_BASE must be 50 or 55.")
    return EligibilityPolicy(
        min_age=int(_get("JIXING_TRAINING_MIN_AGE", 16)),  # type: ignore[call-overload]
        yearly_cap=int(_get("JIXING_TRAINING_YEARLY_SUBSIDY_CAP", 3)),  # type: ignore[call-overload]
        retirement=RetirementPolicy(
            reform=bool(_get("JIXING_TRAINING_RETIREMENT_REFORM", True)), female_base=female_base,
        ),
    )


def checkin_early() -> dt.timedelta:
    return dt.timedelta(minutes=int(_get("JIXING_TRAINING_CHECKIN_EARLY_MINUTES", 30)))  # type: ignore[call-overload]


def checkin_late() -> dt.timedelta:
    return dt.timedelta(minutes=int(_get("JIXING_TRAINING_CHECKIN_LATE_MINUTES", 30)))  # type: ignore[call-overload]


def face_min_score() -> Decimal:
    return Decimal(str(_get("JIXING_FACE_CHECK_MIN_SCORE", 80)))


def geofence_metres() -> int:
    """``JIXING_TRAINING_GEOFENCE_METRES`` (300): a QR check-in further than this from the class site is refused."""
    return int(_get("JIXING_TRAINING_GEOFENCE_METRES", 300))  # type: ignore[call-overload]


def qr_step_seconds() -> int:
    """``JIXING_TRAINING_QR_STEP_SECONDS`` (30): the session's check-in code rotates this often."""
    return int(_get("JIXING_TRAINING_QR_STEP_SECONDS", 30))  # type: ignore[call-overload]


def spot_check_rate() -> Decimal:
    """``JIXING_TRAINING_SPOT_CHECK_RATE`` (0.1): share of a county's running classes sampled each week."""
    return Decimal(str(_get("JIXING_TRAINING_SPOT_CHECK_RATE", "0.1")))


def spot_check_photo_max_bytes() -> int:
    """``JIXING_TRAINING_SPOT_CHECK_PHOTO_MAX_BYTES`` (5 MB) per photo."""
    return int(_get("JIXING_TRAINING_SPOT_CHECK_PHOTO_MAX_BYTES", 5 * 1024 * 1024))  # type: ignore[call-overload]

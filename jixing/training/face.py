"""Face check at check-in: an external provider compares the live photo with the person's
ID photo and returns a similarity score (0–100). The provider is a true external boundary
(STYLE.md habit 8): the interface is here, the fake serves development and tests, and the
real one is chosen by ``settings.JIXING_FACE_CHECK_PROVIDER``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import conf


@dataclass(frozen=True)
class FaceCheckResult:
    score: Decimal
    passed: bool
    provider_ref: str = ""


class FaceCheckProvider(Protocol):
    def verify(self, *, person_id: int, photo_ref: str) -> FaceCheckResult:
        """Compare the photo stored under ``photo_ref`` with the person's registered photo."""
        ...


class FakeFaceCheckProvider:
    """Deterministic stand-in: the score comes from a hash of person and photo, except photo
    references starting with ``mismatch`` (score 12.5) so tests can force a failure."""

    def verify(self, *, person_id: int, photo_ref: str) -> FaceCheckResult:
        if photo_ref.startswith("mismatch"):
            score = Decimal("12.50")
        else:
            digest = hashlib.sha256(f"{person_id}:{photo_ref}".encode()).digest()
            score = Decimal(85 + digest[0] % 15) + Decimal(digest[1] % 100) / 100
        return FaceCheckResult(score=score, passed=score >= conf.face_min_score(), provider_ref="fake")


def get_provider() -> FaceCheckProvider:
    path = getattr(settings, "JIXING_FACE_CHECK_PROVIDER", "")
    if not path:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured("JIXING_FACE_CHECK_PROVIDER must name a real face-check provider in production.")
        path = "jixing.training.face.FakeFaceCheckProvider"
    provider: FaceCheckProvider = import_string(path)()
    return provider

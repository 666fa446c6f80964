"""Reads other apps rely on: the highest certificate held (training eligibility: no subsidy
for a level lower than a certificate already held, DESIGN.md) and certificates per person
(funds: a claim line needs a passed evaluation)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max

from .models import Certificate


def highest_certificate_levels(person_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(person_id, occupation_id) → highest SkillLevel.order among VALID certificates."""
    ids = list({int(i) for i in person_ids})
    if not ids:
        return {}
    out: dict[tuple[int, int], int] = {}
    for start in range(0, len(ids), 5000):
        rows = (
            Certificate.objects.valid()
            .filter(person_id__in=ids[start:start + 5000])
            .values("person_id", "occupation_id")
            .annotate(top=Max("level_id"))
        )
        for row in rows:
            out[(row["person_id"], row["occupation_id"])] = row["top"]
    return out


def certificates_for(person_ids: Iterable[int], *, valid_only: bool = True) -> dict[int, list[Certificate]]:
    """person_id → certificates (valid ones unless ``valid_only=False``), newest first."""
    ids = list({int(i) for i in person_ids})
    out: dict[int, list[Certificate]] = {i: [] for i in ids}
    if not ids:
        return out
    qs = Certificate.objects.filter(person_id__in=ids).select_related("occupation", "level", "issuer")
    if valid_only:
        qs = qs.valid()
    for cert in qs.order_by("-issued_on", "-id"):
        out[cert.person_id].append(cert)
    return out

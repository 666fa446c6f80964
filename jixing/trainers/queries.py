"""Reads for the trainer pages, API and stats: the pool by grade, 马兰花 person-times by kind
(toward action 10's 创业培训 line, seed 一(十)), competitions' results."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from .models import MalanhuaAccreditation, MalanhuaActivity, TrainerProfile


def trainer_pool(user: Any) -> dict[str, Any]:
    profiles = TrainerProfile.objects.visible_to(user).active()
    return {
        "by_grade": dict(profiles.values("grade").annotate(n=Count("id")).values_list("grade", "n")),
        "total": profiles.count(),
        "accredited": MalanhuaAccreditation.objects.visible_to(user).active().count(),
    }


def malanhua_person_times(user: Any, *, year: int) -> dict[str, int]:
    """Person-times of 马兰花 activities held in ``year`` by kind, and their total (action 10).

    These are volunteer and bootcamp person-times reported beside the subsidised 创业培训
    person-times of the rollup, not added into them (docs/trainers.md)."""
    rows = (MalanhuaActivity.objects.visible_to(user).filter(held_on__year=year)
            .values("kind").annotate(n=Sum("person_times")).values_list("kind", "n"))
    out = {kind: int(n or 0) for kind, n in rows}
    out["total"] = sum(out.values())
    return out

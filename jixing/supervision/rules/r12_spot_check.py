"""R12: a spot check (抽查) found fewer trainees present than the institution had recorded for
the session (issue 13; audit: fabricated attendance was the largest fraud type). The visit
record (training.SpotCheck) holds the count, the officer and the photos; the finding carries
them as evidence, with the attendance rows recorded for the session at the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import Hit, Param, Rule, register
from .common import class_info


@register
class SpotCheckDiscrepancy(Rule):
    code = "R12"
    kind = "spot_check_discrepancy"
    title = _("Spot check found fewer trainees than recorded")
    description = _(
        "An officer's unannounced visit counted fewer trainees present than the attendance the institution "
        "had recorded for the session, by more than the threshold."
    )
    severity = "high"
    layout = "spot_check"
    params = (Param("threshold_percent", _("tolerated discrepancy"), 10, 0, 100, "%"),)
    template = _("Spot check of class {class_code} on {visited_at}: {present} present, {recorded} recorded "
                 "({discrepancy}% missing).")

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.training import rules as training_rules
        from jixing.training.models import Attendance, SpotCheck, SpotCheckResult

        threshold = Decimal(str(params["threshold_percent"])) / 100
        checks = SpotCheck.objects.filter(result=SpotCheckResult.DISCREPANCY).select_related(
            "session", "recorded_by").prefetch_related("photos")
        if since is not None:
            checks = checks.filter(Q(updated_at__gte=since) | Q(visited_at__gte=since))
        checks = list(checks)
        classes = class_info(c.training_class_id for c in checks)
        hits = []
        for c in checks:
            assert c.present_count is not None and c.recorded_count is not None and c.visited_at is not None
            share = training_rules.spot_check_discrepancy(c.present_count, c.recorded_count)
            if share <= threshold:
                continue
            klass = classes[c.training_class_id]
            visited = timezone.localtime(c.visited_at).strftime("%Y-%m-%d %H:%M")
            rows = list(Attendance.objects.filter(session_id=c.session_id, recorded_at__lte=c.visited_at)
                        .order_by("check_in_at").values_list("person__name", "check_in_at", "method", "provenance",
                                                             "device_id")[:500])
            context = {"class_code": klass["code"], "visited_at": visited, "present": c.present_count,
                       "recorded": c.recorded_count, "discrepancy": f"{share * 100:.0f}"}
            hits.append(Hit(
                subject_model="training.TrainingClass", subject_id=c.training_class_id,
                subject_label=f"{klass['code']} {klass['name']}", key=f"spot-check:{c.pk}",
                organisation_id=klass["organisation_id"], county_id=klass["county_id"], context=context,
                evidence={
                    "spot_check": c.pk, "class": klass, "session": c.session_id,
                    "session_time": timezone.localtime(c.session.starts_at).strftime("%Y-%m-%d %H:%M")
                    if c.session else "",
                    "visited_at": visited, "officer": c.recorded_by.get_username() if c.recorded_by else "",
                    "present": c.present_count, "recorded": c.recorded_count, "discrepancy": str(share),
                    "threshold": str(threshold), "note": c.note,
                    "photos": [{"id": p.pk, "sha256": p.sha256, "size": p.size, "type": p.content_type}
                               for p in c.photos.all()],
                    "records": [{"person": name, "check_in": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                                 "method": method, "provenance": provenance, "device": device}
                                for name, at, method, provenance, device in rows],
                },
            ))
        return hits


def on_spot_check_recorded(sender: Any, spot_check_id: int, **kwargs: Any) -> None:
    """A visit was recorded: run R12 over the visits since just before it (if the rule is on)."""
    from jixing.supervision import engine
    from jixing.training.models import SpotCheck

    visited = SpotCheck.objects.filter(pk=spot_check_id).values_list("updated_at", flat=True).first()
    if visited is None or not engine.effective_setting(SpotCheckDiscrepancy).enabled:
        return
    engine.run_rules(codes=[SpotCheckDiscrepancy.code], since=visited - dt.timedelta(seconds=1))

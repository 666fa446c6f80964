"""R13: a class filed with the county later than the notice period allows (开班备案, 鲁人社字〔2025〕37号
"开班备案、过程监督、结果考核"). A filing after the start date is refused outright in training; one
inside the notice period goes through but leaves the county little time to check the class,
which is how classes that exist only on paper slip in — so it is flagged here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import Hit, Rule, register
from .common import class_info


@register
class LateClassFiling(Rule):
    code = "R13"
    kind = "late_class_filing"
    title = _("Class filed at short notice")
    description = _(
        "A class was filed with the county fewer days before its start than the notice period in force "
        "(the dated class filing notice period); a filing after the start date is refused."
    )
    severity = "low"
    template = _("Class {class_code} was filed on {filed_on}, {days_ahead} day(s) before its start on {start_date}.")

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.training.models import TrainingClass

        qs = TrainingClass.objects.filter(filing_short_notice=True, filed_at__isnull=False)
        if since is not None:
            qs = qs.filter(Q(filed_at__gte=since) | Q(updated_at__gte=since))
        rows = list(qs.values_list("id", "filed_at", "filing_days_ahead", "filing_status"))
        classes = class_info(r[0] for r in rows)
        hits = []
        for class_id, filed_at, days_ahead, status in rows:
            klass = classes[class_id]
            filed_on = timezone.localtime(filed_at).date().isoformat()
            context = {"class_code": klass["code"], "filed_on": filed_on, "days_ahead": days_ahead,
                       "start_date": klass["start_date"]}
            hits.append(Hit(
                subject_model="training.TrainingClass", subject_id=class_id,
                subject_label=f"{klass['code']} {klass['name']}", key=f"filed:{filed_on}",
                organisation_id=klass["organisation_id"], county_id=klass["county_id"], context=context,
                evidence={"variant": "short_notice", "class": klass["code"], "filed_on": filed_on,
                          "days_ahead": days_ahead, "start_date": klass["start_date"], "filing_status": status},
            ))
        return hits

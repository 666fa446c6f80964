"""``Attendance.session_month``: the partition key of attendance (issue 19, docs/scaling.md
"Partitioning attendance by month").

It is a function of the *session* — the first day of the month in which the session starts,
Asia/Shanghai — never of the check-in time, so that the unique (enrollment, session,
session_month) that a partitioned table requires is exactly as strict as the old unique
(enrollment, session): one row per trainee and lesson, the guard that keeps attendance (and the
subsidies that depend on it) from being counted twice.

Every ORM write fills it here (``pre_save`` runs for ``save()``, ``create()`` and
``bulk_create()``), so the check-in actions, terminals and demo data need no change; the COPY
writers (training.bulk_attendance, the benchmarks) add the column themselves with
:func:`session_month_sql` or :func:`month_of`. The column is NOT NULL: a writer that forgets it
fails loudly instead of landing in the DEFAULT partition.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models

SHANGHAI = ZoneInfo("Asia/Shanghai")


def month_of(starts_at: dt.datetime) -> dt.date:
    """The first day of the local (Asia/Shanghai) month of an aware datetime."""
    return starts_at.astimezone(SHANGHAI).date().replace(day=1)


def session_month_sql(starts_at: str) -> str:
    """The same function in PostgreSQL, for writers that build rows in SQL."""
    return f"date_trunc('month', ({starts_at}) AT TIME ZONE 'Asia/Shanghai')::date"


class SessionMonthField(models.DateField):
    """A DateField that, when left empty on insert, takes the month of the row's session."""

    fills_on_insert = True  # imports.pipeline.copy_insert calls pre_save for it, as bulk_create does

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None and getattr(model_instance, "session_id", None) is not None:
            value = month_of(model_instance.session.starts_at)
            setattr(model_instance, self.attname, value)
        return value

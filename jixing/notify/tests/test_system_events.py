"""The administrators hear of what is theirs to act on (issue 18): a scheduled job that failed
reaches the system administrators, an account locked by repeated failed sign-ins the security
administrators — and no one else."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from jixing.notify.models import Notification
from jixing.notify.queries import text_of
from jixing.ops import scheduler
from jixing.ops.schedule import parse_job

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def test_a_failed_scheduled_job_tells_the_system_administrators(personas, committed) -> None:
    job = parse_job("broken", {"kind": "daily", "at": "00:30", "command": ["run_supervision", "--rules", "R99"]})
    ok = parse_job("notices", {"kind": "daily", "at": "00:30", "command": ["close_public_notices", "--json"]})
    slot = dt.datetime(2026, 3, 10, 0, 30, tzinfo=SH)
    committed(scheduler.execute, ok, slot=slot)
    assert not told("ops.job.failed")  # a run that succeeded tells no one
    run = committed(scheduler.execute, job, slot=slot)
    assert told("ops.job.failed") == {"sam"}
    message = Notification.objects.get(event="ops.job.failed")
    assert "broken" in text_of(message) and "R99" in text_of(message) and run.error[:40] in text_of(message)


def test_an_account_locked_by_failed_sign_ins_tells_the_security_administrators(client, personas, committed,
                                                                               settings) -> None:
    def fail() -> None:
        client.post("/accounts/login/", {"username": "dave", "password": "wrong-Password-1"}, REMOTE_ADDR="10.0.0.9")

    for _ in range(settings.JIXING_LOCKOUT_FAILURES - 1):
        committed(fail)
    assert not told("accounts.user.locked")
    committed(fail)
    personas.dave.refresh_from_db()
    assert personas.dave.is_locked
    assert told("accounts.user.locked") == {"sue"}
    assert "dave" in text_of(Notification.objects.get(event="accounts.user.locked"))

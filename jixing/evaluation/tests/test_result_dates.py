"""Issue 16 (Build 5): no result or certificate is dated before the evaluation session's date or
before the training ended; each refusal names the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jixing.evaluation import actions
from jixing.evaluation.models import Certificate, EvaluationResult

from . import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_result_before_the_session_date_is_refused(personas):
    s = f.session(personas, f.approved_filing(personas), on=f.today() + dt.timedelta(days=3))
    cand = actions.add_enrollment_candidate(s, f.completed_enrollment(personas.lixia_person), by=personas.judy)
    with pytest.raises(ValidationError) as refused:
        actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"), examiner=s.examiners.first(),
                              by=personas.judy)
    assert refused.value.code == "before_session" and str(s.date) in refused.value.messages[0]
    assert not EvaluationResult.objects.exists()
    with time_machine.travel(dt.datetime.combine(s.date, dt.time(16), ).astimezone()):
        result = actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"),
                                       examiner=s.examiners.first(), by=personas.judy)
    assert result.passed


def test_locking_and_certificates_wait_for_the_session_date(personas):
    s = f.session(personas, f.approved_filing(personas), on=f.today() + dt.timedelta(days=2))
    cand = actions.add_enrollment_candidate(s, f.completed_enrollment(personas.lixia_person), by=personas.judy)
    at_session = dt.datetime.combine(s.date, dt.time(10), tzinfo=SHANGHAI)
    with time_machine.travel(at_session):
        actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"), examiner=s.examiners.first(),
                              by=personas.judy)
        actions.submit_results(s, by=personas.judy)
    with pytest.raises(ValidationError) as refused:  # reviewed "today", two days before the session
        actions.lock_results(s, by=personas.erin)
    assert refused.value.code == "before_session"
    assert not Certificate.objects.exists()
    with time_machine.travel(at_session):
        [cert] = actions.lock_results(s, by=personas.erin)
    assert cert.issued_on >= s.date


def test_a_certificate_is_never_dated_before_the_training_ended(personas):
    s = f.session(personas, f.approved_filing(personas))
    enrollment = f.completed_enrollment(personas.lixia_person)
    cand = actions.add_enrollment_candidate(s, enrollment, by=personas.judy)
    # the training's completion was later corrected to a day after the session (bad data)
    type(enrollment).objects.filter(pk=enrollment.pk).update(completed_on=f.today() + dt.timedelta(days=5))
    cand.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"), examiner=s.examiners.first(),
                              by=personas.judy)

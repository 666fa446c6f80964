"""Sending: consent, rate limits, quiet hours, templates with missing parameters, numbers that
are not mainland mobiles, provider failures retried with backoff, and no duplicate on retry."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings

from jixing.notify import actions
from jixing.notify.channels import DevSmsProvider, ProviderError, SmsMessage
from jixing.notify.models import Delivery, DeliveryStatus, DevSmsMessage, Notification, Preference

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 5, 6, 12, 0, tzinfo=SH)


class FlakyProvider:
    """Fails the first ``failures`` sends (a carrier timeout), then sends through the dev box."""

    failures: ClassVar[int] = 0
    calls: ClassVar[int] = 0

    def send(self, message: SmsMessage) -> str:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ProviderError("carrier timeout")
        return DevSmsProvider().send(message)


class SentThenLostProvider:
    """The carrier accepted the message but the answer was lost: the retry must not send twice."""

    def send(self, message: SmsMessage) -> str:
        DevSmsProvider().send(message)
        raise ProviderError("connection reset after send")


def queued(user, *, channel: str = "sms", template: str = "JX_SUBSIDY_PAID", kind: str = "payments",
           params: dict | None = None) -> Delivery:
    n = Notification.objects.create(
        user=user, event="funds.claim.paid", event_id=uuid.uuid4().hex, kind=kind, template=template,
        params={"number": "BT2026000001", "amount": "600.00"} if params is None else params,
    )
    return Delivery.objects.create(notification=n, user=user, channel=channel, template=template, key=f"{n.pk}:{channel}")


@pytest.fixture
def trent(personas):
    actions.record_sms_consent(personas.trent, by=personas.trent, given=True)
    return personas.trent


def test_it_sends_no_sms_without_consent(personas) -> None:
    d = queued(personas.trent)
    assert actions.send_delivery(d.pk, now=NOON) == DeliveryStatus.SUPPRESSED
    d.refresh_from_db()
    assert "PIPL" in d.reason and not DevSmsMessage.objects.exists()


def test_it_sends_with_consent_and_keeps_the_number_out_of_logs(trent, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    d = queued(trent)
    assert actions.send_delivery(d.pk, now=NOON) == DeliveryStatus.SENT
    sms = DevSmsMessage.objects.get()
    assert sms.phone_masked == "139****0013" and "600.00" in sms.text and sms.template == "JX_SUBSIDY_PAID"
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 1 and d.recipient_masked == "139****0013"
    assert "13900000013" not in caplog.text


def test_a_withdrawn_consent_stops_sms(trent) -> None:
    actions.record_sms_consent(trent, by=trent, given=False)
    d = queued(trent)
    assert actions.send_delivery(d.pk, now=NOON) == DeliveryStatus.SUPPRESSED


def test_it_sends_once_however_often_the_task_runs(trent) -> None:
    d = queued(trent)
    assert [actions.send_delivery(d.pk, now=NOON) for _ in range(3)] == ["sent", "sent", "sent"]
    assert DevSmsMessage.objects.count() == 1


@override_settings(JIXING_SMS_PROVIDER="jixing.notify.tests.test_delivery.FlakyProvider")
def test_it_retries_a_provider_failure_with_backoff_and_sends_once(trent) -> None:
    FlakyProvider.failures, FlakyProvider.calls = 2, 0
    d = queued(trent)
    assert actions.send_delivery(d.pk, now=NOON) == "retry"
    d.refresh_from_db()
    assert d.status == "queued" and d.attempts == 1 and d.next_attempt_at == NOON + dt.timedelta(minutes=1)
    assert "carrier timeout" in d.reason
    assert actions.send_delivery(d.pk, now=NOON + dt.timedelta(seconds=30)) == "deferred"
    assert actions.send_delivery(d.pk, now=NOON + dt.timedelta(minutes=1)) == "retry"
    d.refresh_from_db()
    assert d.next_attempt_at == NOON + dt.timedelta(minutes=3)  # then 2 minutes
    assert actions.send_delivery(d.pk, now=NOON + dt.timedelta(minutes=3)) == "sent"
    assert DevSmsMessage.objects.count() == 1 and FlakyProvider.calls == 3


@override_settings(JIXING_SMS_PROVIDER="jixing.notify.tests.test_delivery.SentThenLostProvider", JIXING_NOTIFY_MAX_ATTEMPTS=3)
def test_a_retry_after_a_lost_answer_does_not_send_twice_and_gives_up_with_a_reason(trent) -> None:
    d = queued(trent)
    later = NOON
    for _ in range(3):
        actions.send_delivery(d.pk, now=later)
        later += dt.timedelta(hours=1)
    d.refresh_from_db()
    assert d.status == "failed" and d.attempts == 3 and "Gave up after 3 attempts" in d.reason
    assert DevSmsMessage.objects.count() == 1  # the carrier's idempotency id (our key) held


@override_settings(JIXING_SMS_DAILY_LIMIT=2)
def test_it_limits_sms_per_person_per_day(trent) -> None:
    first, second, third = queued(trent), queued(trent), queued(trent)
    assert actions.send_delivery(first.pk, now=NOON) == "sent"
    assert actions.send_delivery(second.pk, now=NOON) == "sent"
    assert actions.send_delivery(third.pk, now=NOON) == "suppressed"
    third.refresh_from_db()
    assert "limit 2" in third.reason
    tomorrow = queued(trent)
    assert actions.send_delivery(tomorrow.pk, now=NOON + dt.timedelta(days=1)) == "sent"


@override_settings(JIXING_NOTIFY_QUIET_HOURS="21:00-08:00")
def test_it_holds_sms_in_quiet_hours_until_morning(trent) -> None:
    d = queued(trent)
    night = dt.datetime(2026, 5, 6, 23, 30, tzinfo=SH)
    assert actions.send_delivery(d.pk, now=night) == "deferred"
    d.refresh_from_db()
    assert d.next_attempt_at == dt.datetime(2026, 5, 7, 8, 0, tzinfo=SH) and d.status == "queued"
    assert actions.send_delivery(d.pk, now=dt.datetime(2026, 5, 7, 8, 0, tzinfo=SH)) == "sent"


def test_a_template_with_a_missing_parameter_fails_with_its_name(trent) -> None:
    d = queued(trent, params={"number": "BT2026000001"})
    assert actions.send_delivery(d.pk, now=NOON) == "failed"
    d.refresh_from_db()
    assert "JX_SUBSIDY_PAID" in d.reason and "amount" in d.reason and not DevSmsMessage.objects.exists()
    assert Notification.objects.filter(pk=d.notification_id).exists()  # still in the message centre


def test_a_number_that_is_not_a_mainland_mobile_fails_with_a_reason(trent) -> None:
    from jixing.registry.models import Person

    Person.objects.filter(pk=trent.person_id).update(phone="053188881234")
    d = queued(trent)
    assert actions.send_delivery(d.pk, now=NOON) == "failed"
    d.refresh_from_db()
    assert "mainland mobile" in d.reason and "053188881234" not in d.reason


def test_it_emails_with_a_signed_unsubscribe_link_that_works(personas, client) -> None:
    ivan = personas.ivan
    ivan.email = "ivan@example.cn"
    ivan.save(update_fields=["email"])
    d = queued(ivan, channel="email", template="JX_CLAIM_RETURNED", kind="claims",
               params={"number": "BT2026000002", "reason": "花名册缺少签名"})
    assert actions.send_delivery(d.pk, now=NOON) == "sent"
    message = mail.outbox[0]
    assert message.to == ["ivan@example.cn"] and "BT2026000002" in message.subject
    assert "花名册缺少签名" in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert Preference.objects.get(user=ivan, kind="claims", channel="email").enabled is False
    again = queued(ivan, channel="email", template="JX_CLAIM_RETURNED", kind="claims",
                   params={"number": "BT2026000003", "reason": "x"})
    assert actions.send_delivery(again.pk, now=NOON) == "suppressed"
    assert len(mail.outbox) == 1


def test_a_tampered_unsubscribe_link_is_refused(personas, client) -> None:
    token = actions.unsubscribe_token(personas.ivan, "claims")
    response = client.post(f"/notify/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_only_the_person_records_their_own_consent(personas) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        actions.record_sms_consent(personas.trent, by=personas.dave, given=True)
    with pytest.raises(ValidationError):
        actions.record_sms_consent(personas.ivan, by=personas.ivan, given=True)

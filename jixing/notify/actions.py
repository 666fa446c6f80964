"""Writes of the notifications app: sending one delivery, reading messages, preferences,
SMS consent and email unsubscription. Each is atomic; person-facing changes are audited."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core.masking import mask_phone

from . import rules
from .catalogue import MANDATORY_IN_APP, Channel, Kind
from .channels import ProviderError, SmsMessage, send_email, sms_provider
from .models import Delivery, DeliveryStatus, MessageTemplate, Notification, Preference, SmsConsent

logger = logging.getLogger(__name__)

CONSENT_WORDING = "2025-01"
UNSUBSCRIBE_SALT = "jixing.notify.unsubscribe"
ALL_KINDS = "*"


# ====================================================================== the message centre


def mark_read(notification: Notification, *, by: User) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, by: User) -> int:
    return Notification.objects.for_user(by).unread().update(read_at=timezone.now())


def mark_read_for_object(*, by: User, object_type: str, object_id: str) -> int:
    """Opening an object marks the messages about it as read."""
    return Notification.objects.for_user(by).unread().filter(
        object_type=object_type, object_id=object_id).update(read_at=timezone.now())


# ====================================================================== preferences and consent


def set_preferences(*, by: User, choices: dict[tuple[str, str], bool]) -> int:
    """Store a person's channel choice per kind; the in-system channel of a mandatory kind
    (payments, recovery) cannot be switched off."""
    changed = 0
    with transaction.atomic():
        for (kind, channel), enabled in choices.items():
            if kind not in Kind.values or channel not in Channel.values:
                raise ValidationError(_("Unknown kind or channel."))
            if channel == Channel.IN_APP and kind in MANDATORY_IN_APP and not enabled:
                raise ValidationError(_("Messages about %(kind)s are always shown in the system.")
                                      % {"kind": Kind(kind).label})
            row, created = Preference.objects.update_or_create(
                user=by, kind=kind, channel=channel, defaults={"enabled": enabled})
            changed += 1
        audit.record("notify.preferences", actor=by, obj=by,
                     after={f"{k}.{c}": v for (k, c), v in sorted(choices.items())})
    return changed


def has_sms_consent(user: User) -> bool:
    latest = SmsConsent.objects.filter(user=user).order_by("-at", "-id").first()
    return bool(latest and latest.given)


def record_sms_consent(user: User, *, by: User, given: bool) -> SmsConsent:
    """PIPL: a person consents (or withdraws consent) to SMS at their own mobile number; only
    the person may do it for themselves."""
    if by.pk != user.pk:
        raise PermissionDenied
    if user.role != Role.TRAINEE or not user.person_id:
        raise ValidationError(_("Only a person's own account receives SMS."))
    with transaction.atomic():
        row = SmsConsent.objects.create(user=user, given=given, wording=CONSENT_WORDING, recorded_by=by)
        audit.record("notify.sms_consent.given" if given else "notify.sms_consent.withdrawn", actor=by, obj=user,
                     after={"given": given, "wording": CONSENT_WORDING})
    return row


def unsubscribe_token(user: User, kind: str = ALL_KINDS) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str = ALL_KINDS) -> str:
    return settings.JIXING_SITE_URL.rstrip("/") + reverse("notify:unsubscribe", args=[unsubscribe_token(user, kind)])


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The user and kind a signed link names; BadSignature (or expiry after a year) is refused."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=dt.timedelta(days=365))
    user = User.objects.get(pk=data["u"], is_active=True)
    kind = data["k"]
    if kind != ALL_KINDS and kind not in Kind.values:
        raise signing.BadSignature("unknown kind")
    return user, kind


def unsubscribe_email(token: str) -> tuple[User, str]:
    """One click from an email: stop email for that kind (or every kind)."""
    user, kind = read_unsubscribe_token(token)
    kinds = Kind.values if kind == ALL_KINDS else [kind]
    with transaction.atomic():
        for k in kinds:
            Preference.objects.update_or_create(user=user, kind=k, channel=Channel.EMAIL, defaults={"enabled": False})
        audit.record("notify.email.unsubscribed", actor=None, obj=user, actor_label="unsubscribe-link",
                     after={"kinds": kinds})
    return user, kind


# ====================================================================== sending


def _local_day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _preference_on(d: Delivery) -> bool:
    row = Preference.objects.filter(user_id=d.user_id, kind=d.notification.kind, channel=d.channel).first()
    return row is None or row.enabled


def _render(d: Delivery, template: MessageTemplate) -> tuple[str, str]:
    params = d.notification.params
    if d.channel == Channel.SMS:
        return "", rules.render(template.code, template.sms_text, template.params, params)
    subject = rules.render(template.code, template.email_subject, template.params, params)
    return subject, rules.render(template.code, template.email_text, template.params, params)


def _finish(d: Delivery, status: str, reason: str = "", **fields: Any) -> str:
    d.status = status
    d.reason = reason[:300]
    for name, value in fields.items():
        setattr(d, name, value)
    d.save()
    if status == DeliveryStatus.FAILED:
        logger.warning("delivery %s (%s) failed: %s", d.pk, d.channel, d.reason)
    return status


def send_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one queued delivery, or record why not. Returns the resulting status (or
    "deferred" when quiet hours or a retry wait hold it back).

    Idempotent: the row is locked and a delivery that is no longer queued is left alone, so
    a task run twice sends once. The mobile number is decrypted here and nowhere else."""
    now = now or timezone.now()
    with transaction.atomic():
        d = (Delivery.objects.select_for_update(of=("self",)).select_related("notification", "user")
             .filter(pk=delivery_id).first())
        if d is None or d.status != DeliveryStatus.QUEUED:
            return d.status if d is not None else "missing"
        if d.next_attempt_at is not None and d.next_attempt_at > now:
            return "deferred"
        user = d.user
        channel_label = str(Channel(d.channel).label)
        if not user.is_active:
            return _finish(d, DeliveryStatus.SUPPRESSED, _("The account is inactive."))
        if not _preference_on(d):
            return _finish(d, DeliveryStatus.SUPPRESSED, _("The person switched %(channel)s off for this kind.")
                           % {"channel": channel_label})
        if d.channel == Channel.SMS and not has_sms_consent(user):
            return _finish(d, DeliveryStatus.SUPPRESSED, _("No SMS consent recorded (PIPL): shown in the system only."))
        quiet = rules.QuietHours.parse(settings.JIXING_NOTIFY_QUIET_HOURS)
        if d.channel == Channel.SMS and quiet is not None and quiet.contains(timezone.localtime(now).time()):
            resume = quiet.ends_after(timezone.localtime(now))
            d.next_attempt_at = resume
            d.reason = _("Quiet hours: held until %(time)s.") % {"time": resume.strftime("%Y-%m-%d %H:%M")}
            d.save(update_fields=["next_attempt_at", "reason", "updated_at"])
            transaction.on_commit(lambda: _enqueue_later(d.pk, resume))
            return "deferred"
        limit = settings.JIXING_SMS_DAILY_LIMIT if d.channel == Channel.SMS else settings.JIXING_EMAIL_DAILY_LIMIT
        start, end = _local_day_bounds(now)
        sent_today = Delivery.objects.filter(user=user, channel=d.channel).sent_on(start, end).count()
        gate = rules.rate_gate(sent_today, limit, channel_label)
        if not gate.ok:
            return _finish(d, DeliveryStatus.SUPPRESSED, gate.reason)
        template = MessageTemplate.objects.filter(code=d.template, active=True).first()
        if template is None:
            return _finish(d, DeliveryStatus.FAILED, _("Template %(code)s is not registered or not active.")
                           % {"code": d.template})
        try:
            subject, text = _render(d, template)
        except rules.TemplateError as exc:
            return _finish(d, DeliveryStatus.FAILED, str(exc))
        try:
            if d.channel == Channel.SMS:
                phone = user.person.phone if user.person is not None else ""
                if not rules.is_mainland_mobile(phone):
                    return _finish(d, DeliveryStatus.FAILED, _("The person's number is not a mainland mobile number."))
                masked = mask_phone(phone)
                ref = sms_provider().send(SmsMessage(
                    key=d.key, phone=phone, template=template.code, carrier_code=template.carrier_code,
                    params={k: d.notification.params.get(k) for k in template.params}, text=text, user_id=user.pk))
                del phone
            else:
                masked = _mask_email(user.email)
                ref = send_email(key=d.key, to=user.email, subject=subject,
                                 body=text + "\n\n" + _("Stop these emails: %(url)s") % {"url": unsubscribe_url(user, d.notification.kind)},
                                 unsubscribe_url=unsubscribe_url(user, d.notification.kind))
        except ProviderError as exc:
            return _retry_or_fail(d, str(exc), now)
        except Exception as exc:  # a provider bug is a failed attempt too, with its type as the reason
            return _retry_or_fail(d, f"{type(exc).__name__}", now)
        return _finish(d, DeliveryStatus.SENT, "", sent_at=now, provider_ref=str(ref)[:80],
                       attempts=d.attempts + 1, recipient_masked=masked, next_attempt_at=None)


def _mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return (name[:1] + "***@" + domain) if domain else "***"


def _retry_or_fail(d: Delivery, reason: str, now: dt.datetime) -> str:
    attempts = d.attempts + 1
    if attempts >= settings.JIXING_NOTIFY_MAX_ATTEMPTS:
        return _finish(d, DeliveryStatus.FAILED,
                       _("Gave up after %(n)d attempts: %(reason)s") % {"n": attempts, "reason": reason},
                       attempts=attempts, next_attempt_at=None)
    when = now + rules.backoff(attempts)
    _finish(d, DeliveryStatus.QUEUED, _("Attempt %(n)d failed: %(reason)s") % {"n": attempts, "reason": reason},
            attempts=attempts, next_attempt_at=when)
    transaction.on_commit(lambda: _enqueue_later(d.pk, when))
    return "retry"


def _enqueue_later(delivery_id: int, when: dt.datetime) -> None:
    from .tasks import enqueue_delivery

    enqueue_delivery(delivery_id, run_after=when)


def retry_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The sweep (``send_notifications``): queue again what waits past its time."""
    from .tasks import enqueue_delivery

    now = now or timezone.now()
    due = list(Delivery.objects.filter(status=DeliveryStatus.QUEUED)
               .exclude(next_attempt_at__gt=now).order_by("id").values_list("pk", flat=True)[:limit])
    for pk in due:
        enqueue_delivery(pk)
    return len(due)

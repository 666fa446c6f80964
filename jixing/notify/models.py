"""Notifications (the message centre), deliveries by email and SMS (the delivery log),
preferences, SMS consent (PIPL) and the message templates registered with carriers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, within_region
from jixing.core.actor import Actor, Viewer

from .catalogue import Channel, Kind


class MessageTemplate(models.Model):
    """A template approved as data: SMS text is registered with the carriers under a code,
    and only its declared parameters may be filled in (never free text)."""

    code = models.CharField(_("template code"), max_length=40, unique=True)
    carrier_code = models.CharField(_("carrier template id"), max_length=40, blank=True,
                                    help_text=_("The id the SMS carrier gave the registered template."))
    params = models.JSONField(_("parameters"), default=list, help_text=_("Names the text may use, e.g. [\"number\"]."))
    sms_text = models.CharField(_("SMS text"), max_length=300, blank=True)
    email_subject = models.CharField(_("email subject"), max_length=200, blank=True)
    email_text = models.TextField(_("email text"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.code


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Actor) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk or 0)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one user in the message centre (the in-system channel)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=60)
    event_id = models.CharField(max_length=32, help_text=_("The published event (or batch) this came from."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    template = models.CharField(_("template code"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    digest_count = models.PositiveIntegerField(_("events in digest"), default=0)
    shown_in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # One event tells one user once, however often the fan-out runs.
            models.UniqueConstraint(fields=["user", "event_id"], name="notification_once_per_user_event"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.user_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", pgettext_lazy("delivery", "failed")
    SUPPRESSED = "suppressed", _("not sent")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def visible_to(self, user: Viewer) -> DeliveryQuerySet:
        """The delivery log: the province and the audit administrator see every row; a city or
        county officer the rows about persons and organisations of their region; everyone else
        only what was sent to them."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if scope.region_prefix and not scope.department_id:
            p = scope.region_prefix
            return self.filter(
                within_region("user__region", p) | within_region("user__organisation__county", p)
                | within_region("user__person__current_region", p) | Q(user_id=user.pk or 0)
            )
        return self.filter(user_id=user.pk or 0)

    def sent_on(self, day_start: Any, day_end: Any) -> DeliveryQuerySet:
        return self.filter(status=DeliveryStatus.SENT, sent_at__gte=day_start, sent_at__lt=day_end)


class Delivery(models.Model):
    """One outbound message (email or SMS) of one notification: queued, sent, failed with a
    reason, or not sent (no consent, rate limit, switched off) with a reason.

    The key is unique, so a retried fan-out never queues a second delivery; the sending task
    locks the row and does nothing once it is sent, so a retried task never sends twice; the
    provider receives the key as its idempotency id."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("template code"), max_length=40)
    key = models.CharField(max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=80, blank=True)
    recipient_masked = models.CharField(_("recipient"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(name="delivery_not_in_app", condition=~Q(channel="in_app")),
            models.CheckConstraint(name="delivery_sent_has_time", condition=~Q(status="sent") | Q(sent_at__isnull=False)),
        ]
        indexes = [models.Index(fields=["user", "channel", "status", "sent_at"])]

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """A person's choice for one kind and channel; no row means the default (catalogue)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}.{self.channel}={self.enabled}"


class SmsConsent(models.Model):
    """Consent to receive SMS (PIPL art. 13–14: a separate, informed consent for using the
    mobile number). Append-only: the latest row per user is the current state."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_consents")
    given = models.BooleanField(_("consent given"))
    wording = models.CharField(_("wording version"), max_length=20)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("SMS consent")
        verbose_name_plural = _("SMS consents")

    def __str__(self) -> str:
        return f"{self.user_id} {'given' if self.given else 'withdrawn'} {self.at:%Y-%m-%d}"


class DevSmsMessage(models.Model):
    """What the development SMS provider would have sent (a page officers can open). The
    number is stored masked; the key makes a retried send land once."""

    key = models.CharField(max_length=80, unique=True)
    phone_masked = models.CharField(_("mobile number"), max_length=20)
    template = models.CharField(_("template code"), max_length=40)
    carrier_code = models.CharField(_("carrier template id"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    text = models.CharField(_("text"), max_length=400)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("development SMS")
        verbose_name_plural = _("development SMS")

    def __str__(self) -> str:
        return f"{self.template} → {self.phone_masked}"

"""Outbound channels behind a provider interface (the same pattern as the face-check
boundary in training/face.py).

Email goes through Django's mail backends (``EMAIL_BACKEND``: SMTP in production, the console
or file backend in development). SMS goes through the provider class named by
``JIXING_SMS_PROVIDER``: carriers in China accept only registered templates, so a provider
receives the template code, the carrier's template id and the parameters, and the text only
for the record. The development provider keeps what it would send (number masked) for the
page /notify/sms-outbox/.

A provider raises ``ProviderError`` with a reason for anything that may succeed on retry.
Each call carries the delivery's key; providers pass it on as the idempotency id (carriers'
``outId``), so a retry after an unclear failure is not sent twice.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from jixing.core.masking import mask_phone


class ProviderError(Exception):
    """A send that failed and may be retried; ``str()`` is the reason shown in the log."""


@dataclass(frozen=True)
class SmsMessage:
    key: str
    phone: str = field(repr=False)  # decrypted inside the sending task only; never logged
    template: str
    carrier_code: str
    params: dict[str, Any]
    text: str
    user_id: int | None = None


class SmsProvider(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Send; return the provider's reference. Raise ProviderError when it failed."""
        ...


class DevSmsProvider:
    """Development and demo: writes the message to DevSmsMessage instead of a carrier."""

    def send(self, message: SmsMessage) -> str:
        from .models import DevSmsMessage

        row, _ = DevSmsMessage.objects.get_or_create(key=message.key, defaults={
            "phone_masked": mask_phone(message.phone), "template": message.template,
            "carrier_code": message.carrier_code, "params": message.params, "text": message.text[:400],
            "user_id": message.user_id,
        })
        return f"dev-{row.pk}"


def sms_provider() -> SmsProvider:
    path = settings.JIXING_SMS_PROVIDER
    if path.endswith(".DevSmsProvider") and settings.PRODUCTION:
        raise ImproperlyConfigured("JIXING_SMS_PROVIDER must name a real SMS provider in production.")
    provider: SmsProvider = import_string(path)()
    return provider


def send_email(*, key: str, to: str, subject: str, body: str, unsubscribe_url: str) -> str:
    message = EmailMessage(
        subject=subject, body=body, to=[to],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "X-Jixing-Delivery": key},
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise ProviderError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    return key

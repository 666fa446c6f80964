"""Reads for the message centre, the delivery log and the development SMS page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jixing.core.actor import Actor

from .catalogue import BY_NAME, DIGEST_TITLE
from .models import Delivery, DevSmsMessage, Notification


class _Lenient(dict[str, Any]):
    """Formatting an old message whose parameters changed shows a blank, never an error."""

    def __missing__(self, key: str) -> str:
        return ""


def text_of(notification: Notification) -> str:
    """The in-system line, in the reader's language, from the catalogue and the stored parameters."""
    params = _Lenient(notification.params)
    if notification.event == "digest":
        return str(DIGEST_TITLE) % params
    spec = BY_NAME.get(notification.event)
    if spec is None:
        return notification.event
    return str(spec.title) % params


def messages_for(user: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.for_user(user).filter(shown_in_app=True)
    return qs.unread() if unread_only else qs


def unread_count(user: Actor) -> int:
    return messages_for(user, unread_only=True).count()


def delivery_log(user: Actor, *, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    qs = Delivery.objects.visible_to(user).select_related("user", "notification")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def dev_sms(user: Actor) -> QuerySet[DevSmsMessage]:
    """What the development provider would have sent, to the persons in the officer's region."""
    from jixing.core.access import scope_for, within_region

    scope = scope_for(user)
    qs = DevSmsMessage.objects.select_related("user")
    if scope.everything:
        return qs
    if scope.region_prefix and not scope.department_id:
        return qs.filter(within_region("user__person__current_region", scope.region_prefix))
    return qs.none()

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Notification


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell in the top bar (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_unread": Notification.objects.for_user(user).unread().filter(shown_in_app=True).count()}

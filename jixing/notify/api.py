"""Messages and to-dos over the API (the same reads as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import ANY_ROLE, AuthedRequest, read_only_api, require_api_roles

from . import actions, queries, todos
from .models import Notification

router = Router(tags=["notify"])


class NotificationOut(Schema):
    id: int
    event: str
    kind: str
    text: str
    url: str
    object_type: str
    object_id: str
    digest_count: int
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int


class TodoItemOut(Schema):
    title: str
    url: str
    since: dt.datetime
    age_days: int
    deadline: dt.date
    overdue: bool


class TodoGroupOut(Schema):
    kind: str
    label: str
    count: int
    overdue: int
    items: list[TodoItemOut]


def _out(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "event": n.event, "kind": n.kind, "text": queries.text_of(n), "url": n.url,
            "object_type": n.object_type, "object_id": n.object_id, "digest_count": n.digest_count,
            "created_at": n.created_at, "read_at": n.read_at}


@router.get("/notifications", response=list[NotificationOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_notifications(request: AuthedRequest, unread: bool = False) -> Any:
    require_api_roles(request, ANY_ROLE)
    return [_out(n) for n in queries.messages_for(request.user, unread_only=unread)[:1000]]


@router.get("/notifications/unread-count", response=UnreadOut)
def unread_count(request: AuthedRequest) -> Any:
    require_api_roles(request, ANY_ROLE)
    return {"unread": queries.unread_count(request.user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def read_notification(request: AuthedRequest, notification_id: int) -> Any:
    require_api_roles(request, ANY_ROLE)
    notification = Notification.objects.for_user(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return _out(actions.mark_read(notification, by=request.user))  # type: ignore[arg-type]


@router.get("/todos", response=list[TodoGroupOut])
def list_todos(request: AuthedRequest) -> Any:
    require_api_roles(request, ANY_ROLE)
    return [
        {"kind": g.kind, "label": str(g.label), "count": g.count, "overdue": g.overdue,
         "items": [{"title": t.title, "url": t.url, "since": t.since, "age_days": t.age_days,
                    "deadline": t.deadline, "overdue": t.overdue} for t in g.items]}
        for g in todos.todos_for(request.user, limit=100)
    ]


# Marking one's own message read changes no business data: the audit administrator may too.
read_only_api("POST", "/api/v1/notify/notifications/{notification_id}/read")

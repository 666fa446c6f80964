"""Pages: the message centre, to-dos, preferences and consent, the delivery log, the
development SMS outbox and the signed unsubscribe link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role, User
from jixing.core.access import scope_for
from jixing.core.pages import run_action
from jixing.core.permissions import ANY_ROLE, AuthedRequest, public, read_only_post, require_roles

from . import actions, queries, todos
from .catalogue import MANDATORY_IN_APP, Channel, Kind
from .models import DeliveryStatus, Notification, Preference
from .roles import LOG_READERS

PAGE_SIZE = 30


def _page(request: HttpRequest, qs: object) -> object:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


@require_roles(ANY_ROLE)
def inbox(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = _page(request, queries.messages_for(request.user, unread_only=unread_only))
    rows = [(n, queries.text_of(n)) for n in page.object_list]  # type: ignore[attr-defined]
    return TemplateResponse(request, "notify/inbox.html", {
        "page_obj": page, "rows": rows, "unread_only": unread_only,
    })


@require_roles(ANY_ROLE)
def open_message(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark read and follow the link; the object's own page checks access again."""
    notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    actions.mark_read(notification, by=request.user)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notify:inbox")


@require_roles(ANY_ROLE)
@read_only_post
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    n = actions.mark_all_read(by=request.user)
    messages.success(request, _("%(n)d messages marked as read.") % {"n": n})
    return redirect("notify:inbox")


@require_roles(ANY_ROLE)
def todo_list(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "notify/todos.html", {"groups": todos.todos_for(request.user, limit=200)})


def _preference_rows(user: User) -> list[dict[str, Any]]:
    stored = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
    channels = [Channel.IN_APP, Channel.EMAIL] + ([Channel.SMS] if user.role == Role.TRAINEE else [])
    rows = []
    for kind in Kind:
        cells = []
        for channel in channels:
            locked = channel == Channel.IN_APP and kind in MANDATORY_IN_APP
            cells.append({"channel": channel, "name": f"{kind.value}.{channel.value}", "locked": locked,
                          "on": True if locked else stored.get((kind.value, channel.value), True)})
        rows.append({"kind": kind, "cells": cells})
    return rows


@require_roles(ANY_ROLE)
@read_only_post
def preferences(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if "sms_consent" in request.POST:
            return run_action(request, lambda: actions.record_sms_consent(user, by=user, given=request.POST["sms_consent"] == "give"),
                              success=_("Your SMS consent was recorded."), then=redirect("notify:preferences"))
        choices = {}
        for row in _preference_rows(user):
            for cell in row["cells"]:
                if not cell["locked"]:
                    choices[(row["kind"].value, cell["channel"].value)] = cell["name"] in request.POST
        return run_action(request, lambda: actions.set_preferences(by=user, choices=choices),
                          success=_("Your choices were saved."), then=redirect("notify:preferences"))
    return TemplateResponse(request, "notify/preferences.html", {
        "rows": _preference_rows(user), "has_email": bool(user.email),
        "sms_possible": user.role == Role.TRAINEE and user.person_id is not None,
        "sms_consent": actions.has_sms_consent(user), "consent_wording": actions.CONSENT_WORDING,
    })


@require_roles(*LOG_READERS)
def delivery_log(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    status = status if status in DeliveryStatus.values else ""
    channel = channel if channel in (Channel.EMAIL, Channel.SMS) else ""
    page = _page(request, queries.delivery_log(request.user, status=status, channel=channel))
    return TemplateResponse(request, "notify/deliveries.html", {
        "page_obj": page, "status": status, "channel": channel, "statuses": DeliveryStatus.choices,
        "channels": [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.SMS.value, Channel.SMS.label)],
    })


@require_roles(Role.HRSS_OFFICER, Role.AUDITOR)
def sms_outbox(request: AuthedRequest) -> HttpResponse:
    """The development SMS provider's 'sent' box: what would have gone to carriers."""
    if scope_for(request.user).nothing:
        raise Http404
    page = _page(request, queries.dev_sms(request.user))
    return TemplateResponse(request, "notify/sms_outbox.html", {"page_obj": page})


@public
@csrf_exempt  # one-click unsubscribe from a mail client (RFC 8058): the signed token is the authority
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: GET shows what will stop, POST (one click, RFC 8058) stops it."""
    try:
        user, kind = actions.read_unsubscribe_token(token)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        return TemplateResponse(request, "notify/unsubscribe.html", {"invalid": True}, status=400)
    kind_label = Kind(kind).label if kind in Kind.values else _("all kinds")
    if request.method == "POST":
        actions.unsubscribe_email(token)
        return TemplateResponse(request, "notify/unsubscribe.html", {"done": True, "kind_label": kind_label})
    return TemplateResponse(request, "notify/unsubscribe.html", {"kind_label": kind_label})

"""The admin site's gate and the read-only admin of the audit log (SECURITY.md B1, A4).
Imported by ``accounts/admin.py``: the gate needs the accounts' logout and audit queries, so it
lives here rather than in core (README "Layout").

- Only the three admin roles enter the admin; everyone else gets 403 (anonymous users go
  to the normal login, with its lockout and second factor: the admin's own password-only
  login form is not used).
- The audit log is read by the audit administrator (everything) and the security
  administrator (security events); the system administrator cannot see it at all.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jixing.core.admin_base import ReadOnlyModelAdmin
from jixing.core.models import AuditEvent, StatusChange
from jixing.core.permissions import deny
from jixing.core.roles import ADMIN_ROLES

from .queries import audit_events_for
from .views import logout


def _admin_roles() -> frozenset[str]:
    return ADMIN_ROLES


def _has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.role in _admin_roles())  # type: ignore[union-attr]


def _login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    if request.user.is_authenticated:
        deny(request, sorted(_admin_roles()))  # signed in, but not an administrator: 403, audited
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login"))


def _logout(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return logout(request)


def _password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return redirect("accounts:password_change")


_wrap_admin_view = admin.site.admin_view


def _admin_view(view: Any, cacheable: bool = False) -> Any:
    """Signed-in users without an admin role get 403 (audited) rather than the admin's login form."""
    wrapped = _wrap_admin_view(view, cacheable)

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not _has_permission(request):
            deny(request, sorted(_admin_roles()))
        return wrapped(request, *args, **kwargs)

    return inner


admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.admin_view = _admin_view  # type: ignore[method-assign]
admin.site.login = _login  # type: ignore[method-assign,assignment]
admin.site.logout = _logout  # type: ignore[method-assign,assignment]
admin.site.password_change = _password_change  # type: ignore[method-assign,assignment]
admin.site.site_url = "/"
admin.site.index_title = _("Accounts and reference data")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "actor_label", "ip", "event", "object_type", "object_id", "object_label", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["actor_label", "event", "object_type", "object_id", "ip"]
    date_hierarchy = "at"
    fields = ("at", "actor_label", "actor", "ip", "event", "object_type", "object_id", "object_label", "outcome",
              "before", "after", "detail", "prev_hash", "hash")
    readonly_fields = fields
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return audit_events_for(request.user)  # type: ignore[arg-type]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "content_type", "object_id", "from_status", "to_status", "by"]
    list_filter = ["content_type"]
    search_fields = ["object_id"]
    fields = ("at", "content_type", "object_id", "from_status", "to_status", "by", "reason")
    readonly_fields = fields
    list_select_related = ["content_type", "by"]

"""Accounts in the admin, split between the three admin roles (SECURITY.md B1).

- system administrator: creates accounts and edits their identity, business role and
  scope (region, department, organisation, person); cannot touch admin-role accounts,
  the unmask permission or the second factor.
- security administrator: grants and withdraws admin roles, activates/deactivates,
  grants ``can_unmask``, unlocks, resets second factors, revokes API tokens; never on
  their own account.
- audit administrator: reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jixing.core import audit
from jixing.core.admin_base import AuditedAdminMixin

from . import actions
from . import admin_site as _admin_site  # noqa: F401 (the admin's gate and the audit log's admin)
from .forms import UserAdminCreationForm, UserAdminForm
from .models import ADMIN_ROLES, ApiToken, Role, User

admin.site.unregister(Group)  # permissions come from the role, never from groups

IDENTITY = ("username", "first_name", "last_name", "email")
SCOPE = ("role", "region", "department", "organisation", "person")
SECURITY_EDITABLE = ("is_active", "can_unmask")
STATUS = ("password_status", "must_change_password", "password_changed_at", "failed_logins", "locked_until",
          "second_factor", "last_login", "date_joined")


def _role(request: HttpRequest) -> str:
    return getattr(request.user, "role", "")


def may_set_password(actor: Any, target: User) -> bool:
    """Initial passwords: the system administrator for business accounts, the security
    administrator for admin accounts (never their own: that is the password page)."""
    if actor.role == Role.SYSTEM_ADMIN:
        return target.role not in ADMIN_ROLES
    if actor.role == Role.SECURITY_ADMIN:
        return target.role in ADMIN_ROLES and target.pk != actor.pk
    return False


def may_manage(actor: Any, target: User | None) -> bool:
    """May ``actor`` change ``target`` (None = a new account) at all?"""
    if actor.role == Role.SYSTEM_ADMIN:
        return target is None or target.role not in ADMIN_ROLES
    if actor.role == Role.SECURITY_ADMIN:
        return target is not None and target.pk != actor.pk
    return False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    form = UserAdminForm
    add_form = UserAdminCreationForm
    audit_redacted_fields = frozenset({"password1", "password2"})
    list_display = ["username", "full_name", "role", "region", "department", "organisation", "is_active",
                    "locked", "second_factor", "can_unmask", "last_login"]
    list_filter = ["role", "is_active", "can_unmask", "must_change_password"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    list_select_related = ["region", "department", "organisation"]
    raw_id_fields = ("organisation", "person")
    filter_horizontal = ()
    actions = ["unlock", "reset_second_factor", "grant_unmask", "revoke_unmask"]

    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Name"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and scope"), {"fields": SCOPE}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        return (
            (None, {"fields": IDENTITY}),
            (_("Role and scope"), {"fields": SCOPE}),
            (_("Security"), {"fields": (*SECURITY_EDITABLE, *STATUS)}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return ()
        everything = (*IDENTITY, *SCOPE, *SECURITY_EDITABLE, *STATUS)
        if not may_manage(request.user, obj):
            return everything
        if _role(request) == Role.SYSTEM_ADMIN:
            return ("can_unmask", *STATUS)
        # Security administrator: the role, activation and the unmask permission only.
        return (*IDENTITY, "region", "department", "organisation", "person", *STATUS)

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        role_field: Any = form.base_fields.get("role")
        if role_field is not None and _role(request) != Role.SECURITY_ADMIN:
            # The system administrator hands out business roles only.
            role_field.choices = [c for c in role_field.choices if c[0] not in ADMIN_ROLES]
        return form

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_manage(request.user, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actions.check_role_change(obj, new_role=obj.role, by=request.user)  # type: ignore[arg-type]
        if not change:
            obj.set_password(form.cleaned_data["password1"])
            obj.must_change_password = True  # an initial password is the administrator's, not the user's
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        target = self.get_object(request, id)
        if target is None or not may_set_password(request.user, target):
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            User.objects.filter(pk=target.pk).update(must_change_password=True)
            audit.record("password.set_by_admin", actor=request.user, obj=target)
        return response

    # Read-only columns -------------------------------------------------------------
    @admin.display(description=_("name"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, obj: User) -> bool:
        return obj.is_locked

    @admin.display(description=_("second factor"), boolean=True)
    def second_factor(self, obj: User) -> bool:
        return bool(obj.totp_secret)

    @admin.display(description=_("password"))
    def password_status(self, obj: User) -> str:
        if not obj.has_usable_password():
            return str(_("no password"))
        link = reverse("admin:auth_user_password_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', link, _("set a new initial password"))

    # Security administrator's actions ---------------------------------------------
    def has_security_permission(self, request: HttpRequest) -> bool:
        return _role(request) == Role.SECURITY_ADMIN

    def _each(self, request: Any, queryset: QuerySet[User], action: Any, done: str) -> None:
        count = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, _("You cannot change your own account's security."), messages.WARNING)
                continue
            action(user)
            count += 1
        self.message_user(request, ngettext("%(n)d account: %(what)s.", "%(n)d accounts: %(what)s.", count)
                          % {"n": count, "what": done})

    @admin.action(description=_("Unlock the selected accounts"), permissions=["security"])
    def unlock(self, request: Any, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, lambda u: actions.unlock_account(u, by=request.user), str(_("unlocked")))

    @admin.action(description=_("Reset the second factor of the selected accounts"), permissions=["security"])
    def reset_second_factor(self, request: Any, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, lambda u: actions.reset_second_factor(u, by=request.user),
                   str(_("second factor reset; a new authenticator is set up at the next login")))

    @admin.action(description=_("Allow the selected accounts to view unmasked personal data"), permissions=["security"])
    def grant_unmask(self, request: Any, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, lambda u: actions.set_unmask_permission(u, allowed=True, by=request.user),
                   str(_("may view unmasked personal data")))

    @admin.action(description=_("Withdraw the unmasked-data permission"), permissions=["security"])
    def revoke_unmask(self, request: Any, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, lambda u: actions.set_unmask_permission(u, allowed=False, by=request.user),
                   str(_("sees masked personal data only")))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "organisation", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "organisation__name", "user__username"]
    fields = ("name", "prefix", "organisation", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ["organisation", "user"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tokens are created by the organisation on its own page, shown once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_security_permission(self, request: HttpRequest) -> bool:
        return _role(request) == Role.SECURITY_ADMIN

    @admin.action(description=_("Revoke the selected tokens"), permissions=["security"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            actions.revoke_api_token(token, by=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Revoked."))

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.core import audit
from jixing.core.audit import verify_chain
from jixing.core.models import AuditOutcome
from jixing.core.permissions import ANY_ROLE, public, require_roles

from . import actions, totp
from .forms import ApiTokenForm, AuditFilterForm, LoginForm, OtpForm, PasswordChangeForm
from .lists import AUDIT_LOG
from .middleware import STARTED
from .models import STAFF_ROLES, ApiToken, Role, User

_PENDING = "jixing_pending_user"
_PENDING_AT = "jixing_pending_at"
_ENROL_SECRET = "jixing_enrol_secret"
PENDING_SECONDS = 5 * 60  # time allowed between the password and the second factor


def _needs_second_factor(user: User) -> bool:
    return user.is_staff_role and (settings.JIXING_REQUIRE_STAFF_TOTP or bool(user.totp_secret))


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': _next_url(request)})}"


def _complete_login(request: HttpRequest, user: User) -> HttpResponse:
    for key in (_PENDING, _PENDING_AT, _ENROL_SECRET):
        request.session.pop(key, None)
    auth_login(request, user)  # rotates the session id (A3)
    request.session[STARTED] = int(time.time())
    audit.record("login.succeeded", actor=user, obj=user)
    return redirect(_next_url(request))


def _pending_user(request: HttpRequest) -> User | None:
    """The user who gave the right password and still owes the second factor (not logged in)."""
    pk, at = request.session.get(_PENDING), request.session.get(_PENDING_AT)
    if pk is None or at is None or time.time() - at > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@public
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if _needs_second_factor(user):
            # No session login yet: only a pending marker in a fresh session (A4).
            request.session.cycle_key()
            request.session[_PENDING] = user.pk
            request.session[_PENDING_AT] = int(time.time())
            return redirect(_with_next("accounts:otp" if user.totp_secret else "accounts:enrol", request))
        return _complete_login(request, user)
    return TemplateResponse(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@public
def otp(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if not user.totp_secret:
        return redirect(_with_next("accounts:enrol", request))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.verify(user, form.cleaned_data["code"]):
            return _complete_login(request, user)
        audit.record("login.otp_failed", actor_label=user.username, obj=user, outcome=AuditOutcome.FAILED)
        form.add_error("code", _("The code is wrong or was already used."))
    return TemplateResponse(request, "accounts/otp.html", {"form": form, "next": _next_url(request)})


def _enrol(request: HttpRequest, user: User, *, pending: bool) -> HttpResponse:
    secret = request.session.get(_ENROL_SECRET) or totp.new_secret()
    request.session[_ENROL_SECRET] = secret
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.confirm_enrolment(user, secret, form.cleaned_data["code"]):
            actions.enrol_second_factor(user, secret=secret, by=None if pending else user)
            request.session.pop(_ENROL_SECRET, None)
            if pending:
                return _complete_login(request, user)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("accounts:totp")
        audit.record("totp.enrol_failed", actor_label=user.username, obj=user, outcome=AuditOutcome.FAILED)
        form.add_error("code", _("The code is wrong or was already used."))
    context = {
        "form": form,
        "secret": secret,
        "secret_grouped": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "otpauth_uri": totp.provisioning_uri(secret, user.username),
        "pending": pending,
        "next": _next_url(request),
    }
    return TemplateResponse(request, "accounts/totp_enrol.html", context)


@never_cache
@public
def enrol(request: HttpRequest) -> HttpResponse:
    """First login of a staff account without an authenticator: enrol, then log in."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if user.totp_secret:
        return redirect(_with_next("accounts:otp", request))
    return _enrol(request, user, pending=True)


@never_cache
@require_roles(*STAFF_ROLES)
def second_factor(request: HttpRequest) -> HttpResponse:
    """A signed-in staff user's second factor: enrol one, or see that it is set up."""
    user: User = request.user  # type: ignore[assignment]
    if user.totp_secret:
        return TemplateResponse(request, "accounts/totp_enrol.html", {"enrolled": True})
    return _enrol(request, user, pending=False)


@require_POST
@require_roles(ANY_ROLE)
def logout(request: HttpRequest) -> HttpResponse:
    audit.record("logout", actor=request.user, obj=request.user)  # type: ignore[arg-type]
    auth_logout(request)  # flushes the session row (D4)
    return redirect("accounts:login")


@require_roles(ANY_ROLE)
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            actions.change_password(user, by=user, new_password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect(_next_url(request))
        audit.record("password.change_failed", actor=user, obj=user, outcome=AuditOutcome.FAILED,
                     detail={"fields": sorted(form.errors)})
    context = {"form": form, "expired": user.password_expired(), "next": _next_url(request),
               "max_age_days": settings.JIXING_PASSWORD_MAX_AGE_DAYS}
    return TemplateResponse(request, "accounts/password_change.html", context)


@require_roles(Role.AUDITOR, Role.SECURITY_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log with filters: everything for the auditor, security events for the
    security administrator (B1). Reading it is itself audited."""
    user: User = request.user  # type: ignore[assignment]
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    listing = AUDIT_LOG.page(request)
    page = listing.page_obj
    page.object_list = list(page.object_list)  # read before this very visit is recorded
    broken = verify_chain() if request.GET.get("verify") == "1" and user.role == Role.AUDITOR else None
    audit.record("audit.log_viewed", actor=user, object_type="core.auditevent",
                 detail={k: str(v) for k, v in filters.items() if v} or None)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page_obj": page, "listing": listing, "broken": broken, "query": query.urlencode(),
               "can_verify": user.role == Role.AUDITOR}
    return TemplateResponse(request, "accounts/audit_log.html", context)


@never_cache
@require_roles(Role.INSTITUTION, Role.EVALUATOR)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The organisation's API tokens: create one (its value is shown once), or revoke."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = raw = None
    if request.method == "POST" and form.is_valid():
        new_token, raw = actions.issue_api_token(by=user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(organisation_id=user.organisation_id or 0).select_related("user").order_by("-created_at")
    context = {"form": form, "tokens": tokens, "new_token": new_token, "raw_token": raw}
    return TemplateResponse(request, "accounts/api_tokens.html", context)


@require_POST
@require_roles(Role.INSTITUTION, Role.EVALUATOR)
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_object_or_404(ApiToken, pk=pk, organisation_id=user.organisation_id or 0)
    actions.revoke_api_token(token, by=user)
    messages.success(request, _("The token %(prefix)s… no longer works.") % {"prefix": token.prefix})
    return redirect("accounts:api_tokens")

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core import audit
from jixing.core.models import AuditOutcome
from jixing.core.permissions import ANY_ROLE, public, require_roles

from . import totp
from .forms import LoginForm, OtpForm
from .models import User

_PENDING = "jixing_pending_user"


def _needs_second_factor(user: User) -> bool:
    return user.is_staff_role and (settings.JIXING_REQUIRE_STAFF_TOTP or bool(user.totp_secret))


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_login(request: HttpRequest, user: User) -> HttpResponse:
    auth_login(request, user)  # rotates the session id (A3)
    audit.record("login.succeeded", actor=user, obj=user)
    return redirect(_next_url(request))


@public
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if _needs_second_factor(user):
            if not user.totp_secret:
                audit.record("login.no_second_factor", actor_label=user.username, obj=user, outcome=AuditOutcome.DENIED)
                form.add_error(None, _("This account needs a second factor, but none is enrolled. Ask the security administrator."))
                return TemplateResponse(request, "accounts/login.html", {"form": form}, status=403)
            request.session.cycle_key()
            request.session[_PENDING] = user.pk
            return redirect(f"{resolve_url('accounts:otp')}?next={_next_url(request)}")
        return _complete_login(request, user)
    return TemplateResponse(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@public
def otp(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(_PENDING)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.verify(user, form.cleaned_data["code"]):
            del request.session[_PENDING]
            return _complete_login(request, user)
        audit.record("login.otp_failed", actor_label=user.username, obj=user, outcome=AuditOutcome.FAILED)
        form.add_error("code", _("The code is wrong or was already used."))
    return TemplateResponse(request, "accounts/otp.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
@require_roles(ANY_ROLE)
def logout(request: HttpRequest) -> HttpResponse:
    audit.record("logout", actor=request.user, obj=request.user)
    auth_logout(request)  # flushes the session row (D4)
    return redirect("accounts:login")

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        # One message for unknown user, wrong password and locked account (A2).
        "invalid_login": _("Wrong user name or password, or the account is temporarily locked."),
        "inactive": _("Wrong user name or password, or the account is temporarily locked."),
    }


class OtpForm(forms.Form):
    code = forms.CharField(label=_("6-digit code from your authenticator app"), max_length=6, min_length=6)

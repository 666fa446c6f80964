from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jixing.core.formdates import DateRangeMixin
from jixing.core.models import AuditOutcome

from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        # One message for unknown user, wrong password and locked account (A2).
        "invalid_login": _("Wrong user name or password, or the account is temporarily locked."),
        "inactive": _("Wrong user name or password, or the account is temporarily locked."),
    }


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Old password, new password twice; the new one passes AUTH_PASSWORD_VALIDATORS (A1)
    and differs from the old one."""

    def clean_new_password1(self) -> str:
        new = self.cleaned_data["new_password1"]
        if self.user.check_password(new):
            raise ValidationError(_("The new password must differ from the current one."), code="password_unchanged")
        return new


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


class AuditFilterForm(DateRangeMixin, forms.Form):
    date_ranges = (("date_from", "date_to"),)
    date_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("user"), required=False, max_length=150)
    event = forms.CharField(label=_("event"), required=False, max_length=80, help_text=_("e.g. login. or claim."))
    outcome = forms.ChoiceField(label=_("outcome"), required=False, choices=[("", "—"), *AuditOutcome.choices])
    object_type = forms.CharField(label=_("object type"), required=False, max_length=80)
    object_id = forms.CharField(label=_("object id"), required=False, max_length=64)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)


class SingleRoleMixin:
    """An account holds exactly one role (B1): a submission naming two roles is refused,
    not silently reduced to one of them."""

    def clean_role(self) -> str:
        form: Any = self
        values = form.data.getlist(form.add_prefix("role")) if hasattr(form.data, "getlist") else []
        if len(values) > 1:
            raise ValidationError(_("An account holds exactly one role."), code="two_roles")
        return form.cleaned_data["role"]


class UserAdminForm(SingleRoleMixin, forms.ModelForm):
    """Change form for accounts in the admin; which fields are editable depends on the
    administrator's role (see ``UserAdmin.get_readonly_fields``)."""

    class Meta:
        model = User
        fields = [
            "username", "first_name", "last_name", "email", "role", "region", "department", "organisation",
            "person", "is_active", "can_unmask",
        ]


class UserAdminCreationForm(SingleRoleMixin, forms.ModelForm):
    """A new account with an initial password the user must change at the first login."""

    password1 = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Initial password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "region", "department", "organisation", "person"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(username=data.get("username", ""), email=data.get("email", ""),
                         first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


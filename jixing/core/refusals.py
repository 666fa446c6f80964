"""One family of refusals (STYLE.md habit 16; zulip's ``JsonableError``; issue 14, build 4).

An action refuses by raising. Actions may keep raising what Django and core already give them
(``ValidationError``, ``PermissionDenied``; ``core.workflow.IllegalTransition`` is a ``Conflict``) or a
``Refusal`` subclass; ``as_refusal`` is the ONE place where the former become the latter, so
pages (``core.pages.run_action``) and the API (``core.api_errors``) render every refusal the
same way: a message in the user's language, field errors where a field is named, and an HTTP
status (422 invalid, 403 not allowed, 409 conflict).
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class Refusal(Exception):
    """An action said no. ``messages`` for a page, ``field_errors`` for a form or API client."""

    status: int = 400
    code: str = "refused"

    def __init__(self, message: str = "", *, field_errors: dict[str, list[str]] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
        if code is not None:
            self.code = code

    @property
    def messages(self) -> list[str]:
        """Every message, field errors included (for a page without a form)."""
        out = [self.message] if self.message else []
        for errors in self.field_errors.values():
            out.extend(errors)
        return out or [_("The request was refused.")]

    def detail(self) -> str | dict[str, list[str]]:
        """The API's ``detail``: the field errors by field, else the message."""
        if self.field_errors:
            return self.field_errors
        return self.message or self.messages[0]

    def apply_to(self, form: forms.Form, *, rename: Mapping[str, str] | None = None) -> None:
        """Put the refusal on a form: per field where the form has it (``rename`` maps the
        action's field names to the form's), the rest above the form."""
        if self.message:
            form.add_error(None, self.message)
        for name, errors in self.field_errors.items():
            field = (rename or {}).get(name, name)
            form.add_error(field if field in form.fields else None, errors)


class Invalid(Refusal):
    status = 422
    code = "invalid"


class NotAllowed(Refusal, PermissionDenied):
    """Also a ``PermissionDenied``: a page that lets it through answers Django's 403."""

    status = 403
    code = "not_allowed"


class Conflict(Refusal):
    """The object is not in a state that allows this (a lifecycle move, a duplicate, a race)."""

    status = 409
    code = "conflict"


def as_refusal(exc: Exception) -> Refusal:
    """The one mapping from what actions raise to a ``Refusal``."""
    if isinstance(exc, Refusal):
        return exc
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            fields = exc.message_dict
            if list(fields) == [NON_FIELD_ERRORS]:
                return Invalid(field_errors={NON_FIELD_ERRORS: fields[NON_FIELD_ERRORS]})
            return Invalid(field_errors=fields)
        return Invalid(field_errors={NON_FIELD_ERRORS: exc.messages})
    if isinstance(exc, PermissionDenied):
        return NotAllowed(str(exc) or _("Permission denied."))
    raise TypeError(f"not a refusal: {exc!r}")


#: What a page or the API treats as a refusal (anything else is a bug and answers 500).
REFUSALS: tuple[type[Exception], ...] = (Refusal, ValidationError, PermissionDenied)

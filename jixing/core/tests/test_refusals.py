"""One refusal family (core.refusals): what actions raise maps to one Refusal, and the page
helper (core.pages) shows it on the form or as messages; permission refusals stay 403."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from jixing.core.pages import attempt, run_action
from jixing.core.refusals import Conflict, Invalid, NotAllowed, Refusal, as_refusal
from jixing.core.workflow import IllegalTransition


@pytest.mark.parametrize(("raised", "kind", "status", "detail"), [
    (ValidationError({"name": ["Required."]}), Invalid, 422, {"name": ["Required."]}),
    (ValidationError("Closed."), Invalid, 422, {NON_FIELD_ERRORS: ["Closed."]}),
    (IllegalTransition("Cannot move."), Conflict, 409, "Cannot move."),
    (PermissionDenied("Not yours."), NotAllowed, 403, "Not yours."),
    (Conflict("Paid already."), Conflict, 409, "Paid already."),
])
def test_it_maps_what_actions_raise_to_one_refusal(raised, kind, status, detail):
    refusal = as_refusal(raised)
    assert isinstance(refusal, kind) and refusal.status == status and refusal.detail() == detail


def test_an_illegal_transition_is_a_conflict_and_not_allowed_is_a_permission_denied():
    assert issubclass(IllegalTransition, Conflict) and issubclass(IllegalTransition, Refusal)
    assert issubclass(NotAllowed, PermissionDenied)


def test_it_refuses_to_map_an_unrelated_exception():
    with pytest.raises(TypeError):
        as_refusal(KeyError("x"))


class _Form(forms.Form):
    name = forms.CharField()
    end = forms.CharField()


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _fail(exc: Exception):
    def call() -> None:
        raise exc
    return call


def test_it_puts_field_errors_on_the_form_and_renames_the_actions_fields():
    form = _Form({"name": "x", "end": "y"})
    assert form.is_valid()
    done = run_action(_request(), _fail(ValidationError({"name": ["Taken."], "ends_at": ["Too late."], "x": ["Other."]})),
                      form=form, rename={"ends_at": "end"}, then=HttpResponse("ok"))
    assert done is None
    assert form.errors["name"] == ["Taken."] and form.errors["end"] == ["Too late."]
    assert form.non_field_errors() == ["Other."]


def test_it_shows_a_refusal_as_messages_and_returns_the_page_to_go_back_to():
    request = _request()
    back = HttpResponse("back")
    assert run_action(request, _fail(IllegalTransition("Cannot move.")), success="Done.", then=back) is back
    assert [str(m) for m in get_messages(request)] == ["Cannot move."]


def test_it_renders_success_from_the_result():
    request = _request()
    answer = run_action(request, lambda: 7, success=lambda n: f"{n} saved.", then=lambda n: HttpResponse(str(n)))
    assert answer is not None and answer.content == b"7"
    assert [str(m) for m in get_messages(request)] == ["7 saved."]


def test_it_lets_a_permission_refusal_through_as_403():
    with pytest.raises(PermissionDenied):
        attempt(_request(), _fail(NotAllowed("No.")))
    with pytest.raises(PermissionDenied):
        attempt(_request(), _fail(PermissionDenied()))


def test_a_page_that_asks_shows_a_permission_refusal_like_the_others():
    request = _request()
    back = HttpResponse("back")
    assert run_action(request, _fail(PermissionDenied("Another officer must approve.")), then=back,
                      show_forbidden=True) is back
    assert attempt(request, _fail(NotAllowed("Not your region.")), show_forbidden=True) is None
    assert [str(m) for m in get_messages(request)] == ["Another officer must approve.", "Not your region."]
    form = _Form({"name": "x", "end": "y"})
    assert form.is_valid()
    assert run_action(_request(), _fail(PermissionDenied("Not yours.")), form=form, show_forbidden=True) is None
    assert form.non_field_errors() == ["Not yours."]


def test_attempt_gives_the_result_even_when_it_is_none():
    done = attempt(_request(), lambda: None)
    assert done is not None and done.result is None

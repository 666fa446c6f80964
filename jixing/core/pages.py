"""A page runs one action and renders its outcome (STYLE.md habit 16; issue 14, build 4).

``run_action`` is the page side of ``core.refusals``: it calls the action, and

* on success adds the success message and returns ``then`` (a redirect, or a function of the
  action's result that gives one);
* on a refusal puts it on the form when there is one (per field where the form has the field)
  and returns ``None``, so the view renders its form again; without a form it shows the
  messages and returns ``then`` (``fallback`` when ``then`` needs the result) or ``None``.

``attempt`` is the same without the rendering of success, for a page whose success is more
than a message and a redirect: it returns ``Done(result)`` or ``None`` (refused, shown).

``NotAllowed`` and Django's ``PermissionDenied`` are not caught: they answer 403 as before,
unless the view passes ``show_forbidden=True``: then the page itself was allowed and the
action's refusal of permission (another level's review step, maker ≠ checker, a region not
the officer's) is shown like any other refusal.
A view is parse → ``run_action`` → render; it opens no transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar, overload

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from jixing.core.refusals import Refusal, as_refusal

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """The action ran; its result (which may itself be ``None``)."""

    result: T


def attempt(request: HttpRequest, call: Callable[[], T], *, form: forms.Form | None = None,
            rename: Mapping[str, str] | None = None, show_forbidden: bool = False) -> Done[T] | None:
    """Run the action; a refusal goes on ``form`` (``rename`` maps the action's field names to
    the form's) or into the page's error messages, and gives ``None``."""
    try:
        return Done(call())
    except PermissionDenied as exc:
        if not show_forbidden:
            raise
        show_refusal(request, exc, form=form, rename=rename)
        return None
    except (Refusal, ValidationError) as exc:
        show_refusal(request, exc, form=form, rename=rename)
        return None


@overload
def run_action(request: HttpRequest, call: Callable[[], T], *, success: str | Callable[[T], str] = "",
               then: HttpResponse, form: None = None, rename: Mapping[str, str] | None = None,
               fallback: HttpResponse | None = None, show_forbidden: bool = False) -> HttpResponse: ...


@overload
def run_action(request: HttpRequest, call: Callable[[], T], *, success: str | Callable[[T], str] = "",
               then: Callable[[T], HttpResponse], form: None = None, rename: Mapping[str, str] | None = None,
               fallback: HttpResponse, show_forbidden: bool = False) -> HttpResponse: ...


@overload
def run_action(request: HttpRequest, call: Callable[[], T], *, success: str | Callable[[T], str] = "",
               then: HttpResponse | Callable[[T], HttpResponse] | None = None, form: forms.Form | None = None,
               rename: Mapping[str, str] | None = None, fallback: HttpResponse | None = None,
               show_forbidden: bool = False) -> HttpResponse | None: ...


def run_action(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    success: str | Callable[[T], str] = "",
    then: HttpResponse | Callable[[T], HttpResponse] | None = None,
    form: forms.Form | None = None,
    rename: Mapping[str, str] | None = None,
    fallback: HttpResponse | None = None,
    show_forbidden: bool = False,
) -> HttpResponse | None:
    done = attempt(request, call, form=form, rename=rename, show_forbidden=show_forbidden)
    if done is None:
        if form is not None:
            return None
        return then if isinstance(then, HttpResponse) else fallback
    text = success(done.result) if callable(success) else success
    if text:
        messages.success(request, text)
    if then is None or isinstance(then, HttpResponse):
        return then
    return then(done.result)


def show_refusal(request: HttpRequest, exc: Exception, *, form: forms.Form | None = None,
                 rename: Mapping[str, str] | None = None) -> None:
    """A refusal on the form if there is one, else as error messages on the next page."""
    refusal = as_refusal(exc)
    if form is not None:
        refusal.apply_to(form, rename=rename)
        return
    for message in refusal.messages:
        messages.error(request, message)

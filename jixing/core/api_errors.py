"""API errors: every refusal (``core.refusals``) becomes one JSON answer, ``{"detail": ...}``.

The answers are the ones the API always gave: a ``ValidationError`` 422 with the messages by
field (``__all__`` for the rest), an illegal move or other conflict 409, a refusal of
permission 403, a missing or out-of-scope object 404.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from jixing.core.refusals import Invalid, Refusal, as_refusal


def install_error_handlers(api: NinjaAPI) -> None:
    def render(request: HttpRequest, exc: Exception) -> HttpResponse:
        refusal = as_refusal(exc)
        detail = refusal.detail()
        if isinstance(refusal, Invalid) and isinstance(detail, str):
            detail = {NON_FIELD_ERRORS: [detail]}
        return api.create_response(request, {"detail": detail}, status=refusal.status)

    @api.exception_handler(Refusal)
    def refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
        return render(request, exc)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return render(request, exc)

    @api.exception_handler(PermissionDenied)
    def not_allowed(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return render(request, exc)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

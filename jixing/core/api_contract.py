"""What every API operation answers besides its success, enforced and declared in one place.

Issue 11 (defects 5 and 8): a body that is not JSON on a JSON endpoint, an id beyond 64 bits
or a number the database cannot hold must not reach the view (no 500); and the OpenAPI
document must declare the refusals every operation can give (401, 403, 404, 409, 415, 422),
so strict generated clients accept ordinary answers. Endpoints declare only their own
success responses; this module adds the rest for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, get_args

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.params.models import BodyModel, FileModel, FormModel, QueryModel
from pydantic import Field

INT64_MAX = 2**63 - 1
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_SCHEMA_NAME = "ApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "properties": {"detail": {"title": "Detail", "description": "a message, or field → messages, or a list of errors"}},
    "required": ["detail"],
}
_REASONS = {
    "400": "The request body could not be read.",
    "401": "Not signed in: a session or an X-API-Token is needed.",
    "403": "The role may not do this.",
    "404": "No such object (named in the path, query or body), or not one the caller may see: the two are not told apart.",
    "409": "Not allowed in the object's current state.",
    "415": "The body must be JSON (application/json).",
    "422": "Invalid parameters or body; the detail names the fields.",
}


def schema_for_signed_in_callers(
    token_user: Callable[[HttpRequest], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for the OpenAPI document and docs: anonymous callers get them only where the
    schema is public (outside production, SECURITY.md H1); else a session or an API token."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not settings.JIXING_API_SCHEMA_PUBLIC:
                user = getattr(request, "user", None)
                if not (user is not None and user.is_authenticated) and not token_user(request):
                    return JsonResponse({"detail": _("Sign in to read the API schema.")}, status=401)
            return view(request, *args, **kwargs)

        return guarded

    return decorate


class JixingAPI(NinjaAPI):
    """NinjaAPI whose schema declares the common refusals of every operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_common_responses(schema)


def declare_common_responses(schema: Any) -> Any:
    """Add the refusals each operation can answer to its ``responses`` (existing ones win)."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    error = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes: set[str] = set()
            parameters = operation.get("parameters", [])
            body = operation.get("requestBody")
            if operation.get("security"):
                codes |= {"401", "403"}
            if parameters or body:  # an id or code in the path, query or body may name nothing visible
                codes |= {"404", "422"}
            if body:
                codes.add("400")
                if "application/json" in body.get("content", {}):
                    codes.add("415")
            if method.upper() in UNSAFE_METHODS:  # a write names other objects by id in its body
                codes |= {"404", "409", "422"}
            declared = {str(code) for code in operation["responses"]}  # ninja uses int keys
            for code in sorted(codes - declared):
                operation["responses"][int(code)] = {"description": _REASONS[code], **error}
    return schema


def _takes_json_only(operation: Operation) -> bool:
    models = list(operation.models)
    takes_form = any(issubclass(m, FormModel | FileModel) for m in models)
    return not takes_form and any(issubclass(m, BodyModel) for m in models)


def _takes_form(operation: Operation) -> bool:
    return any(issubclass(m, FormModel | FileModel) for m in operation.models)


def _is_json(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _beyond_int64(value: Any) -> bool:
    text = str(value)
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isascii() and digits.isdigit() and not -INT64_MAX - 1 <= int(text) <= INT64_MAX


def _integer_query_names(operation: Operation) -> set[str]:
    """The query parameters the operation declares as integers (``int`` or ``int | None``)."""
    names: set[str] = set()
    for model in operation.models:
        if not issubclass(model, QueryModel):
            continue
        for name, field in model.model_fields.items():
            if field.annotation is int or int in get_args(field.annotation):
                names.add(field.alias or name)
    return names


def _guarded(api: NinjaAPI, operation: Operation) -> Callable[..., HttpResponse]:
    original = operation.run
    json_only = _takes_json_only(operation)
    takes_form = _takes_form(operation)
    integer_query = _integer_query_names(operation)

    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Path ids beyond 64 bits name nothing (and SQLite cannot even compare them).
        if any(_beyond_int64(v) for v in kwargs.values()):
            return api.create_response(request, {"detail": _("Not found.")}, status=404)
        # An integer query parameter beyond 64 bits: the same answer on every engine (SQLite
        # raises OverflowError, PostgreSQL would compare it as numeric and find nothing).
        if any(_beyond_int64(v) for n in integer_query for v in request.GET.getlist(n)):
            return api.create_response(request, {"detail": _("A number is out of range.")}, status=422)
        # Checked before authentication: the session's CSRF check would read a form body,
        # after which the JSON body can no longer be read (a 500 before). Reading the body
        # here first keeps it readable for both.
        if request.method in UNSAFE_METHODS and json_only and request.body and not _is_json(request):
            return api.create_response(request, {"detail": _("Send the body as JSON (Content-Type: application/json).")},
                                           status=415)
        if takes_form:
            try:
                request.POST  # noqa: B018 - parse now: a broken multipart body is the caller's error
            except MultiPartParserError:
                return api.create_response(request, {"detail": _("The form body could not be read.")}, status=400)
        return original(request, *args, **kwargs)

    return run


def harden_operations(api: NinjaAPI) -> None:
    """Wrap every bound operation of ``api`` (call after all routers are added)."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                operation.run = _guarded(api, operation)  # type: ignore[method-assign]


def install_number_guard(api: NinjaAPI) -> None:
    """A number the database cannot hold (SQLite: beyond 64 bits) is the caller's error."""

    @api.exception_handler(OverflowError)
    def number_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        return api.create_response(request, {"detail": _("A number is out of range.")}, status=422)


# A calendar year the API accepts: the action runs 2025–2027, its data reaches back to the
# people's earlier training; anything outside 2000–2100 is a typing error (422, not a 500).
Year = Annotated[int, Field(ge=2000, le=2100, description="calendar year, 2000–2100")]

from __future__ import annotations

import re
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core import audit, exports
from jixing.core.models import ExportFormat, ExportJob, ExportStatus
from jixing.core.permissions import ANY_ROLE, AuthedRequest, public, read_only_post, require_roles

from .workbench import cards_for

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def scope_label(user: object) -> str:
    """Where the user works: region, department, organisation or own name."""
    for attr in ("organisation", "department", "region"):
        value = getattr(user, attr, None)
        if value is not None:
            return str(value)
    return ""


@require_roles(ANY_ROLE)
def home(request: AuthedRequest) -> HttpResponse:
    """One workbench for every role, assembled from the apps' cards (jixing/web/workbench.py)."""
    return _workbench(request)


@public
def landing(request: HttpRequest) -> HttpResponse:
    """The public page: what jixing is, the certificate check, log in."""
    if request.user.is_authenticated:
        return redirect("web:home")
    return TemplateResponse(request, "web/landing.html", {})


def _workbench(request: AuthedRequest) -> HttpResponse:
    cards = cards_for(request)
    return TemplateResponse(request, "web/home.html", {
        "lead_cards": [c for c in cards if c.size == "lead"],
        "stat_cards": [c for c in cards if c.size == "stat"],
        "wide_cards": [c for c in cards if c.size == "wide"],
        "scope_label": scope_label(request.user),
        "today": timezone.localdate(),
    })


@public
def root_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("web:home")


def request_id(request: HttpRequest) -> str:
    """The id the reverse proxy gave the request (nginx ``$request_id`` as X-Request-ID), checked
    to be a plain token before it is shown on an error page."""
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    return value if REQUEST_ID.fullmatch(value) else ""


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "403.html", {"code": 403, "request_id": request_id(request)}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "404.html", {"code": 404, "request_id": request_id(request)}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may be in them (H1: no traceback shown).
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id(request)}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: our page, not Django's English one (the reason stays in the log)."""
    return TemplateResponse(request, "403_csrf.html", {"code": 403, "request_id": request_id(request)}, status=403)


# ---- list exports (jixing/core/listing.py, jixing/core/exports.py) ----

def _export_for_user(request: AuthedRequest, pk: int) -> ExportJob:
    """Only the user who asked for an export sees it; anyone else gets 404."""
    job = ExportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404
    return job


@read_only_post  # writes an export job and an audit row, no business data
@require_POST
@require_roles(ANY_ROLE)
def export_start(request: AuthedRequest) -> HttpResponse:
    spec = exports.specs().get(request.POST.get("list", ""))
    if spec is None or not spec.allowed(request.user):
        raise Http404
    reason = request.POST.get("reason", "").strip() if request.POST.get("unmask") else ""
    if reason and len(reason) < 4:
        messages.error(request, _("Give a reason of at least 4 characters to export unmasked personal data."))
        return redirect(request.POST.get("back") or "web:exports")
    job = exports.request_export(spec, by=request.user, query=request.POST.get("query", ""),
                                 fmt=request.POST.get("fmt", "xlsx"), reason=reason)
    return redirect("web:export", pk=job.pk)


@require_roles(ANY_ROLE)
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _export_for_user(request, pk)
    spec = exports.specs().get(job.list_name)
    context = {"job": job, "title": spec.title if spec else job.list_name}
    if getattr(request, "htmx", False):
        return TemplateResponse(request, "web/_export_progress.html", context)
    return TemplateResponse(request, "web/export_detail.html", context)


@require_roles(ANY_ROLE)
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = _export_for_user(request, pk)
    if job.status != ExportStatus.DONE or not job.path or not Path(job.path).exists():
        raise Http404
    audit.record("export.downloaded", actor=request.user, obj=job, detail={"list": job.list_name, "rows": job.rows_done})
    content_type = ("text/csv; charset=utf-8" if job.fmt == ExportFormat.CSV
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(Path(job.path).open("rb"), as_attachment=True, filename=job.file_name, content_type=content_type)


@require_roles(ANY_ROLE)
def export_list(request: AuthedRequest) -> HttpResponse:
    jobs = ExportJob.objects.filter(user=request.user).order_by("-id")[:50]
    names = {name: spec.title for name, spec in exports.specs().items()}
    return TemplateResponse(request, "web/export_list.html", {
        "jobs": [(job, names.get(job.list_name, job.list_name)) for job in jobs]})

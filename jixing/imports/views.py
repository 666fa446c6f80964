"""Import pages: job list, upload, job (progress → preview → commit), error file, template.

Every kind registered in ``jixing.imports.pipeline`` gets these pages; the kind's importer
declares which roles may use them (checked here on top of ``@require_roles``).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jixing.core.access import get_for_user
from jixing.core.permissions import ANY_ROLE, has_role, require_api_roles, require_roles

from . import actions
from .models import ImportJob, ImportStatus
from .pipeline import FileRejected, Importer, get_importer, importer_kinds

if TYPE_CHECKING:
    from jixing.accounts.models import User

ERRORS_PER_PAGE = 200


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)  # every view here requires a signed-in user


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("file (.xlsx or .csv)"))


def _importer_or_404(request: HttpRequest, kind: str) -> type[Importer[Any]]:
    try:
        importer = get_importer(kind)
    except KeyError:
        raise Http404 from None
    require_api_roles(request, *importer.roles)  # audited 403 for roles the kind does not allow
    return importer


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    return get_for_user(ImportJob.objects.select_related("created_by", "region"), request.user, pk)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    """Only the uploader commits or cancels what they previewed."""
    job = _job_or_404(request, pk)
    _importer_or_404(request, job.kind)
    if job.created_by_id != request.user.pk:
        raise Http404  # visible but not theirs: same answer as missing for writes
    return job


@require_roles(ANY_ROLE)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by", "region")
    kinds = [(kind, imp) for kind, imp in importer_kinds().items() if has_role(request.user, imp.roles)]
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    titles = {kind: imp.title for kind, imp in importer_kinds().items()}
    return TemplateResponse(request, "imports/job_list.html", {
        "page": page, "kinds": kinds, "titles": titles,
    })


@require_roles(ANY_ROLE)
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_or_404(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            job = actions.receive_and_check(kind, uploaded, file_name=uploaded.name, size=uploaded.size, by=_user(request),
                                            language=translation.get_language())
        except FileRejected as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "imports/upload.html", {"importer": importer, "kind": kind, "form": form},
                            status=status)


@require_roles(ANY_ROLE)
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    try:
        importer: type[Importer[Any]] | None = get_importer(job.kind)
    except KeyError:
        importer = None
    context: dict[str, Any] = {"job": job, "importer": importer, "running": _running(job)}
    htmx = bool(getattr(request, "htmx", False))
    if htmx and context["running"]:
        return TemplateResponse(request, "imports/_progress.html", context)
    if htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # finished: reload the whole page once
        return response
    labels = importer.preview_headers() if importer else []
    context.update({
        "preview_labels": [label for _key, label in labels],
        "preview_rows": [[row.get(key, "") for key, _label in labels] for row in job.preview],
        "errors_page": Paginator(job.rejected.order_by("row"), ERRORS_PER_PAGE).get_page(request.GET.get("page")),
        "previous": actions.previous_commit(job),
        "is_owner": job.created_by_id == request.user.pk,
        "may_download_errors": _may_download_errors(request, job),
        "stored_cap": actions.max_stored_rejected_rows(),
    })
    return TemplateResponse(request, "imports/job_detail.html", context)


def _running(job: ImportJob) -> bool:
    return bool(job.stage) or job.status == ImportStatus.UPLOADED


def _may_download_errors(request: HttpRequest, job: ImportJob) -> bool:
    # The error file repeats the uploaded cells (full ID numbers): the uploader's own data, or B4.
    return job.rejected_rows > 0 and (job.created_by_id == request.user.pk or _user(request).can_unmask)


@require_roles(ANY_ROLE)
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if not actions.start_commit(job, by=_user(request), language=translation.get_language()):
        messages.error(request, _("This import cannot be committed (already committed, running, cancelled or "
                                  "without valid rows)."))
    return redirect("imports:job", pk=job.pk)


@require_roles(ANY_ROLE)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED) and not job.stage:
        actions.cancel_job(job, by=_user(request))
        messages.success(request, _("The import was cancelled; nothing was written and the file was deleted."))
    return redirect("imports:job", pk=job.pk)


@require_roles(ANY_ROLE)
@require_GET
def error_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_or_404(request, pk)
    if not _may_download_errors(request, job):
        raise Http404
    fh = actions.error_file(job, by=_user(request))
    return _xlsx_response(fh, f"import-{job.pk}-errors.xlsx")


@require_roles(ANY_ROLE)
@require_GET
def template(request: HttpRequest, kind: str) -> FileResponse:
    importer = _importer_or_404(request, kind)
    return _xlsx_response(actions.template_file(kind), f"{importer.kind}-template.xlsx")


def _xlsx_response(fh: IO[bytes], filename: str) -> FileResponse:
    response = FileResponse(fh, as_attachment=True, filename=filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return response

"""Imports API: upload a file of any registered kind, read a job, commit a checked job.

``POST /api/v1/imports/{kind}`` (multipart ``file``, form field ``dry_run``) runs synchronously
and answers the same summary as the command's ``--json`` line plus the job id and status.
A dry run leaves a checked job that ``POST /api/v1/imports/jobs/{id}/commit`` writes later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jixing.core.access import get_for_user
from jixing.core.permissions import require_api_roles

from . import actions
from .models import ImportJob
from .pipeline import FileRejected, get_importer

if TYPE_CHECKING:
    from jixing.accounts.models import User

router = Router(tags=["imports"])


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)  # the router's auth guarantees a user


class RejectedOut(Schema):
    row: int
    field: str
    reason: str


class JobOut(Schema):
    id: int
    kind: str
    status: str
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedOut]
    seconds: float
    valid_rows: int
    rejected_rows: int
    rows_total: int
    rows_done: int
    message: str


class ImportErrorOut(Schema):
    detail: str


def _kind_roles(request: HttpRequest, kind: str) -> None:
    try:
        importer = get_importer(kind)
    except KeyError:
        raise Http404 from None
    require_api_roles(request, *importer.roles)


@router.post("/{kind}", response={200: JobOut, 400: ImportErrorOut}, summary="Import a file (.xlsx / .csv)")
def upload(request: HttpRequest, kind: str, file: File[UploadedFile], dry_run: Form[bool] = False) -> Any:
    _kind_roles(request, kind)
    try:
        job = actions.receive_upload(kind, file, file_name=file.name or "upload", size=file.size or 0, by=_user(request))
    except FileRejected as exc:
        return Status(400, {"detail": exc.message})
    if dry_run:
        actions.validate_job(job, by=_user(request))
    else:
        actions.commit_job(job, by=_user(request))
    job.refresh_from_db()
    return Status(200, job.summary())


@router.get("/jobs/{job_id}", response=JobOut, summary="An import job with its counts and rejected rows")
def job(request: HttpRequest, job_id: int) -> Any:
    found = get_for_user(ImportJob.objects.all(), request.user, job_id)
    return found.summary()


@router.post("/jobs/{job_id}/commit", response={200: JobOut, 409: ImportErrorOut}, summary="Commit a checked job")
def commit(request: HttpRequest, job_id: int) -> Any:
    found = get_for_user(ImportJob.objects.all(), request.user, job_id)
    _kind_roles(request, found.kind)
    if found.created_by_id != request.user.pk:
        raise Http404
    if not actions.claim_for_commit(found):
        return Status(409, {"detail": _("This import cannot be committed (already committed, running, cancelled "
                                        "or without valid rows).")})
    actions.commit_job(found, by=_user(request))
    found.refresh_from_db()
    return Status(200, found.summary())

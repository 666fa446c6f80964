"""Background work of imports: validate (preview) and commit a job. Tasks take ids."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django_tasks import task

from .actions import commit_job, validate_job
from .models import ImportJob


def _user(user_id: int | None) -> Any:
    from jixing.accounts.models import User

    return User.objects.filter(pk=user_id).first() if user_id else None


@task()
def validate_import(job_id: int, user_id: int | None, language: str = "zh-hans") -> int:
    """Check every row of the job's file (no domain writes); row reasons in the uploader's language."""
    with translation.override(language):
        validate_job(ImportJob.objects.get(pk=job_id), by=_user(user_id))
    return job_id


@task()
def commit_import(job_id: int, user_id: int | None, language: str = "zh-hans") -> int:
    """Validate again and write every valid row in one transaction."""
    with translation.override(language):
        commit_job(ImportJob.objects.get(pk=job_id), by=_user(user_id))
    return job_id

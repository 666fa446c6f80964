"""Test settings: deterministic keys, fast hashing, tasks run in-process."""

from __future__ import annotations

import os

os.environ.setdefault("JIXING_ENV", "test")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-deployment-0123456789")
os.environ.setdefault("JIXING_DATA_KEYS", "t1:dGVzdC1vbmx5LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmc=")
os.environ.setdefault("JIXING_HASH_KEY", "dGVzdC1vbmx5LWhhc2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbg==")
os.environ.setdefault("JIXING_AUDIT_KEY", "dGVzdC1vbmx5LWF1ZGl0LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=")
os.environ.setdefault("JIXING_NOTIFY_QUIET_HOURS", "")  # tests of quiet hours set their own
os.environ.setdefault("JIXING_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

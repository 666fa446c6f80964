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

# Under pytest-xdist (`make test`: several worker processes), each worker writes its files
# (uploads, exports, media, the demo-accounts file, scheduler reports) into a folder of its own,
# as it has a test database of its own (pytest-django's test_<name>_gw0 …; SQLite in memory).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER:
    VAR_DIR = VAR_DIR / "test-workers" / _XDIST_WORKER  # noqa: F405
    STATIC_ROOT = VAR_DIR / "static"
    MEDIA_ROOT = VAR_DIR / "media"
    JIXING_UPLOAD_DIR = VAR_DIR / "uploads"

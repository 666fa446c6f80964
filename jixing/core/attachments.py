"""Evidence uploads (SECURITY.md F1): size-limited, type-checked by file signature, stored under a
random name with the file's sha256. The same checks supervision applies to explanations' attachments
(supervision.actions.check_attachment); apps below supervision use this one."""

from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# extension → file signature (checked, not trusted from the name)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def check_upload(upload: UploadedFile | None, *, field: str = "evidence", required: bool = True) -> None:
    if upload is None:
        if required:
            raise ValidationError({field: _("Attach the evidence (PDF, PNG or JPEG).")})
        return
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError({field: _("The attachment is larger than %(mb)d MB; attach a smaller file.")
                               % {"mb": MAX_BYTES // (1024 * 1024)}})
    name = (upload.name or "").lower()
    ext = next((e for e in SIGNATURES if name.endswith(e)), None)
    if ext is None:
        raise ValidationError({field: _("Attach a PDF, PNG or JPEG file.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        raise ValidationError({field: _("The file's content is not a %(ext)s file.") % {"ext": ext[1:].upper()}})


def store_upload(upload: UploadedFile, target: FieldFile) -> tuple[str, str]:
    """Save a checked upload into ``target`` (not saving the model); return (original name, sha256)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = "." + (upload.name or "").rsplit(".", 1)[-1].lower()
    target.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
    return (upload.name or "")[:200], digest.hexdigest()

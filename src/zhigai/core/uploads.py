"""Files users attach (a diagnosis's evidence, a provider's qualification files): what a file may be, known by
its first bytes as well as its name, and how large. One check, so every module refuses the same files."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import StoredDocument

# What an attached document may be: extension -> (content type, the first bytes such a file starts with).
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


def document_checked(upload: UploadedFile, *, field: str = "file") -> tuple[str, str, int]:
    """(file name, content type, size) of an acceptable document; InvalidInput naming `field` when its
    extension is not one of DOCUMENT_TYPES, it is empty or above EVIDENCE_MAX_BYTES, or its content is not
    what its extension says."""
    name = (upload.name or "").rsplit("/", 1)[-1]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise InvalidInput(
            _("不接受这种文件：%(name)s。可上传：%(types)s")
            % {"name": name, "types": " ".join(sorted(DOCUMENT_TYPES))},
            details=[{"field": field, "message": "type"}],
        )
    size = upload.size or 0
    limit = settings.EVIDENCE_MAX_BYTES
    if size == 0 or size > limit:
        raise InvalidInput(
            _("文件为空或超过 %(mb)d MB：%(name)s") % {"mb": limit // (1024 * 1024), "name": name},
            details=[{"field": field, "message": "size"}],
        )
    content_type, magics = DOCUMENT_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise InvalidInput(
            _("文件内容与扩展名 %(ext)s 不符：%(name)s") % {"ext": ext, "name": name},
            details=[{"field": field, "message": "content"}],
        )
    return name, content_type, size


def document_delete(document: StoredDocument) -> None:
    """Delete an attached document's row, and its file once the row is gone for good: a rolled-back delete
    keeps both."""
    stored = document.file  # type: ignore[attr-defined]  # each StoredDocument declares its own
    document.delete()
    transaction.on_commit(lambda: stored.delete(save=False))

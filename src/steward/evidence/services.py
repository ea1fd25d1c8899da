"""Evidence actions: create/update with an optional new file revision, in one audited transaction."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from steward.audit.context import Actor, acting_as
from steward.audit.services import record_event
from steward.audit.signals import audit_batch, note_change
from steward.core.roles import Action
from steward.core.services import ensure_allowed
from steward.evidence.models import Evidence, EvidenceFile

MAX_BYTES = int(os.environ.get("STEWARD_EVIDENCE_MAX_BYTES", str(50 * 1024 * 1024)))

# Extension → content types accepted for it. Text formats are checked by decoding, binary ones by signature.
BINARY_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
    ".parquet": "application/vnd.apache.parquet",
}
TEXT_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".html": "text/html",
    ".xml": "application/xml",
}
# Office formats are zip containers; parquet starts with "PAR1".
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".parquet": (b"PAR1",),
}


def inspect_upload(upload: UploadedFile) -> tuple[str, str, int]:
    """Check size and type from the content; return (sha256, content type, size)."""
    name = upload.name or "upload"
    ext = PurePath(name).suffix.lower()
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > MAX_BYTES:
        raise ValidationError({"file": f"The file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes."})
    if ext not in BINARY_TYPES and ext not in TEXT_TYPES:
        allowed = ", ".join(sorted({*BINARY_TYPES, *TEXT_TYPES}))
        raise ValidationError(
            {"file": f"Files of type {ext or '(none)'} are not accepted. Allowed: {allowed}."}
        )
    digest = hashlib.sha256()
    head = b""
    text_ok = True
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[:16]
        digest.update(chunk)
        if ext in TEXT_TYPES and text_ok:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                text_ok = False
    upload.seek(0)
    if ext in TEXT_TYPES:
        if not text_ok or b"\x00" in head:
            raise ValidationError({"file": f"This {ext} file is not UTF-8 text."})
        return digest.hexdigest(), TEXT_TYPES[ext], size
    if not head.startswith(SIGNATURES[ext]):
        import puremagic

        try:
            found = puremagic.from_string(head + upload.read(2048))
        except puremagic.PureError:
            found = "unknown"
        finally:
            upload.seek(0)
        raise ValidationError(
            {"file": f"The content does not look like a {ext} file (it looks like {found})."}
        )
    return digest.hexdigest(), BINARY_TYPES[ext], size


def _attach_file(evidence: Evidence, upload: UploadedFile, by: Actor) -> EvidenceFile:
    sha256, content_type, size = inspect_upload(upload)
    evidence.revision += 1
    evidence.save()
    note_change(
        evidence, "file", None, f"rev. {evidence.revision}: {upload.name} sha256={sha256} ({size} bytes)"
    )
    stored = EvidenceFile(
        organisation_id=evidence.organisation_id,
        evidence=evidence,
        revision=evidence.revision,
        original_name=(upload.name or "upload")[:255],
        sha256=sha256,
        size=size,
        content_type=content_type,
        created_by=by.user,
    )
    stored.file.save(sha256, upload, save=False)
    stored.save()
    return stored


def save_evidence_form(form: Any, *, organisation_id: int, by: Actor) -> Evidence:
    """Create or update evidence from its form; a chosen file becomes the next revision."""
    instance = form.instance
    creating = instance.pk is None
    ensure_allowed(
        by,
        Evidence,
        Action.ADD if creating else Action.CHANGE,
        organisation_id,
        None if creating else instance,
    )
    upload = form.cleaned_data.get("file")
    with acting_as(by), transaction.atomic(), audit_batch():
        evidence = form.save(commit=False)
        if creating:
            evidence.organisation_id = organisation_id
            evidence.created_by = by.user
        evidence.save()
        form.save_m2m()
        if upload:
            _attach_file(evidence, upload, by)
    return evidence


def add_revision(evidence: Evidence, upload: UploadedFile, *, by: Actor) -> EvidenceFile:
    ensure_allowed(by, Evidence, Action.CHANGE, evidence.organisation_id, evidence)
    with acting_as(by), transaction.atomic(), audit_batch():
        return _attach_file(evidence, upload, by)


def record_generated_evidence(
    *, organisation_id: int, title: str, record: dict[str, Any], by: Actor, description: str = ""
) -> Evidence:
    """Store a generated record (e.g. a measurement result) as evidence."""
    from steward.evidence.choices import EvidenceKind

    ensure_allowed(by, Evidence, Action.ADD, organisation_id)
    with acting_as(by), transaction.atomic(), audit_batch():
        evidence = Evidence(
            organisation_id=organisation_id,
            title=title,
            kind=EvidenceKind.RECORD,
            description=description,
            record=record,
            created_by=by.user,
        )
        evidence.save()
        record_event(organisation_id=organisation_id, event="evidence.recorded", obj=evidence, by=by)
    return evidence

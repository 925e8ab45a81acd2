"""Nominations' PDF attachments: checked, stored outside the web root, read back by id."""

from __future__ import annotations

import secrets
from pathlib import Path

from eventweek.awards.models import Nomination, NominationAttachment
from eventweek.extensions import db

PDF_MAGIC = b"%PDF-"


def is_pdf(data: bytes) -> bool:
    """By content, not by name: a PDF starts with `%PDF-` (within its first kilobyte)."""
    return PDF_MAGIC in data[:1024]


def safe_filename(name: str) -> str:
    """The name shown and offered on download: no path, no control characters, bounded."""
    name = Path(name.replace("\\", "/")).name
    name = "".join(character for character in name if character.isprintable()).strip()
    return (name or "document.pdf")[:200]


def store(
    nomination: Nomination, filename: str, data: bytes, directory: Path
) -> NominationAttachment:
    """Write the file under a random name and record it; flushes."""
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + ".pdf"
    (directory / stored_name).write_bytes(data)
    attachment = NominationAttachment(
        nomination_id=nomination.id,
        filename=safe_filename(filename),
        stored_name=stored_name,
        size=len(data),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attachment_path(attachment: NominationAttachment, directory: Path) -> Path:
    return directory / attachment.stored_name

"""Check-in codes: short, unambiguous when read aloud or typed, a QR code of each, and
whether a code shown at the door lets its holder in."""

from __future__ import annotations

import enum
import secrets
import struct
import zlib
from typing import TYPE_CHECKING

import segno

from eventweek.registrations.models import RegistrationState
from eventweek.sessions.models import ActivityStatus

if TYPE_CHECKING:
    from eventweek.registrations.models import Registration

# Crockford's base32 without I, L, O, U: no 0/O or 1/I/L confusion at the door.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
QR_SCALE = 8  # pixels per module: one byte of the 1-bit PNG (qr_png relies on it)
QR_BORDER = 4  # modules of quiet zone, as the standard asks
QR_MASK = 2
# In a 1-bit greyscale PNG, 1 is white and 0 is black.
WHITE_MODULE = b"\xff"
MODULE_PIXELS = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # light, dark → 8 pixels


class CheckinVerdict(enum.StrEnum):
    ADMITTED = "admitted"  # a seat is held: check in (or checked in just now)
    UNKNOWN = "unknown"  # no such code (here), or its holder's data is erased
    OTHER_SESSION = "other_session"
    CANCELLED = "cancelled"  # the person cancelled their place
    WAITLISTED = "waitlisted"  # no confirmed seat
    ALREADY_USED = "already_used"
    SESSION_CANCELLED = "session_cancelled"  # the organisers cancelled the session


def new_checkin_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person typed or a camera read, in canonical form ("ab cd-ef gh" → "ABCDEFGH")."""
    cleaned = "".join(character for character in typed.upper() if character.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def qr_png(content: str) -> bytes:
    """`content` (the check-in page's address with the code) as a QR image, large enough
    to scan from a phone screen: black and white, 1 bit per pixel.

    Made for each e-mail with a seat, so kept cheap (~2 ms instead of ~20): the mask is
    fixed (all eight are valid QR codes; trying each to pick the "best" cost 10 ms),
    and the PNG is written here from segno's matrix in a few bulk operations instead of
    segno's per-pixel writer (8 ms at this scale): at 8 pixels per module and 1 bit per
    pixel, a module is one byte.
    """
    code = segno.make(content, error="m", micro=False, mask=QR_MASK)
    width = len(code.matrix) + 2 * QR_BORDER  # in modules, and in bytes per pixel row
    # A PNG line is its filter type (0: none) then its pixels; QR_SCALE lines per module.
    quiet_line = b"\0" + WHITE_MODULE * width
    quiet_edge = WHITE_MODULE * QR_BORDER
    lines = [quiet_line] * (QR_BORDER * QR_SCALE)
    for row in code.matrix:  # one byte per module: 1 dark, 0 light
        line = b"\0" + quiet_edge + bytes(row).translate(MODULE_PIXELS) + quiet_edge
        lines.extend([line] * QR_SCALE)
    lines.extend([quiet_line] * (QR_BORDER * QR_SCALE))
    side = width * QR_SCALE
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            png_chunk(b"IHDR", header),
            png_chunk(b"IDAT", zlib.compress(b"".join(lines), 6)),
            png_chunk(b"IEND", b""),
        ]
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def admission(registration: Registration | None, expected_activity_id: int) -> CheckinVerdict:
    """Whether `registration`'s holder may be checked in at the door of activity
    `expected_activity_id`. A no-show may still be checked in: marking no-shows after
    the session must not stop a partner from recording someone who did come."""
    if registration is None or registration.is_erased:
        return CheckinVerdict.UNKNOWN
    if registration.activity_id != expected_activity_id:
        return CheckinVerdict.OTHER_SESSION
    if registration.state == RegistrationState.CANCELLED:
        return CheckinVerdict.CANCELLED
    if registration.state == RegistrationState.WAITLISTED:
        return CheckinVerdict.WAITLISTED
    if registration.state == RegistrationState.ATTENDED:
        return CheckinVerdict.ALREADY_USED
    if registration.activity.status == ActivityStatus.CANCELLED:
        return CheckinVerdict.SESSION_CANCELLED
    return CheckinVerdict.ADMITTED

import io
import struct
import zlib

import segno

from eventweek.registrations.checkin import (
    ALPHABET,
    QR_BORDER,
    QR_MASK,
    QR_SCALE,
    display_code,
    new_checkin_code,
    normalise_code,
    qr_png,
)
from tests.qr import decode_qr


def test_codes_use_only_unambiguous_characters():
    codes = {new_checkin_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("ILOU") & set(ALPHABET)


def test_typed_codes_are_forgiven():
    assert normalise_code(" ab7k-9mzq ") == "AB7K9MZQ"
    assert normalise_code("AB7K O1LI") == "AB7K0111"
    assert display_code("AB7K9MZQ") == "AB7K-9MZQ"


def test_the_qr_code_is_a_png():
    assert qr_png("AB7K9MZQ")[:8] == b"\x89PNG\r\n\x1a\n"


def png_pixels(png: bytes) -> tuple[bytes, list[bytes]]:
    """The IHDR and the unfiltered scanlines of a 1-bit PNG (filters none and up only)."""
    position, header, data = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        position += 12 + length
    (width,) = struct.unpack(">I", header[:4])
    stride = 1 + (width + 7) // 8
    raw = zlib.decompress(data)
    rows: list[bytes] = []
    for start in range(0, len(raw), stride):
        kind, line = raw[start], raw[start + 1 : start + stride]
        assert kind in (0, 2)
        if kind == 2:
            line = bytes((a + b) & 0xFF for a, b in zip(line, rows[-1], strict=True))
        rows.append(line)
    return header, rows


def test_the_qr_image_has_the_pixels_segno_would_draw():
    address = "http://eventweek.test/partner/checkin/ABCD2345"
    reference = io.BytesIO()
    segno.make(address, error="m", micro=False, mask=QR_MASK).save(
        reference, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    assert png_pixels(qr_png(address)) == png_pixels(reference.getvalue())
    header, rows = png_pixels(qr_png(address))
    assert len(rows) == struct.unpack(">I", header[:4])[0] == (33 + 2 * QR_BORDER) * QR_SCALE


def test_every_qr_image_reads_back_as_its_address():
    # The mask is fixed rather than chosen per code: a scanner must read each one all the same.
    for _ in range(40):
        address = f"https://esante.example.brussels/partner/checkin?code={new_checkin_code()}"
        assert decode_qr(qr_png(address)) == [address]

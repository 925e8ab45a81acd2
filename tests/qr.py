"""Reading a QR image back, with a decoder used by scanner apps (zxing-cpp)."""

from __future__ import annotations

import png
import zxingcpp


def decode_qr(image: bytes) -> list[str]:
    """The texts of the QR codes a PNG image holds, as a scanner reads them."""
    width, height, rows, info = png.Reader(bytes=image).asDirect()
    assert info["greyscale"] and not info["alpha"], info
    # One value per pixel, 0 to 2**bitdepth - 1 (0/1 for a 1-bit image): scaled to 0-255.
    scale = 255 // ((1 << info["bitdepth"]) - 1)
    pixels = bytes(scale * value for row in rows for value in row)
    view = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    return [found.text for found in zxingcpp.read_barcodes(view)]

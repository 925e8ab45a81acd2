"""Tables as CSV files that spreadsheet programs open right, in Belgium too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is read as a formula by spreadsheet programs: anyone
# can register as "=HYPERLINK(…)", so such text is prefixed with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_file(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel reads accents right.

    Semicolons: Excel in Belgian French or Dutch (where the comma is the decimal mark)
    splits a double-clicked CSV at semicolons and leaves a comma-separated one in one
    column; LibreOffice and Numbers detect either.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column) for column in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(str(value)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")

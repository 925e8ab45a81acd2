"""The ceiling: a minimal WSGI app that returns recorded bytes, nothing else.

Served by the same gunicorn settings under the same load as the real app, it shows how
fast this machine, server and load tool can go at all; the app's figures are judged
against it. BENCH_CEILING_DIR holds one file per path (`programme`, `programme.ics`)
and its content type beside it (`programme.type`).
"""

from __future__ import annotations

import os
from pathlib import Path

RECORDED = Path(os.environ.get("BENCH_CEILING_DIR", "."))
RESPONSES = {
    "/" + path.stem: (
        path.read_bytes(),
        path.with_suffix(".type").read_text(),
    )
    for path in RECORDED.glob("*.body")
}


def app(environ, start_response):
    response = RESPONSES.get(environ.get("PATH_INFO", ""))
    if response is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not recorded\n"]
    body, content_type = response
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]

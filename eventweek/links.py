"""Links: absolute ones built from BASE_URL (never from the request's Host header), and
local paths that are safe to redirect to."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint`; works in a request, a CLI command or a worker alike."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def local_path(target: str | None) -> str | None:
    r"""`target` if it is a plain path on this site, else None.

    Refuses anything a browser could read as another site: a scheme (`https:`,
    `javascript:`), a host (`//evil.example`), backslashes (`/\evil.example`, which
    browsers treat as `//`) and control characters (browsers drop tabs and line breaks,
    so `/<tab>/evil.example` would become `//evil.example`).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(is_control(character) for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def is_control(character: str) -> bool:
    return ord(character) < 0x20 or ord(character) == 0x7F

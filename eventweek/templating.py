"""What every template can use: the language switcher, date formats, the current edition."""

from __future__ import annotations

import functools
from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import format_date
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from eventweek.i18n import LANGUAGE_NAMES, current_language, install_template_gettext, short_time
from eventweek.links import external_url
from eventweek.sessions import labels
from eventweek.sessions.models import BRUSSELS


def language_links(here: str | None = None) -> list[dict]:
    """One link per language, back to `here` (default: the page being read), through the
    switcher."""
    here = here or page_being_read()
    language = current_language()
    return [
        {
            "code": code,
            "name": name,
            "url": url_for("sessions.switch_language", code=code, next=here),
            "current": code == language,
        }
        for code, name in LANGUAGE_NAMES.items()
    ]


def page_being_read() -> str:
    """The address of the page being read, to come back to.

    A form sent to an address that only takes POST (`/sessions/12/register`,
    `…/publish`) may be answered with a page: its outcome, or the form with its errors.
    Coming back to that address would be a 405; the page it belongs to is its parent
    address (`/sessions/12`), the first one up that can be read, or else the home page.
    """
    here = request.full_path.rstrip("?")
    if request.method in ("GET", "HEAD"):
        return here
    readable = readable_address(current_app.url_map, request.path)
    # The same address can be read (a sign-in form sent to itself): keep its query.
    return here if readable == request.path else readable


@functools.lru_cache(maxsize=1024)
def readable_address(url_map: Map, path: str) -> str:
    """`path`, or the first address up from it that answers GET (or "/"). Cached: every
    registration's outcome page asks it of its address, and the rules do not change."""
    adapter = url_map.bind("localhost")
    while path:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            path = path.rsplit("/", 1)[0]
            continue
        return path
    return "/"


def with_args(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return request.path + ("?" + urlencode(args) if args else "")


def in_brussels(moment: datetime) -> datetime:
    # zoneinfo, not Flask-Babel's pytz rebasing: one source of truth for the offset.
    return moment.astimezone(BRUSSELS)


def day_label(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = in_brussels(day).date()
    return format_date(day, "full", rebase=False)


def time_label(moment: datetime) -> str:
    return short_time(in_brussels(moment), current_language())


def without_none(attributes: dict) -> dict:
    """HTML attributes minus those set to None (WTForms would write "None")."""
    return {name: value for name, value in attributes.items() if value is not None}


def register(app: Flask) -> None:
    install_template_gettext(app)
    app.jinja_env.filters["without_none"] = without_none
    app.jinja_env.filters["day"] = day_label
    app.jinja_env.filters["time"] = time_label
    app.jinja_env.globals["with_args"] = with_args
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["external_url"] = external_url

    @app.context_processor
    def layout_context():
        if not has_request_context():
            return {}  # e-mails are rendered outside requests, without the page layout
        return {
            "language_links": language_links(),
            "current_language": current_language(),
        }

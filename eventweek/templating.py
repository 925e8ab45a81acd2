"""What every template can use: the language switcher, date formats, the current edition."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_babel import format_date, format_time

from eventweek.i18n import LANGUAGE_NAMES, current_language
from eventweek.sessions import labels


def language_links() -> list[dict]:
    """One link per language, back to the page being read, through the switcher."""
    here = request.full_path.rstrip("?") if request else "/"
    return [
        {
            "code": code,
            "name": name,
            "url": url_for("sessions.switch_language", code=code, next=here),
            "current": code == current_language(),
        }
        for code, name in LANGUAGE_NAMES.items()
    ]


def with_args(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return request.path + ("?" + urlencode(args) if args else "")


def day_label(day: date) -> str:
    return format_date(day, "full")


def time_label(moment: datetime) -> str:
    return format_time(moment, "short")


def register(app: Flask) -> None:
    app.jinja_env.filters["day"] = day_label
    app.jinja_env.filters["time"] = time_label
    app.jinja_env.globals["with_args"] = with_args
    app.jinja_env.globals["labels"] = labels

    @app.context_processor
    def layout_context():
        return {
            "language_links": language_links(),
            "current_language": current_language(),
        }

"""Calendar entries for activities, in a reader's language, with the site's links."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from eventweek.calendar.ics import EventText, activity_event, build_calendar
from eventweek.links import external_url
from eventweek.sessions import labels
from eventweek.sessions.models import Activity


def uid_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def event_text(activity: Activity, language: str) -> EventText:
    with force_locale(language):
        categories = (labels.kind(activity.kind), labels.audience(activity.audience))
    return EventText(
        summary=activity.text("title", language),
        description=activity.text("description", language),
        url=external_url("sessions.activity_detail", activity_id=activity.id),
        categories=categories,
    )


def activity_calendar(activity: Activity, language: str) -> bytes:
    """One activity as a calendar file (downloads and e-mail attachments)."""
    event = activity_event(activity, event_text(activity, language), uid_domain=uid_domain())
    return build_calendar([event], name=activity.text("title", language))

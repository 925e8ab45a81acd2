"""Calendar entries and schedule events for activities, in a reader's language, with the
site's links: the glue between the pure builders (ics.py, schedule.py) and the app."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventweek.calendar.ics import EventText, activity_event, build_calendar
from eventweek.calendar.schedule import Conference, ScheduleEvent, event_guid
from eventweek.links import external_url
from eventweek.memo import BoundedLRU
from eventweek.sessions import labels
from eventweek.sessions.models import Activity, Edition


def uid_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def place_text(activity: Activity) -> str:
    if activity.venue is not None:
        return f"{activity.venue.name}, {activity.venue.full_address}"
    return activity.online_url or ""


def event_text(activity: Activity, language: str) -> EventText:
    with force_locale(language):
        categories = (labels.kind(activity.kind), labels.audience(activity.audience))
        description = activity.text("description", language)
        if activity.venue is None and activity.online_url:
            description += "\n\n" + _("Join online: %(url)s", url=activity.online_url)
    return EventText(
        summary=activity.text("title", language),
        description=description,
        url=external_url("sessions.activity_detail", activity_id=activity.id),
        categories=categories,
    )


# Each e-mail with a seat attaches its activity's calendar file, the same bytes for every
# registrant until the activity changes: building it costs ~4 ms (icalendar), a lookup
# nothing. Keyed by everything the file says, so that no change can be missed.
CALENDAR_FILES = BoundedLRU[bytes](256)


def activity_calendar(activity: Activity, language: str) -> bytes:
    """One activity as a calendar file (downloads and e-mail attachments)."""
    text = event_text(activity, language)
    venue = activity.venue
    key = (
        text,
        uid_domain(),
        activity.id,
        activity.updated_at,
        activity.revision,
        activity.status,
        activity.start_at,
        activity.end_at,
        activity.online_url,
        venue and (venue.name, venue.full_address, venue.lat, venue.lon),
    )
    cached = CALENDAR_FILES.get(key)
    if cached is None:
        event = activity_event(activity, text, uid_domain=key[1])
        cached = build_calendar([event], name=text.summary)
        CALENDAR_FILES.put(key, cached)
    return cached


def programme_calendar(activities: list[Activity], language: str, name: str) -> bytes:
    domain = uid_domain()
    events = [
        activity_event(activity, event_text(activity, language), uid_domain=domain)
        for activity in activities
    ]
    return build_calendar(events, name=name)


def conference(edition: Edition, language: str) -> Conference:
    with force_locale(language):
        title = _("eHealth Week") + f" {edition.year}"
    return Conference(
        acronym=f"esante{edition.year}",
        title=title,
        first_day=edition.first_day,
        last_day=edition.last_day,
        url=external_url("sessions.programme"),
    )


def schedule_events(activities: list[Activity], edition: Edition, language: str):
    domain = uid_domain()
    with force_locale(language):
        online = _("Online")
        return [
            ScheduleEvent(
                id=activity.id,
                start=activity.local_start,
                end=activity.local_end,
                room=activity.venue.name if activity.venue else online,
                title=activity.text("title", language),
                abstract=activity.text("description", language),
                type=activity.kind.value,
                track=labels.kind(activity.kind),
                language=(activity.languages or [language])[0],
                url=external_url("sessions.activity_detail", activity_id=activity.id),
                slug=f"esante{edition.year}-{activity.id}",
                guid=event_guid(activity.id, domain),
            )
            for activity in activities
        ]


def add_to_calendar_links(activity: Activity, language: str) -> dict[str, str]:
    """Links that open Google Calendar and Outlook.com with the event filled in."""
    text = event_text(activity, language)
    details = f"{text.description}\n\n{text.url}"
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": text.summary,
            "dates": "/".join(
                moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                for moment in (activity.start_at, activity.end_at)
            ),
            "details": details,
            "location": place_text(activity),
            "ctz": "Europe/Brussels",
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": text.summary,
            "startdt": activity.local_start.isoformat(),
            "enddt": activity.local_end.isoformat(),
            "body": details,
            "location": place_text(activity),
        }
    )
    return {"google": google, "outlook": outlook}


def feed_links(filter_args: dict[str, str]) -> dict[str, str]:
    """Where to subscribe to, download or embed the programme with these filters."""
    feed = external_url("calendar.programme_feed", **filter_args)
    embed = external_url("calendar.embed_programme", **filter_args)
    title = _("eHealth Week programme")
    return {
        "feed": feed,
        "subscribe": "webcal://" + feed.split("://", 1)[1],
        "embed": embed,
        "embed_snippet": (
            f'<iframe src="{embed}" title="{title}" width="100%" height="600" '
            'style="border:0" loading="lazy"></iframe>'
        ),
        "schedule_xml": external_url("calendar.schedule_xml", **filter_args),
        "schedule_json": external_url("calendar.schedule_json", **filter_args),
    }

"""iCalendar (RFC 5545) documents for activities, built with the `icalendar` package.

Pure functions: they take activities and plain values and return bytes. Every feed and
every e-mail attachment is built here, so that each follows the same rules:
- one VTIMEZONE for Europe/Brussels defined by RRULEs (last Sunday of March and of
  October), never a list of RDATEs, which some readers take as +01:00 in June;
- a UID per activity that never changes, from its id and the site's domain;
- SEQUENCE from the activity's revision counter, so an update replaces the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
)

from eventweek.sessions.models import Activity, ActivityStatus

PRODID = "-//Brussels Health Network//eventweek//FR"
TIMEZONE = "Europe/Brussels"


@dataclass(frozen=True)
class EventText:
    """What an event says, already in the reader's language."""

    summary: str
    description: str
    url: str
    categories: tuple[str, ...] = ()


def activity_uid(activity_id: int, domain: str) -> str:
    return f"activity-{activity_id}@{domain}"


def brussels_timezone() -> Timezone:
    timezone = Timezone()
    timezone.add("tzid", TIMEZONE)
    timezone.add("x-lic-location", TIMEZONE)
    # Summer time from the last Sunday of March at 02:00, winter time from the last
    # Sunday of October at 03:00 (EU rules since 1996).
    timezone.add_component(
        yearly_change(TimezoneDaylight(), "CEST", 1, 2, datetime(1970, 3, 29, 2))
    )
    timezone.add_component(
        yearly_change(TimezoneStandard(), "CET", 2, 1, datetime(1970, 10, 25, 3))
    )
    return timezone


def yearly_change(component, name: str, hours_from: int, hours_to: int, first: datetime):
    """A STANDARD or DAYLIGHT part recurring on the last Sunday of `first`'s month."""
    component.add("tzname", name)
    component.add("tzoffsetfrom", timedelta(hours=hours_from))
    component.add("tzoffsetto", timedelta(hours=hours_to))
    component.add("dtstart", first)
    component.add("rrule", {"freq": "yearly", "bymonth": first.month, "byday": "-1su"})
    return component


def activity_event(
    activity: Activity, text: EventText, *, uid_domain: str, tentative: bool = False
) -> Event:
    """One VEVENT; `tentative` marks a place on the waiting list."""
    event = Event()
    event.add("uid", activity_uid(activity.id, uid_domain))
    # The last change, not the build time: two builds of an unchanged feed are identical.
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", max(activity.revision - 1, 0))
    event.add("dtstart", activity.local_start)
    event.add("dtend", activity.local_end)
    event.add("summary", text.summary)
    event.add("description", f"{text.description}\n\n{text.url}".strip())
    event.add("url", text.url)
    if activity.status == ActivityStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    if activity.venue is not None:
        venue = activity.venue
        event.add("location", f"{venue.name}, {venue.full_address}")
        if venue.lat is not None and venue.lon is not None:
            event.add("geo", (venue.lat, venue.lon))
    elif activity.online_url:
        event.add("location", activity.online_url)
    if text.categories:
        event.add("categories", list(text.categories))
    event.add("transp", "OPAQUE")
    return event


def build_calendar(
    events: list[Event], *, name: str, refresh: timedelta = timedelta(hours=6)
) -> bytes:
    """A complete VCALENDAR around `events`, ready to serve or attach."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    # An X- property is text to the library: give it the duration already written out.
    calendar.add("x-published-ttl", vDuration(refresh).to_ical().decode())
    calendar.add_component(brussels_timezone())
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()

"""The programme in the frab schedule format (XML and its JSON form).

Conference apps (Giggity, ConfClerk, …) read this format. Pure functions: they take
plain values and return bytes or dicts. Ids are the activities' ids and guids are UUIDs
derived from them and the site's domain, so neither ever changes.
"""

from __future__ import annotations

import uuid

# Only builds XML, never parses any (bandit B405: accepted, see docs/decisions/0006).
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

TIMEZONE_NAME = "Europe/Brussels"


@dataclass(frozen=True)
class Conference:
    acronym: str
    title: str
    first_day: date
    last_day: date
    url: str


@dataclass(frozen=True)
class ScheduleEvent:
    id: int
    start: datetime  # aware, in Brussels time
    end: datetime
    room: str
    title: str
    abstract: str
    type: str
    track: str
    language: str
    url: str
    slug: str
    guid: str


def event_guid(activity_id: int, domain: str) -> str:
    """A UUID that depends only on the activity and the installation."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{domain}/activities/{activity_id}"))


def hours_minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def days_of(conference: Conference, events: list[ScheduleEvent]):
    """[(index, day, {room: [events]})] for every day of the week, empty days included."""
    by_day = {
        day: list(items) for day, items in groupby(events, key=lambda event: event.start.date())
    }
    total = (conference.last_day - conference.first_day).days + 1
    for index in range(total):
        day = conference.first_day + timedelta(days=index)
        rooms: dict[str, list[ScheduleEvent]] = {}
        for event in by_day.get(day, []):
            rooms.setdefault(event.room, []).append(event)
        yield index + 1, day, rooms


def day_bounds(day: date, events_of_day: list[ScheduleEvent], tzinfo) -> tuple[datetime, datetime]:
    if events_of_day:
        return min(e.start for e in events_of_day), max(e.end for e in events_of_day)
    start = datetime.combine(day, datetime.min.time(), tzinfo=tzinfo)
    return start, start + timedelta(days=1)


def build_frab_xml(conference: Conference, events: list[ScheduleEvent], tzinfo) -> bytes:
    """The schedule as frab XML; `events` sorted by start."""
    root = ET.Element("schedule")
    ET.SubElement(root, "version").text = schedule_version(events)
    conf = ET.SubElement(root, "conference")
    for name, value in (
        ("title", conference.title),
        ("acronym", conference.acronym),
        ("start", conference.first_day.isoformat()),
        ("end", conference.last_day.isoformat()),
        ("days", str((conference.last_day - conference.first_day).days + 1)),
        ("timeslot_duration", "00:15"),
    ):
        ET.SubElement(conf, name).text = value
    for index, day, rooms in days_of(conference, events):
        day_events = [event for room_events in rooms.values() for event in room_events]
        start, end = day_bounds(day, day_events, tzinfo)
        day_element = ET.SubElement(
            root,
            "day",
            index=str(index),
            date=day.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
        )
        for room_name, room_events in rooms.items():
            room = ET.SubElement(day_element, "room", name=room_name)
            for event in room_events:
                element = ET.SubElement(room, "event", id=str(event.id), guid=event.guid)
                for name, value in (
                    ("date", event.start.isoformat()),
                    ("start", event.start.strftime("%H:%M")),
                    ("duration", hours_minutes(event.end - event.start)),
                    ("room", event.room),
                    ("slug", event.slug),
                    ("title", event.title),
                    ("subtitle", ""),
                    ("track", event.track),
                    ("type", event.type),
                    ("language", event.language),
                    ("abstract", event.abstract),
                    ("description", ""),
                ):
                    ET.SubElement(element, name).text = value
                ET.SubElement(element, "persons")
                links = ET.SubElement(element, "links")
                ET.SubElement(links, "link", href=event.url).text = event.title
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def build_schedule_json(conference: Conference, events: list[ScheduleEvent], tzinfo) -> dict:
    """The same schedule in frab's JSON form."""
    room_names = list(dict.fromkeys(event.room for event in events))
    days = []
    for index, day, rooms in days_of(conference, events):
        day_events = [event for room_events in rooms.values() for event in room_events]
        start, end = day_bounds(day, day_events, tzinfo)
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": {
                    room: [event_json(event) for event in room_events]
                    for room, room_events in rooms.items()
                },
            }
        )
    return {
        "schedule": {
            "version": schedule_version(events),
            "base_url": conference.url,
            "conference": {
                "acronym": conference.acronym,
                "title": conference.title,
                "start": conference.first_day.isoformat(),
                "end": conference.last_day.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": "00:15",
                "time_zone_name": TIMEZONE_NAME,
                "url": conference.url,
                "rooms": [
                    {
                        "name": name,
                        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, conference.url + name)),
                    }
                    for name in room_names
                ],
                "days": days,
            },
        }
    }


def event_json(event: ScheduleEvent) -> dict:
    return {
        "id": event.id,
        "guid": event.guid,
        "date": event.start.isoformat(),
        "start": event.start.strftime("%H:%M"),
        "duration": hours_minutes(event.end - event.start),
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": None,
        "track": event.track,
        "type": event.type,
        "language": event.language,
        "abstract": event.abstract,
        "description": None,
        "persons": [],
        "links": [],
    }


def schedule_version(events: list[ScheduleEvent]) -> str:
    """Changes whenever an event does: apps compare it to know they must reload."""
    return str(
        uuid.uuid5(
            uuid.NAMESPACE_OID,
            "|".join(
                f"{e.id}:{e.start.isoformat()}:{e.end.isoformat()}:{e.room}:{e.title}"
                for e in events
            ),
        )
    )[:8]

"""The demo edition: the real organisations and hospitals, an invented timetable.

The data lives in `demo_week.toml` beside this module. Facts (organisations, the
hospitals' addresses, the week's place in June) come from the network's published
material; times, capacities and the mutualities' rooms are invented and flagged
`is_demo`, and every page shows them as demo data.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select

from eventweek.extensions import db
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Audience,
    Edition,
    Organisation,
    OrganisationKind,
    Venue,
)

DEMO_FILE = Path(__file__).with_name("demo_week.toml")


def week_of(year: int) -> tuple[date, date]:
    """Monday to Friday of the week that starts on the third Monday of June."""
    june_first = date(year, 6, 1)
    first_monday = june_first + timedelta(days=(7 - june_first.weekday()) % 7)
    monday = first_monday + timedelta(weeks=2)
    return monday, monday + timedelta(days=4)


def coming_year(today: date) -> int:
    """This year's week until it has begun, next year's from then on."""
    monday, _friday = week_of(today.year)
    return today.year if today < monday else today.year + 1


@cache
def demo_data() -> dict:
    with DEMO_FILE.open("rb") as demo_file:
        return tomllib.load(demo_file)


def get_or_create(model, lookup: dict, values: dict) -> tuple[object, bool]:
    """The row matching `lookup`, or a new one with `values`; an existing row is left as it is."""
    found = db.session.execute(select(model).filter_by(**lookup)).scalar_one_or_none()
    if found is not None:
        return found, False
    row = model(**lookup, **values)
    db.session.add(row)
    db.session.flush()
    return row, True


def translations(prefix: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{language}": text for language, text in texts.items()}


def seed_demo(year: int) -> int:
    """Create the demo edition of `year`; returns how many rows were created (0 on a rerun)."""
    data = demo_data()
    created = 0
    first_day, last_day = week_of(year)
    edition, new = get_or_create(
        Edition, {"year": year}, {"first_day": first_day, "last_day": last_day}
    )
    created += new

    organisations = {}
    for entry in data["organisations"]:
        organisations[entry["slug"]], new = get_or_create(
            Organisation,
            {"slug": entry["slug"]},
            {
                "kind": OrganisationKind(entry["kind"]),
                "website": entry.get("website"),
                **translations("name", entry["name"]),
            },
        )
        created += new

    venues = {}
    for key, entry in data["venues"].items():
        venues[key], new = get_or_create(
            Venue,
            {"name": entry["name"], "street": entry["street"]},
            {
                "postcode": entry["postcode"],
                "city": entry["city"],
                "lat": entry.get("lat"),
                "lon": entry.get("lon"),
                "is_demo": entry.get("demo", False),
                **translations("accessibility", data["accessibility"]),
            },
        )
        created += new

    for entry in data["activities"]:
        day = first_day + timedelta(days=entry["day"])
        title = resolve_text(entry["title"], data["texts"])
        activity, new = get_or_create(
            Activity,
            {
                "edition_id": edition.id,
                "title_fr": title["fr"],
                "start_at": brussels_datetime(day, entry["start"]),
            },
            {
                "organisation_id": organisations[entry["organisation"]].id,
                "venue_id": venues[entry["venue"]].id if "venue" in entry else None,
                "kind": ActivityKind(entry["kind"]),
                "audience": Audience(entry["audience"]),
                "status": ActivityStatus.PUBLISHED,
                "title_nl": title["nl"],
                "title_en": title["en"],
                **translations("description", resolve_text(entry["description"], data["texts"])),
                "end_at": brussels_datetime(day, entry["end"]),
                "online_url": entry.get("online_url"),
                "capacity": entry.get("capacity"),
                "registration_required": entry.get("registration_required", False),
                "is_demo": True,
            },
        )
        if new:
            activity.languages = entry["languages"]
        created += new
    db.session.flush()
    return created


def resolve_text(value: str | dict, texts: dict) -> dict[str, str]:
    """A text given inline, or the name of a shared entry of [texts]."""
    return texts[value] if isinstance(value, str) else value


def brussels_datetime(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)

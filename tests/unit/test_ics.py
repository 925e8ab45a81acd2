from datetime import UTC, datetime

from icalendar import Calendar

from eventweek.calendar.ics import EventText, activity_event, build_calendar
from eventweek.sessions.models import Activity, ActivityStatus, Venue

SUMMER = datetime(2027, 6, 21, 8, 0, tzinfo=UTC)  # 10:00 in Brussels
WINTER = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # 10:00 in Brussels


def activity(start: datetime, **values) -> Activity:
    fields = {
        "id": 7,
        "start_at": start,
        "end_at": start.replace(hour=start.hour + 2),
        "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
        "revision": 3,
        "status": ActivityStatus.PUBLISHED,
        "venue": Venue(
            name="Hôpital Erasme",
            street="Route de Lennik 808",
            postcode="1070",
            city="Anderlecht",
            lat=50.8128,
            lon=4.266,
        ),
    }
    return Activity(**{**fields, **values})


def build(item: Activity, **options) -> bytes:
    text = EventText(
        "Séance d'information – Ærø ✓ " * 4,
        "Texte, avec; signes\nspéciaux",
        "http://x.test/sessions/7",
    )
    return build_calendar([activity_event(item, text, uid_domain="x.test", **options)], name="Test")


def parsed(body: bytes):
    [event] = Calendar.from_ical(body).walk("VEVENT")
    return event


def test_local_times_carry_the_brussels_zone_in_summer_and_winter():
    summer = parsed(build(activity(SUMMER)))
    assert summer["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert summer["DTSTART"].dt.hour == 10 and summer["DTSTART"].dt.utcoffset().seconds == 7200
    winter = parsed(build(activity(WINTER)))
    assert winter["DTSTART"].dt.hour == 10 and winter["DTSTART"].dt.utcoffset().seconds == 3600


def test_the_timezone_is_defined_by_rules_not_dates():
    body = build(activity(SUMMER)).decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in body
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in body
    assert "RDATE" not in body


def test_uid_and_bytes_are_stable_and_sequence_follows_the_revision():
    first, second = build(activity(SUMMER)), build(activity(SUMMER))
    assert first == second
    event = parsed(first)
    assert str(event["UID"]) == "activity-7@x.test"
    assert event["SEQUENCE"] == 2
    assert parsed(build(activity(SUMMER, revision=5)))["SEQUENCE"] == 4


def test_lines_are_folded_and_text_escaped():
    body = build(activity(SUMMER))
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"Texte\\, avec\\; signes\\nsp" in body.replace(b"\r\n ", b"")
    event = parsed(body)
    assert str(event["DESCRIPTION"]).startswith("Texte, avec; signes\nspéciaux")
    assert event["GEO"].latitude == 50.8128


def test_cancelled_and_waiting_list_entries():
    assert (
        str(parsed(build(activity(SUMMER, status=ActivityStatus.CANCELLED)))["STATUS"])
        == "CANCELLED"
    )
    assert str(parsed(build(activity(SUMMER), tentative=True))["STATUS"]) == "TENTATIVE"

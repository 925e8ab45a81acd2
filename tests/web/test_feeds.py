"""Calendar feeds, read back by two independent parsers."""

from datetime import timedelta

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import event

from eventweek.extensions import db
from eventweek.sessions.models import ActivityKind, ActivityStatus
from tests.factories import make_activity, make_edition, make_venue


def events_by_uid(body: bytes) -> dict:
    return {str(item["UID"]): item for item in Calendar.from_ical(body).walk("VEVENT")}


def vobject_events(body: bytes) -> list:
    return list(vobject.readOne(body.decode()).vevent_list)


@pytest.fixture
def week(app_context):
    """An edition with a summer session, a winter one (same wall-clock time) and more."""
    edition = make_edition(2027)
    summer = make_activity(edition, hour=10, kind=ActivityKind.STAND, title_fr="Stand d'été ✓")
    summer.venue.lat, summer.venue.lon = 50.8128, 4.266
    winter = make_activity(edition, hour=10)
    winter.start_at = winter.start_at.replace(month=1, day=11)
    winter.end_at = winter.end_at.replace(month=1, day=11)
    online = make_activity(
        edition,
        day=2,
        venue=None,
        online_url="https://meet.example.org/w",
        kind=ActivityKind.WEBINAR,
    )
    make_activity(edition, day=3, status=ActivityStatus.DRAFT, title_fr="Brouillon secret")
    db.session.commit()
    return {"edition": edition, "summer": summer, "winter": winter, "online": online}


def test_the_feed_is_one_complete_calendar(client, week):
    response = client.get("/programme.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="semaine-esante-2027.ics"' in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.get_data())
    for name, value in [
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-TIMEZONE", "Europe/Brussels"),
    ]:
        assert str(calendar[name]) == value
    assert "PRODID" in calendar and "X-WR-CALNAME" in calendar
    assert "REFRESH-INTERVAL" in calendar and str(calendar["X-PUBLISHED-TTL"]) == "PT6H"
    uids = events_by_uid(response.get_data())
    assert set(uids) == {
        f"activity-{week[key].id}@eventweek.test" for key in ("summer", "winter", "online")
    }
    assert b"Brouillon secret" not in response.get_data()


def test_both_parsers_read_brussels_time_in_summer_and_winter(client, week):
    body = client.get("/programme.ics").get_data()
    by_summary = {item.summary.value: item for item in vobject_events(body)}
    summer = by_summary["Stand d'été ✓"].dtstart.value
    assert (summer.hour, summer.utcoffset()) == (10, timedelta(hours=2))
    winter = next(
        e
        for e in vobject_events(body)
        if str(e.uid.value).startswith(f"activity-{week['winter'].id}@")
    )
    assert (winter.dtstart.value.hour, winter.dtstart.value.utcoffset()) == (10, timedelta(hours=1))
    parsed = events_by_uid(body)[f"activity-{week['winter'].id}@eventweek.test"]
    assert parsed["DTSTART"].dt.utcoffset() == timedelta(hours=1)
    assert parsed["DTSTART"].params["TZID"] == "Europe/Brussels"


def test_every_event_carries_what_calendars_need(client, week):
    body = client.get("/programme.ics").get_data()
    summer = events_by_uid(body)[f"activity-{week['summer'].id}@eventweek.test"]
    for name in (
        "DTSTAMP",
        "LAST-MODIFIED",
        "SEQUENCE",
        "STATUS",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "URL",
        "CATEGORIES",
        "GEO",
    ):
        assert name in summer, name
    assert str(summer["STATUS"]) == "CONFIRMED"
    assert week["summer"].venue.street in str(summer["LOCATION"])
    assert str(summer["URL"]) == f"http://eventweek.test/sessions/{week['summer'].id}"
    assert str(summer["URL"]) in str(summer["DESCRIPTION"])
    online = events_by_uid(body)[f"activity-{week['online'].id}@eventweek.test"]
    assert "https://meet.example.org/w" in str(online["LOCATION"])
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_uids_are_stable_and_sequence_grows_after_a_move(client, week):
    first = events_by_uid(client.get("/programme.ics").get_data())
    assert first == events_by_uid(client.get("/programme.ics").get_data())
    week["summer"].start_at += timedelta(hours=1)
    week["summer"].end_at += timedelta(hours=1)
    db.session.commit()
    second = events_by_uid(client.get("/programme.ics").get_data())
    uid = f"activity-{week['summer'].id}@eventweek.test"
    assert set(first) == set(second)
    assert second[uid]["SEQUENCE"] > first[uid]["SEQUENCE"]
    assert second[uid]["DTSTART"].dt.hour == 11


def test_a_cancelled_activity_stays_in_the_feed_as_cancelled(client, app_context):
    edition = make_edition(days_from_today=20)
    activity = make_activity(edition)
    db.session.commit()
    activity.status = ActivityStatus.CANCELLED
    db.session.commit()
    parsed = events_by_uid(client.get("/programme.ics").get_data())
    assert str(parsed[f"activity-{activity.id}@eventweek.test"]["STATUS"]) == "CANCELLED"


def test_an_unchanged_feed_answers_304(client, week):
    first = client.get("/programme.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/programme.ics", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/programme.ics", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get("/programme.ics", headers={"If-Modified-Since": modified}).status_code == 304
    week["winter"].title_fr = "Nouveau titre"
    db.session.commit()
    assert client.get("/programme.ics", headers={"If-None-Match": etag}).status_code == 200


def test_filters_language_and_venue(client, app_context):
    edition = make_edition()
    hall = make_venue(name="Grande salle")
    dutch = make_activity(edition, languages=["nl"], venue=hall)
    french = make_activity(edition, languages=["fr"])
    db.session.commit()
    dutch_feed = client.get("/programme.ics?lang=nl").get_data()
    assert set(events_by_uid(dutch_feed)) == {f"activity-{dutch.id}@eventweek.test"}
    assert dutch.title_nl.encode() in dutch_feed  # text in the feed's language
    venue_feed = events_by_uid(client.get(f"/programme.ics?venue={hall.id}").get_data())
    assert set(venue_feed) == {f"activity-{dutch.id}@eventweek.test"}
    default = client.get("/programme.ics").get_data()
    assert french.title_fr.encode() in default and dutch.title_fr.encode() in default
    refused = client.get("/programme.ics?kind=party")
    assert refused.status_code == 400 and b"party" in refused.get_data()


def test_the_feed_is_built_in_one_query_whatever_its_size(client, app, app_context):
    edition = make_edition()

    def activity_queries() -> int:
        statements = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/programme.ics").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        # Queries that load activities (not the programme's version, made of aggregates).
        return sum(1 for s in statements if "FROM activity" in s and "count(activity.id)" not in s)

    make_activity(edition)
    db.session.commit()
    small = activity_queries()
    for day in range(4):
        make_activity(edition, day=day, hour=14)
    db.session.commit()
    assert activity_queries() == small == 1


def test_past_and_future_editions_have_their_own_feed(client, app_context):
    make_activity(make_edition(2031), title_fr="En 2031")
    db.session.commit()
    assert b"En 2031" in client.get("/editions/2031/programme.ics").get_data()
    assert client.get("/editions/1999/programme.ics").status_code == 404


def test_the_current_feed_follows_the_current_edition(client, app_context, monkeypatch):
    assert client.get("/programme.ics").status_code == 404  # no edition yet
    later = make_edition(days_from_today=40)
    make_activity(later, title_fr="Plus tard")
    db.session.commit()

    def feed() -> tuple[str, bytes]:
        response = client.get("/programme.ics")
        assert response.status_code == 200
        return response.headers["Content-Disposition"], response.get_data()

    disposition, body = feed()
    assert f"semaine-esante-{later.year}.ics" in disposition and b"Plus tard" in body
    sooner = make_edition(days_from_today=5)
    make_activity(sooner, title_fr="Bientôt")
    db.session.commit()
    disposition, body = feed()
    assert f"semaine-esante-{sooner.year}.ics" in disposition
    assert "Bientôt".encode() in body and b"Plus tard" not in body
    # The day after the sooner edition, with nothing edited: the later one is current.
    day_after = sooner.last_day + timedelta(days=1)
    for module in ("eventweek.sessions.queries", "eventweek.sessions.programme_cache"):
        monkeypatch.setattr(f"{module}.brussels_today", lambda now=None: day_after)
    disposition, body = feed()
    assert f"semaine-esante-{later.year}.ics" in disposition and b"Plus tard" in body


def test_one_session_as_a_download(client, week):
    response = client.get(f"/sessions/{week['summer'].id}.ics")
    assert response.status_code == 200
    assert set(events_by_uid(response.get_data())) == {
        f"activity-{week['summer'].id}@eventweek.test"
    }
    draft_id = week["online"].id + 1
    assert client.get(f"/sessions/{draft_id}.ics").status_code == 404


def test_pages_link_to_the_feeds_with_an_explanation(client, week):
    programme = client.get("/programme?kind=stand").get_data(as_text=True)
    assert "webcal://eventweek.test/programme.ics?kind=stand" in programme
    assert "http://eventweek.test/programme.ics?kind=stand" in programme
    assert "S&#39;abonner" in programme or "S'abonner" in programme
    detail = client.get(f"/sessions/{week['summer'].id}").get_data(as_text=True)
    assert f"/sessions/{week['summer'].id}.ics" in detail
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in detail
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in detail


@pytest.mark.parametrize("feed", ["/programme.ics", "/editions/2027/programme.ics", "session"])
def test_both_parsers_agree_on_every_public_feed(client, week, feed):
    path = f"/sessions/{week['summer'].id}.ics" if feed == "session" else feed
    body = client.get(path).get_data()
    by_icalendar = {
        uid: (item["DTSTART"].dt, str(item["SUMMARY"])) for uid, item in events_by_uid(body).items()
    }
    by_vobject = {
        item.uid.value: (item.dtstart.value, item.summary.value) for item in vobject_events(body)
    }
    assert by_icalendar == by_vobject and by_icalendar

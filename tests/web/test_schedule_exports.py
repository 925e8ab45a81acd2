"""frab schedule exports (XML and JSON) and the embeddable programme."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from eventweek.extensions import db
from eventweek.sessions.models import ActivityKind
from tests.factories import make_activity, make_edition

DATA = Path(__file__).resolve().parents[1] / "data"
XSD = etree.XMLSchema(etree.parse(str(DATA / "frab-schedule.xsd")))
JSON_SCHEMA = json.loads((DATA / "frab-schedule.schema.json").read_text())


@pytest.fixture
def programme(app_context):
    edition = make_edition(2027)
    activities = [
        make_activity(edition, hour=10),
        make_activity(edition, hour=10),  # same time, other room
        make_activity(
            edition,
            day=2,
            venue=None,
            online_url="https://meet.example.org/w",
            kind=ActivityKind.WEBINAR,
        ),
    ]
    db.session.commit()
    return activities


def test_schedule_xml_validates_against_the_frab_schema(client, programme):
    response = client.get("/schedule.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.get_data())
    XSD.assertValid(document)
    events = document.findall("day/room/event")
    assert sorted(int(e.get("id")) for e in events) == sorted(a.id for a in programme)
    assert len(document.findall("day")) == 5  # every day of the week, empty ones too
    first = next(e for e in events if int(e.get("id")) == programme[0].id)
    assert first.findtext("start") == "10:00" and first.findtext("duration") == "02:00"
    assert first.findtext("date") == "2027-06-21T10:00:00+02:00"


def test_the_checker_refuses_a_broken_schedule():
    broken = etree.fromstring(b"<schedule><conference><title>x</title></conference></schedule>")
    assert not XSD.validate(broken)


def test_schedule_json_validates_and_matches_the_xml(client, programme):
    document = client.get("/schedule.json").get_json()
    Draft202012Validator(JSON_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        document
    )
    events = [
        event
        for day in document["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    xml = etree.fromstring(client.get("/schedule.xml").get_data())
    assert {(e["id"], e["guid"]) for e in events} == {
        (int(e.get("id")), e.get("guid")) for e in xml.findall("day/room/event")
    }


def test_ids_and_guids_never_change(client, programme):
    before = client.get("/schedule.json").get_json()
    programme[0].title_fr = "Titre corrigé"
    programme[0].start_at = programme[0].start_at.replace(hour=12)
    programme[0].end_at = programme[0].end_at.replace(hour=14)
    db.session.commit()
    after = client.get("/schedule.json").get_json()

    def ids(document):
        return sorted(
            (event["id"], event["guid"], event["slug"])
            for day in document["schedule"]["conference"]["days"]
            for room in day["rooms"].values()
            for event in room
        )

    assert ids(before) == ids(after)
    assert before["schedule"]["version"] != after["schedule"]["version"]


def test_exports_answer_304_when_unchanged(client, programme):
    for path in ("/schedule.xml", "/schedule.json"):
        etag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_the_embeddable_list_has_no_site_chrome_and_follows_filters(client, programme):
    response = client.get("/embed/programme?kind=webinar&lang=fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<header" not in html and "<footer" not in html and "skip-link" not in html
    assert programme[2].title_fr in html and programme[0].title_fr not in html
    assert f"http://eventweek.test/sessions/{programme[2].id}" in html
    snippet = client.get("/programme?kind=webinar").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://eventweek.test/embed/programme?kind=webinar" in snippet

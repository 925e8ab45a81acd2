import pytest
from jsonschema import ValidationError

from eventweek.extensions import db
from eventweek.sessions.models import ActivityKind, ActivityStatus
from tests.factories import make_activity, make_edition
from tests.openapi import OpenAPIChecker


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return OpenAPIChecker(response.get_json())


def test_the_document_names_the_configured_server(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["servers"] == [{"url": "http://eventweek.test/api/v1"}]


def test_list_matches_the_document_and_the_example_shape(client, app_context, openapi):
    edition = make_edition(2027)
    make_activity(edition, hour=10, languages=["fr", "nl"])
    make_activity(
        edition,
        venue=None,
        online_url="https://meet.example.org/w",
        kind=ActivityKind.WEBINAR,
        capacity=None,
    )
    db.session.commit()
    body = client.get("/api/v1/sessions").get_json()
    openapi.check("/sessions", 200, body)
    assert body["next"] is None
    first, online = body["items"]
    assert first["start"] == "2027-06-21T10:00:00+02:00"
    assert first["languages"] == ["fr", "nl"]
    assert first["seats_left"] == 20 and first["registration_open"] is True
    assert first["url"] == f"http://eventweek.test/sessions/{first['id']}"
    assert set(first["titles"]) == {"fr", "nl", "en"}
    assert online["venue"] is None and online["online_url"] == "https://meet.example.org/w"
    assert online["capacity"] is None and online["seats_left"] is None


def test_winter_times_carry_the_winter_offset(client, app_context, openapi):
    edition = make_edition(2027)
    activity = make_activity(edition)
    activity.start_at = activity.start_at.replace(month=1, day=11)
    activity.end_at = activity.end_at.replace(month=1, day=11)
    db.session.commit()
    body = client.get(f"/api/v1/sessions/{activity.id}").get_json()
    openapi.check("/sessions/{id}", 200, body)
    assert body["start"] == "2027-01-11T10:00:00+01:00"


def test_the_checker_catches_a_wrong_shape(openapi):
    with pytest.raises(ValidationError):
        openapi.check("/sessions", 200, {"items": [{"id": "x"}], "next": None})


def test_drafts_never_appear_and_cancelled_ones_are_marked(client, app_context, openapi):
    edition = make_edition(days_from_today=30)
    make_activity(edition, status=ActivityStatus.DRAFT)
    make_activity(edition, status=ActivityStatus.SUBMITTED)
    cancelled = make_activity(edition, status=ActivityStatus.CANCELLED)
    db.session.commit()
    body = client.get("/api/v1/sessions").get_json()
    openapi.check("/sessions", 200, body)
    assert [(item["id"], item["status"]) for item in body["items"]] == [(cancelled.id, "cancelled")]
    assert body["items"][0]["registration_open"] is False


def test_filters_and_paging(client, app, app_context, openapi):
    edition = make_edition()
    for hour in range(8, 13):
        make_activity(edition, hour=hour, kind=ActivityKind.STAND, languages=["nl"])
    make_activity(edition, hour=14, kind=ActivityKind.CONFERENCE)
    db.session.commit()
    app.config["API_PAGE_SIZE"] = 2
    try:
        body = client.get("/api/v1/sessions?kind=stand&lang=nl").get_json()
        seen = []
        while True:
            openapi.check("/sessions", 200, body)
            seen += [item["id"] for item in body["items"]]
            assert all(item["kind"] == "stand" for item in body["items"])
            if body["next"] is None:
                break
            assert body["next"].startswith("http://eventweek.test/api/v1/sessions?")
            body = client.get(body["next"].removeprefix("http://eventweek.test")).get_json()
    finally:
        app.config["API_PAGE_SIZE"] = 100
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("query", ["kind=party", "audience=x", "lang=de", "page=0", "page=abc"])
def test_bad_arguments_get_a_400_with_a_message(client, openapi, query):
    response = client.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 400
    openapi.check("/sessions", 400, response.get_json())
    assert response.get_json()["error"]["detail"]


def test_unknown_session_is_a_json_404(client, openapi):
    response = client.get("/api/v1/sessions/99999?lang=nl")
    assert response.status_code == 404
    openapi.check("/sessions/{id}", 404, response.get_json())
    assert response.get_json()["error"]["title"] == "Pagina niet gevonden"

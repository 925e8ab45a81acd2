import re

import pytest

from eventweek.extensions import db
from eventweek.sessions.models import ActivityKind, ActivityStatus, Audience
from tests.factories import make_activity, make_edition

# `?lang=` also filters on the language an activity is held in; the browser's language does not.
ENGLISH = {"Accept-Language": "en"}


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[ >]", html))


@pytest.fixture
def demo(app):
    app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])


@pytest.mark.parametrize(
    ("lang", "programme_word", "day_name"),
    [
        ("fr", "Programme", "lundi 21 juin 2027"),
        ("nl", "Programma", "maandag 21 juni 2027"),
        ("en", "Programme", "Monday, June 21, 2027"),
    ],
)
def test_programme_in_each_language(client, demo, lang, programme_word, day_name):
    response = client.get(f"/programme?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{programme_word} 2027</h1>" in html
    assert day_name in html
    assert h1_count(html) == 1


def test_titles_follow_the_language(client, demo):
    assert "Parcours patient 2.0" in client.get("/programme?lang=fr").get_data(as_text=True)
    assert "Patiëntentraject 2.0" in client.get("/programme?lang=nl").get_data(as_text=True)
    # ?lang= also keeps only activities held in that language; the switcher's cookie does not.
    assert "Patient journey 2.0" not in client.get("/programme?lang=en").get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Patient journey 2.0" in client.get("/programme").get_data(as_text=True)


def test_home_shows_the_week_and_what_is_on_each_day(client, demo):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Monday, June 21, 2027" in html and "Friday, June 25, 2027" in html
    assert "How to take part" in html
    assert "Strategic morning" in html
    assert h1_count(html) == 1
    assert "Demo data" in html


def test_home_in_french_by_default(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Comment participer" in html


def test_filters_combine(client, app_context):
    edition = make_edition()
    stand = make_activity(edition, kind=ActivityKind.STAND, languages=["nl"], title_en="Stand NL")
    make_activity(edition, kind=ActivityKind.STAND, languages=["fr"], title_en="Stand FR")
    make_activity(edition, kind=ActivityKind.INFO_SESSION, languages=["nl"], title_en="Info NL")
    make_activity(
        edition,
        kind=ActivityKind.STAND,
        languages=["nl"],
        audience=Audience.PROFESSIONALS,
        title_en="Stand NL pro",
    )
    db.session.commit()
    html = client.get("/programme?kind=stand&lang=nl&audience=citizens").get_data(as_text=True)
    # lang=nl also turns the page to Dutch: titles then come in Dutch.
    assert stand.title_nl in html
    assert html.count('class="activity') == 1


def test_audience_filter_includes_activities_for_everyone(client, app_context):
    edition = make_edition()
    make_activity(edition, audience=Audience.ALL, title_en="For all")
    make_activity(edition, audience=Audience.PROFESSIONALS, title_en="For pros")
    db.session.commit()
    html = client.get("/programme?audience=citizens", headers=ENGLISH).get_data(as_text=True)
    assert "For all" in html and "For pros" not in html


def test_bad_filter_values_are_ignored_with_a_notice(client, demo):
    response = client.get("/programme?kind=<script>&audience=aliens", headers=ENGLISH)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "kind=&lt;script&gt;" in html and "<script>" not in html
    assert "is not known and was ignored" in html
    assert html.count('class="activity') == 11  # the whole demo programme


def test_drafts_and_submissions_never_show(client, app_context):
    edition = make_edition()
    draft = make_activity(edition, status=ActivityStatus.DRAFT, title_en="Secret draft")
    make_activity(edition, status=ActivityStatus.SUBMITTED, title_en="Under review")
    db.session.commit()
    html = client.get("/programme", headers=ENGLISH).get_data(as_text=True)
    assert "Secret draft" not in html and "Under review" not in html
    assert client.get(f"/sessions/{draft.id}").status_code == 404


def test_cancelled_activities_show_as_such_until_the_edition_ends(client, app_context):
    running = make_edition(days_from_today=10)
    cancelled = make_activity(running, status=ActivityStatus.CANCELLED, title_en="Called off")
    past = make_edition(days_from_today=-400)
    old = make_activity(past, status=ActivityStatus.CANCELLED, title_en="Long gone")
    db.session.commit()
    html = client.get("/programme", headers=ENGLISH).get_data(as_text=True)
    assert "Called off" in html and "Cancelled" in html
    detail = client.get(f"/sessions/{cancelled.id}?lang=en").get_data(as_text=True)
    assert "This activity has been cancelled." in detail
    assert client.get(f"/sessions/{old.id}").status_code == 404


def test_detail_page_shows_place_map_and_seats(client, app_context):
    activity = make_activity(capacity=25, languages=["fr", "nl"])
    activity.venue.lat, activity.venue.lon = 50.8128, 4.266
    db.session.commit()
    html = client.get(f"/sessions/{activity.id}?lang=en").get_data(as_text=True)
    assert activity.title_en in html
    assert activity.venue.street in html
    assert "https://www.openstreetmap.org/?mlat=50.8128&amp;mlon=4.266" in html
    assert "25 seats left" in html
    assert "French, Dutch" in html
    assert "10:00" in html and "12:00" in html
    assert h1_count(html) == 1


def test_online_activity_links_to_the_meeting(client, app_context):
    activity = make_activity(
        venue=None, online_url="https://meet.example.org/x", kind=ActivityKind.WEBINAR
    )
    db.session.commit()
    html = client.get(f"/sessions/{activity.id}?lang=en").get_data(as_text=True)
    assert "Online" in html and "https://meet.example.org/x" in html


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "Page introuvable"), ("nl", "Pagina niet gevonden"), ("en", "Page not found")],
)
def test_unknown_ids_get_a_friendly_404_in_the_language(client, lang, text):
    response = client.get(f"/sessions/424242?lang={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)
    assert client.get("/sessions/not-a-number").status_code == 404


def test_no_edition_yet_is_said_plainly(client):
    assert client.get("/").status_code == 200
    assert client.get("/programme").status_code == 200


def test_help_slots_are_listed_on_their_stand_not_in_the_programme(client, app_context):
    edition = make_edition()
    stand = make_activity(edition, kind=ActivityKind.STAND, title_en="The stand")
    slot = make_activity(edition, kind=ActivityKind.STAND, title_en="Help slot")
    slot.parent_id = stand.id
    db.session.commit()
    programme = client.get("/programme", headers=ENGLISH).get_data(as_text=True)
    assert "The stand" in programme and "Help slot" not in programme
    assert f"/sessions/{slot.id}" in client.get(f"/sessions/{stand.id}").get_data(as_text=True)
    assert client.get(f"/sessions/{slot.id}").status_code == 200

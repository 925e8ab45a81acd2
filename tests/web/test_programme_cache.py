"""The programme page and the feeds are cached per language and filters, keyed on the
programme's version: a second request renders nothing, and every change shows at once."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from eventweek.extensions import db
from eventweek.sessions import programme_cache
from eventweek.sessions.models import ActivityKind, Audience
from eventweek.sessions.operations import cancel_activity, edit_as_organiser
from eventweek.sessions.settings_operations import update_venue
from tests.factories import make_activity, make_edition, make_user
from tests.flows import outcome, register

CACHED_URLS = [
    "/",
    "/programme",
    "/programme.ics",
    "/embed/programme",
    "/schedule.xml",
    "/schedule.json",
]


@contextmanager
def counted_statements(*, this_thread_only: bool = False):
    """The statements run meanwhile; `this_thread_only`: those of this thread (the test
    client's requests), not those of the e-mail sender's thread."""
    statements: list[str] = []
    here = threading.get_ident()

    def record(_conn, _cursor, statement, *_args):
        if not this_thread_only or threading.get_ident() == here:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def page(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_second_request_reads_only_the_version(url, client, app_context):
    edition = make_edition(days_from_today=10)
    for day in range(3):
        make_activity(edition, day=day)
    db.session.commit()
    first = page(client, url)
    with counted_statements() as statements:
        second = page(client, url)
    assert second == first
    # The feeds too: the edition they are for is looked up only to build them.
    assert len(statements) == 1 and "count(activity.id)" in statements[0], statements


def test_an_edit_through_the_operation_shows_at_once_everywhere(client, app_context):
    edition = make_edition(days_from_today=10)
    activity = make_activity(edition, title_fr="Titre ancien")
    organiser = make_user("organiser")
    db.session.commit()
    for url in CACHED_URLS:
        assert "Titre ancien" in page(client, url)

    edit_as_organiser(organiser, activity, {"title_fr": "Titre nouveau"}, datetime.now(UTC))
    db.session.commit()
    for url in CACHED_URLS:
        body = page(client, url)
        assert "Titre nouveau" in body and "Titre ancien" not in body, url

    cancel_activity(organiser, activity, datetime.now(UTC))
    db.session.commit()
    assert "Annulé" in page(client, "/programme", **{"Accept-Language": "fr"})


def test_a_venue_renamed_in_the_settings_shows_at_once(client, app_context):
    activity = make_activity(make_edition(days_from_today=10))
    venue = activity.venue
    organiser = make_user("organiser")
    db.session.commit()
    assert venue.name in page(client, "/programme")
    values = {
        "name": "Salle rebaptisée",
        "street": venue.street,
        "postcode": venue.postcode,
        "city": venue.city,
        "lat": None,
        "lon": None,
        "accessibility_fr": "",
        "accessibility_nl": "",
        "accessibility_en": "",
        "is_demo": False,
    }
    update_venue(venue, values, actor=organiser)
    db.session.commit()
    assert "Salle rebaptisée" in page(client, "/programme")
    assert "Salle rebaptisée" in page(client, "/programme.ics")


def test_seats_left_follow_each_registration(client, app_context, smtp):
    activity = make_activity(make_edition(days_from_today=10), capacity=2)
    db.session.commit()
    assert "2 places restantes" in page(client, "/programme", **{"Accept-Language": "fr"})
    assert outcome(register(client, activity.id)) == "confirmed"
    assert "1 place restante" in page(client, "/programme", **{"Accept-Language": "fr"})
    assert "1 place restante" in page(client, "/embed/programme", **{"Accept-Language": "fr"})


def test_languages_and_filters_do_not_mix(client, app_context):
    edition = make_edition(days_from_today=10)
    make_activity(edition, title_fr="Séance", title_nl="Sessie", title_en="Session")
    make_activity(edition, kind=ActivityKind.CONFERENCE, title_fr="Conférence", title_en="Talk")
    db.session.commit()
    french = page(client, "/programme", **{"Accept-Language": "fr"})
    dutch = page(client, "/programme", **{"Accept-Language": "nl"})
    assert 'lang="fr"' in french and "Séance" in french and "Sessie" not in french
    assert 'lang="nl"' in dutch and "Sessie" in dutch and "Séance" not in dutch
    conferences = page(client, "/programme?kind=conference", **{"Accept-Language": "en"})
    assert "Talk" in conferences and ">Session<" not in conferences
    assert ">Session<" in page(client, "/programme", **{"Accept-Language": "en"})
    assert "Conférence" not in page(client, "/programme.ics?kind=info_session")
    assert "Conférence" in page(client, "/programme.ics")


def test_what_is_per_person_is_never_cached(client, signed_in, app_context):
    make_activity(make_edition(days_from_today=10))
    organiser = make_user("organiser")
    db.session.commit()
    before = page(client, "/programme")  # cached for visitors before staff come
    noticed = page(client, "/programme?kind=party")
    staff = signed_in(organiser).get("/programme").get_data(as_text=True)
    assert organiser.email in staff and 'name="csrf_token"' in staff
    after = page(client, "/programme")
    for anonymous in (before, after):
        assert organiser.email not in anonymous and 'name="csrf_token"' not in anonymous
    assert "party" in noticed and "party" not in after  # the notice is not cached


def test_the_home_page_is_the_same_for_every_visitor(client, signed_in, app_context):
    make_activity(make_edition(days_from_today=10), title_fr="Séance du lundi")
    organiser = make_user("organiser")
    db.session.commit()
    first = page(client, "/", **{"Accept-Language": "fr"})
    assert "Séance du lundi" in first and 'href="/language/nl?next=/"' in first
    with counted_statements() as statements:
        again = page(client, "/?utm_source=newsletter", **{"Accept-Language": "fr"})
    assert again == first and len(statements) == 1  # only the version
    assert "utm_source" not in first
    assert "Séance du lundi" not in page(client, "/", **{"Accept-Language": "nl"})
    staff = signed_in(organiser).get("/").get_data(as_text=True)
    assert organiser.email in staff and 'name="csrf_token"' in staff
    anonymous = page(client, "/", **{"Accept-Language": "fr"})
    assert anonymous == first and organiser.email not in anonymous


def test_the_page_is_cached_under_its_filters_not_its_address(client, app_context):
    edition = make_edition(days_from_today=10)
    make_activity(edition, kind=ActivityKind.CONFERENCE, audience=Audience.ALL)
    db.session.commit()
    first = page(client, "/programme?kind=conference&audience=citizens")
    assert 'href="/language/nl?next=/programme?kind%3Dconference%26audience%3Dcitizens"' in first
    for spelling in (
        "/programme?audience=citizens&kind=conference",
        "/programme?kind=conference&utm_source=newsletter&audience=citizens",
        "/programme?kind=conference&audience=citizens&kind=stand",
    ):
        with counted_statements() as statements:
            again = page(client, spelling)
        assert again == first and len(statements) == 1, spelling  # only the version
    assert "utm_source" not in first
    # Values that are not filters, shown back in a notice, are never stored (the listing
    # below the notice is the unfiltered one, read here first).
    page(client, "/programme")
    stored = set(programme_cache.PROGRAMME_PARTS)
    for junk in ("party", "concert", "x1"):
        assert junk in page(client, f"/programme?kind={junk}")
    assert set(programme_cache.PROGRAMME_PARTS) == stored


def test_each_process_keeps_a_bounded_number_of_parts(client, app_context, monkeypatch):
    monkeypatch.setattr(programme_cache.PROGRAMME_PARTS, "capacity", 4)
    edition = make_edition(days_from_today=10)
    make_activity(edition)
    db.session.commit()
    page(client, "/programme")
    (hot,) = [key for key in programme_cache.PROGRAMME_PARTS if ".page:" in key]
    for venue in range(1, 12):
        page(client, f"/programme?venue={venue}")
        assert len(programme_cache.PROGRAMME_PARTS) <= 4
        # Read all the time, it stays: the least recently used parts go first.
        assert hot in programme_cache.PROGRAMME_PARTS
        page(client, "/programme")


def test_an_unchanged_page_answers_304_to_its_etag(client, app_context):
    edition = make_edition(days_from_today=10)
    make_activity(edition)
    db.session.commit()
    etag = client.get("/programme").headers["ETag"]
    assert client.get("/programme", headers={"If-None-Match": etag}).status_code == 304
    make_activity(edition, day=1)
    db.session.commit()
    assert client.get("/programme", headers={"If-None-Match": etag}).status_code == 200


def test_the_programme_costs_the_same_queries_whatever_its_size(client, app_context):
    """No N+1: 5 or 50 activities (with venues, organisations, languages, seats) cost the
    same statements when the page is rendered (a cache miss)."""

    def cold_render_statements() -> int:
        with counted_statements() as statements:
            page(client, "/programme")
        return len(statements)

    edition = make_edition(days_from_today=10)
    for number in range(5):
        make_activity(edition, day=number % 5, languages=["fr", "nl"])
    db.session.commit()
    small = cold_render_statements()
    for number in range(45):
        make_activity(edition, day=number % 5, hour=8 + number % 10, languages=["en"])
    db.session.commit()
    assert cold_render_statements() == small
    assert small <= 6


def test_public_pages_read_without_a_transaction_and_a_registration_has_one(
    client, app_context, smtp
):
    # On PostgreSQL the read-only public pages run without BEGIN and ROLLBACK (two round
    # trips of a page served from the cache); the next request's writes are atomic again.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite starts no transaction for reads")
    activity_id = make_activity(make_edition(days_from_today=10)).id
    db.session.commit()  # nothing loaded afterwards: the test's session stays unused
    autocommit: list[tuple[str, bool]] = []

    def record(connection, _cursor, statement, *_args):
        autocommit.append((statement, connection.connection.driver_connection.autocommit))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for url in [*CACHED_URLS, "/", f"/sessions/{activity_id}", f"/sessions/{activity_id}.ics"]:
            page(client, url)
        reads, autocommit[:] = list(autocommit), []
        assert outcome(register(client, activity_id, email="atomic@example.org")) == "confirmed"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert reads and all(mode for _statement, mode in reads), reads
    post = [mode for statement, mode in autocommit if "INSERT INTO registration " in statement]
    assert post == [False], autocommit

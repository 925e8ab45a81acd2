"""An activity's page is cached for anonymous visitors, with the visitor's own CSRF token
and the seats left counted at each request; any change of the activity shows at once."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import template_rendered

from eventweek.extensions import db
from eventweek.sessions.models import ActivityKind
from eventweek.sessions.operations import edit_as_organiser
from eventweek.sessions.views import CSRF_HOLE, SEATS_HOLE
from tests.factories import make_activity, make_edition, make_user, registered
from tests.flows import csrf_token, outcome, register, send_registration
from tests.web.test_programme_cache import counted_statements

SEATS = re.compile(r"<dt>Places</dt><dd>\s*(.*?)\s*</dd>", re.S)


@contextmanager
def rendered_templates():
    names: list[str] = []

    def record(_app, template, _context, **_extra):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def seats_line(html: str) -> str:
    return SEATS.search(html).group(1)


def visit(client, activity_id: int) -> str:
    response = client.get(f"/sessions/{activity_id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def without_token(html: str) -> str:
    return html.replace(csrf_token(html), "TOKEN")


def test_each_visitor_gets_their_own_token_and_the_seats_left_now(app, client, app_context):
    activity = make_activity(make_edition(days_from_today=10), capacity=3)
    db.session.commit()
    first_page = visit(client, activity.id)
    other_visitor = app.test_client()
    with rendered_templates() as rendered:
        other_page = visit(other_visitor, activity.id)
    assert rendered == [], "the second visitor's page is not from the cache"
    assert csrf_token(first_page) != csrf_token(other_page)
    assert without_token(first_page) == without_token(other_page)
    assert CSRF_HOLE not in other_page and str(SEATS_HOLE) not in other_page
    assert seats_line(other_page) == "3 places restantes"

    # The token on the cached page is the visitor's: their registration is accepted.
    response = send_registration(other_visitor, activity.id, csrf_token(other_page))
    assert outcome(response) == "confirmed"
    # A third visitor's page, still from the cache, counts the seat just given.
    assert seats_line(visit(app.test_client(), activity.id)) == "2 places restantes"


def test_the_page_follows_the_state_of_registration(client, app_context):
    activity = make_activity(make_edition(days_from_today=10), capacity=1, waitlist_enabled=True)
    db.session.commit()
    open_page = visit(client, activity.id)
    assert "M'inscrire</button>" in open_page
    assert seats_line(open_page) == "1 place restante"

    assert outcome(register(client, activity.id)) == "confirmed"
    full_page = visit(client, activity.id)
    assert "M'inscrire sur la liste d'attente</button>" in full_page
    assert seats_line(full_page) == "Complet : liste d'attente ouverte"


def test_an_edit_and_a_closed_registration_show_at_once(client, app_context):
    activity = make_activity(make_edition(days_from_today=10), title_fr="Titre ancien")
    organiser = make_user("organiser")
    db.session.commit()
    assert "Titre ancien" in visit(client, activity.id)

    edit_as_organiser(organiser, activity, {"title_fr": "Titre nouveau"}, datetime.now(UTC))
    db.session.commit()
    page = visit(client, activity.id)
    assert "Titre nouveau" in page and "Titre ancien" not in page
    assert csrf_token(page)

    # Registration closing is a moment, not an edit: the page must say it at once.
    activity.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    closed = visit(client, activity.id)
    assert 'name="csrf_token"' not in closed
    assert "Les inscriptions pour cette activité sont clôturées." in closed


def test_a_stand_and_a_signed_in_visitor_get_the_page_rendered_for_them(
    client, signed_in, organiser, app_context
):
    stand = make_activity(make_edition(days_from_today=10), kind=ActivityKind.STAND)
    slot = make_activity(stand.edition, parent_id=stand.id, capacity=2)
    registered(slot, "Jeanne", "jeanne@example.org")
    db.session.commit()
    assert "1 place restante" in visit(client, stand.id)
    page = visit(signed_in(organiser), slot.id)
    assert "Se déconnecter" in page
    assert seats_line(page) == "1 place restante"


def test_a_registration_costs_a_fixed_number_of_statements(app, client, app_context):
    # Under the rush every registration is a form page and a POST: no query per object.
    activity = make_activity(make_edition(days_from_today=10), capacity=2, waitlist_enabled=True)
    db.session.commit()
    activity_id = activity.id  # read once: pages may expire the test's objects
    # Held by nothing here, as in a server process: a page that reads the activity again
    # after the POST let go of it would load it again from the database.
    del activity
    visit(client, activity_id)  # builds the cached page
    for number in range(4):  # two seats, then the waiting list
        visitor = app.test_client()
        with counted_statements(this_thread_only=True) as page_statements:
            token = csrf_token(visit(visitor, activity_id))
        with counted_statements(this_thread_only=True) as post_statements:
            response = send_registration(
                visitor, activity_id, token, email=f"personne{number}@example.org"
            )
        assert outcome(response) in ("confirmed", "waitlisted")
        # The activity's summary, its seats, the programme's version; and once full, the
        # activity itself, to build the page that offers the waiting list.
        assert len(page_statements) == (5 if number == 2 else 3), (number, page_statements)
        # The lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE on the next), then the
        # activity (its languages are not needed), which also says whether it is public;
        # the registrant looked up; seats and places waiting counted (one statement, which
        # gives the new place on the waiting list too); registrant written (one upsert);
        # registration; e-mail. 7 on SQLite; with a summary read first to answer 404, the
        # old double load, the languages, a savepoint for the registrant and a second
        # count for the waiting list, 13.
        statements = 6 + (db.engine.dialect.name == "sqlite")
        assert len(post_statements) == statements, (number, post_statements)


def test_the_page_is_served_where_csrf_protection_is_off(app, client, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    activity = make_activity(make_edition(days_from_today=10))
    db.session.commit()
    for _ in range(2):  # built, then from the cache
        page = visit(client, activity.id)
        assert "M'inscrire</button>" in page and 'name="csrf_token"' not in page

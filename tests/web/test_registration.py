"""Registering from a session page, as a citizen does, with the e-mails read from SMTP."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage
from eventweek.registrations.checkin import display_code
from eventweek.registrations.models import Registrant, RegistrationState
from eventweek.sessions.models import ActivityStatus
from tests.factories import make_activity, make_edition
from tests.flows import (
    calendar_attachment,
    csrf_token,
    management_path,
    outcome,
    register,
    register_without_csrf_token,
    registrations,
    send_registration,
)


@pytest.fixture
def session(app_context):
    activity = make_activity(capacity=2, title_nl="Patiëntentraject 2.0")
    db.session.commit()
    return activity


def test_a_confirmed_place_and_its_email_in_the_registrants_language(client, session, smtp):
    response = register(
        client, session.id, email="Jan@Example.org", language="nl", full_name="Jan Peeters"
    )
    assert response.status_code == 200
    assert outcome(response) == "confirmed"
    [message] = smtp.wait_for(1)
    assert message["To"] == "Jan@Example.org"
    assert "Patiëntentraject 2.0" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Jan Peeters" in text and "Jan Peeters" in html
    assert "Brusselse tijd" in text  # Dutch, as chosen in the form
    assert "10:00" in text and session.venue.street in text
    assert management_path(message).startswith("/registrations/")
    assert "http://eventweek.test/agenda/" in text
    calendar = calendar_attachment(message)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"activity-{session.id}@eventweek.test"
    assert event["DTSTART"].dt == session.start_at
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"

    db.session.expire_all()
    [registration] = registrations(session.id)
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.registrant.email_key == "jan@example.org"
    # The check-in code, written out and as a QR image shown inside the HTML.
    assert display_code(registration.checkin_code) in text
    [qr] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert qr["Content-ID"] == "<checkin-code>"
    assert qr.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="cid:checkin-code"' in html
    sent = db.session.execute(select(OutboxMessage)).scalar_one()
    assert sent.status == MessageStatus.SENT
    assert sent.recipient is None and sent.body_text is None  # content erased once sent


def test_the_management_token_is_stored_only_as_a_hash(client, session, smtp):
    register(client, session.id)
    path = management_path(smtp.wait_for(1)[0])
    token = path.rsplit("/", 1)[1]
    db.session.expire_all()
    [registration] = registrations(session.id)
    assert token not in (registration.token_hash, registration.token_salt)
    assert len(token) >= 43


def test_a_full_session_puts_people_on_the_waiting_list_in_order(client, session, smtp):
    for number in range(2):
        assert (
            outcome(register(client, session.id, email=f"seat{number}@example.org")) == "confirmed"
        )
    first = register(client, session.id, email="wait1@example.org")
    second = register(client, session.id, email="wait2@example.org")
    assert outcome(first) == "waitlisted" and outcome(second) == "waitlisted"
    assert "numéro 1" in first.get_data(as_text=True)
    assert "numéro 2" in second.get_data(as_text=True)
    messages = smtp.wait_for(4)
    waitlisted = [m for m in messages if m["To"] == "wait2@example.org"]
    assert "position 2" in waitlisted[0].get_body(preferencelist=("plain",)).get_content()
    assert not list(waitlisted[0].iter_attachments())  # no calendar entry without a seat
    db.session.expire_all()
    states = [r.state for r in registrations(session.id)]
    assert states.count(RegistrationState.CONFIRMED) == 2
    assert states.count(RegistrationState.WAITLISTED) == 2


def test_full_without_waiting_list_says_so_and_points_to_similar_sessions(
    client, app_context, smtp
):
    edition = make_edition()
    full = make_activity(edition, capacity=1, waitlist_enabled=False)
    other = make_activity(edition, day=1, title_fr="Autre séance")
    db.session.commit()
    # The second person opened the form while the seat was still free.
    token = csrf_token(client.get(f"/sessions/{full.id}").get_data(as_text=True))
    assert outcome(register(client, full.id, email="a@example.org")) == "confirmed"
    response = send_registration(client, full.id, token, full_name="B", email="b@example.org")
    assert response.status_code == 409
    assert outcome(response) == "full"
    assert "Autre séance" in response.get_data(as_text=True)
    assert f"/sessions/{other.id}" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(registrations(full.id)) == 1


def test_the_same_address_twice_gets_no_second_seat_and_the_link_again(client, session, smtp):
    assert outcome(register(client, session.id, email="marie@example.org")) == "confirmed"
    again = register(client, session.id, email="  MARIE@Example.ORG ")
    assert again.status_code == 200
    assert outcome(again) == "already_registered"
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    assert management_path(messages[0]) == management_path(messages[1])
    db.session.expire_all()
    assert len(registrations(session.id)) == 1
    assert db.session.execute(select(func.count()).select_from(Registrant)).scalar_one() == 1


def test_an_overlapping_session_asks_for_confirmation(client, app_context, smtp):
    edition = make_edition()
    morning = make_activity(edition, hour=10)
    overlapping = make_activity(edition, hour=11)
    db.session.commit()
    assert outcome(register(client, morning.id)) == "confirmed"
    warned = register(client, overlapping.id)
    assert warned.status_code == 409
    html = warned.get_data(as_text=True)
    assert 'name="confirm_overlap"' in html
    db.session.expire_all()
    assert registrations(overlapping.id) == []
    confirmed = send_registration(client, overlapping.id, csrf_token(html), confirm_overlap="y")
    assert outcome(confirmed) == "confirmed"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"full_name": ""}, "Geef uw naam op."),
        ({"email": "not-an-address"}, "Dit e-mailadres lijkt niet te kloppen"),
        ({"email": ""}, "Geef een e-mailadres op."),
        ({"consent": None}, "Vink dit vakje aan om in te schrijven."),
        ({"full_name": "x" * 121}, "minder dan 120 tekens"),
        ({"full_name": "Jeanne\x00Dupont"}, "tekens die niet gebruikt kunnen worden"),
        ({"full_name": "Jeanne\nDupont"}, "tekens die niet gebruikt kunnen worden"),
        ({"phone": "call me maybe"}, "alleen cijfers"),
        ({"language": "de"}, None),
    ],
)
def test_invalid_input_is_refused_next_to_the_field_in_the_page_language(
    client, session, smtp, overrides, message
):
    client.set_cookie("lang", "nl")
    response = register(client, session.id, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html
    assert "Uw inschrijving is nog niet verzonden" in html
    if message:
        assert message in html
    db.session.expire_all()
    assert registrations(session.id) == []
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0


def test_html_in_a_name_is_shown_escaped(client, session, smtp):
    register(client, session.id, full_name="<script>alert(1)</script>")
    page = client.get(management_path(smtp.wait_for(1)[0]))
    html = page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_a_form_without_its_csrf_token_gets_a_friendly_400(client, session):
    register_without_csrf_token(client, session.id)


REASONS = {
    "cancelled": "Cette activité a été annulée.",
    "past": "Les inscriptions pour cette activité sont clôturées.",
    "closed": "Les inscriptions pour cette activité sont clôturées.",
    "not_yet_open": "Les inscriptions ouvrent le",
    "walk_in": "Pas d'inscription",
}


@pytest.mark.parametrize("change", list(REASONS))
def test_sessions_that_take_no_registration_refuse_clearly(client, app_context, change):
    activity = make_activity()
    page_html = client.get(f"/sessions/{activity.id}").get_data(as_text=True)
    token = csrf_token(page_html)
    now = datetime.now(UTC)
    if change == "cancelled":
        activity.status = ActivityStatus.CANCELLED
    elif change == "past":
        activity.start_at, activity.end_at = (
            now - timedelta(days=2),
            now - timedelta(days=2, hours=-2),
        )
    elif change == "closed":
        activity.registration_closes_at = now - timedelta(minutes=1)
    elif change == "not_yet_open":
        activity.registration_opens_at = now + timedelta(days=1)
    else:
        activity.registration_required = False
    db.session.commit()
    response = send_registration(client, activity.id, token, full_name="A", email="a@example.org")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Votre inscription n'a pas pu être acceptée" in html
    assert REASONS[change] in html
    assert registrations(activity.id) == []


def test_unpublished_sessions_are_not_found(client, app_context):
    published = make_activity()
    draft = make_activity(status=ActivityStatus.DRAFT)
    db.session.commit()
    token = csrf_token(client.get(f"/sessions/{published.id}").get_data(as_text=True))
    response = send_registration(client, draft.id, token, full_name="A", email="a@example.org")
    assert response.status_code == 404
    assert registrations(draft.id) == []


def test_registering_does_not_mark_the_activity_changed(client, session, smtp):
    # Its calendar entries say when it last changed (DTSTAMP, SEQUENCE): a seat given is
    # not a change. The SQLite seat lock used to bump updated_at on every registration.
    before = (session.updated_at, session.revision)
    assert outcome(register(client, session.id)) == "confirmed"
    db.session.expire_all()
    assert (session.updated_at, session.revision) == before


def test_the_language_links_after_sending_the_form_lead_back_to_the_session(client, session, smtp):
    # The answer to a POST is a page whose own address only takes POST: switching
    # language from it used to end on a 405.
    sent = register(client, session.id, email="jan@example.org")
    refused = register(client, session.id, email="not an address")
    assert (sent.status_code, refused.status_code) == (200, 400)
    for response in (sent, refused):
        link = re.search(r'href="(/language/nl[^"]*)"', response.get_data(as_text=True))
        switched = client.get(html.unescape(link.group(1)), follow_redirects=True)
        assert switched.status_code == 200
        assert switched.request.path == f"/sessions/{session.id}"
        assert 'lang="nl"' in switched.get_data(as_text=True)

"""Managing a registration from the link in the e-mail: cancel, calendar, erase."""

import vobject
from icalendar import Calendar
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.registrations.models import Registrant, Registration, RegistrationState
from tests.factories import make_activity, make_edition
from tests.flows import calendar_attachment, csrf_token, management_path, outcome, register

AGENDA_LINK = "http://eventweek.test/agenda/"


def link_for(smtp, address: str) -> str:
    return management_path(smtp.to(address)[0])


def agenda_path(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    start = text.index(AGENDA_LINK)
    return text[start:].split()[0].removeprefix("http://eventweek.test")


def cancel_through_pages(client, path: str):
    confirm = client.get(f"{path}/cancel")
    assert confirm.status_code == 200
    token = csrf_token(confirm.get_data(as_text=True))
    return client.post(f"{path}/cancel", data={"csrf_token": token})


def test_the_management_page_shows_the_registration(client, app_context, smtp):
    activity = make_activity()
    db.session.commit()
    register(client, activity.id, full_name="Amina El Idrissi", email="amina@example.org")
    smtp.wait_for(1)
    page = client.get(link_for(smtp, "amina@example.org"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amina El Idrissi" in html and activity.title_fr in html
    assert 'name="robots" content="noindex"' in html


def test_cancelling_promotes_the_first_on_the_waiting_list_and_tells_them(
    client, app_context, smtp
):
    activity = make_activity(capacity=1)
    db.session.commit()
    register(client, activity.id, email="first@example.org")
    register(client, activity.id, email="second@example.org", language="nl", full_name="Piet")
    register(client, activity.id, email="third@example.org")
    smtp.wait_for(3)

    response = cancel_through_pages(client, link_for(smtp, "first@example.org"))
    assert response.status_code == 302
    messages = smtp.wait_for(5)
    assert len(messages) == 5
    confirmation, cancellation = smtp.to("first@example.org")
    assert "annulée" in cancellation["Subject"]
    promoted = smtp.to("second@example.org")[-1]
    assert "Goed nieuws" in promoted.get_body(preferencelist=("plain",)).get_content()
    [event] = calendar_attachment(promoted).walk("VEVENT")
    assert str(event["UID"]) == f"activity-{activity.id}@eventweek.test"

    db.session.expire_all()
    states = {
        r.registrant.email: r.state for r in db.session.execute(select(Registration)).scalars()
    }
    assert states == {
        "first@example.org": RegistrationState.CANCELLED,
        "second@example.org": RegistrationState.CONFIRMED,
        "third@example.org": RegistrationState.WAITLISTED,
    }
    # The third person moved up to first place on the list.
    page = client.get(link_for(smtp, "third@example.org")).get_data(as_text=True)
    assert "numéro 1" in page


def test_cancelling_twice_changes_nothing(client, app_context, smtp):
    activity = make_activity()
    db.session.commit()
    register(client, activity.id)
    smtp.wait_for(1)
    path = link_for(smtp, "jeanne@example.org")
    assert cancel_through_pages(client, path).status_code == 302
    again = client.get(f"{path}/cancel")
    assert again.status_code == 302  # nothing left to cancel: back to the page
    smtp.wait_for(2)
    assert len(smtp.to("jeanne@example.org")) == 2


def test_the_calendar_download_is_a_valid_event(client, app_context, smtp):
    activity = make_activity()
    db.session.commit()
    register(client, activity.id)
    smtp.wait_for(1)
    response = client.get(link_for(smtp, "jeanne@example.org") + "/event.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.get_data())
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == activity.start_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_the_personal_agenda_holds_exactly_the_persons_sessions(client, app_context, smtp):
    edition = make_edition()
    mine = make_activity(edition, hour=9)
    full = make_activity(edition, day=1, capacity=1)
    someone_elses = make_activity(edition, day=2)
    db.session.commit()
    register(client, full.id, email="other@example.org")
    register(client, mine.id, email="me@example.org")
    register(client, full.id, email="me@example.org")
    register(client, someone_elses.id, email="other@example.org")
    smtp.wait_for(4)
    feed = client.get(agenda_path(smtp.to("me@example.org")[0]))
    assert feed.status_code == 200
    events = {
        str(event["UID"]): str(event["STATUS"])
        for event in Calendar.from_ical(feed.get_data()).walk("VEVENT")
    }
    assert events == {
        f"activity-{mine.id}@eventweek.test": "CONFIRMED",
        f"activity-{full.id}@eventweek.test": "TENTATIVE",
    }
    assert b"other@example.org" not in feed.get_data()
    assert {
        item.uid.value for item in vobject.readOne(feed.get_data(as_text=True)).vevent_list
    } == set(events)
    assert "private" in feed.headers["Cache-Control"]
    again = client.get(
        agenda_path(smtp.to("me@example.org")[0]), headers={"If-None-Match": feed.headers["ETag"]}
    )
    assert again.status_code == 304


def test_erasing_frees_the_place_anonymises_and_kills_the_links(client, app_context, smtp):
    activity = make_activity(capacity=1)
    db.session.commit()
    register(
        client,
        activity.id,
        email="gone@example.org",
        phone="02 123 45 67",
        accessibility_needs="Fauteuil roulant",
        on_behalf_of="Sa fille",
    )
    register(client, activity.id, email="next@example.org")
    smtp.wait_for(2)
    path = link_for(smtp, "gone@example.org")
    agenda = agenda_path(smtp.to("gone@example.org")[0])
    confirm = client.get(f"{path}/erase")
    response = client.post(
        f"{path}/erase", data={"csrf_token": csrf_token(confirm.get_data(as_text=True))}
    )
    assert response.status_code == 200

    db.session.expire_all()
    erased = db.session.execute(select(Registration).order_by(Registration.id)).scalars().first()
    assert erased.state == RegistrationState.CANCELLED
    assert (erased.full_name, erased.phone, erased.accessibility_needs, erased.on_behalf_of) == (
        "",
        None,
        None,
        None,
    )
    assert erased.by_trusted_person is True  # kept for the statistics
    registrant = db.session.get(Registrant, erased.registrant_id)
    assert registrant.email is None and registrant.erased_at is not None
    assert client.get(path).status_code == 410
    assert client.get(agenda).status_code == 410
    # The freed place went to the next person.
    assert len(smtp.wait_for(3)) == 3
    assert len(smtp.to("next@example.org")) == 2
    assert len(smtp.to("gone@example.org")) == 1  # no mail after erasure


def test_unknown_or_malformed_links_are_not_found(client):
    assert client.get("/registrations/" + "A" * 43).status_code == 404
    assert client.get("/registrations/short").status_code == 404
    assert client.get("/registrations/../../etc/passwd").status_code == 404
    assert client.get("/agenda/" + "B" * 43 + ".ics").status_code == 404


def test_privacy_notice_in_three_languages(client):
    for language, words in [("fr", "Abrumet"), ("nl", "Abrumet"), ("en", "90 days")]:
        response = client.get(f"/privacy?lang={language}")
        assert response.status_code == 200
        assert words in response.get_data(as_text=True)
    assert outcome(client.get("/privacy")) is None

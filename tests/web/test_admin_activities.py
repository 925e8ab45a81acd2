"""The organisers' back-office for activities, through its pages: who may reach it, the
review queue, edits, moves and cancellations (e-mails read from the loopback SMTP
server), the day view, and what the activity form refuses."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app
from sqlalchemy import event, func, select

from eventweek.admin.views import optional_url
from eventweek.audit.models import AuditEntry
from eventweek.extensions import db
from eventweek.links import external_url
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.sessions import operations
from eventweek.sessions.models import BRUSSELS, Activity, ActivityKind, ActivityStatus
from tests.factories import make_activity, make_edition, make_organisation, make_user, make_venue
from tests.flows import (
    blueprint_requests,
    calendar_attachment,
    csrf_token,
    management_path,
    register,
)

ADMIN_ENDPOINTS = {
    "admin.home",
    "admin.days",
    "admin.review",
    "admin.review_activity",
    "admin.send_back",
    "admin.publish_activity",
    "admin.activities",
    "admin.new_activity",
    "admin.edit_activity",
    "admin.cancel_activity",
}


def english(client):
    client.set_cookie("lang", "en")
    return client


def page_text(response) -> str:
    return response.get_data(as_text=True)


def cell(html: str, field: str, kind: str) -> str:
    """The text of the `old-value` / `new-value` cell of a field's row on the review page."""
    row = re.search(rf'<tr data-field="{field}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {field}"
    value = re.search(rf'<td class="{kind}">(.*?)</td>', row.group(1), re.S)
    assert value, f"no {kind} for {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", value.group(1)).split())


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def flashed(response) -> str:
    match = re.search(r'<div class="notice" role="status">(.*?)</div>', page_text(response), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def form_data(activity: Activity, token: str, **changes) -> dict:
    """The edit form as an organiser would send it unchanged, with `changes` on top
    (None leaves a field out: an unticked box)."""
    start, end = activity.local_start, activity.local_end
    data = {
        "csrf_token": token,
        "kind": activity.kind.value,
        "audience": activity.audience.value,
        "title_fr": activity.title_fr,
        "title_nl": activity.title_nl,
        "title_en": activity.title_en,
        "description_fr": activity.description_fr,
        "description_nl": activity.description_nl,
        "description_en": activity.description_en,
        "languages": activity.languages,
        "day": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "venue_id": str(activity.venue_id or -1),
        "online_url": activity.online_url or "",
        "registration_required": "y" if activity.registration_required else None,
        "capacity": "" if activity.capacity is None else str(activity.capacity),
        "waitlist_enabled": "y" if activity.waitlist_enabled else None,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def edit(client, activity: Activity, **changes):
    page = client.get(f"/admin/activities/{activity.id}/edit")
    assert page.status_code == 200
    return client.post(
        f"/admin/activities/{activity.id}/edit",
        data=form_data(activity, csrf_token(page_text(page)), **changes),
    )


def first_event(message):
    [entry] = calendar_attachment(message).walk("VEVENT")
    return entry


def brussels(day, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour, tzinfo=BRUSSELS)


@pytest.fixture
def admin(signed_in, organiser):
    return english(signed_in(organiser))


# Who may reach the back-office


def admin_requests(activity_id: int) -> list[tuple[str, str]]:
    return blueprint_requests("admin", activity_id)


def test_the_role_matrix_covers_every_back_office_url(app_context):
    endpoints = {r.endpoint for r in current_app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("admin.")} == ADMIN_ENDPOINTS


@pytest.mark.parametrize("role", ["anonymous", "partner", "juror"])
def test_only_organisers_reach_the_back_office(role, client, signed_in, app_context, smtp):
    if role == "anonymous":
        visitor = client
        token = csrf_token(page_text(client.get("/login")))
        organisation = make_organisation()
    else:
        user = make_user(role)
        organisation = user.organisation or make_organisation()
        db.session.commit()
        visitor = signed_in(user)
        token = csrf_token(page_text(visitor.get("/account")))
    # The partner's own organisation's submission: even that is not theirs to review.
    activity = make_activity(
        organisation=organisation, status=ActivityStatus.SUBMITTED, title_fr="Titre secret"
    )
    db.session.commit()
    body = {
        **form_data(activity, token, capacity="99"),
        "organisation_id": str(organisation.id),
        "comment": "À revoir",
        "reason": "Annulé",
    }
    requests = admin_requests(activity.id)
    assert len(requests) >= len(ADMIN_ENDPOINTS)
    for method, path in requests:
        response = visitor.open(path, method=method, data=body if method == "POST" else None)
        assert "Titre secret" not in page_text(response), (method, path)
        if role == "anonymous":
            assert response.status_code == 302, (method, path)
            location = urlsplit(response.headers["Location"])
            assert location.path == "/login"
            [next_path] = parse_qs(location.query)["next"]
            assert next_path == path and not next_path.startswith("//")
        else:
            assert response.status_code == 403, (method, path)

    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.status == ActivityStatus.SUBMITTED and activity.capacity == 20
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == (
        0 if role == "anonymous" else 1  # the account's own creation
    )
    assert db.session.execute(select(func.count()).select_from(Activity)).scalar_one() == 1
    assert smtp.wait_for(1, timeout=0.5) == []


def test_the_home_page_shows_the_week_at_a_glance(admin, app, app_context):
    edition = make_edition(days_from_today=0)  # the week starts today
    today = make_activity(edition, day=0, title_en="Today's session")
    make_activity(edition, day=1, title_en="Tomorrow's session", capacity=None)
    make_activity(edition, day=2, title_en="Later session")
    waiting = make_activity(edition, day=3, status=ActivityStatus.SUBMITTED, title_en="To review")
    db.session.commit()

    response = admin.get("/admin/")
    html = page_text(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert html.count("<h1") == 1
    assert "1 activity waits for review." in html
    assert f'href="/admin/review/{waiting.id}"' in html
    today_section = html[html.index(">Today<") : html.index(">Tomorrow<")]
    assert "Today&#39;s session" in today_section and "Tomorrow" not in today_section
    assert "Tomorrow&#39;s session" in html[html.index(">Tomorrow<") :]
    assert "Later session" not in html
    assert f'<tr data-activity="{today.id}">' in today_section
    # Every back-office page that exists is linked, and none that does not.
    for path in ("/admin/review", "/admin/activities", "/admin/activities/new", "/admin/days"):
        assert f'href="{path}"' in html
    with app.test_request_context():
        for endpoint in ("outbox", "audit", "editions", "organisations", "venues", "users"):
            url = optional_url(f"admin_settings.{endpoint}")
            assert url is None or f'href="{url}"' in html


def test_a_missing_page_gives_no_link_instead_of_an_error(app):
    with app.test_request_context():
        assert optional_url("admin_settings.not_written_yet") is None
        assert optional_url("admin.days") == "/admin/days"


# Review


def test_the_review_shows_old_and_new_and_publishing_changes_the_public_page(
    admin, partner, client, app_context
):
    old_venue = make_venue(name="Salle Horta")
    new_venue = make_venue(name="Auditoire Vésale")
    activity = make_activity(
        organisation=partner.organisation, venue=old_venue, hour=10, capacity=20
    )
    operations.edit_as_partner(
        partner,
        activity,
        {
            "start_at": activity.start_at + timedelta(hours=4),
            "end_at": activity.end_at + timedelta(hours=4),
            "venue_id": new_venue.id,
            "capacity": 30,
            "title_en": "Fixed typo",  # a text fix: published at once
        },
        datetime.now(BRUSSELS),
    )
    db.session.commit()
    assert english(client).get(f"/sessions/{activity.id}").status_code == 200

    queue = page_text(admin.get("/admin/review"))
    assert f'href="/admin/review/{activity.id}"' in queue
    assert "Changes to a published activity" in queue

    review = admin.get(f"/admin/review/{activity.id}")
    html = page_text(review)
    assert review.status_code == 200
    assert "10:00" in cell(html, "start_at", "old-value")
    assert "2:00" in cell(html, "start_at", "new-value")
    assert "PM" in cell(html, "start_at", "new-value")  # Brussels time, not UTC (12:00)
    assert cell(html, "venue_id", "old-value").startswith("Salle Horta")
    assert cell(html, "venue_id", "new-value").startswith("Auditoire Vésale")
    assert (cell(html, "capacity", "old-value"), cell(html, "capacity", "new-value")) == (
        "20",
        "30",
    )
    assert 'data-field="title_en"' not in html  # already published, nothing waits

    published = admin.post(
        f"/admin/activities/{activity.id}/publish", data={"csrf_token": csrf_token(html)}
    )
    assert published.status_code == 302
    assert published.headers["Location"] == "/admin/review"
    assert "Published: Fixed typo" in flashed(admin.get("/admin/review"))
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.pending_changes is None and activity.venue_id == new_venue.id
    assert activity.capacity == 30
    public = page_text(client.get(f"/sessions/{activity.id}"))
    assert "Auditoire Vésale" in public and "Salle Horta" not in public
    assert "2:00" in public
    assert f"/admin/review/{activity.id}" not in page_text(admin.get("/admin/review"))


def test_a_new_submission_is_shown_whole_and_published(admin, partner, client, app_context):
    venue = make_venue(name="Salle des Guichets")
    activity = make_activity(
        organisation=partner.organisation,
        venue=venue,
        status=ActivityStatus.SUBMITTED,
        title_nl="Gezondheidsapps voor senioren",
        kind=ActivityKind.STAND,
    )
    db.session.commit()
    assert client.get(f"/sessions/{activity.id}").status_code == 404

    html = page_text(admin.get(f"/admin/review/{activity.id}"))
    assert "New submission: the whole activity" in html
    for name in operations.EDITABLE_FIELDS:
        assert f'<tr data-field="{name}">' in html
    assert cell(html, "title_nl", "new-value") == "Gezondheidsapps voor senioren"
    assert cell(html, "venue_id", "new-value").startswith("Salle des Guichets")
    assert cell(html, "kind", "new-value") == "Stand"

    admin.post(f"/admin/activities/{activity.id}/publish", data={"csrf_token": csrf_token(html)})
    assert client.get(f"/sessions/{activity.id}").status_code == 200
    client.set_cookie("lang", "nl")
    assert "Gezondheidsapps voor senioren" in page_text(client.get("/programme"))


def test_sending_back_emails_the_partner_with_the_comment(admin, partner, app, app_context, smtp):
    if not any(rule.endpoint.startswith("partner.") for rule in app.url_map.iter_rules()):
        pytest.skip("the partner area, whose edit page the e-mail links to, is not written yet")
    activity = make_activity(organisation=partner.organisation, status=ActivityStatus.SUBMITTED)
    db.session.commit()
    page = admin.get(f"/admin/review/{activity.id}")
    token = csrf_token(page_text(page))

    refused = admin.post(
        f"/admin/review/{activity.id}/send-back", data={"csrf_token": token, "comment": "  "}
    )
    assert refused.status_code == 400
    assert field_error(page_text(refused), "comment") == "Please tell the partner what to change."

    response = admin.post(
        f"/admin/review/{activity.id}/send-back",
        data={"csrf_token": token, "comment": "Merci de préciser l'étage de la salle."},
    )
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == partner.email
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Merci de préciser l'étage de la salle." in text
    assert external_url("partner.edit_activity", activity_id=activity.id) in text
    assert "1 partner account was e-mailed." in flashed(admin.get("/admin/review"))
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.status == ActivityStatus.DRAFT
    assert activity.review_comment == "Merci de préciser l'étage de la salle."


# Moves, cancellations, seats


@pytest.fixture
def three_people(client, app_context, smtp):
    """A published session with two confirmed places (French, Dutch) and one person
    waiting (English), registered through the public form; their first e-mails read."""
    activity = make_activity(capacity=2, hour=10)
    db.session.commit()
    people = {"fr": "anne@example.org", "nl": "jan@example.org", "en": "kate@example.org"}
    for language, address in people.items():
        assert register(client, activity.id, email=address, language=language).status_code == 200
    smtp.wait_for(3)
    first = {language: smtp.to(address)[0] for language, address in people.items()}
    public_ics = client.get(f"/sessions/{activity.id}.ics").get_data(as_text=True)
    smtp.clear()
    return activity, people, first, public_ics


MOVED_SUBJECTS = {
    "fr": "Changement d'heure ou de lieu : Séance",
    "nl": "Wijziging van uur of plaats: Sessie",
    "en": "Change of time or place: Session",
}


def test_moving_a_session_sends_everyone_the_updated_calendar_entry(
    admin, three_people, smtp, app_context
):
    from icalendar import Calendar

    activity, people, first, public_ics = three_people
    uid = f"activity-{activity.id}@eventweek.test"
    before = {
        "fr": int(first_event(first["fr"])["SEQUENCE"]),
        "nl": int(first_event(first["nl"])["SEQUENCE"]),
        # A waiting place's e-mail has no calendar entry: compare with the public one.
        "en": int(next(iter(Calendar.from_ical(public_ics).walk("VEVENT")))["SEQUENCE"]),
    }
    new_day = activity.local_start.date() + timedelta(days=1)

    response = edit(admin, activity, day=new_day.isoformat(), start_time="14:00", end_time="16:00")
    assert response.status_code == 302
    assert "3 people holding a place were e-mailed" in flashed(admin.get(response.location))

    smtp.wait_for(3)
    for language, address in people.items():
        [message] = smtp.to(address)
        assert message["Subject"].startswith(MOVED_SUBJECTS[language])
        entry = first_event(message)
        assert str(entry["UID"]) == uid
        assert int(entry["SEQUENCE"]) > before[language]
        assert entry.decoded("DTSTART") == brussels(new_day, 14)
        assert entry.decoded("DTEND") == brussels(new_day, 16)
        # Their own management link, the same as in their first e-mail.
        assert management_path(message) == management_path(first[language])
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).local_start == brussels(new_day, 14)


def test_cancelling_tells_everyone_and_stays_listed_as_cancelled(
    admin, three_people, client, smtp, app_context
):
    activity, people, _first, _ics = three_people
    page = admin.get(f"/admin/activities/{activity.id}/cancel")
    html = page_text(page)
    assert page.status_code == 200
    assert 'data-to-tell="3"' in html and "3 people holding a place" in html
    assert db.session.get(Activity, activity.id).status == ActivityStatus.PUBLISHED

    response = admin.post(
        f"/admin/activities/{activity.id}/cancel",
        data={"csrf_token": csrf_token(html), "reason": "Speaker ill"},
    )
    assert response.status_code == 302
    assert "3 people holding a place were e-mailed the cancellation." in flashed(
        admin.get(response.location)
    )
    smtp.wait_for(3)
    for _language, address in people.items():
        [message] = smtp.to(address)
        entry = first_event(message)
        assert str(entry["STATUS"]) == "CANCELLED"
        assert str(entry["UID"]) == f"activity-{activity.id}@eventweek.test"
    assert smtp.to(people["nl"])[0]["Subject"].startswith("Geannuleerd door de organisatoren")

    programme = page_text(english(client).get("/programme"))
    listed = programme[programme.index(f"/sessions/{activity.id}") :]
    assert "Cancelled" in listed[: listed.index("</article>")]
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == ActivityStatus.CANCELLED
    audit = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "activity.cancelled")
    ).scalar_one()
    assert audit.details == {"reason": "Speaker ill"}
    # Cancelling again is refused, and nobody is told twice.
    again = admin.post(
        f"/admin/activities/{activity.id}/cancel", data={"csrf_token": csrf_token(html)}
    )
    assert again.status_code == 409
    assert smtp.wait_for(4, timeout=0.5) == smtp.messages and len(smtp.messages) == 3


def test_more_seats_go_to_the_waiting_list(admin, three_people, smtp, app_context):
    activity, people, _first, _ics = three_people
    response = edit(admin, activity, capacity="3")
    assert response.status_code == 302
    assert "1 person on the waiting list got a place" in flashed(admin.get(response.location))
    [message] = smtp.wait_for(1)
    assert message["To"] == people["en"]
    assert message["Subject"].startswith("A place is free for you")
    assert smtp.wait_for(2, timeout=0.5) == [message]  # a capacity change is not a move
    db.session.expire_all()
    states = db.session.execute(
        select(Registration.state).where(Registration.activity_id == activity.id)
    ).scalars()
    assert sorted(states) == [RegistrationState.CONFIRMED] * 3


def test_the_review_says_who_a_move_tells_and_warns_of_too_few_seats(
    admin, three_people, organiser, app_context
):
    activity, _people, _first, _ics = three_people
    activity = db.session.get(Activity, activity.id)
    operations.edit_as_partner(
        organiser,
        activity,
        {"start_at": activity.start_at + timedelta(hours=1), "capacity": 1},
        datetime.now(BRUSSELS),
    )
    db.session.commit()
    html = " ".join(page_text(admin.get(f"/admin/review/{activity.id}")).split())
    assert "3 people holding a place (confirmed or waiting) will be e-mailed" in html
    assert "2 people already have a confirmed place: the number of seats proposed is lower" in html


# The form's refusals


def test_the_form_refuses_a_capacity_below_the_confirmed_count(admin, three_people, smtp):
    activity, _people, _first, _ics = three_people
    response = edit(admin, activity, capacity="1")
    assert response.status_code == 400
    assert field_error(page_text(response), "capacity") == (
        "2 people already have a confirmed place: the number of seats cannot be lower."
    )
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).capacity == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_time": "14:00", "end_time": "13:00"},
            "end_time",
            "The end must come after the start.",
        ),
        (
            {"registration_closes_day": "after"},
            "registration_closes_day",
            "Registration must close before the activity ends.",
        ),
        ({"day": "outside"}, "day", "This day is outside the week"),
    ],
    ids=["end-before-start", "registration-closes-after", "outside-the-week"],
)
def test_the_form_refuses_what_cannot_be(admin, app_context, changes, field, message):
    activity = make_activity(hour=10)
    db.session.commit()
    day = activity.local_start.date()
    values = {
        name: {
            "after": (day + timedelta(days=1)).isoformat(),
            "outside": (activity.edition.last_day + timedelta(days=3)).isoformat(),
        }.get(value, value)
        for name, value in changes.items()
    }
    response = edit(admin, activity, **values)
    html = page_text(response)
    assert response.status_code == 400
    assert field_error(html, field).startswith(message)
    assert f'id="{field}" ' in html and 'aria-invalid="true"' in html
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).local_start.hour == 10


def test_a_day_outside_the_week_is_accepted_once_confirmed(admin, app_context):
    activity = make_activity(hour=10)
    db.session.commit()
    outside = activity.edition.last_day + timedelta(days=3)
    response = edit(admin, activity, day=outside.isoformat(), confirm_outside_week="y")
    assert response.status_code == 302
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.local_start.date() == outside
    # Shown again, the box stays ticked: saving once more does not ask again.
    again = page_text(admin.get(f"/admin/activities/{activity.id}/edit"))
    [box] = re.findall(r'<input[^>]*id="confirm_outside_week"[^>]*>', again)
    assert "checked" in box


# Creating, listing, the day view


def test_an_organiser_creates_a_draft_for_an_organisation_then_publishes_it(
    admin, client, app_context
):
    edition = make_edition()
    organisation = make_organisation(name_en="Hôpital Erasme")
    venue = make_venue(name="Hall d'entrée")
    db.session.commit()
    page = admin.get("/admin/activities/new")
    html = page_text(page)
    assert page.status_code == 200 and html.count("<h1") == 1
    assert '<label for="organisation_id">' in html
    fields = {
        "csrf_token": csrf_token(html),
        "organisation_id": str(organisation.id),
        "kind": "award_ceremony",
        "audience": "professionals",
        "title_fr": "Remise du prix",
        "title_nl": "Prijsuitreiking",
        "title_en": "Award ceremony",
        "languages": ["fr", "nl"],
        "day": (edition.first_day + timedelta(days=4)).isoformat(),
        "start_time": "17:00",
        "end_time": "19:00",
        "venue_id": str(venue.id),
        "registration_required": "y",
        "capacity": "150",
        "waitlist_enabled": "y",
    }
    missing = admin.post("/admin/activities/new", data={**fields, "title_nl": "   "})
    assert missing.status_code == 400
    assert field_error(page_text(missing), "title_nl") == "Please give the title in this language."

    created = admin.post("/admin/activities/new", data=fields)
    assert created.status_code == 302
    activity = db.session.execute(select(Activity)).scalar_one()
    assert (activity.organisation_id, activity.status) == (organisation.id, ActivityStatus.DRAFT)
    assert activity.kind == ActivityKind.AWARD_CEREMONY and activity.capacity == 150
    assert activity.local_start == brussels(edition.first_day + timedelta(days=4), 17)
    assert client.get(f"/sessions/{activity.id}").status_code == 404

    edit_page = page_text(admin.get(created.location))
    assert f'action="/admin/activities/{activity.id}/publish"' in edit_page
    published = admin.post(
        f"/admin/activities/{activity.id}/publish", data={"csrf_token": csrf_token(edit_page)}
    )
    assert published.status_code == 302
    assert client.get(f"/sessions/{activity.id}").status_code == 200
    actions = db.session.execute(
        select(AuditEntry.action)
        .where(AuditEntry.subject_type == "activity", AuditEntry.subject_id == activity.id)
        .order_by(AuditEntry.id)
    ).scalars()
    assert list(actions) == ["activity.created", "activity.submitted", "activity.published"]


def test_a_new_place_is_created_with_the_activity(admin, app_context):
    edition = make_edition()
    organisation = make_organisation()
    db.session.commit()
    html = page_text(admin.get("/admin/activities/new"))
    fields = {
        "csrf_token": csrf_token(html),
        "organisation_id": str(organisation.id),
        "kind": "stand",
        "audience": "all",
        "title_fr": "Stand",
        "title_nl": "Stand",
        "title_en": "Stand",
        "languages": ["fr"],
        "day": edition.first_day.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "venue_id": "0",
        "venue_name": "Maison de la Santé",
        "venue_street": "Rue Haute 2",
        "venue_postcode": "1000",
        "venue_city": "Bruxelles",
    }
    incomplete = admin.post("/admin/activities/new", data={**fields, "venue_city": ""})
    assert incomplete.status_code == 400
    assert field_error(page_text(incomplete), "venue_id") == (
        "Please fill in the name and full address of the new place."
    )
    assert admin.post("/admin/activities/new", data=fields).status_code == 302
    activity = db.session.execute(select(Activity)).scalar_one()
    assert activity.venue.name == "Maison de la Santé"
    assert activity.venue.full_address == "Rue Haute 2, 1000 Bruxelles"


def test_the_activity_list_filters(admin, app_context):
    first = make_edition(2101)
    second = make_edition(2102)
    erasme = make_organisation(slug="erasme", name_en="Erasme")
    make_activity(first, organisation=erasme, title_en="Old stand", kind=ActivityKind.STAND)
    make_activity(second, organisation=erasme, title_en="Draft talk", status=ActivityStatus.DRAFT)
    make_activity(second, title_en="Other session")
    db.session.commit()

    def titles(query: str) -> set[str]:
        html = page_text(admin.get(f"/admin/activities{query}"))
        return set(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html))

    assert titles("") == {"Old stand", "Draft talk", "Other session"}
    assert titles("?status=draft") == {"Draft talk"}
    assert titles("?kind=stand") == {"Old stand"}
    assert titles("?organisation=erasme") == {"Old stand", "Draft talk"}
    assert titles("?year=2102") == {"Draft talk", "Other session"}
    assert titles("?organisation=erasme&year=2102") == {"Draft talk"}
    unknown = admin.get("/admin/activities?status=lost")
    assert "The filter status=lost is not known and was ignored." in page_text(unknown)


def test_the_day_view_counts_places_waiting_and_check_ins_in_fixed_queries(
    admin, app, client, app_context, smtp
):
    edition = make_edition(days_from_today=0)
    activity = make_activity(edition, day=1, capacity=2, title_en="Busy session")
    make_activity(edition, day=1, hour=14, registration_required=False, capacity=None)
    db.session.commit()
    for number in range(3):
        register(client, activity.id, email=f"person{number}@example.org")
    first = db.session.execute(
        select(Registration).where(Registration.activity_id == activity.id).limit(1)
    ).scalar_one()
    first.state = RegistrationState.ATTENDED  # checked in at the door
    db.session.commit()

    def queries_for_day_view() -> int:
        statements = []

        def remember(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            response = admin.get("/admin/days")
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        assert response.status_code == 200
        return response, len(statements)

    response, few = queries_for_day_view()
    html = page_text(response)
    assert html.count("<h1") == 1 and f"Day view {edition.year}" in html
    row = re.search(rf'<tr data-activity="{activity.id}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-count="confirmed">2 / 2<', row)
    assert re.search(r'data-count="waitlisted">1<', row)
    assert re.search(r'data-count="attended">1<', row)
    assert html.count("<h2") == len(edition.days)
    assert "No registration" in html

    for hour in (8, 9, 11, 12, 16, 17):
        make_activity(edition, day=2, hour=hour)
    db.session.commit()
    _response, many = queries_for_day_view()
    assert many == few

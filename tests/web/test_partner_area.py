"""The partner area through its pages: who may reach it and whose data it shows,
creating, submitting and editing activities, a stand's help slots, registrations and
their CSV, check-in at the door with the code from the real confirmation e-mail
(received by the loopback SMTP server), and no-shows after the session."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from eventweek.audit.models import AuditEntry
from eventweek.extensions import db
from eventweek.links import external_url
from eventweek.registrations import operations as registration_operations
from eventweek.registrations.checkin import display_code, qr_png
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.sessions import operations
from eventweek.sessions.models import BRUSSELS, Activity, ActivityKind, ActivityStatus, Venue
from tests.factories import make_activity, make_edition, make_organisation, make_user, registered
from tests.flows import blueprint_requests, checkin_code, csrf_token, register
from tests.qr import decode_qr

PARTNER_ENDPOINTS = {
    "partner.dashboard",
    "partner.new_activity",
    "partner.edit_activity",
    "partner.submit_activity",
    "partner.add_slot",
    "partner.registrations",
    "partner.registrations_csv",
    "partner.mark_no_shows",
    "partner.checkin",
    "partner.activity_checkin",
}


def english(client):
    client.set_cookie("lang", "en")
    return client


def page_text(response) -> str:
    return response.get_data(as_text=True)


def plain(html: str) -> str:
    """The words of `html`, with its spaces (CLDR's narrow ones in "10:00 AM") plain."""
    text = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("\u202f", " ")
    return " ".join(text.split())


def flashed(response) -> str:
    match = re.search(r'<div class="notice" role="status">(.*?)</div>', page_text(response), re.S)
    return plain(match.group(1)) if match else ""


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def verdict(response) -> str | None:
    match = re.search(r'data-checkin-verdict="([a-z_]+)"', page_text(response))
    return match.group(1) if match else None


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def form_fields(activity: Activity, token: str, **changes) -> dict:
    """The edit form as the partner would send it unchanged, with `changes` on top."""
    start, end = activity.local_start, activity.local_end
    data = {
        "csrf_token": token,
        "kind": activity.kind.value,
        "audience": activity.audience.value,
        **{f"title_{code}": activity.text("title", code) for code in ("fr", "nl", "en")},
        **{
            f"description_{code}": activity.text("description", code) for code in ("fr", "nl", "en")
        },
        "languages": activity.languages,
        "day": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "venue_id": str(activity.venue_id or -1),
        "online_url": activity.online_url or "",
        "registration_required": "y" if activity.registration_required else None,
        "capacity": "" if activity.capacity is None else str(activity.capacity),
        "waitlist_enabled": "y" if activity.waitlist_enabled else None,
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def edition(app_context):
    edition = make_edition(days_from_today=20)
    db.session.commit()
    return edition


@pytest.fixture
def desk(signed_in, partner):
    """The partner's browser, in English."""
    return english(signed_in(partner))


# Who may reach the partner area, and what it shows


def partner_requests(activity_id: int) -> list[tuple[str, str]]:
    return blueprint_requests("partner", activity_id)


def test_the_matrix_covers_every_partner_url(app_context):
    endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("partner.")} == PARTNER_ENDPOINTS


@pytest.mark.parametrize("role", ["anonymous", "organiser", "juror"])
def test_only_partners_reach_the_partner_area(role, client, signed_in, edition, smtp):
    organisation = make_organisation()
    activity = make_activity(edition, organisation=organisation, title_en="Secret title")
    registration = registered(activity, "Marie Secrète", "marie@example.org")
    db.session.commit()
    if role == "anonymous":
        visitor = client
        token = csrf_token(page_text(client.get("/login")))
    else:
        user = make_user(role)
        db.session.commit()
        visitor = english(signed_in(user))
        token = csrf_token(page_text(visitor.get("/account")))
    body = {"csrf_token": token, "code": registration.checkin_code, "title_fr": "Changé"}
    requests = partner_requests(activity.id)
    assert len(requests) >= len(PARTNER_ENDPOINTS)
    for method, path in requests:
        response = visitor.open(path, method=method, data=body if method == "POST" else None)
        assert "Secret title" not in page_text(response), (method, path)
        assert "Marie" not in page_text(response), (method, path)
        if role == "anonymous":
            assert response.status_code == 302, (method, path)
            location = urlsplit(response.headers["Location"])
            assert location.path == "/login"
            assert parse_qs(location.query)["next"] == [path]
        else:
            assert response.status_code == 403, (method, path)
    assert fresh(Registration, registration.id).state == RegistrationState.CONFIRMED
    assert fresh(Activity, activity.id).title_fr != "Changé"


def test_the_qr_link_brings_a_signed_out_partner_back_after_signing_in(client, edition):
    activity = make_activity(edition)
    registration = registered(activity, "Jeanne Dupont", "jeanne@example.org")
    db.session.commit()
    path = f"/partner/checkin?code={registration.checkin_code}"
    response = client.get(path)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == [path]


def test_another_organisations_activities_answer_404(desk, partner, edition):
    theirs = make_activity(
        edition, organisation=make_organisation(), kind=ActivityKind.STAND, title_en="Theirs"
    )
    registration = registered(theirs, "Marie Secrète", "marie@example.org")
    mine = make_activity(edition, organisation=partner.organisation, title_en="Mine")
    db.session.commit()
    token = csrf_token(page_text(desk.get("/partner/")))
    body = {"csrf_token": token, "code": registration.checkin_code, "title_fr": "Changé"}

    for activity_id in (theirs.id, 999_999):
        for method, path in partner_requests(activity_id):
            if str(activity_id) not in path:
                continue
            response = desk.open(path, method=method, data=body if method == "POST" else None)
            assert response.status_code == 404, (method, path)
            assert "Marie" not in page_text(response)

    # Their code is unknown here, on the general page and at the door of my session.
    for path in ("/partner/checkin", f"/partner/activities/{mine.id}/checkin"):
        looked_up = desk.get(path, query_string={"code": registration.checkin_code})
        assert looked_up.status_code == 404 and verdict(looked_up) == "unknown"
        assert "Marie" not in page_text(looked_up)
        assert desk.post(path, data=body).status_code == 404
    assert fresh(Registration, registration.id).state == RegistrationState.CONFIRMED
    assert fresh(Activity, theirs.id).title_fr != "Changé"

    dashboard = page_text(desk.get("/partner/"))
    assert "Mine" in dashboard and "Theirs" not in dashboard


# Creating, submitting and editing


def new_activity_fields(token: str, edition, **changes) -> dict:
    return {
        "csrf_token": token,
        "kind": "info_session",
        "audience": "citizens",
        "title_fr": "Mon dossier santé en ligne",
        "title_nl": "Mijn gezondheidsdossier online",
        "title_en": "My health record online",
        "description_fr": "Consulter ses données de santé.",
        "languages": ["fr", "nl"],
        "day": (edition.first_day + timedelta(days=1)).isoformat(),
        "start_time": "14:00",
        "end_time": "15:30",
        "venue_id": "0",  # a new place
        "venue_name": "Salle Vésale",
        "venue_street": "Rue Haute 322",
        "venue_postcode": "1000",
        "venue_city": "Bruxelles",
        "registration_required": "y",
        "capacity": "25",
        "waitlist_enabled": "y",
        **changes,
    }


def test_a_partner_creates_a_draft_and_submits_it(desk, partner, organiser, client, edition):
    dashboard = desk.get("/partner/")
    assert dashboard.status_code == 200
    assert dashboard.headers["Cache-Control"] == "no-store"
    assert page_text(dashboard).count("<h1") == 1
    assert 'href="/partner/activities/new"' in page_text(dashboard)
    assert "New stand or information session" in page_text(dashboard)

    form = desk.get("/partner/activities/new")
    assert form.status_code == 200 and 'value="stand"' in page_text(form)
    assert 'value="conference"' not in page_text(form)
    created = desk.post(
        "/partner/activities/new", data=new_activity_fields(csrf_token(page_text(form)), edition)
    )
    assert created.status_code == 302
    activity = db.session.execute(select(Activity)).scalar_one()
    assert created.headers["Location"] == f"/partner/activities/{activity.id}/edit"
    assert activity.status == ActivityStatus.DRAFT
    assert activity.organisation_id == partner.organisation_id
    assert activity.venue.name == "Salle Vésale" and activity.languages == ["fr", "nl"]
    assert activity.local_start.strftime("%H:%M") == "14:00" and activity.capacity == 25
    assert "The draft is saved." in flashed(desk.get(created.headers["Location"]))
    assert client.get(f"/sessions/{activity.id}").status_code == 404
    assert "Draft" in page_text(desk.get("/partner/"))

    page = page_text(desk.get(f"/partner/activities/{activity.id}/edit"))
    submitted = desk.post(
        f"/partner/activities/{activity.id}/submit", data={"csrf_token": csrf_token(page)}
    )
    assert submitted.status_code == 302
    activity = fresh(Activity, activity.id)
    assert activity.status == ActivityStatus.SUBMITTED and activity.submitted_at is not None
    assert "Waiting for review" in page_text(desk.get("/partner/"))
    again = desk.post(
        f"/partner/activities/{activity.id}/submit", data={"csrf_token": csrf_token(page)}
    )
    assert again.status_code == 409
    actions = db.session.execute(
        select(AuditEntry.action).where(AuditEntry.actor_id == partner.id).order_by(AuditEntry.id)
    ).scalars()
    assert list(actions) == ["venue.created", "activity.created", "activity.submitted"]

    # Sent back: the dashboard shows the organisers' comment.
    operations.send_back(organiser, activity, "Merci de préciser l'étage.")
    db.session.commit()
    dashboard = page_text(desk.get("/partner/"))
    assert "Merci de préciser l&#39;étage." in dashboard and "Draft" in dashboard


def test_invalid_input_answers_400_with_the_messages_by_the_fields(desk, edition):
    token = csrf_token(page_text(desk.get("/partner/activities/new")))
    response = desk.post(
        "/partner/activities/new",
        data=new_activity_fields(token, edition, end_time="13:00", capacity="-3", title_en=""),
    )
    html = page_text(response)
    assert response.status_code == 400
    assert field_error(html, "end_time") == "The end must come after the start."
    assert field_error(html, "capacity") == "Please give a number of seats from 0."
    assert field_error(html, "title_en") == "Please give the title in this language."
    assert "Not saved yet" in html
    assert db.session.execute(select(func.count()).select_from(Activity)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(Venue)).scalar_one() == 0


def test_editing_a_published_activity_publishes_text_and_holds_time_and_seats(
    desk, partner, client, edition
):
    activity = make_activity(
        edition, organisation=partner.organisation, hour=10, capacity=20, title_en="Old title"
    )
    registered(activity, "Jeanne Dupont", "jeanne@example.org")
    db.session.commit()
    page = desk.get(f"/partner/activities/{activity.id}/edit")
    assert page.status_code == 200
    changed = form_fields(
        activity,
        csrf_token(page_text(page)),
        title_en="New title",
        start_time="11:00",
        end_time="13:00",
        capacity="30",
    )
    response = desk.post(f"/partner/activities/{activity.id}/edit", data=changed)
    assert response.status_code == 302
    told = flashed(desk.get(response.headers["Location"]))
    assert "Online now: Title in English." in told
    assert "Waiting for the organisers' review: Start, End, Number of seats." in told

    activity = fresh(Activity, activity.id)
    assert activity.title_en == "New title" and activity.capacity == 20
    assert activity.local_start.strftime("%H:%M") == "10:00"
    assert set(activity.pending_changes) == {"start_at", "end_at", "capacity"}
    public = plain(page_text(english(client).get(f"/sessions/{activity.id}")))
    assert "New title" in public and "10:00 AM" in public and "11:00 AM" not in public
    assert "Changes waiting for review" in page_text(desk.get("/partner/"))
    edit_page = page_text(desk.get(f"/partner/activities/{activity.id}/edit"))
    pending = plain(edit_page[edit_page.index("data-pending-changes") :])
    assert "11:00 AM" in pending and "30" in pending

    # A capacity below the places already confirmed is refused, by the field.
    lower = form_fields(activity, csrf_token(edit_page), capacity="0")
    refused = desk.post(f"/partner/activities/{activity.id}/edit", data=lower)
    assert refused.status_code == 400
    assert field_error(page_text(refused), "capacity").startswith("1 people already have")


# Help slots


def test_a_stands_help_slots_go_to_review_with_it_and_show_on_its_page(
    desk, partner, organiser, client, edition
):
    stand = make_activity(
        edition,
        organisation=partner.organisation,
        kind=ActivityKind.STAND,
        status=ActivityStatus.DRAFT,
        hour=10,  # 10:00-12:00
        title_fr="Stand e-santé",
        title_nl="Stand e-gezondheid",
        title_en="eHealth stand",
        languages=["fr", "nl"],
        registration_required=False,
        capacity=None,
    )
    session = make_activity(edition, organisation=partner.organisation)
    db.session.commit()
    page = page_text(desk.get(f"/partner/activities/{stand.id}/edit"))
    assert "Bookable help slots" in page and page.count("<h1") == 1
    assert '<label for="slot-start_time">' in page and '<label for="start_time">' in page
    token = csrf_token(page)

    def add_slot(activity_id, start, minutes="20", seats="2"):
        return desk.post(
            f"/partner/activities/{activity_id}/slots",
            data={
                "slot-csrf_token": token,
                "slot-start_time": start,
                "slot-minutes": minutes,
                "slot-seats": seats,
            },
        )

    assert add_slot(stand.id, "10:30").status_code == 302
    outside = add_slot(stand.id, "11:50")
    assert outside.status_code == 400
    assert field_error(page_text(outside), "slot-start_time") == (
        "The slot must lie within the stand's hours (10:00 – 12:00)."
    )
    assert add_slot(session.id, "10:30").status_code == 409  # not a stand

    [slot] = db.session.execute(select(Activity).where(Activity.parent_id == stand.id)).scalars()
    assert slot.status == ActivityStatus.DRAFT and slot.kind == ActivityKind.STAND
    assert (slot.title_fr, slot.title_nl, slot.title_en) == (
        "Aide personnalisée – Stand e-santé",
        "Persoonlijke hulp – Stand e-gezondheid",
        "Personal help – eHealth stand",
    )
    assert slot.venue_id == stand.venue_id and slot.languages == ["fr", "nl"]
    assert slot.registration_required and slot.capacity == 2
    assert (slot.local_start.strftime("%H:%M"), slot.local_end.strftime("%H:%M")) == (
        "10:30",
        "10:50",
    )

    submitted = desk.post(f"/partner/activities/{stand.id}/submit", data={"csrf_token": token})
    assert "1 help slot was submitted with it." in flashed(desk.get(submitted.headers["Location"]))
    assert fresh(Activity, slot.id).status == ActivityStatus.SUBMITTED

    # Published by the organisers: the stand's page lists the slot, where people register.
    now = datetime.now(UTC)
    operations.publish(organiser, fresh(Activity, stand.id), now)
    operations.publish(organiser, fresh(Activity, slot.id), now)
    db.session.commit()
    public = page_text(english(client).get(f"/sessions/{stand.id}"))
    slots_section = public[public.index('id="help-slots"') : public.index('id="take-part"')]
    assert f'href="/sessions/{slot.id}"' in slots_section and "2 seats left" in slots_section
    response = register(client, slot.id)
    assert response.status_code == 200 and 'data-registration-state="confirmed"' in page_text(
        response
    )

    # A slot added to a published stand goes to review, and is not public until then.
    assert add_slot(stand.id, "11:00", minutes="30", seats="1").status_code == 302
    late = db.session.execute(
        select(Activity).where(Activity.parent_id == stand.id, Activity.id != slot.id)
    ).scalar_one()
    assert late.status == ActivityStatus.SUBMITTED
    assert f'href="/sessions/{late.id}"' not in page_text(client.get(f"/sessions/{stand.id}"))


# Registrations and their CSV


def test_the_registrations_page_and_csv_never_show_erased_data(desk, partner, client, edition):
    activity = make_activity(edition, organisation=partner.organisation, capacity=2)
    other = make_activity(edition, organisation=partner.organisation, day=1)
    db.session.commit()
    register(
        client,
        activity.id,
        full_name="Hélène Dubœuf",
        email="helene@example.org",
        phone="+32 470 12 34 56",
        accessibility_needs="Fauteuil roulant",
        on_behalf_of="Zoë Lefèvre",
    )
    register(client, activity.id, full_name='=HYPERLINK("http://x.example")', email="x@example.org")
    register(client, activity.id, full_name="Jan Peeters", email="jan@example.org", language="nl")
    register(client, activity.id, full_name="Anna Geheim", email="anna@example.org")
    register(client, other.id, full_name="Anna Geheim", email="anna@example.org")
    anna = db.session.execute(
        select(Registration).where(
            Registration.activity_id == activity.id, Registration.full_name == "Anna Geheim"
        )
    ).scalar_one()
    registration_operations.anonymise(anna, datetime.now(UTC))
    db.session.commit()
    assert anna.registrant.email == "anna@example.org"  # still needed for the other session

    page = desk.get(f"/partner/activities/{activity.id}/registrations")
    html = page_text(page)
    assert page.status_code == 200 and html.count("<h1") == 1
    assert 'data-count="confirmed">2<' in html and 'data-count="waitlisted">2<' in html
    waiting = plain(html[html.index("data-waiting-list") : html.index("</ol>")])
    assert waiting.index("Jan Peeters") < waiting.index("Data erased")
    assert "Hélène Dubœuf" in html and "Zoë Lefèvre" in html and "Fauteuil roulant" in html
    assert '<th scope="col">Accessibility needs</th>' in html
    assert "anna@example.org" not in html and "Anna Geheim" not in html
    assert "Mark those not checked in as absent" not in html  # not ended yet

    download = desk.get(f"/partner/activities/{activity.id}/registrations.csv")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.data.startswith(b"\xef\xbb\xbf")
    text = download.data.decode("utf-8-sig")
    assert "anna@example.org" not in text and "Anna Geheim" not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:7] == [
        "Name",
        "E-mail",
        "Phone",
        "Language",
        "Accessibility needs",
        "Registered by (trusted person)",
        "State",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Hélène Dubœuf"][1:8] == [
        "helene@example.org",
        "'+32 470 12 34 56",  # not read as a formula
        "French",
        "Fauteuil roulant",
        "Zoë Lefèvre",
        "Confirmed",
        "",
    ]
    assert '\'=HYPERLINK("http://x.example")' in by_name
    assert by_name["Jan Peeters"][6:8] == ["On the waiting list", "1"]
    assert by_name[""][:8] == ["", "", "", "", "", "", "On the waiting list", "2"]


# Check-in at the door


def test_check_in_with_the_code_from_the_confirmation_email(desk, partner, client, edition, smtp):
    activity = make_activity(edition, organisation=partner.organisation, title_en="Apps santé")
    db.session.commit()
    register(client, activity.id, full_name="Jeanne Dupont", accessibility_needs="Boucle")
    [message] = smtp.wait_for(1)
    code = checkin_code(message)
    registration = db.session.execute(select(Registration)).scalar_one()
    assert code == display_code(registration.checkin_code)
    # The QR code holds the check-in page's address: a phone's camera opens it.
    [qr] = [p for p in message.iter_attachments() if p.get_content_type() == "image/png"]
    url = external_url("partner.checkin", code=registration.checkin_code)
    assert url == f"http://eventweek.test/partner/checkin?code={registration.checkin_code}"
    assert qr.get_content() == qr_png(url)
    assert decode_qr(qr.get_content()) == [url]

    typed = code.lower().replace("-", " ")  # forgiving: as a person types it
    looked_up = desk.get("/partner/checkin", query_string={"code": typed})
    html = page_text(looked_up)
    assert looked_up.status_code == 200 and verdict(looked_up) == "admitted"
    assert "Jeanne Dupont" in html and "Apps santé" in html and "Boucle" in html
    assert ">Check in</button>" in html and html.count("<h1") == 1
    assert '<label for="code">' in html
    assert fresh(Registration, registration.id).state == RegistrationState.CONFIRMED

    checked = desk.post("/partner/checkin", data={"csrf_token": csrf_token(html), "code": typed})
    assert checked.status_code == 302 and checked.headers["Location"] == "/partner/checkin"
    assert "Checked in: Jeanne Dupont, Apps santé." in flashed(desk.get("/partner/checkin"))
    registration = fresh(Registration, registration.id)
    assert registration.state == RegistrationState.ATTENDED
    assert registration.checked_in_at is not None
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "registration.checked_in")
    ).scalar_one()
    assert (entry.actor_id, entry.subject_id) == (partner.id, registration.id)
    assert 'data-count="attended">1<' in page_text(desk.get("/partner/"))

    used_at = registration.checked_in_at.astimezone(BRUSSELS).strftime("%-I:%M %p")
    again = desk.get("/partner/checkin", query_string={"code": code})
    assert again.status_code == 409 and verdict(again) == "already_used"
    assert f"This code was already used at {used_at}" in plain(page_text(again))
    twice = desk.post(
        f"/partner/activities/{activity.id}/checkin",
        data={"csrf_token": csrf_token(html), "code": code},
    )
    assert twice.status_code == 409 and verdict(twice) == "already_used"
    assert fresh(Registration, registration.id).checked_in_at == registration.checked_in_at


def test_each_refusal_at_the_door_is_said_plainly(desk, partner, organiser, edition):
    activity = make_activity(edition, organisation=partner.organisation, capacity=1)
    other = make_activity(edition, organisation=partner.organisation, title_en="The other one")
    confirmed = registered(activity, "Jeanne Dupont", "jeanne@example.org")
    waiting = registered(activity, "Jan Peeters", "jan@example.org")
    gone = registered(other, "Paul Parti", "paul@example.org")
    registration_operations.cancel(gone, datetime.now(UTC))
    db.session.commit()
    assert waiting.state == RegistrationState.WAITLISTED
    door = f"/partner/activities/{activity.id}/checkin"
    token = csrf_token(page_text(desk.get(door)))

    def refused(path, code, status, expected, words):
        for response in (
            desk.get(path, query_string={"code": code}),
            desk.post(path, data={"csrf_token": token, "code": code}),
        ):
            assert response.status_code == status, (code, response.status_code)
            assert verdict(response) == expected
            assert words in plain(page_text(response))
            assert ">Check in</button>" not in page_text(response)

    refused("/partner/checkin", "ZZZZ-ZZZZ", 404, "unknown", "Unknown code")
    refused("/partner/checkin", "AB", 404, "unknown", "Unknown code")
    refused("/partner/checkin", gone.checkin_code, 409, "cancelled", "Cancelled: no place")
    refused(
        "/partner/checkin",
        waiting.checkin_code,
        409,
        "waitlisted",
        "Not confirmed: on the waiting list",
    )
    refused(
        f"/partner/activities/{other.id}/checkin",
        confirmed.checkin_code,
        409,
        "other_session",
        "This code is for another session",
    )
    assert "Jeanne Dupont" in page_text(
        desk.get(f"/partner/activities/{other.id}/checkin?code={confirmed.checkin_code}")
    )
    operations.cancel_activity(organiser, activity, datetime.now(UTC))
    db.session.commit()
    refused(door, confirmed.checkin_code, 409, "session_cancelled", "This session is cancelled")

    states = db.session.execute(select(Registration.state).order_by(Registration.id)).scalars()
    assert list(states) == [
        RegistrationState.CONFIRMED,
        RegistrationState.WAITLISTED,
        RegistrationState.CANCELLED,
    ]


# After the session


def test_no_shows_are_marked_once_the_session_has_ended(app, desk, partner, app_context):
    past = make_edition(days_from_today=-10)
    ended = make_activity(past, organisation=partner.organisation, capacity=5)
    came, absent, late = (
        registered(ended, name, f"{name.lower()}@example.org")
        for name in ("Came", "Absent", "Late")
    )
    cancelled = registered(ended, "Cancelled", "cancelled@example.org")
    registration_operations.cancel(cancelled, ended.start_at - timedelta(hours=2))
    registration_operations.check_in(partner, came, ended.id, ended.start_at)
    coming = make_activity(organisation=partner.organisation)
    waiting_for_it = registered(coming, "Soon", "soon@example.org")
    db.session.commit()

    page = page_text(desk.get(f"/partner/activities/{coming.id}/registrations"))
    too_early = desk.post(
        f"/partner/activities/{coming.id}/no-shows", data={"csrf_token": csrf_token(page)}
    )
    assert too_early.status_code == 409
    assert "has not ended yet" in page_text(too_early)
    assert fresh(Registration, waiting_for_it.id).state == RegistrationState.CONFIRMED

    page = page_text(desk.get(f"/partner/activities/{ended.id}/registrations"))
    assert "2 people with a confirmed place did not check in." in plain(page)
    marked = desk.post(
        f"/partner/activities/{ended.id}/no-shows", data={"csrf_token": csrf_token(page)}
    )
    assert marked.status_code == 302
    assert "2 people who did not check in are marked absent." in flashed(
        desk.get(marked.headers["Location"])
    )
    db.session.expire_all()
    states = {r.full_name: r.state for r in db.session.execute(select(Registration)).scalars()}
    assert states == {
        "Came": RegistrationState.ATTENDED,
        "Absent": RegistrationState.NO_SHOW,
        "Late": RegistrationState.NO_SHOW,
        "Cancelled": RegistrationState.CANCELLED,
        "Soon": RegistrationState.CONFIRMED,
    }
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "registration.no_shows_marked")
    ).scalar_one()
    assert (entry.actor_id, entry.subject_id, entry.details) == (partner.id, ended.id, {"count": 2})

    # Someone who did come but was not checked in can still be recorded afterwards.
    door = f"/partner/activities/{ended.id}/checkin"
    token = csrf_token(page_text(desk.get(door)))
    assert desk.post(door, data={"csrf_token": token, "code": late.checkin_code}).status_code == 302
    assert fresh(Registration, late.id).state == RegistrationState.ATTENDED
    assert fresh(Registration, absent.id).state == RegistrationState.NO_SHOW


def test_the_command_marks_the_no_shows_of_every_ended_session(app, app_context):
    past = make_edition(days_from_today=-10)
    ended = [make_activity(past, day=day) for day in (0, 1)]
    cancelled_session = make_activity(past, day=2)
    absent = [
        registered(activity, "Absent", f"absent{activity.id}@example.org") for activity in ended
    ]
    kept = registered(cancelled_session, "Kept", "kept@example.org")
    cancelled_session.status = ActivityStatus.CANCELLED
    coming = registered(make_activity(), "Soon", "soon@example.org")
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["registrations", "mark-no-shows"])
    assert result.exit_code == 0, result.output
    assert "no-shows marked: 2 in 2 sessions" in result.output
    assert [fresh(Registration, r.id).state for r in absent] == [RegistrationState.NO_SHOW] * 2
    assert fresh(Registration, kept.id).state == RegistrationState.CONFIRMED
    assert fresh(Registration, coming.id).state == RegistrationState.CONFIRMED
    assert (
        "no-shows marked: 0 in 0 sessions"
        in runner.invoke(args=["registrations", "mark-no-shows"]).output
    )

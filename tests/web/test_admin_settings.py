"""The organisers' settings and records (/admin/outbox, audit, editions, organisations,
venues, users), through the real pages, databases and SMTP server."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from eventweek.accounts.models import Role, User
from eventweek.audit.models import AuditEntry
from eventweek.audit.operations import record
from eventweek.extensions import db
from eventweek.outbox.delivery import MAX_ATTEMPTS, deliver, enqueue
from eventweek.outbox.models import MessageStatus, OutboxMessage
from eventweek.sessions.demo import week_of
from eventweek.sessions.models import Edition, Organisation, OrganisationKind, Venue
from tests.factories import make_activity, make_edition, make_organisation, make_user, make_venue
from tests.flows import csrf_token, login

RESET_LINK = re.compile(r"http://eventweek\.test(/password-reset/[A-Za-z0-9_.-]+)")


def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def admin(signed_in, organiser):
    """A client signed in as `organiser`, reading English."""
    return english(signed_in(organiser))


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def submit(client, path: str, **fields):
    """Open the form at `path` and send it with `fields` (and the page's CSRF token)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    data.update({name: value for name, value in fields.items() if value is not None})
    return client.post(path, data=data)


def field_error(response, field: str) -> str:
    match = re.search(
        rf'<p class="error" id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S
    )
    assert match, f"no error shown by {field}"
    return unescape(match.group(1)).strip()


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.execute(
        select(func.count()).select_from(model).where(*conditions)
    ).scalar_one()


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


# Who may see these pages: every route of the blueprint, from the outside.


def settings_requests(app) -> list[tuple[str, str]]:
    """(method, path) of every route of the settings blueprint, with real ids filled in."""
    ids = {
        "edition_id": make_edition().id,
        "organisation_id": make_organisation().id,
        "venue_id": make_venue().id,
        "user_id": make_user("juror").id,
    }
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin_settings."):
            continue
        path = rule.build({name: ids[name] for name in rule.arguments})[1]
        requests.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return requests


def test_every_settings_page_is_for_organisers_only(app, app_context, signed_in, smtp):
    partner = make_user("partner")
    juror = make_user("juror")
    requests = settings_requests(app)
    db.session.commit()
    assert len({path for _method, path in requests}) >= 14
    assert ("POST", "/admin/outbox/retry") in requests

    before = (count(Edition), count(Organisation), count(Venue), count(User), audit_actions())
    anonymous = app.test_client()
    anonymous_token = csrf_token(anonymous.get("/login").get_data(as_text=True))
    for method, path in requests:
        response = anonymous.open(path, method=method, data={"csrf_token": anonymous_token})
        assert response.status_code == 302, (method, path)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", (method, path)
        assert parse_qs(location.query) == {"next": [path]}

    for user in (partner, juror):
        client = signed_in(user)
        token = csrf_token(client.get("/account").get_data(as_text=True))
        for method, path in requests:
            response = client.open(
                path, method=method, data={"csrf_token": token, "year": "2090", "slug": "x"}
            )
            assert response.status_code == 403, (user.role, method, path)
            assert "<table" not in response.get_data(as_text=True)

    after = (count(Edition), count(Organisation), count(Venue), count(User), audit_actions())
    assert after == before  # nothing was changed by the refused requests

    organiser = make_user("organiser")
    db.session.commit()
    client = signed_in(organiser)
    for method, path in requests:
        if method == "GET":
            assert client.get(path).status_code == 200, path


# The outbox


def queue_messages(count: int) -> None:
    for number in range(count):
        enqueue(
            kind="test",
            recipient=f"secret{number}@example.org",
            subject=f"Subject {number}",
            body_text=f"Private body {number}",
        )
    db.session.commit()


def counts_on(page) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in re.findall(r'data-count="([a-z]+)">(\d+)<', page.get_data(as_text=True))
    }


def exhaust_attempts() -> None:
    """With the SMTP server down, make every waiting message fail until it is given up."""
    for _attempt in range(MAX_ATTEMPTS):
        deliver(include_waiting=True)
    db.session.expire_all()


def test_the_outbox_page_counts_messages_and_shows_the_last_error_without_content(
    admin, app_context, smtp
):
    queue_messages(2)
    assert deliver().sent == 2
    smtp.stop()
    queue_messages(3)
    assert deliver().retrying == 3

    page = admin.get("/admin/outbox")
    html = text(page)
    assert page.status_code == 200
    assert counts_on(page) == {"pending": 3, "sending": 0, "failed": 0, "sent": 2}
    last_error = html.split('data-fact="last-error">', 1)[1].split("</dd>", 1)[0]
    assert "ConnectionRefusedError" in last_error
    assert "waiting for" in html.split('data-fact="oldest-pending">', 1)[1].split("</dd>")[0]
    assert "No failed message." in html and "Retry failed messages" not in html
    for secret in ("secret", "Private body", "Subject "):
        assert secret not in html
    assert page.headers["Cache-Control"] == "no-store"


def test_failed_messages_are_retried_once_and_delivered_once(admin, app_context, organiser, smtp):
    queue_messages(2)
    smtp.stop()
    exhaust_attempts()
    assert set(db.session.execute(select(OutboxMessage.status)).scalars()) == {MessageStatus.FAILED}
    page = admin.get("/admin/outbox")
    assert counts_on(page)["failed"] == 2
    assert "Retry failed messages" in text(page)
    assert "secret" not in text(page)

    smtp.start()
    token = csrf_token(page.get_data(as_text=True))
    response = admin.post("/admin/outbox/retry", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox"
    received = smtp.wait_for(2)
    assert sorted(message["To"] for message in received) == [
        "secret0@example.org",
        "secret1@example.org",
    ]
    after = admin.get("/admin/outbox")
    assert counts_on(after) == {"pending": 0, "sending": 0, "failed": 0, "sent": 2}
    assert "2 messages were put back in the queue." in text(after)
    assert "Sent now: 2. Still waiting: 0." in text(after)

    # Delivered once: neither another pass nor another press of the button sends again.
    assert deliver(include_waiting=True).claimed == 0
    admin.post("/admin/outbox/retry", data={"csrf_token": token})
    assert len(smtp.wait_for(3, timeout=1)) == 2
    (entry,) = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "outbox.retried")
    ).scalars()
    assert entry.actor_id == organiser.id and entry.details["messages"] == 2


def test_a_retry_while_the_server_is_still_down_keeps_the_messages_waiting(
    admin, app_context, smtp
):
    queue_messages(1)
    smtp.stop()
    exhaust_attempts()
    token = csrf_token(admin.get("/admin/outbox").get_data(as_text=True))
    admin.post("/admin/outbox/retry", data={"csrf_token": token})
    page = admin.get("/admin/outbox")
    assert "Sent now: 0. Still waiting: 1." in text(page)
    assert counts_on(page)["pending"] == 1  # back in the queue, for the worker
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.attempts == 1 and message.recipient == "secret0@example.org"


def test_messages_whose_content_was_erased_are_not_retried(admin, app_context, smtp):
    queue_messages(1)
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    message.status = MessageStatus.FAILED
    message.recipient = message.body_text = None
    message.last_error = "discarded: personal data erased"
    db.session.commit()
    page = admin.get("/admin/outbox")
    assert counts_on(page)["failed"] == 0 and counts_on(page)["discarded"] == 1
    admin.post("/admin/outbox/retry", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert "No failed message to retry." in text(admin.get("/admin/outbox"))
    assert count(OutboxMessage, OutboxMessage.status == MessageStatus.FAILED) == 1


# The audit log


def test_role_changes_appear_in_the_audit_log_which_cannot_be_changed(
    app, admin, app_context, organiser
):
    partner = make_user("partner", email="jan@erasme.be")
    slug = partner.organisation.slug
    db.session.commit()
    response = submit(
        admin, f"/admin/users/{partner.id}/edit", role="juror", organisation_id="0"
    )  # is_active unticked: deactivated as well
    assert response.status_code == 302

    page = admin.get("/admin/audit")
    html = text(page)
    assert page.status_code == 200
    row = html.split('data-action="user.role_changed"', 1)[1].split("</tr>", 1)[0]
    assert organiser.email in row
    assert f"user {partner.id}" in row
    assert "role: partner → juror" in row
    assert f"organisation: {slug} → —" in row
    assert 'data-action="user.deactivated"' in html
    created = html.split('data-action="user.created"', 1)[1].split("</tr>", 1)[0]
    assert "system" in created  # made by the factory, without an actor
    # Newest first.
    assert html.index('data-action="user.deactivated"') < html.index('data-action="user.created"')

    # Read-only: no route of the site changes the log.
    assert admin.post("/admin/audit", data={}).status_code == 405
    assert [
        rule.methods - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules()
        if "audit" in rule.rule
    ] == [{"GET"}]


def test_the_audit_log_filters_by_action_and_subject_and_pages_by_fifty(admin, app_context):
    for number in range(60):
        record(None, "venue.changed", "venue", number % 3 + 1, name={"old": "a", "new": "b"})
    record(None, "edition.created", "edition", 7, year=2031)
    db.session.commit()

    first = text(admin.get("/admin/audit"))
    assert first.count("<tr data-action=") == 50
    assert "62 entries, page 1 of 2" in first  # with the organiser's own user.created
    second = text(admin.get("/admin/audit?page=2"))
    assert second.count("<tr data-action=") == 12
    assert 'rel="prev"' in second

    editions = text(admin.get("/admin/audit?action=edition.created"))
    assert editions.count("<tr data-action=") == 1 and "year: 2031" in editions
    venue_two = text(admin.get("/admin/audit?subject_type=venue&subject_id=2"))
    assert venue_two.count("<tr data-action=") == 20
    assert "name: a → b" in venue_two
    assert admin.get("/admin/audit?action=user.hacked").status_code == 400
    assert admin.get("/admin/audit?subject_id=abc").status_code == 400


def test_a_group_of_changes_shows_one_line_per_field(admin, app_context, organiser):
    record(
        organiser,
        "activity.edited",
        "activity",
        3,
        changes={"capacity": {"old": 20, "new": 30}, "online_url": {"old": None, "new": "x"}},
    )
    db.session.commit()
    html = text(admin.get("/admin/audit?action=activity.edited"))
    row = html.split('data-action="activity.edited"', 1)[1].split("</tr>", 1)[0]
    assert "capacity: 20 → 30" in row and "online_url: — → x" in row
    assert organiser.email in row


# Editions


def test_an_edition_defaults_to_the_third_week_of_june(admin, app_context, organiser):
    response = submit(admin, "/admin/editions/new", year="2031")
    assert response.status_code == 302
    edition = db.session.execute(select(Edition).where(Edition.year == 2031)).scalar_one()
    assert (edition.first_day, edition.last_day) == week_of(2031)
    page = text(admin.get("/admin/editions"))
    assert "The 2031 edition is created." in page
    assert 'data-edition="2031"' in page
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "edition.created")
    ).scalar_one()
    assert entry.actor_id == organiser.id and entry.details["first_day"] == "2031-06-16"


def test_bad_editions_are_refused_with_a_message_by_the_field(admin, app_context):
    make_edition(2031)
    db.session.commit()
    duplicate = submit(admin, "/admin/editions/new", year="2031")
    assert duplicate.status_code == 400
    assert field_error(duplicate, "year") == "There is already an edition for 2031."
    backwards = submit(
        admin, "/admin/editions/new", year="2032", first_day="2032-06-18", last_day="2032-06-14"
    )
    assert backwards.status_code == 400
    assert field_error(backwards, "last_day") == "The last day cannot come before the first day."
    other_year = submit(
        admin, "/admin/editions/new", year="2033", first_day="2034-06-12", last_day="2034-06-16"
    )
    assert other_year.status_code == 400
    assert "2033" in field_error(other_year, "first_day")
    nonsense = submit(admin, "/admin/editions/new", year="twenty")
    assert nonsense.status_code == 400 and field_error(nonsense, "year")
    assert count(Edition) == 1


def test_an_edition_is_edited_but_not_away_from_its_activities(admin, app_context):
    edition = make_edition(2031)
    make_edition(2032)
    make_activity(edition, day=4)  # on the Friday
    db.session.commit()
    path = f"/admin/editions/{edition.id}/edit"
    assert 'value="2031-06-16"' in text(admin.get(path))

    too_short = submit(admin, path, year="2031", first_day="2031-06-16", last_day="2031-06-19")
    assert too_short.status_code == 400
    assert "1 activity of this edition takes place outside these days" in field_error(
        too_short, "first_day"
    )
    taken = submit(admin, path, year="2032", first_day="", last_day="")
    assert taken.status_code == 400
    assert field_error(taken, "year") == "There is already an edition for 2032."

    longer = submit(admin, path, year="2031", first_day="2031-06-15", last_day="2031-06-21")
    assert longer.status_code == 302
    db.session.refresh(edition)
    assert (edition.first_day, edition.last_day) == (date(2031, 6, 15), date(2031, 6, 21))
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "edition.changed")
    ).scalar_one()
    assert entry.details == {
        "first_day": {"old": "2031-06-16", "new": "2031-06-15"},
        "last_day": {"old": "2031-06-20", "new": "2031-06-21"},
    }


# Organisations


def organisation_fields(**overrides) -> dict:
    fields = {
        "slug": "hopital-iris-sud",
        "kind": "hospital",
        "name_fr": "Hôpitaux Iris Sud",
        "name_nl": "Iris Ziekenhuizen Zuid",
        "name_en": "",
        "website": "https://www.his-izz.be",
    }
    fields.update(overrides)
    return fields


def test_organisations_are_created_listed_and_edited(admin, app_context):
    response = submit(admin, "/admin/organisations/new", **organisation_fields())
    assert response.status_code == 302
    organisation = db.session.execute(
        select(Organisation).where(Organisation.slug == "hopital-iris-sud")
    ).scalar_one()
    assert organisation.kind == OrganisationKind.HOSPITAL and organisation.name_en == ""
    listed = text(admin.get("/admin/organisations"))
    assert 'data-organisation="hopital-iris-sud"' in listed and "Hospital" in listed

    path = f"/admin/organisations/{organisation.id}/edit"
    assert 'value="Hôpitaux Iris Sud"' in text(admin.get(path))
    edited = submit(admin, path, **organisation_fields(slug="his", website=""))
    assert edited.status_code == 302
    db.session.refresh(organisation)
    assert (organisation.slug, organisation.website) == ("his", None)
    assert "organisation.changed" in audit_actions()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"slug": "taken"}, "slug", "Another organisation already uses the short name “taken”."),
        ({"slug": "Hôpital Iris"}, "slug", "Use only lower-case letters, digits"),
        ({"slug": "-iris-"}, "slug", "Use only lower-case letters, digits"),
        ({"name_fr": "  "}, "name_fr", "Please fill in this field."),
        ({"kind": "castle"}, "kind", "Not a valid choice"),
        ({"website": "javascript://x.be/%0aalert(1)"}, "website", "must start with https://"),
        ({"website": "www.example.be"}, "website", "does not look like a web address"),
    ],
)
def test_bad_organisations_are_refused(admin, app_context, overrides, field, words):
    make_organisation(slug="taken")
    db.session.commit()
    response = submit(admin, "/admin/organisations/new", **organisation_fields(**overrides))
    assert response.status_code == 400
    assert words in field_error(response, field)
    assert count(Organisation) == 1


def test_a_slug_cannot_be_changed_to_another_organisations(admin, app_context):
    make_organisation(slug="erasme")
    bordet = make_organisation(slug="bordet")
    db.session.commit()
    response = submit(
        admin, f"/admin/organisations/{bordet.id}/edit", **organisation_fields(slug="erasme")
    )
    assert response.status_code == 400
    assert "erasme" in field_error(response, "slug")
    db.session.refresh(bordet)
    assert bordet.slug == "bordet"


# Venues


def venue_fields(**overrides) -> dict:
    fields = {
        "name": "Maison des Mutualités",
        "street": "Rue Saint-Jean 32",
        "postcode": "1000",
        "city": "Bruxelles",
        "lat": "50,8448",
        "lon": "4.3537",
        "accessibility_fr": "Entrée de plain-pied.",
        "accessibility_nl": "",
        "accessibility_en": "Step-free entrance.",
    }
    fields.update(overrides)
    return fields


def test_venues_are_created_listed_and_edited(admin, app_context):
    response = submit(admin, "/admin/venues/new", **venue_fields(is_demo="y"))
    assert response.status_code == 302
    venue = db.session.execute(select(Venue)).scalar_one()
    assert (venue.lat, venue.lon, venue.is_demo) == (50.8448, 4.3537, True)
    assert venue.accessibility_en == "Step-free entrance."
    listed = text(admin.get("/admin/venues"))
    assert "Rue Saint-Jean 32, 1000 Bruxelles" in listed

    edited = submit(admin, f"/admin/venues/{venue.id}/edit", **venue_fields(lat="", lon=""))
    assert edited.status_code == 302
    db.session.refresh(venue)
    assert (venue.lat, venue.lon, venue.is_demo) == (None, None, False)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "venue.changed")
    ).scalar_one()
    assert entry.details["lat"] == {"old": 50.8448, "new": None}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"lat": "4.35", "lon": "50.84"}, "lat", "Were latitude and longitude swapped?"),
        ({"lat": "50.84", "lon": "50.84"}, "lon", "The longitude must be between 2.4 and 6.5"),
        ({"lat": "nan"}, "lat", "The latitude must be between 49.4 and 51.6"),
        ({"lat": "50.84", "lon": ""}, "lon", "both the latitude and the longitude, or neither"),
        ({"lat": "north"}, "lat", "Not a valid float value"),
        ({"name": "Salle A", "street": "Rue B 1"}, "name", "already exists at this street"),
        ({"postcode": "B-1000!"}, "postcode", "letters and digits"),
        ({"postcode": ""}, "postcode", "Please give the postcode."),
    ],
)
def test_bad_venues_are_refused(admin, app_context, overrides, field, words):
    make_venue(name="Salle A", street="Rue B 1")
    db.session.commit()
    response = submit(admin, "/admin/venues/new", **venue_fields(**overrides))
    assert response.status_code == 400
    assert words in field_error(response, field)
    assert count(Venue) == 1


# Users


def test_a_new_account_chooses_its_own_password_through_the_outbox(
    admin, app, app_context, organiser, smtp
):
    organisation = make_organisation(slug="erasme", name_en="Erasme Hospital")
    db.session.commit()
    response = submit(
        admin,
        "/admin/users/new",
        email=" Jan.Peeters@Erasme.be ",
        role="partner",
        organisation_id=str(organisation.id),
        language="nl",
    )
    assert response.status_code == 302
    user = db.session.execute(
        select(User).where(User.email == "jan.peeters@erasme.be")
    ).scalar_one()
    assert (user.role, user.organisation_id, user.is_active) == (
        Role.PARTNER,
        organisation.id,
        True,
    )
    listed = text(admin.get("/admin/users"))
    row = listed.split('data-user="jan.peeters@erasme.be"', 1)[1].split("</tr>", 1)[0]
    assert "Partner" in row and "Erasme Hospital" in row and "Never" in row

    (message,) = smtp.wait_for(1)
    assert message["To"] == "jan.peeters@erasme.be"
    body = message.get_body(preferencelist=("plain",)).get_content()
    reset_path = RESET_LINK.search(body).group(1)
    newcomer = app.test_client()
    page = newcomer.get(reset_path)
    assert page.status_code == 200
    chosen = "een zin van enkele woorden"
    saved = newcomer.post(
        reset_path,
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "password": chosen,
            "confirmation": chosen,
        },
    )
    assert saved.status_code == 302
    assert login(newcomer, user, password=chosen).status_code == 302

    entry = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "user.created")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        .scalars()
        .one()
    )
    assert entry.actor_id == organiser.id and entry.details["organisation"] == "erasme"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"role": "partner", "organisation_id": "0"}, "organisation_id", "must belong to"),
        ({"email": "taken@example.org"}, "email", "An account already exists for this address."),
        ({"email": "TAKEN@example.org "}, "email", "An account already exists for this address."),
        ({"email": "not an address"}, "email", "does not look right"),
        ({"role": "emperor"}, "role", "Not a valid choice"),
        ({"organisation_id": "999999"}, "organisation_id", "Not a valid choice"),
    ],
)
def test_bad_accounts_are_refused(admin, app_context, smtp, fields, field, words):
    make_user("juror", email="taken@example.org")
    db.session.commit()
    users_before = count(User)
    data = {"email": "new@example.org", "role": "juror", "organisation_id": "0", "language": "fr"}
    data.update(fields)
    response = submit(admin, "/admin/users/new", **data)
    assert response.status_code == 400
    assert words in field_error(response, field)
    assert count(User) == users_before
    assert count(OutboxMessage) == 0


def test_an_organiser_changes_others_roles_but_cannot_demote_or_deactivate_themself(
    admin, app_context, organiser, signed_in
):
    organisation = make_organisation(slug="bordet")
    juror = make_user("juror")
    db.session.commit()
    juror_client = signed_in(juror)

    path = f"/admin/users/{juror.id}/edit"
    promoted = submit(
        admin, path, role="partner", organisation_id=str(organisation.id), is_active="y"
    )
    assert promoted.status_code == 302
    db.session.refresh(juror)
    assert (juror.role, juror.organisation_id) == (Role.PARTNER, organisation.id)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "user.role_changed")
    ).scalar_one()
    assert entry.actor_id == organiser.id
    assert entry.details == {
        "role": {"old": "juror", "new": "partner"},
        "organisation": {"old": None, "new": "bordet"},
    }
    homeless = submit(admin, path, role="partner", organisation_id="0", is_active="y")
    assert homeless.status_code == 400
    assert "must belong to an organisation" in field_error(homeless, "organisation_id")

    deactivated = submit(
        admin, path, role="partner", organisation_id=str(organisation.id)
    )  # "active" unticked
    assert deactivated.status_code == 302
    assert juror_client.get("/account").status_code == 302  # its session ended
    assert 'data-active="no"' in text(admin.get("/admin/users"))

    own = f"/admin/users/{organiser.id}/edit"
    demoted = submit(admin, own, role="juror", organisation_id="0", is_active="y")
    assert demoted.status_code == 400
    assert field_error(demoted, "role") == (
        "You cannot take the organiser role away from your own account."
    )
    locked_out = submit(admin, own, role="organiser", organisation_id="0")
    assert locked_out.status_code == 400
    assert field_error(locked_out, "is_active") == "You cannot deactivate your own account."
    db.session.refresh(organiser)
    assert organiser.role == Role.ORGANISER and organiser.is_active
    assert admin.get("/admin/users").status_code == 200  # still an organiser

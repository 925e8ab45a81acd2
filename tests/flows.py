"""What a person does through the pages, as test helpers (real forms, real CSRF tokens)."""

from __future__ import annotations

import re

from flask import current_app
from icalendar import Calendar
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.registrations.models import Registration
from tests.factories import USER_PASSWORD

CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
STATE = re.compile(r'data-registration-state="([a-z_]+)"')
LINK = re.compile(r"http://eventweek\.test(/registrations/[A-Za-z0-9_-]{43})")


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def registration_fields(**overrides) -> dict:
    fields = {
        "full_name": "Jeanne Dupont",
        "email": "jeanne@example.org",
        "language": "fr",
        "consent": "y",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def register(client, activity_id: int, **overrides):
    """Open the session page, fill in the form, send it; returns the response."""
    page = client.get(f"/sessions/{activity_id}")
    return send_registration(
        client, activity_id, csrf_token(page.get_data(as_text=True)), **overrides
    )


def send_registration(client, activity_id: int, token: str, **overrides):
    """Send the form with a CSRF token taken from a page opened earlier."""
    data = registration_fields(**overrides)
    data["csrf_token"] = token
    return client.post(f"/sessions/{activity_id}/register", data=data)


def register_without_csrf_token(client, activity_id: int):
    """Send the form as a page kept open too long would (no token): a friendly 400 and
    nothing stored, checked here; returns the response."""
    response = client.post(f"/sessions/{activity_id}/register", data=registration_fields())
    assert response.status_code == 400
    assert "Le formulaire avait expiré" in response.get_data(as_text=True)
    assert registrations(activity_id) == []
    return response


def registrations(activity_id: int) -> list[Registration]:
    """The activity's registrations as stored now (nothing cached in the session), by id."""
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.activity_id == activity_id)
            .order_by(Registration.id)
        ).scalars()
    )


def outcome(response) -> str | None:
    match = STATE.search(response.get_data(as_text=True))
    return match.group(1) if match else None


def management_path(message) -> str:
    """The management link in an e-mail, as a path on the test site."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def calendar_attachment(message) -> Calendar:
    parts = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert len(parts) == 1
    content = parts[0].get_content()
    return Calendar.from_ical(content if isinstance(content, str) else content.decode())


def login(client, user, password: str | None = None, *, address: str = "/login"):
    """Sign in through the real /login form (CSRF token included); returns the response.

    `user` is a User (or anything with `.email`); the password defaults to the one
    `tests.factories.make_user` gives every account. `address` is the form's, with its
    query (`/login?next=…`).
    """

    page = client.get(address)
    return client.post(
        address,
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": user.email,
            "password": USER_PASSWORD if password is None else password,
        },
    )


def logout(client):
    """Sign out through the confirmation page's form."""
    page = client.get("/logout")
    return client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


# At the end of its line, so that no piece of a link's token is taken for it.
CHECKIN_CODE = re.compile(r":\s*([0-9A-Z]{4}-[0-9A-Z]{4})\s*$", re.MULTILINE)


def checkin_code(message) -> str:
    """The check-in code printed in a confirmation e-mail's text, as XXXX-XXXX."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = CHECKIN_CODE.search(text)
    assert match, text
    return match.group(1)


def blueprint_requests(blueprint: str, activity_id: int) -> list[tuple[str, str]]:
    """(method, path) of every URL of a blueprint, read from the app, for role matrices."""
    requests = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint}."):
            path = rule.rule.replace("<int:activity_id>", str(activity_id))
            requests += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return requests

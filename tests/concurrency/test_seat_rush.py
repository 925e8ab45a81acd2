"""Many people registering in the same second, through real server processes.

gunicorn runs the app in several worker processes with threads, on the same database
as the test (SQLite file, and PostgreSQL when configured); every client fetches the
form and posts it as a browser does, and all posts are released at once.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.outbox.models import OutboxMessage
from eventweek.registrations.models import Registrant, Registration, RegistrationState
from tests.factories import make_activity
from tests.flows import STATE, csrf_token, registration_fields
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.slow

CLIENTS = 60
CAPACITY = 10


@pytest.fixture
def server(app, database_url, smtp):
    with gunicorn(server_environment(database_url, smtp.port)) as base:
        yield base


def rush(base: str, people: list[tuple[int, str]]) -> list[tuple[int, str | None]]:
    """Each person (activity id, e-mail address) opens the form, then all send it at the
    same moment."""
    start = threading.Barrier(len(people))

    def person(number: int) -> tuple[int, str | None]:
        activity_id, email = people[number]
        browser = requests.Session()
        page = browser.get(f"{base}/sessions/{activity_id}", timeout=30)
        fields = registration_fields(email=email, full_name=f"Personne {number}")
        fields["csrf_token"] = csrf_token(page.text)
        start.wait(timeout=60)
        response = browser.post(f"{base}/sessions/{activity_id}/register", data=fields, timeout=60)
        match = STATE.search(response.text)
        return response.status_code, match.group(1) if match else None

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(person, range(len(people))))


def crowd(activity_id: int) -> list[tuple[int, str]]:
    return [(activity_id, f"rush{number}@example.org") for number in range(CLIENTS)]


def counts(activity_id: int) -> Counter:
    db.session.expire_all()
    rows = db.session.execute(
        select(Registration.state, func.count())
        .where(Registration.activity_id == activity_id)
        .group_by(Registration.state)
    )
    return Counter({state: count for state, count in rows})


def test_a_rush_never_overbooks_and_fills_the_waiting_list(server, app_context, smtp):
    activity = make_activity(capacity=CAPACITY)
    db.session.commit()
    results = rush(server, crowd(activity.id))
    assert all(status == 200 for status, _state in results), Counter(results)
    outcomes = Counter(state for _status, state in results)
    assert outcomes == {"confirmed": CAPACITY, "waitlisted": CLIENTS - CAPACITY}
    assert counts(activity.id) == {
        RegistrationState.CONFIRMED: CAPACITY,
        RegistrationState.WAITLISTED: CLIENTS - CAPACITY,
    }
    # Waiting-list positions are 1..50, each once.
    positions = sorted(
        db.session.execute(
            select(Registration.id).where(Registration.state == RegistrationState.WAITLISTED)
        ).scalars()
    )
    assert len(positions) == len(set(positions)) == CLIENTS - CAPACITY
    # Every registration has its e-mail in the outbox, and the server received each once.
    kinds = Counter(db.session.execute(select(OutboxMessage.kind)).scalars())
    assert kinds == {"confirmation": CAPACITY, "waitlisted": CLIENTS - CAPACITY}
    received = smtp.wait_for(CLIENTS, timeout=30)
    assert sorted(m["To"] for m in received) == sorted(
        f"rush{n}@example.org" for n in range(CLIENTS)
    )


def test_a_rush_without_waiting_list_turns_the_rest_away(server, app_context, smtp):
    activity = make_activity(capacity=CAPACITY, waitlist_enabled=False)
    db.session.commit()
    results = rush(server, crowd(activity.id))
    assert Counter(results) == {(200, "confirmed"): CAPACITY, (409, "full"): CLIENTS - CAPACITY}
    assert counts(activity.id) == {RegistrationState.CONFIRMED: CAPACITY}


def test_one_new_address_registering_everywhere_at_once_is_one_person(server, app_context, smtp):
    # Each first registration creates the registrant; all at once, one must win and the
    # others take it, none failing.
    activities = [make_activity(day=day, hour=hour) for day in range(4) for hour in (9, 14)]
    db.session.commit()
    results = rush(server, [(activity.id, "Same@Example.org") for activity in activities])
    assert Counter(results) == {(200, "confirmed"): len(activities)}
    db.session.expire_all()
    holders = db.session.execute(select(Registration.registrant_id)).scalars().all()
    assert len(holders) == len(activities) and len(set(holders)) == 1
    assert db.session.execute(select(func.count()).select_from(Registrant)).scalar_one() == 1

"""What the fault tests share: a rush of people that tolerates dying servers, and the
checks that nothing was lost, half-written, overbooked or sent twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage
from eventweek.registrations.models import Registration, RegistrationState
from tests.flows import STATE, csrf_token, registration_fields, registrations
from tests.servers import flask_command

# What a client saw: its status and page state, or the connection error's name.
Outcome = tuple[int | None, str | None]


def rush(
    bases: list[str],
    activity_id: int,
    numbers: range,
    *,
    released=None,
    answered: list | None = None,
    timeout: float = 60,
) -> dict[int, Outcome]:
    """One person per number opens the form (on server `number % len(bases)`), then all
    post at once. A request that dies with its server is an outcome, not an error.
    `released` is set once every person has opened the form; `answered` gets the
    monotonic time at which each post ended."""
    start = threading.Barrier(len(numbers), action=released.set if released else None)

    def person(number: int) -> tuple[int, Outcome]:
        base = bases[number % len(bases)]
        browser = requests.Session()
        page = browser.get(f"{base}/sessions/{activity_id}", timeout=30)
        fields = registration_fields(email=f"fault{number}@example.org", full_name=f"P {number}")
        fields["csrf_token"] = csrf_token(page.text)
        start.wait(timeout=60)
        try:
            response = browser.post(
                f"{base}/sessions/{activity_id}/register", data=fields, timeout=timeout
            )
        except requests.ConnectionError:
            return number, (None, "connection-error")
        finally:
            if answered is not None:
                answered.append(time.monotonic())
        match = STATE.search(response.text)
        return number, (response.status_code, match.group(1) if match else None)

    with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
        return dict(pool.map(person, numbers))


def assert_whole_and_not_overbooked(activity_id: int, capacity: int) -> list[Registration]:
    """At most `capacity` confirmed; each row complete, with its e-mail in the outbox."""
    rows = registrations(activity_id)
    states = Counter(row.state for row in rows)
    assert states[RegistrationState.CONFIRMED] <= capacity, states
    assert set(states) <= {RegistrationState.CONFIRMED, RegistrationState.WAITLISTED}, states
    # The waiting list has no positions of its own: its order is the row id, unique.
    for row in rows:
        assert row.token_hash and row.token_salt and row.checkin_code, row.id
        assert row.registrant_id is not None and row.consent_at is not None, row.id
    kinds = Counter(
        (registration_id, kind)
        for registration_id, kind in db.session.execute(
            select(OutboxMessage.registration_id, OutboxMessage.kind)
        )
    )
    expected = {
        RegistrationState.CONFIRMED: "confirmation",
        RegistrationState.WAITLISTED: "waitlisted",
    }
    assert kinds == Counter((row.id, expected[row.state]) for row in rows)
    return rows


def assert_each_message_received_once(smtp, *, lease_allowed: int = 0) -> None:
    """Every message sent is at the SMTP sink exactly once, by its Message-ID; at most
    `lease_allowed` messages may still be claimed by a sender that was killed (their
    lease lapses after CLAIM_LEASE, and the next pass sends them)."""
    db.session.expire_all()
    outbox = dict(db.session.execute(select(OutboxMessage.message_id, OutboxMessage.status)).all())
    received = Counter(message["Message-ID"] for message in smtp.wait_for(len(outbox), 30))
    assert [mid for mid, count in received.items() if count > 1] == []
    assert set(received) <= set(outbox)
    statuses = Counter(outbox.values())
    assert statuses[MessageStatus.SENT] + statuses[MessageStatus.SENDING] == len(outbox), statuses
    assert statuses[MessageStatus.SENDING] <= lease_allowed, statuses
    sent = {mid for mid, status in outbox.items() if status == MessageStatus.SENT}
    assert sent <= set(received)


def send_outbox_now(environment: dict) -> str:
    """`flask outbox send --now` as an operator runs it; returns what it printed."""
    process = flask_command(environment, "outbox", "send", "--now")
    try:
        return process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

"""The SMTP server down for the first half of a rush: registrations succeed, their
e-mails wait in the outbox with the error, and once it is back each is sent once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage
from tests.factories import make_activity
from tests.faults.checks import (
    assert_each_message_received_once,
    assert_whole_and_not_overbooked,
    rush,
    send_outbox_now,
)
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.slow

CLIENTS = 40
CAPACITY = 10


def outbox_statuses() -> list[tuple]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage.status, OutboxMessage.last_error)))


def test_mail_written_while_smtp_is_down_is_sent_once_when_it_is_back(
    app, app_context, database_url, smtp
):
    activity = make_activity(capacity=CAPACITY)
    db.session.commit()
    environment = server_environment(database_url, smtp.port)
    half = CLIENTS // 2
    with gunicorn(environment) as base:
        smtp.stop()
        try:
            first = rush([base], activity.id, range(half))
            assert {status for status, _state in first.values()} == {200}, first
            # Each first attempt failed after its response: pending, the error recorded.
            statuses = smtp_wait_failed(half)
            assert len(statuses) == half
            assert all(status == MessageStatus.PENDING and error for status, error in statuses)
        finally:
            smtp.start()
        second = rush([base], activity.id, range(half, CLIENTS))
        assert {status for status, _state in second.values()} == {200}, second

    rows = assert_whole_and_not_overbooked(activity.id, CAPACITY)
    assert len(rows) == CLIENTS
    print(send_outbox_now(environment))
    assert_each_message_received_once(smtp)
    assert len(smtp.messages) == CLIENTS


def smtp_wait_failed(count: int, timeout: float = 30) -> list[tuple]:
    """The outbox once `count` messages have had their failed first attempt."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = outbox_statuses()
        if sum(1 for _status, error in statuses if error) >= count:
            return statuses
        time.sleep(0.1)
    return outbox_statuses()

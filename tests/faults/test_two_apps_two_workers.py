"""Two app servers (each its own gunicorn master) and two outbox workers on one
PostgreSQL database: every e-mail of a rush is delivered once, whoever sends it.

The first attempt after each response races the workers for the same fresh messages;
tests/concurrency/test_outbox_workers.py covers workers alone on a prefilled outbox."""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage
from tests.factories import make_activity
from tests.faults.checks import (
    assert_each_message_received_once,
    assert_whole_and_not_overbooked,
    rush,
)
from tests.servers import flask_command, gunicorn, server_environment

pytestmark = pytest.mark.slow

CLIENTS = 40
CAPACITY = 10


def unsent() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(OutboxMessage.status != MessageStatus.SENT))


def test_two_apps_and_two_workers_send_each_message_once(app, app_context, database_url, smtp):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers at once are supported on PostgreSQL (README)")
    activity = make_activity(capacity=CAPACITY)
    db.session.commit()
    environment = server_environment(database_url, smtp.port)
    workers = []
    try:
        with gunicorn(environment, workers=2) as first, gunicorn(environment, workers=2) as second:
            workers = [
                flask_command(environment, "outbox", "worker", "--interval", "0.05", "--batch", "5")
                for _ in range(2)
            ]
            results = rush([first, second], activity.id, range(CLIENTS))
        assert {status for status, _state in results.values()} == {200}, results
        deadline = time.monotonic() + 30
        while unsent() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            with contextlib.suppress(Exception):
                print(worker.communicate(timeout=20)[0])
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
    assert all(worker.returncode == 0 for worker in workers)
    rows = assert_whole_and_not_overbooked(activity.id, CAPACITY)
    assert len(rows) == CLIENTS
    assert_each_message_received_once(smtp)
    assert len(smtp.messages) == CLIENTS

"""A gunicorn worker killed with SIGKILL in the middle of a rush: the others go on, and
nothing is overbooked, half-written, lost or sent twice."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

import psutil
import pytest

from eventweek.extensions import db
from tests.factories import make_activity
from tests.faults.checks import (
    assert_each_message_received_once,
    assert_whole_and_not_overbooked,
    rush,
    send_outbox_now,
)
from tests.servers import gunicorn_master, server_environment

pytestmark = pytest.mark.slow

CLIENTS = 60
CAPACITY = 10


def kill_workers_when_released(master_pid: int, released: threading.Event, count: int) -> list:
    """Once the posts are released, SIGKILL `count` workers while they are busy."""
    killed = []
    if not released.wait(timeout=90):
        return killed
    for worker in psutil.Process(master_pid).children()[:count]:
        os.kill(worker.pid, signal.SIGKILL)
        killed.append(time.monotonic())
    return killed


def test_killed_workers_lose_nothing_and_overbook_nothing(app, app_context, database_url, smtp):
    activity = make_activity(capacity=CAPACITY)
    db.session.commit()
    environment = server_environment(database_url, smtp.port)
    released = threading.Event()
    with gunicorn_master(environment, workers=4, threads=4) as (base, master):
        killed: list = []
        answered: list = []
        killer = threading.Thread(
            target=lambda: killed.extend(kill_workers_when_released(master.pid, released, 2))
        )
        killer.start()
        try:
            results = rush(
                [base], activity.id, range(CLIENTS), released=released, answered=answered
            )
        finally:
            released.set()
            killer.join(timeout=30)
        assert len(killed) == 2
        # The kills fell inside the rush: posts were still being answered after them.
        assert max(answered) > max(killed)
        # The master replaces the dead workers; the site answers again.
        later = rush([base], activity.id, range(CLIENTS, CLIENTS + 5))
        assert {status for status, _state in later.values()} <= {200}, later

    print(Counter(state for _status, state in results.values()))
    rows = assert_whole_and_not_overbooked(activity.id, CAPACITY)
    stored = {row.registrant.email for row in rows}
    # Whoever was told "confirmed" or "waitlisted" has their row; dying workers only
    # cost connection errors (the person tries again), never a 500.
    for number, (status, state) in {**results, **later}.items():
        if state in {"confirmed", "waitlisted"}:
            assert f"fault{number}@example.org" in stored, number
        assert status in {200, None}, (number, status, state)

    print(send_outbox_now(environment))
    # A message whose sender was killed between claim and mark stays claimed until its
    # lease lapses: at most the killed workers' in-flight first attempts.
    assert_each_message_received_once(smtp, lease_allowed=len(rows))

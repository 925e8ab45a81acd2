"""Several outbox workers at once, as separate processes: no message sent twice."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.outbox.delivery import enqueue
from eventweek.outbox.models import MessageStatus, OutboxMessage
from tests.servers import ROOT, server_environment

pytestmark = pytest.mark.slow

MESSAGES = 150
WORKERS = 3


def test_concurrent_workers_deliver_each_message_once(app_context, database_url, smtp):
    for number in range(MESSAGES):
        enqueue(
            kind="test", recipient=f"w{number}@example.org", subject=f"n{number}", body_text="x"
        )
    db.session.commit()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "app",
                "outbox",
                "worker",
                "--batch",
                "5",
                "--stop-when-idle",
            ],
            cwd=ROOT,
            env=server_environment(database_url, smtp.port),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    # What the workers say they sent adds up to each message once.
    sent = sum(
        int(count) for output in outputs for count in re.findall(r"^sent (\d+),", output, re.M)
    )
    assert sent == MESSAGES, outputs

    received = smtp.wait_for(MESSAGES, timeout=30)
    per_recipient = Counter(message["To"] for message in received)
    assert len(received) == MESSAGES
    assert set(per_recipient.values()) == {1}
    assert len({message["Message-ID"] for message in received}) == MESSAGES
    db.session.expire_all()
    assert set(db.session.execute(select(OutboxMessage.status)).scalars()) == {MessageStatus.SENT}

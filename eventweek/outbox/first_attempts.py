"""The first delivery attempt of new e-mails: one thread per process, in batches.

A request that queued e-mails hands their ids over once it has committed, and goes on.
The thread waits `OUTBOX_BATCH_WINDOW` seconds for more, then delivers every id handed
over meanwhile with one claim and one SMTP connection. Under a registration rush one
connection serves many e-mails instead of one each, and request threads never wait for an
SMTP server (benchmarks/README.md, "Where the time goes").

Nothing is lost when a batch fails or the process ends: the messages are in the outbox,
due, and `flask outbox worker` sends them (a claim of a process that died mid-batch lapses
after `CLAIM_LEASE`).
"""

from __future__ import annotations

import atexit
import os
import threading
import time

from flask import Flask

from eventweek.extensions import db
from eventweek.outbox.delivery import deliver

# At most this many messages per claim; the rest wait for the next batch.
BATCH_LIMIT = 100
# How long the process's end waits for a batch being sent.
SHUTDOWN_WAIT_SECONDS = 10


class FirstAttempts:
    """This process's first attempts; `app.extensions["outbox_first_attempts"]`."""

    def __init__(self, app: Flask):
        self.app = app
        self.window = max(float(app.config["OUTBOX_BATCH_WINDOW"]), 0.0)
        self.condition = threading.Condition()
        self.waiting: list[int] = []
        self.sending = False
        self.stopping = False
        self.thread: threading.Thread | None = None
        self.owner_pid: int | None = None

    def submit(self, message_ids: list[int]) -> None:
        """Send these committed messages soon, from this process's thread."""
        with self.condition:
            if self.owner_pid != os.getpid() or not self.thread.is_alive():
                # First use in this process (a forked worker, under gunicorn --preload,
                # does not inherit its parent's thread), or the thread died.
                self.start()
            self.waiting.extend(message_ids)
            self.condition.notify_all()

    def start(self) -> None:
        if self.owner_pid != os.getpid():
            self.waiting = []  # a parent process's ids are its own to send
        self.sending = self.stopping = False
        self.owner_pid = os.getpid()
        self.thread = threading.Thread(target=self.run, name="outbox-first-attempts", daemon=True)
        self.thread.start()
        atexit.register(self.stop)

    def run(self) -> None:
        while True:
            with self.condition:
                self.condition.wait_for(lambda: self.waiting or self.stopping)
                if self.stopping:
                    return
                self.sending = True
            time.sleep(self.window)  # let the batch gather
            with self.condition:
                batch = self.waiting[:BATCH_LIMIT]
                del self.waiting[:BATCH_LIMIT]
            try:
                self.deliver(batch)
            finally:
                with self.condition:
                    self.sending = False
                    self.condition.notify_all()

    def deliver(self, message_ids: list[int]) -> None:
        with self.app.app_context():
            try:
                deliver(message_ids=message_ids, limit=BATCH_LIMIT)
            except Exception:
                # A failed attempt must not stop the thread: the worker retries.
                self.app.logger.exception("first delivery attempt failed; left in the outbox")
            finally:
                db.session.remove()

    def wait_until_idle(self, timeout: float) -> bool:
        """True once every message handed over has had its attempt (for tests)."""
        with self.condition:
            return self.condition.wait_for(lambda: not self.waiting and not self.sending, timeout)

    def stop(self) -> None:
        """At the process's end: finish the batch being sent, leave the rest to the worker."""
        with self.condition:
            if self.owner_pid != os.getpid():
                return
            self.stopping = True
            self.condition.notify_all()
        self.thread.join(SHUTDOWN_WAIT_SECONDS)

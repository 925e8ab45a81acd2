"""SQLite's writers one at a time, queued by the kernel rather than by SQLite's busy handler.

SQLite lets one connection write at a time. Another writer that finds the lock taken
waits in SQLite's busy handler, which sleeps between tries, longer the longer it has
waited (1, 2, 5, 10… up to 100 ms a try), and does not wake when the lock is released:
a newcomer often takes it first. Under a registration rush the lock sat free while
writers slept, and a few waited seconds (up to 6.3 s, p95 0.1–0.6 s, with the lock busy
about two thirds of the time; benchmarks/README.md, fourth pass).

Here every connection to a database file takes that file's writer queue before the
statement that starts a write transaction (INSERT, UPDATE, DELETE, REPLACE, BEGIN
IMMEDIATE), and leaves it when the transaction ends: a thread lock among the threads
of a process, then `flock` on a file beside the database among processes. The kernel
hands the lock to a waiting process as soon as it is released, and releases it if the
process dies (a worker killed mid-registration holds nothing).

The queue only orders the writers; SQLite's own lock still decides what is safe. So the
queue is left early rather than late: at commit, rollback or close, whichever comes
first, and after any write that did not leave a transaction open. A writer this module
does not see (a statement it does not recognise, another program) waits in SQLite's busy
handler as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

# The statements that take SQLite's write lock when no transaction is open (the sqlite3
# module opens one, deferred, before the first INSERT, UPDATE, DELETE or REPLACE).
WRITE_STARTS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
# As long as SQLite's busy timeout (eventweek.tune_sqlite): a thread waits no longer for
# the others of its process than SQLite would have.
THREAD_WAIT_SECONDS = 30.0


class WriterQueue:
    """The writers of one database file: one at a time, across threads and processes."""

    def __init__(self, database: str):
        self.lock_path = database + "-writers"
        self.threads = threading.Lock()
        self.descriptor: int | None = None
        self.opened_by: int | None = None

    def enter(self) -> None:
        if not self.threads.acquire(timeout=THREAD_WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        try:
            fcntl.flock(self.process_descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self.threads.release()
            raise

    def leave(self) -> None:
        try:
            fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def process_descriptor(self) -> int:
        # Each process opens its own: a descriptor inherited through fork() shares its
        # lock with the parent's, and two processes sharing one would not exclude each
        # other. Called with `threads` held, so opened once.
        if self.opened_by != os.getpid():
            self.descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self.opened_by = os.getpid()
        return self.descriptor

    def forget_parent(self) -> None:
        """In a child just forked: a thread of the parent may have held the thread lock."""
        self.threads = threading.Lock()
        if self.descriptor is not None and self.opened_by != os.getpid():
            os.close(self.descriptor)  # the parent's; closing it here releases nothing there
            self.descriptor = self.opened_by = None


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database: str) -> WriterQueue | None:
    """The queue of a database file; None for an in-memory or URI-named database."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    path = os.path.realpath(database)
    with _queues_lock:
        if path not in _queues:
            _queues[path] = WriterQueue(path)
        return _queues[path]


def _forget_parents() -> None:
    global _queues_lock
    _queues_lock = threading.Lock()
    for queue in _queues.values():
        queue.forget_parent()


os.register_at_fork(after_in_child=_forget_parents)


def starts_a_write(statement: str) -> bool:
    return statement.lstrip()[:15].upper().startswith(WRITE_STARTS)


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that writes in its database's turn (`WriterQueue`)."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self.writer_queue = queue_for(os.fsdecode(database))
        self.in_queue = False

    def cursor(self, factory=None):
        return super().cursor(factory or QueuedCursor)

    def enter_queue_for(self, statement: str) -> None:
        if (
            self.writer_queue is not None
            and not self.in_queue
            and not self.in_transaction
            and starts_a_write(statement)
        ):
            self.writer_queue.enter()
            self.in_queue = True

    def leave_queue(self) -> None:
        if self.in_queue:
            self.in_queue = False
            self.writer_queue.leave()

    def leave_queue_unless_writing(self) -> None:
        """After a statement: a failed BEGIN, or a write outside a transaction, is done."""
        if self.in_queue and not self.in_transaction:
            self.leave_queue()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_queue()

    def __del__(self) -> None:
        # Collected without being closed (SQLite then closes it): its turn ends with it.
        # (`in_queue` is missing when the database could not be opened.)
        if getattr(self, "in_queue", False):
            self.leave_queue()


class QueuedCursor(sqlite3.Cursor):
    def execute(self, statement, parameters=(), /):
        self.connection.enter_queue_for(statement)
        try:
            return super().execute(statement, parameters)
        finally:
            self.connection.leave_queue_unless_writing()

    def executemany(self, statement, parameters, /):
        self.connection.enter_queue_for(statement)
        try:
            return super().executemany(statement, parameters)
        finally:
            self.connection.leave_queue_unless_writing()

"""SQLite's writers take turns through a queue the kernel keeps (eventweek/sqlite_writers.py):
taken by the statement that starts a write, left when the transaction ends, released by
the kernel when the process holding it dies."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import sqlite3
import threading

import pytest

from eventweek.extensions import db
from eventweek.sqlite_writers import QueuedConnection, queue_for

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def database(tmp_path) -> str:
    path = str(tmp_path / "queue.sqlite3")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE item (name TEXT UNIQUE)")
    return path


def connect(database: str, timeout: float = 30.0) -> QueuedConnection:
    return sqlite3.connect(database, timeout=timeout, factory=QueuedConnection)


def queue_is_free(database: str) -> bool:
    """Whether another process could take the queue now (probed without waiting)."""
    descriptor = os.open(database + "-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # releases the probe's own lock, if it got one
    return True


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_holds_the_queue_until_its_transaction_ends(database, end):
    connection = connect(database)
    connection.cursor().execute("SELECT count(*) FROM item").fetchall()
    assert queue_is_free(database)  # reading takes no turn
    connection.cursor().execute("INSERT INTO item VALUES ('a')")
    assert not queue_is_free(database)
    connection.cursor().execute("SELECT count(*) FROM item").fetchall()
    assert not queue_is_free(database)  # still the same write transaction
    getattr(connection, end)()
    assert queue_is_free(database)


def test_begin_immediate_takes_the_queue_and_a_refused_one_leaves_it(database):
    holder = sqlite3.connect(database, isolation_level=None)  # a writer the queue never sees
    holder.execute("BEGIN IMMEDIATE")
    impatient = connect(database, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        impatient.cursor().execute("BEGIN IMMEDIATE")
    assert queue_is_free(database)  # no transaction was opened: nothing to wait for
    holder.rollback()
    impatient.cursor().execute("BEGIN IMMEDIATE")
    assert not queue_is_free(database)
    impatient.rollback()
    assert queue_is_free(database)


def test_a_second_writer_of_the_process_waits_for_the_first(database):
    first = connect(database)
    first.cursor().execute("INSERT INTO item VALUES ('first')")
    second_done = threading.Event()

    def second_writer():
        second = connect(database)
        second.cursor().execute("INSERT INTO item VALUES ('second')")
        second.commit()
        second_done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not second_done.wait(0.5)  # queued behind the first, not failed
    first.commit()
    thread.join(10)
    assert second_done.is_set()
    assert connect(database).execute("SELECT count(*) FROM item").fetchone() == (2,)


def hold_a_write(database: str, holding, go) -> None:
    connection = connect(database)
    connection.cursor().execute("INSERT INTO item VALUES ('child')")
    holding.set()
    go.wait(30)
    connection.commit()


def test_processes_take_turns_and_a_killed_one_releases_its_turn(database):
    holding, go = FORK.Event(), FORK.Event()
    child = FORK.Process(target=hold_a_write, args=(database, holding, go))
    child.start()
    assert holding.wait(10)
    assert not queue_is_free(database)
    os.kill(child.pid, signal.SIGKILL)  # in the middle of its write transaction
    child.join(10)
    # The kernel released its turn and SQLite its lock; its write never happened.
    assert queue_is_free(database)
    connection = connect(database, timeout=10)
    connection.cursor().execute("INSERT INTO item VALUES ('parent')")
    connection.commit()
    assert connection.execute("SELECT name FROM item").fetchall() == [("parent",)]


def take_a_turn(database: str) -> None:
    queue = queue_for(database)
    queue.enter()
    queue.leave()


def test_a_process_forked_while_a_thread_holds_the_turn_gets_its_own(database):
    # As under gunicorn --preload: a thread of the parent may be writing when a worker is
    # forked. The child must not inherit the thread lock held, nor share the parent's turn.
    queue = queue_for(database)
    queue.enter()
    child = FORK.Process(target=take_a_turn, args=(database,))
    child.start()
    child.join(0.5)
    assert child.exitcode is None  # waiting for the parent's turn to end
    queue.leave()
    child.join(10)
    assert child.exitcode == 0


def test_in_memory_databases_have_no_queue():
    connection = sqlite3.connect(":memory:", factory=QueuedConnection)
    connection.cursor().execute("CREATE TABLE item (name TEXT)")
    connection.cursor().execute("INSERT INTO item VALUES ('a')")
    connection.commit()
    assert connection.writer_queue is None


def test_the_app_writes_sqlite_in_wal_synced_at_checkpoints(app):
    """synchronous=NORMAL: a commit is not an fsync held under the write lock (decision 0008).
    That a commit survives the process being killed is tested by the rush's SIGKILL test."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's settings")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL

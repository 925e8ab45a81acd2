"""A database connection lost after the view: the request still ends cleanly."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select, text

from eventweek import pool_ping
from eventweek.extensions import db


@pytest.fixture
def postgresql_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL's server can drop a client's connection")


def test_a_connection_dropped_before_teardown_is_released_without_an_error(
    app, database_url, postgresql_only
):
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with app.test_request_context("/programme"):
            # A transaction is open on a connection, as after any view that read something.
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # Leaving the context ran the teardown: its rollback on the dead connection failed,
        # and the session was invalidated and removed instead of raising (a bare 500).
        with app.app_context():
            assert db.session.execute(select(1)).scalar_one() == 1
    finally:
        admin.dispose()


def backend_pid() -> int:
    return db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_that_sat_idle_is_checked_and_replaced_when_dead(
    app, database_url, postgresql_only, monkeypatch
):
    monkeypatch.setattr(pool_ping, "PING_AFTER_IDLE_SECONDS", 0.0)  # any pause is idle
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with app.app_context():
            db.engine.dispose()  # a pool of one: the connection below is the next handed out
            pid = backend_pid()
            db.session.remove()  # back to the pool
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                while connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                ).scalar_one():
                    time.sleep(0.01)
            # The dead connection failed its ping and was replaced before any statement.
            assert backend_pid() != pid
    finally:
        admin.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    app, postgresql_only, monkeypatch
):
    pings = []
    with app.app_context():
        db.engine.dispose()  # no connection left idle by another test
        dialect = db.engine.dialect
        ping = dialect.do_ping
        monkeypatch.setattr(
            dialect, "do_ping", lambda connection: pings.append(1) or ping(connection)
        )
        for _ in range(3):  # three requests in a row
            backend_pid()
            db.session.remove()
        assert pings == []
        monkeypatch.setattr(pool_ping, "PING_AFTER_IDLE_SECONDS", 0.0)
        backend_pid()
        db.session.remove()
        assert pings == [1]

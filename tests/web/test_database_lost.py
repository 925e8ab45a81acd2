"""A database connection lost after the view: the request still ends cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

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

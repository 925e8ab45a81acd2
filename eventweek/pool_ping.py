"""PostgreSQL connections are checked before use only once they have sat idle in the pool.

SQLAlchemy's `pool_pre_ping` checks every connection it hands out with a `SELECT 1`: a
round trip more for each request (a registration's form page and POST make 11 without
them on PostgreSQL). A connection given back less than `PING_AFTER_IDLE_SECONDS` ago
answered then; one idle for longer is checked, and replaced if the database does not
answer (a restart, a dropped network link). A connection lost inside that second (a
restart, an administrator ending it) costs the request that meets it the 503 page, like
every request during a restart, and SQLAlchemy then replaces every connection of the
pool. SQLite connections (a file) are never checked.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

PING_AFTER_IDLE_SECONDS = 1.0


def ping_idle_connections(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def note_idle(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and hands out a new one (or raises, if the
            # database cannot be reached: the 503 page).
            raise DisconnectionError("the pooled connection did not answer") from error

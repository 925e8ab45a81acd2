"""The programme's version, and the parts rendered from it kept in the cache.

The home page, the programme page, the embeddable list, the feeds and the figures page
with its charts are rendered once per version, language and filters, then served from
the cache (Flask-Caching: `CACHE_TYPE`) until the version changes. The version is read
on every request with one cheap query, so any edit shows at once, in every process,
without anyone invalidating anything.

Only parts that are the same for everyone are cached: the page's layout, which holds
the signed-in header and CSRF tokens, only for anonymous visitors (see the views). An
activity's page is cached the same way, with holes for the visitor's CSRF token and the
seats left (`sessions.views.cached_activity_page`).

Each process also keeps the parts it used in memory, in front of the shared cache: a
part never changes under its key (the key holds the version), and unpickling a 600 kB
page on every request cost more than rendering the rest of it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request
from sqlalchemy import Select, func, select

from eventweek.audit.models import AuditEntry
from eventweek.extensions import cache, db
from eventweek.memo import BoundedLRU
from eventweek.registrations.models import Registration
from eventweek.sessions.models import Activity, Edition
from eventweek.sessions.queries import brussels_today


@dataclass(frozen=True)
class ProgrammeVersion:
    """`content` changes with any change to what the programme shows (activities, and
    through their audit entries editions, venues and organisations); `seats` with any
    registration written (seats left)."""

    content: tuple
    seats: tuple


@dataclass(frozen=True)
class CachedPart:
    body: str | bytes
    year: int | None = None
    last_modified: datetime | None = None

    @functools.cached_property
    def etag(self) -> str:
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return hashlib.sha256(body).hexdigest()


# Parts this process used, by key, least recently used first. Keys hold normalised
# filters and the language, never the raw address, yet a filter such as `venue` takes many
# values, and a part is large (the 500-activity page is about 450 kB): 64 pages, ~30 MB
# a worker. Parts of old versions, never read again, are the first to go.
PROGRAMME_PARTS = BoundedLRU[CachedPart](64)
# Activity pages, ~15 kB each: every activity in three languages fits.
ACTIVITY_PAGES = BoundedLRU[CachedPart](2048)
KEPT_IN_PROCESS = (PROGRAMME_PARTS, ACTIVITY_PAGES)


@functools.cache
def version_statement() -> Select:
    # The activities are read in one pass for both aggregates (three scalar subqueries
    # read them three times); the other figures are index lookups (primary keys,
    # ix_registration_updated_at), whatever the number of registrations.
    activities = select(
        func.count(Activity.id).label("count"), func.sum(Activity.revision).label("revisions")
    ).subquery()
    return select(
        activities.c.count,
        activities.c.revisions,
        select(func.count(Edition.id)).scalar_subquery(),
        select(func.max(Edition.id)).scalar_subquery(),
        select(func.max(AuditEntry.id)).scalar_subquery(),
        select(func.max(Registration.id)).scalar_subquery(),
        select(func.max(Registration.updated_at)).scalar_subquery(),
    ).select_from(activities)


def programme_version() -> ProgrammeVersion:
    """The programme's version, in one query of aggregates.

    Every ORM change of an activity bumps its `revision` (SQLAlchemy's version counter,
    whichever column changed), a new one raises the count, a deletion lowers it.
    Editions, venues and organisations change through settings operations, and the
    network's figures through imports and goals, each of which writes an audit entry.
    A new registration has a higher id, and every change of one moves its `updated_at`.
    Every figure comes from the data itself: no write path can forget to bump it (a
    version counter row would have to be bumped by each of them).
    """
    # Core execution: the ORM's statement handling costs more than the query itself.
    row = db.session.connection().execute(version_statement()).one()
    values = tuple(str(value) for value in row)
    return ProgrammeVersion(content=values[:5], seats=values[5:])


def reads_only(view: Callable) -> Callable:
    """For a view that only reads: on PostgreSQL its statements run without a transaction.

    A page served from the cache runs one to three small statements, and the BEGIN and
    ROLLBACK around them were two more round trips, each costing the app and PostgreSQL
    as much as a statement. In READ COMMITTED each statement sees the data committed
    before it, in a transaction or not, so the page reads the same. SQLite starts no
    transaction for reads. The connection returns to the pool in its usual mode.
    """

    @functools.wraps(view)
    def reading(*args, **kwargs):
        session = db.session()
        if session.get_bind().dialect.name != "postgresql" or session.in_transaction():
            return view(*args, **kwargs)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            return view(*args, **kwargs)
        finally:
            # The connection goes back to the pool now, in its usual mode: whatever uses
            # the session next (a test's next request) has its transaction again.
            session.rollback()

    return reading


def page_for_everyone(name: str, parts: tuple, version: tuple, render: Callable[[], str]):
    """A page that anonymous visitors all see the same for `parts` (language, filters…):
    from the cache while `version` holds, with an ETag (304 to a client that has it)."""
    page = cached_part(name, parts, version, lambda: CachedPart(render().encode()))
    return conditional_response(page, "text/html; charset=utf-8")


def conditional_response(part: CachedPart, content_type: str):
    """`part` as the response, with its ETag: 304 to a client that has it. It differs by
    language (and for signed-in staff, by person)."""
    response = current_app.response_class(part.body, content_type=content_type)
    response.set_etag(part.etag)
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response.make_conditional(request)


def clear_cached_parts() -> None:
    """Forget every part, in the shared cache and in this process (tests, benchmarks)."""
    cache.clear()
    for kept in KEPT_IN_PROCESS:
        kept.clear()


def cached_part(
    name: str,
    parts: Iterable[Hashable],
    version: tuple,
    build: Callable[[], CachedPart],
    kept_in: BoundedLRU[CachedPart] = PROGRAMME_PARTS,
) -> CachedPart:
    """The part `name` for `parts` (language, filters…) at `version`, from the cache, or
    built by `build` and stored; this process keeps it in `kept_in` too.

    Brussels' date is part of the key: which cancelled activities are still shown, and
    which edition is current, depend on it. Nothing else in these parts depends on the
    time (the programme shows seats left, not whether registration is open yet): a part
    that did would need the moment it changes in its key.
    """
    material = repr((name, tuple(parts), version, brussels_today().isoformat()))
    key = f"programme:{name}:{hashlib.sha256(material.encode()).hexdigest()}"
    part = kept_in.get(key)
    if part is not None:
        return part
    part = cache.get(key)
    if not isinstance(part, CachedPart):
        part = build()
        cache.set(key, part)
    kept_in.put(key, part)
    return part

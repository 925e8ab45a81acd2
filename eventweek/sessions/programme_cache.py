"""The programme's version, and the parts rendered from it kept in the cache.

The programme page, the embeddable list and the feeds are rendered once per version,
language and filters, then served from the cache (Flask-Caching: `CACHE_TYPE`) until
the version changes. The version is read on every request with one cheap query, so
any edit shows at once, in every process, without anyone invalidating anything.

Only parts that are the same for everyone are cached: the page's layout, which holds
the signed-in header and CSRF tokens, only for anonymous visitors (see the views).

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

from sqlalchemy import Select, func, select

from eventweek.audit.models import AuditEntry
from eventweek.extensions import cache, db
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


# Parts this process used, by key; emptied when full (old versions are never read again).
_in_process: dict[str, CachedPart] = {}
IN_PROCESS_ENTRIES = 64


@functools.cache
def version_statement() -> Select:
    return select(
        select(func.count(Activity.id)).scalar_subquery(),
        select(func.sum(Activity.revision)).scalar_subquery(),
        select(func.max(Activity.updated_at)).scalar_subquery(),
        select(func.count(Edition.id)).scalar_subquery(),
        select(func.max(Edition.id)).scalar_subquery(),
        select(func.max(AuditEntry.id)).scalar_subquery(),
        select(func.max(Registration.id)).scalar_subquery(),
        select(func.max(Registration.updated_at)).scalar_subquery(),
    )


def programme_version() -> ProgrammeVersion:
    """The programme's version, in one query of aggregates that indexes answer.

    Every ORM change of an activity bumps its `revision` and `updated_at`; a deletion
    lowers the count. Editions, venues and organisations change through settings
    operations, each of which writes an audit entry. A new registration has a higher id,
    and every change of one moves its `updated_at`.
    """
    row = db.session.execute(version_statement()).one()
    values = tuple(str(value) for value in row)
    return ProgrammeVersion(content=values[:6], seats=values[6:])


def clear_cached_parts() -> None:
    """Forget every part, in the shared cache and in this process (tests, benchmarks)."""
    cache.clear()
    _in_process.clear()


def cached_part(
    name: str, parts: Iterable[Hashable], version: tuple, build: Callable[[], CachedPart]
) -> CachedPart:
    """The part `name` for `parts` (language, filters…) at `version`, from the cache, or
    built by `build` and stored.

    Brussels' date is part of the key: which cancelled activities are still shown, and
    which edition is current, depend on it. Nothing else in these parts depends on the
    time (the programme shows seats left, not whether registration is open yet): a part
    that did would need the moment it changes in its key.
    """
    material = repr((name, tuple(parts), version, brussels_today().isoformat()))
    key = f"programme:{name}:{hashlib.sha256(material.encode()).hexdigest()}"
    part = _in_process.get(key)
    if part is not None:
        return part
    part = cache.get(key)
    if not isinstance(part, CachedPart):
        part = build()
        cache.set(key, part)
    if len(_in_process) >= IN_PROCESS_ENTRIES:
        _in_process.clear()
    _in_process[key] = part
    return part

"""Calendar feeds (iCalendar), schedule exports (frab XML/JSON) and the embeddable list.

Feeds answer conditional requests (ETag, Last-Modified → 304) through Werkzeug, so that
calendar apps polling them cost almost nothing when the programme has not changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from eventweek.calendar.entries import (
    activity_calendar,
    conference,
    programme_calendar,
    schedule_events,
)
from eventweek.calendar.schedule import build_frab_xml, build_schedule_json
from eventweek.extensions import db
from eventweek.i18n import current_language
from eventweek.registrations.queries import availabilities
from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.models import BRUSSELS, Activity, Edition
from eventweek.sessions.programme_cache import (
    CachedPart,
    cached_part,
    programme_version,
    reads_only,
)
from eventweek.sessions.queries import (
    current_edition,
    edition_by_year,
    get_public_activity,
    public_programme,
    public_programme_query,
)
from eventweek.sessions.views import group_by_day

bp = Blueprint("calendar", __name__)

FEED_MAX_AGE = 300  # seconds a client may reuse a feed before asking again
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@bp.get("/programme.ics")
@reads_only
def programme_feed():
    return edition_feed("current", current_edition)


@bp.get("/editions/<int:year>/programme.ics")
@reads_only
def edition_programme_feed(year: int):
    return edition_feed(year, lambda: edition_by_year(year))


def edition_feed(which: int | str, find_edition: Callable[[], Edition | None]):
    """The feed of the edition `which` names (its year, or "current"), from the cache.

    The edition is looked up only to build the feed: which one is current changes with
    the editions (the version's content) or the date (the cache key's), and calendar
    apps polling the feed then cost one query each, the version's.
    """
    filters = feed_filters()
    feed = cached_part(
        "programme.ics",
        (which, filters),
        programme_version().content,
        lambda: build_edition_feed(find_edition(), filters),
    )
    return conditional(
        feed.body,
        CALENDAR_TYPE,
        f"semaine-esante-{feed.year}.ics",
        feed.last_modified,
        etag=feed.etag,
    )


def build_edition_feed(edition: Edition | None, filters: ProgrammeFilters) -> CachedPart:
    if edition is None:
        abort(404)
    language = filters.language or "fr"
    # One query: the feed needs neither the languages rows nor anything per activity.
    activities = list(
        db.session.execute(
            public_programme_query(edition, filters).options(lazyload(Activity.language_rows))
        ).scalars()
    )
    with force_locale(language):
        name = _("eHealth Week") + f" {edition.year}"
    body = programme_calendar(activities, language, name)
    return CachedPart(body, year=edition.year, last_modified=newest_change(activities))


@bp.get("/sessions/<int:activity_id>.ics")
@reads_only
def activity_feed(activity_id: int):
    activity = get_public_activity(activity_id)
    if activity is None:
        abort(404)
    body = activity_calendar(activity, current_language())
    return conditional(
        body,
        CALENDAR_TYPE,
        f"semaine-esante-{activity.id}.ics",
        activity.updated_at,
    )


@bp.get("/schedule.xml")
@reads_only
def schedule_xml():
    schedule = cached_schedule("xml", build_schedule_xml)
    return conditional(
        schedule.body,
        "application/xml; charset=utf-8",
        "schedule.xml",
        schedule.last_modified,
        etag=schedule.etag,
    )


@bp.get("/schedule.json")
@reads_only
def schedule_json():
    schedule = cached_schedule("json", build_schedule_document)
    return conditional(
        schedule.body,
        "application/json",
        "schedule.json",
        schedule.last_modified,
        etag=schedule.etag,
    )


@bp.get("/embed/programme")
@reads_only
def embed_programme():
    """The programme without the site's chrome, for partners' pages (in an iframe).

    The whole page is cached: it has no layout, nothing per person."""
    filters, _ignored = ProgrammeFilters.from_args(request.args)
    version = programme_version()
    page = cached_part(
        "embed",
        (current_language(), filters),
        version.content + version.seats,
        lambda: render_embed(filters),
    )
    return page.body


def render_embed(filters: ProgrammeFilters) -> CachedPart:
    edition = current_edition()
    activities = public_programme(edition, filters) if edition else []
    body = render_template(
        "calendar/embed.html",
        edition=edition,
        days=group_by_day(activities),
        availability=availabilities(activities),
    )
    return CachedPart(body)


def cached_schedule(name: str, build) -> CachedPart:
    """The current edition's schedule export `name`, from the cache or built by `build`
    (edition, activities, language) → bytes."""
    filters = feed_filters()

    def build_part() -> CachedPart:
        edition = current_edition()
        if edition is None:
            abort(404)
        activities = public_programme(edition, filters)
        body = build(edition, activities, filters.language or "fr")
        return CachedPart(body, last_modified=newest_change(activities))

    return cached_part(f"schedule.{name}", (filters,), programme_version().content, build_part)


def build_schedule_xml(edition: Edition, activities: list[Activity], language: str) -> bytes:
    return build_frab_xml(
        conference(edition, language), schedule_events(activities, edition, language), BRUSSELS
    )


def build_schedule_document(edition: Edition, activities: list[Activity], language: str) -> bytes:
    document = build_schedule_json(
        conference(edition, language), schedule_events(activities, edition, language), BRUSSELS
    )
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def feed_filters() -> ProgrammeFilters:
    """Filters of a feed; a bad value is refused (400): no one would read a notice."""
    filters, ignored = ProgrammeFilters.from_args(request.args)
    if ignored:
        name, value = ignored[0]
        abort(
            current_app.response_class(
                _("Unknown value %(value)s for %(name)s.", value=value, name=name) + "\n",
                status=400,
                mimetype="text/plain",
            )
        )
    return filters


def newest_change(activities: Iterable[Activity]) -> datetime | None:
    """When the newest of `activities` last changed: a feed's Last-Modified."""
    return max((activity.updated_at for activity in activities), default=None)


def conditional(
    body: bytes,
    content_type: str,
    filename: str,
    last_modified: datetime | None,
    *,
    private: bool = False,
    etag: str | None = None,
):
    """A cacheable export: ETag from the bytes, Last-Modified from the newest change.

    `private` keeps personal feeds out of shared caches (proxies, CDNs); `etag`, when
    given, is the body's (cached parts keep theirs).
    """
    response = current_app.response_class(body)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag or hashlib.sha256(body).hexdigest())
    if last_modified is not None:
        response.last_modified = last_modified
    if private:
        response.cache_control.private = True
        response.cache_control.no_cache = True  # may keep it, but must ask (304) each time
    else:
        response.cache_control.public = True
        response.cache_control.max_age = FEED_MAX_AGE
    return response.make_conditional(request)

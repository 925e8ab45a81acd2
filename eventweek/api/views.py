"""Read-only JSON API, version 1, documented in `openapi.json` beside this file."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _

from eventweek.awards.models import Phase
from eventweek.awards.queries import cycle_by_year
from eventweek.awards.results import cycle_results, results_json
from eventweek.extensions import csrf
from eventweek.links import external_url
from eventweek.metrics.keys import NETWORK_SCOPE, is_known
from eventweek.metrics.queries import latest_values, organisation_exists, series
from eventweek.metrics.serializers import snapshot_json
from eventweek.registrations.queries import availabilities
from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.queries import current_edition, get_public_activity, public_programme
from eventweek.sessions.serializers import activity_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

OPENAPI_FILE = Path(__file__).with_name("openapi.json")


@cache
def openapi_document() -> dict:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    document = dict(openapi_document())
    document["servers"] = [{"url": current_app.config["BASE_URL"] + "/api/v1"}]
    return document


@bp.get("/sessions")
def list_sessions():
    filters, ignored = ProgrammeFilters.from_args(request.args)
    if ignored:
        name, value = ignored[0]
        abort_json(400, _("Unknown value %(value)s for %(name)s.", value=value, name=name))
    page = parse_page(request.args.get("page"))
    page_size = current_app.config["API_PAGE_SIZE"]
    edition = current_edition()
    # One more than a page tells whether a next page exists without counting.
    activities = (
        public_programme(edition, filters, limit=page_size + 1, offset=(page - 1) * page_size)
        if edition
        else []
    )
    has_next = len(activities) > page_size
    activities = activities[:page_size]
    seats = availabilities(activities)
    next_url = (
        external_url("api.list_sessions", **filters.as_args(), page=page + 1) if has_next else None
    )
    return {
        "items": [activity_json(activity, seats[activity.id]) for activity in activities],
        "next": next_url,
    }


@bp.get("/sessions/<int:activity_id>")
def get_session(activity_id: int):
    activity = get_public_activity(activity_id)
    if activity is None:
        abort(404)
    return activity_json(activity, availabilities([activity])[activity.id])


@bp.get("/metrics")
def list_metrics():
    """The latest figure per key and scope; with any filter, the matching series."""
    key = request.args.get("key") or None
    scope = request.args.get("scope") or None
    since = parse_date(request.args.get("from"), "from")
    until = parse_date(request.args.get("to"), "to")
    if key is not None and not is_known(key):
        abort_json(400, _("Unknown value %(value)s for %(name)s.", value=key, name="key"))
    if scope is not None and scope != NETWORK_SCOPE and not organisation_exists(scope):
        abort_json(400, _("Unknown value %(value)s for %(name)s.", value=scope, name="scope"))
    if since and until and since > until:
        abort_json(400, _("The date in from must not be after the date in to."))
    if key or scope or since or until:
        snapshots = series(key=key, scope=scope, since=since, until=until)
    else:
        snapshots = latest_values()
    return {"items": [snapshot_json(snapshot) for snapshot in snapshots]}


@bp.get("/awards/<int:year>/results")
def award_results(year: int):
    """The published results of the award of `year` (404 before publication)."""
    cycle = cycle_by_year(year)
    if cycle is None or cycle.phase is not Phase.RESULTS_PUBLISHED:
        abort_json(404, _("No published results for this year."))
    return results_json(cycle, cycle_results(cycle))


def parse_date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort_json(400, _("%(name)s must be a date written YYYY-MM-DD.", name=name))


def parse_page(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort_json(400, _("The page number must be a whole number from 1."))
    return int(raw)


def abort_json(status: int, detail: str):
    response = current_app.response_class(
        json.dumps({"error": {"status": status, "title": _("Invalid request"), "detail": detail}}),
        status=status,
        mimetype="application/json",
    )
    abort(response)

"""Registering, and managing a registration from its secret link (no account needed)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from eventweek.calendar.entries import activity_calendar, event_text, uid_domain
from eventweek.calendar.ics import activity_event, build_calendar
from eventweek.calendar.views import CALENDAR_TYPE, conditional, newest_change
from eventweek.extensions import db, limiter
from eventweek.i18n import current_language
from eventweek.links import external_url
from eventweek.outbox.delivery import commit_and_deliver
from eventweek.registrations import operations
from eventweek.registrations.emails import agenda_token
from eventweek.registrations.forms import RegistrationForm
from eventweek.registrations.models import ACTIVE_STATES, Registration, RegistrationState, utcnow
from eventweek.registrations.operations import Outcome
from eventweek.registrations.queries import similar_open_activities
from eventweek.registrations.seating import waitlist_position
from eventweek.registrations.tokens import hashes_match, looks_like_token
from eventweek.sessions.views import public_activity_or_404, render_activity_page

bp = Blueprint("registrations", __name__)


def registration_rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.post("/sessions/<int:activity_id>/register")
@limiter.limit(registration_rate_limit)
def register(activity_id: int):
    # The activity is loaded once, under the seat lock, by the registration itself: an
    # activity that is not public takes no registration, and every answer but success
    # loads it as the public pages do (404 if it is not public).
    form = RegistrationForm()
    if not form.validate():
        return render_activity_page(public_activity_or_404(activity_id), form, status=400)
    result = operations.register(form.to_request(activity_id), utcnow())
    if not result.stored:
        db.session.rollback()
        activity = public_activity_or_404(activity_id)
        if result.outcome == Outcome.OVERLAP:
            return render_activity_page(activity, form, status=409, overlapping=result.overlapping)
        if result.outcome == Outcome.CLOSED:
            return render_activity_page(activity, status=409, refused=True)
        return render_template(
            "registrations/outcome.html",
            state=result.outcome,
            activity=activity,
            similar=similar_open_activities(activity),
        ), 409
    # The page shows what was just written (the activity was read under the seat lock).
    commit_and_deliver(expire=False)
    return render_template(
        "registrations/outcome.html",
        state=result.outcome,
        activity=result.registration.activity,
        registration=result.registration,
        position=result.waitlist_position,
    )


def registration_or_404(token: str) -> Registration:
    """The registration behind a management link; 404 for anything else, 410 once erased."""
    registration = operations.find_by_token(token) if looks_like_token(token) else None
    if registration is None or not hashes_match(registration.token_hash, token):
        abort(404)
    if registration.is_erased:
        abort(410)
    return registration


@bp.get("/registrations/<token>")
def manage(token: str):
    registration = registration_or_404(token)
    return render_template(
        "registrations/manage.html",
        registration=registration,
        activity=registration.activity,
        token=token,
        position=waitlist_position(registration),
        can_cancel=registration.state in ACTIVE_STATES,
        agenda_url=external_url("registrations.agenda", token=agenda_token(registration)),
    )


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = registration_or_404(token)
    if registration.state not in ACTIVE_STATES:
        return redirect(url_for("registrations.manage", token=token))
    if request.method == "GET":
        return render_template(
            "registrations/confirm.html", action="cancel", registration=registration, token=token
        )
    operations.cancel(registration, utcnow())
    commit_and_deliver()
    flash(_("Your registration is cancelled. We have sent you a confirmation by e-mail."))
    return redirect(url_for("registrations.manage", token=token))


@bp.route("/registrations/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    registration = registration_or_404(token)
    if request.method == "GET":
        return render_template(
            "registrations/confirm.html", action="erase", registration=registration, token=token
        )
    operations.erase(registration, utcnow())
    commit_and_deliver()
    return render_template("registrations/erased.html")


@bp.get("/registrations/<token>/event.ics")
def event_download(token: str):
    registration = registration_or_404(token)
    body = activity_calendar(registration.activity, registration.language)
    return conditional(
        body,
        CALENDAR_TYPE,
        f"semaine-esante-{registration.activity_id}.ics",
        registration.activity.updated_at,
        private=True,
    )


@bp.get("/agenda/<token>.ics")
def agenda(token: str):
    """The personal feed: the activities this person holds, confirmed or waiting."""
    registrant = None
    if looks_like_token(token):
        registrant = operations.find_registrant_by_agenda_token(token)
    if registrant is None or not hashes_match(registrant.agenda_token_hash, token):
        abort(404)
    if registrant.erased_at is not None:
        abort(410)
    held = [r for r in registrant.registrations if r.state in ACTIVE_STATES]
    language = held[0].language if held else current_language()
    events = [
        activity_event(
            registration.activity,
            event_text(registration.activity, registration.language),
            uid_domain=uid_domain(),
            tentative=registration.state == RegistrationState.WAITLISTED,
        )
        for registration in sorted(held, key=lambda r: r.activity.start_at)
    ]
    body = build_calendar(events, name=_agenda_name(language))
    return conditional(
        body, CALENDAR_TYPE, "agenda.ics", newest_change(r.activity for r in held), private=True
    )


@bp.get("/privacy")
def privacy():
    return render_template("registrations/privacy.html")


def _agenda_name(language: str) -> str:
    with force_locale(language):
        return _("My eHealth Week")

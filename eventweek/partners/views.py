"""The partner area: an organisation's own stands and sessions, registrations, check-in.

Every page is for partners only, and only ever shows the signed-in partner's own
organisation: another organisation's activity, registration or code answers 404, as if
it did not exist.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role
from eventweek.extensions import db
from eventweek.partners import exports
from eventweek.partners.forms import HelpSlotForm
from eventweek.partners.queries import (
    all_venues,
    help_slots,
    organisation_activities,
    own_activity,
)
from eventweek.partners.slots import add_help_slot, submit_with_slots, takes_help_slots
from eventweek.registrations import operations as registration_operations
from eventweek.registrations.checkin import CheckinVerdict, admission, normalise_code
from eventweek.registrations.labels import STATES
from eventweek.registrations.models import Registration, RegistrationState, utcnow
from eventweek.registrations.queries import (
    activity_registrations,
    find_by_checkin_code,
    state_counts,
)
from eventweek.registrations.seating import seat_counts
from eventweek.sessions import labels, operations
from eventweek.sessions.forms import ONLINE, ActivityForm
from eventweek.sessions.models import Activity, ActivityKind, ActivityStatus
from eventweek.sessions.queries import current_edition

bp = Blueprint("partner", __name__, url_prefix="/partner")

# What partners publish; an activity the organisers made of another kind keeps its own.
PARTNER_KINDS = [ActivityKind.STAND, ActivityKind.INFO_SESSION]
# Refused check-ins: 404 when no such code exists here, 409 when it exists but cannot be used.
REFUSAL_STATUS = {CheckinVerdict.UNKNOWN: 404}


@bp.after_request
def keep_private(response):
    response.cache_control.no_store = True
    return response


def own_activity_or_404(activity_id: int) -> Activity:
    activity = own_activity(current_user.organisation_id, activity_id)
    if activity is None:
        abort(404)
    return activity


@bp.get("/")
@role_required(Role.PARTNER)
def dashboard():
    edition = current_edition()
    activities = organisation_activities(current_user.organisation_id, edition) if edition else []
    return render_template(
        "partner/dashboard.html",
        edition=edition,
        activities=activities,
        counts=seat_counts(activity.id for activity in activities),
    )


# Activities


@bp.route("/activities/new", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def new_activity():
    edition = current_edition()
    if edition is None:
        status = 200 if request.method == "GET" else 409
        return render_template("partner/activity_form.html", form=None), status
    form = ActivityForm().prepare(edition=edition, kinds=PARTNER_KINDS, venues=all_venues())
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("partner/activity_form.html", form=form, edition=edition), status
    activity = operations.create_activity(
        current_user, edition, current_user.organisation_id, form.values(chosen_venue_id(form))
    )
    db.session.commit()
    flash(_("The draft is saved. Submit it for review when it is ready."))
    return redirect(url_for("partner.edit_activity", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def edit_activity(activity_id: int):
    activity = own_activity_or_404(activity_id)
    if request.method == "GET":
        return render_edit_page(activity, activity_form(activity, from_request=False))
    form = activity_form(activity, from_request=True)
    if activity.status == ActivityStatus.CANCELLED:
        flash(_("This activity is cancelled: it can no longer be changed."))
        return render_edit_page(activity, form, status=409)
    if not form.validate():
        return render_edit_page(activity, form, status=400)
    was_public = activity.status == ActivityStatus.PUBLISHED
    change = operations.edit_as_partner(
        current_user, activity, form.values(chosen_venue_id(form)), utcnow()
    )
    db.session.commit()
    flash_edit_outcome(change, was_public)
    return redirect(url_for("partner.edit_activity", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/submit")
@role_required(Role.PARTNER)
def submit_activity(activity_id: int):
    activity = own_activity_or_404(activity_id)
    try:
        slots = submit_with_slots(current_user, activity, utcnow())
    except ValueError:
        db.session.rollback()
        flash(_("Only a draft can be submitted for review."))
        return render_edit_page(activity, activity_form(activity, from_request=False), status=409)
    db.session.commit()
    flash(
        _(
            "Submitted: the organisers will review it. You are told by e-mail if they ask "
            "for changes."
        )
    )
    if slots:
        flash(
            ngettext(
                "%(num)d help slot was submitted with it.",
                "%(num)d help slots were submitted with it.",
                slots,
            )
        )
    return redirect(url_for("partner.edit_activity", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/slots")
@role_required(Role.PARTNER)
def add_slot(activity_id: int):
    stand = own_activity_or_404(activity_id)
    if not takes_help_slots(stand):
        flash(_("Only a stand that is not cancelled takes bookable help slots."))
        return render_edit_page(stand, activity_form(stand, from_request=False), status=409)
    slot_form = HelpSlotForm()
    slot_form.stand = stand
    if not slot_form.validate():
        return render_edit_page(
            stand, activity_form(stand, from_request=False), slot_form, status=400
        )
    add_help_slot(
        current_user,
        stand,
        slot_form.start_at(),
        slot_form.minutes.data,
        slot_form.seats.data,
        utcnow(),
    )
    db.session.commit()
    if stand.status == ActivityStatus.DRAFT:
        flash(_("Help slot added. It is submitted for review with the stand."))
    else:
        flash(
            _(
                "Help slot added and submitted for review: it appears on the stand's page "
                "once the organisers publish it."
            )
        )
    return redirect(url_for("partner.edit_activity", activity_id=stand.id, _anchor="help-slots"))


def activity_form(activity: Activity, *, from_request: bool) -> ActivityForm:
    """The activity's form: as sent (`from_request`), or showing the activity as it is."""
    kinds = PARTNER_KINDS if activity.kind in PARTNER_KINDS else [activity.kind, *PARTNER_KINDS]
    form = (ActivityForm() if from_request else ActivityForm(formdata=None)).prepare(
        edition=activity.edition,
        kinds=kinds,
        venues=all_venues(),
        confirmed_count=seat_counts([activity.id])[activity.id].confirmed,
    )
    if not from_request:
        form.fill_from(activity)
    return form


def render_edit_page(
    activity: Activity, form: ActivityForm, slot_form: HelpSlotForm | None = None, status=200
):
    slots = help_slots(activity.id) if takes_help_slots(activity) else []
    pending = operations.pending_values(activity)
    return render_template(
        "partner/activity_form.html",
        activity=activity,
        form=form,
        edition=activity.edition,
        pending=pending,
        pending_venues={v.id: v for v in all_venues()} if "venue_id" in pending else {},
        field_labels=labels.ACTIVITY_FIELDS,
        slots=slots,
        slot_counts=seat_counts(slot.id for slot in slots),
        slot_form=slot_form
        or (HelpSlotForm(formdata=None) if takes_help_slots(activity) else None),
    ), status


def chosen_venue_id(form: ActivityForm) -> int | None:
    """The venue picked in `form`: None online, or a place just created or found."""
    new_venue = form.new_venue()
    if new_venue is not None:
        return operations.find_or_create_venue(current_user, new_venue).id
    return None if form.venue_id.data == ONLINE else form.venue_id.data


def flash_edit_outcome(change: operations.Change, was_public: bool) -> None:
    """Say plainly what is online now and what waits for the organisers."""
    if not change.fields:
        flash(_("Nothing was changed."))
        return
    if not was_public:
        flash(_("Saved."))
        return
    online = [name for name in change.fields if name not in operations.REVIEWED]
    waiting = [name for name in change.fields if name in operations.REVIEWED]
    if online:
        flash(_("Online now: %(fields)s.", fields=field_names(online)))
    if waiting:
        flash(
            _(
                "Waiting for the organisers' review: %(fields)s. Until they accept it, the "
                "public page keeps the current time, place and number of seats.",
                fields=field_names(waiting),
            )
        )


def field_names(names: list[str]) -> str:
    return ", ".join(str(labels.ACTIVITY_FIELDS[name]) for name in names)


# Registrations


@bp.get("/activities/<int:activity_id>/registrations")
@role_required(Role.PARTNER)
def registrations(activity_id: int):
    return render_registrations(own_activity_or_404(activity_id))


def render_registrations(activity: Activity, status: int = 200):
    people = activity_registrations(activity.id)
    return render_template(
        "partner/registrations.html",
        activity=activity,
        registrations=people,
        counts=state_counts(activity.id),
        positions=exports.waitlist_positions(people),
        waiting=[r for r in people if r.state == RegistrationState.WAITLISTED],
        state_labels=STATES,
        ended=utcnow() >= activity.end_at,
    ), status


@bp.get("/activities/<int:activity_id>/registrations.csv")
@role_required(Role.PARTNER)
def registrations_csv(activity_id: int):
    activity = own_activity_or_404(activity_id)
    return Response(
        exports.registrations_csv(activity_registrations(activity.id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="registrations-{activity.id}.csv"'},
    )


@bp.post("/activities/<int:activity_id>/no-shows")
@role_required(Role.PARTNER)
def mark_no_shows(activity_id: int):
    activity = own_activity_or_404(activity_id)
    try:
        marked = registration_operations.mark_no_shows(activity, utcnow(), actor=current_user)
    except ValueError:
        db.session.rollback()
        flash(_("The session has not ended yet: nobody can be marked absent."))
        return render_registrations(activity, status=409)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d person who did not check in is marked absent.",
            "%(num)d people who did not check in are marked absent.",
            marked,
        )
    )
    return redirect(url_for("partner.registrations", activity_id=activity.id))


# Check-in at the door


@bp.route("/checkin", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def checkin():
    """Any code of the organisation's sessions: typed, or opened from the e-mail's QR code."""
    return checkin_page(None)


@bp.route("/activities/<int:activity_id>/checkin", methods=["GET", "POST"])
@role_required(Role.PARTNER)
def activity_checkin(activity_id: int):
    """The door of one session: a code for another session is refused."""
    return checkin_page(own_activity_or_404(activity_id))


def checkin_page(expected: Activity | None):
    """GET with `?code=` shows whose code it is and whether they may come in; POST
    checks them in. `expected`: the session whose door this is; None for any session
    of the organisation (each code then at its own session's door)."""
    typed = request.values.get("code", "")
    if request.method == "GET" and not typed.strip():
        return render_checkin(expected)
    registration = find_by_checkin_code(normalise_code(typed), current_user.organisation_id)
    if registration is None:
        return render_checkin(expected, None, CheckinVerdict.UNKNOWN)
    door = expected.id if expected else registration.activity_id
    if request.method == "GET":
        return render_checkin(expected, registration, admission(registration, door))
    verdict = registration_operations.check_in(current_user, registration, door, utcnow())
    if verdict != CheckinVerdict.ADMITTED:
        db.session.rollback()
        return render_checkin(expected, registration, verdict)
    db.session.commit()
    flash(
        _(
            "Checked in: %(name)s, %(title)s.",
            name=registration.full_name,
            title=registration.activity.text("title"),
        ),
        "checked_in",
    )
    if expected:
        return redirect(url_for("partner.activity_checkin", activity_id=expected.id))
    return redirect(url_for("partner.checkin"))


def render_checkin(
    expected: Activity | None,
    registration: Registration | None = None,
    verdict: CheckinVerdict | None = None,
):
    status = 200
    if verdict is not None and verdict != CheckinVerdict.ADMITTED:
        status = REFUSAL_STATUS.get(verdict, 409)
    return render_template(
        "partner/checkin.html",
        expected=expected,
        registration=registration if verdict != CheckinVerdict.UNKNOWN else None,
        verdict=verdict,
        counts=seat_counts([expected.id])[expected.id] if expected else None,
    ), status

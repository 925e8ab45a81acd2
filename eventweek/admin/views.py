"""The organisers' back-office: the review queue, every activity, the week's days."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.routing import BuildError

from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role
from eventweek.admin.filters import ActivityFilters
from eventweek.admin.forms import CancelForm, NewActivityForm, SendBackForm
from eventweek.admin.queries import (
    activity_list,
    all_organisations,
    all_venues,
    edition_years,
    programme_days,
    review_queue,
    venues_by_id,
)
from eventweek.extensions import db
from eventweek.outbox.delivery import commit_and_deliver
from eventweek.registrations.models import utcnow
from eventweek.registrations.seating import seat_counts
from eventweek.sessions import operations
from eventweek.sessions.forms import NEW_VENUE, ONLINE, ActivityForm
from eventweek.sessions.models import Activity, ActivityKind, ActivityStatus
from eventweek.sessions.queries import brussels_today, current_edition

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.after_request
def keep_private(response):
    response.cache_control.no_store = True
    return response


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None while no such page exists."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def back_office_links() -> list[tuple[str, str]]:
    """(label, URL) of every back-office page there is."""
    pages = [
        ("admin.review", _("Review queue")),
        ("admin.activities", _("Activities")),
        ("admin.new_activity", _("New activity")),
        ("admin.days", _("Day view")),
        ("admin_settings.editions", _("Editions")),
        ("admin_settings.organisations", _("Organisations")),
        ("admin_settings.venues", _("Venues")),
        ("admin_settings.users", _("Users")),
        ("metrics.admin_dashboard", _("Figures and outreach")),
        ("awards.admin_home", _("Connected Health Award")),
        ("admin_settings.outbox", _("Outbox")),
        ("admin_settings.audit", _("Audit log")),
    ]
    return [(label, url) for endpoint, label in pages if (url := optional_url(endpoint))]


@bp.get("/")
@role_required(Role.ORGANISER)
def home():
    today = brussels_today()
    schedule = programme_days([today, today + timedelta(days=1)])
    return render_template(
        "admin/home.html",
        waiting=review_queue(),
        days=schedule,
        counts=seat_counts(activity.id for _day, items in schedule for activity in items),
        links=back_office_links(),
    )


@bp.get("/days")
@role_required(Role.ORGANISER)
def days():
    edition = current_edition()
    schedule = programme_days(edition.days, edition) if edition else []
    return render_template(
        "admin/days.html",
        edition=edition,
        days=schedule,
        counts=seat_counts(activity.id for _day, items in schedule for activity in items),
    )


# Review


@bp.get("/review")
@role_required(Role.ORGANISER)
def review():
    return render_template("admin/review_queue.html", waiting=review_queue())


@bp.get("/review/<int:activity_id>")
@role_required(Role.ORGANISER)
def review_activity(activity_id: int):
    return render_review(db.get_or_404(Activity, activity_id), SendBackForm())


def render_review(activity: Activity, form: SendBackForm, status: int = 200):
    """The review page: the changes field by field, or the whole of a new submission."""
    change = None
    if activity.pending_changes:
        change = operations.differences(activity, operations.pending_values(activity))
    venue_ids = [activity.venue_id, *(change.fields.get("venue_id", ()) if change else ())]
    return render_template(
        "admin/review.html",
        activity=activity,
        change=change,
        venues=venues_by_id(venue_ids),
        fields=operations.EDITABLE_FIELDS,
        in_review=activity.status == ActivityStatus.SUBMITTED or change is not None,
        to_tell=operations.holder_count(activity),
        confirmed=seat_counts([activity.id])[activity.id].confirmed,
        form=form,
    ), status


@bp.post("/review/<int:activity_id>/send-back")
@role_required(Role.ORGANISER)
def send_back(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = SendBackForm()
    if not form.validate():
        return render_review(activity, form, status=400)
    try:
        operations.send_back(current_user, activity, form.comment.data)
    except ValueError:
        db.session.rollback()
        flash(_("Nothing waits for review on this activity."))
        return redirect(url_for("admin.review"))
    told = len(operations.organisation_partners(activity.organisation_id))
    commit_and_deliver()
    flash(_("Sent back to %(organisation)s.", organisation=activity.organisation.text("name")))
    if told:
        flash(
            ngettext(
                "%(num)d partner account was e-mailed.",
                "%(num)d partner accounts were e-mailed.",
                told,
            )
        )
    else:
        flash(_("This organisation has no partner account: nobody was e-mailed."))
    return redirect(url_for("admin.review"))


@bp.post("/activities/<int:activity_id>/publish")
@role_required(Role.ORGANISER)
def publish_activity(activity_id: int):
    """Publish a submission or the changes waiting on a published activity; an
    organiser's own draft is submitted and published in one go."""
    activity = db.get_or_404(Activity, activity_id)
    was_in_review = activity.status != ActivityStatus.DRAFT
    now = utcnow()
    try:
        if activity.status == ActivityStatus.DRAFT:
            operations.submit_for_review(current_user, activity, now)
        change = operations.publish(current_user, activity, now)
    except ValueError:
        db.session.rollback()
        flash(_("There is nothing to publish on this activity."))
        return redirect(url_for("admin.edit_activity", activity_id=activity_id))
    commit_and_deliver()
    flash(_("Published: %(title)s", title=activity.text("title")))
    flash_notified(change)
    if was_in_review:
        return redirect(url_for("admin.review"))
    return redirect(url_for("admin.edit_activity", activity_id=activity_id))


def flash_notified(change: operations.Change) -> None:
    if change.informed:
        flash(
            ngettext(
                "%(num)d person holding a place was e-mailed the new time or place, with the "
                "updated calendar entry.",
                "%(num)d people holding a place were e-mailed the new time or place, with "
                "the updated calendar entry.",
                change.informed,
            )
        )
    if change.promoted:
        flash(
            ngettext(
                "%(num)d person on the waiting list got a place and was e-mailed.",
                "%(num)d people on the waiting list got a place and were e-mailed.",
                change.promoted,
            )
        )


# Activities


@bp.get("/activities")
@role_required(Role.ORGANISER)
def activities():
    organisations = all_organisations()
    years = edition_years()
    filters, ignored = ActivityFilters.from_args(
        request.args, organisations=[o.slug for o in organisations], years=years
    )
    return render_template(
        "admin/activities.html",
        activities=activity_list(filters),
        filters=filters,
        notices=[
            _("The filter %(name)s=%(value)s is not known and was ignored.", name=n, value=v)
            for n, v in ignored
        ],
        organisations=organisations,
        years=years,
        statuses=list(ActivityStatus),
        kinds=list(ActivityKind),
    )


@bp.route("/activities/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_activity():
    edition = current_edition()
    if edition is None:
        return render_template(
            "admin/activity_form.html",
            form=None,
            editions_url=optional_url("admin_settings.editions"),
        ), 200 if request.method == "GET" else 409
    form = (
        NewActivityForm()
        .prepare(edition=edition, kinds=list(ActivityKind), venues=all_venues())
        .with_organisations(all_organisations())
    )
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("admin/activity_form.html", form=form, edition=edition), status
    activity = operations.create_activity(
        current_user, edition, form.organisation_id.data, form.values(chosen_venue_id(form))
    )
    db.session.commit()
    flash(_("The draft is saved. Publish it when it is ready."))
    return redirect(url_for("admin.edit_activity", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = ActivityForm().prepare(
        edition=activity.edition,
        kinds=list(ActivityKind),
        venues=all_venues(),
        confirmed_count=seat_counts([activity.id])[activity.id].confirmed,
    )
    if request.method == "GET":
        form.fill_from(activity)
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template(
            "admin/activity_form.html", form=form, activity=activity, edition=activity.edition
        ), status
    change = operations.edit_as_organiser(
        current_user, activity, form.values(chosen_venue_id(form)), utcnow()
    )
    commit_and_deliver()
    flash(_("Saved.") if change.fields else _("Nothing was changed."))
    flash_notified(change)
    return redirect(url_for("admin.edit_activity", activity_id=activity_id))


def chosen_venue_id(form: ActivityForm) -> int | None:
    """The venue picked in `form`: None online, or a place just created or found."""
    if form.venue_id.data == ONLINE:
        return None
    if form.venue_id.data == NEW_VENUE:
        return operations.find_or_create_venue(current_user, form.new_venue()).id
    return form.venue_id.data


@bp.route("/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def cancel_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = CancelForm()
    status = 200
    if request.method == "POST":
        if activity.status == ActivityStatus.CANCELLED:
            status = 409
        elif not form.validate():
            status = 400
        else:
            return cancel_and_report(activity, form.reason.data or "")
    return render_template(
        "admin/activity_cancel.html",
        activity=activity,
        form=form,
        to_tell=operations.holder_count(activity),
    ), status


def cancel_and_report(activity: Activity, reason: str):
    told = operations.cancel_activity(current_user, activity, utcnow(), reason)
    commit_and_deliver()
    flash(_("Cancelled: %(title)s", title=activity.text("title")))
    flash(
        ngettext(
            "%(num)d person holding a place was e-mailed the cancellation.",
            "%(num)d people holding a place were e-mailed the cancellation.",
            told,
        )
    )
    return redirect(url_for("admin.activities"))

"""The organisers' settings and records: editions, organisations, venues, users,
the outbox and the audit log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventweek.accounts import labels as account_labels
from eventweek.accounts import operations as accounts
from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role, User
from eventweek.admin.settings_forms import (
    ACCOUNT_REFUSALS,
    NO_ORGANISATION,
    AuditFilterForm,
    EditAccountForm,
    EditionForm,
    NewAccountForm,
    OrganisationForm,
    VenueForm,
)
from eventweek.audit import queries as audit_queries
from eventweek.extensions import db
from eventweek.outbox import queries as outbox_queries
from eventweek.outbox.delivery import commit_and_deliver, deliver, retry_failed
from eventweek.registrations.models import utcnow
from eventweek.sessions import settings_operations as settings
from eventweek.sessions.demo import coming_year
from eventweek.sessions.models import Activity, Edition, Organisation, Venue
from eventweek.sessions.queries import brussels_today

bp = Blueprint("admin_settings", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 50


@bp.after_request
def keep_private(response):
    response.cache_control.no_store = True
    return response


def acting_user() -> User:
    return current_user._get_current_object()


def form_page(template: str, form: FlaskForm, save: Callable[[], str], **context):
    """GET: the form. POST: validate, `save` (which returns where to go next), commit and
    go there; or the form again, with the messages by the fields, answering 400."""
    if request.method == "GET":
        return render_template(template, form=form, **context)
    if form.validate():
        try:
            target = save()
        except (settings.SettingsError, accounts.AccountError) as refusal:
            db.session.rollback()
            field, message = refusal_message(refusal)
            form[field].errors.append(message)
        else:
            commit_and_deliver()
            return redirect(target)
    return render_template(template, form=form, **context), 400


def refusal_message(refusal: Exception) -> tuple[str, str]:
    if isinstance(refusal, settings.SettingsError):
        return refusal.field, refusal.message
    return ACCOUNT_REFUSALS[type(refusal)]


# The outbox


@bp.get("/outbox")
@role_required(Role.ORGANISER)
def outbox():
    summary = outbox_queries.summary()
    age = summary.oldest_pending_age(utcnow())
    return render_template(
        "admin/outbox.html",
        summary=summary,
        oldest_pending_age=format_timedelta(age, threshold=1.1) if age is not None else None,
    )


@bp.post("/outbox/retry")
@role_required(Role.ORGANISER)
def retry_outbox():
    message_ids = retry_failed(utcnow(), actor=acting_user())
    db.session.commit()
    if not message_ids:
        flash(_("No failed message to retry."))
        return redirect(url_for(".outbox"))
    # One attempt now, so that the page shows the outcome; the worker takes what is left.
    report = deliver(message_ids=message_ids)
    flash(
        ngettext(
            "%(num)d message was put back in the queue.",
            "%(num)d messages were put back in the queue.",
            len(message_ids),
        )
    )
    flash(
        _(
            "Sent now: %(sent)d. Still waiting: %(waiting)d.",
            sent=report.sent,
            waiting=len(message_ids) - report.sent,
        )
    )
    return redirect(url_for(".outbox"))


# The audit log: read-only, there is no route that changes it.


@bp.get("/audit")
@role_required(Role.ORGANISER)
def audit():
    form = AuditFilterForm(formdata=request.args).offer(
        audit_queries.actions(), audit_queries.subject_types()
    )
    if not form.validate():
        return render_template("admin/audit.html", form=form, pagination=None), 400
    query = audit_queries.entries(
        action=form.action.data or None,
        subject_type=form.subject_type.data or None,
        subject_id=form.subject_id.data,
    )
    pagination = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=AUDIT_PAGE_SIZE, error_out=False
    )
    return render_template(
        "admin/audit.html", form=form, pagination=pagination, details=audit_queries.details
    )


# Editions


@bp.get("/editions")
@role_required(Role.ORGANISER)
def editions():
    rows = db.session.execute(
        select(Edition, func.count(Activity.id))
        .outerjoin(Activity, Activity.edition_id == Edition.id)
        .group_by(Edition.id)
        .order_by(Edition.year.desc())
    ).all()
    return render_template("admin/editions.html", rows=rows)


@bp.route("/editions/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_edition():
    form = EditionForm()
    if request.method == "GET":
        form.year.data = next_free_year()

    def save() -> str:
        edition = settings.create_edition(
            form.year.data, form.first_day.data, form.last_day.data, actor=acting_user()
        )
        flash(_("The %(year)d edition is created.", year=edition.year))
        return url_for(".editions")

    return form_page("admin/editions_form.html", form, save, edition=None)


@bp.route("/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_edition(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = EditionForm(obj=edition)

    def save() -> str:
        settings.update_edition(
            edition, form.year.data, form.first_day.data, form.last_day.data, actor=acting_user()
        )
        flash(_("The %(year)d edition is saved.", year=edition.year))
        return url_for(".editions")

    return form_page("admin/editions_form.html", form, save, edition=edition)


def next_free_year() -> int:
    """The coming week's year, or the first year after it without an edition."""
    taken = set(db.session.execute(select(Edition.year)).scalars())
    year = coming_year(brussels_today())
    while year in taken:
        year += 1
    return year


# Organisations


@bp.get("/organisations")
@role_required(Role.ORGANISER)
def organisations():
    listed = db.session.execute(select(Organisation).order_by(Organisation.name_fr)).scalars()
    return render_template("admin/organisations.html", organisations=list(listed))


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_organisation():
    form = OrganisationForm()

    def save() -> str:
        organisation = settings.create_organisation(form.data, actor=acting_user())
        flash(_("%(name)s is created.", name=organisation.text("name")))
        return url_for(".organisations")

    return form_page("admin/organisations_form.html", form, save, organisation=None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)

    def save() -> str:
        settings.update_organisation(organisation, form.data, actor=acting_user())
        flash(_("%(name)s is saved.", name=organisation.text("name")))
        return url_for(".organisations")

    return form_page("admin/organisations_form.html", form, save, organisation=organisation)


# Venues


@bp.get("/venues")
@role_required(Role.ORGANISER)
def venues():
    listed = db.session.execute(select(Venue).order_by(Venue.name, Venue.street)).scalars()
    return render_template("admin/venues.html", venues=list(listed))


@bp.route("/venues/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_venue():
    form = VenueForm()

    def save() -> str:
        venue = settings.create_venue(form.data, actor=acting_user())
        flash(_("%(name)s is created.", name=venue.name))
        return url_for(".venues")

    return form_page("admin/venues_form.html", form, save, venue=None)


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_venue(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    form = VenueForm(obj=venue)

    def save() -> str:
        settings.update_venue(venue, form.data, actor=acting_user())
        flash(_("%(name)s is saved.", name=venue.name))
        return url_for(".venues")

    return form_page("admin/venues_form.html", form, save, venue=venue)


# Users


@bp.get("/users")
@role_required(Role.ORGANISER)
def users():
    listed = db.session.execute(
        select(User).options(selectinload(User.organisation)).order_by(User.role, User.email)
    ).scalars()
    return render_template("admin/users.html", users=list(listed), role_label=account_labels.role)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_user():
    form = NewAccountForm().offer(all_organisations())

    def save() -> str:
        user = accounts.invite_user(
            form.email.data,
            form.role.data,
            chosen_organisation(form),
            form.language.data,
            actor=acting_user(),
        )
        flash(
            _(
                "The account %(email)s is created. An e-mail invites its owner to choose a "
                "password.",
                email=user.email,
            )
        )
        return url_for(".users")

    return form_page("admin/users_new.html", form, save)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditAccountForm(
        data={
            "role": user.role.value,
            "organisation_id": user.organisation_id or NO_ORGANISATION,
            "is_active": user.is_active,
        }
    ).offer(all_organisations())

    def save() -> str:
        accounts.update_account(
            user,
            form.role.data,
            chosen_organisation(form),
            form.is_active.data,
            actor=acting_user(),
        )
        flash(_("The account %(email)s is saved.", email=user.email))
        return url_for(".users")

    return form_page("admin/users_edit.html", form, save, user=user, role_label=account_labels.role)


def all_organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name_fr)).scalars())


def chosen_organisation(form) -> Organisation | None:
    if form.organisation_id.data == NO_ORGANISATION:
        return None
    return db.get_or_404(Organisation, form.organisation_id.data)

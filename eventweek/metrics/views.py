"""The dashboard `/metrics`, its charts, and the organisers' `/admin/metrics`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role
from eventweek.extensions import db
from eventweek.i18n import current_language
from eventweek.metrics import dashboard, operations
from eventweek.metrics.dashboard import CONSULTATION_KEY, Table
from eventweek.metrics.forms import GoalForm, ImportForm
from eventweek.metrics.imports import HEADER, ImportRefused
from eventweek.sessions.programme_cache import (
    CachedPart,
    cached_part,
    conditional_response,
    page_for_everyone,
    programme_version,
    reads_only,
)
from eventweek.sessions.queries import current_edition
from eventweek.spreadsheets import csv_file
from eventweek.templating import language_links

bp = Blueprint("metrics", __name__)

# Shown in full on a refused import; beyond that, a count.
ERRORS_SHOWN = 200


def find_table(tables: list[Table], name: str) -> Table:
    table = next((table for table in tables if table.name == name), None)
    if table is None:
        abort(404)
    return table


# The dashboard and its charts are cached on the programme's version: its content holds
# the audit log's newest entry, and every change of the figures (an import, a goal) is
# written there (`operations`); the week's outreach counts registrations (its seats).


@bp.get("/metrics")
@reads_only
def public_dashboard():
    if current_user.is_authenticated:
        # Staff: the layout holds their name and a CSRF token, never shared.
        return render_dashboard()
    version = programme_version()
    return page_for_everyone(
        "metrics.page",
        (current_language(),),
        version.content + version.seats,
        # Shared: its language links lead back to the plain address, not the first reader's.
        lambda: render_dashboard(url_for("metrics.public_dashboard")),
    )


def render_dashboard(here: str | None = None) -> str:
    edition = current_edition()
    return render_template(
        "metrics/dashboard.html",
        tables=dashboard.public_tables(edition),
        edition=edition,
        language_links=language_links(here),
    )


@bp.get("/metrics/charts/<name>.svg")
@reads_only
def chart(name: str):
    version = programme_version()
    # The network's charts do not move with each registration, only the outreach's.
    depends_on = version.content
    if name.startswith(dashboard.OUTREACH_PREFIX):
        depends_on += version.seats
    drawn = cached_part(
        "metrics.chart",
        (name, current_language()),
        depends_on,
        lambda: CachedPart(draw_chart(name).encode()),
    )
    return conditional_response(drawn, "image/svg+xml")


def draw_chart(name: str) -> str:
    table = find_table(dashboard.public_tables(current_edition()), name)
    if table.chart is None or not table.rows:
        abort(404)
    return dashboard.table_chart(table)


def admin_page(import_form=None, goal_form=None, import_errors=None, status=200):
    edition = current_edition()
    return (
        render_template(
            "metrics/admin.html",
            tables=dashboard.organiser_tables(edition),
            edition=edition,
            import_form=import_form or ImportForm(formdata=None),
            goal_form=goal_form or GoalForm(formdata=None),
            import_errors=import_errors or [],
            errors_shown=ERRORS_SHOWN,
            csv_header=",".join(HEADER),
        ),
        status,
    )


@bp.get("/admin/metrics")
@role_required(Role.ORGANISER)
def admin_dashboard():
    return admin_page()


@bp.get("/admin/metrics/<name>.csv")
@role_required(Role.ORGANISER)
def admin_csv(name: str):
    table = find_table(dashboard.organiser_tables(current_edition()), name)
    return Response(
        csv_file(table.columns, table.csv_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="metrics-{table.name}.csv"'},
    )


@bp.post("/admin/metrics/import")
@role_required(Role.ORGANISER)
def admin_import():
    form = ImportForm()
    if not form.validate():
        return admin_page(import_form=form, status=400)
    upload = form.figures.data
    try:
        report = operations.import_file(upload.read(), current_user, upload.filename or "")
    except ImportRefused as refusal:
        db.session.rollback()
        return admin_page(import_form=form, import_errors=refusal.errors, status=400)
    db.session.commit()
    flash(
        _(
            "Figures imported: %(created)d new, %(updated)d corrected, %(unchanged)d unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for("metrics.admin_dashboard"))


@bp.post("/admin/metrics/goal")
@role_required(Role.ORGANISER)
def admin_goal():
    form = GoalForm()
    if not form.validate():
        return admin_page(goal_form=form, status=400)
    operations.set_goal(CONSULTATION_KEY, form.target.data, current_user)
    db.session.commit()
    flash(_("The goal is saved."), "success")
    return redirect(url_for("metrics.admin_dashboard"))


@bp.after_request
def keep_admin_private(response):
    if request.path.startswith("/admin/"):
        response.cache_control.no_store = True
    return response

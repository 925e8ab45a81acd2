"""The award's pages: public `/awards`, the jury's `/jury/`, the organisers' `/admin/awards/`."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, ValidationError

from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role, User
from eventweek.audit.operations import record
from eventweek.awards import labels, operations, queries
from eventweek.awards.attachments import attachment_path
from eventweek.awards.emails import queue_scoring_reminder
from eventweek.awards.forms import (
    CategoryForm,
    ConflictForm,
    CriterionForm,
    CycleForm,
    EligibilityForm,
    JurorForm,
    NominationForm,
    TieForm,
    parse_score,
)
from eventweek.awards.models import (
    PHASE_ORDER,
    AwardCategory,
    CriterionKind,
    JuryComment,
    MetricTransform,
    Nomination,
    NominationAttachment,
    OutcomeMode,
    Phase,
)
from eventweek.awards.operations import AwardRefused
from eventweek.awards.results import comments, cycle_results
from eventweek.extensions import db
from eventweek.metrics.keys import METRIC_KEYS
from eventweek.outbox.delivery import commit_and_deliver
from eventweek.registrations.models import utcnow
from eventweek.sessions.models import Organisation, OrganisationKind
from eventweek.textinput import long_text_field

bp = Blueprint("awards", __name__)


class CommentForm(FlaskForm):
    comment = long_text_field(_l("Comment for the jury's deliberation (optional)"), 3000)


def cycle_or_404(year: int | None = None):
    cycle = queries.cycle_by_year(year) if year else queries.latest_cycle()
    if cycle is None:
        abort(404)
    return cycle


def phase_reached(cycle, phase: Phase) -> bool:
    return PHASE_ORDER.index(cycle.phase) >= PHASE_ORDER.index(phase)


@bp.get("/awards")
def public_page():
    cycle = queries.latest_cycle()
    published = cycle is not None and cycle.phase is Phase.RESULTS_PUBLISHED
    return render_template(
        "awards/public.html",
        cycle=cycle,
        phases=PHASE_ORDER,
        nominees=queries.eligible_nominations(cycle)
        if cycle and phase_reached(cycle, Phase.NOMINATIONS_CLOSED)
        else [],
        results=cycle_results(cycle) if published else None,
    )


@bp.get("/awards/<int:year>/certificates/<int:nomination_id>")
def certificate(year: int, nomination_id: int):
    cycle = cycle_or_404(year)
    if cycle.phase is not Phase.RESULTS_PUBLISHED:
        abort(404)
    for item in cycle_results(cycle):
        for nominee in item.nominees:
            won = nominee.medal or (
                item.category.outcome_mode.value == "ranking" and nominee.rank == 1
            )
            if nominee.nomination_id == nomination_id and won:
                nomination = db.get_or_404(Nomination, nomination_id)
                return render_template(
                    "awards/certificate.html",
                    cycle=cycle,
                    category=item.category,
                    nominee=nominee,
                    nomination=nomination,
                )
    abort(404)


# Nominations: a hospital's partner for their own hospital, an organiser for any.


def nominable_organisations() -> list[Organisation]:
    if current_user.role == Role.PARTNER:
        organisation = current_user.organisation
        return [organisation] if organisation.kind is OrganisationKind.HOSPITAL else []
    return list(
        db.session.execute(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.HOSPITAL)
            .order_by(Organisation.name_fr)
        ).scalars()
    )


@bp.route("/awards/nominate", methods=["GET", "POST"])
@role_required(Role.PARTNER, Role.ORGANISER)
def nominate():
    cycle = cycle_or_404()
    organisations = nominable_organisations()
    if not organisations:
        abort(403)
    form = NominationForm().prepare(organisations, cycle.categories, cycle.motivation_max_length)
    open_now = cycle.phase is Phase.NOMINATIONS_OPEN and (
        cycle.nominations_deadline is None or utcnow() <= cycle.nominations_deadline
    )
    if request.method == "POST":
        if not open_now:
            flash(_("Nominations are closed."), "error")
            return render_template(
                "awards/nominate.html", form=form, cycle=cycle, open_now=False
            ), 409
        if form.validate():
            try:
                operations.nominate(
                    cycle,
                    db.get_or_404(AwardCategory, form.category_id.data),
                    db.get_or_404(Organisation, form.organisation_id.data),
                    motivation=form.motivation.data,
                    projects=form.projects.data or "",
                    contact=form.contact.data,
                    actor=current_user,
                    now=utcnow(),
                    attachments=form.attachment_files,
                    attachment_dir=attachment_dir(),
                )
            except AwardRefused as refusal:
                db.session.rollback()
                flash(str(refusal), "error")
                return render_template(
                    "awards/nominate.html", form=form, cycle=cycle, open_now=open_now
                ), 409
            db.session.commit()
            flash(
                _("The nomination is recorded. The organisers will check its eligibility."),
                "success",
            )
            return redirect(url_for("awards.public_page"))
        return render_template(
            "awards/nominate.html", form=form, cycle=cycle, open_now=open_now
        ), 400
    return render_template("awards/nominate.html", form=form, cycle=cycle, open_now=open_now)


def attachment_dir() -> Path:
    return Path(current_app.config["AWARD_ATTACHMENT_DIR"])


@bp.get("/awards/attachments/<int:attachment_id>")
@role_required(Role.JUROR, Role.ORGANISER)
def attachment(attachment_id: int):
    """A nomination's PDF, for organisers and for the jurors who may see the nomination."""
    found = db.get_or_404(NominationAttachment, attachment_id)
    if current_user.role == Role.JUROR:
        cycle = cycle_or_404()
        if found.nomination_id not in {
            n.id for n in queries.juror_nominations(cycle, current_user)
        }:
            abort(404)
    path = attachment_path(found, attachment_dir())
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=found.filename
    )


@bp.app_template_global()
def nomination_attachments(nomination_id: int) -> list[NominationAttachment]:
    return list(
        db.session.execute(
            select(NominationAttachment).where(NominationAttachment.nomination_id == nomination_id)
        ).scalars()
    )


# The jury.


def juror_nomination_or_404(nomination_id: int):
    """A nomination the signed-in juror may see; 404 for any other (recused, elsewhere)."""
    cycle = cycle_or_404()
    visible = {n.id: n for n in queries.juror_nominations(cycle, current_user)}
    if nomination_id not in visible or not phase_reached(cycle, Phase.SCORING_OPEN):
        abort(404)
    return cycle, visible[nomination_id]


@bp.get("/jury/")
@role_required(Role.JUROR)
def jury_home():
    cycle = queries.latest_cycle()
    visible = queries.juror_nominations(cycle, current_user) if cycle else []
    counts = queries.score_counts(cycle) if cycle else {}
    done = [n for n in visible if queries.is_done(n, counts, current_user.id)]
    return render_template(
        "awards/jury_home.html",
        cycle=cycle,
        nominations=visible if cycle and phase_reached(cycle, Phase.SCORING_OPEN) else [],
        done_ids={n.id for n in done},
        assigned=bool(cycle and queries.is_cycle_juror(cycle, current_user)),
    )


def score_page(cycle, nomination, errors=None, typed=None, comment_form=None, status=200):
    saved = queries.juror_scores(current_user, nomination)
    note = db.session.get(JuryComment, (nomination.id, current_user.id))
    return (
        render_template(
            "awards/score.html",
            cycle=cycle,
            nomination=nomination,
            criteria=queries.jury_criteria(nomination.category),
            saved={criterion_id: score.value for criterion_id, score in saved.items()},
            typed=typed or {},
            errors=errors or {},
            comment_form=comment_form
            or CommentForm(formdata=None, comment=note.comment if note else ""),
            conflict_form=ConflictForm(formdata=None),
            open_now=cycle.phase is Phase.SCORING_OPEN,
        ),
        status,
    )


@bp.get("/jury/nominations/<int:nomination_id>")
@role_required(Role.JUROR)
def score(nomination_id: int):
    cycle, nomination = juror_nomination_or_404(nomination_id)
    return score_page(cycle, nomination)


@bp.post("/jury/nominations/<int:nomination_id>")
@role_required(Role.JUROR)
def save_score(nomination_id: int):
    cycle, nomination = juror_nomination_or_404(nomination_id)
    comment_form = CommentForm()
    typed = {
        c.id: request.form.get(f"score-{c.id}", "")
        for c in queries.jury_criteria(nomination.category)
    }
    errors, values = {}, {}
    for criterion_id, raw in typed.items():
        try:
            values[criterion_id] = parse_score(raw)
        except ValidationError as error:
            errors[criterion_id] = str(error)
    if not comment_form.validate() or errors:
        return score_page(cycle, nomination, errors, typed, comment_form, status=400)
    try:
        operations.save_scores(nomination, current_user, values, comment_form.comment.data or "")
    except AwardRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return score_page(cycle, nomination, typed=typed, comment_form=comment_form, status=409)
    db.session.commit()
    flash(_("Your scores are saved. You can change them until scoring closes."), "success")
    return redirect(url_for("awards.jury_home"))


@bp.post("/jury/nominations/<int:nomination_id>/conflict")
@role_required(Role.JUROR)
def declare_conflict(nomination_id: int):
    cycle, nomination = juror_nomination_or_404(nomination_id)
    form = ConflictForm()
    if not form.validate():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return score_page(cycle, nomination, status=400)
    try:
        operations.declare_conflict(nomination, current_user, form.reason.data)
    except AwardRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return score_page(cycle, nomination, status=409)
    db.session.commit()
    flash(_("You no longer see this nomination, and your scores on it do not count."), "success")
    return redirect(url_for("awards.jury_home"))


# Organisers.


@bp.after_request
def keep_private(response):
    if request.path.startswith(("/admin/", "/jury/")):
        response.cache_control.no_store = True
    return response


@bp.get("/admin/awards/")
@role_required(Role.ORGANISER)
def admin_home():
    cycle = queries.latest_cycle()
    if cycle is None:
        return render_template("awards/admin.html", cycle=None)
    nominations = queries.nominations(cycle)
    jurors = list(
        db.session.execute(
            select(User).where(User.id.in_(queries.cycle_juror_ids(cycle))).order_by(User.email)
        ).scalars()
    )
    recusals, progress, expected = queries.jury_progress(cycle, nominations, jurors)
    show_results = phase_reached(cycle, Phase.SCORING_CLOSED)
    return render_template(
        "awards/admin.html",
        cycle=cycle,
        phases=PHASE_ORDER,
        next_phase=operations.next_phase(cycle),
        nominations=nominations,
        jurors=jurors,
        progress=progress,
        expected=expected,
        recused_count={n.id: sum(1 for pair in recusals if pair[0] == n.id) for n in nominations},
        scored_by=queries.scored_by(cycle, nominations, recusals),
        results=cycle_results(cycle) if show_results else None,
        comments=comments([n.id for n in nominations]) if show_results else {},
        eligibility_form=EligibilityForm(formdata=None),
        tie_form=TieForm(formdata=None),
    )


def setup_page(status=200, **forms):
    cycle = queries.latest_cycle()
    organisations = all_organisations()
    juror_form = prepared_juror_form(forms.get("juror_form") or JurorForm(formdata=None))
    criterion_form = prepared_criterion_form(
        cycle, forms.get("criterion_form") or CriterionForm(formdata=None)
    )
    return (
        render_template(
            "awards/setup.html",
            cycle=cycle,
            cycle_form=forms.get("cycle_form") or CycleForm(formdata=None),
            category_form=forms.get("category_form") or CategoryForm(formdata=None),
            criterion_form=criterion_form,
            juror_form=juror_form,
            jury=db.session.execute(
                select(User).where(User.id.in_(queries.cycle_juror_ids(cycle))).order_by(User.email)
            )
            .scalars()
            .all()
            if cycle
            else [],
            affiliations=queries.affiliations(queries.cycle_juror_ids(cycle)) if cycle else {},
            organisation_names={o.id: o.text("name") for o in organisations},
        ),
        status,
    )


def all_organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name_fr)).scalars())


def prepared_juror_form(form: JurorForm) -> JurorForm:
    jurors = db.session.execute(
        select(User).where(User.role == Role.JUROR).order_by(User.email)
    ).scalars()
    form.user_id.choices = [SelectChoice(j.id, j.email) for j in jurors]
    form.organisation_ids.choices = [
        SelectChoice(o.id, o.text("name")) for o in all_organisations()
    ]
    return form


def prepared_criterion_form(cycle, form: CriterionForm) -> CriterionForm:
    form.category_id.choices = [
        SelectChoice(c.id, c.text("name")) for c in (cycle.categories if cycle else [])
    ]
    form.metric_key.choices = [SelectChoice("", "–")] + [
        SelectChoice(key, str(metric.label)) for key, metric in METRIC_KEYS.items()
    ]
    return form


def setup_done(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("awards.setup"))


def setup_refused(refusal: AwardRefused):
    db.session.rollback()
    flash(str(refusal), "error")
    return redirect(url_for("awards.setup"))


@bp.get("/admin/awards/setup")
@role_required(Role.ORGANISER)
def setup():
    return setup_page()


@bp.post("/admin/awards/cycles")
@role_required(Role.ORGANISER)
def create_cycle():
    form = CycleForm()
    if not form.validate():
        return setup_page(400, cycle_form=form)
    fields = ("year", "reference_start", "reference_end", "min_jurors", "normalisation")
    try:
        operations.create_cycle({name: getattr(form, name).data for name in fields}, current_user)
    except AwardRefused as refusal:
        return setup_refused(refusal)
    return setup_done(_("The award cycle is created."))


@bp.post("/admin/awards/<int:year>/categories")
@role_required(Role.ORGANISER)
def add_category(year: int):
    cycle = cycle_or_404(year)
    form = CategoryForm()
    if not form.validate():
        return setup_page(400, category_form=form)
    values = {
        name: getattr(form, name).data
        for name in ("key", "name_fr", "name_nl", "name_en", "gold_threshold", "silver_threshold")
    }
    values["bronze_threshold"] = form.bronze_threshold.data
    values["outcome_mode"] = OutcomeMode(form.outcome_mode.data)
    try:
        operations.add_category(cycle, values, current_user)
    except AwardRefused as refusal:
        return setup_refused(refusal)
    return setup_done(_("The category is added."))


@bp.post("/admin/awards/<int:year>/criteria")
@role_required(Role.ORGANISER)
def add_criterion(year: int):
    cycle = cycle_or_404(year)
    form = prepared_criterion_form(cycle, CriterionForm())
    if not form.validate():
        return setup_page(400, criterion_form=form)
    category = db.get_or_404(AwardCategory, form.category_id.data)
    texts = ("name_fr", "name_nl", "name_en", "description_fr", "description_nl", "description_en")
    values = {name: getattr(form, name).data or "" for name in texts}
    values["weight"] = form.weight.data
    values["kind"] = CriterionKind(form.kind.data)
    values["metric_key"] = form.metric_key.data or None
    values["metric_transform"] = MetricTransform(form.metric_transform.data or "period_value")
    try:
        operations.add_criterion(category, values, current_user)
    except AwardRefused as refusal:
        return setup_refused(refusal)
    return setup_done(_("The criterion is added."))


@bp.post("/admin/awards/<int:year>/jurors")
@role_required(Role.ORGANISER)
def assign_juror(year: int):
    cycle = cycle_or_404(year)
    form = prepared_juror_form(JurorForm())
    if not form.validate():
        return setup_page(400, juror_form=form)
    try:
        operations.assign_juror(
            cycle, db.get_or_404(User, form.user_id.data), form.organisation_ids.data, current_user
        )
    except AwardRefused as refusal:
        return setup_refused(refusal)
    return setup_done(_("The juror is on the jury."))


@bp.post("/admin/awards/<int:year>/advance")
@role_required(Role.ORGANISER)
def advance(year: int):
    cycle = cycle_or_404(year)
    if not FlaskForm().validate():
        abort(400)
    try:
        phase = operations.advance_phase(cycle, current_user, utcnow())
    except AwardRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("awards.admin_home"))
    db.session.commit()
    flash(_("The award is now in the phase: %(phase)s.", phase=labels.phase(phase)), "success")
    return redirect(url_for("awards.admin_home"))


@bp.post("/admin/awards/<int:year>/remind")
@role_required(Role.ORGANISER)
def remind(year: int):
    """E-mail every juror who still has nominations to score (through the outbox)."""
    cycle = cycle_or_404(year)
    if not FlaskForm().validate():
        abort(400)
    if cycle.phase is not Phase.SCORING_OPEN:
        flash(_("Reminders are sent while scoring is open."), "error")
        return redirect(url_for("awards.admin_home"))
    jurors = list(
        db.session.execute(
            select(User).where(User.id.in_(queries.cycle_juror_ids(cycle)))
        ).scalars()
    )
    _recusals, progress, expected = queries.jury_progress(cycle, queries.nominations(cycle), jurors)
    sent = 0
    for juror in jurors:
        left = expected[juror.id] - progress[juror.id]
        if left > 0 and juror.is_active:
            queue_scoring_reminder(juror, cycle.year, left)
            sent += 1
    record(current_user, "award.jurors_reminded", "award_cycle", cycle.id, jurors=sent)
    commit_and_deliver()
    flash(ngettext("%(num)d juror reminded.", "%(num)d jurors reminded.", sent), "success")
    return redirect(url_for("awards.admin_home"))


@bp.post("/admin/awards/nominations/<int:nomination_id>/eligibility")
@role_required(Role.ORGANISER)
def eligibility(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    form = EligibilityForm()
    if not form.validate():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("awards.admin_home")), 303
    operations.set_eligibility(
        nomination, form.eligible.data == "yes", form.reason.data, current_user
    )
    db.session.commit()
    flash(_("Eligibility saved."), "success")
    return redirect(url_for("awards.admin_home"))


@bp.post("/admin/awards/categories/<int:category_id>/tie")
@role_required(Role.ORGANISER)
def decide_tie(category_id: int):
    category = db.get_or_404(AwardCategory, category_id)
    form = TieForm()
    if not form.validate():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("awards.admin_home"))
    try:
        ids = [int(part) for part in form.order.data.replace(" ", "").split(",") if part]
    except ValueError:
        ids = []
    nominations = [db.session.get(Nomination, i) for i in ids]
    if not ids or any(n is None or n.category_id != category.id for n in nominations):
        flash(_("Give the numbers of nominations of this category, separated by commas."), "error")
        return redirect(url_for("awards.admin_home"))
    try:
        operations.decide_tie(category, nominations, form.reason.data, current_user)
    except AwardRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("awards.admin_home"))
    db.session.commit()
    flash(_("The jury's decision is recorded."), "success")
    return redirect(url_for("awards.admin_home"))


@bp.app_context_processor
def award_labels():
    return {"award_labels": labels}


@bp.app_template_filter("award_number")
def award_number(value, decimals: int | None = None) -> str:
    """A weight, score or total in the reader's number format (totals to two decimals)."""
    if decimals is None:
        return format_decimal(value)
    return format_decimal(round(float(value), decimals), format="#,##0." + "0" * decimals)

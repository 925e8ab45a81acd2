"""Changes of state of the award, each one written to the audit log with who made it.

They flush; the caller commits. A refused change raises AwardRefused with a message for
the person who asked.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from eventweek.accounts.models import User
from eventweek.audit.operations import change, record
from eventweek.awards.attachments import store
from eventweek.awards.models import (
    PHASE_ORDER,
    AwardCategory,
    AwardCriterion,
    AwardCycle,
    AwardJuror,
    CriterionKind,
    JurorAffiliation,
    JuryComment,
    Nomination,
    Phase,
    Recusal,
    Score,
    TieBreak,
)
from eventweek.awards.queries import juror_scores, jury_criteria
from eventweek.extensions import db
from eventweek.sessions.models import Organisation


class AwardRefused(Exception):
    pass


def next_phase(cycle: AwardCycle) -> Phase | None:
    index = PHASE_ORDER.index(cycle.phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def advance_phase(cycle: AwardCycle, actor: User | None, now: datetime) -> Phase:
    """Move the cycle to its next phase; publishing freezes the scores."""
    new = next_phase(cycle)
    if new is None:
        raise AwardRefused(_("The results are published: the cycle has no further phase."))
    old = cycle.phase
    cycle.phase = new
    if new is Phase.RESULTS_PUBLISHED:
        cycle.published_at = now
    db.session.flush()
    record(actor, "award.phase_changed", "award_cycle", cycle.id, phase=change(old, new))
    return new


def nominate(
    cycle: AwardCycle,
    category: AwardCategory,
    organisation: Organisation,
    *,
    motivation: str,
    projects: str,
    contact: str,
    actor: User,
    now: datetime,
    attachments: list[tuple[str, bytes]] = (),
    attachment_dir: Path | None = None,
) -> Nomination:
    if cycle.phase is not Phase.NOMINATIONS_OPEN or (
        cycle.nominations_deadline is not None and now > cycle.nominations_deadline
    ):
        raise AwardRefused(_("Nominations are closed."))
    if category.cycle_id != cycle.id:
        raise AwardRefused(_("This category is not part of the award."))
    taken = db.session.execute(
        select(Nomination.id).where(
            Nomination.cycle_id == cycle.id, Nomination.organisation_id == organisation.id
        )
    ).first()
    if taken:
        raise AwardRefused(_("This hospital is already nominated for this edition."))
    nomination = Nomination(
        cycle_id=cycle.id,
        category_id=category.id,
        organisation_id=organisation.id,
        motivation=motivation,
        projects=projects,
        contact=contact,
        nominated_by_id=actor.id,
        created_at=now,
    )
    db.session.add(nomination)
    db.session.flush()
    for filename, data in attachments:
        store(nomination, filename, data, attachment_dir)
    record(
        actor,
        "award.nominated",
        "nomination",
        nomination.id,
        organisation=organisation.slug,
        category=category.key,
        attachments=len(attachments),
    )
    return nomination


def set_eligibility(nomination: Nomination, eligible: bool, reason: str, actor: User) -> None:
    old = nomination.eligible
    nomination.eligible = eligible
    nomination.eligibility_reason = reason
    db.session.flush()
    record(
        actor,
        "award.eligibility_set",
        "nomination",
        nomination.id,
        eligible=change(old, eligible),
        reason=reason,
    )


def declare_conflict(nomination: Nomination, juror: User, reason: str) -> None:
    """The juror steps back from the nomination; their scores on it no longer count."""
    if nomination.cycle.scores_frozen:
        raise AwardRefused(_("The results are published: nothing can change any more."))
    db.session.add(Recusal(nomination_id=nomination.id, juror_id=juror.id, reason=reason))
    db.session.flush()
    record(juror, "award.conflict_declared", "nomination", nomination.id, reason=reason)


def check_score(value: Decimal) -> None:
    if not (0 <= value <= 10) or (value * 2) % 1 != 0:
        raise AwardRefused(_("A score is a whole or half point from 0 to 10."))


def save_scores(
    nomination: Nomination, juror: User, values: dict[int, Decimal | None], comment: str
) -> int:
    """Save a juror's scores (a draft until scoring closes); returns how many changed.

    Every changed score is recorded in the audit trail with its old and new value.
    """
    if nomination.cycle.phase is not Phase.SCORING_OPEN:
        raise AwardRefused(_("Scoring is not open."))
    existing = juror_scores(juror, nomination)
    changed = 0
    for criterion in jury_criteria(nomination.category):
        value = values.get(criterion.id)
        score = existing.get(criterion.id)
        old = score.value if score else None
        if value is None:
            if score is not None:
                db.session.delete(score)
            else:
                continue
        else:
            check_score(value)
            if old is not None and old == value:
                continue
            if score is None:
                db.session.add(
                    Score(
                        nomination_id=nomination.id,
                        juror_id=juror.id,
                        criterion_id=criterion.id,
                        value=value,
                    )
                )
            else:
                score.value = value
        changed += 1
        record(
            juror,
            "award.score_saved",
            "nomination",
            nomination.id,
            criterion=criterion.id,
            value=change(str(old) if old is not None else None, str(value) if value else None),
        )
    note = db.session.get(JuryComment, (nomination.id, juror.id))
    if (note.comment if note else "") != comment:
        if note is None:
            note = JuryComment(nomination_id=nomination.id, juror_id=juror.id)
            db.session.add(note)
        record(juror, "award.comment_saved", "nomination", nomination.id)
        note.comment = comment
    db.session.flush()
    return changed


def decide_tie(category: AwardCategory, order: list[Nomination], reason: str, actor: User) -> None:
    """Record the jury's order for tied nominees (first is placed highest), with its reason."""
    if category.cycle.phase is not Phase.SCORING_CLOSED:
        raise AwardRefused(_("Ties are decided once scoring is closed, before publication."))
    for position, nomination in enumerate(order, start=1):
        decision = db.session.get(TieBreak, (category.id, nomination.id))
        if decision is None:
            decision = TieBreak(category_id=category.id, nomination_id=nomination.id)
            db.session.add(decision)
        decision.position = position
        decision.reason = reason
        decision.decided_by_id = actor.id
    db.session.flush()
    record(
        actor,
        "award.tie_decided",
        "award_category",
        category.id,
        order=[nomination.id for nomination in order],
        reason=reason,
    )


# Set-up by organisers: only before scoring opens, so that no score is given on a moving
# set of criteria.


def check_setup_open(cycle: AwardCycle) -> None:
    if PHASE_ORDER.index(cycle.phase) >= PHASE_ORDER.index(Phase.SCORING_OPEN):
        raise AwardRefused(_("Criteria and jurors are set before scoring opens."))


def create_cycle(values: dict, actor: User) -> AwardCycle:
    if db.session.execute(select(AwardCycle.id).where(AwardCycle.year == values["year"])).first():
        raise AwardRefused(_("The award of this year already exists."))
    cycle = AwardCycle(**values)
    db.session.add(cycle)
    db.session.flush()
    record(actor, "award.cycle_created", "award_cycle", cycle.id, **values)
    return cycle


def add_category(cycle: AwardCycle, values: dict, actor: User) -> AwardCategory:
    check_setup_open(cycle)
    if any(category.key == values["key"] for category in cycle.categories):
        raise AwardRefused(_("A category of this award already has this identifier."))
    category = AwardCategory(cycle=cycle, **values)
    db.session.add(category)
    db.session.flush()
    record(actor, "award.category_added", "award_category", category.id, **values)
    return category


def add_criterion(category: AwardCategory, values: dict, actor: User) -> AwardCriterion:
    check_setup_open(category.cycle)
    if values["kind"] is CriterionKind.JURY:
        values = {**values, "metric_key": None, "metric_transform": None}
    criterion = AwardCriterion(category=category, position=len(category.criteria), **values)
    db.session.add(criterion)
    db.session.flush()
    record(actor, "award.criterion_added", "award_criterion", criterion.id, **values)
    return criterion


def assign_juror(cycle: AwardCycle, juror: User, organisation_ids: list[int], actor: User) -> None:
    """Put a juror on the cycle's jury and record their affiliations (which recuse them)."""
    check_setup_open(cycle)
    if juror.role != "juror":
        raise AwardRefused(_("Only accounts with the juror role can be on the jury."))
    if db.session.get(AwardJuror, (cycle.id, juror.id)) is None:
        db.session.add(AwardJuror(cycle_id=cycle.id, user_id=juror.id))
    existing = set(
        db.session.execute(
            select(JurorAffiliation.organisation_id).where(JurorAffiliation.user_id == juror.id)
        ).scalars()
    )
    for organisation_id in set(organisation_ids) - existing:
        db.session.add(JurorAffiliation(user_id=juror.id, organisation_id=organisation_id))
    db.session.flush()
    record(
        actor,
        "award.juror_assigned",
        "award_cycle",
        cycle.id,
        juror=juror.id,
        affiliations=sorted(set(organisation_ids) | existing),
    )

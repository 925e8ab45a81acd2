"""Read-only queries of the award: cycles, what a juror may see, progress."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventweek.accounts.models import User
from eventweek.awards.models import (
    AwardCategory,
    AwardCriterion,
    AwardCycle,
    AwardJuror,
    CriterionKind,
    JurorAffiliation,
    Nomination,
    Recusal,
    Score,
)
from eventweek.extensions import db


def latest_cycle() -> AwardCycle | None:
    return db.session.execute(
        select(AwardCycle)
        .options(selectinload(AwardCycle.categories).selectinload(AwardCategory.criteria))
        .order_by(AwardCycle.year.desc())
        .limit(1)
    ).scalar_one_or_none()


def cycle_by_year(year: int) -> AwardCycle | None:
    return db.session.execute(
        select(AwardCycle)
        .where(AwardCycle.year == year)
        .options(selectinload(AwardCycle.categories).selectinload(AwardCategory.criteria))
    ).scalar_one_or_none()


def all_cycles() -> list[AwardCycle]:
    return list(db.session.execute(select(AwardCycle).order_by(AwardCycle.year.desc())).scalars())


def nominations(cycle: AwardCycle) -> list[Nomination]:
    return list(
        db.session.execute(
            select(Nomination)
            .where(Nomination.cycle_id == cycle.id)
            .order_by(Nomination.category_id, Nomination.id)
        ).scalars()
    )


def eligible_nominations(cycle: AwardCycle) -> list[Nomination]:
    return [nomination for nomination in nominations(cycle) if nomination.eligible]


def affiliations(user_ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for row in db.session.execute(
        select(JurorAffiliation).where(JurorAffiliation.user_id.in_(list(user_ids)))
    ).scalars():
        found.setdefault(row.user_id, set()).add(row.organisation_id)
    return found


def cycle_juror_ids(cycle: AwardCycle) -> list[int]:
    return list(
        db.session.execute(
            select(AwardJuror.user_id).where(AwardJuror.cycle_id == cycle.id)
        ).scalars()
    )


def affiliated_recusals(cycle: AwardCycle, nominations_: list[Nomination]) -> list[tuple[int, int]]:
    """(nomination, juror) pairs where the juror works for the nominated organisation."""
    by_juror = affiliations(cycle_juror_ids(cycle))
    return [
        (nomination.id, juror_id)
        for nomination in nominations_
        for juror_id, organisations in by_juror.items()
        if nomination.organisation_id in organisations
    ]


def declared_recusals(juror: User) -> set[int]:
    return set(
        db.session.execute(
            select(Recusal.nomination_id).where(Recusal.juror_id == juror.id)
        ).scalars()
    )


def is_cycle_juror(cycle: AwardCycle, juror: User) -> bool:
    return juror.id in cycle_juror_ids(cycle)


def juror_nominations(cycle: AwardCycle, juror: User) -> list[Nomination]:
    """The eligible nominations a juror may see: not their organisations', not declared."""
    if not is_cycle_juror(cycle, juror):
        return []
    own = affiliations([juror.id]).get(juror.id, set())
    declared = declared_recusals(juror)
    return [
        n
        for n in eligible_nominations(cycle)
        if n.organisation_id not in own and n.id not in declared
    ]


def jury_criteria(category: AwardCategory) -> list[AwardCriterion]:
    return [c for c in category.criteria if c.kind is CriterionKind.JURY]


def juror_scores(juror: User, nomination: Nomination) -> dict[int, Score]:
    return {
        s.criterion_id: s
        for s in db.session.execute(
            select(Score).where(Score.juror_id == juror.id, Score.nomination_id == nomination.id)
        ).scalars()
    }


def score_counts(cycle: AwardCycle) -> dict[tuple[int, int], int]:
    """{(juror id, nomination id): number of jury criteria scored}."""
    rows = db.session.execute(
        select(Score.juror_id, Score.nomination_id, func.count())
        .join(Nomination, Nomination.id == Score.nomination_id)
        .where(Nomination.cycle_id == cycle.id)
        .group_by(Score.juror_id, Score.nomination_id)
    )
    return {(juror_id, nomination_id): count for juror_id, nomination_id, count in rows}


def is_done(nomination: Nomination, counts: dict, juror_id: int) -> bool:
    return counts.get((juror_id, nomination.id), 0) >= len(jury_criteria(nomination.category))


def jury_progress(cycle: AwardCycle, nominations_: list[Nomination], jurors: list[User]):
    """The recused (nomination, juror) pairs, and per juror the eligible nominations
    scored in full and those they are expected to score."""
    counts = score_counts(cycle)
    recused = set(affiliated_recusals(cycle, nominations_)) | {
        (r.nomination_id, r.juror_id)
        for r in db.session.execute(
            select(Recusal).where(Recusal.nomination_id.in_([n.id for n in nominations_]))
        ).scalars()
    }
    eligible = [n for n in nominations_ if n.eligible]
    expected = {j.id: sum(1 for n in eligible if (n.id, j.id) not in recused) for j in jurors}
    done = {
        j.id: sum(1 for n in eligible if (n.id, j.id) not in recused and is_done(n, counts, j.id))
        for j in jurors
    }
    return recused, done, expected


def scored_by(cycle: AwardCycle, nominations_: list[Nomination], recused: set) -> dict[int, int]:
    """Per nomination, how many of the jurors who may score it have scored it in full."""
    counts = score_counts(cycle)
    juror_ids = cycle_juror_ids(cycle)
    return {
        n.id: sum(1 for j in juror_ids if (n.id, j) not in recused and is_done(n, counts, j))
        for n in nominations_
    }

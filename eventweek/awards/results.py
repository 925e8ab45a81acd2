"""From the database to the aggregation and back: each category's results for a cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from eventweek.awards.models import (
    AwardCategory,
    AwardCriterion,
    AwardCycle,
    CriterionKind,
    JuryComment,
    MetricTransform,
    Nomination,
    Recusal,
    Score,
    TieBreak,
)
from eventweek.awards.queries import affiliated_recusals, eligible_nominations
from eventweek.awards.scoring import (
    CriterionSpec,
    JuryScore,
    NomineeInput,
    NomineeResult,
    aggregate,
)
from eventweek.extensions import db
from eventweek.metrics.queries import organisation_figure


@dataclass
class CategoryResults:
    category: AwardCategory
    nominees: list[NomineeResult]
    demo_figures: bool  # a metric criterion read invented figures


def previous_period(start: date, end: date) -> tuple[date, date]:
    length = end - start
    return start - length - timedelta(days=1), start - timedelta(days=1)


def metric_value(criterion: AwardCriterion, nomination: Nomination, cycle: AwardCycle):
    """The raw value of a metric criterion for a nomination, and whether it is demo data."""
    period = (cycle.reference_start, cycle.reference_end)
    value, demo = organisation_figure(nomination.organisation_id, criterion.metric_key, *period)
    if value is None:
        return None, demo
    if criterion.metric_transform is MetricTransform.GROWTH:
        before, demo_before = organisation_figure(
            nomination.organisation_id, criterion.metric_key, *previous_period(*period)
        )
        if not before:
            return None, demo or demo_before
        return float((value - before) / before * 100), demo or demo_before
    if criterion.metric_transform is MetricTransform.PER_100_BEDS:
        beds, demo_beds = organisation_figure(nomination.organisation_id, "beds", *period)
        if not beds:
            return None, demo or demo_beds
        return float(value / beds * 100), demo or demo_beds
    return float(value), demo


def category_results(cycle: AwardCycle, category: AwardCategory) -> CategoryResults:
    nominations = [n for n in eligible_nominations(cycle) if n.category_id == category.id]
    ids = [n.id for n in nominations]
    criteria = [
        CriterionSpec(c.id, c.text("name"), c.kind.value, float(c.weight))
        for c in category.criteria
    ]
    demo = False
    nominees = []
    for nomination in nominations:
        values = {}
        for criterion in category.criteria:
            if criterion.kind is CriterionKind.METRIC:
                values[criterion.id], is_demo = metric_value(criterion, nomination, cycle)
                demo = demo or is_demo
        nominees.append(NomineeInput(nomination.id, nomination.organisation.text("name"), values))
    scores = [
        JuryScore(s.nomination_id, s.juror_id, s.criterion_id, float(s.value))
        for s in db.session.execute(select(Score).where(Score.nomination_id.in_(ids))).scalars()
    ]
    recused = set(affiliated_recusals(cycle, nominations)) | {
        (r.nomination_id, r.juror_id)
        for r in db.session.execute(select(Recusal).where(Recusal.nomination_id.in_(ids))).scalars()
    }
    tie_order = {
        t.nomination_id: t.position
        for t in db.session.execute(
            select(TieBreak).where(TieBreak.category_id == category.id)
        ).scalars()
    }
    results = aggregate(
        criteria,
        nominees,
        scores,
        recused,
        min_jurors=cycle.min_jurors,
        normalise=cycle.normalisation,
        outcome_mode=category.outcome_mode.value,
        thresholds=category.thresholds,
        tie_order=tie_order,
    )
    return CategoryResults(category, results, demo)


def cycle_results(cycle: AwardCycle) -> list[CategoryResults]:
    return [category_results(cycle, category) for category in cycle.categories]


def comments(nomination_ids: list[int]) -> dict[int, list[str]]:
    """The jurors' comments per nomination, without their authors."""
    found: dict[int, list[str]] = {}
    for row in db.session.execute(
        select(JuryComment).where(
            JuryComment.nomination_id.in_(nomination_ids), JuryComment.comment != ""
        )
    ).scalars():
        found.setdefault(row.nomination_id, []).append(row.comment)
    return found


def results_json(cycle: AwardCycle, results: list[CategoryResults]) -> dict:
    """The shape of `/api/v1/awards/<year>/results` and `flask awards results --json`."""
    nominations = {
        n.id: n
        for n in db.session.execute(
            select(Nomination).where(Nomination.cycle_id == cycle.id)
        ).scalars()
    }

    def number(value):
        return None if value is None else (float(value) if isinstance(value, Decimal) else value)

    return {
        "year": cycle.year,
        "normalisation": cycle.normalisation,
        "categories": [
            {
                "key": item.category.key,
                "name": item.category.text("name"),
                "outcome_mode": item.category.outcome_mode.value,
                "nominees": [
                    {
                        "nomination_id": nominee.nomination_id,
                        "organisation": nominations[nominee.nomination_id].organisation.slug,
                        "total": nominee.total,
                        "rank": nominee.rank,
                        "medal": nominee.medal,
                        "incomplete": nominee.incomplete,
                        "tie": nominee.tie,
                        "breakdown": [
                            {
                                "criterion": part.criterion,
                                "kind": part.kind,
                                "weight": part.weight,
                                "score": part.score,
                                "raw_value": number(part.raw_value),
                            }
                            for part in nominee.breakdown
                        ],
                    }
                    for nominee in item.nominees
                ],
            }
            for item in results
        ],
    }

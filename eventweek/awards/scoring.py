"""The award's aggregation: one plain function, the same for the results page, the CLI
and the API, so that anyone can recompute a result from the breakdown shown.

1. Jury criterion c, nomination n: the mean of the scores of the jurors not recused from n.
   Fewer than `min_jurors` scores on any jury criterion: n is *incomplete* and not ranked.
2. Optional normalisation (off by default): each juror's scores on c become z-scores over all
   the scores that juror gave on c, mapped back with the mean and (population) standard
   deviation of every score given on c, and kept within 0–10; a juror whose scores on c are
   all equal (or who gave one) keeps their raw scores. This happens before step 1.
3. Metric criterion c: the raw value v of each ranked nomination scaled to 0–10 across the
   ranked nominations, 10 × (v − min) / (max − min); all equal → 10 for all; a missing
   value → 0, flagged.
4. Total: Σ weight × score / Σ weight, at full precision (pages round it to two decimals).
5. Ranking by total, highest first; totals within 1e-9 share a rank (1, 2, 2, 4) and are
   flagged as a tie for the jury to decide (a recorded decision orders them). In the medals
   mode every ranked nominee reaching a threshold gets that medal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import fmean, pstdev

TIE_TOLERANCE = 1e-9
SCALE_MAX = 10.0
MEDALS = ("gold", "silver", "bronze")


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    name: str
    kind: str  # "jury" or "metric"
    weight: float


@dataclass(frozen=True)
class JuryScore:
    nomination_id: int
    juror_id: int
    criterion_id: int
    value: float


@dataclass(frozen=True)
class NomineeInput:
    nomination_id: int
    organisation: str
    # Metric criterion id → the nomination's raw value (None when the figure is missing).
    metric_values: Mapping[int, float | None] = field(default_factory=dict)


@dataclass
class CriterionResult:
    criterion_id: int
    criterion: str
    kind: str
    weight: float
    score: float | None
    raw_value: float | None = None
    jurors: int = 0
    missing: bool = False  # a metric without a figure, scored 0


@dataclass
class NomineeResult:
    nomination_id: int
    organisation: str
    breakdown: list[CriterionResult]
    total: float | None = None
    rank: int | None = None
    medal: str | None = None
    incomplete: bool = False
    tie: bool = False


def normalised(scores: list[JuryScore]) -> list[JuryScore]:
    """Step 2: each juror's scores on each criterion put on the criterion's common scale."""
    by_criterion: dict[int, list[JuryScore]] = defaultdict(list)
    for score in scores:
        by_criterion[score.criterion_id].append(score)
    result = []
    for criterion_scores in by_criterion.values():
        overall_mean = fmean(score.value for score in criterion_scores)
        overall_sd = pstdev([score.value for score in criterion_scores])
        by_juror: dict[int, list[JuryScore]] = defaultdict(list)
        for score in criterion_scores:
            by_juror[score.juror_id].append(score)
        for juror_scores in by_juror.values():
            values = [score.value for score in juror_scores]
            juror_sd = pstdev(values)
            if juror_sd == 0:
                result.extend(juror_scores)
                continue
            juror_mean = fmean(values)
            for score in juror_scores:
                z = (score.value - juror_mean) / juror_sd
                value = min(SCALE_MAX, max(0.0, overall_mean + z * overall_sd))
                result.append(
                    JuryScore(score.nomination_id, score.juror_id, score.criterion_id, value)
                )
    return result


def scaled(value: float | None, low: float | None, high: float | None) -> float:
    if value is None or low is None or high is None:
        return 0.0
    if high - low <= TIE_TOLERANCE:
        return SCALE_MAX
    return min(SCALE_MAX, max(0.0, SCALE_MAX * (value - low) / (high - low)))


def rank(results: list[NomineeResult], tie_order: Mapping[int, int]) -> None:
    """Step 5: competition ranking; `tie_order` (nomination → place within its tie, from a
    recorded decision) separates tied nominees, who stay flagged as tied."""
    ranked = sorted(
        (result for result in results if not result.incomplete),
        key=lambda result: -result.total,
    )
    groups: list[list[NomineeResult]] = []
    for result in ranked:
        if groups and abs(groups[-1][0].total - result.total) <= TIE_TOLERANCE:
            groups[-1].append(result)
        else:
            groups.append([result])
    position = 1
    for group in groups:
        decided = len(group) > 1 and all(r.nomination_id in tie_order for r in group)
        if decided:
            group.sort(key=lambda r: tie_order[r.nomination_id])
        for offset, result in enumerate(group):
            result.tie = len(group) > 1
            result.rank = position + offset if decided else position
        position += len(group)


def aggregate(
    criteria: Iterable[CriterionSpec],
    nominees: Iterable[NomineeInput],
    scores: Iterable[JuryScore],
    recused: Iterable[tuple[int, int]] = (),
    *,
    min_jurors: int = 2,
    normalise: bool = False,
    outcome_mode: str = "ranking",
    thresholds: Mapping[str, float] | None = None,
    tie_order: Mapping[int, int] | None = None,
) -> list[NomineeResult]:
    """Results of one category, ranked (see the module's docstring for every step).

    `recused` holds (nomination id, juror id) pairs whose scores never count. `thresholds`
    maps gold/silver/bronze to the lowest total that earns each medal.
    """
    criteria = list(criteria)
    nominees = list(nominees)
    recused = set(recused)
    counted = [s for s in scores if (s.nomination_id, s.juror_id) not in recused]
    if normalise:
        counted = normalised(counted)
    jury_values: dict[tuple[int, int], list[float]] = defaultdict(list)
    for score in counted:
        jury_values[(score.nomination_id, score.criterion_id)].append(score.value)

    results = []
    for nominee in nominees:
        breakdown = []
        for criterion in criteria:
            if criterion.kind != "jury":
                continue
            values = jury_values.get((nominee.nomination_id, criterion.id), [])
            breakdown.append(
                CriterionResult(
                    criterion.id,
                    criterion.name,
                    criterion.kind,
                    criterion.weight,
                    fmean(values) if values else None,
                    jurors=len(values),
                )
            )
        incomplete = any(item.jurors < min_jurors for item in breakdown)
        results.append(
            NomineeResult(
                nominee.nomination_id, nominee.organisation, breakdown, incomplete=incomplete
            )
        )

    ranked_ids = {result.nomination_id for result in results if not result.incomplete}
    for criterion in criteria:
        if criterion.kind != "metric":
            continue
        present = [
            value
            for nominee in nominees
            if nominee.nomination_id in ranked_ids
            and (value := nominee.metric_values.get(criterion.id)) is not None
        ]
        low, high = (min(present), max(present)) if present else (None, None)
        for nominee, result in zip(nominees, results, strict=True):
            value = nominee.metric_values.get(criterion.id)
            result.breakdown.append(
                CriterionResult(
                    criterion.id,
                    criterion.name,
                    criterion.kind,
                    criterion.weight,
                    scaled(value, low, high),
                    raw_value=value,
                    missing=value is None,
                )
            )
    order = {criterion.id: index for index, criterion in enumerate(criteria)}
    total_weight = sum(criterion.weight for criterion in criteria)
    for result in results:
        result.breakdown.sort(key=lambda item: order[item.criterion_id])
        if not result.incomplete and total_weight > 0:
            result.total = sum(item.weight * item.score for item in result.breakdown) / total_weight
    rank(results, tie_order or {})
    if outcome_mode == "medals":
        for result in results:
            if result.total is None:
                continue
            result.medal = next(
                (
                    medal
                    for medal in MEDALS
                    if medal in (thresholds or {})
                    and result.total + TIE_TOLERANCE >= thresholds[medal]
                ),
                None,
            )
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.organisation))
    return results

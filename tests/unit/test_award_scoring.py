"""The award's aggregation against results computed by hand (see eventweek/awards/scoring.py)."""

from math import sqrt

import pytest

from eventweek.awards.scoring import CriterionSpec, JuryScore, NomineeInput, aggregate

QUALITY = CriterionSpec(1, "Qualité", "jury", 2)
PRACTICE = CriterionSpec(2, "Pratique", "jury", 1)
PUBLISHED = CriterionSpec(3, "Documents publiés", "metric", 1)


def scores(table: dict[tuple[int, int], dict[int, float]]) -> list[JuryScore]:
    """{(nomination, criterion): {juror: value}} as score rows."""
    return [
        JuryScore(nomination, juror, criterion, value)
        for (nomination, criterion), by_juror in table.items()
        for juror, value in by_juror.items()
    ]


def by_id(results):
    return {result.nomination_id: result for result in results}


def test_recusal_an_incomplete_nomination_and_metric_scaling():
    nominees = [
        NomineeInput(1, "A", {3: 100}),
        NomineeInput(2, "B", {3: 300}),
        NomineeInput(3, "C", {3: None}),
        NomineeInput(4, "D", {3: 50}),
    ]
    given = scores(
        {
            (1, 1): {10: 8, 11: 6, 12: 0},  # juror 12 is recused from nomination 1
            (1, 2): {10: 5, 11: 7},
            (2, 1): {10: 9, 11: 9, 12: 6},
            (2, 2): {10: 4, 11: 6},
            (3, 1): {10: 5, 11: 5},
            (3, 2): {10: 10, 12: 8},
            (4, 1): {10: 10},  # one score only: incomplete
            (4, 2): {10: 10, 11: 10},
        }
    )
    results = aggregate([QUALITY, PRACTICE, PUBLISHED], nominees, given, recused=[(1, 12)])
    result = by_id(results)
    # Means: A 7 and 6, B 8 and 5, C 5 and 9. Metric over ranked A, B (C has none): 0, 10, 0.
    assert result[1].total == pytest.approx((2 * 7 + 6 + 0) / 4)  # 5.0
    assert result[2].total == pytest.approx((2 * 8 + 5 + 10) / 4)  # 7.75
    assert result[3].total == pytest.approx((2 * 5 + 9 + 0) / 4)  # 4.75
    assert [(r.nomination_id, r.rank) for r in results] == [(2, 1), (1, 2), (3, 3), (4, None)]
    assert result[4].incomplete and result[4].total is None
    assert result[1].breakdown[0].jurors == 2  # the recused juror's score is not counted
    metric = result[3].breakdown[2]
    assert metric.missing and metric.score == 0 and metric.raw_value is None
    assert result[2].breakdown[2].raw_value == 300 and result[2].breakdown[2].score == 10
    assert not any(r.tie for r in results)


def test_equal_totals_share_a_rank_and_a_decision_orders_them():
    nominees = [NomineeInput(n, name) for n, name in [(1, "A"), (2, "B"), (3, "C"), (4, "D")]]
    given = scores(
        {
            (1, 2): {10: 9, 11: 9},
            (2, 2): {10: 6.5, 11: 7.5},
            (3, 2): {10: 7, 11: 7},
            (4, 2): {10: 5, 11: 5},
        }
    )
    results = aggregate([PRACTICE], nominees, given)
    assert [(r.nomination_id, r.rank, r.tie) for r in results] == [
        (1, 1, False),
        (2, 2, True),
        (3, 2, True),
        (4, 4, False),
    ]
    decided = aggregate([PRACTICE], nominees, given, tie_order={3: 1, 2: 2})
    assert [(r.nomination_id, r.rank, r.tie) for r in decided][1:3] == [(3, 2, True), (2, 3, True)]


def test_totals_within_a_billionth_are_a_tie():
    nominees = [NomineeInput(1, "A"), NomineeInput(2, "B")]
    # 0.1 + 0.2 is not 0.3 in floating point; the tolerance treats them as equal.
    given = scores({(1, 2): {10: 0.1 + 0.2, 11: 0.3}, (2, 2): {10: 0.3, 11: 0.3}})
    results = aggregate([PRACTICE], nominees, given)
    assert [r.rank for r in results] == [1, 1] and all(r.tie for r in results)


def test_normalisation_on_and_off():
    nominees = [NomineeInput(1, "A"), NomineeInput(2, "B")]
    # Juror 10 spreads their scores; juror 11 gives the same to everyone (kept raw).
    given = scores({(1, 2): {10: 8, 11: 4}, (2, 2): {10: 6, 11: 4}})
    plain = by_id(aggregate([PRACTICE], nominees, given))
    assert (plain[1].total, plain[2].total) == (6, 5)
    spread = sqrt(2.75)  # population SD of 8, 6, 4, 4 around their mean 5.5
    normalised = by_id(aggregate([PRACTICE], nominees, given, normalise=True))
    assert normalised[1].total == pytest.approx((5.5 + spread + 4) / 2)
    assert normalised[2].total == pytest.approx((5.5 - spread + 4) / 2)


def test_a_metric_with_equal_values_gives_ten_to_all():
    nominees = [NomineeInput(1, "A", {3: 40}), NomineeInput(2, "B", {3: 40})]
    results = aggregate([PUBLISHED], nominees, [])
    assert [r.breakdown[0].score for r in results] == [10, 10]
    assert [r.total for r in results] == [10, 10] and all(r.tie for r in results)


def test_medals_by_threshold():
    nominees = [NomineeInput(n, str(n)) for n in (1, 2, 3, 4)]
    given = scores(
        {
            (1, 2): {10: 9, 11: 9},
            (2, 2): {10: 6, 11: 6},
            (3, 2): {10: 4, 11: 4},
            (4, 2): {10: 3.5, 11: 4},
        }
    )
    results = by_id(
        aggregate(
            [PRACTICE],
            nominees,
            given,
            outcome_mode="medals",
            thresholds={"gold": 8, "silver": 6, "bronze": 4},
        )
    )
    assert [results[n].medal for n in (1, 2, 3, 4)] == ["gold", "silver", "bronze", None]


def test_the_minimum_number_of_jurors_is_a_setting():
    nominees = [NomineeInput(1, "A")]
    given = scores({(1, 2): {10: 7}})
    assert aggregate([PRACTICE], nominees, given)[0].incomplete
    assert aggregate([PRACTICE], nominees, given, min_jurors=1)[0].total == 7

"""Words shown for the award's codes, translated."""

from flask_babel import lazy_gettext as _l

from eventweek.awards.models import CriterionKind, OutcomeMode, Phase

PHASES = {
    Phase.PREPARING: _l("In preparation"),
    Phase.NOMINATIONS_OPEN: _l("Nominations open"),
    Phase.NOMINATIONS_CLOSED: _l("Nominations closed"),
    Phase.SCORING_OPEN: _l("Jury scoring open"),
    Phase.SCORING_CLOSED: _l("Jury scoring closed"),
    Phase.RESULTS_PUBLISHED: _l("Results published"),
}

OUTCOME_MODES = {
    OutcomeMode.RANKING: _l("Ranking: a winner and runners-up"),
    OutcomeMode.MEDALS: _l("Medals: gold, silver or bronze by level reached"),
}

KINDS = {
    CriterionKind.JURY: _l("Scored by the jury (0 to 10)"),
    CriterionKind.METRIC: _l("Measured from the network's figures"),
}

MEDALS = {"gold": _l("Gold"), "silver": _l("Silver"), "bronze": _l("Bronze")}


def phase(value) -> str:
    return str(PHASES[Phase(value)])


def outcome_mode(value) -> str:
    return str(OUTCOME_MODES[OutcomeMode(value)])


def kind(value) -> str:
    return str(KINDS[CriterionKind(value)])


def medal(value) -> str:
    return str(MEDALS[value]) if value else ""

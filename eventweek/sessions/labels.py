"""Words shown for the programme's codes (kinds, audiences, languages), translated."""

from flask_babel import lazy_gettext as _l

from eventweek.sessions.models import ActivityKind, Audience

KINDS = {
    ActivityKind.INFO_SESSION: _l("Information session"),
    ActivityKind.STAND: _l("Stand"),
    ActivityKind.CONFERENCE: _l("Conference"),
    ActivityKind.AWARD_CEREMONY: _l("Award ceremony"),
    ActivityKind.STRATEGIC_MORNING: _l("Strategic morning"),
    ActivityKind.WEBINAR: _l("Webinar"),
}

AUDIENCES = {
    Audience.CITIZENS: _l("Citizens"),
    Audience.PROFESSIONALS: _l("Health professionals"),
    Audience.ALL: _l("Everyone"),
}

LANGUAGES = {
    "fr": _l("French"),
    "nl": _l("Dutch"),
    "en": _l("English"),
}


def kind(value) -> str:
    return str(KINDS[ActivityKind(value)])


def audience(value) -> str:
    return str(AUDIENCES[Audience(value)])


def languages(codes) -> str:
    return ", ".join(str(LANGUAGES[code]) for code in codes)

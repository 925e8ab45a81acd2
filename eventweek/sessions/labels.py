"""Words shown for the programme's codes (kinds, audiences, languages), translated."""

from flask_babel import lazy_gettext as _l

from eventweek.sessions.models import ActivityKind, ActivityStatus, Audience, OrganisationKind

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

ORGANISATION_KINDS = {
    OrganisationKind.HOSPITAL: _l("Hospital"),
    OrganisationKind.MUTUALITY: _l("Mutuality"),
    OrganisationKind.NETWORK: _l("Health network"),
    OrganisationKind.AUTHORITY: _l("Public authority"),
    OrganisationKind.COMPANY: _l("Company"),
}

STATUSES = {
    ActivityStatus.DRAFT: _l("Draft"),
    ActivityStatus.SUBMITTED: _l("Waiting for review"),
    ActivityStatus.PUBLISHED: _l("Published"),
    ActivityStatus.CANCELLED: _l("Cancelled"),
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


def organisation_kind(value) -> str:
    return str(ORGANISATION_KINDS[OrganisationKind(value)])


def status(value) -> str:
    return str(STATUSES[ActivityStatus(value)])


def languages(codes) -> str:
    return ", ".join(str(LANGUAGES[code]) for code in codes)


# An activity's fields, as named where changes are shown (review, audit).
ACTIVITY_FIELDS = {
    "kind": _l("Kind of activity"),
    "audience": _l("Audience"),
    "title_fr": _l("Title in French"),
    "title_nl": _l("Title in Dutch"),
    "title_en": _l("Title in English"),
    "description_fr": _l("Description in French"),
    "description_nl": _l("Description in Dutch"),
    "description_en": _l("Description in English"),
    "languages": _l("Languages spoken"),
    "start_at": _l("Start"),
    "end_at": _l("End"),
    "venue_id": _l("Place"),
    "online_url": _l("Link to join online"),
    "registration_required": _l("Registration required"),
    "capacity": _l("Number of seats"),
    "waitlist_enabled": _l("Keep a waiting list when it is full"),
    "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"),
}

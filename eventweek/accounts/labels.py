"""Words shown for accounts' codes, translated."""

from flask_babel import lazy_gettext as _l

from eventweek.accounts.models import Role

ROLES = {
    Role.ORGANISER: _l("Organiser"),
    Role.PARTNER: _l("Partner"),
    Role.JUROR: _l("Jury member"),
}


def role(value) -> str:
    return str(ROLES[Role(value)])

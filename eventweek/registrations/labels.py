"""Words shown for a registration's state, translated."""

from flask_babel import lazy_gettext as _l

from eventweek.registrations.models import RegistrationState

STATES = {
    RegistrationState.CONFIRMED: _l("Confirmed"),
    RegistrationState.WAITLISTED: _l("On the waiting list"),
    RegistrationState.CANCELLED: _l("Cancelled"),
    RegistrationState.ATTENDED: _l("Checked in"),
    RegistrationState.NO_SHOW: _l("Did not come"),
}


def state(value) -> str:
    return str(STATES[RegistrationState(value)])

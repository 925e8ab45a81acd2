"""An activity's registrations as a spreadsheet file (CSV), for the partner."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from eventweek.registrations.labels import state as state_label
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.sessions import labels
from eventweek.sessions.models import BRUSSELS
from eventweek.spreadsheets import csv_file

COLUMNS = (
    _l("Name"),
    _l("E-mail"),
    _l("Phone"),
    _l("Language"),
    _l("Accessibility needs"),
    _l("Registered by (trusted person)"),
    _l("State"),
    _l("Position on the waiting list"),
    _l("Registered on"),
    _l("Checked in at"),
)


def registration_row(registration: Registration, position: int | None) -> list[str]:
    """One registration as the file shows it; nothing personal once its data is erased
    (the registrant's address may still be kept for their other registrations)."""
    erased = registration.is_erased
    personal = [
        registration.full_name,
        registration.registrant.email or "",
        registration.phone or "",
        str(labels.LANGUAGES.get(registration.language, registration.language)),
        registration.accessibility_needs or "",
        registration.on_behalf_of or "",
    ]
    return [
        *([""] * len(personal) if erased else personal),
        state_label(registration.state),
        str(position) if position else "",
        local_time(registration.created_at),
        local_time(registration.checked_in_at),
    ]


def waitlist_positions(registrations: list[Registration]) -> dict[int, int]:
    """{registration id: 1, 2, …} for those waiting, in the order given (of registration)."""
    waiting = [r for r in registrations if r.state == RegistrationState.WAITLISTED]
    return {registration.id: number for number, registration in enumerate(waiting, start=1)}


def registrations_csv(registrations: list[Registration]) -> bytes:
    positions = waitlist_positions(registrations)
    rows = (registration_row(r, positions.get(r.id)) for r in registrations)
    return csv_file(COLUMNS, rows)


def local_time(moment: datetime | None) -> str:
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if moment else ""

"""The e-mails a registration sends, in the registrant's language: queued in the outbox
with the change that causes them, rendered when they are sent."""

from __future__ import annotations

import base64

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventweek.calendar.entries import activity_calendar
from eventweek.extensions import db
from eventweek.links import external_url
from eventweek.outbox.delivery import DISCARDED, Discarded, RenderedMail, enqueue
from eventweek.outbox.models import OutboxMessage
from eventweek.registrations.checkin import display_code, qr_png
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.registrations.seating import waitlist_position
from eventweek.registrations.tokens import derive_token

SUBJECTS = {
    "confirmation": _l("Your place is confirmed: %(title)s"),
    "waitlisted": _l("You are on the waiting list: %(title)s"),
    "promoted": _l("A place is free for you: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s"),
    "link_resent": _l("Your registration link: %(title)s"),
    "moved": _l("Change of time or place: %(title)s"),
    "activity_cancelled": _l("Cancelled by the organisers: %(title)s"),
}
# Kinds that carry the event as a calendar attachment (an update replaces the entry).
WITH_CALENDAR = {"confirmation", "promoted", "reminder", "moved", "activity_cancelled"}
# Kinds that carry the check-in code as a QR image: the person holds a seat.
WITH_CHECKIN_CODE = {"confirmation", "promoted", "reminder", "moved"}
QR_CONTENT_ID = "checkin-code"


def management_token(registration: Registration) -> str:
    return derive_token(current_app.config["SECRET_KEY"], "manage", registration.token_salt)


def checkin_qr(code: str) -> bytes:
    """The QR image of the check-in page's address: a phone's camera opens it, code filled in."""
    return qr_png(external_url("partner.checkin", code=code))


def agenda_token(registration: Registration) -> str:
    salt = registration.registrant.agenda_salt
    return derive_token(current_app.config["SECRET_KEY"], "agenda", salt)


def queue_registration_email(
    kind: str, registration: Registration, *, position: int | None = None
) -> int:
    """Add the `kind` e-mail for `registration` to the outbox, rendered when it is sent.

    Only what the e-mail must say as of now is stored with it (the language, the place
    on the waiting list, whether a seat is held): rendering (templates, calendar entry,
    QR image) happens in `render_registration_email`, outside the transaction that
    holds the seat lock. The activity's details are read when sending: the newest.
    `position` is the place on the waiting list when the caller has just counted it
    under the seat lock; it is counted here otherwise.
    """
    return enqueue(
        kind=kind,
        recipient=registration.registrant.email,
        registration_id=registration.id,
        render_params={
            "language": registration.language,
            "position": position or waitlist_position(registration),
            "show_checkin": kind in WITH_CHECKIN_CODE
            and registration.state == RegistrationState.CONFIRMED,
        },
    )


def preload_registrations(messages: list[OutboxMessage]) -> list[Registration]:
    """The registrations of a batch of e-mails, with their registrants and activities,
    in a few queries instead of four per e-mail."""
    return (
        db.session.execute(
            select(Registration)
            .where(Registration.id.in_({message.registration_id for message in messages}))
            .options(selectinload(Registration.registrant), selectinload(Registration.activity))
        )
        .scalars()
        .all()
    )


def render_registration_email(message: OutboxMessage) -> RenderedMail:
    """The content of a registration e-mail queued by `queue_registration_email`.

    Raises `Discarded` when the registration is gone or its holder's data was erased
    in the meantime: there is nobody left to write to.
    """
    registration = db.session.get(Registration, message.registration_id)
    if registration is None or registration.is_erased:
        raise Discarded(DISCARDED)
    activity = registration.activity
    params = message.render_params
    language = params["language"]
    kind = message.kind
    with force_locale(language):
        # A title can hold anything an organiser typed: keep the subject on one line.
        title = " ".join(activity.text("title", language).split())
        subject = str(SUBJECTS[kind]) % {"title": title}
        context = {
            "registration": registration,
            "activity": activity,
            "language": language,
            "subject": subject,
            "position": params["position"],
            "checkin_code": display_code(registration.checkin_code),
            "show_checkin": params["show_checkin"],
            "qr_content_id": QR_CONTENT_ID,
            "session_url": external_url("sessions.activity_detail", activity_id=activity.id),
            "management_url": external_url(
                "registrations.manage", token=management_token(registration)
            ),
            "agenda_url": external_url("registrations.agenda", token=agenda_token(registration)),
        }
        body_text = render_template(f"emails/{kind}.txt", **context)
        body_html = render_template(f"emails/{kind}.html", **context)
    attachments = []
    if kind in WITH_CALENDAR:
        attachments.append(
            {
                "filename": "semaine-esante.ics",
                "content_type": "text/calendar; charset=utf-8; method=PUBLISH",
                "data": activity_calendar(activity, language).decode(),
            }
        )
    if params["show_checkin"]:
        attachments.append(
            {
                "filename": "code.png",
                "content_type": "image/png",
                # The check-in page's address: a phone's camera opens it, code filled in.
                "data": base64.b64encode(checkin_qr(registration.checkin_code)).decode(),
                "encoding": "base64",
                "content_id": QR_CONTENT_ID,
            }
        )
    return RenderedMail(subject, body_text, body_html, attachments)

"""The e-mails a registration sends, written to the outbox in the registrant's language."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from eventweek.calendar.entries import activity_calendar
from eventweek.links import external_url
from eventweek.outbox.delivery import enqueue
from eventweek.outbox.models import OutboxMessage
from eventweek.registrations.models import Registration
from eventweek.registrations.seating import waitlist_position
from eventweek.registrations.tokens import derive_token

SUBJECTS = {
    "confirmation": _l("Your place is confirmed: %(title)s"),
    "waitlisted": _l("You are on the waiting list: %(title)s"),
    "promoted": _l("A place is free for you: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s"),
    "link_resent": _l("Your registration link: %(title)s"),
}
# Kinds that carry the event as a calendar attachment: the person holds a seat.
WITH_CALENDAR = {"confirmation", "promoted", "reminder"}


def management_token(registration: Registration) -> str:
    return derive_token(current_app.config["SECRET_KEY"], "manage", registration.token_salt)


def agenda_token(registration: Registration) -> str:
    salt = registration.registrant.agenda_salt
    return derive_token(current_app.config["SECRET_KEY"], "agenda", salt)


def queue_registration_email(kind: str, registration: Registration) -> OutboxMessage:
    """Render the `kind` e-mail for `registration` and add it to the outbox."""
    activity = registration.activity
    language = registration.language
    with force_locale(language):
        # A title can hold anything an organiser typed: keep the subject on one line.
        title = " ".join(activity.text("title", language).split())
        subject = str(SUBJECTS[kind]) % {"title": title}
        context = {
            "registration": registration,
            "activity": activity,
            "language": language,
            "subject": subject,
            "position": waitlist_position(registration),
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
    return enqueue(
        kind=kind,
        recipient=registration.registrant.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
        registration_id=registration.id,
    )

"""The award's e-mails, written to the outbox."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventweek.accounts.models import User
from eventweek.links import external_url
from eventweek.outbox.delivery import enqueue

# Staff accounts have no language of their own yet: the site's first language.
STAFF_LANGUAGE = "fr"


def queue_scoring_reminder(juror: User, year: int, left: int) -> int:
    with force_locale(STAFF_LANGUAGE):
        subject = _("Connected Health Award %(year)s: nominations still to score", year=year)
        context = {
            "language": STAFF_LANGUAGE,
            "subject": subject,
            "left": left,
            "year": year,
            "jury_url": external_url("awards.jury_home"),
        }
        body_text = render_template("emails/jury_reminder.txt", **context)
        body_html = render_template("emails/jury_reminder.html", **context)
    return enqueue(
        kind="jury_reminder",
        recipient=juror.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )

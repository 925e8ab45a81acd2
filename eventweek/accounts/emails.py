"""The e-mails an account receives, written to the outbox."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventweek.accounts.models import User
from eventweek.accounts.tokens import RESET_LINK_VALIDITY, make_reset_token
from eventweek.links import external_url
from eventweek.outbox.delivery import enqueue


def queue_password_reset_email(user: User, language: str) -> int:
    """Render the reset e-mail in `language`, with a fresh link, and add it to the outbox."""
    token = make_reset_token(current_app.config["SECRET_KEY"], user.id, user.password_hash)
    with force_locale(language):
        subject = _("Choose a new password for the eHealth Week")
        context = {
            "user": user,
            "language": language,
            "subject": subject,
            "reset_url": external_url("accounts.reset_password", token=token),
            "request_url": external_url("accounts.request_password_reset"),
            "valid_minutes": int(RESET_LINK_VALIDITY.total_seconds() // 60),
        }
        body_text = render_template("emails/password_reset.txt", **context)
        body_html = render_template("emails/password_reset.html", **context)
    return enqueue(
        kind="password_reset",
        recipient=user.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )

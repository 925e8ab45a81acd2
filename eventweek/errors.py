"""Friendly error pages in the reader's language; JSON for the API."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from eventweek.extensions import db


def error_messages() -> dict[int, tuple[str, str]]:
    """Title and explanation per status; built per request so that they are translated."""
    return {
        400: (_("This request could not be understood"), _("Please go back and try again.")),
        403: (_("Access refused"), _("Your account does not give access to this page.")),
        404: (
            _("Page not found"),
            _(
                "This page does not exist, or is no longer public. The programme lists every "
                "activity of the week."
            ),
        ),
        405: (_("Action not allowed"), _("This page cannot be used that way.")),
        410: (_("No longer available"), _("This link no longer works.")),
        413: (
            _("Too large"),
            _(
                "What you sent is too large: at most %(size)s MB is accepted. If you were "
                "sending a file, please send a smaller one.",
                size=current_app.config["MAX_CONTENT_LENGTH"] // 1_000_000,
            ),
        ),
        429: (
            _("Too many attempts"),
            _("You have tried too often in a short time. Please wait a minute and try again."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("Please try again in a moment. If it keeps happening, contact the organisers."),
        ),
        503: (
            _("Temporarily unavailable"),
            _("The service is busy or under maintenance. Please try again in a moment."),
        ),
    }


def render_error(status: int, detail: str | None = None):
    messages = error_messages()
    title, explanation = messages.get(status, messages[500] if status >= 500 else messages[400])
    if request.path.startswith("/api/"):
        return {
            "error": {"status": status, "title": title, "detail": detail or explanation}
        }, status
    return (
        render_template(
            "errors/error.html", status=status, title=title, explanation=explanation, detail=detail
        ),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400,
            _(
                "The form had expired or was sent from elsewhere. Please reload the page and "
                "send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(OperationalError)
    def database_unavailable(_error):
        # The database is restarting or unreachable: say so, and let the pool reconnect.
        db.session.rollback()
        return render_error(ServiceUnavailable.code)

    # Registered after db.init_app, so it runs before Flask-SQLAlchemy's own teardown.
    @app.teardown_appcontext
    def release_session(_error):
        # The database went away after the view: rolling back on the dead connection
        # raises outside every error handler, and gunicorn turns the finished response
        # (maybe a registration already committed) into a bare 500. Drop the connection.
        try:
            db.session.remove()
        except DBAPIError:
            # The failed close left the session in its registry; the scoped proxy has no
            # invalidate(), the session itself does.
            db.session().invalidate()
            db.session.remove()

    @app.errorhandler(InternalServerError)
    def internal_error(_error):
        db.session.rollback()
        return render_error(500)

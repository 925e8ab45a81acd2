"""eventweek: the platform that runs the Semaine eSanté of the Brussels Health Network."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine

from eventweek import cli, errors, health, i18n, security, templating
from eventweek.accounts.access import load_user, send_to_login
from eventweek.accounts.views import bp as accounts_bp
from eventweek.admin.settings import bp as admin_settings_bp
from eventweek.admin.views import bp as admin_bp
from eventweek.api.views import bp as api_bp
from eventweek.awards.views import bp as awards_bp
from eventweek.calendar.views import bp as calendar_bp
from eventweek.config import build_config
from eventweek.extensions import babel, cache, csrf, db, limiter, login_manager, mail, migrate
from eventweek.metrics.views import bp as metrics_bp
from eventweek.outbox.delivery import register_renderer
from eventweek.outbox.first_attempts import FirstAttempts
from eventweek.partners.views import bp as partner_bp
from eventweek.pool_ping import ping_idle_connections
from eventweek.registrations import emails as registration_emails
from eventweek.registrations.views import bp as registrations_bp
from eventweek.routing import DatabaseIntegerConverter
from eventweek.sessions.views import bp as sessions_bp
from eventweek.sqlite_writers import QueuedConnection

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: configuration from the environment, then `overrides` (tests use them)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(build_config(app.instance_path))
    app.config.update(overrides or {})
    # Before any blueprint adds its routes, which bind their converters then.
    app.url_map.converters["int"] = DatabaseIntegerConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    check_secret_key(app)

    db.init_app(app)
    with app.app_context():
        ping_idle_connections(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    mail.init_app(app)
    cache.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    register_renderer(
        app,
        registration_emails.SUBJECTS,
        registration_emails.render_registration_email,
        preload=registration_emails.preload_registrations,
    )
    app.extensions["outbox_first_attempts"] = FirstAttempts(app)

    app.register_blueprint(sessions_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(partner_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_settings_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(awards_bp)
    app.register_blueprint(health.bp)
    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    return app


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # `login_required` and `role_required` send anonymous visitors the same way.
    login_manager.unauthorized_handler(send_to_login)


def check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        # Debug and tests only (bandit B105: accepted, see docs/decisions/0006).
        app.config["SECRET_KEY"] = "dev-only-not-secret"  # noqa: S105  # nosec B105
        return
    raise RuntimeError(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable, or write one to "
        f"{Path(app.instance_path) / 'secret_key'} (make run does this for you)."
    )


@event.listens_for(Engine, "do_connect")
def queue_sqlite_writers(dialect, _connection_record, _args, parameters) -> None:
    """SQLite connections write in turn, queued by the kernel (eventweek/sqlite_writers.py)."""
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        parameters.setdefault("factory", QueuedConnection)


@event.listens_for(Engine, "connect")
def tune_sqlite(dbapi_connection, _connection_record) -> None:
    """SQLite needs foreign keys switched on, and WAL plus a busy timeout so that several
    server processes can write without failing at once. In WAL, synchronous=NORMAL syncs at
    checkpoints rather than at every commit, which held the write lock through an fsync
    (decision 0008)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()

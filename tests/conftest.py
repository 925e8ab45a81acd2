"""Fixtures: a migrated database per backend, the app, a client, a live server, a browser.

Every test that uses the app runs once on SQLite and, when TEST_DATABASE_URL is set,
once more on PostgreSQL, in a database created for this run and dropped after it.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from eventweek import create_app
from eventweek.config import normalise_database_url
from eventweek.extensions import db
from eventweek.sessions.programme_cache import clear_cached_parts
from tests.factories import make_user
from tests.flows import login
from tests.smtp import SmtpServer

# Fuzzing is reproducible in CI (same examples every run); `long` searches further.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60)
settings.register_profile("long", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server_url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    name = f"eventweek_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server) -> Iterator[SmtpServer]:
    """The loopback SMTP server, empty and accepting at the start of the test."""
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.clear()
    yield smtp_server
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.clear()


def app_settings(database_url: str, smtp_port: int) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "tests-only",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://eventweek.test",
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_DEFAULT_SENDER": "Semaine eSanté <noreply@eventweek.test>",
        # A test reads its e-mails right after the request (ServerLikeClient waits).
        "OUTBOX_BATCH_WINDOW": 0,
    }


@pytest.fixture(scope="session")
def app(database_url, smtp_server):
    app = create_app(app_settings(database_url, smtp_server.port))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables_after_test(request):
    """Each test starts from empty tables; only tests that use the app pay for it."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        # Emptied tables reuse ids, which the programme's version would not notice.
        clear_cached_parts()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


class ServerLikeClient(FlaskClient):
    """Closes each response once read, as a WSGI server does, and waits for the first
    attempt at the e-mails the request queued, so that a test reads them at once."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        assert self.application.extensions["outbox_first_attempts"].wait_until_idle(30)
        return response


@pytest.fixture
def client(app):
    app.test_client_class = ServerLikeClient
    return app.test_client()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served over real HTTP in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where there is none (CI requires it)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but no browser at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# Accounts: one of each role, and clients signed in through the real form.


def committed_user(role: str):

    user = make_user(role)
    db.session.commit()
    return user


@pytest.fixture
def organiser(app_context):
    return committed_user("organiser")


@pytest.fixture
def partner(app_context):
    """A partner of its own new organisation (`partner.organisation`)."""
    return committed_user("partner")


@pytest.fixture
def juror(app_context):
    return committed_user("juror")


@pytest.fixture
def signed_in(app):
    """`signed_in(user)`: a new client, signed in as `user` through /login."""

    def sign_in(user) -> FlaskClient:
        app.test_client_class = ServerLikeClient
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture(autouse=True, scope="session")
def _fresh_request_globals():
    """Give each request an empty `g`, as a real server does.

    A request reuses an app context that is already open (the `app_context` fixture),
    and with it `g`, where Flask-Login caches the signed-in user, Flask-WTF the CSRF
    token and Flask-Babel the locale. Without this, a test that signs in, out, or as
    someone else would keep seeing the first request's user and token.
    """

    def empty_globals(_sender, **_extra):
        for name in list(g):
            g.pop(name)

    request_started.connect(empty_globals)
    yield
    request_started.disconnect(empty_globals)

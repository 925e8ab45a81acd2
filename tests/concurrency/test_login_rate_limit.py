"""Rate limiting on sign-in, through a real server process."""

from __future__ import annotations

import pytest
import requests

from eventweek.extensions import db
from tests.factories import make_user
from tests.flows import csrf_token
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.slow


def test_sign_in_attempts_from_one_address_are_limited(app, app_context, database_url, smtp):
    user = make_user("organiser")
    db.session.commit()
    environment = server_environment(
        database_url, smtp.port, RATELIMIT_ENABLED="true", LOGIN_RATE_LIMIT="3 per minute"
    )
    with gunicorn(environment, workers=1, threads=2) as base:
        browser = requests.Session()
        token = csrf_token(browser.get(f"{base}/login").text)
        statuses = [
            browser.post(
                f"{base}/login",
                data={"csrf_token": token, "email": user.email, "password": "wrong guess!"},
                allow_redirects=False,
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        # The password-reset form shares the counter: no going round the limit through it.
        reset = browser.post(
            f"{base}/password-reset", data={"csrf_token": token, "email": user.email}
        )
        assert reset.status_code == 429
        assert "Trop de tentatives" in reset.text
        assert "Retry-After" in reset.headers
        # Reading the sign-in page is not limited.
        assert browser.get(f"{base}/login").status_code == 200

"""Rate limiting on the registration form, through real server processes."""

from __future__ import annotations

import os

import pytest
import redis
import requests

from eventweek.extensions import db
from tests.factories import make_activity
from tests.flows import csrf_token, registration_fields
from tests.servers import gunicorn, server_environment

pytestmark = pytest.mark.slow

STORAGES = ["memory://"] + (
    [os.environ["TEST_REDIS_URL"]] if os.environ.get("TEST_REDIS_URL") else []
)


@pytest.mark.parametrize("storage", STORAGES)
def test_too_many_registrations_from_one_address_get_a_friendly_429(
    app, app_context, database_url, smtp, storage
):
    if storage.startswith("redis://"):
        redis.Redis.from_url(storage).flushdb()
    activity = make_activity(capacity=50)
    db.session.commit()
    environment = server_environment(
        database_url,
        smtp.port,
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI=storage,
        REGISTRATION_RATE_LIMIT="3 per minute",
    )
    # Memory counters live in one process; Redis shares them between processes.
    workers = 2 if storage.startswith("redis://") else 1
    with gunicorn(environment, workers=workers, threads=2) as base:
        browser = requests.Session()
        page = browser.get(f"{base}/sessions/{activity.id}?lang=nl")
        token = csrf_token(page.text)
        statuses = []
        for number in range(5):
            fields = registration_fields(email=f"limit{number}@example.org")
            fields["csrf_token"] = token
            response = browser.post(f"{base}/sessions/{activity.id}/register?lang=nl", data=fields)
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 429, 429]
        assert "Te veel pogingen" in response.text
        assert "Retry-After" in response.headers
        # Reading the programme is not limited.
        assert browser.get(f"{base}/programme").status_code == 200

"""Bodies too large for the app get a 413 page in the reader's language, never a 500."""

from __future__ import annotations

import pytest

from eventweek.extensions import db
from tests.factories import make_activity
from tests.flows import csrf_token


@pytest.fixture
def activity(app_context):
    activity = make_activity(capacity=5)
    db.session.commit()
    return activity


def test_the_default_limit_leaves_room_for_the_largest_upload(app):
    largest_upload = max(
        app.config["METRICS_IMPORT_MAX_BYTES"], app.config["AWARD_ATTACHMENT_MAX_BYTES"]
    )
    # Below the global limit, each upload form refuses an oversized file with its own message.
    assert app.config["MAX_CONTENT_LENGTH"] > largest_upload


@pytest.mark.parametrize(
    ("lang", "explanation"),
    [
        ("fr", "2 Mo au plus sont acceptés"),
        ("nl", "hoogstens 2 MB wordt aanvaard"),
        ("en", "at most 2 MB is accepted"),
    ],
)
def test_a_body_over_the_limit_is_refused_with_413(
    client, activity, monkeypatch, app, lang, explanation
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2_000_000)
    response = client.post(
        f"/sessions/{activity.id}/register?lang={lang}",
        data={"full_name": "x" * 2_500_000, "email": "big@example.org", "consent": "y"},
    )
    assert response.status_code == 413
    assert explanation in response.get_data(as_text=True)


def test_one_huge_multipart_field_under_the_body_limit_is_a_413_too(client, activity):
    page = client.get(f"/sessions/{activity.id}?lang=en")
    response = client.post(
        f"/sessions/{activity.id}/register?lang=en",
        data={
            # Werkzeug keeps at most MAX_FORM_MEMORY_SIZE (500 kB) of a multipart text field.
            "full_name": "x" * 600_000,
            "email": "big@example.org",
            "consent": "y",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert db.session.execute(db.text("select count(*) from registration")).scalar_one() == 0

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventweek.extensions import db
from eventweek.sessions.models import Activity
from tests.factories import make_activity


def test_times_are_stored_in_utc_and_come_back_aware(app_context):
    activity = make_activity(hour=10)  # 10:00 in Brussels in June is 08:00 UTC
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Activity, activity.id)
    assert stored.start_at.tzinfo is not None
    assert stored.start_at.utcoffset().total_seconds() == 0
    assert stored.start_at.hour == 8
    assert stored.local_start.hour == 10
    assert stored.local_start.utcoffset().total_seconds() == 2 * 3600


def test_naive_datetimes_are_refused(app_context):
    activity = make_activity()
    activity.start_at = datetime(2027, 6, 21, 10)
    with pytest.raises(Exception, match="naive datetime refused"):
        db.session.flush()
    db.session.rollback()


def test_every_change_bumps_the_revision(app_context):
    activity = make_activity()
    db.session.commit()
    assert activity.revision == 1
    activity.title_fr = "Nouveau titre"
    db.session.commit()
    assert activity.revision == 2
    activity.capacity = 50
    db.session.commit()
    assert activity.revision == 3


def test_an_end_before_the_start_is_refused_by_the_database(app_context):
    activity = make_activity()
    activity.end_at = activity.start_at.replace(tzinfo=UTC) - (activity.end_at - activity.start_at)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_languages_are_rows_and_unknown_codes_are_refused(app_context):
    activity = make_activity(languages=["nl", "fr", "nl"])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).languages == ["fr", "nl"]
    with pytest.raises(ValueError, match="unknown language"):
        activity.languages = ["de"]
    assert db.session.execute(select(Activity)).scalars().one().id == activity.id

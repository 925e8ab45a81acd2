"""Fixtures shared by the web tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventweek.awards.demo import seed_demo_award
from eventweek.extensions import db
from eventweek.metrics.demo import seed_published_figures
from eventweek.registrations.queries import availabilities
from eventweek.sessions.demo import coming_year, seed_demo
from eventweek.sessions.models import Activity
from eventweek.sessions.queries import brussels_today


@pytest.fixture
def demo(app_context) -> int:
    """The demo week (`flask seed-demo` without its accounts, whose password hashing is
    slow), so that fuzzed paths meet real ids; returns the id of an activity open for
    registration."""
    year = coming_year(brussels_today())
    seed_demo(year)
    seed_published_figures()
    seed_demo_award(year)
    db.session.commit()
    activities = db.session.execute(select(Activity).order_by(Activity.id)).scalars().all()
    available = availabilities(activities)
    return next(a.id for a in activities if available[a.id].registration_open)

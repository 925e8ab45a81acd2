from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.registrations.models import SEAT_HOLDING_STATES, Registration, RegistrationState
from eventweek.sessions.models import Activity
from tests.factories import make_activity


def test_seed_load_builds_flagged_activities_and_registrations_within_capacity(app, client):
    result = app.test_cli_runner().invoke(
        args=["seed-load", "--activities", "40", "--registrations", "2000", "--rush-sessions", "3"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        activities = list(db.session.execute(select(Activity)).scalars())
        assert len(activities) == 43
        assert all(activity.is_demo for activity in activities)
        assert all("generated" in activity.title_en for activity in activities)
        assert all("générées" in activity.title_fr for activity in activities)
        assert all(activity.languages for activity in activities)
        states = dict(
            db.session.execute(
                select(Registration.state, func.count()).group_by(Registration.state)
            ).all()
        )
        assert sum(states.values()) == 2000
        assert states[RegistrationState.WAITLISTED] > 0  # some are full
        for activity in activities:
            confirmed = db.session.execute(
                select(func.count()).where(
                    Registration.activity_id == activity.id,
                    Registration.state.in_(SEAT_HOLDING_STATES),
                )
            ).scalar_one()
            assert confirmed <= (activity.capacity or 0)
        rush = [activity for activity in activities if "rush" in activity.title_en]
        assert len(rush) == 3 and {activity.capacity for activity in rush} == {30}
    # The generated programme is the one the site shows.
    page = client.get("/programme", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("(generated data)") == 43


def test_seed_load_refuses_a_database_with_real_data_unless_forced(app):
    with app.app_context():
        make_activity()
        db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-load", "--activities", "5", "--registrations", "10"])
    assert refused.exit_code == 1
    assert "not generated" in refused.output
    with app.app_context():
        assert db.session.execute(select(func.count(Activity.id))).scalar_one() == 1

    forced = runner.invoke(
        args=["seed-load", "--activities", "5", "--registrations", "10", "--force"]
    )
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.execute(select(func.count(Activity.id))).scalar_one() == 6

from datetime import date

from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.sessions.models import Activity, ActivityKind, Edition, Venue


def counts():
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Edition, Activity, Venue)
    }


def test_seed_demo_builds_the_week_and_a_second_run_changes_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        first = counts()
        edition = db.session.execute(select(Edition)).scalar_one()
        assert (edition.first_day, edition.last_day) == (date(2027, 6, 21), date(2027, 6, 25))
        kinds = set(db.session.execute(select(Activity.kind)).scalars())
        assert kinds == set(ActivityKind)
        revisions = sorted(db.session.execute(select(Activity.revision)).scalars())

    result = runner.invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0 and "0 rows created" in result.output
    with app.app_context():
        assert counts() == first
        assert sorted(db.session.execute(select(Activity.revision)).scalars()) == revisions


def test_known_addresses_are_real_and_invented_ones_are_flagged(app):
    app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    with app.app_context():
        venues = {venue.street: venue for venue in db.session.execute(select(Venue)).scalars()}
        assert venues["Route de Lennik 808"].city == "Anderlecht"
        assert not venues["Route de Lennik 808"].is_demo
        assert venues["Avenue Hippocrate 10"].postcode == "1200"
        assert venues["Rue Meylemeersch 90"].postcode == "1070"
        assert any(venue.is_demo for venue in venues.values())
        assert all(a.is_demo for a in db.session.execute(select(Activity)).scalars())


def test_if_empty_leaves_an_existing_database_alone(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--year", "2027"])
    result = runner.invoke(args=["seed-demo", "--if-empty", "--year", "2028"])
    assert "nothing seeded" in result.output
    with app.app_context():
        assert db.session.execute(select(Edition.year)).scalars().all() == [2027]


def test_a_bad_year_is_refused_with_a_clear_message(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", "1999"])
    assert result.exit_code == 2
    assert "1999" in result.output

"""Command-line interface: thin click commands that call domain functions."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.sessions.demo import coming_year, seed_demo
from eventweek.sessions.models import Edition
from eventweek.sessions.queries import brussels_today


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--year", type=click.IntRange(2016, 2100), help="Edition year (default: the coming June)."
)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds an edition."
)
def seed_demo_command(year: int | None, if_empty: bool) -> None:
    """Create the demo edition: the week's organisations, venues and programme.

    Running it again changes nothing. Invented times, places and capacities are
    flagged as demo data and shown as such.
    """
    if if_empty and db.session.execute(select(func.count(Edition.id))).scalar_one():
        click.echo("The database already holds an edition; nothing seeded.")
        return
    year = year or coming_year(brussels_today())
    created = seed_demo(year)
    db.session.commit()
    click.echo(f"Demo edition {year}: {created} rows created.")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)

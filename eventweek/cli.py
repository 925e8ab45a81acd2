"""Command-line interface: thin click commands that call domain functions."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.outbox.delivery import commit_and_deliver, deliver
from eventweek.registrations.models import utcnow
from eventweek.registrations.operations import purge_expired, queue_reminders
from eventweek.sessions.demo import coming_year, seed_demo
from eventweek.sessions.models import Edition
from eventweek.sessions.queries import brussels_today

outbox_cli = AppGroup("outbox", help="Deliver the e-mails waiting in the outbox.")
privacy_cli = AppGroup("privacy", help="Personal data housekeeping.")


@click.command("seed-demo")
@click.option(
    "--year", type=click.IntRange(2016, 2100), help="Edition year (default: the coming June)."
)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds an edition."
)
@with_appcontext
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


@outbox_cli.command("send")
@click.option(
    "--now",
    "include_waiting",
    is_flag=True,
    help="Also send the messages still waiting for their back-off delay.",
)
def outbox_send(include_waiting: bool) -> None:
    """One pass over the messages that are due; exits 1 if any could not be sent."""
    report = deliver(include_waiting=include_waiting, limit=10_000)
    click.echo(
        f"claimed {report.claimed}, sent {report.sent}, "
        f"retrying later {report.retrying}, given up {report.failed}"
    )
    if report.retrying or report.failed:
        raise SystemExit(1)


@outbox_cli.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--batch", default=50, show_default=True, help="Messages claimed per pass.")
@click.option("--stop-when-idle", is_flag=True, help="Exit once a pass finds nothing to send.")
def outbox_worker(interval: float, batch: int, stop_when_idle: bool) -> None:
    """Deliver due messages until stopped (SIGTERM or Ctrl+C finish the current pass).

    Several workers can run at once on PostgreSQL: each claims its own messages.
    """
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        try:
            report = deliver(limit=batch)
        except Exception:
            # The database may be restarting: log, and try again at the next pass.
            current_app.logger.exception("outbox pass failed")
            db.session.rollback()
            report = None
        finally:
            db.session.remove()
        if report and report.claimed:
            click.echo(
                f"sent {report.sent}, retrying later {report.retrying}, given up {report.failed}"
            )
            continue
        if stop_when_idle:
            break
        time.sleep(interval)


@outbox_cli.command("remind")
def outbox_remind() -> None:
    """Queue (and send) a reminder for sessions starting in 24 to 48 hours, once each."""
    queued = queue_reminders(utcnow())
    commit_and_deliver()
    click.echo(f"reminders queued: {queued}")


@privacy_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(0),
    default=None,
    help="Retention in days (default: RETENTION_DAYS).",
)
def privacy_purge(days: int | None) -> None:
    """Anonymise the registrations of sessions that ended more than the retention period ago."""
    retention = current_app.config["RETENTION_DAYS"] if days is None else days
    count = purge_expired(utcnow(), retention)
    db.session.commit()
    click.echo(f"registrations anonymised: {count}")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(privacy_cli)

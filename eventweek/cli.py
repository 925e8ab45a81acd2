"""Command-line interface: thin click commands that call domain functions."""

from __future__ import annotations

import json
import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventweek.accounts.demo import seed_demo_accounts
from eventweek.accounts.models import Role, User
from eventweek.accounts.operations import AccountError, create_user
from eventweek.awards.demo import seed_demo_award
from eventweek.awards.queries import cycle_by_year, latest_cycle
from eventweek.awards.results import cycle_results, results_json
from eventweek.extensions import db
from eventweek.metrics.demo import seed_published_figures
from eventweek.metrics.imports import ImportRefused
from eventweek.metrics.operations import import_file
from eventweek.outbox.delivery import commit_and_deliver, deliver
from eventweek.registrations.models import utcnow
from eventweek.registrations.operations import mark_all_no_shows, purge_expired, queue_reminders
from eventweek.sessions.demo import coming_year, seed_demo
from eventweek.sessions.load_data import LoadDataRefused, seed_load
from eventweek.sessions.models import Edition
from eventweek.sessions.queries import brussels_today

outbox_cli = AppGroup("outbox", help="Deliver the e-mails waiting in the outbox.")
privacy_cli = AppGroup("privacy", help="Personal data housekeeping.")
users_cli = AppGroup("users", help="Accounts of the organisers, partners and jurors.")
registrations_cli = AppGroup("registrations", help="Registrations once the sessions are over.")
metrics_cli = AppGroup("metrics", help="The network's adoption figures.")
awards_cli = AppGroup("awards", help="The Connected Health Award.")


@click.command("seed-demo")
@click.option(
    "--year", type=click.IntRange(2016, 2100), help="Edition year (default: the coming June)."
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Seed no edition when the database already holds one (missing demo accounts are "
    "still added).",
)
@with_appcontext
def seed_demo_command(year: int | None, if_empty: bool) -> None:
    """Create the demo edition (the week's organisations, venues and programme), the
    demo accounts (an organiser, a partner per mutuality and hospital, three jurors) and
    the network's published figures (real, with their sources; the goal is a demo one).

    Running it again changes nothing. Invented times, places and capacities are
    flagged as demo data and shown as such. Demo accounts share a public password and
    sign in only in debug mode or with DEMO_ACCOUNTS_ENABLED.
    """
    if if_empty and db.session.execute(select(func.count(Edition.id))).scalar_one():
        # A demo made before accounts existed still gets them.
        accounts = seed_demo_accounts()
        figures = seed_published_figures()
        # A demo made before the award existed gets its demo cycle too.
        latest = db.session.execute(select(func.max(Edition.year))).scalar_one()
        award = seed_demo_award(latest)
        db.session.commit()
        click.echo("The database already holds an edition; nothing seeded.")
        click.echo(f"Demo accounts: {accounts} created.")
        click.echo(f"Demo award {latest}: {award} rows created.")
        click.echo(f"The network's published figures: {figures.created} added.")
        return
    year = year or coming_year(brussels_today())
    created = seed_demo(year)
    accounts = seed_demo_accounts()
    figures = seed_published_figures()
    award = seed_demo_award(year)
    db.session.commit()
    click.echo(f"Demo edition {year}: {created} rows created.")
    click.echo(f"Demo award {year}: {award} rows created.")
    click.echo(f"Demo accounts: {accounts} created.")
    click.echo(f"The network's published figures: {figures.created} added.")


@click.command("seed-load")
@click.option("--activities", type=click.IntRange(0), default=500, show_default=True)
@click.option("--registrations", type=click.IntRange(0), default=20_000, show_default=True)
@click.option(
    "--rush-sessions",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Also add this many empty sessions open for registration (a registration rush).",
)
@click.option("--rush-capacity", type=click.IntRange(1), default=30, show_default=True)
@click.option("--force", is_flag=True, help="Add the data even beside data not generated.")
@with_appcontext
def seed_load_command(
    activities: int, registrations: int, rush_sessions: int, rush_capacity: int, force: bool
) -> None:
    """Generate load-test data in the coming edition: activities (flagged as demo data,
    titled as generated) and registrations spread over them, written in bulk.

    Exits 1 without writing if the database holds activities or registrants that were
    not generated, unless --force.
    """
    started = time.perf_counter()
    try:
        report = seed_load(
            activities,
            registrations,
            rush_activities=rush_sessions,
            rush_capacity=rush_capacity,
            force=force,
        )
    except LoadDataRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(
        f"Load data {report.year}: {report.activities} activities, "
        f"{report.rush_activities} rush sessions, {report.registrations} registrations "
        f"of {report.registrants} people, in {time.perf_counter() - started:.1f} s."
    )


@users_cli.command("create")
@click.option("--email", required=True, help="The person's e-mail address (their sign-in).")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="organiser: runs the week; partner: publishes its organisation's activities; "
    "juror: scores the award.",
)
@click.option(
    "--organisation",
    "organisation_slug",
    metavar="SLUG",
    help="The organisation's slug; required for a partner.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters; asked for (twice, hidden) when not given.",
)
def users_create(email: str, role: str, organisation_slug: str | None, password: str) -> None:
    """Create an account; exits 1 with the reason if it is refused."""
    try:
        user = create_user(email, role, password, organisation=organisation_slug)
    except AccountError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Account created: {user.email} ({user.role}).")


@users_cli.command("list")
def users_list() -> None:
    """Every account (organisers, partners, jurors): e-mail, role, organisation, active, demo."""
    users = sorted(
        db.session.execute(select(User).options(selectinload(User.organisation))).scalars(),
        key=lambda user: (list(Role).index(user.role), user.email),
    )
    rows = [
        (
            user.email,
            user.role.value,
            user.organisation.slug if user.organisation else "-",
            "yes" if user.is_active else "no",
            "yes" if user.is_demo else "no",
        )
        for user in users
    ]
    header = ("email", "role", "organisation", "active", "demo")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    for row in [header, *rows]:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
    if not rows:
        click.echo("(no accounts yet: flask users create --help)")


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


@registrations_cli.command("mark-no-shows")
def registrations_mark_no_shows() -> None:
    """Mark as absent (no-show) the confirmed people who were not checked in, in every
    session that has ended. Running it again changes nothing."""
    marked, sessions = mark_all_no_shows(utcnow())
    db.session.commit()
    click.echo(f"no-shows marked: {marked} in {sessions} sessions")


@metrics_cli.command("import")
@click.argument("csv_file", type=click.File("rb"))
def metrics_import(csv_file) -> None:
    """Import figures from CSV_FILE (UTF-8, header date,scope,key,value,unit,source; see the
    README). All or nothing: exits 1 listing every bad line, having changed nothing.
    Importing the same file again changes nothing."""
    try:
        report = import_file(csv_file.read(), None, csv_file.name)
    except ImportRefused as refusal:
        db.session.rollback()
        for error in refusal.errors:
            click.echo(f"line {error.line}: {error.message}", err=True)
        raise click.ClickException(
            f"{csv_file.name} not imported: {len(refusal.errors)} problem(s); nothing changed."
        ) from None
    db.session.commit()
    click.echo(
        f"figures: {report.created} new, {report.updated} corrected, {report.unchanged} unchanged"
    )


@awards_cli.command("results")
@click.option("--year", type=int, help="The award's year (default: the latest cycle).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table.")
def awards_results(year: int | None, as_json: bool) -> None:
    """The ranking and per-criterion breakdown, as the results page computes them (also
    before publication, for organisers). Exits 1 if there is no such cycle."""
    cycle = cycle_by_year(year) if year else latest_cycle()
    if cycle is None:
        raise click.ClickException("no award cycle" + (f" for {year}" if year else ""))
    results = cycle_results(cycle)
    if as_json:
        click.echo(json.dumps(results_json(cycle, results), indent=2, ensure_ascii=False))
        return
    click.echo(f"Connected Health Award {cycle.year} ({cycle.phase.value})")
    for item in results:
        click.echo(f"\n{item.category.key} ({item.category.outcome_mode.value})")
        for nominee in item.nominees:
            rank = "-" if nominee.rank is None else str(nominee.rank)
            total = "incomplete" if nominee.total is None else f"{nominee.total:.2f}"
            flags = " tie" if nominee.tie else ""
            medal = f" {nominee.medal}" if nominee.medal else ""
            click.echo(f"  {rank:>3}  {total:>10}{medal}{flags}  {nominee.organisation}")
            for part in nominee.breakdown:
                score = "-" if part.score is None else f"{part.score:.2f}"
                raw = "" if part.raw_value is None else f" (value {part.raw_value:.2f})"
                click.echo(f"         {part.criterion} x{part.weight:g}: {score}{raw}")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_load_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(registrations_cli)
    app.cli.add_command(metrics_cli)
    app.cli.add_command(awards_cli)

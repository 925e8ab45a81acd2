"""The outbox against a real SMTP server that goes down, refuses, and comes back."""

import email
import email.generator
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from flask_mail import Attachment, Message
from sqlalchemy import event, func, select

from eventweek.extensions import db
from eventweek.outbox.delivery import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    MIME_POLICY,
    OutboxMail,
    claim,
    deliver,
    enqueue,
    retry_delay,
    retry_failed,
)
from eventweek.outbox.models import MessageStatus, OutboxMessage
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.registrations.operations import erase
from tests.factories import make_activity
from tests.flows import outcome, register
from tests.web.test_programme_cache import counted_statements


def statuses() -> list[MessageStatus]:
    db.session.expire_all()
    return list(
        db.session.execute(select(OutboxMessage.status).order_by(OutboxMessage.id)).scalars()
    )


def queue(count: int) -> list[int]:
    ids = [
        enqueue(
            kind="test",
            recipient=f"person{n}@example.org",
            subject=f"Test {n}",
            body_text="Bonjour",
        )
        for n in range(count)
    ]
    db.session.commit()
    return ids


def test_retry_delays_grow_and_are_capped():
    assert retry_delay(1) == timedelta(minutes=1)
    assert retry_delay(2) == timedelta(minutes=2)
    assert retry_delay(4) == timedelta(minutes=8)
    assert retry_delay(30) == timedelta(hours=6)


def test_the_sender_names_the_site_in_its_greeting(app_context, smtp):
    # Unnamed, smtplib would greet with this machine's name, looked up in DNS each time.
    [message_id] = queue(1)
    assert deliver(message_ids=[message_id]).sent == 1
    assert smtp.wait_for(1) and smtp.hello_names == ["eventweek.test"]


def test_smtp_down_then_back_delivers_every_message_exactly_once(app, client, app_context, smtp):
    activity = make_activity(capacity=3)
    db.session.commit()
    smtp.stop()
    for number in range(5):
        response = register(client, activity.id, email=f"p{number}@example.org")
        assert response.status_code == 200  # the registration does not depend on SMTP
        assert outcome(response) in ("confirmed", "waitlisted")
    assert statuses() == [MessageStatus.PENDING] * 5
    last_error = db.session.execute(select(OutboxMessage.last_error)).scalars().first()
    assert last_error.startswith("ConnectionRefusedError")

    smtp.start()
    runner = app.test_cli_runner()
    waiting = runner.invoke(args=["outbox", "send"])
    assert "claimed 0" in waiting.output  # still in their back-off delay
    result = runner.invoke(args=["outbox", "send", "--now"])
    assert result.exit_code == 0, result.output
    assert "sent 5" in result.output
    assert sorted(m["To"] for m in smtp.wait_for(5)) == [f"p{n}@example.org" for n in range(5)]

    assert runner.invoke(args=["outbox", "send", "--now"]).output.startswith("claimed 0")
    assert len(smtp.wait_for(6, timeout=1)) == 5
    assert statuses() == [MessageStatus.SENT] * 5


def written(mail) -> email.message.EmailMessage:
    return email.message_from_bytes(mail.as_bytes(), policy=policy.default)


def parts(message) -> list:
    """Each part's headers (but the subject and the boundary), type, parameters and
    decoded content."""
    return [
        (
            sorted(
                (name, str(value))
                for name, value in part.items()
                if name not in ("Subject", "Content-Type")
            ),
            part.get_content_type(),
            [param for param in part.get_params() if param[0] != "boundary"],
            part.get_payload(decode=True),
        )
        for part in message.walk()
    ]


@pytest.mark.parametrize(
    "subject",
    [
        "Votre place est confirmée : Séance d'information sur le réseau santé et vos données",
        "Your place is confirmed: an information session on the network and your data",
        "Plaats bevestigd: één",
    ],
)
def test_an_email_reads_back_as_flask_mail_writes_it(app_context, subject):
    # Written with the compat32 policy (faster): a reader must see what Flask-Mail's own
    # policy.SMTP output shows, and the subject exactly. (Flask-Mail's own output reads
    # back with a leading space when a long ASCII subject is folded.)
    mail = OutboxMail(
        subject=subject,
        recipients=["personne@example.org"],
        body="Bonjour é\n" * 40,
        html="<p>Bonjour é</p>\n" * 40,
        attachments=[
            Attachment("a.ics", "text/calendar; charset=utf-8", b"BEGIN:VCALENDAR\r\n"),
            Attachment("c.png", "image/png", b"\x89PNG", "inline", headers={"Content-ID": "<c>"}),
        ],
        date=0,
    )
    theirs = email.message_from_bytes(Message._message(mail).as_bytes(), policy=policy.default)
    assert written(mail)["Subject"] == subject
    assert parts(written(mail)) == parts(theirs)
    headers = mail.as_bytes().split(b"\r\n\r\n")[0]
    assert [line for line in headers.split(b"\r\n") if len(line) > 78] == []
    # The headers that need no folding are written as is: the same bytes as compat32's.
    message = mail._message()
    compat32 = policy.compat32.clone(linesep="\r\n")
    assert message.as_bytes(policy=MIME_POLICY) == message.as_bytes(policy=compat32)


def test_each_multipart_part_gets_its_own_unguessable_boundary(app_context, monkeypatch):
    # Left to the generator, a boundary is made with `random` and checked against the
    # text through a regular expression compiled for it: two new patterns an e-mail.
    def no_generated_boundary(*_args):
        raise AssertionError("the generator made a boundary")

    monkeypatch.setattr(email.generator.Generator, "_make_boundary", no_generated_boundary)
    mails = [
        OutboxMail(subject="Test", recipients=["personne@example.org"], body="a", html="<p>a</p>")
        for _ in range(2)
    ]
    boundaries = [
        part.get_boundary()
        for mail in mails
        for part in written(mail).walk()
        if part.is_multipart()
    ]
    assert len(boundaries) == len(set(boundaries)) == 4  # mixed and alternative, each
    assert all(re.fullmatch(r"={15}[0-9a-f]{32}==", boundary) for boundary in boundaries)


def test_no_line_of_an_email_is_longer_than_smtp_allows(app_context):
    # An organiser's description can be one long paragraph: 8bit would send it as is.
    long_line = "Une très longue description, " * 200
    mail = OutboxMail(
        subject="Test", recipients=["personne@example.org"], body=long_line, html=long_line
    )
    assert max(len(line) for line in mail.as_bytes().split(b"\r\n")) <= 998
    [text, html] = [part for part in written(mail).walk() if not part.is_multipart()]
    assert text.get_content() == html.get_content() == long_line


def test_a_refusing_server_is_retried_later(app, app_context, smtp):
    queue(2)
    smtp.refuse = True
    report = deliver()
    assert (report.sent, report.retrying) == (0, 2)
    assert statuses() == [MessageStatus.PENDING] * 2
    message = db.session.execute(select(OutboxMessage)).scalars().first()
    assert message.last_error == "SMTPDataError (451)"
    assert "person" not in message.last_error  # no address in the error kept
    assert message.next_attempt_at > datetime.now(UTC)
    smtp.refuse = False
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert deliver(now=later).sent == 2
    assert len(smtp.wait_for(2)) == 2


def test_a_claimed_message_is_not_claimed_again_until_its_lease_lapses(app_context):
    [message_id] = queue(1)
    now = datetime.now(UTC)
    assert [m.id for m in claim(now, message_ids=None, include_waiting=False, limit=10)] == [
        message_id
    ]
    assert claim(now, message_ids=None, include_waiting=True, limit=10) == []
    # A sender that died holding it: after the lease, another takes it over.
    after_lease = now + CLAIM_LEASE + timedelta(seconds=1)
    assert [
        m.id for m in claim(after_lease, message_ids=None, include_waiting=False, limit=10)
    ] == [message_id]
    assert db.session.get(OutboxMessage, message_id).attempts == 2


def test_a_message_is_given_up_after_the_last_attempt(app_context, smtp):
    [message_id] = queue(1)
    message = db.session.get(OutboxMessage, message_id)
    message.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    smtp.stop()
    report = deliver()
    assert report.failed == 1
    assert statuses() == [MessageStatus.FAILED]


def test_nothing_is_written_when_the_change_rolls_back(app_context):
    enqueue(kind="test", recipient="x@example.org", subject="x", body_text="x")
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0


def test_reminders_are_queued_once_for_sessions_in_24_to_48_hours(app, client, app_context, smtp):
    soon = make_activity()
    soon.start_at = datetime.now(UTC) + timedelta(hours=30)
    soon.end_at = soon.start_at + timedelta(hours=2)
    too_soon = make_activity()
    too_soon.start_at = datetime.now(UTC) + timedelta(hours=10)
    too_soon.end_at = too_soon.start_at + timedelta(hours=2)
    db.session.commit()
    register(client, soon.id, email="soon@example.org")
    register(client, too_soon.id, email="late@example.org")
    smtp.wait_for(2)
    runner = app.test_cli_runner()
    assert "reminders queued: 1" in runner.invoke(args=["outbox", "remind"]).output
    assert "reminders queued: 0" in runner.invoke(args=["outbox", "remind"]).output
    messages = smtp.wait_for(3)
    reminders = [m for m in messages if m["Subject"].startswith("Rappel")]
    assert [m["To"] for m in reminders] == ["soon@example.org"]


def test_privacy_purge_anonymises_old_registrations_and_keeps_counts(
    app, client, app_context, smtp
):
    old = make_activity()
    recent = make_activity()
    db.session.commit()
    register(client, old.id, email="old@example.org", full_name="Ancien")
    register(client, recent.id, email="new@example.org", full_name="Récent")
    smtp.wait_for(2)
    old.start_at = datetime.now(UTC) - timedelta(days=100)
    old.end_at = old.start_at + timedelta(hours=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert "registrations anonymised: 1" in result.output
    db.session.expire_all()
    rows = {r.activity_id: r for r in db.session.execute(select(Registration)).scalars()}
    assert rows[old.id].full_name == "" and rows[old.id].registrant.email is None
    assert rows[old.id].state == RegistrationState.CONFIRMED  # still counted
    assert rows[recent.id].full_name == "Récent"


@pytest.mark.parametrize("days", ["-1", "abc"])
def test_purge_refuses_a_bad_retention(app, days):
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--days", days])
    assert result.exit_code == 2


def test_a_registration_email_is_stored_unrendered_and_rendered_once_when_sent(
    app, client, app_context, smtp, monkeypatch
):
    renderers = app.extensions["outbox_renderers"]
    real = renderers["confirmation"]
    rendered = []

    def counting(message):
        rendered.append(message.id)
        return real(message)

    monkeypatch.setitem(renderers, "confirmation", counting)
    activity = make_activity(capacity=3)
    db.session.commit()
    smtp.stop()
    assert outcome(register(client, activity.id, email="once@example.org")) == "confirmed"
    db.session.expire_all()
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    # Queued with the registration: the facts of the moment, no rendered content.
    assert message.recipient == "once@example.org"
    assert (message.subject, message.body_text, message.attachments) == (None, None, [])
    assert message.render_params == {"language": "fr", "position": None, "show_checkin": True}
    assert rendered == []  # the first attempt found no SMTP server: nothing to render for

    smtp.start()
    runner = app.test_cli_runner()
    assert "sent 1" in runner.invoke(args=["outbox", "send", "--now"]).output
    assert runner.invoke(args=["outbox", "send", "--now"]).output.startswith("claimed 0")
    [mail] = smtp.wait_for(1)
    assert rendered == [message.id]  # rendered for the attempt that sent it, only then
    assert mail["Subject"].startswith("Votre place est confirmée")
    kinds = sorted(part.get_content_type() for part in mail.iter_attachments())
    assert kinds == ["image/png", "text/calendar"]
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, message.id)
    assert sent.status == MessageStatus.SENT and sent.render_params is None
    assert len(smtp.wait_for(2, timeout=1)) == 1


def test_a_rendering_failure_is_a_failed_attempt_retried_later(
    app, client, app_context, smtp, monkeypatch
):
    renderers = app.extensions["outbox_renderers"]
    real = renderers["confirmation"]
    failures = [RuntimeError("template broken")]

    def failing_once(message):
        if failures:
            raise failures.pop()
        return real(message)

    monkeypatch.setitem(renderers, "confirmation", failing_once)
    activity = make_activity(capacity=3)
    db.session.commit()
    assert outcome(register(client, activity.id, email="retry@example.org")) == "confirmed"
    db.session.expire_all()
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.status == MessageStatus.PENDING  # not lost, not given up
    assert (message.attempts, message.last_error) == (1, "RuntimeError")
    assert message.render_params is not None
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert deliver(now=later).sent == 1
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "retry@example.org"


def test_a_message_whose_registration_is_erased_while_claimed_is_not_sent(
    app, client, app_context, smtp
):
    activity = make_activity(capacity=3)
    db.session.commit()
    smtp.stop()
    register(client, activity.id, email="gone@example.org")
    now = datetime.now(UTC)
    [claimed] = claim(now, message_ids=None, include_waiting=True, limit=10)
    # The sender holding it dies; meanwhile the person erases their data.
    registration = db.session.execute(select(Registration)).scalar_one()
    erase(registration, now)
    db.session.commit()
    smtp.start()
    report = deliver(now=now + CLAIM_LEASE + timedelta(seconds=1))
    assert (report.claimed, report.sent, report.failed) == (1, 0, 1)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, claimed.id)
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "discarded: personal data erased"
    assert message.recipient is None and message.render_params is None
    assert retry_failed(now) == []  # nothing left to send
    assert smtp.wait_for(1, timeout=1) == []


def test_erasing_a_registration_discards_its_unrendered_messages(app, client, app_context, smtp):
    activity = make_activity(capacity=3)
    db.session.commit()
    smtp.stop()
    register(client, activity.id, email="erased@example.org")
    registration = db.session.execute(select(Registration)).scalar_one()
    now = datetime.now(UTC)
    erase(registration, now)
    db.session.commit()
    db.session.expire_all()
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.status == MessageStatus.FAILED
    assert message.recipient is None and message.render_params is None
    assert retry_failed(now) == []


def test_a_batch_reads_its_registrations_once_not_per_message(app, client, app_context, smtp):
    activities = [make_activity(capacity=2) for _ in range(2)]
    db.session.commit()
    smtp.stop()
    for number in range(6):  # seats and waiting lists of two activities
        register(client, activities[number % 2].id, email=f"p{number}@example.org")
    smtp.start()
    with counted_statements() as statements:
        report = deliver(include_waiting=True)
    assert report.sent == 6
    # Per message, its claim and its "sent"; per batch, a few reads whatever its size.
    assert len(statements) <= 2 * 6 + 8, statements
    assert sorted(m["To"] for m in smtp.wait_for(6)) == [f"p{n}@example.org" for n in range(6)]


def test_a_batch_writes_its_outcomes_on_one_connection(app_context, smtp):
    """Each outcome is committed at once, on a connection held for the batch: checking one
    out per message cost a ping, a BEGIN and a COMMIT each on PostgreSQL."""
    ids = queue(6)
    checkouts = []

    def counted(*_args):
        checkouts.append(1)

    event.listen(db.engine, "checkout", counted)
    try:
        report = deliver(message_ids=ids)
    finally:
        event.remove(db.engine, "checkout", counted)
    assert report.sent == 6
    assert statuses() == [MessageStatus.SENT] * 6
    assert len(checkouts) <= 3, checkouts  # the claim, the reads, the outcomes


def test_a_failing_preload_only_costs_speed(app, client, app_context, smtp, monkeypatch):
    activity = make_activity(capacity=2)
    db.session.commit()
    smtp.stop()
    register(client, activity.id, email="p@example.org")
    smtp.start()

    def broken(_messages):
        raise RuntimeError("preload failed")

    monkeypatch.setitem(app.extensions["outbox_preloaders"], "confirmation", broken)
    assert deliver(include_waiting=True).sent == 1
    assert [m["To"] for m in smtp.wait_for(1)] == ["p@example.org"]

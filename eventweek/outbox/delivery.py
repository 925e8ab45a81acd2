"""Writing e-mails to the outbox and delivering them, each exactly once in the normal flow.

- `enqueue` adds a message in the caller's transaction: if the change that causes the
  e-mail rolls back, so does the e-mail; if it commits, the e-mail is committed with it.
  A message is stored rendered, or as `render_params` for the renderer registered for
  its kind (`register_renderer`), which renders it when it is sent: once per attempt,
  outside the transaction that queued it (that one may hold a lock others wait for).
- `commit_and_deliver` commits, then has the messages of that transaction tried at once
  (in a request, by the process's sender thread: `first_attempts`), so no worker is
  needed for the e-mail to arrive within seconds; with `OUTBOX_SEND_FROM_WEB` off, the
  web processes leave every e-mail to `flask outbox worker` (production, README).
- `deliver` claims due messages (FOR UPDATE SKIP LOCKED on PostgreSQL, and a
  conditional update everywhere, so that two senders never claim the same message),
  sends them over one SMTP connection, and marks each sent only once the SMTP server
  has accepted it. Failures are retried with exponential back-off.
- `retry_failed` puts the messages given up on back in the queue, for an organiser.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import secrets
import smtplib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context
from flask_mail import Attachment, BadHeaderError, Connection, Message
from sqlalchemy import Insert, Update, bindparam, insert, or_, select, update

from eventweek.accounts.models import User
from eventweek.audit.operations import record
from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage
from eventweek.registrations.models import utcnow

SESSION_KEY = "outbox_message_ids"
# How long a sender owns a claimed message; past it, a crashed sender's claim lapses.
CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 20
DISCARDED = "discarded: personal data erased"
# What a message holds of its recipient, erased once it is sent or discarded.
ERASED = {
    "recipient": None,
    "body_text": None,
    "body_html": None,
    "attachments": None,
    "render_params": None,
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str | None
    attachments: list[dict]  # as OutboxMessage.attachments


class Discarded(Exception):
    """A renderer finds nothing left to send (its registrant's data was erased)."""


Renderer = Callable[[OutboxMessage], RenderedMail]


Preloader = Callable[[list[OutboxMessage]], list]


def register_renderer(
    app: Flask, kinds: Iterable[str], renderer: Renderer, preload: Preloader | None = None
) -> None:
    """`renderer` renders the messages of these kinds queued with `render_params`;
    `preload`, given a batch of them, reads what they will need in a few queries and
    returns it (the session holds its objects only while something refers to them)."""
    app.extensions.setdefault("outbox_renderers", {}).update(dict.fromkeys(kinds, renderer))
    if preload is not None:
        app.extensions.setdefault("outbox_preloaders", {}).update(dict.fromkeys(kinds, preload))


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def enqueue(
    *,
    kind: str,
    recipient: str,
    subject: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
    attachments: list[dict] | None = None,
    registration_id: int | None = None,
    render_params: dict | None = None,
) -> int:
    """Add an e-mail to the outbox in the current transaction; the caller commits.

    Either rendered (`subject`, `body_text`, …) or to be rendered when sent, by the
    renderer registered for `kind`, from `render_params` (plain JSON values). Returns
    the message's id.
    """
    if (body_text is None) == (render_params is None):
        raise ValueError("an outbox message needs either its body or its render_params")
    now = utcnow()
    # One INSERT built once, on the session's connection: every registration queues an
    # e-mail, and the unit of work's flush cost several times the statement.
    message_id = (
        db.session.connection()
        .execute(
            enqueue_statement(),
            {
                "kind": kind,
                "recipient": recipient,
                "subject": subject,
                "body_text": body_text,
                "body_html": body_html,
                "attachments": attachments or [],
                "render_params": render_params,
                "registration_id": registration_id,
                "message_id": f"<{uuid.uuid4().hex}@{site_hostname()}>",
                "status": MessageStatus.PENDING,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        .scalar_one()
    )
    db.session.info.setdefault(SESSION_KEY, []).append(message_id)
    return message_id


@functools.cache
def enqueue_statement() -> Insert:
    return insert(OutboxMessage).returning(OutboxMessage.id)


def site_hostname() -> str:
    """The site's host name: the domain of Message-IDs, and the name given in EHLO."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def commit_and_deliver(*, expire: bool = True) -> None:
    """Commit the transaction, then have the e-mails it wrote tried at once.

    In a request, the process's sender thread tries them (`first_attempts`), so a slow
    SMTP server never delays the page, unless `OUTBOX_SEND_FROM_WEB` is off: then
    `flask outbox worker` sends them at its next pass. Elsewhere (CLI) the attempt runs
    before returning. What is not delivered stays in the outbox for `flask outbox send` /
    `worker`.

    `expire=False` keeps the session's objects as they were just written, for a page
    rendered from them at once: reloading each (a query per object) is not needed.
    """
    message_ids = db.session.info.pop(SESSION_KEY, [])
    session = db.session()
    session.expire_on_commit = expire
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    if not message_ids:
        return
    if has_request_context():
        if current_app.config["OUTBOX_SEND_FROM_WEB"]:
            current_app.extensions["outbox_first_attempts"].submit(message_ids)
    else:
        deliver(message_ids=message_ids)


def discard_pending(registration_id: int) -> None:
    """Forget the unsent messages of a registration whose personal data is erased."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration_id,
            OutboxMessage.status.in_([MessageStatus.PENDING, MessageStatus.FAILED]),
        )
        .values(
            status=MessageStatus.FAILED,
            last_error=DISCARDED,
            **ERASED,
        )
    )


def is_due(now: datetime, include_waiting: bool):
    pending = OutboxMessage.status == MessageStatus.PENDING
    if not include_waiting:
        pending = pending & (OutboxMessage.next_attempt_at <= now)
    lapsed_claim = (OutboxMessage.status == MessageStatus.SENDING) & (
        OutboxMessage.claimed_until < now
    )
    return or_(pending, lapsed_claim)


def claim(
    now: datetime, *, message_ids: list[int] | None, include_waiting: bool, limit: int
) -> list[OutboxMessage]:
    """Take ownership of due messages and commit that, so that no other sender takes them.

    One statement: the first due messages, those another sender has locked skipped (FOR
    UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer at a time), updated only if
    still due, so that of two senders that saw the same message only one claims it.
    """
    due = (
        select(OutboxMessage.id)
        .where(is_due(now, include_waiting))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if message_ids is not None:
        due = due.where(OutboxMessage.id.in_(message_ids))
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), is_due(now, include_waiting))
        .values(
            status=MessageStatus.SENDING,
            claimed_until=now + CLAIM_LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage),
        execution_options={"synchronize_session": False, "populate_existing": True},
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda message: message.id)


def deliver(
    *,
    message_ids: list[int] | None = None,
    include_waiting: bool = False,
    limit: int = 100,
    now: datetime | None = None,
) -> DeliveryReport:
    """One pass: claim the due messages (or `message_ids`) and send them."""
    now = now or utcnow()
    session = db.session()
    # The claimed messages, and what the e-mails show (an activity, its venue), are read
    # once per batch, not again after each commit: a batch lasts about a second.
    session.expire_on_commit = False
    connection = TimeoutConnection(current_app.extensions["mail"])
    messages: list[OutboxMessage] = []
    try:
        messages = claim(now, message_ids=message_ids, include_waiting=include_waiting, limit=limit)
        report = DeliveryReport(claimed=len(messages))
        if messages:
            with outcome_writer() as write_outcome:
                send_claimed(messages, connection, write_outcome, now, report)
        return report
    finally:
        session.expire_on_commit = True
        # Their outcomes were written beside the session: it reads them again if asked.
        for message in messages:
            if message in session:
                session.expire(message)
        connection.close()


OutcomeWriter = Callable[[OutboxMessage, dict], None]


def send_claimed(
    messages: list[OutboxMessage],
    connection: TimeoutConnection,
    write_outcome: OutcomeWriter,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Send claimed messages over one SMTP connection, each outcome written as it comes: a
    crash loses at most the message being sent."""
    try:
        connection.host = connection.configure_host()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            write_outcome(message, retry_outcome(message, error, now, report))
        return
    preloaded = preload(messages)  # noqa: F841 - referenced, so the session keeps them
    for message in messages:
        try:
            mail = build_mail(message)
        except Discarded as discarded:
            write_outcome(message, failed_outcome(str(discarded), now, report) | ERASED)
            continue
        except Exception as error:
            # A renderer's failure (a template, the database) is a failed attempt like
            # an SMTP one: retried later, never lost. Its transaction may be broken.
            current_app.logger.exception("rendering outbox message %s failed", message.id)
            db.session.rollback()
            write_outcome(message, retry_outcome(message, error, now, report))
            continue
        try:
            connection.send(mail)
        except BadHeaderError:
            write_outcome(message, failed_outcome("BadHeaderError", now, report))
        except (OSError, smtplib.SMTPException) as error:
            write_outcome(message, retry_outcome(message, error, now, report))
        else:
            write_outcome(message, sent_outcome(now))
            report.sent += 1


@contextlib.contextmanager
def outcome_writer() -> Iterator[OutcomeWriter]:
    """Writes each message's outcome (its new column values) at once, committed on its own,
    on one database connection held for the batch.

    An outcome is one UPDATE. On PostgreSQL it runs in autocommit: one round trip, where
    committing it through the session cost BEGIN, UPDATE and COMMIT, on a connection
    checked out again for each message. On SQLite it is committed at once, which gives the
    writers' turn back.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")

        def write(message: OutboxMessage, values: dict) -> None:
            parameters = {f"new_{name}": value for name, value in values.items()}
            connection.execute(
                outcome_statement(tuple(values)), {"row_id": message.id} | parameters
            )
            connection.commit()

        yield write


@functools.cache
def outcome_statement(columns: tuple[str, ...]) -> Update:
    """UPDATE outbox_message SET `columns` WHERE id = :row_id, built once per outcome."""
    table = OutboxMessage.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
    )


def preload(messages: list[OutboxMessage]) -> list:
    """What each kind's preloader reads for its messages, a few queries per batch instead
    of a few per message. Only an optimisation: on failure, each renderer reads what it
    needs itself."""
    preloaders = current_app.extensions.get("outbox_preloaders", {})
    batches: dict[Preloader, list[OutboxMessage]] = {}
    for message in messages:
        if message.kind in preloaders:
            batches.setdefault(preloaders[message.kind], []).append(message)
    loaded = []
    for preloader, batch in batches.items():  # one call for all the kinds it serves
        try:
            loaded += preloader(batch)
        except Exception:
            current_app.logger.exception("preloading outbox messages failed")
            db.session.rollback()
    return loaded


def sent_outcome(now: datetime) -> dict:
    """Sent: keep the facts (kind, times), erase the content and the address."""
    return {
        "status": MessageStatus.SENT,
        "sent_at": now,
        "claimed_until": None,
        "last_error": None,
        "last_error_at": None,
    } | ERASED


def retry_outcome(
    message: OutboxMessage, error: Exception, now: datetime, report: DeliveryReport
) -> dict:
    if message.attempts >= MAX_ATTEMPTS:
        return failed_outcome(describe_error(error), now, report)
    report.retrying += 1
    return {
        "status": MessageStatus.PENDING,
        "last_error": describe_error(error),
        "last_error_at": now,
        "claimed_until": None,
        "next_attempt_at": now + retry_delay(message.attempts),
    }


def failed_outcome(reason: str, now: datetime, report: DeliveryReport) -> dict:
    """No more automatic attempts; an organiser can put it back in the queue."""
    report.failed += 1
    return {
        "status": MessageStatus.FAILED,
        "claimed_until": None,
        "last_error": reason,
        "last_error_at": now,
    }


def retry_failed(now: datetime, *, actor: User | None = None) -> list[int]:
    """Put the failed messages back in the queue, due at `now`, their attempts counted
    from zero; recorded in the audit log. Returns their ids, for a first attempt after
    the caller commits.

    Messages whose content was erased (their registrant's data was) stay failed: there
    is nothing left to send. One conditional UPDATE, so that two organisers pressing the
    button at once put each message back only once.
    """
    retried = list(
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.FAILED,
                OutboxMessage.recipient.is_not(None),
                or_(
                    OutboxMessage.body_text.is_not(None),
                    OutboxMessage.render_params.is_not(None),
                ),
            )
            .values(
                status=MessageStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                claimed_until=None,
            )
            .returning(OutboxMessage.id)
        ).scalars()
    )
    if retried:
        record(actor, "outbox.retried", "outbox", None, messages=len(retried))
    return retried


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def describe_error(error: Exception) -> str:
    """The kind of failure, without the server's text (it may repeat the address)."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = ",".join(str(reply[0]) for reply in error.recipients.values())
    return f"{type(error).__name__}" + (f" ({code})" if code else "")


def build_mail(message: OutboxMessage) -> Message:
    """The e-mail to send: as stored, or rendered now (once per attempt)."""
    content = RenderedMail(
        message.subject or "", message.body_text or "", message.body_html, message.attachments
    )
    if message.render_params is not None:
        content = current_app.extensions["outbox_renderers"][message.kind](message)
    mail = OutboxMail(
        subject=content.subject,
        recipients=[message.recipient],
        body=content.body_text,
        html=content.body_html,
        attachments=[attachment(item) for item in content.attachments or []],
    )
    mail.msgId = message.message_id
    return mail


class OutboxMail(Message):
    """Flask-Mail's message, with three changes to how it is written out.

    - The `compat32` policy instead of `SMTP`. Flask-Mail builds every part with the
      compat32 classes, then sets `policy.SMTP` on the whole: flattening it then parses
      each header of each part again through the header registry, about two thirds of
      the time an e-mail took to build (benchmarks/README.md). compat32 writes the
      headers as built. It folds an encoded subject without counting "Subject: " before
      it, so the subject is given as a `Header` that does (or readers see a leading space).
    - A body with a line longer than SMTP allows is quoted-printable, which wraps it,
      instead of 8bit: a relay may refuse such a message, or cut the line anywhere. An
      organiser's long description in the HTML is enough.
    - Each multipart part gets its boundary here, from `secrets`: left to the generator,
      it is made from `random` and checked against the part's text with a regular
      expression compiled for it, a new pattern each time (two per e-mail), which also
      pushed the patterns of everything else out of `re`'s cache. An unguessable
      boundary needs no check.

    They override Flask-Mail's private `_message` and `_mimetext`: Flask-Mail is pinned
    (requirements.txt), and tests/web/test_outbox.py compares the result with its own.
    """

    def _message(self) -> MIMEBase:
        message = super()._message()
        message.policy = MIME_POLICY
        if self.subject and not self.subject.isascii():
            message.replace_header("Subject", Header(self.subject, "utf-8", header_name="Subject"))
        for part in message.walk():
            if part.is_multipart():
                part.set_boundary(f"{'=' * 15}{secrets.token_hex(16)}==")
        return message

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        if text and any(len(line.encode()) > SMTP_LINE_LIMIT for line in text.splitlines()):
            return MIMEText(text, _subtype=subtype, _charset=UTF8_QUOTED_PRINTABLE)
        return super()._mimetext(text, subtype)


class ShortHeadersAsIs(policy.Compat32):
    """compat32, but a header that needs no folding or encoding is written as it is.

    compat32 passes every header through `email.header.Header` (about thirty an e-mail,
    most of them each part's Content-Type and MIME-Version), which writes such a header
    unchanged, at a cost: `tests/web/test_outbox.py` checks the bytes are the same.
    """

    def _fold(self, name: str, value, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= self.max_line_length
            and not any(character in value for character in "\r\n")
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


MIME_POLICY = ShortHeadersAsIs(linesep="\r\n")
SMTP_LINE_LIMIT = 998  # octets, without the CRLF (RFC 5322, 2.1.1)
UTF8_QUOTED_PRINTABLE = Charset("utf-8")
UTF8_QUOTED_PRINTABLE.body_encoding = QP  # Flask-Mail sets utf-8 bodies to 8bit


def attachment(item: dict) -> Attachment:
    """An attachment as stored: text, or base64 for binary data; an image with a
    `content_id` is shown inside the HTML body (`<img src="cid:…">`)."""
    data = item["data"]
    content = base64.b64decode(data) if item.get("encoding") == "base64" else data.encode()
    if "content_id" in item:
        return Attachment(
            filename=item["filename"],
            content_type=item["content_type"],
            data=content,
            disposition="inline",
            headers={"Content-ID": f"<{item['content_id']}>"},
        )
    return Attachment(filename=item["filename"], content_type=item["content_type"], data=content)


class TimeoutConnection(Connection):
    """Flask-Mail's SMTP connection with a time limit, so a silent server cannot hang us."""

    def close(self) -> None:
        if self.host is None:
            return
        # The messages are already recorded; a failed QUIT changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.host.quit()
        self.host = None

    def configure_host(self):
        settings = self.mail
        # Named, or smtplib asks the resolver for this machine's name on every connection
        # (a reverse lookup: milliseconds here, seconds where DNS is slow).
        smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = smtp_class(
            settings.server,
            settings.port,
            local_hostname=site_hostname(),
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host

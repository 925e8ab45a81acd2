"""The first delivery attempts of a process: one thread, in batches over one connection."""

from __future__ import annotations

from eventweek.extensions import db
from eventweek.outbox.delivery import deliver
from eventweek.outbox.first_attempts import FirstAttempts
from eventweek.outbox.models import MessageStatus
from tests.factories import make_activity
from tests.flows import outcome, register
from tests.web.test_outbox import queue, statuses


def test_messages_handed_over_within_the_window_go_over_one_connection(app, app_context, smtp):
    ids = queue(5)
    sender = FirstAttempts(app)
    sender.window = 0.5
    for message_id in ids:  # five requests, one after the other
        sender.submit([message_id])
    assert sender.wait_until_idle(30)
    assert len(smtp.wait_for(5)) == 5
    assert len(set(smtp.peers)) == 1, "one SMTP connection for the batch"
    assert statuses() == [MessageStatus.SENT] * 5


def test_a_failed_batch_stays_in_the_outbox_and_the_thread_goes_on(app, app_context, smtp):
    sender = FirstAttempts(app)
    smtp.stop()
    first = queue(2)
    sender.submit(first)
    assert sender.wait_until_idle(30)
    assert statuses() == [MessageStatus.PENDING] * 2  # retried later, by the worker

    smtp.start()
    second = queue(1)
    sender.submit(second)
    assert sender.wait_until_idle(30)
    assert smtp.wait_for(1) and statuses() == [MessageStatus.PENDING] * 2 + [MessageStatus.SENT]
    assert sender.thread.is_alive()


def test_a_new_process_starts_its_own_thread(app, app_context, smtp):
    sender = FirstAttempts(app)
    sender.submit(queue(1))
    assert sender.wait_until_idle(30)
    inherited = sender.thread
    sender.owner_pid = -1  # as in a worker forked after the first use (gunicorn --preload)
    sender.submit(queue(1))
    assert sender.wait_until_idle(30)
    assert sender.thread is not inherited and sender.thread.is_alive()
    assert len(smtp.wait_for(2)) == 2


def test_a_thread_that_died_is_started_again(app, app_context, smtp):
    sender = FirstAttempts(app)
    sender.submit(queue(1))
    assert sender.wait_until_idle(30)
    with sender.condition:
        sender.stopping = True  # ends the thread, as an unexpected error would
        sender.condition.notify_all()
    sender.thread.join(5)
    assert not sender.thread.is_alive()
    sender.submit(queue(1))
    assert sender.wait_until_idle(30)
    assert len(smtp.wait_for(2)) == 2


def test_web_processes_can_leave_every_email_to_the_worker(
    app, client, app_context, smtp, monkeypatch
):
    """OUTBOX_SEND_FROM_WEB off: a registration's e-mail waits for `flask outbox worker`,
    whose pass sends it; the web process sends nothing itself."""
    monkeypatch.setitem(app.config, "OUTBOX_SEND_FROM_WEB", False)
    sender = app.extensions["outbox_first_attempts"]
    activity = make_activity(capacity=2)
    db.session.commit()
    assert outcome(register(client, activity.id, email="p@example.org")) == "confirmed"
    assert sender.wait_until_idle(5)
    assert statuses() == [MessageStatus.PENDING]
    assert smtp.messages == []
    assert deliver().sent == 1  # the worker's pass
    assert [message["To"] for message in smtp.wait_for(1)] == ["p@example.org"]

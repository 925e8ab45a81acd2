"""Accounts' domain functions against the real databases: creation, sign-in, lock-out,
role changes and the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventweek.accounts.models import Role, User
from eventweek.accounts.operations import (
    DuplicateEmail,
    InvalidEmail,
    InvalidResetLink,
    InvalidRole,
    OrganisationRequired,
    Refusal,
    UnacceptablePassword,
    UnknownOrganisation,
    authenticate,
    change_role,
    create_user,
    reset_password,
    user_for_reset_token,
)
from eventweek.accounts.tokens import make_reset_token
from eventweek.audit.models import AuditEntry
from eventweek.extensions import db
from eventweek.registrations.models import utcnow
from tests.factories import USER_PASSWORD, make_organisation, make_user

PASSWORD = "twelve chars at least"


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def test_an_account_is_stored_trimmed_lower_cased_hashed_and_audited(app_context):
    organisation = make_organisation(slug="erasme")
    user = create_user("  Marie.Dubois@Erasme.BE ", "partner", PASSWORD, organisation="erasme")
    db.session.commit()
    assert user.email == "marie.dubois@erasme.be"
    assert user.role == Role.PARTNER and user.organisation == organisation
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert user.is_active and not user.is_demo and user.failed_logins == 0
    (entry,) = audit_entries("user.created")
    assert (entry.subject_type, entry.subject_id, entry.actor_id) == ("user", user.id, None)
    assert entry.details == {
        "email": "marie.dubois@erasme.be",
        "role": "partner",
        "organisation": "erasme",
        "is_demo": False,
    }


@pytest.mark.parametrize(
    ("arguments", "refusal", "words"),
    [
        (("someone@example.org", "admin", PASSWORD), InvalidRole, "organiser, partner, juror"),
        (("someone@example.org", "partner", PASSWORD), OrganisationRequired, "organisation"),
        (("someone@example.org", "partner", PASSWORD, "nowhere"), UnknownOrganisation, "nowhere"),
        (("someone@example.org", "juror", "short pass"), UnacceptablePassword, "12"),
        (("someone@example.org", "juror", "x" * 257), UnacceptablePassword, "256"),
        (("not an address", "juror", PASSWORD), InvalidEmail, "not an address"),
        (("someone@localhost", "juror", PASSWORD), InvalidEmail, "localhost"),
    ],
)
def test_bad_accounts_are_refused_with_a_clear_reason(app_context, arguments, refusal, words):
    with pytest.raises(refusal, match=words):
        create_user(*arguments)
    db.session.rollback()
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_one_account_per_address_whatever_the_capitals(app_context):
    create_user("juror@example.org", "juror", PASSWORD)
    with pytest.raises(DuplicateEmail):
        create_user(" JUROR@example.org", "organiser", PASSWORD)


def test_the_database_itself_refuses_a_partner_without_organisation(app_context):
    user = make_user("organiser")
    db.session.commit()
    user.role = Role.PARTNER
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_sign_in_succeeds_and_resets_the_failure_count(app_context):
    user = make_user("juror", failed_logins=3)
    now = utcnow()
    result = authenticate(" " + user.email.upper(), USER_PASSWORD, now)
    assert result.user == user and result.refusal is None
    assert user.failed_logins == 0 and user.last_login_at == now


def test_unknown_address_wrong_password_and_inactive_account_get_one_answer(app_context):
    user = make_user("juror")
    inactive = make_user("juror", is_active=False)
    now = utcnow()
    answers = [
        authenticate("nobody@example.org", USER_PASSWORD, now),
        authenticate(user.email, "wrong password!", now),
        authenticate(inactive.email, USER_PASSWORD, now),
    ]
    assert {(a.user, a.refusal, a.locked_until) for a in answers} == {(None, Refusal.INVALID, None)}


def test_five_failures_lock_for_a_minute_then_each_failure_doubles_up_to_an_hour(app_context):
    user = make_user("partner")
    now = utcnow()
    for _ in range(4):
        assert authenticate(user.email, "wrong password!", now).refusal == Refusal.INVALID
    assert user.locked_until is None
    authenticate(user.email, "wrong password!", now)
    assert user.failed_logins == 5
    assert user.locked_until == now + timedelta(minutes=1)

    # While locked, even the right password is refused, and nothing more is counted.
    locked = authenticate(user.email, USER_PASSWORD, now + timedelta(seconds=30))
    assert locked.refusal == Refusal.LOCKED and locked.user is None
    assert locked.locked_until == now + timedelta(minutes=1)
    assert user.failed_logins == 5

    # Each failure after a lock has passed locks for twice as long.
    moment = now
    for minutes in (2, 4, 8, 16, 32, 60, 60):
        moment = user.locked_until + timedelta(seconds=1)
        assert authenticate(user.email, "wrong password!", moment).refusal == Refusal.INVALID
        assert user.locked_until == moment + timedelta(minutes=minutes)

    # Once the lock has passed, the right password works and starts again from zero.
    moment = user.locked_until + timedelta(seconds=1)
    assert authenticate(user.email, USER_PASSWORD, moment).user == user
    assert user.failed_logins == 0 and user.locked_until is None
    authenticate(user.email, "wrong password!", moment)
    assert user.locked_until is None


def test_demo_accounts_sign_in_only_when_switched_on(app, app_context, monkeypatch):
    user = make_user("organiser", is_demo=True)
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", False)
    assert authenticate(user.email, USER_PASSWORD, utcnow()).refusal == Refusal.DEMO_REFUSED
    assert authenticate(user.email, "wrong password!", utcnow()).refusal == Refusal.INVALID
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", True)
    assert authenticate(user.email, USER_PASSWORD, utcnow()).user == user
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", False)
    monkeypatch.setitem(app.config, "DEBUG", True)
    assert authenticate(user.email, USER_PASSWORD, utcnow()).user == user


def test_a_role_change_is_audited_with_old_and_new_values(app_context):
    organiser = make_user("organiser")
    user = make_user("juror")
    organisation = make_organisation(slug="bordet")
    with pytest.raises(OrganisationRequired):
        change_role(user, "partner", actor=organiser)
    change_role(user, Role.PARTNER, "bordet", actor=organiser)
    change_role(user, Role.PARTNER, organisation, actor=organiser)  # no change: no entry
    db.session.commit()
    (entry,) = audit_entries("user.role_changed")
    assert entry.actor_id == organiser.id and entry.subject_id == user.id
    assert entry.details == {
        "role": {"old": "juror", "new": "partner"},
        "organisation": {"old": None, "new": "bordet"},
    }


def test_audit_entries_cannot_be_changed_or_deleted(app_context):
    make_user("juror")
    db.session.commit()
    (entry,) = audit_entries("user.created")
    entry.action = "user.nothing_happened"
    with pytest.raises(RuntimeError, match="never changed"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="never changed"):
        db.session.flush()
    db.session.rollback()


def test_a_reset_link_works_once_and_for_an_hour(app, app_context):
    user = make_user("partner")
    db.session.commit()
    token = make_reset_token(app.config["SECRET_KEY"], user.id, user.password_hash)
    issued = utcnow()
    assert user_for_reset_token(token, issued + timedelta(minutes=61)) is None
    with pytest.raises(UnacceptablePassword):
        reset_password(token, "too short", issued)
    reset_password(token, "a brand new password", issued + timedelta(minutes=5))
    db.session.commit()
    assert authenticate(user.email, "a brand new password", utcnow()).user == user
    with pytest.raises(InvalidResetLink):
        reset_password(token, "yet another password", issued + timedelta(minutes=6))
    assert [entry.subject_id for entry in audit_entries("user.password_reset")] == [user.id]

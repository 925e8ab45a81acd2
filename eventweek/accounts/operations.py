"""Every change to an account: one function each.

Each checks what it must, writes, records the audit entry and adds its e-mail to the
outbox in the caller's transaction; the caller (a view or a CLI command) commits once.
None of them commits. Refusals raise an `AccountError` whose message says why.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from eventweek.accounts.emails import queue_password_reset_email
from eventweek.accounts.models import Role, User
from eventweek.accounts.tokens import fingerprint_matches, read_reset_token
from eventweek.audit.operations import change, record
from eventweek.extensions import db
from eventweek.outbox.models import OutboxMessage
from eventweek.sessions.models import Organisation

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# After LOCK_AFTER failed sign-ins in a row, each further failure locks the account:
# 1 minute, then 2, 4, 8 … at most an hour. A successful sign-in starts again from zero.
LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
# Deliberately loose: the address is checked for shape, the mailbox by the reset e-mail.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(ValueError):
    """An account change refused; the message says why, for the person who asked."""


class InvalidEmail(AccountError):
    pass


class InvalidRole(AccountError):
    pass


class OrganisationRequired(AccountError):
    pass


class UnknownOrganisation(AccountError):
    pass


class DuplicateEmail(AccountError):
    pass


class UnacceptablePassword(AccountError):
    pass


class InvalidResetLink(AccountError):
    pass


class OwnRoleKept(AccountError):
    """An organiser cannot take the organiser role away from their own account."""


class OwnAccountKept(AccountError):
    """An organiser cannot deactivate their own account."""


class Refusal(enum.StrEnum):
    INVALID = "invalid"  # unknown address, wrong password or inactive account: one answer
    LOCKED = "locked"  # too many failures in a row: wait until `locked_until`
    DEMO_REFUSED = "demo_refused"  # a demo account, on a site where they are switched off


@dataclass(frozen=True)
class SignIn:
    user: User | None = None
    refusal: Refusal | None = None
    locked_until: datetime | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def create_user(
    email: str,
    role: Role | str,
    password: str,
    organisation: Organisation | str | None = None,
    is_demo: bool = False,
    *,
    actor: User | None = None,
) -> User:
    """A new active account. `organisation` is an Organisation or its slug.

    Refuses an address that is malformed or already used, an unknown role, a partner
    without an organisation, an unknown organisation and a password that is too short.
    """
    address = normalise_email(email)
    if len(address) > 254 or not EMAIL_SHAPE.match(address):
        raise InvalidEmail(f"{email.strip()!r} is not an e-mail address.")
    role = parse_role(role)
    organisation = resolve_organisation(organisation)
    if role == Role.PARTNER and organisation is None:
        raise OrganisationRequired("A partner account must belong to an organisation.")
    check_password(password)
    if find_user(address) is not None:
        raise DuplicateEmail(f"An account already exists for {address}.")
    user = User(
        email=address,
        password_hash=generate_password_hash(password),
        role=role,
        organisation=organisation,
        is_demo=is_demo,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # The same address created at the same moment by another request.
        raise DuplicateEmail(f"An account already exists for {address}.") from None
    record(
        actor,
        "user.created",
        "user",
        user.id,
        email=address,
        role=role,
        organisation=organisation.slug if organisation else None,
        is_demo=is_demo,
    )
    return user


def change_role(
    user: User,
    role: Role | str,
    organisation: Organisation | str | None = None,
    *,
    actor: User | None,
) -> None:
    """Give `user` another role (and organisation, if given); recorded in the audit log.

    A partner keeps its organisation unless another is given; it cannot have none.
    """
    role = parse_role(role)
    new_organisation = resolve_organisation(organisation) or user.organisation
    if role == Role.PARTNER and new_organisation is None:
        raise OrganisationRequired("A partner account must belong to an organisation.")
    old_role, old_organisation = user.role, user.organisation
    if role == old_role and new_organisation == old_organisation:
        return
    user.role = role
    user.organisation = new_organisation
    db.session.flush()
    details = {"role": change(old_role, role)}
    if new_organisation != old_organisation:
        details["organisation"] = change(
            old_organisation.slug if old_organisation else None,
            new_organisation.slug if new_organisation else None,
        )
    record(actor, "user.role_changed", "user", user.id, **details)


def invite_user(
    email: str,
    role: Role | str,
    organisation: Organisation | str | None,
    language: str,
    *,
    actor: User | None,
) -> User:
    """A new account whose owner chooses the password: it gets a random one that nobody
    knows, and the password-reset e-mail (in `language`) goes to the outbox.

    Refuses what `create_user` refuses.
    """
    user = create_user(email, role, secrets.token_urlsafe(32), organisation, actor=actor)
    queue_password_reset_email(user, language)
    return user


def update_account(
    user: User,
    role: Role | str,
    organisation: Organisation | str | None,
    is_active: bool,
    *,
    actor: User | None,
) -> None:
    """Set an account's role, organisation (None: none) and whether it may sign in.

    Each kind of change is a separate audit entry: `user.role_changed` (with the
    organisation, if it changes too), `user.organisation_changed`, `user.deactivated`,
    `user.reactivated`. Refuses a partner without an organisation, and an actor taking
    the organiser role away from their own account or deactivating it.
    """
    role = parse_role(role)
    organisation = resolve_organisation(organisation)
    if actor is not None and actor.id == user.id:
        if user.role == Role.ORGANISER and role != Role.ORGANISER:
            raise OwnRoleKept("You cannot take the organiser role away from your own account.")
        if user.is_active and not is_active:
            raise OwnAccountKept("You cannot deactivate your own account.")
    if role == Role.PARTNER and organisation is None:
        raise OrganisationRequired("A partner account must belong to an organisation.")
    old_role, old_organisation, was_active = user.role, user.organisation, user.is_active
    user.role = role
    user.organisation = organisation
    user.is_active = is_active
    db.session.flush()
    organisation_change = change(
        old_organisation.slug if old_organisation else None,
        organisation.slug if organisation else None,
    )
    if role != old_role:
        details = {"role": change(old_role, role)}
        if organisation != old_organisation:
            details["organisation"] = organisation_change
        record(actor, "user.role_changed", "user", user.id, **details)
    elif organisation != old_organisation:
        record(
            actor, "user.organisation_changed", "user", user.id, organisation=organisation_change
        )
    if is_active != was_active:
        record(actor, "user.reactivated" if is_active else "user.deactivated", "user", user.id)


def parse_role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise InvalidRole(f"Unknown role {value!r}: choose one of {choices}.") from None


def resolve_organisation(value: Organisation | str | None) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    organisation = db.session.execute(
        select(Organisation).where(Organisation.slug == value.strip())
    ).scalar_one_or_none()
    if organisation is None:
        raise UnknownOrganisation(f"No organisation has the slug {value.strip()!r}.")
    return organisation


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UnacceptablePassword(
            f"The password is too short: at least {MIN_PASSWORD_LENGTH} characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UnacceptablePassword(
            f"The password is too long: at most {MAX_PASSWORD_LENGTH} characters."
        )


def demo_accounts_allowed() -> bool:
    """Demo accounts (whose password is in the README) sign in only on a local demo."""
    return current_app.debug or bool(current_app.config.get("DEMO_ACCOUNTS_ENABLED"))


def authenticate(email: str, password: str, now: datetime) -> SignIn:
    """Check a sign-in attempt; a failure is counted, a success resets the count.

    An unknown address, an inactive account and a wrong password give the same answer,
    in about the same time. A locked account is refused without looking at the password,
    so that guessing goes no faster while it is locked.
    """
    user = find_user(email)
    if user is None or not user.is_active:
        check_password_hash(unused_hash(), password)
        return SignIn(refusal=Refusal.INVALID)
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(refusal=Refusal.LOCKED, locked_until=user.locked_until)
    if not check_password_hash(user.password_hash, password):
        count_failure(user, now)
        return SignIn(refusal=Refusal.INVALID)
    if user.is_demo and not demo_accounts_allowed():
        return SignIn(refusal=Refusal.DEMO_REFUSED)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return SignIn(user=user)


def count_failure(user: User, now: datetime) -> None:
    # One atomic increment: two wrong passwords sent at once both count.
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    user.failed_logins = failures
    if failures >= LOCK_AFTER:
        user.locked_until = now + lock_duration(failures)
    db.session.flush()


def lock_duration(failures: int) -> timedelta:
    """How long `failures` failed sign-ins in a row lock an account (none below LOCK_AFTER)."""
    if failures < LOCK_AFTER:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)


@cache
def unused_hash() -> str:
    """A hash to check passwords against when there is no account, to take the same time."""
    return generate_password_hash("no account has this password")


def request_password_reset(email: str, language: str) -> OutboxMessage | None:
    """E-mail a reset link to an active (non-demo) account with this address.

    The caller shows the same answer whether or not an e-mail was queued, so that the
    form does not tell who has an account.
    """
    user = find_user(email)
    if user is None or not user.is_active or user.is_demo:
        return None
    return queue_password_reset_email(user, language)


def user_for_reset_token(token: str, now: datetime) -> User | None:
    """The account a reset link is for, if the link is genuine, recent and unused."""
    found = read_reset_token(current_app.config["SECRET_KEY"], token, now)
    if found is None:
        return None
    user_id, fingerprint = found
    user = db.session.execute(
        select(User).where(User.id == user_id).with_for_update()
    ).scalar_one_or_none()
    if user is None or not user.is_active or user.is_demo:
        return None
    if not fingerprint_matches(user.password_hash, fingerprint):
        return None  # the password changed since: the link was used, or a newer one was
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set a new password from a reset link; the link (and every earlier one) then expires.

    Clears any lock: whoever holds the link has proved they read the account's mailbox.
    """
    user = user_for_reset_token(token, now)
    if user is None:
        raise InvalidResetLink("This password reset link is invalid, expired or already used.")
    check_password(new_password)
    user.password_hash = generate_password_hash(new_password)
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    record(user, "user.password_reset", "user", user.id)
    return user

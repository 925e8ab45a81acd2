"""Who may see what: loading the signed-in account, role checks, and safe `next` links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user

from eventweek.accounts.models import Role, User
from eventweek.accounts.operations import demo_accounts_allowed
from eventweek.accounts.tokens import password_fingerprint
from eventweek.extensions import db, login_manager
from eventweek.links import local_path

# Stored in the session at sign-in: a session opened before a password change stops working.
FINGERPRINT_KEY = "account_fingerprint"


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: only active accounts, with the password they signed in with."""
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    if user.is_demo and not demo_accounts_allowed():
        return None
    if session.get(FINGERPRINT_KEY) != password_fingerprint(user.password_hash):
        return None
    return user


def remember_password_fingerprint(user: User) -> None:
    session[FINGERPRINT_KEY] = password_fingerprint(user.password_hash)


def send_to_login():
    """Anonymous visitors of a protected page go to the sign-in page, and back afterwards."""
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def role_required(*roles: Role | str) -> Callable:
    """Protect a view: anonymous visitors are sent to sign in, other roles get 403.

    Without roles, any signed-in account may see the page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def protected(*args, **kwargs):
            if not current_user.is_authenticated:
                return send_to_login()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return protected

    return decorator


LANDING_PAGES = {
    Role.ORGANISER: "admin.home",
    Role.PARTNER: "partner.dashboard",
    Role.JUROR: "awards.jury_home",
}


def landing_url(user: User) -> str:
    """Where an account goes after signing in when it was not on its way elsewhere:
    its work area."""
    return url_for(LANDING_PAGES.get(user.role, "accounts.account"))


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path on this site, else `default` (else the account page)."""
    return local_path(target) or default or url_for("accounts.account")

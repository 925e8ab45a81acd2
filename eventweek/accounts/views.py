"""Signing in and out, resetting a password, and the page a signed-in account lands on."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from eventweek.accounts import labels, operations
from eventweek.accounts.access import (
    landing_url,
    remember_password_fingerprint,
    role_required,
    safe_next,
)
from eventweek.accounts.forms import LoginForm, PasswordResetForm, PasswordResetRequestForm
from eventweek.accounts.models import User
from eventweek.accounts.operations import Refusal
from eventweek.extensions import db, limiter
from eventweek.i18n import current_language
from eventweek.links import local_path
from eventweek.outbox.delivery import commit_and_deliver
from eventweek.registrations.models import utcnow

bp = Blueprint("accounts", __name__)

REFUSAL_STATUS = {Refusal.INVALID: 401, Refusal.LOCKED: 429, Refusal.DEMO_REFUSED: 403}


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# One counter per client address for every form that takes a password or an address.
sign_in_rate_limit = limiter.shared_limit(login_rate_limit, scope="sign-in", methods=["POST"])


@bp.after_request
def keep_private(response):
    # Account pages are personal (and reset links secret): no cache keeps them. The
    # no-referrer policy that hides reset links is set for this blueprint in security.py.
    response.cache_control.no_store = True
    return response


@bp.route("/login", methods=["GET", "POST"])
@sign_in_rate_limit
def login():
    next_path = local_path(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(next_path, landing_url(current_user)))
    form = LoginForm()
    if request.method == "GET":
        return render_login(form, next_path)
    if not form.validate():
        return render_login(form, next_path, status=400)
    result = operations.authenticate(form.email.data, form.password.data, utcnow())
    db.session.commit()  # a failure counts even though the answer is no
    if result.user is None:
        return render_login(form, next_path, result=result)
    start_session(result.user)
    return redirect(safe_next(next_path, landing_url(result.user)))


def render_login(form: LoginForm, next_path: str | None, *, status=200, result=None):
    response = current_app.make_response(
        render_template("accounts/login.html", form=form, next_path=next_path, result=result)
    )
    response.status_code = REFUSAL_STATUS[result.refusal] if result else status
    if result and result.refusal == Refusal.LOCKED:
        wait = (result.locked_until - utcnow()).total_seconds()
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def start_session(user: User) -> None:
    """A fresh session for the account: nothing from before signing in is carried over."""
    session.clear()
    login_user(user)
    remember_password_fingerprint(user)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login"))
        return render_template("accounts/logout.html")
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@role_required()
def account():
    return render_template(
        "accounts/account.html", user=current_user, role_label=labels.role(current_user.role)
    )


@bp.route("/password-reset", methods=["GET", "POST"])
@sign_in_rate_limit
def request_password_reset():
    form = PasswordResetRequestForm()
    if request.method == "GET":
        return render_template("accounts/password_reset_request.html", form=form)
    if not form.validate():
        return render_template("accounts/password_reset_request.html", form=form), 400
    operations.request_password_reset(form.email.data, current_language())
    commit_and_deliver()
    # The same page whether or not the address has an account.
    return render_template("accounts/password_reset_sent.html", email=form.email.data)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@sign_in_rate_limit
def reset_password(token: str):
    now = utcnow()
    if operations.user_for_reset_token(token, now) is None:
        return render_template("accounts/password_reset_invalid.html"), 410
    form = PasswordResetForm()
    if request.method == "GET":
        return render_template("accounts/password_reset.html", form=form, token=token)
    if not form.validate():
        return render_template("accounts/password_reset.html", form=form, token=token), 400
    try:
        operations.reset_password(token, form.password.data, now)
    except operations.InvalidResetLink:  # used by another request a moment ago
        db.session.rollback()
        return render_template("accounts/password_reset_invalid.html"), 410
    db.session.commit()
    # Sessions opened with the old password end by themselves (see access.load_user).
    flash(_("Your new password is saved. You can sign in with it now."))
    return redirect(url_for("accounts.login"))

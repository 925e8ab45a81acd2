"""Signing in and out, password resets and role checks, through the real pages."""

from __future__ import annotations

import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from eventweek import create_app
from eventweek.accounts.access import role_required
from eventweek.accounts.models import Role, User
from eventweek.accounts.tokens import RESET_SALT, password_fingerprint
from eventweek.extensions import db
from tests.conftest import ServerLikeClient, app_settings
from tests.factories import USER_PASSWORD, make_organisation, make_user
from tests.flows import csrf_token, login, logout

RESET_LINK = re.compile(r"http://eventweek\.test(/password-reset/[A-Za-z0-9_.-]+)")


def refusal(response) -> str | None:
    match = re.search(r'data-refusal="([a-z_]+)"', response.get_data(as_text=True))
    return match.group(1) if match else None


def refusal_notice(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index('id="sign-in-refused"') :].split("</div>", 1)[0]


def login_form_action(response) -> str:
    match = re.search(
        r'<form method="post" action="([^"]*)" class="account-form"',
        response.get_data(as_text=True),
    )
    assert match
    return match.group(1)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


# Signing in


def test_signing_in_lands_on_the_work_area_of_the_role(client, partner, organiser, juror):
    assert login(client.application.test_client(), organiser).headers["Location"] == "/admin/"
    assert login(client.application.test_client(), juror).headers["Location"] == "/jury/"
    response = login(client, partner)
    assert response.status_code == 302
    assert response.headers["Location"] == "/partner/"
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert partner.email in html
    assert 'data-role="partner"' in html and "Partenaire" in html
    assert partner.organisation.name_fr in html
    assert page.headers["Cache-Control"] == "no-store"


def test_the_address_may_differ_in_capitals_and_spaces(client, juror):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": f"  {juror.email.upper()} ",
            "password": USER_PASSWORD,
        },
    )
    assert response.status_code == 302


def test_unknown_address_and_wrong_password_get_the_same_answer(client, organiser):
    unknown = login(client, User(email="nobody@example.org"))
    wrong = login(client, organiser, password="not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert refusal(unknown) == refusal(wrong) == "invalid"
    assert refusal_notice(unknown) == refusal_notice(wrong)
    assert "ou le mot de passe n" in refusal_notice(wrong)
    assert client.get("/account").status_code == 302  # still anonymous


def test_an_incomplete_form_is_a_400_and_a_missing_token_too(client, organiser):
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    assert (
        client.post("/login", data={"csrf_token": token, "email": organiser.email}).status_code
        == 400
    )
    response = client.post("/login", data={"email": organiser.email, "password": USER_PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_repeated_failures_lock_the_account_with_a_clear_message(client, partner):
    for _ in range(5):
        assert login(client, partner, password="not the password").status_code == 401
    response = login(client, partner)  # the right password, too late
    assert response.status_code == 429
    assert refusal(response) == "locked"
    assert 50 <= int(response.headers["Retry-After"]) <= 60
    assert "verrouillé" in refusal_notice(response)
    db.session.refresh(partner)
    assert partner.failed_logins == 5 and partner.locked_until is not None


def test_demo_accounts_are_refused_unless_switched_on(app, client, monkeypatch, app_context):
    demo = make_user("organiser", is_demo=True)
    db.session.commit()
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", False)
    refused = login(client, demo)
    assert refused.status_code == 403
    assert refusal(refused) == "demo_refused"
    assert "démonstration" in refusal_notice(refused)

    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", True)
    assert login(client, demo).status_code == 302
    assert client.get("/account").status_code == 200
    # Switched off again (the app restarted without it): the open session stops working.
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", False)
    assert client.get("/account").status_code == 302


def test_an_account_made_inactive_loses_its_session(client, juror):
    login(client, juror)
    assert client.get("/account").status_code == 200
    juror.is_active = False
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_the_session_is_rotated_at_sign_in(client, organiser):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
    before = session_cookie(client)
    login(client, organiser)
    after = session_cookie(client)
    assert before and after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(organiser.id)


def test_session_cookies_are_httponly_and_samesite(client, organiser):
    response = login(client, organiser)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# Where sign-in leads


def test_anonymous_visitors_are_sent_to_sign_in_and_brought_back(client, juror):
    response = client.get("/account?tab=security&x=1")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/account?tab=security&x=1"]}
    page = client.get(response.headers["Location"])
    assert "Veuillez vous connecter" in page.get_data(as_text=True)
    action = login_form_action(page).replace("&amp;", "&")
    assert parse_qs(urlsplit(action).query) == {"next": ["/account?tab=security&x=1"]}
    token = csrf_token(page.get_data(as_text=True))
    signed_in = client.post(
        action,
        data={"csrf_token": token, "email": juror.email, "password": USER_PASSWORD},
    )
    assert signed_in.headers["Location"] == "/account?tab=security&x=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example/",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "http:evil.example",
        "evil.example",
    ],
)
def test_next_never_leads_out_of_the_site(client, organiser, target):
    page = client.get("/login", query_string={"next": target})
    assert login_form_action(page) == "/login"  # not even kept in the form
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": token, "email": organiser.email, "password": USER_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    # Once signed in, /login?next=… redirects at once: the same rule holds.
    again = client.get("/login", query_string={"next": target})
    assert again.headers["Location"] == "/admin/"


# Signing out


def test_signing_out_needs_a_post_with_its_csrf_token(client, organiser):
    login(client, organiser)
    confirm = client.get("/logout")
    assert confirm.status_code == 200
    assert 'action="/logout"' in confirm.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # a GET changes nothing

    assert client.post("/logout").status_code == 400  # no token: refused
    assert client.get("/account").status_code == 200

    response = logout(client)
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    assert "Vous êtes déconnecté" in client.get("/login").get_data(as_text=True)


def test_the_header_offers_a_discreet_sign_in_and_then_the_address_and_sign_out(client, organiser):
    html = client.get("/").get_data(as_text=True)
    assert 'class="account-link" href="/login"' in html
    assert organiser.email not in html
    login(client, organiser)
    html = client.get("/").get_data(as_text=True)
    assert organiser.email in html
    header = html.split("</header>", 1)[0]
    assert 'action="/logout"' in header and 'name="csrf_token"' in header
    assert 'class="account-link"' not in header


# Password reset


def reset_link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = RESET_LINK.search(text)
    assert match, text
    return match.group(1)


def ask_for_reset(client, email: str):
    page = client.get("/password-reset")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/password-reset", data={"csrf_token": token, "email": email})


def choose_password(client, path: str, password: str, confirmation: str | None = None):
    page = client.get(path)
    if page.status_code != 200:
        return page
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        path,
        data={
            "csrf_token": token,
            "password": password,
            "confirmation": password if confirmation is None else confirmation,
        },
    )


def test_password_reset_from_the_e_mail_works_once(client, partner, smtp):
    other_browser = client.application.test_client()
    login(other_browser, partner)
    assert other_browser.get("/account").status_code == 200

    response = ask_for_reset(client, partner.email.upper())
    assert response.status_code == 200
    assert 'id="reset-requested"' in response.get_data(as_text=True)
    (message,) = smtp.wait_for(1)
    assert message["To"] == partner.email
    assert "mot de passe" in message["Subject"]
    path = reset_link(message)
    assert (
        "http://eventweek.test/password-reset"
        in message.get_body(preferencelist=("html",)).get_content()
    )

    refused = choose_password(client, path, "brand new password", "another password!")
    assert refused.status_code == 400
    response = choose_password(client, path, "brand new password")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "nouveau mot de passe est enregistré" in client.get("/login").get_data(as_text=True)

    assert login(client, partner).status_code == 401  # the old password no longer works
    assert login(client, partner, password="brand new password").status_code == 302
    # The link worked once; a session opened with the old password has ended.
    again = client.get(path)
    assert again.status_code == 410 and 'id="reset-link-invalid"' in again.get_data(as_text=True)
    assert other_browser.get("/account").status_code == 302


def test_a_reset_clears_a_lock(client, juror, smtp):
    for _ in range(6):
        login(client, juror, password="not the password")
    ask_for_reset(client, juror.email)
    path = reset_link(smtp.wait_for(1)[0])
    assert choose_password(client, path, "brand new password").status_code == 302
    assert login(client, juror, password="brand new password").status_code == 302


def test_unknown_inactive_and_demo_addresses_get_the_same_page_and_no_e_mail(
    client, app_context, smtp
):
    inactive = make_user("juror", is_active=False)
    demo = make_user("juror", is_demo=True)
    db.session.commit()
    pages = [
        ask_for_reset(client, address).get_data(as_text=True).replace(address, "ADDRESS")
        for address in ("nobody@example.org", inactive.email, demo.email)
    ]
    assert pages[0] == pages[1] == pages[2]
    assert smtp.wait_for(1, timeout=1) == []


def old_reset_path(app, user, seconds_ago: int) -> str:
    """A genuine reset link issued `seconds_ago` (built as the app builds it)."""

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=RESET_SALT, signer=PastSigner
    )
    payload = {"user": user.id, "fingerprint": password_fingerprint(user.password_hash)}
    return f"/password-reset/{serializer.dumps(payload)}"


def test_a_reset_link_expires_after_an_hour(app, client, partner):
    assert client.get(old_reset_path(app, partner, 50 * 60)).status_code == 200
    expired = old_reset_path(app, partner, 61 * 60)
    assert client.get(expired).status_code == 410
    assert choose_password(client, expired, "brand new password").status_code == 410
    assert login(client, partner).status_code == 302  # the password did not change


@pytest.mark.parametrize("token", ["nonsense", "eyJ1c2VyIjoxfQ.AAAAAA.forged", "a" * 300])
def test_a_made_up_reset_link_does_not_work(client, token):
    assert client.get(f"/password-reset/{token}").status_code == 410


# Role checks from the outside


@pytest.fixture(scope="module")
def guarded_app(database_url, smtp_server):
    """The app plus a test-only blueprint whose pages need a role."""
    app = create_app(app_settings(database_url, smtp_server.port))
    guarded = Blueprint("guarded", __name__)

    @guarded.get("/test-only/organisers")
    @role_required(Role.ORGANISER)
    def organisers_only():
        return "organisers' data"

    @guarded.get("/test-only/staff")
    @role_required("organiser", "juror")
    def organisers_and_jurors():
        return "staff data"

    @guarded.get("/test-only/anyone-signed-in")
    @role_required()
    def anyone_signed_in():
        return "signed-in data"

    app.register_blueprint(guarded)
    app.test_client_class = ServerLikeClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/test-only/organisers", {"organiser"}),
        ("/test-only/staff", {"organiser", "juror"}),
        ("/test-only/anyone-signed-in", {"organiser", "juror", "partner"}),
    ],
)
def test_role_required_from_the_outside(guarded_app, app, app_context, path, allowed):
    users = {role: make_user(role) for role in ("organiser", "juror", "partner")}
    db.session.commit()

    anonymous = guarded_app.test_client().get(f"{path}?page=2")
    assert anonymous.status_code == 302
    location = urlsplit(anonymous.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [f"{path}?page=2"]}
    assert "data" not in anonymous.get_data(as_text=True)

    for role, user in users.items():
        client = guarded_app.test_client()
        assert login(client, user).status_code == 302
        response = client.get(path)
        if role in allowed:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 403, role
            assert "data" not in response.get_data(as_text=True)


def test_a_partner_account_shows_its_organisation(client, app_context):
    organisation = make_organisation(slug="saint-luc", name_fr="Cliniques universitaires Saint-Luc")
    user = make_user("partner", organisation=organisation)
    db.session.commit()
    login(client, user)
    html = client.get("/account").get_data(as_text=True)
    assert "Cliniques universitaires Saint-Luc" in html
    assert db.session.execute(select(User.role).where(User.id == user.id)).scalar_one() == "partner"


def test_the_language_links_of_a_refused_sign_in_keep_where_it_leads(client, organiser):
    # A form sent to its own address: switching language returns to it, query and all.
    response = login(client, organiser, "not the password", address="/login?next=/admin")
    assert response.status_code == 401
    link = re.search(r'href="(/language/nl[^"]*)"', response.get_data(as_text=True)).group(1)
    switched = client.get(html.unescape(link))
    target = urlsplit(switched.headers["Location"])
    assert (target.path, parse_qs(target.query)) == ("/login", {"next": ["/admin"]})

"""Security headers on every response, no inline script or style in the pages, no open
redirect, and a session that cannot be fixed before sign-in."""

from __future__ import annotations

import re

import pytest

from tests.flows import login

CSP = "Content-Security-Policy"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
# Inside a tag only: the embed snippet shows `style="border:0"` as (escaped) text.
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b", re.I)


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0, result.output


def directives(response) -> dict[str, str]:
    policy = response.headers[CSP]
    return dict((part.strip() + " ").split(" ", 1) for part in policy.split(";"))


def assert_locked_down(response) -> None:
    policy = directives(response)
    assert policy["script-src"].strip() == "'self'"
    assert "unsafe-inline" not in response.headers[CSP]
    assert policy["default-src"].strip() == "'self'"
    assert policy["object-src"].strip() == "'none'"
    assert policy["frame-ancestors"].strip() == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"strict-origin-when-cross-origin", "no-referrer"}
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def assert_clean_html(path: str, html: str) -> None:
    assert not INLINE_SCRIPT.search(html), f"inline <script> on {path}"
    assert not EVENT_HANDLER.search(html), f"on…= handler on {path}"
    assert not STYLE_ATTRIBUTE.search(html), f"style= attribute on {path}"
    assert not INLINE_STYLE.search(html), f"<style> element on {path}"


def test_pages_api_feeds_and_errors_carry_the_headers(client, demo):
    programme = client.get("/programme")
    activity_id = re.search(r'href="/sessions/(\d+)"', programme.get_data(as_text=True))[1]
    for path in [
        "/",
        "/programme",
        f"/sessions/{activity_id}",
        "/programme.ics",
        "/schedule.json",
        "/api/v1/sessions",
        "/no-such-page",
        "/api/v1/no-such-thing",
        "/login",
    ]:
        response = client.get(path)
        assert response.status_code in {200, 404}, path
        assert_locked_down(response)
    assert client.get("/no-such-page").status_code == 404


def test_only_the_embeddable_programme_may_be_framed(client, demo):
    response = client.get("/embed/programme")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"].strip() == "*"
    assert "X-Frame-Options" not in response.headers
    assert directives(response)["script-src"].strip() == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert_clean_html("/embed/programme", response.get_data(as_text=True))


def test_every_get_route_without_arguments_has_a_policy(app, client, organiser):
    login(client, organiser)  # signed in, so that the admin pages answer with themselves
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "accounts.logout"
    )
    assert "/" in paths and "/admin/" in paths
    for path in paths:
        response = client.get(path)
        assert CSP in response.headers, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_main_pages_have_no_inline_script_handler_or_style(client, demo, organiser):
    programme = client.get("/programme").get_data(as_text=True)
    activity_id = re.search(r'href="/sessions/(\d+)"', programme)[1]
    anonymous = ["/", "/programme", f"/sessions/{activity_id}", "/metrics", "/awards", "/login"]
    for path in anonymous:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_clean_html(path, response.get_data(as_text=True))
    login(client, organiser)
    for path in ["/admin/", "/account"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_clean_html(path, response.get_data(as_text=True))


def test_svg_charts_get_a_policy_of_their_own(client, demo):
    metrics = client.get("/metrics").get_data(as_text=True)
    name = re.search(r'data-chart="([^"]+)"', metrics)[1]
    chart = client.get(f"/metrics/charts/{name}.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    policy = directives(chart)
    # pygal's inline <style>, and nothing else: no script runs even if the SVG is opened.
    assert policy["default-src"].strip() == "'none'"
    assert "script-src" not in policy
    assert "<script" not in chart.get_data(as_text=True)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://eventweek.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_proxy_fix_trusts_the_configured_proxy_for_https(database_url, smtp_server):
    from eventweek import create_app
    from tests.conftest import app_settings

    behind = create_app({**app_settings(database_url, smtp_server.port), "PROXY_FIX_X_PROTO": 1})
    direct = create_app(app_settings(database_url, smtp_server.port))
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" in behind.test_client().get("/", headers=forwarded).headers
    # Without the setting, anyone could claim HTTPS with a header.
    assert (
        "Strict-Transport-Security" not in direct.test_client().get("/", headers=forwarded).headers
    )


def test_pages_with_a_secret_in_the_address_send_no_referrer(client):
    for path in [
        "/registrations/" + "x" * 43,
        "/agenda/" + "x" * 43 + ".ics",
        "/password-reset/not-a-token",
        "/login",
    ]:
        response = client.get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path
    assert client.get("/programme").headers["Referrer-Policy"] == (
        "strict-origin-when-cross-origin"
    )


EVIL_TARGETS = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "\\/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switcher_stays_on_the_site(client, target):
    response = client.get("/language/nl", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "evil.example" not in location.split("?")[0].lstrip("/")[:12]


@pytest.mark.parametrize("target", ["%2F%2Fevil.example", "/%2F/evil.example", "/\x00/evil"])
def test_login_next_stays_on_the_site(client, organiser, target):
    location = login_with_next(client, organiser, target).headers["Location"]
    # Percent-encoded slashes stay a path on this site; a browser does not decode them.
    assert location == "/admin/" or (location.startswith("/") and not location.startswith("//"))
    assert "\x00" not in location


def login_with_next(client, user, target):
    from tests.factories import USER_PASSWORD
    from tests.flows import csrf_token

    page = client.get("/login", query_string={"next": target})
    return client.post(
        "/login",
        query_string={"next": target},
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": user.email,
            "password": USER_PASSWORD,
        },
    )


def test_a_session_cookie_from_before_sign_in_is_not_signed_in(app, client, organiser):
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, organiser)
    after = client.get_cookie("session").value
    assert after != before
    assert client.get("/admin/").status_code == 200
    # Whoever planted or saw the pre-sign-in cookie holds no signed-in session with it.
    stranger = app.test_client()
    stranger.set_cookie("session", before, domain="localhost")
    assert stranger.get("/admin/").status_code == 302

import pytest

from eventweek.sessions.views import local_target


def html_lang(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_query_argument_wins_over_cookie_and_browser(client):
    client.set_cookie("lang", "nl")
    response = client.get("/?lang=en", headers={"Accept-Language": "fr"})
    assert html_lang(response) == "en"


def test_cookie_wins_over_the_browser(client):
    client.set_cookie("lang", "nl")
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "nl"


def test_browser_language_is_used_when_nothing_else_is_said(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9"})) == "nl"
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "fr"


def test_the_switcher_sets_a_cookie_and_goes_back(client):
    response = client.get("/language/nl?next=/programme%3Fkind%3Dstand")
    assert response.status_code == 302
    assert response.headers["Location"] == "/programme?kind=stand"
    assert "lang=nl" in response.headers["Set-Cookie"]
    assert html_lang(client.get("/programme")) == "nl"


def test_the_switcher_refuses_unknown_languages(client):
    assert client.get("/language/de").status_code == 404


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_the_switcher_is_not_an_open_redirect(target):
    assert local_target(target, "fr") == "/"


def test_a_lang_argument_in_the_target_follows_the_switch():
    assert local_target("/programme?lang=fr&kind=stand", "nl") == "/programme?kind=stand&lang=nl"

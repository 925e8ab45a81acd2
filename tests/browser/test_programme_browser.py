"""The public pages as a person uses them, in Debian's Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo_site(app, live_server):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0, result.output
    return live_server


def test_programme_loads_and_a_filter_narrows_it(page, demo_site):
    page.goto(f"{demo_site}/programme")
    assert page.locator("h1").inner_text() == "Programme 2027"
    all_count = page.locator("article.activity").count()
    assert all_count == 11
    page.get_by_label("Type d'activité").select_option("stand")
    page.get_by_role("button", name="Afficher", exact=True).click()
    page.wait_for_url("**/programme?kind=stand*")
    kinds = page.locator("article.activity .kind").all_inner_texts()
    assert len(kinds) == 3 and set(kinds) == {"Stand"}


def test_language_switcher_changes_the_page_and_remembers_it(page, demo_site):
    page.goto(f"{demo_site}/programme?kind=info_session")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="Nederlands").click()
    page.wait_for_url("**/programme?kind=info_session")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Programma 2027"
    assert "Patiëntentraject 2.0" in page.locator("main").inner_text()
    # The choice sticks on the next page.
    page.get_by_role("link", name="De week").first.click()
    assert page.locator("html").get_attribute("lang") == "nl"


def test_a_session_page_links_to_a_map(page, demo_site):
    page.goto(f"{demo_site}/programme?kind=stand")
    page.locator("article.activity h3 a").first.click()
    map_link = page.get_by_role("link", name="Voir sur une carte")
    assert "openstreetmap.org" in map_link.get_attribute("href")


def test_keyboard_users_can_skip_to_the_content(page, demo_site):
    page.goto(f"{demo_site}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["x"] >= 0  # visible once focused


@pytest.mark.parametrize("path", ["/", "/programme", "/sessions/{first_id}", "/metrics"])
@pytest.mark.parametrize("width", [1280, 360])
def test_no_serious_accessibility_violation(page, demo_site, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{demo_site}/programme")
    first_id = page.locator("article.activity h3 a").first.get_attribute("href").rsplit("/", 1)[1]
    page.goto(demo_site + path.format(first_id=first_id))
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], results.generate_report()

"""The figures page as a person sees it, in each language, with its charts drawn."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(app, live_server):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0, result.output
    return live_server


@pytest.mark.parametrize(
    ("language", "heading", "documents"),
    [
        ("fr", "Le partage des données de santé à Bruxelles en chiffres", "83\u202f687\u202f905"),
        ("nl", "Gezondheidsgegevens delen in Brussel: de cijfers", "83.687.905"),
        ("en", "Sharing health data in Brussels: the figures", "83,687,905"),
    ],
)
def test_the_figures_page_in_each_language(page, demo_site, language, heading, documents):
    page.goto(f"{demo_site}/metrics?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == heading
    assert documents in page.locator('table[data-table="headline"]').inner_text()
    charts = page.locator("img[data-chart]")
    assert charts.count() >= 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete", arg=chart.element_handle())
        # Drawn, not a broken image; and described for those who do not see it.
        assert chart.evaluate("image => image.naturalWidth") > 0
        assert chart.get_attribute("alt")


def test_the_figures_page_is_reached_from_the_menu(page, demo_site):
    page.goto(f"{demo_site}/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Chiffres"
    ).click()
    page.wait_for_url("**/metrics")
    assert page.locator('table[data-table="outreach-totals"]').count() == 1

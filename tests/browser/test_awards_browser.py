"""A juror scores a nomination and an organiser publishes the results, in Chromium."""

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from eventweek.accounts.models import User
from eventweek.awards.models import AwardCycle, Phase
from eventweek.extensions import db
from tests.factories import USER_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def award_site(app, app_context, live_server):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    assert result.exit_code == 0, result.output
    for user in db.session.execute(select(User)).scalars():
        user.is_demo = False  # demo accounts sign in only in debug mode
        user.password_hash = generate_password_hash(USER_PASSWORD)
    db.session.execute(select(AwardCycle)).scalar_one().phase = Phase.SCORING_OPEN
    db.session.commit()
    return live_server


def sign_in(page, site, email):
    page.goto(f"{site}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_juror_scores_and_the_organiser_publishes(page, award_site):
    sign_in(page, award_site, "jure2@demo.eventweek.test")
    page.wait_for_url("**/jury/")
    assert "0 candidatures sur 5" in page.locator("main").inner_text()
    page.get_by_role("link", name="Institut Jules Bordet").click()
    page.get_by_label("Implication des patients").fill("11")
    page.get_by_role("button", name="Enregistrer mes notes").click()
    assert "de 0 à 10" in page.locator(".error").first.inner_text()
    page.get_by_label("Implication des patients").fill("8,5")
    page.get_by_label("Pratique du partage sécurisé").fill("7")
    page.get_by_label("Innovation").fill("9")
    page.get_by_role("button", name="Enregistrer mes notes").click()
    page.wait_for_url("**/jury/")
    assert "1 candidatures sur 5" in page.locator("main").inner_text()
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, award_site, "organisateur@demo.eventweek.test")
    page.goto(f"{award_site}/admin/awards/")
    page.get_by_role("button", name="Passer à : Notation du jury close").click()
    assert "Résultats provisoires" in page.locator("main").inner_text()
    page.get_by_role("button", name="Passer à : Résultats publiés").click()
    page.goto(f"{award_site}/awards")
    results = page.locator('table[data-results="general"]')
    assert results.count() == 1
    # One juror only: below the minimum of two, so nobody is ranked yet.
    assert "trop peu de notes" in results.inner_text()

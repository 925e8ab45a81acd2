"""The whole registration flow as a citizen clicks through it, in Chromium."""

import pytest

from eventweek.extensions import db
from eventweek.registrations.models import Registration, RegistrationState
from tests.factories import make_activity
from tests.flows import management_path

pytestmark = pytest.mark.browser


def fill_and_send(page, name: str, email: str) -> None:
    page.get_by_label("Votre prénom et votre nom").fill(name)
    page.get_by_label("Votre adresse e-mail").fill(email)
    page.get_by_label("J'accepte", exact=False).check()
    page.locator("form.registration-form button[type=submit]").click()


def test_register_manage_cancel_and_the_waiting_list_moves(page, live_server, app, smtp):
    with app.app_context():
        activity = make_activity(capacity=1, title_fr="Parcours patient 2.0")
        db.session.commit()
        activity_id = activity.id

    # A first citizen takes the only seat.
    page.goto(f"{live_server}/sessions/{activity_id}")
    fill_and_send(page, "Jeanne Dupont", "jeanne@example.org")
    assert page.locator("main").get_attribute("data-registration-state") == "confirmed"
    assert "Jeanne" not in page.url

    # A second one lands on the waiting list.
    page.goto(f"{live_server}/sessions/{activity_id}")
    assert page.get_by_role("button", name="M'inscrire sur la liste d'attente").is_visible()
    fill_and_send(page, "Karim Benali", "karim@example.org")
    main = page.locator("main")
    assert main.get_attribute("data-registration-state") == "waitlisted"
    assert "numéro 1" in main.inner_text()

    # The first opens the link from the e-mail she received, and cancels.
    smtp.wait_for(2)
    page.goto(live_server + management_path(smtp.to("jeanne@example.org")[0]))
    assert "Jeanne Dupont" in page.locator("main").inner_text()
    page.get_by_role("link", name="Annuler mon inscription").click()
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert "annulée" in page.locator(".state-cancelled").inner_text()

    # The waiting list moved: the second person is confirmed and told so by e-mail.
    messages = smtp.wait_for(4)
    promoted = [m for m in messages if m["To"] == "karim@example.org"][-1]
    page.goto(live_server + management_path(promoted))
    assert page.locator(".state-confirmed").is_visible()
    with app.app_context():
        states = sorted(
            (r.full_name, r.state) for r in db.session.execute(db.select(Registration)).scalars()
        )
    assert states == [
        ("Jeanne Dupont", RegistrationState.CANCELLED),
        ("Karim Benali", RegistrationState.CONFIRMED),
    ]


def test_mistakes_are_shown_next_to_the_fields(page, live_server, app):
    with app.app_context():
        activity = make_activity()
        db.session.commit()
        activity_id = activity.id
    page.goto(f"{live_server}/sessions/{activity_id}")
    page.get_by_label("Votre adresse e-mail").fill("pas-une-adresse")
    page.locator("form.registration-form button[type=submit]").click()
    assert page.get_by_role("alert").first.is_visible()
    email = page.get_by_label("Votre adresse e-mail")
    assert email.get_attribute("aria-invalid") == "true"
    assert email.input_value() == "pas-une-adresse"  # what was typed is kept

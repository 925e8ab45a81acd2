"""A partner publishes a stand, an organiser publishes it, a citizen registers, and the
partner checks them in at the door with the code from the e-mail: all in Chromium."""

from datetime import timedelta

import pytest

from eventweek.extensions import db
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.sessions.models import OrganisationKind
from tests.factories import USER_PASSWORD, make_edition, make_organisation, make_user, make_venue
from tests.flows import checkin_code

pytestmark = pytest.mark.browser


def sign_in(browser, base: str, email: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_stand_from_partner_to_checkin_at_the_door(browser, live_server, app, smtp):
    with app.app_context():
        edition = make_edition(days_from_today=30)
        hospital = make_organisation(kind=OrganisationKind.HOSPITAL, name_en="Test Hospital")
        venue = make_venue(name="Main hall")
        partner = make_user("partner", organisation=hospital)
        organiser = make_user("organiser")
        db.session.commit()
        day = (edition.first_day + timedelta(days=1)).isoformat()
        venue_id, partner_email, organiser_email = venue.id, partner.email, organiser.email

    # The partner creates the stand and submits it.
    partner_page = sign_in(browser, live_server, partner_email)
    partner_page.get_by_role("link", name="New stand or information session").click()
    form = partner_page.locator("form").filter(has=partner_page.get_by_label("Title in French"))
    partner_page.get_by_label("Kind of activity").select_option("stand")
    partner_page.get_by_label("Title in French").fill("Stand eSanté de test")
    partner_page.get_by_label("Title in Dutch").fill("eGezondheidsstand test")
    partner_page.get_by_label("Title in English").fill("Test eHealth stand")
    partner_page.get_by_label("French", exact=True).check()
    partner_page.get_by_label("Day", exact=True).fill(day)
    partner_page.get_by_label("Start (Brussels time)").fill("10:00")
    partner_page.get_by_label("End (Brussels time)").fill("16:00")
    partner_page.get_by_label("Place", exact=True).select_option(str(venue_id))
    partner_page.get_by_label("Registration required").check()
    partner_page.get_by_label("Number of seats (leave empty for no limit)").fill("10")
    form.get_by_role("button", name="Save as draft").click()
    partner_page.get_by_role("button", name="Submit for review").click()

    # The organiser publishes it from the review queue.
    organiser_page = sign_in(browser, live_server, organiser_email)
    organiser_page.goto(f"{live_server}/admin/review")
    organiser_page.get_by_role("link", name="Test eHealth stand").first.click()
    organiser_page.get_by_role("button", name="Publish").click()

    # It is on the programme, and a citizen registers.
    citizen = browser.new_context(locale="en-GB").new_page()
    citizen.goto(f"{live_server}/programme")
    citizen.get_by_role("link", name="Test eHealth stand").click()
    citizen.get_by_label("Your full name").fill("Marie Peeters")
    citizen.get_by_label("Your e-mail address").fill("marie@example.org")
    citizen.get_by_label("I agree", exact=False).check()
    citizen.locator("form.registration-form button[type=submit]").click()
    assert citizen.locator("main").get_attribute("data-registration-state") == "confirmed"

    # At the door, the partner types the code from Marie's e-mail.
    [message] = smtp.wait_for(1)
    partner_page.goto(f"{live_server}/partner/checkin")
    partner_page.get_by_label("Check-in code").fill(checkin_code(message))
    partner_page.get_by_role("button", name="Look up the code").click()
    assert "Marie Peeters" in partner_page.locator("main").inner_text()
    partner_page.get_by_role("button", name="Check in").click()
    with app.app_context():
        registration = db.session.execute(db.select(Registration)).scalar_one()
        assert registration.state == RegistrationState.ATTENDED
        assert registration.activity.title_en == "Test eHealth stand"
    # The same code a second time is refused, clearly.
    partner_page.goto(f"{live_server}/partner/checkin")
    partner_page.get_by_label("Check-in code").fill(checkin_code(message))
    partner_page.get_by_role("button", name="Look up the code").click()
    assert partner_page.get_by_role("alert").first.is_visible()

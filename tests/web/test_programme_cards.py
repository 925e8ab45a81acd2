"""The programme's cards are written inline (sessions/_programme_listing.html, built from
sessions/cards.py) for speed; they must show exactly what the shared macros of
_macros/activity.html show on the other pages, in every language."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from markupsafe import escape

from eventweek.extensions import db
from eventweek.registrations.queries import availabilities
from eventweek.sessions import labels
from eventweek.sessions.models import ActivityKind, ActivityStatus, Audience
from tests.factories import make_activity, make_edition, make_venue


def squeeze(html: str) -> str:
    """Runs of whitespace as one space, and none at the edges of a `<dd>`: the browser
    shows them alike."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"<dd> ", "<dd>", re.sub(r" </dd>", "</dd>", html))


def card_of(html: str, activity_id: int) -> str:
    cards = [card for card in html.split("<article")[1:] if f'"/sessions/{activity_id}"' in card]
    assert len(cards) == 1, activity_id
    return squeeze("<article" + cards[0].split("</article>")[0] + "</article>")


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_each_card_shows_what_the_shared_macros_show(language, client, app_context):
    edition = make_edition(days_from_today=10)
    activities = [
        make_activity(edition, hour=8),
        make_activity(edition, hour=9, capacity=1, is_demo=True, venue=make_venue(is_demo=True)),
        make_activity(edition, hour=10, capacity=0, waitlist_enabled=True),
        make_activity(
            edition, hour=11, capacity=0, waitlist_enabled=False, status=ActivityStatus.CANCELLED
        ),
        make_activity(
            edition,
            day=1,
            hour=12,
            capacity=None,
            audience=Audience.ALL,
            # The cards are written with autoescape off, escaped in cards.py: text that
            # looks like markup, in every field a card shows.
            title_fr='<script>alert("x")</script> & "Santé"',
            venue=make_venue(name="Salle <i>&</i>", street='Rue "A" & <B>', city="<Ixelles>"),
        ),
        make_activity(
            edition,
            day=2,
            hour=13,
            registration_required=False,
            venue=None,
            online_url="https://example.org/live",
        ),
        make_activity(
            edition,
            day=2,
            hour=14,
            venue=None,
            kind=ActivityKind.CONFERENCE,
            languages=["fr", "nl"],
            title_nl="",
            title_en="R&D <b>l'hôpital</b>",
        ),
    ]
    db.session.commit()
    headers = {"Accept-Language": language}
    html = client.get("/programme", headers=headers).get_data(as_text=True)

    with current_app.test_request_context("/programme", headers=headers):
        macros = current_app.jinja_env.get_template("_macros/activity.html").module
        seats = availabilities(activities)
        for activity in activities:
            card = card_of(html, activity.id)
            cancelled = activity.status == ActivityStatus.CANCELLED
            expected = [
                f'<article class="activity{" is-cancelled" if cancelled else ""}">',
                f'<h3><a href="/sessions/{activity.id}">{escape(activity.text("title"))}</a></h3>',
                squeeze(
                    f'<p class="meta"> <span class="kind">{escape(labels.kind(activity.kind))}'
                    f"</span> {macros.status_badge(activity)} {macros.demo_badge(activity)} </p>"
                ),
                squeeze(f"<dd>{macros.when(activity)}</dd>"),
                squeeze(f"<dd>{macros.place(activity)}</dd>"),
                f"<dd>{escape(labels.audience(activity.audience))}</dd>",
                f"<dd>{escape(labels.languages(activity.languages))}</dd>",
                squeeze(f"<dd>{macros.seats(activity, seats[activity.id])}</dd>"),
            ]
            for part in expected:
                assert part in card, (part, card)
    assert '<script>alert("x")' not in html and "<i>&</i>" not in html
    # Every kind of line was met (a fixture that stopped making them would prove nothing).
    english = {"en": ["Demo data", "Cancelled", "Online", "Place to be announced"]}
    for word in english.get(language, []):
        assert word in html

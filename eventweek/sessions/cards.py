"""The programme's cards: what a listing shows of each activity, computed once.

A listing of 500 activities rendered through macros cost about six macro calls and ten
translations per card, and loading 500 ORM objects (with their venues, organisations
and languages) cost more than the whole render may. Here the programme is read as plain
columns, and each card gets its title, labels, times, place, seat state and address in
Python; the template only interpolates them, and translates its fixed words once.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby

from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.i18n import short_time
from eventweek.registrations.seating import Availability, availability, seat_counts
from eventweek.sessions import labels
from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityLanguage,
    ActivityStatus,
    Edition,
    Venue,
    postal_address,
)
from eventweek.sessions.queries import public_programme_query

# What a card shows of an activity and its venue (everything the seat rules read, too).
CARD_COLUMNS = (
    Activity.id,
    Activity.title_fr,
    Activity.title_nl,
    Activity.title_en,
    Activity.kind,
    Activity.audience,
    Activity.status,
    Activity.is_demo,
    Activity.start_at,
    Activity.end_at,
    Activity.online_url,
    Activity.capacity,
    Activity.waitlist_enabled,
    Activity.registration_required,
    Activity.registration_opens_at,
    Activity.registration_closes_at,
    Venue.name.label("venue_name"),
    Venue.street.label("venue_street"),
    Venue.postcode.label("venue_postcode"),
    Venue.city.label("venue_city"),
    Venue.is_demo.label("venue_is_demo"),
)
# The rows as named tuples: SQLAlchemy's Row finds an attribute by name in Python (about
# 0.5 µs), 30 times per card; a named tuple does it in C.
CardRow = namedtuple("CardRow", [column.key for column in CARD_COLUMNS])


@dataclass(slots=True)  # not frozen: its __init__ is three times faster, for 500 cards
class Card:
    """One activity as a listing shows it; text in the listing's language, HTML-escaped.

    Every text is escaped here, once per distinct value (a label, a time, a venue), and
    the listing writes it as it is (`autoescape false` around the cards): escaping
    ~20 values a card as the template wrote them was about a sixth of a cold render.
    `seats` says which sentence the seats line is: "free" (no registration needed),
    "required" (no seat limit), "left" (`seats_left_text`), "waitlist" or "full".
    `venue` is (name, address, is_demo), or None: then `online` says whether it is held
    online or its place is still to be announced.
    """

    id: int
    url: Markup
    title: Markup
    kind: Markup
    audience: Markup
    languages: Markup
    cancelled: bool
    demo: bool
    start: datetime  # in Brussels
    start_iso: Markup
    start_time: Markup
    end_iso: Markup
    end_time: Markup
    venue: tuple[Markup, Markup, bool] | None
    online: bool
    seats: str  # a key, not shown
    seats_left_text: Markup  # "3 seats left", translated, when `seats` is "left"


def seats_line(row, seats: Availability) -> str:
    """Which seats sentence a card shows (the `seats` macro's choice, made once)."""
    if not row.registration_required:
        return "free"
    if seats.seats_left is None:
        return "required"
    if seats.seats_left > 0:
        return "left"
    return "waitlist" if seats.waitlist else "full"


def id_url(build: Callable[[int], str]) -> Callable[[int], str]:
    """`build(id)` (a `url_for` of a route taking an id) made once: the URLs of every other
    id are the same around the number. Falls back to `build` if the sample is ambiguous."""
    sample_id = 987654321
    sample = build(sample_id)
    if sample.count(str(sample_id)) != 1:
        return build
    head, _sample, tail = sample.partition(str(sample_id))
    return lambda activity_id: f"{head}{activity_id}{tail}"


def programme_cards(
    edition: Edition,
    filters: ProgrammeFilters,
    language: str,
    activity_url: Callable[[int], str],
    now: datetime | None = None,
) -> list[Card]:
    """The public programme of `edition` under `filters` as cards, in programme order,
    in three statements (activities with venues, their languages, their seats)."""
    today = (now or datetime.now(UTC)).astimezone(BRUSSELS).date()
    query = public_programme_query(edition, filters, today)
    rows = db.session.execute(
        query.outerjoin(Venue, Activity.venue_id == Venue.id).with_only_columns(*CARD_COLUMNS)
    )
    rows = list(map(CardRow._make, rows))
    if not rows:
        return []
    # The languages and seats of the same activities, selected by the same query in SQL.
    ids = query.with_only_columns(Activity.id).order_by(None)
    spoken: dict[int, list[str]] = {}
    for activity_id, code in db.session.execute(
        select(ActivityLanguage.activity_id, ActivityLanguage.code)
        .where(ActivityLanguage.activity_id.in_(ids))
        .order_by(ActivityLanguage.activity_id, ActivityLanguage.code)
    ):
        spoken.setdefault(activity_id, []).append(code)
    counts = seat_counts([row.id for row in rows], selected_by=ids)
    now = now or datetime.now(UTC)

    # Labels are translated, and times formatted, once per distinct value, not per card.
    kinds: dict = {}
    audiences: dict = {}
    languages: dict = {}
    times: dict[datetime, tuple[datetime, Markup, Markup]] = {}
    seats_left_texts: dict[int, Markup] = {}
    venues: dict[tuple, tuple[Markup, Markup, bool]] = {}
    cards = []
    title_field = f"title_{language}"
    for row in rows:
        seats = availability(row, counts[row.id], now)
        for moment in (row.start_at, row.end_at):
            if moment not in times:
                local = moment.astimezone(BRUSSELS)
                times[moment] = (
                    local,
                    escape(local.isoformat()),
                    escape(short_time(local, language)),
                )
        start, start_iso, start_time = times[row.start_at]
        _end, end_iso, end_time = times[row.end_at]
        line = seats_line(row, seats)
        left_text = Markup()
        if line == "left":
            if seats.seats_left not in seats_left_texts:
                seats_left_texts[seats.seats_left] = escape(
                    ngettext("%(num)d seat left", "%(num)d seats left", seats.seats_left)
                )
            left_text = seats_left_texts[seats.seats_left]
        codes = tuple(spoken.get(row.id, ()))
        if row.kind not in kinds:
            kinds[row.kind] = escape(labels.kind(row.kind))
        if row.audience not in audiences:
            audiences[row.audience] = escape(labels.audience(row.audience))
        if codes not in languages:
            languages[codes] = escape(labels.languages(codes))
        venue = None
        if row.venue_name is not None:
            place = (
                row.venue_name,
                row.venue_street,
                row.venue_postcode,
                row.venue_city,
                row.venue_is_demo,
            )
            if place not in venues:
                address = postal_address(row.venue_street, row.venue_postcode, row.venue_city)
                venues[place] = (escape(row.venue_name), escape(address), row.venue_is_demo)
            venue = venues[place]
        cards.append(
            Card(
                id=row.id,
                url=escape(activity_url(row.id)),
                # Activity.text's fallback: the title in French where the language has none.
                title=escape(getattr(row, title_field, None) or row.title_fr or ""),
                kind=kinds[row.kind],
                audience=audiences[row.audience],
                languages=languages[codes],
                cancelled=row.status == ActivityStatus.CANCELLED,
                demo=row.is_demo,
                start=start,
                start_iso=start_iso,
                start_time=start_time,
                end_iso=end_iso,
                end_time=end_time,
                venue=venue,
                online=bool(row.online_url),
                seats=line,
                seats_left_text=left_text,
            )
        )
    return cards


def cards_by_day(cards: Iterable[Card]) -> list[tuple[date, list[Card]]]:
    """[(day, [cards…]), …] in Brussels time, in the order given."""
    return [(day, list(items)) for day, items in groupby(cards, key=lambda card: card.start.date())]

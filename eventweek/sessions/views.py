"""Public pages of the programme: the week at a glance, the programme, one activity."""

from __future__ import annotations

from itertools import groupby
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from eventweek.calendar.entries import add_to_calendar_links, feed_links
from eventweek.i18n import LANGUAGE_COOKIE, current_language
from eventweek.links import local_path
from eventweek.registrations.forms import RegistrationForm
from eventweek.registrations.queries import availabilities
from eventweek.sessions.cards import cards_by_day, id_url, programme_cards
from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.models import ActivityKind, Audience
from eventweek.sessions.programme_cache import (
    ACTIVITY_PAGES,
    CachedPart,
    cached_part,
    page_for_everyone,
    programme_version,
    reads_only,
)
from eventweek.sessions.queries import (
    current_edition,
    get_public_activity,
    public_activity_summary,
    public_help_slots,
    public_programme,
)
from eventweek.templating import language_links

bp = Blueprint("sessions", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@reads_only
def home():
    if current_user.is_authenticated:
        # Staff: the layout holds their name and a CSRF token, never shared.
        return render_home()
    # The week's mailing sends citizens here: the page lists every activity, and is the
    # same for every visitor in a language (whatever the address's parameters).
    return page_for_everyone(
        "home.page",
        (current_language(),),
        programme_version().content,
        lambda: render_home(url_for("sessions.home")),
    )


def render_home(here: str | None = None) -> str:
    edition = current_edition()
    activities = public_programme(edition, ProgrammeFilters()) if edition else []
    return render_template(
        "sessions/home.html",
        edition=edition,
        days=group_by_day(activities),
        language_links=language_links(here),
    )


@bp.get("/programme")
@reads_only
def programme():
    filters, ignored = ProgrammeFilters.from_args(request.args)
    notices = [
        _("The filter %(name)s=%(value)s is not known and was ignored.", name=name, value=value)
        for name, value in ignored
    ]
    version = programme_version()

    def render_page(here: str | None = None) -> str:
        listing = cached_part(
            "programme",
            (current_language(), filters),
            version.content + version.seats,
            lambda: render_programme_listing(filters),
        )
        return render_template(
            "sessions/programme.html",
            year=listing.year,
            notices=notices,
            # HTML that Jinja rendered with autoescape (bandit B704: see docs/decisions/0006).
            listing=Markup(listing.body),  # noqa: S704  # nosec B704
            language_links=language_links(here),
        )

    if current_user.is_authenticated or notices:
        # Signed-in users: the layout holds their name and a CSRF token, never shared.
        # Ignored values: the notices repeat whatever was typed, which must not fill the
        # cache (the listing below them is cached all the same).
        return render_page()
    # Anonymous visitors all see the same page for the same language and filters, however
    # the address spells them (order, unknown parameters): it is cached under those, with
    # its language links back to the address that spells them plainly.
    return page_for_everyone(
        "programme.page",
        (current_language(), filters),
        version.content + version.seats,
        lambda: render_page(url_for("sessions.programme", **filters.as_args())),
    )


def render_programme_listing(filters: ProgrammeFilters) -> CachedPart:
    """The programme page below its notices, the same for everyone (it is cached)."""
    edition = current_edition()
    detail_url = id_url(
        lambda activity_id: url_for("sessions.activity_detail", activity_id=activity_id)
    )
    cards = programme_cards(edition, filters, current_language(), detail_url) if edition else []
    body = render_template(
        "sessions/_programme_listing.html",
        filters=filters,
        days=cards_by_day(cards),
        kinds=list(ActivityKind),
        audiences=list(Audience),
        links=feed_links(filters.as_args()),
    )
    return CachedPart(body, year=edition.year if edition else None)


@bp.get("/sessions/<int:activity_id>")
@reads_only
def activity_detail(activity_id: int):
    if not current_user.is_authenticated:
        summary = public_activity_summary(activity_id)
        if summary is None:
            abort(404)
        if summary.kind != ActivityKind.STAND:  # a stand lists its help slots' seats
            return cached_activity_page(summary)
    # Signed-in users' layout is theirs.
    activity = public_activity_or_404(activity_id)
    return render_activity_page(activity, RegistrationForm(language=current_language()))


def public_activity_or_404(activity_id: int):
    activity = get_public_activity(activity_id)
    if activity is None:  # unknown, or not public (a draft, or unpublished meanwhile)
        abort(404)
    return activity


# Placeholders in a cached activity page, filled in for each visitor. Markup comments:
# text from the database is escaped, so it can never spell one.
CSRF_HOLE = "<!--eventweek:csrf-token-->"
SEATS_HOLE = Markup("<!--eventweek:seats-left-->")


def cached_activity_page(summary) -> str:
    """An activity's page with its empty form, for anonymous visitors, from the cache.

    Under a registration rush every visitor opens a form page and every registration
    changes the seats left. The page is cached per activity, language and programme
    content, and per the state of registration that changes what it says (open, full,
    not yet open…), with two holes filled for each visitor: the form's CSRF token (theirs)
    and the seats left (counted now). A visit reads only the activity's `summary`, its
    seats and the programme's version; the activity itself is loaded to build the page.
    """
    availability = availabilities([summary])[summary.id]
    version = programme_version()

    def build() -> CachedPart:
        activity = public_activity_or_404(summary.id)  # maybe unpublished meanwhile
        form = RegistrationForm(language=current_language())
        body = activity_page_html(
            activity,
            form,
            availability,
            SEATS_HOLE,
            here=url_for("sessions.activity_detail", activity_id=summary.id),
        )
        if "csrf_token" in form:  # absent where CSRF protection is off (WTF_CSRF_ENABLED)
            body = body.replace(form.csrf_token.current_token, CSRF_HOLE)
        return CachedPart(body)

    state = (availability.window, availability.registration_open, availability.full)
    page = cached_part(
        "activity.page",
        (summary.id, current_language(), state),
        version.content,
        build,
        kept_in=ACTIVITY_PAGES,
    )
    body = page.body.replace(SEATS_HOLE, seats_html(summary, availability))
    if CSRF_HOLE in body:  # a form: registration is open (a token sets the session cookie)
        body = body.replace(CSRF_HOLE, generate_csrf())
    return body


def render_activity_page(
    activity, form=None, *, status: int = 200, overlapping=(), refused: bool = False
):
    """An activity's page, with the registration form (and its errors) where it is open;
    `refused` says that a registration just sent could not be accepted."""
    slots = public_help_slots(activity)
    counted = availabilities([activity, *slots])
    availability = counted[activity.id]
    body = activity_page_html(
        activity,
        form,
        availability,
        seats_html(activity, availability),
        help_slots=[(slot, counted[slot.id]) for slot in slots],
        overlapping=overlapping,
        refused=refused,
    )
    return body, status


def activity_page_html(
    activity,
    form,
    availability,
    seats: Markup,
    *,
    help_slots=(),
    overlapping=(),
    refused: bool = False,
    here: str | None = None,
) -> str:
    """The page itself; `seats` says how many are left, `here` is the address its language
    links return to (default: the address being read)."""
    return render_template(
        "sessions/detail.html",
        activity=activity,
        availability=availability,
        seats_left_text=seats,
        form=form if availability.registration_open else None,
        help_slots=help_slots,
        overlapping=list(overlapping),
        refused=refused,
        calendar_links=add_to_calendar_links(activity, current_language()),
        language_links=language_links(here),
    )


def seats_html(activity, availability) -> Markup:
    """What the page says of the seats left, as the help slots' lines say it."""
    return get_template_attribute("_macros/activity.html", "seats")(activity, availability)


@bp.get("/language/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie and go back to the page being read."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(local_target(request.args.get("next"), code))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


def local_target(target: str | None, language: str) -> str:
    """A path inside this site to return to, with any `lang` argument set to `language`;
    anything else (another host, a scheme…) goes home: no open redirect."""
    parts = urlsplit(local_path(target) or "/")
    args = [(name, value) for name, value in parse_qsl(parts.query) if name != "lang"]
    if any(name == "lang" for name, _value in parse_qsl(parts.query)):
        args.append(("lang", language))
    return parts.path + ("?" + urlencode(args) if args else "")


def group_by_day(activities):
    """[(day, [activities…]), …] in Brussels time, in the order given."""
    return [
        (day, list(items))
        for day, items in groupby(activities, key=lambda activity: activity.local_start.date())
    ]

"""Language choice and translated model fields.

The interface language comes from `?lang=`, then the cookie the language switcher sets,
then the browser's Accept-Language, then French.
"""

from functools import lru_cache

from babel.dates import format_time
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return supported[0]  # command-line tools speak the site's first language
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or supported[0]


def current_language() -> str:
    # `.language`, not str(): the locales are bare languages, and str() costs ~5 µs, paid
    # thousands of times per page by the templates' translations.
    locale = get_locale()
    return locale.language if locale is not None else "fr"


class Translated:
    """Mixin for models with `<field>_fr`, `<field>_nl` and `<field>_en` columns."""

    def text(self, field: str, language: str | None = None) -> str:
        """The field in `language` (default: the request's), falling back to French."""
        language = language or current_language()
        return getattr(self, f"{field}_{language}", None) or getattr(self, f"{field}_fr") or ""

    def texts(self, field: str) -> dict[str, str]:
        """The field in every language, each falling back to French where missing."""
        return {code: self.text(field, code) for code in LANGUAGE_NAMES}


# Templates translate the same few strings thousands of times per page (the programme's
# 500 cards): Flask-Babel looks the catalogue up on each call (about 20 µs), a dict
# does it in well under one. Catalogues do not change while the process runs.
_translated: dict[tuple[str, str], str] = {}


def template_gettext(message: str) -> str:
    key = (current_language(), message)
    try:
        return _translated[key]
    except KeyError:
        _translated[key] = translated = get_translations().ugettext(message)
        return translated


_translated_plurals: dict[tuple[str, str, str, int], str] = {}


def template_ngettext(singular: str, plural: str, number: int) -> str:
    # Memoised like `_()`: a programme shows "%(num)d seats left" on hundreds of cards.
    key = (current_language(), singular, plural, number)
    try:
        return _translated_plurals[key]
    except KeyError:
        translated = get_translations().ungettext(singular, plural, number)
        if len(_translated_plurals) < 10_000:  # bounded: `number` is open-ended
            _translated_plurals[key] = translated
        return translated


def install_template_gettext(app: Flask) -> None:
    """Replace the templates' `_()`/`gettext()` (installed by Flask-Babel) with the memo."""
    app.jinja_env.install_gettext_callables(
        gettext=template_gettext,
        ngettext=template_ngettext,
        newstyle=True,
        pgettext=lambda context, message: get_translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, number: get_translations().unpgettext(
            context, singular, plural, number
        ),
    )


@lru_cache(maxsize=4096)
def short_time(moment, language: str) -> str:
    """`moment` (aware, already in its time zone) as a short time in `language`; memoised,
    as a programme shows the same few start times hundreds of times."""
    return format_time(moment, "short", locale=language)

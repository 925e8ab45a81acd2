"""Language choice and translated model fields.

The interface language comes from `?lang=`, then the cookie the language switcher sets,
then the browser's Accept-Language, then French.
"""

from flask import current_app, has_request_context, request
from flask_babel import get_locale

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
    return str(get_locale() or "fr")


class Translated:
    """Mixin for models with `<field>_fr`, `<field>_nl` and `<field>_en` columns."""

    def text(self, field: str, language: str | None = None) -> str:
        """The field in `language` (default: the request's), falling back to French."""
        language = language or current_language()
        return getattr(self, f"{field}_{language}", None) or getattr(self, f"{field}_fr") or ""

    def texts(self, field: str) -> dict[str, str]:
        """The field in every language, each falling back to French where missing."""
        return {code: self.text(field, code) for code in LANGUAGE_NAMES}

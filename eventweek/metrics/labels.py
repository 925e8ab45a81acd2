"""Figures as people read them: in their language's number format, qualified, with units."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from eventweek.metrics.keys import METRIC_KEYS
from eventweek.metrics.models import Qualifier


def plain_number(value: Decimal | int | float) -> str:
    """The number without trailing zeros, as CSV files and the API write it."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def number(value: Decimal | int | float, unit: str = "") -> str:
    """83687905 → "83 687 905" (fr), "83.687.905" (nl), "83,687,905" (en); 35.6 % likewise."""
    if unit == "percent":
        return percent(Decimal(value) / 100)
    return format_decimal(Decimal(value).normalize() if isinstance(value, Decimal) else value)


def figure(value: Decimal, unit: str, qualifier: Qualifier | str) -> str:
    text = number(value, unit)
    if qualifier == Qualifier.MORE_THAN:
        return _("more than %(value)s", value=text)
    if qualifier == Qualifier.ABOUT:
        return _("about %(value)s", value=text)
    return text


def key_label(key: str) -> str:
    metric = METRIC_KEYS.get(key)
    return str(metric.label) if metric else key


def percent(fraction: Decimal | float) -> str:
    """0.356 → "35,6 %" (fr), "35,6%" (nl), "35.6%" (en): the locale's pattern, decimals kept."""
    return format_percent(fraction, locale=get_locale(), decimal_quantization=False)


def share(value: float | None) -> str:
    return percent(round(value, 3)) if value is not None else "–"

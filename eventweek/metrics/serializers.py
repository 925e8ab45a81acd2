"""Snapshots as the JSON API gives them."""

from __future__ import annotations

from decimal import Decimal

from eventweek.metrics.models import MetricSnapshot


def json_number(value: Decimal) -> int | float:
    """A whole number stays an integer (83687905, never 83687905.0)."""
    return int(value) if value == value.to_integral_value() else float(value)


def snapshot_json(snapshot: MetricSnapshot) -> dict:
    return {
        "key": snapshot.key,
        "scope": snapshot.scope,
        "date": snapshot.measured_on.isoformat(),
        "value": json_number(snapshot.value),
        "unit": snapshot.unit,
        "approximate": snapshot.approximate,
        "qualifier": snapshot.qualifier.value,
        "source": snapshot.source,
        "demo": snapshot.is_demo,
    }

"""The metric keys the platform knows, and how each one adds up over time.

A *stock* is a level on a day (consenting patients on 18 April 2024): over a period, its
value is the latest one. A *flow* is a count over a period (documents a hospital published
in 2017, dated on the period's last day): over a period, its values are summed.

Shares of consulted documents per type are one key per type,
`documents_consulted_by_type.<type>`, in percent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Aggregation(enum.StrEnum):
    STOCK = "stock"
    FLOW = "flow"


@dataclass(frozen=True)
class MetricKey:
    key: str
    label: object  # a lazy translated string
    unit: str
    aggregation: Aggregation


DOCUMENT_TYPES = {
    "lab_result": _l("Lab results"),
    "consultation_report": _l("Consultation reports"),
    "intervention_result": _l("Intervention results"),
    "radiology_link": _l("Radiology links"),
    "sumehr": _l("Sumehr"),
    "other": _l("Other documents"),
}
SHARE_PREFIX = "documents_consulted_by_type."

_KEYS = [
    MetricKey(
        "consenting_patients", _l("Citizens consenting to sharing"), "patients", Aggregation.STOCK
    ),
    MetricKey(
        "patients_consulting_record",
        _l("Citizens consulting their record"),
        "percent",
        Aggregation.STOCK,
    ),
    MetricKey("providers", _l("Care providers taking part"), "providers", Aggregation.STOCK),
    MetricKey("hospitals_connected", _l("Hospitals connected"), "percent", Aggregation.STOCK),
    MetricKey("documents_available", _l("Documents available"), "documents", Aggregation.STOCK),
    MetricKey("sumehr_patients", _l("Patients with a Sumehr"), "patients", Aggregation.STOCK),
    MetricKey(
        "trusted_person_patients",
        _l("Patients represented by a trusted person"),
        "patients",
        Aggregation.STOCK,
    ),
    MetricKey("documents_published", _l("Documents published"), "documents", Aggregation.FLOW),
    MetricKey(
        "documents_consulted", _l("Network documents consulted"), "documents", Aggregation.FLOW
    ),
    MetricKey("beds", _l("Hospital beds"), "beds", Aggregation.STOCK),
    *(
        MetricKey(SHARE_PREFIX + code, label, "percent", Aggregation.STOCK)
        for code, label in DOCUMENT_TYPES.items()
    ),
]
METRIC_KEYS: dict[str, MetricKey] = {item.key: item for item in _KEYS}
NETWORK_SCOPE = "network"


def is_known(key: str) -> bool:
    return key in METRIC_KEYS

"""Loading figures from CSV: all or nothing, and idempotent on date + scope + key.

The file is UTF-8 (a BOM is allowed) with the header `date,scope,key,value,unit,source`.
A value may start with `~` (about) or `>` (more than), for the published figures that are
rounded ("about 645,000") or floors ("more than 17,000").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.metrics.keys import METRIC_KEYS, NETWORK_SCOPE
from eventweek.metrics.models import MetricSnapshot, Qualifier
from eventweek.sessions.models import Organisation

HEADER = ["date", "scope", "key", "value", "unit", "source"]
QUALIFIER_PREFIXES = {"~": Qualifier.ABOUT, ">": Qualifier.MORE_THAN}
# The column is Numeric(20, 4): 16 digits before the point, 4 after.
LARGEST_VALUE = Decimal("1e16")


@dataclass(frozen=True)
class FigureRow:
    line: int
    measured_on: date
    scope: str
    key: str
    value: Decimal
    qualifier: Qualifier
    unit: str
    source: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


class ImportRefused(Exception):
    """The file was refused whole; `errors` lists each bad row with its line number."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowError(0, _("The file is not UTF-8 text."))]) from None


def parse_value(text: str) -> tuple[Decimal, Qualifier] | None:
    text = text.strip()
    qualifier = QUALIFIER_PREFIXES.get(text[:1], Qualifier.EXACT)
    if qualifier is not Qualifier.EXACT:
        text = text[1:].strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= LARGEST_VALUE or value.as_tuple().exponent < -4:
        return None
    return value, qualifier


def parse_row(line: int, cells: dict[str, str], scopes: set[str]) -> FigureRow | list[RowError]:
    """One CSV row checked on its own; `scopes` are the slugs that may be named."""
    errors = []
    cells = {name: (cells.get(name) or "").strip() for name in HEADER}
    try:
        measured_on = date.fromisoformat(cells["date"])
    except ValueError:
        measured_on = None
        errors.append(
            _("Invalid date %(value)s: write it as YYYY-MM-DD.", value=repr(cells["date"]))
        )
    if cells["scope"] != NETWORK_SCOPE and cells["scope"] not in scopes:
        errors.append(_("Unknown organisation %(value)s.", value=repr(cells["scope"])))
    metric = METRIC_KEYS.get(cells["key"])
    if metric is None:
        errors.append(_("Unknown key %(value)s.", value=repr(cells["key"])))
    parsed = parse_value(cells["value"])
    if parsed is None:
        errors.append(
            _(
                "Invalid value %(value)s: write a number with a dot for decimals and no "
                "thousands separator, e.g. 83687905 or 35.6.",
                value=repr(cells["value"]),
            )
        )
    unit = cells["unit"] or (metric.unit if metric else "")
    if metric is not None and unit != metric.unit:
        errors.append(
            _(
                "The unit of %(key)s is %(expected)s, not %(value)s.",
                key=metric.key,
                expected=metric.unit,
                value=repr(unit),
            )
        )
    if not cells["source"]:
        errors.append(_("The source is missing: say where the figure comes from."))
    elif len(cells["source"]) > 500:
        errors.append(_("The source is longer than 500 characters."))
    if errors:
        return [RowError(line, message) for message in errors]
    value, qualifier = parsed
    return FigureRow(
        line, measured_on, cells["scope"], cells["key"], value, qualifier, unit, cells["source"]
    )


def parse_figures(text: str, scopes: set[str]) -> list[FigureRow]:
    """Every row of a CSV file, or ImportRefused listing every bad row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or [cell.strip().lower() for cell in header] != HEADER:
        raise ImportRefused(
            [RowError(1, _("The first line must be: %(header)s", header=",".join(HEADER)))]
        )
    rows: list[FigureRow] = []
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave them at the end
        if len(cells) != len(HEADER):
            errors.append(RowError(line, _("%(count)d cells instead of 6.", count=len(cells))))
            continue
        parsed = parse_row(line, dict(zip(HEADER, cells, strict=True)), scopes)
        if isinstance(parsed, list):
            errors.extend(parsed)
            continue
        identity = (parsed.measured_on, parsed.scope, parsed.key)
        if identity in seen:
            errors.append(
                RowError(
                    line, _("The same date, scope and key as line %(line)d.", line=seen[identity])
                )
            )
            continue
        seen[identity] = line
        rows.append(parsed)
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([RowError(2, _("The file holds no figures."))])
    return rows


def import_figures(raw: bytes, *, is_demo: bool = False) -> ImportReport:
    """Check the whole file, then add or correct its figures; flushes, the caller commits.

    A row whose date, scope and key are already stored replaces that figure only if its
    value, unit, precision or source differ: importing a file twice changes nothing.
    """
    organisation_ids = dict(db.session.execute(select(Organisation.slug, Organisation.id)).all())
    rows = parse_figures(decode(raw), set(organisation_ids))
    existing = {
        (snapshot.measured_on, snapshot.organisation_id, snapshot.key): snapshot
        for snapshot in db.session.execute(
            select(MetricSnapshot).where(MetricSnapshot.key.in_({row.key for row in rows}))
        ).scalars()
    }
    created = updated = unchanged = 0
    new_snapshots = []
    for row in rows:
        organisation_id = None if row.scope == NETWORK_SCOPE else organisation_ids[row.scope]
        values = {
            "value": row.value,
            "unit": row.unit,
            "qualifier": row.qualifier,
            "source": row.source,
            "is_demo": is_demo,
        }
        snapshot = existing.get((row.measured_on, organisation_id, row.key))
        if snapshot is None:
            new_snapshots.append(
                {"measured_on": row.measured_on, "organisation_id": organisation_id}
                | {"key": row.key}
                | values
            )
            created += 1
        elif any(getattr(snapshot, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(snapshot, name, value)
            updated += 1
        else:
            unchanged += 1
    if new_snapshots:
        db.session.execute(db.insert(MetricSnapshot), new_snapshots)
    db.session.flush()
    return ImportReport(created, updated, unchanged)

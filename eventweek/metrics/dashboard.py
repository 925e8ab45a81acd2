"""The dashboard's tables: each one shown on a page, drawn as a chart, and downloadable.

A cell keeps the text people read (in their language) and the plain value a CSV file or
a chart needs, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from eventweek.extensions import db
from eventweek.metrics import charts, labels
from eventweek.metrics.keys import DOCUMENT_TYPES, NETWORK_SCOPE, SHARE_PREFIX
from eventweek.metrics.models import MetricGoal, MetricSnapshot
from eventweek.metrics.outreach import EditionOutreach, Outreach, edition_outreach
from eventweek.metrics.queries import latest_values, series
from eventweek.sessions import labels as session_labels
from eventweek.sessions.models import Edition
from eventweek.templating import day_label

TREND_KEYS = ("consenting_patients", "providers", "documents_available")
# The tables of the week's outreach (they count registrations) are named with it.
OUTREACH_PREFIX = "outreach-"
CONSULTATION_KEY = "patients_consulting_record"


@dataclass(frozen=True)
class Cell:
    text: str
    raw: object = None  # number, date or text: what CSV files and charts use

    @property
    def plain(self) -> str:
        if self.raw is None:
            return self.text
        if isinstance(self.raw, date):
            return self.raw.isoformat()
        if isinstance(self.raw, Decimal | int | float) and not isinstance(self.raw, bool):
            return labels.plain_number(self.raw)
        return str(self.raw)


@dataclass(frozen=True)
class Chart:
    kind: str  # "trend" (dates in the first column), "bar" or "hbar"
    value_columns: tuple[int, ...]
    unit: str = ""


@dataclass
class Table:
    name: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    has_demo: bool = False

    def csv_rows(self) -> list[list[str]]:
        return [[cell.plain for cell in row] for row in self.rows]


def figure_cell(snapshot: MetricSnapshot) -> Cell:
    text = labels.figure(snapshot.value, snapshot.unit, snapshot.qualifier)
    if snapshot.is_demo:
        text = _("%(value)s (demo data)", value=text)
    return Cell(text, snapshot.value)


def date_cell(day: date) -> Cell:
    return Cell(format_date(day, "long"), day)


def count_cell(value: int) -> Cell:
    return Cell(labels.number(value), value)


def share_cell(value: float | None) -> Cell:
    return Cell(labels.share(value), round(value, 4) if value is not None else "")


def headline_table(latest: list[MetricSnapshot]) -> Table:
    table = Table(
        "headline",
        _("The network's latest figures"),
        [_("Figure"), _("Value"), _("Date"), _("Source")],
    )
    for snapshot in latest:
        if snapshot.organisation_id is not None or snapshot.key.startswith(SHARE_PREFIX):
            continue
        table.rows.append(
            [
                Cell(labels.key_label(snapshot.key), snapshot.key),
                figure_cell(snapshot),
                date_cell(snapshot.measured_on),
                Cell(snapshot.source),
            ]
        )
    return table


def trend_table(key: str) -> Table:
    table = Table(
        f"trend-{key.replace('_', '-')}",
        labels.key_label(key),
        [_("Date"), _("Value"), _("Source")],
        chart=Chart("trend", (1,)),
    )
    for snapshot in series(key=key, scope=NETWORK_SCOPE):
        table.rows.append(
            [date_cell(snapshot.measured_on), figure_cell(snapshot), Cell(snapshot.source)]
        )
    return table


def document_types_table(latest: list[MetricSnapshot]) -> Table:
    shares = {
        snapshot.key.removeprefix(SHARE_PREFIX): snapshot
        for snapshot in latest
        if snapshot.organisation_id is None and snapshot.key.startswith(SHARE_PREFIX)
    }
    measured = max((s.measured_on for s in shares.values()), default=None)
    caption = _("Documents consulted by patients, by type")
    if measured:
        caption = _("%(caption)s (%(date)s)", caption=caption, date=format_date(measured, "long"))
    table = Table(
        "document-types",
        caption,
        [_("Type of document"), _("Share")],
        chart=Chart("hbar", (1,), "percent"),
    )
    for code, label in DOCUMENT_TYPES.items():
        if code in shares:
            table.rows.append([Cell(str(label), code), figure_cell(shares[code])])
    return table


def consultation_goal_table(latest: list[MetricSnapshot]) -> Table:
    table = Table(
        "consultation-goal",
        _("Citizens consulting their record, against the organisers' goal"),
        [_("Figure"), _("Share of consenting citizens"), _("Date or source")],
        chart=Chart("hbar", (1,), "percent"),
    )
    current = next(
        (s for s in latest if s.organisation_id is None and s.key == CONSULTATION_KEY), None
    )
    if current is not None:
        table.rows.append(
            [
                Cell(_("Consulted their record"), "current"),
                figure_cell(current),
                Cell(format_date(current.measured_on, "long"), current.measured_on),
            ]
        )
    goal = db.session.execute(
        select(MetricGoal).where(MetricGoal.key == CONSULTATION_KEY)
    ).scalar_one_or_none()
    if goal is not None:
        text = labels.figure(goal.target, "percent", "exact")
        if goal.is_demo:
            text = _("%(value)s (demo data)", value=text)
            table.has_demo = True
        table.rows.append(
            [Cell(_("Goal"), "goal"), Cell(text, goal.target), Cell(_("Set by the organisers"))]
        )
    return table


def outreach_row(label: Cell, outreach: Outreach) -> list[Cell]:
    return [
        label,
        count_cell(outreach.registrations),
        count_cell(outreach.confirmed),
        count_cell(outreach.attended),
        count_cell(outreach.waitlisted),
        share_cell(outreach.trusted_person_share),
    ]


def outreach_columns(first: str) -> list[str]:
    return [
        first,
        _("Registrations"),
        _("Seats given"),
        _("Attended"),
        _("Waiting list"),
        _("Registered by a trusted person"),
    ]


def outreach_tables(edition: Edition, outreach: EditionOutreach) -> list[Table]:
    by_day = Table(
        f"{OUTREACH_PREFIX}days",
        _("Registrations and attendance per day"),
        outreach_columns(_("Day")),
        chart=Chart("bar", (1, 3)),
    )
    for day, counts in outreach.by_day.items():
        by_day.rows.append(outreach_row(Cell(day_label(day), day), counts))
    by_kind = Table(
        f"{OUTREACH_PREFIX}kinds",
        _("Registrations and attendance per kind of activity"),
        outreach_columns(_("Kind")),
        chart=Chart("hbar", (1, 3)),
    )
    for kind, counts in sorted(outreach.by_kind.items()):
        by_kind.rows.append(outreach_row(Cell(session_labels.kind(kind), kind), counts))
    by_session = Table(
        f"{OUTREACH_PREFIX}sessions",
        _("Registrations and attendance per session"),
        outreach_columns(_("Session")),
    )
    for activity, counts in outreach.sessions:
        title = activity.text("title")
        if activity.is_demo:
            title = _("%(value)s (demo data)", value=title)
            by_session.has_demo = True
        by_session.rows.append(outreach_row(Cell(title, activity.id), counts))
    totals = Table(
        f"{OUTREACH_PREFIX}totals",
        _("The week's outreach in total"),
        outreach_columns(_("Edition")),
    )
    totals.rows.append(outreach_row(Cell(str(edition.year), edition.year), outreach.total))
    return [totals, by_day, by_kind, by_session]


def no_show_table(outreach: EditionOutreach) -> Table:
    table = Table(
        "no-shows",
        _("No-shows per session (once the door was checked)"),
        [_("Session"), _("Seats given"), _("Attended"), _("Absent"), _("No-show rate")],
    )
    for activity, counts in outreach.sessions:
        table.rows.append(
            [
                Cell(activity.text("title"), activity.id),
                count_cell(counts.confirmed),
                count_cell(counts.attended),
                count_cell(counts.no_show),
                share_cell(counts.no_show_rate),
            ]
        )
    return table


def hospital_table() -> Table:
    table = Table(
        "hospitals",
        _("Figures per organisation"),
        [_("Organisation"), _("Figure"), _("Date"), _("Value"), _("Source")],
    )
    for snapshot in series():
        if snapshot.organisation_id is None:
            continue
        table.has_demo = table.has_demo or snapshot.is_demo
        table.rows.append(
            [
                Cell(snapshot.organisation.text("name"), snapshot.scope),
                Cell(labels.key_label(snapshot.key), snapshot.key),
                date_cell(snapshot.measured_on),
                figure_cell(snapshot),
                Cell(snapshot.source),
            ]
        )
    return table


def network_tables() -> list[Table]:
    latest = latest_values(NETWORK_SCOPE)
    return [
        headline_table(latest),
        *(trend_table(key) for key in TREND_KEYS),
        document_types_table(latest),
        consultation_goal_table(latest),
    ]


def public_tables(edition: Edition | None) -> list[Table]:
    """What `/metrics` shows: the network's figures and the edition's outreach."""
    if edition is None:
        return network_tables()
    return network_tables() + outreach_tables(edition, edition_outreach(edition))


def organiser_tables(edition: Edition | None) -> list[Table]:
    """The public tables, plus figures per organisation and no-shows per session."""
    if edition is None:
        return [*network_tables(), hospital_table()]
    outreach = edition_outreach(edition)
    return [
        *network_tables(),
        *outreach_tables(edition, outreach),
        hospital_table(),
        no_show_table(outreach),
    ]


def table_chart(table: Table) -> str:
    """The table drawn as its chart (SVG); the table itself stays the reference."""
    chart = table.chart
    unit = chart.unit

    def formatter(value: float) -> str:
        return labels.number(Decimal(str(value)), unit)

    if chart.kind == "trend":
        points = [(row[0].raw, float(row[chart.value_columns[0]].raw)) for row in table.rows]
        return charts.trend_chart(
            table.caption, points, formatter, lambda day: format_date(day, "yyyy")
        )
    series_values = [
        (table.columns[column], [float(row[column].raw) for row in table.rows])
        for column in chart.value_columns
    ]
    return charts.bar_chart(
        table.caption,
        [row[0].text for row in table.rows],
        series_values,
        formatter,
        horizontal=chart.kind == "hbar",
    )

"""Filters of the back-office's activity list, as given in a query string
(`?status=`, `?kind=`, `?organisation=` (a slug), `?year=`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventweek.sessions.filters import known_value
from eventweek.sessions.models import ActivityKind, ActivityStatus


@dataclass(frozen=True)
class ActivityFilters:
    status: ActivityStatus | None = None
    kind: ActivityKind | None = None
    organisation: str | None = None  # slug
    year: int | None = None

    @classmethod
    def from_args(
        cls, args: Mapping[str, str], *, organisations: Iterable[str], years: Iterable[int]
    ) -> tuple[ActivityFilters, list[tuple[str, str]]]:
        """Parse the filters among the known values; unknown ones are returned as
        (parameter, value) for the caller to mention, not raised."""
        ignored: list[tuple[str, str]] = []
        status = known_value(args, "status", [s.value for s in ActivityStatus], ignored)
        kind = known_value(args, "kind", [k.value for k in ActivityKind], ignored)
        organisation = known_value(args, "organisation", list(organisations), ignored)
        year = known_value(args, "year", [str(y) for y in years], ignored)
        filters = cls(
            status=ActivityStatus(status) if status else None,
            kind=ActivityKind(kind) if kind else None,
            organisation=organisation,
            year=int(year) if year else None,
        )
        return filters, ignored

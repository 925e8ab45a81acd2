"""Programme filters as given in a query string (`?kind=`, `?audience=`, `?lang=`, `?venue=`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eventweek.sessions.models import SPOKEN_LANGUAGES, ActivityKind, Audience


@dataclass(frozen=True)
class ProgrammeFilters:
    kind: ActivityKind | None = None
    audience: Audience | None = None
    language: str | None = None
    venue: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> tuple[ProgrammeFilters, list[tuple[str, str]]]:
        """Parse the filters; unknown values are returned as (parameter, value), not raised.

        A bad value is ignored rather than refused, so a mistyped link still shows the
        programme; the caller tells the person what was ignored.
        """
        ignored: list[tuple[str, str]] = []

        def pick(name: str, allowed: list[str]) -> str | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if value in allowed:
                return value
            ignored.append((name, value[:40]))
            return None

        kind = pick("kind", [kind.value for kind in ActivityKind])
        audience = pick("audience", [audience.value for audience in Audience])
        language = pick("lang", list(SPOKEN_LANGUAGES))
        venue = (args.get("venue") or "").strip()
        if venue and not (venue.isdigit() and 0 < int(venue) < 2**31):
            ignored.append(("venue", venue[:40]))
            venue = ""
        filters = cls(
            kind=ActivityKind(kind) if kind else None,
            audience=Audience(audience) if audience else None,
            language=language,
            venue=int(venue) if venue else None,
        )
        return filters, ignored

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments, for links to the next page or another format."""
        args = {
            "kind": self.kind,
            "audience": self.audience,
            "lang": self.language,
            "venue": self.venue,
        }
        return {name: str(value) for name, value in args.items() if value}

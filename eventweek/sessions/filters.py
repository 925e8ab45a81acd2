"""Programme filters as given in a query string (`?kind=`, `?audience=`, `?lang=`, `?venue=`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventweek.sessions.models import SPOKEN_LANGUAGES, ActivityKind, Audience


def known_value(
    args: Mapping[str, str], name: str, allowed: Iterable[str], ignored: list[tuple[str, str]]
) -> str | None:
    """`args[name]` if it is one of `allowed`; an unknown value is added to `ignored` as
    (parameter, value) and None returned."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value in allowed:
        return value
    ignored.append((name, value[:40]))
    return None


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
        kind = known_value(args, "kind", [kind.value for kind in ActivityKind], ignored)
        audience = known_value(args, "audience", [audience.value for audience in Audience], ignored)
        language = known_value(args, "lang", SPOKEN_LANGUAGES, ignored)
        venue = (args.get("venue") or "").strip()
        # isascii: "²".isdigit() is true, yet int("²") raises.
        if venue and not (venue.isascii() and venue.isdigit() and 0 < int(venue) < 2**31):
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

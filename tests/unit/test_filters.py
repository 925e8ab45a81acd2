from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.models import ActivityKind, Audience


def test_known_values_are_kept():
    filters, ignored = ProgrammeFilters.from_args(
        {"kind": "stand", "audience": "citizens", "lang": "nl"}
    )
    assert filters == ProgrammeFilters(ActivityKind.STAND, Audience.CITIZENS, "nl")
    assert ignored == []
    assert filters.as_args() == {"kind": "stand", "audience": "citizens", "lang": "nl"}


def test_unknown_values_are_ignored_and_reported():
    filters, ignored = ProgrammeFilters.from_args(
        {"kind": "party", "audience": "citizens", "lang": "de"}
    )
    assert filters == ProgrammeFilters(audience=Audience.CITIZENS)
    assert ignored == [("kind", "party"), ("lang", "de")]


def test_empty_values_mean_no_filter_and_long_values_are_cut_in_reports():
    filters, ignored = ProgrammeFilters.from_args({"kind": "", "audience": "x" * 500})
    assert filters == ProgrammeFilters()
    assert ignored == [("audience", "x" * 40)]


def test_venue_digits_outside_ascii_are_ignored_not_a_crash():
    # Found by fuzzing: "²".isdigit() is true but int("²") raises, a 500 on /programme.
    for value in ["²", "٣", "𝟙"]:
        filters, ignored = ProgrammeFilters.from_args({"venue": value})
        assert filters == ProgrammeFilters()
        assert ignored == [("venue", value)]

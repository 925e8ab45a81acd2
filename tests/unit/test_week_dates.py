from datetime import date

from eventweek.sessions.demo import coming_year, week_of


def test_the_week_starts_on_the_third_monday_of_june():
    assert week_of(2024) == (date(2024, 6, 17), date(2024, 6, 21))
    assert week_of(2025) == (date(2025, 6, 16), date(2025, 6, 20))
    assert week_of(2027) == (date(2027, 6, 21), date(2027, 6, 25))
    # June 2026 starts on a Monday: that Monday is the first, the week is two later.
    assert week_of(2026) == (date(2026, 6, 15), date(2026, 6, 19))


def test_the_coming_week_is_next_years_once_this_years_has_begun():
    assert coming_year(date(2026, 1, 10)) == 2026
    assert coming_year(date(2026, 6, 14)) == 2026
    assert coming_year(date(2026, 6, 15)) == 2027
    assert coming_year(date(2026, 11, 23)) == 2027

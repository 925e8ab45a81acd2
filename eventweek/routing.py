"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of the database's INTEGER columns (ids, years): PostgreSQL refuses to
# compare an integer column with anything larger, and SQLite cannot bind it.
DATABASE_INT_MAX = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` that matches only what an INTEGER column can hold: a larger number in a
    path is a 404, like any id that does not exist, rather than a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

import pytest

# The shared checks are plain asserts: let pytest explain them as it does in tests.
pytest.register_assert_rewrite("tests.faults.checks")

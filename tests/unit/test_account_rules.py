"""Account rules that need no app: lock-out durations, safe `next` paths, reset tokens."""

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventweek.accounts.access import local_path
from eventweek.accounts.demo import DEMO_PASSWORD, demo_accounts
from eventweek.accounts.operations import LOCK_AFTER, lock_duration
from eventweek.accounts.tokens import (
    fingerprint_matches,
    make_reset_token,
    password_fingerprint,
    read_reset_token,
)


def test_no_lock_before_five_failures_in_a_row():
    assert [lock_duration(n) for n in range(LOCK_AFTER)] == [timedelta(0)] * LOCK_AFTER


def test_the_lock_doubles_from_one_minute_up_to_an_hour():
    minutes = [lock_duration(n).total_seconds() / 60 for n in range(5, 14)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


HOSTILE_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/account",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "account",
    " /account",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n//evil.example",
    "/account\x00",
    "",
    None,
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_only_local_paths_are_accepted(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/account", "/programme?kind=stand&lang=nl", "/a/b#c"])
def test_local_paths_are_kept_as_they_are(target):
    assert local_path(target) == target


NOW = datetime(2027, 6, 21, 9, 0, tzinfo=UTC)


def test_a_reset_token_names_the_account_and_its_password():
    token = make_reset_token("secret", 42, "scrypt:hash-1")
    user_id, fingerprint = read_reset_token("secret", token, datetime.now(UTC))
    assert user_id == 42
    assert fingerprint_matches("scrypt:hash-1", fingerprint)
    assert not fingerprint_matches("scrypt:hash-2", fingerprint)
    # The token is signed, not encrypted: it must not carry the hash itself.
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert "scrypt:hash-1" not in payload
    assert password_fingerprint("scrypt:hash-1") in payload


def test_a_reset_token_expires_after_an_hour():
    token = make_reset_token("secret", 42, "scrypt:hash")
    issued = datetime.now(UTC)
    assert read_reset_token("secret", token, issued + timedelta(minutes=59)) is not None
    assert read_reset_token("secret", token, issued + timedelta(minutes=61)) is None


@pytest.mark.parametrize("token", ["", "abc", "x.y.z", "eyJ1c2VyIjoxfQ.AAAAAA.forged"])
def test_forged_or_malformed_tokens_are_refused(token):
    assert read_reset_token("secret", token, NOW) is None


def test_a_token_signed_with_another_key_is_refused():
    token = make_reset_token("another secret", 42, "scrypt:hash")
    assert read_reset_token("secret", token, datetime.now(UTC)) is None


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_demo_account_with_its_password():
    section = README.read_text().split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ]
    assert rows[0] == ["role", "email", "password"]
    listed = [tuple(row) for row in rows[2:]]
    expected = [(role.value, email, DEMO_PASSWORD) for role, email, _slug in demo_accounts()]
    assert listed == expected

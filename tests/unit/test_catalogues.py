"""The fr, nl and en catalogues hold every message of the code, translated."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "eventweek" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        return read_po(po_file)


def source_messages(tmp_path) -> set[str]:
    """Extract the messages from the code now, as `make extract-messages` does."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "--ignore-dirs",
            ".* __pycache__",
            "-o",
            str(pot),
            "eventweek",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as pot_file:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(pot_file)
            if message.id
        }


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_message_in_the_code_is_translated(tmp_path, language):
    messages = {
        (message.id if isinstance(message.id, str) else message.id[0]): message
        for message in catalogue(language)
        if message.id
    }
    missing = source_messages(tmp_path) - set(messages)
    assert not missing, f"run `make extract-messages` and translate: {sorted(missing)}"
    untranslated = [
        key
        for key, message in messages.items()
        if not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert not untranslated
    for key, message in messages.items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (language, key, string)

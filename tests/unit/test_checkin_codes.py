from eventweek.registrations.checkin import (
    ALPHABET,
    display_code,
    new_checkin_code,
    normalise_code,
    qr_png,
)


def test_codes_use_only_unambiguous_characters():
    codes = {new_checkin_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("ILOU") & set(ALPHABET)


def test_typed_codes_are_forgiven():
    assert normalise_code(" ab7k-9mzq ") == "AB7K9MZQ"
    assert normalise_code("AB7K O1LI") == "AB7K0111"
    assert display_code("AB7K9MZQ") == "AB7K-9MZQ"


def test_the_qr_code_is_a_png():
    assert qr_png("AB7K9MZQ")[:8] == b"\x89PNG\r\n\x1a\n"

"""The new-password rules: long enough, and not one of the most common passwords."""

from __future__ import annotations

import pytest

from openoncall.auth.passwords import MIN_PASSWORD_LENGTH, check_password_strength
from openoncall.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "n3w password",
        "Tr0ub4dor&3xyz",
        "dragon fruit at noon",
        "7 ravens over Leith",
    ],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    check_password_strength(password)


@pytest.mark.parametrize("password", ["", "short", "elevenchars", "x" * (MIN_PASSWORD_LENGTH - 1)])
def test_short_passwords_are_refused_naming_the_field(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password_strength(password, field="admin-password")
    assert refused.value.message == "The password needs at least 12 characters"
    assert refused.value.field == "admin-password"


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop123",  # listed, with digits after
        "QWERTY123456",  # listed, in any case
        "1q2w3e4r5t6y",  # listed as it is
        "Password2024!",  # a short common one and a year
        "!!iloveyou!!99",  # symbols on both sides
        "123456789012",  # digits only
        "dragondragon",  # a common word twice
        "abcabcabcabc",  # a short unit over and over
        "aaaaaaaaaaaaaaaa",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password_strength(password)
    assert refused.value.message == "This password is one of the most common ones: choose another"
    assert refused.value.field == "password"

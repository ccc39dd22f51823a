"""Account numbers in the Kyoto form with ISO 7064 MOD 97-10 check digits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.registry.domain.accounts import AccountNumber, AccountType, check_digits, is_valid
from chalicelib.registry.domain.errors import InvalidAccountNumber

numbers = st.builds(
    AccountNumber.build,
    st.sampled_from([t.value for t in AccountType]),
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=0, max_value=99),
)


@pytest.mark.parametrize("number", ["JP-121-1053-0-25", "JP-120-6-0-31", "JP-100-1-0-42"])
def test_the_worked_examples_are_valid(number):
    assert str(AccountNumber.parse(number)) == number


def test_a_wrong_check_digit_is_rejected():
    with pytest.raises(InvalidAccountNumber) as refused:
        AccountNumber.parse("JP-121-1053-0-26")
    assert refused.value.code == "INVALID_ACCOUNT_NUMBER"
    assert "check digits" in refused.value.message


def test_check_digits_follow_the_national_registry_algorithm():
    # identifier, J=19, P=25, type, period, "00"  ->  98 - (n mod 97)
    assert check_digits("JP", 121, 1053, 0) == 98 - int("1053" + "1925" + "121" + "00" + "00") % 97 == 25


@pytest.mark.parametrize(
    "text",
    [
        "", "JP", "JP-121-1053-0", "jp-121-1053-0-25", "JP-121-01053-0-25", "JP-121-0-0-25",
        "JP-999-1053-0-25", "US-121-1053-0-25", "JP-121-1053-00-25", "JP-121-1053-0-5",
        " JP-121-1053-0-25", "JP-121-1053-0-25 ", "JP_121_1053_0_25", "JP-121-1053-0-025",
        "JP-121-１０５３-0-25", "JP-121-1053-0-25\n",
    ],
)
def test_malformed_numbers_are_rejected(text):
    assert not is_valid(text)


@pytest.mark.parametrize("value", [None, 121, 12.5, ["JP-121-1053-0-25"], {"n": 1}])
def test_non_strings_are_rejected(value):
    assert not is_valid(value)


@given(numbers)
def test_every_generated_number_validates_and_round_trips(number):
    text = str(number)
    assert AccountNumber.parse(text) == number


@settings(max_examples=200)
@given(numbers, st.data())
def test_every_single_digit_change_is_rejected(number, data):
    text = str(number)
    positions = [i for i, char in enumerate(text) if char.isdigit()]
    position = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != text[position]]))
    changed = text[:position] + replacement + text[position + 1 :]
    assert not is_valid(changed), changed


@settings(max_examples=200)
@given(numbers, st.data())
def test_every_swap_of_two_adjacent_digits_is_rejected(number, data):
    text = str(number)
    pairs = [i for i in range(len(text) - 1) if text[i].isdigit() and text[i + 1].isdigit() and text[i] != text[i + 1]]
    if not pairs:
        return
    i = data.draw(st.sampled_from(pairs))
    swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    assert not is_valid(swapped), swapped

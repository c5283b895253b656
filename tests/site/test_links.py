"""URLs formatted from one reversal per name (quizsite.links) are the URLs reverse() gives."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from quizsite.links import int_url

NAMES = {
    "interviews:detail": 1,
    "interviews:question": 2,
    "interviews:draft": 2,
    "interviews:submit": 2,
    "interviews:flag": 2,
    "interviews:assess": 2,
    "interviews:finish": 1,
    "interviews:clock": 1,
    "interviews:review": 1,
}


@pytest.mark.parametrize("prefix", ["/", "/trainer/"])
@pytest.mark.parametrize(("name", "arity"), NAMES.items())
def test_the_formatted_url_is_the_reversed_one(name, arity, prefix):
    set_script_prefix(prefix)
    try:
        for numbers in [(0, 1), (7, 12), (123456, 1), (1, 123456)]:
            args = numbers[:arity]
            assert int_url(name, *args) == reverse(name, args=args)
    finally:
        clear_script_prefix()


def test_a_negative_number_is_no_url():
    with pytest.raises(NoReverseMatch):
        reverse("interviews:question", args=[-1, 2])
    with pytest.raises(NoReverseMatch):
        int_url("interviews:question", -1, 2)


def test_a_url_without_integer_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        int_url("interviews:history", 3)

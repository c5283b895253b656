"""URLs with integer arguments, reversed once per name and then formatted.

``reverse()`` costs tens of microseconds a call (namespaces, candidate patterns, a regular
expression check, quoting), and the question panel links every question of the interview on
every answer. An integer converter's URL is the same string around the numbers, so each name is
reversed once per script prefix with marker numbers, and the numbers are put in their place.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse

# Marker arguments: numbers no real id reaches, each one distinct and none a prefix of another.
MARKS = tuple(7_319_000_000_000_000_011 + 1_000 * index for index in range(4))


@lru_cache(maxsize=256)
def _pieces(name: str, arity: int, prefix: str) -> tuple[str, ...]:
    """The reversed URL split around its arguments, in order: arity + 1 strings."""
    url = reverse(name, args=MARKS[:arity])
    pieces = []
    for mark in map(str, MARKS[:arity]):
        before, found, url = url.partition(mark)
        if not found or mark in url:
            raise ValueError(f"{name}: its URL does not hold each integer argument once")
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def int_url(name: str, *numbers: int) -> str:
    """reverse(name, args=numbers) for a URL whose arguments are all integers."""
    pieces = _pieces(name, len(numbers), get_script_prefix())
    parts = [pieces[0]]
    for number, piece in zip(numbers, pieces[1:], strict=True):
        if number < 0:  # the int converter matches digits only
            raise NoReverseMatch(f"{name}: {number} is not a path integer")
        parts.append(str(int(number)))
        parts.append(piece)
    return "".join(parts)

"""Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, and
the tones (none, huyền, hỏi, ngã, sắc, nặng) only where the letters are equal. Code-point order
puts "Đ" after "X" and "Ấ" after "Z", which nobody reading Vietnamese expects."""

from __future__ import annotations

import unicodedata

_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
             "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_SHAPES = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}  # marks that make a letter
_LETTERS = {("a", "breve"): "ă", ("a", "circumflex"): "â", ("e", "circumflex"): "ê",
            ("o", "circumflex"): "ô", ("o", "horn"): "ơ", ("u", "horn"): "ư"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A key that sorts Vietnamese names as a Vietnamese dictionary does (case-insensitive)."""
    letters: list[int] = []
    tones: list[int] = []
    for char in text.casefold():
        base, *marks = list(unicodedata.normalize("NFD", char))
        shape = next((_SHAPES[m] for m in marks if m in _SHAPES), None)
        letter = _LETTERS.get((base, shape), base) if shape else base
        if letter in _RANK:
            letters.append(_RANK[letter])
        else:  # a space ends a word, which comes before any longer word ("Ô tô" before "ông")
            letters.append(-1 if letter.isspace() else 100 + ord(letter))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
    return tuple(letters), tuple(tones)


def person_key(full_name: str) -> tuple:
    """Vietnamese lists of people go by the given name (the last word), then the whole name:
    "Nguyễn Văn An" before "Đỗ Quang Khánh"."""
    words = full_name.split()
    return sort_key(words[-1] if words else ""), sort_key(full_name)

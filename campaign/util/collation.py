"""Sorting names for people: in alphabet order, not by character code.

Python sorts by code point: "Әзірбайжан" and "Қазақстан" (Kazakh letters above the Russian block)
came after "Япония", "Ёлка" after "я", and "Åland" after "Zimbabwe". Babel has no collation;
pyuca (the Unicode Collation Algorithm in Python) puts them right but holds 13 MB of tables in
every worker, and PyICU needs the system's ICU. Names here are in Latin or Cyrillic script, so
this key does what those would for them: Cyrillic letters in the Kazakh alphabet's order (a
superset of the Russian one), and Latin letters with their accents set aside.
"""

from __future__ import annotations

import unicodedata

# The Kazakh Cyrillic alphabet in order; Russian is the same without the Kazakh letters.
_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Each letter as a character of the Private Use Area, in that order, after every Latin letter.
_ORDER = str.maketrans({letter: chr(0xE000 + rank) for rank, letter in enumerate(_CYRILLIC)})


def collation_key(name: str) -> tuple[str, str]:
    """A key that sorts *name* among others as an alphabetical list would (case and accents
    count only between names otherwise equal)."""
    folded = name.casefold().translate(_ORDER)  # before NFKD, which would split "й" and "ё"
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return bare, name

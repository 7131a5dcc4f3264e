"""URL slugs from names in any script: "Айнур Курманов" gives ainur-kurmanov.

python-slugify transliterates (Cyrillic, Greek, Arabic, Chinese...); the letters of Kazakh that
its tables turn into marks ("Ә" into "@", "Ұ" into "u'") are given their plain Latin letter first.
"""

from __future__ import annotations

from slugify import slugify as transliterated_slug

# Kazakh (also Tatar, Bashkir, Azerbaijani Cyrillic) letters and the Latin letter a reader expects.
_PLAIN_LATIN = [
    ["Ә", "A"], ["ә", "a"], ["Ғ", "G"], ["ғ", "g"], ["Қ", "K"], ["қ", "k"], ["Ң", "N"], ["ң", "n"],
    ["Ө", "O"], ["ө", "o"], ["Ұ", "U"], ["ұ", "u"], ["Ү", "U"], ["ү", "u"], ["Һ", "H"], ["һ", "h"],
    ["І", "I"], ["і", "i"],
]  # fmt: skip


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary within *max_length*.

    A name with no letters or digits at all ("!!!") gives an empty slug: callers then ask for one.
    """
    return str(
        transliterated_slug(
            text, max_length=max_length, word_boundary=True, replacements=_PLAIN_LATIN
        )
    )


def folded_words(text: str) -> list[str]:
    """The words of *text* in lower-case ASCII, transliterated as slugs are.

    "Айнур Kürmanov's" gives ``["ainur", "kurmanov", "s"]``: the search index stores these
    and a search looks for them, so a name is found in either script and with or without accents.
    """
    folded = transliterated_slug(
        text,
        separator=" ",
        replacements=_PLAIN_LATIN,
        entities=False,
        decimal=False,
        hexadecimal=False,
    )
    return str(folded).split()

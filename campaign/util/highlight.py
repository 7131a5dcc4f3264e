"""Search terms marked in text for people: escaped first, then ``<mark>`` around each hit.

Terms are what :func:`campaign.util.slugs.folded_words` makes of a search; a word of the text is
a hit when one of its folded words starts with a term, so "Курманова" is marked for "kurmanov".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from campaign.util.slugs import folded_words

_WORD = re.compile(r"\w+")
ELLIPSIS = "\u2026"
_MARK = Markup("<mark>{}</mark>")  # format() escapes what it is given


@lru_cache(maxsize=4096)
def _folded(word: str) -> tuple[str, ...]:
    return tuple(folded_words(word))


def _is_hit(word: str, terms: Sequence[str]) -> bool:
    return any(f.startswith(t) for f in _folded(word) for t in terms)


def highlight(text: str | None, terms: Sequence[str]) -> Markup:
    """*text*, escaped, with every word that a term starts marked."""
    if not text:
        return Markup("")
    out: list[Markup] = []
    last = 0
    for match in _WORD.finditer(text):
        if terms and _is_hit(match.group(), terms):
            out.append(escape(text[last : match.start()]))
            out.append(_MARK.format(match.group()))
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def excerpt(texts: Iterable[str | None], terms: Sequence[str], words: int = 30) -> Markup:
    """Some *words* around the first hit in the first of *texts* that has one, highlighted.

    Empty when none has a hit: the heading already shows why the result was found.
    """
    for text in texts:
        if not text:
            continue
        spans = list(_WORD.finditer(text))
        first = next((i for i, m in enumerate(spans) if _is_hit(m.group(), terms)), None)
        if first is None:
            continue
        start = max(0, first - words // 3)
        end = min(len(spans), start + words)
        begin = 0 if start == 0 else spans[start].start()
        finish = len(text) if end == len(spans) else spans[end - 1].end()
        body = highlight(text[begin:finish], terms)
        before = ELLIPSIS if begin else ""
        after = ELLIPSIS if finish < len(text) else ""
        return escape(before) + body + escape(after)
    return Markup("")

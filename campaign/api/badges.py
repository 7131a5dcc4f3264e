"""The embeddable badge: a case's name and its heartbeat ("Day 491 in detention", or its status)
drawn as a small SVG on the server, so a campaign's site shows it with a plain ``<img>``.

The SVG holds text and rectangles only: every piece of text is escaped, nothing is loaded and
nothing runs (and its Content-Security-Policy forbids both anyway).
"""

from __future__ import annotations

import unicodedata

from flask_babel import ngettext
from markupsafe import escape

from campaign.cases.counters import Counters
from campaign.models import Case, CaseStatus

NAME_MAX = 40
HEIGHT = 20
PADDING = 6
LABEL_COLOUR = "#3b3b3b"
# Held: red; free again: green; anything else (at risk, in exile, missing...): grey.
HELD_COLOUR = "#b3261e"
FREE_COLOUR = "#2e7d32"
OTHER_COLOUR = "#5f6368"
FREE = frozenset({CaseStatus.RELEASED, CaseStatus.ACQUITTED})

# Rough advance widths at 11px Verdana, enough to size a box: the text is then fitted to it
# exactly (textLength), so a guess that is a little off squeezes or spaces the letters a little.
_NARROW = frozenset("fijlrtI.,:;'!|()[] ")
_WIDE = frozenset("mwMW@%")


def _char_width(char: str) -> float:
    if unicodedata.east_asian_width(char) in {"W", "F"}:
        return 11.0
    if unicodedata.combining(char):
        return 0.0
    if char in _NARROW:
        return 3.9
    if char in _WIDE:
        return 10.0
    if char.isupper() or char.isdigit():
        return 7.5
    return 6.6


def text_width(text: str) -> int:
    """The width the text needs in the badge, in pixels (whole, at least one)."""
    return max(1, round(sum(_char_width(c) for c in text)))


def badge_value(case: Case, counted: Counters) -> str:
    """What the badge says of the case: "Day N in detention" while held, else its status."""
    count = counted.detention
    if count is not None and count.ongoing:
        return ngettext("Day %(num)d in detention", "Day %(num)d in detention", count.days)
    return str(case.status.label)


def _colour(case: Case) -> str:
    if case.status.in_custody:
        return HELD_COLOUR
    return FREE_COLOUR if case.status in FREE else OTHER_COLOUR


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def badge_svg(case: Case, value: str) -> str:
    """The badge as an SVG document: the person's name on the left, *value* on the right, on
    the colour of the case's status."""
    left = _shorten(case.person_name, NAME_MAX)
    right = _shorten(value, NAME_MAX * 2)
    left_width = text_width(left) + 2 * PADDING
    right_width = text_width(right) + 2 * PADDING
    width = left_width + right_width
    colour = _colour(case)
    label = escape(f"{left}: {right}")
    left_text, right_text = escape(left), escape(right)
    baseline = 14
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" '
        f'role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect width="{left_width}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left_width}" width="{right_width}" height="{HEIGHT}" fill="{colour}"/>'
        '<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{PADDING}" y="{baseline}" textLength="{left_width - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{left_text}</text>'
        f'<text x="{left_width + PADDING}" y="{baseline}" '
        f'textLength="{right_width - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{right_text}</text>'
        "</g></svg>\n"
    )

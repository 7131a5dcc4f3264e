"""Text for a terminal: what a command prints so that it is not missed."""

from __future__ import annotations

from collections.abc import Sequence


def boxed(lines: Sequence[str]) -> str:
    """Lines in a box drawn with plain characters, so they stand out at the end of a terminal."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])

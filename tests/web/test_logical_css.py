"""Every stylesheet says start and end, never left and right, so a right-to-left language
mirrors the whole site (timeline, forms, menus) with no stylesheet of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
DECLARATION = re.compile(r"([-a-zA-Z]+)\s*:\s*([^;{}]+)")
# Properties whose name says a physical side, and the logical ones to use instead.
PHYSICAL_NAME = re.compile(
    r"^(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right"
    r"|border-(?:top|bottom)-(?:left|right)-radius)$"
)
PHYSICAL_VALUE = {"text-align", "float", "clear", "caption-side", "resize"}
# Four-value shorthands whose left and right differ are physical too ("0 0 0 3mm").
FOUR_SIDES = {"margin", "padding", "border-width", "border-style", "border-color", "inset"}


def physical(css: str) -> list[str]:
    """The declarations of a stylesheet that name a physical side."""
    found = []
    for name, value in DECLARATION.findall(COMMENT.sub("", css)):
        name, value = name.lower(), value.strip().removesuffix("!important").strip()
        if PHYSICAL_NAME.match(name) or (
            name in PHYSICAL_VALUE and re.search(r"\b(left|right)\b", value)
        ):
            found.append(f"{name}: {value}")
        elif name in FOUR_SIDES:
            parts = re.split(r"\s+(?![^(]*\))", value)
            if len(parts) == 4 and parts[1] != parts[3]:
                found.append(f"{name}: {value}")
        elif name == "border-radius":
            corners = re.split(r"\s+(?![^(]*\))", value.split("/")[0].strip())
            if len(corners) == 4 and (corners[0], corners[2]) != (corners[1], corners[3]):
                found.append(f"{name}: {value}")
            if len(corners) == 3 and corners[0] != corners[1]:
                found.append(f"{name}: {value}")
    return found


def test_there_are_stylesheets() -> None:
    assert len(STYLESHEETS) >= 5


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=lambda p: p.name)
def test_no_stylesheet_uses_physical_sides(sheet: Path) -> None:
    assert physical(sheet.read_text(encoding="utf-8")) == []


def test_the_checker_finds_physical_sides() -> None:
    css = """
    /* margin-left: 1rem in a comment is fine */
    .a { margin-left: 1rem; padding-inline-start: 1rem; }
    .b { left: 0; inset-inline-start: 0; border-right: 1px solid; }
    .c { text-align: right; text-align: start; float: left; }
    .d { padding: 0 0 0 3mm; margin: 1rem 2rem 1rem 2rem; border-radius: 4px 0 0 4px; }
    .e { border-top-left-radius: 2px; border-left-color: red; }
    """
    assert physical(css) == [
        "margin-left: 1rem",
        "left: 0",
        "border-right: 1px solid",
        "text-align: right",
        "float: left",
        "padding: 0 0 0 3mm",
        "border-radius: 4px 0 0 4px",
        "border-top-left-radius: 2px",
        "border-left-color: red",
    ]

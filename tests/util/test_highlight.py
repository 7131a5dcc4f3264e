"""Search terms marked in text: escaped first, in either script, around the first hit."""

from __future__ import annotations

from campaign.util.highlight import excerpt, highlight
from campaign.util.slugs import folded_words


def test_words_are_folded_to_ascii_in_any_script() -> None:
    assert folded_words("Айнур Kürmanov's «Ұлы»") == ["ainur", "kurmanov", "s", "uly"]
    assert folded_words("\x00 ' \" * NEAR()") == ["near"]


def test_every_word_a_term_starts_is_marked_and_the_rest_escaped() -> None:
    marked = highlight("Айнур <b>Курманова</b> & Ainur", ["kurmanov", "ain"])
    assert str(marked) == (
        "<mark>Айнур</mark> &lt;b&gt;<mark>Курманова</mark>&lt;/b&gt; &amp; <mark>Ainur</mark>"
    )
    assert str(highlight("<i>x</i>", [])) == "&lt;i&gt;x&lt;/i&gt;"


def test_an_excerpt_is_taken_around_the_first_hit_of_the_first_text_that_has_one() -> None:
    long = " ".join(f"w{n}" for n in range(100)) + " Vienna " + " ".join("z" * 3 for _ in range(50))
    shown = str(excerpt([None, "nothing here", long], ["vienna"], words=12))
    assert shown.startswith("\u2026")
    assert shown.endswith("\u2026")
    assert "<mark>Vienna</mark>" in shown
    assert len(shown.split()) == 12
    assert str(excerpt(["no hit"], ["vienna"])) == ""

"""Kept: what a worker keeps in memory (whole pages, timeline items) stays within its caps and
drops the least recently used first."""

from __future__ import annotations

from campaign.util.kept import Kept


def test_the_least_recently_used_goes_first_when_the_bytes_run_out() -> None:
    kept: Kept[str, str] = Kept(max_bytes=30, largest=30)
    kept.keep("a", "first", 10)
    kept.keep("b", "second", 10)
    kept.keep("c", "third", 10)
    assert kept.get("a") == "first"  # now the most recently used

    kept.keep("d", "fourth", 10)

    assert kept.get("b") is None
    assert [kept.get(k) for k in "acd"] == ["first", "third", "fourth"]
    assert kept.bytes == 30


def test_a_count_cap_holds_as_well_as_the_byte_budget() -> None:
    kept: Kept[int, str] = Kept(max_bytes=1000, largest=1000, max_entries=2)
    for number in range(5):
        kept.keep(number, str(number), 1)

    assert len(kept) == 2
    assert (kept.get(3), kept.get(4)) == ("3", "4")


def test_a_value_too_large_is_not_kept_and_pushes_nothing_out() -> None:
    kept: Kept[str, str] = Kept(max_bytes=100, largest=25)
    kept.keep("small", "x", 20)

    kept.keep("large", "y" * 26, 26)

    assert kept.get("large") is None
    assert kept.get("small") == "x"


def test_keeping_a_key_again_replaces_it_and_counts_its_bytes_once() -> None:
    kept: Kept[str, str] = Kept(max_bytes=100, largest=100)
    kept.keep("page", "old", 40)
    kept.keep("page", "new", 30)

    assert (kept.get("page"), kept.bytes, len(kept)) == ("new", 30, 1)
    kept.clear()
    assert (len(kept), kept.bytes) == (0, 0)


def test_no_room_for_entries_keeps_nothing() -> None:
    kept: Kept[str, str] = Kept(max_bytes=100, largest=100, max_entries=0)
    kept.keep("page", "html", 4)
    assert kept.get("page") is None

"""?next= leads only to paths on this site."""

from __future__ import annotations

import pytest

from campaign.web.redirects import local_target


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "manage", "http:/x"],
)
def test_other_hosts_and_odd_paths_fall_back(target: str | None) -> None:
    assert local_target(target, "/manage/") == "/manage/"


@pytest.mark.parametrize("target", ["/manage/cases/", "/manage/events/3?x=1#top"])
def test_paths_on_this_site_are_followed(target: str) -> None:
    assert local_target(target, "/manage/") == target

"""links_for: a table's addresses built once, each the address url_for gives its record."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from campaign.web.templating import links_for

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.mark.parametrize("prefix", ["", "/ru"])
@pytest.mark.parametrize("event_id", [1, 7, 9_876_543_210, 2_000])
def test_each_address_is_the_one_url_for_gives(app: Flask, prefix: str, event_id: int) -> None:
    with app.test_request_context(f"{prefix}/manage/cases/3?page=2&q=987654321012345"):
        here = "/manage/cases/3?page=2&q=987654321012345"

        for endpoint, values in (
            ("events.detail", {}),
            ("events.edit", {}),
            ("events.delete", {}),
            ("events.verify", {"next": here}),
        ):
            links = links_for(endpoint, "event_id", **values)

            assert links(event_id) == url_for(endpoint, event_id=event_id, **values)


def test_an_id_that_is_not_a_number_is_refused_not_pasted(app: Flask) -> None:
    with app.test_request_context("/manage/"):
        links = links_for("events.detail", "event_id")

        with pytest.raises(ValueError, match="invalid literal"):
            links("1/../../admin")  # type: ignore[arg-type]

"""A choice no list offers, sent by hand, is refused next to its field like any bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from campaign.models import Case, Role


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (
            "/manage/cases/new",
            {
                "person_name": "X",
                "status": "detained",
                "arrest_date": "2010-04-27",
                "arrest_date_precision": "zzz",
            },
            "arrest_date_precision",
        ),
        (
            "/manage/events/new",
            {
                "type": "picket",
                "title": "Picket",
                "date": "2010-05-04",
                "date_precision": "zzz",
                "visibility": "public",
            },
            "date_precision",
        ),
    ],
)
def test_a_tampered_precision_is_refused_not_a_500(
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    url: str,
    data: dict[str, str],
    field: str,
) -> None:
    data = {**data, "cases": str(make_case().id)}
    response = staff_client(Role.ORGANISER).post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid choice" in html

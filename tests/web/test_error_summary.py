"""Long forms list every error at the top, each linking to its field."""

from __future__ import annotations

import re

from campaign.models import Role
from tests.conftest import case_form, event_form


def _summary(html: str) -> str:
    match = re.search(r'<section class="error-summary".*?</section>', html, re.DOTALL)
    assert match, "the page starts with an error summary"
    return match.group(0)


def test_the_event_form_lists_errors_with_links_to_their_fields(staff_client, make_case):
    case = make_case()
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data=event_form(
            [case.id],
            title="",
            date="9999-12-31",
            **{"sources-0-url": "ftp://example.org"},
        ),
    )
    html = response.get_data(as_text=True)
    summary = _summary(html)
    assert html.find('class="error-summary"') < html.find('class="stacked records-form"')
    for field_id in ("title", "date", "sources-0-url"):
        assert f'href="#{field_id}"' in summary, field_id
        assert f'id="{field_id}"' in html
    assert "3 things to correct" in summary


def test_the_case_form_lists_errors_with_links_to_their_fields(staff_client):
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=case_form(person_name="", released_on="2001-01-01")
    )
    summary = _summary(response.get_data(as_text=True))
    assert 'href="#person_name"' in summary
    assert 'href="#released_on"' in summary


def test_a_valid_form_has_no_summary(staff_client):
    html = staff_client(Role.ORGANISER).get("/manage/events/new").get_data(as_text=True)
    assert "error-summary" not in html

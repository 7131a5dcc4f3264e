"""The first public pages: the case list, a case page, and what the public must not see."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_home_lists_published_cases_only(client: FlaskClient, make_case) -> None:
    make_case(person_name="Visible Person")
    make_case(person_name="Hidden Person", published=False)
    html = client.get("/").get_data(as_text=True)
    assert "Visible Person" in html
    assert "Hidden Person" not in html


def test_unknown_and_unpublished_cases_give_the_same_404(client: FlaskClient, make_case) -> None:
    make_case(slug="draft", person_name="Draft Person", published=False)
    unknown = client.get("/cases/no-such-person")
    draft = client.get("/cases/draft")
    assert unknown.status_code == draft.status_code == 404
    assert "Draft Person" not in draft.get_data(as_text=True)
    assert "Page not found" in draft.get_data(as_text=True)


def test_text_from_the_database_is_escaped(client: FlaskClient, make_case) -> None:
    make_case(slug="x", person_name="<script>alert(1)</script>", charges="<b>bold</b>")
    html = client.get("/cases/x").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


def test_pages_load_nothing_from_another_host(client: FlaskClient, make_case) -> None:
    make_case(slug="x")
    for path in ("/", "/cases/x", "/nowhere"):
        html = client.get(path).get_data(as_text=True)
        for attribute in ('src="http', "src='http", 'href="http', "href='http", "@import"):
            assert attribute not in html, (path, attribute)

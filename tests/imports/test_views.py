"""Spreadsheets in, through the client: upload, map, preview, confirm, with CSRF and roles."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, Event, Role, SheetUpload
from tests.conftest import count_rows

SHEET = (
    "date,type,title,participants\n"
    "about 27.04.2010,arrest,Arrest of Ainur,\n"
    "4.5.2010,picket,Picket at the court,40\n"
    "\n"
    "someday,picket,Undated picket,\n"
)


def _token(response_location: str) -> str:
    match = re.search(r"/manage/imports/([^/]+)/", response_location)
    assert match, response_location
    return match.group(1)


def _upload(client: FlaskClient, data: bytes, name: str = "sheet.csv", **form: object):
    return client.post(
        "/manage/imports/",
        data={"kind": "events", "sheet": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def _events(app: Flask) -> int:
    with app.app_context():
        return count_rows(Event)


def test_upload_map_preview_confirm(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    client = staff_client(Role.ORGANISER)
    assert "Import a spreadsheet" in client.get("/manage/events/").get_data(as_text=True)
    page = client.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert f"/manage/imports/?case={case.id}" in page

    response = _upload(client, SHEET.encode(), case=str(case.id))
    assert response.status_code == 302
    token = _token(response.location)
    mapping = client.get(f"/manage/imports/{token}/map")
    text = mapping.get_data(as_text=True)
    assert mapping.status_code == 200
    assert "CSV, UTF-8" in text
    fields = {"col_0": "date", "col_1": "type", "col_2": "title", "col_3": "participants"}
    response = client.post(f"/manage/imports/{token}/map", data={**fields, "case": case.id})
    assert response.status_code == 302
    preview = client.get(f"/manage/imports/{token}/preview").get_data(as_text=True)
    assert "someday" in preview
    assert "is not a date" in preview
    assert _events(app) == 0  # nothing is saved before the confirmation

    blocked = client.post(f"/manage/imports/{token}/confirm", follow_redirects=True)
    assert "Nothing was imported" in blocked.get_data(as_text=True)
    assert _events(app) == 0
    done = client.post(
        f"/manage/imports/{token}/confirm", data={"skip_problems": "y"}, follow_redirects=True
    )
    assert "2 created" in done.get_data(as_text=True)
    assert _events(app) == 2
    with app.app_context():
        assert count_rows(SheetUpload) == 0

    # The same token again: a clear message, not an error page.
    stale = client.get(f"/manage/imports/{token}/preview", follow_redirects=True)
    assert stale.status_code == 200
    assert "no longer waiting" in stale.get_data(as_text=True)
    again = client.post(f"/manage/imports/{token}/confirm", follow_redirects=True)
    assert "no longer waiting" in again.get_data(as_text=True)
    assert _events(app) == 2


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a,b\n\x98\x98,\xff\n", "x.csv", "could not be read as text"),
        (b"", "x.csv", "holds no rows"),
        (b"PK\x03\x04junk", "x.xlsx", "damaged"),
        (b"date\n" + b"2010-01-01\n" * 6, "x.csv", "more than 5 rows"),
        (b"x" * 3000, "x.csv", "larger than the limit"),
    ],
)
def test_bad_files_get_a_clear_message(
    app: Flask, staff_client: Callable[..., FlaskClient], data: bytes, name: str, message: str
) -> None:
    app.config.update(IMPORT_MAX_ROWS=5, IMPORT_MAX_BYTES=2000)
    client = staff_client(Role.ORGANISER)
    response = _upload(client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(SheetUpload) == 0


def test_a_file_over_the_request_limit_gets_the_limit_message(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = staff_client(Role.ORGANISER)
    response = _upload(client, b"x" * 5000)
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_a_large_upload_from_outside_shows_no_case(
    app: Flask,
    client: FlaskClient,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
) -> None:
    # The body is refused as too large before the staff guard runs: the upload page, which
    # lists every case, unpublished ones too, must go only to those the guard would let in.
    make_case(person_name="Secret Unpublished", published=False)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    for outsider in (client, staff_client(Role.ACTIVIST)):
        response = _upload(outsider, b"x" * 5000)
        assert response.status_code == 413
        assert "Secret Unpublished" not in response.get_data(as_text=True)


def test_an_incomplete_mapping_is_refused(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    client = staff_client(Role.ORGANISER)
    token = _token(_upload(client, b"A,B\n1,2\n").location)
    response = client.post(f"/manage/imports/{token}/map", data={"col_0": "date", "col_1": ""})
    assert response.status_code == 400
    assert "Choose one column for each of" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ACTIVIST])
def test_only_organisers_import(
    app: Flask, staff_client: Callable[..., FlaskClient], role: Role
) -> None:
    client = staff_client(role)
    assert client.get("/manage/imports/").status_code == 403
    assert _upload(client, SHEET.encode()).status_code == 403
    assert app.test_client().get("/manage/imports/").status_code == 302


def test_another_users_token_is_refused(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    owner = staff_client(Role.ORGANISER)
    token = _token(_upload(owner, SHEET.encode()).location)
    other = staff_client(Role.ORGANISER)
    response = other.get(f"/manage/imports/{token}/map", follow_redirects=True)
    assert "no longer waiting" in response.get_data(as_text=True)


def test_every_form_needs_the_csrf_token(app_config, request) -> None:
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")
    user = request.getfixturevalue("make_user")(Role.ORGANISER)
    case = request.getfixturevalue("make_case")()
    client = app.test_client()

    def token(url: str) -> str:
        html = client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, url
        return match.group(1)

    client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "csrf_token": token("/login"),
        },
    )
    assert _upload(client, SHEET.encode(), case=str(case.id)).status_code == 400
    with app.app_context():
        assert count_rows(SheetUpload) == 0
    csrf = token("/manage/imports/")
    response = _upload(client, SHEET.encode(), case=str(case.id), csrf_token=csrf)
    sheet = _token(response.location)
    client.post(
        f"/manage/imports/{sheet}/map",
        data={"col_0": "date", "col_1": "type", "col_2": "title", "csrf_token": csrf},
    )
    client.post(f"/manage/imports/{sheet}/confirm", data={"skip_problems": "y"})
    assert _events(app) == 0
    client.post(f"/manage/imports/{sheet}/confirm", data={"skip_problems": "y", "csrf_token": csrf})
    assert _events(app) == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SheetUpload)) == 0

"""The admin area's export and import page."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.archive import records
from campaign.extensions import db
from campaign.models import AuditEntry, Case, Role
from tests.conftest import count_rows

PAGE = "/manage/archive/"


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ACTIVIST])
def test_only_admins_may_export_or_import(staff_client: Any, role: Role) -> None:
    client = staff_client(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "campaign.json").status_code == 403
    assert client.post(PAGE + "import").status_code == 403


def test_the_dashboard_links_admins_to_the_page(staff_client: Any) -> None:
    assert PAGE in staff_client(Role.ADMIN).get("/manage/").get_data(as_text=True)
    assert PAGE not in staff_client(Role.ORGANISER).get("/manage/").get_data(as_text=True)


def test_admins_download_the_whole_campaign(campaign: Flask, staff_client: Any) -> None:
    client = staff_client(Role.ADMIN)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Download the campaign" in page.get_data(as_text=True)
    response = client.get(PAGE + "campaign.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    document = json.loads(response.get_data(as_text=True))
    jsonschema.validate(document, records.load_schema())
    assert len(document["cases"]) == 2


def _upload(client: Any, content: bytes, name: str = "campaign.json") -> Any:
    return client.post(
        PAGE + "import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_imports_as_the_signed_in_admin(
    campaign: Flask, other_site: Flask, staff_client: Any, login: Any, make_user: Any
) -> None:
    download = staff_client(Role.ADMIN).get(PAGE + "campaign.json").get_data()
    with other_site.app_context():
        from campaign.accounts.passwords import hash_password
        from campaign.models import User

        admin = User(
            email="keeper@example.org",
            display_name="Keeper",
            role=Role.ADMIN,
            password_hash=hash_password("correct horse battery staple"),
        )
        db.session.add(admin)
        db.session.commit()
        db.session.refresh(admin)
        db.session.expunge(admin)
    client = login(other_site.test_client(), admin)
    response = _upload(client, download)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported the campaign file" in page
    with other_site.app_context():
        assert count_rows(Case) == 2
        actors = set(
            db.session.scalars(sa.select(AuditEntry.actor).where(AuditEntry.object_type != "user"))
        )
        assert actors == {"Keeper"}


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (b'{"format": "campaign", "format_version": 7}', "/format_version"),
        (b"\x89PNG\r\n\x1a\n not json at all", "not UTF-8"),
        (b"", "not JSON"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_changes(
    campaign: Flask, staff_client: Any, content: bytes, shown: str
) -> None:
    client = staff_client(Role.ADMIN)
    with campaign.app_context():
        before = count_rows(AuditEntry)
    response = _upload(client, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert shown in page
    with campaign.app_context():
        assert count_rows(AuditEntry) == before


def test_an_unknown_field_is_shown_at_its_place(campaign: Flask, staff_client: Any) -> None:
    client = staff_client(Role.ADMIN)
    document = json.loads(client.get(PAGE + "campaign.json").get_data(as_text=True))
    document["events"][3]["mood"] = "angry"
    response = _upload(client, json.dumps(document).encode())
    assert response.status_code == 400
    assert "<code>/events/3/mood</code> unknown field &#39;mood&#39;" in response.get_data(
        as_text=True
    )


def test_no_file_asks_for_one(app: Flask, staff_client: Any) -> None:
    response = staff_client(Role.ADMIN).post(PAGE + "import", data={})
    assert response.status_code == 400
    assert "Choose a campaign file to import." in response.get_data(as_text=True)


def test_the_import_form_is_protected_against_cross_site_posts(
    app: Flask, staff_client: Any
) -> None:
    client = staff_client(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in client.get(PAGE).get_data(as_text=True)
    response = _upload(client, b"{}")
    assert response.status_code == 400
    assert "Nothing was imported" not in response.get_data(as_text=True)

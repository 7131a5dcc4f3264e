"""A case's portrait: uploaded by organisers on a page of its own, re-encoded, served publicly
only for published cases at an address that changes with every new portrait."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campaign.cases import export
from campaign.extensions import db
from campaign.models import Case, Event, Photo, Role
from campaign.photos import services
from tests.photos.samples import phone_jpeg, png_header


def _portrait(colour: str = "navy") -> bytes:
    """A phone photo twice as wide as high (as the pages' sizes are checked against)."""
    return phone_jpeg((1600, 800), colour=colour)


@pytest.fixture(autouse=True)
def photo_folder(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    app.config["PHOTO_FOLDER"] = str(folder)
    return folder


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


def _files(folder: Path) -> list[str]:
    """Every file anywhere under the photos folder (temporary ones too)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


class Sent(NamedTuple):
    """What the server answered to an upload."""

    status_code: int
    html: str


def _upload(client: FlaskClient, case_id: int, data: bytes, name: str = "me.jpg") -> Sent:
    # The body encoded here, in memory: the test client would spool a large one to a temporary
    # file it does not always close.
    boundary, body = encode_multipart(
        MultiDict({"photo": FileStorage(io.BytesIO(data), name, content_type="image/jpeg")})
    )
    with client.post(
        f"/manage/cases/{case_id}/portrait",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    ) as response:
        return Sent(response.status_code, response.get_data(as_text=True))


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    assert event is not None
    return event


def _status(client: FlaskClient, path: str) -> int:
    """The status of a GET, with the response (an open file, maybe) closed."""
    with client.get(path) as response:
        return response.status_code


def _case(app: Flask, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        db.session.expunge(case)
        return case


def test_an_uploaded_portrait_is_re_encoded_without_metadata_and_shown_small(
    app: Flask, client: FlaskClient, organiser: FlaskClient, make_case, photo_folder: Path
) -> None:
    case = make_case(slug="dana", person_name="Dana Ospanova")
    response = _upload(organiser, case.id, _portrait())
    assert response.status_code == 302
    stored = _case(app, case.id)
    name = stored.photo_filename
    assert name
    assert services.PORTRAIT_NAME.match(name)
    assert (stored.photo_width, stored.photo_height) == (1024, 512)
    assert _files(photo_folder) == [f"portraits/{name}.large.jpg", f"portraits/{name}.small.jpg"]

    html = client.get("/cases/dana").get_data(as_text=True)
    src = f"/cases/dana/photo/{name}.small.jpg"
    assert f'src="{src}" width="320" height="160" alt="Dana Ospanova"' in html
    listing = client.get("/").get_data(as_text=True)
    assert f'src="{src}" width="320" height="160" alt="Dana Ospanova"' in listing

    with client.get(src) as served:
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        assert served.cache_control.immutable
        assert served.cache_control.max_age == 31536000
        assert served.cache_control.public
        assert not served.cache_control.no_cache  # it would cancel the year
        image = Image.open(io.BytesIO(served.get_data()))
        assert image.size == (320, 160)
        assert not image.getexif()
        assert "exif" not in image.info
        assert "icc_profile" not in image.info
    with client.get("/cases/dana/photo?size=small") as stable:
        assert stable.status_code == 200
        assert "immutable" not in stable.headers["Cache-Control"]
    with client.get("/cases/dana/photo") as large:
        assert Image.open(io.BytesIO(large.get_data())).size == (1024, 512)


def test_a_new_portrait_gets_a_new_address_and_the_old_files_go(
    app: Flask, client: FlaskClient, organiser: FlaskClient, make_case, photo_folder: Path
) -> None:
    case = make_case(slug="dana", person_name="Dana")
    _upload(organiser, case.id, _portrait(colour="navy"))
    old = _case(app, case.id).photo_filename
    _upload(organiser, case.id, _portrait(colour="red"))
    new = _case(app, case.id).photo_filename
    assert new != old
    assert _files(photo_folder) == [f"portraits/{new}.large.jpg", f"portraits/{new}.small.jpg"]
    assert _status(client, f"/cases/dana/photo/{old}.small.jpg") == 404
    assert _status(client, f"/cases/dana/photo/{new}.small.jpg") == 200

    page = organiser.get(f"/manage/cases/{case.id}/portrait").get_data(as_text=True)
    assert "Remove the photo" in page
    response = organiser.post(f"/manage/cases/{case.id}/portrait/remove")
    assert response.status_code == 302
    stored = _case(app, case.id)
    assert (stored.photo_filename, stored.photo_width, stored.photo_height) == (None, None, None)
    assert _files(photo_folder) == []
    assert _status(client, "/cases/dana/photo") == 404
    assert 'aria-hidden="true">D</div>' in client.get("/cases/dana").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, this is not an image", "not a photo the site can take"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not a photo"),
        (_portrait()[:300], "not a photo"),
        (png_header(50_000, 50_000), "too many pixels"),
        (b"\xff\xd8" + b"\0" * (10 * 1024 * 1024 + 1), "too large"),
    ],
    ids=["text", "svg", "truncated", "bomb", "huge"],
)
def test_a_refused_upload_says_why_beside_the_field_and_leaves_nothing(
    app: Flask, organiser: FlaskClient, make_case, photo_folder: Path, data: bytes, message: str
) -> None:
    case = make_case(slug="dana")
    _upload(organiser, case.id, _portrait())
    before = _files(photo_folder)
    kept = _case(app, case.id).photo_filename
    response = _upload(organiser, case.id, data, name="photo.jpg")
    assert response.status_code == 400
    html = response.html
    field = re.search(r'<div class="field field-error">.*?</div>', html, re.S)
    assert field
    assert message in field.group(0)
    assert _files(photo_folder) == before
    assert _case(app, case.id).photo_filename == kept


def test_an_upload_over_the_request_limit_gets_the_reason_and_nothing_is_written(
    app: Flask, organiser: FlaskClient, make_case, photo_folder: Path
) -> None:
    case = make_case(slug="dana")
    response = _upload(organiser, case.id, b"\xff\xd8" + b"\0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    html = response.html
    assert "The photo is too large: send one of at most 10 MB." in html
    assert 'type="file"' in html
    assert _files(photo_folder) == []
    assert _case(app, case.id).photo_filename is None


def test_a_phone_photo_over_the_sites_body_limit_still_uploads(
    app: Flask, organiser: FlaskClient, make_case
) -> None:
    """Phone photos are larger than MAX_CONTENT_LENGTH (2 MiB): the portrait form takes them."""
    case = make_case(slug="dana")
    noise = Image.effect_noise((2000, 1500), 90).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=98)
    assert len(out.getvalue()) > app.config["MAX_CONTENT_LENGTH"]
    assert _upload(organiser, case.id, out.getvalue()).status_code == 302
    assert _case(app, case.id).photo_width == 1024


def test_the_portrait_form_is_for_organisers_only(
    staff_client: Callable[..., FlaskClient], client: FlaskClient, make_case, photo_folder: Path
) -> None:
    case = make_case(slug="dana")
    activist = staff_client(Role.ACTIVIST)
    assert _status(activist, f"/manage/cases/{case.id}/portrait") == 403
    assert _upload(activist, case.id, _portrait()).status_code == 403
    assert activist.post(f"/manage/cases/{case.id}/portrait/remove").status_code == 403
    assert _upload(client, case.id, _portrait()).status_code == 302  # to the sign-in page
    assert _files(photo_folder) == []


def test_an_unpublished_cases_portrait_is_the_same_404_as_an_unknown_one(
    app: Flask, client: FlaskClient, organiser: FlaskClient, make_case
) -> None:
    case = make_case(slug="draft", published=False)
    _upload(organiser, case.id, _portrait())
    name = _case(app, case.id).photo_filename
    unknown = client.get("/cases/nobody/photo")
    for path in (
        "/cases/draft/photo",
        f"/cases/draft/photo/{name}.small.jpg",
        "/cases/draft/photo?size=small",
    ):
        with client.get(path) as response:
            assert response.status_code == 404, path
            # The page's address is in it, and in its language links' next=, encoded.
            page = response.get_data(as_text=True)
            for written in (path, path.replace("=", "%3D")):
                page = page.replace(written, "/cases/nobody/photo")
            assert page == unknown.get_data(as_text=True)
    # Staff see it on the case's pages, and no cache keeps it.
    with organiser.get(f"/cases/draft/photo/{name}.small.jpg") as staff_view:
        assert staff_view.status_code == 200
        assert staff_view.headers["Cache-Control"] == "private, no-store"
    assert f"{name}.small.jpg" in organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)


def test_unknown_sizes_names_and_hand_copied_files_are_not_served(
    app: Flask, client: FlaskClient, organiser: FlaskClient, make_case, photo_folder: Path
) -> None:
    photo_folder.mkdir(parents=True)
    (photo_folder / "kurmanov.jpg").write_bytes(_portrait())
    make_case(slug="legacy", photo_filename="kurmanov.jpg")
    make_case(slug="sneaky", photo_filename="../../etc/passwd")
    case = make_case(slug="dana")
    _upload(organiser, case.id, _portrait())
    name = _case(app, case.id).photo_filename
    for path in (
        "/cases/legacy/photo",
        "/cases/sneaky/photo",
        f"/cases/dana/photo/{name}.original.jpg",
        "/cases/dana/photo?size=original",
        f"/cases/dana/photo/{'A' * 24}.small.jpg",
        "/cases/dana/photo/..%2F..%2Fetc%2Fpasswd.small.jpg",
    ):
        assert _status(client, path) == 404, path
    assert 'aria-hidden="true">K' not in client.get("/cases/legacy").get_data(as_text=True)


def test_a_rolled_back_upload_leaves_no_file(app: Flask, make_case, photo_folder: Path) -> None:
    case_id = make_case().id
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        services.set_portrait(case, _portrait(), photo_folder)
        assert len(_files(photo_folder)) == 2
        db.session.rollback()
    assert _files(photo_folder) == []
    with app.app_context():
        assert services.portrait_orphans(photo_folder) == []


def test_a_form_over_the_sites_limit_gets_a_page_that_says_so(
    app: Flask, organiser: FlaskClient, make_case
) -> None:
    """Any staff form (here the case's own) sent with more than MAX_CONTENT_LENGTH."""
    case = make_case(slug="dana", person_name="Dana")
    response = organiser.post(
        f"/manage/cases/{case.id}/edit", data={"person_name": "Dana", "summary": "x" * 3_000_000}
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Too much was sent at once" in html
    assert "at most 2 MB" in html
    assert _case(app, case.id).summary is None
    ru = organiser.post(
        f"/ru/manage/cases/{case.id}/edit", data={"summary": "x" * 3_000_000}
    ).get_data(as_text=True)
    assert "Too much was sent at once" not in ru


def test_the_public_support_form_over_the_sites_limit_is_a_page_not_an_error(
    app: Flask, client: FlaskClient, make_case
) -> None:
    make_case(slug="dana")
    response = client.post("/cases/dana/support", data={"body": "x" * 3_000_000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_the_case_export_names_the_portrait_and_every_event_photo(
    app: Flask, organiser: FlaskClient, make_case, make_event, photo_folder: Path
) -> None:
    case = make_case(slug="dana")
    _upload(organiser, case.id, _portrait())
    event = make_event([case.id])
    with app.app_context():
        shown = services.add_photo(_event(event.id), _portrait(), None, photo_folder)
        services.set_alt_text(shown, "A picket outside the court", publish=True)
        internal = services.add_photo(_event(event.id), _portrait(), None, photo_folder)
        names = shown.name, internal.name
        db.session.commit()
    name = _case(app, case.id).photo_filename
    document = organiser.get(f"/manage/cases/{case.id}/export.json").get_json()
    portrait = document["case"]["portrait"]
    assert portrait["name"] == name
    assert (portrait["width"], portrait["height"]) == (1024, 512)
    for path in portrait["files"].values():
        assert (photo_folder / path).is_file()
    (exported,) = [e for e in document["events"] if e["id"] == event.id]
    photos = {p["name"]: p for p in exported["photos"]}
    assert set(photos) == set(names)
    assert photos[names[0]]["published"] is True
    assert photos[names[0]]["alt_text"] == "A picket outside the court"
    assert photos[names[1]]["published"] is False
    for photo in photos.values():
        assert set(photo["files"]) == {"small", "large"}
        for path in photo["files"].values():
            assert (photo_folder / path).is_file()


def test_every_photo_column_is_exported_or_deliberately_left_out() -> None:
    columns = {c.key for c in sa.inspect(Photo).columns}
    assert columns - {"id", "event_id", "uploaded_by_id"} == set(export.PHOTO_FIELDS)

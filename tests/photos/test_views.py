"""Event photos through the pages: uploading, refusals, publishing, blurring, deleting, the files
served (and the 404 an internal one gives the public), and the photos on the case timeline."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campaign.extensions import db
from campaign.models import Case, Event, Photo, Role, Visibility
from campaign.photos import services
from campaign.photos.views import INTERNAL_CACHE, PUBLISHED_CACHE
from tests.photos.samples import phone_jpeg, png_header


@pytest.fixture(autouse=True)
def _photo_folder(app: Flask, tmp_path: Path) -> None:
    app.config["PHOTO_FOLDER"] = str(tmp_path / "photos")


def _files(app: Flask) -> list[str]:
    folder = services.events_folder(app.config["PHOTO_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _photos(app: Flask) -> list[Photo]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Photo).order_by(Photo.id)))
        for photo in found:
            db.session.expunge(photo)
        return found


def _upload(client: FlaskClient, event_id: int, *files: tuple[bytes, str]) -> Any:
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    values = MultiDict(
        [("photos", FileStorage(io.BytesIO(content), filename=name)) for content, name in files]
    )
    boundary, body = encode_multipart(values)
    return client.post(
        f"/manage/events/{event_id}/photos",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


@pytest.fixture
def event(make_event: Callable[..., Event], case: Case) -> Event:
    return make_event([case.id], title="Embassy picket")


def _add(app: Flask, event_id: int, *, published: bool = False, alt: str = "") -> Photo:
    with app.app_context():
        found = db.session.get(Event, event_id)
        assert found is not None
        photo = services.add_photo(found, phone_jpeg(), None, app.config["PHOTO_FOLDER"])
        if published:
            services.set_alt_text(photo, alt or "People with banners", True)
        db.session.commit()
        db.session.refresh(photo)
        db.session.expunge(photo)
        return photo


# -- uploading -------------------------------------------------------------------------------


def test_an_activist_uploads_photos_to_their_own_event_and_they_arrive_internal(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_event: Callable[..., Event],
    case: Case,
) -> None:
    activist = staff_client(Role.ACTIVIST)
    own = make_event([case.id], created_by_id=activist.user.id)  # type: ignore[attr-defined]
    response = _upload(
        activist, own.id, (phone_jpeg(), "one.jpg"), (phone_jpeg((300, 400)), "two.jpg")
    )
    assert response.status_code == 302
    photos = _photos(app)
    assert len(photos) == 2
    assert not any(p.published for p in photos)
    assert {p.uploaded_by_id for p in photos} == {activist.user.id}  # type: ignore[attr-defined]
    assert len(_files(app)) == 4
    page = activist.get(f"/manage/events/{own.id}").get_data(as_text=True)
    assert page.count('class="photo photo-internal"') == 2
    assert "Internal" in page


def test_an_activist_cannot_add_photos_to_someone_elses_event(
    app: Flask, staff_client: Callable[..., FlaskClient], event: Event
) -> None:
    activist = staff_client(Role.ACTIVIST)
    assert _upload(activist, event.id, (phone_jpeg(), "one.jpg")).status_code == 403
    assert 'name="photos"' not in activist.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert _photos(app) == []
    assert _files(app) == []


def test_the_public_cannot_upload(app: Flask, client: FlaskClient, event: Event) -> None:
    response = _upload(client, event.id, (phone_jpeg(), "one.jpg"))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert _files(app) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, this is not an image", "This file is not a photo the site takes"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not a photo the site"),
        (phone_jpeg()[:300], "or it is damaged"),
        (png_header(50_000, 50_000), "too many pixels"),
        (b"\xff\xd8" + b"\0" * (10 * 1024 * 1024 + 1), "This file is too big"),
    ],
    ids=["text", "svg", "truncated", "bomb", "huge"],
)
def test_refused_uploads_say_why_next_to_the_field_and_leave_nothing(
    app: Flask, organiser: FlaskClient, event: Event, content: bytes, message: str
) -> None:
    response = _upload(organiser, event.id, (content, "picket.jpg"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="photos-error"' in page
    assert _photos(app) == []
    assert _files(app) == []


def test_one_bad_file_among_several_keeps_none_and_names_it(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    response = _upload(organiser, event.id, (phone_jpeg(), "good.jpg"), (b"junk", "bad.jpg"))
    assert response.status_code == 400
    assert "bad.jpg: This file is not a photo" in response.get_data(as_text=True)
    # The good one was not kept either, and the page says so.
    assert "None of the 2 photos was added" in response.get_data(as_text=True)
    assert _photos(app) == []
    assert _files(app) == []


def test_an_upload_with_no_file_asks_for_one(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    response = organiser.post(
        f"/manage/events/{event.id}/photos", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose at least one photo." in response.get_data(as_text=True)


def test_a_request_over_the_limit_is_refused_on_the_page(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    big = b"\xff\xd8" + b"\0" * (10 * 1024 * 1024)
    files = [(big, f"p{n}.jpg") for n in range(11)]
    response = _upload(organiser, event.id, *files)
    assert response.status_code == 413
    assert "These files are too big together" in response.get_data(as_text=True)
    assert _files(app) == []


def test_a_large_upload_from_outside_shows_nothing_of_the_event(
    app: Flask, client: FlaskClient, staff_client: Callable[..., FlaskClient], event: Event
) -> None:
    _add(app, event.id)
    big = b"\xff\xd8" + b"\0" * (3 * 1024 * 1024)
    for outsider in (client, staff_client(Role.ORGANISER, must_change_password=True)):
        response = _upload(outsider, event.id, (big, "big.jpg"))
        assert response.status_code in {302, 413}
        page = response.get_data(as_text=True)
        assert "Embassy picket" not in page
        assert _photos(app)[0].name not in page


def test_a_phone_sized_photo_fits_the_upload_although_other_forms_take_less(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    noisy = Image.effect_noise((2000, 1500), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=98)
    assert len(out.getvalue()) > app.config["MAX_CONTENT_LENGTH"]
    assert _upload(organiser, event.id, (out.getvalue(), "big.jpg")).status_code == 302
    assert len(_photos(app)) == 1


# -- describing and publishing ---------------------------------------------------------------


def test_publishing_needs_a_description(app: Flask, organiser: FlaskClient, event: Event) -> None:
    photo = _add(app, event.id)
    response = organiser.post(
        f"/manage/photos/{photo.id}", data={"alt_text": "   ", "publish": "Publish"}
    )
    assert response.status_code == 400
    assert "Describe the photo before publishing it" in response.get_data(as_text=True)
    assert not _photos(app)[0].published


def test_publish_edit_and_unpublish(app: Flask, organiser: FlaskClient, event: Event) -> None:
    photo = _add(app, event.id)
    url = f"/manage/photos/{photo.id}"
    response = organiser.post(url, data={"alt_text": "Banners", "publish": "Publish"})
    assert response.status_code == 302
    assert (_photos(app)[0].published, _photos(app)[0].alt_text) == (True, "Banners")
    organiser.post(url, data={"alt_text": "Banners outside", "save": "Save"})
    assert (_photos(app)[0].published, _photos(app)[0].alt_text) == (True, "Banners outside")
    organiser.post(url, data={"alt_text": "Banners outside", "unpublish": "Make internal"})
    assert not _photos(app)[0].published
    organiser.post(url, data={"alt_text": "", "save": "Save"})
    assert (_photos(app)[0].published, _photos(app)[0].alt_text) == (False, "")


def test_activists_do_not_publish_blur_or_delete(
    app: Flask, staff_client: Callable[..., FlaskClient], event: Event
) -> None:
    photo = _add(app, event.id)
    activist = staff_client(Role.ACTIVIST)
    for path in ("", "/blur", "/delete"):
        assert activist.get(f"/manage/photos/{photo.id}{path}").status_code == 403
        assert activist.post(f"/manage/photos/{photo.id}{path}").status_code == 403
    assert _photos(app)[0].name == photo.name


def test_an_activist_takes_back_their_own_photo_while_it_is_internal(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_event: Callable[..., Event],
    case: Case,
) -> None:
    activist = staff_client(Role.ACTIVIST)
    own = make_event([case.id], created_by_id=activist.user.id)  # type: ignore[attr-defined]
    _upload(activist, own.id, (phone_jpeg(), "faces.jpg"), (phone_jpeg((300, 400)), "ok.jpg"))
    first, second = _photos(app)
    page = activist.get(f"/manage/events/{own.id}/photos").get_data(as_text=True)
    assert page.count("Delete…") == 2
    assert activist.get(f"/manage/photos/{first.id}/delete").status_code == 200
    response = activist.post(f"/manage/photos/{first.id}/delete")
    assert response.status_code == 302
    assert [p.id for p in _photos(app)] == [second.id]
    assert len(_files(app)) == 2  # the other photo's two sizes

    # Once an organiser has published it, it is the organisers' to take back.
    with app.app_context():
        photo = db.session.get(Photo, second.id)
        assert photo is not None
        services.set_alt_text(photo, "A banner", True)
        db.session.commit()
    assert activist.post(f"/manage/photos/{second.id}/delete").status_code == 403
    assert "Delete…" not in activist.get(f"/manage/events/{own.id}/photos").get_data(as_text=True)
    # Another activist's upload is not theirs either.
    other = staff_client(Role.ACTIVIST)
    theirs = make_event([case.id], created_by_id=other.user.id)  # type: ignore[attr-defined]
    _upload(other, theirs.id, (phone_jpeg(), "one.jpg"))
    newest = _photos(app)[-1]
    assert activist.post(f"/manage/photos/{newest.id}/delete").status_code == 403


def test_an_unknown_photo_is_404(organiser: FlaskClient) -> None:
    for path in ("", "/blur", "/delete"):
        assert organiser.get(f"/manage/photos/999{path}").status_code == 404
    assert organiser.get("/manage/events/999/photos").status_code == 404


# -- blurring --------------------------------------------------------------------------------


def _region(n: int, x: str, y: str, w: str, h: str) -> dict[str, str]:
    return {f"regions-{n}-x": x, f"regions-{n}-y": y, f"regions-{n}-w": w, f"regions-{n}-h": h}


def test_the_blur_page_works_with_numbers_alone(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id)
    page = organiser.get(f"/manage/photos/{photo.id}/blur").get_data(as_text=True)
    assert 'name="regions-0-x"' in page
    assert "From the left (%)" in page
    assert "js/blur.js" in page
    data = {**_region(0, "0", "0", "25", "50"), **_region(3, "60,5", "10", "20", "20")}
    response = organiser.post(f"/manage/photos/{photo.id}/blur", data=data)
    assert response.status_code == 302
    blurred = _photos(app)[0]
    assert blurred.name != photo.name
    assert _files(app) == sorted(services.file_names(blurred.name))
    with Image.open(services.events_folder(app.config["PHOTO_FOLDER"]) / _files(app)[0]) as im:
        assert not im.getexif()


@pytest.mark.parametrize(
    "data",
    [
        {},
        _region(0, "10", "10", "", ""),
        _region(0, "10", "10", "95", "10"),
        _region(0, "10", "10", "0", "10"),
        _region(0, "-5", "10", "5", "10"),
        _region(0, "1e3", "10", "5", "10"),
        _region(0, "NaN", "10", "5", "10"),
        _region(0, "101", "0", "1", "1"),
    ],
    ids=["none", "partial", "beyond", "flat", "negative", "exponent", "nan", "over"],
)
def test_bad_rectangles_are_refused_and_the_photo_is_untouched(
    app: Flask, organiser: FlaskClient, event: Event, data: dict[str, str]
) -> None:
    photo = _add(app, event.id)
    response = organiser.post(f"/manage/photos/{photo.id}/blur", data=data)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert _photos(app)[0].name == photo.name
    assert _files(app) == sorted(services.file_names(photo.name))


# -- deleting --------------------------------------------------------------------------------


def test_deleting_asks_first_then_removes_the_files(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id)
    page = organiser.get(f"/manage/photos/{photo.id}/delete")
    assert page.status_code == 200
    assert _photos(app)
    response = organiser.post(f"/manage/photos/{photo.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}/photos")
    assert _photos(app) == []
    assert _files(app) == []


# -- the files -------------------------------------------------------------------------------


def _served(client: FlaskClient, path: str, **options: Any) -> Any:
    """The answer for a photo's file, read whole and closed (a file's answer holds it open)."""
    response = client.get(path, **options)
    response.get_data()
    response.close()
    return response


def test_a_published_photo_is_served_to_anyone_for_a_year_without_metadata(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id, published=True)
    for size in ("small", "large"):
        response = _served(client, f"/photos/{photo.name}.{size}.jpg")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == PUBLISHED_CACHE
        served = Image.open(io.BytesIO(response.data))
        assert not served.getexif()
        assert b"CameraMaker" not in response.data
    assert _served(client, f"/photos/{photo.name}.small.jpg").headers.get("Set-Cookie") is None


def test_a_phone_that_has_the_photo_gets_a_304_and_a_stranger_guessing_gets_the_404(
    app: Flask, client: FlaskClient, organiser: FlaskClient, event: Event
) -> None:
    published = _add(app, event.id, published=True)
    path = f"/photos/{published.name}.large.jpg"
    first = _served(client, path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == PUBLISHED_CACHE
    stale = _served(client, path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.data == first.data

    # An internal photo's validator, however it was learnt, tells the public nothing.
    internal = _add(app, event.id)
    internal_path = f"/photos/{internal.name}.large.jpg"
    tag = _served(organiser, internal_path).headers["ETag"]
    assert organiser.get(internal_path, headers={"If-None-Match": tag}).status_code == 304
    unknown = client.get(f"/photos/{'C' * len(internal.name)}.large.jpg")
    guessed = _served(client, internal_path, headers={"If-None-Match": tag})
    assert _answer(guessed) == _answer(unknown)

    # A file gone from the disk is a 404, not a 304 for a picture that no longer exists.
    (Path(app.config["PHOTO_FOLDER"]) / "events" / f"{published.name}.large.jpg").unlink()
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 404


def _answer(response: Any) -> tuple[int, bytes, list[tuple[str, str]]]:
    return response.status_code, response.data, sorted(response.headers.items())


def test_an_internal_photo_is_the_same_404_as_an_unknown_name_for_the_public(
    app: Flask, client: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id)
    internal = _served(client, f"/photos/{photo.name}.large.jpg")
    unknown = client.get(f"/photos/{'A' * len(photo.name)}.large.jpg")
    assert internal.status_code == 404
    assert _answer(internal) == _answer(unknown)
    for other in (
        f"{photo.name}.huge.jpg",
        f"{photo.name}.large.png",
        f"..%2F{photo.name}.large.jpg",
        "..%2F..%2Fsecrets.large.jpg",
        f"{photo.name}.large.jpg%00",
    ):
        answer = _served(client, f"/photos/{other}")
        assert answer.status_code in {400, 404}
        if answer.status_code == 404:
            assert _answer(answer) == _answer(unknown)
    assert "no-store" in internal.headers["Cache-Control"]
    assert "Cookie" in internal.headers["Vary"]


def test_an_internal_photo_is_served_to_staff_and_stored_nowhere(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id)
    response = _served(organiser, f"/photos/{photo.name}.small.jpg")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == INTERNAL_CACHE
    assert "Cookie" in response.headers["Vary"]


def test_a_published_photo_of_an_internal_event_stays_hidden(
    app: Flask, client: FlaskClient, make_event: Callable[..., Event], case: Case
) -> None:
    hidden = make_event([case.id], visibility=Visibility.INTERNAL)
    photo = _add(app, hidden.id, published=True)
    unknown = client.get(f"/photos/{'B' * len(photo.name)}.large.jpg")
    assert _answer(_served(client, f"/photos/{photo.name}.large.jpg")) == _answer(unknown)


def test_the_photo_page_says_whether_the_public_sees_it(
    app: Flask, organiser: FlaskClient, make_event: Callable[..., Event], case: Case, event: Event
) -> None:
    hidden = make_event([case.id], visibility=Visibility.INTERNAL)
    for event_id, says in (
        (event.id, "The public sees this photo"),
        (hidden.id, "Published, but the public does not see it yet"),
    ):
        photo = _add(app, event_id, published=True)
        page = organiser.get(f"/manage/photos/{photo.id}").get_data(as_text=True)
        assert says in page
    internal = _add(app, event.id)
    page = organiser.get(f"/manage/photos/{internal.id}").get_data(as_text=True)
    assert "Only staff see this photo." in page


def test_a_photo_blurred_gets_a_new_address_and_the_old_one_is_gone(
    app: Flask, client: FlaskClient, organiser: FlaskClient, event: Event
) -> None:
    photo = _add(app, event.id, published=True)
    assert _served(client, f"/photos/{photo.name}.large.jpg").status_code == 200
    organiser.post(f"/manage/photos/{photo.id}/blur", data=_region(0, "0", "0", "50", "50"))
    assert _served(client, f"/photos/{photo.name}.large.jpg").status_code == 404
    assert _served(client, f"/photos/{_photos(app)[0].name}.large.jpg").status_code == 200


# -- the case timeline -----------------------------------------------------------------------


@contextmanager
def _photo_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if "photos" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def test_published_photos_show_under_their_event_on_the_public_page(
    app: Flask, client: FlaskClient, case: Case, event: Event
) -> None:
    shown = _add(app, event.id, published=True, alt="Twelve people with a banner")
    hidden = _add(app, event.id)
    page = client.get(f"/cases/{case.slug}").get_data(as_text=True)
    assert 'alt="Twelve people with a banner"' in page
    assert f'src="/photos/{shown.name}.large.jpg"' in page
    assert f"/photos/{shown.name}.small.jpg 320w" in page
    assert f'width="{shown.width}" height="{shown.height}"' in page
    assert 'loading="lazy"' in page
    assert hidden.name not in page
    event_html = page.split(f'id="event-{event.id}"')[1].split("</li>")[0]
    assert shown.name in event_html


def test_a_photo_has_one_address_in_every_language(
    app: Flask, client: FlaskClient, case: Case, event: Event
) -> None:
    photo = _add(app, event.id, published=True)
    page = client.get(f"/ru/cases/{case.slug}").get_data(as_text=True)
    assert f'src="/photos/{photo.name}.large.jpg"' in page
    assert f"/ru/photos/{photo.name}" not in page


def test_a_narrow_photo_lists_its_width_once(
    app: Flask, client: FlaskClient, case: Case, event: Event
) -> None:
    with app.app_context():
        found = db.session.get(Event, event.id)
        assert found is not None
        photo = services.add_photo(found, phone_jpeg((200, 100)), None, app.config["PHOTO_FOLDER"])
        services.set_alt_text(photo, "A small photo", True)
        db.session.commit()
        name = photo.name
    page = client.get(f"/cases/{case.slug}").get_data(as_text=True)
    assert f'srcset="/photos/{name}.small.jpg 200w"' in page


def test_staff_see_every_photo_on_the_timeline_internal_ones_marked(
    app: Flask, organiser: FlaskClient, client: FlaskClient, case: Case, event: Event
) -> None:
    hidden = _add(app, event.id)
    page = organiser.get(f"/cases/{case.slug}").get_data(as_text=True)
    assert hidden.name in page
    assert 'class="photo photo-internal"' in page
    # What staff saw is not what the page cache gives the public next.
    assert hidden.name not in client.get(f"/cases/{case.slug}").get_data(as_text=True)


def test_the_timeline_loads_photos_in_one_query_however_many_events(
    app: Flask, client: FlaskClient, case: Case, make_event: Callable[..., Event]
) -> None:
    app.config["PAGE_CACHE_ENABLED"] = False
    counts = []
    for _round in range(2):
        for _n in range(3):
            _add(app, make_event([case.id]).id, published=True)
        with _photo_queries(app) as statements:
            assert client.get(f"/cases/{case.slug}").status_code == 200
        counts.append(len(statements))
    assert counts == [1, 1]


def test_publishing_unpublishing_blurring_and_deleting_show_on_the_next_public_request(
    app: Flask, client: FlaskClient, organiser: FlaskClient, case: Case, event: Event
) -> None:
    photo = _add(app, event.id)
    url = f"/cases/{case.slug}"
    assert photo.name not in client.get(url).get_data(as_text=True)
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd", "publish": "y"})
    assert photo.name in client.get(url).get_data(as_text=True)
    organiser.post(f"/manage/photos/{photo.id}/blur", data=_region(0, "0", "0", "50", "50"))
    blurred = _photos(app)[0].name
    page = client.get(url).get_data(as_text=True)
    assert blurred in page
    assert photo.name not in page
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd", "unpublish": "y"})
    assert blurred not in client.get(url).get_data(as_text=True)
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd", "publish": "y"})
    assert blurred in client.get(url).get_data(as_text=True)
    organiser.post(f"/manage/photos/{photo.id}/delete")
    assert blurred not in client.get(url).get_data(as_text=True)


def test_internal_photos_leave_the_page_cache_alone(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    """Uploading, describing and blurring a photo nobody public sees changes no public page, so
    a picket's photos coming in must not make every worker render every page afresh."""
    from campaign.public import version

    with app.app_context():
        before = version.current()
    assert _upload(organiser, event.id, (phone_jpeg(), "one.jpg")).status_code == 302
    photo = _photos(app)[0]
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd"})
    organiser.post(f"/manage/photos/{photo.id}/blur", data=_region(0, "0", "0", "50", "50"))
    with app.app_context():
        assert version.current() == before
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd", "publish": "y"})
    with app.app_context():
        published = version.current()
    assert published != before
    organiser.post(f"/manage/photos/{photo.id}", data={"alt_text": "Crowd", "unpublish": "y"})
    with app.app_context():
        assert version.current() != published


def test_the_upload_form_checks_its_csrf_token(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = _upload(organiser, event.id, (phone_jpeg(), "one.jpg"))
    assert response.status_code == 400
    assert _files(app) == []


def test_deleting_an_event_warns_that_its_photos_go_too(
    app: Flask, organiser: FlaskClient, event: Event
) -> None:
    assert "deleted with it" not in organiser.get(f"/manage/events/{event.id}/delete").text
    _add(app, event.id)
    _add(app, event.id, published=True)
    assert "Its 2 photos are deleted with it" in organiser.get(
        f"/manage/events/{event.id}/delete"
    ).get_data(as_text=True)

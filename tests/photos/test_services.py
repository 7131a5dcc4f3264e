"""Event photos as domain actions: files on disk follow the database, and only on commit."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from campaign.extensions import db
from campaign.models import Case, Event, Photo
from campaign.photos import services
from campaign.photos.images import ImageRefused, Region


def _png(size: tuple[int, int] = (400, 200)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "white")
    for x in range(0, size[0], 2):
        for y in range(size[1]):
            image.putpixel((x, y), (0, 0, 0))
    image.save(out, "PNG")
    return out.getvalue()


def _red(image: Image.Image, x: int) -> int:
    pixel = image.getpixel((x, 50))
    assert isinstance(pixel, tuple)
    return int(pixel[0])


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    assert event is not None
    return event


@pytest.fixture(autouse=True)
def _photo_folder(app: Flask, tmp_path: Path) -> None:
    app.config["PHOTO_FOLDER"] = str(tmp_path)


@pytest.fixture
def event_id(make_case: Callable[..., Case], make_event: Callable[..., Event]) -> int:
    return make_event([make_case().id]).id


def _files(app: Flask) -> list[str]:
    folder = services.events_folder(app.config["PHOTO_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_upload_writes_every_size_and_rollback_removes_them(app: Flask, event_id: int) -> None:
    with app.app_context():
        event = _event(event_id)
        photo = services.add_photo(event, _png(), None, app.config["PHOTO_FOLDER"])
        assert not photo.published
        assert (photo.width, photo.height) == (400, 200)
        assert _files(app) == sorted(services.file_names(photo.name))
        db.session.rollback()
        assert _files(app) == []


def test_refused_upload_leaves_nothing(app: Flask, event_id: int) -> None:
    with app.app_context():
        event = _event(event_id)
        with pytest.raises(ImageRefused):
            services.add_photo(event, b"<svg/>", None, app.config["PHOTO_FOLDER"])
        assert _files(app) == []


def test_publish_needs_alt_text(app: Flask, event_id: int) -> None:
    with app.app_context():
        event = _event(event_id)
        photo = services.add_photo(event, _png(), None, app.config["PHOTO_FOLDER"])
        with pytest.raises(services.AltTextRequired):
            services.set_alt_text(photo, "  ", publish=True)
        services.set_alt_text(photo, "Supporters outside the court", publish=True)
        assert photo.published


def test_blur_makes_a_new_copy_and_deletes_the_old(app: Flask, event_id: int) -> None:
    folder = app.config["PHOTO_FOLDER"]
    with app.app_context():
        photo = services.add_photo(_event(event_id), _png(), None, folder)
        db.session.commit()
        old = photo.name
        old_pixels = Image.open(services.events_folder(folder) / f"{old}.large.jpg").convert("RGB")
        services.blur_photo(photo, [Region(0, 0, 50, 50)], folder)
        db.session.commit()
        assert photo.name != old
        assert _files(app) == sorted(services.file_names(photo.name))
        new = Image.open(services.events_folder(folder) / f"{photo.name}.large.jpg").convert("RGB")
        changed = sum(abs(_red(new, x) - _red(old_pixels, x)) > 40 for x in range(190))
        assert changed > 50


def test_delete_and_orphans(app: Flask, event_id: int) -> None:
    folder = app.config["PHOTO_FOLDER"]
    with app.app_context():
        photo = services.add_photo(_event(event_id), _png(), None, folder)
        db.session.commit()
        stray = services.events_folder(folder) / "straying.large.jpg"
        stray.write_bytes(b"x")
        assert services.orphans(folder) == [stray]
        services.delete_photo(photo, folder)
        assert _files(app)  # still there until the commit
        db.session.commit()
        assert _files(app) == ["straying.large.jpg"]
        assert db.session.query(Photo).count() == 0
        assert isinstance(stray, Path)


def test_orphans_command(app: Flask, tmp_path: Path) -> None:
    folder = services.events_folder(str(tmp_path))
    folder.mkdir(parents=True)
    (folder / "straying.small.jpg").write_bytes(b"x")
    (folder / ".upload-k2j4h1").write_bytes(b"x")  # a crash in the middle of a write
    portraits = services.portraits_folder(str(tmp_path))
    portraits.mkdir(parents=True)
    (portraits / "left-behind.large.jpg").write_bytes(b"x")
    # Files the site never writes are not its to remove.
    (folder / "notes.txt").write_text("where the camera card went")
    (portraits / "ainur.jpg").write_bytes(b"x")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["photos", "orphans"])
    assert "straying.small.jpg" in listed.output
    assert ".upload-k2j4h1" in listed.output
    assert "left-behind.large.jpg" in listed.output
    assert "notes.txt" not in listed.output
    assert "ainur.jpg" not in listed.output
    assert (folder / "straying.small.jpg").exists()
    removed = runner.invoke(args=["photos", "orphans", "--delete"])
    assert "Removed 3" in removed.output
    assert not (folder / "straying.small.jpg").exists()
    assert not (folder / ".upload-k2j4h1").exists()
    assert not (portraits / "left-behind.large.jpg").exists()
    assert (folder / "notes.txt").exists()
    assert (portraits / "ainur.jpg").exists()


def test_deleting_the_event_removes_its_files_after_commit(app: Flask, event_id: int) -> None:
    with app.app_context():
        services.add_photo(_event(event_id), _png(), None, app.config["PHOTO_FOLDER"])
        db.session.commit()
        db.session.delete(_event(event_id))
        db.session.flush()
        assert _files(app)
        db.session.commit()
        assert _files(app) == []
        assert db.session.query(Photo).count() == 0


def test_several_uploads_are_kept_all_or_none(app: Flask, event_id: int) -> None:
    with app.app_context():
        event = _event(event_id)
        with pytest.raises(services.UploadRefused) as refused:
            services.add_photos(
                event, [_png(), b"not an image", _png()], None, app.config["PHOTO_FOLDER"]
            )
        assert (refused.value.position, refused.value.reason) == (1, "not-an-image")
        db.session.rollback()
        assert db.session.scalars(sa.select(Photo)).all() == []
    assert _files(app) == []
    with app.app_context():
        added = services.add_photos(
            _event(event_id), [_png(), _png((100, 300))], None, app.config["PHOTO_FOLDER"]
        )
        db.session.commit()
        assert [p.published for p in added] == [False, False]
    assert len(_files(app)) == 4

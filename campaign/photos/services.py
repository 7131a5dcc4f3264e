"""Photos of events: upload, alt text and publishing, blurring, deletion, and orphaned files.

Files are written under the photos folder's ``events/`` by a random name, first to a temporary
file moved into place only once every size is encoded, so a refused upload leaves nothing on
disk. Files written in a transaction that rolls back, and files of photos deleted or replaced
in one that commits, are removed by the session hooks below.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Session, SessionTransaction

from campaign.extensions import db
from campaign.models import Case, Event, Photo, Role, User
from campaign.photos.images import SIZES, Encoded, ImageRefused, Region, blur, clean_image
from campaign.photos.images import encode_sizes as _encode_sizes
from campaign.photos.queries import FILE_NAME

__all__ = ["AltTextRequired", "ImageRefused", "add_photo", "blur_photo", "delete_photo"]

_WRITTEN = "campaign.photos.written"
_DOOMED = "campaign.photos.doomed"


class AltTextRequired(ValueError):
    """A photo cannot be published without a description for people who cannot see it."""


def events_folder(photos_folder: str | Path) -> Path:
    """Where event photos live inside the photos folder."""
    return Path(photos_folder) / "events"


# The start of the name of a file being written, before it takes its final name.
_TEMPORARY = ".upload-"


def file_names(name: str) -> list[str]:
    """The file names of every size of the photo called *name*."""
    return [f"{name}.{size}.jpg" for size in SIZES]


def _write(folder: Path, name: str, sizes: dict[str, Encoded]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = db.session.info.setdefault(_WRITTEN, [])
    for size, encoded in sizes.items():
        handle, temp = tempfile.mkstemp(dir=folder, prefix=_TEMPORARY)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(encoded.data)
            final = folder / f"{name}.{size}.jpg"
            os.replace(temp, final)
            written.append(final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _doom(folder: Path, name: str) -> None:
    doomed: list[Path] = db.session.info.setdefault(_DOOMED, [])
    doomed.extend(folder / file for file in file_names(name))


def _store(image: Image.Image, folder: Path) -> tuple[str, int, int]:
    name = secrets.token_urlsafe(18)
    sizes = _encode_sizes(image)
    _write(folder, name, sizes)
    large = sizes["large"]
    return name, large.width, large.height


def add_photo(event: Event, data: bytes, user: User | None, photos_folder: str | Path) -> Photo:
    """Attach the uploaded *data* to *event* as a new internal photo (ImageRefused if it is no
    image this site takes)."""
    image = clean_image(data)
    name, width, height = _store(image, events_folder(photos_folder))
    photo = Photo(event_id=event.id, name=name, width=width, height=height, published=False)
    photo.uploaded_by_id = user.id if user else None
    db.session.add(photo)
    db.session.flush()
    return photo


def set_alt_text(photo: Photo, alt_text: str, publish: bool) -> Photo:
    """Describe *photo* and publish it, or take it back (AltTextRequired to publish undescribed)."""
    alt_text = alt_text.strip()
    if publish and not alt_text:
        raise AltTextRequired
    photo.alt_text = alt_text
    photo.published = publish
    db.session.flush()
    return photo


def blur_photo(photo: Photo, regions: list[Region], photos_folder: str | Path) -> Photo:
    """Blur *regions* of *photo* into a NEW file under a new name; the old files go on commit."""
    folder = events_folder(photos_folder)
    with Image.open(folder / f"{photo.name}.large.jpg") as source:
        source.load()
        blurred = blur(source.convert("RGB"), regions)
    _doom(folder, photo.name)
    photo.name, photo.width, photo.height = _store(blurred, folder)
    db.session.flush()
    return photo


def may_delete(photo: Photo, user: User) -> bool:
    """Organisers delete any photo; whoever uploaded one may take it back while it is internal
    (the wrong photo, or one that shows a face: it should not wait for an organiser)."""
    if user.has_role(Role.ORGANISER):
        return True
    return photo.uploaded_by_id == user.id and not photo.published


def delete_photo(photo: Photo, photos_folder: str | Path) -> None:
    """Delete *photo*; its files go when the deletion commits."""
    _doom(events_folder(photos_folder), photo.name)
    db.session.delete(photo)
    db.session.flush()


def doom_event_photos(event: Event, photos_folder: str | Path) -> None:
    """Mark the files of *event*'s photos for removal when the event's deletion commits."""
    for name in db.session.scalars(sa.select(Photo.name).where(Photo.event_id == event.id)):
        _doom(events_folder(photos_folder), name)


def orphans(photos_folder: str | Path) -> list[Path]:
    """Image files in the event photos folder that no photo refers to."""
    return _orphans_in(events_folder(photos_folder), db.session.scalars(sa.select(Photo.name)))


def _orphans_in(folder: Path, names: Iterable[str | None]) -> list[Path]:
    """The files in *folder* this module could have written (a photo's sizes, or a temporary
    file a crash left) that none of *names* owns. Anything else found there, a note an admin
    put beside the photos, is not ours to list or remove."""
    if not folder.is_dir():
        return []
    known = {file for name in names if name for file in file_names(name)}
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.name not in known
        and (FILE_NAME.fullmatch(path.name) or path.name.startswith(_TEMPORARY))
    )


def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DOOMED, []):
        path.unlink(missing_ok=True)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without a commit (rollback, close) takes its new files along."""
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """An event being deleted takes its photos' files along when the deletion commits (the
    rows go by the foreign key's ON DELETE CASCADE)."""
    events = [obj.id for obj in session.deleted if isinstance(obj, Event) and obj.id]
    if not events:
        return
    from flask import current_app

    folder = events_folder(current_app.config["PHOTO_FOLDER"])
    doomed: list[Path] = session.info.setdefault(_DOOMED, [])
    with session.no_autoflush:
        names = session.scalars(sa.select(Photo.name).where(Photo.event_id.in_(events)))
        doomed.extend(folder / file for name in names for file in file_names(name))


# Module-level: every session of the app, whichever created it.
sa.event.listen(Session, "before_flush", _before_flush)
sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_transaction_end", _after_transaction_end)


# -- several uploads at once (the event's photo form) -----------------------------------------


class UploadRefused(ValueError):
    """One of several uploads is no image this site takes: which one (from 0), and why (the
    reason of :class:`ImageRefused`)."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


def add_photos(
    event: Event, uploads: list[bytes], user: User | None, photos_folder: str | Path
) -> list[Photo]:
    """Attach every upload to *event* as internal photos, or none: the first refusal raises
    UploadRefused, and the caller's rollback takes the files written so far along."""
    added = []
    for position, data in enumerate(uploads):
        try:
            added.append(add_photo(event, data, user, photos_folder))
        except ImageRefused as refused:
            raise UploadRefused(position, str(refused)) from None
    return added


# -- a case's portrait ------------------------------------------------------------------------
#
# A portrait lives in the photos folder's ``portraits/`` as ``<name>.<size>.jpg``, like an event
# photo, and its name is kept in ``Case.photo_filename`` with the large size's dimensions in
# ``photo_width`` and ``photo_height``. The name is random and changes with every new portrait,
# so the address that carries it can be cached for good. Files follow the database through the
# same session hooks as event photos: new ones go on rollback, replaced ones after the commit.

#: A portrait's name: what ``secrets.token_urlsafe(18)`` makes, nothing a path could climb with.
PORTRAIT_NAME = re.compile(r"^[A-Za-z0-9_-]{24}$")


def portraits_folder(photos_folder: str | Path) -> Path:
    """Where case portraits live inside the photos folder."""
    return Path(photos_folder) / "portraits"


def has_portrait(case: Case) -> bool:
    """Whether the case has a re-encoded portrait to show (not a hand-copied file never
    converted, which is never served)."""
    name = case.photo_filename
    return bool(name and PORTRAIT_NAME.match(name) and case.photo_width and case.photo_height)


def portrait_file(case: Case, size: str, photos_folder: str | Path) -> Path | None:
    """The file of the case's portrait in *size*, or None if there is none to serve."""
    if size not in SIZES or not has_portrait(case):
        return None
    path = portraits_folder(photos_folder) / f"{case.photo_filename}.{size}.jpg"
    return path if path.is_file() else None


def portrait_dimensions(case: Case, size: str) -> tuple[int, int]:
    """The width and height of the case's portrait in *size* (as ``encode_sizes`` made it), for
    the page's ``<img>`` so the layout does not jump while it loads."""
    width, height = case.photo_width or 0, case.photo_height or 0
    limit = SIZES[size]
    if width > limit:
        return limit, max(1, round(height * limit / width))
    return width, height


def _doom_portrait(case: Case, photos_folder: str | Path) -> None:
    if case.photo_filename and PORTRAIT_NAME.match(case.photo_filename):
        _doom(portraits_folder(photos_folder), case.photo_filename)


def set_portrait(case: Case, data: bytes, photos_folder: str | Path) -> Case:
    """Make the uploaded *data* the case's portrait (ImageRefused if it is no image this site
    takes, and then nothing is written); the previous portrait's files go on commit."""
    image = clean_image(data)
    name, width, height = _store(image, portraits_folder(photos_folder))
    _doom_portrait(case, photos_folder)
    case.photo_filename, case.photo_width, case.photo_height = name, width, height
    db.session.flush()
    return case


def remove_portrait(case: Case, photos_folder: str | Path) -> Case:
    """Take the case's portrait away; its files go when the change commits."""
    _doom_portrait(case, photos_folder)
    case.photo_filename = case.photo_width = case.photo_height = None
    db.session.flush()
    return case


def portrait_orphans(photos_folder: str | Path) -> list[Path]:
    """Image files in the portraits folder that no case refers to."""
    names = db.session.scalars(sa.select(Case.photo_filename))
    return _orphans_in(portraits_folder(photos_folder), names)

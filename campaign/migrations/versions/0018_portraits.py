"""Case portraits uploaded and re-encoded: their dimensions, and hand-copied photos converted

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

A case's portrait used to be any file someone copied into the photos folder by hand, named in
``cases.photo_filename`` and served as it was (EXIF, GPS and all). Portraits are now uploaded,
re-encoded without metadata into ``portraits/<name>.<size>.jpg`` under a random name, and
``photo_filename`` holds that name, with the large size's ``photo_width`` and ``photo_height``.

Upgrading converts each hand-copied file it finds in the photos folder (``PHOTO_FOLDER`` of the
app running the migration) the way an upload is converted. A file that is missing, or that is
not an image the site takes, leaves the case's ``photo_filename`` as it was and unserved
(the page shows the initial instead); copy the file in and upload it from the case's page. The
hand-copied originals are left where they were, since the migration's transaction could still
roll back: delete them once the upgrade is done (the log names each converted case by its id).

Downgrading points ``photo_filename`` at the large size (``portraits/<name>.large.jpg``), which
the old code serves as a hand-copied file.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context
from werkzeug.security import safe_join

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to change a column: it keeps AUTOINCREMENT (see 0002).
KEEP_IDS = {"sqlite_autoincrement": True}
logger = logging.getLogger("alembic.runtime.migration")

cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("photo_filename", sa.String),
    sa.column("photo_width", sa.Integer),
    sa.column("photo_height", sa.Integer),
)


def _photo_folder() -> Path | None:
    if not has_app_context():
        return None
    folder = current_app.config.get("PHOTO_FOLDER")
    return Path(folder) if folder else None


def _convert(folder: Path, filename: str) -> tuple[str, int, int] | None:
    """The hand-copied *filename* re-encoded into ``portraits/``: (name, width, height)."""
    from campaign.photos.images import ImageRefused, clean_image, encode_sizes

    found = safe_join(str(folder), filename)
    if found is None or not os.path.isfile(found):
        return None
    try:
        sizes = encode_sizes(clean_image(Path(found).read_bytes()))
    except ImageRefused:
        return None
    name = secrets.token_urlsafe(18)
    target = folder / "portraits"
    target.mkdir(parents=True, exist_ok=True)
    for size, encoded in sizes.items():
        handle, temp = tempfile.mkstemp(dir=target, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(encoded.data)
        os.replace(temp, target / f"{name}.{size}.jpg")
    large = sizes["large"]
    return name, large.width, large.height


def upgrade():
    with op.batch_alter_table("cases", table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column("photo_width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("photo_height", sa.Integer(), nullable=True))
    folder = _photo_folder()
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(cases.c.id, cases.c.photo_filename).where(cases.c.photo_filename.is_not(None))
    ).all()
    for case_id, filename in rows:
        converted = _convert(folder, filename) if folder else None
        if converted is None:
            logger.warning("case %s: its photo could not be converted; upload it again", case_id)
            continue
        name, width, height = converted
        connection.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values(photo_filename=name, photo_width=width, photo_height=height)
        )
        logger.info("case %s: its hand-copied photo can be deleted now", case_id)


def downgrade():
    connection = op.get_bind()
    connection.execute(
        cases.update()
        .where(cases.c.photo_width.is_not(None))
        .values(photo_filename="portraits/" + cases.c.photo_filename + ".large.jpg")
    )
    with op.batch_alter_table("cases", table_kwargs=KEEP_IDS) as batch:
        batch.drop_column("photo_height")
        batch.drop_column("photo_width")

"""Build hook: the wheel carries the compiled catalogues (``.mo``) of every shipped language.

The ``.po`` files are the source, edited by translators and kept in git; the ``.mo`` files are
built from them here, so a wheel can never carry a catalogue older than its ``.po``. Fuzzy
entries are left out, as ``pybabel compile`` leaves them out. ``campaign/translations/incoming``
(contributors' drafts, not catalogues) is never read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGUES = "campaign/translations"


class CompileCatalogues(BuildHookInterface):
    """Compile campaign/translations/<language>/LC_MESSAGES/messages.po into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._scratch = Path(tempfile.mkdtemp(prefix="campaign-mo-"))
        root = Path(self.root) / CATALOGUES
        for source in sorted(root.glob("*/LC_MESSAGES/messages.po")):
            relative = source.relative_to(root).with_suffix(".mo")
            if relative.parts[0] == "incoming":
                continue
            with source.open("rb") as handle:
                catalog = read_po(handle, locale=relative.parts[0])
            target = self._scratch / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = f"{CATALOGUES}/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

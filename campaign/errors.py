"""Domain errors that more than one package raises; each package defines its own as well."""

from __future__ import annotations

from typing import Any


class EditConflict(Exception):
    """Someone saved the record after the form being sent was loaded: saving now would silently
    overwrite their change. The view shows both versions and answers 409.

    When the form said what it had loaded (campaign.util.merge), *clashes* names the fields
    both people changed, differently, and *merged* is the record to show again: the sender's
    changes with the other person's; saving it decides the clashes for the sender's values.
    Without that, *clashes* is empty and *merged* None: the form is shown as it was sent.
    """

    def __init__(
        self,
        kind: str,
        object_id: int,
        current: int,
        seen: int | None,
        *,
        clashes: tuple[str, ...] = (),
        merged: Any = None,
    ) -> None:
        super().__init__(f"{kind} {object_id} is at version {current}, the form had {seen}")
        self.kind = kind
        self.object_id = object_id
        self.current = current
        self.seen = seen
        self.clashes = clashes
        self.merged = merged

    @property
    def missed(self) -> int:
        """How many saves happened since the form was loaded."""
        return self.current - (self.seen or 0)

"""Domain errors that more than one package raises; each package defines its own as well."""

from __future__ import annotations


class EditConflict(Exception):
    """Someone saved the record after the form being sent was loaded: saving now would silently
    overwrite their change. The view shows both versions and answers 409."""

    def __init__(self, kind: str, object_id: int, current: int, seen: int | None) -> None:
        super().__init__(f"{kind} {object_id} is at version {current}, the form had {seen}")
        self.kind = kind
        self.object_id = object_id
        self.current = current
        self.seen = seen

    @property
    def missed(self) -> int:
        """How many saves happened since the form was loaded."""
        return self.current - (self.seen or 0)

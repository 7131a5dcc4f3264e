"""The layers hold: only views and the request plumbing touch the request, the session or the
signed-in user (the import contracts in pyproject.toml check the rest, with lint-imports)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "campaign"
REQUEST_STATE = {"request", "session", "g", "current_user", "login_user", "logout_user"}
# Views are request handling; campaign.web is the request plumbing every blueprint shares; the
# server-side session is where a sign-in meets the browser's cookie.
ALLOWED = ("views.py", "web/", "accounts/sessions.py")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _request_names(path: Path) -> set[str]:
    """The request-state names a module imports from flask or flask_login."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            found.update(alias.name for alias in node.names if alias.name in REQUEST_STATE)
    return found


def _allowed(relative: str) -> bool:
    return (
        relative.endswith(ALLOWED[0]) or relative.startswith(ALLOWED[1]) or relative == ALLOWED[2]
    )


def test_only_views_and_plumbing_touch_request_state() -> None:
    touching = {
        path.relative_to(PACKAGE).as_posix(): names
        for path in _modules()
        if (names := _request_names(path)) and not _allowed(path.relative_to(PACKAGE).as_posix())
    }
    assert touching == {}


def test_the_check_sees_an_import_of_request_state(tmp_path: Path) -> None:
    module = tmp_path / "services.py"
    module.write_text(
        "from flask import current_app, request\nfrom flask_login import current_user\n"
    )
    assert _request_names(module) == {"request", "current_user"}

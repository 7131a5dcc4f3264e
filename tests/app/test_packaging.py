"""The app runs from an installed wheel: templates, static files and migrations travel with it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

# pip builds a wheel and a new Python runs the app from it: left out of make test-fast.
pytestmark = pytest.mark.slow


def _shipped_catalogues() -> list[str]:
    """The catalogues in the checkout (drafts in translations/incoming are none)."""
    root = ROOT / "campaign" / "translations"
    return sorted(
        p.relative_to(root).with_suffix(".mo").as_posix()
        for p in root.glob("*/LC_MESSAGES/messages.po")
        if p.parts[-3] != "incoming"
    )


def test_the_wheel_carries_templates_static_files_and_migrations(tmp_path: Path) -> None:
    # A catalogue as a translator leaves it: the wheel must compile it, whatever else exists.
    probe = ROOT / "campaign" / "translations" / "eo" / "LC_MESSAGES" / "messages.po"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Cases"\nmsgstr "Zases"\n\n#, fuzzy\nmsgid "Search"\nmsgstr "Zearch"\n',
        encoding="utf-8",
    )
    try:
        _build_and_run(tmp_path)
    finally:
        probe.unlink()
        probe.parent.rmdir()
        probe.parent.parent.rmdir()


def _build_and_run(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("campaign-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "campaign/templates/base.html",
        "campaign/templates/public/case.html",
        "campaign/static/css/site.css",
        "campaign/migrations/env.py",
        "campaign/migrations/versions/0001_initial_schema.py",
        "campaign/archive/schema/campaign-v2.json",  # imports are checked against it
        *(f"campaign/translations/{mo}" for mo in _shipped_catalogues()),
    ):
        assert expected in names
    # Compiled from the .po at build time; contributors' drafts are not shipped.
    assert "campaign/translations/eo/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if n.endswith(".po") or "/incoming/" in n]

    # Run the app from the unpacked wheel, away from the checkout, and render a page.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "from campaign import create_app\n"
        "from campaign.extensions import db\n"
        "app = create_app()\n"
        f"assert app.template_folder.startswith({str(site)!r}), app.template_folder\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "r = app.test_client().get('/')\n"
        "assert r.status_code == 200, r.status_code\n"
        "assert app.test_client().get('/static/css/site.css').status_code == 200\n"
        "from flask_babel import force_locale, gettext\n"
        "with app.test_request_context(), force_locale('eo'):\n"
        "    assert gettext('Cases') == 'Zases', gettext('Cases')\n"
        "    assert gettext('Search') == 'Search'\n"
        "print('ok')\n"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_") and k != "DATABASE_URL"
    }
    env.update(PYTHONPATH=str(site), CAMPAIGN_INSTANCE_PATH=str(tmp_path / "instance"))
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

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


def test_the_wheel_carries_templates_static_files_and_migrations(tmp_path: Path) -> None:
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
        "campaign/archive/schema/campaign-v1.json",  # imports are checked against it
    ):
        assert expected in names

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

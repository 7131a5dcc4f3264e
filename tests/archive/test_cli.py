"""`flask export` and `flask import`: files, messages, exit codes, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.archive import records
from campaign.extensions import db
from campaign.models import AuditEntry, Case
from tests.conftest import count_rows


def test_export_then_import_on_the_command_line(
    campaign: Flask, other_site: Flask, tmp_path: Path
) -> None:
    file = tmp_path / "campaign.json"
    result = campaign.test_cli_runner().invoke(args=["export", str(file)])
    assert result.exit_code == 0, result.output
    assert "Exported the campaign" in result.output
    document = json.loads(file.read_text(encoding="utf-8"))
    jsonschema.validate(document, records.load_schema())

    result = other_site.test_cli_runner().invoke(args=["import", str(file)])
    assert result.exit_code == 0, result.output
    assert "record(s) created" in result.output
    again = tmp_path / "again.json"
    other_site.test_cli_runner().invoke(args=["export", str(again)])
    assert again.read_text(encoding="utf-8") == file.read_text(encoding="utf-8")
    with other_site.app_context():
        actors = set(db.session.scalars(sa.select(AuditEntry.actor)))
    assert actors == {"command line"}
    verify = other_site.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            '{"format": "campaign", "format_version": 99}',
            "/format_version: the file is format version 99",
        ),
        ('{"format": "campaign", "format_version": 1, "cases": [}', "not JSON"),
        ("<html>a web page</html>", "not JSON"),
        ('{"hello": "world"}', "/format: this is not a campaign export"),
    ],
)
def test_a_bad_file_gets_a_message_and_status_1_not_a_traceback(
    app: Flask, tmp_path: Path, content: str, words: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(file)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Nothing was imported" in result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_an_unknown_field_is_named_with_its_place_and_nothing_changes(
    campaign: Flask, tmp_path: Path
) -> None:
    file = tmp_path / "campaign.json"
    campaign.test_cli_runner().invoke(args=["export", str(file)])
    document = json.loads(file.read_text(encoding="utf-8"))
    document["cases"][0]["person_name"] = "Renamed"
    document["cases"][1]["nickname"] = "x"
    file.write_text(json.dumps(document), encoding="utf-8")
    result = campaign.test_cli_runner().invoke(args=["import", str(file)])
    assert result.exit_code == 1
    assert "/cases/1/nickname: unknown field 'nickname'" in result.output
    with campaign.app_context():
        assert db.session.scalar(sa.select(Case).where(Case.person_name == "Renamed")) is None


def test_missing_and_unwritable_files_are_said_plainly(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 1
    assert "Could not read" in result.output
    result = runner.invoke(args=["export", str(tmp_path / "no-such-folder" / "out.json")])
    assert result.exit_code == 1
    assert "Could not write" in result.output
    with app.app_context():
        assert count_rows(Case) == 0


def test_export_to_standard_output_for_a_pipe(campaign: Flask) -> None:
    result = campaign.test_cli_runner().invoke(args=["export", "-"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, records.load_schema())
    assert "Exported the campaign" in result.stderr

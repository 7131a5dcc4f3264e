"""The deployment documentation and the files the cluster test runs say the same thing."""

from __future__ import annotations

import re

from flask import Flask, url_for

from campaign.cases.views import PORTRAIT_MAX_BODY
from campaign.photos.forms import MAX_FILES
from campaign.photos.images import MAX_BYTES
from tests.conftest import ROOT


def test_the_readme_shows_the_nginx_configuration_the_cluster_test_runs() -> None:
    config = (ROOT / "deploy" / "nginx" / "campaign.conf").read_text()
    readme = (ROOT / "README.md").read_text()

    assert f"```nginx\n{config}```" in readme


def test_the_nginx_configuration_retries_only_the_support_form_after_sending_it() -> None:
    config = (ROOT / "deploy" / "nginx" / "campaign.conf").read_text()

    retrying = [line for line in config.splitlines() if "non_idempotent;" in line]
    assert len(retrying) == 1  # one location: the form whose one-time token makes it safe
    assert "location ~ ^/cases/[^/]+/support$ {" in config
    assert "proxy_request_buffering on;" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config


def test_the_nginx_configuration_lets_photos_and_portraits_through(app: Flask) -> None:
    """A phone photo is larger than the site's 2m: without its own location, nginx would refuse
    the photo and portrait uploads with its own page before the app could say anything."""
    config = (ROOT / "deploy" / "nginx" / "campaign.conf").read_text()
    found = re.search(r"location ~ (\S+) \{\n\s+client_max_body_size (\d+)m;", config)
    assert found, "no location with a larger body limit"
    pattern, megabytes = re.compile(found.group(1)), int(found.group(2))
    with app.test_request_context():
        uploads = [
            url_for("photos.event", event_id=12),
            url_for("cases.portrait", case_id=3),
        ]
    for path in [*uploads, "/ru" + uploads[0], "/kk" + uploads[1]]:
        assert pattern.match(path), path
    for path in ["/manage/events/12", "/cases/ainur/support", "/manage/imports/", "/login"]:
        assert not pattern.match(path), path
    assert megabytes * 2**20 >= max(MAX_FILES * MAX_BYTES + 64 * 1024, PORTRAIT_MAX_BODY)

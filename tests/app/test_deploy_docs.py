"""The deployment documentation and the files the cluster test runs say the same thing."""

from __future__ import annotations

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

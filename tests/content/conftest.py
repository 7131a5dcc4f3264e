"""Translated content's tests run on a site in English, Russian and Kazakh."""

from __future__ import annotations

from typing import Any

import pytest

LANGUAGES = ("en", "ru", "kk")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The shared test configuration, with the three languages of the reference campaign."""
    return {**app_config, "LANGUAGES": LANGUAGES}


@pytest.fixture
def reading() -> Any:
    """The request headers of a reader of one language (the one place that says how a reader
    chooses: today the browser's Accept-Language)."""

    def headers(language: str) -> dict[str, str]:
        return {"Accept-Language": language}

    return headers

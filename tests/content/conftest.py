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
    """The address a reader of one language asks for (the one place that says how a reader
    chooses: the language is in the URL, /ru/..., none for the site's default)."""

    def address(language: str, path: str) -> str:
        return path if language == "en" else f"/{language}{path}"

    return address

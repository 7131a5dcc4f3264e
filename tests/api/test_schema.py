"""The API against its OpenAPI 3.1 document: the document is valid and complete, and no request
schemathesis makes from it (valid and invalid alike) gets a 500 or an answer the document does
not describe. Bounded, so both databases take well under a minute."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from campaign.api.documents import SPEC_FILE
from campaign.models import CaseStatus
from campaign.util.countries import country_codes
from tests.api.conftest import SECRETS, Campaign

EXAMPLES_PER_OPERATION = 25


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    return document


def test_the_document_is_valid_openapi_3_1() -> None:
    document = _document()
    assert document["openapi"].startswith("3.1.")
    validate(document)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_document_is_served_as_kept(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == _document()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_api_route_is_described(app: Flask) -> None:
    described = set(_document()["paths"])
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == described


def test_the_vocabularies_match_the_code() -> None:
    parameters = _document()["paths"]["/api/v1/cases"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert set(by_name["country"]["enum"]) == country_codes()
    assert by_name["status"]["enum"] == [s.value for s in CaseStatus]


schema = schemathesis.openapi.from_path(SPEC_FILE)
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_response_contradicts_the_document(case: Any, app: Flask, campaign: Campaign) -> None:
    # A cursor is any text to the document, but only one this API gave is accepted (a 400 says
    # so): the timeline is spared the "valid text is accepted" check, and only that one.
    excluded = [positive_data_acceptance] if case.path.endswith("/timeline") else None
    # The WSGI transport does not undo gzip, which the page cache sends to clients that take it.
    response = case.call_and_validate(
        app=app, headers={"Accept-Encoding": "identity"}, excluded_checks=excluded
    )
    assert response.status_code < 500
    for secret in SECRETS:
        assert secret not in response.text

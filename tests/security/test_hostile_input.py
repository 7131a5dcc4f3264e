"""No input gives a 500: the hostile-input walk over every route, field, query parameter and
path segment, on SQLite and on PostgreSQL (``make security`` sends the whole corpus)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest
from flask_wtf import FlaskForm

import campaign
from tests.security.conftest import FULL, World, corpus, discover, figures, walk


def _form_classes() -> set[type[FlaskForm]]:
    """Every form class the packages define (``campaign.<package>.forms``)."""
    found: set[type[FlaskForm]] = set()
    for package in pkgutil.iter_modules(campaign.__path__):
        try:
            module = importlib.import_module(f"campaign.{package.name}.forms")
        except ModuleNotFoundError:
            continue
        found |= {
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, FlaskForm)
            and value.__module__ == module.__name__
        }
    return found


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_walk_reaches_every_route_and_every_form(world: World) -> None:
    """An empty walk would pass: every route must be a target, every form found at one."""
    targets = discover(world)
    rules = {
        (rule.rule, method)
        for rule in world.app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert {(t.rule, t.method) for t in targets} == rules
    used = {type(form) for target in targets for form in target.forms}
    # A base no view builds on its own, and the code step of a sign-in with two factors,
    # which only a half-signed-in user with a second factor sees (the walk's users have none).
    unused = {cls.__name__ for cls in _form_classes() - used}
    assert unused <= {"NewPasswordFields", "CodeForm"}, unused
    posted = [t for t in targets if t.method == "POST"]
    assert sum(len(t.fields) for t in posted) > 100


@pytest.mark.slow
def test_no_hostile_input_gives_a_server_error_a_partial_record_or_unescaped_output(
    world: World, backend: str, record_property: Callable[[str, object], None]
) -> None:
    targets = discover(world)
    tally = walk(world, targets, corpus())
    record_property(
        "hostile_input", f"[{backend}, {'full' if FULL else 'sample'}]: {figures(tally)}"
    )
    assert tally.failures() == []

"""Fixtures for the appeals' tests: an appeal made through the services, and form data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from campaign.appeals import services
from campaign.extensions import db
from campaign.models import Appeal, Case
from campaign.util.dates import today_utc


@pytest.fixture
def make_appeal(app: Flask) -> Callable[..., int]:
    """Create an appeal (committed) for the cases given by id, open unless ``state`` says
    otherwise; returns its id."""

    def factory(case_ids: list[int], **overrides: Any) -> int:
        state = overrides.pop("state", "open")
        deadline = overrides.pop("deadline", today_utc() + timedelta(days=7))
        # An appeal past its deadline was written (and opened) back then.
        today = overrides.pop("today", min(today_utc(), deadline))
        with app.app_context():
            cases = [db.session.get(Case, cid) for cid in case_ids]
            data = services.AppealData(
                title=overrides.pop("title", "Release Ainur Kurmanov"),
                asked=overrides.pop("asked", "Release him now: reporting is no crime."),
                deadline=deadline,
                follow_up_on=overrides.pop("follow_up_on", None),
                cases=[c for c in cases if c is not None],
                targets=overrides.pop(
                    "targets",
                    [
                        services.TargetData(
                            name="OSCE Chairmanship",
                            postal_address="Wallnerstrasse 6\n1010 Vienna",
                            email="chair@example.org",
                        )
                    ],
                ),
                letters=overrides.pop(
                    "letters",
                    [
                        services.LetterData("en", "Dear Sir or Madam, release him."),
                        services.LetterData("ru", "Уважаемые господа, освободите его."),  # noqa: RUF001
                    ],
                ),
            )
            appeal = services.create_appeal(data, None, today=today)
            if state != "draft":
                services.set_state(appeal, state, None, today=overrides.pop("opened_on", today))
            for name, value in overrides.items():
                setattr(appeal, name, value)
            db.session.commit()
            return int(appeal.id)

    return factory


def appeal_form(case_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """A valid submission of the staff appeal form."""
    data: dict[str, Any] = {
        "title": "Release Ainur Kurmanov",
        "cases": case_ids,
        "asked": "Release him: he was reporting.",
        "deadline": (today_utc() + timedelta(days=10)).isoformat(),
        "follow_up_on": "",
        "targets-0-name": "Prosecutor General",
        "targets-0-role": "prosecutor",
        "targets-0-postal_address": "Astana",
        "targets-0-email": "",
        "targets-1-name": "",
        "targets-1-role": "other",
        "letters-0-language": "en",
        "letters-0-text": "Dear Sir, release him.",
        "letters-1-language": "",
        "letters-1-text": "",
        "outcome": "",
    }
    data.update(overrides)
    return data


def load(app: Flask, appeal_id: int) -> Appeal:
    """An appeal with its rows, detached, for assertions."""
    from campaign.appeals.queries import get_appeal

    with app.app_context():
        appeal = get_appeal(appeal_id)
        assert appeal is not None
        for response in appeal.responses:
            _ = response.target, response.source
        db.session.expunge_all()
        return appeal


YESTERDAY = today_utc() - timedelta(days=1)
LONG_AGO = date(2010, 4, 30)

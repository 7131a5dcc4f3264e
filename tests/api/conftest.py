"""A campaign with everything the public must not see beside what it may: the demo campaign, a
person held today (counters that move), internal events, an activist's unchecked report,
private and pending messages, internal notes, an unpublished case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from campaign import demo
from campaign.extensions import db
from campaign.history.recorder import acting_as
from campaign.models import (
    Case,
    CaseStatus,
    Event,
    EventType,
    Message,
    MessageState,
    Role,
    User,
    Verification,
    Visibility,
)
from campaign.util.dates import today_utc

HELD = "held-person"
HIDDEN = "hidden-person"
# Words that appear only in what the public must not see: no API answer may contain them.
SECRETS = (
    "INTERNALNOTE",
    "INTERNALEVENT",
    "UNCHECKEDREPORT",
    "PRIVATEMESSAGE",
    "PENDINGMESSAGE",
    "HIDDENCASE",
    "LETTERSADDRESS",
    "supporter@example.net",
)


@dataclass(frozen=True)
class Campaign:
    """The slugs and ids the tests look for."""

    held: str
    hidden: str
    internal_event: int
    internal_hearing: int
    public_hearing: int
    unchecked_report: int
    today: date


@pytest.fixture
def campaign(app: Flask) -> Iterator[Campaign]:
    """The demo campaign plus the case of a person held today, and the hidden things."""
    today = today_utc()
    with app.app_context(), acting_as(label="test"):
        demo.load()
        kurmanov = db.session.scalar(db.select(Case).where(Case.slug == demo.KURMANOV))
        assert kurmanov is not None
        kurmanov.internal_notes = "INTERNALNOTE: the lawyer's number"
        kurmanov.detention_address = "LETTERSADDRESS, not published"
        activist = User(
            email="activist@example.org",
            display_name="Activist",
            role=Role.ACTIVIST,
            password_hash="x",
        )
        held = Case(
            slug=HELD,
            person_name="Held Person",
            person_name_original="Задержанный <b>&</b>",
            status=CaseStatus.DETAINED,
            published=True,
            country="KZ",
            city="Almaty",
            arrest_date=today - timedelta(days=490),
            internal_notes="INTERNALNOTE again",
        )
        hidden = Case(
            slug=HIDDEN,
            person_name="HIDDENCASE Person",
            status=CaseStatus.DETAINED,
            published=False,
            country="KZ",
            arrest_date=today - timedelta(days=10),
        )
        events = {
            "internal_event": Event(
                type=EventType.PICKET,
                title="INTERNALEVENT planning meeting",
                date=date(2010, 5, 2),
                visibility=Visibility.INTERNAL,
                cases=[kurmanov],
            ),
            "strike": Event(
                type=EventType.HUNGER_STRIKE_START,
                title="Hunger strike",
                date=today - timedelta(days=4),
                cases=[held],
            ),
            "internal_hearing": Event(
                type=EventType.HEARING,
                title="INTERNALEVENT hearing",
                date=today + timedelta(days=1),
                visibility=Visibility.INTERNAL,
                cases=[held],
            ),
            "public_hearing": Event(
                type=EventType.HEARING,
                title="Appeal hearing",
                date=today + timedelta(days=3),
                cases=[held],
            ),
            "unchecked_report": Event(
                type=EventType.TRANSFER,
                title="UNCHECKEDREPORT transfer",
                date=today - timedelta(days=2),
                verification=Verification.REPORTED,
                created_by=activist,
                cases=[held],
            ),
        }
        db.session.add_all([activist, held, hidden, *events.values()])
        db.session.flush()
        db.session.add_all(
            [
                Message(
                    case_id=kurmanov.id,
                    body="PRIVATEMESSAGE for Ainur only",
                    country="NG",
                    state=MessageState.PUBLISHED,
                    consent_to_publish=False,
                    email="supporter@example.net",
                ),
                Message(
                    case_id=kurmanov.id,
                    body="PENDINGMESSAGE waiting",
                    country="LK",
                    state=MessageState.PENDING,
                    consent_to_publish=True,
                ),
                Message(
                    case_id=held.id,
                    body="PENDINGMESSAGE too",
                    country="AT",
                    state=MessageState.PENDING,
                    consent_to_publish=True,
                ),
            ]
        )
        db.session.commit()
        found = Campaign(
            held=HELD,
            hidden=HIDDEN,
            internal_event=events["internal_event"].id,
            internal_hearing=events["internal_hearing"].id,
            public_hearing=events["public_hearing"].id,
            unchecked_report=events["unchecked_report"].id,
            today=today,
        )
    return found

"""An activist's unchecked legal or custody event stays off everything the public sees.

What the public reads about a person's legal situation is an organiser's deliberate choice: a
release, arrest or hearing an activist logged shows publicly only once an organiser verified it.
Staff still see it; solidarity actions an activist logged stay public as "reported".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from campaign.models import Case, CaseStatus, Event, EventType, Role, User, Verification

PUBLIC_PATHS = (
    "/cases/{slug}",
    "/cases/{slug}/sheet",
    "/cases/{slug}/calendar.ics",
    "/cases/{slug}/feed.atom",
    "/cases/{slug}/timeline.json",
    "/cases/{slug}/timeline.csv",
    "/calendar.ics",
    "/feed.atom",
    "/",
)
SECRET = "Unchecked release report"


def _today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def activist(make_user: Callable[..., User]) -> User:
    return make_user(Role.ACTIVIST)


@pytest.fixture
def detained(make_case: Callable[..., Case]) -> Case:
    return make_case(
        slug="held", status=CaseStatus.DETAINED, arrest_date=_today() - timedelta(days=27)
    )


def _bodies(client: FlaskClient, slug: str) -> dict[str, str]:
    bodies = {}
    for path in PUBLIC_PATHS:
        url = path.format(slug=slug)
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.get_data(as_text=True)
    return bodies


@pytest.mark.parametrize("when", [0, 3], ids=["today", "scheduled"])
def test_an_activists_unchecked_release_is_shown_nowhere_public(
    client: FlaskClient, detained: Case, activist: User, make_event, when: int
) -> None:
    make_event(
        [detained.id],
        type=EventType.RELEASE,
        title=SECRET,
        date=_today() + timedelta(days=when),
        created_by_id=activist.id,
    )
    for url, body in _bodies(client, detained.slug).items():
        assert SECRET not in body, url
    page = client.get(f"/cases/{detained.slug}").get_data(as_text=True)
    assert "Released from detention" not in page


def test_the_home_page_latest_event_skips_it(
    client: FlaskClient, detained: Case, activist: User, make_event
) -> None:
    make_event([detained.id], type=EventType.ARREST, title="Taken from home", date=date(2020, 1, 1))
    make_event(
        [detained.id],
        type=EventType.TRANSFER,
        title=SECRET,
        date=date(2020, 2, 1),
        created_by_id=activist.id,
    )
    html = client.get("/").get_data(as_text=True)
    assert "Taken from home" in html
    assert SECRET not in html


def test_an_unchecked_hunger_strike_does_not_count_days(
    client: FlaskClient, detained: Case, activist: User, make_event
) -> None:
    make_event(
        [detained.id],
        type=EventType.HUNGER_STRIKE_START,
        title=SECRET,
        date=_today() - timedelta(days=4),
        created_by_id=activist.id,
    )
    html = client.get(f"/cases/{detained.slug}").get_data(as_text=True)
    assert "hunger strike" not in html.lower()


def test_staff_still_see_it_marked_reported(
    staff_client, detained: Case, activist: User, make_event
) -> None:
    make_event(
        [detained.id],
        type=EventType.RELEASE,
        title=SECRET,
        date=_today() - timedelta(days=1),
        created_by_id=activist.id,
    )
    html = staff_client(Role.ORGANISER).get(f"/cases/{detained.slug}").get_data(as_text=True)
    assert SECRET in html
    assert "badge-reported" in html


@pytest.mark.parametrize(
    ("creator", "verification", "kind"),
    [
        ("activist", Verification.VERIFIED, EventType.RELEASE),
        ("organiser", Verification.REPORTED, EventType.RELEASE),
        ("nobody", Verification.REPORTED, EventType.RELEASE),
        ("activist", Verification.REPORTED, EventType.PICKET),
    ],
    ids=["verified", "organisers", "demo-or-cli", "solidarity-action"],
)
def test_everything_else_stays_public(
    client: FlaskClient,
    detained: Case,
    activist: User,
    make_user: Callable[..., User],
    make_event,
    creator: str,
    verification: Verification,
    kind: EventType,
) -> None:
    creator_id = {
        "activist": activist.id,
        "organiser": make_user(Role.ORGANISER).id,
        "nobody": None,
    }[creator]
    make_event(
        [detained.id],
        type=kind,
        title="Shown to all",
        date=_today() + timedelta(days=2),
        verification=verification,
        created_by_id=creator_id,
    )
    bodies = _bodies(client, detained.slug)
    for url in (
        f"/cases/{detained.slug}",
        f"/cases/{detained.slug}/calendar.ics",
        f"/cases/{detained.slug}/feed.atom",
        f"/cases/{detained.slug}/timeline.json",
        "/calendar.ics",
        "/feed.atom",
    ):
        assert "Shown to all" in bodies[url], url


def test_the_activists_picket_counts_in_reach(
    client: FlaskClient, detained: Case, activist: User, make_event
) -> None:
    make_event(
        [detained.id],
        type=EventType.PICKET,
        title="Embassy picket",
        city="Vienna",
        country="AT",
        created_by_id=activist.id,
    )
    html = client.get(f"/cases/{detained.slug}").get_data(as_text=True)
    assert "Embassy picket" in html
    assert "Reported" in html
    assert "<strong>1</strong> action" in html


def test_verifying_makes_it_public(
    app, client: FlaskClient, detained: Case, activist: User, make_event
) -> None:
    from campaign.extensions import db

    event = make_event(
        [detained.id],
        type=EventType.HEARING,
        title="Appeal heard",
        date=_today() + timedelta(days=5),
        created_by_id=activist.id,
    )
    assert "Appeal heard" not in client.get(f"/cases/{detained.slug}").get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Event, event.id)
        stored.verification = Verification.VERIFIED
        db.session.commit()
    assert "Appeal heard" in client.get(f"/cases/{detained.slug}").get_data(as_text=True)

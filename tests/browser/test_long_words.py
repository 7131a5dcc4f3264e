"""Long unbroken words and addresses never push a page sideways on a 360-px phone.

Every field a person fills in (a case, an event, its venue, organisation and source, a message,
a pack, an account) holds a 150-character word (or as much as the column takes), and every main
public and staff page is opened at 360 px: none may scroll sideways, and the quick picket form
keeps its "Log it" button on screen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import (
    Case,
    DeliveryMethod,
    DeliveryPack,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Role,
    Source,
    User,
    Venue,
    Visibility,
)
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"
WIDTH = 360


def word(tag: str, length: int = 150) -> str:
    """One unbroken word of *length* characters, starting with *tag* so a failure says where."""
    return (tag + "W" * length)[:length]


def url(length: int = 150) -> str:
    """An address with no place to break it."""
    return ("https://example.org/" + "a" * length)[:length]


def _fill(app: Flask, make_user: Any) -> dict[str, Any]:
    """A case, an event and everything around them with a long word in each field."""
    admin = make_user(Role.ADMIN, display_name=word("Admin", 120), email="admin@example.org")
    make_user(Role.ACTIVIST, display_name=word("Activist", 120))
    with app.app_context():
        case = Case(
            slug="long",
            person_name=word("Name", 150),
            person_name_original=word("Имя", 150),
            occupation=word("Occupation"),
            affiliation=word("Affiliation"),
            country="KZ",
            city=word("City", 120),
            charges=word("Charges"),
            legal_article=word("Article"),
            court=word("Court"),
            judge=word("Judge"),
            detention_place=word("Place"),
            detention_address=word("Address"),
            detention_address_public=True,
            sentence=word("Sentence"),
            summary=word("Summary") + " " + url(),
            internal_notes=word("Notes"),
            arrest_date=date(2010, 4, 27),
            published=True,
        )
        other = Case(slug="other", person_name="Short Name", published=True)
        case.link(other)
        venue = Venue(
            name=word("Venue"),
            slug="venue",
            address=word("VenueAddress"),
            city=word("VenueCity", 120),
            country="AT",
        )
        organisation = Organisation(name=word("Organisation"), slug="org", website=url(300))
        source = Source(url=url(300), title=word("Source"), publisher=word("Publisher"))
        event = Event(
            type=EventType.LETTER,
            title=word("Title"),
            date=date(2010, 5, 4),
            venue=venue,
            city=word("EventCity", 120),
            country="AT",
            description=word("Description") + " " + url(),
            outcome=word("Outcome"),
            authority=word("Authority"),
            authority_response=word("Response"),
            visibility=Visibility.PUBLIC,
            cases=[case, other],
            organisations=[organisation],
            sources=[source],
        )
        pack = DeliveryPack(case=case, method=DeliveryMethod.POST, note=word("PackNote"))
        published = Message(
            case=case,
            body=word("Body") + " " + url(),
            display_name=word("Signature", 80),
            organisation=word("From"),
            country="DE",
            consent_to_publish=True,
            state=MessageState.PUBLISHED,
            delivery_pack=pack,
        )
        pending = Message(
            case=case,
            body=word("Pending"),
            display_name=word("Waiting", 80),
            organisation=word("WaitingFrom"),
            country="DE",
            consent_to_publish=True,
        )
        db.session.add_all([case, other, venue, organisation, source, event, pack])
        db.session.add_all([published, pending])
        db.session.commit()
        return {
            "admin": admin,
            "case": case.id,
            "event": event.id,
            "venue": venue.id,
            "organisation": organisation.id,
            "pack": pack.id,
            "message": pending.id,
        }


def _sign_in(page: Any, live_server: str, user: User) -> None:
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state()


def _overflowing(page: Any, width: int) -> list[str]:
    """The elements wider than the screen's right edge, for the failure message."""
    return page.evaluate(
        """width => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 5)
            .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))""",
        width,
    )


def _check(page: Any, live_server: str, path: str, shot: str, width: int = WIDTH) -> None:
    page.goto(live_server + path)
    assert page.title(), path  # a page, not an error
    page.screenshot(path=str(ARTIFACTS / f"long-words-{shot}.png"), full_page=True)
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, (path, scrolled, _overflowing(page, width))


def test_no_page_scrolls_sideways_with_long_words_at_360_px(
    app: Flask, live_server: str, phone: Any, make_user: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ids = _fill(app, make_user)
    public = {
        "home": "/",
        "home-search": "/?q=" + word("Name", 20),
        "case": "/cases/long",
        "sheet": "/cases/long/sheet",
        "wall": "/cases/long/messages",
        "support": "/cases/long/support",
        "search": "/search?q=" + word("Name", 30),
    }
    for shot, path in public.items():
        _check(phone, live_server, path, shot)

    _sign_in(phone, live_server, ids["admin"])
    staff = {
        "dashboard": "/manage/",
        "cases": "/manage/cases/",
        "case-detail": f"/manage/cases/{ids['case']}",
        "case-edit": f"/manage/cases/{ids['case']}/edit",
        "events": "/manage/events/",
        "event-detail": f"/manage/events/{ids['event']}",
        "event-edit": f"/manage/events/{ids['event']}/edit",
        "picket": "/manage/events/picket",
        "organisations": "/manage/organisations/",
        "organisation": f"/manage/organisations/{ids['organisation']}",
        "venues": "/manage/organisations/venues/",
        "venue": f"/manage/organisations/venues/{ids['venue']}",
        "queue": "/manage/messages/",
        "message-edit": f"/manage/messages/{ids['message']}/edit",
        "packs": "/manage/messages/packs",
        "pack": f"/manage/messages/packs/{ids['pack']}",
        "history": "/manage/history/",
        "case-history": f"/manage/history/cases/{ids['case']}",
        "users": "/manage/users/",
        "staff-search": "/manage/search/?q=" + word("Title", 30),
        "public-case-as-staff": "/cases/long",
    }
    for shot, path in staff.items():
        _check(phone, live_server, path, shot)

    # The delivery packs are cards on a phone, each value with its label, like the users page.
    phone.goto(live_server + "/manage/messages/packs")
    delivered = phone.locator("table.records td", has_text="Not yet")
    assert delivered.evaluate("e => getComputedStyle(e).display") == "block"
    assert delivered.locator(".card-label").inner_text().startswith("Delivered")
    expect(phone.locator(".card-label", has_text="Built")).to_be_visible()

    # The quick picket form keeps its button on screen whatever the names of the cases.
    phone.goto(live_server + "/manage/events/picket")
    button = phone.get_by_role("button", name="Log it").bounding_box()
    assert button is not None
    assert button["x"] >= 0
    assert button["x"] + button["width"] <= WIDTH
    label = phone.locator(".check-list label", has_text="NameWWW").bounding_box()
    assert label is not None
    assert label["x"] + label["width"] <= WIDTH


def test_tables_stay_on_a_wide_screen_with_long_words(
    app: Flask, live_server: str, page: Any, make_user: Any
) -> None:
    """At 1280 px the tables stay tables, and a long name in one cell does not widen them."""
    ARTIFACTS.mkdir(exist_ok=True)
    ids = _fill(app, make_user)
    _sign_in(page, live_server, ids["admin"])
    for shot, path in {
        "wide-cases": "/manage/cases/",
        "wide-events": "/manage/events/",
        "wide-packs": "/manage/messages/packs",
        "wide-organisations": "/manage/organisations/",
        "wide-venues": "/manage/organisations/venues/",
        "wide-users": "/manage/users/",
        "wide-history": f"/manage/history/cases/{ids['case']}",
    }.items():
        _check(page, live_server, path, shot, width=1280)

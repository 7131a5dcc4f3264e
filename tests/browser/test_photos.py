"""A picket's photo on a 360-px phone: uploaded with GPS in its EXIF and served without any,
a face blurred by dragging on the photo, published with its description, and shown on the
public case page, which passes the accessibility check."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import Case, Event, Photo, Role, User
from tests.browser.conftest import ARTIFACTS
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"
AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = {"serious", "critical"}


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    """The real CSRF protection (the upload is a multipart form with its token)."""
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["PHOTO_FOLDER"] = str(tmp_path / "photos")
    return app_config


@pytest.fixture
def axe_phone(_browser: Any) -> Iterator[Any]:
    """A 360-px page where axe-core may run (scripts on, the CSP bypassed), signed in nowhere."""
    context = _browser.new_context(
        viewport={"width": 360, "height": 740}, bypass_csp=True, java_script_enabled=True
    )
    yield context.new_page()
    context.close()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1600, 1200), (180, 180, 170))
    image.paste((40, 60, 160), (500, 300, 900, 800))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 14.0, 20.0)
    gps[3] = "E"
    gps[4] = (76.0, 56.0, 40.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def _photo(app: Flask) -> Photo:
    with app.app_context():
        photo = db.session.scalars(sa.select(Photo)).one()
        db.session.expunge(photo)
        return photo


def _violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[' '.join(n['target']) for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in SEVERE
    ]


def _anonymous_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as answer:  # noqa: S310  # nosec B310 (our test server)
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_picket_photo_from_a_phone_is_cleaned_blurred_published_and_accessible(
    app: Flask,
    live_server: str,
    phone: Any,
    axe_phone: Any,
    make_user: Callable[..., User],
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
) -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make axe`")
    organiser = make_user(Role.ORGANISER)
    case = make_case(person_name="Aigul Utepova")
    event = make_event([case.id], title="Picket at the embassy")

    phone.goto(live_server + "/login")
    phone.fill("input[name=email]", organiser.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form [type=submit]").last.click()
    phone.wait_for_load_state()

    # Upload from the event's page.
    phone.goto(f"{live_server}/manage/events/{event.id}")
    phone.get_by_label("Add photos").set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_with_gps()}]
    )
    phone.get_by_role("button", name="Upload").click()
    expect(phone.get_by_text("1 photo was added.")).to_be_visible()
    uploaded = _photo(app)
    assert not uploaded.published

    # The served file has no EXIF at all; the public does not get it yet.
    url = f"{live_server}/photos/{uploaded.name}.large.jpg"
    served = phone.request.get(url)
    assert served.status == 200
    assert served.headers["cache-control"] == "private, no-store"
    body = served.body()
    image = Image.open(io.BytesIO(body))
    assert not image.getexif()
    assert "exif" not in image.info
    assert b"CameraMaker" not in body
    assert _anonymous_status(url) == 404

    # Blur a face: drag across the photo, check the list, remove a stray one, blur.
    phone.goto(f"{live_server}/manage/photos/{uploaded.id}/blur")
    picture = phone.locator("#blur-photo")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    assert box is not None

    def drag(x1: float, y1: float, x2: float, y2: float) -> None:
        phone.mouse.move(box["x"] + box["width"] * x1, box["y"] + box["height"] * y1)
        phone.mouse.down()
        phone.mouse.move(box["x"] + box["width"] * x2, box["y"] + box["height"] * y2, steps=5)
        phone.mouse.up()

    drag(0.3, 0.25, 0.6, 0.7)
    drag(0.05, 0.05, 0.15, 0.15)
    chosen = phone.locator("[data-blur-list] li")
    expect(chosen).to_have_count(2)
    assert phone.locator(".blur-box").count() == 2
    x = float(phone.locator("input[name='regions-0-x']").input_value())
    assert 28 <= x <= 32
    phone.get_by_role("button", name="Remove rectangle 2").click()
    expect(chosen).to_have_count(1)
    assert phone.locator("input[name='regions-1-x']").input_value() == ""
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "photos-blur-360.png"), full_page=True)
    phone.get_by_role("button", name="Blur these rectangles").click()
    expect(phone.get_by_text("1 region was blurred.")).to_be_visible()
    blurred = _photo(app)
    assert blurred.name != uploaded.name
    assert phone.request.get(url).status == 404  # the old files are gone

    # Publish: without a description first, then with one.
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_text("Describe the photo before publishing it").first).to_be_visible()
    phone.get_by_label("Description (alt text)").fill(
        "Twelve people hold a banner outside the embassy; faces are blurred."
    )
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_text("The photo is published.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The public case page at 360 px shows it, and passes axe.
    public = axe_phone
    public.goto(f"{live_server}/cases/{case.slug}")
    shown = public.get_by_role(
        "img", name="Twelve people hold a banner outside the embassy; faces are blurred."
    )
    shown.scroll_into_view_if_needed()
    expect(shown).to_be_visible()
    public.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=shown.element_handle()
    )
    assert shown.get_attribute("loading") == "lazy"
    assert blurred.name in (shown.get_attribute("srcset") or "")
    assert public.evaluate("document.documentElement.scrollWidth") <= 360
    public.screenshot(path=str(ARTIFACTS / "photos-case-360.png"), full_page=True)
    assert _violations(public) == []

    # The staff pages of the photo, at 360 px too.
    public.goto(live_server + "/login")
    public.fill("input[name=email]", organiser.email)
    public.fill("input[name=password]", PASSWORD)
    public.locator("main form [type=submit]").last.click()
    public.wait_for_load_state()
    problems = {}
    for path in (
        f"/manage/events/{event.id}",
        f"/manage/events/{event.id}/photos",
        f"/manage/photos/{uploaded.id}",
        f"/manage/photos/{uploaded.id}/blur",
        f"/manage/photos/{uploaded.id}/delete",
    ):
        response = public.goto(live_server + path)
        assert response is not None
        assert response.status == 200, path
        assert public.evaluate("document.documentElement.scrollWidth") <= 360, path
        problems[path] = _violations(public)
    assert {path: found for path, found in problems.items() if found} == {}

"""The page cache of anonymous public pages: what an organiser changes is seen on the next
anonymous request to any app, conditional requests cost no rendering, and bad input cannot
grow the cache or turn a lost Redis into errors."""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, Event, EventType, Message, MessageState, Role, Visibility
from campaign.public import version
from campaign.web.caching import PUBLIC_CACHE, STAFF_CACHE, Entry
from tests.conftest import event_form, make_app, post_message, version_of

PAGES = (
    "/",
    "/cases/dana",
    "/cases/dana/sheet",
    "/cases/dana/messages",
    "/cases/dana/feed.atom",
    "/cases/dana/calendar.ics",
    "/cases/dana/timeline.json",
    "/cases/dana/timeline.csv",
    "/feed.atom",
    "/calendar.ics",
)


@pytest.fixture
def dana(make_case: Callable[..., Case], make_event: Callable[..., Event]) -> Case:
    case = make_case(slug="dana", person_name="Dana Detained")
    make_event([case.id], type=EventType.PICKET, title="First picket", date=date(2030, 1, 2))
    return case


@contextmanager
def renders(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def record(sender: Flask, template: Any, context: Any, **extra: Any) -> None:
        names.append(str(template.name))

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def pages_kept(app: Flask) -> int:
    return len(app.extensions["campaign.page_cache"].local)


def add_event(app: Flask, case_id: int, title: str, **overrides: Any) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.add(
            Event(
                type=EventType.PICKET,
                title=title,
                date=overrides.pop("date", date(2030, 1, 3)),
                cases=[case],
                **overrides,
            )
        )
        db.session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_a_change_is_on_the_next_anonymous_request(
    app: Flask, client: FlaskClient, dana: Case, path: str
) -> None:
    before = client.get(path)
    assert before.status_code == 200
    assert "Picket at the bank" not in before.get_data(as_text=True)
    assert "Dana Renamed" not in before.get_data(as_text=True)
    add_event(app, dana.id, "Picket at the bank")
    with app.app_context():
        db.session.get(Case, dana.id).person_name = "Dana Renamed"
        db.session.commit()
    after = client.get(path).get_data(as_text=True)
    assert "Picket at the bank" in after or "Dana Renamed" in after


def test_an_organisers_change_on_one_app_is_seen_by_another_on_the_same_database(
    app: Flask, app_config: dict[str, Any], staff_client, dana: Case
) -> None:
    other = make_app(app_config)  # a second worker or host: its own memory, the same database
    reader = other.test_client()
    assert "First picket" in reader.get("/cases/dana").get_data(as_text=True)
    with renders(other) as rendered:
        reader.get("/cases/dana")
    assert rendered == []  # the second visit came from the other app's cache
    with app.app_context():
        event = db.session.scalars(sa.select(Event)).one()
    organiser = staff_client(Role.ORGANISER)
    loaded = version_of(organiser.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    saved = organiser.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([dana.id], title="Picket of 300 people", date="2030-01-02", version=loaded),
    )
    assert saved.status_code == 302
    html = reader.get("/cases/dana").get_data(as_text=True)
    assert "Picket of 300 people" in html
    assert "First picket" not in html
    with other.app_context():
        db.engine.dispose()


def test_a_conditional_request_is_answered_304_without_rendering(
    app: Flask, client: FlaskClient, dana: Case
) -> None:
    first = client.get("/cases/dana")
    assert first.headers["Cache-Control"] == PUBLIC_CACHE
    assert {"Accept-Language", "Cookie"} <= set(first.vary)
    etag = first.headers["ETag"]
    with renders(app) as rendered:
        again = client.get("/cases/dana", headers={"If-None-Match": etag})
        dated = client.get(
            "/cases/dana", headers={"If-Modified-Since": first.headers["Last-Modified"]}
        )
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.get_data() == b""
    assert rendered == []
    assert dated.status_code in {200, 304}  # 200 only within a second of the last change
    add_event(app, dana.id, "Picket at the bank")
    changed = client.get("/cases/dana", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Picket at the bank" in changed.get_data(as_text=True)


def test_the_tag_a_proxy_weakened_is_answered_304_until_the_page_changes(
    app: Flask, client: FlaskClient, dana: Case
) -> None:
    """nginx's gzip sends our ETag on as W/"...": If-None-Match compares weakly (RFC 9110)."""
    etag = client.get("/cases/dana").headers["ETag"]
    weakened = f"W/{etag}"
    with renders(app) as rendered:
        again = client.get("/cases/dana", headers={"If-None-Match": weakened})
    assert again.status_code == 304
    assert rendered == []
    add_event(app, dana.id, "Picket at the bank")
    changed = client.get("/cases/dana", headers={"If-None-Match": weakened})
    assert changed.status_code == 200
    assert "Picket at the bank" in changed.get_data(as_text=True)


def test_a_304_reads_the_version_alone_and_leaves_the_session_alone(
    app: Flask, client: FlaskClient, dana: Case
) -> None:
    etag = client.get("/cases/dana", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    pages = app.extensions["campaign.page_cache"]
    read_version = pages.read_version
    reads: list[object] = []

    def counted() -> object:
        reads.append(None)
        return read_version()

    pages.read_version = counted
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with renders(app) as rendered:
            answer = client.get(
                "/cases/dana", headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}
            )
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        pages.read_version = read_version
    assert answer.status_code == 304
    assert rendered == []
    assert seen == []  # no query through the session: the version's one lookup only
    assert len(reads) == 1
    assert "Set-Cookie" not in answer.headers


def test_forged_validators_get_the_page_and_grow_nothing(client: FlaskClient, dana: Case) -> None:
    app = client.application
    for n in range(30):
        response = client.get(
            "/cases/dana",
            headers={
                "If-None-Match": f'"forged-{n}", W/"{"x" * 200}"',
                "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT",
            },
        )
        assert response.status_code == 200
    assert pages_kept(app) == 1


def test_unknown_parameters_share_the_page_and_known_ones_are_normalised(
    client: FlaskClient, dana: Case
) -> None:
    app = client.application
    plain = client.get("/cases/dana")
    for query in (
        "?utm_source=social&fbclid=abc",
        "?" + "&".join(f"junk{n}={'y' * 50}" for n in range(200)),
        "?show=bogus",
        "?show=messages&show=legal&show=solidarity",
        "?after=not-a-cursor",
    ):
        response = client.get(f"/cases/dana{query}")
        assert response.status_code == 200
        assert response.headers["ETag"] == plain.headers["ETag"], query
    assert pages_kept(app) == 1


def test_the_cache_is_capped_in_pages_and_bytes(app_config: dict[str, Any], dana: Case) -> None:
    capped = make_app({**app_config, "PAGE_CACHE_MAX_ENTRIES": 5})
    client = capped.test_client()
    for n in range(40):
        assert client.get(f"/?q=name{n}").status_code == 200
        assert client.get(f"/cases/dana?after=2030-01-01.1.2.{n}").status_code == 200
    assert pages_kept(capped) == 5
    small = make_app({**app_config, "PAGE_CACHE_MAX_BYTES": 60_000})
    client = small.test_client()
    for n in range(40):
        client.get(f"/?q=name{n}")
    assert small.extensions["campaign.page_cache"].local.bytes <= 60_000
    for one in (capped, small):
        with one.app_context():
            db.engine.dispose()


def test_staff_see_internal_items_that_never_reach_the_cache(
    app: Flask, client: FlaskClient, staff_client, dana: Case
) -> None:
    add_event(app, dana.id, "Lawyer's private visit", visibility=Visibility.INTERNAL)
    staff = staff_client(Role.ORGANISER).get("/cases/dana")
    assert "Lawyer&#39;s private visit" in staff.get_data(as_text=True)
    assert staff.headers["Cache-Control"] == STAFF_CACHE
    assert "ETag" not in staff.headers
    public = client.get("/cases/dana").get_data(as_text=True)
    assert "private visit" not in public
    assert "Sign out" not in public


def test_a_waiting_flash_is_shown_to_its_visitor_only(
    app: Flask, client: FlaskClient, dana: Case
) -> None:
    app.test_client().get("/cases/dana")  # the page is in the cache
    with client.session_transaction() as session:
        session["_flashes"] = [("warning", "Your session has ended. Please sign in again.")]
    shown = client.get("/cases/dana").get_data(as_text=True)
    assert "Your session has ended" in shown
    assert "Your session has ended" not in client.get("/cases/dana").get_data(as_text=True)
    assert "Your session has ended" not in app.test_client().get("/cases/dana").get_data(
        as_text=True
    )


def test_the_support_form_gives_each_visitor_their_own_tokens(
    app_config: dict[str, Any], dana: Case
) -> None:
    app = make_app({**app_config, "WTF_CSRF_ENABLED": True})
    first = app.test_client().get("/cases/dana/support")
    second = app.test_client().get("/cases/dana/support")
    assert first.headers["Cache-Control"] == "no-store"
    assert "ETag" not in first.headers

    def token(html: str, name: str) -> str:
        return html.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]

    one, two = first.get_data(as_text=True), second.get_data(as_text=True)
    assert token(one, "csrf_token") != token(two, "csrf_token")
    assert token(one, "form_token") != token(two, "form_token")
    with app.app_context():
        db.engine.dispose()


def test_a_new_message_leaves_the_pages_cached_and_publishing_it_changes_them(
    app: Flask, client: FlaskClient, dana: Case, make_message, staff_client
) -> None:
    etag = client.get("/cases/dana").headers["ETag"]
    message_id = make_message(dana.id, body="Solidarity from Vienna")
    assert client.get("/cases/dana", headers={"If-None-Match": etag}).status_code == 304
    organiser = staff_client(Role.ORGANISER)
    decided = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    assert decided.status_code == 302
    page = client.get("/cases/dana", headers={"If-None-Match": etag})
    assert page.status_code == 200
    assert "Solidarity from Vienna" in page.get_data(as_text=True)


# What shows no message of support: kept under the records' version, which approving a message
# leaves as it was (campaign.public.version).
RECORD_PAGES = ("/cases/dana/feed.atom", "/cases/dana/calendar.ics", "/feed.atom", "/calendar.ics")


def test_approving_a_message_keeps_the_calendars_and_feeds_and_changes_the_pages_showing_it(
    app: Flask, client: FlaskClient, dana: Case, make_message, staff_client
) -> None:
    etags = {path: client.get(path).headers["ETag"] for path in PAGES}
    message_id = make_message(dana.id, body="Solidarity from Vienna")
    organiser = staff_client(Role.ORGANISER)
    decided = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    assert decided.status_code == 302
    for path in RECORD_PAGES:
        assert client.get(path, headers={"If-None-Match": etags[path]}).status_code == 304, path
    for path in ("/cases/dana", "/cases/dana/messages", "/cases/dana/timeline.json", "/"):
        page = client.get(path, headers={"If-None-Match": etags[path]})
        assert page.status_code == 200, path
        assert page.headers["ETag"] != etags[path]
    assert "Solidarity from Vienna" in client.get("/cases/dana").get_data(as_text=True)
    # The next change to anything else moves the records' version too.
    add_event(app, dana.id, "Picket at the bank")
    for path in RECORD_PAGES:
        page = client.get(path, headers={"If-None-Match": etags[path]})
        assert page.status_code == 200, path
        assert "Picket at the bank" in page.get_data(as_text=True), path


@pytest.mark.parametrize("path", ["/cases/dana/timeline.json", "/cases/dana/timeline.csv"])
def test_an_export_made_again_after_an_approval_reads_only_its_days_of_messages_afresh(
    app: Flask,
    client: FlaskClient,
    dana: Case,
    make_message,
    staff_client,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    from campaign.timeline import views as timeline_views

    made: list[int] = []
    record_items = timeline_views._record_items

    def counted(case: Case, today: date) -> Any:
        made.append(case.id)
        return record_items(case, today)

    monkeypatch.setattr(timeline_views, "_record_items", counted)
    first = client.get(path).get_data(as_text=True)
    assert "First picket" in first
    assert "Solidarity from Vienna" not in first
    organiser = staff_client(Role.ORGANISER)
    for body in ("Solidarity from Vienna", "Greetings from Oslo"):
        message_id = make_message(dana.id, body=body, country="AT")
        decided = organiser.post(
            f"/manage/messages/{message_id}/decide", data={"action": "publish"}
        )
        assert decided.status_code == 302
        again = client.get(path).get_data(as_text=True)
        assert again != first  # the new day of messages is in it
        assert "First picket" in again
    assert "2 messages" in again or '"messages":2' in again
    assert made == [dana.id]  # the events were read and written once
    add_event(app, dana.id, "Picket at the bank")
    changed = client.get(path).get_data(as_text=True)
    assert "Picket at the bank" in changed
    assert made == [dana.id, dana.id]


def test_pages_of_a_version_that_moved_on_leave_the_store_at_the_next_request(
    app: Flask, client: FlaskClient, dana: Case, make_message, staff_client
) -> None:
    """An approval a second must not fill a worker's memory with dead copies of its pages."""
    for path in ("/cases/dana", "/cases/dana/calendar.ics", "/cases/dana/support"):
        client.get(path)
    assert pages_kept(app) == 3  # the case page, the calendar, the support form's blank page
    message_id = make_message(dana.id, body="Solidarity from Vienna")
    organiser = staff_client(Role.ORGANISER)
    organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    assert "Solidarity from Vienna" in client.get("/cases/dana").get_data(as_text=True)
    # The old case page and form are gone; the calendar, under the records' version, stays.
    assert pages_kept(app) == 2
    add_event(app, dana.id, "Picket at the bank")
    client.get("/cases/dana")
    assert pages_kept(app) == 1


def test_a_bulk_statement_on_messages_moves_the_version_and_not_the_records(
    app: Flask, client: FlaskClient, dana: Case, make_message
) -> None:
    make_message(dana.id, state=MessageState.PUBLISHED)
    etags = {path: client.get(path).headers["ETag"] for path in ("/cases/dana", *RECORD_PAGES)}
    with app.app_context():
        before = version.current()
        db.session.execute(sa.update(Message).values(delivered_on=date(2030, 1, 5)))
        db.session.commit()
        after = version.current()
    assert before is not None
    assert after is not None
    assert after.number == before.number + 1
    assert (after.records, after.records_changed_at) == (before.records, before.records_changed_at)
    for path in RECORD_PAGES:
        assert client.get(path, headers={"If-None-Match": etags[path]}).status_code == 304, path
    page = client.get("/cases/dana", headers={"If-None-Match": etags["/cases/dana"]})
    assert page.status_code == 200


def test_a_change_to_records_and_messages_at_once_moves_both_to_the_same_number(
    app: Flask, dana: Case, make_message
) -> None:
    message_id = make_message(dana.id)
    with app.app_context():
        before = version.current()
        message = db.session.get(Message, message_id)
        message.state = MessageState.PUBLISHED
        db.session.get(Case, dana.id).person_name = "Dana Renamed"
        db.session.commit()
        after = version.current()
    assert before is not None
    assert after is not None
    assert after.number == after.records == before.number + 1


def test_a_supporter_sending_through_the_form_leaves_the_pages_cached(
    app: Flask, dana: Case
) -> None:
    """The housekeeping that runs when a supporter sends (erasing old hashes and e-mails in
    bulk) touches no column the public sees: a flood of messages must not empty the cache."""
    reader = app.test_client()
    etag = reader.get("/cases/dana").headers["ETag"]
    sent = post_message(app.test_client(), app, "dana", body="Greetings from Almaty")
    assert sent.status_code == 302
    assert reader.get("/cases/dana", headers={"If-None-Match": etag}).status_code == 304


def test_a_bulk_statement_on_a_public_table_changes_the_pages(
    app: Flask, client: FlaskClient, dana: Case
) -> None:
    client.get("/cases/dana")
    with app.app_context():
        db.session.execute(sa.update(Event).values(title="Renamed by a bulk update"))
        db.session.commit()
    assert "Renamed by a bulk update" in client.get("/cases/dana").get_data(as_text=True)


def test_a_lost_redis_means_per_worker_caching_and_one_warning(
    app_config: dict[str, Any], dana: Case, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app({**app_config, "PAGE_CACHE_REDIS_URL": "redis://127.0.0.1:9/0"})
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="campaign.web.caching"):
        for _ in range(3):
            response = client.get("/cases/dana")
            assert response.status_code == 200
            assert "First picket" in response.get_data(as_text=True)
    warnings = [r for r in caplog.records if "Redis cannot be reached" in r.getMessage()]
    assert len(warnings) == 1
    assert pages_kept(app) == 1
    with app.app_context():
        db.engine.dispose()


REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set: the shared cache is skipped")
def test_apps_share_pages_through_redis(app_config: dict[str, Any], dana: Case) -> None:
    import redis

    redis.Redis.from_url(str(REDIS_URL)).flushdb()
    config = {**app_config, "PAGE_CACHE_REDIS_URL": REDIS_URL}
    first, second = make_app(config), make_app(config)
    assert "First picket" in first.test_client().get("/cases/dana").get_data(as_text=True)
    with renders(second) as rendered:
        page = second.test_client().get("/cases/dana")
    assert "First picket" in page.get_data(as_text=True)
    assert rendered == []  # rendered by the first app, served by the second from Redis
    for one in (first, second):
        with one.app_context():
            db.engine.dispose()


def test_browsers_that_take_gzip_get_the_same_page_compressed(
    client: FlaskClient, dana: Case
) -> None:
    plain = client.get("/cases/dana")
    packed = client.get("/cases/dana", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
    assert "Accept-Encoding" in packed.vary
    assert "Accept-Encoding" in plain.vary
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        "/cases/dana",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == packed.headers["ETag"]


def test_an_entry_comes_back_from_redis_whole() -> None:
    entry = Entry(200, (("Content-Type", "text/html"),), b"<p>\n page</p>", b"\x1f\x8b zipped\n")
    assert Entry.loads(entry.dumps()) == entry
    assert Entry.loads(b"not an entry") is None
    assert Entry.loads(b'{"s": 200, "h": [], "z": 99}\nshort') is None

"""Following a case, without a client: asking, confirming, leaving, updates and digests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext
from itsdangerous.timed import TimestampSigner

from campaign import ephemeral
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    Event,
    Frequency,
    OutboxMail,
    RateLimit,
    Subscription,
    SubscriptionDelivery,
    Visibility,
)
from campaign.subscriptions import queries, services, updates
from tests.subscriptions.conftest import SITE

ADDRESS = "anna@example.org"
CONFIRM_LINK = re.compile(re.escape(SITE) + r"/subscriptions/confirm/(\S+)")


def mails(kind: str | None = None) -> list[OutboxMail]:
    stmt = sa.select(OutboxMail).order_by(OutboxMail.id)
    if kind:
        stmt = stmt.where(OutboxMail.kind == kind)
    return list(db.session.scalars(stmt))


def ask(case: Case, address: str = ADDRESS, frequency: str = "each", language: str = "en") -> str:
    """Subscribe and return the confirmation link's token from the queued e-mail."""
    services.subscribe(db.session.get(Case, case.id), address, frequency, language)
    db.session.commit()
    found = CONFIRM_LINK.search(str(mails("subscription-confirmation")[-1].body_text))
    assert found
    return found.group(1)


def subscriber(case: Case, frequency: str = "each") -> Subscription:
    """A confirmed subscriber."""
    subscription = services.confirm(ask(case, frequency=frequency))
    db.session.commit()
    return subscription


def add_event(case: Case, **overrides: object) -> Event:
    event = Event(
        type=overrides.pop("type", "picket"),
        title=overrides.pop("title", "Picket at the embassy"),
        date=overrides.pop("date", utcnow().date()),
        cases=[db.session.get(Case, case.id)],
        **overrides,
    )
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def ctx(app_ctx: Flask, case: Case) -> Case:
    return case


class TestAsking:
    def test_a_request_stores_an_unconfirmed_subscription_and_queues_the_link(
        self, ctx: Case
    ) -> None:
        services.subscribe(ctx, " Anna@Example.org ", Frequency.WEEKLY, "ru")
        [subscription] = db.session.scalars(sa.select(Subscription))
        assert subscription.email == ADDRESS
        assert subscription.confirmed_at is None
        assert (subscription.frequency, subscription.language) == (Frequency.WEEKLY, "ru")
        [mail] = mails()
        assert (mail.kind, mail.recipient) == ("subscription-confirmation", ADDRESS)
        assert "Ainur Kurmanov" in str(mail.subject)
        assert CONFIRM_LINK.search(str(mail.body_text))
        # Written in the subscriber's language (Russian wherever the catalogue is compiled).
        with force_locale("ru"):
            assert gettext("a weekly digest of the news") in str(mail.body_text)
        db.session.rollback()  # flushed, never committed: the caller decides
        assert list(db.session.scalars(sa.select(Subscription))) == []

    @pytest.mark.parametrize(
        "address",
        [
            "",
            "anna",
            "anna@",
            "@example.org",
            "anna@example",
            "a b@example.org",
            "anna@example.org\nBcc: x@example.org",
            "x" * 250 + "@example.org",
        ],
    )
    def test_a_malformed_address_changes_nothing(self, ctx: Case, address: str) -> None:
        with pytest.raises(services.InvalidEmail):
            services.subscribe(ctx, address, "each", "en")
        assert list(db.session.scalars(sa.select(Subscription))) == []
        assert mails() == []

    def test_a_flood_sends_one_confirmation_an_hour_keyed_by_a_hash(
        self, ctx: Case, make_case: Callable[..., Case]
    ) -> None:
        other = make_case(slug="yesenbek")
        for _ in range(5):
            services.subscribe(ctx, ADDRESS, "each", "en")
            services.subscribe(db.session.get(Case, other.id), ADDRESS.upper(), "each", "en")
        db.session.commit()
        assert len(mails()) == 1
        with ephemeral.engine().connect() as connection:
            keys = connection.scalars(sa.select(RateLimit.key)).all()
        assert keys
        assert not any("anna" in key.lower() for key in keys)
        # Another address is not held back by the first one's flood.
        services.subscribe(ctx, "boris@example.org", "each", "en")
        assert len(mails()) == 2

    def test_asking_again_after_the_hour_replaces_the_link(self, ctx: Case) -> None:
        first = ask(ctx)
        with ephemeral.engine().begin() as connection:
            connection.execute(sa.delete(RateLimit))  # an hour later
        second = ask(ctx)
        assert first != second
        with pytest.raises(services.LinkUsed):
            services.confirm(first)
        assert services.confirm(second).confirmed_at is not None

    def test_asking_when_already_following_changes_and_sends_nothing(self, ctx: Case) -> None:
        subscriber(ctx)
        with ephemeral.engine().begin() as connection:
            connection.execute(sa.delete(RateLimit))
        count = len(mails())
        assert services.subscribe(ctx, ADDRESS, "weekly", "en") is None
        assert len(mails()) == count
        [subscription] = db.session.scalars(sa.select(Subscription))
        assert subscription.frequency == Frequency.EACH


class TestLinks:
    def test_a_confirmation_link_works_once(self, ctx: Case) -> None:
        token = ask(ctx)
        assert services.confirm(token).confirmed_at is not None
        db.session.commit()
        with pytest.raises(services.LinkUsed):
            services.confirm(token)

    def test_an_altered_link_changes_nothing(self, ctx: Case) -> None:
        token = ask(ctx)
        for altered in (token[:-2], token + "x", "garbage", token.replace(".", "-", 1)):
            with pytest.raises(services.LinkInvalid):
                services.confirm(altered)
        assert db.session.scalar(sa.select(Subscription.confirmed_at)) is None

    def test_an_expired_link_changes_nothing(
        self, ctx: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        token = ask(ctx)
        later = TimestampSigner.get_timestamp(TimestampSigner("k")) + 49 * 3600
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
        with pytest.raises(services.LinkExpired):
            services.confirm(token)
        assert db.session.scalar(sa.select(Subscription.confirmed_at)) is None

    def test_leaving_deletes_the_subscription_and_its_address(self, ctx: Case) -> None:
        subscription = subscriber(ctx)
        token = services.unsubscribe_token(subscription)
        assert services.unsubscribe(token) == ctx.id
        db.session.commit()
        assert list(db.session.scalars(sa.select(Subscription))) == []
        with pytest.raises(services.LinkUsed):
            services.unsubscribe(token)
        with pytest.raises(services.LinkInvalid):
            services.unsubscribe(token[:-3] + "abc")

    def test_a_confirmation_token_is_no_unsubscribe_token(self, ctx: Case) -> None:
        token = ask(ctx)
        with pytest.raises(services.LinkInvalid):
            services.unsubscribe(token)


class TestUpdates:
    def test_each_update_is_sent_once_with_the_one_click_leave(self, ctx: Case) -> None:
        subscription = subscriber(ctx)
        add_event(ctx, title="Picket at the embassy")
        add_event(ctx, title="Internal planning", visibility=Visibility.INTERNAL)
        db.session.add(
            CaseStatusChange(
                case_id=ctx.id, old_status=CaseStatus.DETAINED, new_status=CaseStatus.RELEASED
            )
        )
        db.session.commit()
        assert services.send_updates() == services.Queued(updates=2, digests=0)
        db.session.commit()
        sent = mails("subscription-update")
        assert len(sent) == 2
        texts = " ".join(str(m.body_text) for m in sent)
        assert "Picket at the embassy" in texts
        assert "Released" in texts
        assert "Internal planning" not in texts
        leave = f"{SITE}/unsubscribe/{services.unsubscribe_token(subscription)}"
        for mail in sent:
            assert mail.headers == {
                "List-Unsubscribe": f"<{leave}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            }
            assert leave in str(mail.body_text)
            assert f"{SITE}/cases/ainur" in str(mail.body_text)
        # Run again (the next day's cron): nothing is sent twice.
        assert services.send_updates() == services.Queued(0, 0)

    def test_nothing_from_before_the_subscription_nor_to_the_unconfirmed(self, ctx: Case) -> None:
        add_event(ctx, title="Old news")
        ask(ctx, "boris@example.org")  # never confirmed
        subscriber(ctx)
        assert services.send_updates() == services.Queued(0, 0)

    def test_a_weekly_digest_gathers_the_week(self, ctx: Case) -> None:
        subscriber(ctx, frequency="weekly")
        add_event(ctx, title="Picket at the embassy")
        add_event(ctx, title="Protest at the court")
        assert services.send_updates() == services.Queued(0, 0)  # not a week yet
        in_a_week = utcnow() + timedelta(days=7)
        assert services.send_updates(now=in_a_week) == services.Queued(0, 1)
        db.session.commit()
        [digest] = mails("subscription-digest")
        assert "Picket at the embassy" in str(digest.body_text)
        assert "Protest at the court" in str(digest.body_text)
        assert digest.headers
        assert "List-Unsubscribe" in digest.headers
        assert services.send_updates(now=in_a_week + timedelta(days=1)) == services.Queued(0, 0)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubscriptionDelivery)) == 2

    def test_a_case_taken_off_the_site_sends_nothing(self, ctx: Case) -> None:
        subscriber(ctx)
        add_event(ctx)
        db.session.get(Case, ctx.id).published = False
        db.session.commit()
        assert services.send_updates() == services.Queued(0, 0)

    def test_another_source_of_updates_can_be_plugged_in(self, ctx: Case) -> None:
        subscriber(ctx)
        since = utcnow() - timedelta(days=1)

        def appeal_responses(case_id: int, after: object) -> list[updates.Update]:
            when = utcnow()
            return [updates.Update("appeal-response:1", case_id, when, lambda: "The OSCE replied")]

        updates.register(appeal_responses)
        try:
            assert [u.key for u in updates.updates_since(ctx.id, since)] == ["appeal-response:1"]
            services.send_updates()
        finally:
            updates._SOURCES.remove(appeal_responses)
        assert "The OSCE replied" in str(mails("subscription-update")[0].body_text)


def test_e_mails_are_written_in_the_subscribers_language(app_ctx: Flask, case: Case) -> None:
    from datetime import date

    app_ctx.config["LANGUAGES"] = ("en", "ru")
    subscription = services.confirm(ask(case, language="ru"))
    db.session.commit()
    add_event(case, title="Picket at Temir Bank", date=date(2010, 4, 30))
    services.send_updates()
    [mail] = mails("subscription-update")
    assert "30 апреля 2010" in str(mail.body_text)  # the date as a Russian reader writes it
    assert subscription.language == "ru"


class TestHousekeeping:
    def test_unconfirmed_subscriptions_go_after_a_few_days(self, ctx: Case) -> None:
        subscriber(ctx)
        ask(ctx, "boris@example.org")
        assert services.purge() == services.Purged(0, 0)
        assert services.purge(now=utcnow() + timedelta(days=4)).unconfirmed == 1
        db.session.commit()
        assert [s.email for s in db.session.scalars(sa.select(Subscription))] == [ADDRESS]

    def test_staff_see_counts_only(self, ctx: Case) -> None:
        subscriber(ctx)
        ask(ctx, "boris@example.org")
        assert queries.subscriber_counts(ctx.id) == (1, 1)

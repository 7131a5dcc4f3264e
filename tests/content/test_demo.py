"""The demo campaign speaks Russian and Kazakh: a new install shows translated content."""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.content import queries
from campaign.extensions import db
from campaign.models import Case, Event, Visibility


def test_the_demo_reads_in_russian_and_kazakh(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    reading: Callable[[str], dict[str, str]],
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        for case in db.session.scalars(sa.select(Case)):
            assert case.original_language == "en"
            assert queries.missing_count(case) == 0, case.slug
        public = sa.select(Event).where(Event.visibility == Visibility.PUBLIC)
        for event in db.session.scalars(public):
            assert queries.missing_count(event) == 0, event.title

    russian = client.get(reading("ru", "/cases/ainur-kurmanov")).get_data(as_text=True)
    assert "Журналист и социалистический активист" in russian
    assert "Айнур Курманов освобождён через 15 суток" in russian
    # Appeals are not translated: the demo's, in English, says so; every other text is Russian.
    appeals = re.compile(
        r'<section class="appeals-panel".*?</section>'
        r'|<li class="item item-event item-appeal.*?</li>',
        re.DOTALL,
    )
    assert "language-note" in "".join(appeals.findall(russian))
    assert "language-note" not in appeals.sub("", russian)
    kazakh = client.get(reading("kk", "/cases/ainur-kurmanov")).get_data(as_text=True)
    assert "Журналист және социалист белсенді" in kazakh
    assert "Пикет ұйымдастыру (әкімшілік құқық бұзушылық)" in kazakh
    english = client.get(reading("en", "/cases/yesenbek-ukteshbaev")).text
    assert "Jailed for five days" in english

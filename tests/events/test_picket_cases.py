"""The picket form's list of cases on a campaign of many: recent ones first, the rest folded."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from campaign.database import utcnow
from campaign.events.views import FOLD_CASES_OVER
from campaign.extensions import db
from campaign.models import Event, Role
from tests.conftest import picket_form

PICKET = "/manage/events/picket"


def first_and_folded(page: str) -> tuple[list[str], list[str]]:
    """The case names listed above the fold and under it (an empty fold: no <details>)."""
    fieldset = page[page.index("<legend>For whom") : page.index("</fieldset>")]
    above, _, below = fieldset.partition('<details class="check-more">')

    def names(html: str) -> list[str]:
        return [n.strip() for n in re.findall(r'type="checkbox" value="\d+">\s*([^<]+)<', html)]

    return names(above), names(below)


def test_a_few_cases_are_all_listed_unfolded(app, staff_client, make_case):
    for _ in range(FOLD_CASES_OVER):
        make_case()
    page = staff_client(Role.ACTIVIST).get(PICKET).get_data(as_text=True)
    above, below = first_and_folded(page)
    assert len(above) == FOLD_CASES_OVER
    assert below == []
    assert "check-more" not in page


def test_many_cases_list_the_activists_recent_ones_first(app, staff_client, make_case):
    cases = [make_case(person_name=f"Person {n:02d}") for n in range(20)]
    activist = staff_client(Role.ACTIVIST)
    # This activist logged for Person 07, then Person 03; someone else for Person 11.
    for case in (cases[7], cases[3]):
        response = activist.post(PICKET, data=picket_form([case.id]))
        assert response.status_code == 302
    other = staff_client(Role.ACTIVIST)
    other.post(PICKET, data=picket_form([cases[11].id], venue="Akimat"))

    above, below = first_and_folded(activist.get(PICKET).get_data(as_text=True))
    assert sorted(above) == ["Person 03", "Person 07"]
    assert len(below) == 18
    assert "Person 11" in below
    assert "Person 00" in below
    page = activist.get(PICKET).get_data(as_text=True)
    assert "Other cases (18)" in page

    # A case asked for by the link ("log a picket for this case") is listed first too.
    above, _ = first_and_folded(
        activist.get(f"{PICKET}?case={cases[15].id}").get_data(as_text=True)
    )
    assert sorted(above) == ["Person 03", "Person 07", "Person 15"]

    # An activist who logged nothing yet sees the campaign's recent cases first.
    newcomer = staff_client(Role.ACTIVIST)
    above, _ = first_and_folded(newcomer.get(PICKET).get_data(as_text=True))
    assert sorted(above) == ["Person 03", "Person 07", "Person 11"]


def test_a_folded_case_is_sent_with_the_form_and_a_refused_form_keeps_it_in_sight(
    app, staff_client, make_case
):
    cases = [make_case(person_name=f"Person {n:02d}") for n in range(12)]
    activist = staff_client(Role.ACTIVIST)
    activist.post(PICKET, data=picket_form([cases[0].id]))
    # Person 09 is folded away; ticking it (the fold needs no script) logs for it.
    assert "Person 09" in first_and_folded(activist.get(PICKET).get_data(as_text=True))[1]
    response = activist.post(PICKET, data=picket_form([cases[9].id], venue="Parliament"))
    assert response.status_code == 302
    with app.app_context():
        logged = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).first()
        assert logged is not None
        assert [c.id for c in logged.cases] == [cases[9].id]

    # Refused (no organiser): the chosen case comes back above the fold, ticked.
    refused = activist.post(PICKET, data=picket_form([cases[5].id], organisation=""))
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    above, _ = first_and_folded(page)
    assert "Person 05" in above
    assert re.search(
        rf'checked id="cases-\d+" name="cases" required type="checkbox" value="{cases[5].id}"', page
    )


def test_reports_older_than_the_recent_window_do_not_count(app, staff_client, make_case):
    cases = [make_case(person_name=f"Person {n:02d}") for n in range(12)]
    activist = staff_client(Role.ACTIVIST)
    activist.post(PICKET, data=picket_form([cases[4].id]))
    with app.app_context():
        db.session.execute(sa.update(Event).values(created_at=utcnow() - timedelta(days=200)))
        db.session.commit()
    above, below = first_and_folded(activist.get(PICKET).get_data(as_text=True))
    assert above == [f"Person {n:02d}" for n in range(12)]
    assert below == []

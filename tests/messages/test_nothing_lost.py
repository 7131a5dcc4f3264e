"""Nothing lost under load: gunicorn with 4 workers, 32 supporters, two organisers at work,
and two workers killed by SIGKILL mid-run (a small version of bench/nothing_lost.py).

The support form's per-client limits are raised for the run (every simulated supporter comes
from 127.0.0.1) and its minimum time on the page is 0: see ``APP_SETTINGS`` there.
"""

from __future__ import annotations

import pytest

from bench import nothing_lost
from tests.conftest import NO_POSTGRES, TEST_DATABASE_URL

pytestmark = pytest.mark.slow  # a gunicorn with four workers and 34 clients, twice


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_every_accepted_message_is_stored_once_while_workers_die(database: str) -> None:
    if database == "postgres" and not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    url = TEST_DATABASE_URL if database == "postgres" else None

    report = nothing_lost.run(url, messages=128, clients=32, kills=2)

    assert report.problems == [], "\n".join(report.lines())
    assert report.tally.accepted >= 90
    assert report.tally.refused_on_purpose > 0  # a repeated text is refused with a reason
    assert sum("replaced" in line for line in report.disruptions) == 2, report.disruptions
    assert report.tally.organiser_saves + report.tally.organiser_conflicts > 0

"""What an organiser's delivery-pack actions cost on a verdict day: wall time per request.

Runs in-process against the benchmark's data (``bench-data`` in bench/benchapp.py: the long case
with 20,000 approved messages), signed in as the bench organiser (created on first use, as
bench/render.py does): build a pack of the long case, open it, mark it delivered, take the
delivery back, open the packs page; then how many history entries that wrote. Each action
runs once (they change the data): run it on fresh data to compare two versions of the code.

    flask --app bench.benchapp:create_bench_app db upgrade
    flask --app bench.benchapp:create_bench_app bench-data
    python bench/packs.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.render import STAFF_EMAIL, STAFF_PASSWORD, ensure_staff


def main() -> None:
    import sqlalchemy as sa

    from bench.benchapp import create_bench_app
    from campaign.extensions import db
    from campaign.models import AuditEntry, Case

    app = create_bench_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the bench measures the actions, not the tokens
    with app.app_context():
        case_id = db.session.scalar(sa.select(Case.id).where(Case.slug == "long"))
        assert case_id is not None, "the bench data is loaded (flask bench-data)"
        ensure_staff()
        entries_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    client = app.test_client()
    signed_in = client.post("/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code

    def timed(label: str, request: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        response = request()
        took = (time.perf_counter() - began) * 1000
        size = len(response.get_data())
        print(f"{label:<32} {took:8.0f} ms  {response.status_code}  {size:>10,} bytes")
        return response

    built = timed(
        "build a pack of the long case",
        lambda: client.post("/manage/messages/packs/new", data={"case_id": case_id}),
    )
    pack = built.headers["Location"]
    timed("open the pack (print view)", lambda: client.get(pack))
    delivered = {"method": "post", "delivered_on": time.strftime("%Y-%m-%d"), "note": ""}
    timed("mark it delivered", lambda: client.post(f"{pack}/delivered", data=delivered))
    timed("mark it not delivered", lambda: client.post(f"{pack}/not-delivered"))
    timed("the packs page", lambda: client.get("/manage/messages/packs"))
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    print(f"history entries written: {(entries or 0) - (entries_before or 0):,}")


if __name__ == "__main__":
    main()

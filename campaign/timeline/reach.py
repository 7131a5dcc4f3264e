"""Solidarity reach of a case: how many actions, where, by whom, and the messages from how far.

The numbers come from three aggregate queries; the chart is a small SVG drawn on the server, so
the page needs no script and loads nothing from another host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.messages.queries import message_publicly_shown
from campaign.models import (
    Event,
    EventType,
    Message,
    Venue,
    event_cases,
    event_organisations,
)
from campaign.models.vocab import LEGAL_TYPES

SOLIDARITY_TYPES = tuple(t for t in EventType if t not in LEGAL_TYPES)
CHART_ROWS = 12


@dataclass(frozen=True)
class CountryReach:
    """Actions held in and messages sent from one country (code None: unknown or online)."""

    country: str | None
    actions: int
    messages: int


@dataclass
class Reach:
    """The solidarity around one case, in numbers."""

    actions: int = 0
    cities: int = 0
    organisations: int = 0
    messages: int = 0
    by_country: list[CountryReach] = field(default_factory=list)

    @property
    def countries(self) -> int:
        """Countries where at least one action was held."""
        return sum(1 for c in self.by_country if c.country and c.actions)

    @property
    def message_countries(self) -> int:
        """Countries at least one message came from."""
        return sum(1 for c in self.by_country if c.country and c.messages)

    @property
    def is_empty(self) -> bool:
        return not self.actions and not self.messages


def load_reach(case_id: int) -> Reach:
    """Count the public solidarity actions and public messages of a case (three queries).

    Private messages (approved for delivery only) are not counted: the chart and its text
    alternative say where messages came from, which is not the public's to know for them.
    """
    in_case = sa.select(event_cases.c.event_id).where(event_cases.c.case_id == case_id)
    public_actions = sa.and_(
        Event.id.in_(in_case),
        publicly_shown(),
        Event.type.in_(SOLIDARITY_TYPES),
    )
    city = sa.func.coalesce(Event.city, Venue.city)
    totals = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(Event.id)),
            sa.func.count(sa.distinct(city)),
            sa.func.count(sa.distinct(event_organisations.c.organisation_id)),
        )
        .select_from(Event)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .outerjoin(event_organisations, event_organisations.c.event_id == Event.id)
        .where(public_actions)
    ).one()
    country = sa.func.coalesce(Event.country, Venue.country).label("country")
    actions: dict[str | None, int] = {
        row[0]: row[1]
        for row in db.session.execute(
            sa.select(country, sa.func.count(Event.id))
            .select_from(Event)
            .outerjoin(Venue, Venue.id == Event.venue_id)
            .where(public_actions)
            .group_by(country)
        ).all()
    }
    messages: dict[str | None, int] = {
        row[0]: row[1]
        for row in db.session.execute(
            sa.select(Message.country, sa.func.count(Message.id))
            .where(Message.case_id == case_id, message_publicly_shown())
            .group_by(Message.country)
        ).all()
    }
    codes = set(actions) | set(messages)
    by_country = sorted(
        (
            CountryReach(code, int(actions.get(code, 0)), int(messages.get(code, 0)))
            for code in codes
        ),
        key=lambda c: (-(c.actions + c.messages), c.country is None, c.country or ""),
    )
    return Reach(
        actions=int(totals[0]),
        cities=int(totals[1]),
        organisations=int(totals[2]),
        messages=sum(messages.values()),
        by_country=by_country,
    )


def reach_svg(reach: Reach, country_name: Callable[[str | None], str]) -> Markup:
    """A bar chart of actions and messages per country, as inline SVG with a text alternative."""
    rows = [c for c in reach.by_country if c.country][:CHART_ROWS]
    if not rows:
        return Markup("")
    label_width, bar_width, row_height, top = 150, 300, 26, 28
    width = label_width + bar_width + 50
    height = top + row_height * len(rows) + 8
    largest = max(max(c.actions, c.messages) for c in rows) or 1
    title = _("Solidarity by country")
    description = "; ".join(
        _(
            "%(country)s: %(actions)s, %(messages)s",
            country=country_name(c.country),
            actions=ngettext("%(num)d action", "%(num)d actions", c.actions),
            messages=ngettext("%(num)d message", "%(num)d messages", c.messages),
        )
        for c in rows
    )
    parts = [
        f'<svg class="reach-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="reach-title reach-desc">',
        f'<title id="reach-title">{escape(title)}</title>',
        f'<desc id="reach-desc">{escape(description)}</desc>',
        f'<rect x="{label_width}" y="6" width="12" height="12" class="bar-actions"/>',
        f'<text x="{label_width + 18}" y="16" class="legend">{escape(_("Actions"))}</text>',
        f'<rect x="{label_width + 110}" y="6" width="12" height="12" class="bar-messages"/>',
        f'<text x="{label_width + 128}" y="16" class="legend">{escape(_("Messages"))}</text>',
    ]
    for index, row in enumerate(rows):
        y = top + index * row_height
        name = country_name(row.country)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="country">'
            f"{escape(name[:22])}</text>"
        )
        for offset, value, css in (
            (2, row.actions, "bar-actions"),
            (12, row.messages, "bar-messages"),
        ):
            length = round(bar_width * value / largest) if value else 0
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{length}" height="9" '
                f'class="{css}"/>'
            )
            if value:
                parts.append(
                    f'<text x="{label_width + length + 4}" y="{y + offset + 8}" class="value">'
                    f"{value}</text>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # every text in it is escaped above

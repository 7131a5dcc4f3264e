"""A case's timeline: building it from events, messages and milestones; its feeds and
exports (iCalendar, Atom, JSON, CSV); and the reach of the solidarity around the case."""

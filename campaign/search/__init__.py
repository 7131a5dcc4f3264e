"""Search: the full-text index of cases and events, its queries and the search pages."""

"""The public API (/api/v1/, read-only JSON described by OpenAPI 3.1) and the embeddable badge and
card of a case: what the public pages show, for other sites and programs."""

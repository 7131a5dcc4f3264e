"""Photos: a case's portrait and the photos attached to events, re-encoded on the server."""

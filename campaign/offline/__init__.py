"""The staff pages as an installable web app that logs pickets with no signal: the manifest,
the service worker, and (in static/js/) the script that keeps unsent reports on the phone."""

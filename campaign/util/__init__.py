"""Pure helpers with no request state: dates, countries, slugs, keyed hashes, spreadsheets.

Nothing here imports the web layer or a feature package (an import-linter contract says so), so
every helper works the same in a view, a command, an import or a test without a client.
"""

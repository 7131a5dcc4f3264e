"""The public site: the list of published cases and each case's page with its timeline."""

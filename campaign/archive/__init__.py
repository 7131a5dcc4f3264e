"""The campaign as data that moves and survives: whole-campaign export and import, backups
and restores."""

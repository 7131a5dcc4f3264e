"""Messages of support: the one home of a supporter's message, from the form and its spam
checks through moderation, withdrawal and delivery packs to the erasure of e-mails."""

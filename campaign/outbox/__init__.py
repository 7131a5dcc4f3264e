"""The outbox: every e-mail is written to a table in the transaction that caused it, and a
worker (``flask outbox run``) sends it later, with retries, never twice and never lost."""

"""Staff accounts: sign-in, passwords, server-side sessions, throttling, invitations, roles."""

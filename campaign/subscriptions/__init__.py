"""Following a case by e-mail: double opt-in, each update or a weekly digest, one-click leave."""

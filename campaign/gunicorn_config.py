"""gunicorn settings that keep supporters' addresses out of the server's logs.

Use it with ``gunicorn -c python:campaign.gunicorn_config 'campaign:create_app()'`` (command-line
flags still win). There is no access log: its default format starts with the client's address
and the request line, which carries withdraw and invitation tokens. Whoever turns it on with
``--access-logfile -`` gets the format below: time, method, status, size and duration only.
The error log goes to standard error, through the app's redaction (campaign.logs).
"""

accesslog = None
access_log_format = '%(t)s "%(m)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"
# Slow clients are the proxy's to buffer (SECURITY.md); a worker never waits long on one.
timeout = 30
graceful_timeout = 30
# Sync workers (gunicorn's default, and what `make bench` measures): one request at a time each,
# a connection closed after each answer (gunicorn's keepalive applies to threaded and async
# workers only; nginx keeps the visitors' connections open). A spike waits in the kernel's
# queue of connections, up to this many, rather than being refused.
backlog = 2048
# No preload: each worker builds its own app, its own database connections (SQLite's must not
# cross a fork) and its own page cache.
preload_app = False

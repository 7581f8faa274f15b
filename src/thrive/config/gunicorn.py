"""gunicorn's configuration for scripts/serve (`gunicorn -c python:thrive.config.gunicorn`).

Everything can be overridden by gunicorn's own environment variables and options (e.g.
WEB_CONCURRENCY for the number of workers, GUNICORN_CMD_ARGS for anything else).
"""

import os

bind = os.environ.get("THRIVE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 3))
# Dashboards and PDF exports can take a few seconds; a stuck worker is replaced after a minute.
timeout = int(os.environ.get("THRIVE_WORKER_TIMEOUT_SECONDS", 60))
graceful_timeout = 30
# Only the proxies a deployment trusts may set the scheme header (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("THRIVE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log: one JSON object a line, no client address, no query string, no referrer or user
# agent (decision 0023). %(U)s is the path without its query string.
accesslog = "-"
errorlog = "-"
access_log_format = ('{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
                     '"bytes": "%(B)s", "duration_ms": %(M)s}')
# gunicorn's own messages as JSON lines too, like the application's (thrive.core.logs). The
# handler names are gunicorn's own, which its defaults refer to.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "thrive.core.logs.JsonFormatter"},
                   "access": {"format": "%(message)s"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json",
                          "stream": "ext://sys.stderr"},
        "console": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

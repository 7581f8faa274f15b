"""Structured logs: one JSON object a line, without personal data (decision 0023).

A record keeps its time, level, logger and message. For an exception, only its type and where it
happened (file, line, function) are kept: an exception's message and the traceback's source lines
may quote what someone typed, so they stay out. Request log lines carry a path, never a query
string (no identifiers in URLs), and the status code.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

_SAFE_EXTRAS = ("status_code", "method", "path", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None:
            entry["method"] = getattr(request, "method", None)
            entry["path"] = getattr(request, "path", None)
        for key in _SAFE_EXTRAS:
            if key in record.__dict__ and key not in entry:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            entry["exception"] = kind.__name__
            entry["frames"] = [f"{frame.filename}:{frame.lineno} in {frame.name}"
                               for frame in traceback.extract_tb(tb)]
        return json.dumps(entry, default=str)

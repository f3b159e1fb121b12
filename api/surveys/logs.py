"""Survey tokens are capabilities: they never reach a log line."""

from __future__ import annotations

import logging
import re

_TOKEN_PATH = re.compile(r"/s/[^/?#\s\"]+")


def mask(text: str) -> str:
    """``/s/AEAZBPYF…`` → ``/s/***`` anywhere in a string (paths, URLs, request lines)."""
    return _TOKEN_PATH.sub("/s/***", text)


class MaskSurveyTokens(logging.Filter):
    """A logging filter for uvicorn's access log (whose path is one of the record's args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


def install_access_log_filter() -> None:
    """Idempotent; runs in each worker's start-up, so it holds with several workers too."""
    for name in ("uvicorn.access", "uvicorn.error", "litestar"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSurveyTokens) for f in logger.filters):
            logger.addFilter(MaskSurveyTokens())

"""Pick the store from a database URL: ``sqlite:///path`` (default) or ``postgresql://…``."""

from __future__ import annotations

from urllib.parse import urlsplit

from api.db.base import Store, StoreError

DEFAULT_URL = "sqlite:///hailong.db"


def parse_db_url(url: str) -> tuple[str, str]:
    """Return (dialect, target). Raises StoreError with one readable line on a bad URL."""
    url = url.strip()
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise StoreError(f"bad database URL {url!r}: give a file, e.g. sqlite:///hailong.db")
        return "sqlite", path
    if url.startswith("sqlite://"):
        raise StoreError(f"bad database URL {url!r}: SQLite URLs have three slashes, e.g. sqlite:///hailong.db")
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        if not parts.hostname and "host=" not in parts.query:
            raise StoreError(f"bad database URL {url!r}: no host, e.g. postgresql://user@127.0.0.1/db")
        return "postgresql", url
    raise StoreError(f"bad database URL {url!r}: use sqlite:///path/to/file.db or postgresql://user@host:port/database")


def open_store(url: str) -> Store:
    """Create (not yet open) the store for ``url``."""
    dialect, target = parse_db_url(url)
    if dialect == "sqlite":
        from api.db.sqlite import SQLiteStore

        return SQLiteStore(url, target)
    from api.db.postgres import PostgresStore

    return PostgresStore(url)

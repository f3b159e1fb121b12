"""Storage: one interface, two stores (embedded SQLite default, PostgreSQL to scale out)."""

from api.db.base import Row, Store, StoreError, Tx, fetch_id, now_ms
from api.db.open import open_store, parse_db_url

__all__ = ["Row", "Store", "StoreError", "Tx", "fetch_id", "now_ms", "open_store", "parse_db_url"]

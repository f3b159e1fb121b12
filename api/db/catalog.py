"""The data tables of a store, read from its own catalogue, in foreign-key order.

Used by ``store copy`` (and handy in tests): tables added by later migrations appear here with no
list to maintain. ``schema_migrations`` belongs to the migrator and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.db.base import Row, Store, StoreError

SKIP = frozenset({"schema_migrations"})


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # primary-key columns, in key order
    parents: frozenset[str]  # other tables this one references
    self_refs: tuple[str, ...] = ()  # columns referencing this same table (units.parent_id)
    identity: tuple[str, ...] = ()  # PostgreSQL identity / serial columns


_PG_TABLES = """
SELECT c.oid::bigint AS oid, c.relname AS name FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
"""
_PG_COLUMNS = """
SELECT attname AS name, attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' AS serial
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = :oid::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum
"""
_PG_KEY = """
SELECT a.attname AS name FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = :oid::oid AND i.indisprimary ORDER BY k.ord
"""
_PG_FKS = """
SELECT p.relname AS parent, a.attname AS col FROM pg_constraint f
JOIN pg_class p ON p.oid = f.confrelid
JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey)
WHERE f.conrelid = :oid::oid AND f.contype = 'f'
"""


async def _pg_table(store: Store, oid: int, name: str) -> Table:
    cols = await store.fetch_all(_PG_COLUMNS, {"oid": oid})
    key = await store.fetch_all(_PG_KEY, {"oid": oid})
    fks = await store.fetch_all(_PG_FKS, {"oid": oid})
    return _table(name, cols, [r["name"] for r in key], fks, [c["name"] for c in cols if c["serial"]])


async def _sqlite_table(store: Store, name: str) -> Table:
    cols = await store.fetch_all("SELECT name, pk FROM pragma_table_info(:t) ORDER BY cid", {"t": name})
    key = [c["name"] for c in sorted((c for c in cols if c["pk"]), key=lambda c: int(c["pk"]))]
    fks = await store.fetch_all('SELECT "table" AS parent, "from" AS col FROM pragma_foreign_key_list(:t)', {"t": name})
    return _table(name, cols, key, fks, [])


def _table(name: str, cols: list[Row], key: list[str], fks: list[Row], identity: list[str]) -> Table:
    if not key:
        raise StoreError(f"table {name} has no primary key: give it one in a migration")
    return Table(
        name=name,
        columns=tuple(c["name"] for c in cols),
        key=tuple(key),
        parents=frozenset(f["parent"] for f in fks if f["parent"] != name),
        self_refs=tuple(dict.fromkeys(f["col"] for f in fks if f["parent"] == name)),
        identity=tuple(identity),
    )


async def load_tables(store: Store) -> list[Table]:
    """Every data table, parents before children (ties broken by name, so the order is stable)."""
    if store.dialect == "postgresql":
        rows = await store.fetch_all(_PG_TABLES)
        found = [await _pg_table(store, r["oid"], r["name"]) for r in rows if r["name"] not in SKIP]
    else:
        rows = await store.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        found = [await _sqlite_table(store, r["name"]) for r in rows if r["name"] not in SKIP]
    return order_by_dependency(found)


def order_by_dependency(tables: list[Table]) -> list[Table]:
    remaining = {t.name: t for t in tables}
    done: list[Table] = []
    while remaining:
        ready = sorted(n for n, t in remaining.items() if not t.parents & remaining.keys())
        if not ready:
            raise StoreError(f"cannot order tables, foreign keys form a cycle among: {', '.join(sorted(remaining))}")
        for name in ready:
            done.append(remaining.pop(name))
    return done

-- A counter bumped by every revocation of an API key or a kiosk device, in the revoking transaction.
-- Each API process trusts a cached credential only while this number is unchanged (SQLite: checked
-- when the file changed; PostgreSQL: the revocation also sends NOTIFY hailong_auth), so a revocation
-- from the CLI or from any worker takes effect on the next request everywhere. No row means 0.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);

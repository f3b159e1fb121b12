-- Dashboard accounts: users with a role (and, for managers and viewers, the unit whose subtree they see),
-- their sessions, failed sign-ins (for throttling) and the audit log. Passwords are argon2id hashes;
-- a session is stored only as the SHA-256 digest of its random token.

CREATE TABLE users (
    id ID_PK,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'province', 'manager', 'viewer')),
    unit_id BIGINT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    disabled SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- admin and province see every unit (no unit); a manager or a viewer always has one
    CHECK ((role IN ('admin', 'province') AND unit_id IS NULL) OR (role IN ('manager', 'viewer') AND unit_id IS NOT NULL))
);

CREATE TABLE sessions (
    id ID_PK,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    client TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One row per refused sign-in, by the name typed (known or not, lower-cased) and the client's address.
-- Only the recent ones matter (api/accounts/service.py); older rows are pruned as new ones come.
CREATE TABLE login_failures (
    id ID_PK,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures(username, at);
CREATE INDEX login_failures_client ON login_failures(client, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- Who did what, when, from where: sign-ins, refusals, sign-outs, account changes, exports and changes of
-- data. user_id is the user's for a session and empty for an API key or the command line (see via).
CREATE TABLE audit_log (
    id ID_PK,
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('session', 'key', 'cli', 'anonymous')),
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

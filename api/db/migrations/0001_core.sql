-- Core reference data, dossiers, ratings, questionnaire responses and API keys.
-- Instants are UTC epoch milliseconds (BIGINT) in both stores; counts and raw answers only.
-- ID_PK is the one dialect token: an auto-assigned 64-bit primary key.

CREATE TABLE units (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'centre', 'department', 'district', 'commune')),
    parent_id BIGINT REFERENCES units(id),
    timezone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    rating_scale SMALLINT NOT NULL DEFAULT 3 CHECK (rating_scale IN (3, 5)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE counters (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX counters_unit ON counters(unit_id);

CREATE TABLE officers (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    full_name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX officers_unit ON officers(unit_id);

-- Who is on duty at a counter now; ratings copy the officer at the moment they are stored.
CREATE TABLE counter_duty (
    counter_id BIGINT PRIMARY KEY REFERENCES counters(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    since_at BIGINT NOT NULL
);

CREATE TABLE procedures (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    legal_days SMALLINT NOT NULL CHECK (legal_days >= 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE dossiers (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    officer_id BIGINT REFERENCES officers(id),
    channel TEXT NOT NULL CHECK (channel IN ('direct', 'online', 'postal')),
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    returned_at BIGINT,
    result TEXT CHECK (result IN ('approved', 'refused', 'withdrawn')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (due_at >= received_at),
    CHECK (returned_at IS NULL OR returned_at >= received_at)
);
CREATE INDEX dossiers_unit_received ON dossiers(unit_id, received_at);
CREATE INDEX dossiers_officer ON dossiers(officer_id);

CREATE TABLE devices (
    id ID_PK,
    code TEXT NOT NULL UNIQUE,
    counter_id BIGINT NOT NULL REFERENCES counters(id),
    name TEXT NOT NULL DEFAULT '',
    token_hash TEXT UNIQUE,
    paired_at BIGINT,
    last_seen_at BIGINT,
    revoked_at BIGINT,
    app_version TEXT,
    backlog INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX devices_counter ON devices(counter_id);

-- One rating per idempotency key, one per dossier and instrument: enforced here, not only in code.
CREATE TABLE ratings (
    id ID_PK,
    idempotency_key TEXT NOT NULL UNIQUE,
    instrument TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    counter_id BIGINT NOT NULL REFERENCES counters(id),
    officer_id BIGINT REFERENCES officers(id),
    dossier_id BIGINT REFERENCES dossiers(id),
    device_id BIGINT REFERENCES devices(id),
    source TEXT NOT NULL CHECK (source IN ('kiosk', 'staff', 'integrator')),
    level SMALLINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    scale SMALLINT NOT NULL CHECK (scale IN (3, 5)),
    comment TEXT,
    created_at BIGINT NOT NULL,
    client_time BIGINT,
    time_to_tap_ms INTEGER,
    CHECK (level <= scale)
);
-- One rating per dossier and instrument; most kiosk ratings have no dossier, so the index skips them.
CREATE UNIQUE INDEX ratings_dossier_once ON ratings(dossier_id, instrument) WHERE dossier_id IS NOT NULL;
CREATE INDEX ratings_unit_created ON ratings(unit_id, created_at);
CREATE INDEX ratings_officer_created ON ratings(officer_id, created_at);
CREATE INDEX ratings_created ON ratings(created_at);

CREATE TABLE rating_reasons (
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    reason TEXT NOT NULL,
    PRIMARY KEY (rating_id, reason)
);

-- Questionnaire responses (receipt QR): one per dossier and instrument, one row per answer.
CREATE TABLE responses (
    id ID_PK,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    instrument TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'vi',
    submitted_at BIGINT NOT NULL,
    UNIQUE (dossier_id, instrument)
);

CREATE TABLE answers (
    response_id BIGINT NOT NULL REFERENCES responses(id),
    item TEXT NOT NULL,
    value INTEGER,
    text_value TEXT,
    PRIMARY KEY (response_id, item)
);

CREATE TABLE api_keys (
    id ID_PK,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'integrator')),
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

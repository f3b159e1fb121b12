-- Every rollup's key starts with the day or month: a period is a range of it, with or without units.
-- Counter ratings rolled up per local day and month (api/insights/rollups.py): kept up to date from an id
-- watermark by a background task of the API process and at the start of each read that needs fresh numbers,
-- never by the rating write path. Days are local calendar days of the rating's unit (days since 1970-01-01),
-- months year * 12 + month - 1; officer_id 0 is "no officer"; source 0 kiosk, 1 staff, 2 integrator.
-- n ratings, x satisfied, top top-box, timed with a tap time, fast faster than rollup_marks.fast_ms.

CREATE TABLE rollup_marks (
    name TEXT PRIMARY KEY,
    -- ratings, responses: every id up to the watermark is counted, except the gaps below
    -- dossiers: the updated_at of the last dossier read, and cursor_id its id
    watermark BIGINT NOT NULL,
    cursor_id BIGINT NOT NULL DEFAULT 0,
    fast_ms INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Ids at or below the watermark not yet seen (a transaction still in flight on PostgreSQL, or an id
-- never used): looked for again at each refresh until expires_at.
CREATE TABLE rollup_gaps (
    name TEXT NOT NULL,
    lo BIGINT NOT NULL,
    hi BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (name, lo)
);

CREATE TABLE rating_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    counter_id BIGINT NOT NULL,
    officer_id BIGINT NOT NULL,
    source SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    top INTEGER NOT NULL,
    timed INTEGER NOT NULL,
    fast INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, counter_id, officer_id, source)
);

CREATE TABLE rating_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    counter_id BIGINT NOT NULL,
    officer_id BIGINT NOT NULL,
    source SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    top INTEGER NOT NULL,
    timed INTEGER NOT NULL,
    fast INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, counter_id, officer_id, source)
);

-- Citizen ratings (not staff-entered) per local hour, for the hour x weekday heat map.
CREATE TABLE rating_hours (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    hour SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, hour)
);

CREATE TABLE rating_hour_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    weekday SMALLINT NOT NULL,
    hour SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, weekday, hour)
);

-- Citizen ratings of a dossier per unit of the dossier, local day (or month) of the rating, procedure and
-- channel: n, x satisfied (the procedure and channel satisfaction rates).
CREATE TABLE linked_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    procedure_id BIGINT NOT NULL,
    channel SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, procedure_id, channel)
);

CREATE TABLE linked_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    procedure_id BIGINT NOT NULL,
    channel SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, procedure_id, channel)
);

-- Dossiers returned, per unit, local day (or month) of return, procedure, channel (0 direct, 1 online, 2 postal)
-- and margin (due day - day of return, clamped to -1..1, stored + 1): n returned, rated by citizens, of them not
-- satisfied. Dossiers change (a PATCH sets returned_at or due_at), so each one's current contribution is kept
-- in dossier_rolled and a dossier read again adds the difference.
CREATE TABLE dossier_rolled (
    dossier_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    month INTEGER NOT NULL,
    procedure_id BIGINT NOT NULL,
    channel SMALLINT NOT NULL,
    margin SMALLINT NOT NULL,
    rated INTEGER NOT NULL,
    unsat INTEGER NOT NULL
);

CREATE TABLE dossier_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    procedure_id BIGINT NOT NULL,
    channel SMALLINT NOT NULL,
    margin SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    unsat INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, procedure_id, channel, margin)
);

CREATE TABLE dossier_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    procedure_id BIGINT NOT NULL,
    channel SMALLINT NOT NULL,
    margin SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    unsat INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, procedure_id, channel, margin)
);

-- The same without procedure and channel, for the dashboard's unit figures (a province-year: a few thousand rows).
CREATE TABLE dossier_unit_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    margin SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    unsat INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, margin)
);

CREATE TABLE dossier_unit_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    margin SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    unsat INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, margin)
);

-- Dossiers whose citizen ratings changed (written by the ratings' refresh, read by the dossiers').
CREATE TABLE dossier_dirty (
    dossier_id BIGINT PRIMARY KEY
);

CREATE INDEX dossiers_updated ON dossiers(updated_at, id);

-- Receipt questionnaire answers per unit of the dossier, local day (or month) of submission, instrument and
-- item: total answers, valued with a value (not blank, not "not applicable"), sat among the instrument's
-- satisfied values, anyof at least 1 (none/some/many items), and the responses themselves.
CREATE TABLE answer_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    item TEXT NOT NULL,
    total INTEGER NOT NULL,
    valued INTEGER NOT NULL,
    sat INTEGER NOT NULL,
    anyof INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, instrument, item)
);

CREATE TABLE answer_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    item TEXT NOT NULL,
    total INTEGER NOT NULL,
    valued INTEGER NOT NULL,
    sat INTEGER NOT NULL,
    anyof INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, instrument, item)
);

CREATE TABLE response_days (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, instrument)
);

CREATE TABLE response_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id, instrument)
);

-- Counter ratings rolled up per local day and month (api/insights/rollups.py): kept up to date from an id
-- watermark by a background task of the API process and at the start of each read that needs fresh numbers,
-- never by the rating write path. Days are local calendar days of the rating's unit (days since 1970-01-01),
-- months year * 12 + month - 1; officer_id 0 is "no officer"; source 0 kiosk, 1 staff, 2 integrator.
-- n ratings, x satisfied, top top-box, timed with a tap time, fast faster than rollup_marks.fast_ms.

CREATE TABLE rollup_marks (
    name TEXT PRIMARY KEY,
    watermark BIGINT NOT NULL,  -- every id up to here is counted, except the gaps below
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
    PRIMARY KEY (unit_id, day, counter_id, officer_id, source)
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
    PRIMARY KEY (unit_id, month, counter_id, officer_id, source)
);

-- Citizen ratings (not staff-entered) per local hour, for the hour x weekday heat map.
CREATE TABLE rating_hours (
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    hour SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day, hour)
);

CREATE TABLE rating_hour_months (
    unit_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    weekday SMALLINT NOT NULL,
    hour SMALLINT NOT NULL,
    n INTEGER NOT NULL,
    x INTEGER NOT NULL,
    PRIMARY KEY (unit_id, month, weekday, hour)
);

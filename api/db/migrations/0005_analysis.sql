-- The analysis batch (`hailong analyze`): each run with its as-of time and settings, and its results for
-- the dashboard: per file (indices, officers, trends, flags, themes) and scope, a JSON array of that scope's CSV rows.
-- Nothing here touches the rating write path.

CREATE TABLE analysis_runs (
    id ID_PK,
    started_at BIGINT NOT NULL,
    as_of BIGINT NOT NULL,
    unit_code TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    settings TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX analysis_runs_as_of ON analysis_runs(as_of);

CREATE TABLE analysis_results (
    id ID_PK,
    run_id BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    file TEXT NOT NULL CHECK (file IN ('indices', 'officers', 'trends', 'flags', 'themes')),
    scope_kind TEXT NOT NULL,
    scope_code TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX analysis_results_scope ON analysis_results(run_id, file, scope_kind, scope_code);

-- A unit's opening hours (local minutes after midnight, weekday 0 = Monday); a unit without rows uses the
-- default of the analysis settings (Monday to Friday 7:30-11:30 and 13:30-17:00).
CREATE TABLE opening_hours (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens SMALLINT NOT NULL CHECK (opens BETWEEN 0 AND 1440),
    closes SMALLINT NOT NULL CHECK (closes BETWEEN 0 AND 1440),
    CHECK (closes > opens),
    PRIMARY KEY (unit_id, weekday, opens)
);

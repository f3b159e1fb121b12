-- Follow-up (issue 14): alerts, cases with deadlines and their history, and where the follow-up task has read
-- up to. Filled by the API process's background task (api/followup/task.py) from stored ratings, responses and
-- analysis runs: nothing here touches the rating write path. Users are the accounts domain's users(id); they
-- are referenced by id without a foreign key, so an API key (no user) can act too, named in *_name.

-- One alert per cause and scope until it closes: open_key is 'cause|scope_kind|scope_id' while the alert is
-- open or acknowledged and NULL once closed, and UNIQUE, so two workers racing open it once (ON CONFLICT).
CREATE TABLE alerts (
    id ID_PK,
    cause TEXT NOT NULL,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('counter', 'unit', 'device', 'officer')),
    scope_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'closed')),
    open_key TEXT UNIQUE,
    opened_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    closed_at BIGINT,
    run_id BIGINT,
    evidence TEXT NOT NULL,
    ack_note TEXT,
    ack_user_id BIGINT,
    ack_name TEXT,
    ack_at BIGINT,
    CHECK ((state = 'closed') = (open_key IS NULL)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL)),
    CHECK (ack_at IS NULL OR (ack_note IS NOT NULL AND ack_name IS NOT NULL))
);
CREATE INDEX alerts_unit_opened ON alerts(unit_id, opened_at);
CREATE INDEX alerts_opened ON alerts(opened_at);
CREATE INDEX alerts_closed ON alerts(closed_at);
CREATE INDEX alerts_ack ON alerts(ack_at);

-- A case per source: a "Không hài lòng" rating with a dossier or a comment, or a questionnaire response that
-- reports harassment or informal payments. The deadline is a local date (inclusive), in working days.
CREATE TABLE cases (
    id ID_PK,
    source_kind TEXT NOT NULL CHECK (source_kind IN ('rating', 'response')),
    source_id BIGINT NOT NULL,
    reasons TEXT NOT NULL,
    dossier_id BIGINT REFERENCES dossiers(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    counter_id BIGINT REFERENCES counters(id),
    opened_at BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'in_progress', 'answered', 'dismissed')),
    assignee_id BIGINT,
    assignee_name TEXT,
    response TEXT,
    dismissal_reason TEXT,
    handled_at BIGINT,
    handled_on TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (source_kind, source_id),
    CHECK (deadline >= opened_on),
    CHECK (state <> 'answered' OR response IS NOT NULL),
    CHECK (state <> 'dismissed' OR dismissal_reason IS NOT NULL),
    CHECK ((state IN ('answered', 'dismissed')) = (handled_at IS NOT NULL))
);
CREATE INDEX cases_unit_opened ON cases(unit_id, opened_at);
CREATE INDEX cases_dossier ON cases(dossier_id);
CREATE INDEX cases_deadline ON cases(deadline);

-- Every change of a case: who (user id, or none for the system and API keys; always a name), when, from→to.
CREATE TABLE case_events (
    id ID_PK,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    at BIGINT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened', 'transition', 'assign')),
    from_state TEXT,
    to_state TEXT,
    assignee_id BIGINT,
    assignee_name TEXT,
    note TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, at);

-- How far the follow-up task has read: the last rating, response and analysis run it has handled.
CREATE TABLE followup_marks (
    name TEXT PRIMARY KEY CHECK (name IN ('ratings', 'responses', 'runs')),
    last_id BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

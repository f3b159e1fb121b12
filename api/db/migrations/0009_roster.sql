-- The duty roster: who serves at a counter from when to when, planned by the unit's manager. The API
-- process puts a shift's officer on duty (counter_duty) when the shift starts and takes them off when it
-- ends (api.roster), so ratings keep taking the officer from counter_duty: the rating write path reads
-- nothing new. counter_duty.shift_id says which shift put the officer there (NULL: set by hand, "now").

CREATE TABLE duty_shifts (
    id ID_PK,
    counter_id BIGINT NOT NULL REFERENCES counters(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX duty_shifts_counter ON duty_shifts(counter_id, starts_at);
CREATE INDEX duty_shifts_officer ON duty_shifts(officer_id, starts_at);
CREATE INDEX duty_shifts_ends ON duty_shifts(ends_at);

ALTER TABLE counter_duty ADD COLUMN shift_id BIGINT;

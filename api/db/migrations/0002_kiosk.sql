-- Kiosk enrolment: one-time pairing codes an administrator issues for a counter, and the failed
-- attempts to redeem one (so guessing is bounded across every worker). Only code digests are stored.

CREATE TABLE pairing_codes (
    id ID_PK,
    code_hash TEXT NOT NULL UNIQUE,
    counter_id BIGINT NOT NULL REFERENCES counters(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    device_id BIGINT REFERENCES devices(id),
    CHECK (expires_at > created_at)
);
CREATE INDEX pairing_codes_counter ON pairing_codes(counter_id);

CREATE TABLE pairing_failures (
    id ID_PK,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX pairing_failures_at ON pairing_failures(at);

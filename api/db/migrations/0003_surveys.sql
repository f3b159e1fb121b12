-- Keys that sign receipt survey links (HMAC). The first is made on first start, so nothing needs
-- configuring; rotating adds a newer key and retires the old one, which stops signing but still
-- verifies links already printed. Deleting a row revokes every link it signed.
CREATE TABLE survey_keys (
    kid INTEGER PRIMARY KEY CHECK (kid > 0),
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

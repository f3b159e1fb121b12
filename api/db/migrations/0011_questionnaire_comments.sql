-- Questionnaire comments on the dashboard: comment_results and theme_marks hold a receipt-QR questionnaire
-- response's comment beside a counter rating's. Each row belongs to exactly one of the two (rating_id or
-- response_id, named again by ``source``); a run holds one row per rating and one per response.
-- ``given_at`` is when the comment was given (the rating's created_at, the response's submitted_at): the
-- comment search lists newest first across both sources. A questionnaire comment's ``level`` is the
-- response's overall satisfaction on the 1–5 scale (analysis/report/themes.py overall_rating), NULL without
-- any scale answer. Each table gets a surrogate key (a nullable column cannot be in a primary key; the two
-- keys are unique indexes). SQLite cannot change a primary key or a NOT NULL in place: both tables are
-- rebuilt (create, copy, drop, rename, indexes again), the same statements on PostgreSQL.

CREATE TABLE comment_results_0011 (
    id ID_PK,
    run_id BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('counter', 'questionnaire')),
    rating_id BIGINT REFERENCES ratings(id),
    response_id BIGINT REFERENCES responses(id),
    given_at BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    level SMALLINT,
    scale SMALLINT NOT NULL,
    p_dissatisfied REAL NOT NULL,
    dissatisfied SMALLINT NOT NULL CHECK (dissatisfied IN (0, 1)),
    themes TEXT NOT NULL,
    theme_terms TEXT NOT NULL,
    mentions_person SMALLINT NOT NULL CHECK (mentions_person IN (0, 1)),
    redacted_text TEXT NOT NULL,
    folded TEXT NOT NULL, -- the redacted text folded (no diacritics, lower case), for search
    CONSTRAINT comment_results_one_source CHECK (
        (source = 'counter' AND rating_id IS NOT NULL AND response_id IS NULL AND level IS NOT NULL)
        OR (source = 'questionnaire' AND response_id IS NOT NULL AND rating_id IS NULL)
    )
);
INSERT INTO comment_results_0011 (run_id, source, rating_id, response_id, given_at, unit_id, month, level, scale,
    p_dissatisfied, dissatisfied, themes, theme_terms, mentions_person, redacted_text, folded)
SELECT c.run_id, 'counter', c.rating_id, NULL, r.created_at, c.unit_id, c.month, c.level, c.scale,
    c.p_dissatisfied, c.dissatisfied, c.themes, c.theme_terms, c.mentions_person, c.redacted_text, c.folded
FROM comment_results c JOIN ratings r ON r.id = c.rating_id;
DROP TABLE comment_results;
ALTER TABLE comment_results_0011 RENAME TO comment_results;
CREATE UNIQUE INDEX comment_results_run_rating ON comment_results(run_id, rating_id);
CREATE UNIQUE INDEX comment_results_run_response ON comment_results(run_id, response_id);
CREATE INDEX comment_results_scope ON comment_results(run_id, unit_id, month);
CREATE INDEX comment_results_rating ON comment_results(rating_id);
CREATE INDEX comment_results_response ON comment_results(response_id);
CREATE INDEX comment_results_worst ON comment_results(run_id, dissatisfied, p_dissatisfied);

-- A "wrongly themed" mark on a rating's comment or on a questionnaire response's.
CREATE TABLE theme_marks_0011 (
    id ID_PK,
    rating_id BIGINT REFERENCES ratings(id),
    response_id BIGINT REFERENCES responses(id),
    theme TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    CONSTRAINT theme_marks_one_source CHECK ((rating_id IS NULL) <> (response_id IS NULL))
);
INSERT INTO theme_marks_0011 (rating_id, response_id, theme, marked_by, marked_at)
SELECT rating_id, NULL, theme, marked_by, marked_at FROM theme_marks;
DROP TABLE theme_marks;
ALTER TABLE theme_marks_0011 RENAME TO theme_marks;
CREATE UNIQUE INDEX theme_marks_rating ON theme_marks(rating_id, theme);
CREATE UNIQUE INDEX theme_marks_response ON theme_marks(response_id, theme);

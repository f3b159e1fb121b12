-- Each analysed comment of a stored run, as the dashboard shows it: scored, themed and redacted (only the
-- redacted text is kept here; the raw comment stays in ratings and is purged with it). theme_marks holds a
-- manager's "wrongly themed" mark, which the next run learns from: the theme is withheld from that comment,
-- and the comment becomes a counter-example for that theme's chip classifier.

CREATE TABLE comment_results (
    run_id BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    level SMALLINT NOT NULL,
    scale SMALLINT NOT NULL,
    p_dissatisfied REAL NOT NULL,
    dissatisfied SMALLINT NOT NULL CHECK (dissatisfied IN (0, 1)),
    themes TEXT NOT NULL,
    theme_terms TEXT NOT NULL,
    mentions_person SMALLINT NOT NULL CHECK (mentions_person IN (0, 1)),
    redacted_text TEXT NOT NULL,
    folded TEXT NOT NULL, -- the redacted text folded (no diacritics, lower case), for search
    PRIMARY KEY (run_id, rating_id)
);
CREATE INDEX comment_results_scope ON comment_results(run_id, unit_id, month);
CREATE INDEX comment_results_rating ON comment_results(rating_id);
CREATE INDEX comment_results_worst ON comment_results(run_id, dissatisfied, p_dissatisfied);

-- Per unit and month, the counts the themes page adds up for any scope: comments, dissatisfied ones
-- ("unhappy"), those naming a person ("naming"), and per theme code the dissatisfied comments with it.
CREATE TABLE comment_months (
    run_id BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    measure TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (run_id, unit_id, month, measure)
);

CREATE TABLE theme_marks (
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    theme TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    PRIMARY KEY (rating_id, theme)
);

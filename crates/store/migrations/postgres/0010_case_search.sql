-- Case lists and case search served by indexes (docs/PERFORMANCE.md, "HTTP and scale").
-- Kept column-for-column identical to migrations/sqlite/0010_case_search.sql.

-- "Newest first within a scope": every list orders by (created_at DESC, number DESC), so each
-- scope's index ends with both and a page is a backward range of the index, not a sort.
DROP INDEX cases_center;
DROP INDEX cases_applicant;
CREATE INDEX cases_center ON cases (center_code, created_at, number);
CREATE INDEX cases_center_status ON cases (center_code, status, created_at, number);
CREATE INDEX cases_applicant ON cases (applicant_user_id, created_at, number);
CREATE INDEX cases_newest ON cases (created_at, number);
CREATE INDEX cases_status_newest ON cases (status, created_at, number);

-- The text search's index: one row per distinct non-ASCII character of a case's applicant name
-- and title (case numbers are ASCII: `TB` + date + serial). A query with a non-ASCII character
-- reads the postings of one of its characters newest first and checks the full `contains` on each
-- case; see `Store::list_cases`. Written with the case (title and applicant name never change).
CREATE TABLE case_terms (
    term        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    case_number TEXT NOT NULL REFERENCES cases (number),
    PRIMARY KEY (term, created_at, case_number)
);

INSERT INTO case_terms (term, created_at, case_number)
SELECT DISTINCT substr(x.s, i, 1), x.created_at, x.number
FROM (SELECT number, created_at, applicant_name || title AS s FROM cases) AS x,
     generate_series(1, char_length(x.s)) AS i
WHERE ascii(substr(x.s, i, 1)) > 127
ON CONFLICT DO NOTHING;

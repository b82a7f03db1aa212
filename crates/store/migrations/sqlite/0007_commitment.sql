-- 承诺办 (告知承诺): the post-verification queue (事后核查) and broken commitments (失信记录).
-- Kept column-for-column identical to migrations/postgres/0007_commitment.sql; dates are ISO TEXT,
-- instants BIGINT epoch milliseconds.

-- One row per sampled sub-case; status pending | passed | failed. reason: sampled (the item's
-- rate) or record (the applicant has a broken commitment on record).
CREATE TABLE verifications (
    case_number     TEXT NOT NULL REFERENCES cases (number),
    seq             BIGINT NOT NULL,
    item_code       TEXT NOT NULL,
    department_code TEXT NOT NULL,
    handling_region TEXT NOT NULL,
    applicant_id    TEXT NOT NULL,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    sampled_at      BIGINT NOT NULL,
    decided_at      BIGINT,
    decided_by      TEXT,
    note            TEXT,
    PRIMARY KEY (case_number, seq)
);
CREATE INDEX verifications_department ON verifications (department_code, status);

-- barred_until: the first day the applicant may use 承诺办 again (recorded_on + bar_days).
CREATE TABLE broken_commitments (
    id           INTEGER PRIMARY KEY,
    applicant_id TEXT NOT NULL,
    case_number  TEXT NOT NULL REFERENCES cases (number),
    seq          BIGINT NOT NULL,
    item_code    TEXT NOT NULL,
    at           BIGINT NOT NULL,
    recorded_on  TEXT NOT NULL,
    barred_until TEXT NOT NULL
);
CREATE INDEX broken_commitments_applicant ON broken_commitments (applicant_id);

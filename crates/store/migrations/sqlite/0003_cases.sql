-- Cases (办件), their sub-cases per item, their materials, uploaded files, and the event log.
-- Kept column-for-column identical to migrations/postgres/0003_cases.sql.

CREATE TABLE files (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE case_counters (
    day TEXT PRIMARY KEY,
    n   BIGINT NOT NULL
);

CREATE TABLE cases (
    number            TEXT PRIMARY KEY,
    item_code         TEXT,
    bundle_code       TEXT,
    bundle_version    BIGINT,
    title             TEXT NOT NULL,
    applicant_user_id BIGINT REFERENCES users (id),
    applicant_name    TEXT NOT NULL,
    applicant_id      TEXT NOT NULL,
    channel           TEXT NOT NULL,
    center_code       TEXT REFERENCES service_centers (code),
    received_region   TEXT,
    submitted_by      BIGINT NOT NULL REFERENCES users (id),
    form              TEXT NOT NULL,
    status            TEXT NOT NULL,
    version           BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    created_on        TEXT NOT NULL,
    closed_at         BIGINT,
    idempotency_key   TEXT,
    request_hash      TEXT,
    UNIQUE (submitted_by, idempotency_key)
);
CREATE INDEX cases_center ON cases (center_code, created_at);
CREATE INDEX cases_applicant ON cases (applicant_user_id, created_at);
CREATE INDEX cases_region ON cases (received_region);

CREATE TABLE sub_cases (
    case_number     TEXT NOT NULL REFERENCES cases (number),
    seq             BIGINT NOT NULL,
    item_code       TEXT NOT NULL,
    item_version    BIGINT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    handling_region TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,
    accepted_on     TEXT,
    deadline        TEXT,
    concluded_on    TEXT,
    PRIMARY KEY (case_number, seq)
);
CREATE INDEX sub_cases_department ON sub_cases (department_code, status);
CREATE INDEX sub_cases_region ON sub_cases (handling_region);

CREATE TABLE case_materials (
    case_number   TEXT NOT NULL REFERENCES cases (number),
    material_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    provided      TEXT NOT NULL,
    file_sha256   TEXT REFERENCES files (sha256),
    file_name     TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (case_number, material_code)
);

-- Append-only, hash-chained per case (see crates/domain/src/case/chain.rs).
CREATE TABLE events (
    case_number TEXT NOT NULL REFERENCES cases (number),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    acting_for  TEXT,
    place       TEXT,
    at          BIGINT NOT NULL,
    reason      TEXT,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (case_number, seq)
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

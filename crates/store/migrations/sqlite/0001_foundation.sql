-- Foundation: places, catalog with versions, calendar changes, accounts, settings.
-- Kept column-for-column identical to migrations/postgres/0001_foundation.sql: dates are ISO TEXT,
-- instants are BIGINT milliseconds since the epoch, documents are JSON TEXT.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT,
    valid_from  TEXT,
    valid_to    TEXT
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE departments (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    department_type TEXT NOT NULL,
    level           TEXT NOT NULL,
    region_code     TEXT NOT NULL REFERENCES regions (code)
);
CREATE INDEX departments_region ON departments (region_code, department_type);

CREATE TABLE service_centers (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    address     TEXT NOT NULL,
    windows     BIGINT NOT NULL
);
CREATE INDEX service_centers_region ON service_centers (region_code);

CREATE TABLE catalog_index (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    document   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE items (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    department_type TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE item_versions (
    item_code   TEXT NOT NULL REFERENCES items (code),
    version     BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (item_code, version)
);

CREATE TABLE bundles (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    life_event      TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE bundle_versions (
    bundle_code TEXT NOT NULL REFERENCES bundles (code),
    version     BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (bundle_code, version)
);

-- A newly published State Council schedule, loaded by an administrator (replaces the bundled year).
CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    document   TEXT NOT NULL,
    loaded_at  BIGINT NOT NULL
);

-- A one-off change to a single day (a closure, a local make-up day).
CREATE TABLE calendar_overrides (
    day        TEXT PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    center_code     TEXT REFERENCES service_centers (code),
    department_code TEXT REFERENCES departments (code),
    region_code     TEXT REFERENCES regions (code),
    password_hash   TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL
);

-- 帮代办: authorizations (授权委托) from a principal to an agent, and village helpers (帮代办员).
-- Kept column-for-column identical to migrations/sqlite/0005_agency.sql; dates are ISO TEXT,
-- instants BIGINT epoch milliseconds.

-- scope is JSON: "all" or {"items": ["430400-RS-0001", …]}. valid_from / valid_to are inclusive.
CREATE TABLE authorizations (
    id                BIGSERIAL PRIMARY KEY,
    principal_user_id BIGINT NOT NULL REFERENCES users (id),
    agent_user_id     BIGINT NOT NULL REFERENCES users (id),
    kind              TEXT NOT NULL,
    scope             TEXT NOT NULL,
    valid_from        TEXT NOT NULL,
    valid_to          TEXT NOT NULL,
    evidence_file     TEXT REFERENCES files (sha256),
    granted_by        BIGINT NOT NULL REFERENCES users (id),
    granted_at        BIGINT NOT NULL,
    revoked_at        BIGINT,
    revoked_by        BIGINT REFERENCES users (id)
);
CREATE INDEX authorizations_principal ON authorizations (principal_user_id, agent_user_id);
CREATE INDEX authorizations_agent ON authorizations (agent_user_id);

-- A village helper is an applicant account appointed for one village (region code).
CREATE TABLE village_helpers (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    appointed_by BIGINT NOT NULL REFERENCES users (id),
    appointed_at BIGINT NOT NULL
);

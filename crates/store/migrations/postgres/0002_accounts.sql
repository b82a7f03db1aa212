-- Accounts and access: who an applicant is, sessions and bearer tokens, failed sign-ins.
-- Kept column-for-column identical to migrations/sqlite/0002_accounts.sql; instants are BIGINT
-- milliseconds since the epoch.

-- An applicant is a person (resident ID) or an organization (unified social credit code).
ALTER TABLE users ADD COLUMN applicant_kind TEXT;
ALTER TABLE users ADD COLUMN id_number TEXT;
ALTER TABLE users ADD COLUMN mobile TEXT;

-- Only the SHA-256 of a session token is stored: a leaked table does not let anyone sign in.
-- kind is 'cookie' (browser pages, 12 h idle expiry) or 'bearer' (API clients, 30 days).
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-ins, for throttling by user name and by client; cleared for a user on success.
CREATE TABLE login_failures (
    username   TEXT NOT NULL,
    client_key TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_client ON login_failures (client_key, at);

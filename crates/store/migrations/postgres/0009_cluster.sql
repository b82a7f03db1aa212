-- Several nodes on one database (PostgreSQL; SQLite runs the same code with one node).
-- Kept identical in migrations/sqlite and migrations/postgres; instants are BIGINT epoch ms.

-- A job that must run on one node at a time (the 容缺 deadline job): the node holding an unexpired
-- lease runs it; the others skip. A crashed holder's lease simply expires.
CREATE TABLE cluster_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Bumped after every change to what nodes keep in memory (catalog, calendar); each node polls it
-- and reloads when it moved.
CREATE TABLE cluster_generations (
    name       TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO cluster_generations (name, generation) VALUES ('reference', 0);

-- The dashboard's counters (docs/PERFORMANCE.md, "Dashboard"): what each case adds is defined in
-- crates/domain/src/stats/counts.rs; every case write adds its change in its own transaction.
-- Kept column-for-column identical to migrations/sqlite/0011_stats_counts.sql.
--
-- `shard`: on PostgreSQL concurrent writers spread over several rows of one counter (every case of
-- the city adds to the city's totals) instead of queueing on one row lock; readers sum the shards.
-- SQLite has one writer and uses shard 0 only.
CREATE TABLE stats_counts (
    region TEXT NOT NULL,
    dim    TEXT NOT NULL,
    key    TEXT NOT NULL,
    shard  BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (region, dim, key, shard)
);

-- Counters for cases written before this migration are counted once by the store after it
-- migrates (Store::ensure_stats_counts), in Rust, by the same rules as every later write.

-- The near-due and overdue lists: open sub-cases in deadline order, without scanning the rest.
CREATE INDEX sub_cases_open_due ON sub_cases (deadline, case_number, seq)
    WHERE concluded_on IS NULL AND deadline IS NOT NULL;

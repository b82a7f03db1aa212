-- 容缺办: the supplement deadline of a running pledge, denormalized from the sub-case state so the
-- deadline job (App::run_deadline_jobs) finds due pledges without reading every state. NULL when no
-- pledge is running. Kept identical in migrations/sqlite and migrations/postgres.
ALTER TABLE sub_cases ADD COLUMN pledge_due TEXT;
CREATE INDEX sub_cases_pledge_due ON sub_cases (pledge_due);

-- 016_scheduler.sql — the scheduler service's memory of its daily jobs
-- (handlers/attendance/scheduler_svc.c): when each last ran, so the
-- retention purge runs once a day at FACECLOCK_PURGE_AT, or after 24 h
-- since its last run, whichever master's scheduler holds the lock.

CREATE TABLE scheduler_runs (
    job       text PRIMARY KEY CHECK (job IN ('purge')),
    last_run  timestamptz NOT NULL
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE ON scheduler_runs TO faceclock_app;
    END IF;
END $$;

-- 016_scheduler.sql — the scheduler service's memory of its daily jobs
-- (handlers/attendance/scheduler_svc.c): when each last ran, so the
-- retention purge runs once a day at FACECLOCK_PURGE_AT, or after 24 h
-- since its last run, whichever master's scheduler holds the lock. And
-- the auto-close of forgotten sessions, which the scheduler does: each
-- hotel's mode (off by default; shift_end: the rostered end plus
-- auto_close_after_hours, an unrostered session at the hard limit;
-- hard_limit: time_in plus hard_limit_hours), and the mark on the
-- sessions it closed (they wait in the manager's review queue).

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

ALTER TABLE attendance_settings
    ADD COLUMN auto_close text NOT NULL DEFAULT 'off' CHECK (auto_close IN ('off', 'shift_end', 'hard_limit')),
    ADD COLUMN auto_close_after_hours double precision NOT NULL DEFAULT 2
        CHECK (auto_close_after_hours BETWEEN 0 AND 24);

ALTER TABLE clock_logs ADD COLUMN auto_closed boolean NOT NULL DEFAULT false;

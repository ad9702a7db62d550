-- 028_action_results.sql — how a device's action went, and the fault the
-- server finds in it (docs/iot.md "Actions", "Errors"; issue 14: ERROR
-- "reported by the device or set on repeated failures").
--
-- An acknowledgement may say result 'failed' with an error (default
-- 'done'); the first acknowledgement's result is kept. When a device's last
-- LC_FAILED_ACTIONS (3, handlers/devices/lifecycle_rules.h) acknowledged
-- actions all failed, it is put in ERROR with error_source 'actions': its
-- healthy heartbeats do not clear that fault (they would, one reported by a
-- heartbeat: error_source 'heartbeat'); its next action done, an admin's
-- clear-error or a re-provisioning do.

ALTER TABLE device_actions
    ADD COLUMN result text CHECK (result IN ('done', 'failed')),
    ADD COLUMN error  text CHECK (length(error) <= 500);
UPDATE device_actions SET result = 'done' WHERE status = 'acknowledged';

ALTER TABLE devices
    ADD COLUMN error_source text CHECK (error_source IN ('heartbeat', 'actions'));
UPDATE devices SET error_source = 'heartbeat' WHERE error_message IS NOT NULL;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT UPDATE (result, error) ON device_actions TO faceclock_app;
    END IF;
END $$;

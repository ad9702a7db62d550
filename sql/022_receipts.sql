-- 022_receipts.sql — receipts and heartbeat metrics (docs/iot.md,
-- "Receipts" and "Metrics"). A device reports the version of the change
-- log it has applied (not only pulled: devices.sync_version): its
-- applied_version and when it last reported one. A face revocation (the
-- 'remove' changes of one transaction for one person) is still held by
-- each device in service whose applied_version is below that device's
-- change. device_metrics keeps each device's heartbeat samples, at most
-- DEVICE_METRICS_KEEP (handlers/devices/metrics_store.c) per device: the
-- insert trims the oldest in the same statement.

-- registered_version: the hotel's version when the device was (last)
-- registered; a change at or below it was written for an earlier life of
-- the row (a decommissioned device registered again) and is not held.
ALTER TABLE devices
    ADD COLUMN applied_version bigint NOT NULL DEFAULT 0 CHECK (applied_version >= 0),
    ADD COLUMN applied_at timestamptz,
    ADD COLUMN registered_version bigint NOT NULL DEFAULT 0;

-- devices that existed before receipts: what they pulled is taken as
-- applied once, so past revocations do not all turn pending
UPDATE devices SET applied_version = sync_version;

-- device.applied: a device's receipt moved (live event, sql/013_events.sql),
-- so the devices page re-reads its revocations
CREATE FUNCTION fc_device_applied_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM fc_emit(NEW.hotel_id, 'device.applied', NULL,
                    jsonb_build_object('device_pk', NEW.id, 'device_id', NEW.device_id,
                                       'applied_version', NEW.applied_version));
    RETURN NULL;
END $$;

CREATE TRIGGER devices_applied_events AFTER UPDATE OF applied_version ON devices
    FOR EACH ROW WHEN (OLD.applied_version IS DISTINCT FROM NEW.applied_version)
    EXECUTE FUNCTION fc_device_applied_events();

-- the revocations of a hotel, newest first
CREATE INDEX face_changes_remove_idx ON face_changes (hotel_id, created_at DESC, staff_id) WHERE kind = 'remove';

CREATE TABLE device_metrics (
    id               bigserial PRIMARY KEY,
    device_pk        bigint NOT NULL REFERENCES devices (id),
    hotel_id         bigint NOT NULL REFERENCES hotels (id),
    at               timestamptz NOT NULL DEFAULT now(),
    firmware_version text CHECK (length(firmware_version) <= 64),
    uptime_seconds   bigint CHECK (uptime_seconds BETWEEN 0 AND 315576000),
    temperature_c    float8 CHECK (temperature_c BETWEEN -40 AND 125),
    free_storage_mb  bigint CHECK (free_storage_mb BETWEEN 0 AND 10000000),
    profile_count    bigint CHECK (profile_count BETWEEN 0 AND 1000000),
    applied_version  bigint CHECK (applied_version >= 0)
);
CREATE INDEX device_metrics_device_idx ON device_metrics (device_pk, id);

-- A device's configuration (docs/iot.md "Config"): its settings as the
-- last PUT gave them (NULL: the defaults, handlers/devices/
-- device_config_rules.c), versioned so a device sees from its heartbeat's
-- config_version that it should fetch them.
ALTER TABLE devices
    ADD COLUMN config jsonb,
    ADD COLUMN config_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN config_updated_at timestamptz;

-- Actions queued for a device (docs/iot.md "Actions"): delivered in the
-- answer of each heartbeat until the device acknowledges them.
CREATE TABLE device_actions (
    id              bigserial PRIMARY KEY,
    device_pk       bigint NOT NULL REFERENCES devices (id),
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    action          text NOT NULL CHECK (action IN ('sync_now', 'restart', 'send_logs')),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'delivered', 'acknowledged')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    acknowledged_at timestamptz
);
CREATE INDEX device_actions_device_idx ON device_actions (device_pk, id) WHERE status <> 'acknowledged';
CREATE INDEX device_actions_hotel_idx ON device_actions (hotel_id, device_pk, id DESC);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, DELETE ON device_metrics TO faceclock_app;
        GRANT SELECT, INSERT, UPDATE (status, delivered_at, acknowledged_at) ON device_actions TO faceclock_app;
        GRANT USAGE ON SEQUENCE device_actions_id_seq TO faceclock_app;
        GRANT USAGE ON SEQUENCE device_metrics_id_seq TO faceclock_app;
    END IF;
END $$;

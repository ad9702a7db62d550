-- 024_location_config.sql — per-location configuration and the config and
-- action pushes over MQTT (issue 14; docs/iot.md "Config", "Actions",
-- "MQTT push").
--
-- location_configs: a hotel location's settings (the keys of a device's
-- configuration, handlers/devices/device_config_rules.c), versioned. A
-- device's effective configuration is the defaults, its location's
-- settings over them, its own settings (devices.config) over those.
-- devices.config_version is the version of that effective configuration:
-- it moves when the device's own settings change, when its location's do
-- (config_store.c, in the same transaction) and when the device is moved
-- to another location (the trigger below).
--
-- devices.applied_config_version: the config version a device reports it
-- has applied (its heartbeat), like the profile receipt (sql/022).
--
-- mqtt_pushes, the one MQTT outbox (sql/021_mqtt.sql), gets the device's
-- own messages beside the hotel-wide "sync now": kind 'config' (the
-- device's config_version moved: {"version": N} on .../config) and kind
-- 'action' (an action queued for it: {"id", "kind"} on .../actions), each
-- added by a trigger in the writer's transaction, for devices with broker
-- credentials; the mqtt service sends them and marks them sent once the
-- broker acknowledged them.

CREATE TABLE location_configs (
    hotel_id       bigint NOT NULL REFERENCES hotels (id),
    location_label text NOT NULL CHECK (length(location_label) BETWEEN 1 AND 200),
    config         jsonb NOT NULL,
    config_version bigint NOT NULL DEFAULT 1 CHECK (config_version >= 1),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, location_label)
);

ALTER TABLE devices
    ADD COLUMN applied_config_version bigint NOT NULL DEFAULT 0 CHECK (applied_config_version >= 0),
    ADD COLUMN config_applied_at timestamptz;

-- a device moved to another location runs that location's settings: its
-- effective configuration's version moves
CREATE FUNCTION fc_device_location_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.config_version := OLD.config_version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER devices_location_moved BEFORE UPDATE OF location_label ON devices
    FOR EACH ROW WHEN (OLD.location_label IS DISTINCT FROM NEW.location_label)
    EXECUTE FUNCTION fc_device_location_moved();

ALTER TABLE mqtt_pushes
    ADD COLUMN kind text NOT NULL DEFAULT 'sync' CHECK (kind IN ('sync', 'config', 'action')),
    ADD COLUMN device_pk bigint REFERENCES devices (id),
    ADD COLUMN action_id bigint REFERENCES device_actions (id),
    ADD CONSTRAINT mqtt_pushes_kind_fields CHECK ((kind = 'sync') = (device_pk IS NULL)
                                                  AND (kind = 'action') = (action_id IS NOT NULL));

-- (no column list: a BEFORE trigger's change of config_version counts too)
CREATE FUNCTION fc_mqtt_config_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mqtt_pushes (hotel_id, version, kind, device_pk)
        VALUES (NEW.hotel_id, NEW.config_version, 'config', NEW.id);
    PERFORM pg_notify('faceclock_mqtt', 'config');
    RETURN NULL;
END $$;

CREATE TRIGGER devices_config_moved AFTER UPDATE ON devices
    FOR EACH ROW WHEN (NEW.config_version > OLD.config_version AND NEW.mqtt_hash IS NOT NULL
                       AND NEW.deactivated_at IS NULL)
    EXECUTE FUNCTION fc_mqtt_config_moved();

CREATE FUNCTION fc_mqtt_action_queued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mqtt_pushes (hotel_id, version, kind, device_pk, action_id)
        SELECT NEW.hotel_id, 0, 'action', d.id, NEW.id FROM devices d
        WHERE d.id = NEW.device_pk AND d.mqtt_hash IS NOT NULL;
    IF FOUND THEN
        PERFORM pg_notify('faceclock_mqtt', 'action');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER device_actions_queued AFTER INSERT ON device_actions
    FOR EACH ROW EXECUTE FUNCTION fc_mqtt_action_queued();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE ON location_configs TO faceclock_app;
    END IF;
END $$;

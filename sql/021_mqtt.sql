-- 021_mqtt.sql — the MQTT push (issue 14, docs/iot.md "MQTT push").
--
-- devices.mqtt_hash: the device's broker password hash, in mosquitto's
-- password-file form (PBKDF2-SHA512 "$7$..." of its API key, written at
-- provisioning with the key's own hash and voided with it by
-- device_revoke_keys). The mqtt service writes the broker's password and
-- ACL files from the rows that have one.
--
-- mqtt_pushes: the "sync now" outbox. A trigger adds a row whenever a
-- hotel's sync_version moves (a push, a revocation: fc_face_change), in
-- the writer's transaction, and NOTIFYs faceclock_mqtt; the mqtt service
-- sends {"version": N} to each of the hotel's devices with credentials and
-- marks the row sent only once the broker acknowledged them (QoS 1), so a
-- broker or service restart loses nothing for good. Kept apart from the
-- events outbox: "sync now" is for devices, not for the live streams.
-- A change of a device's credentials NOTIFYs faceclock_mqtt too, so the
-- broker's files follow the device table at once.

ALTER TABLE devices ADD COLUMN mqtt_hash text CHECK (mqtt_hash IS NULL OR length(mqtt_hash) < 128);

CREATE TABLE mqtt_pushes (
    id          bigserial PRIMARY KEY,
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX mqtt_pushes_pending_idx ON mqtt_pushes (id) WHERE sent_at IS NULL;

CREATE FUNCTION fc_mqtt_sync_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mqtt_pushes (hotel_id, version) VALUES (NEW.id, NEW.sync_version);
    PERFORM pg_notify('faceclock_mqtt', 'sync');
    RETURN NULL;
END $$;

CREATE TRIGGER hotels_sync_moved AFTER UPDATE OF sync_version ON hotels
    FOR EACH ROW WHEN (NEW.sync_version > OLD.sync_version) EXECUTE FUNCTION fc_mqtt_sync_moved();

CREATE FUNCTION fc_mqtt_credentials_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('faceclock_mqtt', 'credentials');
    RETURN NULL;
END $$;

CREATE TRIGGER devices_mqtt_changed AFTER UPDATE OF mqtt_hash, deactivated_at ON devices
    FOR EACH ROW WHEN (OLD.mqtt_hash IS DISTINCT FROM NEW.mqtt_hash
                       OR OLD.deactivated_at IS DISTINCT FROM NEW.deactivated_at)
    EXECUTE FUNCTION fc_mqtt_credentials_changed();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON mqtt_pushes TO faceclock_app;
        GRANT USAGE ON SEQUENCE mqtt_pushes_id_seq TO faceclock_app;
    END IF;
END $$;

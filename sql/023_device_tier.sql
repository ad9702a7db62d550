-- 023_device_tier.sql — device ACL tiers (issue 14, seed 001's DeviceACL;
-- docs/iot.md "ACL tiers"). devices.tier says which routes and MQTT topics
-- a device may read and write: camera (tier 1), display (tier 2), gateway
-- (tier 3); the rules of each are one table in C
-- (handlers/devices/acl_rules.c), from which faceclock's route check and
-- the broker's acl_file are both generated. Existing devices are cameras.
-- A change of tier NOTIFYs faceclock_mqtt like a change of credentials, so
-- the mqtt service rewrites the broker's acl_file at once.

ALTER TABLE devices ADD COLUMN tier text NOT NULL DEFAULT 'camera'
    CHECK (tier IN ('camera', 'display', 'gateway'));

DROP TRIGGER devices_mqtt_changed ON devices;
CREATE TRIGGER devices_mqtt_changed AFTER UPDATE OF mqtt_hash, deactivated_at, tier ON devices
    FOR EACH ROW WHEN (OLD.mqtt_hash IS DISTINCT FROM NEW.mqtt_hash
                       OR OLD.deactivated_at IS DISTINCT FROM NEW.deactivated_at
                       OR OLD.tier IS DISTINCT FROM NEW.tier)
    EXECUTE FUNCTION fc_mqtt_credentials_changed();

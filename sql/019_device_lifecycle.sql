-- 019_device_lifecycle.sql — the whole device lifecycle (docs/iot.md,
-- "Lifecycle"; handlers/devices/lifecycle_rules.c holds its transitions):
-- DISABLED (keys revoked, re-enabled into ALLOCATED) and DECOMMISSIONED
-- (the contract's DELETE: gone, the row kept for its events and audit)
-- join the states; a device in the inventory carries its serial number
-- and MAC address; disabled_at says since when it is disabled,
-- error_reported_at since when its current fault is reported. OFFLINE is
-- connectivity, computed from heartbeats, and no longer stored.

ALTER TABLE devices DROP CONSTRAINT devices_lifecycle_check;

-- existing rows: a deactivated device is decommissioned; OFFLINE was a
-- device with a key, not heard from lately. A renaming, not a change of
-- state: no device.status live events for it.
ALTER TABLE devices DISABLE TRIGGER devices_events;
UPDATE devices SET lifecycle = 'DECOMMISSIONED' WHERE deactivated_at IS NOT NULL;
UPDATE devices SET lifecycle = 'ACTIVE' WHERE lifecycle = 'OFFLINE';
ALTER TABLE devices ENABLE TRIGGER devices_events;

ALTER TABLE devices ADD CONSTRAINT devices_lifecycle_check CHECK (lifecycle IN
    ('UNALLOCATED', 'ALLOCATED', 'PROVISIONING', 'PROVISIONED', 'ACTIVE', 'ERROR', 'DISABLED', 'DECOMMISSIONED'));

ALTER TABLE devices
    ADD COLUMN serial_number text CHECK (length(serial_number) BETWEEN 1 AND 64),
    ADD COLUMN mac_address   text CHECK (length(mac_address) BETWEEN 1 AND 64),
    ADD COLUMN disabled_at   timestamptz,
    ADD COLUMN error_reported_at timestamptz,
    -- deactivated_at is when it was decommissioned
    ADD CONSTRAINT devices_decommissioned CHECK ((lifecycle = 'DECOMMISSIONED') = (deactivated_at IS NOT NULL)),
    ADD CONSTRAINT devices_disabled CHECK ((lifecycle = 'DISABLED') = (disabled_at IS NOT NULL)),
    -- only a provisioned device holds a key
    ADD CONSTRAINT devices_keyed CHECK (key_hash IS NULL OR lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR'));

-- a device in ERROR before: reported at its last heartbeat, at the latest
UPDATE devices SET error_reported_at = coalesce(last_heartbeat_at, now()) WHERE error_message IS NOT NULL;

-- 004_device_sync_total.sql — how many profiles a device held at the
-- version it last synced to (devices.sync_version), so that the sync of a
-- device that is up to date answers total_enrolled without counting its
-- profiles again (handlers/sync.c). That number cannot go stale: a
-- device's profiles change only together with the hotel's sync_version,
-- since every writer of device_profiles appends its change with
-- fc_face_change() (push, the face_data trigger, a device re-registered).
-- NULL: not known yet.
ALTER TABLE devices ADD COLUMN sync_total bigint CHECK (sync_total >= 0);

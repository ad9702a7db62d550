-- 003_iot.sql — WFM enrollment and the IoT broker (contract section 6):
-- enrollment profiles, edge devices with their lifecycle and keys, what
-- each device should hold, the per-hotel change log devices sync from,
-- and recognition events.

-- One enrollment profile per staff member: the 128x128 JPEG thumbnail of
-- the front pose and the push state. The embedding itself is the face
-- data (face_data), shared with the kiosk.
CREATE TABLE enrollments (
    hotel_id        bigint NOT NULL,
    staff_id        bigint NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'enrolled')),
    thumbnail       bytea,                        -- NULL: registered at a kiosk, not captured
    embedding_model text NOT NULL DEFAULT 'face-api.js',
    image_count     integer NOT NULL DEFAULT 0 CHECK (image_count >= 0),
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, staff_id),
    CONSTRAINT enrollments_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id)
);

CREATE TABLE devices (
    id                      bigserial PRIMARY KEY,
    hotel_id                bigint NOT NULL REFERENCES hotels (id),
    device_id               text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
    display_name            text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    device_category         text NOT NULL DEFAULT 'camera' CHECK (length(device_category) BETWEEN 1 AND 64),
    capability              text NOT NULL DEFAULT 'face_recognition'
                            CHECK (capability IN ('face_recognition', 'emotion_monitoring')),
    location_label          text CHECK (length(location_label) <= 200),
    location_lon            double precision CHECK (location_lon BETWEEN -180 AND 180),
    location_lat            double precision CHECK (location_lat BETWEEN -90 AND 90),
    lifecycle               text NOT NULL DEFAULT 'UNALLOCATED' CHECK (lifecycle IN
                            ('UNALLOCATED', 'ALLOCATED', 'PROVISIONING', 'PROVISIONED', 'ACTIVE', 'OFFLINE', 'ERROR')),
    error_message           text,
    model                   text NOT NULL DEFAULT 'face-api.js',
    provisioning_token_hash text,                 -- scrypt of the one-time token
    token_expires_at        timestamptz,
    token_used              boolean NOT NULL DEFAULT false,
    key_hash                text,                 -- scrypt of the device's API key
    allocated_at            timestamptz,
    provisioned_at          timestamptz,
    last_heartbeat_at       timestamptz,
    sync_version            bigint NOT NULL DEFAULT 0,   -- the version it last synced to
    deactivated_at          timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT devices_device_id_unique UNIQUE (hotel_id, device_id),
    CONSTRAINT devices_geo_both CHECK ((location_lon IS NULL) = (location_lat IS NULL))
);
CREATE INDEX devices_hotel_idx ON devices (hotel_id, capability, location_label);

-- Every change a device may need, numbered per hotel (hotels.sync_version).
-- kind 'push': staff pushed to device_pk; 'update': staff's face data
-- replaced (for every device holding it); 'remove': staff taken off
-- device_pk (revoked, withdrawn, departed).
ALTER TABLE hotels ADD COLUMN sync_version bigint NOT NULL DEFAULT 0;
-- changes up to sync_floor have been trimmed: a device behind it must sync in full
ALTER TABLE hotels ADD COLUMN sync_floor bigint NOT NULL DEFAULT 0;
CREATE TABLE face_changes (
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    version     bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('push', 'update', 'remove')),
    staff_id    bigint NOT NULL,
    employee_code text NOT NULL,
    device_pk   bigint REFERENCES devices (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, version)
);
CREATE INDEX face_changes_device_idx ON face_changes (hotel_id, device_pk, version);
CREATE INDEX face_changes_staff_idx ON face_changes (hotel_id, staff_id, version);

-- What each device should hold now (pushes minus removals).
CREATE TABLE device_profiles (
    device_pk   bigint NOT NULL REFERENCES devices (id),
    hotel_id    bigint NOT NULL,
    staff_id    bigint NOT NULL,
    version     bigint NOT NULL,                  -- change that put it there
    PRIMARY KEY (device_pk, staff_id),
    CONSTRAINT device_profiles_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id)
);
CREATE INDEX device_profiles_staff_idx ON device_profiles (hotel_id, staff_id);

-- Append a change and move the hotel's sync version; returns the version.
CREATE FUNCTION fc_face_change(p_hotel bigint, p_kind text, p_staff bigint, p_device bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    UPDATE hotels SET sync_version = sync_version + 1 WHERE id = p_hotel RETURNING sync_version INTO v;
    INSERT INTO face_changes (hotel_id, version, kind, staff_id, employee_code, device_pk)
    SELECT p_hotel, v, p_kind, p_staff, s.employee_code, p_device
    FROM staff s WHERE s.hotel_id = p_hotel AND s.id = p_staff;
    RETURN v;
END $$;

-- Face data replaced: every device holding the person gets it again.
-- Face data deleted: every device holding the person removes it. Both
-- happen in the same transaction as the face data change itself.
CREATE FUNCTION fc_face_data_devices() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF EXISTS (SELECT 1 FROM device_profiles WHERE hotel_id = NEW.hotel_id AND staff_id = NEW.staff_id) THEN
            PERFORM fc_face_change(NEW.hotel_id, 'update', NEW.staff_id, NULL);
        END IF;
        RETURN NULL;
    END IF;
    FOR d IN DELETE FROM device_profiles WHERE hotel_id = OLD.hotel_id AND staff_id = OLD.staff_id
             RETURNING device_pk LOOP
        PERFORM fc_face_change(OLD.hotel_id, 'remove', OLD.staff_id, d.device_pk);
    END LOOP;
    DELETE FROM enrollments WHERE hotel_id = OLD.hotel_id AND staff_id = OLD.staff_id;
    RETURN NULL;
END $$;
CREATE TRIGGER face_data_devices AFTER UPDATE OR DELETE ON face_data
    FOR EACH ROW EXECUTE FUNCTION fc_face_data_devices();

CREATE TABLE device_events (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    device_pk       bigint NOT NULL REFERENCES devices (id),
    event_id        text NOT NULL CHECK (event_id ~ '^EV1-[0-9]{10,16}-[A-Za-z0-9]{4,64}$'),
    event_type      text NOT NULL CHECK (event_type IN ('face_recognition')),
    event_timestamp timestamptz NOT NULL,
    employee_code   text,
    metadata        jsonb NOT NULL DEFAULT '{}',
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT device_events_event_id_unique UNIQUE (hotel_id, event_id)
);
CREATE INDEX device_events_hotel_idx ON device_events (hotel_id, event_timestamp DESC, id DESC);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON enrollments, devices, device_profiles TO faceclock_app;
        GRANT SELECT, INSERT, DELETE ON face_changes TO faceclock_app;
        GRANT SELECT, INSERT ON device_events TO faceclock_app;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO faceclock_app;
    END IF;
END $$;

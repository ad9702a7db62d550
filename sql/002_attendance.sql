-- 002_attendance.sql — what face attendance adds: a per-hotel version of
-- the face data (workers cache descriptors and reload when it moves),
-- single-use confirmation tokens, and review/kiosk columns on clock logs.

ALTER TABLE hotels ADD COLUMN face_version bigint NOT NULL DEFAULT 0;

-- every change of who can be matched moves the hotel's face_version
CREATE FUNCTION fc_face_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE hotels SET face_version = face_version + 1 WHERE id = OLD.hotel_id;
    ELSE
        UPDATE hotels SET face_version = face_version + 1 WHERE id = NEW.hotel_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER face_data_version AFTER INSERT OR UPDATE OR DELETE ON face_data
    FOR EACH ROW EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER staff_version AFTER UPDATE OF is_active, first_name, last_name, department_id ON staff
    FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active
                       OR OLD.first_name IS DISTINCT FROM NEW.first_name
                       OR OLD.last_name IS DISTINCT FROM NEW.last_name
                       OR OLD.department_id IS DISTINCT FROM NEW.department_id)
    EXECUTE FUNCTION fc_face_version_bump();

-- confirmation tokens are signed; their nonces are remembered once used
CREATE TABLE used_confirmation_tokens (
    nonce       text PRIMARY KEY CHECK (length(nonce) = 32),
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX used_confirmation_tokens_expires_idx ON used_confirmation_tokens (expires_at);

ALTER TABLE clock_logs ADD COLUMN kiosk_id bigint REFERENCES kiosks (id);
-- the manager's review queue: unrostered logs nobody has decided on yet
CREATE INDEX clock_logs_pending_idx ON clock_logs (hotel_id, time_in)
    WHERE is_unrostered AND approved_at IS NULL;
CREATE INDEX clock_logs_open_idx ON clock_logs (hotel_id, time_in) WHERE time_out IS NULL;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, DELETE ON used_confirmation_tokens TO faceclock_app;
    END IF;
END $$;

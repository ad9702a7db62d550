-- 013_events.sql — live events of committed changes (issue 13).
--
-- Triggers on the tables below call fc_emit(), which appends the event to
-- the `events` outbox and NOTIFYs channel faceclock_events with its id,
-- type and hotel. Both belong to the writer's transaction: PostgreSQL
-- delivers a NOTIFY only at commit, and a rolled-back transaction leaves
-- neither the row nor the notification. The publisher service
-- (handlers/live/publisher.c) takes every row whose published_at is still
-- NULL, posts it to nchan and marks it published: the notification only
-- wakes it, so an event committed while it was away (restart, a dropped
-- connection) is published when it comes back, and two transactions that
-- commit out of id order lose nothing. The publisher trims published rows
-- older than 7 days.
--
-- Events (docs/api.md "Live events" is the catalogue):
--   clock.in, clock.out        clock_logs insert; time_out set
--   clock.unrostered           an unrostered log inserted (the review queue)
--   clock.forced               a forced log inserted
--   clock.approved, clock.rejected  a pending log decided
--   clock.bulk                 instead of those, once per hotel, for a statement
--                              writing more than 50 logs (an import)
--   face.registered, face.revoked   face_audit_log REGISTERED/RE_REGISTERED, REVOKED
--   face.bulk                  instead, once per hotel, past 50 rows in one statement
--   device.status              a device created, or its lifecycle changed
-- The alerts (migration 014, another change) emit theirs with
--   PERFORM fc_emit(hotel_id, 'alert.raised', NULL, jsonb_build_object(...));
-- any type "alert.*" is published like the others; an "alert.*"
-- notification sent with pg_notify alone (no outbox row, so no catch-up)
-- is passed through as well.

CREATE TABLE events (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    type            text NOT NULL CHECK (type ~ '^[a-z]+(\.[a-z_]+)+$' AND length(type) <= 64),
    kiosk_id        bigint,                          -- also for that kiosk's channel
    data            jsonb NOT NULL DEFAULT '{}' CHECK (octet_length(data::text) <= 4000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX events_unpublished_idx ON events (id) WHERE published_at IS NULL;
CREATE INDEX events_created_idx ON events (created_at);

CREATE FUNCTION fc_emit(p_hotel bigint, p_type text, p_kiosk bigint, p_data jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO events (hotel_id, type, kiosk_id, data)
    VALUES (p_hotel, p_type, p_kiosk, coalesce(p_data, '{}'))
    RETURNING id INTO v_id;
    PERFORM pg_notify('faceclock_events',
                      json_build_object('id', v_id, 'type', p_type, 'hotel_id', p_hotel)::text);
    RETURN v_id;
END $$;

-- "First Last" of a person, or NULL (one primary-key lookup)
CREATE FUNCTION fc_staff_name(p_hotel bigint, p_staff bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT left(trim(first_name || ' ' || last_name), 201) FROM staff WHERE hotel_id = p_hotel AND id = p_staff
$$;

CREATE FUNCTION fc_clock_event_data(l clock_logs) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('log_id', l.id, 'staff_id', l.staff_id,
                              'name', fc_staff_name(l.hotel_id, l.staff_id),
                              'kiosk_id', l.kiosk_id, 'source', l.source,
                              'time_in', l.time_in, 'time_out', l.time_out,
                              'unrostered', l.is_unrostered, 'approved', l.is_approved)
$$;

-- One statement's clock logs: an event per log and change, or, past
-- 50 rows (an import, a purge), one clock.bulk per hotel instead, so
-- that a bulk write cannot flood the outbox and the streams.
CREATE FUNCTION fc_clock_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r clock_logs;
    d jsonb;
BEGIN
    IF (SELECT count(*) FROM new_rows) > 50 THEN
        PERFORM fc_emit(hotel_id, 'clock.bulk', NULL, jsonb_build_object('created', c, 'open', o))
        FROM (SELECT hotel_id, count(*) AS c, count(*) FILTER (WHERE time_out IS NULL) AS o
              FROM new_rows GROUP BY hotel_id ORDER BY hotel_id) x;
        RETURN NULL;
    END IF;
    FOR r IN SELECT * FROM new_rows ORDER BY id LOOP
        d := fc_clock_event_data(r);
        PERFORM fc_emit(r.hotel_id, 'clock.in', r.kiosk_id, d);
        IF r.is_unrostered THEN
            PERFORM fc_emit(r.hotel_id, 'clock.unrostered', NULL, d);
        END IF;
        IF r.source = 'forced' THEN
            PERFORM fc_emit(r.hotel_id, 'clock.forced', NULL, d);
        END IF;
        IF r.time_out IS NOT NULL THEN
            PERFORM fc_emit(r.hotel_id, 'clock.out', r.kiosk_id, d);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION fc_clock_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    x record;
    k bigint;
    d jsonb;
BEGIN
    SELECT count(*) INTO k FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.time_out IS NULL AND n.time_out IS NOT NULL) OR (o.approved_at IS NULL AND n.approved_at IS NOT NULL);
    IF k = 0 THEN
        RETURN NULL;
    END IF;
    IF k > 50 THEN
        PERFORM fc_emit(h, 'clock.bulk', NULL, jsonb_build_object('closed', c, 'decided', dc))
        FROM (SELECT n.hotel_id AS h,
                     count(*) FILTER (WHERE o.time_out IS NULL AND n.time_out IS NOT NULL) AS c,
                     count(*) FILTER (WHERE o.approved_at IS NULL AND n.approved_at IS NOT NULL) AS dc
              FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY 1 ORDER BY 1) y
        WHERE c > 0 OR dc > 0;
        RETURN NULL;
    END IF;
    FOR x IN SELECT n::clock_logs AS n, o.time_out IS NULL AND n.time_out IS NOT NULL AS closed,
                    o.approved_at IS NULL AND n.approved_at IS NOT NULL AS decided
             FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (o.time_out IS NULL AND n.time_out IS NOT NULL) OR (o.approved_at IS NULL AND n.approved_at IS NOT NULL)
             ORDER BY n.id LOOP
        d := fc_clock_event_data(x.n);
        IF x.closed THEN
            PERFORM fc_emit((x.n).hotel_id, 'clock.out', (x.n).kiosk_id, d);
        END IF;
        IF x.decided THEN
            PERFORM fc_emit((x.n).hotel_id,
                            CASE WHEN (x.n).is_approved THEN 'clock.approved' ELSE 'clock.rejected' END,
                            NULL, d || jsonb_build_object('approved_by', (x.n).approved_by));
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER clock_logs_inserted AFTER INSERT ON clock_logs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_clock_inserted();
CREATE TRIGGER clock_logs_updated AFTER UPDATE ON clock_logs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_clock_updated();

-- face registrations and revocations of one statement: an event each,
-- or past 50 rows (a bulk load, the retention purge) one face.bulk per hotel
CREATE FUNCTION fc_face_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF (SELECT count(*) FROM new_rows WHERE action IN ('REGISTERED', 'RE_REGISTERED', 'REVOKED')) > 50 THEN
        PERFORM fc_emit(hotel_id, 'face.bulk', NULL, jsonb_build_object('registered', g, 'revoked', v))
        FROM (SELECT hotel_id, count(*) FILTER (WHERE action <> 'REVOKED') AS g,
                     count(*) FILTER (WHERE action = 'REVOKED') AS v
              FROM new_rows WHERE action IN ('REGISTERED', 'RE_REGISTERED', 'REVOKED')
              GROUP BY hotel_id ORDER BY hotel_id) x;
        RETURN NULL;
    END IF;
    FOR r IN SELECT hotel_id, staff_id, action, id FROM new_rows
             WHERE action IN ('REGISTERED', 'RE_REGISTERED', 'REVOKED') ORDER BY id LOOP
        PERFORM fc_emit(r.hotel_id,
                        CASE WHEN r.action = 'REVOKED' THEN 'face.revoked' ELSE 'face.registered' END,
                        NULL,
                        jsonb_build_object('staff_id', r.staff_id,
                                           'name', fc_staff_name(r.hotel_id, r.staff_id),
                                           'action', r.action, 'audit_id', r.id));
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER face_audit_events AFTER INSERT ON face_audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_face_events();

CREATE FUNCTION fc_device_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.lifecycle IS NOT DISTINCT FROM NEW.lifecycle
       AND OLD.deactivated_at IS NOT DISTINCT FROM NEW.deactivated_at THEN
        RETURN NULL;
    END IF;
    PERFORM fc_emit(NEW.hotel_id, 'device.status', NULL,
                    jsonb_build_object('device_pk', NEW.id, 'device_id', NEW.device_id,
                                       'name', left(NEW.display_name, 200),
                                       'lifecycle', NEW.lifecycle,
                                       'previous', CASE WHEN TG_OP = 'UPDATE' THEN OLD.lifecycle END,
                                       'deactivated', NEW.deactivated_at IS NOT NULL));
    RETURN NULL;
END $$;

CREATE TRIGGER devices_events AFTER INSERT OR UPDATE OF lifecycle, deactivated_at ON devices
    FOR EACH ROW EXECUTE FUNCTION fc_device_events();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE (published_at), DELETE ON events TO faceclock_app;
        GRANT USAGE ON SEQUENCE events_id_seq TO faceclock_app;
    END IF;
END $$;

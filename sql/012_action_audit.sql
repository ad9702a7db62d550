-- 012_action_audit.sql — every state change that is not a face event is
-- audited too: settings (old and new values), reviews, kiosk and device
-- keys, sign-ins, PMS role and password changes, purge and rekey runs, the
-- device lifecycle. One row per change in action_audit_log, written by
-- action_audit_append() (handlers/attendance/action_audit_store.c) in the
-- transaction of the change itself. Its actor is never empty: a user
-- ("user:<username>"), a kiosk ("kiosk:<id>"), a device
-- ("device:<device_id>"), "anonymous" (a failed sign-in), or the system
-- ("system:admin-key", "system:purge", "system:rekey").
--
-- The rows join their hotel's audit chain (009): one sequence per hotel
-- across face_audit_log and action_audit_log, so a row removed from either
-- breaks it. Rows without a hotel (a sign-in failure of an unknown name, a
-- purge or rekey run) form the system's chain, hotel 0. Append-only, as
-- face_audit_log.

CREATE TABLE action_audit_log (
    id          bigserial PRIMARY KEY,
    hotel_id    bigint REFERENCES hotels (id),        -- NULL: the system's chain
    actor       text NOT NULL CHECK (actor <> ''),
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    target      text NOT NULL DEFAULT '',
    old_value   jsonb,
    new_value   jsonb,
    client_ip   inet,
    user_agent  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    chain_seq   bigint NOT NULL,
    hash        bytea NOT NULL
);
CREATE INDEX action_audit_hotel_created_idx ON action_audit_log ((coalesce(hotel_id, 0)), created_at DESC, id DESC);
CREATE UNIQUE INDEX action_audit_chain_idx ON action_audit_log ((coalesce(hotel_id, 0)), chain_seq);

CREATE TRIGGER action_audit_no_update BEFORE UPDATE OR DELETE ON action_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER action_audit_no_truncate BEFORE TRUNCATE ON action_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc_audit_append_only();

-- The bytes an action row's hash covers, as fc_audit_canonical() for a
-- face row: its fields as a JSON array, "action" first so that no action
-- row can ever read as a face row.
CREATE FUNCTION fc_action_canonical(a action_audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array('action', a.chain_seq, a.id, a.hotel_id, a.actor, a.action, a.target,
                             a.old_value, a.new_value, a.client_ip::text, a.user_agent,
                             to_char(a.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
$$;

-- The last link of a hotel's chain (0 for the system's) across both
-- tables: (0, '') before the first row. PL/pgSQL, not SQL, so that its two
-- index lookups are planned once per session rather than once per call
-- (an SQL function returning a record is planned on every call: 30 s for
-- a 100 000-row insert); VOLATILE, so each of them reads with a snapshot
-- of its own, taken after the caller's chain lock.
CREATE FUNCTION fc_audit_chain_last(hotel bigint, OUT seq bigint, OUT hash bytea)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    s2 bigint;
    h2 bytea;
BEGIN
    SELECT f.chain_seq, f.hash INTO seq, hash FROM face_audit_log f
     WHERE f.hotel_id = hotel ORDER BY f.chain_seq DESC LIMIT 1;
    SELECT x.chain_seq, x.hash INTO s2, h2 FROM action_audit_log x
     WHERE coalesce(x.hotel_id, 0) = hotel ORDER BY x.chain_seq DESC LIMIT 1;
    IF s2 IS NOT NULL AND (seq IS NULL OR s2 > seq) THEN
        seq := s2;
        hash := h2;
    END IF;
    IF seq IS NULL THEN
        seq := 0;
        hash := ''::bytea;
    END IF;
END $$;

-- The chain's head as audit exports send it (X-Audit-Chain-Head):
-- "<chain_seq> <hash hex>", NULL before the first row.
CREATE FUNCTION fc_audit_chain_head(hotel bigint) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN l.seq = 0 THEN NULL ELSE l.seq || ' ' || encode(l.hash, 'hex') END
      FROM fc_audit_chain_last(hotel) l
$$;

-- A face row's link now follows whichever table holds the last one.
CREATE OR REPLACE FUNCTION fc_audit_chain_link(a face_audit_log) RETURNS face_audit_log
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last record;
BEGIN
    PERFORM pg_advisory_xact_lock(7270002, mod(a.hotel_id, 2147483647)::int);
    -- read after the lock: a new snapshot sees the previous holder's row
    SELECT * INTO last FROM fc_audit_chain_last(a.hotel_id);
    a.chain_seq := last.seq + 1;
    a.hash := sha256(last.hash || convert_to(fc_audit_canonical(a), 'UTF8'));
    RETURN a;
END $$;

CREATE FUNCTION fc_action_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last record;
    h bigint := coalesce(NEW.hotel_id, 0);
BEGIN
    PERFORM pg_advisory_xact_lock(7270002, mod(h, 2147483647)::int);
    SELECT * INTO last FROM fc_audit_chain_last(h);
    NEW.chain_seq := last.seq + 1;
    NEW.hash := sha256(last.hash || convert_to(fc_action_canonical(NEW), 'UTF8'));
    RETURN NEW;
END $$;

CREATE TRIGGER action_audit_chain BEFORE INSERT ON action_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_action_chain();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT ON action_audit_log TO faceclock_app;
        GRANT USAGE ON SEQUENCE action_audit_log_id_seq TO faceclock_app;
    END IF;
END $$;

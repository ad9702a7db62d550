-- 009_audit_chain.sql — the face audit log becomes tamper-evident: each
-- row carries its place in its hotel's chain (chain_seq: 1, 2, … with no
-- gap) and hash = SHA-256(the previous row's hash || its canonical form),
-- the first row of a hotel hashing after the empty string. One BEFORE
-- INSERT trigger computes both for every writer (the API, purge, PMS,
-- psql), in the inserting transaction, holding the hotel's advisory lock
-- until it ends, so concurrent writers queue and the chain never forks;
-- a unique (hotel_id, chain_seq) would refuse a fork all the same.
-- `faceclock audit-verify` (handlers/attendance/audit_verify_cmd.c)
-- recomputes the chains in C from fc_audit_canonical(). The log stays
-- append-only (001): nothing here lets a role update or delete a row.

ALTER TABLE face_audit_log ADD COLUMN chain_seq bigint, ADD COLUMN hash bytea;

-- The bytes a row's hash covers (UTF-8 of this text): its fields as a
-- JSON array, in this order, NULL as null, created_at in UTC to the
-- microsecond, so neither the session's time zone nor its date style
-- changes it.
CREATE FUNCTION fc_audit_canonical(a face_audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(a.chain_seq, a.id, a.hotel_id, a.staff_id, a.action, a.performed_by,
                             a.reason, a.consent_given, a.client_ip::text, a.user_agent,
                             to_char(a.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
$$;

-- The advisory lock key of a hotel's chain: (7270002, the hotel's id
-- folded into int4); two hotels sharing a key only wait for each other.
-- (7270001 alone, a bigint key in a space of its own, is migrate's.)
CREATE FUNCTION fc_audit_chain_link(a face_audit_log) RETURNS face_audit_log
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev_seq  bigint := 0;
    prev_hash bytea := ''::bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(7270002, mod(a.hotel_id, 2147483647)::int);
    -- read after the lock: a new snapshot sees the previous holder's row
    SELECT f.chain_seq, f.hash INTO prev_seq, prev_hash FROM face_audit_log f
     WHERE f.hotel_id = a.hotel_id AND f.chain_seq IS NOT NULL
     ORDER BY f.chain_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        prev_seq := 0;
        prev_hash := ''::bytea;
    END IF;
    a.chain_seq := prev_seq + 1;
    a.hash := sha256(prev_hash || convert_to(fc_audit_canonical(a), 'UTF8'));
    RETURN a;
END $$;

CREATE FUNCTION fc_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN fc_audit_chain_link(NEW);
END $$;

CREATE UNIQUE INDEX face_audit_chain_idx ON face_audit_log (hotel_id, chain_seq);

-- the rows written before this migration, chained in the order of their ids
ALTER TABLE face_audit_log DISABLE TRIGGER face_audit_no_update;
DO $$
DECLARE
    r face_audit_log;
BEGIN
    FOR r IN SELECT * FROM face_audit_log ORDER BY hotel_id, id LOOP
        r := fc_audit_chain_link(r);
        UPDATE face_audit_log SET chain_seq = r.chain_seq, hash = r.hash WHERE id = r.id;
    END LOOP;
END $$;
ALTER TABLE face_audit_log ENABLE TRIGGER face_audit_no_update;

ALTER TABLE face_audit_log ALTER COLUMN chain_seq SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

-- whatever a writer gives, the trigger sets chain_seq and hash
CREATE TRIGGER face_audit_chain BEFORE INSERT ON face_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_chain();

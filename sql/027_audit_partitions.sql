-- 027_audit_partitions.sql — the two audit logs (face_audit_log, 001/009;
-- action_audit_log, 012) become tables partitioned by month of
-- created_at: one partition per calendar month (UTC), named
-- <table>_yYYYYmMM, and a default partition for whatever falls outside
-- them. A month's rows then sit in one table of their own, so retention
-- (detaching and archiving a whole old month, docs/operations.md) never
-- deletes row by row, and a page of the newest rows reads the newest
-- month's indexes only.
--
-- What stays as it was:
--   - append-only for every role: the UPDATE/DELETE row triggers of the
--     parent apply to every partition (PostgreSQL clones them); a TRUNCATE
--     trigger is made on each partition too (statement triggers are not
--     cloned), and the application's role may only SELECT and INSERT on
--     the parents (none on the partitions themselves);
--   - the ids: the same sequences; the primary key is (id, created_at), as
--     a partitioned table's must hold the partition key;
--   - the hash chain (009, 012): the same BEFORE INSERT triggers and the
--     same per-hotel advisory lock; chain_seq goes on across partitions
--     (fc_audit_chain_last() reads the newest link of every partition's
--     (hotel, chain_seq) index). A unique index on (hotel, chain_seq)
--     cannot span partitions, so each partition has its own: a fork
--     within a month is refused as before, and `faceclock audit-verify`
--     finds any other.
--
-- fc_audit_partitions(months) makes the partitions of this month and the
-- next `months` months that do not exist yet, for both logs; the
-- scheduler (svc:scheduler, handlers/attendance/scheduler_svc.c) calls it
-- on each tick through fc_audit_partitions_ahead() (3 months ahead), and
-- this migration calls it for every month from the oldest row on. Rows are copied from the old tables in one transaction
-- (the migration's).

-- moving a large log takes longer than a request may (the connection's
-- statement_timeout is the request deadline's): this transaction has none
SET LOCAL statement_timeout = 0;

-- ---------------------------------------------------------- the old tables
ALTER TABLE face_audit_log RENAME TO face_audit_log_unpartitioned;
ALTER INDEX face_audit_hotel_created_idx RENAME TO face_audit_hotel_created_idx_old;
ALTER INDEX face_audit_staff_idx RENAME TO face_audit_staff_idx_old;
ALTER INDEX face_audit_chain_idx RENAME TO face_audit_chain_idx_old;
ALTER INDEX face_audit_log_pkey RENAME TO face_audit_log_pkey_old;
ALTER TABLE action_audit_log RENAME TO action_audit_log_unpartitioned;
ALTER INDEX action_audit_hotel_created_idx RENAME TO action_audit_hotel_created_idx_old;
ALTER INDEX action_audit_chain_idx RENAME TO action_audit_chain_idx_old;
ALTER INDEX action_audit_log_pkey RENAME TO action_audit_log_pkey_old;

-- ---------------------------------------------------------- the new tables
-- the same columns in the same order, defaults (the id sequences) and
-- CHECK constraints
CREATE TABLE face_audit_log (LIKE face_audit_log_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (created_at);
ALTER TABLE face_audit_log ADD PRIMARY KEY (id, created_at);
CREATE INDEX face_audit_hotel_created_idx ON face_audit_log (hotel_id, created_at DESC, id DESC);
CREATE INDEX face_audit_staff_idx ON face_audit_log (hotel_id, staff_id, created_at DESC);

CREATE TABLE action_audit_log (LIKE action_audit_log_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (created_at);
ALTER TABLE action_audit_log ADD PRIMARY KEY (id, created_at);
CREATE INDEX action_audit_hotel_created_idx ON action_audit_log ((coalesce(hotel_id, 0)), created_at DESC, id DESC);

ALTER SEQUENCE face_audit_log_id_seq OWNED BY face_audit_log.id;
ALTER SEQUENCE action_audit_log_id_seq OWNED BY action_audit_log.id;

-- One partition of table (face_audit_log or action_audit_log) for
-- [from, to), or the default one (from NULL): its chain index and its
-- TRUNCATE trigger. The name says the month (or "default").
CREATE FUNCTION fc_audit_partition_make(tbl text, name text, from_ts timestamptz, to_ts timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF from_ts IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', name, tbl);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', name, tbl, from_ts, to_ts);
    END IF;
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (%s, chain_seq)', name || '_chain_idx', name,
                   CASE WHEN tbl = 'face_audit_log' THEN 'hotel_id' ELSE '(coalesce(hotel_id, 0))' END);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION fc_audit_append_only()',
                   name || '_no_truncate', name);
END $$;

-- The monthly partitions of both logs from the month of `since` through
-- `months` months after the current one that do not exist yet. A month
-- whose rows already sit in the default partition is left there (and
-- reported): its partition cannot be made over them. Returns how many
-- partitions it made.
CREATE FUNCTION fc_audit_partitions(months int, since timestamptz DEFAULT now())
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    tbl text;
    m timestamptz;
    last timestamptz := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                        + make_interval(months => greatest(months, 0));
    name text;
    made int := 0;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['face_audit_log', 'action_audit_log'] LOOP
        m := date_trunc('month', least(since, now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        WHILE m <= last LOOP
            name := tbl || to_char(m AT TIME ZONE 'UTC', '"_y"YYYY"m"MM');
            IF to_regclass(name) IS NULL THEN
                BEGIN
                    PERFORM fc_audit_partition_make(tbl, name, m, m + interval '1 month');
                    made := made + 1;
                EXCEPTION WHEN check_violation THEN
                    RAISE WARNING '%: rows of % are in the default partition; no partition made', tbl,
                        to_char(m AT TIME ZONE 'UTC', 'YYYY-MM');
                END;
            END IF;
            m := m + interval '1 month';
        END LOOP;
    END LOOP;
    RETURN made;
END $$;

-- What the scheduler runs (as the application's role, which owns no
-- table): this month and the next three, made as the owner. Nothing else
-- here may be called by that role.
CREATE FUNCTION fc_audit_partitions_ahead() RETURNS int
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT fc_audit_partitions(3)
$$;
REVOKE EXECUTE ON FUNCTION fc_audit_partition_make(text, text, timestamptz, timestamptz),
    fc_audit_partitions(int, timestamptz), fc_audit_partitions_ahead() FROM PUBLIC;

SELECT fc_audit_partition_make('face_audit_log', 'face_audit_log_default', NULL, NULL);
SELECT fc_audit_partition_make('action_audit_log', 'action_audit_log_default', NULL, NULL);
SELECT fc_audit_partitions(3, least((SELECT min(created_at) FROM face_audit_log_unpartitioned),
                                    (SELECT min(created_at) FROM action_audit_log_unpartitioned), now()));

-- ----------------------------------------------- the chain, on the new type
-- The functions of a row take the table's row type: made again, the same
-- bodies (009 and 012), for the new tables' type.
CREATE FUNCTION fc_audit_canonical(a face_audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(a.chain_seq, a.id, a.hotel_id, a.staff_id, a.action, a.performed_by,
                             a.reason, a.consent_given, a.client_ip::text, a.user_agent,
                             to_char(a.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
$$;

CREATE FUNCTION fc_action_canonical(a action_audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array('action', a.chain_seq, a.id, a.hotel_id, a.actor, a.action, a.target,
                             a.old_value, a.new_value, a.client_ip::text, a.user_agent,
                             to_char(a.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
$$;

CREATE FUNCTION fc_audit_chain_link(a face_audit_log) RETURNS face_audit_log
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

-- ------------------------------------------------------------ the rows
INSERT INTO face_audit_log SELECT * FROM face_audit_log_unpartitioned;
INSERT INTO action_audit_log SELECT * FROM action_audit_log_unpartitioned;
-- the foreign keys after the rows: checked in one pass, not row by row
ALTER TABLE face_audit_log ADD FOREIGN KEY (hotel_id) REFERENCES hotels (id),
    ADD CONSTRAINT face_audit_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id);
ALTER TABLE action_audit_log ADD FOREIGN KEY (hotel_id) REFERENCES hotels (id);

DROP FUNCTION fc_audit_chain_link(face_audit_log_unpartitioned);
DROP FUNCTION fc_audit_canonical(face_audit_log_unpartitioned);
DROP FUNCTION fc_action_canonical(action_audit_log_unpartitioned);
DROP TABLE face_audit_log_unpartitioned;
DROP TABLE action_audit_log_unpartitioned;

-- --------------------------------------------------- the rows, counted
-- A page's X-Total-Count without counting rows (docs/api.md, "Lists"):
-- the rows of each (hotel, staff member, action) of the face log and of
-- each (hotel, action) of the action log, kept by a statement trigger in
-- the inserting transaction (whose hotel chain lock already queues the
-- writers of one hotel, so the counts add no wait). A listing whose
-- filters these cover reads its total here, exactly; one with other
-- filters counts its rows up to a cap. The counts follow the logs:
-- after detaching a month (docs/operations.md) run fc_audit_recount().
CREATE TABLE face_audit_counts (
    hotel_id    bigint NOT NULL,
    staff_id    bigint NOT NULL,
    action      text NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (hotel_id, staff_id, action)
);
CREATE TABLE action_audit_counts (
    hotel       bigint NOT NULL,                 -- 0: the system's rows
    action      text NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (hotel, action)
);

-- SECURITY DEFINER: the application's role only reads the counts
CREATE FUNCTION fc_face_audit_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO face_audit_counts AS c (hotel_id, staff_id, action, n)
    SELECT hotel_id, staff_id, action, count(*) FROM new_rows GROUP BY 1, 2, 3
    ON CONFLICT (hotel_id, staff_id, action) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION fc_action_audit_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO action_audit_counts AS c (hotel, action, n)
    SELECT coalesce(hotel_id, 0), action, count(*) FROM new_rows GROUP BY 1, 2
    ON CONFLICT (hotel, action) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- the counts made again from the rows (the owner's, after a retention)
CREATE FUNCTION fc_audit_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK face_audit_counts, action_audit_counts IN EXCLUSIVE MODE;
    DELETE FROM face_audit_counts;
    DELETE FROM action_audit_counts;
    INSERT INTO face_audit_counts SELECT hotel_id, staff_id, action, count(*) FROM face_audit_log GROUP BY 1, 2, 3;
    INSERT INTO action_audit_counts SELECT coalesce(hotel_id, 0), action, count(*) FROM action_audit_log GROUP BY 1, 2;
END $$;
REVOKE EXECUTE ON FUNCTION fc_audit_recount(), fc_face_audit_count(), fc_action_audit_count() FROM PUBLIC;
SELECT fc_audit_recount();

-- ------------------------------------------------ the triggers, as before
CREATE TRIGGER face_audit_no_update BEFORE UPDATE OR DELETE ON face_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER face_audit_no_truncate BEFORE TRUNCATE ON face_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER face_audit_chain BEFORE INSERT ON face_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_chain();
CREATE TRIGGER face_audit_events AFTER INSERT ON face_audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_face_events();

CREATE TRIGGER action_audit_no_update BEFORE UPDATE OR DELETE ON action_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER action_audit_no_truncate BEFORE TRUNCATE ON action_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER action_audit_chain BEFORE INSERT ON action_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_action_chain();

CREATE TRIGGER face_audit_counted AFTER INSERT ON face_audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_face_audit_count();
CREATE TRIGGER action_audit_counted AFTER INSERT ON action_audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_action_audit_count();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT ON face_audit_log, action_audit_log TO faceclock_app;
        GRANT EXECUTE ON FUNCTION fc_audit_partitions_ahead() TO faceclock_app;
        GRANT SELECT ON face_audit_counts, action_audit_counts TO faceclock_app;
    END IF;
END $$;

ANALYZE face_audit_log;
ANALYZE action_audit_log;

-- 029_event_cursor.sql — the live-events outbox (013) at a lower cost per
-- scan (issue 15, "The cost of a scan"): no update per event to mark it
-- published, one INSERT per clock_logs statement, a cheaper events row.
--
-- 1. Published is a cursor over transaction snapshots, not a column. The
--    technique is PgQ's (Skytools, the queue of Skype's databases: its
--    batches are the events between two "ticks", each a txid_snapshot).
--    Every event records its writer's transaction id (xid, a default).
--    The publisher keeps the snapshot of its previous read (its cursor)
--    and next reads the events of the transactions that snapshot did not
--    see — in progress then (in its xip list) or begun after it (xid >= its
--    xmax) — and that the new read's own snapshot, taken by the same
--    statement (pg_current_snapshot()), sees: exactly the events not read
--    yet, whatever order their transactions commit in, with no write per
--    event. A transaction still open at the read is in the new snapshot's
--    xip, so its events are read once it has committed. The cursor is kept
--    in memory by the publisher (handlers/live/publisher_svc.c) and saved
--    in event_cursors at most once a second: after a crash it starts from
--    the saved one and posts again at most that second's events (at least
--    once, as before: subscribers tell events apart by "id"). On a new
--    connection it starts again from the saved one: after a crash,
--    PostgreSQL may hand out again the xids of transactions whose
--    (asynchronous) commit was lost, which a snapshot kept in memory
--    could count as seen, while the saved one's commit was durable. An
--    event of a transaction that rolled back is never seen.
--    The notification test event (notify_store.c) is not published: the
--    publisher skips type notification.test.
--    The switch: the events not yet published get this migration's xid,
--    which the first cursor (this migration's snapshot plus its own xid)
--    counts as unseen; the published ones keep a NULL xid, read by no
--    cursor. So at the switch nothing is lost nor published twice.
--
-- 2. Cheaper rows. The type's regular expression (the types are constants
--    of our triggers) gives way to its length; the data's size is
--    pg_column_size (rendering the jsonb as text cost more than the rest
--    of the check); the foreign key to hotels goes (no hotel is ever
--    deleted, and every event is written from a row of its hotel that
--    holds one: it cost a KEY SHARE lock on the hotel's row per event);
--    the index on created_at goes (the trim walks the ids, in the order
--    events are made); the partial index of unpublished ids went with
--    published_at.
--
-- 2b. The fan-out to notification endpoints (017) is no longer a trigger
--    on every event, paid by every scan of every hotel, endpoints or not:
--    the notifier (handlers/notify/notifier_svc.c) reads the events with a
--    snapshot cursor of its own, every half second, and queues their
--    deliveries in one statement (INSERT ... SELECT from the events its
--    cursor did not see, joined with the enabled endpoints of their hotel
--    whose patterns match). A delivery is queued once per event and
--    endpoint whatever happens: the unique (event_id, endpoint_id) with ON
--    CONFLICT DO NOTHING makes a round read again (after a crash, the
--    cursor being saved at most once a second) or a second notifier (two
--    app hosts) harmless. What changes: an event's deliveries are queued
--    up to half a second after its commit, for the endpoints enabled
--    then, not in the writer's transaction.
--
-- 3. The clock_logs triggers write a statement's events with one INSERT
--    ... SELECT and send one NOTIFY for them (the publisher only needs the
--    wake-up; fc_emit, for the other events, still notifies each). Same
--    events, same content, same order (docs/api.md "Live events").

ALTER TABLE events ADD COLUMN xid xid8;      -- NULL: published before 029
UPDATE events SET xid = pg_current_xact_id() WHERE published_at IS NULL;
ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
ALTER TABLE events DROP COLUMN published_at;  -- and events_unpublished_idx
CREATE INDEX events_xid_idx ON events (xid, id);   -- a round's pages, in order
DROP INDEX events_created_idx;
ALTER TABLE events DROP CONSTRAINT events_type_check,
    ADD CONSTRAINT events_type_check CHECK (octet_length(type) BETWEEN 3 AND 64),
    DROP CONSTRAINT events_data_check,
    ADD CONSTRAINT events_data_check CHECK (pg_column_size(data) <= 4000),
    DROP CONSTRAINT events_hotel_id_fkey;

-- The snapshot of a reader's last read of events (one row per reader).
CREATE TABLE event_cursors (
    name        text PRIMARY KEY CHECK (name IN ('publisher', 'notifier')),
    snap        pg_snapshot NOT NULL,
    saved_at    timestamptz NOT NULL DEFAULT now()
);
-- The first: this migration's snapshot, with its own xid among those in
-- progress unless it is past the snapshot's xmax (unseen either way).
INSERT INTO event_cursors (name, snap)
SELECT 'publisher',
       format('%s:%s:%s', pg_snapshot_xmin(s), pg_snapshot_xmax(s),
              (SELECT string_agg(x::text, ',' ORDER BY x)
               FROM (SELECT pg_snapshot_xip(s)
                     UNION SELECT pg_current_xact_id() WHERE pg_current_xact_id() < pg_snapshot_xmax(s)) u (x)))::pg_snapshot
FROM pg_current_snapshot() s;
-- the notifier's: every event before this migration was fanned out by
-- the trigger dropped below
INSERT INTO event_cursors (name, snap) VALUES ('notifier', pg_current_snapshot());

CREATE OR REPLACE FUNCTION fc_clock_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_note text;
BEGIN
    IF (SELECT count(*) FROM new_rows) > 50 THEN
        PERFORM fc_emit(hotel_id, 'clock.bulk', NULL, jsonb_build_object('created', c, 'open', o))
        FROM (SELECT hotel_id, count(*) AS c, count(*) FILTER (WHERE time_out IS NULL) AS o
              FROM new_rows GROUP BY hotel_id ORDER BY hotel_id) x;
        RETURN NULL;
    END IF;
    WITH ev AS (
        INSERT INTO events (hotel_id, type, kiosk_id, data)
        SELECT (r.l).hotel_id, t.type, CASE WHEN t.at_kiosk THEN (r.l).kiosk_id END, r.d
        FROM (SELECT n::clock_logs AS l, fc_clock_event_data(n::clock_logs) AS d FROM new_rows n OFFSET 0) r
        CROSS JOIN LATERAL (VALUES (1, 'clock.in', true, true),
                                   (2, 'clock.unrostered', false, (r.l).is_unrostered),
                                   (3, 'clock.forced', false, (r.l).source = 'forced'),
                                   (4, 'clock.out', true, (r.l).time_out IS NOT NULL)) t (o, type, at_kiosk, wanted)
        WHERE t.wanted
        ORDER BY (r.l).id, t.o
        RETURNING id, type, hotel_id)
    SELECT pg_notify('faceclock_events', json_build_object('id', id, 'type', type, 'hotel_id', hotel_id)::text)
    INTO v_note FROM ev ORDER BY id DESC LIMIT 1;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION fc_clock_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
    v_note text;
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
    WITH ev AS (
        INSERT INTO events (hotel_id, type, kiosk_id, data)
        SELECT (x.l).hotel_id, t.type, t.kiosk, t.data
        FROM (SELECT n::clock_logs AS l, fc_clock_event_data(n::clock_logs) AS d,
                     o.time_out IS NULL AND n.time_out IS NOT NULL AS closed,
                     o.approved_at IS NULL AND n.approved_at IS NOT NULL AS decided
              FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE (o.time_out IS NULL AND n.time_out IS NOT NULL) OR (o.approved_at IS NULL AND n.approved_at IS NOT NULL)
              OFFSET 0) x
        CROSS JOIN LATERAL (VALUES (1, 'clock.out', (x.l).kiosk_id, x.d, x.closed),
                                   (2, CASE WHEN (x.l).is_approved THEN 'clock.approved' ELSE 'clock.rejected' END,
                                    NULL::bigint, x.d || jsonb_build_object('approved_by', (x.l).approved_by),
                                    x.decided)) t (o, type, kiosk, data, wanted)
        WHERE t.wanted
        ORDER BY (x.l).id, t.o
        RETURNING id, type, hotel_id)
    SELECT pg_notify('faceclock_events', json_build_object('id', id, 'type', type, 'hotel_id', hotel_id)::text)
    INTO v_note FROM ev ORDER BY id DESC LIMIT 1;
    RETURN NULL;
END $$;

-- 017's fan-out leaves the writer's transaction: the notifier queues
-- the deliveries from the events stream with a cursor of its own.
DROP TRIGGER events_notify_fanout ON events;
DROP FUNCTION fc_notify_fanout();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, UPDATE ON event_cursors TO faceclock_app;
    END IF;
END $$;

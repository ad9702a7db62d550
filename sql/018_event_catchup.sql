-- 018_event_catchup.sql — catching up from the events outbox (issue 13;
-- docs/api.md "Live events", GET /api/staff/hotel/{hotel_slug}/events/).
--
-- A subscriber whose stream was cut asks for its hotel's events after
-- the last id it holds: events (hotel_id, id) finds them in id order.
-- Events are deleted (the publisher trims published ones after 7 days),
-- so a catch-up must tell a client when some of what it asks for is
-- gone: event_trims keeps, per hotel, the highest id ever deleted, set by
-- a statement trigger on every DELETE of events whoever runs it. Every
-- deleted event has an id <= through_id, so a catch-up after an id at or
-- past it is whole, and one before it may have lost events ("gap").

CREATE INDEX events_hotel_idx ON events (hotel_id, id);

CREATE TABLE event_trims (
    hotel_id    bigint PRIMARY KEY,          -- no foreign key: kept after its hotel goes (ids are not reused)
    through_id  bigint NOT NULL CHECK (through_id > 0)
);

CREATE FUNCTION fc_events_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_trims (hotel_id, through_id)
    SELECT hotel_id, max(id) FROM old_rows GROUP BY hotel_id ORDER BY hotel_id
    ON CONFLICT (hotel_id) DO UPDATE SET through_id = greatest(event_trims.through_id, excluded.through_id);
    RETURN NULL;
END $$;

CREATE TRIGGER events_deleted AFTER DELETE ON events
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fc_events_deleted();

-- what was trimmed before this migration: everything below the oldest kept
-- event of a hotel that has any, when the sequence has moved past it
INSERT INTO event_trims (hotel_id, through_id)
SELECT hotel_id, min(id) - 1 FROM events GROUP BY hotel_id HAVING min(id) > 1;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE ON event_trims TO faceclock_app;
    END IF;
END $$;

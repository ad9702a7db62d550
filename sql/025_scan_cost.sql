-- 025_scan_cost.sql — what a face scan costs PostgreSQL (issue 15, "Cost
-- per scan"); `scripts/bench.sh cost` itemises it per statement and
-- function (docs/operations.md, "The cost of a scan").
--
-- 1. clock_logs_hotel_id_fkey is implied by clock_logs_staff_fk: both of
--    the log's (hotel_id, staff_id) are NOT NULL and must name a staff row,
--    whose hotel_id is NOT NULL and references hotels (staff_hotel_id_fkey).
--    So a log whose hotel does not exist cannot be written, nor a hotel
--    with logs deleted (its staff hold it, ON DELETE NO ACTION both, not
--    deferrable), with or without it. Dropped, each clock-in saves a lookup
--    in hotels under a KEY SHARE lock.
ALTER TABLE clock_logs DROP CONSTRAINT IF EXISTS clock_logs_hotel_id_fkey;

-- 2. fc_staff_name (the name in a clock.* or face.* live event,
--    sql/013_events.sql) was an SQL function, whose body PostgreSQL plans
--    again on every call from a trigger: 10 us to run, 60 to plan, on each
--    scan. As PL/pgSQL its statement's plan is kept by the session. Same
--    result: the name, or NULL when there is no such person.
CREATE OR REPLACE FUNCTION fc_staff_name(p_hotel bigint, p_staff bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT left(trim(first_name || ' ' || last_name), 201) FROM staff
            WHERE hotel_id = p_hotel AND id = p_staff);
END $$;

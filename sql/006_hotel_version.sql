-- 006_hotel_version.sql — hotels.face_version becomes the version of
-- everything a worker keeps about a hotel for scans (handlers/face_cache.c):
-- besides face data and staff names, departments and activity (002), new
-- staff, department names and the attendance settings now move it too. A
-- scan then reads only its person's live state from the database. And a
-- transaction now moves the version once per hotel (below).
CREATE TRIGGER staff_insert_version AFTER INSERT ON staff
    FOR EACH ROW EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER departments_version AFTER INSERT OR DELETE ON departments
    FOR EACH ROW EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER departments_name_version AFTER UPDATE OF name ON departments
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER settings_version AFTER INSERT OR DELETE ON attendance_settings
    FOR EACH ROW EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER settings_change_version AFTER UPDATE ON attendance_settings
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION fc_face_version_bump();

-- A transaction moves a hotel's version once, however many rows it
-- changes: each further UPDATE of the same hotels row inside one
-- transaction walks the chain of the row versions it made before, so a
-- PMS sync of N new staff cost O(N^2) (10 000: ~7 s). The mark is a
-- transaction-local setting, undone with a rolled-back savepoint.
CREATE OR REPLACE FUNCTION fc_face_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    hid  bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.hotel_id ELSE NEW.hotel_id END;
    mark text := 'faceclock.face_version_moved_' || hid;
    xact text := txid_current()::text;
BEGIN
    IF current_setting(mark, true) IS DISTINCT FROM xact THEN
        UPDATE hotels SET face_version = face_version + 1 WHERE id = hid;
        PERFORM set_config(mark, xact, true);
    END IF;
    RETURN NULL;
END $$;

-- 006_hotel_version.sql — hotels.face_version becomes the version of
-- everything a worker keeps about a hotel for scans (handlers/face_cache.c):
-- besides face data and staff names, departments and activity (002), new
-- staff, department names and the attendance settings now move it too. A
-- scan then reads only its person's live state from the database.
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

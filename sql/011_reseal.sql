-- 011_reseal.sql — a re-sealed face (`faceclock rekey`: the same
-- descriptor sealed again under another data key, its registration
-- untouched) is no change of who can be matched: it moves neither the
-- hotel's face_version (workers keep their cache) nor the devices' change
-- log (they do not download everyone again). Only an update that
-- registers anew (a new registered_at, consent, source or registrant:
-- face_store.c's upsert) fires the update triggers of 002 and 003.

DROP TRIGGER face_data_version ON face_data;
CREATE TRIGGER face_data_version AFTER INSERT OR DELETE ON face_data
    FOR EACH ROW EXECUTE FUNCTION fc_face_version_bump();
CREATE TRIGGER face_data_version_update AFTER UPDATE ON face_data
    FOR EACH ROW WHEN ((OLD.registered_at, OLD.consent_given, OLD.source, OLD.registered_by)
                       IS DISTINCT FROM (NEW.registered_at, NEW.consent_given, NEW.source, NEW.registered_by))
    EXECUTE FUNCTION fc_face_version_bump();

DROP TRIGGER face_data_devices ON face_data;
CREATE TRIGGER face_data_devices AFTER DELETE ON face_data
    FOR EACH ROW EXECUTE FUNCTION fc_face_data_devices();
CREATE TRIGGER face_data_devices_update AFTER UPDATE ON face_data
    FOR EACH ROW WHEN ((OLD.registered_at, OLD.consent_given, OLD.source, OLD.registered_by)
                       IS DISTINCT FROM (NEW.registered_at, NEW.consent_given, NEW.source, NEW.registered_by))
    EXECUTE FUNCTION fc_face_data_devices();

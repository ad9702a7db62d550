-- 014_alerts.sql — monitoring alerts (issue 13, seed 004 "Monitoring &
-- Alerts"): per-hotel rules with their thresholds, the alerts they raise,
-- and the per-kiosk counter of failed scans that feeds the probing rule
-- and its throttle. The catalogue, defaults and bounds of the rules live
-- in handlers/attendance/alert_rules.c (pure, unit-tested); a hotel
-- without a row for a rule has its defaults. The decisions are made in
-- C; these tables only hold what was decided.

CREATE TABLE alert_rules (
    hotel_id          bigint NOT NULL REFERENCES hotels (id),
    rule              text NOT NULL CHECK (rule IN ('failed_scans', 'unrostered_day', 'hard_limit', 'overtime',
                                                    'device_offline', 'face_revoked', 'revocation_unsynced')),
    enabled           boolean NOT NULL,
    threshold         integer CHECK (threshold BETWEEN 1 AND 10000),          -- a count
    window_minutes    integer CHECK (window_minutes BETWEEN 1 AND 1440),      -- counted over
    cooldown_minutes  integer CHECK (cooldown_minutes BETWEEN 0 AND 1440),    -- throttle
    minutes           integer CHECK (minutes BETWEEN 1 AND 10080),            -- a duration
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, rule)
);

-- One alert per condition and subject ("kiosk:3", "staff:12",
-- "device:cam-1", "date:2026-12-04"): open -> acknowledged -> resolved,
-- and at most one not resolved per (hotel, rule, subject), so a condition
-- that persists raises nothing more (no storms).
CREATE TABLE alerts (
    id                bigserial PRIMARY KEY,
    hotel_id          bigint NOT NULL REFERENCES hotels (id),
    rule              text NOT NULL,
    subject           text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    state             text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
    details           jsonb NOT NULL DEFAULT '{}',
    opened_at         timestamptz NOT NULL DEFAULT now(),
    acknowledged_by   text,
    acknowledged_at   timestamptz,
    resolved_by       text,                -- "user:<name>", or "system:alerts" when it cleared
    resolved_at       timestamptz,
    CONSTRAINT alerts_ack_both CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL)),
    CONSTRAINT alerts_resolved_both CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)
                                           AND (resolved_by IS NULL) = (resolved_at IS NULL))
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (hotel_id, rule, subject) WHERE state <> 'resolved';
CREATE INDEX alerts_hotel_opened_idx ON alerts (hotel_id, opened_at DESC, id DESC);

-- Live push (issue 13): every raise, acknowledgement and resolution is
-- announced on faceclock_events once committed; the publisher (branch
-- push) passes it on to the hotel's channel.
CREATE FUNCTION fc_alert_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.state = OLD.state THEN
        RETURN NULL;
    END IF;
    -- through the events outbox (013): published at commit, and after a
    -- publisher restart too
    PERFORM fc_emit(NEW.hotel_id,
                    CASE NEW.state WHEN 'open' THEN 'alert.raised' WHEN 'acknowledged' THEN 'alert.acknowledged'
                    ELSE 'alert.resolved' END,
                    NULL, jsonb_build_object('alert_id', NEW.id, 'rule', NEW.rule, 'subject', NEW.subject));
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_notify AFTER INSERT OR UPDATE OF state ON alerts
    FOR EACH ROW EXECUTE FUNCTION fc_alert_notify();

-- Failed scans per kiosk in the current window (from window_start), and
-- the throttle: until blocked_until the kiosk's scans are refused 429.
-- One row per kiosk, one statement per failed scan.
CREATE TABLE kiosk_scan_failures (
    kiosk_id        bigint PRIMARY KEY REFERENCES kiosks (id),
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    window_start    timestamptz NOT NULL,
    failures        integer NOT NULL CHECK (failures >= 0),
    blocked_until   timestamptz
);
CREATE INDEX kiosk_scan_failures_hotel_idx ON kiosk_scan_failures (hotel_id);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE ON alert_rules, alerts TO faceclock_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_scan_failures TO faceclock_app;
        GRANT USAGE ON SEQUENCE alerts_id_seq TO faceclock_app;
    END IF;
END $$;

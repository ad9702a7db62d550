-- 017_notifications.sql — notifications (issue 13): a hotel's endpoints
-- (a signed webhook, or an email address meant for a role) with the
-- event types each wants, and the transactional outbox of deliveries.
--
-- An AFTER INSERT trigger on `events` (013) queues one delivery per
-- enabled endpoint of the event's hotel whose patterns match its type,
-- inside the writer's transaction: a rolled-back change queues nothing,
-- a committed one is never lost. The notifier service
-- (handlers/notify/notifier_svc.c) is woken by NOTIFY faceclock_notify,
-- claims due rows with FOR UPDATE SKIP LOCKED, delivers and marks them
-- (sent only after the receiver's 2xx / the relay's 250: at least once;
-- receivers dedupe by event id). Failures wait with exponential back-off
-- (notify_rules.c) and end `dead`. Deliveries go with their event when the
-- publisher trims it (7 days) and with their endpoint when it is deleted.
--
-- Patterns (validated by notify_rules.c against the catalogue of
-- docs/api.md "Live events"): a type ("clock.unrostered"), a family
-- ("alert.*") or "*". notification.test is never fanned out: the "send a
-- test" route queues it for one endpoint itself.

CREATE TABLE notification_endpoints (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    kind            text NOT NULL CHECK (kind IN ('webhook', 'email')),
    url             text CHECK (length(url) BETWEEN 1 AND 2000),
    secret_enc      bytea,                  -- the webhook's signing secret, sealed (data key)
    address         text CHECK (length(address) BETWEEN 3 AND 254),
    role            text CHECK (role IN ('manager', 'hr', 'admin')),   -- whom the address is for
    events          text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 32),
    enabled         boolean NOT NULL DEFAULT true,
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_endpoints_kind_fields CHECK (
        (kind = 'webhook' AND url IS NOT NULL AND address IS NULL AND role IS NULL)
        OR (kind = 'email' AND address IS NOT NULL AND url IS NULL AND secret_enc IS NULL))
);
CREATE INDEX notification_endpoints_hotel_idx ON notification_endpoints (hotel_id, id);

CREATE TABLE notification_deliveries (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint_id     bigint NOT NULL REFERENCES notification_endpoints (id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,                -- the receiver's HTTP status or the relay's SMTP code
    last_error      text CHECK (length(last_error) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT notification_deliveries_once UNIQUE (event_id, endpoint_id),
    CONSTRAINT notification_deliveries_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at, id)
    WHERE status IN ('pending', 'failed');
CREATE INDEX notification_deliveries_hotel_idx ON notification_deliveries (hotel_id, id DESC);
CREATE INDEX notification_deliveries_endpoint_idx ON notification_deliveries (endpoint_id);

-- What the notifier did, ever (GET /metrics: faceclock_notification_deliveries_total),
-- counted in the transaction that marks the delivery.
CREATE TABLE notification_counts (
    kind    text NOT NULL,
    result  text NOT NULL CHECK (result IN ('sent', 'failed', 'dead')),
    n       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, result)
);

CREATE FUNCTION fc_notify_fanout() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'notification.test' THEN
        RETURN NULL;
    END IF;
    INSERT INTO notification_deliveries (hotel_id, event_id, endpoint_id, event_type)
    SELECT NEW.hotel_id, NEW.id, e.id, NEW.type
    FROM notification_endpoints e
    WHERE e.hotel_id = NEW.hotel_id AND e.enabled
      AND EXISTS (SELECT 1 FROM unnest(e.events) p
                  WHERE p = NEW.type OR p = '*' OR (right(p, 2) = '.*' AND starts_with(NEW.type, left(p, -1))))
    ORDER BY e.id
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM pg_notify('faceclock_notify', NEW.id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER events_notify_fanout AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION fc_notify_fanout();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON notification_endpoints, notification_deliveries TO faceclock_app;
        GRANT SELECT, INSERT, UPDATE ON notification_counts TO faceclock_app;
        GRANT USAGE ON SEQUENCE notification_endpoints_id_seq, notification_deliveries_id_seq TO faceclock_app;
    END IF;
END $$;

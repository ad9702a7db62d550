-- 026_idempotency.sql — idempotent requests (docs/api.md "Idempotency-Key";
-- handlers/attendance/idempotency.c): the answer a request gave, kept
-- with the key its caller sent for FACECLOCK_IDEMPOTENCY_WINDOW seconds,
-- so a repeat of the request gets that answer again instead of doing the
-- work twice. A key is its caller's (scope: 'kiosk:<id>' or 'user:<id>')
-- within a hotel. The row is written once, with its answer, in the
-- transaction of the work the answer reports (a key's requests are
-- serialised by a transaction lock on its hash, idempotency_store.c;
-- status NULL is no longer written). The scheduler deletes expired rows
-- in batches (expires_at's index); an expired row still present counts as
-- absent.

CREATE TABLE idempotency_keys (
    hotel_id     bigint NOT NULL REFERENCES hotels(id) ON DELETE CASCADE,
    scope        text NOT NULL CHECK (length(scope) <= 40),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    fingerprint  text NOT NULL CHECK (length(fingerprint) = 64),   -- SHA-256 hex of method, path, body
    status       smallint CHECK (status BETWEEN 200 AND 499),
    content_type text,
    body         text,
    headers      text NOT NULL DEFAULT '',                         -- "Name: value" lines
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (hotel_id, scope, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO faceclock_app;
    END IF;
END $$;

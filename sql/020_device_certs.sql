-- 020_device_certs.sql — the client certificates the deployment's CA
-- signed for edge devices (handlers/devices/cert_store.c, docs/iot.md
-- "Certificates"): one row per certificate, kept after it expires or is
-- revoked (the CRL lists the revoked ones until they expire). A device
-- request over mTLS is accepted only while its certificate's row is
-- neither revoked nor expired. And each hotel's device_auth: how its
-- devices authenticate (key: the API key only, the default; key_or_cert;
-- cert: the certificate only).

CREATE TABLE device_certificates (
    id           bigserial PRIMARY KEY,
    device_pk    bigint NOT NULL REFERENCES devices (id),
    serial       text NOT NULL UNIQUE CHECK (serial ~ '^[0-9a-f]{32}$'),   -- 128 bits, lower-case hex
    fingerprint  text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),     -- sha256 of the DER
    not_after    timestamptz NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX device_certificates_device_idx ON device_certificates (device_pk) WHERE revoked_at IS NULL;
CREATE INDEX device_certificates_revoked_idx ON device_certificates (not_after) WHERE revoked_at IS NOT NULL;

ALTER TABLE attendance_settings
    ADD COLUMN device_auth text NOT NULL DEFAULT 'key' CHECK (device_auth IN ('key', 'key_or_cert', 'cert'));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE (revoked_at) ON device_certificates TO faceclock_app;
        GRANT USAGE ON SEQUENCE device_certificates_id_seq TO faceclock_app;
    END IF;
END $$;

-- 001_core.sql — tenants, people, identity, attendance and the face audit
-- log. Every row of tenant data carries hotel_id, and every index that
-- serves a request leads with it. PMS ids are kept as given: (hotel_id, id)
-- is the key of departments, staff and roster shifts.

CREATE FUNCTION fc_valid_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END $$;

CREATE TABLE hotels (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone    text NOT NULL DEFAULT 'UTC' CONSTRAINT hotels_timezone_valid CHECK (fc_valid_timezone(timezone)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE attendance_settings (
    hotel_id                        bigint PRIMARY KEY REFERENCES hotels (id),
    face_attendance_enabled         boolean NOT NULL DEFAULT true,
    face_attendance_min_confidence  double precision NOT NULL DEFAULT 0.85
        CHECK (face_attendance_min_confidence BETWEEN 0 AND 1),
    require_face_consent            boolean NOT NULL DEFAULT true,
    allow_face_self_registration    boolean NOT NULL DEFAULT true,
    face_data_retention_days        integer NOT NULL DEFAULT 365 CHECK (face_data_retention_days >= 1),
    face_attendance_departments     bigint[] NOT NULL DEFAULT '{}',
    break_warning_hours             double precision NOT NULL DEFAULT 6.0,
    overtime_warning_hours          double precision NOT NULL DEFAULT 10.0,
    hard_limit_hours                double precision NOT NULL DEFAULT 12.0,
    enforce_limits                  boolean NOT NULL DEFAULT true,
    clock_in_early_minutes          integer NOT NULL DEFAULT 120 CHECK (clock_in_early_minutes BETWEEN 0 AND 1440),
    duplicate_scan_seconds          integer NOT NULL DEFAULT 60 CHECK (duplicate_scan_seconds BETWEEN 0 AND 86400),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT settings_thresholds_ordered CHECK (
        break_warning_hours > 0 AND break_warning_hours < overtime_warning_hours
        AND overtime_warning_hours < hard_limit_hours AND hard_limit_hours <= 48)
);

CREATE TABLE departments (
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    id          bigint NOT NULL CHECK (id > 0),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, id)
);

CREATE TABLE staff (
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    id              bigint NOT NULL CHECK (id > 0),
    employee_code   text NOT NULL CHECK (length(employee_code) BETWEEN 1 AND 64),
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    department_id   bigint,
    role            text NOT NULL DEFAULT 'staff' CHECK (role IN ('staff', 'manager', 'hr', 'admin')),
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, id),
    CONSTRAINT staff_employee_code_unique UNIQUE (hotel_id, employee_code),
    CONSTRAINT staff_department_fk FOREIGN KEY (hotel_id, department_id) REFERENCES departments (hotel_id, id)
);
CREATE INDEX staff_department_idx ON staff (hotel_id, department_id);

-- login accounts; usernames are unique across all hotels
CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL,
    staff_id        bigint NOT NULL,
    username        text NOT NULL CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_staff_unique UNIQUE (hotel_id, staff_id),
    CONSTRAINT users_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id)
);
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));

-- bearer tokens, stored as SHA-256 of the token
CREATE TABLE auth_tokens (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    client_ip   inet,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);
CREATE INDEX auth_tokens_expires_idx ON auth_tokens (expires_at);

-- failed logins, for slowing down guessing (by user name and by address)
CREATE TABLE auth_failures (
    id      bigserial PRIMARY KEY,
    scope   text NOT NULL CHECK (scope IN ('user', 'ip')),
    key     text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_key_idx ON auth_failures (scope, key, at);

CREATE TABLE kiosks (
    id          bigserial PRIMARY KEY,
    hotel_id    bigint NOT NULL REFERENCES hotels (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash    text NOT NULL,
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX kiosks_hotel_idx ON kiosks (hotel_id, id);

CREATE TABLE roster_shifts (
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    id              bigint NOT NULL CHECK (id > 0),
    staff_id        bigint NOT NULL,
    shift_date      date NOT NULL,
    start_time      time NOT NULL,
    end_time        time NOT NULL,
    location        text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    department_id   bigint,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, id),
    CONSTRAINT roster_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id),
    CONSTRAINT roster_department_fk FOREIGN KEY (hotel_id, department_id) REFERENCES departments (hotel_id, id)
);
CREATE INDEX roster_staff_date_idx ON roster_shifts (hotel_id, staff_id, shift_date);

CREATE TABLE clock_logs (
    id                      bigserial PRIMARY KEY,
    hotel_id                bigint NOT NULL REFERENCES hotels (id),
    staff_id                bigint NOT NULL,
    time_in                 timestamptz NOT NULL,
    time_out                timestamptz,
    roster_shift_id         bigint,
    verified_by_face        boolean NOT NULL DEFAULT false,
    is_unrostered           boolean NOT NULL DEFAULT false,
    is_approved             boolean NOT NULL DEFAULT true,
    approval_note           text,
    approved_by             bigint,
    approved_at             timestamptz,
    long_session_ack_mode   text CHECK (long_session_ack_mode IN ('stay_clocked_in', 'clocked_out')),
    force_reason            text,
    source                  text NOT NULL DEFAULT 'face' CHECK (source IN ('face', 'forced', 'pms', 'manager')),
    created_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clock_logs_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id),
    CONSTRAINT clock_logs_shift_fk FOREIGN KEY (hotel_id, roster_shift_id) REFERENCES roster_shifts (hotel_id, id),
    CONSTRAINT clock_logs_out_after_in CHECK (time_out IS NULL OR time_out >= time_in)
);
-- exactly one open session per person, whatever the kiosks race
CREATE UNIQUE INDEX clock_logs_one_open ON clock_logs (hotel_id, staff_id) WHERE time_out IS NULL;
CREATE UNIQUE INDEX clock_logs_staff_time_in ON clock_logs (hotel_id, staff_id, time_in);
CREATE INDEX clock_logs_hotel_time_idx ON clock_logs (hotel_id, time_in);

-- one face descriptor per person, AES-256-GCM encrypted (nonce || ciphertext || tag)
CREATE TABLE face_data (
    hotel_id        bigint NOT NULL,
    staff_id        bigint NOT NULL,
    descriptor_enc  bytea NOT NULL,
    consent_given   boolean NOT NULL,
    source          text NOT NULL DEFAULT 'kiosk' CHECK (source IN ('kiosk', 'enrollment')),
    registered_by   bigint,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hotel_id, staff_id),
    CONSTRAINT face_data_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id)
);
CREATE INDEX face_data_registered_idx ON face_data (hotel_id, registered_at);

CREATE TABLE face_audit_log (
    id              bigserial PRIMARY KEY,
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    staff_id        bigint NOT NULL,
    action          text NOT NULL CHECK (action IN ('REGISTERED', 'REVOKED', 'RE_REGISTERED', 'FORCED_CLOCK_IN')),
    performed_by    bigint,
    reason          text,
    consent_given   boolean NOT NULL DEFAULT true,
    client_ip       inet,
    user_agent      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT face_audit_staff_fk FOREIGN KEY (hotel_id, staff_id) REFERENCES staff (hotel_id, id)
);
CREATE INDEX face_audit_hotel_created_idx ON face_audit_log (hotel_id, created_at DESC, id DESC);
CREATE INDEX face_audit_staff_idx ON face_audit_log (hotel_id, staff_id, created_at DESC);

-- the audit log is append-only, for every role including the owner
CREATE FUNCTION fc_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'face_audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER face_audit_no_update BEFORE UPDATE OR DELETE ON face_audit_log
    FOR EACH ROW EXECUTE FUNCTION fc_audit_append_only();
CREATE TRIGGER face_audit_no_truncate BEFORE TRUNCATE ON face_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc_audit_append_only();

-- the application's role (made by scripts/stack.sh) gets only what it needs
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON hotels, attendance_settings, departments, staff,
            users, auth_tokens, auth_failures, kiosks, roster_shifts, clock_logs, face_data
            TO faceclock_app;
        GRANT SELECT, INSERT ON face_audit_log TO faceclock_app;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO faceclock_app;
        GRANT SELECT ON schema_migrations TO faceclock_app;
    END IF;
END $$;

-- RFC 3339 in UTC with Z, the API's one timestamp format (STABLE like
-- to_char, so the planner can inline it)
CREATE FUNCTION fc_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

/* routes.c — the route table, the one place that says for every route:
 * its method and whole path, the file that handles it, who may call it,
 * how the hotel is found, what it takes (path captures, query parameters,
 * body fields, each with type, bounds and whether required) and what its
 * handler answers. The router enforces access, tenancy and parameters
 * before a handler runs (fcgi/router.c, fcgi/params.c), and `faceclock
 * openapi` documents exactly this table (fcgi/openapi.c).
 *
 * Answers listed per route are the handler's own; the router's refusals
 * (401, 403 FORBIDDEN, 404 for the hotel or a path id, 400 for a declared
 * parameter, 405, 413, 503 UNAVAILABLE) follow from the entry and are
 * added to the document by the generator. A public route that reads the
 * database lists its 503 UNAVAILABLE itself (the router checks no
 * credential for it), and one nginx rate-limits its 429 RATE_LIMITED.
 * A device route's .scope names the row of the device ACL table
 * (devices/acl_rules.c) a device's tier must allow: the router refuses
 * the others 403 DEVICE_TIER_FORBIDDEN (handlers/app/scope.c), listed
 * among the route's answers. A route declared .reads = READS_STANDBY may
 * have the reads its handler marks (db_read_begin: the exports, Insights,
 * a device's full sync) served by a standby (fcgi/db.h; x-reads in the
 * OpenAPI document). */
#include "app.h"
#include "handlers.h"
#include "router.h"
#include "attendance/descriptor_rules.h"
#include "attendance/idempotency.h"
#include "devices/acl_rules.h"
#include "devices/device_rules.h"

/* who may call */
#define MANAGERS (A_SYSADMIN | A_MANAGER | A_ADMIN)
#define READERS  (A_SYSADMIN | A_MANAGER | A_HR | A_ADMIN)
#define ADMINS   (A_SYSADMIN | A_ADMIN)
/* the dashboard's pages are for a hotel's signed-in users; the system
 * administrator uses the API */
#define PAGE_MANAGERS (A_MANAGER | A_ADMIN | R_PAGE)
#define PAGE_READERS  (A_MANAGER | A_HR | A_ADMIN | R_PAGE)
#define PAGE_USERS    (A_USERS | R_PAGE)

#define PARAMS(...)  ((const struct param[]){__VA_ARGS__, {0}})
#define ANSWERS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* path captures: a bad one is 404 "No such <what>." */
#define HOTEL_SLUG           {"hotel_slug", IN_PATH, PT_SLUG, P_REQUIRED, .doc = "hotel"}
#define PATH_ID(name, what)  {name, IN_PATH, PT_ID, P_REQUIRED, .doc = what}
#define PATH_DEVICE          {"device_id", IN_PATH, PT_STRING, P_REQUIRED, 1, 64, .valid = valid_device_id, .doc = "device"}

#define PATH_LOCATION        {"location_label", IN_PATH, PT_STRING, P_REQUIRED, 1, 200, .doc = "location"}

/* query parameters */
#define Q_HOTEL   {"hotel", IN_QUERY, PT_SLUG, .doc = "The hotel's slug; the system administrator must name it."}
#define Q_PAGE    {"limit", IN_QUERY, PT_INT, 0, 1, 1000, .doc = "Rows per page (default 100)."}, \
                  {"offset", IN_QUERY, PT_INT, 0, 0, 1e9, .doc = "Rows to skip (the Link header's next page sets it)."}
/* a keyset list's page (app/list_store.h): a Link header's cursor */
#define Q_CURSOR  {"cursor", IN_QUERY, PT_STRING, 0, 1, 100, .doc = "A page of the list: the cursor a Link header's rel=\"next\" or rel=\"prev\" names (not with offset)."}
#define Q_FORMAT  {"format", IN_QUERY, PT_STRING, 0, 0, 16, .doc = "csv: every matching row as a CSV export (so does Accept: text/csv)."}
#define Q_ID(name, doc_)    {name, IN_QUERY, PT_ID, .doc = doc_}
#define Q_DATE(name, doc_)  {name, IN_QUERY, PT_DATE, .doc = doc_}
#define Q_BOUND(name, doc_) {name, IN_QUERY, PT_TIME_BOUND, .doc = doc_}
#define Q_TEXT(name, max, doc_) {name, IN_QUERY, PT_STRING, 0, 0, max, .doc = doc_}

/* body fields */
#define B_REQ(name, type, doc_)             {name, IN_BODY, type, P_REQUIRED, .doc = doc_}
#define B_OPT(name, type, doc_)             {name, IN_BODY, type, .doc = doc_}
#define B_TEXT(name, flags, lo, hi, doc_)   {name, IN_BODY, PT_STRING, flags, lo, hi, .doc = doc_}
#define B_DESCRIPTOR \
    {"descriptor", IN_BODY, PT_NUMBERS, P_REQUIRED, 128, 128, .code = "INVALID_FACE_DATA", \
     .valid_nums = descriptor_valid_numbers, \
     .doc = "The face descriptor: exactly 128 finite numbers (face-api.js)."}

/* a device's certificate request: its own checks (csr_rules.c) answer
 * 400 INVALID_CSR, the 8 KiB limit among them */
#define B_CSR(doc_) {"csr", IN_BODY, PT_STRING, 0, 1, 1 << 20, .code = "INVALID_CSR", .doc = doc_}

#define CAPABILITIES ((const char *const[]){"face_recognition", "emotion_monitoring", NULL})
#define B_TIER(doc_) {"tier", IN_BODY, PT_ENUM, .choices = DEVICE_TIER_NAMES, .doc = doc_}

/* shared filter sets (the pages take the API's filters) */
#define AUDIT_FILTERS \
    Q_ID("staff_id", "Only this staff member's rows."), \
    {"action", IN_QUERY, PT_ENUM, .choices = (const char *const[]){"REGISTERED", "REVOKED", "RE_REGISTERED", "FORCED_CLOCK_IN", NULL}, .doc = "Only this action."}, \
    Q_BOUND("from", "From this hotel-local date or instant."), \
    Q_BOUND("to", "Up to this hotel-local date (inclusive) or instant.")
#define ACTION_FILTERS \
    Q_TEXT("actor", 100, "Only this actor's rows (user:<username>, kiosk:<id>, device:<id>, system:admin-key, system:purge, anonymous)."), \
    Q_TEXT("action", 64, "Only this action (settings.changed, kiosk.created, login.failed, ...)."), \
    Q_TEXT("target", 200, "Only rows about this target (staff:<id>, kiosk:<id>, clock_log:<id>, device:<id>, user:<username>)."), \
    Q_BOUND("from", "From this hotel-local date or instant."), \
    Q_BOUND("to", "Up to this hotel-local date (inclusive) or instant.")
#define CLOCK_FILTERS \
    Q_ID("staff_id", "Only this staff member's logs (staff: only their own)."), \
    Q_ID("department_id", "Only this department's logs."), \
    Q_DATE("from", "From this hotel-local date."), \
    Q_DATE("to", "Up to this hotel-local date (inclusive).")
#define INSIGHTS_PERIOD \
    Q_DATE("from", "From this hotel-local date (default: 6 days before to)."), \
    Q_DATE("to", "Up to this hotel-local date, inclusive (default: today); at most 366 days.")
#define STAFF_FILTERS \
    Q_ID("department_id", "Only this department."), \
    {"is_active", IN_QUERY, PT_BOOL, .doc = "Only active (true) or departed (false) staff."}
#define DEVICE_FILTERS \
    {"capability", IN_QUERY, PT_ENUM, .choices = CAPABILITIES, .doc = "Only devices with this capability."}, \
    {"status", IN_QUERY, PT_ENUM, .choices = (const char *const[]){"online", "offline", "provisioning", NULL}, .doc = "Only devices in this status."}, \
    Q_TEXT("location_label", 200, "Only devices at this location.")

#define ALERT_FILTERS \
    {"state", IN_QUERY, PT_ENUM, .choices = (const char *const[]){"open", "acknowledged", "resolved", "active", NULL}, .doc = "Only alerts in this state (active: open or acknowledged)."}, \
    {"rule", IN_QUERY, PT_ENUM, .choices = (const char *const[]){"failed_scans", "unrostered_day", "hard_limit", "overtime", "device_offline", "face_revoked", "revocation_unsynced", NULL}, .doc = "Only this rule's alerts."}, \
    Q_BOUND("from", "Opened from this hotel-local date or instant."), \
    Q_BOUND("to", "Opened up to this hotel-local date (inclusive) or instant.")

#define NOTIFY_KIND \
    {"kind", IN_BODY, PT_ENUM, P_REQUIRED, .choices = (const char *const[]){"webhook", "email", NULL}, .doc = "webhook (a signed POST) or email (through the SMTP relay)."}
#define NOTIFY_FIELDS \
    B_TEXT("url", 0, 1, 2000, "A webhook's http(s) URL: no user name or password, not this server nor a loopback or link-local address (unless FACECLOCK_NOTIFY_ALLOW_PRIVATE=1)."), \
    B_TEXT("address", 0, 3, 254, "An email endpoint's address."), \
    {"role", IN_BODY, PT_ENUM, .choices = (const char *const[]){"manager", "hr", "admin", NULL}, .doc = "Whom an email address is for (informative)."}, \
    {"events", IN_BODY, PT_ARRAY, 0, 1, 32, PT_STRING, .doc = "Event types wanted: a type of the catalogue (clock.unrostered), a family (alert.*) or *. Required at creation."}, \
    B_OPT("enabled", PT_BOOL, "Deliver to it (default true)."), \
    B_TEXT("description", 0, 0, 200, "A note for the hotel's managers.")

/* a configuration's settings (devices/device_config_rules.c checks them) */
#define CONFIG_SETTINGS \
    B_OPT("recognition_threshold", PT_ANY, "A number, 0.3 to 0.8 (default 0.6)."), \
    B_OPT("capture_interval_ms", PT_ANY, "A whole number, 100 to 10000 (default 1000)."), \
    B_OPT("min_face_px", PT_ANY, "A whole number, 40 to 400 (default 80)."), \
    B_OPT("liveness_check", PT_ANY, "true (the default) or false.")

/* the unrostered and safety answers every clock write can give */
#define CLOCK_REFUSALS "403 FACE_DISABLED_FOR_HOTEL", "403 FACE_DISABLED_FOR_DEPARTMENT", "409 ALREADY_CLOCKED_IN"

const struct route app_routes[] = {
    /* ---- runtime ---------------------------------------------------- */
    {.method = "GET", .pattern = "/healthz", .name = "healthz",
     .handler = h_healthz, .src = "app/health.c", .access = A_PUBLIC, .tenant = T_NONE,
     .answers = ANSWERS("200", "503"),
     .summary = "Whether the worker pool and PostgreSQL answer."},
    {.method = "GET", .pattern = "/metrics", .name = "metrics",
     .handler = h_metrics, .src = "app/health.c", .access = A_PUBLIC, .tenant = T_NONE,
     .answers = ANSWERS("200"),
     .summary = "Prometheus text: requests by route and status, latency, database errors, workers."},
    {.method = "GET", .pattern = "/api/openapi.json", .name = "openapi",
     .handler = h_openapi, .src = "app/openapi.c", .access = A_PUBLIC, .tenant = T_NONE,
     .answers = ANSWERS("200"),
     .summary = "This document: every route of the table, generated from it (also `faceclock openapi`)."},
#ifdef FC_TEST_ROUTES
    /* the test build only (Makefile CFLAGS_T): a worker dies on the request */
    {.method = "GET", .pattern = "/api/test/crash", .name = "test.crash",
     .handler = h_test_crash, .src = "app/crash.c", .access = A_SYSADMIN, .tenant = T_NONE,
     .answers = ANSWERS("502"),
     .summary = "Test build only: the worker faults (SIGSEGV) on purpose; nginx answers 502 and the master replaces it."},
#endif

    /* ---- people: sessions, PMS, kiosks, staff ------------------------ */
    {.method = "POST", .pattern = "/api/auth/login", .name = "auth.login",
     .handler = h_login, .src = "people/sessions.c", .access = A_PUBLIC, .tenant = T_NONE,
     .params = PARAMS(B_TEXT("username", P_REQUIRED, 0, 64, "The user's name (unique across hotels)."),
                      B_TEXT("password", P_REQUIRED, 0, 256, "The user's password.")),
     .answers = ANSWERS("200", "401 INVALID_CREDENTIALS", "429 RATE_LIMITED", "503 UNAVAILABLE"),
     .summary = "Sign in: a bearer token (and the dashboard's session cookie)."},
    {.method = "POST", .pattern = "/api/auth/logout", .name = "auth.logout",
     .handler = h_logout, .src = "people/sessions.c", .access = A_USERS, .tenant = T_NONE,
     .answers = ANSWERS("200"),
     .summary = "Revoke the caller's token."},
    {.method = "GET", .pattern = "/api/auth/me", .name = "auth.me",
     .handler = h_me, .src = "people/sessions.c", .access = A_USERS | A_KIOSK, .tenant = T_NONE,
     .answers = ANSWERS("200"),
     .summary = "Who the caller is: a user with role and hotel, or a kiosk of a hotel."},

    {.method = "PUT", .pattern = "/api/staff/hotel/{hotel_slug}/pms-sync/", .name = "pms.sync",
     .handler = h_pms_sync, .src = "people/pms.c", .access = ADMINS, .tenant = T_PATH_CREATE,
     .params = PARAMS(HOTEL_SLUG,
                      B_OPT("hotel", PT_OBJECT, "{name, timezone}: the hotel (created by the system administrator)."),
                      B_OPT("settings", PT_OBJECT, "Any subset of the attendance settings."),
                      B_OPT("departments", PT_ARRAY, "[{id, name}]"),
                      B_OPT("staff", PT_ARRAY, "[{id, employee_code, first_name, last_name, department_id, role, username, password, is_active}]"),
                      B_OPT("roster", PT_ARRAY, "[{id, staff_id, date, start_time, end_time, location, department_id}]"),
                      B_OPT("clock_logs", PT_ARRAY, "[{staff_id, time_in, time_out, roster_shift_id}]")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Upsert a hotel's departments, staff, roster and history from its PMS, all or nothing."},

    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/kiosks/", .name = "kiosks.list",
     .handler = h_kiosks_list, .src = "people/kiosks.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "The hotel's kiosks."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/kiosks/", .name = "kiosks.create",
     .handler = h_kiosks_create, .src = "people/kiosks.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, B_TEXT("name", P_REQUIRED, 1, 100, "The kiosk's name.")),
     .answers = ANSWERS("201"),
     .summary = "Make a kiosk key (shown once, stored hashed)."},
    {.method = "DELETE", .pattern = "/api/staff/hotel/{hotel_slug}/kiosks/{kiosk_id}/", .name = "kiosks.revoke",
     .handler = h_kiosks_revoke, .src = "people/kiosks.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("kiosk_id", "kiosk")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Revoke a kiosk key."},

    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/staff/", .name = "staff.list",
     .handler = h_staff_list, .src = "people/staff.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE, STAFF_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "The hotel's staff with their login and face data status."},

    /* ---- attendance ---------------------------------------------------- */
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/settings/", .name = "settings.get",
     .handler = h_settings_get, .src = "attendance/settings.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG),
     .answers = ANSWERS("200"),
     .summary = "The hotel's attendance settings."},
    {.method = "PATCH", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/settings/", .name = "settings.patch",
     .handler = h_settings_patch, .src = "attendance/settings.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG,
                      B_OPT("face_attendance_enabled", PT_BOOL, "Face clock-in on or off."),
                      B_OPT("face_attendance_min_confidence", PT_NUMBER, "0 to 1 (default 0.85)."),
                      B_OPT("require_face_consent", PT_BOOL, "Registration needs consent_given."),
                      B_OPT("allow_face_self_registration", PT_BOOL, "Staff may register their own face."),
                      B_OPT("face_data_retention_days", PT_INT, "At least 1 (default 365)."),
                      {"face_attendance_departments", IN_BODY, PT_ARRAY, 0, 0, 0, PT_ID, .doc = "Department ids; empty or null: every department."},
                      B_OPT("break_warning_hours", PT_NUMBER, "Below overtime_warning_hours (default 6)."),
                      B_OPT("overtime_warning_hours", PT_NUMBER, "Below hard_limit_hours (default 10)."),
                      B_OPT("hard_limit_hours", PT_NUMBER, "Default 12."),
                      B_OPT("enforce_limits", PT_BOOL, "A session past hard_limit_hours must clock out."),
                      B_OPT("clock_in_early_minutes", PT_INT, "How early before a shift a scan counts (default 120)."),
                      B_OPT("duplicate_scan_seconds", PT_INT, "A scan this soon after clocking in is refused (default 60)."),
                      B_TEXT("auto_close", 0, 1, 16, "Auto-close of forgotten sessions: off (default), shift_end or hard_limit."),
                      B_OPT("auto_close_after_hours", PT_NUMBER, "shift_end: hours after the rostered end (0-24, default 2)."),
                      B_TEXT("device_auth", 0, 1, 16, "How the hotel's devices authenticate: key (default), key_or_cert or cert (docs/iot.md).")),
     .answers = ANSWERS("200"),
     .summary = "Change any subset of the settings (break < overtime < hard)."},

    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/register-face/", .name = "face.register",
     .handler = h_register_face, .src = "attendance/faces.c", .access = A_STAFF | MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, B_DESCRIPTOR,
                      B_OPT("staff_id", PT_ID, "Whom to register (absent: the caller)."),
                      B_OPT("consent_given", PT_ANY, "The person's consent: only true gives it (required when the hotel requires it).")),
     .answers = ANSWERS("201", "403 FACE_DISABLED_FOR_HOTEL", "403 FACE_DISABLED_FOR_DEPARTMENT",
                        "403 SELF_REGISTRATION_DISABLED", "400 CONSENT_REQUIRED", "404 NOT_FOUND"),
     .summary = "Register (or replace) a staff member's face, audited."},
    {.method = "DELETE", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/revoke-face/{staff_id}/", .name = "face.revoke",
     .handler = h_revoke_face, .src = "attendance/faces.c", .access = A_STAFF | MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("staff_id", "staff member"),
                      B_TEXT("reason", P_REQUIRED, 1, 500, "Why (audited).")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Delete a staff member's face data here and, at the next sync, on every device."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/face-clock-in/", .name = "clock.face",
     .handler = h_face_clock_in, .src = "attendance/clock.c", .access = A_KIOSK | A_SYSADMIN, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, B_DESCRIPTOR,
                      B_OPT("force_log", PT_BOOL, "Clock an unrostered person in at once (needs force_reason)."),
                      B_TEXT("force_reason", 0, 0, 500, "Why, for a forced log."), P_IDEMPOTENCY_KEY),
     .answers = ANSWERS("200", "201", "404 FACE_NOT_RECOGNIZED", "403 FACE_CONFIDENCE_TOO_LOW", CLOCK_REFUSALS,
                        "429 RATE_LIMITED", "422 IDEMPOTENCY_KEY_REUSED"),
     .summary = "A kiosk's scan: clock-in, clock-out, or the unrostered prompt."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/unrostered-confirm/", .name = "clock.confirm",
     .handler = h_unrostered_confirm, .src = "attendance/clock.c", .access = A_KIOSK | A_SYSADMIN, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, B_TEXT("confirmation_token", 0, 0, 4096, "The scan's confirmation_token (required)."),
                      P_IDEMPOTENCY_KEY),
     .answers = ANSWERS("201", "404 NOT_FOUND", CLOCK_REFUSALS, "422 IDEMPOTENCY_KEY_REUSED"),
     .summary = "Clock an unrostered person in, pending review."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/force-log/", .name = "clock.force",
     .handler = h_force_log, .src = "attendance/clock.c", .access = A_KIOSK | MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG,
                      B_TEXT("confirmation_token", 0, 0, 4096, "Kiosks: the scan's confirmation_token."),
                      B_TEXT("reason", P_REQUIRED, 1, 500, "Why (audited as FORCED_CLOCK_IN)."),
                      B_OPT("staff_id", PT_ID, "Managers: whom to clock in."), P_IDEMPOTENCY_KEY),
     .answers = ANSWERS("201", "404 NOT_FOUND", CLOCK_REFUSALS, "422 IDEMPOTENCY_KEY_REUSED"),
     .summary = "Force an unrostered clock-in with a reason, pending review."},

    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/", .name = "attendance.clock_logs",
     .handler = h_clocklogs_list, .src = "attendance/clock_logs.c", .access = READERS | A_STAFF, .tenant = T_PATH,
     .reads = READS_STANDBY,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE, CLOCK_FILTERS, Q_FORMAT),
     .answers = ANSWERS("200"),
     .summary = "Clock logs, newest first; JSON pages or a CSV export."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/pending-approval/", .name = "attendance.pending",
     .handler = h_review_pending, .src = "attendance/review.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "Unrostered and forced logs awaiting review."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/{log_id}/approve/", .name = "attendance.approve",
     .handler = h_review_approve, .src = "attendance/review.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("log_id", "clock log"),
                      B_REQ("approved", PT_BOOL, "Approve (true) or reject (false)."),
                      B_TEXT("note", 0, 0, 500, "The reviewer's note.")),
     .answers = ANSWERS("200", "403 SELF_APPROVAL", "404 NOT_FOUND", "409 CONFLICT"),
     .summary = "Approve or reject a log awaiting review (never one's own)."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/currently-clocked-in/", .name = "attendance.clocked_in",
     .handler = h_review_clocked_in, .src = "attendance/review.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "Open sessions with their safety flags as of now."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/{log_id}/long-session-ack/", .name = "attendance.long_session_ack",
     .handler = h_review_long_session_ack, .src = "attendance/review.c", .access = A_KIOSK | MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("log_id", "clock log"),
                      {"mode", IN_BODY, PT_ENUM, P_REQUIRED, .choices = (const char *const[]){"stay_clocked_in", "clocked_out", NULL}, .doc = "Stay clocked in, or clock out now."}),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 CONFLICT", "409 SESSION_TOO_LONG"),
     .summary = "Acknowledge a long session."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/attendance/clock-logs/face-audit-logs/", .name = "attendance.audit",
     .handler = h_audit_list, .src = "attendance/audit.c", .access = READERS, .tenant = T_PATH,
     .reads = READS_STANDBY,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE, Q_CURSOR, AUDIT_FILTERS, Q_FORMAT),
     .answers = ANSWERS("200"),
     .summary = "The face audit log, newest first; JSON pages or a CSV export."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/action-audit-logs/", .name = "audit.actions",
     .handler = h_action_audit_list, .src = "attendance/action_audit.c", .access = READERS, .tenant = T_PATH,
     .reads = READS_STANDBY,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE, Q_CURSOR, ACTION_FILTERS, Q_FORMAT),
     .answers = ANSWERS("200"),
     .summary = "Every audited change that is not a face event (settings, reviews, keys, sign-ins, PMS, "
                "devices), newest first; JSON pages or a CSV export with the audit chain's head."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/insights/", .name = "insights",
     .handler = h_insights, .src = "attendance/insights.c", .access = READERS, .tenant = T_PATH,
     .reads = READS_STANDBY,
     .params = PARAMS(HOTEL_SLUG, INSIGHTS_PERIOD),
     .answers = ANSWERS("200"),
     .summary = "The hotel's Insights over a period: recognition success and confidence, registration "
                "adoption, unrostered frequency, overtime per department, on-time attendance."},
    {.method = "GET", .pattern = "/api/action-audit-logs/", .name = "audit.system_actions",
     .handler = h_action_audit_list, .src = "attendance/action_audit.c", .access = A_SYSADMIN, .tenant = T_NONE,
     .reads = READS_STANDBY,
     .params = PARAMS(Q_PAGE, Q_CURSOR, ACTION_FILTERS, Q_FORMAT),
     .answers = ANSWERS("200"),
     .summary = "The system's audited actions, of no hotel (sign-in failures of unknown names, purge and "
                "rekey runs); JSON pages or a CSV export with that chain's head."},

    /* ---- alerts (attendance/alerts.c) ------------------------------------ */
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/alerts/", .name = "alerts.list",
     .handler = h_alerts_list, .src = "attendance/alerts.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE, ALERT_FILTERS, Q_FORMAT),
     .answers = ANSWERS("200"),
     .summary = "The hotel's alerts, newest first; JSON pages or a CSV export."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/alerts/rules/", .name = "alerts.rules_get",
     .handler = h_alert_rules_get, .src = "attendance/alerts.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG),
     .answers = ANSWERS("200"),
     .summary = "The hotel's alert rules with their thresholds (defaults where unchanged)."},
    {.method = "PATCH", .pattern = "/api/staff/hotel/{hotel_slug}/alerts/rules/", .name = "alerts.rules_patch",
     .handler = h_alert_rules_patch, .src = "attendance/alerts.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG,
                      B_OPT("failed_scans", PT_OBJECT, "{enabled, threshold 2-1000 (5), window_minutes 1-1440 (2), cooldown_minutes 0-1440 (5)}"),
                      B_OPT("unrostered_day", PT_OBJECT, "{enabled, threshold 1-10000 (10)}"),
                      B_OPT("hard_limit", PT_OBJECT, "{enabled}: past the settings' hard_limit_hours."),
                      B_OPT("overtime", PT_OBJECT, "{enabled}: past the settings' overtime_warning_hours."),
                      B_OPT("device_offline", PT_OBJECT, "{enabled, minutes 1-10080 (10)}"),
                      B_OPT("face_revoked", PT_OBJECT, "{enabled}"),
                      B_OPT("revocation_unsynced", PT_OBJECT, "{enabled, minutes 1-10080 (30)}")),
     .answers = ANSWERS("200"),
     .summary = "Change any subset of the alert rules; audited with old and new values."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/alerts/{alert_id}/acknowledge/", .name = "alerts.acknowledge",
     .handler = h_alert_acknowledge, .src = "attendance/alerts.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("alert_id", "alert")),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 CONFLICT"),
     .summary = "Acknowledge an open alert (by the caller), audited."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/alerts/{alert_id}/resolve/", .name = "alerts.resolve",
     .handler = h_alert_resolve, .src = "attendance/alerts.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("alert_id", "alert")),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 CONFLICT"),
     .summary = "Resolve an open or acknowledged alert by hand, audited."},

    /* ---- notifications (notify/notifications.c) ----------------------- */
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/endpoints/", .name = "notifications.endpoints_list",
     .handler = h_notify_endpoints_list, .src = "notify/notifications.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "The hotel's notification endpoints (webhooks and email addresses), oldest first; never a secret."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/endpoints/", .name = "notifications.endpoints_create",
     .handler = h_notify_endpoint_create, .src = "notify/notifications.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, NOTIFY_KIND, NOTIFY_FIELDS),
     .answers = ANSWERS("201"),
     .summary = "Add an endpoint; a webhook's signing secret is in this answer only. Audited."},
    {.method = "PATCH", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/endpoints/{endpoint_id}/", .name = "notifications.endpoints_patch",
     .handler = h_notify_endpoint_patch, .src = "notify/notifications.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("endpoint_id", "notification endpoint"), NOTIFY_FIELDS),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Change any of an endpoint's fields (not its kind); audited with old and new values."},
    {.method = "DELETE", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/endpoints/{endpoint_id}/", .name = "notifications.endpoints_delete",
     .handler = h_notify_endpoint_delete, .src = "notify/notifications.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("endpoint_id", "notification endpoint")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Delete an endpoint and its deliveries (the answer: the endpoint as it was); audited."},
    {.method = "POST", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/endpoints/{endpoint_id}/test/", .name = "notifications.endpoints_test",
     .handler = h_notify_endpoint_test, .src = "notify/notifications.c", .access = MANAGERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, PATH_ID("endpoint_id", "notification endpoint")),
     .answers = ANSWERS("202", "404 NOT_FOUND"),
     .summary = "Queue a notification.test delivery to this endpoint alone (the answer is the delivery); audited."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/notifications/deliveries/", .name = "notifications.deliveries",
     .handler = h_notify_deliveries_list, .src = "notify/notifications.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG, Q_PAGE,
                      Q_ID("endpoint_id", "Only this endpoint's deliveries."),
                      {"status", IN_QUERY, PT_ENUM, .choices = (const char *const[]){"pending", "sent", "failed", "dead", NULL}, .doc = "Only deliveries in this status."},
                      Q_TEXT("event_type", 64, "Only deliveries of this event type (alert.raised, ...)."),
                      Q_BOUND("from", "Queued from this hotel-local date or instant."),
                      Q_BOUND("to", "Queued up to this hotel-local date (inclusive) or instant.")),
     .answers = ANSWERS("200"),
     .summary = "The delivery log: what was sent, what failed (last_error) and what is due again, newest first."},

    /* ---- devices: enrollment, push and sync, registry, events ------------ */
    {.method = "POST", .pattern = "/api/enrollment/capture", .name = "enrollment.capture",
     .handler = h_enrollment_capture, .src = "devices/enrollment.c", .access = MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL,
                      B_TEXT("userId", P_REQUIRED, 1, 64, "The staff member's employee code."),
                      B_OPT("consent_given", PT_ANY, "The person's consent: only true gives it (required when the hotel requires it)."),
                      {"captures", IN_BODY, PT_ARRAY, P_REQUIRED, 5, 5, .doc = "[{pose, imageData, descriptor}] for front, left, right, up and down."}),
     .answers = ANSWERS("201", "400 INVALID_FACE_DATA", "400 CONSENT_REQUIRED", "403 FACE_DISABLED_FOR_HOTEL",
                        "403 FACE_DISABLED_FOR_DEPARTMENT", "404 NOT_FOUND", "413 PAYLOAD_TOO_LARGE",
                        "422 INCONSISTENT_CAPTURES"),
     .summary = "Enroll a person from five poses: thumbnail, mean embedding, face data."},
    {.method = "GET", .pattern = "/api/enrollment/{employee_id}", .name = "enrollment.get",
     .handler = h_enrollment_get, .src = "devices/enrollment.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS({"employee_id", IN_PATH, PT_STRING, P_REQUIRED, 1, 64, .doc = "employee"}, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A person's enrollment: status, thumbnail, devices holding it."},

    {.method = "POST", .pattern = "/api/iot/enrollments/push", .name = "iot.push",
     .handler = h_push, .src = "devices/push.c", .access = MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL,
                      B_TEXT("employee_id", P_REQUIRED, 1, 64, "The employee code whose profile is pushed."),
                      {"push_mode", IN_BODY, PT_ENUM, .choices = (const char *const[]){"selected", "all", "location", NULL}, .doc = "selected (the default), all or location."},
                      B_OPT("target_devices", PT_ARRAY, "selected: 1 to 1000 device ids (required)."),
                      B_TEXT("location_label", 0, 1, 200, "location: the devices' location (required).")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Push a face profile to devices; per-device results."},
    {.method = "GET", .pattern = "/api/iot/enrollments/sync", .name = "iot.sync",
     .handler = h_sync, .src = "devices/sync.c", .access = A_DEVICE, .tenant = T_CALLER,
     .reads = READS_STANDBY,
     .scope = "sync",
     .params = PARAMS({"device_id", IN_QUERY, PT_STRING, P_REQUIRED, 1, 64, .doc = "The calling device's own id."},
                      {"since_version", IN_QUERY, PT_INT, 0, 0, P_NO_MAX, .doc = "The version the device holds (0: full sync)."},
                      Q_TEXT("model", 64, "The device's embedding model."),
                      {"applied_version", IN_QUERY, PT_INT, 0, 0, P_NO_MAX, .doc = "Its receipt: the version it has applied, 0 to the hotel's version (docs/iot.md \"Receipts\")."}),
     .answers = ANSWERS("200", "400 VALIDATION_ERROR", "404 NOT_FOUND", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "What a device must add and remove since its version."},

    {.method = "POST", .pattern = "/api/iot/devices", .name = "devices.create",
     .handler = h_devices_create, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL,
                      {"device_id", IN_BODY, PT_STRING, P_REQUIRED, 1, 64, .valid = valid_device_id, .doc = "The device's id: 1 to 64 of A-Z a-z 0-9 . _ : -, from a letter or digit (cam-001)."},
                      B_TEXT("display_name", P_REQUIRED, 1, 200, "Its name."),
                      B_TEXT("device_category", 0, 1, 64, "Its category."),
                      {"capability", IN_BODY, PT_ENUM, .choices = CAPABILITIES, .doc = "What it does."},
                      B_TEXT("location_label", 0, 0, 200, "Where it is."),
                      {"location_geo", IN_BODY, PT_ARRAY, 0, 2, 2, PT_NUMBER, .valid_json = valid_device_geo, .doc = "[longitude, latitude]"},
                      B_TEXT("serial_number", 0, 0, 64, "Its serial number, as printed on it (\"\": none)."),
                      B_TEXT("mac_address", 0, 0, 64, "Its MAC address, as printed on it (\"\": none)."),
                      B_TIER("Its ACL tier: camera (the default), display or gateway (docs/iot.md \"ACL tiers\")."),
                      B_OPT("provision", PT_BOOL, "false: into the inventory without a token (UNALLOCATED, or ALLOCATED with a location_label); true (the default): PROVISIONING with a token.")),
     .answers = ANSWERS("201", "409 CONFLICT"),
     .summary = "Register an edge device; a one-time provisioning token (5 minutes)."},
    {.method = "GET", .pattern = "/api/iot/devices", .name = "devices.list",
     .handler = h_devices_list, .src = "devices/devices.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL, Q_PAGE, DEVICE_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "The hotel's devices with connectivity counts."},
    {.method = "POST", .pattern = "/api/iot/devices/provision", .name = "devices.provision",
     .handler = h_devices_provision, .src = "devices/devices.c", .access = A_PUBLIC, .tenant = T_NONE,
     .params = PARAMS(B_TEXT("device_id", P_REQUIRED, 0, 64, "The device's id."),
                      B_TEXT("provisioning_token", P_REQUIRED, 0, 128, "The one-time token."),
                      B_CSR("Optional: the device's certificate request (PEM or base64 DER PKCS#10, CN = device_id); "
                            "the answer then carries its client certificate (docs/iot.md \"Certificates\").")),
     .answers = ANSWERS("200", "400 INVALID_CSR", "403 FORBIDDEN", "429 RATE_LIMITED", "503 UNAVAILABLE"),
     .summary = "Trade a provisioning token for the device's key, once."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/provisioning-token", .name = "devices.token",
     .handler = h_devices_token, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("201", "404 NOT_FOUND", "409 INVALID_TRANSITION"),
     .summary = "A new provisioning token for a device."},
    {.method = "DELETE", .pattern = "/api/iot/devices/{device_id}", .name = "devices.deactivate",
     .handler = h_devices_deactivate, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Deactivate (decommission) a device and its key."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/allocate", .name = "devices.allocate",
     .handler = h_devices_allocate, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL,
                      B_TEXT("location_label", P_REQUIRED, 1, 200, "Where it is placed."),
                      {"location_geo", IN_BODY, PT_ARRAY, 0, 2, 2, PT_NUMBER, .valid_json = valid_device_geo, .doc = "[longitude, latitude]"},
                      B_TIER("Its ACL tier, if it changes: camera, display or gateway.")),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 INVALID_TRANSITION"),
     .summary = "Place a device at a location (UNALLOCATED or ALLOCATED → ALLOCATED)."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/disable", .name = "devices.disable",
     .handler = h_devices_disable, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 INVALID_TRANSITION"),
     .summary = "Disable a device: its keys revoked at once (→ DISABLED)."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/enable", .name = "devices.enable",
     .handler = h_devices_enable, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 INVALID_TRANSITION"),
     .summary = "Re-enable a disabled device (→ ALLOCATED: it needs a new provisioning token)."},
    {.method = "DELETE", .pattern = "/api/iot/devices/{device_id}/error", .name = "devices.clear_error",
     .handler = h_devices_clear_error, .src = "devices/devices.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND", "409 INVALID_TRANSITION"),
     .summary = "Clear a device's reported error (ERROR → ACTIVE)."},
    {.method = "PUT", .pattern = "/api/iot/devices/{device_id}/tier", .name = "devices.tier",
     .handler = h_device_tier_put, .src = "devices/acl.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL,
                      {"tier", IN_BODY, PT_ENUM, P_REQUIRED, .choices = DEVICE_TIER_NAMES, .doc = "camera, display or gateway (docs/iot.md \"ACL tiers\")."}),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Change a device's ACL tier: faceclock's routes at once, the broker's ACL at its reload; audited."},
    {.method = "GET", .pattern = "/api/iot/devices/{device_id}/acl", .name = "devices.acl",
     .handler = h_device_acl, .src = "devices/acl.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A device's tier and its effective rules [{via, action, topic, allow}] (HTTP routes and MQTT topics)."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/certificate", .name = "devices.certificate",
     .handler = h_devices_certificate, .src = "devices/devices.c", .access = A_DEVICE, .tenant = T_CALLER,
     .scope = "certificate",
     .params = PARAMS(PATH_DEVICE, B_CSR("A new certificate request of the device (PEM or base64 DER PKCS#10, CN = device_id).")),
     .answers = ANSWERS("201", "400 INVALID_CSR", "404 NOT_FOUND", "503 UNAVAILABLE", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "A device renews its client certificate; the earlier one stays valid until it expires."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/heartbeat", .name = "devices.heartbeat",
     .handler = h_devices_heartbeat, .src = "devices/devices.c", .access = A_DEVICE, .tenant = T_CALLER,
     .scope = "heartbeat",
     .params = PARAMS(PATH_DEVICE, B_TEXT("error", 0, 0, 1000, "The device's last error, if any (the body is optional)."),
                      B_OPT("firmware_version", PT_ANY, "Optional metric: text, at most 64 characters."),
                      B_OPT("uptime_seconds", PT_ANY, "Optional metric: a whole number, 0 to 315576000 (ten years)."),
                      B_OPT("temperature_c", PT_ANY, "Optional metric: a number, -40 to 125."),
                      B_OPT("free_storage_mb", PT_ANY, "Optional metric: a whole number, 0 to 10000000."),
                      B_OPT("profile_count", PT_ANY, "Optional metric: a whole number, 0 to 1000000."),
                      B_OPT("applied_version", PT_ANY, "Optional receipt: the version it has applied, a whole number 0 to the hotel's version."),
                      B_OPT("applied_config_version", PT_ANY, "Optional receipt: the config_version it has applied, a whole number 0 to its config_version.")),
     .answers = ANSWERS("200", "400 VALIDATION_ERROR", "404 NOT_FOUND", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "A device says it is alive, with optional metrics (kept: the last 1000) and its receipt."},
    {.method = "GET", .pattern = "/api/iot/devices/{device_id}/metrics", .name = "devices.metrics",
     .handler = h_device_metrics, .src = "devices/metrics.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL,
                      Q_BOUND("from", "From this hotel-local date or instant."),
                      Q_BOUND("to", "Up to this hotel-local date (inclusive) or instant.")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A device's heartbeat metrics, oldest first (at most the last 1000 samples)."},
    {.method = "GET", .pattern = "/api/iot/devices/{device_id}/config", .name = "devices.config",
     .handler = h_device_config_get, .src = "devices/config.c", .access = READERS | A_DEVICE, .tenant = T_CALLER,
     .scope = "config",
     .params = PARAMS(PATH_DEVICE, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "A device's configuration and its version (the device reads its own)."},
    {.method = "PUT", .pattern = "/api/iot/devices/{device_id}/config", .name = "devices.config_put",
     .handler = h_device_config_put, .src = "devices/config.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL,
                      CONFIG_SETTINGS),
     .answers = ANSWERS("200", "400 VALIDATION_ERROR", "404 NOT_FOUND"),
     .summary = "Replace a device's own settings (absent ones come from its location's, else the defaults; an unknown key is refused); audited."},
    {.method = "GET", .pattern = "/api/iot/locations/{location_label}/config", .name = "locations.config",
     .handler = h_location_config_get, .src = "devices/config.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_LOCATION, Q_HOTEL),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A location's configuration and its version (a location: a device in service placed there, or settings)."},
    {.method = "PUT", .pattern = "/api/iot/locations/{location_label}/config", .name = "locations.config_put",
     .handler = h_location_config_put, .src = "devices/config.c", .access = MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_LOCATION, Q_HOTEL, CONFIG_SETTINGS),
     .answers = ANSWERS("200", "400 VALIDATION_ERROR", "404 NOT_FOUND"),
     .summary = "Replace a location's settings, under each device's own there (every device's config_version moves); audited."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/actions", .name = "devices.actions_create",
     .handler = h_device_actions_create, .src = "devices/actions.c", .access = ADMINS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL,
                      {"action", IN_BODY, PT_ENUM, P_REQUIRED, .choices = (const char *const[]){"sync_now", "restart", "send_logs", NULL}, .doc = "sync_now, restart or send_logs."}),
     .answers = ANSWERS("201", "404 NOT_FOUND"),
     .summary = "Queue an action for a device: delivered with its heartbeats until it acknowledges it; audited."},
    {.method = "GET", .pattern = "/api/iot/devices/{device_id}/actions", .name = "devices.actions_list",
     .handler = h_device_actions_list, .src = "devices/actions.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_DEVICE, Q_HOTEL, Q_PAGE),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A device's actions with their status (queued, delivered, acknowledged), newest first."},
    {.method = "POST", .pattern = "/api/iot/devices/{device_id}/actions/{action_id}/ack", .name = "devices.actions_ack",
     .handler = h_device_actions_ack, .src = "devices/actions.c", .access = A_DEVICE, .tenant = T_CALLER,
     .scope = "action_ack",
     .params = PARAMS(PATH_DEVICE, PATH_ID("action_id", "action"),
                      {"result", IN_BODY, PT_ENUM, .choices = (const char *const[]){"done", "failed", NULL}, .doc = "How it went (default done); 3 failed in a row put the device in ERROR."},
                      B_TEXT("error", 0, 1, 500, "What went wrong, with result failed.")),
     .answers = ANSWERS("200", "400 VALIDATION_ERROR", "404 NOT_FOUND", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "A device acknowledges one of its actions, done or failed (again: no change); audited."},
    {.method = "GET", .pattern = "/api/iot/revocations", .name = "revocations.list",
     .handler = h_revocations_list, .src = "devices/receipts.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL, Q_PAGE,
                      {"pending", IN_QUERY, PT_BOOL, .doc = "Only revocations some device still holds (true) or that every device has applied (false)."},
                      Q_ID("staff_id", "Only this staff member's revocations.")),
     .answers = ANSWERS("200"),
     .summary = "Face revocations and the devices that still hold each (receipts), newest first."},
    {.method = "POST", .pattern = "/api/iot/events", .name = "events.create",
     .handler = h_events_create, .src = "devices/events.c", .access = A_DEVICE, .tenant = T_CALLER,
     .scope = "events",
     .params = PARAMS({"event_id", IN_BODY, PT_STRING, P_REQUIRED, 0, 100, .valid = valid_event_id, .doc = "EV1-{epoch ms}-{4 to 64 letters or digits}; a repeat is answered 200 and stored once."},
                      {"event_type", IN_BODY, PT_ENUM, .choices = (const char *const[]){"face_recognition", NULL}, .doc = "face_recognition (the default)."},
                      {"event_timestamp", IN_BODY, PT_STRING, P_REQUIRED, 0, 64, .valid = valid_event_timestamp, .doc = "RFC 3339, from 1970 on."},
                      B_TEXT("employee_id", 0, 1, 64, "Whom the device recognised."),
                      {"metadata", IN_BODY, PT_OBJECT, .valid_json = valid_event_metadata, .doc = "Anything the device adds (at most 16 KiB)."},
                      B_TEXT("device_id", 0, 0, 64, "The calling device's own id.")),
     .answers = ANSWERS("200", "201", "404 NOT_FOUND", "403 DEVICE_TIER_FORBIDDEN"),
     .summary = "A device reports a face-recognition event."},
    {.method = "GET", .pattern = "/api/iot/events", .name = "events.list",
     .handler = h_events_list, .src = "devices/events.c", .access = READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_HOTEL, Q_PAGE,
                      {"device_id", IN_QUERY, PT_STRING, 0, 1, 64, .valid = valid_device_id, .doc = "Only this device's events."},
                      {"employee_id", IN_QUERY, PT_STRING, 0, 1, 64, .doc = "Only this employee's events."},
                      Q_BOUND("from", "From this hotel-local date or instant."),
                      Q_BOUND("to", "Up to this hotel-local date (inclusive) or instant.")),
     .answers = ANSWERS("200"),
     .summary = "The hotel's device events, newest first."},

    /* ---- live events: nginx's nchan asks these before it lets a
     * subscriber in (nginx/faceclock.conf.in); the stream itself is nchan's */
    {.method = "GET", .pattern = "/api/events/hotel/{hotel_slug}", .name = "live.hotel",
     .handler = h_live_hotel, .src = "live/subscribe.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG),
     .answers = ANSWERS("200"),
     .summary = "Subscribe to the hotel's live events (Server-Sent Events or WebSocket, through nchan)."},
    {.method = "GET", .pattern = "/api/events/kiosk/{kiosk_id}", .name = "live.kiosk",
     .handler = h_live_kiosk, .src = "live/subscribe.c", .access = A_KIOSK, .tenant = T_CALLER,
     .params = PARAMS(PATH_ID("kiosk_id", "kiosk")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A kiosk subscribes to its own live events (clock in/out there)."},
    {.method = "GET", .pattern = "/api/staff/hotel/{hotel_slug}/events/", .name = "live.catchup",
     .handler = h_live_catchup, .src = "live/catchup.c", .access = READERS, .tenant = T_PATH,
     .params = PARAMS(HOTEL_SLUG,
                      {"after", IN_QUERY, PT_INT, P_REQUIRED, 0, 9007199254740991.0,
                       .doc = "The last event id the client holds (0: from the oldest kept)."},
                      {"limit", IN_QUERY, PT_INT, 0, 1, 1000, .doc = "Events per page (default 200)."}),
     .answers = ANSWERS("200"),
     .summary = "Catch up: the hotel's events after an id, from the outbox, in id order and the live "
                "messages' shape; has_more and next page on, gap says some were trimmed (reload)."},

    /* ---- pages (HTML; errors as pages, sign-in redirects) ----------------- */
    {.method = "GET", .pattern = "/dashboard/login", .name = "page.login",
     .handler = h_page_login, .src = "pages/login.c", .access = A_PUBLIC | R_PAGE, .tenant = T_NONE,
     .params = PARAMS(Q_TEXT("next", 2048, "Where to go after signing in (a dashboard path)."),
                      Q_TEXT("logged_out", 16, "Present after signing out.")),
     .answers = ANSWERS("200"),
     .summary = "The sign-in form."},
    {.method = "GET", .pattern = "/dashboard/logout", .name = "page.logout",
     .handler = h_page_logout, .src = "pages/login.c", .access = PAGE_USERS, .tenant = T_CALLER,
     .answers = ANSWERS("200"),
     .summary = "Sign out."},
    {.method = "GET", .pattern = "/dashboard/", .name = "page.board",
     .handler = h_page_board, .src = "pages/board.c", .access = PAGE_USERS, .tenant = T_CALLER,
     .answers = ANSWERS("200", "303"),
     .summary = "The manager's board: who is clocked in, today's counts, the week's chart."},
    {.method = "GET", .pattern = "/dashboard/approvals", .name = "page.approvals",
     .handler = h_page_approvals, .src = "pages/approvals.c", .access = PAGE_MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "Logs awaiting review."},
    {.method = "GET", .pattern = "/dashboard/staff", .name = "page.staff",
     .handler = h_page_staff, .src = "pages/staff.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, STAFF_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "The hotel's staff and their face data."},
    {.method = "GET", .pattern = "/dashboard/audit", .name = "page.audit",
     .handler = h_page_audit, .src = "pages/audit.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, AUDIT_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "The face audit log."},
    {.method = "GET", .pattern = "/dashboard/clock-logs", .name = "page.clock_logs",
     .handler = h_page_clock_logs, .src = "pages/clock_logs.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, CLOCK_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "Clock logs."},
    {.method = "GET", .pattern = "/dashboard/insights", .name = "page.insights",
     .handler = h_page_insights, .src = "pages/insights.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(INSIGHTS_PERIOD),
     .answers = ANSWERS("200"),
     .summary = "Insights: the API's figures over a period, with charts."},
    {.method = "GET", .pattern = "/dashboard/settings", .name = "page.settings",
     .handler = h_page_settings, .src = "pages/settings.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .answers = ANSWERS("200"),
     .summary = "The attendance settings form."},
    {.method = "GET", .pattern = "/dashboard/kiosks", .name = "page.kiosks",
     .handler = h_page_kiosks, .src = "pages/kiosks.c", .access = PAGE_MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE),
     .answers = ANSWERS("200"),
     .summary = "Kiosks: make and revoke keys."},
    {.method = "GET", .pattern = "/dashboard/devices", .name = "page.devices",
     .handler = h_page_devices, .src = "pages/devices.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, DEVICE_FILTERS,
                      {"device", IN_QUERY, PT_STRING, 0, 1, 64, .valid = valid_device_id, .doc = "Chart this device's heartbeat metrics."}),
     .answers = ANSWERS("200"),
     .summary = "Edge devices and their status."},
    {.method = "GET", .pattern = "/dashboard/alerts", .name = "page.alerts",
     .handler = h_page_alerts, .src = "pages/alerts.c", .access = PAGE_READERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, ALERT_FILTERS),
     .answers = ANSWERS("200"),
     .summary = "Alerts (open and acknowledged unless filtered), acknowledge and resolve."},
    {.method = "GET", .pattern = "/dashboard/staff/{staff_id}/register", .name = "page.staff_register",
     .handler = h_page_staff_register, .src = "pages/register.c", .access = PAGE_MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(PATH_ID("staff_id", "staff member")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "Register a staff member's face from the camera."},
    {.method = "GET", .pattern = "/dashboard/me", .name = "page.me",
     .handler = h_page_me, .src = "pages/me.c", .access = PAGE_USERS, .tenant = T_CALLER,
     .params = PARAMS(Q_PAGE, Q_DATE("from", "My logs from this hotel-local date."),
                      Q_DATE("to", "My logs up to this hotel-local date (inclusive)."),
                      Q_TEXT("done", 16, "withdrawn: back from withdrawing consent.")),
     .answers = ANSWERS("200", "404 NOT_FOUND"),
     .summary = "A user's own page: logs, face registration, consent."},
    {.method = "GET", .pattern = "/enroll/", .name = "page.enroll",
     .handler = h_page_enroll, .src = "pages/enroll.c", .access = PAGE_MANAGERS, .tenant = T_CALLER,
     .params = PARAMS(Q_TEXT("employee", 64, "Preselect this employee code.")),
     .answers = ANSWERS("200"),
     .summary = "Enrollment: five guided poses, then deployment to devices."},
};

const int app_nroutes = (int)(sizeof app_routes / sizeof app_routes[0]);

/* clock.c — the kiosk's scan (contract 5.5) and the unrostered flow
 * (5.6): POST .../clock-logs/face-clock-in/, .../unrostered-confirm/ and
 * .../force-log/. Each validates, finds the person (matching runs in
 * memory against the hotel view: face_cache_store.c, match_rules.c),
 * reads their live state (clock_store.c), decides (clock_rules.c), does
 * it (clock_store.c) and answers. A scan a kiosk sends while throttled
 * is refused 429 before anything is written: a refusal reads the
 * throttle first, a match reads it with the person's state (one round
 * trip) and counts nothing while it holds. A scan refused as not
 * recognised or not confident enough writes only its count toward the
 * kiosk's probing alert and throttle (alert_store.c); other refusals
 * write nothing. An unrostered clock-in is counted toward the day's alert in
 * its own transaction. A scan, a confirmation or a forced log with an
 * Idempotency-Key runs once per key (idempotency.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "alert_store.h"
#include "auth.h"
#include "clock_rules.h"
#include "clock_store.h"
#include "config.h"
#include "crypto.h"
#include "ctoken_rules.h"
#include "db.h"
#include "face_cache_store.h"
#include "face_store.h"
#include "idempotency.h"
#include "app/counters.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "log.h"
#include "metrics.h"
#include "people/staff_rules.h"
#include "response.h"
#include "safety_rules.h"
#include "settings_rules.h"
#include "validate.h"


/* The matched (or named) person: who, from the hotel view, and their live
 * state, read at the view's version. */
struct person {
    long long staff_id;
    const char *first_name;
    const char *name;              /* "First Last" */
    long long department_id;       /* 0 = none */
    const char *department;        /* NULL = none */
    const struct hotel_view *view; /* borrowed: names of the shifts' departments */
    struct clock_state st;         /* owned: person_free() */
};

static void person_free(struct person *p)
{
    clock_state_free(&p->st);
}

/* Who p is, from a view at the version its state was read at. */
static void person_identify(struct person *p, const struct hotel_view *v, const struct cached_staff *s,
                            struct pool *pool)
{
    p->view = v;
    p->first_name = s->first_name;
    p->name = staff_display_name(pool, s->first_name, s->last_name);
    p->department_id = s->department_id;
    p->department = hotel_view_department(v, s->department_id);
}

/* shift_info of the answer: the shift on row i of p's state. */
static struct json_object *shift_json(const struct person *p, int i)
{
    return clock_shift_json(&p->st, i, p->department_id, p->view);
}

/* The enhanced clock-in/out answer (contract 5.5); f NULL on a clock-in.
 * Takes log and shift_info. */
static struct json_object *clock_answer(const struct person *p, const char *action, int rostered,
                                        struct json_object *shift_info, const struct safety_flags *f,
                                        struct json_object *log, double confidence, struct pool *pool)
{
    struct json_object *o = json_object_new_object();
    int out = strcmp(action, "CLOCK_OUT") == 0;
    jx_add_str(o, "message", pool_printf(pool, "Clock-%s successful for %s", out ? "out" : "in", p->name));
    jx_add_int(o, "staff_id", p->staff_id);
    jx_add_str(o, "staff_name", p->name);
    jx_add_str(o, "action", action);
    jx_add_bool(o, "is_rostered", rostered);
    json_object_object_add(o, "shift_info", shift_info);
    safety_flags_json(o, f);
    json_object_object_add(o, "log", log);
    if (confidence >= 0)
        jx_add_double(o, "confidence", confidence, 3);
    else
        json_object_object_add(o, "confidence", NULL);     /* no scan: a token or a manager */
    return o;
}

/* Open p's session (clock_session: shift_id, by_face, unrostered,
 * reason), recorded as the caller's kiosk's when it is one. Returns the
 * result (LOG_COLS), or NULL after answering (409 when one is already
 * open, else the database failure). */
static PGresult *open_session_or_reply(struct request *req, const struct person *p, long long shift_id,
                                       int by_face, int unrostered, const char *reason)
{
    struct clock_session s = {shift_id, by_face, unrostered, reason,
                              identity_of(req)->kind == CALLER_KIOSK ? identity_of(req)->kiosk_id : 0};
    PGresult *r = clock_session_open(req->tenant.id, p->staff_id, &s);
    if (r == NULL) {
        if (db_last_status() == DB_UNIQUE)
            resp_error(req, 409, "ALREADY_CLOCKED_IN", "%s is already clocked in.", p->name);
        else
            db_fail_reply(req);
    }
    return r;
}

/* A rostered clock-in on p's shift k. */
static void clock_in_rostered(struct request *req, const struct person *p, int k, double confidence)
{
    PGresult *r = open_session_or_reply(req, p, p->st.shifts[k].id, 1, 0, NULL);
    if (r == NULL)
        return;
    struct json_object *log = log_json(r, 0, 0);
    PQclear(r);
    resp_json(req, 201, clock_answer(p, "CLOCK_IN", 1, shift_json(p, p->st.shift_row[k]), NULL, log,
                                     confidence, req->pool));
}

static void clock_out(struct request *req, const struct person *p, const struct attendance_settings *s,
                      double confidence)
{
    struct safety_thresholds t;
    struct safety_flags f;
    double planned = 0;
    int shift_row = p->st.open_shift_row;

    PGresult *r = clock_session_close(req->tenant.id, p->st.open_log_id);
    if (r == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {        /* another scan closed it a moment ago */
        PQclear(r);
        resp_error(req, 409, "ALREADY_CLOCKED_IN", "%s was clocked out a moment ago.", p->name);
        return;
    }
    if (shift_row >= 0)
        planned = shift_planned_hours(&p->st.open_shift);
    settings_thresholds(s, &t);
    safety_compute(log_seconds(r, 0, 0), planned, &t, &f);
    struct json_object *log = log_json(r, 0, 0), *shift_info = shift_row >= 0 ? shift_json(p, shift_row) : NULL;
    PQclear(r);
    resp_json(req, 200, clock_answer(p, "CLOCK_OUT", shift_row >= 0, shift_info, &f, log, confidence,
                                     req->pool));
}

/* The key confirmation tokens are signed with, derived from the key
 * hashing key (FACECLOCK_KEY_HASH_KEY, by default the data key). */
static const unsigned char *token_key(void)
{
    static unsigned char key[32];
    static int ready;
    if (!ready && g_config.has_hash_key &&
        crypto_subkey(g_config.hash_key, "faceclock confirmation tokens v1", key) == 0)
        ready = 1;
    return ready ? key : NULL;
}

static void unrostered_detected(struct request *req, const struct person *p, double confidence)
{
    const unsigned char *key = token_key();
    char token[CTOKEN_MAX];
    long long expires = (long long)time(NULL) + CTOKEN_TTL;

    if (key == NULL || ctoken_make(key, req->tenant.id, p->staff_id, expires, token) < 0) {
        log_error("cannot sign a confirmation token (FACECLOCK_DATA_KEY set?)");
        resp_error(req, 503, "UNAVAILABLE", "Confirmation tokens cannot be issued right now.");
        return;
    }
    const char *base = pool_printf(req->pool, "/api/staff/hotel/%s/attendance/clock-logs/", req->tenant.slug);
    struct json_object *o = json_object_new_object(), *staff = json_object_new_object();
    jx_add_str(o, "action", "unrostered_detected");
    jx_add_str(o, "code", "NOT_ROSTERED");
    jx_add_str(o, "message", pool_printf(req->pool,
               "No scheduled shift found for %s. Please confirm if you want to clock in anyway.",
               p->first_name));
    jx_add_int(staff, "id", p->staff_id);
    jx_add_str(staff, "name", p->name);
    jx_add_str(staff, "department", p->department);
    json_object_object_add(o, "staff", staff);
    jx_add_bool(o, "requires_confirmation", 1);
    jx_add_bool(o, "force_log_available", 1);
    jx_add_str(o, "confirmation_endpoint", pool_printf(req->pool, "%sunrostered-confirm/", base));
    jx_add_str(o, "force_log_endpoint", pool_printf(req->pool, "%sforce-log/", base));
    jx_add_str(o, "confirmation_token", token);
    jx_add_int(o, "confirmation_expires_in", CTOKEN_TTL);
    jx_add_double(o, "confidence", confidence, 3);
    resp_json(req, 200, o);
}

/* Open an unrostered session pending review: after a confirmation
 * (reason NULL) or as a forced log (audited FORCED_CLOCK_IN). The token's
 * nonce, when there is one, is spent in the same transaction. */
static void start_unrostered(struct request *req, const struct person *p, const char *nonce,
                             long long expires, const char *reason, int by_face, double confidence)
{
    long long audit_id = 0;

    if (db_begin() < 0) {
        db_fail_reply(req);
        return;
    }
    /* a spent token is refused first; a token is spent only with a session */
    if (nonce != NULL && clock_token_spend(req->tenant.id, nonce, expires) < 0) {
        if (db_last_status() == DB_UNIQUE)
            resp_error(req, 403, "FORBIDDEN", "This confirmation token has already been used.");
        else
            db_fail_reply(req);
        db_rollback();
        return;
    }
    if (p->st.open_log_id != 0) {
        db_rollback();
        resp_error(req, 409, "ALREADY_CLOCKED_IN", "%s is already clocked in.", p->name);
        return;
    }
    PGresult *r = open_session_or_reply(req, p, 0, by_face, 1, reason);
    if (r == NULL) {
        db_rollback();
        return;
    }
    if (reason != NULL) {
        long long by = identity_of(req)->kind == CALLER_USER ? identity_of(req)->staff_id
                     : identity_of(req)->kind == CALLER_KIOSK ? p->staff_id : 0;
        struct audit_entry e = {req->tenant.id, p->staff_id, "FORCED_CLOCK_IN", by, reason, 1,
                                req->client_ip, req->user_agent};
        audit_id = audit_append(&e);
    }
    if (audit_id < 0 || alert_after_unrostered(req->tenant.id) < 0 || db_commit() < 0) {
        PQclear(r);
        db_fail_reply(req);
        db_rollback();
        return;
    }
    struct json_object *o = clock_answer(p, "CLOCK_IN", 0, NULL, NULL, log_json(r, 0, 0), confidence, req->pool);
    PQclear(r);
    if (reason != NULL)
        jx_add_int(o, "audit_log_id", audit_id);
    resp_json(req, 201, o);
}

/* *v brought to the hotel's current version, read now. 0, or answered
 * and -1. */
static int view_current_or_reply(struct request *req, struct hotel_view *v)
{
    long long version;
    int found = clock_hotel_version(req->tenant.id, &version);
    if (found < 0) {
        db_fail_reply(req);
        return -1;
    }
    if (found == 0) {
        resp_error(req, 404, "NOT_FOUND", "No such hotel.");
        return -1;
    }
    if (face_cache_get(req->tenant.id, version, v) < 0) {
        db_fail_reply(req);
        return -1;
    }
    return 0;
}

/* The caller's kiosk, 0 when the caller is not one. */
static long long scanning_kiosk(struct request *req)
{
    return identity_of(req)->kind == CALLER_KIOSK ? identity_of(req)->kiosk_id : 0;
}

/* 429 with Retry-After: the kiosk's scans are refused for wait seconds. */
static void throttled_reply(struct request *req, long wait)
{
    resp_header(req, "Retry-After", pool_printf(req->pool, "%ld", wait));
    resp_error(req, 429, "RATE_LIMITED", "Too many failed scans on this kiosk; scanning resumes in %ld seconds.",
               wait);
}

/* A kiosk's standing before a refused scan is answered: the kiosk as it
 * is now confirms an identity this worker cached (a revoked or re-keyed
 * kiosk: 401), and under its probing throttle it is refused 429 with
 * Retry-After. 1 when the caller may scan, or answered and 0. */
static int kiosk_may_scan_or_reply(struct request *req)
{
    long wait = 0;
    char key_hash[AUTH_KEY_HASH_MAX], slug[64];
    if (scanning_kiosk(req) == 0)
        return 1;
    switch (alert_kiosk_throttled(scanning_kiosk(req), &wait, key_hash, slug)) {
    case 0:
        return identity_kiosk_confirm_or_reply(req, key_hash[0] != '\0' ? key_hash : NULL, slug);
    case 1:
        if (identity_kiosk_confirm_or_reply(req, key_hash[0] != '\0' ? key_hash : NULL, slug))
            throttled_reply(req, wait);
        return 0;
    default:
        db_fail_reply(req);
        return 0;
    }
}

/* Read staff_id's live state into p, counting the scan that found them
 * (count; NULL when none); who they are comes later, from the hotel view
 * (person_identify). 0, or -1 (db, or the hotel is gone). */
static int person_load(struct request *req, long long staff_id, const struct scan_count *count, struct person *p)
{
    memset(p, 0, sizeof *p);
    p->staff_id = staff_id;
    return clock_state_load(req->tenant.id, staff_id, count, &p->st);
}

/* A named active staff member (a token's, or a manager's staff_id) with
 * the live state and the view it was read at. 1, or answered (404 / 503)
 * and 0. */
static int person_or_reply(struct request *req, long long staff_id, struct person *p, struct hotel_view *v,
                           const char *code)
{
    if (person_load(req, staff_id, NULL, p) < 0) {
        db_fail_reply(req);
        return 0;
    }
    /* the state does not depend on the view: bring the view to it */
    if (face_cache_get(req->tenant.id, p->st.version, v) < 0) {
        person_free(p);
        db_fail_reply(req);
        return 0;
    }
    const struct cached_staff *s = hotel_view_staff(v, staff_id);
    if (s == NULL) {
        person_free(p);
        resp_error(req, 404, code, "No active staff member matches.");
        return 0;
    }
    person_identify(p, v, s, req->pool);
    return 1;
}

/* A scan refused by the rules of 5.2 (hotel disabled, or the match). A
 * kiosk's failed match counts toward its probing alert; should counting
 * fail, the scan is still answered for what it was (logged). */
static void refuse_scan(struct request *req, int enabled, enum match_outcome outcome)
{
    if (!enabled) {
        resp_error(req, 403, "FACE_DISABLED_FOR_HOTEL", "Face attendance is not enabled for this hotel.");
        return;
    }
    if (identity_of(req)->kind == CALLER_KIOSK &&
        alert_scan_failed(req->tenant.id, identity_of(req)->kiosk_id) < 0)
        log_error("cannot count a failed scan of kiosk %lld", identity_of(req)->kiosk_id);
    switch (outcome) {
    case MATCH_OK:
    case MATCH_NOT_RECOGNIZED:
        resp_error(req, 404, "FACE_NOT_RECOGNIZED", "This face does not match any registered staff member.");
        return;
    case MATCH_LOW_CONFIDENCE:
        resp_error(req, 403, "FACE_CONFIDENCE_TOO_LOW", "The match is not confident enough; please scan again.");
        return;
    case MATCH_AMBIGUOUS:
        resp_error(req, 403, "FACE_CONFIDENCE_TOO_LOW",
                   "The face is too close to more than one staff member; please scan again.");
        return;
    }
}

/* Count a decided scan in the metrics: per hotel, and the confidence of
 * its nearest face when there was one. */
static void count_scan_metrics(struct request *req, enum match_outcome outcome, const struct match_result *m)
{
    metrics_count(counter_of_outcome(outcome), &req->tenant, 1);
    if (m->staff_id != 0)
        metrics_score(m->confidence);
}

/* A refused scan: counted in the metrics and in the hotel's day of
 * recognition_daily (a statement of its own). A failed count is logged,
 * never the scan's answer. */
static void count_refused_scan(struct request *req, enum match_outcome outcome, const struct match_result *m)
{
    count_scan_metrics(req, outcome, m);
    if (clock_recognition_count(req->tenant.id, match_outcome_name(outcome), m->staff_id != 0 ? m->confidence : 0) < 0)
        log_error("recognition count of hotel %lld not written", req->tenant.id);
}

/* The scanned person with their live state, decided on a view that was
 * current when the state was read. Matching uses the view this worker
 * holds; the state query returns the hotel's version with the state, and
 * only when that moved is the view reloaded and the match redone. A
 * refusal is only given on a view just read as current. 1, or answered
 * and 0. The scan is counted once (recognition_daily): a refusal on its
 * own, a match with the state read first after it (the rare re-decision
 * after the view moved keeps that first count; the metrics count the
 * final outcome). A kiosk's throttle is read before a refusal, and with
 * the state of a match: while it holds, 429 and nothing counted. */
static int scan_or_reply(struct request *req, const float *d, struct person *p, struct hotel_view *v,
                         struct match_result *m)
{
    int current = 0, counted = 0;
    if (!face_cache_peek(req->tenant.id, v)) {
        if (view_current_or_reply(req, v) < 0)
            return 0;
        current = 1;
    }
    for (int tries = 0; tries < 3; tries++) {
        int enabled = v->settings->face_attendance_enabled;
        enum match_outcome outcome = enabled ? match_scan(d, &v->set, v->settings->face_attendance_min_confidence, m)
                                             : MATCH_NOT_RECOGNIZED;
        if (!enabled || outcome != MATCH_OK) {
            if (current) {
                if (!kiosk_may_scan_or_reply(req))
                    return 0;
                if (enabled && !counted)
                    count_refused_scan(req, outcome, m);
                else if (enabled)
                    count_scan_metrics(req, outcome, m);
                refuse_scan(req, enabled, outcome);
                return 0;
            }
            if (view_current_or_reply(req, v) < 0)
                return 0;
            current = 1;
            continue;
        }
        struct scan_count sc = {match_outcome_name(MATCH_OK), m->confidence, scanning_kiosk(req)};
        if (person_load(req, m->staff_id, counted ? NULL : &sc, p) < 0) {
            db_fail_reply(req);
            return 0;
        }
        /* the kiosk's standing came with the state: a cached identity
         * confirmed before anything is written or answered */
        if (!identity_kiosk_confirm_or_reply(req, p->st.kiosk_hash, p->st.kiosk_slug)) {
            person_free(p);
            return 0;
        }
        if (p->st.blocked_secs > 0) {
            long wait = p->st.blocked_secs;
            person_free(p);
            throttled_reply(req, wait);
            return 0;
        }
        counted = 1;
        long long version = p->st.version;
        const struct cached_staff *s = hotel_view_staff(v, m->staff_id);
        if (version == v->version && s != NULL) {
            count_scan_metrics(req, MATCH_OK, m);
            person_identify(p, v, s, req->pool);
            return 1;
        }
        person_free(p);
        if (face_cache_get(req->tenant.id, version, v) < 0) {
            db_fail_reply(req);
            return 0;
        }
        current = 1;
    }
    resp_error(req, 503, "UNAVAILABLE", "The hotel's staff data is changing; please scan again.");
    return 0;
}

static void face_clock_in(struct request *req)
{
    struct hotel_view v;
    struct match_result m;
    struct person p;
    float d[DESCRIPTOR_DIM];
    int force = arg_bool(req, "force_log", 0);
    const char *reason = arg_str(req, "force_reason");
    size_t n;
    const double *x = arg_nums(req, "descriptor", &n);

    descriptor_from_numbers(x, n, d);   /* checked by the route */
    if (!scan_or_reply(req, d, &p, &v, &m))
        return;
    struct clock_person who = {p.department_id, p.st.open_log_id != 0, p.st.open_seconds, p.st.shifts,
                               p.st.nshifts};
    struct clock_decision dec = clock_decide(&who, v.settings, p.st.local_now, force, reason);
    switch (dec.action) {
    case CLOCK_REFUSE_DEPARTMENT:
        resp_error(req, 403, "FACE_DISABLED_FOR_DEPARTMENT",
                   "Face attendance is not enabled for %s's department.", p.name);
        break;
    case CLOCK_DUPLICATE_SCAN:
        resp_error(req, 409, "ALREADY_CLOCKED_IN", "%s clocked in moments ago.", p.name);
        break;
    case CLOCK_OUT:
        clock_out(req, &p, v.settings, m.confidence);
        break;
    case CLOCK_IN_ROSTERED:
        clock_in_rostered(req, &p, dec.shift, m.confidence);
        break;
    case CLOCK_ASK_CONFIRMATION:
        unrostered_detected(req, &p, m.confidence);
        break;
    case CLOCK_REASON_MISSING:
        resp_invalid(req, "force_reason", "force_reason is required with force_log.");
        break;
    case CLOCK_IN_FORCED:
        start_unrostered(req, &p, NULL, 0, reason, 1, m.confidence);
        break;
    }
    person_free(&p);
}

/* A scan, once per Idempotency-Key of the kiosk (idempotency.h). */
void h_face_clock_in(struct request *req)
{
    idempotent(req, face_clock_in);
}

/* Check a confirmation token from the body. 0 with staff id, expiry and
 * nonce; or answered (400 missing, 403 bad) and -1. */
static int token_or_reply(struct request *req, const char *token, long long *staff_id,
                          long long *expires, char *nonce)
{
    const unsigned char *key = token_key();
    if (token == NULL) {
        resp_invalid(req, "confirmation_token", "confirmation_token is required.");
        return -1;
    }
    if (key == NULL || ctoken_check(key, token, req->tenant.id, (long long)time(NULL), staff_id,
                                    expires, nonce) < 0) {
        resp_error(req, 403, "FORBIDDEN", "The confirmation token is invalid or has expired.");
        return -1;
    }
    return 0;
}

static void unrostered_confirm(struct request *req)
{
    long long staff_id, expires;
    char nonce[33];
    struct person p;
    struct hotel_view v;

    if (token_or_reply(req, arg_str(req, "confirmation_token"), &staff_id, &expires, nonce) < 0)
        return;
    if (!person_or_reply(req, staff_id, &p, &v, "NOT_FOUND"))
        return;
    start_unrostered(req, &p, nonce, expires, NULL, 1, -1);
    person_free(&p);
}

static void force_log(struct request *req)
{
    const char *token = arg_str(req, "confirmation_token"), *reason = arg_str(req, "reason");
    long long staff_id = arg_int(req, "staff_id"), expires = 0;
    char nonce[33];
    struct person p;
    struct hotel_view v;

    int with_token = token != NULL || identity_of(req)->kind == CALLER_KIOSK;
    if (with_token && token_or_reply(req, token, &staff_id, &expires, nonce) < 0)
        return;
    if (!with_token && staff_id == 0) {
        resp_invalid(req, "staff_id", "staff_id (or a confirmation_token) is required.");
        return;
    }
    if (!person_or_reply(req, staff_id, &p, &v, "NOT_FOUND"))
        return;
    start_unrostered(req, &p, with_token ? nonce : NULL, expires, reason, with_token, -1);
    person_free(&p);
}

/* A confirmation or a forced log, once per Idempotency-Key of the caller:
 * a kiosk that lost the answer asks again and gets it, instead of the
 * spent token's refusal. */
void h_unrostered_confirm(struct request *req)
{
    idempotent(req, unrostered_confirm);
}

void h_force_log(struct request *req)
{
    idempotent(req, force_log);
}

/* review_store.c — owns the manager's side of clock logs in the
 * database (review_store.h): the pending and clocked-in listings, the
 * review decision ("review_approve", then "review_log_exists" to tell a
 * missing log from the reviewer's own or a decided one) and the long-session acknowledgement
 * ("review_ack_lock" holds the session's row while its flags are read,
 * "review_ack_set" writes the mode). The flags are safety_rules.c's,
 * written by safety_flags_json(). */
#include <stdio.h>
#include <string.h>
#include "action_audit_store.h"
#include "clock_store.h"
#include "db.h"
#include "export_store.h"
#include "jsonx.h"
#include "review_store.h"
#include "roster_rules.h"

/* the log object (LOG_COLS, clock_store.h) comes first in every statement that returns one */
enum { L_ID = 0, L_END = LOG_NCOLS };

#define STAFF_JOIN "JOIN staff s ON s.hotel_id = l.hotel_id AND s.id = l.staff_id "
#define PENDING "l.hotel_id = $1 AND (l.is_unrostered OR l.auto_closed) AND l.approved_at IS NULL"
#define OPEN "l.hotel_id = $1 AND l.time_out IS NULL"

/* pending: the log, then staff_name, department_id, force_reason, total */
static struct db_stmt st_pending = {
    "review_pending",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM clock_logs l WHERE " PENDING ") c "
    "LEFT JOIN LATERAL (SELECT " LOG_COLS ", " SQL_STAFF_NAME("s") ", s.department_id, "
    "l.force_reason FROM clock_logs l " STAFF_JOIN "WHERE " PENDING
    " ORDER BY l.time_in, l.id LIMIT $2 OFFSET $3) p ON true",
    0,
};

/* approve: the log, then approval_note, approved_by, approved_at; never
 * the reviewer's own log ($5 is NULL for the system administrator) */
static struct db_stmt st_approve = {
    "review_approve",
    "UPDATE clock_logs AS l SET is_approved = $3, approval_note = $4, approved_by = $5, "
    "approved_at = now() WHERE l.hotel_id = $1 AND l.id = $2 AND (l.is_unrostered OR l.auto_closed) "
    "AND l.approved_at IS NULL AND l.staff_id IS DISTINCT FROM $5 RETURNING " LOG_COLS ", l.approval_note, l.approved_by, "
    "fc_ts(l.approved_at)",
    0,
};

/* why review_approve changed nothing: is the log the reviewer's own */
static struct db_stmt st_exists = {
    "review_log_exists",
    "SELECT staff_id IS NOT DISTINCT FROM $3 FROM clock_logs WHERE hotel_id = $1 AND id = $2", 0,
};

/* An open session's length so far and its shift's times (NULL without
 * one), read by session_flags() */
#define SESSION_COLS \
    "greatest(0, extract(epoch FROM now() - l.time_in)), " \
    "extract(epoch FROM r.start_time)::int, extract(epoch FROM r.end_time)::int"
#define SHIFT_JOIN "LEFT JOIN roster_shifts r ON r.hotel_id = l.hotel_id AND r.id = l.roster_shift_id "

enum { O_LOG, O_STAFF, O_NAME, O_DEPT, O_IN, O_SESSION, O_TOTAL = O_SESSION + 3 };
static struct db_stmt st_open = {
    "review_clocked_in",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM clock_logs l WHERE " OPEN ") c "
    "LEFT JOIN LATERAL (SELECT l.id, l.staff_id, " SQL_STAFF_NAME("s") ", s.department_id, "
    "fc_ts(l.time_in), " SESSION_COLS " FROM clock_logs l " STAFF_JOIN SHIFT_JOIN "WHERE " OPEN
    " ORDER BY l.time_in, l.id LIMIT $2 OFFSET $3) p ON true",
    0,
};

/* the session under acknowledgement, locked until the transaction ends */
enum { K_CLOSED, K_SESSION };
static struct db_stmt st_ack_lock = {
    "review_ack_lock",
    "SELECT l.time_out IS NOT NULL, " SESSION_COLS " FROM clock_logs l " SHIFT_JOIN
    "WHERE l.hotel_id = $1 AND l.id = $2 FOR UPDATE OF l",
    0,
};

static struct db_stmt st_ack_set = {
    "review_ack_set",
    "UPDATE clock_logs AS l SET long_session_ack_mode = $3::text, time_out = CASE "
    "WHEN $3::text = 'clocked_out' THEN greatest(now(), l.time_in) ELSE l.time_out END "
    "WHERE l.hotel_id = $1 AND l.id = $2 RETURNING " LOG_COLS,
    0,
};

static struct json_object *pending_json(const void *filter, const PGresult *r, int i)
{
    (void)filter;
    static const struct db_json_col more[] = {
        {"staff_name", 0, DBJ_STR}, {"department_id", 1, DBJ_INT_OR_NULL}, {"force_reason", 2, DBJ_STR}, {NULL, 0, 0},
    };
    struct json_object *o = log_json(r, i, 0);
    db_json_cols(o, r, i, L_END, more);
    return o;
}

const struct listing pending_listing = {
    .page = &st_pending, .total_col = L_END + 3, .id_col = L_ID, .row = pending_json,
};

int pending_rows(long long hotel_id, long limit, long offset,
                 struct json_object **rows, long long *total)
{
    return listing_rows(&pending_listing, hotel_id, NULL, limit, offset, rows, total);
}

/* The flags as of now of the session whose SESSION_COLS start at column c
 * of row i: overtime is past its shift's planned length, or without a
 * shift past the overtime threshold. */
static void session_flags(const PGresult *r, int i, int c, const struct safety_thresholds *t,
                          struct safety_flags *f)
{
    double planned = 0;
    if (!PQgetisnull(r, i, c + 1)) {
        struct shift sh = {0};
        sh.start_secs = (int)db_ll(r, i, c + 1);
        sh.end_secs = (int)db_ll(r, i, c + 2);
        planned = shift_planned_hours(&sh);
    }
    safety_compute(db_double(r, i, c), planned, t, f);
}

/* filter: the safety_thresholds the flags are computed with */
static struct json_object *open_json(const void *filter, const PGresult *r, int i)
{
    struct safety_flags f;
    session_flags(r, i, O_SESSION, filter, &f);
    static const struct db_json_col cols[] = {
        {"log_id", O_LOG, DBJ_INT}, {"staff_id", O_STAFF, DBJ_INT}, {"staff_name", O_NAME, DBJ_STR},
        {"department_id", O_DEPT, DBJ_INT_OR_NULL}, {"time_in", O_IN, DBJ_STR}, {NULL, 0, 0},
    };
    struct json_object *o = json_object_new_object();
    db_json_cols(o, r, i, 0, cols);
    safety_flags_json(o, &f);
    return o;
}

const struct listing clocked_in_listing = {
    .page = &st_open, .total_col = O_TOTAL, .id_col = O_LOG, .row = open_json,
};

int clocked_in_rows(long long hotel_id, const struct safety_thresholds *t, long limit, long offset,
                    struct json_object **rows, long long *total)
{
    return listing_rows(&clocked_in_listing, hotel_id, t, limit, offset, rows, total);
}

/* The audit row of a review or an acknowledgement of clock log log_id. */
static int audit_log_change(const struct actor *who, long long hotel_id, long long log_id, const char *action,
                            struct json_object *new_value)
{
    char target[40];
    snprintf(target, sizeof target, "clock_log:%lld", log_id);
    return action_audit_one(who, hotel_id, action, target, NULL, new_value);
}

enum review_outcome review_decide(long long hotel_id, long long log_id, int approved, const char *note,
                                  const struct actor *who, long long by, struct json_object **log)
{
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return REVIEW_FAILED;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, log_id);
    db_arg_bool(&a, approved);
    db_arg_str(&a, note);
    db_arg_id(&a, by);
    if ((r = db_run(&st_approve, &a)) == NULL) {
        db_rollback();
        return REVIEW_FAILED;
    }
    if (PQntuples(r) == 1) {
        struct json_object *o = log_json(r, 0, 0), *v = json_object_new_object();
        jx_add_str(o, "approval_note", db_str(r, 0, L_END));
        db_json_ll(o, "approved_by", r, 0, L_END + 1);
        jx_add_str(o, "approved_at", db_str(r, 0, L_END + 2));
        PQclear(r);
        jx_add_str(v, "note", note);
        if (audit_log_change(who, hotel_id, log_id, approved ? "clock_log.approved" : "clock_log.rejected", v) < 0 ||
            db_commit() < 0) {
            db_rollback();
            json_object_put(o);
            return REVIEW_FAILED;
        }
        *log = o;
        return REVIEW_DONE;
    }
    PQclear(r);
    db_rollback();
    /* nothing changed: no such log, the reviewer's own, or not one awaiting review */
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, log_id);
    db_arg_id(&a, by);
    if ((r = db_run(&st_exists, &a)) == NULL)
        return REVIEW_FAILED;
    enum review_outcome out = PQntuples(r) == 0 ? REVIEW_NOT_FOUND
                            : db_bool(r, 0, 0) ? REVIEW_OWN_LOG : REVIEW_NOT_PENDING;
    PQclear(r);
    return out;
}

enum review_outcome review_ack(long long hotel_id, long long log_id, const char *mode,
                               const struct safety_thresholds *t, const struct actor *who,
                               struct safety_flags *f, struct json_object **log)
{
    enum review_outcome out = REVIEW_FAILED;
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return REVIEW_FAILED;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, log_id);
    if ((r = db_run(&st_ack_lock, &a)) == NULL)
        goto out;
    if (PQntuples(r) == 0 || db_bool(r, 0, K_CLOSED)) {
        out = PQntuples(r) > 0 ? REVIEW_CLOSED : REVIEW_NOT_FOUND;
        PQclear(r);
        goto out;
    }
    session_flags(r, 0, K_SESSION, t, f);
    PQclear(r);
    if (strcmp(mode, "clocked_out") != 0 && f->should_clock_out) {
        out = REVIEW_TOO_LONG;
        goto out;
    }
    db_arg_str(&a, mode);
    if ((r = db_run(&st_ack_set, &a)) == NULL)
        goto out;
    if (PQntuples(r) != 1) {            /* cannot happen: the row is locked */
        PQclear(r);
        out = REVIEW_NOT_FOUND;
        goto out;
    }
    *log = log_json(r, 0, 0);
    PQclear(r);
    struct json_object *v = json_object_new_object();
    jx_add_str(v, "mode", mode);
    jx_add_double(v, "hours", f->hours, 2);
    if (audit_log_change(who, hotel_id, log_id, "clock_log.long_session_acknowledged", v) < 0 ||
        db_commit() < 0) {
        json_object_put(*log);
        *log = NULL;
        goto out;
    }
    return REVIEW_DONE;
out:
    db_rollback();
    return out;
}

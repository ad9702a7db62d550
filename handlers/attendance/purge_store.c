/* purge_store.c — the retention purge (purge_run, purge_store.h) that
 * `faceclock purge` (purge_cmd.c) and the scheduler service
 * (scheduler_svc.c, once a day) both run: trims the devices' change log
 * to FACECLOCK_SYNC_HISTORY_DAYS, raising each hotel's sync_floor so a
 * device further behind is told to sync in full; removes the expired rows
 * of sign-in: sessions past their expiry (auth_tokens), login failures
 * older than the day login_fail_note keeps (people/sessions_store.c) and
 * the nonces of confirmation tokens past their expiry (a token past it is
 * refused on its signed expiry alone); last removes face data older than
 * each hotel's face_data_retention_days (face_data.registered_at) and
 * writes one REVOKED audit row ("retention expired") per removal, in one
 * statement, so both happen or neither does.
 * Each hotel's removals are audited (face_data.purged), and the run as a
 * whole in the system's rows (purge.ran), by the caller's system actor;
 * for the scheduler the run is recorded in scheduler_runs. All of it is
 * one transaction: a run cut anywhere (the process killed, the database
 * gone) leaves nothing, and the next one does it all, once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "action_audit_store.h"
#include "purge_store.h"
#include "config.h"
#include "db.h"
#include "jsonx.h"
#include "settings_rules.h"
#include "people/sessions_rules.h"

#define PURGE_REASON "retention expired"

/* $1: the retention of hotels without a settings row (the default) */
static struct db_stmt st_purge = {
    "purge_face_data",
    "WITH gone AS ("
    "  DELETE FROM face_data f USING hotels h "
    "  LEFT JOIN attendance_settings s ON s.hotel_id = h.id "
    "  WHERE f.hotel_id = h.id AND f.registered_at < "
    "    now() - make_interval(days => coalesce(s.face_data_retention_days, $1::int)) "
    "  RETURNING f.hotel_id, f.staff_id, f.consent_given), "
    "logged AS ("
    "  INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, "
    "    consent_given, user_agent) "
    "  SELECT hotel_id, staff_id, 'REVOKED', NULL, '" PURGE_REASON "', consent_given, "
    "    'faceclock purge' FROM gone RETURNING hotel_id) "
    "SELECT h.slug, count(*), h.id FROM logged l JOIN hotels h ON h.id = l.hotel_id "
    "GROUP BY h.slug, h.id ORDER BY h.slug",
    0,
};

/* $1: days of change history devices can sync incrementally from */
static struct db_stmt st_trim = {
    "purge_face_changes",
    "WITH gone AS (DELETE FROM face_changes WHERE created_at < now() - make_interval(days => $1::int) "
    "  RETURNING hotel_id, version), "
    "floor AS (SELECT hotel_id, max(version) AS v, count(*) AS n FROM gone GROUP BY hotel_id) "
    "UPDATE hotels h SET sync_floor = greatest(h.sync_floor, floor.v) FROM floor "
    "WHERE h.id = floor.hotel_id RETURNING h.slug, floor.n, h.sync_floor",
    0,
};

/* the scheduler's record of the day's run (scheduler_runs, sql/016_scheduler.sql) */
static struct db_stmt st_ran = {
    "purge_ran",
    "INSERT INTO scheduler_runs (job, last_run) VALUES ('purge', now()) "
    "ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run", 0,
};

/* the expired rows of sign-in, counted per table */
static struct db_stmt st_expired = {
    "purge_expired_auth",
    "WITH t AS (DELETE FROM auth_tokens WHERE expires_at < now() RETURNING 1), "
    "f AS (DELETE FROM auth_failures WHERE at < now() - make_interval(secs => $1) RETURNING 1), "
    "u AS (DELETE FROM used_confirmation_tokens WHERE expires_at < now() RETURNING 1) "
    "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM f), (SELECT count(*) FROM u)",
    0,
};

/* Each hotel's removals (rows of st_purge: slug, count, id) in its own
 * audit rows, as the system's purge. 0, or -1. */
static int audit_removals(const struct actor *who, const PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++) {
        struct json_object *v = json_object_new_object();
        jx_add_int(v, "removed", db_ll(r, i, 1));
        jx_add_str(v, "reason", PURGE_REASON);
        if (action_audit_one(who, db_ll(r, i, 2), "face_data.purged", NULL, NULL, v) < 0)
            return -1;
    }
    return 0;
}

static void say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...)
{
    va_list ap;
    if (out == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
}

/* The rows each step removed, once the transaction has committed. */
static void report(FILE *out, const PGresult *gone, const PGresult *trimmed, const struct purge_count *n)
{
    for (int i = 0; i < PQntuples(gone); i++)
        say(out, "%s: %lld removed\n", PQgetvalue(gone, i, 0), db_ll(gone, i, 1));
    say(out, "total: %lld removed\n", n->face_data);
    for (int i = 0; i < PQntuples(trimmed); i++)
        say(out, "%s: %lld device changes older than %d days trimmed (full sync below version %s)\n",
            PQgetvalue(trimmed, i, 0), db_ll(trimmed, i, 1), g_config.sync_history_days,
            PQgetvalue(trimmed, i, 2));
    say(out, "expired: %lld auth_tokens, %lld auth_failures, %lld used_confirmation_tokens removed\n",
        n->auth_tokens, n->auth_failures, n->confirmation_tokens);
}

int purge_run(const struct actor *who, FILE *out, int record, struct purge_count *n, const char **step)
{
    struct attendance_settings defaults;
    struct db_args a;
    PGresult *gone = NULL, *trimmed = NULL, *r = NULL;
    struct json_object *run;

    memset(n, 0, sizeof *n);
    settings_defaults(&defaults);
    *step = "beginning";
    if (db_begin() < 0)
        return -1;
    *step = "trimming the change log";
    db_args_init(&a);
    db_arg_int(&a, g_config.sync_history_days);
    if ((trimmed = db_run(&st_trim, &a)) == NULL)
        goto fail;

    *step = "removing expired sign-in rows";
    db_args_init(&a);
    db_arg_int(&a, LOGIN_FAILURE_MEMORY_S);      /* what a lockout remembers */
    if ((r = db_run(&st_expired, &a)) == NULL)
        goto fail;
    n->auth_tokens = db_ll(r, 0, 0);
    n->auth_failures = db_ll(r, 0, 1);
    n->confirmation_tokens = db_ll(r, 0, 2);
    PQclear(r);
    r = NULL;

    /* the face data's removals and their audit rows, late: each hotel's
     * audit chain is held from its first row to the commit */
    *step = "removing face data";
    db_args_init(&a);
    db_arg_int(&a, defaults.face_data_retention_days);
    if ((gone = db_run(&st_purge, &a)) == NULL || audit_removals(who, gone) < 0)
        goto fail;
    for (int i = 0; i < PQntuples(gone); i++)
        n->face_data += db_ll(gone, i, 1);

    if (record) {
        *step = "recording the run";
        db_args_init(&a);
        if ((r = db_run(&st_ran, &a)) == NULL)
            goto fail;
        PQclear(r);
        r = NULL;
    }
    /* the run as a whole, in the system's audit rows, last before the commit */
    *step = "auditing the run";
    run = json_object_new_object();
    jx_add_int(run, "face_data_removed", n->face_data);
    jx_add_int(run, "auth_tokens_removed", n->auth_tokens);
    jx_add_int(run, "auth_failures_removed", n->auth_failures);
    jx_add_int(run, "used_confirmation_tokens_removed", n->confirmation_tokens);
    if (action_audit_one(who, 0, "purge.ran", NULL, NULL, run) < 0)
        goto fail;
    *step = "committing";
    if (db_commit() < 0)
        goto fail;
    report(out, gone, trimmed, n);
    PQclear(gone);
    PQclear(trimmed);
    return 0;
fail:
    PQclear(gone);
    PQclear(trimmed);
    PQclear(r);
    db_rollback();
    memset(n, 0, sizeof *n);
    return -1;
}

/* alert_store.c — owns the rows of alert_rules, alerts and
 * kiosk_scan_failures (alert_store.h): reading and saving a hotel's rules,
 * raising and resolving alerts with their action-audit rows, the failed
 * scan counter and throttle, the minute's evaluation ("alert_facts": what
 * holds now, decided by alert_rules.c) and the listing with its CSV
 * export. */
#include <stdio.h>
#include <string.h>
#include "alert_store.h"
#include "auth.h"
#include "db.h"
#include "export_store.h"
#include "jsonx.h"
#include "settings_store.h"

/* ---- rules ------------------------------------------------------------ */

static struct db_stmt st_rules = {
    "alert_rules_load",
    "SELECT rule, enabled, threshold, window_minutes, cooldown_minutes, minutes FROM alert_rules "
    "WHERE hotel_id = $1",
    0,
};
static struct db_stmt st_rule_put = {
    "alert_rule_put",
    "INSERT INTO alert_rules (hotel_id, rule, enabled, threshold, window_minutes, cooldown_minutes, minutes) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (hotel_id, rule) DO UPDATE SET "
    "enabled = EXCLUDED.enabled, threshold = EXCLUDED.threshold, window_minutes = EXCLUDED.window_minutes, "
    "cooldown_minutes = EXCLUDED.cooldown_minutes, minutes = EXCLUDED.minutes, updated_at = now()",
    0,
};

int alert_rules_load(long long hotel_id, struct alert_rules *rs)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    alert_rules_defaults(rs);
    PGresult *r = db_run(&st_rules, &a);
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        int rule = alert_rule_of(db_str(r, i, 0));
        if (rule < 0)
            continue;
        struct alert_rule_cfg *c = &rs->r[rule];
        c->enabled = db_bool(r, i, 1);
        /* a column the rule does not have stays its default (0) */
        if (!PQgetisnull(r, i, 2)) c->threshold = (long)db_ll(r, i, 2);
        if (!PQgetisnull(r, i, 3)) c->window_minutes = (long)db_ll(r, i, 3);
        if (!PQgetisnull(r, i, 4)) c->cooldown_minutes = (long)db_ll(r, i, 4);
        if (!PQgetisnull(r, i, 5)) c->minutes = (long)db_ll(r, i, 5);
    }
    PQclear(r);
    return 0;
}

/* a threshold the rule has (non-zero), or NULL */
static void arg_field(struct db_args *a, long v)
{
    if (v != 0)
        db_arg_int(a, v);
    else
        db_arg_null(a);
}

int alert_rules_save(long long hotel_id, const struct alert_rules *before, const struct alert_rules *rs,
                     const struct actor *who)
{
    struct json_object *old_all = alert_rules_to_json(before), *new_all = alert_rules_to_json(rs);
    struct json_object *old_v = NULL, *new_v = NULL;
    int rc = -1;

    for (int i = 0; i < ALERT_NRULES; i++) {
        const struct alert_rule_cfg *c = &rs->r[i];
        struct db_args a;
        db_args_init(&a);
        db_arg_int(&a, hotel_id);
        db_arg_str(&a, alert_rule_name((enum alert_rule)i));
        db_arg_bool(&a, c->enabled);
        arg_field(&a, c->threshold);
        arg_field(&a, c->window_minutes);
        /* 0 is a real cool-down (no throttle) for the rule that has one */
        if (i == ALERT_FAILED_SCANS)
            db_arg_int(&a, c->cooldown_minutes);
        else
            db_arg_null(&a);
        arg_field(&a, c->minutes);
        if (db_exec(&st_rule_put, &a) < 0)
            goto out;
    }
    if (jx_diff(old_all, new_all, &old_v, &new_v) == 0) {
        rc = 0;
        goto out;
    }
    rc = action_audit_one(who, hotel_id, "alert_rules.changed", NULL, old_v, new_v);
    old_v = new_v = NULL;
out:
    json_object_put(old_v);
    json_object_put(new_v);
    json_object_put(old_all);
    json_object_put(new_all);
    return rc;
}

/* ---- raising and resolving -------------------------------------------- */

#define ALERT_COLS                                                                          \
    "a.id, a.rule, a.subject, a.state, a.details, fc_ts(a.opened_at), a.acknowledged_by, " \
    "fc_ts(a.acknowledged_at), a.resolved_by, fc_ts(a.resolved_at)"
enum { A_ID, A_RULE, A_SUBJECT, A_STATE, A_DETAILS, A_OPENED, A_ACK_BY, A_ACK_AT, A_RES_BY, A_RES_AT, A_NCOLS };

static const struct db_json_col alert_cols[] = {
    {"id", A_ID, DBJ_INT},
    {"rule", A_RULE, DBJ_STR},
    {"subject", A_SUBJECT, DBJ_STR},
    {"state", A_STATE, DBJ_STR},
    {"details", A_DETAILS, DBJ_JSON},
    {"opened_at", A_OPENED, DBJ_STR},
    {"acknowledged_by", A_ACK_BY, DBJ_STR},
    {"acknowledged_at", A_ACK_AT, DBJ_STR},
    {"resolved_by", A_RES_BY, DBJ_STR},
    {"resolved_at", A_RES_AT, DBJ_STR},
    {NULL, 0, 0},
};

/* a new open alert, unless one is open for the condition and subject */
static struct db_stmt st_raise = {
    "alert_raise",
    "INSERT INTO alerts AS a (hotel_id, rule, subject, details) VALUES ($1, $2, $3, $4::jsonb) "
    "ON CONFLICT (hotel_id, rule, subject) WHERE state <> 'resolved' DO NOTHING RETURNING a.id",
    0,
};
static struct db_stmt st_resolve_sys = {
    "alert_resolve_system",
    "UPDATE alerts SET state = 'resolved', resolved_by = '" ALERT_ACTOR "', resolved_at = now() "
    "WHERE hotel_id = $1 AND id = $2 AND state <> 'resolved'",
    0,
};

/* Raise rule on subject with details (taken) and note it in *batch. 0
 * (raised, or already open) or -1 (db). */
static int raise_noted(long long hotel_id, enum alert_rule rule, const char *subject,
                       struct json_object *details, struct json_object **batch, long *raised)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, alert_rule_name(rule));
    db_arg_str(&a, subject);
    db_arg_str(&a, json_object_to_json_string_ext(details, JSON_C_TO_STRING_PLAIN));
    PGresult *r = db_run(&st_raise, &a);
    if (r == NULL) {
        json_object_put(details);
        return -1;
    }
    if (PQntuples(r) == 1) {
        char target[40];
        snprintf(target, sizeof target, "alert:%lld", db_ll(r, 0, 0));
        struct json_object *v = json_object_new_object();
        jx_add_str(v, "rule", alert_rule_name(rule));
        jx_add_str(v, "subject", subject);
        json_object_object_add(v, "details", details);
        details = NULL;
        action_note(batch, "alert.raised", target, NULL, v);
        if (raised != NULL)
            (*raised)++;
    }
    json_object_put(details);
    PQclear(r);
    return 0;
}

/* Append the system's batch (NULL: nothing). 0 or -1. */
static int audit_system(long long hotel_id, struct json_object *batch)
{
    struct actor sys;
    actor_system(&sys, ALERT_ACTOR);
    int rc = action_audit_append(&sys, hotel_id, batch);
    json_object_put(batch);
    return rc;
}

/* ---- kiosks: failed scans and the throttle ---------------------------- */

static struct db_stmt st_throttled = {
    "alert_kiosk_throttled", KIOSK_STANDING_SQL("$1"),
    0,
};
/* count a failure in the kiosk's window ($3 minutes from its first) */
static struct db_stmt st_failed = {
    "alert_scan_failed",
    "INSERT INTO kiosk_scan_failures AS k (kiosk_id, hotel_id, window_start, failures) "
    "VALUES ($1, $2, now(), 1) ON CONFLICT (kiosk_id) DO UPDATE SET "
    "window_start = CASE WHEN k.window_start < now() - $3 * interval '1 minute' THEN now() ELSE k.window_start END, "
    "failures = CASE WHEN k.window_start < now() - $3 * interval '1 minute' THEN 1 ELSE k.failures + 1 END "
    "RETURNING k.failures",
    0,
};
static struct db_stmt st_throttle = {
    "alert_kiosk_throttle",
    "UPDATE kiosk_scan_failures SET blocked_until = now() + $2 * interval '1 minute', failures = 0, "
    "window_start = now() WHERE kiosk_id = $1 AND (blocked_until IS NULL OR blocked_until <= now()) "
    "RETURNING fc_ts(blocked_until)",
    0,
};

int alert_kiosk_throttled(long long kiosk_id, long *retry_after, char *key_hash, char *slug)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, kiosk_id);
    PGresult *r = db_run(&st_throttled, &a);
    if (r == NULL)
        return -1;
    if (PQntuples(r) != 1) {        /* one row, whatever the kiosk */
        PQclear(r);
        return -1;
    }
    snprintf(key_hash, AUTH_KEY_HASH_MAX, "%s", PQgetvalue(r, 0, 1));
    snprintf(slug, 64, "%s", PQgetvalue(r, 0, 2));
    int blocked = !PQgetisnull(r, 0, 0);
    if (blocked) {
        long long s = db_ll(r, 0, 0);
        *retry_after = s < 1 ? 1 : (long)s;
    }
    PQclear(r);
    return blocked;
}

int alert_scan_failed(long long hotel_id, long long kiosk_id)
{
    struct alert_rules rs;
    struct json_object *batch = NULL;
    char subject[40];

    if (alert_rules_load(hotel_id, &rs) < 0)
        return -1;
    const struct alert_rule_cfg *c = &rs.r[ALERT_FAILED_SCANS];
    if (!c->enabled)
        return 0;
    /* below the threshold a failure is this one statement */
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, kiosk_id);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, c->window_minutes);
    PGresult *r = db_run(&st_failed, &a);
    if (r == NULL)
        return -1;
    long failures = (long)db_ll(r, 0, 0);
    PQclear(r);
    if (!alert_holds(&rs, NULL, ALERT_FAILED_SCANS, (double)failures))
        return 0;
    if (db_begin() < 0)
        return -1;
    snprintf(subject, sizeof subject, "kiosk:%lld", kiosk_id);
    struct json_object *details = json_object_new_object();
    jx_add_int(details, "failures", failures);
    jx_add_int(details, "window_minutes", c->window_minutes);
    if (alert_should_throttle(&rs, failures)) {
        db_args_init(&a);
        db_arg_int(&a, kiosk_id);
        db_arg_int(&a, c->cooldown_minutes);
        if ((r = db_run(&st_throttle, &a)) == NULL) {
            json_object_put(details);
            goto fail;
        }
        if (PQntuples(r) == 1) {        /* not throttled by a concurrent failure already */
            struct json_object *v = json_object_new_object();
            jx_add_int(v, "failures", failures);
            jx_add_int(v, "cooldown_minutes", c->cooldown_minutes);
            jx_add_str(v, "blocked_until", db_str(r, 0, 0));
            jx_add_str(details, "blocked_until", db_str(r, 0, 0));
            action_note(&batch, "kiosk.throttled", subject, NULL, v);
        }
        PQclear(r);
    }
    if (raise_noted(hotel_id, ALERT_FAILED_SCANS, subject, details, &batch, NULL) < 0)
        goto fail;
    if (audit_system(hotel_id, batch) < 0) {
        batch = NULL;
        goto fail;
    }
    return db_commit();
fail:
    json_object_put(batch);
    db_rollback();
    return -1;
}

/* ---- event-driven rules ----------------------------------------------- */

/* the hotel-local day and its unrostered clock-ins so far */
static struct db_stmt st_unrostered_today = {
    "alert_unrostered_today",
    "SELECT (now() AT TIME ZONE h.timezone)::date::text, "
    "(SELECT count(*) FROM clock_logs c WHERE c.hotel_id = h.id AND c.is_unrostered "
    " AND c.time_in >= date_trunc('day', now() AT TIME ZONE h.timezone) AT TIME ZONE h.timezone) "
    "FROM hotels h WHERE h.id = $1",
    0,
};

int alert_after_unrostered(long long hotel_id)
{
    struct alert_rules rs;
    struct json_object *batch = NULL;

    if (alert_rules_load(hotel_id, &rs) < 0)
        return -1;
    if (!rs.r[ALERT_UNROSTERED_DAY].enabled)
        return 0;
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    PGresult *r = db_run(&st_unrostered_today, &a);
    if (r == NULL)
        return -1;
    if (PQntuples(r) != 1 || !alert_holds(&rs, NULL, ALERT_UNROSTERED_DAY, db_double(r, 0, 1))) {
        PQclear(r);
        return 0;
    }
    char subject[40];
    snprintf(subject, sizeof subject, "date:%s", db_str(r, 0, 0));
    struct json_object *details = json_object_new_object();
    jx_add_int(details, "count", db_ll(r, 0, 1));
    jx_add_int(details, "threshold", rs.r[ALERT_UNROSTERED_DAY].threshold);
    PQclear(r);
    if (raise_noted(hotel_id, ALERT_UNROSTERED_DAY, subject, details, &batch, NULL) < 0) {
        json_object_put(batch);
        return -1;
    }
    return audit_system(hotel_id, batch);
}

int alert_after_revocation(long long hotel_id, long long staff_id, const char *why)
{
    struct alert_rules rs;
    struct json_object *batch = NULL;
    char subject[40];

    if (alert_rules_load(hotel_id, &rs) < 0)
        return -1;
    if (!alert_holds(&rs, NULL, ALERT_FACE_REVOKED, 1))
        return 0;
    snprintf(subject, sizeof subject, "staff:%lld", staff_id);
    struct json_object *details = json_object_new_object();
    jx_add_str(details, "reason", why);
    if (raise_noted(hotel_id, ALERT_FACE_REVOKED, subject, details, &batch, NULL) < 0) {
        json_object_put(batch);
        return -1;
    }
    return audit_system(hotel_id, batch);
}

/* ---- the minute's evaluation ------------------------------------------ */

/* What holds now, per subject: (kind, subject, value, throttle seconds
 * left, details). kind "session" is measured for hard_limit and overtime
 * (hours open); device_offline and revocation_unsynced in minutes;
 * failed_scans counts the kiosk's current window ($2 minutes);
 * unrostered_day counts today. */
static struct db_stmt st_facts = {
    "alert_facts",
    "SELECT 'session', 'staff:' || c.staff_id, extract(epoch FROM now() - c.time_in) / 3600, 0, "
    "  json_build_object('clock_log_id', c.id, 'time_in', fc_ts(c.time_in))::text "
    "FROM clock_logs c WHERE c.hotel_id = $1 AND c.time_out IS NULL "
    "UNION ALL "
    "SELECT 'device_offline', 'device:' || d.device_id, "
    "  extract(epoch FROM now() - coalesce(d.last_heartbeat_at, d.provisioned_at)) / 60, 0, "
    "  json_build_object('last_seen_at', fc_ts(coalesce(d.last_heartbeat_at, d.provisioned_at)))::text "
    "FROM devices d WHERE d.hotel_id = $1 AND d.deactivated_at IS NULL AND d.lifecycle <> 'DISABLED' "
    "  AND coalesce(d.last_heartbeat_at, d.provisioned_at) IS NOT NULL "
    "UNION ALL "
    "SELECT 'revocation_unsynced', 'device:' || d.device_id, extract(epoch FROM now() - min(f.created_at)) / 60, 0, "
    "  json_build_object('pending_removals', count(*), 'since', fc_ts(min(f.created_at)))::text "
    "FROM devices d JOIN face_changes f ON f.hotel_id = d.hotel_id AND f.device_pk = d.id "
    "  AND f.kind = 'remove' AND f.version > d.applied_version AND f.version > d.registered_version "
    "WHERE d.hotel_id = $1 AND d.deactivated_at IS NULL GROUP BY d.device_id "
    "UNION ALL "
    "SELECT 'failed_scans', 'kiosk:' || k.kiosk_id, "
    "  CASE WHEN k.window_start >= now() - $2 * interval '1 minute' THEN k.failures ELSE 0 END, "
    "  greatest(0, coalesce(extract(epoch FROM k.blocked_until - now()), 0)), "
    "  json_build_object('failures', k.failures)::text "
    "FROM kiosk_scan_failures k WHERE k.hotel_id = $1 "
    "UNION ALL "
    "SELECT 'unrostered_day', 'date:' || (now() AT TIME ZONE h.timezone)::date, count(c.id), 0, "
    "  json_build_object('count', count(c.id))::text "
    "FROM hotels h LEFT JOIN clock_logs c ON c.hotel_id = h.id AND c.is_unrostered "
    "  AND c.time_in >= date_trunc('day', now() AT TIME ZONE h.timezone) AT TIME ZONE h.timezone "
    "WHERE h.id = $1 GROUP BY h.id, h.timezone",
    0,
};
static struct db_stmt st_open = {
    "alert_open",
    "SELECT id, rule, subject FROM alerts WHERE hotel_id = $1 AND state <> 'resolved'",
    0,
};
static struct db_stmt st_tick_lock = {
    "alert_tick_lock", "SELECT pg_advisory_xact_lock(hashtext('faceclock alerts'), $1::int)", 0,
};

#define TICK_MAX_OPEN 4096

/* Open alert index of (rule, subject) in r, or -1. */
static int find_open(const PGresult *r, const char *rule, const char *subject)
{
    for (int i = 0; i < PQntuples(r) && i < TICK_MAX_OPEN; i++)
        if (strcmp(db_str(r, i, 1), rule) == 0 && strcmp(db_str(r, i, 2), subject) == 0)
            return i;
    return -1;
}

/* Resolve open alert row i of open by the system, noted. */
static int resolve_noted(long long hotel_id, const PGresult *open, int i, struct json_object **batch,
                         long *resolved)
{
    struct db_args a;
    char target[40];
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, db_ll(open, i, 0));
    long n = db_exec(&st_resolve_sys, &a);
    if (n < 0)
        return -1;
    if (n == 1) {
        snprintf(target, sizeof target, "alert:%lld", db_ll(open, i, 0));
        struct json_object *v = json_object_new_object();
        jx_add_str(v, "state", "resolved");
        jx_add_str(v, "reason", "condition cleared");
        action_note(batch, "alert.resolved", target, NULL, v);
        (*resolved)++;
    }
    return 0;
}

int alert_tick(long long hotel_id, struct alert_tick_count *n)
{
    struct alert_rules rs;
    struct attendance_settings s;
    struct json_object *batch = NULL;
    PGresult *facts = NULL, *open = NULL;
    char seen[TICK_MAX_OPEN] = {0};

    if (db_begin() < 0)
        return -1;
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    /* one evaluation of a hotel at a time: a second waits, then sees the first's alerts */
    PGresult *lock = db_run(&st_tick_lock, &a);
    if (lock == NULL)
        goto fail;
    PQclear(lock);
    if (alert_rules_load(hotel_id, &rs) < 0 || settings_load(hotel_id, &s) < 0)
        goto fail;
    struct alert_limits lim = {s.hard_limit_hours, s.overtime_warning_hours};
    db_arg_int(&a, rs.r[ALERT_FAILED_SCANS].window_minutes);
    if ((facts = db_run(&st_facts, &a)) == NULL)
        goto fail;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    if ((open = db_run(&st_open, &a)) == NULL)
        goto fail;

    for (int i = 0; i < PQntuples(facts); i++) {
        const char *kind = db_str(facts, i, 0), *subject = db_str(facts, i, 1);
        int session = strcmp(kind, "session") == 0;
        enum alert_rule rules[2];
        int nrules = 0;
        if (session) {
            rules[nrules++] = ALERT_HARD_LIMIT;
            rules[nrules++] = ALERT_OVERTIME;
        } else if (alert_rule_of(kind) >= 0) {
            rules[nrules++] = (enum alert_rule)alert_rule_of(kind);
        }
        for (int k = 0; k < nrules; k++) {
            int j = find_open(open, alert_rule_name(rules[k]), subject);
            int holds = alert_tick_holds(&rs, &lim, rules[k], db_double(facts, i, 2), db_double(facts, i, 3));
            if (j >= 0)
                seen[j] = 1;
            switch (alert_tick_step(rules[k], holds, j >= 0)) {
            case ALERT_RAISE: {
                struct json_object *d = jx_parse(db_str(facts, i, 4), strlen(db_str(facts, i, 4)));
                if (d == NULL)
                    d = json_object_new_object();
                jx_add_double(d, session ? "hours" : rules[k] == ALERT_FAILED_SCANS || rules[k] ==
                              ALERT_UNROSTERED_DAY ? "value" : "minutes", db_double(facts, i, 2), 2);
                if (raise_noted(hotel_id, rules[k], subject, d, &batch, &n->raised) < 0)
                    goto fail;
                break;
            }
            case ALERT_RESOLVE:
                if (resolve_noted(hotel_id, open, j, &batch, &n->resolved) < 0)
                    goto fail;
                break;
            case ALERT_KEEP:
                break;
            }
        }
    }
    /* an open alert with nothing measured for it: its condition is gone */
    for (int j = 0; j < PQntuples(open) && j < TICK_MAX_OPEN; j++) {
        int rule = alert_rule_of(db_str(open, j, 1));
        if (seen[j] || rule < 0 || alert_tick_step((enum alert_rule)rule, 0, 1) != ALERT_RESOLVE)
            continue;
        if (resolve_noted(hotel_id, open, j, &batch, &n->resolved) < 0)
            goto fail;
    }
    PQclear(facts);
    PQclear(open);
    facts = open = NULL;
    if (audit_system(hotel_id, batch) < 0) {
        batch = NULL;
        goto fail;
    }
    return db_commit();
fail:
    PQclear(facts);
    PQclear(open);
    json_object_put(batch);
    db_rollback();
    return -1;
}

/* ---- by hand ------------------------------------------------------------ */

static struct db_stmt st_hotels = {
    "alerts_tick_hotels", "SELECT id FROM hotels WHERE $1::text IS NULL OR slug = $1 ORDER BY id", 0,
};

int alert_tick_hotels(const char *slug, struct alert_tick_count *n)
{
    struct db_args a;
    PGresult *r;
    db_args_init(&a);
    db_arg_str(&a, slug);
    if ((r = db_run(&st_hotels, &a)) == NULL)
        return -1;
    int hotels = PQntuples(r);
    for (int i = 0; i < hotels; i++)
        if (alert_tick(db_ll(r, i, 0), n) < 0) {
            PQclear(r);
            return -1;
        }
    PQclear(r);
    return hotels;
}

static struct db_stmt st_ack = {
    "alert_acknowledge",
    "UPDATE alerts a SET state = 'acknowledged', acknowledged_by = $3, acknowledged_at = now() "
    "WHERE a.hotel_id = $1 AND a.id = $2 AND a.state = 'open' RETURNING " ALERT_COLS,
    0,
};
static struct db_stmt st_resolve = {
    "alert_resolve",
    "UPDATE alerts a SET state = 'resolved', resolved_by = $3, resolved_at = now() "
    "WHERE a.hotel_id = $1 AND a.id = $2 AND a.state <> 'resolved' RETURNING " ALERT_COLS,
    0,
};
static struct db_stmt st_state = {
    "alert_state", "SELECT state FROM alerts WHERE hotel_id = $1 AND id = $2", 0,
};

int alert_transition(long long hotel_id, long long id, const char *to_state, const struct actor *who,
                     struct json_object **out, const char **state)
{
    int resolve = strcmp(to_state, "resolved") == 0;
    struct db_args a;
    char target[40];

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    db_arg_str(&a, who->name);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(resolve ? &st_resolve : &st_ack, &a);
    if (r == NULL)
        goto fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_args_init(&a);
        db_arg_int(&a, hotel_id);
        db_arg_int(&a, id);
        if ((r = db_run(&st_state, &a)) == NULL)
            goto fail;
        int found = PQntuples(r) == 1;
        if (found)
            *state = strcmp(db_str(r, 0, 0), "resolved") == 0 ? "resolved"
                   : strcmp(db_str(r, 0, 0), "acknowledged") == 0 ? "acknowledged" : "open";
        PQclear(r);
        db_rollback();
        return found ? -2 : 0;
    }
    *out = db_row_object(alert_cols, r, 0);
    PQclear(r);
    snprintf(target, sizeof target, "alert:%lld", id);
    struct json_object *v = json_object_new_object();
    jx_add_str(v, "state", to_state);
    if (action_audit_one(who, hotel_id, resolve ? "alert.resolved" : "alert.acknowledged", target, NULL, v) < 0 ||
        db_commit() < 0) {
        json_object_put(*out);
        *out = NULL;
        goto fail;
    }
    return 1;
fail:
    db_rollback();
    return -1;
}

/* ---- the listing ------------------------------------------------------ */

#define DAY_START(hotel, date) SQL_DAY_START(hotel, date)
#define ALERT_WHERE(hotel, state, rule, from_date, from_ts, to_date, to_ts)                       \
    "a.hotel_id = " hotel                                                                         \
    " AND (" state " IS NULL OR a.state = " state " OR (" state " = 'active' AND a.state <> 'resolved'))" \
    " AND (" rule " IS NULL OR a.rule = " rule ")"                                               \
    " AND a.opened_at >= coalesce(" from_ts ", " DAY_START(hotel, from_date) ", '-infinity')"    \
    " AND a.opened_at <= coalesce(" to_ts ", " DAY_START(hotel, "(" to_date ") + 1")             \
    " - interval '1 microsecond', 'infinity')"
#define ALERT_WHERE_ARGS ALERT_WHERE("$1::bigint", "$2::text", "$3::text", "$4::date", "$5::timestamptz", \
                                     "$6::date", "$7::timestamptz")
#define SETTING_OR_NULL(name, type) "(SELECT nullif(current_setting('faceclock.alert_" name "'), '')::" type ")"
#define ALERT_WHERE_SETTINGS                                                                          \
    ALERT_WHERE("(SELECT current_setting('faceclock.alert_hotel'))::bigint",                          \
                SETTING_OR_NULL("state", "text"), SETTING_OR_NULL("rule", "text"),                    \
                SETTING_OR_NULL("from_date", "date"), SETTING_OR_NULL("from_ts", "timestamptz"),      \
                SETTING_OR_NULL("to_date", "date"), SETTING_OR_NULL("to_ts", "timestamptz"))

static struct db_stmt st_list = {
    "alert_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM alerts a WHERE " ALERT_WHERE_ARGS ") c "
    "LEFT JOIN LATERAL (SELECT " ALERT_COLS " FROM alerts a WHERE " ALERT_WHERE_ARGS
    " ORDER BY a.opened_at DESC, a.id DESC LIMIT $8 OFFSET $9) p ON true",
    0,
};
static struct db_stmt st_export_set = {
    "alert_export_set",
    "SELECT set_config('faceclock.alert_hotel', $1, true), "
    "set_config('faceclock.alert_state', coalesce($2, ''), true), "
    "set_config('faceclock.alert_rule', coalesce($3, ''), true), "
    "set_config('faceclock.alert_from_date', coalesce($4, ''), true), "
    "set_config('faceclock.alert_from_ts', coalesce($5, ''), true), "
    "set_config('faceclock.alert_to_date', coalesce($6, ''), true), "
    "set_config('faceclock.alert_to_ts', coalesce($7, ''), true), " EXPORT_PLANNER_SETTINGS ", "
    SQL_EXPORT_ROWS("FROM alerts a WHERE " ALERT_WHERE_ARGS),
    0,
};
static const char export_sql[] =
    "COPY (SELECT a.id, " SQL_CSV_TEXT("a.rule") " AS rule, " SQL_CSV_TEXT("a.subject") " AS subject, "
    "a.state, " SQL_CSV_TEXT("a.details::text") " AS details, " SQL_TS("a.opened_at") " AS opened_at, "
    SQL_CSV_TEXT("a.acknowledged_by") " AS acknowledged_by, " SQL_TS("a.acknowledged_at") " AS acknowledged_at, "
    SQL_CSV_TEXT("a.resolved_by") " AS resolved_by, " SQL_TS("a.resolved_at") " AS resolved_at "
    "FROM alerts a WHERE " ALERT_WHERE_SETTINGS " ORDER BY a.opened_at DESC, a.id DESC) "
    "TO STDOUT WITH (FORMAT csv, HEADER)";

void alert_filter_of(const struct request *req, struct alert_filter *f)
{
    memset(f, 0, sizeof *f);
    f->state = arg_str(req, "state");
    f->rule = arg_str(req, "rule");
    arg_time_range(req, &f->when);
}

static void filter_args(struct db_args *a, const void *filter)
{
    const struct alert_filter *f = filter;
    db_arg_str(a, f->state);
    db_arg_str(a, f->rule);
    db_arg_time_range(a, &f->when);
}

const struct listing alert_listing = {
    .page = &st_list, .total_col = A_NCOLS, .id_col = A_ID, .bind = filter_args, .cols = alert_cols,
    .export_set = &st_export_set, .export_sql = export_sql, .export_name = "alerts",
};

static struct db_stmt st_counts = {
    "alert_counts",
    "SELECT rule, state, count(*) FROM alerts WHERE state <> 'resolved' GROUP BY rule, state ORDER BY 1, 2",
    0,
};

int alert_counts(void (*row)(void *ctx, const char *rule, const char *state, long long n), void *ctx)
{
    PGresult *r = db_run(&st_counts, NULL);
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        row(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), db_ll(r, i, 2));
    PQclear(r);
    return 0;
}

/* auto_close_store.c — the auto-close of forgotten sessions
 * (auto_close_store.h): reads the open sessions of hotels whose
 * auto_close is on, with the rostered end of their shift in the hotel's
 * time zone (an overnight shift ends the next day), asks
 * scheduler_rules.c when each closes, and closes the due ones, each with
 * its audit row in one transaction. */
#include <stdio.h>
#include "auto_close_store.h"
#include "db.h"
#include "jsonx.h"
#include "scheduler_rules.h"

/* id, hotel, time_in, the rostered end (NULL: unrostered), mode, hours */
static struct db_stmt st_open = {
    "auto_close_open",
    "SELECT l.id, l.hotel_id, extract(epoch FROM l.time_in)::bigint, "
    "  extract(epoch FROM ((r.shift_date + r.end_time + CASE WHEN r.end_time <= r.start_time "
    "    THEN interval '1 day' ELSE interval '0' END) AT TIME ZONE h.timezone))::bigint, "
    "  s.auto_close, s.auto_close_after_hours, s.hard_limit_hours "
    "FROM clock_logs l JOIN attendance_settings s ON s.hotel_id = l.hotel_id AND s.auto_close <> 'off' "
    "JOIN hotels h ON h.id = l.hotel_id "
    "LEFT JOIN roster_shifts r ON r.hotel_id = l.hotel_id AND r.id = l.roster_shift_id "
    "WHERE l.time_out IS NULL ORDER BY l.id",
    0,
};

static struct db_stmt st_close = {
    "auto_close_close",
    "UPDATE clock_logs SET time_out = to_timestamp($3::bigint), auto_closed = true, is_approved = false "
    "WHERE hotel_id = $1 AND id = $2 AND time_out IS NULL RETURNING fc_ts(time_out)",
    0,
};

/* 1 closed, 0 already closed meanwhile, -1 (db) */
static int close_one(const struct actor *who, long long hotel_id, long long log_id, time_t at, const char *mode)
{
    struct db_args a;
    char target[40];
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, log_id);
    db_arg_int(&a, (long long)at);
    if (db_begin() < 0)
        return -1;
    PGresult *r = db_run(&st_close, &a);
    if (r == NULL || PQntuples(r) == 0) {
        if (r != NULL)
            PQclear(r);
        db_rollback();
        return r == NULL ? -1 : 0;
    }
    struct json_object *old = json_object_new_object(), *v = json_object_new_object();
    jx_add_str(old, "time_out", NULL);
    jx_add_str(v, "time_out", PQgetvalue(r, 0, 0));
    jx_add_str(v, "auto_close", mode);
    PQclear(r);
    snprintf(target, sizeof target, "clock_log:%lld", log_id);
    if (action_audit_one(who, hotel_id, "clock_log.auto_closed", target, old, v) < 0 || db_commit() < 0) {
        db_rollback();
        return -1;
    }
    return 1;
}

long auto_close_due(time_t now, const struct actor *who)
{
    struct db_args a;
    long closed = 0;
    db_args_init(&a);
    PGresult *r = db_run(&st_open, &a);
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *mode = PQgetvalue(r, i, 4);
        time_t at = auto_close_at(auto_close_of(mode), db_double(r, i, 5), db_double(r, i, 6),
                                  (time_t)db_ll(r, i, 2), (time_t)db_ll(r, i, 3));
        if (at == 0 || now < at)
            continue;
        int rc = close_one(who, db_ll(r, i, 1), db_ll(r, i, 0), at, mode);
        if (rc < 0) {
            PQclear(r);
            return -1;
        }
        closed += rc;
    }
    PQclear(r);
    return closed;
}

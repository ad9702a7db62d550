/* clock_store.c — owns clock logs in the database (clock_store.h): a log
 * row as JSON, and the statements of a scan — the person's live state and
 * its rows (with the scanning kiosk's throttle), opening and closing a
 * session, spending a confirmation token, the hotel's face version. The
 * database decides the race for the one open session per person
 * (clock_logs_one_open). tests/bench/clock_bench.py reads
 * "clock_person_state", "clock_out" and "clock_in" from this file. */
#include <string.h>
#include "alert_store.h"
#include "clock_store.h"
#include "db.h"
#include "jsonx.h"
#include "metrics.h"
#include "validate.h"

static struct db_stmt st_hotel_version = {
    "clock_hotel_version", "SELECT face_version FROM hotels WHERE id = $1", 0,
};

/* One round trip for the live half of a person's state: the hotel's face
 * version and wall clock in local_epoch() seconds, the open session, and
 * one row per shift: with no open session those of yesterday, today and
 * tomorrow (hotel-local), with one the session's own shift. The shift
 * columns are NULL on the single row of a person without any. */
#define STATE_SHIFT_COL 4       /* id, date, start, end, location, department id */
/* Count a scan in recognition_daily, on the hotel's local day and this
 * worker's shard (so that workers never wait for each other's row lock),
 * without waiting for the WAL flush at commit (a crash may lose the last
 * counts, never a clock log): hotel $1, outcome $o (no row when NULL, nor
 * unless the SQL condition `when`), confidence $c, shard $s. Two CTEs, for
 * the front of a WITH. */
#define RECOGNITION_COUNT(o, c, s, when) \
    "lazy AS (SELECT set_config('synchronous_commit', 'off', true) WHERE " o "::text IS NOT NULL AND " when "), " \
    "counted AS (INSERT INTO recognition_daily AS rd (hotel_id, day, outcome, shard, attempts, confidence_sum) " \
    "  SELECT hh.id, (now() AT TIME ZONE hh.timezone)::date, " o ", " s ", 1, " c " FROM hotels hh, lazy " \
    "  WHERE hh.id = $1 ON CONFLICT (hotel_id, day, outcome, shard) DO UPDATE SET attempts = rd.attempts + 1, " \
    "  confidence_sum = rd.confidence_sum + EXCLUDED.confidence_sum) "

/* The person's state, counting the scan that found them ($3 outcome, $4
 * confidence, $5 shard; $3 NULL: no scan) unless its kiosk ($6; NULL:
 * none) is throttled, in the same round trip; the kiosk's standing is in
 * the last columns: the throttle's seconds (STATE_BLOCKED_COL, 0: none),
 * its key hash and hotel slug as they are now. */
#define STATE_BLOCKED_COL 10
static struct db_stmt st_person_state = {
    "clock_person_state",
    "WITH standing AS (" KIOSK_STANDING_SQL("$6") "), "
    RECOGNITION_COUNT("$3", "$4", "$5", "NOT EXISTS (SELECT FROM standing WHERE secs IS NOT NULL)")
    "SELECT h.face_version, floor(extract(epoch from now() AT TIME ZONE h.timezone))::bigint, "
    "coalesce(o.id, 0) AS open_id, extract(epoch from now() - o.time_in), "
    "r.id, r.shift_date::text, r.start_time::text, r.end_time::text, r.location, r.department_id, "
    "coalesce((SELECT secs FROM standing), 0), (SELECT key_hash FROM standing), (SELECT slug FROM standing) "
    "FROM hotels h "
    "LEFT JOIN clock_logs o ON o.hotel_id = h.id AND o.staff_id = $2 AND o.time_out IS NULL "
    "LEFT JOIN LATERAL ("
    " SELECT w.* FROM roster_shifts w WHERE o.id IS NULL AND w.hotel_id = h.id AND w.staff_id = $2"
    " AND w.shift_date BETWEEN (now() AT TIME ZONE h.timezone)::date - 1"
    " AND (now() AT TIME ZONE h.timezone)::date + 1"
    " UNION ALL SELECT w.* FROM roster_shifts w WHERE w.hotel_id = h.id AND w.id = o.roster_shift_id"
    ") r ON true "
    "WHERE h.id = $1 ORDER BY r.shift_date, r.start_time",
    0,
};
static struct db_stmt st_clock_in = {
    "clock_in",
    "INSERT INTO clock_logs AS l (hotel_id, staff_id, time_in, roster_shift_id, verified_by_face, "
    "is_unrostered, is_approved, force_reason, source, kiosk_id) "
    "VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8, $9) RETURNING " LOG_COLS,
    0,
};
static struct db_stmt st_clock_out = {
    "clock_out",
    "UPDATE clock_logs AS l SET time_out = now() WHERE hotel_id = $1 AND id = $2 AND time_out IS NULL "
    "RETURNING " LOG_COLS,
    0,
};
static struct db_stmt st_use_token = {
    "clock_use_token",
    "INSERT INTO used_confirmation_tokens (nonce, hotel_id, expires_at) "
    "VALUES ($1, $2, to_timestamp($3))",
    0,
};

static const struct db_json_col log_cols[] = {
    {"id", 0, DBJ_INT},
    {"staff_id", 1, DBJ_INT},
    {"time_in", 2, DBJ_STR},
    {"time_out", 3, DBJ_STR},
    {"roster_shift_id", 4, DBJ_INT_OR_NULL},
    {"verified_by_face", 5, DBJ_BOOL},
    {"is_unrostered", 6, DBJ_BOOL},
    {"is_approved", 7, DBJ_BOOL},
    {"long_session_ack_mode", 8, DBJ_STR},
    {"source", 9, DBJ_STR},
    {"auto_closed", 10, DBJ_BOOL},
    {NULL, 0, 0},
};

struct json_object *log_json(const PGresult *r, int row, int c)
{
    struct json_object *o = json_object_new_object();
    db_json_cols(o, r, row, c, log_cols);
    return o;
}

double log_seconds(const PGresult *r, int row, int c)
{
    return db_double(r, row, c + LOG_NCOLS - 1);
}

/* The shift on row i of the state query. 0, or -1 when the row has none. */
static int shift_from_row(const PGresult *r, int i, struct shift *s)
{
    const int c = STATE_SHIFT_COL;
    if (PQgetisnull(r, i, c) || parse_date(PQgetvalue(r, i, c + 1), &s->year, &s->month, &s->day) < 0 ||
        parse_time(PQgetvalue(r, i, c + 2), &s->start_secs) < 0 ||
        parse_time(PQgetvalue(r, i, c + 3), &s->end_secs) < 0)
        return -1;
    s->id = db_ll(r, i, c);
    return 0;
}

int clock_state_load(long long hotel_id, long long staff_id, const struct scan_count *count,
                     struct clock_state *st)
{
    struct db_args a;
    PGresult *r;

    memset(st, 0, sizeof *st);
    st->open_shift_row = -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, count != NULL ? count->outcome : NULL);
    db_arg_double(&a, count != NULL ? count->confidence : 0);
    db_arg_int(&a, metrics_slot());
    db_arg_id(&a, count != NULL ? count->kiosk_id : 0);
    if ((r = db_run(&st_person_state, &a)) == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return -1;
    }
    st->rows = r;
    st->version = db_ll(r, 0, 0);
    st->local_now = db_ll(r, 0, 1);   /* the hotel's wall clock read as UTC: local_epoch() */
    st->open_log_id = db_ll(r, 0, 2);
    st->open_seconds = db_double(r, 0, 3);
    st->blocked_secs = (long)db_ll(r, 0, STATE_BLOCKED_COL);
    st->kiosk_hash = db_str(r, 0, STATE_BLOCKED_COL + 1);
    st->kiosk_slug = db_str(r, 0, STATE_BLOCKED_COL + 2);
    for (int i = 0; i < PQntuples(r); i++) {
        struct shift sh;
        if (shift_from_row(r, i, &sh) < 0)
            continue;
        if (st->open_log_id != 0) {          /* the session's own shift */
            st->open_shift = sh;
            st->open_shift_row = i;
            break;
        }
        if (st->nshifts < CLOCK_MAX_SHIFTS) {
            st->shifts[st->nshifts] = sh;
            st->shift_row[st->nshifts++] = i;
        }
    }
    return 0;
}

void clock_state_free(struct clock_state *st)
{
    PQclear(st->rows);
    st->rows = NULL;
}

struct json_object *clock_shift_json(const struct clock_state *st, int i, long long department_id,
                                     const struct hotel_view *v)
{
    const int c = STATE_SHIFT_COL;
    const PGresult *r = st->rows;
    long long dep = PQgetisnull(r, i, c + 5) ? department_id : db_ll(r, i, c + 5);
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "id", db_ll(r, i, c));
    jx_add_str(o, "date", PQgetvalue(r, i, c + 1));
    jx_add_str(o, "start_time", PQgetvalue(r, i, c + 2));
    jx_add_str(o, "end_time", PQgetvalue(r, i, c + 3));
    jx_add_str(o, "location", PQgetvalue(r, i, c + 4));
    jx_add_str(o, "department", hotel_view_department(v, dep));
    return o;
}

PGresult *clock_session_open(long long hotel_id, long long staff_id, const struct clock_session *s)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_id(&a, s->shift_id);
    db_arg_bool(&a, s->by_face);
    db_arg_bool(&a, s->unrostered);
    db_arg_bool(&a, !s->unrostered);
    db_arg_str(&a, s->reason);
    db_arg_str(&a, s->reason ? "forced" : "face");
    db_arg_id(&a, s->kiosk_id);
    return db_run(&st_clock_in, &a);
}

PGresult *clock_session_close(long long hotel_id, long long log_id)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, log_id);
    return db_run(&st_clock_out, &a);
}

int clock_token_spend(long long hotel_id, const char *nonce, long long expires)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, nonce);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, expires);
    return db_exec(&st_use_token, &a) < 0 ? -1 : 0;
}

static struct db_stmt st_recognition = {
    "clock_recognition_count", "WITH " RECOGNITION_COUNT("$2", "$3", "$4", "true") "SELECT 1", 0,
};

int clock_recognition_count(long long hotel_id, const char *outcome, double confidence)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, outcome);
    db_arg_double(&a, confidence);
    db_arg_int(&a, metrics_slot());
    return db_exec(&st_recognition, &a) < 0 ? -1 : 0;
}

int clock_hotel_version(long long hotel_id, long long *version)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    PGresult *r = db_run(&st_hotel_version, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        *version = db_ll(r, 0, 0);
    PQclear(r);
    return found;
}

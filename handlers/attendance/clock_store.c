/* clock_log.c — a clock log row as JSON. */
#include "clock_store.h"
#include "db.h"
#include "jsonx.h"

struct json_object *log_json(const PGresult *r, int row, int c)
{
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "id", db_ll(r, row, c));
    jx_add_int(o, "staff_id", db_ll(r, row, c + 1));
    jx_add_str(o, "time_in", db_str(r, row, c + 2));
    jx_add_str(o, "time_out", db_str(r, row, c + 3));
    db_json_ll(o, "roster_shift_id", r, row, c + 4);
    jx_add_bool(o, "verified_by_face", db_bool(r, row, c + 5));
    jx_add_bool(o, "is_unrostered", db_bool(r, row, c + 6));
    jx_add_bool(o, "is_approved", db_bool(r, row, c + 7));
    jx_add_str(o, "long_session_ack_mode", db_str(r, row, c + 8));
    jx_add_str(o, "source", db_str(r, row, c + 9));
    return o;
}

double log_seconds(const PGresult *r, int row, int c)
{
    return db_double(r, row, c + 10);
}

/* clock_log.h — the one JSON shape of a clock log ("log" in answers and
 * the rows of review lists), read from LOG_COLS of a result row. */
#ifndef FC_CLOCK_LOG_H
#define FC_CLOCK_LOG_H

#include <json-c/json.h>
#include <libpq-fe.h>

/* Columns of clock_logs (table alias l) in the order log_json() reads
 * them; the last is the session's length in seconds so far. */
#define LOG_COLS \
    "l.id, l.staff_id, fc_ts(l.time_in), fc_ts(l.time_out), l.roster_shift_id, " \
    "l.verified_by_face, l.is_unrostered, l.is_approved, l.long_session_ack_mode, l.source, " \
    "extract(epoch from coalesce(l.time_out, now()) - l.time_in)"
#define LOG_NCOLS 11

/* {"id","staff_id","time_in","time_out","roster_shift_id","verified_by_face",
 *  "is_unrostered","is_approved","long_session_ack_mode","source"} from the
 * LOG_COLS starting at col. Caller owns the result. */
struct json_object *log_json(const PGresult *r, int row, int col);

/* The session length in seconds (LOG_COLS' last column). */
double log_seconds(const PGresult *r, int row, int col);

#endif
